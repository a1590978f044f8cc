// The state store: what accrochd knows of every passage, deposit and alert, in an embedded SQLite
// database (<state>/state.db, WAL) reached through SOCI's sqlite3 backend.
//
// It holds identifiers, dates, statuses and counts -- never a name, a birth date or a NIR. A
// passage's content is kept only as a keyed hash (HMAC-SHA-256 with a key of the installation,
// <state>/hash.key), enough to see that it changed, useless to confirm who it is about. The
// passages' data stays in the certifier's database and in the deposit files.
//
// Thread-safe: every method takes the store's lock (the deposit thread records publications while
// the main thread records observations). Each method is one transaction.
#ifndef ACCROCHD_CONNECTORS_STORE_STATE_STORE_H_
#define ACCROCHD_CONNECTORS_STORE_STATE_STORE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/file_system.h"
#include "mappings/passage.h"
#include "mappings/validator.h"

namespace accrochd::store {

// The life of a passage.
enum class Status {
  kPending,      // valid, waiting for a deposit (or for its day, when delivered in the future)
  kQuarantined,  // invalid: its reasons are in the quarantine
  kInDeposit,    // in a deposit file published in the outbox, not yet uploaded
  kDeposited,    // uploaded to the CDC, waiting for the accusé de traitement
  kAccepted,     // the CDC accepted it: final
  kRejected,     // the CDC rejected it: re-sent only when its data changes or on request
};

std::string_view StatusName(Status s);  // pending, quarantined, in_deposit, deposited, ...
std::optional<Status> ParseStatus(std::string_view name);

// What one extraction says of one passage.
struct Observation {
  std::string certifier;  // the certifier's BCR
  std::string id_technique;
  std::string mapping;
  std::string certification_type;
  std::string certification_code;
  std::optional<Date> delivery;  // dateDebutValidite, when it could be read
  std::string content_hash;
  std::optional<std::string> cursor_value;  // the row's value of the mapping's cursor column
  bool quarantined = false;
  struct Reason {
    std::string field;
    std::string rule;
    std::string message;  // French; no personal data
  };
  std::vector<Reason> reasons;
};

// Where a mapping's incremental reading stopped: the highest cursor value read, and the
// fingerprint of the mapping that read it (another mapping starts over).
struct Bookmark {
  std::string certifier;
  std::string mapping;
  std::string value;
  std::string fingerprint;
};

// What the store made of an observation.
struct Outcome {
  enum class Change {
    kNew,
    kUnchanged,
    kUpdated,                 // a pending or quarantined passage whose content changed
    kChangedInDeposit,        // changed while its file waits: the file keeps the old data
    kChangedAfterAcceptance,  // the CDC keeps accepted passages as they were: reported only
    kChangedAfterRejection,   // a rejected passage corrected: it goes out again
  };
  Change change = Change::kNew;
  Status status = Status::kPending;  // after the observation
  bool retry_requested = false;       // an operator asked to send it again
  bool first_seen_change = false;     // the source shows this content for the first time
};

struct PassageRecord {
  std::string certifier;
  std::string id_technique;
  std::string mapping;
  std::string certification_type;
  std::string certification_code;
  std::optional<Date> delivery;
  std::optional<Date> deadline;
  Status status = Status::kPending;
  std::optional<std::int64_t> deposit_id;
  std::string deposit_file;
  std::string cdc_message;
  bool changed_after_acceptance = false;
  std::string first_seen;
  std::string updated_at;
};

struct DepositRecord {
  std::int64_t id = 0;
  std::string certifier;
  std::string file_name;
  std::string id_flux;
  std::string sha256;
  std::int64_t passages = 0;
  std::string state;  // publishing, published, uploaded, receipt
  std::string created_at;
  std::string published_at;
  std::string uploaded_at;
  std::string receipt_status;  // empty until the accusé de traitement; file_rejected
  std::string receipt_at;
  std::string receipt_detail;  // file_rejected: the CDC's first error, verbatim
};

struct Event {
  std::string at;
  std::string certifier;
  std::string id_technique;
  std::string kind;
  std::string detail;
};

struct QuarantineRecord {
  std::string certifier;
  std::string id_technique;
  std::string mapping;
  std::string field;
  std::string rule;
  std::string message;
  std::optional<Date> deadline;
};

// Alerts: a mark says that one thing (a passage at a threshold, a file, a rejection) was
// announced; `day` repeats it daily (overdue), empty for once. A queued alert is one message for
// one channel, rendered at queueing time (identifiers and counts only), kept until delivered or
// given up.
struct AlertMark {
  std::string subject;  // an idTechnique, a file name
  std::string kind;     // "overdue", "band:14", "rejected:<deposit>", "outbox", ...
  std::string day;      // the certifier's local date for a daily repeat; empty: once
};

struct QueuedAlert {
  std::int64_t id = 0;
  std::string created_at;  // ISO UTC
  std::string certifier;   // the certifier's BCR
  std::string kind;        // digest, daily, test
  std::string severity;    // info, urgent
  std::string channel;     // "email" or "webhook:<name>"
  std::string recipients;  // e-mail addresses, comma-separated
  std::string subject, text, html, payload;
  // E-mail only: one plain-text attachment (the full lists; identifiers only), when not empty.
  std::string attachment_name, attachment;
  std::string state;  // queued, delivered, failed
  int attempts = 0;
  std::string next_attempt_at;
  std::string last_detail;
};

// What importing an accusé de traitement did.
struct ReceiptOutcome {
  std::string deposit_file;
  std::string imported_at;
  std::string archived_as;
  bool file_rejected = false;  // the CDC refused the whole file
  int back_to_pending = 0;     // file_rejected: its passages, to deposit again
  int accepted = 0;
  int rejected = 0;
  int missing = 0;  // passages of the deposit the receipt does not mention: still deposited
  int unknown = 0;  // idTechniques of the receipt that are not in the deposit
};

class StateStore {
 public:
  // Opens (creating and migrating) <state_directory>/state.db, and reads (or makes, atomically)
  // the hash key <state_directory>/hash.key through `files`. SQLite writes state.db itself, not
  // through `files`.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& state_directory, Clock& clock,
                                                  FileSystem& files);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The keyed hash of a passage's content: every value, the certification and the
  // identification branch.
  std::string ContentHash(const mappings::Passage& passage) const;

