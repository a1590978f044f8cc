// kill -9 of `accrochd once` at 20 random moments loses no passage, sends none twice, and leaves
// only complete, valid files in outbox/.
//
// The demo schema is filled with 30,000 more admitted passages, so that one run writes 16 files
// of 2,000 passages over a few seconds; runs are killed at random moments spread over its
// measured duration, and after each kill the state directory is checked with tools that are not
// accrochd's (xmllint and the official XSD, sha256sum, zstd, the sqlite3 CLI on state.db): see
// deposit_ledger.h. The delays come from a seeded std::mt19937: the seed is printed, and
// ACCROCHD_KILL9_SEED=<seed> replays the same delays.
//
// A passage already in a published file is not written again by later runs, so once one run
// has published everything, later runs on the same state have nothing to write and a kill there
// tests little. The kills therefore go in rounds: a round starts from an empty state directory,
// its runs are killed one after the other on that state, and it ends with the first run that
// completes before its kill. At the end of a round -- and after the final complete run -- every
// valid idTechnique of the source (those of the files of a measuring run) is in exactly one of
// the files the round's outbox ever held.
//
// What a kill may leave, from connectors/deposit/publisher.cc and deposit_session.cc (the store
// records a file "publishing" before its rename into outbox/ and "published" after Publish,
// which also archives a compressed copy and appends the manifest line, one file at a time, in
// the order of their names):
//   * outbox/NAME.xml: only complete and valid, whatever the moment -- the requirement;
//   * hidden .partial files, in outbox/ (".NAME.xml.partial", ".NAME.xml.N.partial" for a
//     rewrite) and in archive/YYYY/MM/ (".NAME.xml.zst.partial"): allowed until the next start,
//     which removes them all and says so;
//   * a kill after the rename into outbox/ but before the manifest line leaves a complete, valid
//     outbox file without its manifest line (and perhaps without its archived copy), recorded
//     "publishing" in the store. At most ONE such file per kill, the last one published; the
//     next start settles it (published, archived, manifest line appended);
//   * every manifest line names a file that was in the outbox with that very sha256 and passage
//     count, and its archived copy exists and decompresses to the same bytes.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/cdc_files.h"
#include "tests/support/run_binary.h"
#include "tests/system/deposit_checks.h"
#include "tests/system/deposit_ledger.h"

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;

using ::testing::HasSubstr;

constexpr int kKills = 20;
constexpr std::uint64_t kPassagesPerFile = 2000;

// 30,000 more candidates, each with one admitted result delivered 1 to 90 days ago, appended to
// demo/demo.sql in the same sqlite3 session (its TEMP name lists are still there). Birth dates,
// names and certifications vary together, so that no two passages look like the same holder.
constexpr const char* kMorePassages = R"sql(
WITH RECURSIVE seq(n) AS (SELECT 211 UNION ALL SELECT n + 1 FROM seq WHERE n < 30210)
INSERT INTO candidat (id, civilite, nom_naissance, nom_usage, prenoms, date_naissance,
                      code_insee_naissance, code_postal_naissance, commune_naissance,
                      pays_naissance, courriel)
SELECT n, CASE WHEN n % 2 = 0 THEN 'Mme' ELSE 'M.' END,
       (SELECT v FROM nom WHERE i = (n * 7) % 156), NULL,
       (SELECT v FROM prenom WHERE i = (CASE WHEN n % 2 = 0 THEN 0 ELSE 20 END) + (n * 3) % 20),
       printf('%02d/%02d/%04d', 1 + n % 28, 1 + (n / 28) % 12, 1950 + (n / 336) % 50),
       (SELECT insee FROM commune WHERE i = n % 15), (SELECT cp FROM commune WHERE i = n % 15),
       (SELECT nom FROM commune WHERE i = n % 15), (SELECT pays FROM commune WHERE i = n % 15),
       NULL
FROM seq;
INSERT INTO resultat (id, candidat_id, certification_id, admis, date_delivrance, date_examen,
                      mention, voie_acces, score, modalite, modifie_le)
SELECT 1000 + id, id, 1 + id % 3, 1,
       date('now', printf('-%d days', 1 + id % 90)),
       date('now', printf('-%d days', 22 + id % 90)),
       CASE WHEN 1 + id % 3 = 3 THEN NULL ELSE 'Bien' END,
       'Formation continue',
       CASE WHEN 1 + id % 3 = 3 THEN CAST(400 + id % 600 AS TEXT) END,
       'présentiel',
       datetime('now', printf('-%d days', id % 90))
FROM candidat WHERE id > 210;
)sql";

// Starts `accrochd once --config config` without waiting for it; stdout and stderr go to
// `log`.out and `log`.err.
pid_t SpawnOnce(const std::string& config, const std::string& log) {
  return SpawnAccrochd({"once", "--config", config}, {}, log);
}

