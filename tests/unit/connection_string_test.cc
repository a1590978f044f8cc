// ODBC connection strings: parsing, secrets, redaction and quoting.
#include "connectors/source/connection_string.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace accrochd::source {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// "key=value" pairs, for compact comparisons.
std::vector<std::string> Pairs(std::string_view text) {
  auto attributes = ParseConnectionString(text);
  EXPECT_TRUE(attributes.has_value()) << attributes.error().message();
  std::vector<std::string> out;
  if (!attributes) return out;
  for (const ConnectionAttribute& a : *attributes) out.push_back(a.key + "=" + a.value);
  return out;
}

std::string ParseError(std::string_view text) {
  auto attributes = ParseConnectionString(text);
  EXPECT_FALSE(attributes.has_value()) << text;
  if (attributes) return "";
  EXPECT_EQ(attributes.error().kind(), ErrorKind::kConfig);
  return attributes.error().message();
}

TEST(ParseConnectionStringTest, SplitsPlainPairs) {
  EXPECT_EQ(Pairs("Driver=PostgreSQL Unicode;Server=db;Database=scol;Uid=accrochd;"),
            (std::vector<std::string>{"Driver=PostgreSQL Unicode", "Server=db", "Database=scol",
                                      "Uid=accrochd"}));
  EXPECT_EQ(Pairs("Server=db"), (std::vector<std::string>{"Server=db"}));
  EXPECT_TRUE(Pairs("").empty());
  EXPECT_TRUE(Pairs(" ; ;").empty());
}

TEST(ParseConnectionStringTest, TrimsBlanksAroundKeysAndValues) {
  EXPECT_EQ(Pairs("  Server = db ;\tUid=\tu\t;"), (std::vector<std::string>{"Server=db", "Uid=u"}));
}

TEST(ParseConnectionStringTest, BracedValuesHoldSemicolonsAndDoubledBraces) {
  EXPECT_EQ(Pairs("Driver={SQL Server};PWD={a;b}}c} ;Uid=u"),
            (std::vector<std::string>{"Driver=SQL Server", "PWD=a;b}c", "Uid=u"}));
  EXPECT_EQ(Pairs("PWD={ keep blanks }"), (std::vector<std::string>{"PWD= keep blanks "}));
  EXPECT_EQ(Pairs("PWD={}"), (std::vector<std::string>{"PWD="}));
}

TEST(ParseConnectionStringTest, MissingEquals) {
  EXPECT_EQ(ParseError("Driver"),
            "connection string: attribute at offset 0 has no '=' (expected key=value;)");
  EXPECT_EQ(ParseError("Server=db;Oops"),
            "connection string: attribute at offset 10 has no '=' (expected key=value;)");
}

TEST(ParseConnectionStringTest, EmptyKey) {
  EXPECT_EQ(ParseError("Server=db; =x"), "connection string: empty key at offset 11");
}

TEST(ParseConnectionStringTest, UnclosedBrace) {
  EXPECT_EQ(ParseError("Server=db;PWD={abc;def"),
            "connection string: the value of \"PWD\" opens '{' without closing it");
  // A doubled '}' at the end is an escaped brace, not the closing one.
  EXPECT_EQ(ParseError("PWD={abc}}"),
            "connection string: the value of \"PWD\" opens '{' without closing it");
}

TEST(ParseConnectionStringTest, TextAfterBracedValue) {
  EXPECT_EQ(ParseError("PWD={abc}def;Uid=u"),
            "connection string: unexpected text after the braced value of \"PWD\"");
}

TEST(ParseConnectionStringTest, MissingEqualsBeforeAnotherAttribute) {
  EXPECT_EQ(ParseError("Driver;Server=db"),
            "connection string: attribute at offset 0 has no '=' (expected key=value;)");
}

TEST(RedactTest, MistypedPasswordAttributeIsNotShown) {
  EXPECT_THAT(Redact("Driver=x;Uid=u;PWD hunter2;Database=scol"), Not(HasSubstr("hunter2")));
}

