// Alerts from the real binary on the demo configuration, as issue 6's "done when" puts it:
// `accrochd run` pointed at a local SMTP server (STARTTLS and AUTH, aiosmtpd) and a local webhook
// receiver sends one French digest listing the overdue and soon-due demo passages, the waiting
// file and the quarantined rows -- and does not send it again on the next cycle, nor after a
// restart. `accrochd alerts test` reports each channel. What the servers received is read back
// from disk, the e-mail as Python's email package decodes it, the webhook's JSON with Python's
// json module: readers that are not ours.
#include <chrono>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <signal.h>
#include <sys/wait.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/alert_servers.h"
#include "tests/support/daemon_process.h"
#include "tests/support/run_binary.h"
#include "tests/system/deposit_checks.h"

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassword = "mot-de-passe-smtp-9f2c";
constexpr const char* kToken = "jeton-webhook-51b8";

bool IsReady(const std::string& m) { return HasLine(m, "READY=1"); }
bool IsCycleStatus(const std::string& m) {
  return m.find("STATUS=") != std::string::npos && !HasLine(m, "READY=1") &&
         !HasLine(m, "STOPPING=1");
}

// The text with CRLF line ends (as e-mail carries them) turned into LF.
std::string Lf(std::string text) {
  std::string out;
  for (char c : text) {
    if (c != '\r') out += c;
  }
  return out;
}

class AlertSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(std::string("alert-system.") +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ + "/mail");
    fs::create_directories(dir_ + "/hooks");
    const TlsFiles& tls = Tls(ACCROCHD_OPENSSL);
    smtp_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{ACCROCHD_PYTHON3, ACCROCHD_SMTP_SERVER, "--dir", dir_ + "/mail",
                                 "--starttls", tls.cert, tls.key, "--auth",
                                 std::string("alertes:") + kPassword},
        dir_ + "/smtp.log");
    hooks_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{ACCROCHD_PYTHON3, ACCROCHD_HTTP_RECEIVER, "--dir",
                                 dir_ + "/hooks"},
        dir_ + "/hooks.log");
    WriteFile(dir_ + "/smtp.secret", kPassword, 0600);
    WriteFile(dir_ + "/token.secret", kToken, 0600);
    const std::string alerts =
        "run: {interval: 10s}\n"
        "alerts:\n"
        "  email:\n"
        "    server: \"smtp://127.0.0.1:" +
        std::to_string(smtp_->port()) +
        "\"\n"
        "    from: accrochd@exemple.fr\n"
        "    username: alertes\n"
        "    password: {file: " +
        dir_ +
        "/smtp.secret}\n"
        "    ca_file: " +
        tls.cert +
        "\n"
        "  webhooks:\n"
        "    equipe:\n"
        "      url: \"http://127.0.0.1:" +
        std::to_string(hooks_->port()) +
        "/hook\"\n"
        "      token: {file: " +
        dir_ +
        "/token.secret}\n"
        "  daily_summary: \"off\"\n";
    config_ = dir_ + "/accrochd.yaml";
    WriteFile(config_, DemoConfigWith(dir_ + "/state", alerts) +
                           "    alerts:\n"
                           "      - {email: scolarite@exemple.fr}\n"
                           "      - {email: direction@exemple.fr, severity: urgent}\n"
                           "      - {webhook: equipe}\n");
  }

  std::unique_ptr<AccrochdProcess> Start(NotifySocket& notify, const std::string& log) {
    return std::make_unique<AccrochdProcess>(std::vector<std::string>{"run", "--config", config_},
                                             std::vector<std::string>{notify.Environment()},
                                             dir_ + "/" + log);
  }

  void Stop(AccrochdProcess& run) {
    ASSERT_TRUE(run.Signal(SIGTERM));
    auto status = run.Wait(milliseconds(30000));
    ASSERT_TRUE(status.has_value()) << run.Err();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << DescribeWaitStatus(*status);
  }

  std::string dir_, config_;
  std::unique_ptr<ServerProcess> smtp_, hooks_;
};

