// Conditions on a row (mappings/condition.h) and what uses them: each test on NULL, blank,
// NFC and folded values; all / any; load errors at their line:col; the row rules skip_when,
// quarantine_when and require on Mapper::Map; choose; France's 99100 refused as a codeInsee
// and as a codePaysNaissance; and reasons naming each column once.
#include "mappings/condition.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/source_row.h"
#include "mappings/mapper.h"
#include "mappings/mapping.h"
#include "mappings/reasons.h"
#include "mappings/validator.h"
#include "tests/support/mapping_loading.h"

namespace accrochd::mappings {
namespace {

using ::testing::ElementsAre;
using State = FieldValue::State;

using Loaded = ::accrochd::testing::LoadedMapping;
using ::accrochd::testing::kMappingName;

std::string Base() { return ::accrochd::testing::BaseMapping(); }
Loaded Load(const std::string& text) { return ::accrochd::testing::LoadText(text); }

Mapping LoadOrDie(const std::string& text) {
  Loaded l = Load(text);
  EXPECT_TRUE(l.mapping.has_value());
  EXPECT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  return l.mapping.value_or(Mapping{});
}

void ExpectOnly(const std::string& text, const std::string& message, int line, int column) {
  ::accrochd::testing::ExpectOnlyDiagnostic(text, message, line, column);
}

// The one skip_when condition of a mapping made of Base() and `rule` (a flow mapping).
Condition LoadCondition(const std::string& rule) {
  Mapping m = LoadOrDie(Base() + "skip_when:\n  - " + rule + "\n");
  EXPECT_EQ(m.skip_when.size(), 1u);
  return m.skip_when.empty() ? Condition{} : m.skip_when[0].when;
}

// Whether the condition `rule` holds on a row of named values.
bool HoldsOn(const std::string& rule,
             const std::map<std::string, std::optional<std::string>>& row) {
  const Condition c = LoadCondition(rule);
  std::vector<std::string> names;
  std::vector<std::optional<std::string>> values;
  for (const auto& [name, value] : row) {
    names.push_back(name);
    values.push_back(value);
  }
  auto bound = BindCondition(c, [&](const std::string& column) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == column) return i;
    }
    ADD_FAILURE() << "no column " << column;
    return names.size();
  });
  return Holds(bound, values);
}

bool On(const std::string& rule, std::optional<std::string> value) {
  return HoldsOn(rule, {{"d", std::move(value)}});
}

// ---- Each test ----

TEST(ConditionTest, EmptyCountsNullAndBlankAlike) {
  EXPECT_TRUE(On("{column: d, empty: true}", std::nullopt));
  EXPECT_TRUE(On("{column: d, empty: true}", ""));
  EXPECT_TRUE(On("{column: d, empty: true}", " \t\u00a0"));
  EXPECT_FALSE(On("{column: d, empty: true}", "x"));
  EXPECT_FALSE(On("{column: d, empty: false}", std::nullopt));
  EXPECT_FALSE(On("{column: d, empty: false}", "  "));
  EXPECT_TRUE(On("{column: d, empty: false}", " x "));
}

TEST(ConditionTest, EqualsComparesTheTrimmedValueExactly) {
  EXPECT_TRUE(On("{column: d, equals: admis}", "admis"));
  EXPECT_TRUE(On("{column: d, equals: admis}", "  admis\t"));
  EXPECT_FALSE(On("{column: d, equals: admis}", "Admis"));
  EXPECT_FALSE(On("{column: d, equals: admis}", "admise"));
  EXPECT_TRUE(On("{column: d, not_equals: admis}", "Admis"));
  EXPECT_FALSE(On("{column: d, not_equals: admis}", "admis "));
}

TEST(ConditionTest, NoValueEqualsNothingAndIsInNoList) {
  // NULL and blank alike: the positive tests are false, their negations true.
  for (const std::optional<std::string>& none :
       {std::optional<std::string>(), std::optional<std::string>(" ")}) {
    EXPECT_FALSE(On("{column: d, equals: admis}", none));
    EXPECT_TRUE(On("{column: d, not_equals: admis}", none));
    EXPECT_FALSE(On("{column: d, in: [admis, ajourné]}", none));
    EXPECT_TRUE(On("{column: d, not_in: [admis, ajourné]}", none));
    EXPECT_FALSE(On("{column: d, matches: \".*\"}", none));
    EXPECT_TRUE(On("{column: d, not_matches: \".*\"}", none));
  }
}

