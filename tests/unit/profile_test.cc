// The profile of a mapping's rows (`accrochd profile`), computed on rows held in memory: counts
// of NULLs and empties, distinct values and their cap, the values no map entry catches, the share
// of each date format, lengths against the dictionary, character classes of personal fields,
// the verdicts a cycle would give -- and never a personal value in the text.
#include "mappings/profile.h"

#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/source_row.h"
#include "mappings/mapping.h"

namespace accrochd::mappings {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const Date kToday{std::chrono::year(2026), std::chrono::June, std::chrono::day(1)};

constexpr char kMapping[] = R"(certification: {type: RNCP, code: RNCP35830}
source: ecole
query: SELECT 1
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

const std::string kLongName = "TRESLONGNOM" + std::string(53, 'X');  // 64 characters

// The personal values of the rows below: none may appear in the profile.
const std::vector<std::string> kPersonal = {
    "DUPONT", "martin", "LEON", "LE\xCC\x81ON", "L\xC3\x89ON", "O'Neil", "Jeanne",   "Paul",
    "Zo",     "Mlle",   "Mme",  "Jean",         "Marc",        "Ana",    "TRESLONG", "Dupont2"};

source::SourceRow Row(std::vector<std::optional<std::string>> values) {
  return source::SourceRow{std::move(values)};
}

class ProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diagnostics;
    auto m = LoadMappingText(kMapping, "m.yaml", SchemaVersion::k115, diagnostics);
    ASSERT_TRUE(m.has_value());
    ASSERT_TRUE(diagnostics.empty()) << FormatDiagnostics(diagnostics);
    mapping_ = std::move(*m);
  }

  // id, delivre, voie, nom, prenom, civilite
  std::vector<source::SourceRow> Rows() const {
    return {
        Row({"1", "15/01/2026", "Apprentissage", "DUPONT", "Jeanne", "Mme"}),
        Row({"2", "2026-01-16", "Apprentissage", "martin", "Paul", "M."}),
        Row({"3", "31/02/2026", "VAE", "LE\xCC\x81ON", "Zo\xC3\xA9", "Mlle"}),  // decomposed É
        Row({"4", "hier", "Alternance", "O'Neil-Smith", "Jean  Marc", "M."}),
        Row({"5", std::nullopt, std::nullopt, "Dupont2", "   ", "Mme"}),
        Row({"2", "15/01/2026", "  Apprentissage ", "DUPONT", "Paul", "M."}),  // repeats id 2
        Row({"7", "15/01/2026", "VAE", kLongName, "Ana", "Mme"}),
    };
  }

  MappingProfile Profiled(ProfileLimits limits = {}) const {
    MappingProfile profile(mapping_, SchemaVersion::k115, kToday, limits);
    const source::Columns columns({"id", "delivre", "voie", "nom", "prenom", "civilite"});
    EXPECT_TRUE(profile.Bind(columns).has_value());
    for (const source::SourceRow& row : Rows()) profile.Add(row);
    profile.Finish();
    return profile;
  }

  static const FieldProfile& FieldOf(const MappingProfile& p, Field field) {
    for (const FieldProfile& f : p.fields()) {
      if (f.rule->field == field) return f;
    }
    throw std::logic_error("field not mapped");
  }

  Mapping mapping_;
};

TEST_F(ProfileTest, CountsNullsAndEmptiesOfEachField) {
  const MappingProfile p = Profiled();
  EXPECT_EQ(p.rows(), 7u);
  const FieldProfile& voie = FieldOf(p, Field::modaliteAcces);
  EXPECT_EQ(voie.rows, 7u);
  EXPECT_EQ(voie.nulls, 1u);
  EXPECT_EQ(voie.empties, 0u);
  const FieldProfile& prenom = FieldOf(p, Field::prenom1);
  EXPECT_EQ(prenom.nulls, 0u);
  EXPECT_EQ(prenom.empties, 1u);  // "   "
  const std::string text = p.Render();
  EXPECT_THAT(text, HasSubstr("  modaliteAcces                voie (map of 2)"));
  EXPECT_THAT(text, HasSubstr(" 7 rows, 1 NULL, 0 empty\n"));
  EXPECT_THAT(text, HasSubstr(" 7 rows, 0 NULL, 1 empty\n"));
  EXPECT_THAT(text, HasSubstr("  obtentionCertification       constant \"PAR_ADMISSION\"\n"));
  EXPECT_THAT(text, HasSubstr("  dateFinValidite              nil\n"));
}

