// The upload hook (deposit.on_publish) over a real state store, with real programs (/bin/sh
// scripts in a temporary directory) and a fake clock: what the program is given, what a success
// records (and marks uploaded when configured), how failures back off and are alerted once,
// what happens to a run accrochd did not see end, and to a file that left the outbox.
#include "daemon/upload_hook.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/store/state_store.h"
#include "daemon/alerts.h"
#include "daemon/config.h"
#include "daemon/status.h"
#include "tests/support/capture_logger.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using namespace std::chrono;

constexpr const char* kBcr = "DEMO0001";
constexpr const char* kFile = "DEMO0001_20260302T060000Z_001.xml";
constexpr const char* kFlux = "3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b";
const std::string kSha(64, 'c');

const TimePoint kStart = sys_days(Date{year(2026), month(3), day(2)}) + hours(6);

class UploadHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = testing::MakeTempDir(std::string("upload_hook_test/") + info->name());
    fs::create_directories(dir_ + "/state/outbox");
  }

  // The configuration with deposit.on_publish running `script` (a /bin/sh body) and `hook`
  // settings; the store opened; one published file of passages P1 and P2 in the outbox.
  void Configure(const std::string& script, const std::string& hook = "",
                 const std::string& alerts = "") {
    program_ = dir_ + "/hook.sh";
    testing::WriteFile(program_, "#!/bin/sh\n" + script, 0755);
    const std::string demo = std::string(ACCROCHD_SOURCE_DIR) + "/demo/mappings/";
    const fs::path path = fs::path(dir_) / "accrochd.yaml";
    std::ofstream(path)
        << "state_directory: state\n"
        << "run: {interval: 15min}\n"
        << "deposit:\n  on_publish: [" << program_ << ", --profil, \"deux mots\"]\n"
        << (hook.empty() ? "" : "  hook: " + hook + "\n") << alerts
        << "sources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=/x.db;\"\n"
           "certifiers:\n  institut-exemple:\n    id_client: \""
        << kBcr << "\"\n    id_contrat: \"MCFCER009999\"\n    mappings:\n      - " << demo
        << "accueil-handicap.yaml\n"
        << (alerts.empty() ? "" : "    alerts:\n      - {webhook: equipe}\n");
    auto config = LoadConfig(path.string(), Environment{});
    ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
    config_ = std::make_unique<Config>(std::move(*config));
    auto opened = store::StateStore::Open(dir_ + "/state", clock_, testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
    Publish(kFile, kFlux, {"P1", "P2"});
  }

  void Publish(const std::string& name, const std::string& flux,
               const std::vector<std::string>& ids) {
    std::vector<store::Observation> seen;
    for (const std::string& id : ids) {
      store::Observation o;
      o.certifier = kBcr;
      o.id_technique = id;
      o.mapping = "accueil-handicap";
      o.certification_type = "RS";
      o.certification_code = "RS6521";
      o.delivery = Date{year(2026), month(2), day(20)};
      o.content_hash = "h-" + id;
      seen.push_back(o);
    }
    ASSERT_TRUE(store_->passages().Observe(seen).has_value());
    auto id = store_->deposits().Begin(kBcr, name, flux, ids);
    ASSERT_TRUE(id.has_value()) << id.error().message();
    ASSERT_TRUE(store_->deposits().MarkPublished(*id, kSha).has_value());
    testing::WriteFile(Outbox(name), "<deposit/>\n", 0600);
  }

  std::string Outbox(const std::string& name) const { return dir_ + "/state/outbox/" + name; }

  std::vector<HookRun> RunDue(bool now = false) {
    UploadHook hook(*config_, *store_, logger_, clock_, testing::RealFiles());
    auto runs = hook.RunDue(now, [this] { ++beats_; }, {});
    EXPECT_TRUE(runs.has_value()) << runs.error().message();
    return runs.value_or(std::vector<HookRun>{});
  }

  store::HookRecord Record(const std::string& name = kFile) {
    auto all = store_->hooks().List();
    EXPECT_TRUE(all.has_value());
    for (const store::HookRecord& h : all.value_or(std::vector<store::HookRecord>{})) {
      if (h.file_name == name) return h;
    }
    ADD_FAILURE() << "no hook record for " << name;
    return {};
  }

  std::string DepositState(const std::string& name = kFile) {
    auto all = store_->deposits().List();
    for (const store::DepositRecord& d : all.value_or(std::vector<store::DepositRecord>{})) {
      if (d.file_name == name) return d.state;
    }
    return "";
  }

  std::string dir_, program_;
  testing::FakeClock clock_{kStart};
  std::unique_ptr<Config> config_;
  std::unique_ptr<store::StateStore> store_;
  testing::CaptureLogger logger_;
  int beats_ = 0;
};