TEST(ConditionTest, InAndNotIn) {
  const std::string in = "{column: d, in: [admis, \"admis avec mention\", 75001]}";
  EXPECT_TRUE(On(in, "admis"));
  EXPECT_TRUE(On(in, "admis avec mention"));
  EXPECT_TRUE(On(in, "75001"));
  EXPECT_FALSE(On(in, "admis  avec mention"));
  EXPECT_TRUE(On("{column: d, not_in: [France, FR]}", "Belgique"));
  EXPECT_FALSE(On("{column: d, not_in: [France, FR]}", "FR"));
}

TEST(ConditionTest, IgnoreCaseAndAccentsFoldAsMapsDo) {
  EXPECT_TRUE(On("{column: d, equals: ajourné, ignore_case: true}", "AJOURNÉ"));
  EXPECT_FALSE(On("{column: d, equals: ajourné, ignore_case: true}", "AJOURNE"));
  EXPECT_TRUE(On("{column: d, equals: ajourné, ignore_accents: true}", "ajourne"));
  EXPECT_FALSE(On("{column: d, equals: ajourné, ignore_accents: true}", "Ajourne"));
  EXPECT_TRUE(
      On("{column: d, in: [ajourné, absent], ignore_case: true, ignore_accents: true}", "AJOURNE"));
  EXPECT_FALSE(On("{column: d, not_in: [France], ignore_case: true}", "FRANCE"));
}

TEST(ConditionTest, ConstantsAndValuesCompareInNfc) {
  // The constant typed decomposed ("e" + U+0301) is put in NFC at load; the mapper gives the
  // row's values in NFC.
  const Condition c = LoadCondition("{column: d, equals: \"ajourne\u0301\"}");
  ASSERT_EQ(c.values.size(), 1u);
  EXPECT_EQ(c.values[0], "ajourné");
  EXPECT_TRUE(TestValue(c, std::string("ajourné")));
}

TEST(ConditionTest, MatchesTheWholeValue) {
  const std::string five = "{column: d, matches: \"[0-9]{5}\"}";
  EXPECT_TRUE(On(five, "75056"));
  EXPECT_TRUE(On(five, " 75056 "));  // trimmed
  EXPECT_FALSE(On(five, "750561"));
  EXPECT_FALSE(On(five, "2A004"));
  EXPECT_TRUE(On("{column: d, not_matches: \"[0-9]{5}\"}", "2A004"));
  EXPECT_TRUE(On("{column: d, matches: \"99[0-9]{3}\"}", "99100"));
}

TEST(ConditionTest, LongValuesNeverMatch) {
  const Condition c = LoadCondition("{column: d, matches: \"a*\"}");
  EXPECT_TRUE(TestValue(c, std::string(kPatternMaxValueLength, 'a')));
  EXPECT_FALSE(TestValue(c, std::string(kPatternMaxValueLength + 1, 'a')));
  const Condition n = LoadCondition("{column: d, not_matches: \"a*\"}");
  EXPECT_TRUE(TestValue(n, std::string(kPatternMaxValueLength + 1, 'a')));
}

TEST(ConditionTest, AllAndAnyNest) {
  const std::string foreign =
      "{all: [{column: pays, empty: false}, {column: pays, not_in: [France, FR]}]}";
  EXPECT_TRUE(HoldsOn(foreign, {{"pays", "Maroc"}}));
  EXPECT_FALSE(HoldsOn(foreign, {{"pays", "France"}}));
  EXPECT_FALSE(HoldsOn(foreign, {{"pays", std::nullopt}}));
  const std::string nested =
      "{any: [{column: a, equals: x}, {all: [{column: b, empty: false}, {column: c, empty: "
      "true}]}]}";
  EXPECT_TRUE(HoldsOn(nested, {{"a", "x"}, {"b", std::nullopt}, {"c", "1"}}));
  EXPECT_TRUE(HoldsOn(nested, {{"a", "y"}, {"b", "1"}, {"c", ""}}));
  EXPECT_FALSE(HoldsOn(nested, {{"a", "y"}, {"b", "1"}, {"c", "1"}}));
}

