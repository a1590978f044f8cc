// The rules one value must follow to be written in a dictionary field: CheckValue per type and
// facet, CanonicalValue, ParseResultats, the administrator's descriptions, and the rule names.
#include "mappings/value_rules.h"

#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mappings/dictionary.h"

namespace accrochd::mappings {
namespace {

using ::testing::ElementsAre;

// The rule `value` breaks in `field`, or nullopt when it is valid.
std::optional<Rule> RuleFor(Field field, std::string_view value) {
  auto v = CheckValue(Spec(field), value);
  if (!v) return std::nullopt;
  return v->rule;
}

std::string Repeat(std::string_view piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

// ---- Strings: lengths in characters ----

TEST(CheckValueTest, LengthsCountCharactersNotBytes) {
  // 58 accented letters (2 bytes each), an emoji (4 bytes) and an ASCII letter: 60 characters,
  // 121 bytes.
  const std::string sixty = Repeat("é", 58) + "😀" + "A";
  ASSERT_EQ(sixty.size(), 121u);
  EXPECT_EQ(CheckValue(Spec(Field::nomNaissance), sixty), std::nullopt);
  auto v = CheckValue(Spec(Field::nomNaissance), sixty + "Ç");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->rule, Rule::kLength);
  EXPECT_EQ(v->length, 61u);
}

TEST(CheckValueTest, EmptyStringIsTooShort) {
  auto v = CheckValue(Spec(Field::prenom1), "");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->rule, Rule::kLength);
  EXPECT_EQ(v->length, 0u);
}

TEST(CheckValueTest, MaximumLengthsOfTheDictionary) {
  EXPECT_EQ(RuleFor(Field::libelleOption, std::string(255, 'x')), std::nullopt);
  EXPECT_EQ(RuleFor(Field::libelleOption, std::string(256, 'x')), Rule::kLength);
  EXPECT_EQ(RuleFor(Field::codePostalCentreExamen, "123456789"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::codePostalCentreExamen, "1234567890"), Rule::kLength);
  EXPECT_EQ(RuleFor(Field::nomTitulaire, std::string(30, 'x')), std::nullopt);
  EXPECT_EQ(RuleFor(Field::nomTitulaire, std::string(31, 'x')), Rule::kLength);
  EXPECT_EQ(RuleFor(Field::prenom1Titulaire, std::string(20, 'x')), std::nullopt);
  EXPECT_EQ(RuleFor(Field::prenom1Titulaire, std::string(21, 'x')), Rule::kLength);
  EXPECT_EQ(RuleFor(Field::idDossier, "1234567890123"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::idDossier, "12345678901234"), Rule::kLength);
}

TEST(CheckValueTest, CodeInseeHasExactlyFiveCharacters) {
  EXPECT_EQ(RuleFor(Field::codeInsee, "75056"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::codeInsee, "2A004"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::codeInsee, "99134"), std::nullopt);
  auto short_code = CheckValue(Spec(Field::codeInsee), "7505");
  ASSERT_TRUE(short_code.has_value());
  EXPECT_EQ(short_code->rule, Rule::kLength);
  EXPECT_EQ(short_code->length, 4u);
  auto long_code = CheckValue(Spec(Field::codeInsee), "750561");
  ASSERT_TRUE(long_code.has_value());
  EXPECT_EQ(long_code->length, 6u);
}

TEST(CheckValueTest, CodePaysNaissanceHasExactlyThreeCharacters) {
  EXPECT_EQ(RuleFor(Field::codePaysNaissance, "134"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::codePaysNaissance, "13"), Rule::kLength);
  EXPECT_EQ(RuleFor(Field::codePaysNaissance, "1340"), Rule::kLength);
}

// ---- Enumerations ----

TEST(CheckValueTest, EnumerationsAreExactAndCaseSensitive) {
  EXPECT_EQ(RuleFor(Field::sexe, "M"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::sexe, "F"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::sexe, "m"), Rule::kEnumeration);
  EXPECT_EQ(RuleFor(Field::sexe, " M"), Rule::kEnumeration);  // the XSD does not trim
  EXPECT_EQ(RuleFor(Field::sexe, "H"), Rule::kEnumeration);
  EXPECT_EQ(RuleFor(Field::sexe, ""), Rule::kEnumeration);
  EXPECT_EQ(RuleFor(Field::obtentionCertification, "PAR_SCORING"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::mentionValidee, "MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY"),
            std::nullopt);
  EXPECT_EQ(RuleFor(Field::modaliteAcces, "EQUIVALENCE_DIPLOME_ETRANGER"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::modaliteAcces, "EQUIVALENCE_(DIPLOME_ETRANGER)"), Rule::kEnumeration);
  EXPECT_EQ(RuleFor(Field::niveauLangueEuropeen, "INSUFFISANT"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::voieAccessVAE, "CONGES_VAE"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::initiativeInscription, "POLE_EMPLOI"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::initiativeInscription, "FRANCE_TRAVAIL"), Rule::kEnumeration);
}

TEST(DictionaryTest, NatureDeposantUsesTheXsdSpelling) {
  auto nature = NatureDeposantValues();
  EXPECT_THAT(std::vector<std::string_view>(nature.begin(), nature.end()),
              ElementsAre("CERTIFICATEUR", "TIERS_CONFIANCE"));
  auto action = ActionValues();
  EXPECT_THAT(std::vector<std::string_view>(action.begin(), action.end()),
              ElementsAre("CREATION", "SUPPRESSION"));
}

// ---- xsd:int ----

TEST(CheckValueTest, IntegersAsXsdIntReadsThem) {
  EXPECT_EQ(RuleFor(Field::moisNaissance, "5"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "+5"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "05"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "5.0"), Rule::kInteger);
  EXPECT_EQ(RuleFor(Field::moisNaissance, ""), Rule::kInteger);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "+"), Rule::kInteger);
  EXPECT_EQ(RuleFor(Field::moisNaissance, " 5"), Rule::kInteger);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "5 "), Rule::kInteger);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "mai"), Rule::kInteger);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "0x5"), Rule::kInteger);
}

