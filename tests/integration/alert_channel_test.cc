// The alert channels against real servers that each test starts and stops itself: an aiosmtpd
// SMTP server (tests/support/smtp_server.py) with STARTTLS, TLS from the start, AUTH or forced
// replies, and a webhook receiver on Python's http.server (tests/support/http_receiver.py), both
// on 127.0.0.1 on ports the kernel chose, with a self-signed certificate made by the openssl CLI
// for the run. Nothing is mocked: what the servers received is read back from disk, the e-mails
// as raw bytes and as Python's email package decodes them -- a MIME reader that is not ours.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/alert/channel.h"
#include "tests/support/alert_servers.h"
#include "tests/support/run_binary.h"

extern char** environ;

namespace accrochd::alert {
namespace {

using testing::FieldValues;
using testing::LocalPort;
using testing::ReadFieldLines;
using testing::ReadWholeFile;
using testing::RecordedEntries;
using testing::ServerProcess;
using testing::Tls;

namespace fs = std::filesystem;
using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using Kind = DeliveryOutcome::Kind;
using std::chrono::milliseconds;

constexpr const char* kPassword = "S3cret-mot-de-passe";
constexpr const char* kToken = "tok-7f3a9c2e51b84d06";

std::string One(const std::multimap<std::string, std::string>& fields, const std::string& key) {
  auto it = fields.find(key);
  return it == fields.end() ? "<absent>" : it->second;
}

std::string LfLines(std::string s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
    out += s[i];
  }
  return out;
}

struct ReceivedMail {
  std::string raw;
  std::multimap<std::string, std::string> envelope;
  std::multimap<std::string, std::string> decoded;  // by Python's email package
  std::vector<std::string> parts;                   // decoded leaf parts, in order
};

struct ReceivedRequest {
  std::multimap<std::string, std::string> head;  // method, path, header
  std::string body;
};

class AlertChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The servers are on 127.0.0.1: a proxy from the environment would stand in between.
    for (const char* name :
         {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
      unsetenv(name);
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "-" + info->name();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ = testing::MakeTempDir("alert-" + name + "-" + std::to_string(getpid()));
  }

  // smtp_server.py with `options`, recording into dir_/mail.
  std::unique_ptr<ServerProcess> StartSmtp(std::vector<std::string> options) {
    std::vector<std::string> argv = {ACCROCHD_PYTHON3, ACCROCHD_SMTP_SERVER, "--dir",
                                     dir_ + "/mail"};
    argv.insert(argv.end(), options.begin(), options.end());
    return std::make_unique<ServerProcess>(argv, dir_ + "/smtp_server.log");
  }

  // http_receiver.py with `options`, recording into dir_/http.
  std::unique_ptr<ServerProcess> StartHttp(std::vector<std::string> options) {
    std::vector<std::string> argv = {ACCROCHD_PYTHON3, ACCROCHD_HTTP_RECEIVER, "--dir",
                                     dir_ + "/http"};
    argv.insert(argv.end(), options.begin(), options.end());
    return std::make_unique<ServerProcess>(argv, dir_ + "/http_receiver.log");
  }

  std::vector<ReceivedMail> Mails() const {
    std::vector<ReceivedMail> mails;
    for (const fs::path& dir : RecordedEntries(dir_ + "/mail", "message-")) {
      ReceivedMail mail{ReadWholeFile(dir / "raw.eml"),
                        ReadFieldLines(dir / "envelope.txt"),
                        ReadFieldLines(dir / "decoded.txt"),
                        {}};
      for (int n = 1; fs::exists(dir / ("part-" + std::to_string(n) + ".txt")); ++n) {
        mail.parts.push_back(ReadWholeFile(dir / ("part-" + std::to_string(n) + ".txt")));
      }
      mails.push_back(std::move(mail));
    }
    return mails;
  }

  std::vector<ReceivedRequest> Requests() const {
    std::vector<ReceivedRequest> requests;
    for (const fs::path& dir : RecordedEntries(dir_ + "/http", "request-")) {
      requests.push_back({ReadFieldLines(dir / "head.txt"), ReadWholeFile(dir / "body")});
    }
    return requests;
  }

  std::string dir_;
};

// ---- E-mail ----

class AlertChannelEmailTest : public AlertChannelTest {
 protected:
  static SmtpSettings Smtp(int port, const std::string& scheme = "smtp") {
    SmtpSettings smtp;
    smtp.url = scheme + "://127.0.0.1:" + std::to_string(port);
    smtp.from = "accrochd <alertes@organisme.example>";
    smtp.ca_file = Tls(ACCROCHD_OPENSSL).cert;
    smtp.timeout = milliseconds(10000);
    return smtp;
  }

