// Corrections (issue 11, item 2) through the real binary, on a SQLite source (its ODBC driver) and
// on the PostgreSQL server of the test run (psqlODBC): a passage accepted by a receipt, then
// changed in the source, corrected with `passages correct` -- its SUPPRESSION file checked by
// xmllint against the official 1.1.5 XSD and accepted by a receipt, then its CREATION file with
// the corrected data, checked and accepted, under the same idTechnique (SQLite) or under the
// mapping's id_technique_after_correction (PostgreSQL); `history` tells every step, `status`
// says that a correction does not restart the three-month clock. Then the same with kill -9 of
// `accrochd once` at random moments of each step: at the end, exactly one SUPPRESSION file and
// one CREATION file hold the passage, and nothing was lost. And `corrections: auto`.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/cdc_files.h"
#include "tests/support/odbc_admin.h"
#include "tests/support/run_binary.h"
#include "tests/support/services.h"
#include "tests/system/deposit_checks.h"
#include "tests/system/deposit_ledger.h"

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The holders: id, birth name, first names, sex, year of birth.
constexpr const char* kRows =
    "(1, 'Lefèvre', 'Anaïs', 'F', 1990), (2, 'Noël', 'Zoé', 'F', 1985), "
    "(3, 'Dupont', 'Jean', 'M', 1979), (4, 'Martin', 'Léo', 'M', 2001)";

std::string Mapping(const std::string& table, bool derived) {
  return "certification:\n  type: RNCP\n  code: RNCP35830\nsource: ecole\nquery: SELECT id, nom, "
         "prenom, sexe, annee FROM " +
         table + "\nkey: id\nid_technique: \"COR-{id}\"\n" +
         (derived ? "id_technique_after_correction: \"COR-{id}-R{correction}\"\n" : "") +
         "page_by: id\n"
         "fields:\n"
         "  dateDebutValidite: {constant: \"2026-09-15\"}\n"
         "  dateFinValidite: nil\n"
         "  obtentionCertification: {constant: PAR_ADMISSION}\n"
         "  donneeCertifiee: {constant: true}\n"
         "  presenceNiveauLangueEuro: {constant: false}\n"
         "  presenceNiveauNumeriqueEuro: {constant: false}\n"
         "  scoring: nil\n"
         "  mentionValidee: nil\n"
         "  modaliteAcces: nil\n"
         "  nomNaissance: nom\n"
         "  nomUsage: nil\n"
         "  prenom1: prenom\n"
         "  anneeNaissance: annee\n"
         "  moisNaissance: nil\n"
         "  jourNaissance: nil\n"
         "  sexe: sexe\n"
         "  codePostal: nil\n";
}

std::string Receipt(const std::string& file, const std::vector<std::string>& ok) {
  const std::string xml = ReadFile(file);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rapport>\n  <nomFichier>" +
                    fs::path(file).filename().string() + "</nomFichier>\n  <idFlux>" +
                    ElementText(xml, "idFlux") +
                    "</idFlux>\n  <idTraitement>8001</idTraitement>\n  <PassagesKO/>\n"
                    "  <PassagesOK>\n";
  for (const std::string& id : ok) out += "    <idTechnique>" + id + "</idTechnique>\n";
  return out + "  </PassagesOK>\n</rapport>\n";
}

// Starts `accrochd once --config config` without waiting; output to `log`.out and .err.
pid_t SpawnOnce(const std::vector<std::string>& env_extra, const std::string& config,
                const std::string& log) {
  return SpawnAccrochd({"once", "--config", config}, env_extra, log);
}

class CorrectionSystemTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("correction." + GetParam() + "." +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    state_ = dir_ + "/state";
    table_ =
        "correction_" +
        std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()).substr(0, 12);
    std::transform(table_.begin(), table_.end(), table_.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string connection;
    if (GetParam() == "sqlite") {
      connection = "Driver=SQLite3;Database=" + dir_ + "/ecole.db;";
    } else {
      std::string why;
      auto services = LoadServices(why);
      ASSERT_TRUE(services.has_value()) << why;
      connection = services->postgresql_connection;
      admin_connection_ = WithPassword(connection, services->password);
      WriteFile(dir_ + "/db", services->password + "\n", 0600);
      env_ = {"CREDENTIALS_DIRECTORY=" + dir_};
    }
    Sql("DROP TABLE IF EXISTS " + table_);
    Sql("CREATE TABLE " + table_ +
        " (id INTEGER PRIMARY KEY, nom VARCHAR(60), prenom VARCHAR(60), sexe VARCHAR(1), "
        "annee INTEGER)");
    Sql("INSERT INTO " + table_ + " VALUES " + kRows);
    derived_ = GetParam() == "postgresql";
    WriteFile(dir_ + "/m.yaml", Mapping(table_, derived_));
    std::string why;
    auto xsd = OfficialXsd("1.1.5", why);
    if (xsd) xsd_ = *xsd;
    config_ = dir_ + "/accrochd.yaml";
    WriteConfig("manual");
  }

  void WriteConfig(const std::string& corrections) {
    WriteFile(config_,
              "state_directory: " + state_ + "\n" +
                  (xsd_.empty() ? "" : "deposit: {schema: " + xsd_ + "}\n") +
                  "sources:\n  ecole:\n    connection: \"" +
                  (GetParam() == "sqlite" ? "Driver=SQLite3;Database=" + dir_ + "/ecole.db;"
                                          : ConnectionWithoutPassword()) +
                  "\"\n" + (GetParam() == "sqlite" ? "" : "    password: {credential: db}\n") +
                  "certifiers:\n  ecole:\n    id_client: \"DEMO0001\"\n"
                  "    id_contrat: \"MCFCER009999\"\n    corrections: " +
                  corrections + "\n    mappings: [m.yaml]\n");
  }

  std::string ConnectionWithoutPassword() {
    std::string why;
    return LoadServices(why)->postgresql_connection;
  }

  void Sql(const std::string& statement) {
    if (GetParam() == "sqlite") {
      ShellResult r =
          Shell(Quote(ACCROCHD_SQLITE3) + " " + Quote(dir_ + "/ecole.db") + " " + Quote(statement));
      ASSERT_EQ(r.exit_code, 0) << r.out;
    } else {
      OdbcAdmin(admin_connection_).Exec(statement);
    }
  }

  RunResult Run(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--config", config_});
    return RunAccrochd(args, env_);
  }

  std::vector<ListedFile> Once() {
    RunResult r = Run({"once"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    log_ = r.err;
    return ListedFiles(r.out);
  }

  void Import(const std::string& file, const std::vector<std::string>& ok) {
    const std::string path = dir_ + "/AT_" + fs::path(file).filename().string();
    WriteFile(path, Receipt(file, ok));
    RunResult r = Run({"receipts", "import", path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string History(const std::string& id) {
    RunResult r = Run({"history", id});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  void ExpectValid(const std::string& file) {
    if (xsd_.empty()) return;
    ShellResult r = Xmllint(xsd_, {file});
    EXPECT_EQ(r.exit_code, 0) << r.out;
  }

  // Every deposit file the outbox holds and the archive keeps (by name), with its action.
  struct Held {
    std::string name, action;
    std::vector<std::string> ids;
  };
  std::vector<Held> Archived() {
    std::vector<Held> out;
    std::vector<std::string> malformed;
    for (const ManifestLine& line : ReadManifest(state_ + "/archive/manifest.tsv", malformed)) {
      const std::string path = state_ + "/outbox/" + line.file;
      if (!fs::exists(path)) continue;
      const std::string xml = ReadFile(path);
      out.push_back({line.file, ElementText(xml, "action"), IdTechniquesOf(xml)});
    }
    return out;
  }

  // The first deposit, accepted whole.
  void DepositAndAccept() {
    std::vector<ListedFile> first = Once();
    ASSERT_EQ(first.size(), 1u) << log_;
    ExpectValid(first[0].path);
    creation_ = first[0].path;
    Import(creation_, IdTechniquesOf(ReadFile(creation_)));
  }

  std::string dir_, state_, table_, config_, xsd_, log_, admin_connection_, creation_;
  std::vector<std::string> env_;
  bool derived_ = false;
};

TEST_P(CorrectionSystemTest, SuppressionThenCreationEachAcceptedAndEveryStepInHistory) {
  if (xsd_.empty()) GTEST_SKIP() << "SKIPPED for want of the official 1.1.5 XSD";
  if (!HaveXmllint()) FAIL() << kNoXmllint;
  DepositAndAccept();
  const std::string id = "COR-2";
  Sql("UPDATE " + table_ + " SET prenom = 'Zoée' WHERE id = 2");
  EXPECT_TRUE(Once().empty()) << "an accepted passage is not sent again by itself";
  EXPECT_THAT(History(id), HasSubstr("données modifiées après acceptation par la CDC"));
  RunResult unchanged = Run({"passages", "correct", "COR-3"});
  EXPECT_EQ(unchanged.exit_code, 1);
  EXPECT_THAT(unchanged.err, HasSubstr("COR-3: its source data have not changed"));

  RunResult asked = Run({"passages", "correct", id});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  const std::string queued_status = Run({"status"}).out;
  EXPECT_THAT(queued_status, HasSubstr("Corrections en cours : 1 passage(s)"));
  EXPECT_THAT(queued_status, HasSubstr("Une correction ne relance pas le délai de trois mois"));

  // Step 1: the SUPPRESSION, of what the CDC accepted (the old first name).
  std::vector<ListedFile> step1 = Once();
  ASSERT_EQ(step1.size(), 1u) << log_;
  const std::string suppression = ReadFile(step1[0].path);
  ExpectValid(step1[0].path);
  EXPECT_EQ(ElementText(suppression, "action"), "SUPPRESSION");
  EXPECT_THAT(IdTechniquesOf(suppression), ElementsAre(id));
  EXPECT_EQ(ElementText(suppression, "prenom1"), "Zoé");
  EXPECT_TRUE(Once().empty()) << "nothing more before the SUPPRESSION's receipt";
  Import(step1[0].path, {id});

  // Step 2: the CREATION, with the corrected data.
  const std::string new_id = derived_ ? "COR-2-R1" : id;
  std::vector<ListedFile> step2 = Once();
  ASSERT_EQ(step2.size(), 1u) << log_;
  const std::string creation = ReadFile(step2[0].path);
  ExpectValid(step2[0].path);
  EXPECT_EQ(ElementText(creation, "action"), "CREATION");
  EXPECT_THAT(IdTechniquesOf(creation), ElementsAre(new_id));
  EXPECT_EQ(ElementText(creation, "prenom1"), "Zoée");
  EXPECT_EQ(ElementText(creation, "dateDebutValidite"), "2026-09-15")
      << "the date of delivery, and so the deadline, stay";
  Import(step2[0].path, {new_id});
  EXPECT_TRUE(Once().empty());

  const std::string history = History(id);
  EXPECT_THAT(history, HasSubstr("statut : accepté"));
  const std::vector<std::string> steps = {
      "écrit dans un fichier de dépôt — " + fs::path(creation_).filename().string(),
      "accepté par la CDC",
      "données modifiées après acceptation par la CDC",
      "correction demandée par un opérateur",
      "écrit dans un fichier de suppression — " + fs::path(step1[0].path).filename().string(),
      "suppression acceptée par la CDC (première étape de la correction)",
      "données corrigées à déposer (création) ; l'échéance reste celle de la délivrance",
      "écrit dans un fichier de dépôt — " + fs::path(step2[0].path).filename().string(),
      "accepté par la CDC"};
  std::size_t at = 0;
  for (const std::string& step : steps) {
    const std::size_t found = history.find(step, at);
    EXPECT_NE(found, std::string::npos) << "missing, or out of order: " << step << "\n" << history;
    if (found != std::string::npos) at = found + step.size();
  }
  if (derived_) {
    EXPECT_THAT(history, HasSubstr("idTechnique de la correction — COR-2-R1"));
    EXPECT_THAT(history, HasSubstr("idTechnique connu de la CDC : COR-2-R1"));
    // The idTechnique the CDC shows (the correction's) finds the passage it corrects.
    const std::string by_cdc_id = History("COR-2-R1");
    EXPECT_THAT(by_cdc_id,
                StartsWith("Passage " + id + " (déposé à la CDC sous l'idTechnique COR-2-R1)\n"));
    EXPECT_THAT(by_cdc_id, HasSubstr("statut : accepté"));
    EXPECT_THAT(by_cdc_id, HasSubstr("idTechnique de la correction — COR-2-R1"));
  } else {
    EXPECT_THAT(history, StartsWith("Passage " + id + "\n"));
  }
  EXPECT_THAT(Run({"status"}).out, Not(HasSubstr("Corrections en cours")));
  // No personal data in what accrochd said.
  EXPECT_THAT(log_ + history, Not(HasSubstr("Zoée")));
}

// kill -9 of `accrochd once` at random moments while it writes the SUPPRESSION, then the
// CREATION: after each kill the outbox holds only complete, valid files; at the end exactly one
// SUPPRESSION and one CREATION file hold the passage, and the CDC's receipts accept them.
TEST_P(CorrectionSystemTest, KillNineAtEachStepLosesNothingAndSendsNothingTwice) {
  if (!HaveXmllint()) FAIL() << kNoXmllint;
  // More passages, so that a run lasts long enough to be killed in the middle.
  // 140 more holders, each of their own (sex and year of birth differ).
  Sql("INSERT INTO " + table_ +
      " SELECT n, 'Durand', 'Camille', CASE WHEN n < 170 THEN 'F' ELSE 'M' END, 1930 + n % 70 "
      "FROM (WITH RECURSIVE seq(n) AS (SELECT 100 UNION ALL SELECT n + 1 FROM seq WHERE n < 239) "
      "SELECT n FROM seq) AS s");
  DepositAndAccept();
  std::vector<std::string> ids;
  for (int n : {1, 2, 3, 4, 100, 150, 200, 239}) ids.push_back("COR-" + std::to_string(n));
  Sql("UPDATE " + table_ +
      " SET prenom = prenom || 'e' WHERE id IN (1, 2, 3, 4, 100, 150, 200, "
      "239)");
  EXPECT_TRUE(Once().empty());
  std::vector<std::string> correct = {"passages", "correct"};
  correct.insert(correct.end(), ids.begin(), ids.end());
  RunResult asked = Run(correct);
  ASSERT_EQ(asked.exit_code, 0) << asked.err;

  std::uint32_t seed = std::random_device{}();
  std::cout << "correction kill9: seed " << seed << "\n";
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  auto measure = [&] {
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = SpawnOnce(env_, config_, dir_ + "/measure");
    int status = 0;
    waitpid(pid, &status, 0);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
        .count();
  };
  // A step: runs killed at random moments until one completes (or 8 kills), then a complete one.
  auto step = [&](const std::string& action, const std::vector<std::string>& expected) {
    // A run is timed on a copy of the state (it must not do the work itself).
    fs::copy(state_, dir_ + "/state-copy", fs::copy_options::recursive);
    const std::string real = config_;
    WriteFile(dir_ + "/measure.yaml",
              std::regex_replace(ReadFile(config_), std::regex("state_directory: [^\n]*"),
                                 "state_directory: " + dir_ + "/state-copy"));
    config_ = dir_ + "/measure.yaml";
    const double run_ms = std::max(50.0, measure());
    config_ = real;
    fs::remove_all(dir_ + "/state-copy");
    std::uniform_real_distribution<double> delay(0.0, run_ms);
    for (int kill = 0; kill < 8; ++kill) {
      const pid_t pid = SpawnOnce(env_, config_, dir_ + "/run");
      std::this_thread::sleep_for(
          std::chrono::microseconds(static_cast<long>(delay(random) * 1000)));
      ::kill(pid, SIGKILL);
      int status = 0;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      // Whatever the moment: only complete, valid files in the outbox, none holding a passage
      // twice.
      std::vector<std::string> held;
      for (const auto& e : fs::directory_iterator(state_ + "/outbox")) {
        const std::string name = e.path().filename().string();
        if (name.starts_with(".")) continue;  // a partial file, removed at the next start
        if (!xsd_.empty()) {
          EXPECT_EQ(Xmllint(xsd_, {e.path().string()}).exit_code, 0) << name;
        }
        const std::string xml = ReadFile(e.path().string());
        if (ElementText(xml, "action") != action) continue;
        if (e.path().string() == creation_) continue;
        for (std::string& id : IdTechniquesOf(xml)) held.push_back(std::move(id));
      }
      std::sort(held.begin(), held.end());
      EXPECT_TRUE(std::adjacent_find(held.begin(), held.end()) == held.end())
          << action << ": a passage in two files";
      if (WIFEXITED(status)) break;  // ended before the kill
    }
    std::vector<ListedFile> last = Once();
    (void)last;
    std::vector<std::string> held;
    std::vector<std::string> files;
    for (const Held& h : Archived()) {
      if (h.action != action || state_ + "/outbox/" + h.name == creation_) continue;
      files.push_back(state_ + "/outbox/" + h.name);
      held.insert(held.end(), h.ids.begin(), h.ids.end());
    }
    std::sort(held.begin(), held.end());
    std::vector<std::string> want = expected;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(held, want) << action << ": every passage in exactly one file";
    for (const std::string& f : files) Import(f, IdTechniquesOf(ReadFile(f)));
  };
  step("SUPPRESSION", ids);
  if (HasFatalFailure()) return;
  std::vector<std::string> created = ids;
  if (derived_) {
    for (std::string& id : created) id += "-R1";
  }
  step("CREATION", created);
  for (const std::string& id : ids) {
    const std::string history = History(id);
    EXPECT_THAT(history, HasSubstr("statut : accepté")) << id;
  }
  EXPECT_TRUE(Once().empty());
}

// After a correction's SUPPRESSION, the CDC's « existe déjà en base » on the CREATION means it
// did not take the corrected data under that idTechnique: a rejection, never an acceptance.
TEST_P(CorrectionSystemTest, ADuplicateAfterACorrectionIsARejection) {
  DepositAndAccept();
  Sql("UPDATE " + table_ + " SET prenom = 'Jeanne', sexe = 'F' WHERE id = 3");
  EXPECT_TRUE(Once().empty());
  ASSERT_EQ(Run({"passages", "correct", "COR-3"}).exit_code, 0);
  std::vector<ListedFile> suppression = Once();
  ASSERT_EQ(suppression.size(), 1u);
  Import(suppression[0].path, {"COR-3"});
  std::vector<ListedFile> creation = Once();
  ASSERT_EQ(creation.size(), 1u);
  const std::string sent = IdTechniquesOf(ReadFile(creation[0].path)).at(0);
  const std::string xml = ReadFile(creation[0].path);
  const std::string path = dir_ + "/AT_duplicate.xml";
  WriteFile(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rapport><nomFichier>" +
                      fs::path(creation[0].path).filename().string() + "</nomFichier><idFlux>" +
                      ElementText(xml, "idFlux") +
                      "</idFlux><idTraitement>8002</idTraitement><PassagesKO><passage>"
                      "<idTechnique>" +
                      sent +
                      "</idTechnique><messageErreur>Le passage "
                      "certification avec le bcr émetteur DEMO0001 et l'id technique partenaire " +
                      sent +
                      " existe déjà en base</messageErreur></passage></PassagesKO>"
                      "<PassagesOK/></rapport>\n");
  RunResult r = Run({"receipts", "import", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("0 accepted, 1 rejected"));
  EXPECT_THAT(History("COR-3"), HasSubstr("statut : rejeté par la CDC"));
}

TEST_P(CorrectionSystemTest, AutomaticCorrectionsQueueThemselves) {
  DepositAndAccept();
  WriteConfig("auto");
  Sql("UPDATE " + table_ + " SET nom = 'Lefebvre' WHERE id = 1");
  std::vector<ListedFile> first = Once();
  ASSERT_EQ(first.size(), 1u) << log_;
  EXPECT_EQ(ElementText(ReadFile(first[0].path), "action"), "SUPPRESSION");
  EXPECT_THAT(IdTechniquesOf(ReadFile(first[0].path)), ElementsAre("COR-1"));
  EXPECT_THAT(History("COR-1"), HasSubstr("correction lancée d'elle-même (corrections: auto)"));
  Import(first[0].path, {"COR-1"});
  std::vector<ListedFile> second = Once();
  ASSERT_EQ(second.size(), 1u) << log_;
  EXPECT_EQ(ElementText(ReadFile(second[0].path), "nomNaissance"), "Lefebvre");
}

INSTANTIATE_TEST_SUITE_P(Sources, CorrectionSystemTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace accrochd::testing