TEST(ConditionTest, DescribeCondition) {
  EXPECT_EQ(DescribeCondition(LoadCondition("{column: decision, in: [ajourné, absent]}")),
            "decision in [ajourné, absent]");
  EXPECT_EQ(DescribeCondition(LoadCondition(
                "{all: [{column: pays, empty: false}, {column: pays, not_equals: France}]}")),
            "all(pays not empty, pays != France)");
  EXPECT_EQ(DescribeCondition(LoadCondition("{column: c, matches: \"[0-9]{5}\"}"), 10),
            "c matches ...");
}

TEST(ConditionTest, ColumnsOnceInOrderOfFirstUse) {
  std::vector<std::string> columns;
  AddConditionColumns(LoadCondition("{any: [{column: b, empty: true}, {all: [{column: a, equals: "
                                    "x}, {column: b, equals: y}]}]}"),
                      columns);
  EXPECT_THAT(columns, ElementsAre("b", "a"));
}

// ---- Load errors ----

TEST(ConditionLoadTest, TwoTestsInOneCondition) {
  ExpectOnly(Base() + "skip_when:\n  - {column: d, equals: a, in: [b]}\n",
             "skip_when: give one test per condition, here equals and in; combine conditions "
             "with all: [...] or any: [...]",
             24, 5);
}

TEST(ConditionLoadTest, NoTest) {
  ExpectOnly(Base() + "skip_when:\n  - {column: d}\n",
             "skip_when: give one test: empty, equals, not_equals, in, not_in, matches or "
             "not_matches (with column), or all / any",
             24, 5);
}

TEST(ConditionLoadTest, UnknownKeyWithSuggestion) {
  ExpectOnly(Base() + "skip_when:\n  - {column: d, equals: a, ignore_cas: true}\n",
             "unknown key \"skip_when.ignore_cas\"; did you mean \"ignore_case\"?", 24, 28);
}

TEST(ConditionLoadTest, MissingColumn) {
  ExpectOnly(Base() + "quarantine_when:\n  - when: {equals: a}\n    reason: r\n",
             "quarantine_when.when: missing required key \"column\"", 24, 11);
}

TEST(ConditionLoadTest, InvalidRegexAtItsPosition) {
  ExpectOnly(Base() + "skip_when:\n  - {column: d, matches: \"[0-9\"}\n",
             "skip_when.matches: \"[0-9\": not a regular expression (ECMAScript): "
             "Unexpected character within '[...]' in regular expression",
             24, 26);
}

TEST(ConditionLoadTest, RegexTooLong) {
  ExpectOnly(Base() + "skip_when:\n  - {column: d, matches: \"" + std::string(1001, 'a') + "\"}\n",
             "skip_when.matches: \"" + std::string(40, 'a') +
                 "\"... (1001 characters): 1001 characters, 1000 at most",
             24, 26);
}

TEST(ConditionLoadTest, EmptyListsAndValues) {
  ExpectOnly(Base() + "skip_when:\n  - {column: d, in: []}\n",
             "skip_when.in: expected a list of one value or more", 24, 21);
  ExpectOnly(Base() + "skip_when:\n  - {column: d, equals: \"\"}\n",
             "skip_when.equals: an empty value is never equal to a value; to test for no value, "
             "use empty: true",
             24, 25);
  ExpectOnly(Base() + "skip_when:\n  - {all: []}\n",
             "skip_when.all: expected a list of one condition or more", 24, 11);
}

TEST(ConditionLoadTest, IgnoreCaseOnlyWithComparisons) {
  ExpectOnly(Base() + "skip_when:\n  - {column: d, empty: true, ignore_case: true}\n",
             "skip_when.ignore_case: only applies with equals, not_equals, in and not_in", 24, 43);
}

TEST(ConditionLoadTest, ColumnBesideAll) {
  ExpectOnly(Base() + "skip_when:\n  - {column: d, all: [{column: d, empty: true}]}\n",
             "skip_when.column: goes inside the conditions of all, not beside it", 24, 14);
}

TEST(ConditionLoadTest, NestedErrorAtItsPosition) {
  ExpectOnly(Base() + "skip_when:\n  - {any: [{column: d, empty: true}, {column: e, empty: x}]}\n",
             "skip_when.any.empty: expected true or false, found \"x\"", 24, 57);
}

