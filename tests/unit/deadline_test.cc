// The deadline engine: the legal deadline (date of delivery + 3 calendar months, clamped to the
// last day of the month, décret n° 2019-1490) checked as properties over every day of 2020-2030,
// the cases the law's readers ask about, days left, and the urgency thresholds.
#include "core/deadline.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/calendar.h"

namespace accrochd {
namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::month;
using std::chrono::months;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month;
using std::chrono::year_month_day_last;

constexpr Date kFirst{year(2020), month(1), day(1)};
constexpr Date kLast{year(2030), month(12), day(31)};

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

// Every day from 2020-01-01 to 2030-12-31.
std::vector<Date> EveryDay() {
  std::vector<Date> out;
  for (sys_days d = sys_days(kFirst); d <= sys_days(kLast); d += days(1)) out.emplace_back(d);
  return out;
}

day LastDayOf(year_month ym) {
  return year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month())).day();
}

TEST(DeadlineProperty, EveryDayCoversElevenYears) {
  EXPECT_EQ(EveryDay().size(), 4018u);  // 11 * 365 + 3 leap days (2020, 2024, 2028)
}

TEST(DeadlineProperty, IsARealDayInTheThirdMonthAfterDelivery) {
  for (Date delivery : EveryDay()) {
    const Date deadline = DeadlineFor(delivery);
    SCOPED_TRACE(FormatIsoDate(delivery));
    ASSERT_TRUE(deadline.ok()) << FormatIsoDate(deadline);
    ASSERT_EQ(year_month(deadline.year(), deadline.month()),
              year_month(delivery.year(), delivery.month()) + months(3));
  }
}

TEST(DeadlineProperty, KeepsTheDayOfDeliveryOrClampsToTheLastDayOfTheMonth) {
  int clamped = 0;
  for (Date delivery : EveryDay()) {
    const Date deadline = DeadlineFor(delivery);
    SCOPED_TRACE(FormatIsoDate(delivery));
    const day last = LastDayOf(year_month(deadline.year(), deadline.month()));
    if (delivery.day() <= last) {
      ASSERT_EQ(deadline.day(), delivery.day());
    } else {
      ASSERT_EQ(deadline.day(), last);
      ++clamped;
    }
  }
  // Per year, the days the third month lacks: 31 Jan (April), 31 Mar (June), 31 Aug
  // (November), and 29-30 Nov (February; only 30 Nov when February has 29 days).
  int expected = 0;
  for (int y = 2020; y <= 2030; ++y) {
    const bool next_is_leap = year(y + 1).is_leap();
    expected += 3 + (next_is_leap ? 1 : 2);
  }
  EXPECT_EQ(clamped, expected);
}

TEST(DeadlineProperty, FallsBetween89And92DaysAfterDelivery) {
  int shortest = 1000, longest = 0;
  for (Date delivery : EveryDay()) {
    const int span = DaysBetween(delivery, DeadlineFor(delivery));
    SCOPED_TRACE(FormatIsoDate(delivery));
    ASSERT_GE(span, 89);
    ASSERT_LE(span, 92);
    shortest = std::min(shortest, span);
    longest = std::max(longest, span);
  }
  // Both bounds are reached: 1 Feb 2021 -> 1 May 2021 (a February of 28 days, 89), 31 Jul ->
  // 31 Oct (92).
  EXPECT_EQ(shortest, 89);
  EXPECT_EQ(longest, 92);
  EXPECT_EQ(DaysBetween(D(2021, 2, 1), DeadlineFor(D(2021, 2, 1))), 89);
  EXPECT_EQ(DaysBetween(D(2021, 1, 31), DeadlineFor(D(2021, 1, 31))), 89);  // clamped to 30 Apr
  EXPECT_EQ(DaysBetween(D(2025, 7, 31), DeadlineFor(D(2025, 7, 31))), 92);
}

TEST(DeadlineProperty, IsMonotonicInTheDateOfDelivery) {
  const std::vector<Date> all = EveryDay();
  for (std::size_t i = 1; i < all.size(); ++i) {
    SCOPED_TRACE(FormatIsoDate(all[i]));
    const Date before = DeadlineFor(all[i - 1]);
    const Date after = DeadlineFor(all[i]);
    ASSERT_LE(sys_days(before), sys_days(after));
    // Two deliveries share a deadline only when the later one is clamped.
    if (before == after) {
      ASSERT_NE(after.day(), all[i].day());
    }
  }
}