  static std::vector<std::string> StartTlsOptions() {
    return {"--starttls", Tls(ACCROCHD_OPENSSL).cert, Tls(ACCROCHD_OPENSSL).key};
  }

  static EmailMessage FrenchAlert() {
    EmailMessage m;
    m.to = {"responsable@organisme.example", "Direction <direction@organisme.example>"};
    // Longer than one encoded-word holds, with multi-byte characters around the cuts.
    m.subject = "Échéances dépassées : 3 passages à déposer avant le 15 mars — Œuvre Génial";
    m.text =
        "Bonjour,\n\nTrois passages n’ont pas été déposés à temps :\n"
        "- Léa Dupré (RNCP35185), échéance dépassée de 2 jours\n"
        ".\n"  // a lone dot: SMTP's end of data unless the client stuffs it
        "Cœur de métier : une ligne bien plus longue que les soixante-seize caractères qu’une "
        "ligne quoted-printable peut contenir, avec des accents éàèùç partout.\n";
    m.html =
        "<p>Trois passages n’ont pas été déposés à temps&nbsp;:</p>\n"
        "<ul><li>Léa Dupré — échéance dépassée</li></ul>\n";
    m.date = std::chrono::sys_days(std::chrono::year(2025) / 3 / 4) + std::chrono::hours(9) +
             std::chrono::minutes(5);
    return m;
  }
};

TEST_F(AlertChannelEmailTest, StartTlsWithAuthDeliversAReadableFrenchMessage) {
  auto server = StartSmtp({"--starttls", Tls(ACCROCHD_OPENSSL).cert, Tls(ACCROCHD_OPENSSL).key,
                           "--auth", std::string("alertes:") + kPassword});
  SmtpSettings smtp = Smtp(server->port());
  smtp.username = "alertes";
  smtp.password = kPassword;
  const EmailMessage message = FrenchAlert();

  const DeliveryOutcome outcome = SendEmail(smtp, message);

  ASSERT_EQ(outcome.kind, Kind::kDelivered) << outcome.detail << "\n" << server->Log();
  EXPECT_TRUE(outcome.delivered());
  EXPECT_THAT(outcome.detail, StartsWith("250"));
  EXPECT_THAT(outcome.detail, Not(HasSubstr(kPassword)));
  const auto mails = Mails();
  ASSERT_THAT(mails, SizeIs(1));
  const ReceivedMail& mail = mails[0];

  // The envelope: over TLS, authenticated, to both recipients.
  EXPECT_EQ(One(mail.envelope, "mail_from"), "alertes@organisme.example");
  EXPECT_THAT(FieldValues(mail.envelope, "rcpt_to"),
              ElementsAre("responsable@organisme.example", "direction@organisme.example"));
  EXPECT_EQ(One(mail.envelope, "tls"), "yes");
  EXPECT_EQ(One(mail.envelope, "login"), "alertes");

  // The raw message: 7-bit clean, the header fields as written.
  EXPECT_TRUE(std::all_of(mail.raw.begin(), mail.raw.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  })) << mail.raw;
  const std::string head = "\r\n" + mail.raw.substr(0, mail.raw.find("\r\n\r\n") + 2);
  EXPECT_THAT(head, HasSubstr("\r\nFrom: accrochd <alertes@organisme.example>\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nTo: responsable@organisme.example, "
                              "Direction <direction@organisme.example>\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nSubject: =?UTF-8?B?"));
  EXPECT_THAT(head, HasSubstr("\r\nDate: Tue, 04 Mar 2025 09:05:00 +0000\r\n"));
  EXPECT_THAT(head, ContainsRegex("\r\nMessage-ID: <[0-9a-f-]{36}@accrochd>\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nAuto-Submitted: auto-generated\r\n"));
  EXPECT_THAT(head, ContainsRegex("\r\nMime-Version: 1.0\r\n"));
  // The Subject folded into encoded-words, each line within RFC 5322's recommended 78
  // characters (std::getline leaves the CR).
  const std::size_t subject = head.find("\r\nSubject: ") + 2;
  const std::size_t subject_end = head.find("\r\nDate: ", subject);
  std::istringstream lines(head.substr(subject, subject_end - subject));
  int subject_lines = 0;
  for (std::string line; std::getline(lines, line); ++subject_lines) {
    EXPECT_LE(line.size(), 79u) << line;
    EXPECT_THAT(line, ContainsRegex("^(Subject:)? =\\?UTF-8\\?B\\?[A-Za-z0-9+/=]+\\?=\r?$"));
  }
  EXPECT_GE(subject_lines, 2);

