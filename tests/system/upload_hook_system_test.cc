// The upload hook (deposit.on_publish) through the real binary on the demo configuration, as
// issue 10's "done when" puts it: a hook that succeeds marks its file uploaded when configured
// and gets the file's facts in its environment (the SHA-256 compared with sha256sum's); a
// failing hook is retried at the next cycles of `accrochd run`, then alerted once (a real
// webhook receiver, its payload read with Python's json module); a hanging hook is killed at its
// timeout; kill -9 of `accrochd run` while the hook runs leaves no process behind, and the next
// start runs the hook again and marks the file uploaded once (the state store read with the
// sqlite3 CLI). The hooks are /bin/sh scripts that record each run in the test's directory.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
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
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// A process that is gone: no such pid, or a zombie waiting to be reaped.
bool Gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  const std::string stat = ReadAll("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

bool IsReady(const std::string& m) { return HasLine(m, "READY=1"); }

class UploadHookSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(std::string("upload-hook-system.") +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    state_ = dir_ + "/state";
    config_ = dir_ + "/accrochd.yaml";
    hook_ = dir_ + "/deposer.sh";
  }

  // The hook: records each run ("idFlux attempt", one line per run, in runs) and its whole
  // environment (env.ATTEMPT), then runs `body`.
  void WriteHook(const std::string& body) {
    WriteFile(hook_,
              "#!/bin/sh\n"
              "echo \"$ACCROCHD_ID_FLUX $ACCROCHD_ATTEMPT\" >> '" +
                  dir_ +
                  "/runs'\n"
                  "env > '" +
                  dir_ + "/env.'\"$ACCROCHD_ATTEMPT\"\n" + body,
              0755);
  }

  void WriteConfig(const std::string& hook_settings, const std::string& top_level = "",
                   const std::string& certifier_tail = "") {
    WriteFile(config_, DemoConfigWith(state_, top_level + "deposit:\n  on_publish: [" + hook_ +
                                                  ", --destination, depot cdc]\n  hook: " +
                                                  hook_settings + "\n") +
                           certifier_tail);
  }

  std::vector<std::string> Runs() const { return Lines(ReadAll(dir_ + "/runs")); }

  std::unique_ptr<AccrochdProcess> StartRun(NotifySocket& notify, const std::string& log) {
    return std::make_unique<AccrochdProcess>(std::vector<std::string>{"run", "--config", config_},
                                             std::vector<std::string>{notify.Environment()},
                                             dir_ + "/" + log);
  }

  void Stop(AccrochdProcess& run) {
    ASSERT_TRUE(run.Signal(SIGTERM));
    auto status = run.Wait(milliseconds(60000));
    ASSERT_TRUE(status.has_value()) << run.Err();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << DescribeWaitStatus(*status);
  }

  std::string Sqlite(const std::string& query) {
    ShellResult r =
        Shell(Quote(ACCROCHD_SQLITE3) + " " + Quote(state_ + "/state.db") + " " + Quote(query));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }

  std::string dir_, state_, config_, hook_;
};

