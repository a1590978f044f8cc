#include "daemon/signals.h"

#include <csignal>

#include <pthread.h>

namespace accrochd::daemon {
namespace {

sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);  // internal: wakes the watcher when the process is done
  return set;
}

}  // namespace

SignalWatcher::SignalWatcher(std::stop_source stop) : stop_(stop) {
  sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::jthread([this](std::stop_token self) {
    sigset_t watched = WatchedSignals();
    while (!self.stop_requested()) {
      int signal = 0;
      if (sigwait(&watched, &signal) != 0) continue;
      if (signal == SIGTERM || signal == SIGINT) {
        stop_.request_stop();
      } else if (signal == SIGHUP) {
        std::function<void()> handler;
        {
          std::lock_guard lock(mutex_);
          handler = hangup_;
        }
        if (handler) {
          handler();
        } else {
          stop_.request_stop();
        }
      }
    }
  });
}

void SignalWatcher::OnHangup(std::function<void()> handler) {
  std::lock_guard lock(mutex_);
  hangup_ = std::move(handler);
}

SignalWatcher::~SignalWatcher() {
  thread_.request_stop();
  pthread_kill(thread_.native_handle(), SIGUSR1);
}

}  // namespace accrochd::daemon
