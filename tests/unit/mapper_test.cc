// Evaluating a mapping on rows: each transform step and their order (ApplyTransforms), date
// formats (ParseDateWithFormats), binding to the query's columns, and mapping whole rows: the
// key and the idTechnique, templates, coalesce, and the rejections found while mapping; every
// value in Unicode NFC before any rule.
#include "mappings/mapper.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/source_row.h"
#include "mappings/mapping.h"
#include "mappings/reasons.h"
#include "mappings/validator.h"

namespace accrochd::mappings {
namespace {

using ::testing::ElementsAre;
using State = FieldValue::State;

// A rule reading column "c" into `field`, with the loader's defaults (trim, nil_when_empty).
FieldRule ColumnRule(Field field) {
  FieldRule r;
  r.field = field;
  r.source = SourceKind::kColumn;
  r.column = "c";
  if (Spec(field).type == ValueType::kDate)
    r.date = DateRule{{DateFormat{}}, DatePart::kWhole, false};
  return r;
}

// Applies `rule` as the loader leaves it: with its map indexed (ValueMap::Index).
RuleOutput Apply(const FieldRule& rule, std::optional<std::string> value) {
  FieldRule indexed = rule;
  if (indexed.map) indexed.map->Index();
  return ApplyTransforms(indexed, Spec(indexed.field), std::move(value));
}

void ExpectValue(const RuleOutput& out, const std::string& text) {
  EXPECT_EQ(out.problem, std::nullopt);
  EXPECT_EQ(out.value.state, State::kValue);
  EXPECT_EQ(out.value.text, text);
}

void ExpectAbsent(const RuleOutput& out) {
  EXPECT_EQ(out.problem, std::nullopt);
  EXPECT_EQ(out.value.state, State::kAbsent);
}

void ExpectNil(const RuleOutput& out) {
  EXPECT_EQ(out.problem, std::nullopt);
  EXPECT_EQ(out.value.state, State::kNil);
}

void ExpectProblem(const RuleOutput& out, Rule rule) {
  EXPECT_EQ(out.problem, rule);
  EXPECT_NE(out.value.state, State::kValue);
}

DateFormat Pattern(const std::string& pattern) {
  return DateFormat{DateFormat::Kind::kPattern, pattern};
}
const DateFormat kIso{DateFormat::Kind::kIso, ""};
const DateFormat kSql{DateFormat::Kind::kSql, ""};

DateRule Formats(std::vector<DateFormat> formats, DatePart part = DatePart::kWhole) {
  return DateRule{std::move(formats), part, true};
}

ValueMap::Entry To(const std::string& from, const std::string& to) {
  return ValueMap::Entry{from, MapOutcome::kValue, to, {}};
}
ValueMap::Entry ToOutcome(const std::string& from, MapOutcome outcome) {
  return ValueMap::Entry{from, outcome, "", {}};
}

// ---- Sources, trim, fold_spaces ----

TEST(ApplyTransformsTest, NilSourceIsNilWhateverTheRow) {
  FieldRule r = ColumnRule(Field::scoring);
  r.source = SourceKind::kNil;
  ExpectNil(Apply(r, "12"));
  ExpectNil(Apply(r, std::nullopt));
}

TEST(ApplyTransformsTest, NullIsAbsent) {
  ExpectAbsent(Apply(ColumnRule(Field::libelleOption), std::nullopt));
}

TEST(ApplyTransformsTest, TrimsBlanksIncludingNoBreakSpaceByDefault) {
  ExpectValue(Apply(ColumnRule(Field::prenom1), " \t\xC2\xA0Jean Pierre\xC2\xA0\r\n"),
              "Jean Pierre");
}

TEST(ApplyTransformsTest, TrimCanBeTurnedOff) {
  FieldRule r = ColumnRule(Field::libelleOption);
  r.trim = false;
  ExpectValue(Apply(r, " Anglais "), " Anglais ");
}

TEST(ApplyTransformsTest, EmptyIsNoValueUnlessNilWhenEmptyIsOff) {
  FieldRule r = ColumnRule(Field::libelleOption);
  ExpectAbsent(Apply(r, ""));
  ExpectAbsent(Apply(r, " \t\xC2\xA0"));
  r.nil_when_empty = false;
  ExpectValue(Apply(r, ""), "");
  ExpectValue(Apply(r, " \t"), "");
}

TEST(ApplyTransformsTest, FoldSpacesJoinsRunsOfBlanksWithTabsAndNoBreakSpaces) {
  FieldRule r = ColumnRule(Field::libelleOption);
  r.fold_spaces = true;
  ExpectValue(Apply(r, "Anglais \t\xC2\xA0 des\n\naffaires "), "Anglais des affaires");
  r.trim = false;
  ExpectValue(Apply(r, "\t Anglais  B2 "), " Anglais B2 ");
}

TEST(ApplyTransformsTest, WithoutFoldSpacesInnerBlanksAreKept) {
  ExpectValue(Apply(ColumnRule(Field::libelleOption), "Anglais \t B2"), "Anglais \t B2");
}

// ---- word / words_from / separator ----

TEST(ApplyTransformsTest, WordKeepsTheNthWord) {
  FieldRule r = ColumnRule(Field::prenom2);
  r.word = WordRule{2, false, {}};
  ExpectValue(Apply(r, "Jean \t Pierre\xC2\xA0Paul"), "Pierre");
  r.word->index = 1;
  ExpectValue(Apply(r, "  Jean Pierre"), "Jean");
}

TEST(ApplyTransformsTest, WordsFromKeepsTheRestJoinedByOneSpace) {
  FieldRule r = ColumnRule(Field::prenom3);
  r.word = WordRule{2, true, {}};
  ExpectValue(Apply(r, "Jean \t Pierre\xC2\xA0\xC2\xA0Paul  Marie"), "Pierre Paul Marie");
}

TEST(ApplyTransformsTest, NoSuchWordIsAbsent) {
  FieldRule r = ColumnRule(Field::prenom3);
  r.word = WordRule{3, false, {}};
  ExpectAbsent(Apply(r, "Jean Pierre"));
  r.word->rest = true;
  ExpectAbsent(Apply(r, "Jean Pierre"));
  ExpectAbsent(Apply(r, ""));
}

TEST(ApplyTransformsTest, SeparatorSplitsAndTrimsEachPart) {
  FieldRule r = ColumnRule(Field::prenom2);
  r.word = WordRule{2, false, {","}};
  ExpectValue(Apply(r, "Marie, Louise\xC2\xA0,Anne Sophie"), "Louise");
  r.word->index = 3;
  ExpectValue(Apply(r, "Marie, Louise ,Anne Sophie"), "Anne Sophie");
  r.word->index = 2;
  ExpectValue(Apply(r, "Marie,, ,Louise"), "Louise");  // empty parts are dropped
  r.word = WordRule{2, true, {","}};
  ExpectValue(Apply(r, "Marie, Louise, Anne"), "Louise Anne");
}

TEST(ApplyTransformsTest, SeparatorOfSeveralCharacters) {
  FieldRule r = ColumnRule(Field::prenom3);
  r.word = WordRule{3, false, {" / "}};
  ExpectValue(Apply(r, "Marie / Louise / Anne Sophie"), "Anne Sophie");
}

// ---- case ----

TEST(ApplyTransformsTest, UpperCaseWithAccentedLetters) {
  FieldRule r = ColumnRule(Field::nomNaissance);
  r.letter_case = LetterCase::kUpper;
  ExpectValue(Apply(r, "d'Arçon-Lœuvre é à ÿ straße"), "D'ARÇON-LŒUVRE É À Ÿ STRAßE");
}

TEST(ApplyTransformsTest, LowerCaseWithAccentedLetters) {
  FieldRule r = ColumnRule(Field::prenom1Titulaire);
  r.letter_case = LetterCase::kLower;
  ExpectValue(Apply(r, "ÉLODIE ŒUVRE Ÿ"), "élodie œuvre ÿ");
}

// ---- map ----

FieldRule SexeMap() {
  FieldRule r = ColumnRule(Field::sexe);
  r.map = ValueMap{};
  r.map->entries = {To("M.", "M"), To("Mme", "F"), ToOutcome("?", MapOutcome::kNil),
                    ToOutcome("inconnu", MapOutcome::kAbsent)};
  return r;
}

TEST(ApplyTransformsTest, MapGivesTheListedValue) {
  FieldRule r = SexeMap();
  ExpectValue(Apply(r, "Mme"), "F");
  ExpectValue(Apply(r, " M. "), "M");  // trimmed first
}

TEST(ApplyTransformsTest, MapToNilAndToAbsent) {
  FieldRule r = SexeMap();
  ExpectNil(Apply(r, "?"));
  ExpectAbsent(Apply(r, "inconnu"));
}

TEST(ApplyTransformsTest, ValueNotInMapWithoutDefaultIsAProblemKeepingTheValue) {
  RuleOutput out = Apply(SexeMap(), " Dr ");
  EXPECT_EQ(out.problem, Rule::kNotInMap);
  EXPECT_EQ(out.value.state, State::kAbsent);
  EXPECT_EQ(out.value.text, "Dr");  // for the message, on non-personal fields
}

TEST(ApplyTransformsTest, MapIsCaseAndAccentSensitiveByDefault) {
  EXPECT_EQ(Apply(SexeMap(), "MME").problem, Rule::kNotInMap);
  EXPECT_EQ(Apply(SexeMap(), "m.").problem, Rule::kNotInMap);
}

TEST(ApplyTransformsTest, MapDefaults) {
  FieldRule r = SexeMap();
  r.map->has_default = true;
  r.map->default_outcome = MapOutcome::kValue;
  r.map->default_value = "F";
  ExpectValue(Apply(r, "Mlle"), "F");
  r.map->default_outcome = MapOutcome::kNil;
  ExpectNil(Apply(r, "Mlle"));
  r.map->default_outcome = MapOutcome::kAbsent;
  ExpectAbsent(Apply(r, "Mlle"));
  ExpectValue(Apply(r, "M."), "M");  // listed values still win
}

TEST(ApplyTransformsTest, EmptyValueIsNoValueBeforeTheMap) {
  FieldRule r = SexeMap();
  ExpectAbsent(Apply(r, "  "));
  r.nil_when_empty = false;
  RuleOutput out = Apply(r, "  ");
  EXPECT_EQ(out.problem, Rule::kNotInMap);
  EXPECT_EQ(out.value.text, "");
  r.map->entries.push_back(To("", "M"));
  ExpectValue(Apply(r, "  "), "M");
}

TEST(ApplyTransformsTest, MapIgnoreCase) {
  FieldRule r = SexeMap();
  r.map->ignore_case = true;
  ExpectValue(Apply(r, "MME"), "F");
  ExpectValue(Apply(r, "m."), "M");
}

TEST(ApplyTransformsTest, MapIgnoreAccents) {
  FieldRule r = ColumnRule(Field::modaliteAcces);
  r.map = ValueMap{};
  r.map->entries = {To("Élève", "FORMATION_INITIALE_HORS_APPRENTISSAGE")};
  r.map->ignore_accents = true;
  ExpectValue(Apply(r, "Eleve"), "FORMATION_INITIALE_HORS_APPRENTISSAGE");
  EXPECT_EQ(Apply(r, "eleve").problem, Rule::kNotInMap);  // case still counts
  r.map->ignore_case = true;
  ExpectValue(Apply(r, "ELÈVE"), "FORMATION_INITIALE_HORS_APPRENTISSAGE");
  ExpectValue(Apply(r, "eleve"), "FORMATION_INITIALE_HORS_APPRENTISSAGE");
}

TEST(ApplyTransformsTest, MapIgnoreCaseAloneFoldsAccentedCapitalsButKeepsAccents) {
  FieldRule r = ColumnRule(Field::modaliteAcces);
  r.map = ValueMap{};
  r.map->entries = {To("élève", "FORMATION_INITIALE_HORS_APPRENTISSAGE")};
  r.map->ignore_case = true;
  ExpectValue(Apply(r, "éLèVE"), "FORMATION_INITIALE_HORS_APPRENTISSAGE");
  ExpectValue(Apply(r, "ÉLÈVE"), "FORMATION_INITIALE_HORS_APPRENTISSAGE");
  EXPECT_EQ(Apply(r, "ELEVE").problem, Rule::kNotInMap);  // accents still count
}

// ---- Order of the steps ----

TEST(ApplyTransformsTest, TrimFoldWordCaseThenMap) {
  FieldRule r = ColumnRule(Field::sexe);
  r.fold_spaces = true;
  r.word = WordRule{1, false, {","}};
  r.letter_case = LetterCase::kUpper;
  r.map = ValueMap{};
  r.map->entries = {To("MADAME X", "F")};
  // fold_spaces before word (the first word keeps its folded blank), case before map.
  ExpectValue(Apply(r, "  madame\t\tx, docteur "), "F");
}

TEST(ApplyTransformsTest, MapThenDate) {
  FieldRule r = ColumnRule(Field::dateDebutExamen);
  r.map = ValueMap{};
  r.map->entries = {To("rentrée 2025", "01/09/2025")};
  r.map->ignore_accents = true;
  r.date = Formats({Pattern("%d/%m/%Y")});
  ExpectValue(Apply(r, "rentree 2025"), "2025-09-01");
}

// ---- date ----

TEST(ApplyTransformsTest, DateFieldsReadSqlDatesByDefault) {
  FieldRule r = ColumnRule(Field::dateDebutValidite);
  ExpectValue(Apply(r, "2026-01-15"), "2026-01-15");
  ExpectValue(Apply(r, "2026-01-15 00:00:00"), "2026-01-15");
  ExpectValue(Apply(r, "2026-01-15T08:30:00.000+01:00"), "2026-01-15");
  ExpectProblem(Apply(r, "15/01/2026"), Rule::kDateUnreadable);
  ExpectProblem(Apply(r, "2026-02-30"), Rule::kCalendarDate);
  ExpectAbsent(Apply(r, "  "));
}

TEST(ApplyTransformsTest, DateWithIsoPatternAndList) {
  FieldRule r = ColumnRule(Field::dateFinExamen);
  r.date = Formats({kIso});
  ExpectValue(Apply(r, "2026-01-15"), "2026-01-15");
  ExpectProblem(Apply(r, "2026-01-15 00:00:00"), Rule::kDateUnreadable);
  r.date = Formats({Pattern("%d/%m/%Y")});
  ExpectValue(Apply(r, "5/1/2026"), "2026-01-05");
  ExpectValue(Apply(r, "05/01/2026"), "2026-01-05");
  ExpectProblem(Apply(r, "2026-01-05"), Rule::kDateUnreadable);
  r.date = Formats({kIso, Pattern("%d/%m/%Y")});
  ExpectValue(Apply(r, "2026-01-05"), "2026-01-05");
  ExpectValue(Apply(r, "05/01/2026"), "2026-01-05");
  ExpectProblem(Apply(r, "05.01.2026"), Rule::kDateUnreadable);
  ExpectProblem(Apply(r, "30/02/2026"), Rule::kCalendarDate);
}

TEST(ApplyTransformsTest, DatePartsGiveTheBirthDateFields) {
  for (auto [field, part, expected] : {std::tuple{Field::anneeNaissance, DatePart::kYear, "1987"},
                                       std::tuple{Field::moisNaissance, DatePart::kMonth, "5"},
                                       std::tuple{Field::jourNaissance, DatePart::kDay, "9"}}) {
    FieldRule r = ColumnRule(field);
    r.date = Formats({Pattern("%d/%m/%Y")}, part);
    ExpectValue(Apply(r, "09/05/1987"), expected);
    ExpectProblem(Apply(r, "30/02/1987"), Rule::kCalendarDate);
    ExpectProblem(Apply(r, "1987-05-09"), Rule::kDateUnreadable);
  }
}

// partial: true -- 00 is an unknown day or month; the part taken from it has no value (the
// validator then sends nil, which the dictionary allows for moisNaissance and jourNaissance).
TEST(ApplyTransformsTest, PartialDatesReadZeroDayAndMonthAsUnknown) {
  FieldRule annee = ColumnRule(Field::anneeNaissance);
  FieldRule mois = ColumnRule(Field::moisNaissance);
  FieldRule jour = ColumnRule(Field::jourNaissance);
  annee.date = Formats({Pattern("%d/%m/%Y")}, DatePart::kYear);
  mois.date = Formats({Pattern("%d/%m/%Y")}, DatePart::kMonth);
  jour.date = Formats({Pattern("%d/%m/%Y")}, DatePart::kDay);
  for (FieldRule* r : {&annee, &mois, &jour}) r->date->partial = true;

  ExpectValue(Apply(annee, "00/00/1985"), "1985");
  ExpectAbsent(Apply(mois, "00/00/1985"));
  ExpectAbsent(Apply(jour, "00/00/1985"));
  ExpectValue(Apply(annee, "00/06/1985"), "1985");
  ExpectValue(Apply(mois, "00/06/1985"), "6");
  ExpectAbsent(Apply(jour, "0/6/1985"));
  // A day without its month is read as it is; the validator refuses it (jour-sans-mois).
  ExpectValue(Apply(jour, "15/00/1985"), "15");
  ExpectAbsent(Apply(mois, "15/00/1985"));
  // Whole dates as before; impossible ones still refused.
  ExpectValue(Apply(jour, "09/05/1987"), "9");
  ExpectProblem(Apply(jour, "30/02/1987"), Rule::kCalendarDate);
  ExpectProblem(Apply(mois, "00/13/1987"), Rule::kCalendarDate);
  ExpectProblem(Apply(jour, "32/00/1987"), Rule::kCalendarDate);
  ExpectProblem(Apply(annee, "00/00/87"), Rule::kDateUnreadable);
  // The date read, unknown parts as 0, for the range rules.
  const RuleOutput out = Apply(annee, "00/06/1985");
  ASSERT_TRUE(out.date.has_value());
  EXPECT_EQ(out.date->year, 1985);
  EXPECT_EQ(out.date->month, 6u);
  EXPECT_EQ(out.date->day, 0u);
}

TEST(ApplyTransformsTest, WithoutPartialAZeroDayOrMonthIsAnImpossibleDate) {
  FieldRule mois = ColumnRule(Field::moisNaissance);
  mois.date = Formats({Pattern("%d/%m/%Y")}, DatePart::kMonth);
  ExpectProblem(Apply(mois, "00/00/1985"), Rule::kCalendarDate);
  ExpectProblem(Apply(mois, "00/06/1985"), Rule::kCalendarDate);
  FieldRule debut = ColumnRule(Field::dateDebutValidite);
  ExpectProblem(Apply(debut, "2026-00-00"), Rule::kCalendarDate);
  const RuleOutput out = Apply(debut, "2026-01-15");
  ASSERT_TRUE(out.date.has_value());
  EXPECT_EQ(out.date->year, 2026);
  EXPECT_EQ(out.date->month, 1u);
  EXPECT_EQ(out.date->day, 15u);
}

TEST(ParseSourceDateTest, PartialAppliesToEveryFormat) {
  bool impossible = true;
  auto d = ParseSourceDate("1985-00-00", {kSql}, true, impossible);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->year, 1985);
  EXPECT_EQ(d->month, 0u);
  EXPECT_FALSE(impossible);
  d = ParseSourceDate("1985-06-00", {kIso}, true, impossible);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->month, 6u);
  EXPECT_EQ(d->day, 0u);
  EXPECT_FALSE(ParseSourceDate("1985-00-00", {kIso}, false, impossible).has_value());
  EXPECT_TRUE(impossible);
}

