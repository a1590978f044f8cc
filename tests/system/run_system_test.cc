// The real binary as a daemon (`accrochd run`) on PostgreSQL: kill -9 at 50 random moments,
// SIGHUP with a broken configuration, SIGTERM in the middle of a file, the database stopped and
// restarted under it, the single-instance lock, and what systemd hears (READY, STATUS, WATCHDOG,
// RELOADING, STOPPING), captured on a datagram socket named by $NOTIFY_SOCKET as systemd does.
//
// The source tables are made with generate_series (as bench/backfill does) in the PostgreSQL of
// the test run; the outage test starts a PostgreSQL of its own (tests/support/private_postgres.h)
// so that stopping it cannot disturb the other tests, and so that a failure half-way cannot
// leave the shared server down.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/cdc_files.h"
#include "tests/support/daemon_process.h"
#include "tests/support/odbc_admin.h"
#include "tests/support/private_postgres.h"
#include "tests/support/run_binary.h"
#include "tests/support/services.h"
#include "tests/system/deposit_checks.h"
#include "tests/system/deposit_ledger.h"

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kBcr = "RUNS0001";
constexpr std::uint64_t kPassagesPerFile = 2000;

// Fictional passages, as bench/backfill makes them; every 1000th has an impossible birth date
// (quarantined). `delivered` is an SQL date expression of g.
std::string TableSql(const std::string& table, int rows, const std::string& delivered) {
  return "CREATE TABLE " + table + R"( AS SELECT g AS id,
      (ARRAY['M.','Mme'])[1 + g % 2] AS civilite,
      (ARRAY['Martin','Bernard','Dubois','Lefèvre','Œillet','Garcia','Müller','N''Diaye'])[1 + g % 8] || '-' || (g % 997) AS nom,
      (ARRAY['Léa','Hugo','Chloé','Noël','Éloïse','Gaël'])[1 + g % 6] || ' ' || (ARRAY['Marie','Jean','Anne'])[1 + g % 3] AS prenoms,
      CASE WHEN g % 1000 = 0 THEN '31/02/1990'
           ELSE to_char(DATE '1960-01-01' + (g * 7 % 15000), 'DD/MM/YYYY') END AS naissance,
      lpad(((g * 13) % 95 + 1)::text, 2, '0') || lpad((g % 900 + 100)::text, 3, '0') AS insee,
      )" + delivered + R"( AS delivre,
      (ARRAY['Passable','Assez bien','Bien','Très bien'])[1 + g % 4] AS mention
    FROM generate_series(1, )" + std::to_string(rows) + ") g";
}

// Delivered 80 to 87 days ago: 2 to 12 days before the deadline (delivery + 3 months), so
// urgent under the default threshold (14 days). The planner cuts a deposit at once for them,
// at every start that finds some pending: each restart after a kill writes what is left.
constexpr const char* kUrgent = "CURRENT_DATE - 80 - (g % 8)";
// Ten urgent passages (delivered 85 days ago), the others delivered 10 days ago.
constexpr const char* kTenUrgent = "CURRENT_DATE - CASE WHEN g <= 10 THEN 85 ELSE 10 END";

std::string MappingFor(const std::string& table) {
  return "certification: {type: RNCP, code: RNCP35830}\n"
         "source: pg\n"
         "query: SELECT id, civilite, nom, prenoms, naissance, insee, delivre, mention FROM " +
         table +
         "\n"
         "key: id\n"
         "id_technique: \"B-{id}\"\n"
         "fields:\n"
         "  dateDebutValidite: delivre\n"
         "  dateFinValidite: nil\n"
         "  obtentionCertification: {constant: PAR_ADMISSION}\n"
         "  donneeCertifiee: {constant: true}\n"
         "  presenceNiveauLangueEuro: {constant: false}\n"
         "  presenceNiveauNumeriqueEuro: {constant: false}\n"
         "  scoring: nil\n"
         "  mentionValidee: {column: mention, map: {Passable: SANS_MENTION, Assez bien: "
         "MENTION_ASSEZ_BIEN, Bien: MENTION_BIEN, Très bien: MENTION_TRES_BIEN}}\n"
         "  modaliteAcces: nil\n"
         "  nomNaissance: nom\n"
         "  nomUsage: nil\n"
         "  prenom1: {column: prenoms, word: 1}\n"
         "  prenom2: {column: prenoms, word: 2}\n"
         "  anneeNaissance: {column: naissance, date: \"%d/%m/%Y\", part: year}\n"
         "  moisNaissance: {column: naissance, date: \"%d/%m/%Y\", part: month}\n"
         "  jourNaissance: {column: naissance, date: \"%d/%m/%Y\", part: day}\n"
         "  sexe: {column: civilite, map: {M.: M, Mme: F}}\n"
         "  codeInsee: insee\n";
}