TEST_F(AlertSystemTest, RunSendsOneFrenchDigestAndNotAgainUntilSomethingChanges) {
  NotifySocket notify;
  auto run = Start(notify, "run");
  auto ready = notify.WaitFor(IsReady, milliseconds(60000));
  ASSERT_TRUE(ready) << run->Err();
  auto first = notify.WaitFor(IsCycleStatus, milliseconds(60000), *ready);
  ASSERT_TRUE(first) << run->Err();
  // The digest is sent before the cycle's STATUS.
  std::vector<fs::path> mails = RecordedEntries(dir_ + "/mail", "message-");
  ASSERT_EQ(mails.size(), 1u) << run->Err() << smtp_->Log();
  std::vector<fs::path> hooks = RecordedEntries(dir_ + "/hooks", "request-");
  ASSERT_EQ(hooks.size(), 1u) << run->Err() << hooks_->Log();

  const std::string envelope = ReadFile((mails[0] / "envelope.txt").string());
  EXPECT_THAT(envelope, AllOf(HasSubstr("tls: yes"), HasSubstr("login: alertes"),
                              HasSubstr("rcpt_to: scolarite@exemple.fr"),
                              HasSubstr("rcpt_to: direction@exemple.fr")));
  const std::string decoded = ReadFile((mails[0] / "decoded.txt").string());
  EXPECT_THAT(decoded, HasSubstr("subject: [accrochd] institut-exemple — URGENT — nouvelles "
                                 "alertes"));
  const std::string text = Lf(ReadFile((mails[0] / "part-1.txt").string()));
  const std::string html = Lf(ReadFile((mails[0] / "part-2.txt").string()));
  // The overdue and soon-due demo passages (demo/demo.sql: IEF-1122 delivered 118 days before
  // the build, IEF-1017 quarantined and overdue), the waiting file, the quarantined rows. The
  // demo's dates follow its build day: the dashboard says how many are overdue today.
  RunResult status = RunAccrochd({"status", "--config", config_});
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(status.out, m, std::regex("reçus par la CDC : ([0-9]+) dépassée\\(s\\)")))
      << status.out;
  const std::string overdue = m[1].str();
  EXPECT_GT(std::stoi(overdue), 20);
  EXPECT_THAT(text, HasSubstr("ÉCHÉANCE DÉPASSÉE — " + overdue + " passage(s)"));
  EXPECT_THAT(text, HasSubstr("  IEF-1122  RS RS6521  dans un fichier à déposer  échéance "));
  EXPECT_THAT(text, ::testing::ContainsRegex("Échéance dans [0-9]+ jour\\(s\\) ou moins — "));
  EXPECT_THAT(text, HasSubstr("Fichiers prêts, à déposer sur le portail de la CDC — 1 "
                              "fichier(s) :\n  DEMO0001_"));
  EXPECT_THAT(text, HasSubstr("En quarantaine (données à corriger dans la base ; l'échéance "
                              "court toujours) — 3 passage(s)"));
  EXPECT_THAT(text, HasSubstr("    nomNaissance : 64 caractères, 60 au plus"));
  EXPECT_THAT(text, HasSubstr("IEF-1042"));
  EXPECT_THAT(text, HasSubstr("IEF-1077"));
  EXPECT_THAT(html, AllOf(HasSubstr("<td>IEF-1122</td>"), HasSubstr("<h2>En quarantaine")));
  // Identifiers and counts only: never the personal values behind the quarantine.
  for (const char* personal : {"Auvergne", "30/02/1990", " Dr "}) {
    EXPECT_THAT(text + html, Not(HasSubstr(personal))) << personal;
  }

  // The webhook: the bearer token, and a payload JSON readers accept.
  const std::string head = ReadFile((hooks[0] / "head.txt").string());
  EXPECT_THAT(head, HasSubstr(std::string("header: Authorization: Bearer ") + kToken));
  const std::string body = (hooks[0] / "body").string();
  EXPECT_EQ(RunProgram({ACCROCHD_PYTHON3, "-c",
                        "import json, sys\n"
                        "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
                        "assert d['type'] == 'accrochd.alert' and d['kind'] == 'digest', d\n"
                        "assert d['urgent'] is True\n"
                        "assert d['certifier']['bcr'] == 'DEMO0001'\n"
                        "assert len(d['overdue']) == int(sys.argv[2]), len(d['overdue'])\n"
                        "assert 'IEF-1122' in [p['id_technique'] for p in d['overdue']]\n"
                        "assert len(d['quarantined']) == 3\n"
                        "assert d['outbox'][0]['passages'] > 150\n",
                        body, overdue},
                       dir_ + "/json-check.log"),
            0)
      << ReadFile(dir_ + "/json-check.log");

  // The next cycle finds nothing new: nothing more is sent.
  auto second = notify.WaitFor(IsCycleStatus, milliseconds(60000), *first + 1);
  ASSERT_TRUE(second) << run->Err();
  EXPECT_EQ(RecordedEntries(dir_ + "/mail", "message-").size(), 1u);
  EXPECT_EQ(RecordedEntries(dir_ + "/hooks", "request-").size(), 1u);
  Stop(*run);

  // Nor after a restart.
  const std::size_t from = notify.messages().size();
  run = Start(notify, "run2");
  auto again = notify.WaitFor(IsCycleStatus, milliseconds(60000), from);
  ASSERT_TRUE(again) << run->Err();
  EXPECT_EQ(RecordedEntries(dir_ + "/mail", "message-").size(), 1u);
  EXPECT_EQ(RecordedEntries(dir_ + "/hooks", "request-").size(), 1u);
  Stop(*run);
  EXPECT_THAT(run->Err(), Not(HasSubstr(kPassword)));
  EXPECT_THAT(run->Err(), Not(HasSubstr(kToken)));
}

