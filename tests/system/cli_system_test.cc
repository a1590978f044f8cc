// The real accrochd binary, run as an administrator runs it: exit codes, messages, the demo.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <regex>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/json_reader.h"
#include "tests/support/mapping_fixtures.h"
#include "tests/support/run_binary.h"
#include "tests/support/services.h"
#include "tests/system/deposit_checks.h"

namespace accrochd::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kDemoConfig = std::string(ACCROCHD_BINARY_DIR) + "/demo/accrochd.yaml";

// A minimal valid configuration around one source, for tests that change one thing.
// A configuration whose state directory is "state" beside it (never /var/lib/accrochd).
std::string ConfigText(const std::string& source_block, const std::string& mapping_path) {
  return "sources:\n" + source_block +
         "certifiers:\n"
         "  ecole:\n"
         "    id_client: \"DEMO0001\"\n"
         "    id_contrat: \"MCFCER009999\"\n"
         "    mappings:\n"
         "      - " +
         mapping_path + "\nstate_directory: state\n";
}

std::string MappingText(const std::string& source, const std::string& query) {
  return MinimalMapping(source, query, "x");
}

TEST(CliSystemTest, VersionNamesTheLibrariesInUse) {
  RunResult r = RunAccrochd({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("accrochd 0.1.0"));
  EXPECT_THAT(r.out, HasSubstr("\nSOCI 4.0.3\n"));
  EXPECT_THAT(r.out, MatchesRegex("(.|\n)*unixODBC 2\\.[0-9]+\\.[0-9]+\n(.|\n)*"));
  EXPECT_THAT(r.out, MatchesRegex("(.|\n)*libxml2 2\\.[0-9]+\\.[0-9]+\n(.|\n)*"));
  // The executable's allocator (daemon/CMakeLists.txt): jemalloc unless built without it.
  if (ACCROCHD_WITH_JEMALLOC) {
    EXPECT_THAT(r.out, MatchesRegex("(.|\n)*\nallocator jemalloc 5\\.[0-9]+\\.[0-9]+\n"));
  } else {
    EXPECT_THAT(r.out, MatchesRegex("(.|\n)*\nallocator glibc 2\\.[0-9]+\n"));
  }
}

TEST(CliSystemTest, UsageErrorsExit1) {
  EXPECT_EQ(RunAccrochd({}).exit_code, 1);
  RunResult r = RunAccrochd({"chek"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'chek'"));
  r = RunAccrochd({"check", "--frobnicate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("accrochd check: unrecognised option '--frobnicate'"));
}

TEST(CliSystemTest, CheckReportsAMissingConfigurationFile) {
  const std::string path = MakeTempDir("missing-config") + "/nope.yaml";
  RunResult r = RunAccrochd({"check", "--config", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(path + ": cannot open file: No such file or directory"));
}

TEST(CliSystemTest, CheckReportsAMisspeltKeyWithItsLine) {
  const std::string dir = MakeTempDir("misspelt-key");
  WriteFile(dir + "/m.yaml", MappingText("ecole", "SELECT 1 AS x"));
  WriteFile(dir + "/accrochd.yaml", ConfigText("  ecole:\n"
                                               "    connection: \"Driver=SQLite3;Database=x.db;\"\n"
                                               "    fetch_sise: 500\n",
                                               "m.yaml"));
  RunResult r = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr(dir + "/accrochd.yaml:4:5: unknown key \"sources.ecole.fetch_sise\"; "
                              "did you mean \"fetch_size\"?"));
  EXPECT_THAT(r.err, HasSubstr("accrochd check: 1 error in the configuration"));
}

TEST(CliSystemTest, CheckReportsEveryProblemOfAMapping) {
  const std::string dir = MakeTempDir("bad-mapping");
  WriteFile(dir + "/m.yaml",
            "certification:\n  type: RNCP\nsource: ailleurs\n"
            "query: DELETE FROM candidat\nfeilds: {}\n");
  WriteFile(dir + "/accrochd.yaml",
            ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=x.db;\"\n", "m.yaml"));
  RunResult r = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir + "/m.yaml:2:3: certification: missing required key \"code\""));
  EXPECT_THAT(r.err, HasSubstr(dir + "/m.yaml:4:8: query: the query must be a single SELECT"));
  EXPECT_THAT(r.err, HasSubstr(dir + "/m.yaml:5:1: unknown key \"feilds\""));
  EXPECT_THAT(r.err, HasSubstr(dir + "/m.yaml:3:9: source \"ailleurs\" is not defined"));
}

TEST(CliSystemTest, InlinePasswordIsRefusedWithoutBeingShown) {
  const std::string dir = MakeTempDir("inline-password");
  WriteFile(dir + "/m.yaml", MappingText("ecole", "SELECT 1 AS x"));
  WriteFile(
      dir + "/accrochd.yaml",
      ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=x.db;PWD=Tr3s-S3cret;\"\n"
                 "    password: Aut3r-S3cret\n",
                 "m.yaml"));
  RunResult r = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("accrochd.yaml:3:17: sources.ecole.connection: holds a secret (PWD=...)"));
  EXPECT_THAT(r.err, HasSubstr("accrochd.yaml:4:15: sources.ecole.password: a password written in "
                               "the configuration is refused"));
  EXPECT_THAT(r.err + r.out, AllOf(Not(HasSubstr("Tr3s-S3cret")), Not(HasSubstr("Aut3r-S3cret"))));
}

