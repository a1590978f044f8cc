// The daemon: owns its parts in dependency order (style.md §8) and runs cycles.
//
// A cycle reads, for each certifier, every mapping's rows from its source, maps them onto the CDC
// dictionary, validates them (each passage is valid, held back -- delivered in the future -- or
// quarantined with its reasons) and records what it saw in the state store. A mapping with a
// cursor reads only the rows at or after its bookmark. When a deposit is cut, the cycle reads
// back every pending passage (from the lowest cursor value among them) and writes the valid,
// due ones into deposit files; the store learns of each file before it appears in the outbox and
// once it is there, so that a passage is always either in exactly one published file or pending.
#ifndef ACCROCHD_DAEMON_DAEMON_H_
#define ACCROCHD_DAEMON_DAEMON_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/deposit/publisher.h"
#include "connectors/source/odbc_source.h"
#include "connectors/source/source.h"
#include "connectors/store/state_store.h"
#include "connectors/xml/xsd_validator.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/stage_meter.h"
#include "daemon/config.h"
#include "daemon/cycle/mapping_report.h"
#include "daemon/upload_hook.h"
#include "mappings/passage.h"
#include "mappings/validator.h"

namespace accrochd::deposit {
class DepositSession;
struct DepositOutcome;
}  // namespace accrochd::deposit

namespace accrochd::daemon {

// Why a certifier got a deposit in this cycle, or not.
struct DepositDecision {
  bool cut = false;
  std::string reason;  // "schedule", "first deposit", N urgent passages, "asked", or why not
};
inline constexpr std::string_view kAskedReason = "asked";  // accrochd once: everything due

// "3 skipped (non admis: 2, hors CDC: 1)": the rows skip_when rules took out, per label (rules
// with the same label counted together); for a report with skipped rows.
std::string DescribeSkipped(const MappingReport& report);

// The reason in words an administrator reads in the log.
std::string ExplainDecision(const DepositDecision& decision);

struct CertifierFailure {
  std::string certifier;
  Error error;
};

struct CycleReport {
  std::vector<MappingReport> mappings;
  std::map<std::string, source::SourceInfo> sources;  // by source name, for those used
  std::vector<deposit::PublishedFile> files;          // published in the outbox
  std::map<std::string, DepositDecision> decisions;   // by certifier name
  std::vector<CertifierFailure> failures;             // certifiers this cycle could not serve
  // Where the cycle's time went: each stage of the extraction pipeline and the deposit session's
  // check-and-publish thread, summed over the cycle's mappings; and the cycle's wall time.
  std::vector<StageFigures> stages;
  std::chrono::nanoseconds wall{};
  // The upload hook's runs (deposit.on_publish), after the cycle's publications; not in `wall`.
  std::vector<HookRun> hooks;
  std::uint64_t Total(std::uint64_t MappingReport::*count) const;
};

// The certifiers (by name) a cycle could not serve, with why; every certifier when the cycle
// failed as a whole. What the alerts announce as « lecture de la source impossible ».
std::map<std::string, std::string> FailedCertifiers(const Config& config,
                                                    const Result<CycleReport>& cycle);

// When a cycle cuts deposits.
enum class DepositPolicy {
  kAlways,   // every certifier with a valid passage due (accrochd once)
  kPlanned,  // on the schedule, and at once for urgent passages (accrochd run)
};

// Not thread-safe; one cycle at a time.
class Daemon {
 public:
  // `config`, `logger`, `clock`, `files` and `store` must outlive the daemon. Without a store the
  // daemon can only preview. Every file it writes goes through `files`.
  Daemon(const Config& config, Logger& logger, Clock& clock, FileSystem& files,
         store::StateStore* store = nullptr);
  ~Daemon();

  // Loads the XSD deposit files are checked against, prepares the outbox (removing partial files
  // a killed run left) and settles the deposits a killed run left half-recorded. Call once
  // before RunCycle().
  [[nodiscard]] Result<void> Start();

