#include "daemon/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <grp.h>
#include <sys/stat.h>

#include "connectors/source/connection_string.h"
#include "core/child_process.h"
#include "core/size.h"
#include "core/text.h"
#include "core/tz/timezone.h"
#include "core/yaml/yaml_reader.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultStateDirectory = "/var/lib/accrochd";

std::optional<std::string> GetEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::string Resolve(const fs::path& base, const std::string& path) {
  fs::path p(path);
  if (p.is_relative()) p = base / p;
  return p.lexically_normal().string();
}

// Reads a secret file: whole content, one trailing newline removed.
std::optional<std::string> ReadSecretFile(const std::string& path, std::string& problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problem = "cannot read " + Shown(path) + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string secret = buffer.str();
  if (secret.ends_with("\r\n")) {
    secret.resize(secret.size() - 2);
  } else if (secret.ends_with('\n')) {
    secret.pop_back();
  }
  if (secret.empty()) {
    problem = path + " is empty";
    return std::nullopt;
  }
  return secret;
}

class Loader {
 public:
  Loader(const std::string& path, const Environment& env, Diagnostics& diagnostics)
      : env_(env),
        diagnostics_(diagnostics),
        file_(fs::absolute(path).lexically_normal().string(), diagnostics),
        base_(fs::path(file_.file()).parent_path()) {}

  std::optional<Config> Load() {
    auto root = yaml::LoadFile(file_.file(), diagnostics_);
    if (!root) return std::nullopt;
    Config config;
    config.file = file_.file();
    yaml::MapReader top(file_, *root, "");
    if (!top.valid()) return std::nullopt;

    if (auto node = top.Node("schema_version", false)) {
      if (auto v = file_.AsString(*node, "schema_version")) {
        if (auto version = mappings::ParseSchemaVersion(*v)) {
          config.schema_version = *version;
        } else {
          file_.Report(*node, "schema_version: expected \"1.1.2\" or \"1.1.5\", found " +
                                  Excerpt(*v) + " (write it in quotes: 1.1.5 is not a number)");
        }
      }
    }
    version_ = config.schema_version;
    if (auto node = top.Node("timezone", false)) {
      if (auto v = file_.AsString(*node, "timezone")) {
        if (CheckTimeZone(*node, "timezone", *v)) config.timezone = *v;
      }
    }
    if (auto node = top.Node("emetteur", false)) {
      if (auto v = ReadBcr(*node, "emetteur")) config.emetteur = *v;
    }
    if (auto node = top.Node("deposit", false)) ReadDeposit(*node, config.deposit);
    if (auto node = top.Node("run", false)) {
      yaml::MapReader m(file_, *node, "run");
      if (m.valid()) {
        if (auto v = m.DurationValue("interval", false)) {
          if (*v < std::chrono::seconds(10)) {
            file_.Report(*m.Node("interval", false), "run.interval: at least 10s");
          } else {
            config.run.interval = *v;
          }
        }
        m.Finish();
      }
    }
    if (auto node = top.Node("deadlines", false)) ReadDeadlines(*node, config.deadlines);
    if (auto node = top.Node("alerts", false)) ReadAlerts(*node, config.alerts);
    if (auto node = top.Node("monitoring", false)) ReadMonitoring(*node, config.monitoring);
    if (auto dir = top.String("state_directory", false)) {
      config.state_directory = Resolve(base_, *dir);
    } else if (env_.state_directory) {
      config.state_directory = *env_.state_directory;
    } else {
      config.state_directory = kDefaultStateDirectory;
    }

    if (auto dir = top.String("templates", false)) {
      config.templates_directory = Resolve(base_, *dir);
      std::error_code ec;
      if (!fs::is_directory(config.templates_directory, ec)) {
        file_.Report(*top.Node("templates", false),
                     "templates: " + Shown(config.templates_directory) + " is not a directory");
      }
    } else {
      config.templates_directory = (base_ / "templates").string();
    }
    if (auto templates = Templates::Load(config.templates_directory, diagnostics_)) {
      config.templates = std::make_shared<const Templates>(std::move(*templates));
    }

    if (auto node = top.Node("sources", true)) {
      yaml::MapReader sources(file_, *node, "sources");
      for (auto& [name, value] : sources.Entries()) {
        if (auto s = ReadSource(name, value)) config.sources.emplace(name, std::move(*s));
      }
      if (sources.valid() && config.sources.empty() && node->size() == 0) {
        file_.Report(*node, "sources: define at least one source");
      }
    }
    if (auto node = top.Node("certifiers", true)) {
      yaml::MapReader certifiers(file_, *node, "certifiers");
      for (auto& [name, value] : certifiers.Entries()) {
        if (auto c = ReadCertifier(name, value, config)) config.certifiers.push_back(std::move(*c));
      }
      if (certifiers.valid() && node->size() == 0) {
        file_.Report(*node, "certifiers: define at least one certifier");
      }
    }
    top.Finish();
    if (!diagnostics_.empty()) return std::nullopt;
    return config;
  }

