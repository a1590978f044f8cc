// `accrochd profile` through the real binary and the SQLite ODBC driver: the figures of a small
// database built for the test, then the demo; never a personal value in what it prints.
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/run_binary.h"
#include "tests/system/deposit_checks.h"

namespace accrochd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A school's table with the problems a profile must show: a civility no map entry catches, a
// way of access the map lacks, dates in two formats and two that none reads, a birth name over
// the limit, one typed with a decomposed accent, one in lower case, one with a digit.
constexpr char kDatabase[] = R"(
CREATE TABLE passage (id INTEGER PRIMARY KEY, civilite TEXT, nom TEXT, prenom TEXT,
                      delivre TEXT, voie TEXT);
INSERT INTO passage VALUES
  (1, 'Mme', 'DUPONT', 'Jeanne', '15/01/2026', 'Apprentissage'),
  (2, 'M.', 'martin', 'Paul', '2026-01-16', 'Apprentissage'),
  (3, 'Mlle', 'LE' || char(769) || 'ON', 'Zoé', '31/02/2026', 'VAE'),
  (4, 'M.', 'O''Neil-Smith', 'Jean  Marc', 'hier', 'Alternance'),
  (5, 'Mme', 'Dupont2', 'Anne', NULL, NULL),
  (6, 'Mme', 'TRESLONGNOM' || replace(hex(zeroblob(53)), '00', 'X'), 'Ana', '15/01/2026', 'VAE');
)";

constexpr char kMapping[] = R"(certification: {type: RNCP, code: RNCP35830}
source: ecole
query: SELECT id, civilite, nom, prenom, delivre, voie FROM passage
key: id
fields:
  dateDebutValidite: {column: delivre, date: ["%d/%m/%Y", iso]}
  dateFinValidite: nil
  obtentionCertification: {constant: PAR_ADMISSION}
  donneeCertifiee: {constant: true}
  presenceNiveauLangueEuro: {constant: false}
  presenceNiveauNumeriqueEuro: {constant: false}
  scoring: nil
  mentionValidee: nil
  modaliteAcces:
    column: voie
    map: {Apprentissage: FORMATION_INITIALE_APPRENTISSAGE, VAE: VAE}
  nomNaissance: nom
  nomUsage: nil
  prenom1: prenom
  anneeNaissance: {constant: 1990}
  moisNaissance: nil
  jourNaissance: nil
  sexe: {column: civilite, map: {"M.": M, Mme: F}}
  codePostal: nil
)";

std::string Configuration(const std::string& database) {
  return "sources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=" + database +
         ";\"\ncertifiers:\n  ecole:\n    id_client: \"DEMO0001\"\n    id_contrat: "
         "\"MCFCER009999\"\n    mappings:\n      - ecole.yaml\nstate_directory: state\n";
}