TEST_F(ProfileTest, ListsDistinctValuesMostFrequentFirstAndThoseNoMapEntryCatches) {
  const MappingProfile p = Profiled();
  const FieldProfile& voie = FieldOf(p, Field::modaliteAcces);
  ASSERT_EQ(voie.distinct.size(), 4u);
  EXPECT_EQ(voie.distinct.at("Apprentissage").count, 2u);
  // Trimmed, as the mapper does, before the map is looked up: caught.
  EXPECT_FALSE(voie.distinct.at("  Apprentissage ").not_in_map);
  EXPECT_TRUE(voie.distinct.at("Alternance").not_in_map);
  EXPECT_EQ(voie.not_in_map_rows, 1u);
  const std::string text = p.Render();
  EXPECT_THAT(text, HasSubstr("      4 distinct values: \"Apprentissage\" 2, \"VAE\" 2, "
                              "\"  Apprentissage \" 1, \"Alternance\" 1\n"));
  EXPECT_THAT(text,
              HasSubstr("      not in the map, quarantined: 1 value, 1 row: \"Alternance\" 1\n"));
}

TEST_F(ProfileTest, CapsTheDistinctValuesKeptAndShown) {
  ProfileLimits limits;
  limits.distinct = 2;
  limits.shown = 1;
  const MappingProfile p = Profiled(limits);
  const FieldProfile& voie = FieldOf(p, Field::modaliteAcces);
  EXPECT_EQ(voie.distinct.size(), 2u);
  EXPECT_EQ(voie.rows_not_kept, 2u);    // "  Apprentissage " and "Alternance" came after the cap
  EXPECT_EQ(voie.not_in_map_rows, 1u);  // still judged
  const std::string text = p.Render();
  EXPECT_THAT(text, HasSubstr("      more than 2 distinct values: \"Apprentissage\" 2, ... and 1 "
                              "more, other values 2\n"));
  EXPECT_THAT(text, HasSubstr("      not in the map, quarantined: 1 row:\n"));
}

TEST_F(ProfileTest, ValuesTheMapsDefaultAnswersForAreListedApart) {
  std::string text = kMapping;
  const std::string map = "map: {Apprentissage: FORMATION_INITIALE_APPRENTISSAGE, VAE: VAE}";
  text.replace(text.find(map), map.size(), map + "\n    default: nil");
  Diagnostics diagnostics;
  auto m = LoadMappingText(text, "m.yaml", SchemaVersion::k115, diagnostics);
  ASSERT_TRUE(m.has_value() && diagnostics.empty()) << FormatDiagnostics(diagnostics);
  mapping_ = std::move(*m);
  const MappingProfile p = Profiled();
  const FieldProfile& voie = FieldOf(p, Field::modaliteAcces);
  EXPECT_TRUE(voie.distinct.at("Alternance").by_default);
  EXPECT_FALSE(voie.distinct.at("Alternance").not_in_map);
  EXPECT_EQ(voie.not_in_map_rows, 0u);
  EXPECT_EQ(voie.by_default_rows, 1u);
  EXPECT_EQ(p.reasons().count({"modaliteAcces", "not-in-map"}), 0u);
  EXPECT_THAT(
      p.Render(),
      HasSubstr("      not in the map, given the default: 1 value, 1 row: \"Alternance\" 1\n"));
}

TEST(GroupedCountTest, GroupsThousands) {
  EXPECT_EQ(GroupedCount(0), "0");
  EXPECT_EQ(GroupedCount(999), "999");
  EXPECT_EQ(GroupedCount(1000), "1,000");
  EXPECT_EQ(GroupedCount(1234567), "1,234,567");
}

TEST_F(ProfileTest, SharesOfDateFormatsFirstMatchWins) {
  const MappingProfile p = Profiled();
  const FieldProfile& d = FieldOf(p, Field::dateDebutValidite);
  EXPECT_EQ(d.date_values, 6u);
  EXPECT_EQ(d.format_reads, (std::vector<std::uint64_t>{3, 1}));
  EXPECT_EQ(d.date_impossible, 1u);  // 31/02/2026
  EXPECT_EQ(d.date_unreadable, 1u);  // "hier"
  EXPECT_THAT(p.Render(),
              HasSubstr("      dates (first format that reads): %d/%m/%Y 3 (50.0%), iso 1 "
                        "(16.7%), none 2 (33.3%);\n        1 impossible day; from 2026-01-15 to "
                        "2026-01-16\n"));
}

