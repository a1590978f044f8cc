// Text folding and case for the names French registers hold, blanks, calendar dates, and the
// certifier's time zone (its calendar day and the UTC offset of a deposit's horodatage). Every
// instant is written out: nothing depends on the current time.
#include <chrono>
#include <cstdio>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/calendar.h"
#include "core/text.h"
#include "core/tz/timezone.h"

namespace accrochd {
namespace {

using std::chrono::day;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::month;
using std::chrono::seconds;
using std::chrono::year;

// ---- FoldForComparison ----

TEST(FoldForComparisonTest, AccentsAreDropped) {
  EXPECT_EQ(FoldForComparison("Élodie Gaëlle Françoise", true, false), "Elodie Gaelle Francoise");
  EXPECT_EQ(FoldForComparison("àâäéèêëîïôöùûüÿç", true, false), "aaaeeeeiioouuuyc");
  EXPECT_EQ(FoldForComparison("ÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÇ", true, false), "AAAEEEEIIOOUUUYC");
}

TEST(FoldForComparisonTest, LigaturesAreSpeltOut) {
  EXPECT_EQ(FoldForComparison("Œuvre cœur Æsop Straße", true, false), "OEuvre coeur AEsop Strasse");
  EXPECT_EQ(FoldForComparison("Œ", true, true), "oe");
  EXPECT_EQ(FoldForComparison("ß", true, true), "ss");
}

TEST(FoldForComparisonTest, LatinExtendedA) {
  EXPECT_EQ(FoldForComparison("Łódź Škoda Dvořák ſ", true, false), "Lodz Skoda Dvorak s");
}

TEST(FoldForComparisonTest, CaseFoldsAsciiAndAccentedLetters) {
  EXPECT_EQ(FoldForComparison("DUPONT-Martin", false, true), "dupont-martin");
  EXPECT_EQ(FoldForComparison("ÉLODIE", false, true), "élodie");  // the accent stays
  EXPECT_EQ(FoldForComparison("ŒUVRE", false, true), "œuvre");
  EXPECT_EQ(FoldForComparison("ÉLODIE", true, true), "elodie");
  EXPECT_EQ(FoldForComparison("élodie", true, true), "elodie");
}

TEST(FoldForComparisonTest, NothingToFold) {
  EXPECT_EQ(FoldForComparison("Élodie", false, false), "Élodie");
}

TEST(FoldForComparisonTest, OtherCharactersAreKept) {
  // Signs of the Latin-1 block, letters beyond Latin Extended-A, punctuation, malformed bytes.
  EXPECT_EQ(FoldForComparison("2×3÷1", true, true), "2×3÷1");
  EXPECT_EQ(FoldForComparison("Ștefan Ωmega", true, false), "Ștefan Ωmega");
  EXPECT_EQ(FoldForComparison("d'Arc-Saint  Jean", true, true), "d'arc-saint  jean");
  EXPECT_EQ(FoldForComparison("A\xFFZ", true, true), "a\xFFz");
}

// ---- ChangeCase ----

TEST(ChangeCaseTest, Ascii) {
  EXPECT_EQ(ChangeCase("Jean-Pierre d'Arc 42", true), "JEAN-PIERRE D'ARC 42");
  EXPECT_EQ(ChangeCase("Jean-Pierre D'ARC 42", false), "jean-pierre d'arc 42");
}

TEST(ChangeCaseTest, Latin1) {
  EXPECT_EQ(ChangeCase("àâäçéèêëîïôöùûüñøåæþð", true), "ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜÑØÅÆÞÐ");
  EXPECT_EQ(ChangeCase("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜÑØÅÆÞÐ", false), "àâäçéèêëîïôöùûüñøåæþð");
  EXPECT_EQ(ChangeCase("×÷", true), "×÷");
  EXPECT_EQ(ChangeCase("×÷", false), "×÷");
}

TEST(ChangeCaseTest, LatinExtendedA) {
  EXPECT_EQ(ChangeCase("œuvre łódź škoda ňž ā", true), "ŒUVRE ŁÓDŹ ŠKODA ŇŽ Ā");
  EXPECT_EQ(ChangeCase("ŒUVRE ŁÓDŹ ŠKODA ŇŽ Ā", false), "œuvre łódź škoda ňž ā");
}

TEST(ChangeCaseTest, YWithDiaeresisCrossesBlocks) {
  EXPECT_EQ(ChangeCase("ÿ", true), "Ÿ");  // U+00FF <-> U+0178
  EXPECT_EQ(ChangeCase("Ÿ", false), "ÿ");
  EXPECT_EQ(ChangeCase("L'Haÿ-les-Roses", true), "L'HAŸ-LES-ROSES");
}

TEST(ChangeCaseTest, SharpSAndOtherScriptsAreKept) {
  EXPECT_EQ(ChangeCase("straße", true), "STRAßE");
  EXPECT_EQ(ChangeCase("ß", false), "ß");
  EXPECT_EQ(ChangeCase("ωμέγα", true), "ωμέγα");
  EXPECT_EQ(ChangeCase("a\xFF", true), "A\xFF");
}

TEST(ChangeCaseTest, DotlessIUpperCasesToI) {
  EXPECT_EQ(ChangeCase("Işık", true), "IŞIK");
  EXPECT_EQ(ChangeCase("İ", false), "i");
}

// ---- Blanks ----

TEST(TrimBlanksTest, TrimsSpacesTabsLineEndsAndNoBreakSpaces) {
  EXPECT_EQ(TrimBlanks(" \t\r\n\xC2\xA0Jean Pierre\xC2\xA0 \n"), "Jean Pierre");
  EXPECT_EQ(TrimBlanks("Jean\xC2\xA0\xC2\xA0Pierre"), "Jean\xC2\xA0\xC2\xA0Pierre");
  EXPECT_EQ(TrimBlanks(" \xC2\xA0 "), "");
  EXPECT_EQ(TrimBlanks(""), "");
  EXPECT_EQ(TrimBlanks("à"), "à");            // U+00E0 is C3 A0: not a blank
  EXPECT_EQ(TrimBlanks("Noël\v"), "Noël\v");  // a vertical tab is not trimmed
}

TEST(HexTest, BytesAndBackAgain) {
  const std::string bytes("\x00\x01\x7f\x80\xab\xff", 6);
  EXPECT_EQ(Hex(bytes), "00017f80abff");
  EXPECT_EQ(Hex(""), "");
  std::string out = "kept";
  ASSERT_TRUE(AppendUnhex(out, "00017f80abff"));
  EXPECT_EQ(out, "kept" + bytes);
  // Not lower-case hexadecimal of whole bytes: refused, nothing appended.
  for (const char* hex : {"0", "ABCD", "0g", "12 4", "abc"}) {
    out = "kept";
    EXPECT_FALSE(AppendUnhex(out, hex)) << hex;
    EXPECT_EQ(out, "kept") << hex;
  }
  out.clear();
  EXPECT_TRUE(AppendUnhex(out, ""));
  EXPECT_EQ(out, "");
}

TEST(FoldBlanksTest, EveryRunBecomesOneSpace) {
  EXPECT_EQ(FoldBlanks("Jean \t\xC2\xA0 Pierre\n\nPaul"), "Jean Pierre Paul");
  EXPECT_EQ(FoldBlanks("  Jean  "), " Jean ");  // folds, does not trim
  EXPECT_EQ(FoldBlanks("a\xC2\xA0\xC2\xA0"
                       "b"),
            "a b");
  EXPECT_EQ(FoldBlanks("àé"), "àé");
}

TEST(Utf8LengthTest, CountsCharacters) {
  EXPECT_EQ(Utf8Length("Zoë😀"), 4u);
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(FirstInvalidUtf8("Zoë"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("Zo\xEB"), 2u);
}

// ---- Calendar ----

constexpr Date Ymd(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

TEST(CalendarTest, ParseIsoDate) {
  EXPECT_EQ(ParseIsoDate("2024-02-29"), Ymd(2024, 2, 29));
  EXPECT_EQ(ParseIsoDate("2026-11-26"), Ymd(2026, 11, 26));
  EXPECT_EQ(ParseIsoDate("0001-01-01"), Ymd(1, 1, 1));
  for (const char* text :
       {"2023-02-29", "2024-02-30", "2024-13-01", "2024-00-01", "2024-01-00", "2024-2-29",
        "2024-02-29 ", " 2024-02-29", "2024/02/29", "+024-02-29", "2024-0a-29", ""}) {
    EXPECT_EQ(ParseIsoDate(text), std::nullopt) << text;
  }
}

TEST(CalendarTest, FormatIsoDate) {
  EXPECT_EQ(FormatIsoDate(Ymd(2026, 1, 5)), "2026-01-05");
  EXPECT_EQ(FormatIsoDate(Ymd(999, 12, 31)), "0999-12-31");
  EXPECT_EQ(FormatIsoDate(Ymd(1, 1, 1)), "0001-01-01");
  EXPECT_EQ(FormatIsoDate(Ymd(9999, 12, 31)), "9999-12-31");
  EXPECT_EQ(FormatIsoDate(Ymd(10000, 1, 1)), "10000-01-01");  // beyond four digits: as printf
  // Every day of four centuries reads back as itself, as printf spells it.
  for (std::chrono::sys_days d = std::chrono::sys_days(Ymd(1900, 1, 1));
       d <= std::chrono::sys_days(Ymd(2299, 12, 31)); d += std::chrono::days(1)) {
    const Date date(d);
    char expected[16];
    std::snprintf(expected, sizeof(expected), "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    ASSERT_EQ(FormatIsoDate(date), expected);
    ASSERT_EQ(ParseIsoDate(FormatIsoDate(date)), date);
  }
}

TEST(CalendarTest, FormatFrenchDate) {
  EXPECT_EQ(FormatFrenchDate(Ymd(2026, 1, 5)), "05/01/2026");
  EXPECT_EQ(FormatFrenchDate(Ymd(2024, 12, 31)), "31/12/2024");
}

TEST(CalendarTest, DaysBetween) {
  EXPECT_EQ(DaysBetween(Ymd(2026, 1, 15), Ymd(2026, 4, 15)), 90);
  EXPECT_EQ(DaysBetween(Ymd(2026, 4, 15), Ymd(2026, 1, 15)), -90);
  EXPECT_EQ(DaysBetween(Ymd(2024, 2, 28), Ymd(2024, 3, 1)), 2);  // leap year
  EXPECT_EQ(DaysBetween(Ymd(2023, 2, 28), Ymd(2023, 3, 1)), 1);
  EXPECT_EQ(DaysBetween(Ymd(2026, 11, 26), Ymd(2026, 11, 26)), 0);
  EXPECT_EQ(DaysBetween(Ymd(2025, 12, 31), Ymd(2026, 1, 1)), 1);
}

// ---- TimeZone ----

// An instant given in UTC.
TimePoint Utc(int y, unsigned m, unsigned d, int h = 0, int min = 0, int s = 0) {
  return TimePoint(std::chrono::sys_days(Ymd(y, m, d)) + hours(h) + minutes(min) + seconds(s));
}

TimeZone Zone(const std::string& name) {
  auto tz = TimeZone::Named(name);
  if (!tz) {
    ADD_FAILURE() << tz.error().message();
    return TimeZone::Named("UTC").value();
  }
  return *tz;
}

TEST(TimeZoneTest, Named) {
  auto paris = TimeZone::Named("Europe/Paris");
  ASSERT_TRUE(paris.has_value()) << paris.error().message();
  EXPECT_EQ(paris->name(), "Europe/Paris");
  for (const char* name : {"America/Cayenne", "Indian/Reunion", "Pacific/Noumea", "UTC"}) {
    EXPECT_TRUE(TimeZone::Named(name).has_value()) << name;
  }
}

TEST(TimeZoneTest, UnknownZone) {
  auto tz = TimeZone::Named("Europe/Pariss");
  ASSERT_FALSE(tz.has_value());
  EXPECT_EQ(tz.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(tz.error().message(),
            "unknown time zone \"Europe/Pariss\" (a name of the tz database, such as "
            "Europe/Paris; is the tzdata package installed?)");
  EXPECT_FALSE(TimeZone::Named("").has_value());
  EXPECT_FALSE(TimeZone::Named("+01:00").has_value());
}

TEST(TimeZoneTest, LocalDateAroundMidnightUtcInParis) {
  const TimeZone paris = Zone("Europe/Paris");
  EXPECT_EQ(paris.LocalDate(Utc(2026, 11, 26, 22, 59, 59)), Ymd(2026, 11, 26));
  EXPECT_EQ(paris.LocalDate(Utc(2026, 11, 26, 23, 0, 0)), Ymd(2026, 11, 27));
  EXPECT_EQ(paris.LocalDate(Utc(2026, 11, 26, 23, 30)), Ymd(2026, 11, 27));
  // Summer: midnight in Paris is 22:00 UTC.
  EXPECT_EQ(paris.LocalDate(Utc(2026, 7, 14, 21, 59, 59)), Ymd(2026, 7, 14));
  EXPECT_EQ(paris.LocalDate(Utc(2026, 7, 14, 22, 0, 0)), Ymd(2026, 7, 15));
  // New Year's Eve.
  EXPECT_EQ(paris.LocalDate(Utc(2026, 12, 31, 23, 30)), Ymd(2027, 1, 1));
}

TEST(TimeZoneTest, LocalDateBehindUtc) {
  const TimeZone cayenne = Zone("America/Cayenne");
  EXPECT_EQ(cayenne.LocalDate(Utc(2026, 11, 27, 2, 59, 59)), Ymd(2026, 11, 26));
  EXPECT_EQ(cayenne.LocalDate(Utc(2026, 11, 27, 3, 0, 0)), Ymd(2026, 11, 27));
}

TEST(TimeZoneTest, UtcOffsets) {
  const TimeZone paris = Zone("Europe/Paris");
  EXPECT_EQ(paris.UtcOffset(Utc(2026, 1, 15, 12)), "+01:00");
  EXPECT_EQ(paris.UtcOffset(Utc(2026, 7, 15, 12)), "+02:00");
  EXPECT_EQ(Zone("America/Cayenne").UtcOffset(Utc(2026, 1, 15, 12)), "-03:00");
  EXPECT_EQ(Zone("America/Cayenne").UtcOffset(Utc(2026, 7, 15, 12)), "-03:00");
  EXPECT_EQ(Zone("Indian/Reunion").UtcOffset(Utc(2026, 1, 15, 12)), "+04:00");
  EXPECT_EQ(Zone("UTC").UtcOffset(Utc(2026, 1, 15, 12)), "+00:00");
  EXPECT_EQ(Zone("Asia/Kolkata").UtcOffset(Utc(2026, 1, 15, 12)), "+05:30");
  EXPECT_EQ(Zone("America/St_Johns").UtcOffset(Utc(2026, 1, 15, 12)), "-03:30");
}

TEST(TimeZoneTest, OffsetChangesAtTheSummerTimeSwitch) {
  // 2026-03-29: clocks go forward at 01:00 UTC; 2026-10-25: back at 01:00 UTC.
  const TimeZone paris = Zone("Europe/Paris");
  EXPECT_EQ(paris.UtcOffset(Utc(2026, 3, 29, 0, 59, 59)), "+01:00");
  EXPECT_EQ(paris.UtcOffset(Utc(2026, 3, 29, 1, 0, 0)), "+02:00");
  EXPECT_EQ(paris.UtcOffset(Utc(2026, 10, 25, 0, 59, 59)), "+02:00");
  EXPECT_EQ(paris.UtcOffset(Utc(2026, 10, 25, 1, 0, 0)), "+01:00");
}

TEST(TimeZoneTest, LocalTimestamp) {
  const TimeZone paris = Zone("Europe/Paris");
  EXPECT_EQ(paris.LocalTimestamp(Utc(2026, 11, 26, 23, 30)), "2026-11-27T00:30:00+01:00");
  EXPECT_EQ(paris.LocalTimestamp(Utc(2026, 7, 14, 10, 15, 30) + std::chrono::milliseconds(750)),
            "2026-07-14T12:15:30+02:00");  // to the second, no fraction
  EXPECT_EQ(Zone("America/Cayenne").LocalTimestamp(Utc(2026, 11, 26, 23, 30)),
            "2026-11-26T20:30:00-03:00");
  EXPECT_EQ(Zone("UTC").LocalTimestamp(Utc(2026, 1, 5, 8, 5, 9)), "2026-01-05T08:05:09+00:00");
}

TEST(TimeZoneTest, LocalTimestampAcrossTheAutumnSwitch) {
  // 02:30 local happens twice on 2026-10-25; the offset tells them apart.
  const TimeZone paris = Zone("Europe/Paris");
  EXPECT_EQ(paris.LocalTimestamp(Utc(2026, 10, 25, 0, 30)), "2026-10-25T02:30:00+02:00");
  EXPECT_EQ(paris.LocalTimestamp(Utc(2026, 10, 25, 1, 30)), "2026-10-25T02:30:00+01:00");
}

}  // namespace
}  // namespace accrochd
