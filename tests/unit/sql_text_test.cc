// Extraction query checks and the keyset page queries built around them.
#include "core/sql_text.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace accrochd::source {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

constexpr const char* kNotSelect =
    "the query must be a single SELECT (or WITH ... SELECT): accrochd only reads";
constexpr const char* kTwoStatements =
    "the query holds more than one statement; give a single SELECT";

TEST(CheckQueryTextTest, AcceptsSelectAndWith) {
  for (const char* sql : {
           "SELECT 1",
           "select a, b from t",
           "  \n\tSelect a FROM t",
           "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
           "SELECT a FROM t;",
           "SELECT a FROM t ;  \n ;",
       }) {
    EXPECT_EQ(CheckQueryText(sql), std::nullopt) << sql;
  }
}

TEST(CheckQueryTextTest, IgnoresWhatIsInCommentsAndQuotes) {
  for (const char* sql : {
           "-- reads the results; DELETE nothing\nSELECT 1",
           "/* :name :: ; */ SELECT 1",
           "SELECT '10:30' AS t, 'a::b' AS c, 'x;y' AS d FROM t",
           "SELECT 'it''s: ok; really' FROM t",
           "SELECT \"odd:column\" FROM t",
           "SELECT `a::b` FROM t",
           "SELECT a FROM t -- :id ; x::text",
       }) {
    EXPECT_EQ(CheckQueryText(sql), std::nullopt) << sql;
  }
}

TEST(CheckQueryTextTest, RefusesWhatIsNotASelect) {
  EXPECT_THAT(CheckQueryText("DELETE FROM t"), Optional(std::string(kNotSelect)));
  EXPECT_THAT(CheckQueryText("update t set a = 1"), Optional(std::string(kNotSelect)));
  EXPECT_THAT(CheckQueryText("SELECTION"), Optional(std::string(kNotSelect)));
  EXPECT_THAT(CheckQueryText("'SELECT' 1"), Optional(std::string(kNotSelect)));
}

TEST(CheckQueryTextTest, RefusesEmpty) {
  EXPECT_THAT(CheckQueryText(""), Optional(std::string("the query is empty")));
  EXPECT_THAT(CheckQueryText("  \n -- only a comment\n /* and another */ "),
              Optional(std::string("the query is empty")));
}

TEST(CheckQueryTextTest, RefusesTwoStatements) {
  EXPECT_THAT(CheckQueryText("SELECT 1; SELECT 2"), Optional(std::string(kTwoStatements)));
  EXPECT_THAT(CheckQueryText("SELECT a FROM t;\nDELETE FROM t;"),
              Optional(std::string(kTwoStatements)));
}

TEST(CheckQueryTextTest, AcceptsPostgresCastsAndColons) {
  // Queries go to the driver as written: a "::" cast or a ':' is the database's business.
  EXPECT_EQ(CheckQueryText("SELECT x::text, '2024-01-01'::date FROM t"), std::nullopt);
  EXPECT_EQ(CheckQueryText("SELECT a FROM t WHERE id = :id"), std::nullopt);
}

TEST(CheckQueryTextTest, RefusesParameterMarkers) {
  EXPECT_THAT(CheckQueryText("SELECT a FROM t WHERE id = ?"),
              Optional(std::string("the query contains a '?' parameter marker outside quotes; "
                                   "extraction queries take no parameters (accrochd binds its "
                                   "own when it reads by pages)")));
  EXPECT_EQ(CheckQueryText("SELECT a FROM t WHERE x = '?' -- why?"), std::nullopt);
}

TEST(StripTrailingTerminatorTest, RemovesTrailingSemicolonsAndBlanks) {
  EXPECT_EQ(StripTrailingTerminator("SELECT 1 ;\n ; \t"), "SELECT 1");
  EXPECT_EQ(StripTrailingTerminator("SELECT 1"), "SELECT 1");
  EXPECT_EQ(StripTrailingTerminator("SELECT ';'"), "SELECT ';'");
  EXPECT_EQ(StripTrailingTerminator(";;\n"), "");
}