  // As a mail reader sees it.
  EXPECT_EQ(One(mail.decoded, "subject"), message.subject);
  EXPECT_EQ(One(mail.decoded, "auto_submitted"), "auto-generated");
  EXPECT_EQ(One(mail.decoded, "structure"),
            "multipart/mixed multipart/alternative text/plain text/html");
  EXPECT_EQ(One(mail.decoded, "part-1"), "text/plain; utf-8; quoted-printable");
  EXPECT_EQ(One(mail.decoded, "part-2"), "text/html; utf-8; quoted-printable");
  ASSERT_THAT(mail.parts, SizeIs(2));
  EXPECT_EQ(LfLines(mail.parts[0]), message.text);
  EXPECT_EQ(LfLines(mail.parts[1]), message.html);
}

TEST_F(AlertChannelEmailTest, SmtpsIsTlsFromTheStart) {
  auto server = StartSmtp({"--tls", Tls(ACCROCHD_OPENSSL).cert, Tls(ACCROCHD_OPENSSL).key});
  const DeliveryOutcome outcome = SendEmail(Smtp(server->port(), "smtps"), FrenchAlert());

  ASSERT_EQ(outcome.kind, Kind::kDelivered) << outcome.detail << "\n" << server->Log();
  const auto mails = Mails();
  ASSERT_THAT(mails, SizeIs(1));
  EXPECT_EQ(One(mails[0].envelope, "tls"), "yes");
  EXPECT_EQ(One(mails[0].decoded, "subject"), FrenchAlert().subject);
}

TEST_F(AlertChannelEmailTest, RequiredTlsNotOfferedIsAPermanentFailureAndNothingIsSent) {
  auto server = StartSmtp({});  // no STARTTLS
  SmtpSettings smtp = Smtp(server->port());
  ASSERT_TRUE(smtp.require_tls);  // the default

  const DeliveryOutcome outcome = SendEmail(smtp, FrenchAlert());

  EXPECT_EQ(outcome.kind, Kind::kPermanentFailure) << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr("STARTTLS"));
  EXPECT_THAT(Mails(), IsEmpty());
}

TEST_F(AlertChannelEmailTest, PlainTextWhenTlsIsNotRequired) {
  auto server = StartSmtp({});
  SmtpSettings smtp = Smtp(server->port());
  smtp.require_tls = false;
  smtp.ca_file.reset();
  EmailMessage message = FrenchAlert();
  message.subject = "Plain ASCII subject";
  message.date.reset();  // the channel dates it itself

  const DeliveryOutcome outcome = SendEmail(smtp, message);

  ASSERT_EQ(outcome.kind, Kind::kDelivered) << outcome.detail << "\n" << server->Log();
  const auto mails = Mails();
  ASSERT_THAT(mails, SizeIs(1));
  EXPECT_EQ(One(mails[0].envelope, "tls"), "no");
  EXPECT_THAT(mails[0].raw, HasSubstr("\r\nSubject: Plain ASCII subject\r\n"));
  EXPECT_THAT(mails[0].raw,
              ContainsRegex("\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
                            "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20[0-9]{2} "
                            "[0-9]{2}:[0-9]{2}:[0-9]{2} \\+0000\r\n"));
  EXPECT_EQ(LfLines(mails[0].parts.at(0)), message.text);
}