 private:
  std::optional<SourceConfig> ReadSource(const std::string& name, const YAML::Node& node) {
    SourceConfig s;
    s.name = name;
    s.location = file_.Where(node);
    const std::string path = "sources." + name;
    yaml::MapReader m(file_, node, path);
    if (!m.valid()) return std::nullopt;
    if (auto conn_node = m.Node("connection", true)) {
      if (auto conn = file_.AsString(*conn_node, path + ".connection")) {
        auto attributes = source::ParseConnectionString(*conn);
        if (!attributes) {
          file_.Report(*conn_node, path + ".connection: " + attributes.error().message());
        } else {
          for (const auto& a : *attributes) {
            if (source::IsSecretKey(a.key)) {
              file_.Report(*conn_node, path + ".connection: holds a secret (" + a.key +
                                           "=...); remove it and give the password with "
                                           "password: {credential: NAME} or {file: PATH}");
            }
          }
          s.connection = *conn;
        }
      }
    }
    if (auto pw = m.Node("password", false)) ReadPassword(*pw, path + ".password", s);
    if (auto v = m.Int("fetch_size", false, 1, 100'000))
      s.fetch_size = static_cast<std::size_t>(*v);
    if (auto v = m.DurationValue("query_timeout", false)) {
      if (v->count() < 1000) {
        file_.Report(*m.Node("query_timeout", false), path + ".query_timeout: must be at least 1s");
      } else {
        s.query_timeout = *v;
      }
    }
    if (auto retry = m.Node("retry", false)) {
      yaml::MapReader r(file_, *retry, path + ".retry");
      if (auto v = r.Int("attempts", false, 1, 100)) s.retry.max_attempts = static_cast<int>(*v);
      if (auto v = r.DurationValue("initial_delay", false)) s.retry.initial_delay = *v;
      if (auto v = r.DurationValue("max_delay", false)) s.retry.max_delay = *v;
      if (s.retry.initial_delay > s.retry.max_delay) {
        file_.Report(*retry, path + ".retry: initial_delay is longer than max_delay");
      }
      r.Finish();
    }
    if (auto node_syntax = m.Node("page_syntax", false)) {
      if (auto v = file_.AsString(*node_syntax, path + ".page_syntax")) {
        if (*v == "limit") {
          s.page_syntax = source::PageSyntax::kLimit;
        } else if (*v == "offset_fetch") {
          s.page_syntax = source::PageSyntax::kOffsetFetch;
        } else {
          file_.Report(*node_syntax, path +
                                         ".page_syntax: expected \"limit\" (PostgreSQL, "
                                         "MariaDB, SQLite) or \"offset_fetch\" (SQL Server, "
                                         "Oracle, DB2), found " +
                                         Excerpt(*v));
        }
      }
    }
    m.Finish();
    return s;
  }

  void ReadPassword(const YAML::Node& node, const std::string& path, SourceConfig& s) {
    if (auto secret = ReadSecret(node, path)) {
      s.password_ref = std::move(secret->first);
      s.password = std::move(secret->second);
    }
  }

  // A secret given by reference: {credential: NAME} or {file: PATH}; never its value.
  std::optional<std::pair<SecretRef, std::string>> ReadSecret(const YAML::Node& node,
                                                              const std::string& path) {
    const std::string key = path.substr(path.rfind('.') + 1);  // password, token
    if (node.IsScalar()) {
      // Never echo the value: it is probably the secret itself.
      file_.Report(node, path + ": a " + key +
                             " written in the configuration is refused; put it "
                             "in a file readable only by accrochd (chmod 600) and write " +
                             key +
                             ": {file: /path/to/file}, or load it as a systemd "
                             "credential and write " +
                             key + ": {credential: NAME}");
      return std::nullopt;
    }
    yaml::MapReader m(file_, node, path);
    if (!m.valid()) return std::nullopt;
    auto credential = m.String("credential", false);
    auto file = m.String("file", false);
    m.Finish();
    if (credential.has_value() == file.has_value()) {
      file_.Report(node, path + ": give exactly one of credential: NAME or file: PATH");
      return std::nullopt;
    }
    SecretRef ref;
    std::string problem;
    if (credential) {
      ref.kind = SecretRef::Kind::kCredential;
      ref.name = *credential;
      if (credential->empty()) {
        file_.Report(node, path + ".credential: the credential name is empty");
        return std::nullopt;
      }
      if (Utf8Length(*credential) > yaml::kMaxNameLength) {
        file_.Report(node, path + ".credential: a credential name has at most " +
                               std::to_string(yaml::kMaxNameLength) + " characters");
        return std::nullopt;
      }
      if (credential->find('/') != std::string::npos) {
        file_.Report(node, path + ".credential: a credential name cannot contain '/'");
        return std::nullopt;
      }
      if (!env_.credentials_directory) {
        file_.Report(node, path + ".credential: " + Excerpt(*credential) +
                               " needs $CREDENTIALS_DIRECTORY, which systemd sets for a unit "
                               "with LoadCredential=" +
                               *credential + ":/path/to/secret; outside systemd use " + key +
                               ": {file: PATH}");
        return std::nullopt;
      }
      ref.path = (fs::path(*env_.credentials_directory) / *credential).string();
    } else {
      ref.kind = SecretRef::Kind::kFile;
      ref.name = *file;
      ref.path = Resolve(base_, *file);
      struct stat st {};
      if (::stat(ref.path.c_str(), &st) != 0) {
        file_.Report(node,
                     path + ".file: cannot read " + Shown(ref.path) + ": " + std::strerror(errno));
        return std::nullopt;
      }
      if (!S_ISREG(st.st_mode)) {
        file_.Report(node, path + ".file: " + Shown(ref.path) + " is not a regular file");
        return std::nullopt;
      }
      if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
        file_.Report(node, path + ".file: " + ref.path + " has mode " + mode +
                               ", readable by other users; run chmod 600 " + ref.path);
        return std::nullopt;
      }
    }
    auto secret = ReadSecretFile(ref.path, problem);
    if (!secret) {
      file_.Report(node, path + ": " + problem);
      return std::nullopt;
    }
    return std::make_pair(std::move(ref), std::move(*secret));
  }

  std::optional<CertifierConfig> ReadCertifier(const std::string& name, const YAML::Node& node,
                                               const Config& config) {
    CertifierConfig c;
    c.name = name;
    c.location = file_.Where(node);
    const std::string path = "certifiers." + name;
    yaml::MapReader m(file_, node, path);
    if (!m.valid()) return std::nullopt;
    c.timezone = config.timezone;
    if (auto tz = m.Node("timezone", false)) {
      if (auto v = file_.AsString(*tz, path + ".timezone")) {
        if (CheckTimeZone(*tz, path + ".timezone", *v)) c.timezone = *v;
      }
    }
    if (auto id_node = m.Node("id_client", true)) {
      if (auto v = ReadBcr(*id_node, path + ".id_client")) c.id_client = *v;
    }
    c.emetteur = config.emetteur.value_or(c.id_client);
    if (auto emetteur_node = m.Node("emetteur", false)) {
      if (auto v = ReadBcr(*emetteur_node, path + ".emetteur")) c.emetteur = *v;
    }
    if (auto contrat_node = m.Node("id_contrat", true)) {
      if (auto v = file_.AsString(*contrat_node, path + ".id_contrat")) {
        std::size_t n = Utf8Length(*v);
        if (n < 1 || n > 20) {
          file_.Report(*contrat_node, path + ".id_contrat: idContrat has 1 to 20 characters, " +
                                          Excerpt(*v) + " has " + std::to_string(n));
        }
        c.id_contrat = *v;
      }
    }
    if (auto corrections = m.Node("corrections", false)) {
      if (auto v = file_.AsString(*corrections, path + ".corrections")) {
        if (*v == "auto") {
          c.auto_corrections = true;
          if (version_ != mappings::SchemaVersion::k115) {
            file_.Report(*corrections, path +
                                           ".corrections: auto needs schema_version 1.1.5 (a "
                                           "correction is a SUPPRESSION, then a CREATION)");
          }
        } else if (*v != "manual") {
          file_.Report(*corrections, path +
                                         ".corrections: \"manual\" (the default) or \"auto\", "
                                         "not " +
                                         Excerpt(*v));
        }
      }
    }
    if (auto list = m.Node("mappings", true)) {
      if (!list->IsSequence() || list->size() == 0) {
        file_.Report(*list, path + ".mappings: expected a list of mapping files");
      } else {
        for (const auto& item : *list) {
          auto mapping_path = file_.AsString(item, path + ".mappings");
          if (!mapping_path) continue;
          std::string resolved = Resolve(base_, *mapping_path);
          Diagnostics mapping_diagnostics;
          auto mapping = mappings::LoadMapping(resolved, version_, mapping_diagnostics);
          if (!mapping && mapping_diagnostics.size() == 1 &&
              mapping_diagnostics[0].location.line == 0) {
            // The file itself could not be opened: say so where it is named.
            file_.Report(item, path + ".mappings: " + mapping_diagnostics[0].message + ": " +
                                   Shown(resolved));
            continue;
          }
          diagnostics_.insert(diagnostics_.end(), mapping_diagnostics.begin(),
                              mapping_diagnostics.end());
          if (!mapping) continue;
          if (!mapping->source.empty() && !config.sources.contains(mapping->source)) {
            std::string known;
            for (const auto& [source_name, unused] : config.sources) {
              known += known.empty() ? source_name : ", " + source_name;
            }
            file_.Report(mapping->source_location,
                         "source " + Excerpt(mapping->source) + " is not defined in " +
                             file_.file() +
                             (known.empty() ? std::string() : " (defined: " + known + ")"));
          }
          c.mappings.push_back(std::move(*mapping));
        }
      }
    }
    if (auto list = m.Node("alerts", false)) ReadRecipients(*list, path + ".alerts", config, c);
    m.Finish();
    return c;
  }

  // certifiers.NAME.alerts: [{email: ADDRESS | webhook: NAME, severity: info | urgent}, ...]
  void ReadRecipients(const YAML::Node& list, const std::string& path, const Config& config,
                      CertifierConfig& c) {
    if (!list.IsSequence()) {
      file_.Report(list, path + ": expected a list of {email: ADDRESS} or {webhook: NAME}");
      return;
    }
    for (const YAML::Node& item : list) {
      yaml::MapReader r(file_, item, path);
      if (!r.valid()) continue;
      AlertRecipient recipient;
      recipient.location = file_.Where(item);
      auto email = r.String("email", false);
      auto webhook = r.String("webhook", false);
      if (auto v = r.String("severity", false)) {
        if (*v == "info") {
          recipient.severity = Severity::kInfo;
        } else if (*v == "urgent") {
          recipient.severity = Severity::kUrgent;
        } else {
          file_.Report(*r.Node("severity", false),
                       path +
                           ".severity: expected \"info\" (every message) or \"urgent\" "
                           "(only messages with something urgent), found " +
                           Excerpt(*v));
        }
      }
      r.Finish();
      if (email.has_value() == webhook.has_value()) {
        file_.Report(item, path + ": give exactly one of email: ADDRESS or webhook: NAME");
        continue;
      }
      if (email) {
        recipient.kind = AlertRecipient::Kind::kEmail;
        recipient.address = *email;
        if (!LooksLikeAddress(*email)) {
          file_.Report(*r.Node("email", false),
                       path + ".email: " + Excerpt(*email) + " is not an e-mail address");
          continue;
        }
        if (!config.alerts.email) {
          file_.Report(*r.Node("email", false),
                       path +
                           ".email: no e-mail server is configured; add alerts.email "
                           "(server, from) at the top level");
          continue;
        }
      } else {
        recipient.kind = AlertRecipient::Kind::kWebhook;
        recipient.address = *webhook;
        if (!config.alerts.webhooks.contains(*webhook)) {
          std::string known;
          for (const auto& [name, unused] : config.alerts.webhooks) {
            known += (known.empty() ? "" : ", ") + name;
          }
          file_.Report(*r.Node("webhook", false),
                       path + ".webhook: no webhook named " + Excerpt(*webhook) +
                           " in alerts.webhooks" +
                           (known.empty() ? std::string() : " (defined: " + known + ")"));
          continue;
        }
      }
      c.alerts.push_back(std::move(recipient));
    }
  }

  static bool LooksLikeAddress(const std::string& a) {
    const std::size_t at = a.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= a.size() ||
        a.find('@', at + 1) != std::string::npos) {
      return false;
    }
    for (char c : a) {
      const auto ch = static_cast<unsigned char>(c);
      if (ch <= ' ' || ch == '<' || ch == '>' || ch == ',' || ch == ';' || ch == '"' ||
          ch >= 0x7F) {
        return false;
      }
    }
    return a.find('.', at) != std::string::npos;
  }

