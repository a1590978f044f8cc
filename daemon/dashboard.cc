#include "daemon/dashboard.h"

#include <algorithm>

#include "core/deadline.h"
#include "daemon/status.h"

namespace accrochd::daemon {

using store::Status;

namespace {

// Still to reach the CDC: the deadline matters.
bool AtRisk(Status s) {
  return s == Status::kPending || s == Status::kQuarantined || s == Status::kInDeposit ||
         s == Status::kRejected;
}

// The corrections under way, per certifier.
Result<void> AddCorrections(store::StateStore& store, Dashboard& d) {
  auto corrections = store.passages().CorrectionsUnderWay();
  if (!corrections) return std::unexpected(corrections.error());
  for (CertifierFigures& f : d.certifiers) {
    if (auto it = corrections->find(f.bcr); it != corrections->end()) f.corrections = it->second;
  }
  return {};
}

}  // namespace

std::int64_t CertificationFigures::Count(Status s) const {
  auto it = by_status.find(s);
  return it == by_status.end() ? 0 : it->second;
}

std::int64_t CertificationFigures::Total() const {
  std::int64_t total = 0;
  for (const auto& [status, n] : by_status) total += n;
  return total;
}

std::int64_t CertifierFigures::Count(Status s) const {
  std::int64_t n = 0;
  for (const CertificationFigures& c : certifications) n += c.Count(s);
  return n;
}

namespace {

// The passages gone from the source that keep their status (missing_from_source), per certifier.
Result<void> AddMissing(store::StateStore& store, Dashboard& d) {
  auto counts = store.missing().Counts();
  if (!counts) return std::unexpected(counts.error());
  for (CertifierFigures& c : d.certifiers) {
    auto it = counts->find(c.bcr);
    if (it == counts->end()) continue;
    c.missing_from_source = it->second.Flagged();
    auto accepted = it->second.flagged.find(store::Status::kAccepted);
    c.missing_accepted = accepted == it->second.flagged.end() ? 0 : accepted->second;
  }
  return {};
}

}  // namespace

Result<Dashboard> ComputeFigures(const Config& config, store::StateStore& store, Clock& clock) {
  Dashboard d;
  d.generated_at = clock.Now();
  d.urgent_days = config.deadlines.urgent;
  d.soon_days = config.deadlines.urgent;
  for (int days : config.deadlines.days) d.soon_days = std::max(d.soon_days, days);

  auto counts = store.passages().Counts();
  if (!counts) return std::unexpected(counts.error());
  struct Certifier {
    std::map<std::pair<std::string, std::string>, CertificationFigures> certifications;
    CertifierFigures figures;
  };
  std::map<std::string, Certifier> by_bcr;
  for (const CertifierConfig& c : config.certifiers) by_bcr[c.id_client];
  std::map<std::string, Date> today;  // per certifier: its time zone's
  for (const store::Count& c : *counts) {
    Certifier& certifier = by_bcr[c.certifier];
    CertificationFigures& cert =
        certifier.certifications[{c.certification_type, c.certification_code}];
    cert.type = c.certification_type;
    cert.code = c.certification_code;
    cert.by_status[c.status] += c.count;
    if (!today.contains(c.certifier)) today[c.certifier] = TodayFor(config, c.certifier, clock);
    const Date day = today[c.certifier];
    if (c.status == Status::kPending && c.delivery && *c.delivery > day) cert.held += c.count;
    if (!AtRisk(c.status)) continue;
    CertifierFigures& f = certifier.figures;
    if (!c.deadline) {
      f.unknown += c.count;
      continue;
    }
    const int left = DaysLeft(*c.deadline, day);
    switch (config.deadlines.Classify(left)) {
      case Urgency::kOverdue:
        f.overdue += c.count;
        break;
      case Urgency::kUrgent:
        f.urgent += c.count;
        break;
      case Urgency::kSoon:
        f.soon += c.count;
        break;
      case Urgency::kOnTime:
        (left <= d.soon_days ? f.soon : f.later) += c.count;
        break;
    }
  }

  auto deposits = store.deposits().List();
  if (!deposits) return std::unexpected(deposits.error());
  for (store::DepositRecord& deposit : *deposits) {
    if (deposit.state == "published") {
      ++by_bcr[deposit.certifier].figures.outbox_files;
      d.outbox.push_back(std::move(deposit));
    } else if (deposit.state == "uploaded") {
      ++by_bcr[deposit.certifier].figures.awaiting_receipt;
      d.awaiting.push_back(std::move(deposit));
    }
  }

  for (auto& [bcr, certifier] : by_bcr) {
    CertifierFigures f = std::move(certifier.figures);
    f.bcr = bcr;
    f.configured = CertifierByBcr(config, bcr);
    for (auto& [key, cert] : certifier.certifications) f.certifications.push_back(std::move(cert));
    d.certifiers.push_back(std::move(f));
  }
  return d;
}

Result<Dashboard> ComputeDashboard(const Config& config, store::StateStore& store, Clock& clock,
                                   std::size_t nearest) {
  auto figures = ComputeFigures(config, store, clock);
  if (!figures) return figures;
  Dashboard& d = *figures;
  auto hooks = store.hooks().List();
  if (!hooks) return std::unexpected(hooks.error());
  for (store::HookRecord& h : *hooks) d.hooks.emplace(h.deposit_id, std::move(h));
  if (auto r = AddCorrections(store, d); !r) return std::unexpected(r.error());

  if (nearest > 0) {
    std::map<std::string, Date> today;  // per certifier: its time zone's
    auto listed = store.passages().NearestDeadlines(nearest);
    if (!listed) return std::unexpected(listed.error());
    for (store::PassageRecord& p : *listed) {
      if (!today.contains(p.certifier)) today[p.certifier] = TodayFor(config, p.certifier, clock);
      const int left = DaysLeft(*p.deadline, today[p.certifier]);  // listed: it has one
      d.nearest.push_back({std::move(p), left});
    }
  }
  auto alerts = store.alerts().Counts();
  if (!alerts) return std::unexpected(alerts.error());
  d.alerts = *alerts;
  auto cycles = store.cycles().Last();
  if (!cycles) return std::unexpected(cycles.error());
  for (const store::CycleRecord& c : *cycles) {  // the most recent first
    if (!d.last_cycle) d.last_cycle = c;
    if (!d.last_success && c.result == store::CycleResult::kSuccess) d.last_success = c;
  }
  if (auto r = AddMissing(store, d); !r) return std::unexpected(r.error());
  return figures;
}

}  // namespace accrochd::daemon
