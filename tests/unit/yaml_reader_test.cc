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
  ExpectOnly("the file: expected a mapping of keys to values, found \"just text\"", 1, 1);
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