TEST(DeadlineProperty, ReachesExactlyTheDaysTheDeliveryMonthHas) {
  // A day is the deadline of some delivery exactly when the month three months before has that
  // day: 31 July is never a deadline (April has no 31st), nor are 29-31 May after a February of
  // 28 days. Clamping folds days together; it never invents one.
  std::set<Date> deadlines;
  for (Date delivery : EveryDay()) deadlines.insert(DeadlineFor(delivery));
  EXPECT_EQ(*deadlines.begin(), D(2020, 4, 1));
  EXPECT_EQ(*deadlines.rbegin(), D(2031, 3, 31));
  for (sys_days d = sys_days(D(2020, 4, 1)); d <= sys_days(D(2031, 3, 31)); d += days(1)) {
    const Date date(d);
    SCOPED_TRACE(FormatIsoDate(date));
    const day source_last = LastDayOf(year_month(date.year(), date.month()) - months(3));
    ASSERT_EQ(deadlines.contains(date), date.day() <= source_last);
  }
  EXPECT_FALSE(deadlines.contains(D(2025, 5, 29)));
  EXPECT_TRUE(deadlines.contains(D(2024, 5, 29)));
  EXPECT_FALSE(deadlines.contains(D(2024, 7, 31)));
  EXPECT_TRUE(deadlines.contains(D(2024, 11, 30)));
}

TEST(DeadlineFor, EndsOfMonthTheLawsReadersAskAbout) {
  // 30 November -> end of February, 29 in leap years.
  EXPECT_EQ(DeadlineFor(D(2022, 11, 30)), D(2023, 2, 28));
  EXPECT_EQ(DeadlineFor(D(2023, 11, 30)), D(2024, 2, 29));
  EXPECT_EQ(DeadlineFor(D(2024, 11, 30)), D(2025, 2, 28));
  EXPECT_EQ(DeadlineFor(D(2027, 11, 30)), D(2028, 2, 29));
  EXPECT_EQ(DeadlineFor(D(2027, 11, 29)), D(2028, 2, 29));
  EXPECT_EQ(DeadlineFor(D(2026, 11, 29)), D(2027, 2, 28));
  for (int y = 2020; y <= 2030; ++y) {
    SCOPED_TRACE(y);
    const unsigned feb_last = year(y + 1).is_leap() ? 29 : 28;
    EXPECT_EQ(DeadlineFor(D(y, 11, 30)), D(y + 1, 2, feb_last));
    EXPECT_EQ(DeadlineFor(D(y, 8, 31)), D(y, 11, 30));
    EXPECT_EQ(DeadlineFor(D(y, 12, 31)), D(y + 1, 3, 31));
    EXPECT_EQ(DeadlineFor(D(y, 5, 31)), D(y, 8, 31));
    EXPECT_EQ(DeadlineFor(D(y, 3, 31)), D(y, 6, 30));
    EXPECT_EQ(DeadlineFor(D(y, 1, 31)), D(y, 4, 30));
    EXPECT_EQ(DeadlineFor(D(y, 11, 28)), D(y + 1, 2, 28));
  }
  // 29 February -> 29 May.
  EXPECT_EQ(DeadlineFor(D(2024, 2, 29)), D(2024, 5, 29));
  EXPECT_EQ(DeadlineFor(D(2028, 2, 29)), D(2028, 5, 29));
  EXPECT_EQ(DeadlineFor(D(2020, 2, 29)), D(2020, 5, 29));
  // Across the year.
  EXPECT_EQ(DeadlineFor(D(2025, 10, 15)), D(2026, 1, 15));
  EXPECT_EQ(DeadlineFor(D(2025, 12, 1)), D(2026, 3, 1));
}

TEST(DaysLeft, ZeroOnTheDeadlineNegativeAfter) {
  for (Date delivery : EveryDay()) {
    const Date deadline = DeadlineFor(delivery);
    SCOPED_TRACE(FormatIsoDate(delivery));
    ASSERT_EQ(DaysLeft(deadline, deadline), 0);
    ASSERT_EQ(DaysLeft(deadline, Date(sys_days(deadline) + days(1))), -1);
    ASSERT_EQ(DaysLeft(deadline, Date(sys_days(deadline) - days(1))), 1);
    ASSERT_EQ(DaysLeft(deadline, delivery), DaysBetween(delivery, deadline));
  }
  EXPECT_EQ(DaysLeft(D(2026, 3, 1), D(2026, 2, 1)), 28);
  EXPECT_EQ(DaysLeft(D(2026, 3, 1), D(2026, 4, 1)), -31);
  EXPECT_EQ(DaysLeft(D(2025, 1, 1), D(2024, 12, 31)), 1);  // across a year
}