TEST_F(UploadHookTest, TheProgramGetsTheFileInItsEnvironmentAndItsArgumentsVerbatim) {
  const std::string seen = dir_ + "/seen";
  Configure("printf '%s\\n' \"$@\" > '" + seen +
            ".args'\n"
            "env | sort > '" +
            seen +
            ".env'\n"
            "pwd > '" +
            seen + ".pwd'\n");
  const char* lang = std::getenv("LANG");
  const std::optional<std::string> saved = lang ? std::optional<std::string>(lang) : std::nullopt;
  ::setenv("ACCROCHD_TEST_LEAK", "from the daemon", 1);
  ::setenv("LANG", "fr_FR.UTF-8", 1);
  const std::vector<HookRun> runs = RunDue();
  ::unsetenv("ACCROCHD_TEST_LEAK");
  if (saved) {
    ::setenv("LANG", saved->c_str(), 1);
  } else {
    ::unsetenv("LANG");
  }
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_TRUE(runs[0].outcome.succeeded()) << runs[0].detail;
  EXPECT_EQ(testing::ReadAll(seen + ".args"), "--profil\ndeux mots\n");
  EXPECT_EQ(testing::ReadAll(seen + ".pwd"), dir_ + "/state/outbox\n");
  const std::string env = testing::ReadAll(seen + ".env");
  for (const std::string& line :
       {"ACCROCHD_FILE=" + Outbox(kFile), std::string("ACCROCHD_FILE_NAME=") + kFile,
        std::string("ACCROCHD_ID_FLUX=") + kFlux, "ACCROCHD_SHA256=" + kSha,
        std::string("ACCROCHD_PASSAGES=2"), std::string("ACCROCHD_CERTIFICATEUR=DEMO0001"),
        std::string("ACCROCHD_CERTIFIER=institut-exemple"),
        std::string("ACCROCHD_SCHEMA_VERSION=1.1.5"), std::string("ACCROCHD_ATTEMPT=1"),
        std::string("ACCROCHD_PUBLISHED_AT=2026-03-02T06:00:00Z"),
        std::string("LANG=fr_FR.UTF-8")}) {
    EXPECT_THAT(env, HasSubstr(line + "\n")) << env;
  }
  EXPECT_THAT(env, Not(HasSubstr("ACCROCHD_TEST_LEAK")));
  EXPECT_THAT(env, HasSubstr("\nPATH="));
}