TEST(BuildPageQueryTest, FirstPageOneKeyLimit) {
  EXPECT_EQ(BuildPageQuery("SELECT id, nom FROM t;\n", {"id"}, 100, PageSyntax::kLimit, false),
            "SELECT * FROM (\nSELECT id, nom FROM t\n) accrochd_page ORDER BY id LIMIT 100");
}

TEST(BuildPageQueryTest, NextPageOneKeyLimit) {
  EXPECT_EQ(BuildPageQuery("SELECT id, nom FROM t", {"id"}, 100, PageSyntax::kLimit, true),
            "SELECT * FROM (\nSELECT id, nom FROM t\n) accrochd_page WHERE (id > ?) ORDER BY id "
            "LIMIT 100");
}

TEST(BuildPageQueryTest, FirstPageTwoKeysOffsetFetch) {
  EXPECT_EQ(BuildPageQuery("SELECT a, b FROM t", {"a", "b"}, 500, PageSyntax::kOffsetFetch, false),
            "SELECT * FROM (\nSELECT a, b FROM t\n) accrochd_page ORDER BY a, b OFFSET 0 ROWS "
            "FETCH NEXT 500 ROWS ONLY");
}

TEST(BuildPageQueryTest, NextPageTwoKeys) {
  EXPECT_EQ(BuildPageQuery("SELECT a, b FROM t", {"a", "b"}, 500, PageSyntax::kOffsetFetch, true),
            "SELECT * FROM (\nSELECT a, b FROM t\n) accrochd_page WHERE (a > ?) OR (a = ? AND "
            "b > ?) ORDER BY a, b OFFSET 0 ROWS FETCH NEXT 500 ROWS ONLY");
  EXPECT_EQ(BuildPageQuery("SELECT a, b FROM t", {"a", "b"}, 7, PageSyntax::kLimit, true),
            "SELECT * FROM (\nSELECT a, b FROM t\n) accrochd_page WHERE (a > ?) OR (a = ? AND "
            "b > ?) ORDER BY a, b LIMIT 7");
}

TEST(BuildPageQueryTest, TrailingCommentsAreLeftOutOfTheSubquery) {
  EXPECT_EQ(BuildPageQuery("SELECT a FROM t -- the end", {"a"}, 1, PageSyntax::kLimit, false),
            "SELECT * FROM (\nSELECT a FROM t\n) accrochd_page ORDER BY a LIMIT 1");
  EXPECT_EQ(BuildPageQuery("SELECT a FROM t /* x; */ ;\n-- y", {"a"}, 1, PageSyntax::kLimit, false),
            "SELECT * FROM (\nSELECT a FROM t\n) accrochd_page ORDER BY a LIMIT 1");
  EXPECT_EQ(StripTrailingTerminator("SELECT 'a;' -- c"), "SELECT 'a;'");
}

TEST(BuildPageQueryTest, TerminatorBeforeTrailingCommentIsStripped) {
  const char* sql = "SELECT a FROM t; -- end";
  ASSERT_EQ(CheckQueryText(sql), std::nullopt);
  EXPECT_THAT(BuildPageQuery(sql, {"a"}, 10, PageSyntax::kLimit, false), Not(HasSubstr(";")));
}

TEST(PageParameterOrderTest, ExpandsTheRowComparison) {
  EXPECT_EQ(PageParameterOrder(0), (std::vector<std::size_t>{}));
  EXPECT_EQ(PageParameterOrder(1), (std::vector<std::size_t>{0}));
  EXPECT_EQ(PageParameterOrder(2), (std::vector<std::size_t>{0, 0, 1}));
  EXPECT_EQ(PageParameterOrder(3), (std::vector<std::size_t>{0, 0, 1, 0, 1, 2}));
}

TEST(PageParameterOrderTest, MatchesThePlaceholdersOfBuildPageQuery) {
  const std::string sql =
      BuildPageQuery("SELECT a, b, c FROM t", {"a", "b", "c"}, 10, PageSyntax::kLimit, true);
  EXPECT_THAT(sql, HasSubstr("WHERE (a > ?) OR (a = ? AND b > ?) OR (a = ? AND b = ? AND c > ?)"));
  EXPECT_EQ(PageParameterOrder(3).size(),
            static_cast<std::size_t>(std::count(sql.begin(), sql.end(), '?')));
}

}  // namespace
}  // namespace accrochd::source
