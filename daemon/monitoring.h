// What a cycle of `accrochd run` or `accrochd once` leaves for the site's monitoring: how it
// ended, recorded in the state store, then the files of the configuration's `monitoring:`
// section -- the metrics file (metrics.h) and the HTML report (status.h, ReportPage) -- each
// replaced atomically, so that a reader never sees half of one.
#ifndef ACCROCHD_DAEMON_MONITORING_H_
#define ACCROCHD_DAEMON_MONITORING_H_

#include <chrono>

#include "connectors/store/state_store.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/file_system.h"
#include "daemon/config.h"
#include "daemon/daemon.h"

namespace accrochd::daemon {

// success: every certifier served; partial: some could not be; failure: the cycle failed.
store::CycleResult ResultOf(const Result<CycleReport>& cycle);

// Records the cycle that just ended (`result`, `duration`, ending now) and writes the metrics
// file and the report when configured. Returns the first problem; the caller logs it (a cycle's
// work is not undone for it).
[[nodiscard]] Result<void> AfterCycle(const Config& config, store::StateStore& store, Clock& clock,
                                      FileSystem& files, store::CycleResult result,
                                      std::chrono::milliseconds duration);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_MONITORING_H_