  // alerts: the channels and the schedule, shared by every certifier.
  void ReadAlerts(const YAML::Node& node, AlertsConfig& alerts) {
    yaml::MapReader m(file_, node, "alerts");
    if (!m.valid()) return;
    if (auto email = m.Node("email", false)) {
      yaml::MapReader e(file_, *email, "alerts.email");
      if (e.valid()) {
        EmailChannelConfig channel;
        if (auto server = e.String("server", true)) {
          if (!server->starts_with("smtp://") && !server->starts_with("smtps://")) {
            file_.Report(*e.Node("server", true),
                         "alerts.email.server: expected smtp://HOST:PORT (STARTTLS, usually port "
                         "587) or smtps://HOST:PORT (TLS, usually 465), found " +
                             Excerpt(*server));
          }
          channel.smtp.url = *server;
        }
        if (auto from = e.String("from", true)) {
          if (!LooksLikeAddress(*from)) {
            file_.Report(*e.Node("from", true),
                         "alerts.email.from: " + Excerpt(*from) + " is not an e-mail address");
          }
          channel.smtp.from = *from;
        }
        if (auto v = e.Bool("starttls", false)) channel.smtp.require_tls = *v;
        if (auto v = e.String("username", false)) channel.smtp.username = *v;
        if (auto pw = e.Node("password", false)) {
          if (auto secret = ReadSecret(*pw, "alerts.email.password")) {
            channel.password_ref = std::move(secret->first);
            channel.smtp.password = std::move(secret->second);
          }
        }
        if (auto v = e.String("ca_file", false))
          channel.smtp.ca_file = ReadableFile(e, "ca_file", *v);
        if (auto v = e.DurationValue("timeout", false)) {
          channel.smtp.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*v);
        }
        e.Finish();
        if (channel.smtp.password && !channel.smtp.username) {
          file_.Report(*email, "alerts.email: a password without a username; add username");
        }
        alerts.email = std::move(channel);
      }
    }
    if (auto hooks = m.Node("webhooks", false)) {
      yaml::MapReader list(file_, *hooks, "alerts.webhooks");
      for (auto& [name, value] : list.Entries()) {
        const std::string path = "alerts.webhooks." + name;
        yaml::MapReader h(file_, value, path);
        if (!h.valid()) continue;
        WebhookConfig hook;
        hook.name = name;
        if (auto url = h.String("url", true)) {
          if (!url->starts_with("https://") && !url->starts_with("http://")) {
            file_.Report(*h.Node("url", true), path + ".url: expected https://... (or http://)");
          }
          hook.settings.url = *url;
        }
        if (auto v = h.String("format", false)) {
          if (*v == "json") {
            hook.format = WebhookConfig::Format::kJson;
          } else if (*v == "slack" || *v == "mattermost") {
            hook.format = WebhookConfig::Format::kSlack;
          } else {
            file_.Report(*h.Node("format", false),
                         path +
                             ".format: expected \"json\" (accrochd's payload) or \"slack\" "
                             "(Slack and Mattermost incoming webhooks), found " +
                             Excerpt(*v));
          }
        }
        if (auto headers = h.Node("headers", false)) {
          yaml::MapReader hr(file_, *headers, path + ".headers");
          for (auto& [header, header_value] : hr.Entries()) {
            auto text = file_.AsString(header_value, path + ".headers." + header);
            if (!text) continue;
            if (header.empty() || header.find_first_of(": \r\n") != std::string::npos ||
                text->find_first_of("\r\n") != std::string::npos) {
              file_.Report(header_value, path + ".headers." + header + ": not a valid HTTP header");
              continue;
            }
            hook.settings.headers[header] = *text;
          }
        }
        if (auto token = h.Node("token", false)) {
          if (auto secret = ReadSecret(*token, path + ".token")) {
            hook.token_ref = std::move(secret->first);
            hook.settings.bearer_token = std::move(secret->second);
          }
        }
        if (auto v = h.String("ca_file", false))
          hook.settings.ca_file = ReadableFile(h, "ca_file", *v);
        if (auto v = h.DurationValue("timeout", false)) {
          hook.settings.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*v);
        }
        h.Finish();
        alerts.webhooks.emplace(name, std::move(hook));
      }
    }
    if (auto v = m.String("daily_summary", false)) {
      if (*v == "off") {
        alerts.daily_summary_at.reset();
      } else if (v->size() == 5 && (*v)[2] == ':' &&
                 std::isdigit(static_cast<unsigned char>((*v)[0])) &&
                 std::isdigit(static_cast<unsigned char>((*v)[1])) &&
                 std::isdigit(static_cast<unsigned char>((*v)[3])) &&
                 std::isdigit(static_cast<unsigned char>((*v)[4])) &&
                 std::stoi(v->substr(0, 2)) < 24 && std::stoi(v->substr(3, 2)) < 60) {
        alerts.daily_summary_at = std::stoi(v->substr(0, 2)) * 60 + std::stoi(v->substr(3, 2));
      } else {
        file_.Report(*m.Node("daily_summary", false),
                     "alerts.daily_summary: expected a time \"HH:MM\" (in quotes) or \"off\", "
                     "found " +
                         Excerpt(*v));
      }
    }
    if (auto v = m.DurationValue("receipt_after", false)) alerts.receipt_after = *v;
    if (auto retry = m.Node("retry", false)) {
      yaml::MapReader r(file_, *retry, "alerts.retry");
      if (auto v = r.DurationValue("initial_delay", false)) alerts.retry.initial_delay = *v;
      if (auto v = r.DurationValue("max_delay", false)) alerts.retry.max_delay = *v;
      if (auto v = r.DurationValue("give_up_after", false)) alerts.give_up_after = *v;
      r.Finish();
    }
    if (auto v = m.Int("list_limit", false, 1, 100'000))
      alerts.list_limit = static_cast<std::size_t>(*v);
    m.Finish();
  }

  void ReadMonitoring(const YAML::Node& node, MonitoringConfig& monitoring) {
    yaml::MapReader m(file_, node, "monitoring");
    if (!m.valid()) return;
    monitoring.metrics_file = FileToWrite(m, "metrics_file");
    monitoring.report_file = FileToWrite(m, "report_file");
    if (monitoring.metrics_file && monitoring.metrics_file == monitoring.report_file) {
      file_.Report(*m.Node("report_file", false),
                   "monitoring.report_file: the same file as monitoring.metrics_file; give each "
                   "its own");
      monitoring.report_file.reset();
    }
    m.Finish();
  }

  // A file accrochd replaces after each cycle: its directory must exist (accrochd makes no
  // directory outside its state), and the path must not be a directory.
  std::optional<std::string> FileToWrite(yaml::MapReader& m, std::string_view key) {
    auto value = m.String(key, false);
    if (!value) return std::nullopt;
    const std::string where = m.path() + "." + std::string(key);
    const YAML::Node node = *m.Node(key, false);
    if (value->empty() || value->back() == '/') {
      file_.Report(node, where + ": expected the path of a file, found " + Excerpt(*value));
      return std::nullopt;
    }
    const std::string path = Resolve(base_, *value);
    const std::string directory = fs::path(path).parent_path().string();
    std::error_code ec;
    if (!fs::is_directory(directory, ec)) {
      file_.Report(node, where + ": the directory " + Shown(directory) +
                             " does not exist; create it (writable by accrochd's user) or "
                             "choose another");
      return std::nullopt;
    }
    if (fs::is_directory(path, ec)) {
      file_.Report(node, where + ": " + Shown(path) + " is a directory; give a file name");
      return std::nullopt;
    }
    return path;
  }

  std::optional<std::string> ReadableFile(yaml::MapReader& m, std::string_view key,
                                          const std::string& value) {
    const std::string path = Resolve(base_, value);
    std::ifstream in(path);
    if (!in) {
      file_.Report(*m.Node(key, false),
                   m.path() + "." + std::string(key) + ": cannot read " + Shown(path));
      return std::nullopt;
    }
    return path;
  }

  // A BCR (idClient): exactly 8 characters (dictionary 2.1 and 3.1).
  std::optional<std::string> ReadBcr(const YAML::Node& node, const std::string& path) {
    auto v = file_.AsString(node, path);
    if (!v) return std::nullopt;
    if (Utf8Length(*v) != mappings::kIdClientLength) {
      file_.Report(node, path + ": a BCR (idClient) has exactly 8 characters, " + Excerpt(*v) +
                             " has " + std::to_string(Utf8Length(*v)));
      return std::nullopt;
    }
    return v;
  }

  void ReadDeposit(const YAML::Node& node, DepositConfig& d) {
    yaml::MapReader m(file_, node, "deposit");
    if (!m.valid()) return;
    if (auto v = m.String("schema", false)) {
      d.schema_file = Resolve(base_, *v);
      struct stat st {};
      if (::stat(d.schema_file->c_str(), &st) != 0) {
        file_.Report(
            *m.Node("schema", false),
            "deposit.schema: cannot read " + Shown(*d.schema_file) + ": " + std::strerror(errno));
      }
    }
    if (auto v = m.Int("max_passages_per_file", false, 1, 1'000'000)) {
      d.max_passages = static_cast<std::uint64_t>(*v);
    }
    if (auto n = m.Node("max_file_size", false)) {
      if (auto text = file_.AsString(*n, "deposit.max_file_size")) {
        auto size = ParseSize(*text);
        if (!size) {
          file_.Report(*n, "deposit.max_file_size: " + size.error().message());
        } else if (*size > 200'000'000) {
          file_.Report(*n, "deposit.max_file_size: the CDC refuses files over 200 MB");
        } else if (*size < 10'000) {
          file_.Report(*n, "deposit.max_file_size: at least 10kB");
        } else {
          d.max_bytes = *size;
        }
      }
    }
    if (auto n = m.Node("archive_retention", false)) {
      if (auto text = file_.AsString(*n, "deposit.archive_retention")) {
        if (*text != "forever") {
          if (auto v = file_.AsDuration(*n, "deposit.archive_retention")) d.retention = *v;
        }
      }
    }
    if (auto v = m.DurationValue("every", false)) {
      if (*v < std::chrono::minutes(1)) {
        file_.Report(*m.Node("every", false), "deposit.every: at least 1min");
      } else {
        d.every = *v;
      }
    }
    if (auto n = m.Node("group", false)) {
      if (auto text = file_.AsString(*n, "deposit.group")) {
        struct group* g = ::getgrnam(text->c_str());
        if (g == nullptr) {
          file_.Report(*n, "deposit.group: no group named " + Excerpt(*text) + " on this system");
        } else {
          d.group = *text;
          d.gid = g->gr_gid;
        }
      }
    }
    const std::optional<YAML::Node> on_publish = m.Node("on_publish", false);
    if (on_publish) d.on_publish = ReadHookCommand(*on_publish);
    if (auto n = m.Node("hook", false)) {
      HookConfig settings;
      ReadHookSettings(*n, settings);
      if (!on_publish) {
        file_.Report(*n,
                     "deposit.hook: sets how deposit.on_publish runs, and deposit.on_publish "
                     "is not set; add it (the program and its arguments) or remove hook");
      } else if (d.on_publish) {
        settings.command = std::move(d.on_publish->command);
        settings.location = d.on_publish->location;
        d.on_publish = std::move(settings);
      }
    }
    m.Finish();
  }

  // deposit.on_publish: [program, arguments...]. The program is run as it is written, without a
  // shell and without a PATH search, so it must be an absolute path: what runs is then the very
  // file this check (and `accrochd check`) looked at, whatever the daemon's PATH and directory.
  std::optional<HookConfig> ReadHookCommand(const YAML::Node& node) {
    const std::string path = "deposit.on_publish";
    if (!node.IsSequence() || node.size() == 0) {
      file_.Report(node, path +
                             ": expected a list, the program then its arguments, e.g. "
                             "[/usr/local/bin/deposer-cdc, --profil, production] (no shell runs "
                             "it: write each argument as an item)");
      return std::nullopt;
    }
    HookConfig hook;
    hook.location = file_.Where(node);
    bool complete = true;
    for (const YAML::Node& item : node) {
      auto v = file_.AsString(item, path);
      if (!v) {
        complete = false;
        continue;
      }
      hook.command.push_back(*v);
    }
    if (!complete) return std::nullopt;
    const std::string& program = hook.command.front();
    if (program.empty() || program[0] != '/') {
      file_.Report(node[0], path + ": the program must be an absolute path, found " +
                                Excerpt(program) +
                                " (accrochd runs it without a shell and without searching PATH, "
                                "so that what runs is the file accrochd check checked)");
      return std::nullopt;
    }
    if (auto r = CheckProgram(program); !r) {
      file_.Report(node[0], path + ": " + r.error().message());
      return std::nullopt;
    }
    return hook;
  }

  void ReadHookSettings(const YAML::Node& node, HookConfig& hook) {
    yaml::MapReader m(file_, node, "deposit.hook");
    if (!m.valid()) return;
    if (auto v = m.DurationValue("timeout", false)) {
      if (*v < std::chrono::seconds(1) || *v > std::chrono::hours(24)) {
        file_.Report(*m.Node("timeout", false), "deposit.hook.timeout: from 1s to 1d");
      } else {
        hook.timeout = *v;
      }
    }
    if (auto v = m.Bool("mark_uploaded", false)) hook.mark_uploaded = *v;
    if (auto v = m.Int("alert_after", false, 1, 1000)) hook.alert_after = static_cast<int>(*v);
    if (auto v = m.DurationValue("retry_max_delay", false)) {
      if (*v < std::chrono::minutes(1)) {
        file_.Report(*m.Node("retry_max_delay", false),
                     "deposit.hook.retry_max_delay: at least 1min");
      } else {
        hook.retry_max_delay = *v;
      }
    }
    m.Finish();
  }

  void ReadDeadlines(const YAML::Node& node, UrgencyThresholds& t) {
    yaml::MapReader m(file_, node, "deadlines");
    if (!m.valid()) return;
    if (auto n = m.Node("thresholds", false)) {
      if (!n->IsSequence() || n->size() == 0) {
        file_.Report(*n, "deadlines.thresholds: expected a list of days, e.g. [30, 14, 7, 1]");
      } else {
        std::vector<int> days;
        for (const YAML::Node& item : *n) {
          if (auto d = file_.AsInt(item, "deadlines.thresholds", 0, 92)) {
            if (std::find(days.begin(), days.end(), static_cast<int>(*d)) != days.end()) {
              file_.Report(item,
                           "deadlines.thresholds: " + std::to_string(*d) + " is listed twice");
            }
            days.push_back(static_cast<int>(*d));
          }
        }
        std::sort(days.rbegin(), days.rend());
        t.days = days;
      }
    }
    if (auto v = m.Int("urgent", false, 0, 92)) t.urgent = static_cast<int>(*v);
    m.Finish();
  }

  bool CheckTimeZone(const YAML::Node& node, const std::string& path, const std::string& name) {
    auto tz = TimeZone::Named(name);
    if (!tz) file_.Report(node, path + ": " + tz.error().message());
    return tz.has_value();
  }

  const Environment& env_;
  Diagnostics& diagnostics_;
  mappings::SchemaVersion version_ = mappings::SchemaVersion::k115;
  yaml::FileReader file_;
  fs::path base_;
};

