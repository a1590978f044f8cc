// The strict YAML reader: every problem becomes a located diagnostic (1-based line:col).
#include "core/yaml/yaml_reader.h"

#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/run_binary.h"

namespace accrochd::yaml {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Loads `text` as "t.yaml" and gives readers over it; the document must parse.
class YamlReaderTest : public ::testing::Test {
 protected:
  YAML::Node Load(const std::string& text) {
    auto root = LoadString(text, "t.yaml", diagnostics_);
    EXPECT_TRUE(root.has_value()) << FormatDiagnostics(diagnostics_);
    return root.value_or(YAML::Node());
  }

  // The only diagnostic, which must be at line:col.
  void ExpectOnly(const std::string& message, int line, int column) {
    ASSERT_EQ(diagnostics_.size(), 1u) << FormatDiagnostics(diagnostics_);
    EXPECT_EQ(diagnostics_[0].message, message);
    EXPECT_EQ(diagnostics_[0].location.file, "t.yaml");
    EXPECT_EQ(diagnostics_[0].location.line, line);
    EXPECT_EQ(diagnostics_[0].location.column, column);
  }

  Diagnostics diagnostics_;
  FileReader file_{"t.yaml", diagnostics_};
};

TEST_F(YamlReaderTest, ReadsTypedValues) {
  YAML::Node root = Load("name: scol\nsize: 42\non: true\noff: false\nwait: 1h 30min\n");
  MapReader m(file_, root, "");
  EXPECT_TRUE(m.valid());
  EXPECT_EQ(m.String("name", true), "scol");
  EXPECT_EQ(m.Int("size", true, 1, 100), 42);
  EXPECT_EQ(m.Bool("on", true), true);
  EXPECT_EQ(m.Bool("off", true), false);
  EXPECT_EQ(m.DurationValue("wait", true), std::chrono::minutes(90));
  m.Finish();
  EXPECT_TRUE(diagnostics_.empty()) << FormatDiagnostics(diagnostics_);
}

TEST_F(YamlReaderTest, UnknownKeySuggestsTheClosestKnownKey) {
  YAML::Node root = Load("s:\n  name: a\n  fetch_sise: 3\n");
  MapReader m(file_, root["s"], "sources.s");
  m.String("name", true);
  m.Int("fetch_size", false, 1, 100);
  m.Finish();
  ExpectOnly("unknown key \"sources.s.fetch_sise\"; did you mean \"fetch_size\"?", 3, 3);
}

TEST_F(YamlReaderTest, UnknownKeyFarFromAllListsTheKnownKeys) {
  YAML::Node root = Load("name: a\ncolour: red\n");
  MapReader m(file_, root, "");
  m.String("name", true);
  m.Int("size", false, 1, 100);
  m.Finish();
  ExpectOnly("unknown key \"colour\"; known keys here: name, size", 2, 1);
}

TEST_F(YamlReaderTest, DuplicateKeyIsReportedWhereItRepeats) {
  YAML::Node root = Load("a: 1\nb: 2\na: 3\n");
  MapReader m(file_, root, "top");
  ExpectOnly("duplicate key \"top.a\": each key may appear only once", 3, 1);
}

TEST_F(YamlReaderTest, MissingRequiredKeyIsReportedAtTheMapping) {
  YAML::Node root = Load("first: 1\ns:\n  name: a\n");
  MapReader m(file_, root["s"], "s");
  EXPECT_EQ(m.String("code", true), std::nullopt);
  ExpectOnly("s: missing required key \"code\"", 3, 3);
}

TEST_F(YamlReaderTest, MissingRequiredKeyAtTopLevelNamesTheFile) {
  YAML::Node root = Load("name: a\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.Node("sources", true), std::nullopt);
  ExpectOnly("the file: missing required key \"sources\"", 1, 1);
}

TEST_F(YamlReaderTest, MissingOptionalKeyIsSilent) {
  YAML::Node root = Load("name: a\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.Int("size", false, 0, 9), std::nullopt);
  EXPECT_FALSE(m.Has("size"));
  EXPECT_TRUE(diagnostics_.empty());
}

TEST_F(YamlReaderTest, NullValueOfRequiredKeyIsReportedAtTheKey) {
  YAML::Node root = Load("other: 1\ncode:\n");
  MapReader m(file_, root, "certification");
  EXPECT_FALSE(m.Has("code"));
  EXPECT_EQ(m.String("code", true), std::nullopt);
  ExpectOnly("certification.code: a value is required", 2, 1);
}

TEST_F(YamlReaderTest, NullValueOfOptionalKeyIsSilent) {
  YAML::Node root = Load("code: ~\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.String("code", false), std::nullopt);
  m.Finish();
  EXPECT_TRUE(diagnostics_.empty()) << FormatDiagnostics(diagnostics_);
}

TEST_F(YamlReaderTest, StringGivenAList) {
  YAML::Node root = Load("name: [a, b]\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.String("name", true), std::nullopt);
  ExpectOnly("name: expected a text value, found a list", 1, 7);
}

TEST_F(YamlReaderTest, StringGivenAMapping) {
  YAML::Node root = Load("name:\n  a: 1\n");
  MapReader m(file_, root, "x");
  EXPECT_EQ(m.String("name", true), std::nullopt);
  ExpectOnly("x.name: expected a text value, found a mapping", 2, 3);
}

TEST_F(YamlReaderTest, IntegerGivenText) {
  YAML::Node root = Load("size: abc\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.Int("size", true, 1, 100), std::nullopt);
  ExpectOnly("size: expected a whole number, found \"abc\"", 1, 7);
}

TEST_F(YamlReaderTest, IntegerWithTrailingGarbageOrFraction) {
  YAML::Node root = Load("a: 12x\nb: 1.5\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.Int("a", true, 1, 100), std::nullopt);
  EXPECT_EQ(m.Int("b", true, 1, 100), std::nullopt);
  ASSERT_EQ(diagnostics_.size(), 2u);
  EXPECT_EQ(diagnostics_[0].message, "a: expected a whole number, found \"12x\"");
  EXPECT_EQ(diagnostics_[1].message, "b: expected a whole number, found \"1.5\"");
  EXPECT_EQ(diagnostics_[1].location.line, 2);
}

TEST_F(YamlReaderTest, IntegerOutOfRange) {
  YAML::Node root = Load("low: 0\nhigh: 101\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.Int("low", true, 1, 100), std::nullopt);
  EXPECT_EQ(m.Int("high", true, 1, 100), std::nullopt);
  ASSERT_EQ(diagnostics_.size(), 2u);
  EXPECT_EQ(diagnostics_[0].ToString(), "t.yaml:1:6: low: 0 is out of range (1 to 100)");
  EXPECT_EQ(diagnostics_[1].ToString(), "t.yaml:2:7: high: 101 is out of range (1 to 100)");
}

TEST_F(YamlReaderTest, BoolRefusesYes) {
  YAML::Node root = Load("enabled: yes\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.Bool("enabled", true), std::nullopt);
  ExpectOnly("enabled: expected true or false, found \"yes\"", 1, 10);
}

TEST_F(YamlReaderTest, BadDurationCarriesParseDurationMessage) {
  YAML::Node root = Load("timeout: 30\n");
  MapReader m(file_, root, "s");
  EXPECT_EQ(m.DurationValue("timeout", true), std::nullopt);
  ExpectOnly(
      "s.timeout: invalid duration \"30\": missing or unknown unit; expected a duration such as "
      "\"30s\", \"5min\", \"1h 30min\" or \"2d\" (units: ms, s, min, h, d)",
      1, 10);
}

TEST_F(YamlReaderTest, DurationGivenAList) {
  YAML::Node root = Load("timeout: [1s]\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.DurationValue("timeout", true), std::nullopt);
  ExpectOnly("timeout: expected a duration such as \"30s\" or \"5min\", found a list", 1, 10);
}

TEST_F(YamlReaderTest, NotAMappingIsReportedOnceAndReadsNothing) {
  YAML::Node root = Load("just text\n");
  MapReader m(file_, root, "");
  EXPECT_FALSE(m.valid());
  EXPECT_EQ(m.String("name", true), std::nullopt);  // no second report
  m.Finish();
  ExpectOnly("the file: expected a mapping of keys to values, found a text of 9 characters", 1, 1);
}

TEST_F(YamlReaderTest, KeyThatIsNotANameIsRefused) {
  YAML::Node root = Load("s:\n  [a, b]: 1\n");
  MapReader m(file_, root["s"], "s");
  m.Finish();
  ExpectOnly("s: keys must be plain names", 2, 3);
}

TEST_F(YamlReaderTest, KeyThatIsNotANameAtTopLevelNamesTheFile) {
  YAML::Node root = Load("[a, b]: 1\n");
  MapReader m(file_, root, "");
  ExpectOnly("the file: keys must be plain names", 1, 1);
}

TEST_F(YamlReaderTest, EntriesMarkEveryKeyKnown) {
  YAML::Node root = Load("scolarite: {}\ncompta: {}\n");
  MapReader m(file_, root, "sources");
  auto entries = m.Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].first, "scolarite");
  EXPECT_EQ(entries[1].first, "compta");
  m.Finish();
  EXPECT_TRUE(diagnostics_.empty()) << FormatDiagnostics(diagnostics_);
}

TEST_F(YamlReaderTest, KeyPathJoinsWithDots) {
  YAML::Node root = Load("a: 1\n");
  MapReader top(file_, root, "");
  MapReader nested(file_, root, "sources.s");
  EXPECT_EQ(top.KeyPath("a"), "a");
  EXPECT_EQ(nested.KeyPath("a"), "sources.s.a");
  EXPECT_EQ(nested.KeyPath(""), "sources.s");
}

TEST_F(YamlReaderTest, ATextWhereAMappingWasExpectedIsNotQuoted) {
  YAML::Node root = Load("S3cr3t-Passw0rd\n");
  MapReader m(file_, root, "");
  EXPECT_FALSE(m.valid());
  ExpectOnly("the file: expected a mapping of keys to values, found a text of 15 characters", 1, 1);
}

TEST_F(YamlReaderTest, ATextWhereAListOrANumberWasExpectedIsNotQuoted) {
  YAML::Node root = Load("size: [Dupont, Martin]\nname: {a: b}\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.Int("size", true, 1, 10), std::nullopt);
  EXPECT_EQ(m.String("name", true), std::nullopt);
  ASSERT_EQ(diagnostics_.size(), 2u);
  EXPECT_EQ(diagnostics_[0].message, "size: expected a whole number, found a list");
  EXPECT_EQ(diagnostics_[1].message, "name: expected a text value, found a mapping");
}

TEST_F(YamlReaderTest, AHugeScalarGivesAShortMessage) {
  const std::string huge(1'000'000, 'x');  // yaml-cpp reads about 1 MB/s
  YAML::Node root = Load("size: " + huge + "\n? " + std::string(1000, 'x') + "\n: 1\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.Int("size", true, 1, 10), std::nullopt);
  m.Finish();
  ASSERT_EQ(diagnostics_.size(), 2u);
  EXPECT_EQ(diagnostics_[0].message, "size: expected a whole number, found \"" +
                                         std::string(40, 'x') + "\"... (1000000 characters)");
  EXPECT_EQ(diagnostics_[1].message, "unknown key \"" + std::string(60, 'x') +
                                         "\"... (1000 characters); known keys here: size");
  for (const Diagnostic& d : diagnostics_) EXPECT_LT(d.ToString().size(), 200u);
}

TEST_F(YamlReaderTest, AFileWithoutOneKnownKeyIsNotEchoed) {
  // A list of names that happens to read as a mapping: its keys are data, not typos.
  YAML::Node root = Load("Dupont: Jeanne\nMartin: Paul\n");
  MapReader m(file_, root, "");
  m.String("sources", false);
  m.String("certifiers", false);
  m.Finish();
  ExpectOnly(
      "the file: none of its 2 keys is a setting of this kind of file; is it the right file?", 1,
      1);
}

TEST_F(YamlReaderTest, ATypoAloneStillGetsItsSuggestion) {
  YAML::Node root = Load("sourcse: {}\n");
  MapReader m(file_, root, "");
  m.Node("sources", false);
  m.Finish();
  ExpectOnly("unknown key \"sourcse\"; did you mean \"sources\"?", 1, 1);
}

TEST_F(YamlReaderTest, InvalidUtf8InATextIsRefusedWithItsPosition) {
  YAML::Node root = Load("a: ok\nid_contrat: \"MCF\xE9R\"\n");
  MapReader m(file_, root, "certifiers.x");
  EXPECT_EQ(m.String("a", true), "ok");
  EXPECT_EQ(m.String("id_contrat", true), std::nullopt);
  ExpectOnly("certifiers.x.id_contrat: invalid UTF-8 at byte 4 (\\xE9); save the file as UTF-8", 2,
             13);
}

TEST_F(YamlReaderTest, ACharacterXmlForbidsIsRefusedWithItsPosition) {
  YAML::Node root = Load("code: \"RS\\u0001X\"\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.String("code", true), std::nullopt);
  ExpectOnly(
      "code: character U+0001 at position 3 is not allowed in XML; remove it (a deposit file is "
      "XML 1.0)",
      1, 7);
}

TEST_F(YamlReaderTest, UnknownKeyWithInvalidBytesIsShownEscaped) {
  YAML::Node root = Load("name: a\nna\xFFme\x01: b\n");
  MapReader m(file_, root, "s");
  m.String("name", true);
  m.Finish();
  ExpectOnly("unknown key \"s.na\\xFFme\\x01\"; did you mean \"name\"?", 2, 1);
}

TEST_F(YamlReaderTest, EntriesRefuseNamesThatAreNotTextOrTooLong) {
  YAML::Node root = Load("ok: 1\nb\xE9: 2\n" + std::string(101, 'n') + ": 3\n");
  MapReader m(file_, root, "sources");
  auto entries = m.Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].first, "ok");
  ASSERT_EQ(diagnostics_.size(), 2u) << FormatDiagnostics(diagnostics_);
  EXPECT_EQ(
      diagnostics_[0].ToString(),
      "t.yaml:2:1: sources: the name \"b\\xE9\" has invalid UTF-8 at byte 2 (\\xE9); save the "
      "file as UTF-8");
  EXPECT_EQ(diagnostics_[1].ToString(),
            "t.yaml:3:1: sources: a name has at most 100 characters; \"" + std::string(60, 'n') +
                "\"... (101 characters) has 101");
}

TEST_F(YamlReaderTest, AValueBroughtByAnAliasIsReportedWhereTheAliasIsUsed) {
  YAML::Node root = Load("defaults: &d lots\nsource:\n  name: x\n  fetch_size: *d\n");
  MapReader top(file_, root, "");
  top.Node("defaults", false);
  MapReader m(file_, root["source"], "source");
  m.String("name", true);
  EXPECT_EQ(m.Int("fetch_size", true, 1, 10), std::nullopt);
  ExpectOnly("source.fetch_size: expected a whole number, found \"lots\"", 4, 3);
}

TEST_F(YamlReaderTest, TheAnchorItselfKeepsItsOwnPosition) {
  YAML::Node root = Load("a: &d lots\nb: *d\n");
  MapReader m(file_, root, "");
  EXPECT_EQ(m.Int("b", true, 1, 10), std::nullopt);
  EXPECT_EQ(m.Int("a", true, 1, 10), std::nullopt);
  ASSERT_EQ(diagnostics_.size(), 2u);
  EXPECT_EQ(diagnostics_[0].location.line, 2);
  EXPECT_EQ(diagnostics_[0].location.column, 1);
  EXPECT_EQ(diagnostics_[1].location.line, 1);
  EXPECT_EQ(diagnostics_[1].location.column, 4);
}

TEST(LoadStringTest, DeepNestingIsRefusedWithAClearMessage) {
  for (const std::string& open : {std::string("["), std::string("{a: ")}) {
    std::string text;
    for (int i = 0; i < 100'000; ++i) text += open;
    Diagnostics diagnostics;
    EXPECT_EQ(LoadString(text, "deep.yaml", diagnostics), std::nullopt);
    ASSERT_EQ(diagnostics.size(), 1u);
    EXPECT_THAT(diagnostics[0].ToString(),
                ::testing::MatchesRegex("deep\\.yaml:1:[0-9]+: YAML nested too deeply: more than "
                                        "499 levels of lists and mappings inside one another"));
  }
}

TEST(LoadStringTest, DeepBlockNestingIsRefusedToo) {
  std::string text;
  for (int i = 0; i < 3'000; ++i) text += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
  Diagnostics diagnostics;
  EXPECT_EQ(LoadString(text, "deep.yaml", diagnostics), std::nullopt);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].ToString(),
            "deep.yaml:499:501: YAML nested too deeply: more than 499 levels of lists and mappings "
            "inside one another");
}

TEST(ClosestKeyTest, OnlyWhenCloseEnoughToBeATypo) {
  std::set<std::string, std::less<>> known = {"fetch_size", "query_timeout", "retry"};
  EXPECT_EQ(ClosestKey("fetch_sise", known), "fetch_size");
  EXPECT_EQ(ClosestKey("retri", known), "retry");
  // A swap is two edits, more than a third of five letters.
  EXPECT_EQ(ClosestKey("retyr", known), std::nullopt);
  EXPECT_EQ(ClosestKey("x", {"y"}), "y");  // one edit is always allowed
  EXPECT_EQ(ClosestKey("colour", known), std::nullopt);
  EXPECT_EQ(ClosestKey("x", {}), std::nullopt);
}

TEST(LoadStringTest, SyntaxErrorHasLineAndColumn) {
  Diagnostics diagnostics;
  EXPECT_EQ(LoadString("ok: 1\na: b: c\n", "bad.yaml", diagnostics), std::nullopt);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_THAT(diagnostics[0].message, StartsWith("YAML syntax error: "));
  EXPECT_THAT(diagnostics[0].message, HasSubstr("illegal map value"));
  EXPECT_EQ(diagnostics[0].location.file, "bad.yaml");
  EXPECT_EQ(diagnostics[0].location.line, 2);
  EXPECT_EQ(diagnostics[0].location.column, 5);
}

TEST(LoadStringTest, UnclosedFlowSequence) {
  Diagnostics diagnostics;
  EXPECT_EQ(LoadString("a: [1, 2\nb: 3\n", "bad.yaml", diagnostics), std::nullopt);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].message, "YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(diagnostics[0].location.line, 2);
}

TEST(LoadFileTest, MissingFileCannotBeOpened) {
  std::string dir = accrochd::testing::MakeTempDir("yaml_reader_test.MissingFile");
  std::string path = dir + "/absent.yaml";
  Diagnostics diagnostics;
  EXPECT_EQ(LoadFile(path, diagnostics), std::nullopt);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].ToString(), path + ": cannot open file: No such file or directory");
}

TEST(LoadFileTest, ReadsAFile) {
  std::string dir = accrochd::testing::MakeTempDir("yaml_reader_test.ReadsAFile");
  accrochd::testing::WriteFile(dir + "/a.yaml", "key: value\n");
  Diagnostics diagnostics;
  auto root = LoadFile(dir + "/a.yaml", diagnostics);
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ((*root)["key"].Scalar(), "value");
  EXPECT_TRUE(diagnostics.empty());
}

}  // namespace
}  // namespace accrochd::yaml