TEST(CheckValueTest, IntegerRanges) {
  EXPECT_EQ(RuleFor(Field::moisNaissance, "1"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "12"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "0"), Rule::kRange);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "13"), Rule::kRange);
  EXPECT_EQ(RuleFor(Field::moisNaissance, "-1"), Rule::kRange);
  EXPECT_EQ(RuleFor(Field::jourNaissance, "31"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::jourNaissance, "32"), Rule::kRange);
  EXPECT_EQ(RuleFor(Field::anneeNaissance, "1900"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::anneeNaissance, "2099"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::anneeNaissance, "1899"), Rule::kRange);
  EXPECT_EQ(RuleFor(Field::anneeNaissance, "2100"), Rule::kRange);
  EXPECT_EQ(RuleFor(Field::scoreGeneral, "1"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::scoreGeneral, "1000"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::scoreGeneral, "1001"), Rule::kRange);
}

TEST(CheckValueTest, PlusMinusIsNotAWholeNumber) {
  EXPECT_EQ(RuleFor(Field::moisNaissance, "+-5"), Rule::kInteger);
  EXPECT_EQ(CanonicalValue(Spec(Field::moisNaissance), "+-5"), "+-5");
}

// ---- Dates ----

TEST(CheckValueTest, DatesAreRealDaysWrittenYyyyMmDd) {
  EXPECT_EQ(RuleFor(Field::dateDebutValidite, "2026-01-15"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::dateDebutValidite, "2024-02-29"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::dateDebutValidite, "2023-02-29"), Rule::kCalendarDate);
  EXPECT_EQ(RuleFor(Field::dateDebutValidite, "2024-02-30"), Rule::kCalendarDate);
  EXPECT_EQ(RuleFor(Field::dateDebutValidite, "2024-13-01"), Rule::kCalendarDate);
  EXPECT_EQ(RuleFor(Field::dateDebutValidite, "2024-00-10"), Rule::kCalendarDate);
  EXPECT_EQ(RuleFor(Field::dateDebutValidite, "2024-04-31"), Rule::kCalendarDate);
}

