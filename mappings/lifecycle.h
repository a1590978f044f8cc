// The life of a passage, as a pure function: given what the state store holds of one passage
// (PassageFacts) and one thing that happens to it (LifecycleEvent), Decide says what it becomes,
// what the history records and what the store must write. No SQL, no clock, no I/O: the store
// reads the facts, calls Decide, and persists the decision as it is.
//
// The rules, in short: a pending or quarantined passage follows its source;
// a passage in a file keeps the content it was written with until the CDC's verdict (a change is
// recorded once, and acted on at the verdict); the CDC keeps an accepted passage as it was, so a
// later change is only reported; a rejected passage goes out again when corrected, or when an
// operator asks.
#ifndef ACCROCHD_MAPPINGS_LIFECYCLE_H_
#define ACCROCHD_MAPPINGS_LIFECYCLE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace accrochd::mappings {

enum class PassageStatus {
  kPending,      // valid, waiting for a deposit (or for its day, when delivered in the future)
  kQuarantined,  // invalid: its reasons are in the quarantine
  kInDeposit,    // in a deposit file published in the outbox, not yet uploaded
  kDeposited,    // uploaded to the CDC, waiting for the accusé de traitement
  kAccepted,     // the CDC accepted it: final
  kRejected,     // the CDC rejected it: re-sent only when its data changes or on request
  // Withdrawals (schema 1.1.5, action SUPPRESSION), asked by an operator for an accepted passage
  // (`accrochd passages withdraw`), or as the first step of a correction (`passages correct`):
  kWithdrawalQueued,     // waiting for the next deposit cut to go into a SUPPRESSION file
  kWithdrawalInDeposit,  // in a SUPPRESSION file published in the outbox, not yet uploaded
  kWithdrawalDeposited,  // that file uploaded, waiting for its accusé de traitement
  kWithdrawn,            // the CDC accepted the SUPPRESSION: final (retiré)
  // Pending or quarantined when its row stopped being read (disparu de la source): never
  // deposited while it lasts; back to its observed state when the row is read again.
  kMissing,  // the last: kAllStatuses lists them all
};

// Every status, in the enumeration's order.
inline constexpr std::array<PassageStatus, 11> kAllStatuses = {PassageStatus::kPending,
                                                               PassageStatus::kQuarantined,
                                                               PassageStatus::kInDeposit,
                                                               PassageStatus::kDeposited,
                                                               PassageStatus::kAccepted,
                                                               PassageStatus::kRejected,
                                                               PassageStatus::kWithdrawalQueued,
                                                               PassageStatus::kWithdrawalInDeposit,
                                                               PassageStatus::kWithdrawalDeposited,
                                                               PassageStatus::kWithdrawn,
                                                               PassageStatus::kMissing};
static_assert(kAllStatuses.size() == static_cast<std::size_t>(PassageStatus::kMissing) + 1);

// The statuses of a withdrawal under way (queued, in a file, deposited).
bool Withdrawing(PassageStatus s);

// "pending", "quarantined", "in_deposit", "deposited", "accepted", "rejected",
// "withdrawal_queued", "withdrawal_in_deposit", "withdrawal_deposited", "withdrawn", "missing":
// the names the state store writes.
std::string_view StatusName(PassageStatus s);
std::optional<PassageStatus> ParseStatus(std::string_view name);

// What the store holds of one passage (one row of `passages`, plus whether it has quarantine
// rows). Hashes are keyed hashes: never personal data.
struct PassageFacts {
  bool exists = false;  // false: the other fields are ignored
  PassageStatus status = PassageStatus::kPending;
  // The content deposited, or to deposit: what a verdict and a change are compared with.
  std::string content_hash;
  // The content last seen in the source. Differs from content_hash after a change seen while the
  // passage waited in a file or after its acceptance.
  std::string source_hash;
  bool retry_requested = false;
  bool xsd_refused = false;  // quarantined by the XSD check of its file, not by the validator
  bool changed_after_acceptance = false;
  std::optional<std::int64_t> deposit_id;  // the deposit it was last put in
  bool has_quarantine_reasons = false;     // rows in the quarantine (read by verdicts only)
  // Withdrawals: the SUPPRESSION deposit it was last put in (deposit_id stays the CREATION the
  // CDC accepted, whose archived copy the SUPPRESSION is made from); whether the withdrawal
  // under way is the first step of a correction.
  std::optional<std::int64_t> withdrawal_deposit_id;
  bool correcting = false;
  std::int64_t corrections = 0;  // corrections it went through (its next CREATION's counter)
  // Its row is no longer read: a passage in a file, deposited, accepted or rejected keeps its
  // status and carries this flag (a pending or quarantined one becomes kMissing instead).
  bool missing_from_source = false;
  // Complete reads of its mapping in a row that did not see it (reset when it is seen again).
  std::int64_t missed_reads = 0;
};