// The idTechniques the mapping makes valid out of rows 1..rows.
std::set<std::string> ValidIds(int rows) {
  std::set<std::string> ids;
  for (int g = 1; g <= rows; ++g) {
    if (g % 1000 != 0) ids.insert("B-" + std::to_string(g));
  }
  return ids;
}

// "HH:MM" of `t` in Europe/Paris (the default time zone of the configuration), by date(1).
std::string ParisClock(std::chrono::system_clock::time_point t) {
  const auto epoch = std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
  ShellResult r = Shell("TZ=Europe/Paris date -d @" + std::to_string(epoch) + " +%H:%M");
  return r.out.substr(0, 5);
}

// A STATUS= sent on its own, after a cycle (READY=1 and STOPPING=1 carry one too).
bool IsCycleStatus(const std::string& m) {
  return m.find("STATUS=") != std::string::npos && !HasLine(m, "READY=1") &&
         !HasLine(m, "STOPPING=1");
}
bool IsReady(const std::string& m) { return HasLine(m, "READY=1"); }

class RunSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto services = LoadServices(why);
    ASSERT_TRUE(services.has_value()) << why;
    services_ = *services;
    dir_ = MakeTempDir(std::string("run-") +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    WriteFile(dir_ + "/pw", services_.password + "\n", 0600);
  }

  // Creates `table` in `connection` (with `password`) and a mapping reading it.
  void MakeSource(const std::string& connection, const std::string& password,
                  const std::string& table, int rows, const std::string& delivered) {
    OdbcAdmin admin(WithPassword(connection, password));
    admin.Exec("DROP TABLE IF EXISTS " + table);
    admin.Exec(TableSql(table, rows, delivered));
    admin.Exec("ALTER TABLE " + table + " ADD PRIMARY KEY (id)");
    WriteFile(dir_ + "/mapping.yaml", MappingFor(table));
  }
  void MakeSource(const std::string& table, int rows, const std::string& delivered) {
    MakeSource(services_.postgresql_connection, services_.password, table, rows, delivered);
  }

  // A configuration reading the mapping written by MakeSource, with a state in `state`.
  std::string Config(const std::string& state, const std::string& top_level = "",
                     const std::string& connection = "") {
    return top_level + "state_directory: " + state +
           "\n"
           "run: {interval: 10s}\n"
           "deposit: {max_passages_per_file: " +
           std::to_string(kPassagesPerFile) +
           "}\n"
           "sources:\n"
           "  pg:\n"
           "    connection: \"" +
           (connection.empty() ? services_.postgresql_connection : connection) +
           "\"\n"
           "    password: {file: " +
           dir_ +
           "/pw}\n"
           "    retry: {attempts: 2, initial_delay: 1s, max_delay: 2s}\n"
           "certifiers:\n"
           "  ecole:\n"
           "    id_client: \"" +
           kBcr +
           "\"\n"
           "    id_contrat: \"MCFCER000001\"\n"
           "    mappings: [" +
           dir_ + "/mapping.yaml]\n";
  }

  // Starts `accrochd run` on `config`, its notifications to `notify`.
  std::unique_ptr<AccrochdProcess> StartRun(const std::string& config, NotifySocket* notify,
                                            const std::string& log,
                                            std::vector<std::string> env = {}) {
    if (notify != nullptr) env.push_back(notify->Environment());
    return std::make_unique<AccrochdProcess>(
        std::vector<std::string>{"run", "--config", config}, env, dir_ + "/" + log);
  }

  // SIGTERM, then the exit: 0, within `limit`.
  void Stop(AccrochdProcess& run, milliseconds limit = milliseconds(10000)) {
    ASSERT_TRUE(run.Signal(SIGTERM));
    auto status = run.Wait(limit);
    ASSERT_TRUE(status.has_value()) << "accrochd run did not stop within " << limit.count()
                                    << " ms of SIGTERM\n"
                                    << run.Err();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << DescribeWaitStatus(*status) << "\n"
        << run.Err();
  }

  Services services_;
  std::string dir_;
};