TEST_F(UploadHookSystemTest, OnceRunsTheHookWhichGetsTheFileAndMarksItUploaded) {
  WriteHook("echo \"deposited $ACCROCHD_FILE_NAME for $1 $2\"\nexit 0\n");
  WriteConfig("{mark_uploaded: true}");
  RunResult check = RunAccrochd({"check", "--no-connect", "--config", config_});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("upload hook: " + hook_ +
                                   " --destination depot cdc (executable), run once per published "
                                   "file, timeout 10min, exit 0 marks the file uploaded, alerted "
                                   "after 3 failures\n"));

  RunResult once = RunAccrochd({"once", "--config", config_}, {"ACCROCHD_TEST_SECRET=leak"});
  ASSERT_EQ(once.exit_code, 0) << once.out << once.err;
  const std::vector<ListedFile> files = ListedFiles(once.out);
  ASSERT_THAT(files, SizeIs(1)) << once.out;
  const ListedFile& file = files[0];
  const std::string name = fs::path(file.path).filename().string();
  EXPECT_THAT(once.out, HasSubstr("\nUpload hook (deposit.on_publish), one run per file:\n  " +
                                  name + "  attempt 1: exit status 0; marked uploaded\n"));
  EXPECT_THAT(once.err, HasSubstr("upload hook, " + name + ": deposited " + name +
                                  " for --destination depot cdc\n"));

  // What the hook was given, checked against sha256sum and the once report.
  ASSERT_THAT(Runs(), ElementsAre(file.id_flux + " 1"));
  const std::string env = ReadAll(dir_ + "/env.1");
  const ShellResult sha = Shell("sha256sum " + Quote(file.path));
  ASSERT_EQ(sha.exit_code, 0) << sha.out;
  ASSERT_GE(sha.out.size(), 64u);
  EXPECT_EQ(sha.out.substr(0, 64), file.sha256);
  for (const std::string& line :
       {"ACCROCHD_FILE=" + file.path, "ACCROCHD_FILE_NAME=" + name,
        "ACCROCHD_ID_FLUX=" + file.id_flux, "ACCROCHD_SHA256=" + sha.out.substr(0, 64),
        "ACCROCHD_PASSAGES=" + std::to_string(file.passages),
        std::string("ACCROCHD_CERTIFICATEUR=DEMO0001"),
        std::string("ACCROCHD_CERTIFIER=institut-exemple"),
        std::string("ACCROCHD_SCHEMA_VERSION=1.1.5"), std::string("ACCROCHD_ATTEMPT=1")}) {
    EXPECT_THAT(env, HasSubstr(line + "\n")) << env;
  }
  EXPECT_THAT(env, ::testing::ContainsRegex("ACCROCHD_PUBLISHED_AT=[0-9-]{10}T[0-9:]{8}Z\n"));
  // A clean environment: what the test gave accrochd does not reach the hook.
  EXPECT_THAT(env, Not(HasSubstr("ACCROCHD_TEST_SECRET")));
  EXPECT_THAT(env, Not(HasSubstr("ACCROCHD_CDC_DIR")));

  // Marked uploaded, through the same path as `deposits mark-uploaded`.
  RunResult deposits = RunAccrochd({"deposits", "--config", config_});
  ASSERT_EQ(deposits.exit_code, 0) << deposits.err;
  EXPECT_THAT(deposits.out, HasSubstr("\thook\n"));
  EXPECT_THAT(deposits.out, HasSubstr(name + "\tuploaded\t"));
  EXPECT_THAT(deposits.out, HasSubstr("\tdone, marked uploaded\n"));
  RunResult status = RunAccrochd({"status", "--json", "--config", config_});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  WriteFile(dir_ + "/status.json", status.out);
  EXPECT_EQ(RunProgram({ACCROCHD_PYTHON3, "-c",
                        "import json, sys\n"
                        "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
                        "assert d['outbox'] == [], d['outbox']\n"
                        "assert d['hook_configured'] is True\n"
                        "[a] = d['awaiting']\n"
                        "assert a['file'] == sys.argv[2], a\n"
                        "assert a['hook']['state'] == 'done', a\n"
                        "assert a['hook']['marked_uploaded'] is True, a\n"
                        "assert a['hook']['attempts'] == 1, a\n",
                        dir_ + "/status.json", name},
                       dir_ + "/json-check.log"),
            0)
      << ReadAll(dir_ + "/json-check.log");
  RunResult text = RunAccrochd({"status", "--config", config_});
  EXPECT_THAT(text.out,
              HasSubstr(name + "  " + std::to_string(file.passages) + " passage(s), déposé le "));
  EXPECT_THAT(text.out, HasSubstr(" par le dépôt automatique"));

  // Done once: a second once has nothing to hook.
  RunResult again = RunAccrochd({"once", "--config", config_});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, Not(HasSubstr("Upload hook")));
  EXPECT_THAT(Runs(), SizeIs(1));
  if (!HasFailure()) fs::remove_all(dir_);
}

TEST_F(UploadHookSystemTest, CheckRefusesAHookThatCannotRun) {
  WriteHook("exit 0\n");
  fs::permissions(hook_, fs::perms::owner_read | fs::perms::owner_write);
  WriteConfig("{mark_uploaded: true}");
  RunResult check = RunAccrochd({"check", "--no-connect", "--config", config_});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.err, HasSubstr(config_ + ":2:16: deposit.on_publish: cannot run " + hook_ +
                                   ": Permission denied (it must be executable by the user "
                                   "accrochd runs as)"));
  WriteFile(config_, DemoConfigWith(state_, "deposit: {on_publish: [deposer.sh]}\n"));
  check = RunAccrochd({"check", "--no-connect", "--config", config_});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.err, HasSubstr(config_ + ":1:24: deposit.on_publish: the program must be an "
                                             "absolute path, found \"deposer.sh\""));
}

