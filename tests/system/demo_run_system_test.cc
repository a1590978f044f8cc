// `accrochd run` on the demo configuration, as issue 5's "done when" puts it: it starts, reports
// READY and its STATUS line, cuts a deposit (the demo has passages close to their deadline, so
// the planner deposits at once), survives a reload with a broken configuration and a kill -9,
// and `accrochd status` then shows every demo passage with its deadline. Only the SQLite ODBC
// driver is needed: no database server.
#include <chrono>
#include <filesystem>
#include <regex>
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

// Three admitted candidates more for RNCP35830 (mapping gestionnaire-paie, idTechnique
// IEF-<resultat.id>), appended to demo/demo.sql in the same sqlite3 session.
constexpr const char* kNewRows = R"sql(
INSERT INTO candidat (id, civilite, nom_naissance, nom_usage, prenoms, date_naissance,
                      code_insee_naissance, code_postal_naissance, commune_naissance,
                      pays_naissance, courriel)
VALUES (9001, 'Mme', 'Valmont', NULL, 'Julie', '12/04/1988', '75056', '75001', 'Paris', NULL, NULL),
       (9002, 'M.', 'Sorel', NULL, 'Marc', '03/11/1979', '69123', '69001', 'Lyon', NULL, NULL),
       (9003, 'Mme', 'Ravel', NULL, 'Anne Claire', '27/06/1995', '13055', '13001', 'Marseille',
        NULL, NULL);
INSERT INTO resultat (id, candidat_id, certification_id, admis, date_delivrance, date_examen,
                      mention, voie_acces, score, modalite, modifie_le)
SELECT id, id, 1, 1, date('now', '-2 days'), date('now', '-20 days'), 'Bien',
       'Formation continue', NULL, 'présentiel', datetime('now')
FROM candidat WHERE id > 9000;
)sql";

// Builds a SQLite database at `path` from demo/demo.sql plus `more`, with the sqlite3 CLI.
void MakeDemoDatabase(const std::string& path, const std::string& more) {
  WriteFile(path + ".sql", ReadFile(std::string(ACCROCHD_SOURCE_DIR) + "/demo/demo.sql") + more);
  ShellResult sqlite =
      Shell(Quote(ACCROCHD_SQLITE3) + " -bail " + Quote(path) + " < " + Quote(path + ".sql"));
  ASSERT_EQ(sqlite.exit_code, 0) << sqlite.out;
}

// Between two cycles, the daemon gives back to the system what the cycle freed (core/allocator.h),
// and says so at debug level: with jemalloc, freed pages are otherwise returned only as the
// process allocates again, and an idle daemon would keep its last cycle's peak.
TEST(DemoRunSystemTest, BetweenCyclesTheFreedMemoryGoesBackToTheSystem) {
  const std::string dir = MakeTempDir("demo-run-memory");
  const std::string state = dir + "/state", config = dir + "/accrochd.yaml";
  const std::string database = dir + "/ecole.db";
  ASSERT_NO_FATAL_FAILURE(MakeDemoDatabase(database, ""));
  WriteFile(config, DemoConfigWith(state, "run: {interval: 10s}\n", database));

  NotifySocket notify;
  AccrochdProcess run({"run", "--verbose", "--config", config}, {notify.Environment()},
                      dir + "/run");
  const std::string said = "memory: the allocator (";
  auto line_at = run.WaitForLog(said, std::chrono::milliseconds(60000));
  ASSERT_TRUE(line_at) << run.Err();
  const std::string log = run.Err();
  const std::size_t start = log.rfind('\n', *line_at) + 1;
  const std::string line = log.substr(start, log.find('\n', *line_at) - start);
  // "memory: the allocator (jemalloc 5.3.0) held 9.4 MB after the cycle, 3.1 MB once its free
  // pages were returned"
  const std::regex shape(
      "accrochd: debug: memory: the allocator \\(([a-z]+) [0-9.]+\\) held ([0-9.]+) (B|kB|MB|GB) "
      "after the cycle, ([0-9.]+) (B|kB|MB|GB) once its free pages were returned");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(line, m, shape)) << line;
  EXPECT_EQ(m[1].str(), ACCROCHD_WITH_JEMALLOC ? "jemalloc" : "glibc");
  auto bytes = [](const std::string& number, const std::string& unit) {
    const double factor = unit == "GB" ? 1e9 : unit == "MB" ? 1e6 : unit == "kB" ? 1e3 : 1;
    return std::stod(number) * factor;
  };
  const double held = bytes(m[2].str(), m[3].str()), kept = bytes(m[4].str(), m[5].str());
  EXPECT_GT(held, 0) << line;
  EXPECT_LE(kept, held) << line;
  // Said after the cycle's status, before the sleep: the daemon goes on to its next cycle.
  EXPECT_TRUE(notify.WaitFor(IsCycleStatus, std::chrono::milliseconds(1000)).has_value());
  ASSERT_TRUE(run.Signal(SIGTERM));
  auto status = run.Wait(std::chrono::milliseconds(10000));
  ASSERT_TRUE(status.has_value()) << run.Err();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << run.Err();
}