TEST_F(ProfileTest, LengthsAgainstTheDictionaryInCharactersAfterNfc) {
  const MappingProfile p = Profiled();
  const FieldProfile& nom = FieldOf(p, Field::nomNaissance);
  EXPECT_EQ(nom.min_length, 4u);  // LÉON, decomposed in the source: 5 code points before NFC
  EXPECT_EQ(nom.max_length, 64u);
  EXPECT_EQ(nom.over_max, 1u);
  EXPECT_THAT(p.Render(),
              HasSubstr("      length 4 to 64 characters (dictionary: 1 to 60), 1 over 60\n"));
}

TEST_F(ProfileTest, CharacterClassesOfPersonalFields) {
  const MappingProfile p = Profiled();
  const CharacterClasses& nom = FieldOf(p, Field::nomNaissance).classes;
  EXPECT_EQ(nom.upper_only, 4u);  // DUPONT twice, LÉON, the long one
  EXPECT_EQ(nom.lower_only, 1u);
  EXPECT_EQ(nom.digits, 1u);
  EXPECT_EQ(nom.punctuation, 0u);  // ' and - are a name's own
  EXPECT_EQ(nom.combining, 1u);
  EXPECT_EQ(nom.not_nfc, 1u);
  EXPECT_EQ(FieldOf(p, Field::prenom1).classes.double_blanks, 1u);
  EXPECT_THAT(p.Render(),
              HasSubstr("      characters: 4 upper case only, 1 lower case only, 1 with digits, 1 "
                        "with combining marks,\n        1 decomposed (put in NFC)\n"));
}

TEST_F(ProfileTest, PersonalEnumerationsShowOnlyCountsAndTheDictionarysValues) {
  const MappingProfile p = Profiled();
  const FieldProfile& sexe = FieldOf(p, Field::sexe);
  EXPECT_EQ(sexe.distinct.size(), 3u);
  EXPECT_EQ(sexe.not_in_map_rows, 1u);  // Mlle
  const std::string text = p.Render();
  EXPECT_THAT(text, HasSubstr("      3 distinct values; the rules give: F 3, M 3\n"
                              "      not in the map, quarantined: 1 value, 1 row\n"));
}

TEST_F(ProfileTest, NeverPrintsAPersonalValue) {
  const std::string text = Profiled().Render();
  for (const std::string& value : kPersonal) {
    EXPECT_THAT(text, Not(HasSubstr(value))) << "a personal value is printed";
  }
}

TEST_F(ProfileTest, VerdictsAsACycleGivesThemAndTheCertification) {
  const MappingProfile p = Profiled();
  // 1 and the first 2 are valid; the second 2 repeats an idTechnique.
  EXPECT_EQ(p.valid(), 2u);
  EXPECT_EQ(p.held(), 0u);
  EXPECT_EQ(p.quarantined(), 5u);
  EXPECT_EQ(p.reasons().at({"idTechnique", "repeated-idtechnique"}), 1u);
  EXPECT_EQ(p.reasons().at({"modaliteAcces", "not-in-map"}), 1u);
  EXPECT_EQ(p.reasons().at({"sexe", "not-in-map"}), 1u);
  EXPECT_EQ(p.reasons().at({"dateDebutValidite", "calendar-date"}), 1u);
  EXPECT_EQ(p.reasons().at({"dateDebutValidite", "date-unreadable"}), 1u);
  EXPECT_EQ(p.reasons().at({"nomNaissance", "length"}), 1u);
  EXPECT_EQ(p.certifications().at("RNCP RNCP35830"), 7u);
  const std::string text = p.Render();
  EXPECT_THAT(text, HasSubstr("  Certifications: RNCP RNCP35830: 7 passages\n"));
  EXPECT_THAT(text, HasSubstr("would do with these rows (probable duplicates not checked): 2 "
                              "valid, 0 not due yet, 5 quarantined\n"));
  EXPECT_THAT(text,
              HasSubstr("            1  idTechnique                  repeated-idtechnique\n"));
}

TEST_F(ProfileTest, AMissingColumnFailsToBindAsTheMapperDoes) {
  MappingProfile profile(mapping_, SchemaVersion::k115, kToday);
  auto bound = profile.Bind(source::Columns({"id", "delivre"}));
  ASSERT_FALSE(bound.has_value());
  EXPECT_THAT(bound.error().message(), HasSubstr("reads column(s) voie"));
}

}  // namespace
}  // namespace accrochd::mappings