void EmitDuration(YAML::Emitter& out, const char* key, Duration d) {
  out << YAML::Key << key << YAML::Value << FormatDuration(d);
}

}  // namespace

Environment Environment::FromProcess() {
  Environment env;
  env.credentials_directory = GetEnv("CREDENTIALS_DIRECTORY");
  // systemd may list several directories separated by ':'; ours is the first.
  if (auto dirs = GetEnv("STATE_DIRECTORY")) env.state_directory = dirs->substr(0, dirs->find(':'));
  if (auto dirs = GetEnv("CONFIGURATION_DIRECTORY")) {
    env.configuration_directory = dirs->substr(0, dirs->find(':'));
  }
  return env;
}

std::string DefaultConfigPath(const Environment& env) {
  if (env.configuration_directory) {
    return (fs::path(*env.configuration_directory) / "accrochd.yaml").string();
  }
  return "/etc/accrochd/accrochd.yaml";
}

std::expected<Config, Diagnostics> LoadConfig(const std::string& path, const Environment& env) {
  Diagnostics diagnostics;
  Loader loader(path, env, diagnostics);
  std::optional<Config> config = loader.Load();
  if (!config) return std::unexpected(std::move(diagnostics));
  return std::move(*config);
}

std::expected<std::vector<std::string>, Diagnostics> ListMappingNames(const std::string& path) {
  Diagnostics diagnostics;
  yaml::FileReader file(fs::absolute(path).lexically_normal().string(), diagnostics);
  auto root = yaml::LoadFile(file.file(), diagnostics);
  if (!root) return std::unexpected(std::move(diagnostics));
  std::vector<std::string> names;
  // A missing key of a const node is an invalid node, which only IsDefined() may be asked about.
  auto child = [](const YAML::Node& node, const char* key) {
    return node.IsMap() ? node[key] : YAML::Node();
  };
  const YAML::Node certifiers = child(*root, "certifiers");
  if (!certifiers.IsDefined() || !certifiers.IsMap()) {
    file.Report(*root, "certifiers: expected a mapping of certifiers, each with its mappings");
    return std::unexpected(std::move(diagnostics));
  }
  for (const auto& certifier : certifiers) {
    const YAML::Node list = child(certifier.second, "mappings");
    if (!list.IsDefined() || !list.IsSequence()) continue;
    for (const YAML::Node& item : list) {
      if (!item.IsScalar()) continue;
      // A path that is not UTF-8 text is reported, as LoadConfig would, never printed.
      auto mapping_path =
          file.AsString(item, "certifiers." + certifier.first.Scalar() + ".mappings");
      if (!mapping_path) continue;
      // The name LoadMapping gives a mapping: its file's name without the extension.
      std::string name = fs::path(*mapping_path).stem().string();
      if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(std::move(name));
      }
    }
  }
  if (!diagnostics.empty()) return std::unexpected(std::move(diagnostics));
  return names;
}