TEST(ConditionLoadTest, TooDeep) {
  std::string deep = "{column: d, empty: true}";
  for (int i = 0; i < kMaxConditionDepth; ++i) deep = "{all: [" + deep + "]}";
  Loaded l = Load(Base() + "skip_when:\n  - " + deep + "\n");
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  EXPECT_THAT(l.diagnostics[0].message, ::testing::HasSubstr("conditions nest 8 deep at most"));
}

TEST(ConditionLoadTest, RowRuleNeedsWhenAndReason) {
  ExpectOnly(Base() + "require:\n  - when: {column: email, empty: false}\n",
             "require: missing required key \"reason\"", 24, 5);
  ExpectOnly(Base() + "quarantine_when:\n  - reason: r\n",
             "quarantine_when: missing required key \"when\"", 24, 5);
  Loaded l = Load(Base() + "quarantine_when:\n  - {column: email, empty: true}\n");
  ASSERT_EQ(l.diagnostics.size(), 2u) << FormatDiagnostics(l.diagnostics);
  EXPECT_EQ(l.diagnostics[0].message,
            "quarantine_when: write the condition under when, beside the reason (- when: "
            "{column: ..., ...} then reason: ...)");
  EXPECT_EQ(l.diagnostics[1].message, "quarantine_when: missing required key \"reason\"");
}

TEST(ConditionLoadTest, RowRuleReasonLength) {
  ExpectOnly(Base() + "require:\n  - when: {column: email, empty: false}\n    reason: \"" +
                 std::string(201, 'x') + "\"\n",
             "require.reason: 1 to 200 characters, found 201", 25, 13);
}

TEST(ConditionLoadTest, RowRulesAreLists) {
  ExpectOnly(Base() + "skip_when: {column: d, empty: true}\n",
             "skip_when: expected a list of rules", 23, 12);
}

TEST(ConditionLoadTest, SkipLabelDefaultsToTheCondition) {
  Mapping m = LoadOrDie(Base() +
                        "skip_when:\n"
                        "  - {column: decision, in: [ajourné, absent], label: \"non admis\"}\n"
                        "  - {column: decision, equals: \"en attente\"}\n");
  ASSERT_EQ(m.skip_when.size(), 2u);
  EXPECT_EQ(m.skip_when[0].label, "non admis");
  EXPECT_EQ(m.skip_when[1].label, "decision = en attente");
  EXPECT_EQ(m.skip_when[0].location.line, 24);
}

// ---- choose: load errors ----

TEST(ChooseLoadTest, EmptyList) {
  ExpectOnly(Base() + "  codeInsee: {choose: []}\n",
             "fields.codeInsee.choose: expected a list of branches, each a condition (when) and a "
             "source",
             23, 23);
}

TEST(ChooseLoadTest, OtherwiseBranchNotLast) {
  ExpectOnly(Base() +
                 "  codeInsee:\n"
                 "    choose:\n"
                 "      - insee\n"
                 "      - {when: {column: pays, empty: false}, column: code_pays}\n",
             "fields.codeInsee.choose: a branch without when (the otherwise branch) must be the "
             "last",
             25, 9);
}

TEST(ChooseLoadTest, BranchWithoutOrWithTwoSources) {
  ExpectOnly(Base() + "  codeInsee: {choose: [{when: {column: pays, empty: false}}]}\n",
             "fields.codeInsee.choose: a branch gives one source: column, constant, template or "
             "coalesce",
             23, 24);
  ExpectOnly(Base() +
                 "  codeInsee: {choose: [{when: {column: p, empty: false}, column: a, "
                 "constant: \"75056\"}]}\n",
             "fields.codeInsee.choose: a branch gives only one of column, constant, template and "
             "coalesce",
             23, 24);
}

TEST(ChooseLoadTest, ChooseBesideAnotherSource) {
  ExpectOnly(Base() + "  codeInsee: {column: insee, choose: [insee]}\n",
             "fields.codeInsee: give only one of column, constant, template, coalesce and choose",
             23, 14);
}