// The full lists of a long alert: a text/plain attachment after the alternative, base64, its
// file name given, its content arriving byte for byte (tabs, long lines).
TEST_F(AlertChannelEmailTest, AnAttachmentArrivesWholeAfterTheTextAndHtml) {
  auto server = StartSmtp({});
  SmtpSettings smtp = Smtp(server->port());
  smtp.require_tls = false;
  smtp.ca_file.reset();
  EmailMessage message = FrenchAlert();
  std::string lines = "# accrochd — la liste complète\n";
  for (int i = 0; i < 3000; ++i) {
    lines += "overdue\tID-" + std::to_string(i) + "\tRS RS6521\tdeposited\t2026-03-02\tnouveau\n";
  }
  message.attachment = EmailAttachment{"accrochd-DEMO0001-20260302-0700.txt", lines};

  const DeliveryOutcome outcome = SendEmail(smtp, message);

  ASSERT_EQ(outcome.kind, Kind::kDelivered) << outcome.detail << "\n" << server->Log();
  const auto mails = Mails();
  ASSERT_THAT(mails, SizeIs(1));
  const auto& mail = mails[0];
  EXPECT_EQ(One(mail.decoded, "structure"),
            "multipart/mixed multipart/alternative text/plain text/html text/plain");
  EXPECT_THAT(One(mail.decoded, "part-3"), HasSubstr("text/plain; utf-8; base64"));
  EXPECT_THAT(mail.raw, HasSubstr("filename=\"accrochd-DEMO0001-20260302-0700.txt\""));
  ASSERT_THAT(mail.parts, SizeIs(3));
  EXPECT_EQ(LfLines(mail.parts[0]), message.text);
  EXPECT_EQ(LfLines(mail.parts[2]), lines);

  // A file name that could break the header is refused before connecting.
  message.attachment->name = "liste\r\nBcc: x@example.org.txt";
  const DeliveryOutcome refused = SendEmail(smtp, message);
  EXPECT_EQ(refused.kind, Kind::kPermanentFailure);
  EXPECT_THAT(refused.detail, HasSubstr("attachment"));
  EXPECT_THAT(Mails(), SizeIs(1));
}

TEST_F(AlertChannelEmailTest, TlsNotRequiredDoesNotTryStartTls) {
  // CURLUSESSL_TRY would quietly upgrade here; "not required" means clear text, and this server
  // insists on STARTTLS, so it refuses.
  auto server = StartSmtp(StartTlsOptions());
  SmtpSettings smtp = Smtp(server->port());
  smtp.require_tls = false;

  const DeliveryOutcome outcome = SendEmail(smtp, FrenchAlert());

  EXPECT_EQ(outcome.kind, Kind::kPermanentFailure) << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr("530"));
  EXPECT_THAT(Mails(), IsEmpty());
}

TEST_F(AlertChannelEmailTest, WrongPasswordIsAPermanentFailure) {
  auto server = StartSmtp({"--starttls", Tls(ACCROCHD_OPENSSL).cert, Tls(ACCROCHD_OPENSSL).key,
                           "--auth", std::string("alertes:") + kPassword});
  SmtpSettings smtp = Smtp(server->port());
  smtp.username = "alertes";
  smtp.password = "wrong-Pa55word";

  const DeliveryOutcome outcome = SendEmail(smtp, FrenchAlert());

  EXPECT_EQ(outcome.kind, Kind::kPermanentFailure) << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr("535"));
  EXPECT_THAT(outcome.detail, Not(HasSubstr("wrong-Pa55word")));
  EXPECT_THAT(outcome.detail, Not(HasSubstr(kPassword)));
  EXPECT_THAT(Mails(), IsEmpty());
}