// The base names of the files `accrochd once` listed.
std::set<std::string> ListedNames(const std::string& once_output) {
  std::set<std::string> names;
  for (const ListedFile& f : ListedFiles(once_output)) {
    names.insert(fs::path(f.path).filename().string());
  }
  return names;
}

// `once` logs "mapping ...: N rows read" only after its start: the outbox was prepared (partial
// files removed) and the deposits a kill left half-recorded were settled.
bool PastStart(const std::string& log) { return log.find(" rows read") != std::string::npos; }

// The demo's configuration over `database`, its state in `state`; with `cursor`, its mappings
// copied into `dir` with a cursor on the result's modification time, so that each run ends by
// moving the mappings' bookmarks (see WithCursors).
std::string Kill9Config(const std::string& dir, const std::string& state,
                        const std::string& top_level, const std::string& database, bool cursor) {
  std::string text = DemoConfigWith(state, top_level, database);
  if (!cursor) return text;
  static const std::regex kMapping(R"(\n( *)- ([^\n]*/)?([a-z-]+\.yaml))");
  std::string out;
  std::smatch m;
  std::string rest = text;
  while (std::regex_search(rest, m, kMapping)) {
    const std::string copy = dir + "/cursor-" + m[3].str();
    std::string mapping = ReadFile(m[2].str() + m[3].str());
    static const std::regex kKey(R"((^|\n)key: [^\n]*\n)");
    if (!std::regex_search(mapping, kKey)) throw std::runtime_error("no key: in " + m[3].str());
    mapping = std::regex_replace(mapping, kKey, "$&cursor: {column: modifie_le}\n");
    WriteFile(copy, mapping);
    out += m.prefix().str() + "\n" + m[1].str() + "- " + copy;
    rest = m.suffix().str();
  }
  if (out.empty()) throw std::runtime_error("no mapping in the demo's configuration");
  return out + rest;
}