// --- The events.

// An extraction read the passage's row.
struct Observed {
  std::string content_hash;
  bool quarantined = false;        // the validator refused it
  bool has_cursor = false;         // the row has a value of the mapping's cursor column
  std::vector<std::string> rules;  // the rule of each of the validator's reasons, in order
};
// Its file's XSD check refused it, with one reason per entry (their rules, in order).
struct XsdRefused {
  std::vector<std::string> rules;
};
// Put into a deposit file about to be published: a CREATION file (pending passages) or a
// SUPPRESSION file (passages queued for withdrawal).
struct DepositBegun {
  std::int64_t deposit_id = 0;
  std::string file_name;
  bool suppression = false;
};
// Its file never reached the outbox. Sent for every passage listed in the deposit.
struct DepositAbandoned {
  std::int64_t deposit_id = 0;
  std::string file_name;
};
// Its file was uploaded to the CDC portal.
struct Uploaded {
  std::int64_t deposit_id = 0;
  std::string file_name;
};
// The CDC's verdict on it, from the accusé de traitement of deposit `deposit_id`.
struct VerdictReceived {
  std::int64_t deposit_id = 0;
  bool accepted = false;
  std::string message;  // the CDC's, verbatim
};
// The CDC refused its whole file.
struct FileRejected {
  std::int64_t deposit_id = 0;
  std::string file_name;
};
// The accusé de traitement of its file does not mention it (sent after the verdicts).
struct AbsentFromReceipt {
  std::int64_t deposit_id = 0;
  std::string file_name;
};
// `accrochd passages retry`.
struct RetryRequested {};
// `accrochd passages withdraw` (correction = false) or `passages correct`, or `corrections:
// auto` (correction = true): a SUPPRESSION of what the CDC holds, then for a correction a
// CREATION with the source's current data once the SUPPRESSION is accepted. The deposit and
// receipt events above act on a withdrawing passage through its withdrawal_deposit_id.
struct WithdrawalRequested {
  bool correction = false;
  std::string reason;      // the operator's words (--reason), or empty
  bool automatic = false;  // queued by `corrections: auto`, not by an operator
};
// Its row is gone from the source: missed by `missing_after` complete reads of a mapping without
// a cursor, or listed by the deleted_query of a mapping with one. Nothing is withdrawn: the
// passage stops being deposited, or is flagged, and people are told (an operator decides).
// Its decision depends on the status and missing_from_source alone, so that the store can apply
// it to a whole set of passages of one status at once (a mapping may hold a million).
struct SourceMissing {
  std::string detail;  // the history entry's detail: why it is taken as gone
};

using LifecycleEvent = std::variant<Observed, XsdRefused, DepositBegun, DepositAbandoned, Uploaded,
                                    VerdictReceived, FileRejected, AbsentFromReceipt,
                                    RetryRequested, WithdrawalRequested, SourceMissing>;

// --- The decision.

// What an observation meant (observations only; kUnchanged for the other events).
enum class ObservedChange {
  kNew,
  kUnchanged,
  kUpdated,                 // a pending or quarantined passage whose content changed
  kChangedInDeposit,        // changed while its file waits: the file keeps the old data
  kChangedAfterAcceptance,  // the CDC keeps accepted passages as they were: reported only
  kChangedAfterRejection,   // a rejected passage corrected: it goes out again
  kChangedAfterWithdrawal,  // withdrawn (or being withdrawn): recorded only
};
// "new", "unchanged", "updated", "changed_in_deposit", "changed_after_acceptance",
// "changed_after_rejection", "changed_after_withdrawal".
std::string_view ObservedChangeName(ObservedChange c);

// One entry to append to the passage's history (kind and detail as the store writes them).
struct HistoryEntry {
  std::string kind;
  std::string detail;
  bool operator==(const HistoryEntry&) const = default;
};

