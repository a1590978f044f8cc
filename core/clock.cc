#include "core/clock.h"

#include <condition_variable>
#include <mutex>

namespace accrochd {

TimePoint SystemClock::Now() const { return std::chrono::system_clock::now(); }

bool SystemClock::SleepFor(Duration d, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any cv;
  std::unique_lock lock(mutex);
  // With a predicate that never becomes true, this returns only on timeout or stop request.
  cv.wait_for(lock, stop, d, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace accrochd
