#include "daemon/monitoring.h"

#include "daemon/dashboard.h"
#include "daemon/metrics.h"
#include "daemon/status.h"

namespace accrochd::daemon {

namespace {

// Read by node_exporter and the web server, which run as other users: nothing in these files is
// personal (identifiers and counts).
constexpr FileMode kPublicFile{0644, std::nullopt};

}  // namespace

store::CycleResult ResultOf(const Result<CycleReport>& cycle) {
  if (!cycle) return store::CycleResult::kFailure;
  return cycle->failures.empty() ? store::CycleResult::kSuccess : store::CycleResult::kPartial;
}

Result<void> AfterCycle(const Config& config, store::StateStore& store, Clock& clock,
                        FileSystem& files, store::CycleResult result,
                        std::chrono::milliseconds duration) {
  if (auto r = store.cycles().Record({result, clock.Now(), duration}); !r) return r;
  const MonitoringConfig& m = config.monitoring;
  if (!m.metrics_file && !m.report_file) return {};
  auto dashboard = ComputeDashboard(config, store, clock, m.report_file ? kEveryDeadline : 0);
  if (!dashboard) return std::unexpected(dashboard.error());
  Result<void> outcome;
  if (m.metrics_file) {
    auto r = WriteFileAtomically(files, *m.metrics_file, kPublicFile, MetricsText(*dashboard));
    if (!r) outcome = std::unexpected(r.error().WithContext("monitoring.metrics_file"));
  }
  if (m.report_file) {
    auto page = ReportPage(config, *dashboard);
    Result<void> r = page ? WriteFileAtomically(files, *m.report_file, kPublicFile, *page)
                          : Result<void>(std::unexpected(page.error()));
    if (!r && outcome) outcome = std::unexpected(r.error().WithContext("monitoring.report_file"));
  }
  return outcome;
}

}  // namespace accrochd::daemon