TEST(CliSystemTest, PrintConfigShowsSecretsOnlyByReference) {
  const std::string dir = MakeTempDir("print-config");
  WriteFile(dir + "/m.yaml", MappingText("ecole", "SELECT 1 AS x"));
  WriteFile(dir + "/db-password", "Tr3s-S3cret\n", 0600);
  WriteFile(dir + "/accrochd.yaml",
            ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=x.db;\"\n"
                       "    password: {file: db-password}\n",
                       "m.yaml"));
  RunResult r =
      RunAccrochd({"check", "--no-connect", "--print-config", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("password: {file: db-password}"));
  EXPECT_THAT(r.out, HasSubstr("fetch_size: 1000"));
  EXPECT_THAT(r.out, HasSubstr("query_timeout: 5min"));
  EXPECT_THAT(r.out, Not(HasSubstr("Tr3s-S3cret")));
}

TEST(CliSystemTest, PasswordFileReadableByOthersIsRefused) {
  const std::string dir = MakeTempDir("password-mode");
  WriteFile(dir + "/m.yaml", MappingText("ecole", "SELECT 1 AS x"));
  WriteFile(dir + "/db-password", "Tr3s-S3cret\n", 0644);
  WriteFile(dir + "/accrochd.yaml",
            ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=x.db;\"\n"
                       "    password: {file: db-password}\n",
                       "m.yaml"));
  RunResult r = RunAccrochd({"check", "--no-connect", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("has mode 0644, readable by other users; run chmod 600 " + dir +
                               "/db-password"));
}

// The documented example must stay a valid configuration.
TEST(CliSystemTest, ExampleConfigurationIsValid) {
  const std::string dir = MakeTempDir("example-config");
  const std::string etc = std::string(ACCROCHD_SOURCE_DIR) + "/etc";
  std::filesystem::copy_file(etc + "/accrochd.yaml.example", dir + "/accrochd.yaml");
  std::filesystem::create_directory(dir + "/mappings");
  std::filesystem::copy_file(etc + "/mappings/exemple-rncp.yaml",
                             dir + "/mappings/exemple-rncp.yaml");
  // The shipped unit names the credential of /etc/accrochd/credentials/scolarite-db so.
  WriteFile(dir + "/secret_scolarite-db", "mot-de-passe\n", 0600);
  RunResult r = RunAccrochd({"check", "--no-connect", "--config", dir + "/accrochd.yaml"},
                            {"CREDENTIALS_DIRECTORY=" + dir});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 source, 1 certifier, 1 mapping"));
}