TEST(IsSecretKeyTest, KnowsPasswordSpellingsWithoutCase) {
  for (const char* key : {"PWD", "pwd", "Pwd", "Password", "PASSWORD", "passwd", "Token"}) {
    EXPECT_TRUE(IsSecretKey(key)) << key;
  }
  for (const char* key : {"Uid", "User", "Server", "PWD2", "", "Passwords"}) {
    EXPECT_FALSE(IsSecretKey(key)) << key;
  }
}

TEST(FindAttributeTest, IgnoresKeyCase) {
  const std::string text = "Driver={SQL Server};SERVER=db;Uid=u;";
  EXPECT_EQ(FindAttribute(text, "server"), "db");
  EXPECT_EQ(FindAttribute(text, "Server"), "db");
  EXPECT_EQ(FindAttribute(text, "driver"), "SQL Server");
  EXPECT_EQ(FindAttribute(text, "Database"), std::nullopt);
  EXPECT_EQ(FindAttribute("Server=db;PWD={x", "Server"), std::nullopt);  // unparsable
}

TEST(RedactTest, HidesSecretValues) {
  EXPECT_EQ(Redact("Driver=PostgreSQL;Uid=u;PWD=hunter2;"), "Driver=PostgreSQL;Uid=u;PWD=***;");
  EXPECT_EQ(Redact("Server=db;password={a;b}}c};Token=t"), "Server=db;password=***;Token=***;");
  EXPECT_EQ(Redact("Driver={SQL Server};Server=db"), "Driver=SQL Server;Server=db;");
  EXPECT_EQ(Redact(""), "");
}

TEST(RedactTest, UnparsableStringIsNotShownAtAll) {
  const std::string redacted = Redact("Server=db;PWD={hunter2");
  EXPECT_EQ(redacted, "<connection string not shown: it cannot be parsed>");
  EXPECT_THAT(redacted, Not(HasSubstr("hunter2")));
  EXPECT_THAT(redacted, Not(HasSubstr("Server")));
}

TEST(AppendAttributeTest, PlainValuesAreNotBraced) {
  EXPECT_EQ(AppendAttribute("", "PWD", "plain"), "PWD=plain;");
  EXPECT_EQ(AppendAttribute("Server=db", "PWD", "p"), "Server=db;PWD=p;");
  EXPECT_EQ(AppendAttribute("Server=db;", "PWD", "a b=c"), "Server=db;PWD=a b=c;");
  EXPECT_EQ(AppendAttribute("Server=db;", "PWD", ""), "Server=db;PWD=;");
}

TEST(AppendAttributeTest, BracesOnlyWhenNeeded) {
  EXPECT_EQ(AppendAttribute("", "PWD", "a;b"), "PWD={a;b};");
  EXPECT_EQ(AppendAttribute("", "PWD", "a}b"), "PWD={a}}b};");
  EXPECT_EQ(AppendAttribute("", "PWD", "{a"), "PWD={{a};");
  EXPECT_EQ(AppendAttribute("", "PWD", " a"), "PWD={ a};");
  EXPECT_EQ(AppendAttribute("", "PWD", "a "), "PWD={a };");
  EXPECT_EQ(AppendAttribute("", "PWD", "\ta"), "PWD={\ta};");
  EXPECT_EQ(AppendAttribute("", "PWD", "a\t"), "PWD={a\t};");
}

TEST(AppendAttributeTest, HostilePasswordsRoundTrip) {
  for (const char* password :
       {"a;b}c{d", "}", "}}", "{", ";", " lead", "trail ", "  ", "x=y;z", "{}", "p@ss w0rd", ""}) {
    const std::string text = AppendAttribute("Driver=PostgreSQL;Uid=u;", "PWD", password);
    auto attributes = ParseConnectionString(text);
    ASSERT_TRUE(attributes.has_value()) << text << ": " << attributes.error().message();
    ASSERT_EQ(attributes->size(), 3u) << text;
    EXPECT_EQ((*attributes)[2].key, "PWD") << text;
    EXPECT_EQ((*attributes)[2].value, password) << text;
  }
}

}  // namespace
}  // namespace accrochd::source