TEST(ChooseLoadTest, BranchConstantsAreCheckedAgainstTheField) {
  ExpectOnly(Base() +
                 "  codeInsee: {choose: [{when: {column: p, empty: false}, constant: \"7505\"}, "
                 "insee]}\n",
             "fields.codeInsee.choose.constant: \"7505\" has 4 characters; codeInsee has exactly "
             "5",
             23, 68);
}

TEST(ChooseLoadTest, UnknownKeyInABranch) {
  Loaded l =
      Load(Base() + "  codeInsee: {choose: [{when: {column: p, empty: false}, colum: a}, b]}\n");
  ASSERT_EQ(l.diagnostics.size(), 2u) << FormatDiagnostics(l.diagnostics);
  EXPECT_EQ(l.diagnostics[0].message,
            "fields.codeInsee.choose: a branch gives one source: column, constant, template or "
            "coalesce");
  EXPECT_EQ(l.diagnostics[1].message,
            "unknown key \"fields.codeInsee.choose.colum\"; did you mean \"column\"?");
  EXPECT_EQ(l.diagnostics[1].location.column, 58);
}

// ---- Mapping rows ----

class RowRulesTest : public ::testing::Test {
 protected:
  MappedRow MapRow(const Mapping& mapping, std::uint64_t row_number = 1) {
    std::vector<std::string> names = ReferencedColumns(mapping);
    source::SourceRow row;
    for (const std::string& name : names) {
      auto it = row_.find(name);
      row.values.push_back(it == row_.end() ? std::nullopt : it->second);
    }
    auto mapper = Mapper::Bind(mapping, source::Columns(names));
    EXPECT_TRUE(mapper.has_value()) << mapper.error().message();
    if (!mapper) return MappedRow{};
    return mapper->Map(row, row_number);
  }

  std::map<std::string, std::optional<std::string>> row_ = {{"id", "17"}};
};

const std::string kRowRules =
    "skip_when:\n"
    "  - {column: decision, in: [ajourné, absent, \"en attente\"], label: \"non admis\"}\n"
    "quarantine_when:\n"
    "  - when: {column: decision, not_in: [admis, ajourné, absent, \"en attente\"]}\n"
    "    reason: \"décision du jury inconnue\"\n"
    "require:\n"
    "  - when: {all: [{column: email, empty: false}, {column: email, matches: \".+@.+\"}]}\n"
    "    reason: \"adresse électronique absente\"\n";

TEST_F(RowRulesTest, ReferencedColumnsAndBindNameTheConditionsColumns) {
  Mapping m = LoadOrDie(Base() + kRowRules);
  EXPECT_THAT(ReferencedColumns(m), ElementsAre("id", "decision", "email"));
  auto mapper = Mapper::Bind(m, source::Columns({"id"}));
  ASSERT_FALSE(mapper.has_value());
  EXPECT_EQ(mapper.error().message(),
            "mapping \"rs6521\" reads column(s) decision (mappings/rs6521.yaml:24:5), email "
            "(mappings/rs6521.yaml:29:18), which the query does not return (it returns: id)");
}

TEST_F(RowRulesTest, SkippedBeforeTheKeyAndNothingElse) {
  Mapping m = LoadOrDie(Base() + kRowRules);
  row_ = {{"id", std::nullopt}, {"decision", "ajourné"}, {"email", std::nullopt}};
  MappedRow out = MapRow(m, 3);
  EXPECT_EQ(out.skipped, 0u);
  EXPECT_TRUE(out.rejections.empty());  // no key, no email: not for the CDC anyway
  EXPECT_EQ(out.passage.id_technique, "");
}

TEST_F(RowRulesTest, QuarantineWhenAndRequireGiveTheMappingsReasonAndColumns) {
  Mapping m = LoadOrDie(Base() + kRowRules);
  row_ = {{"id", "17"}, {"decision", "Admis (sous réserve)"}, {"email", "  "}};
  MappedRow out = MapRow(m);
  EXPECT_EQ(out.skipped, std::nullopt);
  ASSERT_EQ(out.rejections.size(), 2u);
  const Rejection& q = out.rejections[0];
  EXPECT_EQ(q.id_technique, "17");
  EXPECT_EQ(q.field, "");
  EXPECT_EQ(q.rule, Rule::kMappingRule);
  // The value itself is never shown.
  EXPECT_EQ(q.message, "règle du mapping : décision du jury inconnue (colonne decision)");
  EXPECT_EQ(out.rejections[1].message,
            "règle du mapping : adresse électronique absente (colonne email)");
  // The fields are still mapped: one pass gives every problem.
  EXPECT_EQ(out.passage[Field::nomNaissance].text, "DUPONT");
  Validator v(SchemaVersion::k115,
              Date{std::chrono::year(2026), std::chrono::March, std::chrono::day(1)});
  EXPECT_EQ(v.Check(out), Verdict::kQuarantined);
}

