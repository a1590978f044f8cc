// What accrochd tells people about the passages it keeps: the deadline dashboard (`accrochd
// status`, French, through the "status" template, or JSON for scripts), the one-line STATUS that
// systemd shows, a passage's history, and the deposit files (`accrochd deposits`).
#ifndef ACCROCHD_DAEMON_STATUS_H_
#define ACCROCHD_DAEMON_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/store/state_store.h"
#include "core/clock.h"
#include "core/error.h"
#include "daemon/commands.h"
#include "daemon/config.h"
#include "daemon/dashboard.h"
#include "templates/renderer.h"

namespace accrochd::daemon {

// The certifier configured with BCR `bcr`, if it still is.
const CertifierConfig* CertifierByBcr(const Config& config, const std::string& bcr);
// Today in the certifier's time zone (the default zone for a certifier no longer configured).
Date TodayFor(const Config& config, const std::string& bcr, Clock& clock);
// A status as certification staff say it: « en attente de dépôt », « rejeté par la CDC ».
std::string French(store::Status s);
// The same for the statuses of a withdrawal (« retiré »…); "" for the others.
std::string FrenchWithdrawal(store::Status s);
// A certification's counts of withdrawals (withdrawal_queued, …, withdrawn, has_withdrawals) and
// a certifier's corrections under way (corrections, has_corrections), for the dashboard's data.
void SetWithdrawalFigures(TemplateValue& t, const CertificationFigures& cert);
void SetCorrectionFigures(TemplateValue& c, const CertifierFigures& certifier);
// A passage's withdrawal and correction facts, for `history`.
void SetWithdrawalDetails(TemplateValue& row, const store::PassageRecord& p);

// How a passage's certification is shown, in French: "RNCP RNCP35830", or « certification non
// reconnue » for a row quarantined because the certification its columns hold was refused.
std::string CertificationLabel(const std::string& type, const std::string& code);

// The state store of a configuration that has run at least once (a usage error otherwise), for
// the commands that work beside the daemon: status, history, deposits, receipts, passages.
Result<std::unique_ptr<store::StateStore>> OpenExistingStore(const Config& config, Clock& clock,
                                                             FileSystem& files);

// Counts over every certifier, for the STATUS line and the alerts.
struct StatusSummary {
  std::int64_t pending = 0;
  std::int64_t urgent = 0;  // not yet received by the CDC, deadline within deadlines.urgent days
  std::int64_t overdue = 0;
  std::int64_t quarantined = 0;
  std::int64_t outbox = 0;  // files published, not marked uploaded
};

Result<StatusSummary> Summarize(const Config& config, store::StateStore& store, Clock& clock);

// « 12 en attente, 3 à échéance < 14 j, prochain cycle 14:05 » (template "status-line").
Result<std::string> StatusLine(const Config& config, const StatusSummary& summary,
                               TimePoint next_cycle, const std::string& failing);

// How many of the nearest deadlines the dashboard lists: 20, or every one (`status --all`).
inline constexpr std::size_t kNearestDeadlines = 20;
inline constexpr std::size_t kEveryDeadline = static_cast<std::size_t>(INT64_MAX);

// Who reads the dashboard's data. People read it through the "status" template: dates and times
// in French ("27/11/2026 14:03"). Programs read `status --json`: times in ISO 8601 with the
// offset of the configured time zone ("2026-11-27T14:03:12+01:00"), dates as "2026-11-27", a
// time or date that is not known left out.
enum class Audience { kPeople, kPrograms };

// The dashboard's data, as given to the "status" template (or written as JSON).
Result<TemplateValue> DashboardData(const Config& config, store::StateStore& store, Clock& clock,
                                    std::size_t nearest = kNearestDeadlines,
                                    Audience audience = Audience::kPeople);
// The same from figures already computed; `all` when every deadline was asked for.
TemplateValue DashboardValue(const Config& config, const Dashboard& dashboard, bool all,
                             Audience audience = Audience::kPeople);

// The version of `status --json`'s document: 2 since its times are ISO 8601 with an offset and
// its dates YYYY-MM-DD (version 1 wrote them in French, as the dashboard shows them).
inline constexpr int kStatusJsonVersion = 2;

// The HTML report for the certification staff (`status --html`, report_file): the dashboard of
// `status --all` as one self-contained page in French (template "report", values HTML-escaped).
// `dashboard` must list every deadline (kEveryDeadline).
Result<std::string> ReportPage(const Config& config, const Dashboard& dashboard);

// "2026-11-27T14:03:12+01:00": ISO 8601 in `zone`, with its offset (UTC for an unknown zone).
std::string IsoDateTime(const std::string& zone, TimePoint t);
// "27/11/2026 14:03" in `zone`.
std::string FrenchDateTime(const std::string& zone, TimePoint t);
// A time of the store said in `zone` as above; "" for no time.
std::string FrenchStamp(const std::string& zone, const std::optional<TimePoint>& t);
// ISO 8601 UTC ("2026-04-20T07:12:00Z"); "" for no time.
std::string IsoStamp(const std::optional<TimePoint>& t);

int RunStatus(const CommandContext& ctx);
int RunHistory(const CommandContext& ctx);
int RunDeposits(const CommandContext& ctx);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_STATUS_H_
