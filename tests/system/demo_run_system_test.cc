// `accrochd run` on the demo configuration, as issue 5's "done when" puts it: it starts, reports
// READY and its STATUS line, cuts a deposit (the demo has passages close to their deadline, so
// the planner deposits at once), survives a reload with a broken configuration and a kill -9,
// and `accrochd status` then shows every demo passage with its deadline. Only the SQLite ODBC
// driver is needed: no database server.
#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <signal.h>
#include <sys/wait.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/daemon_process.h"
#include "tests/support/run_binary.h"
#include "tests/system/deposit_checks.h"
#include "tests/system/deposit_ledger.h"

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

bool IsReady(const std::string& m) { return HasLine(m, "READY=1"); }
bool IsCycleStatus(const std::string& m) {
  return m.find("STATUS=") != std::string::npos && !HasLine(m, "READY=1") &&
         !HasLine(m, "STOPPING=1");
}

std::vector<std::string> OutboxFiles(const std::string& state) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state + "/outbox", ec)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".xml") && !name.starts_with(".")) files.push_back(e.path().string());
  }
  return files;
}

TEST(DemoRunSystemTest, ReadyStatusDepositBrokenReloadKillNineAndStatus) {
  const std::string dir = MakeTempDir("demo-run");
  const std::string state = dir + "/state", config = dir + "/accrochd.yaml";
  WriteFile(config, DemoConfigWith(state, "run: {interval: 10s}\n"));

  NotifySocket notify;
  auto run = std::make_unique<AccrochdProcess>(std::vector<std::string>{"run", "--config", config},
                                               std::vector<std::string>{notify.Environment()},
                                               dir + "/run");
  auto ready = notify.WaitFor(IsReady, std::chrono::milliseconds(60000));
  ASSERT_TRUE(ready) << run->Err();
  auto cycle = notify.WaitFor(IsCycleStatus, std::chrono::milliseconds(60000), *ready);
  ASSERT_TRUE(cycle) << run->Err();
  // Those not due yet stay pending; 3 quarantined; the valid ones are in the file at once,
  // some being urgent. (The demo's dates follow its build day: the counts vary by a few.)
  EXPECT_THAT(*notify.Value(*cycle, "STATUS"),
              ::testing::MatchesRegex("[0-9]+ en attente, [0-9]+ à échéance < 14 j, 3 en "
                                      "quarantaine, 1 fichier\\(s\\) à déposer, prochain cycle "
                                      "[0-9]{2}:[0-9]{2}"));
  std::vector<std::string> files = OutboxFiles(state);
  ASSERT_EQ(files.size(), 1u) << run->Err();
  const std::vector<std::string> ids = IdTechniquesOf(ReadFile(files[0]));
  EXPECT_GE(ids.size(), 160u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());

  // A broken configuration: refused, the running one kept.
  const std::string good = ReadFile(config);
  WriteFile(config, good + "unknown_key: 1\n");
  std::size_t from = notify.messages().size();
  ASSERT_TRUE(run->Signal(SIGHUP));
  auto refused = notify.WaitFor(
      [](const std::string& m) {
        return IsReady(m) && m.find("rechargement refusé") != std::string::npos;
      },
      std::chrono::milliseconds(30000), from);
  ASSERT_TRUE(refused) << run->Err();
  EXPECT_THAT(run->Err(), HasSubstr("unknown_key"));
  EXPECT_TRUE(run->running());

  // kill -9, then a new start on the same state: nothing is deposited twice.
  const int killed = run->Kill();
  ASSERT_TRUE(WIFSIGNALED(killed) && WTERMSIG(killed) == SIGKILL) << DescribeWaitStatus(killed);
  WriteFile(config, good);
  from = notify.messages().size();
  run = std::make_unique<AccrochdProcess>(std::vector<std::string>{"run", "--config", config},
                                          std::vector<std::string>{notify.Environment()},
                                          dir + "/run2");
  ready = notify.WaitFor(IsReady, std::chrono::milliseconds(60000), from);
  ASSERT_TRUE(ready) << run->Err();
  cycle = notify.WaitFor(IsCycleStatus, std::chrono::milliseconds(60000), *ready);
  ASSERT_TRUE(cycle) << run->Err();
  EXPECT_THAT(*notify.Value(*cycle, "STATUS"), HasSubstr("1 fichier(s) à déposer"));
  EXPECT_EQ(OutboxFiles(state).size(), 1u) << "a second file after the restart";
  EXPECT_THAT(PartialFiles(state), ::testing::IsEmpty());

  // The dashboard, beside the running daemon: every demo passage with its deadline.
  RunResult status = RunAccrochd({"status", "--all", "--config", config});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("Toutes les échéances (189 passage(s) pas encore accepté(s))"));
  for (const std::string& id : ids) EXPECT_THAT(status.out, HasSubstr("\n  " + id + "  "));
  EXPECT_THAT(status.out, HasSubstr(fs::path(files[0]).filename().string()));

  ASSERT_TRUE(run->Signal(SIGTERM));
  auto stopped = run->Wait(std::chrono::milliseconds(30000));
  ASSERT_TRUE(stopped) << run->Err();
  EXPECT_TRUE(WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0) << DescribeWaitStatus(*stopped);
  EXPECT_TRUE(notify.WaitFor([](const std::string& m) { return HasLine(m, "STOPPING=1"); },
                             std::chrono::milliseconds(1000), from));
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace accrochd::testing
