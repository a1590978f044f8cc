#include "daemon/service_manager.h"

#include <systemd/sd-daemon.h>

namespace accrochd::daemon {

ServiceManager::ServiceManager() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::duration_cast<Duration>(std::chrono::microseconds(usec));
  }
}

void ServiceManager::Notify(const std::string& state) { sd_notify(0, state.c_str()); }

void ServiceManager::Ready(const std::string& status) {
  Notify("READY=1\nSTATUS=" + status);
  Alive();
}

void ServiceManager::Status(const std::string& status) { Notify("STATUS=" + status); }

void ServiceManager::Reloading() {
  // MONOTONIC_USEC lets systemd 253+ pair RELOADING with READY; older ones ignore it.
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  Notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(now.count()));
}

void ServiceManager::ReloadDone(const std::string& status) {
  Notify("READY=1\nSTATUS=" + status);
}

void ServiceManager::Stopping() { Notify("STOPPING=1\nSTATUS=arrêt en cours"); }

void ServiceManager::Alive() {
  if (!watchdog_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ping_ < *watchdog_ / 4) return;
  last_ping_ = now;
  Notify("WATCHDOG=1");
}

}  // namespace accrochd::daemon