TEST(CheckValueTest, DatesWithinTheYears1900To2099) {
  EXPECT_EQ(RuleFor(Field::dateFinValidite, "1900-01-01"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::dateFinValidite, "2099-12-31"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::dateFinValidite, "1899-12-31"), Rule::kYearRange);
  EXPECT_EQ(RuleFor(Field::dateFinValidite, "2100-01-01"), Rule::kYearRange);
}

TEST(CheckValueTest, DateFormat) {
  for (const char* text :
       {"2024-2-29", "2024/02/29", "29/02/2024", "2024-02-29Z", "2024-02-29+01:00",
        "2024-02-29 00:00:00", "", "20240229", "2024-02-2a", "+2024-02-2"}) {
    EXPECT_EQ(RuleFor(Field::dateDebutExamen, text), Rule::kDateFormat) << text;
  }
}

// ---- Booleans ----

TEST(CheckValueTest, Booleans) {
  for (const char* text : {"true", "false", "1", "0"}) {
    EXPECT_EQ(RuleFor(Field::donneeCertifiee, text), std::nullopt) << text;
  }
  for (const char* text : {"oui", "non", "TRUE", "True", "yes", "", " true", "2"}) {
    EXPECT_EQ(RuleFor(Field::donneeCertifiee, text), Rule::kBoolean) << text;
  }
}

// ---- NIR ----

TEST(CheckValueTest, NirPattern) {
  EXPECT_EQ(RuleFor(Field::nir, "1870575123456"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::nir, "2870599123456"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::nir, "185072A123456"), std::nullopt);  // Corse-du-Sud
  EXPECT_EQ(RuleFor(Field::nir, "185072b123456"), std::nullopt);  // Haute-Corse, lower case
  EXPECT_EQ(RuleFor(Field::nir, "185072B123456"), std::nullopt);
}

TEST(CheckValueTest, NirRefused) {
  EXPECT_EQ(RuleFor(Field::nir, "3870575123456"), Rule::kNirPattern);   // sex digit 3
  EXPECT_EQ(RuleFor(Field::nir, "0870575123456"), Rule::kNirPattern);   // sex digit 0
  EXPECT_EQ(RuleFor(Field::nir, "187057512345"), Rule::kNirPattern);    // 12 characters
  EXPECT_EQ(RuleFor(Field::nir, "18705751234567"), Rule::kNirPattern);  // 14: with its key
  EXPECT_EQ(RuleFor(Field::nir, "185072C123456"), Rule::kNirPattern);   // 2C is no department
  EXPECT_EQ(RuleFor(Field::nir, "185071A123456"), Rule::kNirPattern);   // 1A neither
  EXPECT_EQ(RuleFor(Field::nir, "18A0575123456"), Rule::kNirPattern);
  EXPECT_EQ(RuleFor(Field::nir, "187057512345X"), Rule::kNirPattern);
  EXPECT_EQ(RuleFor(Field::nir, "1 87 05 75 123"), Rule::kNirPattern);
  EXPECT_EQ(RuleFor(Field::nir, ""), Rule::kNirPattern);
}

// ---- XML 1.0 characters and UTF-8 ----

TEST(CheckValueTest, ControlCharacterRefusedWithItsPosition) {
  auto v = CheckValue(Spec(Field::libelleOption),
                      "ab\x01"
                      "cd");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->rule, Rule::kXmlChar);
  EXPECT_EQ(v->offset, 3u);
  EXPECT_EQ(v->code_point, U'\x01');
}

TEST(CheckValueTest, NonCharacterFffeRefusedWithItsPositionInCharacters) {
  auto v = CheckValue(Spec(Field::nomNaissance), "Zoé\xEF\xBF\xBE");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->rule, Rule::kXmlChar);
  EXPECT_EQ(v->offset, 4u);  // characters, not bytes (byte 5)
  EXPECT_EQ(v->code_point, U'\xFFFE');
}

