// accrochd.yaml: the daemon's configuration, loaded strictly (every key known, every value
// typed, every problem reported with file:line:col) into an immutable Config.
//
// The full reference is accrochd.yaml(5) and etc/accrochd.yaml.example.
#ifndef ACCROCHD_DAEMON_CONFIG_H_
#define ACCROCHD_DAEMON_CONFIG_H_

#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/alert/channel.h"
#include "core/deadline.h"
#include "core/diagnostic.h"
#include "core/duration.h"
#include "core/retry.h"
#include "core/sql_text.h"
#include "mappings/dictionary.h"
#include "mappings/mapping.h"
#include "templates/renderer.h"

namespace accrochd::daemon {

// Where a secret comes from. Secrets are never written in accrochd.yaml itself.
struct SecretRef {
  enum class Kind { kCredential, kFile };
  Kind kind = Kind::kFile;
  std::string name;  // credential name, or file path as written
  std::string path;  // the file actually read
};

struct SourceConfig {
  std::string name;
  Location location;
  std::string connection;  // without the password
  std::optional<SecretRef> password_ref;
  std::optional<std::string> password;  // the secret itself, read at load time
  std::size_t fetch_size = 1000;
  Duration query_timeout = std::chrono::minutes(5);
  RetryPolicy retry;
  source::PageSyntax page_syntax = source::PageSyntax::kLimit;
};

// The upload hook (deposit.on_publish): a program run once per published file, until it exits
// 0, with the file's facts in its environment (daemon/upload_hook.h).
struct HookConfig {
  std::vector<std::string> command;  // the program (an absolute path), then its arguments
  Location location;
  Duration timeout = std::chrono::minutes(10);  // then SIGTERM to its group, SIGKILL 10s later
  bool mark_uploaded = false;  // exit 0 marks the file uploaded, as deposits mark-uploaded does
  int alert_after = 3;         // failed runs of one file before it is alerted (once)
  // A failed run is retried after run.interval, doubling each time, up to this.
  Duration retry_max_delay = std::chrono::hours(6);
};

// Where and how deposit files are written.
struct DepositConfig {
  std::optional<std::string> schema_file;  // the official XSD; none: accrochd's own
  std::uint64_t max_passages = 50'000;     // per file
  std::uint64_t max_bytes = 100'000'000;   // per file; the CDC refuses files over 200 MB
  std::optional<Duration> retention;       // of the archive; none: kept for ever
  std::optional<std::string> group;        // granted read access to outbox and archive
  std::optional<unsigned> gid;
  // The planner (accrochd run): a deposit is cut when something is pending and the last one is
  // at least `every` old, and at once when a pending passage is urgent.
  Duration every = std::chrono::hours(24);
  std::optional<HookConfig> on_publish;  // none: files are uploaded by hand
};

// accrochd run's loop.
struct RunConfig {
  Duration interval = std::chrono::minutes(15);  // between two reads of the sources
};

// Alerts (accrochd run): French digests before deadlines, by e-mail and webhook; the journal
// always gets a line.
enum class Severity {
  kInfo,    // every digest and the daily summary
  kUrgent,  // only messages with something urgent: overdue, within deadlines.urgent, rejected
};

struct AlertRecipient {
  enum class Kind { kEmail, kWebhook };
  Kind kind = Kind::kEmail;
  std::string address;  // an e-mail address, or the name of a webhook of alerts.webhooks
  Severity severity = Severity::kInfo;
  Location location;
};

struct EmailChannelConfig {
  alert::SmtpSettings smtp;
  std::optional<SecretRef> password_ref;
};

struct WebhookConfig {
  enum class Format { kJson, kSlack };  // accrochd's documented payload, or {"text": ...}
  std::string name;
  Format format = Format::kJson;
  alert::WebhookSettings settings;
  std::optional<SecretRef> token_ref;
};

struct AlertsConfig {
  std::optional<EmailChannelConfig> email;
  std::map<std::string, WebhookConfig> webhooks;
  // The daily summary, at this local time of each certifier (minutes after midnight); none: off.
  std::optional<int> daily_summary_at = 8 * 60;
  // A deposit uploaded this long ago without its accusé de traitement is reported.
  Duration receipt_after = std::chrono::hours(24 * 7);
  // Sending again after "retry later": doubling from initial_delay up to max_delay (max_attempts
  // is not used), until the message is give_up_after old; then it is given up and logged.
  RetryPolicy retry{std::chrono::minutes(1), std::chrono::hours(1), 0};
  Duration give_up_after = std::chrono::hours(24 * 7);
  std::size_t list_limit = 50;  // lines per section of a message; the rest is counted
};

// Files written after each cycle (accrochd run and once), for the site's monitoring and for the
// certification staff; each off unless configured. Identifiers and counts only.
struct MonitoringConfig {
  std::optional<std::string> metrics_file;  // Prometheus text exposition format (absolute path)
  std::optional<std::string> report_file;   // the HTML report of `status --html` (absolute path)
};

struct CertifierConfig {
  std::string name;
  Location location;
  std::string emetteur;    // BCR of the depositor (2.1): this certifier's unless configured
  std::string timezone;    // the certifier's time zone: its "today" and its deadlines
  std::string id_client;   // BCR of the certifier (dictionary 3.1), 8 characters
  std::string id_contrat;  // contract with the CDC (dictionary 3.2), 1 to 20 characters
  std::vector<mappings::Mapping> mappings;
  std::vector<AlertRecipient> alerts;  // who hears about this certifier's deadlines
  // corrections: auto -- an accepted passage changed in the source is corrected without an
  // operator (a SUPPRESSION, then a CREATION; schema 1.1.5). Default: manual (passages correct).
  bool auto_corrections = false;
};

struct Config {
  std::string file;             // absolute path of accrochd.yaml
  std::string state_directory;  // absolute
  mappings::SchemaVersion schema_version = mappings::SchemaVersion::k115;
  std::string timezone = "Europe/Paris";  // default of the certifiers' time zones
  std::optional<std::string> emetteur;    // a tiers de confiance's BCR, depositing for all
  DepositConfig deposit;
  RunConfig run;
  UrgencyThresholds deadlines;  // thresholds of the alerts and the urgent threshold
  AlertsConfig alerts;
  MonitoringConfig monitoring;
  std::string templates_directory;  // overrides of the built-in templates (may not exist)
  std::shared_ptr<const Templates> templates;
  std::map<std::string, SourceConfig> sources;
  std::vector<CertifierConfig> certifiers;
};

// The process environment a configuration depends on, passed in so tests control it.
struct Environment {
  std::optional<std::string> credentials_directory;    // $CREDENTIALS_DIRECTORY
  std::optional<std::string> state_directory;          // $STATE_DIRECTORY
  std::optional<std::string> configuration_directory;  // $CONFIGURATION_DIRECTORY

  static Environment FromProcess();
};

// Loads `path` and every mapping it names. On failure returns all the problems found.
std::expected<Config, Diagnostics> LoadConfig(const std::string& path, const Environment& env);

// The names of the mappings `path` lists (certifiers.*.mappings: each file's name without
// .yaml, as LoadConfig names them), in order and once each. Reads that file only: neither the
// mapping files nor any secret, so that it works from a shell without the service's credentials
// (`accrochd check --list-mappings`, for shell completion). Checks nothing else.
std::expected<std::vector<std::string>, Diagnostics> ListMappingNames(const std::string& path);

// The effective configuration as YAML, defaults filled in, secrets shown only by reference and
// connection strings redacted (for `accrochd check --print-config`).
std::string PrintConfig(const Config& config);

// The configuration file used when none is given: $CONFIGURATION_DIRECTORY/accrochd.yaml under
// systemd, /etc/accrochd/accrochd.yaml otherwise.
std::string DefaultConfigPath(const Environment& env);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_CONFIG_H_