TEST_F(AlertChannelEmailTest, UntrustedCertificateIsAPermanentFailure) {
  auto server = StartSmtp(StartTlsOptions());
  SmtpSettings smtp = Smtp(server->port());
  smtp.ca_file.reset();  // the system's CAs do not know the test certificate

  const DeliveryOutcome outcome = SendEmail(smtp, FrenchAlert());

  EXPECT_EQ(outcome.kind, Kind::kPermanentFailure) << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr("certificate"));
  EXPECT_THAT(Mails(), IsEmpty());
}

TEST_F(AlertChannelEmailTest, ServerDownIsRetryLater) {
  LocalPort closed(/*listening=*/false);
  SmtpSettings smtp = Smtp(closed.port());
  smtp.password = kPassword;
  smtp.username = "alertes";

  const DeliveryOutcome outcome = SendEmail(smtp, FrenchAlert());

  EXPECT_EQ(outcome.kind, Kind::kRetryLater) << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr("connect"));
  EXPECT_THAT(outcome.detail, Not(HasSubstr(kPassword)));
}

TEST_F(AlertChannelEmailTest, SilentServerTimesOutAndIsRetryLater) {
  LocalPort silent(/*listening=*/true);
  SmtpSettings smtp = Smtp(silent.port());
  smtp.timeout = milliseconds(300);

  const auto start = std::chrono::steady_clock::now();
  const DeliveryOutcome outcome = SendEmail(smtp, FrenchAlert());
  const auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(outcome.kind, Kind::kRetryLater) << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr("Timeout"));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(AlertChannelEmailTest, MessagesThatCannotBeSentAreRefusedBeforeConnecting) {
  auto server = StartSmtp({});
  SmtpSettings smtp = Smtp(server->port());
  smtp.require_tls = false;

  EmailMessage nobody = FrenchAlert();
  nobody.to.clear();
  const DeliveryOutcome no_recipient = SendEmail(smtp, nobody);
  EXPECT_EQ(no_recipient.kind, Kind::kPermanentFailure);
  EXPECT_THAT(no_recipient.detail, HasSubstr("no recipient"));

  EmailMessage injected = FrenchAlert();
  injected.to = {"responsable@organisme.example\r\nBcc: tiers@ailleurs.example"};
  const DeliveryOutcome injection = SendEmail(smtp, injected);
  EXPECT_EQ(injection.kind, Kind::kPermanentFailure);
  EXPECT_THAT(injection.detail, HasSubstr("line break"));

  SmtpSettings ftp = smtp;
  ftp.url = "ftp://127.0.0.1:" + std::to_string(server->port());
  EXPECT_EQ(SendEmail(ftp, FrenchAlert()).kind, Kind::kPermanentFailure);

  EXPECT_THAT(Mails(), IsEmpty());
}

// A subject with a line break is one header line: the break cannot start a new header field.
TEST_F(AlertChannelEmailTest, LineBreakInSubjectCannotAddAHeader) {
  auto server = StartSmtp({});
  SmtpSettings smtp = Smtp(server->port());
  smtp.require_tls = false;
  EmailMessage message = FrenchAlert();
  message.subject = "Alerte\r\nBcc: tiers@ailleurs.example";

  ASSERT_EQ(SendEmail(smtp, message).kind, Kind::kDelivered);

  const auto mails = Mails();
  ASSERT_THAT(mails, SizeIs(1));
  EXPECT_THAT(mails[0].raw, Not(HasSubstr("\r\nBcc:")));
  EXPECT_THAT(FieldValues(mails[0].envelope, "rcpt_to"),
              ElementsAre("responsable@organisme.example", "direction@organisme.example"));
}

struct SmtpReplyCase {
  int code;
  std::string at;  // "data" or "rcpt"
  Kind expected;
};

void PrintTo(const SmtpReplyCase& c, std::ostream* out) {
  *out << c.code << " at " << c.at << " -> " << OutcomeName(c.expected);
}

class AlertChannelSmtpReplyTest : public AlertChannelEmailTest,
                                  public ::testing::WithParamInterface<SmtpReplyCase> {};