  // Records what an extraction saw, in one transaction; with `bookmark`, stores the mapping's
  // new incremental bookmark in the same transaction, so it is never ahead of what it produced.
  Result<std::vector<Outcome>> Observe(const std::vector<Observation>& observations,
                                       const std::optional<Bookmark>& bookmark = std::nullopt);

  // The bookmark of a mapping's incremental cursor.
  Result<std::optional<Bookmark>> GetBookmark(const std::string& certifier,
                                              const std::string& mapping);

  // A SeenIndex on disk, for one cycle's uniqueness checks (mappings::CycleChecks): a temporary
  // table of the store's connection, emptied by each call (one index in use at a time). Holder
  // identities are kept only as keyed hashes.
  std::unique_ptr<mappings::SeenIndex> NewCycleIndex();

  // The lowest cursor value among a mapping's pending passages, to read them all again when a
  // deposit is cut (compared as integers when `numeric`). nullopt when none is pending; an empty
  // string when one has no cursor value (everything must be read).
  Result<std::optional<std::string>> PendingCursorFloor(const std::string& certifier,
                                                        const std::string& mapping, bool numeric);

  // Passages the XSD refused when their file was checked: quarantined with these reasons until
  // their content changes.
  Result<void> QuarantineRefused(const std::string& certifier,
                                 const std::vector<std::pair<std::string, Observation::Reason>>&
                                     refused);

  // --- Deposits. A file is recorded BEFORE it is renamed into the outbox ("publishing", its
  // passages in_deposit), and marked published after; a deposit left publishing by a crash is
  // confirmed or rolled back at the next start. So every passage is in exactly one published
  // file or still pending.
  // Fails, changing nothing, when a passage is not pending (a passage sits in one open deposit).
  Result<std::int64_t> BeginDeposit(const std::string& certifier, const std::string& file_name,
                                    const std::string& id_flux,
                                    const std::vector<std::string>& id_techniques);
  Result<void> MarkPublished(std::int64_t deposit_id, const std::string& sha256);
  // The file did not reach the outbox: its passages are pending again. `why` is for the caller's
  // log; the history records the file's name.
  Result<void> AbandonDeposit(std::int64_t deposit_id, const std::string& why);
  Result<std::vector<DepositRecord>> Deposits(const std::optional<std::string>& state = std::nullopt);
  // Records that a published file was uploaded to the CDC portal. Its passages become deposited.
  Result<DepositRecord> MarkUploaded(const std::string& file_name);

  // The CDC's verdicts on a deposited file's passages (from its accusé de traitement):
  // accepted passages are final, rejected ones keep the CDC's message and wait for a correction.
  struct Verdict {
    std::string id_technique;
    bool accepted = false;
    std::string message;  // the CDC's
  };
  Result<void> RecordVerdicts(const std::string& file_name, const std::string& receipt_status,
                              const std::vector<Verdict>& verdicts);

