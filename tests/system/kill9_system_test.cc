// kill -9 of `accrochd once` at 20 random moments leaves only complete, valid files in outbox/.
//
// The demo schema is filled with 30,000 more admitted passages, so that one run writes 16 files
// of 2,000 passages over a second or so; the run is killed at random moments spread over its
// measured duration, and after each kill the state directory is checked with tools that are not
// accrochd's (xmllint and the official XSD, sha256sum, gzip). The delays come from a seeded
// std::mt19937: the seed is printed, and ACCROCHD_KILL9_SEED=<seed> replays the same delays.
//
// What a kill may leave, from connectors/deposit/publisher.cc (Publish: sha256 of the partial,
// DurableRename into outbox/, compressed copy written as a hidden partial then renamed, manifest
// line appended and fsynced -- one file at a time, in the order of their names):
//   * outbox/NAME.xml: only complete and valid, whatever the moment -- the requirement;
//   * hidden .partial files, in outbox/ (".NAME.xml.partial", ".NAME.xml.N.partial" for a
//     rewrite) and in archive/YYYY/MM/ (".NAME.xml.gz.partial"): allowed until the next start,
//     which removes them all;
//   * a kill after the rename into outbox/ but before the manifest line is written leaves a
//     complete, valid outbox file without its manifest line (and perhaps without its archived
//     copy). That is accepted: the file itself is right to deposit, only the bookkeeping lags.
//     Since files are published one after the other, at most ONE such file per kill, and it is
//     the last one that run published (the greatest name among its files);
//   * every manifest line names a file that was in the outbox with that very sha256 and passage
//     count, and its archived copy exists and decompresses to the same bytes.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/cdc_files.h"
#include "tests/support/run_binary.h"
#include "tests/system/deposit_checks.h"

extern char** environ;

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;

using ::testing::HasSubstr;
using ::testing::IsEmpty;

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

// ".DEMO0001_20261127T013012Z_001.xml.partial", or ".N.partial" for a file written again.
const std::regex kOutboxPartial(
    R"(\.DEMO0001_[0-9]{8}T[0-9]{6}Z_[0-9]{3}\.xml(\.[0-9]+)?\.partial)");

// Starts `accrochd once --config config` without waiting for it; stdout and stderr go to
// `log`.out and `log`.err.
pid_t SpawnOnce(const std::string& config, const std::string& log) {
  std::vector<std::string> argv_storage = {ACCROCHD_BIN, "once", "--config", config};
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    // As RunAccrochd: the test decides these.
    if (entry.starts_with("CREDENTIALS_DIRECTORY=") || entry.starts_with("STATE_DIRECTORY=") ||
        entry.starts_with("CONFIGURATION_DIRECTORY=") || entry.starts_with("JOURNAL_STREAM=")) {
      continue;
    }
    env_storage.push_back(entry);
  }
  std::vector<char*> envp;
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string out = log + ".out", err = log + ".err";
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot run accrochd: ") + std::strerror(rc));
  return pid;
}

// What one check of the state directory found.
struct Found {
  std::size_t published = 0;     // complete files in outbox/
  std::size_t without_line = 0;  // of which without their manifest line
  std::size_t partials = 0;      // hidden partial files in outbox/
};

