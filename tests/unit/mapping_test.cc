// Loading one mapping file: what it holds, and each problem with its line.
#include "mappings/mapping.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/run_binary.h"

namespace accrochd::mappings {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LoadMappingTest : public ::testing::Test {
 protected:
  // Writes `text` as <fresh dir>/rs6521.yaml and loads it.
  std::optional<Mapping> Load(const std::string& text) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string dir = accrochd::testing::MakeTempDir(std::string("mapping_test.") + info->name());
    path_ = dir + "/rs6521.yaml";
    accrochd::testing::WriteFile(path_, text);
    return LoadMapping(path_, diagnostics_);
  }

  // The only diagnostic, in the mapping file at line:col.
  void ExpectOnly(const std::string& message, int line, int column) {
    ASSERT_EQ(diagnostics_.size(), 1u) << FormatDiagnostics(diagnostics_);
    EXPECT_EQ(diagnostics_[0].message, message);
    EXPECT_EQ(diagnostics_[0].location.file, path_);
    EXPECT_EQ(diagnostics_[0].location.line, line);
    EXPECT_EQ(diagnostics_[0].location.column, column);
  }

  std::string path_;
  Diagnostics diagnostics_;
};

TEST_F(LoadMappingTest, ReadsAValidFile) {
  auto m = Load(
      "# Accueillir un public en situation de handicap\n"
      "certification:\n"
      "  type: RS\n"
      "  code: RS6521\n"
      "source: scolarite\n"
      "query: |\n"
      "  SELECT id, nom\n"
      "    FROM resultat\n"
      "page_by: id\n"
      "page_size: 500\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(diagnostics_.empty()) << FormatDiagnostics(diagnostics_);
  EXPECT_EQ(m->name, "rs6521");
  EXPECT_EQ(m->file, path_);
  EXPECT_EQ(m->certification.type, "RS");
  EXPECT_EQ(m->certification.code, "RS6521");
  EXPECT_EQ(m->source, "scolarite");
  EXPECT_EQ(m->source_location.ToString(), path_ + ":5:9");
  EXPECT_EQ(m->query, "SELECT id, nom\n  FROM resultat\n");
  EXPECT_EQ(m->query_location.ToString(), path_ + ":6:8");
  EXPECT_THAT(m->page_by, ElementsAre("id"));
  EXPECT_EQ(m->page_size, 500u);
}

TEST_F(LoadMappingTest, PageByAsAListAndDefaults) {
  auto m = Load(
      "certification: {type: RNCP, code: RNCP34567}\n"
      "source: s\n"
      "query: SELECT a, b FROM t\n"
      "page_by: [a, b]\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(diagnostics_.empty()) << FormatDiagnostics(diagnostics_);
  EXPECT_THAT(m->page_by, ElementsAre("a", "b"));
  EXPECT_EQ(m->page_size, 10'000u);
}

TEST_F(LoadMappingTest, NoPagingByDefault) {
  auto m = Load("certification: {type: RS, code: RS1}\nsource: s\nquery: SELECT 1\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(diagnostics_.empty()) << FormatDiagnostics(diagnostics_);
  EXPECT_TRUE(m->page_by.empty());
  EXPECT_EQ(m->page_size, 10'000u);
}

TEST_F(LoadMappingTest, ReturnsWhatCouldBeReadAlongWithTheProblems) {
  // The caller checks the rest (the source exists) and reports everything in one pass.
  auto m = Load(
      "certification: {type: RS}\n"
      "source: scolarite\n"
      "query: SELECT 1\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->source, "scolarite");
  EXPECT_EQ(m->certification.type, "RS");
  EXPECT_EQ(m->certification.code, "");
  ExpectOnly("certification: missing required key \"code\"", 1, 16);
}

TEST_F(LoadMappingTest, UnknownKey) {
  Load(
      "certification: {type: RS, code: RS1}\n"
      "source: s\n"
      "query: SELECT 1\n"
      "page_by: id\n"
      "page_sise: 10\n");
  ExpectOnly("unknown key \"page_sise\"; did you mean \"page_size\"?", 5, 1);
}

TEST_F(LoadMappingTest, MissingCertificationCode) {
  Load(
      "source: s\n"
      "certification:\n"
      "  type: RS\n"
      "query: SELECT 1\n");
  ExpectOnly("certification: missing required key \"code\"", 3, 3);
}

TEST_F(LoadMappingTest, MissingQuery) {
  Load("certification: {type: RS, code: RS1}\nsource: s\n");
  ExpectOnly("the file: missing required key \"query\"", 1, 1);
}

TEST_F(LoadMappingTest, QueryThatIsNotASelectIsReportedAtTheQuery) {
  Load(
      "certification: {type: RS, code: RS1}\n"
      "source: s\n"
      "\n"
      "query: >\n"
      "  DELETE FROM resultat\n");
  ExpectOnly("query: the query must be a single SELECT (or WITH ... SELECT): accrochd only reads",
             4, 8);
}

TEST_F(LoadMappingTest, QueryWithCastIsReported) {
  Load("certification: {type: RS, code: RS1}\nsource: s\nquery: SELECT d::date FROM t\n");
  ASSERT_EQ(diagnostics_.size(), 1u);
  EXPECT_THAT(diagnostics_[0].message, HasSubstr("CAST(expression AS type)"));
  EXPECT_EQ(diagnostics_[0].location.line, 3);
}

TEST_F(LoadMappingTest, PageSizeWithoutPageBy) {
  Load(
      "certification: {type: RS, code: RS1}\n"
      "source: s\n"
      "query: SELECT 1\n"
      "page_size: 500\n");
  ExpectOnly("page_size: set without page_by; it only applies to keyset paging", 4, 12);
}

TEST_F(LoadMappingTest, PageSizeOutOfRange) {
  Load(
      "certification: {type: RS, code: RS1}\n"
      "source: s\n"
      "query: SELECT 1\n"
      "page_by: id\n"
      "page_size: 0\n");
  ExpectOnly("page_size: 0 is out of range (1 to 1000000)", 5, 12);
}

TEST_F(LoadMappingTest, PageByGivenAMapping) {
  Load(
      "certification: {type: RS, code: RS1}\n"
      "source: s\n"
      "query: SELECT 1\n"
      "page_by: {column: id}\n");
  ExpectOnly("page_by: expected a column name or a list of column names", 4, 10);
}

TEST_F(LoadMappingTest, PageByGivenAnEmptyList) {
  Load("certification: {type: RS, code: RS1}\nsource: s\nquery: SELECT 1\npage_by: []\n");
  ExpectOnly("page_by: expected a column name or a list of column names", 4, 10);
}

TEST_F(LoadMappingTest, PageByListItemThatIsNotAName) {
  Load(
      "certification: {type: RS, code: RS1}\n"
      "source: s\n"
      "query: SELECT 1\n"
      "page_by:\n"
      "  - id\n"
      "  - [a, b]\n");
  ExpectOnly("page_by: expected a text value, found a list", 6, 5);
}

TEST_F(LoadMappingTest, ReportsEveryProblem) {
  Load(
      "certification:\n"
      "  type: RS\n"
      "  kode: RS1\n"
      "source: [s]\n"
      "query: UPDATE t SET a = 1\n"
      "page_size: 500\n");
  ASSERT_EQ(diagnostics_.size(), 5u) << FormatDiagnostics(diagnostics_);
  EXPECT_EQ(diagnostics_[0].message, "certification: missing required key \"code\"");
  EXPECT_EQ(diagnostics_[1].message, "unknown key \"certification.kode\"; did you mean \"code\"?");
  EXPECT_EQ(diagnostics_[2].message, "source: expected a text value, found a list");
  EXPECT_THAT(diagnostics_[3].message, HasSubstr("must be a single SELECT"));
  EXPECT_EQ(diagnostics_[4].location.line, 6);
}

TEST_F(LoadMappingTest, SyntaxError) {
  auto m = Load("certification: {type: RS, code: RS1}\nsource: s: t\n");
  EXPECT_EQ(m, std::nullopt);  // nothing could be read
  ASSERT_EQ(diagnostics_.size(), 1u);
  EXPECT_THAT(diagnostics_[0].message, HasSubstr("YAML syntax error"));
  EXPECT_EQ(diagnostics_[0].location.line, 2);
}

TEST(LoadMappingFileTest, MissingFile) {
  std::string dir = accrochd::testing::MakeTempDir("mapping_test.MissingFile");
  Diagnostics diagnostics;
  EXPECT_EQ(LoadMapping(dir + "/absent.yaml", diagnostics), std::nullopt);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].location.line, 0);
  EXPECT_EQ(diagnostics[0].ToString(),
            dir + "/absent.yaml: cannot open file: No such file or directory");
}

}  // namespace
}  // namespace accrochd::mappings
