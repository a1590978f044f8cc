// The only door to "now" (style.md §3). Deadlines depend on today's date, and retries wait; both
// go through a Clock so that tests can drive time with a fake and the daemon can interrupt a
// wait when it is asked to stop. Nothing else in accrochd calls system_clock::now().
#ifndef ACCROCHD_CORE_CLOCK_H_
#define ACCROCHD_CORE_CLOCK_H_

#include <chrono>
#include <stop_token>

#include "core/duration.h"

namespace accrochd {

using TimePoint = std::chrono::system_clock::time_point;

// Thread-safe: Now() and SleepFor() may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;

  virtual TimePoint Now() const = 0;

  // Waits for `d`, or until a stop is requested on `stop`. Returns false when the wait was cut
  // short by a stop request.
  virtual bool SleepFor(Duration d, std::stop_token stop) = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  bool SleepFor(Duration d, std::stop_token stop) override;
};

}  // namespace accrochd

#endif  // ACCROCHD_CORE_CLOCK_H_
