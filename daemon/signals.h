// Turns SIGTERM and SIGINT into a stop request, and SIGHUP into a reload request, handled on a
// thread of its own (never real work in a signal handler): the signals are blocked in every
// thread and collected with sigwait.
#ifndef ACCROCHD_DAEMON_SIGNALS_H_
#define ACCROCHD_DAEMON_SIGNALS_H_

#include <functional>
#include <mutex>
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

  // What SIGHUP does; without a handler, SIGHUP stops the process like SIGTERM. The handler
  // runs on the watcher's thread.
  void OnHangup(std::function<void()> handler);

 private:
  std::stop_source stop_;
  std::mutex mutex_;
  std::function<void()> hangup_;
  std::jthread thread_;
};

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_SIGNALS_H_