TEST(CheckValueTest, OtherCharactersXmlCannotCarry) {
  EXPECT_EQ(RuleFor(Field::libelleOption, std::string("a\0b", 3)), Rule::kXmlChar);
  EXPECT_EQ(RuleFor(Field::libelleOption, "a\x1f"), Rule::kXmlChar);
  EXPECT_EQ(RuleFor(Field::libelleOption, "a\xEF\xBF\xBF"), Rule::kXmlChar);  // U+FFFF
  // XML's own limit applies to enumerations too: it is checked first.
  EXPECT_EQ(RuleFor(Field::sexe, "\x01"), Rule::kXmlChar);
}

TEST(CheckValueTest, DeleteIsACharacterXmlCarriesAndLengthsCountCharacters) {
  EXPECT_EQ(RuleFor(Field::libelleOption,
                    "a\x7f"
                    "b"),
            std::nullopt);
  // 60 characters at most: in plain ASCII as in accented letters (two bytes each).
  EXPECT_EQ(RuleFor(Field::nomNaissance, std::string(60, 'e')), std::nullopt);
  EXPECT_EQ(RuleFor(Field::nomNaissance, std::string(61, 'e')), Rule::kLength);
  std::string accented;
  for (int i = 0; i < 60; ++i) accented += "\xC3\xA9";  // é
  EXPECT_EQ(RuleFor(Field::nomNaissance, accented), std::nullopt);
  EXPECT_EQ(RuleFor(Field::nomNaissance, accented + "\xC3\xA9"), Rule::kLength);
}

TEST(CheckValueTest, TabLineFeedAndCarriageReturnAreAllowed) {
  EXPECT_EQ(RuleFor(Field::libelleOption, "a\tb\nc\rd"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::libelleOption, "\xED\x9F\xBF"), std::nullopt);      // U+D7FF
  EXPECT_EQ(RuleFor(Field::libelleOption, "\xEE\x80\x80"), std::nullopt);      // U+E000
  EXPECT_EQ(RuleFor(Field::libelleOption, "\xEF\xBF\xBD"), std::nullopt);      // U+FFFD
  EXPECT_EQ(RuleFor(Field::libelleOption, "\xF4\x8F\xBF\xBF"), std::nullopt);  // U+10FFFF
}

TEST(CheckValueTest, InvalidUtf8WithItsByteOffset) {
  auto v = CheckValue(Spec(Field::nomNaissance), "Zo\xC3\xA9 \xE9t\xE9");  // Latin-1 "été"
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->rule, Rule::kUtf8);
  EXPECT_EQ(v->offset, 5u);
}

TEST(CheckValueTest, InvalidUtf8Forms) {
  auto offset = [](std::string_view s) -> std::optional<std::size_t> {
    auto v = CheckValue(Spec(Field::libelleOption), s);
    if (!v || v->rule != Rule::kUtf8) return std::nullopt;
    return v->offset;
  };
  EXPECT_EQ(offset("\xC0\xAF"), 0u);                     // overlong '/'
  EXPECT_EQ(offset("ab\xED\xA0\x80"), 2u);               // a UTF-16 surrogate
  EXPECT_EQ(offset("abc\xE2\x82"), 3u);                  // cut short at the end
  EXPECT_EQ(offset("a\xF4\x90\x80\x80"), 1u);            // above U+10FFFF
  EXPECT_EQ(offset("\x80"), 0u);                         // a lone continuation byte
  EXPECT_EQ(RuleFor(Field::sexe, "\xFF"), Rule::kUtf8);  // checked before the enumeration
}

// ---- Resultats ----

TEST(CheckValueTest, Resultats) {
  EXPECT_EQ(RuleFor(Field::resultats, "1.1:3;2.4:5"), std::nullopt);
  EXPECT_EQ(RuleFor(Field::resultats, "1.1-3"), Rule::kResultatsFormat);
  EXPECT_EQ(RuleFor(Field::resultats, ""), Rule::kResultatsFormat);
}