TEST(ProfileSystemTest, ShowsTheFiguresOfEveryFieldAndNoPersonalValue) {
  const std::string dir = MakeTempDir("profile");
  const std::string database = dir + "/ecole.db";
  WriteFile(dir + "/ecole.sql", kDatabase);
  ShellResult sqlite = Shell(Quote(ACCROCHD_SQLITE3) + " -bail " + Quote(database) + " < " +
                             Quote(dir + "/ecole.sql"));
  ASSERT_EQ(sqlite.exit_code, 0) << sqlite.out;
  WriteFile(dir + "/ecole.yaml", kMapping);
  WriteFile(dir + "/accrochd.yaml", Configuration(database));

  RunResult r = RunAccrochd({"profile", "--config", dir + "/accrochd.yaml", "--mapping", "ecole"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Mapping \"ecole\" (certifier \"ecole\", source \"ecole\", schema "
                               "1.1.5, today "));
  EXPECT_THAT(r.out, HasSubstr("  6 rows read in "));
  EXPECT_THAT(r.out,
              HasSubstr("the whole query (cursor and paging ignored). Nothing was changed."));
  EXPECT_THAT(r.out, HasSubstr("  modaliteAcces                voie (map of 2)"
                               "                      6 rows, 1 NULL, 0 empty\n"
                               "      3 distinct values: \"Apprentissage\" 2, \"VAE\" 2, "
                               "\"Alternance\" 1\n"
                               "      not in the map, quarantined: 1 value, 1 row: \"Alternance\" "
                               "1\n"));
  EXPECT_THAT(r.out, HasSubstr("      dates (first format that reads): %d/%m/%Y 2 (40.0%), iso 1 "
                               "(20.0%), none 2 (40.0%);\n        1 impossible day; from "
                               "2026-01-15 to 2026-01-16\n"));
  EXPECT_THAT(r.out,
              HasSubstr("  nomNaissance *               nom                                  6 "
                        "rows, 0 NULL, 0 empty\n"
                        "      length 4 to 64 characters (dictionary: 1 to 60), 1 over 60\n"
                        "      characters: 3 upper case only, 1 lower case only, 1 with digits, 1 "
                        "with combining marks,\n        1 decomposed (put in NFC)\n"));
  EXPECT_THAT(r.out, HasSubstr("      3 distinct values; the rules give: F 3, M 2\n"
                               "      not in the map, quarantined: 1 value, 1 row\n"));
  EXPECT_THAT(r.out, HasSubstr("      characters: 1 with double blanks\n"));
  EXPECT_THAT(r.out, HasSubstr("  Certifications: RNCP RNCP35830: 6 passages\n"));
  EXPECT_THAT(r.out, HasSubstr("(probable duplicates not checked): 2 valid, 0 not due yet, 4 "
                               "quarantined\n"));
  EXPECT_THAT(r.out, HasSubstr("            1  nomNaissance                 length\n"));
  for (const char* personal :
       {"DUPONT", "Dupont", "martin", "LEON", "LÉON", "O'Neil", "Jeanne", "Paul", "Zoé", "Mlle",
        "Mme", "Jean", "Marc", "Anne", "Ana", "TRESLONG"}) {
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(personal))) << "a personal value is printed";
  }
  // Nothing was written beside the configuration.
  EXPECT_FALSE(std::filesystem::exists(dir + "/state"));
}

// The verdicts the profile announces are those `accrochd once` then gives, mapping by mapping.
TEST(ProfileSystemTest, AnnouncesTheVerdictsOnceGivesOnTheDemo) {
  const std::string dir = MakeTempDir("profile-once");
  WriteFile(dir + "/accrochd.yaml", DemoConfigWith(dir + "/state", ""));
  RunResult profile = RunAccrochd({"profile", "--config", dir + "/accrochd.yaml"});
  ASSERT_EQ(profile.exit_code, 0) << profile.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/state"));
  RunResult once = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  ASSERT_EQ(once.exit_code, 0) << once.err;
  const std::regex kOnce(
      R"re(mapping "([a-z-]+)": [0-9]+ rows, ([0-9]+) valid, ([0-9]+) not due yet, ([0-9]+) )re"
      R"re(quarantined)re");
  std::size_t mappings = 0;
  for (auto it = std::sregex_iterator(once.out.begin(), once.out.end(), kOnce);
       it != std::sregex_iterator(); ++it) {
    ++mappings;
    const std::smatch& m = *it;
    const std::size_t block = profile.out.find("Mapping \"" + m[1].str() + "\"");
    ASSERT_NE(block, std::string::npos) << m[1];
    const std::size_t line = profile.out.find("would do with these rows", block);
    ASSERT_NE(line, std::string::npos) << m[1];
    EXPECT_EQ(profile.out.substr(line, profile.out.find('\n', line) - line),
              "would do with these rows (probable duplicates not checked): " + m[2].str() +
                  " valid, " + m[3].str() + " not due yet, " + m[4].str() + " quarantined")
        << m[1];
  }
  EXPECT_EQ(mappings, 3u);
}