// ---- ParseDateWithFormats ----

std::optional<std::string> Parse(std::string_view text, std::vector<DateFormat> formats,
                                 bool* impossible_out = nullptr) {
  bool impossible = true;  // must be reset by every call
  auto d = ParseDateWithFormats(text, formats, impossible);
  if (impossible_out != nullptr) *impossible_out = impossible;
  if (!d) return std::nullopt;
  return FormatIsoDate(*d);
}

TEST(ParseDateWithFormatsTest, SqlDatesAndTimestamps) {
  bool impossible = true;
  EXPECT_EQ(Parse("2026-01-15", {kSql}, &impossible), "2026-01-15");
  EXPECT_FALSE(impossible);
  EXPECT_EQ(Parse("2026-01-15 08:30", {kSql}), "2026-01-15");
  EXPECT_EQ(Parse("2026-01-15 08:30:00.123456", {kSql}), "2026-01-15");
  EXPECT_EQ(Parse("2026-01-15T08:30:00Z", {kSql}), "2026-01-15");
  EXPECT_EQ(Parse("2026-01-15 08:30:00-03:00", {kSql}), "2026-01-15");
}

TEST(ParseDateWithFormatsTest, SqlRefusesOtherShapes) {
  for (const char* text : {"2026-1-15", "2026-01-5", "2026-01-15x", "2026-01-15 8:30",
                           "2026-01-15 08:30:00 CET", "15/01/2026", "", "20260115"}) {
    bool impossible = true;
    EXPECT_EQ(Parse(text, {kSql}, &impossible), std::nullopt) << text;
    EXPECT_FALSE(impossible) << text;
  }
}