  // --- Accusés de traitement.
  // The deposit a receipt is about: by idFlux, else by the deposited file's name.
  Result<std::optional<DepositRecord>> FindDeposit(const std::optional<std::string>& id_flux,
                                                   const std::optional<std::string>& file_name);
  // What an earlier import of the receipt with this SHA-256 did; nullopt if never imported.
  Result<std::optional<ReceiptOutcome>> ReceiptImported(const std::string& sha256);
  struct ReceiptFacts {
    std::string sha256;  // of the receipt's bytes: a receipt is imported once
    std::string name;    // its file name
    std::string id_traitement;
    std::int64_t deposit_id = 0;
    std::string status;  // "traite" when the passages were processed
    bool file_rejected = false;
    std::string file_error;  // the CDC's first error about the file, verbatim
    std::vector<Verdict> verdicts;
    std::string archived_as;
  };
  // In one transaction: the verdicts (or, for a rejected file, its passages back to pending),
  // the passages the receipt does not mention recorded as missing, and the receipt itself.
  Result<ReceiptOutcome> ApplyReceipt(const ReceiptFacts& receipt);
  // `accrochd passages retry`: rejected passages go back to pending, to be deposited again as
  // they are. Returns a problem per id that could not be (unknown, not rejected).
  Result<std::vector<std::string>> RequestRetry(const std::vector<std::string>& ids);

  // --- Reading, for status, history and the planner.
  Result<std::vector<PassageRecord>> Passages();
  // Counts by certifier, certification, status and deadline (NULL deadline: unknown).
  struct Count {
    std::string certifier;
    std::string certification_type;
    std::string certification_code;
    Status status = Status::kPending;
    std::optional<Date> deadline;
    std::optional<Date> delivery;  // only for pending passages: due or not yet
    std::int64_t count = 0;
  };
  Result<std::vector<Count>> Counts();
  // The `limit` passages not yet accepted with the nearest deadlines.
  Result<std::vector<PassageRecord>> NearestDeadlines(std::size_t limit);
  Result<std::vector<PassageRecord>> PassagesWithId(const std::string& id_technique);
  Result<std::vector<Event>> History(const std::string& id_technique);
  Result<std::vector<QuarantineRecord>> Quarantine();
  Result<void> AddEvent(const std::string& certifier, const std::string& id_technique,
                        const std::string& kind, const std::string& detail);

  // For the planner: a certifier's pending passages due by `today` (delivered on or before it),
  // and how many of them have their deadline on or before `urgent_by`.
  struct PendingFacts {
    std::int64_t due = 0;
    std::int64_t urgent = 0;
  };
  Result<PendingFacts> Pending(const std::string& certifier, Date today, Date urgent_by);

  // --- Alerts.
  // A certifier's passages an alert may speak of: rejected and quarantined ones, those the
  // CDC has not accepted yet (pending and due, in a file, deposited and waiting for their
  // accusé de traitement) with a deadline on or before `horizon`, and deposited ones whose
  // file's receipt did not mention them.
  Result<std::vector<PassageRecord>> AlertCandidates(const std::string& certifier, Date today,
                                                     Date horizon);
  // For each mark, whether it was already recorded for `certifier`.
  Result<std::vector<bool>> MarksRecorded(const std::string& certifier,
                                          const std::vector<AlertMark>& marks);
  // Records the marks and queues the messages in one transaction: a restart neither loses an
  // alert nor announces again what was queued.
  Result<void> QueueAlerts(const std::string& certifier, const std::vector<AlertMark>& marks,
                           const std::vector<QueuedAlert>& messages);
  // Queued messages whose next attempt is due.
  Result<std::vector<QueuedAlert>> DueAlerts();
  Result<std::vector<QueuedAlert>> Alerts();
  // Empties the bodies (text, HTML, payload, attachment) of the messages delivered or given up
  // before `before`, keeping their row (when, to whom, how it went). Returns how many.
  Result<int> PruneAlertBodies(TimePoint before);
  // After a send: "delivered", "failed" (given up), or "queued" again for `next_attempt`.
  Result<void> RecordAlertAttempt(std::int64_t id, const std::string& state,
                                  const std::string& detail,
                                  std::optional<TimePoint> next_attempt);
  // When the last alert of `kind` was queued for a certifier (ISO UTC), if ever.
  Result<std::optional<std::string>> LastAlertAt(const std::string& certifier,
                                                 const std::string& kind);

  // The time of the last deposit cut for a certifier (ISO UTC), if any.
  Result<std::optional<std::string>> LastDepositAt(const std::string& certifier);

  const std::string& path() const { return path_; }

 private:
  struct Impl;
  struct Hot;
  Hot& HotStatements();  // under mutex_
  class DiskSeenIndex;
  std::optional<std::string> SeenInsertHolder(const std::string& key,
                                              const std::vector<std::string>& traits,
                                              const std::string& id_technique);
  std::optional<std::string> SeenInsert(mappings::SeenIndex::Kind kind, const std::string& key,
                                        const std::string& id_technique);
  std::string Keyed(std::string_view data) const;  // HMAC-SHA-256, hex
  StateStore(std::unique_ptr<Impl> impl, std::string path, Clock& clock, std::string key);
  std::string Now() const;

  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Hot> hot_;
  struct SeenStatements;
  std::unique_ptr<SeenStatements> seen_;
  std::string path_;
  Clock& clock_;
  std::string key_;
  mutable std::mutex mutex_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_STATE_STORE_H_
