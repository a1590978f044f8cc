// The certifier's time zone: which calendar day it is there, and the UTC offset to write in a
// deposit's horodatage. Europe/Paris by default; the DROM and COM have their own zones.
//
// Backed by the system's tz database (/usr/share/zoneinfo, package tzdata) through Howard
// Hinnant's date library: g++ 12 has C++20 calendars but no std::chrono::locate_zone.
#ifndef ACCROCHD_CORE_TZ_TIMEZONE_H_
#define ACCROCHD_CORE_TZ_TIMEZONE_H_

#include <string>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/error.h"

namespace date {
class time_zone;
}

namespace accrochd {

// Cheap to copy; thread-safe.
class TimeZone {
 public:
  // "Europe/Paris", "America/Cayenne", "Indian/Reunion", "UTC"...
  static Result<TimeZone> Named(const std::string& name);

  const std::string& name() const { return name_; }

  // The calendar date at `t` in this zone.
  Date LocalDate(TimePoint t) const;

  // The UTC offset at `t` in this zone, as "+01:00" / "-03:00" (two-digit hours, always signed).
  std::string UtcOffset(TimePoint t) const;

  // "YYYY-MM-DDThh:mm:ss+hh:mm" at `t` in this zone, to the second.
  std::string LocalTimestamp(TimePoint t) const;

 private:
  TimeZone(std::string name, const date::time_zone* zone) : name_(std::move(name)), zone_(zone) {}

  std::string name_;
  const date::time_zone* zone_;
};

}  // namespace accrochd

#endif  // ACCROCHD_CORE_TZ_TIMEZONE_H_