// Checks outbox/ and the manifest lines written since the last check (`manifest_seen` lines
// were already checked), then removes the outbox files checked, as the staff do once they have
// uploaded them (and 16 files of 3 MB a run would otherwise pile up). `completed`: the run was
// not killed, and listed `expected_files` in its output.
Found CheckState(const std::string& state, const std::string& xsd, std::size_t& manifest_seen,
                 bool completed, std::size_t expected_files) {
  Found found;
  const std::string outbox = state + "/outbox";
  if (!fs::exists(outbox)) return found;  // killed before its start created the directories
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(outbox)) {
    const std::string name = entry.path().filename().string();
    if (std::regex_match(name, kDepositName) && entry.is_regular_file()) {
      files.push_back(entry.path().string());
    } else if (std::regex_match(name, kOutboxPartial)) {
      ++found.partials;
    } else {
      ADD_FAILURE() << "unexpected entry in the outbox: " << name;
    }
  }
  std::sort(files.begin(), files.end());
  found.published = files.size();

  if (!files.empty()) {
    ShellResult lint = Xmllint(xsd, files);
    EXPECT_EQ(lint.exit_code, 0) << lint.out;
    for (const std::string& f : files) EXPECT_THAT(lint.out, HasSubstr(f + " validates\n"));
  }
  const auto sums = Sha256Sums(files);

  std::vector<std::string> malformed;
  const std::vector<ManifestLine> manifest =
      ReadManifest(state + "/archive/manifest.tsv", malformed);
  EXPECT_THAT(malformed, IsEmpty()) << "a manifest line is torn or malformed";
  std::set<std::string> with_line;
  for (std::size_t i = manifest_seen; i < manifest.size(); ++i) {
    const ManifestLine& line = manifest[i];
    const std::string path = outbox + "/" + line.file;
    with_line.insert(path);
    if (!sums.contains(path)) {
      ADD_FAILURE() << "the manifest names " << line.file << ", which is not in the outbox";
      continue;
    }
    EXPECT_EQ(line.sha256, sums.at(path)) << line.file;
    EXPECT_EQ(line.passages, std::to_string(CountPassages(ReadFile(path)))) << line.file;
    EXPECT_EQ(line.certificateur, "DEMO0001");
    // The manifest line is written last: the archived copy is complete.
    const std::string archive = ArchivePathFor(state, line);
    EXPECT_EQ(Octal(Mode(archive)), "0600") << archive;
    ShellResult copy = Shell("gzip -dc " + Quote(archive) + " | sha256sum");
    EXPECT_EQ(copy.exit_code, 0) << copy.out;
    EXPECT_TRUE(copy.out.starts_with(line.sha256 + " ")) << archive << ": " << copy.out;
  }
  manifest_seen = manifest.size();

  std::vector<std::string> without_line;
  for (const std::string& f : files) {
    EXPECT_EQ(Octal(Mode(f)), "0600") << f;
    if (!with_line.contains(f)) without_line.push_back(f);
  }
  found.without_line = without_line.size();
  EXPECT_LE(without_line.size(), 1u) << "more than one outbox file without its manifest line";
  if (without_line.size() == 1) {
    EXPECT_EQ(without_line[0], files.back())
        << "only the last file published may lack its manifest line";
  }
  if (completed) {
    EXPECT_EQ(files.size(), expected_files);
    EXPECT_THAT(without_line, IsEmpty());
    EXPECT_EQ(found.partials, 0u);
  }
  for (const std::string& f : files) fs::remove(f);
  return found;
}