  // One cycle over every certifier. A certifier whose source cannot be read is reported in
  // `failures`, its sources are disconnected (to connect afresh next time), and the others go
  // on. Stops early, with a kCancelled error, when `stop` is
  // requested; files not yet published are then abandoned. Then, with deposit.on_publish, the
  // upload hook runs for the published files whose run is due (every one not done, for
  // kAlways), one after the other: after every publication is recorded, outside the store's
  // lock (upload_hook.h).
  [[nodiscard]] Result<CycleReport> RunCycle(DepositPolicy policy, std::stop_token stop);

  // Maps the first `limit` rows of the mapping named `name` and hands each to `sink`; changes
  // nothing.
  [[nodiscard]] Result<MappingReport> Preview(const std::string& name, std::size_t limit,
                                              const RowSink& sink, std::stop_token stop);

  // The source named in the configuration, opened on first use.
  source::Source& SourceNamed(const std::string& name);

  // Called after every batch of rows and between steps: proof that the loop is alive (the
  // systemd watchdog).
  void SetHeartbeat(std::function<void()> heartbeat) { heartbeat_ = std::move(heartbeat); }

 private:
  struct Window;

  Result<void> Recover();
  Result<void> CompletePublished();
  Result<DepositDecision> Decide(const CertifierConfig& certifier, Date today);
  Result<void> RunCertifier(const CertifierConfig& certifier, bool deposit, CycleReport& report,
                            std::stop_token stop);
  // Adds a deposit session's files and refused passages to the report of the certifier's
  // mappings from index `first` on, and quarantines the refused passages in the store.
  Result<void> AddOutcome(const CertifierConfig& certifier, deposit::DepositOutcome outcome,
                          std::size_t first, CycleReport& report);
  Result<Window> WindowFor(const CertifierConfig& certifier, const mappings::Mapping& mapping,
                           bool deposit, std::stop_token stop);
  // Fills `report` as rows come, so that a mapping failing part-way is reported with what it
  // read before the failure.
  Result<void> Extract(const CertifierConfig& certifier, const mappings::Mapping& mapping,
                       mappings::CycleChecks& checks, std::optional<std::size_t> limit,
                       const RowSink* sink, deposit::DepositSession* session, MappingReport& report,
                       std::stop_token stop);
  // corrections: auto -- queues the correction of these accepted passages changed in the source.
  Result<void> QueueAutomaticCorrections(const CertifierConfig& certifier,
                                         const std::vector<std::string>& ids);
  // After a complete read of `mapping` (every row, no error, no limit, no stop): the passages it
  // did not see count a miss (no cursor), or those its deleted_query lists are gone (a cursor).
  // Once per mapping and cycle: a second read in the same cycle (the deposit pass) counts none.
  // A read that returned no row counts no miss (more likely a fault than every row deleted).
  Result<void> MarkGone(const CertifierConfig& certifier, const mappings::Mapping& mapping,
                        const Window& window, std::uint64_t rows_read, std::stop_token stop);
  Result<std::vector<std::string>> DeletedIds(const mappings::Mapping& mapping,
                                              const Window& window, std::stop_token stop);
  void Beat() {
    if (heartbeat_) heartbeat_();
  }

  const Config& config_;
  Logger& logger_;
  Clock& clock_;
  FileSystem& files_;
  store::StateStore* store_;
  std::map<std::string, std::unique_ptr<source::Source>> sources_;
  std::shared_ptr<const xml::XsdSchema> schema_;
  std::unique_ptr<deposit::Publisher> publisher_;
  bool incomplete_ = false;                  // a cycle failed: CompletePublished() before the next
  std::vector<StageFigures> stage_figures_;  // of the cycle running
  // (certifier BCR, mapping) whose misses this cycle counted already.
  std::set<std::pair<std::string, std::string>> gone_counted_;
  std::function<void()> heartbeat_;
};

// The ODBC settings of a configured source.
source::OdbcSourceSettings ToOdbcSettings(const SourceConfig& s);

// A cursor value moved back by `look_back`, in the form the database reads for its kind: dates
// "YYYY-MM-DD", timestamps "YYYY-MM-DD HH:MM:SS". Integers take no look-back.
Result<std::string> MoveBack(const std::string& value, Duration look_back, source::ValueKind kind);

// True when cursor value `a` comes before `b` (integers compared as numbers).
bool CursorBefore(const std::string& a, const std::string& b, source::ValueKind kind);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_DAEMON_H_
