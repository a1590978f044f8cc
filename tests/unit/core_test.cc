// The core vocabulary: durations, UTF-8 text helpers, retry backoff, diagnostics, errors.
#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/diagnostic.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/retry.h"
#include "core/text.h"
#include "core/thread_priority.h"

namespace accrochd {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr std::string_view kUnitsHint =
    "expected a duration such as \"30s\", \"5min\", \"1h 30min\" or \"2d\" (units: ms, s, min, h, "
    "d)";

// ---- ParseDuration / FormatDuration ----

TEST(ParseDurationTest, AcceptsEveryUnit) {
  EXPECT_EQ(ParseDuration("500ms").value(), milliseconds(500));
  EXPECT_EQ(ParseDuration("30s").value(), milliseconds(30'000));
  EXPECT_EQ(ParseDuration("5min").value(), milliseconds(300'000));
  EXPECT_EQ(ParseDuration("2h").value(), milliseconds(7'200'000));
  EXPECT_EQ(ParseDuration("2d").value(), milliseconds(172'800'000));
}

TEST(ParseDurationTest, AddsParts) {
  EXPECT_EQ(ParseDuration("1h 30min").value(), milliseconds(5'400'000));
  EXPECT_EQ(ParseDuration("1h30min").value(), milliseconds(5'400'000));
  EXPECT_EQ(ParseDuration("  1min 1s 1ms  ").value(), milliseconds(61'001));
  EXPECT_EQ(ParseDuration("0s").value(), milliseconds(0));
}

TEST(ParseDurationTest, RefusesBareNumberNamingTheUnits) {
  auto d = ParseDuration("30");
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(d.error().message(),
            "invalid duration \"30\": missing or unknown unit; " + std::string(kUnitsHint));
}

TEST(ParseDurationTest, RefusesUnknownUnit) {
  for (const char* text : {"5m", "5sec", "1h 30minutes", "3w"}) {
    auto d = ParseDuration(text);
    ASSERT_FALSE(d.has_value()) << text;
    EXPECT_THAT(d.error().message(), HasSubstr("invalid duration \"" + std::string(text) +
                                               "\": missing or unknown unit"))
        << text;
  }
}

TEST(ParseDurationTest, AcceptsABlankBetweenNumberAndUnitAsSystemdDoes) {
  EXPECT_EQ(ParseDuration("5 min").value(), std::chrono::minutes(5));
  EXPECT_EQ(ParseDuration("1 h 30 min").value(), std::chrono::minutes(90));
}

TEST(ParseDurationTest, RefusesUnitWithoutNumber) {
  auto d = ParseDuration("min");
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().message(), "invalid duration \"min\": " + std::string(kUnitsHint));
}

TEST(ParseDurationTest, RefusesEmpty) {
  for (const char* text : {"", "   "}) {
    auto d = ParseDuration(text);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().message(), "empty duration: " + std::string(kUnitsHint));
  }
}

TEST(ParseDurationTest, RefusesOverflow) {
  // Too many digits for a 64-bit number.
  auto digits = ParseDuration("99999999999999999999ms");
  ASSERT_FALSE(digits.has_value());
  EXPECT_EQ(digits.error().message(), "duration \"99999999999999999999ms\" is too large");
  // The number fits, the milliseconds do not (2^63 ms is about 106751991167 days).
  EXPECT_TRUE(ParseDuration("106751991167d").has_value());
  auto days = ParseDuration("106751991168d");
  ASSERT_FALSE(days.has_value());
  EXPECT_EQ(days.error().message(), "duration \"106751991168d\" is too large");
  // The sum overflows although each part fits.
  auto sum = ParseDuration("106751991167d 106751991167d");
  ASSERT_FALSE(sum.has_value());
  EXPECT_THAT(sum.error().message(), HasSubstr("is too large"));
}

TEST(FormatDurationTest, ShortestExactSpelling) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(90'000)), "1min 30s");
  EXPECT_EQ(FormatDuration(milliseconds(300'000)), "5min");
  EXPECT_EQ(FormatDuration(milliseconds(86'400'001)), "1d 1ms");
  EXPECT_EQ(FormatDuration(milliseconds(500)), "500ms");
}

TEST(FormatDurationTest, RoundTripsThroughParseDuration) {
  for (std::int64_t ms :
       {1LL, 999LL, 1'000LL, 61'001LL, 5'400'000LL, 93'784'005LL, 9'000'000'000'000LL}) {
    std::string text = FormatDuration(milliseconds(ms));
    auto parsed = ParseDuration(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(*parsed, milliseconds(ms)) << text;
  }
}

// ---- UTF-8 ----

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ASCII"));
  EXPECT_TRUE(IsValidUtf8("Lætitia 🎓"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
}

TEST(Utf8Test, RefusesIllFormedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\x80"));      // overlong 3-byte form
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\x80"));  // overlong 4-byte form
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000, above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated 2-byte
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated 3-byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x8E"));      // truncated 4-byte
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation byte
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC3x"));  // lead byte followed by ASCII
}

TEST(Utf8Test, FirstInvalidGivesByteOffset) {
  EXPECT_EQ(FirstInvalidUtf8("Lætitia 🎓"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("\xC0\x80"), 0u);
  EXPECT_EQ(FirstInvalidUtf8("abc\xC0\x80"), 3u);
  EXPECT_EQ(FirstInvalidUtf8("é\xED\xA0\x80"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("€x\x80"), 4u);
  EXPECT_EQ(FirstInvalidUtf8("ab\xE2\x82"), 2u);
}

TEST(Utf8Test, CodePointsDecodesWellFormedTextOnly) {
  EXPECT_EQ(CodePoints("Aé€🎓"), std::u32string(U"Aé€🎓"));
  EXPECT_EQ(CodePoints(""), std::u32string());
  EXPECT_EQ(CodePoints("ab\xE2\x82"), std::nullopt);
  EXPECT_EQ(CodePoints("\xED\xA0\x80"), std::nullopt);
}

TEST(Utf8Test, LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("Lætitia 🎓"), 9u);  // 13 bytes
  EXPECT_EQ(Utf8Length("€"), 1u);
  EXPECT_EQ(Utf8Length("Ça coûte 5 €"), 12u);
}

TEST(TextTest, EqualsIgnoreAsciiCase) {
  EXPECT_TRUE(EqualsIgnoreAsciiCase("PWD", "pwd"));
  EXPECT_TRUE(EqualsIgnoreAsciiCase("Password", "pASSWORD"));
  EXPECT_TRUE(EqualsIgnoreAsciiCase("", ""));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("PWD", "PWDX"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("PWD", "PWE"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("É", "é"));  // ASCII only
}

TEST(TextTest, ScrubSecretReplacesEveryOccurrence) {
  EXPECT_EQ(ScrubSecret("login failed for pw hunter2 (hunter2)", "hunter2"),
            "login failed for pw *** (***)");
  EXPECT_EQ(ScrubSecret("aaaa", "aa"), "******");
  EXPECT_EQ(ScrubSecret("a*b*c", "*"), "a***b***c");  // the replacement is not scanned again
  EXPECT_EQ(ScrubSecret("nothing here", "hunter2"), "nothing here");
}

TEST(TextTest, ScrubSecretWithEmptySecretIsNoOp) {
  EXPECT_EQ(ScrubSecret("unchanged text", ""), "unchanged text");
}

TEST(TextTest, XmlTextProblemNamesTheFirstForbiddenByteOrCharacter) {
  EXPECT_EQ(XmlTextProblem("Lætitia 🎓\t\r\n"), std::nullopt);
  EXPECT_EQ(XmlTextProblem("MCF\xC9R"), "invalid UTF-8 at byte 4 (\\xC9)");
  EXPECT_EQ(XmlTextProblem("é\x01"), "character U+0001 at position 2 is not allowed in XML");
  EXPECT_EQ(XmlTextProblem("a\xEF\xBF\xBF"),
            "character U+FFFF at position 2 is not allowed in XML");
  EXPECT_EQ(XmlTextProblem(std::string("a\0b", 3)),
            "character U+0000 at position 2 is not allowed in XML");
}

TEST(TextTest, ExcerptQuotesEscapesAndCuts) {
  EXPECT_EQ(Excerpt("Lætitia"), "\"Lætitia\"");
  EXPECT_EQ(Excerpt("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Excerpt("na\xFFme\x01\n"), "\"na\\xFFme\\x01\\x0A\"");
  EXPECT_EQ(Excerpt(std::string(100, 'x'), 5), "\"xxxxx\"... (100 characters)");
  EXPECT_EQ(Excerpt("ééééé\xFF", 2), "\"éé\"... (11 bytes, not UTF-8)");
}

TEST(TextTest, ShownKeepsShortCleanTextAndCutsTheRest) {
  EXPECT_EQ(Shown("/etc/accrochd/mappings/rs6521.yaml"), "/etc/accrochd/mappings/rs6521.yaml");
  EXPECT_EQ(Shown(std::string(10, 'x'), 4), "\"xxxx\"... (10 characters)");
  EXPECT_EQ(Shown("a\nb"), "\"a\\x0Ab\"");
  EXPECT_EQ(Shown("pr\xE9nom"), "\"pr\\xE9nom\"");
}

TEST(TextTest, DescribeTextGivesOnlyTheLength) {
  EXPECT_EQ(DescribeText("S3cr3t-Passw0rd"), "a text of 15 characters");
  EXPECT_EQ(DescribeText("é"), "a text of 1 character");
  EXPECT_EQ(DescribeText("\xFF\xFE"), "a text of 2 bytes, not UTF-8");
}

// ---- RetryPolicy ----

TEST(RetryPolicyTest, DefaultsDoubleFromOneSecondUpToOneMinute) {
  RetryPolicy policy;
  EXPECT_EQ(policy.max_attempts, 5);
  EXPECT_EQ(policy.DelayAfter(1), std::chrono::seconds(1));
  EXPECT_EQ(policy.DelayAfter(2), std::chrono::seconds(2));
  EXPECT_EQ(policy.DelayAfter(3), std::chrono::seconds(4));
  EXPECT_EQ(policy.DelayAfter(6), std::chrono::seconds(32));
  EXPECT_EQ(policy.DelayAfter(7), std::chrono::seconds(60));  // 64s capped
  EXPECT_EQ(policy.DelayAfter(1000), std::chrono::seconds(60));
}

TEST(RetryPolicyTest, CapIsExact) {
  RetryPolicy policy;
  policy.initial_delay = milliseconds(500);
  policy.max_delay = milliseconds(3'000);
  EXPECT_EQ(policy.DelayAfter(1), milliseconds(500));
  EXPECT_EQ(policy.DelayAfter(2), milliseconds(1'000));
  EXPECT_EQ(policy.DelayAfter(3), milliseconds(2'000));
  EXPECT_EQ(policy.DelayAfter(4), milliseconds(3'000));
  EXPECT_EQ(policy.DelayAfter(5), milliseconds(3'000));
}

// ---- Location / Diagnostic / Error ----

TEST(LocationTest, ToStringShowsWhatIsKnown) {
  EXPECT_EQ((Location{"f", 3, 7}).ToString(), "f:3:7");
  EXPECT_EQ((Location{"f", 3, 0}).ToString(), "f:3");
  EXPECT_EQ((Location{"f", 0, 0}).ToString(), "f");
  EXPECT_EQ((Location{"f", 0, 7}).ToString(), "f");  // a column without a line means nothing
  EXPECT_EQ((Location{"", 2, 1}).ToString(), "<input>:2:1");
}

TEST(DiagnosticTest, FormatsOnePerLine) {
  Diagnostics diagnostics = {{{"a.yaml", 1, 2}, "first"}, {{"b.yaml", 0, 0}, "second"}};
  EXPECT_EQ(diagnostics[0].ToString(), "a.yaml:1:2: first");
  EXPECT_EQ(FormatDiagnostics(diagnostics), "a.yaml:1:2: first\nb.yaml: second\n");
  EXPECT_EQ(FormatDiagnostics({}), "");
}

TEST(ErrorTest, WithContextPrefixesAndKeepsKind) {
  Error e(ErrorKind::kTimeout, "query took too long");
  Error c = e.WithContext("source scolarite");
  EXPECT_EQ(c.kind(), ErrorKind::kTimeout);
  EXPECT_EQ(c.message(), "source scolarite: query took too long");
  EXPECT_EQ(ErrorKindName(ErrorKind::kConfig), "configuration");
  EXPECT_EQ(ErrorKindName(ErrorKind::kSourceUnavailable), "source unavailable");
}

// Work handed to a thread of its own runs there, under its name, and gives its result; the
// caller's thread keeps its name.
TEST(ThreadTest, RunOnNamedThreadRunsTheWorkOnAThreadOfThatName) {
  const std::string caller = ThreadName();
  auto future = RunOnNamedThread("file-record", [] { return ThreadName() + ":" + "done"; });
  EXPECT_EQ(future.get(), "acc-file-record:done");
  EXPECT_EQ(ThreadName(), caller);
  // A name longer than the kernel keeps is cut to its 15 bytes.
  EXPECT_EQ(RunOnNamedThread("a-rather-long-name", [] { return ThreadName(); }).get(),
            "acc-a-rather-lo");
}

}  // namespace
}  // namespace accrochd