TEST_F(RowRulesTest, ARowThatPassesTheRules) {
  Mapping m = LoadOrDie(Base() + kRowRules);
  row_ = {{"id", "17"}, {"decision", "admis"}, {"email", "a@b.fr"}};
  MappedRow out = MapRow(m);
  EXPECT_EQ(out.skipped, std::nullopt);
  EXPECT_TRUE(out.rejections.empty());
  // A missing key is still reported for a row not skipped, with the rules' reasons.
  row_ = {{"id", std::nullopt}, {"decision", "refusé"}, {"email", "a@b.fr"}};
  out = MapRow(m, 4);
  ASSERT_EQ(out.rejections.size(), 2u);
  EXPECT_EQ(out.rejections[0].rule, Rule::kMissingKey);
  EXPECT_EQ(out.rejections[1].id_technique, "ligne 4");
  EXPECT_EQ(out.rejections[1].rule, Rule::kMappingRule);
}

TEST_F(RowRulesTest, ReasonWithBracesIsKeptAsWritten) {
  Mapping m = LoadOrDie(Base() +
                        "require:\n"
                        "  - when: {all: [{column: a, empty: false}, {column: b, empty: false}]}\n"
                        "    reason: \"{colonne} et {raison} manquent\"\n");
  row_ = {{"id", "1"}, {"a", std::nullopt}, {"b", std::nullopt}};
  MappedRow out = MapRow(m);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].message,
            "règle du mapping : {colonne} et {raison} manquent (colonnes a, b)");
}

const std::string kBirthplace =
    "  codeInsee:\n"
    "    choose:\n"
    "      - when: {column: insee, empty: false}\n"
    "        column: insee\n"
    "      - when: {all: [{column: pays, empty: false}, {column: pays, not_in: [France, FRANCE, "
    "FR]}]}\n"
    "        column: code_pays_insee\n"
    "      - {when: {column: ville, equals: Paris, ignore_case: true}, constant: \"75056\"}\n"
    "    fold_spaces: true\n";

// codeInsee chosen among three branches, codePostal from its own column.
Mapping Birthplace() {
  std::string text = Base();
  text.replace(text.find("  codePostal: nil\n"), 18, "  codePostal: {column: cp}\n");
  return LoadOrDie(text + kBirthplace);
}

TEST_F(RowRulesTest, ChooseTakesTheFirstBranchThatHolds) {
  Mapping m = Birthplace();
  EXPECT_THAT(ReferencedColumns(m),
              ElementsAre("id", "insee", "pays", "code_pays_insee", "ville", "cp"));
  row_ = {{"id", "1"}, {"insee", " 75 056 "}, {"pays", "Maroc"}, {"code_pays_insee", "99350"}};
  MappedRow out = MapRow(m);
  // The field's own steps apply to the value chosen (fold_spaces, then trim).
  EXPECT_EQ(out.passage[Field::codeInsee].text, "75 056");
  EXPECT_EQ(out.Choice(Field::codeInsee), 0);

  row_ = {{"id", "1"}, {"insee", ""}, {"pays", "Maroc"}, {"code_pays_insee", "99350"}};
  out = MapRow(m);
  EXPECT_EQ(out.passage[Field::codeInsee].text, "99350");
  EXPECT_EQ(out.Choice(Field::codeInsee), 1);

  row_ = {{"id", "1"}, {"pays", "FRANCE"}, {"ville", "PARIS"}, {"code_pays_insee", "99350"}};
  out = MapRow(m);
  EXPECT_EQ(out.passage[Field::codeInsee].text, "75056");
  EXPECT_EQ(out.Choice(Field::codeInsee), 2);

  row_ = {{"id", "1"}, {"pays", "France"}, {"ville", "Lyon"}, {"cp", "69001"}};
  out = MapRow(m);
  EXPECT_EQ(out.passage[Field::codeInsee].state, State::kAbsent);  // no branch held: no value
  EXPECT_EQ(out.Choice(Field::codeInsee), kNoBranchHeld);
  EXPECT_EQ(out.passage[Field::codePostal].text, "69001");
  EXPECT_EQ(out.Choice(Field::codePostal), kEveryBranch);  // not a choose
}

