// What the state store holds and answers, as plain values: identifiers, dates, statuses, counts
// and keyed hashes -- never a name, a birth date or a NIR. Times are time points (UTC), dates
// calendar dates.
#ifndef ACCROCHD_CONNECTORS_STORE_RECORDS_H_
#define ACCROCHD_CONNECTORS_STORE_RECORDS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "mappings/lifecycle.h"

namespace accrochd::store {

// The life of a passage: the domain's (mappings/lifecycle.h), which decides every change.
using Status = mappings::PassageStatus;
using mappings::ParseStatus;
using mappings::StatusName;

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
  // Keyed digests (raw bytes; empty: none): the row's source values (KnownRows::Digest), and its
  // holder's record in the cycle's uniqueness index (empty when the row was not valid). Kept so
  // that a later cycle can leave the row unmapped while they stay the same.
  std::string row_digest;
  std::string holder_record;
  bool quarantined = false;
  // Valid, and handed this cycle to a deposit file that records its passages
  // (DepositStore::Begin): a new passage's row may then wait for that record, to be written once
  // (staged_passages.h).
  bool to_deposit = false;
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
  using Change = mappings::ObservedChange;
  Change change = Change::kNew;
  Status status = Status::kPending;  // after the observation
  bool retry_requested = false;      // an operator asked to send it again
  bool first_seen_change = false;    // the source shows this content for the first time
  std::int64_t corrections = 0;      // corrections it went through: its CREATION's counter
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
  TimePoint first_seen;
  TimePoint updated_at;
  // Withdrawals and corrections (1.1.5): the idTechnique the CDC knows it by (its own unless a
  // correction deposited it under a derived one), the SUPPRESSION file it was last put in,
  // whether the withdrawal under way corrects it, how many corrections it went through, and the
  // CDC's message when it refused the last withdrawal.
  std::string cdc_id_technique;
  std::optional<std::int64_t> withdrawal_deposit_id;
  std::string withdrawal_file;
  bool correcting = false;
  std::int64_t corrections = 0;
  std::string withdrawal_message;
};

// A passage queued for withdrawal, for the SUPPRESSION file of the next cut: the CREATION file
// the CDC accepted it in (whose archived copy holds what the CDC holds of the holder).
struct WithdrawalRecord {
  std::string id_technique;      // the store's key
  std::string cdc_id_technique;  // the idTechnique the CDC knows it by
  std::string creation_file;     // the CREATION deposit file's name; empty if unknown
  std::string certification_type;
  std::string certification_code;
  bool correcting = false;
};

struct DepositRecord {
  std::int64_t id = 0;
  std::string certifier;
  std::string file_name;
  std::string id_flux;
  std::string sha256;
  std::int64_t passages = 0;
  std::string state;  // publishing, published, uploaded, receipt
  TimePoint created_at;
  std::optional<TimePoint> published_at;
  std::optional<TimePoint> uploaded_at;
  std::string receipt_status;  // empty until the accusé de traitement; file_rejected
  std::optional<TimePoint> receipt_at;
  std::string receipt_detail;       // file_rejected: the CDC's first error, verbatim
  std::string action = "CREATION";  // the file's cpf:action: CREATION or SUPPRESSION
};

struct Event {
  TimePoint at;
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

// Counts by certifier, certification, status and deadline (no deadline: unknown).
struct Count {
  std::string certifier;
  std::string certification_type;
  std::string certification_code;
  Status status = Status::kPending;
  std::optional<Date> deadline;
  std::optional<Date> delivery;  // only for pending passages: due or not yet
  std::int64_t count = 0;
};

// For the planner: a certifier's pending passages due by a day, and how many of them have their
// deadline on or before an urgency day.
struct PendingFacts {
  std::int64_t due = 0;
  std::int64_t urgent = 0;
};

// The CDC's verdict on one passage of a deposited file (from its accusé de traitement).
struct Verdict {
  std::string id_technique;
  bool accepted = false;
  std::string message;  // the CDC's
};

// An accusé de traitement to record.
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

// What importing an accusé de traitement did.
struct ReceiptOutcome {
  std::string deposit_file;
  TimePoint imported_at;
  std::string archived_as;
  bool file_rejected = false;  // the CDC refused the whole file
  int back_to_pending = 0;     // file_rejected: its passages, to deposit again
  int accepted = 0;
  int rejected = 0;
  int missing = 0;  // passages of the deposit the receipt does not mention: still deposited
  int unknown = 0;  // idTechniques of the receipt that are not in the deposit
  std::string action = "CREATION";  // the deposit's: for SUPPRESSION, accepted means withdrawn
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
  TimePoint created_at;
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
  TimePoint next_attempt_at;
  std::string last_detail;
};

// How many messages of the alert queue are in each state.
struct AlertCounts {
  std::int64_t queued = 0;     // waiting to be sent, retries included
  std::int64_t delivered = 0;  // since the state store was made
  std::int64_t failed = 0;     // given up, since the state store was made
};

// How a cycle ended: every certifier served, some not (a source unreachable), or not at all.
enum class CycleResult { kSuccess, kPartial, kFailure };
std::string_view CycleResultName(CycleResult r);  // success, partial, failure

// The last cycle that ended with `result`.
struct CycleRecord {
  CycleResult result = CycleResult::kSuccess;
  TimePoint ended_at;
  std::chrono::milliseconds duration{};
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_RECORDS_H_