// Issue 14: the SQLite source removed, replaced by rename with a file holding new rows (as most
// tools refresh a file), then put back, while `accrochd run` runs. Nothing is created at the
// path while it is missing, each cycle says which source and which file, and every new file is
// read from the next cycle on.
TEST(DemoRunSystemTest, SqliteSourceRemovedReplacedByRenameAndRestored) {
  const std::string dir = MakeTempDir("demo-run-sqlite");
  const std::string state = dir + "/state", config = dir + "/accrochd.yaml";
  const std::string database = dir + "/ecole.db", saved = dir + "/ecole-saved.db",
                    fresh = dir + "/ecole-new.db";
  ASSERT_NO_FATAL_FAILURE(MakeDemoDatabase(database, ""));
  ASSERT_NO_FATAL_FAILURE(MakeDemoDatabase(fresh, kNewRows));
  WriteFile(config, DemoConfigWith(state, "run: {interval: 10s}\n", database));

  NotifySocket notify;
  AccrochdProcess run({"run", "--config", config}, {notify.Environment()}, dir + "/run");
  auto ready = notify.WaitFor(IsReady, std::chrono::milliseconds(60000));
  ASSERT_TRUE(ready) << run.Err();
  auto cycle = notify.WaitFor(IsCycleStatus, std::chrono::milliseconds(60000), *ready);
  ASSERT_TRUE(cycle) << run.Err();
  const std::string rows_read = "mapping \"gestionnaire-paie\": ";
  ASSERT_THAT(run.Err(), HasSubstr(rows_read));

  // Removed: the next cycles fail with the source and the path named; no file appears.
  std::size_t from = run.Err().size();
  fs::rename(database, saved);
  const std::string missing =
      "source \"ecole\": cannot connect: the SQLite database file " + database + " does not exist";
  auto first_error = run.WaitForLog(missing, std::chrono::milliseconds(30000), from);
  ASSERT_TRUE(first_error) << run.Err().substr(from);
  EXPECT_THAT(run.Err().substr(from), HasSubstr("certifier \"institut-exemple\": " + missing));
  auto second_error = run.WaitForLog(missing, std::chrono::milliseconds(30000), *first_error);
  ASSERT_TRUE(second_error) << run.Err().substr(from);
  EXPECT_FALSE(fs::exists(database)) << "a file was created at the source's path";
  EXPECT_TRUE(run.running());

  // Replaced by rename with a file holding three new passages: read at the next cycle.
  from = run.Err().size();
  fs::rename(fresh, database);
  auto read_again = run.WaitForLog(rows_read, std::chrono::milliseconds(30000), from);
  ASSERT_TRUE(read_again) << run.Err().substr(from);
  EXPECT_THAT(run.Err().substr(from), HasSubstr("source \"ecole\": reachable again"));
  const std::string after_new = run.Err().substr(*read_again);
  EXPECT_THAT(after_new.substr(0, after_new.find('\n')), HasSubstr(", 3 new"));
  RunResult status = RunAccrochd({"status", "--all", "--config", config});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  for (const char* id : {"IEF-9001", "IEF-9002", "IEF-9003"}) {
    EXPECT_THAT(status.out, HasSubstr(std::string("\n  ") + id + "  "));
  }

  // The old file put back by rename over the new one: the daemon sees another file and reads it.
  from = run.Err().size();
  fs::rename(saved, database);
  auto replaced = run.WaitForLog(
      "source \"ecole\": the database file " + database + " was replaced; reconnecting",
      std::chrono::milliseconds(30000), from);
  ASSERT_TRUE(replaced) << run.Err().substr(from);
  auto read_old = run.WaitForLog(rows_read, std::chrono::milliseconds(30000), *replaced);
  ASSERT_TRUE(read_old) << run.Err().substr(from);
  EXPECT_THAT(run.Err().substr(from), Not(HasSubstr("does not exist")));

  ASSERT_TRUE(run.Signal(SIGTERM));
  auto stopped = run.Wait(std::chrono::milliseconds(30000));
  ASSERT_TRUE(stopped) << run.Err();
  EXPECT_TRUE(WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0) << DescribeWaitStatus(*stopped);
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace accrochd::testing
