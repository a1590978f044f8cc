// Reading one passage's facts and persisting what the lifecycle decided of it
// (mappings/lifecycle.h): the only code that writes a passage's row, its history and its
// quarantine rows. Used by the parts of the store that change passages (passages.h for
// observations, XSD refusals and retries; deposits.h for deposits and receipts), inside their
// transaction, under the database's lock. Statements are prepared once, on SQLite's own API.
#ifndef ACCROCHD_CONNECTORS_STORE_PASSAGE_ROWS_H_
#define ACCROCHD_CONNECTORS_STORE_PASSAGE_ROWS_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "connectors/store/records.h"
#include "connectors/store/sqlite_statement.h"
#include "mappings/lifecycle.h"

namespace accrochd::store {

// The columns of PassageFacts, in the order ReadFacts reads them (the first twelve).
inline constexpr const char* kFactsColumns =
    "status, content_hash, source_hash, retry_requested, xsd_refused, changed_after_acceptance, "
    "deposit_id, withdrawal_deposit_id, correcting, corrections, missing_from_source, "
    "missed_reads";
// "status IN ('pending', ...)": every status but those `except` names. A query for one mapping of
// a certifier names the statuses it wants, so that it goes through the index passages_status
// (certifier, status, mapping), a look-up per status, rather than through every passage of the
// certifier (the index on the mapping alone went with migration 13).
std::string StatusIn(std::initializer_list<mappings::PassageStatus> except = {});

// A passage's facts from a row of `st` selecting kFactsColumns first (exists set).
mappings::PassageFacts ReadFacts(SqliteStatement& st);
// The same into `facts`, whose strings keep their capacity (a reader of a row per passage).
void ReadFacts(SqliteStatement& st, mappings::PassageFacts& facts);

// What the lifecycle is told of an observation; the same into `seen` (its strings keep their
// capacity: one per observation of a batch).
mappings::Observed ObservedOf(const Observation& o);
void ObservedOf(const Observation& o, mappings::Observed& seen);

class PassageRows {
 public:
  explicit PassageRows(sqlite3* db);
  ~PassageRows();

  // What the store holds of a passage (exists = false when it holds nothing). The quarantine
  // rows are looked up only `with_quarantine` (verdicts need them; observations do not).
  // With `digests`, also gives the row and holder digests kept with it (Observation's).
  struct Digests {
    std::string row;
    std::string holder;
  };
  mappings::PassageFacts Facts(const std::string& certifier, const std::string& id_technique,
                               bool with_quarantine = false, Digests* digests = nullptr);
  // Keeps the observation's digests, when an observation that wrote nothing else saw others.
  void KeepDigests(const std::string& certifier, const std::string& id_technique,
                   const Observation& o);

  // What the decision's write and quarantine action need besides the decision itself.
  struct Context {
    const Observation* observation = nullptr;  // kInsert, kUpdate, kTouchCursor, reasons
    const std::vector<Observation::Reason>* reasons = nullptr;  // kReplace without observation
    std::optional<std::int64_t> deposit_id;                     // DepositLink::kSet
    // kInsert with deposit_id (InsertInDeposit): the caller writes the membership (LinkRows).
    bool membership_later = false;
    // kInsert: when the passage was observed, if not now (a held one's, staged_passages.h).
    std::optional<TimePoint> first_seen;
    // kInsert with deposit_id: the history_mark to write (InsertInDeposit).
    std::optional<std::int64_t> history_mark;
    std::string cdc_message;  // set_cdc_message

    static Context Of(const Observation& o) {
      Context c;
      c.observation = &o;
      return c;
    }
    static Context Reasons(const std::vector<Observation::Reason>& r) {
      Context c;
      c.reasons = &r;
      return c;
    }
    static Context Deposit(std::int64_t id) {
      Context c;
      c.deposit_id = id;
      return c;
    }
    static Context Message(std::string message) {
      Context c;
      c.cdc_message = std::move(message);
      return c;
    }
  };
  // Persists `decision` (never a refused one): the row, the history, the quarantine rows, and
  // for DepositLink::kSet the deposit's membership (with the content_hash it is deposited with).
  // With `only_if`, a kStatus write is made only if the passage is in that status, and nothing is
  // written (false returned) otherwise: for a decision taken on facts assumed, not read. So is a
  // kInsert of a passage the store holds already: nothing written, false returned.
  bool Apply(const std::string& certifier, const std::string& id_technique,
             const mappings::LifecycleDecision& decision, const Context& context, TimePoint now,
             std::optional<Status> only_if = std::nullopt);