// Base() with the line of `field` replaced by `lines`.
std::string WithField(const std::string& field, const std::string& lines) {
  std::string text = Base();
  const std::size_t at = text.find("  " + field + ": ");
  EXPECT_NE(at, std::string::npos) << field;
  text.replace(at, text.find('\n', at) + 1 - at, lines);
  return text;
}

TEST_F(RowRulesTest, ChooseOtherwiseNilAndTemplate) {
  Mapping m =
      LoadOrDie(WithField("nomUsage",
                          "  nomUsage:\n"
                          "    choose:\n"
                          "      - {when: {column: u, equals: aucun}, constant: nil}\n"
                          "      - {when: {column: p, empty: false}, template: \"{u}-{p}\"}\n"
                          "      - u\n"
                          "    case: upper\n"));
  row_ = {{"id", "1"}, {"u", "aucun"}, {"p", "x"}};
  EXPECT_EQ(MapRow(m).passage[Field::nomUsage].state, State::kNil);
  row_ = {{"id", "1"}, {"u", "martin"}, {"p", "durand"}};
  EXPECT_EQ(MapRow(m).passage[Field::nomUsage].text, "MARTIN-DURAND");
  row_ = {{"id", "1"}, {"u", "martin"}};
  EXPECT_EQ(MapRow(m).passage[Field::nomUsage].text, "MARTIN");
  row_ = {{"id", "1"}};
  EXPECT_EQ(MapRow(m).passage[Field::nomUsage].state, State::kAbsent);  // otherwise: NULL
}

TEST_F(RowRulesTest, ChooseThenMapAndStepsAreNotBranchKeys) {
  Mapping m = LoadOrDie(WithField("mentionValidee",
                                  "  mentionValidee:\n"
                                  "    choose:\n"
                                  "      - {when: {column: jury, empty: false}, column: jury}\n"
                                  "      - mention\n"
                                  "    map: {TB: MENTION_TRES_BIEN, B: MENTION_BIEN}\n"
                                  "    default: nil\n"));
  row_ = {{"id", "1"}, {"jury", " "}, {"mention", "B"}};
  EXPECT_EQ(MapRow(m).passage[Field::mentionValidee].text, "MENTION_BIEN");
  row_ = {{"id", "1"}, {"jury", "TB"}, {"mention", "B"}};
  EXPECT_EQ(MapRow(m).passage[Field::mentionValidee].text, "MENTION_TRES_BIEN");
  Loaded l = Load(WithField("mentionValidee",
                            "  mentionValidee: {choose: [{when: {column: m, empty: false}, "
                            "column: m, map: {TB: MENTION_TRES_BIEN}}, nil]}\n"));
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  EXPECT_EQ(l.diagnostics[0].message,
            "unknown key \"fields.mentionValidee.choose.map\"; known keys here: coalesce, "
            "column, constant, template, when");
}

// ---- Reasons name each column once ----

TEST(RuleColumnsTest, EachColumnOnceInOrderOfFirstUse) {
  FieldRule t;
  t.source = SourceKind::kTemplate;
  t.template_parts = {{true, "nom"}, {false, " "}, {true, "nom"}, {false, " "}, {true, "prenom"}};
  EXPECT_EQ(RuleColumns(t), "nom, prenom");
  FieldRule c;
  c.source = SourceKind::kCoalesce;
  c.coalesce = {"a", "b", "a"};
  EXPECT_EQ(RuleColumns(c), "a, b");
  FieldRule k;
  k.source = SourceKind::kConstant;
  EXPECT_EQ(RuleColumns(k), "");
}