// The test, with or without cursors on the mappings. With them, a run's last batch of each
// mapping carries its bookmark, which must never pass a passage not yet in the store: the
// passages held in memory for their deposit file's record make it wait until they are written
// (staged_passages.h), and a kill meanwhile leaves the bookmark where it was, so the next run
// reads their rows again.
void KillNineAtTwentyRandomMoments(bool cursor) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  if (!HaveXmllint()) FAIL() << kNoXmllint;
  const auto test_started = std::chrono::steady_clock::now();
  const std::string dir = MakeTempDir(cursor ? "kill9-cursor" : "kill9");
  const std::string database = dir + "/big.db";

  WriteFile(dir + "/big.sql",
            ReadFile(std::string(ACCROCHD_SOURCE_DIR) + "/demo/demo.sql") + kMorePassages);
  ShellResult sqlite = Shell(Quote(ACCROCHD_SQLITE3) + " -bail " + Quote(database) + " < " +
                             Quote(dir + "/big.sql"));
  ASSERT_EQ(sqlite.exit_code, 0) << sqlite.out;

  const std::string deposit =
      "deposit: {max_passages_per_file: " + std::to_string(kPassagesPerFile) + "}\n";
  WriteFile(dir + "/measure.yaml",
            Kill9Config(dir, dir + "/measure-state", deposit, database, cursor));

  // One full run, timed: the kills are spread over its duration. Its files say which
  // idTechniques are valid.
  const auto measure_started = std::chrono::steady_clock::now();
  RunResult full = RunAccrochd({"once", "--config", dir + "/measure.yaml"});
  const auto duration = std::chrono::steady_clock::now() - measure_started;
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const std::uint64_t valid_count = ValidCount(full.out);
  const std::uint64_t not_due = NotDueCount(full.out);
  EXPECT_GT(not_due, 0u) << "the demo has passages delivered in the future\n" << full.out;
  ASSERT_GE(valid_count, 30000u) << full.out;
  const std::size_t files_per_run = (valid_count + kPassagesPerFile - 1) / kPassagesPerFile;
  const std::vector<ListedFile> measured = ListedFiles(full.out);
  ASSERT_EQ(measured.size(), files_per_run) << full.out;
  std::set<std::string> valid;
  for (const ListedFile& f : measured) {
    for (std::string& id : IdTechniquesOf(ReadFile(f.path))) {
      ASSERT_TRUE(valid.insert(std::move(id)).second) << "the measuring run repeats an id";
    }
  }
  ASSERT_EQ(valid.size(), valid_count);
  fs::remove_all(dir + "/measure-state");

  std::uint32_t seed = std::random_device{}();
  if (const char* fixed = std::getenv("ACCROCHD_KILL9_SEED"); fixed != nullptr && *fixed != 0) {
    seed = static_cast<std::uint32_t>(std::stoul(fixed));
  }
  const double run_ms = std::chrono::duration<double, std::milli>(duration).count();
  std::cout << "kill9: seed " << seed << " (ACCROCHD_KILL9_SEED=" << seed
            << " replays these delays); a full run takes " << static_cast<int>(run_ms)
            << " ms and publishes " << files_per_run << " files of " << valid_count
            << " passages\n";
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> delay_ms(0.0, run_ms);

  int round = 0;
  std::string config, state;
  std::unique_ptr<OutboxObserver> observer;
  auto start_round = [&] {
    ++round;
    state = dir + "/state-" + std::to_string(round);
    config = dir + "/accrochd-" + std::to_string(round) + ".yaml";
    WriteFile(config, Kill9Config(dir, state, deposit, database, cursor));
    observer = std::make_unique<OutboxObserver>(state, config, xsd, "DEMO0001");
  };
  // The end of a round: a run completed; everything valid is in exactly one file.
  auto end_round = [&](const RunResult& run, const OutboxObserver::Found& found) {
    if (cursor) {
      // A killed run may have moved a bookmark past the rows whose passages it wrote (never
      // past one it did not): the completing run reads those again, or not.
      EXPECT_LE(ValidCount(run.out), valid.size()) << run.out;
    } else {
      EXPECT_EQ(ValidCount(run.out), valid.size()) << run.out;
    }
    EXPECT_EQ(ListedNames(run.out), found.fresh)
        << "the files the run listed are those it published";
    EXPECT_EQ(found.without_line, 0u);
    EXPECT_EQ(found.partials, 0u);
    observer->ExpectComplete(valid, not_due);
    std::cout << "kill9: round " << round << " complete: " << valid.size()
              << " passages in exactly one of its " << observer->files() << " files\n";
    observer.reset();
    if (!::testing::Test::HasFailure()) fs::remove_all(state);  // some 40 MB a round
  };

  std::size_t killed = 0, published = 0, without_line = 0, partials_left = 0;
  for (int i = 1; i <= kKills; ++i) {
    if (!observer) start_round();
    const double delay = delay_ms(random);
    const std::string log = dir + "/run";
    const pid_t pid = SpawnOnce(config, log);
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<long>(delay * 1000)));
    // The child is not reaped before waitpid(): the pid is still its own, even if it has ended.
    ASSERT_EQ(::kill(pid, SIGKILL), 0) << std::strerror(errno);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    const bool was_killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    const RunResult run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(log + ".out"),
                        ReadFile(log + ".err")};
    if (!was_killed) {
      // It ended before the kill: it must have ended well.
      ASSERT_EQ(run.exit_code, 0) << "run " << i << " ended with status " << status << "\n"
                                  << run.out << run.err;
    }
    killed += was_killed ? 1 : 0;
    SCOPED_TRACE("round " + std::to_string(round) + ", run " + std::to_string(i) +
                 ", killed after " + std::to_string(delay) + " ms");
    observer->SetLog(run.err);
    const OutboxObserver::Found found = observer->Check(!was_killed || PastStart(run.err));
    if (::testing::Test::HasFatalFailure()) return;
    published += found.new_files;
    without_line += found.without_line;
    std::cout << "kill9: round " << round << ", run " << i
              << (was_killed ? " killed after " : " ended before the kill at ")
              << static_cast<int>(delay) << " ms: " << found.new_files << " file(s) published ("
              << found.without_line << " without its manifest line), " << found.partials
              << " partial file(s) left, " << observer->store().Count("pending")
              << " passage(s) pending\n";
    if (!was_killed) end_round(run, found);
  }

  // The last round ends with a run to completion: its start removes every partial file the
  // kills left and settles a file left half-recorded; it ends well.
  if (observer) {
    partials_left = PartialFiles(state).size();
    RunResult last = RunAccrochd({"once", "--config", config});
    ASSERT_EQ(last.exit_code, 0) << last.err;
    if (partials_left > 0) {
      EXPECT_THAT(last.err, HasSubstr("removed " + std::to_string(partials_left) +
                                      " partial deposit file(s) left by an interrupted run"));
    }
    observer->SetLog(last.err);
    const OutboxObserver::Found found = observer->Check(true);
    end_round(last, found);
  }

  std::cout
      << "kill9: " << killed << " of " << kKills << " runs killed over " << round << " round(s), "
      << published << " files published by them (" << without_line
      << " without their manifest line at the kill), " << partials_left
      << " partial file(s) removed by the last run; "
      << static_cast<int>(
             std::chrono::duration<double>(std::chrono::steady_clock::now() - test_started).count())
      << " s in all\n";
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);  // the database weighs some 10 MB
}

TEST(Kill9SystemTest, KillNineAtTwentyRandomMomentsLosesNoPassageAndSendsNoneTwice) {
  KillNineAtTwentyRandomMoments(/*cursor=*/false);
}

TEST(Kill9SystemTest, WithCursorsKillNineAtTwentyRandomMomentsLosesNoPassageAndSendsNoneTwice) {
  KillNineAtTwentyRandomMoments(/*cursor=*/true);
}

}  // namespace
}  // namespace accrochd::testing