TEST(ParseDateWithFormatsTest, ImpossibleIsTheRightShapeForADayThatDoesNotExist) {
  bool impossible = false;
  EXPECT_EQ(Parse("2026-02-29", {kSql}, &impossible), std::nullopt);
  EXPECT_TRUE(impossible);
  EXPECT_EQ(Parse("2026-02-3x", {kSql}, &impossible), std::nullopt);
  EXPECT_FALSE(impossible);
  EXPECT_EQ(Parse("31/04/2026", {Pattern("%d/%m/%Y")}, &impossible), std::nullopt);
  EXPECT_TRUE(impossible);
  EXPECT_EQ(Parse("2024-02-29", {kIso}, &impossible), "2024-02-29");
  EXPECT_FALSE(impossible);
}

TEST(ParseDateWithFormatsTest, IsoWantsTwoDigitMonthAndDay) {
  EXPECT_EQ(Parse("2026-01-05", {kIso}), "2026-01-05");
  EXPECT_EQ(Parse("2026-1-05", {kIso}), std::nullopt);
  EXPECT_EQ(Parse("2026-1-015", {kIso}), std::nullopt);
  EXPECT_EQ(Parse("2026-01-5x", {kIso}), std::nullopt);
}

TEST(ParseDateWithFormatsTest, PatternsReadOneOrTwoDigitsAndFourForTheYear) {
  EXPECT_EQ(Parse("5/1/2026", {Pattern("%d/%m/%Y")}), "2026-01-05");
  EXPECT_EQ(Parse("15/01/26", {Pattern("%d/%m/%Y")}), std::nullopt);
  EXPECT_EQ(Parse("15/01/02026", {Pattern("%d/%m/%Y")}), std::nullopt);
  EXPECT_EQ(Parse("15/01/2026 ", {Pattern("%d/%m/%Y")}), std::nullopt);
  EXPECT_EQ(Parse("20260115", {Pattern("%Y%m%d")}), "2026-01-15");
  EXPECT_EQ(Parse("15%01%2026", {Pattern("%d%%%m%%%Y")}), "2026-01-15");
}

TEST(ParseDateWithFormatsTest, TimeDirectivesAreReadAndIgnored) {
  EXPECT_EQ(Parse("15/01/2026 08:30:59", {Pattern("%d/%m/%Y %H:%M:%S")}), "2026-01-15");
  EXPECT_EQ(Parse("15/01/2026", {Pattern("%d/%m/%Y %H:%M:%S")}), std::nullopt);
}

TEST(ParseDateWithFormatsTest, FormatsAreTriedInOrder) {
  const std::vector<DateFormat> formats = {Pattern("%d/%m/%Y"), Pattern("%m/%d/%Y")};
  EXPECT_EQ(Parse("01/02/2026", formats), "2026-02-01");  // the first that reads it
  bool impossible = false;
  EXPECT_EQ(Parse("02/13/2026", formats, &impossible), "2026-02-13");
  EXPECT_EQ(Parse("31/02/2026", formats, &impossible), std::nullopt);
  EXPECT_TRUE(impossible);
  EXPECT_EQ(Parse("2026-02-01", formats, &impossible), std::nullopt);
  EXPECT_FALSE(impossible);
}

// ---- Mapper: Bind and Map ----

const std::string kMapping =
    "certification: {type: RNCP, code: RNCP35830}\n"
    "source: scolarite\n"
    "query: SELECT * FROM resultat\n"
    "key: [numero, session]\n"
    "fields:\n"
    "  dateDebutValidite: delivre\n"
    "  dateFinValidite: nil\n"
    "  obtentionCertification: {constant: PAR_ADMISSION}\n"
    "  donneeCertifiee: {constant: true}\n"
    "  presenceNiveauLangueEuro: {constant: false}\n"
    "  presenceNiveauNumeriqueEuro: {constant: false}\n"
    "  scoring: nil\n"
    "  mentionValidee: nil\n"
    "  modaliteAcces: nil\n"
    "  modalitePassageExamen: {column: modalite, map: {distance: A_DISTANCE}}\n"
    "  libelleOption: {template: \"{option} {niveau}\"}\n"
    "  nomNaissance: nom\n"
    "  nomUsage: {coalesce: [nom_marital, nom]}\n"
    "  prenom1: prenom\n"
    "  anneeNaissance: annee\n"
    "  moisNaissance: nil\n"
    "  jourNaissance: nil\n"
    "  sexe: {column: civilite, map: {M.: M, Mme: F}}\n"
    "  codePostal: nil\n";

Mapping LoadOrDie(const std::string& text) {
  Diagnostics d;
  auto m = LoadMappingText(text, "mappings/rs6521.yaml", SchemaVersion::k115, d);
  EXPECT_TRUE(m.has_value());
  EXPECT_TRUE(d.empty()) << FormatDiagnostics(d);
  return m.value_or(Mapping{});
}

class MapperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mapping_ = LoadOrDie(kMapping);
    row_ = {{"numero", "E123"},        {"session", "2026"},
            {"delivre", "2026-01-15"}, {"modalite", "distance"},
            {"option", "Anglais"},     {"niveau", "B2"},
            {"nom", "DUPONT"},         {"nom_marital", std::nullopt},
            {"prenom", "Jean"},        {"annee", "1990"},
            {"civilite", "M."}};
  }

  // Maps `row_` with every column the mapping reads, in the order ReferencedColumns gives.
  MappedRow MapRow(std::uint64_t row_number = 1) {
    std::vector<std::string> names = ReferencedColumns(mapping_);
    source::SourceRow row;
    for (const std::string& name : names) {
      auto it = row_.find(name);
      row.values.push_back(it == row_.end() ? std::nullopt : it->second);
    }
    auto mapper = Mapper::Bind(mapping_, source::Columns(names));
    EXPECT_TRUE(mapper.has_value()) << mapper.error().message();
    if (!mapper) return MappedRow{};
    return mapper->Map(row, row_number);
  }

  Mapping mapping_;
  std::map<std::string, std::optional<std::string>> row_;
};