TEST(Kill9SystemTest, KillNineAtTwentyRandomMomentsLeavesOnlyCompleteValidFilesInTheOutbox) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  if (!HaveXmllint()) FAIL() << kNoXmllint;
  const auto test_started = std::chrono::steady_clock::now();
  const std::string dir = MakeTempDir("kill9");
  const std::string database = dir + "/big.db";
  const std::string state = dir + "/state";

  WriteFile(dir + "/big.sql",
            ReadFile(std::string(ACCROCHD_SOURCE_DIR) + "/demo/demo.sql") + kMorePassages);
  ShellResult sqlite = Shell(Quote(ACCROCHD_SQLITE3) + " -bail " + Quote(database) + " < " +
                             Quote(dir + "/big.sql"));
  ASSERT_EQ(sqlite.exit_code, 0) << sqlite.out;

  const std::string deposit =
      "deposit: {max_passages_per_file: " + std::to_string(kPassagesPerFile) + "}\n";
  WriteFile(dir + "/accrochd.yaml", DemoConfigWith(state, deposit, database));
  WriteFile(dir + "/measure.yaml", DemoConfigWith(dir + "/measure-state", deposit, database));

  // One full run, timed: the kills are spread over its duration.
  const auto measure_started = std::chrono::steady_clock::now();
  RunResult full = RunAccrochd({"once", "--config", dir + "/measure.yaml"});
  const auto duration = std::chrono::steady_clock::now() - measure_started;
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const std::uint64_t valid = ValidCount(full.out);
  ASSERT_GE(valid, 30000u) << full.out;
  const std::size_t files_per_run = (valid + kPassagesPerFile - 1) / kPassagesPerFile;
  ASSERT_EQ(ListedFiles(full.out).size(), files_per_run) << full.out;
  fs::remove_all(dir + "/measure-state");

  std::uint32_t seed = std::random_device{}();
  if (const char* fixed = std::getenv("ACCROCHD_KILL9_SEED"); fixed != nullptr && *fixed != 0) {
    seed = static_cast<std::uint32_t>(std::stoul(fixed));
  }
  const double run_ms = std::chrono::duration<double, std::milli>(duration).count();
  std::cout << "kill9: seed " << seed << " (ACCROCHD_KILL9_SEED=" << seed
            << " replays these delays); a full run takes " << static_cast<int>(run_ms)
            << " ms and publishes " << files_per_run << " files of " << valid << " passages\n";
  RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> delay_ms(0.0, run_ms);

  std::size_t manifest_seen = 0, killed = 0, published = 0, without_line = 0;
  for (int i = 1; i <= kKills; ++i) {
    const double delay = delay_ms(random);
    const std::string log = dir + "/run";
    const pid_t pid = SpawnOnce(dir + "/accrochd.yaml", log);
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<long>(delay * 1000)));
    // The child is not reaped before waitpid(): the pid is still its own, even if it has ended.
    ASSERT_EQ(::kill(pid, SIGKILL), 0) << std::strerror(errno);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    const bool was_killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    std::size_t listed = 0;
    if (!was_killed) {
      // It ended before the kill: it must have ended well.
      const std::string out = ReadFile(log + ".out");
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "run " << i << " ended with status " << status << "\n"
          << out << ReadFile(log + ".err");
      listed = ListedFiles(out).size();
      EXPECT_EQ(listed, (ValidCount(out) + kPassagesPerFile - 1) / kPassagesPerFile);
    }
    killed += was_killed ? 1 : 0;
    SCOPED_TRACE("run " + std::to_string(i) + ", killed after " + std::to_string(delay) + " ms");
    const Found found = CheckState(state, xsd, manifest_seen, !was_killed, listed);
    if (HasFatalFailure()) return;
    published += found.published;
    without_line += found.without_line;
    std::cout << "kill9: run " << i
              << (was_killed ? " killed after " : " ended before the kill at ")
              << static_cast<int>(delay) << " ms: " << found.published << " file(s) published ("
              << found.without_line << " without its manifest line), " << found.partials
              << " partial file(s) left\n";
  }

  // A run to completion: its start removes every partial file the kills left, it ends well.
  const std::vector<std::string> partials = PartialFiles(state);
  RunResult last = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  if (!partials.empty()) {
    EXPECT_THAT(last.err, HasSubstr("removed " + std::to_string(partials.size()) +
                                    " partial deposit file(s) left by an interrupted run"));
  }
  EXPECT_THAT(PartialFiles(state), IsEmpty());
  const std::size_t listed = ListedFiles(last.out).size();
  EXPECT_EQ(listed, (ValidCount(last.out) + kPassagesPerFile - 1) / kPassagesPerFile);
  CheckState(state, xsd, manifest_seen, true, listed);
  EXPECT_THAT(PartialFiles(state), IsEmpty());

  std::cout
      << "kill9: " << killed << " of " << kKills << " runs killed, " << published
      << " files published by them (" << without_line << " without their manifest line), "
      << partials.size() << " partial file(s) removed by the last run; "
      << static_cast<int>(
             std::chrono::duration<double>(std::chrono::steady_clock::now() - test_started).count())
      << " s in all\n";
  if (!HasFailure()) fs::remove_all(dir);  // the database and archive weigh some 40 MB
}

}  // namespace
}  // namespace accrochd::testing