TEST_P(AlertChannelSmtpReplyTest, ReplyCodeDecidesTheOutcome) {
  const SmtpReplyCase& c = GetParam();
  auto server = StartSmtp({"--starttls", Tls(ACCROCHD_OPENSSL).cert, Tls(ACCROCHD_OPENSSL).key,
                           "--auth", std::string("alertes:") + kPassword, "--reply-code",
                           std::to_string(c.code), "--reply-at", c.at});
  SmtpSettings smtp = Smtp(server->port());
  smtp.username = "alertes";
  smtp.password = kPassword;

  const DeliveryOutcome outcome = SendEmail(smtp, FrenchAlert());

  EXPECT_EQ(outcome.kind, c.expected) << OutcomeName(outcome.kind) << ": " << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr(std::to_string(c.code)));
  EXPECT_THAT(outcome.detail, Not(HasSubstr(kPassword)));
  EXPECT_THAT(Mails(), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Replies, AlertChannelSmtpReplyTest,
                         ::testing::Values(SmtpReplyCase{451, "data", Kind::kRetryLater},
                                           SmtpReplyCase{550, "data", Kind::kPermanentFailure},
                                           SmtpReplyCase{452, "rcpt", Kind::kRetryLater},
                                           SmtpReplyCase{550, "rcpt", Kind::kPermanentFailure},
                                           SmtpReplyCase{554, "rcpt", Kind::kPermanentFailure}),
                         [](const ::testing::TestParamInfo<SmtpReplyCase>& param) {
                           return std::to_string(param.param.code) + "_at_" + param.param.at;
                         });

// ---- Webhook ----

class AlertChannelWebhookTest : public AlertChannelTest {
 protected:
  static WebhookSettings Hook(int port, const std::string& scheme = "http") {
    WebhookSettings hook;
    hook.url = scheme + "://127.0.0.1:" + std::to_string(port) + "/hooks/accrochd?canal=alertes";
    hook.headers = {{"X-Accrochd-Event", "deadline.passed"}, {"X-Empty", ""}};
    hook.bearer_token = kToken;
    hook.timeout = milliseconds(10000);
    return hook;
  }

  static std::string Json() {
    return R"({"titre":"Échéances dépassées","passages":3,)"
           R"("texte":"ligne 1\nligne 2 — fin","diplôme":"🎓","échappé":"\"\\\u00e9"})";
  }
};

TEST_F(AlertChannelWebhookTest, DeliveredWithBodyHeadersAndToken) {
  auto server = StartHttp({"--status", "200"});
  const std::string json = Json();

  const DeliveryOutcome outcome = PostWebhook(Hook(server->port()), json);

  ASSERT_EQ(outcome.kind, Kind::kDelivered) << outcome.detail << "\n" << server->Log();
  EXPECT_THAT(outcome.detail, HasSubstr("200"));
  EXPECT_THAT(outcome.detail, Not(HasSubstr(kToken)));
  const auto requests = Requests();
  ASSERT_THAT(requests, SizeIs(1));
  const ReceivedRequest& r = requests[0];
  EXPECT_EQ(One(r.head, "method"), "POST");
  EXPECT_EQ(One(r.head, "path"), "/hooks/accrochd?canal=alertes");
  EXPECT_EQ(r.body, json);  // byte for byte
  const std::vector<std::string> headers = FieldValues(r.head, "header");
  auto has = [&headers](const std::string& line) {
    return std::find(headers.begin(), headers.end(), line) != headers.end();
  };
  EXPECT_TRUE(has("Content-Type: application/json; charset=utf-8"))
      << ::testing::PrintToString(headers);
  EXPECT_TRUE(has(std::string("Authorization: Bearer ") + kToken));
  EXPECT_TRUE(has("X-Accrochd-Event: deadline.passed"));
  EXPECT_TRUE(has("X-Empty: "));
  EXPECT_TRUE(has("Content-Length: " + std::to_string(json.size())));
  EXPECT_TRUE(std::any_of(headers.begin(), headers.end(), [](const std::string& h) {
    return h.starts_with("User-Agent: accrochd/");
  }));
}