TEST_F(UploadHookSystemTest, RunRetriesAFailingHookAtTheNextCyclesThenAlertsOnce) {
  ServerProcess receiver({ACCROCHD_PYTHON3, ACCROCHD_HTTP_RECEIVER, "--dir", dir_ + "/hooks"},
                         dir_ + "/receiver.log");
  WriteHook(
      "echo 'sftp: connect to host depot.exemple.fr port 22: Connection refused' >&2\n"
      "exit 3\n");
  WriteConfig("{alert_after: 2, retry_max_delay: 1min}",
              "run: {interval: 10s}\n"
              "alerts:\n"
              "  webhooks:\n"
              "    equipe: {url: \"http://127.0.0.1:" +
                  std::to_string(receiver.port()) +
                  "/hook\"}\n"
                  "  daily_summary: \"off\"\n",
              "    alerts:\n      - {webhook: equipe}\n");
  NotifySocket notify;
  auto run = StartRun(notify, "run");
  ASSERT_TRUE(notify.WaitFor(IsReady, milliseconds(60000))) << run->Err();
  // Failures 1, 2 and 3: after 10s, then 20s (run.interval, doubling).
  ASSERT_TRUE(WaitUntil([&] { return Runs().size() >= 3; }, milliseconds(120000))) << run->Err();
  // The third failure recorded: the alert of the second was sent in that one's cycle.
  ASSERT_TRUE(run->WaitForLog("(attempt 3): exit status 3", milliseconds(30000))) << run->Err();
  Stop(*run);

  const std::vector<std::string> runs = Runs();
  ASSERT_GE(runs.size(), 3u);
  const std::string flux = runs[0].substr(0, runs[0].find(' '));
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i], flux + " " + std::to_string(i + 1));  // one file, attempt after attempt
  }
  EXPECT_THAT(run->Err(), HasSubstr(" (stderr): sftp: connect to host depot.exemple.fr port 22: "
                                    "Connection refused\n"));
  EXPECT_THAT(run->Err(), HasSubstr("(attempt 1): exit status 3; 1 failure(s), next run after "));
  EXPECT_THAT(run->Err(), HasSubstr("(attempt 2): exit status 3; 2 failure(s), next run after "));
  RunResult deposits = RunAccrochd({"deposits", "--config", config_});
  EXPECT_THAT(deposits.out, HasSubstr("\tpublished\t"));
  EXPECT_THAT(deposits.out, ::testing::ContainsRegex("\twaiting: [0-9]+ failure\\(s\\), last exit "
                                                     "status 3, next run after "));

  // Alerted once: one request, of all the receiver got, lists the file as failing, as new.
  const std::vector<fs::path> requests = RecordedEntries(dir_ + "/hooks", "request-");
  ASSERT_GE(requests.size(), 2u) << receiver.Log();
  std::string bodies;
  for (const fs::path& r : requests) bodies += (r / "body").string() + "\n";
  WriteFile(dir_ + "/bodies", bodies);
  EXPECT_EQ(RunProgram({ACCROCHD_PYTHON3, "-c",
                        "import json, sys\n"
                        "flux = sys.argv[2]\n"
                        "failing = []\n"
                        "for path in open(sys.argv[1]).read().split():\n"
                        "    d = json.load(open(path, encoding='utf-8'))\n"
                        "    failing += [h for h in d['hook_failed']]\n"
                        "assert len(failing) == 1, failing\n"
                        "[h] = failing\n"
                        "assert h['id_flux'] == flux and h['new'] is True, h\n"
                        "assert h['failures'] == 2 and h['last_result'] == 'exit', h\n"
                        "assert h['last_code'] == 3, h\n",
                        dir_ + "/bodies", flux},
                       dir_ + "/json-check.log"),
            0)
      << ReadAll(dir_ + "/json-check.log");
  if (!HasFailure()) fs::remove_all(dir_);
}

TEST_F(UploadHookSystemTest, AHangingHookIsKilledAtItsTimeout) {
  WriteHook("echo $$ > '" + dir_ +
            "/pids'\n"
            "sleep 300 &\n"
            "echo $! >> '" +
            dir_ +
            "/pids'\n"
            "wait\n");
  WriteConfig("{timeout: 2s}");
  RunResult once = RunAccrochd({"once", "--config", config_});
  EXPECT_EQ(once.exit_code, 2) << once.out << once.err;
  EXPECT_THAT(once.out, ::testing::ContainsRegex(
                            "  DEMO0001_[0-9T]+Z_001\\.xml  attempt 1: timed out after 2s; 1 "
                            "failure, runs again after [0-9-]+T[0-9:]+Z \\(the log has its "
                            "output\\)\n"));
  const std::vector<std::string> pids = Lines(ReadAll(dir_ + "/pids"));
  ASSERT_THAT(pids, SizeIs(2));
  for (const std::string& pid : pids) {
    EXPECT_TRUE(WaitUntil([&] { return Gone(std::stoi(pid)); }, milliseconds(15000))) << pid;
  }
  RunResult status = RunAccrochd({"status", "--config", config_});
  EXPECT_THAT(status.out, HasSubstr("dépôt automatique (deposit.on_publish) : 1 échec(s), le "
                                    "dernier le "));
  EXPECT_THAT(status.out, HasSubstr("(délai dépassé (deposit.hook.timeout), arrêtée)"));
  if (!HasFailure()) fs::remove_all(dir_);
}