TEST_F(MapperTest, BindNamesEveryMissingColumnAndWhatTheQueryReturns) {
  auto mapper = Mapper::Bind(
      mapping_, source::Columns({"NUMERO", "Session", "delivre", "prenom", "civilite", "autre"}));
  ASSERT_FALSE(mapper.has_value());
  EXPECT_EQ(mapper.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(mapper.error().message(),
            // Each column with the position of the rule that reads it.
            "mapping \"rs6521\" reads column(s) option (mappings/rs6521.yaml:16:18), niveau "
            "(mappings/rs6521.yaml:16:18), modalite (mappings/rs6521.yaml:15:26), nom "
            "(mappings/rs6521.yaml:17:17), nom_marital (mappings/rs6521.yaml:18:13), annee "
            "(mappings/rs6521.yaml:20:19), which the query does not return (it returns: NUMERO, "
            "Session, delivre, prenom, civilite, autre)");
}

TEST_F(MapperTest, BindWithNothingReturned) {
  auto mapper = Mapper::Bind(mapping_, source::Columns({}));
  ASSERT_FALSE(mapper.has_value());
  EXPECT_EQ(mapper.error().message(),
            "mapping \"rs6521\" reads column(s) numero (mappings/rs6521.yaml:4:6), session "
            "(mappings/rs6521.yaml:4:6), option (mappings/rs6521.yaml:16:18), niveau "
            "(mappings/rs6521.yaml:16:18), modalite (mappings/rs6521.yaml:15:26), delivre "
            "(mappings/rs6521.yaml:6:22), nom (mappings/rs6521.yaml:17:17), nom_marital "
            "(mappings/rs6521.yaml:18:13), prenom (mappings/rs6521.yaml:19:12), annee "
            "(mappings/rs6521.yaml:20:19), civilite (mappings/rs6521.yaml:23:9), which the query "
            "does not return (it returns: )");
}

TEST_F(MapperTest, BindFindsColumnsWhateverTheirCaseAndOrder) {
  std::vector<std::string> names = {"CIVILITE", "Annee",   "prenom", "NOM_MARITAL",
                                    "Nom",      "niveau",  "OPTION", "Modalite",
                                    "delivre",  "SESSION", "Numero", "extra"};
  auto mapper = Mapper::Bind(mapping_, source::Columns(names));
  ASSERT_TRUE(mapper.has_value()) << mapper.error().message();
  source::SourceRow row{{"M.", "1990", "Jean", std::nullopt, "DUPONT", "B2", "Anglais", "distance",
                         "2026-01-15", "2026", "E123", "ignored"}};
  MappedRow out = mapper->Map(row, 1);
  EXPECT_TRUE(out.rejections.empty());
  EXPECT_EQ(out.passage.id_technique, "E123-2026");
  EXPECT_EQ(out.passage[Field::sexe].text, "M");
  EXPECT_EQ(out.passage[Field::anneeNaissance].text, "1990");
  EXPECT_EQ(out.passage[Field::libelleOption].text, "Anglais B2");
}

TEST_F(MapperTest, MapsARow) {
  MappedRow out = MapRow();
  EXPECT_TRUE(out.rejections.empty());
  EXPECT_TRUE(out.identified);
  EXPECT_TRUE(out.failed.none());
  EXPECT_TRUE(out.warnings.empty());
  const Passage& p = out.passage;
  EXPECT_EQ(p.mapping, &mapping_);
  EXPECT_EQ(p[Field::dateDebutValidite].state, State::kValue);
  EXPECT_EQ(p[Field::dateDebutValidite].text, "2026-01-15");
  EXPECT_EQ(p[Field::dateFinValidite].state, State::kNil);
  EXPECT_EQ(p[Field::obtentionCertification].text, "PAR_ADMISSION");
  EXPECT_EQ(p[Field::donneeCertifiee].text, "true");
  EXPECT_EQ(p[Field::modalitePassageExamen].text, "A_DISTANCE");
  EXPECT_EQ(p[Field::nomNaissance].text, "DUPONT");
  EXPECT_EQ(p[Field::prenom1].text, "Jean");
  EXPECT_EQ(p[Field::sexe].text, "M");
  EXPECT_EQ(p[Field::codePostal].state, State::kNil);
  EXPECT_EQ(p[Field::codeInsee].state, State::kAbsent);  // not mapped
  EXPECT_EQ(p[Field::verbatim].state, State::kAbsent);
}

TEST_F(MapperTest, KeyValuesJoinedWithADashAndTrimmed) {
  row_["numero"] = " E123 ";
  row_["session"] = "2026\t";
  MappedRow out = MapRow();
  EXPECT_EQ(out.passage.id_technique, "E123-2026");
  EXPECT_EQ(out.passage.source_key, "numero=E123, session=2026");
}

TEST_F(MapperTest, SingleKeyColumn) {
  mapping_ = LoadOrDie([] {
    std::string text = kMapping;
    text.replace(text.find("key: [numero, session]"), 22, "key: numero");
    return text;
  }());
  MappedRow out = MapRow();
  EXPECT_EQ(out.passage.id_technique, "E123");
  EXPECT_EQ(out.passage.source_key, "numero=E123");
}

TEST_F(MapperTest, IdTechniqueFromATemplate) {
  mapping_ = LoadOrDie(kMapping + "id_technique: \"EX-{numero}-{{{session}}}\"\n");
  row_["session"] = " 2026 ";
  MappedRow out = MapRow();
  EXPECT_EQ(out.passage.id_technique, "EX-E123-{2026}");
  EXPECT_EQ(out.passage.source_key, "numero=E123, session=2026");
}

TEST_F(MapperTest, MissingKeyRejectsTheRowByItsNumber) {
  row_["session"] = std::nullopt;
  row_["civilite"] = "Dr";
  MappedRow out = MapRow(7);
  EXPECT_FALSE(out.identified);
  EXPECT_EQ(out.passage.id_technique, "ligne 7");
  ASSERT_EQ(out.rejections.size(), 2u);
  const Rejection& r = out.rejections[0];
  EXPECT_EQ(r.mapping, "rs6521");
  EXPECT_EQ(r.id_technique, "ligne 7");
  EXPECT_EQ(r.source_key, "");
  EXPECT_EQ(r.field, "");
  EXPECT_EQ(r.rule, Rule::kMissingKey);
  EXPECT_EQ(r.message,
            "clé absente (colonne session vide) : la ligne 7 ne peut pas recevoir d'idTechnique");
  // The row's other problems are still reported, under the same name.
  EXPECT_EQ(out.rejections[1].id_technique, "ligne 7");
  EXPECT_EQ(out.rejections[1].source_key, "numero=E123, session=");
  EXPECT_EQ(out.rejections[1].field, "sexe");
}

TEST_F(MapperTest, BlankKeysAreMissingEachReported) {
  row_["numero"] = "  ";
  row_["session"] = "";
  MappedRow out = MapRow(12);
  EXPECT_FALSE(out.identified);
  ASSERT_EQ(out.rejections.size(), 2u);
  EXPECT_EQ(out.rejections[0].message,
            "clé absente (colonne numero vide) : la ligne 12 ne peut pas recevoir d'idTechnique");
  EXPECT_EQ(out.rejections[1].message,
            "clé absente (colonne session vide) : la ligne 12 ne peut pas recevoir d'idTechnique");
}

TEST_F(MapperTest, MissingKeyWithATemplateIdTechnique) {
  mapping_ = LoadOrDie(kMapping + "id_technique: \"EX-{numero}-{session}\"\n");
  row_["numero"] = std::nullopt;
  MappedRow out = MapRow(3);
  EXPECT_FALSE(out.identified);
  EXPECT_EQ(out.passage.id_technique, "ligne 3");
}

TEST_F(MapperTest, TemplateSkipsNullColumns) {
  row_["niveau"] = std::nullopt;
  EXPECT_EQ(MapRow().passage[Field::libelleOption].text, "Anglais");  // "Anglais " trimmed
  row_["option"] = std::nullopt;
  row_["niveau"] = "B2";
  EXPECT_EQ(MapRow().passage[Field::libelleOption].text, "B2");
}

TEST_F(MapperTest, TemplateOfNullColumnsIsNull) {
  row_["option"] = std::nullopt;
  row_["niveau"] = std::nullopt;
  EXPECT_EQ(MapRow().passage[Field::libelleOption].state, State::kAbsent);
}

TEST_F(MapperTest, TemplateKeepsLiteralsWhenOneColumnHasAValue) {
  mapping_ = LoadOrDie([] {
    std::string text = kMapping;
    text.replace(text.find("{option} {niveau}"), 17, "Option {option} ({niveau})");
    return text;
  }());
  row_["niveau"] = std::nullopt;
  EXPECT_EQ(MapRow().passage[Field::libelleOption].text, "Option Anglais ()");
}

TEST_F(MapperTest, CoalesceTakesTheFirstNonBlankColumn) {
  row_["nom_marital"] = "MARTIN";
  EXPECT_EQ(MapRow().passage[Field::nomUsage].text, "MARTIN");
  row_["nom_marital"] = std::nullopt;
  EXPECT_EQ(MapRow().passage[Field::nomUsage].text, "DUPONT");
  row_["nom_marital"] = " \xC2\xA0";
  EXPECT_EQ(MapRow().passage[Field::nomUsage].text, "DUPONT");
  row_["nom"] = std::nullopt;
  row_["nom_marital"] = std::nullopt;
  EXPECT_EQ(MapRow().passage[Field::nomUsage].state, State::kAbsent);
}

TEST_F(MapperTest, ValueNotInMapIsRejectedWithoutShowingPersonalData) {
  row_["civilite"] = "Docteur";
  MappedRow out = MapRow();
  ASSERT_EQ(out.rejections.size(), 1u);
  const Rejection& r = out.rejections[0];
  EXPECT_EQ(r.id_technique, "E123-2026");
  EXPECT_EQ(r.source_key, "numero=E123, session=2026");
  EXPECT_EQ(r.field, "sexe");
  EXPECT_EQ(r.rule, Rule::kNotInMap);
  EXPECT_EQ(r.message, "sexe : valeur absente de la table de correspondance (colonne civilite)");
  EXPECT_TRUE(out.failed.test(static_cast<std::size_t>(Field::sexe)));
  EXPECT_EQ(out.failed.count(), 1u);
  EXPECT_EQ(out.passage[Field::sexe].state, State::kAbsent);
  EXPECT_EQ(out.passage[Field::nomNaissance].text, "DUPONT");  // the rest is still mapped
}

TEST_F(MapperTest, ValueNotInMapOfANonPersonalFieldIsShown) {
  row_["modalite"] = "visio";
  MappedRow out = MapRow();
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].field, "modalitePassageExamen");
  EXPECT_EQ(out.rejections[0].message,
            "modalitePassageExamen : « visio » absent de la table de correspondance (colonne "
            "modalite)");
}