TEST_F(AlertChannelWebhookTest, LargeBodyArrivesWhole) {
  auto server = StartHttp({});
  std::string json = "{\"texte\":\"";
  while (json.size() < 2 * 1024 * 1024) json += "Échéance dépassée, ";
  json += "\"}";

  const DeliveryOutcome outcome = PostWebhook(Hook(server->port()), json);

  ASSERT_EQ(outcome.kind, Kind::kDelivered) << outcome.detail << "\n" << server->Log();
  const auto requests = Requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_TRUE(requests[0].body == json)
      << "body of " << requests[0].body.size() << " bytes, sent " << json.size();
}

TEST_F(AlertChannelWebhookTest, ContentTypeOfTheSettingsReplacesTheDefault) {
  auto server = StartHttp({});
  WebhookSettings hook = Hook(server->port());
  hook.headers["content-type"] = "application/vnd.accrochd+json";

  ASSERT_EQ(PostWebhook(hook, Json()).kind, Kind::kDelivered);

  const auto requests = Requests();
  ASSERT_THAT(requests, SizeIs(1));
  const auto headers = FieldValues(requests[0].head, "header");
  EXPECT_THAT(headers, ::testing::Contains("content-type: application/vnd.accrochd+json"));
  EXPECT_THAT(headers, Not(::testing::Contains("Content-Type: application/json; charset=utf-8")));
}

struct HttpStatusCase {
  int status;
  Kind expected;
};

void PrintTo(const HttpStatusCase& c, std::ostream* out) {
  *out << "HTTP " << c.status << " -> " << OutcomeName(c.expected);
}

class AlertChannelWebhookStatusTest : public AlertChannelWebhookTest,
                                      public ::testing::WithParamInterface<HttpStatusCase> {};

TEST_P(AlertChannelWebhookStatusTest, StatusDecidesTheOutcome) {
  const HttpStatusCase& c = GetParam();
  auto server = StartHttp({"--status", std::to_string(c.status)});

  const DeliveryOutcome outcome = PostWebhook(Hook(server->port()), Json());

  EXPECT_EQ(outcome.kind, c.expected) << OutcomeName(outcome.kind) << ": " << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr(std::to_string(c.status)));
  EXPECT_THAT(outcome.detail, Not(HasSubstr(kToken)));
  if (c.status >= 300 && c.status < 400) {
    EXPECT_THAT(outcome.detail, HasSubstr("redirect not followed"));
  }
  // One request: no redirect followed (the Location is on the same server), no retry of its own.
  EXPECT_THAT(Requests(), SizeIs(1));
}

INSTANTIATE_TEST_SUITE_P(Statuses, AlertChannelWebhookStatusTest,
                         ::testing::Values(HttpStatusCase{200, Kind::kDelivered},
                                           HttpStatusCase{204, Kind::kDelivered},
                                           HttpStatusCase{503, Kind::kRetryLater},
                                           HttpStatusCase{500, Kind::kRetryLater},
                                           HttpStatusCase{429, Kind::kRetryLater},
                                           HttpStatusCase{408, Kind::kRetryLater},
                                           HttpStatusCase{404, Kind::kPermanentFailure},
                                           HttpStatusCase{400, Kind::kPermanentFailure},
                                           HttpStatusCase{401, Kind::kPermanentFailure},
                                           HttpStatusCase{302, Kind::kPermanentFailure},
                                           HttpStatusCase{301, Kind::kPermanentFailure}),
                         [](const ::testing::TestParamInfo<HttpStatusCase>& param) {
                           return "http_" + std::to_string(param.param.status);
                         });

TEST_F(AlertChannelWebhookTest, RetryAfterUnavailableThenDelivered) {
  auto server = StartHttp({"--status", "503,503,200"});
  const WebhookSettings hook = Hook(server->port());

  EXPECT_EQ(PostWebhook(hook, Json()).kind, Kind::kRetryLater);
  EXPECT_EQ(PostWebhook(hook, Json()).kind, Kind::kRetryLater);
  EXPECT_EQ(PostWebhook(hook, Json()).kind, Kind::kDelivered);

  const auto requests = Requests();
  ASSERT_THAT(requests, SizeIs(3));
  for (const auto& r : requests) EXPECT_EQ(r.body, Json());
}