TEST_F(UploadHookSystemTest, KillNineWhileTheHookRunsRunsItAgainAndMarksTheFileUploadedOnce) {
  // The first run hangs (with a child of its own); the next one succeeds.
  WriteHook(
      "if [ \"$ACCROCHD_ATTEMPT\" = 1 ]; then\n"
      "  echo $$ > '" +
      dir_ +
      "/pids'\n"
      "  sleep 300 &\n"
      "  echo $! >> '" +
      dir_ +
      "/pids'\n"
      "  wait\n"
      "fi\n"
      "exit 0\n");
  WriteConfig("{mark_uploaded: true}", "run: {interval: 10s}\n");
  NotifySocket notify;
  auto run = StartRun(notify, "run");
  ASSERT_TRUE(
      WaitUntil([&] { return Lines(ReadAll(dir_ + "/pids")).size() == 2; }, milliseconds(120000)))
      << run->Err();
  const int killed = run->Kill();
  ASSERT_TRUE(WIFSIGNALED(killed) && WTERMSIG(killed) == SIGKILL) << DescribeWaitStatus(killed);
  // No orphan: the hook and what it started die with accrochd.
  for (const std::string& pid : Lines(ReadAll(dir_ + "/pids"))) {
    EXPECT_TRUE(WaitUntil([&] { return Gone(std::stoi(pid)); }, milliseconds(30000))) << pid;
  }
  RunResult deposits = RunAccrochd({"deposits", "--config", config_});
  EXPECT_THAT(deposits.out, HasSubstr("\tpublished\t"));
  EXPECT_THAT(deposits.out, HasSubstr("\trunning (attempt 1)\n"));

  // The next start runs it again, at its first cycle; the file is marked uploaded.
  const std::size_t from = notify.messages().size();
  run = StartRun(notify, "run2");
  ASSERT_TRUE(notify.WaitFor(IsReady, milliseconds(60000), from)) << run->Err();
  ASSERT_TRUE(run->WaitForLog("upload hook succeeded for ", milliseconds(60000))) << run->Err();
  Stop(*run);
  const std::vector<std::string> runs = Runs();
  ASSERT_THAT(runs, SizeIs(2));
  const std::string flux = runs[0].substr(0, runs[0].find(' '));
  EXPECT_THAT(runs, ElementsAre(flux + " 1", flux + " 2"));
  EXPECT_THAT(run->Err(), HasSubstr("(attempt 1) did not end while accrochd ran (it was stopped "
                                    "or killed); running it again"));
  EXPECT_EQ(Occurrences(run->Err(), " marked uploaded to the CDC portal by the upload hook; "), 1u);
  deposits = RunAccrochd({"deposits", "--config", config_});
  EXPECT_THAT(deposits.out, HasSubstr("\tuploaded\t"));
  EXPECT_THAT(deposits.out, HasSubstr("\tdone, marked uploaded\n"));

  // Marked once, never twice: one "deposited" event per passage of the file.
  const std::string passages = Sqlite("SELECT passages FROM deposits WHERE state = 'uploaded'");
  ASSERT_FALSE(passages.empty());
  EXPECT_GT(std::stoi(passages), 100);
  EXPECT_EQ(Sqlite("SELECT COUNT(*) FROM events WHERE kind = 'deposited'"), passages);
  EXPECT_EQ(Sqlite("SELECT COUNT(DISTINCT id_technique) FROM events WHERE kind = 'deposited'"),
            passages);
  EXPECT_EQ(Sqlite("SELECT state || ' ' || attempts || ' ' || failures || ' ' || marked_uploaded "
                   "FROM deposit_hooks"),
            "done 2 0 1");
  if (!HasFailure()) fs::remove_all(dir_);
}

}  // namespace
}  // namespace accrochd::testing
