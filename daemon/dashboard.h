// The deadline dashboard's figures, computed once from the state store for everything that shows
// them: `accrochd status` (text and --json), the HTML report (`status --html`, report_file) and
// the Prometheus metrics file (metrics_file). Identifiers and counts only: the store holds no
// name or birth data.
#ifndef ACCROCHD_DAEMON_DASHBOARD_H_
#define ACCROCHD_DAEMON_DASHBOARD_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "connectors/store/state_store.h"
#include "core/clock.h"
#include "core/error.h"
#include "daemon/config.h"

namespace accrochd::daemon {

// One certification of a certifier: its passages by status.
struct CertificationFigures {
  std::string type;  // both empty: a certification the CDC would refuse (quarantined rows)
  std::string code;
  std::map<store::Status, std::int64_t> by_status;
  std::int64_t held = 0;  // pending, delivered on a future day (not due yet)

  std::int64_t Count(store::Status s) const;
  std::int64_t Total() const;
};

// One certifier: its certifications, and its passages not yet received by the CDC (pending,
// quarantined, in a file to deposit, rejected) by deadline band. The bands do not overlap:
// overdue; urgent (deadlines.urgent days left or fewer); soon (up to `soon_days`, the largest of
// the alert thresholds and the urgent threshold); later; unknown (no readable delivery date).
struct CertifierFigures {
  std::string bcr;                                   // idClient
  const CertifierConfig* configured = nullptr;       // nullptr: no longer in the configuration
  std::vector<CertificationFigures> certifications;  // by type, then code
  std::int64_t overdue = 0, urgent = 0, soon = 0, later = 0, unknown = 0;
  std::int64_t outbox_files = 0;      // published in the outbox, not marked uploaded
  std::int64_t awaiting_receipt = 0;  // uploaded, waiting for their accusé de traitement
  // Corrections under way (their SUPPRESSION, or their CREATION after it): a correction does not
  // restart the three-month clock, their deadline stays the one of their delivery.
  std::int64_t corrections = 0;
  // Gone from the source, in a file or at the CDC (status kept, flagged); those pending or
  // quarantined when they went are counted as status missing.
  std::int64_t missing_from_source = 0;
  std::int64_t missing_accepted = 0;  // of which accepted: to withdraw, if an operator decides

  std::int64_t Count(store::Status s) const;  // over its certifications
};

struct Dashboard {
  TimePoint generated_at;
  int urgent_days = 0;
  int soon_days = 0;
  // Every configured certifier, and any other the store knows, by BCR.
  std::vector<CertifierFigures> certifiers;
  // The passages not yet accepted with the nearest deadlines (as many as asked), with the days
  // left before each deadline in its certifier's calendar (negative: overdue).
  struct Deadline {
    store::PassageRecord passage;
    int days_left = 0;
  };
  std::vector<Deadline> nearest;
  std::vector<store::DepositRecord> outbox;    // published, not marked uploaded
  std::vector<store::DepositRecord> awaiting;  // uploaded, no receipt yet
  // The upload hook's record of each file it ran for (deposit.on_publish), by deposit id.
  std::map<std::int64_t, store::HookRecord> hooks;
  store::AlertCounts alerts;
  std::optional<store::CycleRecord> last_cycle;    // the last one to end, whatever its result
  std::optional<store::CycleRecord> last_success;  // the last one that served every certifier
};

// The passages' counts and deadline bands per certifier and the outbox and awaiting files only
// (certifiers, outbox, awaiting): what the status line needs, at the cost of one pass over the
// passages.
Result<Dashboard> ComputeFigures(const Config& config, store::StateStore& store, Clock& clock);

// The dashboard with the `nearest` nearest deadlines (0: none listed).
Result<Dashboard> ComputeDashboard(const Config& config, store::StateStore& store, Clock& clock,
                                   std::size_t nearest);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_DASHBOARD_H_