TEST_F(MapperTest, UnreadableAndImpossibleDates) {
  row_["delivre"] = "15/01/2026";
  MappedRow unreadable = MapRow();
  ASSERT_EQ(unreadable.rejections.size(), 1u);
  EXPECT_EQ(unreadable.rejections[0].field, "dateDebutValidite");
  EXPECT_EQ(unreadable.rejections[0].rule, Rule::kDateUnreadable);
  EXPECT_EQ(unreadable.rejections[0].message,
            "dateDebutValidite : date illisible au(x) format(s) date SQL (AAAA-MM-JJ) (colonne "
            "delivre)");
  EXPECT_TRUE(unreadable.failed.test(static_cast<std::size_t>(Field::dateDebutValidite)));

  row_["delivre"] = "2026-02-30 00:00:00";
  MappedRow impossible = MapRow();
  ASSERT_EQ(impossible.rejections.size(), 1u);
  EXPECT_EQ(impossible.rejections[0].rule, Rule::kCalendarDate);
  EXPECT_EQ(impossible.rejections[0].message,
            "dateDebutValidite : date impossible, ce jour n'existe pas (colonne delivre)");
}

TEST_F(MapperTest, UnreadableDateNamesEveryFormat) {
  mapping_ = LoadOrDie([] {
    std::string text = kMapping;
    text.replace(text.find("dateDebutValidite: delivre"), 26,
                 "dateDebutValidite: {column: delivre, date: [iso, sql, \"%d/%m/%Y\"]}");
    return text;
  }());
  row_["delivre"] = "15.01.2026";
  MappedRow out = MapRow();
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].message,
            "dateDebutValidite : date illisible au(x) format(s) AAAA-MM-JJ, date SQL "
            "(AAAA-MM-JJ), %d/%m/%Y (colonne delivre)");
}

TEST_F(MapperTest, EveryProblemOfARowInOnePass) {
  row_["delivre"] = "hier";
  row_["modalite"] = "visio";
  row_["civilite"] = "?";
  MappedRow out = MapRow();
  std::vector<std::string> fields;
  for (const Rejection& r : out.rejections) fields.push_back(r.field);
  EXPECT_THAT(fields, ElementsAre("modalitePassageExamen", "dateDebutValidite", "sexe"));
  EXPECT_EQ(out.failed.count(), 3u);
}

// ---- Unicode: every value in NFC before any rule ----

// 'Éléonore-Bérénice de Saint-Éloi-Prévôt-Château-Thierry-Œuvée': 60 letters, composed and
// decomposed (69 code points).
const std::string kComposed60 = "Éléonore-Bérénice de Saint-Éloi-Prévôt-Château-Thierry-Œuvée";
const std::string kDecomposed60 =
    "E\u0301le\u0301onore-Be\u0301re\u0301nice de Saint-E\u0301loi-Pre\u0301vo\u0302t-"
    "Cha\u0302teau-Thierry-\u0152uve\u0301e";

// `text` with its one `from` replaced by `to`.
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The rejections validation adds for `field`.
std::vector<Rejection> Validated(MappedRow row, std::string_view field) {
  Validator validator(SchemaVersion::k115,
                      Date{std::chrono::year(2026), std::chrono::November, std::chrono::day(26)});
  (void)validator.Check(row);
  std::vector<Rejection> found;
  for (const Rejection& r : row.rejections) {
    if (r.field == field) found.push_back(r);
  }
  return found;
}

TEST_F(MapperTest, DecomposedNameOf60LettersIsAcceptedAndMappedComposed) {
  row_["nom"] = kDecomposed60;
  MappedRow out = MapRow();
  EXPECT_TRUE(out.rejections.empty());
  EXPECT_EQ(out.passage[Field::nomNaissance].text, kComposed60);
  EXPECT_EQ(out.passage[Field::nomUsage].text, kComposed60);  // through coalesce
  EXPECT_TRUE(Validated(out, "nomNaissance").empty());
}

TEST_F(MapperTest, NameOf61LettersIsRefusedWithItsCountOfCharacters) {
  for (const std::string& nom : {kComposed60 + "s", kDecomposed60 + "s"}) {
    row_["nom"] = nom;
    std::vector<Rejection> refused = Validated(MapRow(), "nomNaissance");
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].rule, Rule::kLength);
    EXPECT_EQ(refused[0].message, "nomNaissance : 61 caractères, 60 au plus");
  }
}

TEST_F(MapperTest, ComposedValuesAreUnchanged) {
  row_["nom"] = kComposed60;
  row_["prenom"] = "N’Goné Ελένη 김";
  MappedRow out = MapRow();
  EXPECT_EQ(out.passage[Field::nomNaissance].text, kComposed60);
  EXPECT_EQ(out.passage[Field::prenom1].text, "N’Goné Ελένη 김");
}

TEST_F(MapperTest, HangulJamoAreComposedIntoSyllables) {
  row_["nom"] = "\u1100\u1175\u11B7";                       // 김
  row_["prenom"] = "\u1112\u1161\u11AB\u1109\u1161\u11BC";  // 한상
  MappedRow out = MapRow();
  EXPECT_EQ(out.passage[Field::nomNaissance].text, "김");
  EXPECT_EQ(out.passage[Field::prenom1].text, "한상");
}

TEST_F(MapperTest, KeyAndIdTechniqueAreComposed) {
  row_["numero"] = "E\u0301-12";
  MappedRow out = MapRow();
  EXPECT_EQ(out.passage.id_technique, "É-12-2026");
  EXPECT_EQ(out.passage.source_key, "numero=É-12, session=2026");
}

TEST_F(MapperTest, MapKeysMatchADecomposedValue) {
  const std::string text =
      Replaced(kMapping, "mentionValidee: nil",
               "mentionValidee: {column: mention, map: {très bien: MENTION_TRES_BIEN}}");
  mapping_ = LoadOrDie(text);
  row_["mention"] = "tre\u0300s bien";
  EXPECT_EQ(MapRow().passage[Field::mentionValidee].text, "MENTION_TRES_BIEN");

  // With ignore_case and ignore_accents, a decomposed value folds like a composed one.
  mapping_ = LoadOrDie(Replaced(text, "MENTION_TRES_BIEN}}",
                                "MENTION_TRES_BIEN}, ignore_case: true, ignore_accents: true}"));
  for (const char* mention : {"TRE\u0300S BIEN", "tre\u0300s bien", "TRES bien"}) {
    row_["mention"] = mention;
    EXPECT_EQ(MapRow().passage[Field::mentionValidee].text, "MENTION_TRES_BIEN") << mention;
  }
}