// The thresholds are kept together here, small, so that a change of their type is easy to follow.
TEST(UrgencyThresholds, DefaultsAtEveryBoundary) {
  const UrgencyThresholds t;
  EXPECT_EQ(t.days, (std::vector<int>{30, 14, 7, 1}));
  EXPECT_EQ(t.urgent, 14);

  EXPECT_EQ(t.Classify(-365), Urgency::kOverdue);
  EXPECT_EQ(t.Classify(-1), Urgency::kOverdue);
  EXPECT_EQ(t.Classify(0), Urgency::kUrgent);  // the deadline itself: still urgent, not overdue
  EXPECT_EQ(t.Classify(1), Urgency::kUrgent);
  EXPECT_EQ(t.Classify(14), Urgency::kUrgent);
  EXPECT_EQ(t.Classify(15), Urgency::kSoon);
  EXPECT_EQ(t.Classify(30), Urgency::kSoon);
  EXPECT_EQ(t.Classify(31), Urgency::kOnTime);
  EXPECT_EQ(t.Classify(92), Urgency::kOnTime);

  EXPECT_EQ(t.Band(-365), -1);
  EXPECT_EQ(t.Band(-1), -1);
  EXPECT_EQ(t.Band(0), 1);
  EXPECT_EQ(t.Band(1), 1);
  EXPECT_EQ(t.Band(2), 7);
  EXPECT_EQ(t.Band(7), 7);
  EXPECT_EQ(t.Band(8), 14);
  EXPECT_EQ(t.Band(14), 14);
  EXPECT_EQ(t.Band(15), 30);
  EXPECT_EQ(t.Band(30), 30);
  EXPECT_EQ(t.Band(31), 0);
  EXPECT_EQ(t.Band(92), 0);

  EXPECT_EQ(UrgencyName(Urgency::kOverdue), "overdue");
  EXPECT_EQ(UrgencyName(Urgency::kUrgent), "urgent");
  EXPECT_EQ(UrgencyName(Urgency::kSoon), "soon");
  EXPECT_EQ(UrgencyName(Urgency::kOnTime), "on-time");
}

TEST(UrgencyThresholds, CustomAtEveryBoundary) {
  // Thresholds in any order; the urgent one need not be among them.
  UrgencyThresholds t;
  t.days = {3, 60, 21};
  t.urgent = 5;
  EXPECT_EQ(t.Classify(-1), Urgency::kOverdue);
  EXPECT_EQ(t.Classify(0), Urgency::kUrgent);
  EXPECT_EQ(t.Classify(5), Urgency::kUrgent);
  EXPECT_EQ(t.Classify(6), Urgency::kSoon);
  EXPECT_EQ(t.Classify(60), Urgency::kSoon);
  EXPECT_EQ(t.Classify(61), Urgency::kOnTime);
  EXPECT_EQ(t.Band(-1), -1);
  EXPECT_EQ(t.Band(0), 3);
  EXPECT_EQ(t.Band(3), 3);
  EXPECT_EQ(t.Band(4), 21);
  EXPECT_EQ(t.Band(21), 21);
  EXPECT_EQ(t.Band(22), 60);
  EXPECT_EQ(t.Band(60), 60);
  EXPECT_EQ(t.Band(61), 0);

  // Urgent beyond every threshold: urgent wins.
  UrgencyThresholds wide;
  wide.days = {7};
  wide.urgent = 10;
  EXPECT_EQ(wide.Classify(10), Urgency::kUrgent);
  EXPECT_EQ(wide.Classify(11), Urgency::kOnTime);
  EXPECT_EQ(wide.Band(10), 0);

  // Urgent only on the deadline day; no alert thresholds at all.
  UrgencyThresholds bare;
  bare.days = {};
  bare.urgent = 0;
  EXPECT_EQ(bare.Classify(-1), Urgency::kOverdue);
  EXPECT_EQ(bare.Classify(0), Urgency::kUrgent);
  EXPECT_EQ(bare.Classify(1), Urgency::kOnTime);
  EXPECT_EQ(bare.Band(-1), -1);
  EXPECT_EQ(bare.Band(0), 0);
  EXPECT_EQ(bare.Band(1), 0);
}

}  // namespace
}  // namespace accrochd