// 50 kill -9 at random moments of `accrochd run` on 20,000 rows: after each, every idTechnique
// is in exactly one file the outbox ever held, or still pending; at the end of each round, and
// after a final run, every valid one is in exactly one file.
TEST_F(RunSystemTest, KillNineFiftyTimesLosesNoPassageAndSendsNoneTwice) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  if (!HaveXmllint()) FAIL() << kNoXmllint;
  constexpr int kRows = 20000, kKills = 50;
  const auto test_started = std::chrono::steady_clock::now();
  MakeSource("run_kill", kRows, kUrgent);
  const std::set<std::string> valid = ValidIds(kRows);
  NotifySocket notify;

  // A measuring run: from its start to the end of its first cycle, which deposits everything;
  // the kills fall in that window.
  WriteFile(dir_ + "/measure.yaml", Config(dir_ + "/measure-state"));
  const auto measure_started = std::chrono::steady_clock::now();
  auto measure = StartRun(dir_ + "/measure.yaml", &notify, "measure");
  ASSERT_TRUE(notify.WaitFor(IsCycleStatus, milliseconds(300000)))
      << "no cycle ended\n" << measure->Err();
  const double window_ms = std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - measure_started)
                               .count();
  Stop(*measure);
  {
    OutboxObserver measured(dir_ + "/measure-state", dir_ + "/measure.yaml", xsd, kBcr);
    measured.Check(true);
    measured.ExpectComplete(valid);
    EXPECT_EQ(measured.files(), (valid.size() + kPassagesPerFile - 1) / kPassagesPerFile);
    EXPECT_EQ(measured.store().Count("quarantined"), static_cast<std::size_t>(kRows / 1000));
  }
  ASSERT_FALSE(HasFailure()) << "the measuring run already fails";
  fs::remove_all(dir_ + "/measure-state");

  std::uint32_t seed = std::random_device{}();
  if (const char* fixed = std::getenv("ACCROCHD_RUN_KILL9_SEED"); fixed != nullptr && *fixed) {
    seed = static_cast<std::uint32_t>(std::stoul(fixed));
  }
  std::cout << "run-kill9: seed " << seed << " (ACCROCHD_RUN_KILL9_SEED=" << seed
            << " replays these delays); a first cycle takes " << static_cast<int>(window_ms)
            << " ms to deposit " << valid.size() << " passages\n";
  RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> delay_ms(0.0, window_ms);

  // Rounds, as in kill9_system_test.cc: a passage already in a published file is not written
  // again, so a round ends when everything is deposited, and the next starts from an empty
  // state directory.
  int round = 0;
  std::string config, state;
  std::unique_ptr<OutboxObserver> observer;
  auto start_round = [&] {
    ++round;
    state = dir_ + "/state-" + std::to_string(round);
    config = dir_ + "/accrochd-" + std::to_string(round) + ".yaml";
    WriteFile(config, Config(state));
    observer = std::make_unique<OutboxObserver>(state, config, xsd, kBcr);
  };
  auto round_complete = [&] {
    const StoreSnapshot& s = observer->store();
    if (s.Count("pending") != 0 || s.Deposits("publishing") != 0) return false;
    return std::all_of(valid.begin(), valid.end(),
                       [&](const std::string& id) { return observer->file_of().contains(id); });
  };
  auto end_round = [&] {
    observer->ExpectComplete(valid);
    EXPECT_EQ(observer->store().Count("quarantined"), static_cast<std::size_t>(kRows / 1000));
    std::cout << "run-kill9: round " << round << " complete: " << valid.size()
              << " passages in exactly one of its " << observer->files() << " files\n";
    observer.reset();
    if (!HasFailure()) fs::remove_all(state);
  };

  std::size_t files = 0, without_line = 0, partials = 0;
  for (int i = 1; i <= kKills; ++i) {
    if (!observer) start_round();
    const double delay = delay_ms(random);
    SCOPED_TRACE("round " + std::to_string(round) + ", kill " + std::to_string(i) + " after " +
                 std::to_string(delay) + " ms");
    auto run = StartRun(config, nullptr, "run");
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<long>(delay * 1000)));
    ASSERT_TRUE(run->running() && !run->Wait(milliseconds(0)))
        << "accrochd run ended on its own: " << run->Err();
    const int status = run->Kill();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << DescribeWaitStatus(status);
    const std::string log = run->Err();
    observer->SetLog(log);
    // "accrochd started" is logged once the outbox is prepared and half-recorded deposits are
    // settled.
    const OutboxObserver::Found found =
        observer->Check(log.find("accrochd started") != std::string::npos);
    if (HasFatalFailure()) return;
    // Valid passages never land in the quarantine, invalid ones never leave it.
    for (const auto& [id, p] : observer->store().passages) {
      EXPECT_EQ(p.status == "quarantined", !valid.contains(id)) << id << " is " << p.status;
    }
    files += found.new_files;
    without_line += found.without_line;
    partials += found.partials;
    std::cout << "run-kill9: round " << round << ", kill " << i << " after "
              << static_cast<int>(delay) << " ms: " << found.new_files << " file(s) published ("
              << found.without_line << " without its manifest line), " << found.partials
              << " partial file(s) left, " << observer->store().Count("pending")
              << " passage(s) pending, " << observer->store().passages.size() << " known\n";
    if (HasFailure()) return;  // one kill's failures are enough to read
    if (round_complete()) end_round();
  }

  // The last round ends with a run that completes a cycle and stops on SIGTERM.
  if (observer) {
    notify.Drain();
    const std::size_t before = notify.messages().size();
    auto last = StartRun(config, &notify, "last");
    ASSERT_TRUE(notify.WaitFor(IsCycleStatus, milliseconds(300000), before))
        << "no cycle ended\n" << last->Err();
    Stop(*last);
    observer->SetLog(last->Err());
    observer->Check(true);
    end_round();
  }
  std::cout << "run-kill9: " << kKills << " kills over " << round << " round(s), " << files
            << " files published (" << without_line << " without their manifest line at the kill), "
            << partials << " partial file(s) left by the kills; "
            << static_cast<int>(std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                              test_started)
                                    .count())
            << " s in all\n";
  if (!HasFailure()) fs::remove_all(dir_);
}