// `once --alerts`, for a site that runs accrochd from a timer: the same digest as `run`'s first
// cycle, sent once -- not again by the next `once --alerts`, and nothing at all from a `once`
// without the option. The webhook payload (version 3) gives generated_at in ISO 8601 with the
// offset.
TEST_F(AlertSystemTest, OnceWithAlertsSendsTheDigestOnce) {
  RunResult plain = RunAccrochd({"once", "--config", config_});
  ASSERT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_THAT(plain.out, Not(HasSubstr("Alerts:")));
  EXPECT_TRUE(RecordedEntries(dir_ + "/mail", "message-").empty());
  EXPECT_TRUE(RecordedEntries(dir_ + "/hooks", "request-").empty());

  RunResult first = RunAccrochd({"once", "--alerts", "--config", config_});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // One message for each channel: the e-mail and the webhook.
  EXPECT_THAT(first.out, HasSubstr("Alerts: 2 messages queued, 2 messages delivered"));
  std::vector<fs::path> mails = RecordedEntries(dir_ + "/mail", "message-");
  std::vector<fs::path> hooks = RecordedEntries(dir_ + "/hooks", "request-");
  ASSERT_EQ(mails.size(), 1u) << first.err << smtp_->Log();
  ASSERT_EQ(hooks.size(), 1u) << first.err << hooks_->Log();
  EXPECT_THAT(ReadFile((mails[0] / "decoded.txt").string()),
              HasSubstr("subject: [accrochd] institut-exemple — URGENT — nouvelles alertes"));
  EXPECT_THAT(Lf(ReadFile((mails[0] / "part-1.txt").string())),
              HasSubstr("  IEF-1122  RS RS6521  dans un fichier à déposer  échéance "));
  const std::string body = (hooks[0] / "body").string();
  EXPECT_EQ(RunProgram({ACCROCHD_PYTHON3, "-c",
                        "import datetime, json, sys\n"
                        "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
                        "assert d['version'] == 3 and d['kind'] == 'digest', d\n"
                        "t = datetime.datetime.fromisoformat(d['generated_at'])\n"
                        "assert t.utcoffset() is not None, d['generated_at']\n"
                        "assert len(d['generated_at']) == 25, d['generated_at']\n"
                        "assert 'IEF-1122' in [p['id_technique'] for p in d['overdue']]\n"
                        "for p in d['overdue']:\n"
                        "    datetime.date.fromisoformat(p['deadline'])\n",
                        body},
                       dir_ + "/json-check.log"),
            0)
      << ReadFile(dir_ + "/json-check.log");

  // Nothing new: nothing sent again.
  RunResult second = RunAccrochd({"once", "--alerts", "--planned", "--config", config_});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_THAT(second.out, HasSubstr("Alerts: 0 messages queued, 0 messages delivered"));
  EXPECT_EQ(RecordedEntries(dir_ + "/mail", "message-").size(), 1u);
  EXPECT_EQ(RecordedEntries(dir_ + "/hooks", "request-").size(), 1u);
  EXPECT_THAT(first.out + first.err + second.out + second.err,
              AllOf(Not(HasSubstr(kPassword)), Not(HasSubstr(kToken))));
}

TEST_F(AlertSystemTest, AlertsTestReportsEveryChannel) {
  RunResult r = RunAccrochd({"alerts", "test", "--config", config_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("email to scolarite@exemple.fr,direction@exemple.fr: delivered"));
  EXPECT_THAT(r.out, HasSubstr("webhook equipe: delivered"));
  ASSERT_EQ(RecordedEntries(dir_ + "/mail", "message-").size(), 1u);
  EXPECT_THAT(ReadFile((RecordedEntries(dir_ + "/mail", "message-")[0] / "part-1.txt").string()),
              HasSubstr("ce canal d'alerte fonctionne"));

  // The webhook down: reported, exit 2.
  hooks_.reset();
  r = RunAccrochd({"alerts", "test", "--config", config_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, HasSubstr("webhook equipe: retry"));
  EXPECT_THAT(r.err, HasSubstr("1 channel(s) failed"));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kToken)));
}

}  // namespace
}  // namespace accrochd::testing
