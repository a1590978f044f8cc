// Turns SIGTERM and SIGINT into a stop request, handled on a thread of its own (never real work
// in a signal handler): the signals are blocked in every thread and collected with sigwait.
#ifndef ACCROCHD_DAEMON_SIGNALS_H_
#define ACCROCHD_DAEMON_SIGNALS_H_

#include <stop_token>
#include <thread>

namespace accrochd::daemon {

class SignalWatcher {
 public:
  // Must be created before any other thread, so that every thread inherits the blocked mask.
  explicit SignalWatcher(std::stop_source stop);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  std::stop_source stop_;
  std::jthread thread_;
};

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_SIGNALS_H_
