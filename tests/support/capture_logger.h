// A logger that keeps every event, so tests can assert what was logged (and what was not).
#ifndef ACCROCHD_TESTS_SUPPORT_CAPTURE_LOGGER_H_
#define ACCROCHD_TESTS_SUPPORT_CAPTURE_LOGGER_H_

#include <mutex>
#include <string>
#include <vector>

#include "core/log.h"

namespace accrochd::testing {

class CaptureLogger final : public Logger {
 public:
  void Write(const LogEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(
        Stored{event.level, event.message, std::string(event.message_id), event.fields});
  }

  struct Stored {
    LogLevel level;
    std::string message;
    std::string message_id;
    std::vector<LogField> fields;
  };

  std::vector<Stored> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

  // Every message, one per line, for assertions on content.
  std::string Text() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const Stored& e : events_) out += e.message + "\n";
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Stored> events_;
};

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_CAPTURE_LOGGER_H_