TEST_F(MapperTest, MapKeysWrittenDecomposedMatchAComposedValue) {
  mapping_ = LoadOrDie(
      Replaced(kMapping, "mentionValidee: nil",
               "mentionValidee: {column: mention, map: {\"tre\u0300s bien\": MENTION_TRES_BIEN}}"));
  row_["mention"] = "très bien";
  EXPECT_EQ(MapRow().passage[Field::mentionValidee].text, "MENTION_TRES_BIEN");
}

TEST_F(MapperTest, ConstantsAndTemplatesAreComposed) {
  mapping_ = LoadOrDie(Replaced(Replaced(kMapping, "{template: \"{option} {niveau}\"}",
                                         "{template: \"{option}{niveau} Cre\u0301ation\"}"),
                                "nomUsage: {coalesce: [nom_marital, nom]}",
                                "nomUsage: {constant: \"Garc\u0327on\"}"));
  // Two composed pieces side by side can make a pair NFC composes: "e" then U+0301.
  row_["option"] = "Me";
  row_["niveau"] = "\u0301tier";
  MappedRow out = MapRow();
  EXPECT_EQ(out.passage[Field::libelleOption].text, "Métier Création");
  EXPECT_EQ(out.passage[Field::nomUsage].text, "Garçon");
}

TEST(ApplyTransformsTest, CaseChangesAreComposedAgain) {
  // "i" + U+0307 is composed text; upper-cased it is "I" + U+0307, which NFC writes İ (U+0130).
  FieldRule r = ColumnRule(Field::nomNaissance);
  r.letter_case = LetterCase::kUpper;
  ExpectValue(Apply(r, "Yi\u0307lmaz"), "YİLMAZ");
}

TEST_F(MapperTest, TextThatIsNotUtf8IsKeptForValidationToRefuse) {
  row_["nom"] = "Jos\xE9";
  MappedRow out = MapRow();
  EXPECT_EQ(out.passage[Field::nomNaissance].text, "Jos\xE9");
  std::vector<Rejection> refused = Validated(out, "nomNaissance");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].rule, Rule::kUtf8);
}

// ---- Steps for messy data: remove_spaces, digits_only, pad_left, pattern, separators,
// fingerprint, default: keep ----

// A pattern as the loader compiles it.
PatternRule Regex(const std::string& text, const std::string& reason = "") {
  std::string problem;
  auto compiled = CompiledPattern::Compile(text, problem);
  EXPECT_TRUE(compiled.has_value()) << problem;
  return PatternRule{text, reason, compiled.value_or(CompiledPattern{}), {}};
}

TEST(ApplyTransformsTest, RemoveSpacesRemovesEveryBlankOfEveryKind) {
  FieldRule r = ColumnRule(Field::codePostal);
  r.remove_spaces = true;
  ExpectValue(Apply(r, "75 001"), "75001");
  ExpectValue(Apply(r, "RNCP\u00A034\u202F567"), "RNCP34567");      // no-break, narrow no-break
  ExpectValue(Apply(r, "7\t5\r\n0\u20070\u30001\u2028"), "75001");  // figure, ideographic, LS
  ExpectValue(Apply(r, "2A 004"), "2A004");
  ExpectAbsent(Apply(r, " \u00A0 "));
}

TEST(ApplyTransformsTest, RemoveSpacesComposesWhatItJoins) {
  // "e", a blank, then a combining acute: without the blank, NFC makes one letter.
  FieldRule r = ColumnRule(Field::libelleOption);
  r.remove_spaces = true;
  ExpectValue(Apply(r, "Caf e\u0301"), "Café");
}

TEST(ApplyTransformsTest, DigitsOnlyKeepsTheAsciiDigits) {
  FieldRule r = ColumnRule(Field::codePostal);
  r.digits_only = true;
  ExpectValue(Apply(r, "06.12.34"), "061234");
  ExpectValue(Apply(r, "F-75 001"), "75001");
  ExpectValue(Apply(r, "\uFF17\uFF15 75001"), "75001");  // full-width digits are not kept
  // The trap: a Corsican INSEE code loses its letter (remove_spaces is the step for those).
  ExpectValue(Apply(r, "2A004"), "2004");
  ExpectAbsent(Apply(r, "n/a"));  // nothing left: no value
}

TEST(ApplyTransformsTest, PadLeftPadsDigitsOnly) {
  FieldRule r = ColumnRule(Field::codeInsee);
  r.pad_left = 5;
  ExpectValue(Apply(r, "1234"), "01234");
  ExpectValue(Apply(r, "7"), "00007");
  ExpectValue(Apply(r, "12345"), "12345");
  ExpectValue(Apply(r, "123456"), "123456");  // too long already: for the validator to judge
  ExpectValue(Apply(r, "2A004"), "2A004");    // not digits: left as it is
  ExpectValue(Apply(r, "2A04"), "2A04");
  ExpectValue(Apply(r, "-123"), "-123");
  ExpectValue(Apply(r, "１２３"), "１２３");  // full-width digits are not ASCII digits
  ExpectAbsent(Apply(r, ""));                 // no value stays no value
}

TEST(ApplyTransformsTest, CleaningStepsComeBeforePadAndPadBeforeTheMap) {
  FieldRule r = ColumnRule(Field::codeInsee);
  r.remove_spaces = true;
  r.pad_left = 5;
  r.map = ValueMap{};
  r.map->entries = {To("01234", "01235")};
  r.map->has_default = true;
  r.map->default_outcome = MapOutcome::kKeep;
  ExpectValue(Apply(r, " 1 234 "), "01235");  // blanks removed, padded, then mapped
  FieldRule d = ColumnRule(Field::codeInsee);
  d.digits_only = true;
  d.pad_left = 5;
  ExpectValue(Apply(d, "1.234"), "01234");
}

TEST(ApplyTransformsTest, PadLeftComesAfterTheWord) {
  FieldRule r = ColumnRule(Field::codeInsee);
  r.word = WordRule{2, false, {"/"}};
  r.pad_left = 5;
  ExpectValue(Apply(r, "Paris / 1234"), "01234");
}

TEST(ApplyTransformsTest, PatternAcceptsAWholeMatchOnly) {
  FieldRule r = ColumnRule(Field::codeInsee);
  r.remove_spaces = true;
  r.pad_left = 5;
  r.pattern = Regex("[0-9]{5}|2[AB][0-9]{3}");
  ExpectValue(Apply(r, "75 056"), "75056");
  ExpectValue(Apply(r, "1234"), "01234");
  ExpectValue(Apply(r, "2A 004"), "2A004");
  RuleOutput out = Apply(r, "2C004");
  ExpectProblem(out, Rule::kPattern);
  EXPECT_EQ(out.pattern_outcome, PatternOutcome::kNoMatch);
  EXPECT_EQ(out.value.text, "2C004");                 // kept for the message
  ExpectProblem(Apply(r, "750561"), Rule::kPattern);  // a match inside is not enough
  ExpectAbsent(Apply(r, "  "));                       // no value: nothing to match
}

TEST(ApplyTransformsTest, PatternMatchesCharactersNotBytes) {
  FieldRule r = ColumnRule(Field::libelleOption);
  r.pattern = Regex("[A-ZÉÈ][a-zéèêà]+ .");
  ExpectValue(Apply(r, "Élève à"), "Élève à");
  ExpectValue(Apply(r, "Été 🎓"), "Été 🎓");  // "." is one character, four bytes here
  ExpectProblem(Apply(r, "élève à"), Rule::kPattern);
}

TEST(ApplyTransformsTest, PatternRunsAfterTheMapAndBeforeTheDate) {
  FieldRule r = ColumnRule(Field::dateDebutExamen);
  r.map = ValueMap{};
  r.map->entries = {To("rentrée", "01/09/2025")};
  r.map->has_default = true;
  r.map->default_outcome = MapOutcome::kKeep;
  r.pattern = Regex("[0-9]{2}/[0-9]{2}/[0-9]{4}");
  r.date = Formats({Pattern("%d/%m/%Y")});
  ExpectValue(Apply(r, "rentrée"), "2025-09-01");
  ExpectValue(Apply(r, "15/01/2026"), "2026-01-15");
  ExpectProblem(Apply(r, "2026-01-15"), Rule::kPattern);  // the pattern speaks first
}

TEST(ApplyTransformsTest, PatternDoesNotCompareAValueOfMoreThan1000Characters) {
  FieldRule r = ColumnRule(Field::verbatim);
  r.pattern = Regex("a*");
  ExpectValue(Apply(r, std::string(1000, 'a')), std::string(1000, 'a'));
  RuleOutput out = Apply(r, std::string(1001, 'a'));
  ExpectProblem(out, Rule::kPattern);
  EXPECT_EQ(out.pattern_outcome, PatternOutcome::kTooLong);
}