// A reload with a broken configuration is refused and the old one goes on; fixed, it is taken.
TEST_F(RunSystemTest, SighupWithABrokenConfigurationKeepsTheOldOneRunning) {
  MakeSource("run_hup", 30, kTenUrgent);
  const std::string config = dir_ + "/accrochd.yaml";
  WriteFile(config, Config(dir_ + "/state"));
  NotifySocket notify;
  auto run = StartRun(config, &notify, "run");
  ASSERT_TRUE(notify.WaitFor(IsReady, milliseconds(60000))) << run->Err();
  auto first = notify.WaitFor(IsCycleStatus, milliseconds(60000));
  ASSERT_TRUE(first) << run->Err();
  EXPECT_THAT(*notify.Value(*first, "STATUS"), HasSubstr("à échéance < 14 j"));

  // Broken: an interval under the minimum -- and a threshold that would show in STATUS if any
  // of this file were taken.
  std::string broken = Config(dir_ + "/state", "deadlines: {urgent: 30}\n");
  broken.replace(broken.find("run: {interval: 10s}"), 20, "run: {interval: 1s}");
  WriteFile(config, broken);
  std::size_t from = notify.messages().size();
  std::size_t log_from = run->Err().size();
  ASSERT_TRUE(run->Signal(SIGHUP));
  auto reloading = notify.WaitFor([](const std::string& m) { return HasLine(m, "RELOADING=1"); },
                                  milliseconds(30000), from);
  ASSERT_TRUE(reloading) << run->Err();
  EXPECT_THAT(notify.messages()[*reloading], ContainsRegex("MONOTONIC_USEC=[0-9]+"));
  auto refused = notify.WaitFor(IsReady, milliseconds(30000), *reloading);
  ASSERT_TRUE(refused) << run->Err();
  EXPECT_THAT(*notify.Value(*refused, "STATUS"),
              AllOf(HasSubstr("à échéance < 14 j"),
                    HasSubstr(" ; rechargement refusé, voir le journal")));
  ASSERT_TRUE(run->WaitForLog("reload refused, the configuration in force stays: 1 error(s) in "
                              "the configuration",
                              milliseconds(10000), log_from))
      << run->Err();
  EXPECT_THAT(run->Err().substr(log_from),
              ContainsRegex("reload: [^\n]*accrochd\\.yaml:[0-9]+:[0-9]+: run\\.interval: at "
                            "least 10s"));

  // The old configuration goes on: a cycle runs after the refusal, and its STATUS keeps the
  // note until the configuration is fixed.
  const std::size_t after_refusal = run->Err().size();
  EXPECT_TRUE(run->WaitForLog("mapping \"mapping\": 30 rows read", milliseconds(30000),
                              after_refusal))
      << run->Err();
  auto cycle = notify.WaitFor(IsCycleStatus, milliseconds(30000), *refused + 1);
  ASSERT_TRUE(cycle) << run->Err();
  EXPECT_THAT(*notify.Value(*cycle, "STATUS"),
              AllOf(HasSubstr("à échéance < 14 j"), HasSubstr("prochain cycle"),
                    HasSubstr(" ; rechargement refusé, voir le journal")));
  EXPECT_TRUE(run->running());

  // Fixed (with the new threshold): taken.
  WriteFile(config, Config(dir_ + "/state", "deadlines: {urgent: 30}\n"));
  from = notify.messages().size();
  log_from = run->Err().size();
  ASSERT_TRUE(run->Signal(SIGHUP));
  reloading = notify.WaitFor([](const std::string& m) { return HasLine(m, "RELOADING=1"); },
                             milliseconds(30000), from);
  ASSERT_TRUE(reloading) << run->Err();
  auto reloaded = notify.WaitFor(IsReady, milliseconds(30000), *reloading);
  ASSERT_TRUE(reloaded) << run->Err();
  EXPECT_THAT(*notify.Value(*reloaded, "STATUS"),
              AllOf(HasSubstr("à échéance < 30 j"), Not(HasSubstr("rechargement refusé"))));
  EXPECT_TRUE(run->WaitForLog("configuration reloaded from " + config, milliseconds(10000),
                              log_from))
      << run->Err();
  EXPECT_TRUE(run->WaitForLog("mapping \"mapping\": 30 rows read", milliseconds(30000), log_from))
      << run->Err();
  cycle = notify.WaitFor(IsCycleStatus, milliseconds(30000), *reloaded + 1);
  ASSERT_TRUE(cycle) << run->Err();
  EXPECT_THAT(*notify.Value(*cycle, "STATUS"),
              AllOf(HasSubstr("à échéance < 30 j"), Not(HasSubstr("rechargement refusé"))));
  Stop(*run);
  EXPECT_THAT(run->Err(), Not(HasSubstr(services_.password)));
  if (!HasFailure()) fs::remove_all(dir_);
}

