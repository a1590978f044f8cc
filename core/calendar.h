// Calendar dates. The CDC's dates are calendar dates without time zone (xsd:date with the
// pattern (19|20)YY-MM-DD); deadlines are counted in calendar months and days.
#ifndef ACCROCHD_CORE_CALENDAR_H_
#define ACCROCHD_CORE_CALENDAR_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace accrochd {

using Date = std::chrono::year_month_day;

// Strict "YYYY-MM-DD" naming a real day (2024-02-30 is refused).
std::optional<Date> ParseIsoDate(std::string_view text);

// "YYYY-MM-DD".
std::string FormatIsoDate(Date d);

// "DD/MM/YYYY", the form French readers expect in messages.
std::string FormatFrenchDate(Date d);

// Days from `from` to `to` (negative when `to` is earlier).
int DaysBetween(Date from, Date to);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_CALENDAR_H_