TEST(ApplyTransformsTest, PatternLeavesTextThatIsNotUtf8ToValidation) {
  FieldRule r = ColumnRule(Field::libelleOption);
  r.pattern = Regex("[a-z]+");
  ExpectValue(Apply(r, "caf\xE9"), "caf\xE9");  // validation refuses it, naming the byte
}

TEST(ApplyTransformsTest, APatternThatBacktracksExponentiallyElsewhereIsQuickHere) {
  FieldRule r = ColumnRule(Field::verbatim);
  r.pattern = Regex("(a*)*b");
  const auto start = std::chrono::steady_clock::now();
  ExpectProblem(Apply(r, std::string(1000, 'a')), Rule::kPattern);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(CompiledPatternTest, RefusesWhatCannotRun) {
  std::string problem;
  EXPECT_FALSE(CompiledPattern::Compile("[0-9", problem));
  EXPECT_THAT(problem, ::testing::StartsWith("not a regular expression (ECMAScript): "));
  EXPECT_FALSE(CompiledPattern::Compile("(a)\\1", problem));
  EXPECT_EQ(problem,
            "back-references (\\1) are refused: they would make matching slow; write the "
            "expected text out");
  EXPECT_FALSE(CompiledPattern::Compile("", problem));
  EXPECT_EQ(problem, "must not be empty");
  EXPECT_FALSE(CompiledPattern::Compile(std::string(1001, 'a'), problem));
  EXPECT_EQ(problem, "1001 characters, 1000 at most");
  EXPECT_FALSE(CompiledPattern::Compile("a\xE9", problem));
  EXPECT_EQ(problem, "not UTF-8 text");
  // The regex compiler recurses once per level of groups: 20 at most (brackets in a class or
  // escaped are not groups).
  EXPECT_FALSE(
      CompiledPattern::Compile(std::string(21, '(') + "a" + std::string(21, ')'), problem));
  EXPECT_EQ(problem, "groups nested more than 20 deep");
  EXPECT_TRUE(CompiledPattern::Compile(std::string(20, '(') + "a" + std::string(20, ')'), problem));
  EXPECT_TRUE(CompiledPattern::Compile("[" + std::string(30, '(') + "]", problem));
  EXPECT_TRUE(CompiledPattern::Compile(
      "\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(\\(", problem));
  EXPECT_FALSE(CompiledPattern::Compile("a{99999999}", problem));
  EXPECT_EQ(problem, "too large once compiled; make its repetitions ({n}) smaller");
  EXPECT_EQ(CompiledPattern{}.Check("a"), PatternOutcome::kFailed);
}

TEST(ApplyTransformsTest, SeparatorsListSplitsOnAnyOfThem) {
  FieldRule r = ColumnRule(Field::prenom1);
  r.word = WordRule{1, true, {" ", ","}};
  ExpectValue(Apply(r, "Jean,Marie  Luc"), "Jean Marie Luc");
  r.word = WordRule{2, false, {" ", ","}};
  ExpectValue(Apply(r, "Jean,Marie  Luc"), "Marie");
  r.word = WordRule{3, false, {" ", ","}};
  ExpectValue(Apply(r, "Jean,Marie  Luc"), "Luc");
  ExpectValue(Apply(r, " Jean ,\t, Marie\u00A0Luc "), "Luc");  // a run of blanks, empty parts
  r.word = WordRule{4, false, {" ", ","}};
  ExpectAbsent(Apply(r, "Jean,Marie  Luc"));
}

TEST(ApplyTransformsTest, SeparatorsWithoutABlankKeepCompoundNames) {
  FieldRule r = ColumnRule(Field::prenom1);
  r.word = WordRule{2, false, {",", ";", " / "}};
  ExpectValue(Apply(r, "Marie Claire; Anne"), "Anne");
  ExpectValue(Apply(r, "Marie Claire / Anne-Sophie, Luc"), "Anne-Sophie");
  r.word = WordRule{1, false, {"/", " / "}};  // the longest that fits at a place wins
  ExpectValue(Apply(r, "Jean / Luc"), "Jean");
}

TEST(ApplyTransformsTest, MapByFingerprint) {
  FieldRule r = ColumnRule(Field::mentionValidee);
  r.map = ValueMap{};
  r.map->entries = {To("Très bien", "MENTION_TRES_BIEN"), To("A.B.", "MENTION_ASSEZ_BIEN")};
  r.map->fingerprint = true;
  for (const char* v : {"Très-Bien", "tres bien", "TRÈS BIEN.", "  très  bien ", "TresBien"}) {
    ExpectValue(Apply(r, v), "MENTION_TRES_BIEN");
  }
  ExpectValue(Apply(r, "ab"), "MENTION_ASSEZ_BIEN");
  ExpectValue(Apply(r, "a-b"), "MENTION_ASSEZ_BIEN");
  RuleOutput out = Apply(r, "Bien");
  EXPECT_EQ(out.problem, Rule::kNotInMap);
  EXPECT_EQ(out.value.text, "Bien");  // the value as read, not its fingerprint
}

TEST(ApplyTransformsTest, MapDefaultKeepKeepsTheValueAsTheStepsLeftIt) {
  FieldRule r = ColumnRule(Field::libelleOption);
  r.letter_case = LetterCase::kUpper;
  r.map = ValueMap{};
  r.map->entries = {To("ANG", "Anglais"), ToOutcome("-", MapOutcome::kAbsent)};
  r.map->has_default = true;
  r.map->default_outcome = MapOutcome::kKeep;
  ExpectValue(Apply(r, "ang"), "Anglais");
  ExpectValue(Apply(r, " espagnol "), "ESPAGNOL");
  ExpectAbsent(Apply(r, "-"));
  ExpectAbsent(Apply(r, std::nullopt));  // no value stays no value
  ExpectAbsent(Apply(r, "  "));
  EXPECT_FALSE(Apply(r, "  ").absent_by_map);
}

TEST(ValueMapTest, IndexFoldsEachKeyOnceAndFindsTheFirstOfEqualKeys) {
  ValueMap map;
  map.entries = {To("Mme", "F"), To("MME", "F"), To("M.", "M")};
  map.ignore_case = true;
  EXPECT_EQ(map.Index(), std::nullopt);
  EXPECT_EQ(map.index.size(), 2u);
  ASSERT_NE(map.Find("mme"), nullptr);
  EXPECT_EQ(map.Find("mme")->from, "Mme");
  EXPECT_EQ(map.Find("Madame"), nullptr);
  map.entries.push_back(To("m.", "F"));
  EXPECT_EQ(map.Index(), std::make_optional(std::make_pair(std::size_t{2}, std::size_t{3})));
  map.ignore_case = false;
  map.fingerprint = true;
  map.entries = {To("Très-Bien", "A"), To("tres bien", "B")};
  EXPECT_EQ(map.Index(), std::make_optional(std::make_pair(std::size_t{0}, std::size_t{1})));
}

TEST_F(MapperTest, PatternReasonsNameFieldColumnAndPattern) {
  mapping_ = LoadOrDie(Replaced(kMapping, "libelleOption: {template: \"{option} {niveau}\"}",
                                "libelleOption: {column: option, pattern: \"[A-Z][a-z]+\"}"));
  row_["option"] = "anglais";
  MappedRow out = MapRow();
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].field, "libelleOption");
  EXPECT_EQ(out.rejections[0].rule, Rule::kPattern);
  EXPECT_EQ(out.rejections[0].message,
            "libelleOption : « anglais » ne respecte pas le format attendu par le mapping "
            "([A-Z][a-z]+) (colonne option)");
  EXPECT_TRUE(out.failed.test(static_cast<std::size_t>(Field::libelleOption)));
}

TEST(ReasonPatternTest, EveryVariant) {
  EXPECT_EQ(ReasonPattern(Spec(Field::codePostalCentreExamen), Regex("[0-9]{5}"), "cp_centre",
                          "75 0O1", PatternOutcome::kNoMatch),
            "codePostalCentreExamen : « 75 0O1 » ne respecte pas le format attendu par le "
            "mapping ([0-9]{5}) (colonne cp_centre)");
  // Personal fields (a birthplace, a name): the value is never shown.
  const PatternRule insee = Regex("[0-9]{5}|2[AB][0-9]{3}");
  EXPECT_EQ(
      ReasonPattern(Spec(Field::codeInsee), insee, "insee", "2C004", PatternOutcome::kNoMatch),
      "codeInsee : la valeur ne respecte pas le format attendu par le mapping "
      "([0-9]{5}|2[AB][0-9]{3}) (colonne insee)");
  EXPECT_EQ(ReasonPattern(Spec(Field::nomNaissance), Regex("[A-Z -]+"), "nom", "Dupont",
                          PatternOutcome::kNoMatch),
            "nomNaissance : la valeur ne respecte pas le format attendu par le mapping "
            "([A-Z -]+) (colonne nom)");
  // A template's columns, a constant's none.
  EXPECT_EQ(
      ReasonPattern(Spec(Field::verbatim), Regex("[a-z]+"), "", "A1", PatternOutcome::kNoMatch),
      "verbatim : « A1 » ne respecte pas le format attendu par le mapping ([a-z]+)");
  // The mapping's own words replace the catalogue's, and still name the column.
  EXPECT_EQ(
      ReasonPattern(Spec(Field::codeInsee), Regex("[0-9]{5}", "code INSEE à 5 chiffres attendu"),
                    "insee", "2C004", PatternOutcome::kNoMatch),
      "codeInsee : code INSEE à 5 chiffres attendu (colonne insee)");
  EXPECT_EQ(ReasonPattern(Spec(Field::verbatim), Regex("a*"), "", std::string(1001, 'a'),
                          PatternOutcome::kTooLong),
            "verbatim : valeur de 1001 caractères, trop longue pour être comparée au format "
            "attendu par le mapping (a* ; 1000 caractères au plus)");
  EXPECT_EQ(
      ReasonPattern(Spec(Field::verbatim), Regex("a*"), "texte", "aaa", PatternOutcome::kFailed),
      "verbatim : la valeur n'a pas pu être comparée au format attendu par le mapping (a*) "
      "(colonne texte)");
}