// SIGTERM while a deposit file is being written: a prompt, clean exit, no partial file, and a
// state store that needs no settling -- nothing "publishing", every passage in a deposit in a
// file of the outbox. The next run deposits the rest, each passage once.
TEST_F(RunSystemTest, SigtermDuringAFileLeavesNoPartialFileAndAConsistentState) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  if (!HaveXmllint()) FAIL() << kNoXmllint;
  constexpr int kRows = 20000;
  MakeSource("run_term", kRows, kUrgent);
  const std::string state = dir_ + "/state";
  const std::string config = dir_ + "/accrochd.yaml";
  WriteFile(config, Config(state));
  NotifySocket notify;
  auto run = StartRun(config, &notify, "run");
  ASSERT_TRUE(notify.WaitFor(IsReady, milliseconds(60000))) << run->Err();
  // One file published, the next being written: SIGTERM while its partial file is there.
  ASSERT_TRUE(run->WaitForLog("published: 2000 passage(s)", milliseconds(300000))) << run->Err();
  bool partial_seen = false;
  WaitUntil(
      [&] {
        for (const auto& e : fs::directory_iterator(state + "/outbox")) {
          if (e.path().filename().string().ends_with(".partial")) partial_seen = true;
        }
        return partial_seen;
      },
      milliseconds(10000), milliseconds(2));
  ASSERT_TRUE(partial_seen) << "no deposit file was being written\n" << run->Err();
  const auto term = std::chrono::steady_clock::now();
  Stop(*run, milliseconds(10000));
  const double stop_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - term).count();
  EXPECT_LT(stop_ms, 5000.0) << "SIGTERM took " << stop_ms << " ms";
  notify.Drain();
  EXPECT_TRUE(std::any_of(notify.messages().begin(), notify.messages().end(),
                          [](const std::string& m) { return HasLine(m, "STOPPING=1"); }));
  EXPECT_THAT(run->Err(), HasSubstr("accrochd stopping"));
  EXPECT_THAT(PartialFiles(state), IsEmpty());

  OutboxObserver observer(state, config, xsd, kBcr);
  observer.SetLog(run->Err());
  const OutboxObserver::Found found = observer.Check(true);
  const StoreSnapshot& store = observer.store();
  EXPECT_EQ(store.Deposits("publishing"), 0u);
  EXPECT_GE(found.new_files, 1u);
  EXPECT_GT(store.Count("pending"), 0u) << "the stop came after the deposit: nothing was cut";
  std::cout << "run-sigterm: stopped in " << static_cast<int>(stop_ms) << " ms with "
            << found.new_files << " file(s) published and " << store.Count("pending")
            << " passage(s) pending\n";

  // The next run deposits what is left, once.
  notify.Drain();
  const std::size_t from = notify.messages().size();
  auto again = StartRun(config, &notify, "again");
  ASSERT_TRUE(notify.WaitFor(IsCycleStatus, milliseconds(300000), from)) << again->Err();
  Stop(*again);
  observer.SetLog(again->Err());
  observer.Check(true);
  observer.ExpectComplete(ValidIds(kRows));
  if (!HasFailure()) fs::remove_all(dir_);
}

