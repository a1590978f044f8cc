// A clock the test drives: Now() is whatever the test set, and SleepFor() returns at once after
// advancing time and recording how long it was asked to wait.
#ifndef ACCROCHD_TESTS_SUPPORT_FAKE_CLOCK_H_
#define ACCROCHD_TESTS_SUPPORT_FAKE_CLOCK_H_

#include <mutex>
#include <vector>

#include "core/clock.h"

namespace accrochd::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint{}) : now_(start) {}

  TimePoint Now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }

  bool SleepFor(Duration d, std::stop_token stop) override {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(d);
    now_ += d;
    return !stop.stop_requested();
  }

  void Advance(Duration d) {
    std::lock_guard lock(mutex_);
    now_ += d;
  }

  std::vector<Duration> sleeps() const {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  mutable std::mutex mutex_;
  TimePoint now_;
  std::vector<Duration> sleeps_;
};

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_FAKE_CLOCK_H_
