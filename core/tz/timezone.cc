#include "core/tz/timezone.h"

#include <cstdio>
#include <cstdlib>

#include <date/tz.h>

#include "core/text.h"

namespace accrochd {

Result<TimeZone> TimeZone::Named(const std::string& name) {
  try {
    return TimeZone(name, date::locate_zone(name));
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kConfig, "unknown time zone " + Excerpt(name) +
                                        " (a name of the tz database, such as Europe/Paris; "
                                        "is the tzdata package installed?)");
  }
}

Date TimeZone::LocalDate(TimePoint t) const {
  auto local = zone_->to_local(std::chrono::time_point_cast<std::chrono::seconds>(t));
  auto days = date::floor<date::days>(local);
  date::year_month_day ymd(days);
  return Date{std::chrono::year(static_cast<int>(ymd.year())),
              std::chrono::month(static_cast<unsigned>(ymd.month())),
              std::chrono::day(static_cast<unsigned>(ymd.day()))};
}

std::string TimeZone::UtcOffset(TimePoint t) const {
  auto info = zone_->get_info(std::chrono::time_point_cast<std::chrono::seconds>(t));
  // Offsets are within +-14 h; the casts tell the compiler so.
  int minutes = static_cast<int>(info.offset.count() / 60);
  char sign = minutes < 0 ? '-' : '+';
  minutes = std::abs(minutes) % (24 * 60);
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%c%02d:%02d", sign, minutes / 60, minutes % 60);
  return buffer;
}

std::string TimeZone::LocalTimestamp(TimePoint t) const {
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(t);
  auto local = zone_->to_local(seconds);
  auto days = date::floor<date::days>(local);
  date::year_month_day ymd(days);
  date::hh_mm_ss<std::chrono::seconds> time(local - days);
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02d",
                static_cast<int>(ymd.year()) % 10000, static_cast<unsigned>(ymd.month()) % 13,
                static_cast<unsigned>(ymd.day()) % 32, static_cast<int>(time.hours().count()) % 24,
                static_cast<int>(time.minutes().count()) % 60,
                static_cast<int>(time.seconds().count()) % 60);
  return std::string(buffer) + UtcOffset(t);
}

}  // namespace accrochd