// SIGTERM to `once` while its one file is being written: the passages already in it are in the
// state store, pending, once it has stopped -- recorded, although their rows waited for the
// file's record, which never came (connectors/store/staged_passages.h) -- and the next `once`
// deposits every valid passage once.
TEST_F(RunSystemTest, SigtermDuringTheFileOfOnceLeavesThePassagesItRecordedInTheStore) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  if (!HaveXmllint()) FAIL() << kNoXmllint;
  constexpr int kRows = 60000;
  MakeSource("once_term", kRows, kUrgent);
  const std::string state = dir_ + "/state";
  const std::string config = dir_ + "/accrochd.yaml";
  // One file for every row: it is sealed only at the end of the reading.
  std::string text = Config(state);
  const std::string per_file = "max_passages_per_file: " + std::to_string(kPassagesPerFile) + "}";
  ASSERT_NE(text.find(per_file), std::string::npos);
  text.replace(text.find(per_file), per_file.size(), "max_passages_per_file: 100000}");
  WriteFile(config, text);
  AccrochdProcess once({"once", "--config", config}, {}, dir_ + "/once");
  // Once the file holds a megabyte (some 900 passages), a copy of it as it is, then the stop.
  std::string partial;
  WaitUntil(
      [&] {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(state + "/outbox", ec)) {
          if (!e.path().filename().string().ends_with(".partial")) continue;
          if (fs::file_size(e.path(), ec) >= (1u << 20)) partial = e.path().string();
        }
        return !partial.empty();
      },
      milliseconds(60000), milliseconds(2));
  ASSERT_FALSE(partial.empty()) << "no deposit file was being written\n" << once.Err();
  std::error_code copied;
  fs::copy_file(partial, dir_ + "/copy.xml", copied);
  ASSERT_TRUE(once.Signal(SIGTERM));
  ASSERT_FALSE(copied) << copied.message();
  ASSERT_TRUE(once.Wait(milliseconds(10000)).has_value()) << once.Err();
  EXPECT_THAT(PartialFiles(state), IsEmpty());
  // The idTechniques of the passages written in it (each complete).
  const std::string copy = ReadFile(dir_ + "/copy.xml");
  const std::vector<std::string> ids = IdTechniquesOf(copy);
  const std::set<std::string> written(ids.begin(), ids.end());
  ASSERT_GE(written.size(), 500u) << "the copy holds " << copy.size() << " bytes";

  OutboxObserver observer(state, config, xsd, kBcr);
  observer.SetLog(once.Err());
  const OutboxObserver::Found found = observer.Check(true);
  EXPECT_EQ(found.new_files, 0u) << "the file was published: the stop came too late\n"
                                 << once.Err();
  const StoreSnapshot& store = observer.store();
  for (const std::string& id : written) {
    auto it = store.passages.find(id);
    if (it == store.passages.end()) {
      ADD_FAILURE() << id << ", written in the interrupted file, is unknown to the state store";
      continue;
    }
    EXPECT_EQ(it->second.status, "pending") << id;
  }
  std::cout << "once-sigterm: " << written.size() << " passage(s) in the interrupted file, "
            << store.Count("pending") << " pending in the store\n";

  const RunResult again = RunAccrochd({"once", "--config", config});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  observer.SetLog(again.err);
  observer.Check(true);
  observer.ExpectComplete(ValidIds(kRows));
  if (!HasFailure()) fs::remove_all(dir_);
}