TEST_F(UploadHookTest, KeptEnvironmentIsASmallListAndPathHasADefault) {
  Configure("exit 0\n");
  store::HookRecord file;
  file.certifier = kBcr;
  file.file_name = kFile;
  const std::vector<std::string> env =
      HookEnvironment(*config_, file, Outbox(kFile), 2,
                      {{"HOME", "/var/lib/accrochd"}, {"CREDENTIALS_DIRECTORY", "/run/c"}});
  EXPECT_EQ(env.front(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  EXPECT_THAT(env, Contains("HOME=/var/lib/accrochd"));
  EXPECT_THAT(env, Contains("CREDENTIALS_DIRECTORY=/run/c"));
  EXPECT_THAT(env, Contains("ACCROCHD_ATTEMPT=2"));
  EXPECT_THAT(env, Contains("ACCROCHD_PUBLISHED_AT="));
}

TEST_F(UploadHookTest, ASuccessIsDoneOnceAndMarksTheFileUploadedWhenConfigured) {
  Configure("echo \"uploaded $ACCROCHD_ID_FLUX\"\n", "{mark_uploaded: true}");
  std::vector<HookRun> runs = RunDue();
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_TRUE(runs[0].marked_uploaded);
  EXPECT_EQ(DepositState(), "uploaded");
  const store::HookRecord h = Record();
  EXPECT_EQ(h.state, "done");
  EXPECT_EQ(h.attempts, 1);
  EXPECT_EQ(h.last_result, "exit");
  EXPECT_TRUE(h.marked_uploaded);
  EXPECT_EQ(DescribeHook(h), "done, marked uploaded");
  // Its passages wait for their receipt.
  auto passages = store_->passages().PassagesWithId("P1");
  ASSERT_TRUE(passages.has_value());
  ASSERT_THAT(*passages, SizeIs(1));
  EXPECT_EQ((*passages)[0].status, store::Status::kDeposited);
  // The output is in the log, with the file's name; the run is not repeated.
  EXPECT_THAT(logger_.Text(),
              HasSubstr(std::string("upload hook, ") + kFile + ": uploaded " + kFlux + "\n"));
  EXPECT_THAT(RunDue(true), IsEmpty());
}

TEST_F(UploadHookTest, WithoutMarkUploadedTheFileStaysPublished) {
  Configure("exit 0\n");
  ASSERT_THAT(RunDue(), SizeIs(1));
  EXPECT_EQ(DepositState(), "published");
  EXPECT_EQ(Record().state, "done");
  EXPECT_FALSE(Record().marked_uploaded);
  EXPECT_THAT(RunDue(true), IsEmpty());
}

TEST_F(UploadHookTest, FailuresBackOffFromTheCycleIntervalDoublingUpToTheCap) {
  Configure("echo 'sftp: connection refused' >&2\nexit 4\n", "{retry_max_delay: 50min}");
  std::vector<HookRun> runs = RunDue();
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].outcome.kind, ChildOutcome::Kind::kExited);
  EXPECT_EQ(runs[0].detail, "exit status 4");
  EXPECT_EQ(runs[0].failures, 1);
  EXPECT_EQ(runs[0].next_attempt, kStart + minutes(15));
  store::HookRecord h = Record();
  EXPECT_EQ(h.state, "waiting");
  EXPECT_EQ(h.last_result, "exit");
  EXPECT_EQ(h.last_code, 4);
  EXPECT_EQ(FrenchHookResult(h), "code de sortie 4");
  EXPECT_EQ(DepositState(), "published");
  EXPECT_THAT(logger_.Text(), HasSubstr(std::string("upload hook, ") + kFile +
                                        " (stderr): sftp: connection refused\n"));
  EXPECT_THAT(logger_.Text(), HasSubstr("upload hook failed for " + std::string(kFile) +
                                        " (attempt 1): exit status 4; 1 failure(s), next run "
                                        "after 2026-03-02T06:15:00Z"));

  // Not due before its time; due after.
  clock_.Advance(minutes(14));
  EXPECT_THAT(RunDue(), IsEmpty());
  clock_.Advance(minutes(1));
  runs = RunDue();
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].attempt, 2);
  EXPECT_EQ(runs[0].next_attempt, clock_.Now() + minutes(30));
  clock_.Advance(minutes(30));
  runs = RunDue();
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].next_attempt, clock_.Now() + minutes(50));  // 60min, capped
  // accrochd once does not wait for the backoff.
  runs = RunDue(true);
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].attempt, 4);
  EXPECT_EQ(Record().failures, 4);
  EXPECT_THAT(DescribeHook(Record()),
              HasSubstr("waiting: 4 failure(s), last exit status 4, next run after "));
}

TEST_F(UploadHookTest, ATimeoutAndAProgramThatCannotStartAreFailures) {
  Configure("echo started\nexec sleep 300\n", "{timeout: 1s}");
  std::vector<HookRun> runs = RunDue();
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].outcome.kind, ChildOutcome::Kind::kTimedOut);
  EXPECT_EQ(runs[0].detail, "timed out after 1s");
  EXPECT_EQ(Record().last_result, "timeout");
  EXPECT_EQ(FrenchHookResult(Record()), "délai dépassé (deposit.hook.timeout), arrêtée");
  EXPECT_GE(beats_, 1);  // the watchdog was pinged while it ran

  fs::remove(program_);
  runs = RunDue(true);
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].outcome.kind, ChildOutcome::Kind::kNotStarted);
  EXPECT_EQ(Record().last_result, "not_started");
  EXPECT_EQ(Record().failures, 2);
}

TEST_F(UploadHookTest, ARunThatDidNotEndIsRunAgainAtOnce) {
  Configure("exit 0\n", "{mark_uploaded: true}");
  // A run began, then the process died: the record says "running".
  ASSERT_TRUE(store_->hooks().Unfinished().has_value());
  auto unfinished = store_->hooks().Unfinished();
  ASSERT_THAT(*unfinished, SizeIs(1));
  ASSERT_TRUE(store_->hooks().Begin(unfinished->front().deposit_id).has_value());
  EXPECT_EQ(Record().state, "running");
  const std::vector<HookRun> runs = RunDue();
  ASSERT_THAT(runs, SizeIs(1));
  EXPECT_EQ(runs[0].attempt, 2);
  EXPECT_TRUE(runs[0].marked_uploaded);
  EXPECT_THAT(logger_.Text(), HasSubstr("did not end while accrochd ran"));
  EXPECT_EQ(Record().failures, 0);
}

