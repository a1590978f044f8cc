// What systemd learns of the daemon (sd_notify): READY, a STATUS line, WATCHDOG pings, RELOADING
// and STOPPING. Outside systemd ($NOTIFY_SOCKET unset) every call does nothing.
#ifndef ACCROCHD_DAEMON_SERVICE_MANAGER_H_
#define ACCROCHD_DAEMON_SERVICE_MANAGER_H_

#include <chrono>
#include <optional>
#include <string>

#include "core/clock.h"

namespace accrochd::daemon {

class ServiceManager {
 public:
  ServiceManager();

  void Ready(const std::string& status);
  void Status(const std::string& status);
  void Reloading();
  void ReloadDone(const std::string& status);
  void Stopping();
  // A WATCHDOG=1 ping, at most every half interval (cheap to call often).
  void Alive();

  // The interval systemd expects pings at ($WATCHDOG_USEC), when its watchdog is on.
  std::optional<Duration> watchdog() const { return watchdog_; }

 private:
  void Notify(const std::string& state);
  std::optional<Duration> watchdog_;
  std::chrono::steady_clock::time_point last_ping_{};
};

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_SERVICE_MANAGER_H_