// ---- The certification, row by row ----

// kMapping with its certification read as `type_rule` and `code_rule` say.
std::string WithCertification(const std::string& type_rule, const std::string& code_rule) {
  return "certification:\n  type: " + type_rule + "\n  code: " + code_rule + "\n" +
         kMapping.substr(kMapping.find("source:"));
}

class CertificationFromColumnsTest : public MapperTest {
 protected:
  void SetUp() override {
    MapperTest::SetUp();
    mapping_ = LoadOrDie(WithCertification(
        "{column: type_certif, map: {rncp: RNCP, rs: RS, hab: Habilitation, autre: absent}, "
        "ignore_case: true}",
        "{column: code_certif, case: upper}"));
  }

  MappedRow MapCertification(std::optional<std::string> type, std::optional<std::string> code) {
    row_["type_certif"] = std::move(type);
    row_["code_certif"] = std::move(code);
    return MapRow();
  }

  // The one rejection of a row whose certification is refused: its rule and French reason.
  void ExpectRefused(MappedRow out, Rule rule, const std::string& message) {
    ASSERT_EQ(out.rejections.size(), 1u) << out.rejections[0].message;
    const Rejection& r = out.rejections[0];
    EXPECT_EQ(r.mapping, "rs6521");
    EXPECT_EQ(r.id_technique, "E123-2026");
    EXPECT_EQ(r.source_key, "numero=E123, session=2026");
    EXPECT_EQ(r.field, "certification");
    EXPECT_EQ(r.rule, rule);
    EXPECT_EQ(r.message, message);
    EXPECT_EQ(out.passage.certification, Certification{});       // none to file it under
    EXPECT_EQ(out.passage[Field::nomNaissance].text, "DUPONT");  // the rest is still mapped
    EXPECT_EQ(Validator(SchemaVersion::k115,
                        Date{std::chrono::year(2026), std::chrono::month(11), std::chrono::day(15)})
                  .Check(out),
              Verdict::kQuarantined);
  }
};

TEST_F(MapperTest, AConstantCertificationIsEveryPassages) {
  EXPECT_EQ(MapRow().passage.certification, (Certification{"RNCP", "RNCP35830"}));
}

TEST_F(CertificationFromColumnsTest, EachRowCarriesItsOwnCertification) {
  MappedRow out = MapCertification("Rncp", " rncp35830 ");
  EXPECT_TRUE(out.rejections.empty()) << out.rejections[0].message;
  EXPECT_EQ(out.passage.certification, (Certification{"RNCP", "RNCP35830"}));
  out = MapCertification("RS", "rs5875");
  EXPECT_TRUE(out.rejections.empty());
  EXPECT_EQ(out.passage.certification, (Certification{"RS", "RS5875"}));
  // Other types than RNCP and RS have codes of their own making.
  out = MapCertification("hab", "hab-2024-07");
  EXPECT_TRUE(out.rejections.empty());
  EXPECT_EQ(out.passage.certification, (Certification{"Habilitation", "HAB-2024-07"}));
}

TEST_F(CertificationFromColumnsTest, AMalformedCodeIsQuarantinedWithItsValueAndColumn) {
  ExpectRefused(MapCertification("rncp", "rncp3456x"), Rule::kCertification,
                "certification : code « RNCP3456X » mal formé, RNCP suivi de chiffres attendu "
                "(colonne code_certif)");
  // Digits alone: the register's prefix was lost.
  ExpectRefused(MapCertification("rs", "1710"), Rule::kCertification,
                "certification : code « 1710 » mal formé, RS suivi de chiffres attendu (RS1710 ?) "
                "(colonne code_certif)");
}

TEST_F(CertificationFromColumnsTest, ATypeThatContradictsItsCodeIsQuarantined) {
  ExpectRefused(MapCertification("rs", "RNCP34567"), Rule::kCertification,
                "certification : le type RS ne correspond pas au code RNCP34567 (colonnes "
                "type_certif, code_certif)");
  ExpectRefused(MapCertification("hab", "RS5875"), Rule::kCertification,
                "certification : le type Habilitation ne correspond pas au code RS5875 (colonnes "
                "type_certif, code_certif)");
}

TEST_F(CertificationFromColumnsTest, ATypeTheMapDoesNotListIsQuarantined) {
  ExpectRefused(MapCertification("XYZ", "RNCP34567"), Rule::kNotInMap,
                "certification : type « XYZ » absent de la table de correspondance (colonne "
                "type_certif)");
}

TEST_F(CertificationFromColumnsTest, AnUnknownTypeIsQuarantined) {
  mapping_ = LoadOrDie(WithCertification("{column: type_certif}", "{column: code_certif}"));
  ExpectRefused(MapCertification("XYZ", "RNCP34567"), Rule::kCertification,
                "certification : type « XYZ » inconnu de la CDC (RNCP, RS, Diplôme "
                "d'Etablissement, Diplôme Universitaire, Habilitation, Reconnaissance) (colonne "
                "type_certif)");
}

TEST_F(CertificationFromColumnsTest, NoTypeOrNoCodeIsQuarantined) {
  ExpectRefused(MapCertification("rncp", std::nullopt), Rule::kRequired,
                "certification : donnée obligatoire absente (colonne code_certif vide)");
  ExpectRefused(MapCertification(" ", ""), Rule::kRequired,
                "certification : donnée obligatoire absente (colonnes type_certif, code_certif "
                "vides)");
  ExpectRefused(MapCertification("autre", "RNCP34567"), Rule::kRequired,
                "certification : donnée obligatoire absente (la table de correspondance de la "
                "colonne type_certif ne donne pas de valeur)");
}

TEST_F(CertificationFromColumnsTest, AFreeCodeKeepsTheDictionarysLimits) {
  ExpectRefused(MapCertification("hab", std::string(101, 'h')), Rule::kLength,
                "certification.code : 101 caractères, 100 au plus (colonne code_certif)");
}

// A constant type: only the code's column is named.
TEST_F(CertificationFromColumnsTest, AConstantTypeWithACodeFromAColumn) {
  mapping_ = LoadOrDie(WithCertification("RS", "{column: code_certif}"));
  MappedRow out = MapCertification(std::nullopt, "RS6521");
  EXPECT_TRUE(out.rejections.empty());
  EXPECT_EQ(out.passage.certification, (Certification{"RS", "RS6521"}));
  ExpectRefused(MapCertification(std::nullopt, "RNCP34567"), Rule::kCertification,
                "certification : le type RS ne correspond pas au code RNCP34567 (colonne "
                "code_certif)");
}

TEST_F(CertificationFromColumnsTest, BindNamesTheCertificationsColumns) {
  auto mapper = Mapper::Bind(mapping_, source::Columns({"numero", "session"}));
  ASSERT_FALSE(mapper.has_value());
  EXPECT_THAT(mapper.error().message(),
              ::testing::HasSubstr("type_certif (mappings/rs6521.yaml:2:9), code_certif "
                                   "(mappings/rs6521.yaml:3:9)"));
}

// The row the cycle records as its passage's observation (MappedRow::Recorded): one with an
// idTechnique, whatever else it was refused for, unless an earlier row had that idTechnique.
TEST(MappedRowTest, RecordedUnlessUnidentifiedOrItsIdTechniqueRepeats) {
  auto refused = [](Rule rule) {
    Rejection r;
    r.rule = rule;
    return r;
  };
  MappedRow row;
  EXPECT_TRUE(row.Recorded());
  row.rejections.push_back(refused(Rule::kRequired));
  EXPECT_TRUE(row.Recorded());  // quarantined, still recorded
  row.rejections.push_back(refused(Rule::kRepeatedIdTechnique));
  EXPECT_FALSE(row.Recorded());
  MappedRow unidentified;
  unidentified.identified = false;
  EXPECT_FALSE(unidentified.Recorded());
}

}  // namespace
}  // namespace accrochd::mappings