// What to write to the passage's row. Every write but kTouchCursor also sets updated_at.
enum class PassageWrite {
  kNothing,
  // A new row: content_hash and source_hash both the observed hash, the status, the
  // observation's columns (mapping, certification, delivery, deadline, cursor), first_seen.
  kInsert,
  // The observation's columns, source_hash := the observed hash, content_hash := the observed
  // hash unless keep_content, the status, and the flags below.
  kUpdate,
  // The cursor value only, and only if it differs (an observation that changed nothing else).
  kTouchCursor,
  // The status, and the flags below.
  kStatus,
};

// What the store does with the passage's deposit_id (and withdrawal_deposit_id).
enum class DepositLink {
  kKeep,
  kSet,    // := the event's deposit (and the passage is listed in it, with its content_hash)
  kClear,  // := NULL
};

// What the store does with the passage's withdrawal facts (kStatus writes).
enum class WithdrawalWrite {
  kKeep,
  kQueue,      // withdrawal queued: correcting := the decision's `correction`
  kClear,      // correcting := 0 (the withdrawal is over, or refused)
  kCorrected,  // the SUPPRESSION of a correction accepted: corrections += 1, cdc_id_technique :=
               // NULL (the next CREATION names its own), correcting := 0,
               // changed_after_acceptance := 0 (the change is being sent)
};

// What to do with the passage's rows in the quarantine.
enum class QuarantineAction {
  kKeep,
  kClear,    // delete them
  kReplace,  // delete them, then add the event's reasons (Observed or XsdRefused)
};

struct LifecycleDecision {
  // Set when the event does not apply to the passage in its state; nothing else is then set and
  // nothing is written. Phrased to follow the passage's id (see lifecycle.cc for each).
  std::optional<std::string> refused;

  ObservedChange change = ObservedChange::kUnchanged;
  PassageStatus status = PassageStatus::kPending;  // after the event
  std::vector<HistoryEntry> history;
  PassageWrite write = PassageWrite::kNothing;
  QuarantineAction quarantine = QuarantineAction::kKeep;

  // Flags of kUpdate and kStatus.
  bool keep_content = false;         // kUpdate: content_hash stays the deposited one
  bool content_from_source = false;  // content_hash := source_hash (a correction seen earlier)
  bool clear_xsd_refused = false;
  bool set_xsd_refused = false;
  bool flag_changed_after_acceptance = false;  // changed_after_acceptance := 1 (never back to 0)
  bool clear_retry_requested = false;
  bool set_cdc_message = false;  // cdc_message := the verdict's message
  DepositLink deposit = DepositLink::kKeep;
  DepositLink withdrawal_deposit = DepositLink::kKeep;  // kSet: the passage is listed in it
  WithdrawalWrite withdrawal = WithdrawalWrite::kKeep;
  bool correction = false;                // WithdrawalWrite::kQueue: the withdrawal corrects
  bool set_withdrawal_message = false;    // withdrawal_message := the verdict's (a refusal)
  bool clear_withdrawal_message = false;  // withdrawal_message := ''

  // Observations: the source shows this content for the first time (and it differs from the
  // deposited one); and the passage's retry_requested as it was before.
  bool first_seen_change = false;
  bool retry_requested = false;

  // Disappearance (written whatever `write` says): the passage is gone from the source (status
  // kept, missing_from_source := 1, missing_since := now), or it was read again
  // (missing_from_source := 0, missed_reads := 0).
  bool set_missing_from_source = false;
  bool clear_missing = false;
};

LifecycleDecision Decide(const PassageFacts& facts, const LifecycleEvent& event);

// Whether a valid observation of the content last seen (Observed{facts.source_hash}, not
// quarantined) changes nothing of this passage: no write, no history, no quarantine action, no
// outcome to act on. True for a passage in a file, deposited, accepted, rejected (no retry asked)
// or under withdrawal whose deposited content is the one last seen and whose row was read at the
// last complete read. A cycle may then leave such a row unmapped when its source values are the
// ones last recorded (daemon/cycle/evaluation.h): what it would have decided is this.
bool QuietWhenUnchanged(const PassageFacts& facts);

// The detail of the "quarantined" entry of an observation: each rule once, in order, joined by
// "; " (rules, never messages, which could quote a value).
std::string RulesDetail(const std::vector<std::string>& rules);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_LIFECYCLE_H_