TEST(ParseResultatsTest, ReadsEachResult) {
  auto r = ParseResultats("1.1:3;2.4:5");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].domaine_competence_id, "1");
  EXPECT_EQ((*r)[0].competence_id, "1");
  EXPECT_EQ((*r)[0].niveau, "3");
  EXPECT_EQ((*r)[1].domaine_competence_id, "2");
  EXPECT_EQ((*r)[1].competence_id, "4");
  EXPECT_EQ((*r)[1].niveau, "5");
}

TEST(ParseResultatsTest, BlanksAndEmptyItemsAreIgnoredAndLevelsCanonical) {
  auto r = ParseResultats(" 5.3:08 ; ;1.2:1;");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].domaine_competence_id, "5");
  EXPECT_EQ((*r)[0].competence_id, "3");
  EXPECT_EQ((*r)[0].niveau, "8");
  EXPECT_EQ((*r)[1].niveau, "1");
}

TEST(ParseResultatsTest, Refused) {
  for (const char* text : {"", ";", " ; ", "6.1:3", "0.1:3", "1.1:9", "1.1:0", "1.1:", "11.1:3",
                           "1.12:3", "1:1.3", "1.1:3,2.4:5", "1.1:3.5"}) {
    EXPECT_EQ(ParseResultats(text), std::nullopt) << text;
  }
}

// ---- CanonicalValue ----

TEST(CanonicalValueTest, IntegersLoseSignsAndLeadingZeros) {
  EXPECT_EQ(CanonicalValue(Spec(Field::moisNaissance), "05"), "5");
  EXPECT_EQ(CanonicalValue(Spec(Field::moisNaissance), "+5"), "5");
  EXPECT_EQ(CanonicalValue(Spec(Field::scoreGeneral), "0500"), "500");
  EXPECT_EQ(CanonicalValue(Spec(Field::moisNaissance), "mai"), "mai");  // invalid: kept
}

TEST(CanonicalValueTest, BooleansAreWrittenTrueOrFalse) {
  EXPECT_EQ(CanonicalValue(Spec(Field::donneeCertifiee), "1"), "true");
  EXPECT_EQ(CanonicalValue(Spec(Field::donneeCertifiee), "0"), "false");
  EXPECT_EQ(CanonicalValue(Spec(Field::donneeCertifiee), "true"), "true");
  EXPECT_EQ(CanonicalValue(Spec(Field::donneeCertifiee), "false"), "false");
}

TEST(CanonicalValueTest, OtherTypesAreKept) {
  EXPECT_EQ(CanonicalValue(Spec(Field::codeInsee), "05056"), "05056");
  EXPECT_EQ(CanonicalValue(Spec(Field::codePostal), "01000"), "01000");
  EXPECT_EQ(CanonicalValue(Spec(Field::scoring), "012"), "012");
  EXPECT_EQ(CanonicalValue(Spec(Field::dateDebutValidite), "2026-01-05"), "2026-01-05");
  EXPECT_EQ(CanonicalValue(Spec(Field::sexe), "F"), "F");
  EXPECT_EQ(CanonicalValue(Spec(Field::nir), "185072a123456"), "185072a123456");
}

// ---- DescribeViolationForAdministrator ----

std::string Describe(Field field, std::string_view value) {
  auto v = CheckValue(Spec(field), value);
  EXPECT_TRUE(v.has_value()) << value;
  if (!v) return "";
  return DescribeViolationForAdministrator(Spec(field), value, *v);
}

