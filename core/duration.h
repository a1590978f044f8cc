// Durations as administrators write them in the configuration: "30s", "5min", "1h 30min", "2d".
// The units are systemd's (ms, s, min, h, d), so the same spelling works in the unit file and
// in accrochd.yaml. A bare number is refused: "30" could mean seconds or minutes.
#ifndef ACCROCHD_CORE_DURATION_H_
#define ACCROCHD_CORE_DURATION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "core/error.h"

namespace accrochd {

using Duration = std::chrono::milliseconds;

// Parses "1h 30min" into a duration; the error message says which part is wrong and shows the
// accepted form.
Result<Duration> ParseDuration(std::string_view text);

// The shortest exact spelling ParseDuration accepts: 90000ms -> "1min 30s".
std::string FormatDuration(Duration d);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_DURATION_H_