TEST(RuleColumnsTest, ChooseNamesTheBranchThatGaveTheValue) {
  Mapping m = Birthplace();
  const FieldRule& rule = *m.rule(Field::codeInsee);
  EXPECT_EQ(RuleColumns(rule, 0), "insee");
  EXPECT_EQ(RuleColumns(rule, 1), "code_pays_insee");
  EXPECT_EQ(RuleColumns(rule, 2), "ville");  // a constant: the columns of its condition
  EXPECT_EQ(RuleColumns(rule, kNoBranchHeld), "insee, pays, ville");
  EXPECT_EQ(RuleColumns(rule), "insee, pays, code_pays_insee, ville");
}

TEST(RuleColumnsTest, ReasonsWithSeveralColumnsAgree) {
  EXPECT_EQ(ReasonRequired(Spec(Field::prenom1), "prenom_usuel, prenom_civil"),
            "prenom1 (8.3) : donnée obligatoire absente (colonnes prenom_usuel, prenom_civil "
            "vides)");
  EXPECT_EQ(ReasonRequired(Spec(Field::prenom1), "prenoms"),
            "prenom1 (8.3) : donnée obligatoire absente (colonne prenoms vide)");
  EXPECT_EQ(ReasonNotInMap(Spec(Field::sexe), "civ, genre", "Dr"),
            "sexe : valeur absente de la table de correspondance (colonnes civ, genre)");
}

// ---- 99100 ----

class FranceCodeTest : public RowRulesTest {
 protected:
  MappedRow Checked(const Mapping& m) {
    MappedRow out = MapRow(m);
    Validator v(SchemaVersion::k115,
                Date{std::chrono::year(2026), std::chrono::March, std::chrono::day(1)});
    v.Check(out);
    return out;
  }
};

TEST_F(FranceCodeTest, CoalesceFallingBackOnFranceIsRefused) {
  Mapping m = LoadOrDie(Base() + "  codeInsee: {coalesce: [insee, code_pays]}\n");
  row_ = {{"id", "1"}, {"insee", ""}, {"code_pays", "99100"}};
  MappedRow out = Checked(m);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].field, "codeInsee");
  EXPECT_EQ(out.rejections[0].rule, Rule::kBirthplaceFrance);
  EXPECT_EQ(out.rejections[0].message,
            "codeInsee : 99100 est le code de la France, pas d'une commune ; pour une personne "
            "née en France, indiquer le code INSEE de sa commune de naissance (colonnes insee, "
            "code_pays)");
  // Not derived into codePaysNaissance either.
  EXPECT_EQ(out.passage[Field::codePaysNaissance].state, State::kAbsent);
}

TEST_F(FranceCodeTest, ChooseNamesTheBranchColumn) {
  Mapping m = Birthplace();
  row_ = {{"id", "1"}, {"pays", "Algérie"}, {"code_pays_insee", "99100"}};
  MappedRow out = Checked(m);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_THAT(out.rejections[0].message, ::testing::EndsWith("(colonne code_pays_insee)"));
}

TEST_F(FranceCodeTest, ForeignCodesStillPassAndGiveTheirCountry) {
  Mapping m = LoadOrDie(Base() + "  codeInsee: {coalesce: [insee, code_pays]}\n");
  row_ = {{"id", "1"}, {"code_pays", "99350"}};
  MappedRow out = Checked(m);
  EXPECT_TRUE(out.rejections.empty());
  EXPECT_EQ(out.passage[Field::codePaysNaissance].text, "350");
}

TEST_F(FranceCodeTest, CodePaysNaissanceOfFranceIsRefused) {
  Mapping m = LoadOrDie(Base() + "  codeInsee: insee\n  codePaysNaissance: pays\n");
  for (const char* france : {"100", "99100"}) {
    row_ = {{"id", "1"}, {"insee", "75056"}, {"pays", france}};
    MappedRow out = Checked(m);
    ASSERT_EQ(out.rejections.size(), 1u) << france;
    EXPECT_EQ(out.rejections[0].field, "codePaysNaissance");
    EXPECT_EQ(out.rejections[0].rule, Rule::kBirthplaceFrance);
    EXPECT_EQ(out.rejections[0].message,
              "codePaysNaissance : la valeur désigne la France (100, 99100) ; codePaysNaissance "
              "ne s'envoie que pour les personnes nées à l'étranger, avec le code 99XXX de leur "
              "pays dans codeInsee (colonne pays)");
  }
}

}  // namespace
}  // namespace accrochd::mappings