  // Inserts a new passage's row pending, as its observation (made at `seen_at`) decided: a held
  // passage's (staged_passages.h) whose file was not recorded. False, nothing written, when the
  // store holds it already.
  bool InsertObserved(const Observation& o, TimePoint seen_at, TimePoint now);

  // Inserts a new passage's row as its observation (at `seen_at`) and then `begun` (the
  // DepositBegun decision of a pending passage, for deposit `deposit_id`) would have left it,
  // written once: in_deposit, with its membership (staged_passages.h). False, nothing written, when
  // the passage is in the store already or either decision is not the plain one (a quarantined
  // observation, a decision that writes more than the status): the caller then inserts it pending
  // and records the file as for any passage. With `membership_later`, the membership is not
  // written: the caller writes those of the rows it inserted, set-based (LinkRows). With
  // `history_mark`, the row's history_mark is that (the last event's id, which the caller read
  // in this transaction and knows unchanged since: rows written this way write no event), not
  // looked up again for each row.
  bool InsertInDeposit(const Observation& o, TimePoint seen_at,
                       const mappings::LifecycleDecision& begun, std::int64_t deposit_id,
                       TimePoint now, bool membership_later = false,
                       std::optional<std::int64_t> history_mark = std::nullopt);
  // The rowid of the last row inserted on this connection.
  std::int64_t LastInsertedRowid() const;
  // Writes the memberships in deposit `deposit_id` of the passages whose rowids run from `first`
  // to `last`, in rowid order, as they are; returns how many.
  int LinkRows(std::int64_t deposit_id, std::int64_t first, std::int64_t last);

  // Persists the same `decision` for every passage of `ids`, as Apply would one by one, in
  // that order: for a status write (kStatus) with history and nothing else, that leaves the
  // content hash and the CDC's idTechnique as they are (a deposit's), with a few
  // statements over the whole list (a deposit of 50,000 passages: the status, membership and
  // history rows set-based rather than 150,000 statements on the one writer's path,
  // bench/README.md); otherwise one Apply each, under a savepoint. When a passage is missing,
  // listed twice, or not in the status `only_if` names, nothing is written and false returned
  // (Apply, one by one, then tells which): the list is checked before it is written. Its
  // statements are several: the caller holds a transaction, which an error (thrown) rolls back.
  bool ApplyToAll(const std::string& certifier, const std::vector<std::string>& ids,
                  const mappings::LifecycleDecision& decision, const Context& context,
                  TimePoint now, std::optional<Status> only_if = std::nullopt);

  // Appends one history entry.
  void Record(const std::string& certifier, const std::string& id_technique, std::string_view kind,
              std::string_view detail, const std::string& at);

 private:
  sqlite3* db_;
  SqliteStatement facts_, facts_quarantine_, insert_, insert_in_deposit_, update_, touch_cursor_,
      event_, unquarantine_, quarantine_, link_, link_rows_, missing_, digests_;
  // The status writes, one statement per shape of decision (passage_rows.cc, StatusWriteSet),
  // for one passage or a list (ApplyToAll's, once its table exists), guarded by a status or not.
  SqliteStatement& StatusWrite(const mappings::LifecycleDecision& d, bool list, bool guarded);
  std::unordered_map<std::uint32_t, std::unique_ptr<SqliteStatement>> status_writes_;
  // ApplyToAll's: the list in a temporary table, and the statements over it (prepared at the
  // first use, once the table exists).
  struct ForAll;
  std::unique_ptr<ForAll> for_all_;
  // The stamp of `now`, formatted once per transaction's time rather than per row.
  const std::string& At(TimePoint now);
  TimePoint at_time_{};  // the time `at_` spells
  std::string at_;
  TimePoint seen_time_{};  // the same for an insert's first_seen other than now
  std::string seen_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_PASSAGE_ROWS_H_