// For shell completion: the names alone, from accrochd.yaml alone. The mapping files do not
// exist and the credential is not provided, which a full check would refuse.
TEST(CliSystemTest, CheckListMappingsPrintsTheNamesFromTheConfigurationAlone) {
  const std::string dir = MakeTempDir("list-mappings");
  WriteFile(dir + "/accrochd.yaml",
            "sources:\n"
            "  ecole:\n"
            "    connection: \"Driver=SQLite3;Database=x.db;\"\n"
            "    password: {credential: secret_ecole}\n"
            "certifiers:\n"
            "  un:\n"
            "    id_client: \"DEMO0001\"\n"
            "    id_contrat: \"MCFCER009999\"\n"
            "    mappings: [m/bts-compta.yaml, /srv/rncp-paie.yml]\n"
            "  deux:\n"
            "    id_client: \"DEMO0002\"\n"
            "    id_contrat: \"MCFCER009998\"\n"
            "    mappings: [m/rs-handicap.yaml, m/bts-compta.yaml]\n");
  RunResult r = RunAccrochd({"check", "--list-mappings", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "bts-compta\nrncp-paie\nrs-handicap\n");
  EXPECT_EQ(r.err, "");
  r = RunAccrochd({"check", "--no-connect", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("secret_ecole"));
}

TEST(CliSystemTest, CheckListMappingsReportsWhatItCannotRead) {
  const std::string dir = MakeTempDir("list-mappings-errors");
  RunResult r = RunAccrochd({"check", "--list-mappings", "--config", dir + "/nope.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(dir + "/nope.yaml: cannot open file: No such file or directory"));
  WriteFile(dir + "/accrochd.yaml", "sources: {}\n");
  r = RunAccrochd({"check", "--list-mappings", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir + "/accrochd.yaml:1:1: certifiers: expected a mapping of "
                                     "certifiers, each with its mappings"));
  // A path that is not UTF-8 is refused where it is, as check would, and never printed.
  WriteFile(dir + "/accrochd.yaml", "certifiers:\n  un:\n    mappings: [ok.yaml, \"\xC9.yaml\"]\n");
  r = RunAccrochd({"check", "--list-mappings", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(dir + "/accrochd.yaml:3:25: certifiers.un.mappings: invalid UTF-8 "
                                     "at byte 1 (\\xC9); save the file as UTF-8"));
  r = RunAccrochd({"check", "--list-mappings", "--print-config"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("accrochd check: --list-mappings checks nothing: it cannot be "
                               "combined with --print-config"));
}

TEST(CliSystemTest, DemoCheckConnectsAndPreparesEveryQuery) {
  RunResult r = RunAccrochd({"check", "--config", kDemoConfig});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 source, 1 certifier, 3 mappings"));
  EXPECT_THAT(r.out, HasSubstr("source \"ecole\": connected to SQLite 3."));
  EXPECT_THAT(
      r.out, HasSubstr("mapping \"responsable-pme\" (RNCP RNCP36141): query prepared, 17 columns"));
  EXPECT_THAT(r.out, HasSubstr("deposit files are checked against accrochd's own schema 1.1.5 "
                               "(the official one, each block's elements in the order accrochd "
                               "writes them)"));
}

// A copy of the demo configuration with a state directory of its own, so that tests running at
// the same time, or one after another, never share a state store.
std::string FreshDemoConfig(const std::string& name) {
  const std::string dir = MakeTempDir(name);
  WriteFile(dir + "/accrochd.yaml", DemoConfigWith(dir + "/state", ""));
  return dir + "/accrochd.yaml";
}

TEST(CliSystemTest, ReceiptsBeforeAnyCycleSaySoAndExit1) {
  RunResult r =
      RunAccrochd({"receipts", "import", "--config", FreshDemoConfig("receipts-first"), "x.xml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("accrochd has not run a cycle"));
}

TEST(CliSystemTest, DemoOnceReadsEveryAdmittedPassageOverOdbc) {
  RunResult r = RunAccrochd({"once", "--config", FreshDemoConfig("demo-once-read")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Read 189 rows over ODBC"));
  EXPECT_THAT(r.out, HasSubstr("source \"ecole\": SQLite"));
  EXPECT_THAT(r.out, HasSubstr("mapping \"gestionnaire-paie\": 63 rows"));
  EXPECT_THAT(r.out, HasSubstr("mapping \"responsable-pme\": 63 rows"));  // read by pages
  EXPECT_THAT(r.out, HasSubstr("mapping \"accueil-handicap\": 63 rows"));
}

TEST(CliSystemTest, DemoOnceVerbosePrintsEachStageOfTheCycle) {
  RunResult r = RunAccrochd({"once", "--verbose", "--config", FreshDemoConfig("demo-once-stages")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t stages = r.out.find("Stages of the cycle");
  ASSERT_NE(stages, std::string::npos) << r.out;
  const std::string after_report = r.out.substr(stages);
  for (const char* stage : {"read", "map\\+validate", "record", "write", "check\\+publish"}) {
    EXPECT_TRUE(std::regex_search(
        after_report,
        std::regex(std::string("\n  stage ") + stage +
                   " +[0-9]+\\.[0-9]{2} s CPU, busy +[0-9]+ % of the [0-9]+\\.[0-9]{2} "
                   "s cycle, waiting [0-9]+\\.[0-9]{2} s\n")))
        << stage << " in:\n"
        << r.out;
  }
  // Without --verbose, the report alone.
  RunResult quiet = RunAccrochd({"once", "--config", FreshDemoConfig("demo-once-no-stages")});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_THAT(quiet.out, Not(HasSubstr("Stages of the cycle")));
}

TEST(CliSystemTest, DemoOnceValidatesAndListsTheQuarantineWithoutPersonalData) {
  RunResult r = RunAccrochd({"once", "--config", FreshDemoConfig("demo-once-quarantine")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("3 quarantined."));
  // Each planted problem, with its idTechnique, field, rule and French reason.
  EXPECT_THAT(r.out, HasSubstr("IEF-1017  nomNaissance  length  nomNaissance : 64 caractères, "
                               "60 au plus"));
  EXPECT_THAT(r.out, HasSubstr("IEF-1042  sexe  not-in-map  sexe : valeur absente de la table "
                               "de correspondance (colonne civilite)"));
  EXPECT_THAT(r.out, HasSubstr("IEF-1077  jourNaissance  calendar-date  jourNaissance : date "
                               "impossible, ce jour n'existe pas (colonne date_naissance)"));
  // Never the personal values behind them.
  for (const char* personal : {"Auvergne", "Dr", "30/02/1990", "1990"}) {
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(std::string(" ") + personal))) << personal;
  }
}

// `accrochd status` after a cycle on the demo: every passage with its deadline (--all), the 20
// nearest by default, a passage's history; nothing personal.
TEST(CliSystemTest, DemoStatusShowsEveryPassageWithItsDeadline) {
  const std::string config = FreshDemoConfig("demo-status");
  RunResult once = RunAccrochd({"once", "--config", config});
  ASSERT_EQ(once.exit_code, 0) << once.err;

  auto listed = [](const std::string& text) {
    static const std::regex kLine(
        R"(\n  (IEF-[0-9]+)  (RNCP35830|RNCP36141|RS6521)  [^\n]*  délivré le [0-9]{2}/[0-9]{2}/[0-9]{4}  échéance [0-9]{2}/[0-9]{2}/[0-9]{4}  (dépassée de [0-9]+ jour\(s\)|aujourd'hui|[0-9]+ jour\(s\)))");
    std::set<std::string> ids;
    std::size_t lines = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kLine);
         it != std::sregex_iterator(); ++it) {
      ids.insert((*it)[1].str());
      ++lines;
    }
    EXPECT_EQ(ids.size(), lines) << "a passage listed twice";
    return ids;
  };
  RunResult all = RunAccrochd({"status", "--all", "--config", config});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  // 189 rows: in the file, not due yet or quarantined -- each with its deadline.
  EXPECT_THAT(all.out, HasSubstr("Toutes les échéances (189 passage(s) pas encore accepté(s)) :"));
  EXPECT_EQ(listed(all.out).size(), 189u) << all.out;
  EXPECT_THAT(all.out, HasSubstr("RS RS6521 : 63 passage(s)"));
  EXPECT_THAT(all.out, HasSubstr("DEMO0001_"));  // the file waiting in the outbox

  RunResult nearest = RunAccrochd({"status", "--config", config});
  ASSERT_EQ(nearest.exit_code, 0) << nearest.err;
  EXPECT_THAT(nearest.out, HasSubstr("Les 20 échéances les plus proches"));
  EXPECT_EQ(listed(nearest.out).size(), 20u) << nearest.out;

  RunResult history = RunAccrochd({"history", "--config", config, "IEF-1017"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr("statut : en quarantaine"));
  EXPECT_THAT(history.out, HasSubstr("mis en quarantaine — length"));

  for (const char* personal : {"Auvergne", "30/02/1990", "Dr"}) {
    EXPECT_THAT(all.out + history.out, Not(HasSubstr(std::string(" ") + personal + " ")))
        << personal;
  }
}

// `status --json` is for programs: version 2 gives times in ISO 8601 with the zone's offset and
// dates as YYYY-MM-DD (the dashboard's French forms stay in the text), identifiers as strings,
// counts as numbers; the same deadlines as the French dashboard.
TEST(CliSystemTest, DemoStatusJsonGivesIsoTimesAndDates) {
  const std::string config = FreshDemoConfig("demo-status-json");
  RunResult once = RunAccrochd({"once", "--config", config});
  ASSERT_EQ(once.exit_code, 0) << once.err;
  RunResult json = RunAccrochd({"status", "--json", "--all", "--config", config});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  testing::JsonReader reader(json.out);
  std::optional<testing::Json> doc = reader.Document();
  ASSERT_TRUE(doc.has_value()) << reader.error() << "\n" << json.out;
  const testing::Json& j = *doc;
  EXPECT_EQ(j["type"].text, "accrochd.status");
  EXPECT_EQ(j["version"].type, testing::Json::Type::kNumber);
  EXPECT_EQ(j["version"].Int(), 2);
  const std::regex kTime(
      R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2})");
  const std::regex kDate(R"([0-9]{4}-[0-9]{2}-[0-9]{2})");
  EXPECT_TRUE(std::regex_match(j["generated_at"].text, kTime)) << j["generated_at"].text;
  EXPECT_EQ(j["timezone"].text, "Europe/Paris");

  ASSERT_EQ(j["nearest"].items.size(), 189u);
  for (const testing::Json& p : j["nearest"].items) {
    EXPECT_EQ(p["id"].type, testing::Json::Type::kString);
    EXPECT_EQ(p["days_left"].type, testing::Json::Type::kNumber);
    EXPECT_TRUE(std::regex_match(p["deadline"].text, kDate)) << p["id"].text;
    if (p.Has("delivery")) {
      EXPECT_TRUE(std::regex_match(p["delivery"].text, kDate)) << p["id"].text;
    }
  }
  // IEF-1122's deadline, as the French dashboard says it, is the JSON's date.
  RunResult all = RunAccrochd({"status", "--all", "--config", config});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const testing::Json* first = &j["nearest"].items.front();
  const std::string iso = (*first)["deadline"].text;  // YYYY-MM-DD
  const std::string french = iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4);
  EXPECT_THAT(all.out, HasSubstr("  " + (*first)["id"].text + "  "));
  EXPECT_THAT(all.out,
              ::testing::ContainsRegex((*first)["id"].text + "  [^\n]*échéance " + french));

  ASSERT_EQ(j["outbox"].items.size(), 1u);
  const testing::Json& file = j["outbox"].items.front();
  EXPECT_TRUE(std::regex_match(file["published_at"].text, kTime)) << file["published_at"].text;
  EXPECT_FALSE(file.Has("uploaded_at"));  // not uploaded: left out, not ""
  EXPECT_EQ(file["passages"].type, testing::Json::Type::kNumber);
  const testing::Json& certifier = j["certifiers"].items.front();
  EXPECT_EQ(certifier["bcr"].type, testing::Json::Type::kString);
  EXPECT_EQ(certifier["overdue"].type, testing::Json::Type::kNumber);
  ASSERT_TRUE(j["has_last_cycle"].boolean);
  EXPECT_TRUE(std::regex_match(j["last_cycle"]["ended_at"].text, kTime))
      << j["last_cycle"]["ended_at"].text;
  EXPECT_THAT(json.out, Not(HasSubstr("/20")));  // no French date anywhere
}

TEST(CliSystemTest, DemoPreviewShowsPassagesAndTheQuarantine) {
  RunResult r = RunAccrochd(
      {"preview", "--config", kDemoConfig, "--mapping", "accueil-handicap", "--limit", "17"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Passage IEF-1002  [valid]  (id_resultat=1002)"));
  EXPECT_THAT(r.out, HasSubstr("  obtentionCertification      PAR_SCORING\n"));
  EXPECT_THAT(r.out, HasSubstr("  dateFinValidite             nil\n"));
  EXPECT_THAT(r.out, HasSubstr("17 rows mapped"));
  EXPECT_THAT(r.out, HasSubstr("Nothing was changed."));
  EXPECT_THAT(r.out, HasSubstr("Quarantine (idTechnique, field, rule, reason):\n"
                               "  IEF-1017  nomNaissance  length  nomNaissance : 64 caractères, "
                               "60 au plus\n"));
}

// One mapping for the demo's whole catalogue, its certification read from columns: check says
// which columns, preview lists the certifications the rows gave, each with its passages, and
// quarantines the rows whose certification the CDC would refuse.
TEST(CliSystemTest, CheckAndPreviewListTheCertificationsOfACatalogueMapping) {
  const std::string dir = MakeTempDir("catalogue");
  std::string fields = MinimalFields();
  const std::string nom = "  nomNaissance: {constant: DUPONT}\n";
  fields.replace(fields.find(nom), nom.size(), "  nomNaissance: {template: \"NOM{x}\"}\n");
  WriteFile(
      dir + "/catalogue.yaml",
      "certification:\n"
      "  type: {column: type_certif, map: {rncp: RNCP, rs: RS}, ignore_case: true}\n"
      "  code: {column: code_certif, case: upper}\n"
      "source: ecole\n"
      "query: >-\n"
      "  SELECT r.id AS x, c.type AS type_certif, lower(c.code) AS code_certif\n"
      "  FROM resultat r JOIN certification c ON c.id = r.certification_id WHERE r.admis = 1\n"
      "  UNION ALL SELECT 9001, 'rs', 'RNCP36141' UNION ALL SELECT 9002, 'xyz', 'RS1'\n"
      "key: x\n" +
          fields);
  WriteFile(dir + "/accrochd.yaml",
            ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=" +
                           std::string(ACCROCHD_BINARY_DIR) + "/demo/demo.db;\"\n",
                       "catalogue.yaml"));
  RunResult check = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("mapping \"catalogue\": certification read on each row: type "
                                   "from column type_certif (mapped), code from column "
                                   "code_certif\n"));
  EXPECT_THAT(check.out, HasSubstr("mapping \"catalogue\" (certification from columns): query "
                                   "prepared, 3 columns, every mapped column found\n"));

  RunResult preview = RunAccrochd(
      {"preview", "--config", dir + "/accrochd.yaml", "--mapping", "catalogue", "--limit", "500"});
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  EXPECT_THAT(preview.out, HasSubstr("191 rows mapped, 189 valid"));
  EXPECT_THAT(preview.out, HasSubstr("\nCertifications (passages):\n"
                                     "  RNCP RNCP35830  63\n"
                                     "  RNCP RNCP36141  63\n"
                                     "  RS RS6521  63\n"
                                     "  (no certification the CDC accepts: quarantined)  2\n"));
  EXPECT_THAT(preview.out,
              HasSubstr("  9001  certification  certification  certification : le type RS ne "
                        "correspond pas au code RNCP36141 (colonnes type_certif, code_certif)\n"));
  EXPECT_THAT(preview.out,
              HasSubstr("  9002  certification  not-in-map  certification : type « xyz » absent "
                        "de la table de correspondance (colonne type_certif)\n"));
}

TEST(CliSystemTest, PreviewOfAnUnknownMappingListsTheMappings) {
  RunResult r = RunAccrochd({"preview", "--config", kDemoConfig, "--mapping", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no mapping named \"nope\" (mappings: gestionnaire-paie, "
                               "responsable-pme, accueil-handicap)"));
}

TEST(CliSystemTest, CheckReportsMappedColumnsTheQueryDoesNotReturn) {
  const std::string dir = MakeTempDir("missing-columns");
  WriteFile(dir + "/m.yaml", MinimalMapping("ecole", "SELECT id AS x FROM candidat", "x") +
                                 "  libelleCommuneNaissance: ville\n  verbatim: {template: "
                                 "\"{session}\"}\n");
  WriteFile(dir + "/accrochd.yaml",
            ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=" +
                           std::string(ACCROCHD_BINARY_DIR) + "/demo/demo.db;\"\n",
                       "m.yaml"));
  RunResult r = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  // Each column is named with the position of the field that reads it.
  const std::string mapping = MinimalMapping("ecole", "SELECT id AS x FROM candidat", "x");
  const int last = static_cast<int>(std::count(mapping.begin(), mapping.end(), '\n'));
  const std::string ville = dir + "/m.yaml:" + std::to_string(last + 1) + ":28";
  const std::string session = dir + "/m.yaml:" + std::to_string(last + 2) + ":13";
  EXPECT_THAT(r.err, HasSubstr(ville + ": mapping \"m\" reads column(s) ville (" + ville +
                               "), session (" + session + ") that the query does not return"));
}

// What a file holds is not echoed when it is not what was expected: a secret or a list of names
// given by mistake as the configuration or as a mapping.
TEST(CliSystemTest, CheckNeverEchoesAFileGivenByMistake) {
  const std::string dir = MakeTempDir("wrong-file");
  const std::string secret = "S3cr3t-Passw0rd";
  const std::vector<std::string> names = {"Dupont", "Jeanne", "Martin", "Paul", "1990-01-01"};
  WriteFile(dir + "/secretfile", secret + "\n", 0600);
  WriteFile(dir + "/candidats.csv",
            "nom;prenom;naissance\nDupont;Jeanne;1990-01-01\nMartin;Paul;1985-12-31\n");
  WriteFile(dir + "/noms.txt", "Dupont: Jeanne\nMartin: Paul\n");  // reads as a mapping
  const auto expect_silent = [&](const RunResult& r) {
    EXPECT_EQ(r.exit_code, 1);
    for (const std::string* text : {&r.out, &r.err}) {
      EXPECT_THAT(*text, Not(HasSubstr(secret)));
      for (const std::string& name : names) EXPECT_THAT(*text, Not(HasSubstr(name)));
    }
  };
  for (const std::string& file : {std::string("noms.txt")}) {
    SCOPED_TRACE(file);
    RunResult r = RunAccrochd({"check", "--config", dir + "/" + file});
    expect_silent(r);
    EXPECT_THAT(r.err, HasSubstr(dir + "/" + file +
                                 ":1:1: the file: none of its 2 keys is a setting of this kind of "
                                 "file; is it the right file?"));
    WriteFile(dir + "/accrochd.yaml",
              ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=x.db;\"\n", file));
    r = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
    expect_silent(r);
    EXPECT_THAT(r.err, HasSubstr(dir + "/" + file +
                                 ":1:1: the file: none of its 2 keys is a setting of this kind of "
                                 "file; is it the right file?"));
  }
  for (const std::string& file : {std::string("secretfile"), std::string("candidats.csv")}) {
    SCOPED_TRACE(file);
    // As the configuration.
    RunResult r = RunAccrochd({"check", "--config", dir + "/" + file});
    expect_silent(r);
    const std::string length = file == "secretfile" ? "15" : "68";
    EXPECT_THAT(r.err, HasSubstr(dir + "/" + file +
                                 ":1:1: the file: expected a mapping of keys to values, found a "
                                 "text of " +
                                 length + " characters"));
    // As a mapping.
    WriteFile(dir + "/accrochd.yaml",
              ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=x.db;\"\n", file));
    r = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
    expect_silent(r);
    EXPECT_THAT(r.err, HasSubstr(dir + "/" + file +
                                 ":1:1: the file: expected a mapping of keys to values, found a "
                                 "text of " +
                                 length + " characters"));
  }
}

TEST(CliSystemTest, CheckGivesAShortMessageForAHugeValue) {
  const std::string dir = MakeTempDir("huge-value");
  WriteFile(dir + "/m.yaml", MappingText("ecole", "SELECT 1 AS x"));
  WriteFile(dir + "/accrochd.yaml",
            ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=x.db;\"\n"
                       "    fetch_size: " +
                           std::string(5'000'000, '7') + "z\n",
                       "m.yaml"));
  RunResult r = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir +
                               "/accrochd.yaml:4:17: sources.ecole.fetch_size: expected a "
                               "whole number, found \"" +
                               std::string(40, '7') + "\"... (5000001 characters)"));
  EXPECT_LT(r.err.size() + r.out.size(), 2'000u);
}

TEST(CliSystemTest, CheckRefusesAValueThatIsNotUtf8AtItsKey) {
  const std::string dir = MakeTempDir("not-utf8");
  WriteFile(dir + "/m.yaml", MappingText("ecole", "SELECT 1 AS x"));
  std::string config =
      ConfigText("  ecole:\n    connection: \"Driver=SQLite3;Database=x.db;\"\n", "m.yaml");
  config.replace(config.find("MCFCER009999"), 12, "MCF\xC9R009999");  // Latin-1 É
  WriteFile(dir + "/accrochd.yaml", config);
  RunResult r = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir + "/accrochd.yaml:7:17: certifiers.ecole.id_contrat: invalid "
                                     "UTF-8 at byte 4 (\\xC9); save the file as UTF-8"));
}

TEST(CliSystemTest, OnceReportsAnUnreachableSourceAndExits2) {
  const std::string dir = MakeTempDir("unreachable");
  WriteFile(dir + "/m.yaml", MappingText("scolarite", "SELECT 1 AS x"));
  WriteFile(dir + "/secret", "Tr3s-S3cret\n", 0600);
  WriteFile(
      dir + "/accrochd.yaml",
      ConfigText("  scolarite:\n"
                 "    connection: \"Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=9;Uid=a;\"\n"
                 "    password: {file: secret}\n"
                 "    retry: {attempts: 2, initial_delay: 1s}\n",
                 "m.yaml"));
  RunResult r = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("source \"scolarite\": connection attempt 1/2 failed"));
  EXPECT_THAT(r.err, HasSubstr("source \"scolarite\": unreachable after 2 attempt(s) over 1s"));
  EXPECT_THAT(r.err, Not(HasSubstr("Tr3s-S3cret")));
}