// PostgreSQL stopped under the running daemon: the cycle fails after its retries, is logged and
// shown in STATUS, the daemon stays up, and the first cycle after the server is back succeeds.
// The server is private to this test: stopping the shared one would break the others.
TEST_F(RunSystemTest, PostgresqlStoppedAndRestartedIsSurvivedAndTheNextCycleSucceeds) {
  std::unique_ptr<PrivatePostgres> pg;
  try {
    pg = std::make_unique<PrivatePostgres>();
  } catch (const std::exception& e) {
    FAIL() << "cannot start a private PostgreSQL: " << e.what();
  }
  WriteFile(dir_ + "/pw", pg->password() + "\n", 0600);
  MakeSource(pg->Connection(), pg->password(), "run_outage", 30, kTenUrgent);
  const std::string config = dir_ + "/accrochd.yaml";
  WriteFile(config, Config(dir_ + "/state", "", pg->Connection()));
  NotifySocket notify;
  auto run = StartRun(config, &notify, "run");
  auto first = notify.WaitFor(IsCycleStatus, milliseconds(60000));
  ASSERT_TRUE(first) << run->Err();
  EXPECT_THAT(*notify.Value(*first, "STATUS"), Not(HasSubstr("ÉCHEC")));

  pg->Stop();
  const std::size_t log_from = run->Err().size();
  // The next cycle (10 s later) finds the server gone, retries, and fails.
  auto failed = notify.WaitFor(
      [&](const std::string& m) {
        return IsCycleStatus(m) && m.find("ÉCHEC : ecole") != std::string::npos;
      },
      milliseconds(60000), *first + 1);
  ASSERT_TRUE(failed) << "no STATUS shows the failure\n" << run->Err();
  EXPECT_THAT(*notify.Value(*failed, "STATUS"), HasSubstr("prochain cycle"));
  const std::string outage_log = run->Err().substr(log_from);
  // The open connection is found cut, then reconnection is tried twice, a second apart.
  EXPECT_THAT(outage_log, HasSubstr("connection lost, reconnecting in 1s"));
  EXPECT_THAT(outage_log, HasSubstr("accrochd: warning: source \"pg\": connection attempt 1/2 "
                                    "failed: [08001]"));
  EXPECT_THAT(outage_log, ContainsRegex("accrochd: error: certifier \"ecole\": mapping "
                                        "\"mapping\": source \"pg\": unreachable after 2 "
                                        "attempt\\(s\\) over 1s"));
  EXPECT_TRUE(run->running()) << run->Err();

  pg->Start();
  const std::size_t back_from = run->Err().size();
  ASSERT_TRUE(run->WaitForLog("mapping \"mapping\": 30 rows read", milliseconds(60000), back_from))
      << "no cycle succeeded after the restart\n"
      << run->Err();
  EXPECT_THAT(run->Err().substr(back_from), HasSubstr("source \"pg\": reachable again after"));
  auto recovered = notify.WaitFor(IsCycleStatus, milliseconds(30000), *failed + 1);
  ASSERT_TRUE(recovered) << run->Err();
  EXPECT_THAT(*notify.Value(*recovered, "STATUS"), Not(HasSubstr("ÉCHEC")));
  Stop(*run);
  EXPECT_THAT(run->Err(), Not(HasSubstr(pg->password())));
  pg.reset();
  if (!HasFailure()) fs::remove_all(dir_);
}

// One state directory, one accrochd: a second one, `once` or `run`, is refused and told who
// holds it; readers (`status`) are not.
TEST_F(RunSystemTest, ASecondAccrochdOnTheSameStateIsRefused) {
  MakeSource("run_lock", 30, kTenUrgent);
  const std::string state = dir_ + "/state";
  const std::string config = dir_ + "/accrochd.yaml";
  WriteFile(config, Config(state));
  NotifySocket notify;
  auto run = StartRun(config, &notify, "run");
  ASSERT_TRUE(notify.WaitFor(IsCycleStatus, milliseconds(60000))) << run->Err();

  const std::string holder =
      "another accrochd (pid " + std::to_string(run->pid()) + ") is using " + state;
  RunResult once = RunAccrochd({"once", "--config", config});
  EXPECT_EQ(once.exit_code, 2) << once.out << once.err;
  EXPECT_THAT(once.err, HasSubstr(holder));
  RunResult second = RunAccrochd({"run", "--config", config});
  EXPECT_EQ(second.exit_code, 2) << second.out << second.err;
  EXPECT_THAT(second.err, HasSubstr(holder));
  RunResult status = RunAccrochd({"status", "--json", "--config", config});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("\"in_deposit\": 30"));
  EXPECT_TRUE(run->running());
  Stop(*run);
  if (!HasFailure()) fs::remove_all(dir_);
}