TEST(DescribeViolationTest, EachRule) {
  EXPECT_EQ(Describe(Field::libelleOption, ""),
            "\"\" has 0 characters; libelleOption takes 1 to 255");
  EXPECT_EQ(Describe(Field::codeInsee, "750561"),
            "\"750561\" has 6 characters; codeInsee has exactly 5");
  EXPECT_EQ(Describe(Field::sexe, "H"), "\"H\" is not a value of sexe (M, F)");
  EXPECT_EQ(Describe(Field::obtentionCertification, "ADMIS"),
            "\"ADMIS\" is not a value of obtentionCertification (PAR_ADMISSION, PAR_SCORING)");
  EXPECT_EQ(Describe(Field::jourNaissance, "1er"), "\"1er\" is not a whole number");
  EXPECT_EQ(Describe(Field::jourNaissance, "32"), "\"32\" is outside 1 to 31");
  EXPECT_EQ(Describe(Field::dateDebutExamen, "15/01/2026"),
            "\"15/01/2026\" is not a date written YYYY-MM-DD");
  EXPECT_EQ(Describe(Field::dateDebutExamen, "2026-02-29"),
            "\"2026-02-29\" is not a day of the calendar");
  EXPECT_EQ(Describe(Field::dateDebutExamen, "2100-01-01"),
            "\"2100-01-01\" is outside the years 1900 to 2099");
  EXPECT_EQ(Describe(Field::donneeCertifiee, "oui"), "\"oui\" is not true or false");
  EXPECT_EQ(Describe(Field::nir, "12345"),
            "\"12345\" is not a NIR of 13 characters without its key");
  EXPECT_EQ(Describe(Field::libelleOption, "ab\x01"),
            "character U+0001 at position 3 cannot be written in XML 1.0");
  EXPECT_EQ(Describe(Field::libelleOption, "é\xEF\xBF\xBE"),
            "character U+FFFE at position 2 cannot be written in XML 1.0");
  EXPECT_EQ(Describe(Field::libelleOption, "abc\xFF"), "the text is not valid UTF-8 (byte 3)");
  EXPECT_EQ(Describe(Field::resultats, "1.1"),
            "\"1.1\" is not a list of DigComp results written \"domain.competence:level;...\" "
            "(e.g. \"1.1:3;2.4:5\", levels 1 to 8)");
}

TEST(DescribeViolationTest, RulesBeyondOneValueAreNamed) {
  Violation v{Rule::kConditional, 0, 0, 0};
  EXPECT_EQ(DescribeViolationForAdministrator(Spec(Field::voieAccessVAE), "VAE_CLASSIQUE", v),
            "\"VAE_CLASSIQUE\" breaks rule conditional");
}

// ---- RuleName ----

TEST(RuleNameTest, EveryRuleHasItsOwnStableName) {
  std::set<std::string_view> names;
  const int last = static_cast<int>(Rule::kBirthplaceFrance);
  for (int i = 0; i <= last; ++i) {
    std::string_view name = RuleName(static_cast<Rule>(i));
    EXPECT_NE(name, "unknown") << i;
    EXPECT_FALSE(name.empty()) << i;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"),
              std::string_view::npos)
        << name;
    EXPECT_TRUE(names.insert(name).second) << "two rules are named " << name;
  }
  EXPECT_EQ(names.size(), 31u);
  EXPECT_EQ(RuleName(Rule::kRequired), "required");
  EXPECT_EQ(RuleName(Rule::kBirthAfterToday), "birth-after-today");
  EXPECT_EQ(RuleName(Rule::kBirthAfterDelivery), "birth-after-delivery");
  EXPECT_EQ(RuleName(Rule::kDateRange), "date-range");
  EXPECT_EQ(RuleName(Rule::kNilNotAllowed), "nil-not-allowed");
  EXPECT_EQ(RuleName(Rule::kCalendarDate), "calendar-date");
  EXPECT_EQ(RuleName(Rule::kYearRange), "year-range");
  EXPECT_EQ(RuleName(Rule::kXmlChar), "xml-char");
  EXPECT_EQ(RuleName(Rule::kUtf8), "utf-8");
  EXPECT_EQ(RuleName(Rule::kNotInMap), "not-in-map");
  EXPECT_EQ(RuleName(Rule::kPattern), "pattern");
  EXPECT_EQ(RuleName(Rule::kMissingKey), "missing-key");
  EXPECT_EQ(RuleName(Rule::kRepeatedIdTechnique), "repeated-idtechnique");
  EXPECT_EQ(RuleName(Rule::kProbableDuplicate), "probable-duplicate");
  EXPECT_EQ(RuleName(Rule::kCertification), "certification");
  EXPECT_EQ(RuleName(Rule::kMappingRule), "mapping-rule");
  EXPECT_EQ(RuleName(Rule::kBirthplaceFrance), "birthplace-france");
}

}  // namespace
}  // namespace accrochd::mappings