TEST(ProfileSystemTest, AnUnknownMappingIsAUsageErrorListingTheMappings) {
  RunResult r = RunAccrochd({"profile", "--config", kDemoConfigPath, "--mapping", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "accrochd profile: no mapping named \"nope\" (mappings: gestionnaire-paie, "
            "responsable-pme, accueil-handicap)\n");
  EXPECT_EQ(r.out, "");
}

TEST(ProfileSystemTest, ProfilesEveryMappingOfTheDemoWithoutItsNames) {
  RunResult r = RunAccrochd({"profile", "--config", kDemoConfigPath});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* mapping : {"gestionnaire-paie", "responsable-pme", "accueil-handicap"}) {
    EXPECT_THAT(r.out, HasSubstr("Mapping \"" + std::string(mapping) +
                                 "\" (certifier \"institut-exemple\", source \"ecole\""));
  }
  EXPECT_THAT(r.out, HasSubstr("  Certifications: RS RS6521: 63 passages\n"));
  // The planted problems: the name of 64 characters, the civility "Dr", the 30th of February.
  EXPECT_THAT(r.out,
              HasSubstr("      length 3 to 64 characters (dictionary: 1 to 60), 1 over 60\n"));
  EXPECT_THAT(r.out, HasSubstr("      not in the map, quarantined: 1 value, 1 row\n"));
  EXPECT_THAT(r.out, HasSubstr("1 impossible day"));
  // Not one name, first name or birthplace of the demo's candidates.
  ShellResult names = Shell(Quote(ACCROCHD_SQLITE3) + " -readonly " +
                            Quote(std::string(ACCROCHD_BINARY_DIR) + "/demo/demo.db") +
                            " \"SELECT DISTINCT nom_naissance FROM candidat UNION SELECT "
                            "prenoms FROM candidat UNION SELECT commune_naissance FROM candidat "
                            "UNION SELECT date_naissance FROM candidat\"");
  ASSERT_EQ(names.exit_code, 0) << names.out;
  std::size_t checked = 0;
  for (std::size_t start = 0; start < names.out.size();) {
    std::size_t end = names.out.find('\n', start);
    if (end == std::string::npos) end = names.out.size();
    const std::string value = names.out.substr(start, end - start);
    start = end + 1;
    if (value.size() < 4) continue;
    ++checked;
    EXPECT_THAT(r.out, Not(HasSubstr(value))) << "a personal value of the demo is printed";
  }
  EXPECT_GT(checked, 100u);
}

// The golden case messy-school (#15): one mapping for a whole catalogue, read from the case's own
// fixture. The profile lists the certifications the rows gave, the rows skip_when takes out, and
// what once would quarantine, by rule -- and never a name of the school's candidates.
TEST(ProfileSystemTest, ProfilesTheMessySchoolCase) {
  const std::string dir = MakeTempDir("profile-messy");
  const std::string golden = std::string(ACCROCHD_SOURCE_DIR) + "/tests/golden/messy-school";
  const std::string database = dir + "/fixture.db";
  ShellResult sqlite = Shell(Quote(ACCROCHD_SQLITE3) + " -bail " + Quote(database) + " < " +
                             Quote(golden + "/fixture.sql"));
  ASSERT_EQ(sqlite.exit_code, 0) << sqlite.out;
  WriteFile(dir + "/messy-school.yaml", ReadFile(golden + "/mapping.yaml"));
  WriteFile(dir + "/accrochd.yaml",
            "sources:\n  fixture:\n    connection: \"Driver=SQLite3;Database=" + database +
                ";\"\ncertifiers:\n  ecole:\n    id_client: \"DEMO0001\"\n    id_contrat: "
                "\"MCFCER009999\"\n    mappings:\n      - messy-school.yaml\n"
                "state_directory: state\n");

  RunResult r = RunAccrochd({"profile", "--config", dir + "/accrochd.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("RNCP RNCP35830: 6 passages"));
  EXPECT_THAT(r.out, HasSubstr("(none the CDC accepts): 2 passages"));
  EXPECT_THAT(r.out, HasSubstr("5 skipped by skip_when (non admis: 5)"));
  EXPECT_THAT(r.out, HasSubstr("certification"));
  EXPECT_THAT(r.out, HasSubstr("mapping-rule"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/state")) << "profile changed something";
  // Not one name or first name of the fixture (decomposed, as stored, or composed).
  for (const char* name : {"MARTIN", "DUPONT", "BERNARD", "Karim", "Chloé", "FONTAINE", "NGUYEN",
                           "MÜLLER", "DIALLO", "Élodie", "DUBOIS", "Casablanca", "Ajaccio"}) {
    EXPECT_THAT(r.out, Not(HasSubstr(name))) << "a personal value of the fixture is printed";
  }
}

}  // namespace
}  // namespace accrochd::testing