// What systemd hears: READY=1 with a first STATUS line, a STATUS line after each cycle
// (« N en attente, M à échéance < 14 j, ..., prochain cycle HH:MM »), WATCHDOG=1 while the loop
// is healthy when $WATCHDOG_USEC asks for it, and STOPPING=1.
TEST_F(RunSystemTest, ReadyStatusWatchdogAndStoppingNotifications) {
  MakeSource("run_notify", 30, kTenUrgent);
  const std::string config = dir_ + "/accrochd.yaml";
  WriteFile(config, Config(dir_ + "/state"));
  NotifySocket notify;
  const auto started = std::chrono::system_clock::now();
  auto run = StartRun(config, &notify, "run", {"WATCHDOG_USEC=1000000"});
  auto ready = notify.WaitFor(IsReady, milliseconds(60000));
  ASSERT_TRUE(ready) << run->Err();
  const auto ready_at = std::chrono::system_clock::now();
  for (std::size_t i = 0; i < *ready; ++i) {
    EXPECT_THAT(notify.messages()[i], Not(HasSubstr("STATUS="))) << "a STATUS before READY";
  }
  const std::regex kLine(
      R"([0-9]+ en attente, [0-9]+ à échéance < 14 j(, [^,]+)*, prochain cycle [0-2][0-9]:[0-5][0-9])");
  auto status = notify.Value(*ready, "STATUS");
  ASSERT_TRUE(status) << notify.messages()[*ready];
  EXPECT_TRUE(std::regex_match(*status, kLine)) << *status;
  // Nothing is known yet; the first cycle is now.
  EXPECT_THAT(*status, AnyOf(std::string("0 en attente, 0 à échéance < 14 j, prochain cycle ") +
                                 ParisClock(started),
                             std::string("0 en attente, 0 à échéance < 14 j, prochain cycle ") +
                                 ParisClock(ready_at)));

  // After the first cycle: the 30 passages found, the 10 urgent ones made a deposit cut at once,
  // all 30 went into one file; the next cycle is an interval after this one began.
  auto cycle = notify.WaitFor(IsCycleStatus, milliseconds(60000), *ready + 1);
  ASSERT_TRUE(cycle) << run->Err();
  const auto cycle_at = std::chrono::system_clock::now();
  status = notify.Value(*cycle, "STATUS");
  EXPECT_TRUE(std::regex_match(*status, kLine)) << *status;
  EXPECT_THAT(*status,
              AnyOf(std::string("0 en attente, 10 à échéance < 14 j, 1 fichier(s) à déposer, "
                                "prochain cycle ") +
                        ParisClock(started + seconds(10)),
                    std::string("0 en attente, 10 à échéance < 14 j, 1 fichier(s) à déposer, "
                                "prochain cycle ") +
                        ParisClock(cycle_at + seconds(10))));
  EXPECT_THAT(run->Err(), HasSubstr("deposit round (10 pending passage(s) within 14 days"));

  // The loop sleeps until the next cycle, pinging the watchdog (every quarter of its 1 s).
  const std::size_t from = notify.messages().size();
  std::this_thread::sleep_for(milliseconds(1600));
  notify.Drain();
  std::size_t pings = 0;
  for (std::size_t i = from; i < notify.messages().size(); ++i) {
    if (HasLine(notify.messages()[i], "WATCHDOG=1")) ++pings;
  }
  EXPECT_GE(pings, 3u) << "WATCHDOG=1 pings in 1.6 s of sleep";

  Stop(*run);
  notify.Drain();
  ASSERT_FALSE(notify.messages().empty());
  EXPECT_TRUE(HasLine(notify.messages().back(), "STOPPING=1")) << notify.messages().back();
  EXPECT_TRUE(HasLine(notify.messages().back(), "STATUS=arrêt en cours"));
  if (!HasFailure()) fs::remove_all(dir_);
}

}  // namespace
}  // namespace accrochd::testing