std::string PrintConfig(const Config& config) {
  YAML::Emitter out;
  out << YAML::Comment("effective configuration from " + config.file);
  out << YAML::BeginMap;
  out << YAML::Key << "schema_version" << YAML::Value << YAML::DoubleQuoted
      << std::string(mappings::SchemaVersionName(config.schema_version));
  out << YAML::Key << "timezone" << YAML::Value << config.timezone;
  out << YAML::Key << "state_directory" << YAML::Value << config.state_directory;
  out << YAML::Key << "templates" << YAML::Value << config.templates_directory;
  if (config.emetteur) {
    out << YAML::Key << "emetteur" << YAML::Value << YAML::DoubleQuoted << *config.emetteur;
  }
  out << YAML::Key << "deposit" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "schema" << YAML::Value
      << config.deposit.schema_file.value_or("(accrochd's own, from its dictionary)");
  out << YAML::Key << "max_passages_per_file" << YAML::Value << config.deposit.max_passages;
  out << YAML::Key << "max_file_size" << YAML::Value << FormatSizeExact(config.deposit.max_bytes);
  out << YAML::Key << "archive_retention" << YAML::Value
      << (config.deposit.retention ? FormatDuration(*config.deposit.retention)
                                   : std::string("forever"));
  if (config.deposit.group) out << YAML::Key << "group" << YAML::Value << *config.deposit.group;
  EmitDuration(out, "every", config.deposit.every);
  if (const auto& hook = config.deposit.on_publish) {
    out << YAML::Key << "on_publish" << YAML::Value << YAML::Flow << hook->command;
    out << YAML::Key << "hook" << YAML::Value << YAML::BeginMap;
    EmitDuration(out, "timeout", hook->timeout);
    out << YAML::Key << "mark_uploaded" << YAML::Value << hook->mark_uploaded;
    out << YAML::Key << "alert_after" << YAML::Value << hook->alert_after;
    EmitDuration(out, "retry_max_delay", hook->retry_max_delay);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "run" << YAML::Value << YAML::BeginMap;
  EmitDuration(out, "interval", config.run.interval);
  out << YAML::EndMap;
  out << YAML::Key << "deadlines" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "thresholds" << YAML::Value << YAML::Flow << config.deadlines.days;
  out << YAML::Key << "urgent" << YAML::Value << config.deadlines.urgent;
  out << YAML::EndMap;
  auto emit_secret = [&out](const char* key, const std::optional<SecretRef>& ref) {
    if (!ref) return;
    out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << (ref->kind == SecretRef::Kind::kCredential ? "credential" : "file")
        << YAML::Value << ref->name << YAML::EndMap;
  };
  out << YAML::Key << "alerts" << YAML::Value << YAML::BeginMap;
  if (config.alerts.email) {
    const EmailChannelConfig& e = *config.alerts.email;
    out << YAML::Key << "email" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "server" << YAML::Value << e.smtp.url;
    out << YAML::Key << "from" << YAML::Value << e.smtp.from;
    out << YAML::Key << "starttls" << YAML::Value << e.smtp.require_tls;
    if (e.smtp.username) out << YAML::Key << "username" << YAML::Value << *e.smtp.username;
    emit_secret("password", e.password_ref);
    if (e.smtp.ca_file) out << YAML::Key << "ca_file" << YAML::Value << *e.smtp.ca_file;
    EmitDuration(out, "timeout", e.smtp.timeout);
    out << YAML::EndMap;
  }
  if (!config.alerts.webhooks.empty()) {
    out << YAML::Key << "webhooks" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, w] : config.alerts.webhooks) {
      out << YAML::Key << name << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "url" << YAML::Value << w.settings.url;
      out << YAML::Key << "format" << YAML::Value
          << (w.format == WebhookConfig::Format::kSlack ? "slack" : "json");
      if (!w.settings.headers.empty()) {
        out << YAML::Key << "headers" << YAML::Value << w.settings.headers;
      }
      emit_secret("token", w.token_ref);
      if (w.settings.ca_file) out << YAML::Key << "ca_file" << YAML::Value << *w.settings.ca_file;
      EmitDuration(out, "timeout", w.settings.timeout);
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  if (config.alerts.daily_summary_at) {
    char at[32];
    std::snprintf(at, sizeof(at), "%02d:%02d", *config.alerts.daily_summary_at / 60,
                  *config.alerts.daily_summary_at % 60);
    out << YAML::Key << "daily_summary" << YAML::Value << YAML::DoubleQuoted << at;
  } else {
    out << YAML::Key << "daily_summary" << YAML::Value << "off";
  }
  EmitDuration(out, "receipt_after", config.alerts.receipt_after);
  out << YAML::Key << "retry" << YAML::Value << YAML::BeginMap;
  EmitDuration(out, "initial_delay", config.alerts.retry.initial_delay);
  EmitDuration(out, "max_delay", config.alerts.retry.max_delay);
  EmitDuration(out, "give_up_after", config.alerts.give_up_after);
  out << YAML::EndMap;
  out << YAML::Key << "list_limit" << YAML::Value << config.alerts.list_limit;
  out << YAML::EndMap;
  if (config.monitoring.metrics_file || config.monitoring.report_file) {
    out << YAML::Key << "monitoring" << YAML::Value << YAML::BeginMap;
    if (config.monitoring.metrics_file) {
      out << YAML::Key << "metrics_file" << YAML::Value << *config.monitoring.metrics_file;
    }
    if (config.monitoring.report_file) {
      out << YAML::Key << "report_file" << YAML::Value << *config.monitoring.report_file;
    }
    out << YAML::EndMap;
  }
  out << YAML::Key << "sources" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, s] : config.sources) {
    out << YAML::Key << name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "connection" << YAML::Value << source::Redact(s.connection);
    if (s.password_ref) {
      out << YAML::Key << "password" << YAML::Value << YAML::Flow << YAML::BeginMap;
      out << YAML::Key
          << (s.password_ref->kind == SecretRef::Kind::kCredential ? "credential" : "file")
          << YAML::Value << s.password_ref->name << YAML::EndMap;
    }
    out << YAML::Key << "fetch_size" << YAML::Value << s.fetch_size;
    EmitDuration(out, "query_timeout", s.query_timeout);
    out << YAML::Key << "retry" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "attempts" << YAML::Value << s.retry.max_attempts;
    EmitDuration(out, "initial_delay", s.retry.initial_delay);
    EmitDuration(out, "max_delay", s.retry.max_delay);
    out << YAML::EndMap;
    out << YAML::Key << "page_syntax" << YAML::Value
        << (s.page_syntax == source::PageSyntax::kLimit ? "limit" : "offset_fetch");
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "certifiers" << YAML::Value << YAML::BeginMap;
  for (const CertifierConfig& c : config.certifiers) {
    out << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "timezone" << YAML::Value << c.timezone;
    out << YAML::Key << "id_client" << YAML::Value << YAML::DoubleQuoted << c.id_client;
    out << YAML::Key << "emetteur" << YAML::Value << YAML::DoubleQuoted << c.emetteur;
    out << YAML::Key << "id_contrat" << YAML::Value << YAML::DoubleQuoted << c.id_contrat;
    out << YAML::Key << "corrections" << YAML::Value << (c.auto_corrections ? "auto" : "manual");
    out << YAML::Key << "mappings" << YAML::Value << YAML::BeginSeq;
    for (const mappings::Mapping& m : c.mappings) out << m.file;
    out << YAML::EndSeq;
    if (!c.alerts.empty()) {
      out << YAML::Key << "alerts" << YAML::Value << YAML::BeginSeq;
      for (const AlertRecipient& r : c.alerts) {
        out << YAML::Flow << YAML::BeginMap << YAML::Key
            << (r.kind == AlertRecipient::Kind::kEmail ? "email" : "webhook") << YAML::Value
            << r.address << YAML::Key << "severity" << YAML::Value
            << (r.severity == Severity::kUrgent ? "urgent" : "info") << YAML::EndMap;
      }
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace accrochd::daemon