TEST_F(UploadHookTest, AFileRemovedFromTheOutboxOrMarkedUploadedIsNotRun) {
  Configure("echo ran >> '" + dir_ + "/ran'\nexit 0\n");
  Publish("DEMO0001_20260302T060000Z_002.xml", "flux-2", {"P3"});
  fs::remove(Outbox(kFile));
  ASSERT_TRUE(store_->deposits().MarkUploaded("DEMO0001_20260302T060000Z_002.xml").has_value());
  EXPECT_THAT(RunDue(true), IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ + "/ran"));
  EXPECT_EQ(Record().state, "closed");
  // Marked uploaded before the hook saw it: never hooked.
  auto all = store_->hooks().List();
  ASSERT_TRUE(all.has_value());
  EXPECT_THAT(*all, SizeIs(1));
  // Put back, it is not run again either.
  testing::WriteFile(Outbox(kFile), "<deposit/>\n", 0600);
  EXPECT_THAT(RunDue(true), IsEmpty());
}

TEST_F(UploadHookTest, FilesAreHookedOneAfterTheOtherOldestFirst) {
  Configure("echo \"$ACCROCHD_FILE_NAME\" >> '" + dir_ + "/order'\n");
  Publish("DEMO0001_20260302T060000Z_002.xml", "flux-2", {"P3"});
  ASSERT_THAT(RunDue(), SizeIs(2));
  EXPECT_EQ(testing::ReadAll(dir_ + "/order"),
            std::string(kFile) + "\nDEMO0001_20260302T060000Z_002.xml\n");
}

TEST_F(UploadHookTest, AfterAlertAfterFailuresTheFileIsAlertedOnce) {
  Configure("exit 1\n", "{alert_after: 2}",
            "alerts:\n  webhooks:\n    equipe: {url: \"http://127.0.0.1:1/hook\"}\n"
            "  daily_summary: \"off\"\n");
  std::vector<store::QueuedAlert> sent;
  auto cycle = [&] {
    sent.clear();
    Alerter alerter(*config_, *store_, logger_, clock_,
                    [&](const Config&, const store::QueuedAlert& q) {
                      sent.push_back(q);
                      return alert::DeliveryOutcome{alert::DeliveryOutcome::Kind::kDelivered, ""};
                    });
    ASSERT_TRUE(alerter.Plan().has_value());
    ASSERT_TRUE(alerter.Deliver().has_value());
  };
  ASSERT_THAT(RunDue(true), SizeIs(1));
  cycle();  // one failure: the file is announced as waiting in the outbox, not as failing
  ASSERT_THAT(sent, SizeIs(1));
  EXPECT_THAT(sent[0].payload, HasSubstr("\"upload_hook_failed\": 0"));
  ASSERT_THAT(RunDue(true), SizeIs(1));
  cycle();
  ASSERT_THAT(sent, SizeIs(1));
  EXPECT_THAT(sent[0].payload, HasSubstr("\"upload_hook_failed\": 1"));
  EXPECT_THAT(sent[0].payload,
              HasSubstr(std::string("\"file\": \"") + kFile + "\", \"id_flux\": \"" + kFlux +
                        "\", \"passages\": 2, \"failures\": 2, "
                        "\"last_result\": \"exit\", \"last_code\": 1"));
  EXPECT_TRUE(sent[0].severity == "urgent");
  // Failing again: not announced again.
  ASSERT_THAT(RunDue(true), SizeIs(1));
  cycle();
  EXPECT_THAT(sent, IsEmpty());
}

TEST_F(UploadHookTest, TheDashboardShowsEachFilesHookState) {
  Configure("exit 2\n");
  ASSERT_THAT(RunDue(), SizeIs(1));
  auto data = DashboardData(*config_, *store_, clock_);
  ASSERT_TRUE(data.has_value());
  auto text = config_->templates->Render("status", *data);
  ASSERT_TRUE(text.has_value());
  EXPECT_THAT(*text, HasSubstr(std::string(kFile) +
                               "  2 passage(s), écrit le 02/03/2026 07:00\n"
                               "    dépôt automatique (deposit.on_publish) : 1 échec(s), le "
                               "dernier le 02/03/2026 07:00 (code de sortie 2) ; nouvel essai "
                               "après le 02/03/2026 07:15"));
}

}  // namespace
}  // namespace accrochd::daemon