// Issue 14: a SQLite source whose file is missing is reported, by `check` and by `once`, with the
// source and the path -- and no empty database is left at the path.
TEST(CliSystemTest, MissingSqliteFileIsReportedAndNeverCreated) {
  const std::string dir = MakeTempDir("missing-sqlite");
  const std::string database = dir + "/absent.db";
  WriteFile(dir + "/accrochd.yaml", DemoConfigWith(dir + "/state", "", database));
  const std::string missing = "source \"ecole\": cannot connect: the SQLite database file " +
                              database + " does not exist (accrochd only reads";

  RunResult check = RunAccrochd({"check", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.err, HasSubstr("source \"ecole\" (Driver=SQLite3;Database=" + database +
                                   ";): " + missing));
  // Said once, for the source; its three mappings say they were not checked.
  EXPECT_EQ(Occurrences(check.err, "does not exist"), 1u) << check.err;
  EXPECT_THAT(check.err, HasSubstr(": mapping \"gestionnaire-paie\": query not checked (source "
                                   "\"ecole\" above)\n"));
  EXPECT_FALSE(std::filesystem::exists(database));

  RunResult once = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(once.exit_code, 2);
  EXPECT_THAT(once.out,
              HasSubstr("Certifier \"institut-exemple\" could not be served: " + missing));
  EXPECT_THAT(once.err, Not(HasSubstr("retrying")));
  EXPECT_FALSE(std::filesystem::exists(database));
}

// Rows a mapping's skip_when takes out are not for the CDC: `once` and `preview` count them, per
// rule label, and the log line of the extraction says the same; they are neither quarantined
// nor deposited.
TEST(CliSystemTest, OnceAndPreviewCountTheRowsSkipWhenTakesOut) {
  const std::string dir = MakeTempDir("skip-when");
  const std::string database = dir + "/jury.db";
  const std::string sql = dir + "/jury.sql";
  WriteFile(sql,
            "CREATE TABLE jury (id INTEGER PRIMARY KEY, decision TEXT);\n"
            "INSERT INTO jury VALUES (1, 'admis'), (2, 'ajourné'), (3, 'absent'), "
            "(4, 'VAE partielle');\n");
  const std::string command = std::string(ACCROCHD_SQLITE3) + " -bail " + database + " < " + sql;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  WriteFile(dir + "/jury.yaml",
            MinimalMapping("jury", "SELECT id, decision FROM jury ORDER BY id") +
                "skip_when:\n"
                "  - {column: decision, in: [ajourné, absent], label: \"non admis\"}\n"
                "  - {column: decision, matches: \"VAE.*\"}\n");
  WriteFile(dir + "/accrochd.yaml",
            ConfigText("  jury:\n    connection: \"Driver=SQLite3;Database=" + database + ";\"\n",
                       "jury.yaml"));

  RunResult once = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(once.exit_code, 0) << once.out << once.err;
  EXPECT_THAT(once.out, HasSubstr("Read 4 rows over ODBC in "));
  EXPECT_THAT(once.out, HasSubstr("1 valid, 0 not due yet (delivered in the future), 0 "
                                  "quarantined, 3 skipped (not for the CDC, by the mappings' "
                                  "skip_when)."));
  EXPECT_THAT(once.out, HasSubstr("mapping \"jury\": 4 rows, 1 valid, 0 not due yet, 0 "
                                  "quarantined, 3 skipped (non admis: 2, decision matches VAE.*: "
                                  "1)\n"));
  EXPECT_THAT(once.err, HasSubstr("mapping \"jury\": 4 rows read, 1 valid, 0 not due yet, 0 "
                                  "quarantined, 1 new, 3 skipped (non admis: 2, decision "
                                  "matches VAE.*: 1)"));

  RunResult preview =
      RunAccrochd({"preview", "--config", dir + "/accrochd.yaml", "--mapping", "jury"});
  EXPECT_EQ(preview.exit_code, 0) << preview.out << preview.err;
  EXPECT_THAT(preview.out, HasSubstr("4 rows mapped, 1 valid, 0 not due yet, 0 quarantined, 3 "
                                     "skipped (non admis: 2, decision matches VAE.*: 1). Nothing "
                                     "was changed."));
  EXPECT_EQ(Occurrences(preview.out, "\nPassage "), 1u) << preview.out;
}

}  // namespace
}  // namespace accrochd::testing