TEST_F(AlertChannelWebhookTest, ServerDownIsRetryLater) {
  LocalPort closed(/*listening=*/false);
  const DeliveryOutcome outcome = PostWebhook(Hook(closed.port()), Json());

  EXPECT_EQ(outcome.kind, Kind::kRetryLater) << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr("connect"));
  EXPECT_THAT(outcome.detail, Not(HasSubstr(kToken)));
}

TEST_F(AlertChannelWebhookTest, SilentServerTimesOutAndIsRetryLater) {
  LocalPort silent(/*listening=*/true);
  WebhookSettings hook = Hook(silent.port());
  hook.timeout = milliseconds(300);

  const auto start = std::chrono::steady_clock::now();
  const DeliveryOutcome outcome = PostWebhook(hook, Json());

  EXPECT_EQ(outcome.kind, Kind::kRetryLater) << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr("Timeout"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(AlertChannelWebhookTest, HttpsWithTheCaFileIsDelivered) {
  auto server = StartHttp({"--tls", Tls(ACCROCHD_OPENSSL).cert, Tls(ACCROCHD_OPENSSL).key});
  WebhookSettings hook = Hook(server->port(), "https");
  hook.ca_file = Tls(ACCROCHD_OPENSSL).cert;

  const DeliveryOutcome outcome = PostWebhook(hook, Json());

  ASSERT_EQ(outcome.kind, Kind::kDelivered) << outcome.detail << "\n" << server->Log();
  const auto requests = Requests();
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_EQ(requests[0].body, Json());
}

TEST_F(AlertChannelWebhookTest, UntrustedCertificateIsAPermanentFailureAndSendsNothing) {
  auto server = StartHttp({"--tls", Tls(ACCROCHD_OPENSSL).cert, Tls(ACCROCHD_OPENSSL).key});
  const DeliveryOutcome outcome = PostWebhook(Hook(server->port(), "https"), Json());

  EXPECT_EQ(outcome.kind, Kind::kPermanentFailure) << outcome.detail;
  EXPECT_THAT(outcome.detail, HasSubstr("certificate"));
  EXPECT_THAT(outcome.detail, Not(HasSubstr(kToken)));
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(AlertChannelWebhookTest, InvalidSettingsAreRefusedBeforeConnecting) {
  auto server = StartHttp({});

  WebhookSettings injected = Hook(server->port());
  injected.headers["X-Note"] = "a\r\nX-Injected: 1";
  EXPECT_EQ(PostWebhook(injected, Json()).kind, Kind::kPermanentFailure);

  WebhookSettings bad_name = Hook(server->port());
  bad_name.headers["X Bad"] = "1";
  EXPECT_EQ(PostWebhook(bad_name, Json()).kind, Kind::kPermanentFailure);

  WebhookSettings token = Hook(server->port());
  token.bearer_token = std::string(kToken) + "\nX-Injected: 1";
  const DeliveryOutcome bad_token = PostWebhook(token, Json());
  EXPECT_EQ(bad_token.kind, Kind::kPermanentFailure);
  EXPECT_THAT(bad_token.detail, Not(HasSubstr(kToken)));

  WebhookSettings file = Hook(server->port());
  file.url = "file:///etc/passwd";
  EXPECT_EQ(PostWebhook(file, Json()).kind, Kind::kPermanentFailure);

  EXPECT_THAT(Requests(), IsEmpty());
}

TEST(AlertChannelOutcomeTest, Names) {
  EXPECT_EQ(OutcomeName(Kind::kDelivered), "delivered");
  EXPECT_EQ(OutcomeName(Kind::kRetryLater), "retry");
  EXPECT_EQ(OutcomeName(Kind::kPermanentFailure), "failed");
}

}  // namespace
}  // namespace accrochd::alert
