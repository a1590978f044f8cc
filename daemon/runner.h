// `accrochd run`: the daemon's loop under systemd.
//
// Each cycle reads the sources, records what it saw and cuts the deposits the planner asks for;
// then the loop sleeps until the next cycle (run.interval). systemd hears READY once the first
// state is known, a French STATUS line after every cycle, WATCHDOG pings from the loop itself
// (between batches of rows and while it sleeps -- never from another thread, so a stuck loop
// stops pinging), RELOADING/READY around a reload and STOPPING at the end. SIGHUP reloads the
// configuration after the cycle in progress: the new one is loaded and checked whole (mappings,
// templates, XSD), and the old one stays in force if anything is wrong. SIGTERM stops at the next
// batch: the file being written is removed, the transactions in progress finish or roll back.
#ifndef ACCROCHD_DAEMON_RUNNER_H_
#define ACCROCHD_DAEMON_RUNNER_H_

#include <memory>

#include "connectors/store/state_store.h"
#include "core/error.h"
#include "daemon/config.h"
#include "daemon/state_lock.h"

namespace accrochd::daemon {

// A state directory ready for a cycle: created if needed, locked, its store open.
struct OpenState {
  StateLock lock;
  std::unique_ptr<store::StateStore> store;
};
Result<OpenState> OpenStateFor(const Config& config, Clock& clock, FileSystem& files);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_RUNNER_H_
