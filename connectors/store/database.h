// The state store's database: <state>/state.db, an embedded SQLite database (WAL) reached through
// SOCI's sqlite3 backend, its schema and migrations, the installation's hash key, and the lock
// every part of the store takes. The parts (passages.h, deposits.h, alert_queue.h, cursors.h)
// share one Database; each of their methods is one transaction under its lock.
//
// Times are stored as ISO 8601 UTC text ("2026-03-02T09:00:00Z": it sorts as it reads) and cross
// the store's interface as time points.
#ifndef ACCROCHD_CONNECTORS_STORE_DATABASE_H_
#define ACCROCHD_CONNECTORS_STORE_DATABASE_H_

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "connectors/store/keyed_hash.h"
#include "connectors/store/staged_passages.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/file_system.h"

namespace soci {
class session;
class row;
class transaction;
}  // namespace soci

struct sqlite3;

namespace accrochd::store {

class Presence;

namespace internal {
// Result<T> for a T, and for a Result<T> itself.
template <typename T>
struct AsResult {
  using type = Result<T>;
};
template <typename T>
struct AsResult<Result<T>> {
  using type = Result<T>;
};
}  // namespace internal

class Database {
 public:
  // Opens (creating and migrating) <state_directory>/state.db, and reads (or makes, atomically)
  // the hash key <state_directory>/hash.key through `files`. SQLite writes state.db itself, not
  // through `files`.
  static Result<std::unique_ptr<Database>> Open(const std::string& state_directory, Clock& clock,
                                                FileSystem& files);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The store's lock: every method of every part takes it (the deposit thread records
  // publications while the main thread records observations).
  std::unique_lock<std::mutex> Lock() { return std::unique_lock(mutex_); }
  // Under the lock.
  soci::session& sql();
  sqlite3* handle();
  // New passages whose row waits for their deposit file's record (staged_passages.h), under
  // their own lock, taken after the store's when both are: the record stage holds passages
  // while another thread writes a file's record under the store's lock.
  StagedPassages& staged() { return staged_; }
  std::unique_lock<std::mutex> LockStaged() { return std::unique_lock(staged_mutex_); }
  // A reading connection of its own (presence.h), opened at the first use; null when it could
  // not be (the callers then ask under the lock). Thread-safe.
  Presence* reader();

  TimePoint Now() const { return clock_.Now(); }
  const std::string& path() const { return path_; }

  // HMAC-SHA-256 of `data` with the installation's key, in hex: what the store keeps of a
  // passage's content and of a holder's identity. Thread-safe.
  std::string Keyed(std::string_view data) const;
  // The same, as its 32 raw bytes.
  std::string KeyedDigest(std::string_view data) const;

  // The error a method returns when SQLite (or SOCI) threw.
  Error Failure(const std::exception& e) const;

  // What Guarded and Transact return for a body F: Result<T>, whether F returns T (void too) or
  // Result<T>.
  template <typename F>
  using Returned = typename internal::AsResult<std::invoke_result_t<F&, soci::session&>>::type;

  // Runs `body(sql)` under the store's lock: the body of a part's method. `body` returns a
  // Result<T>, or a T (void too) that becomes one; an exception it throws (SQLite's, SOCI's)
  // becomes the error Failure(e).
  template <typename F>
  Returned<F> Guarded(F&& body);
  // The same inside one transaction, committed when `body` returns a value, rolled back when it
  // returns an error or throws: an error leaves nothing of its partial work. A method that must
  // do something before its transaction begins (RelaxedSync) takes Guarded and a
  // soci::transaction of its own.
  template <typename F>
  Returned<F> Transact(F&& body);

 private:
  // A soci::transaction (which this header does not include), begun by Begin and committed by
  // Commit: rolled back when destroyed uncommitted.
  struct EndTransaction {
    void operator()(soci::transaction* tr) const;
  };
  using Transaction = std::unique_ptr<soci::transaction, EndTransaction>;
  static Transaction Begin(soci::session& sql);
  static void Commit(Transaction& tr);

  // body(sql), wrapped into a Result when it returns a value.
  template <typename F>
  static Returned<F> Call(F& body, soci::session& sql);

  struct Impl;
  Database(std::unique_ptr<Impl> impl, std::string path, Clock& clock, std::string key);

  std::unique_ptr<Impl> impl_;
  std::string path_;
  Clock& clock_;
  KeyedHash keyed_;
  StagedPassages staged_;  // under staged_mutex_
  std::mutex staged_mutex_;
  std::mutex reader_mutex_;
  bool reader_tried_ = false;
  std::unique_ptr<Presence> reader_;
  std::mutex mutex_;
};

template <typename F>
Database::Returned<F> Database::Call(F& body, soci::session& sql) {
  if constexpr (std::is_void_v<std::invoke_result_t<F&, soci::session&>>) {
    body(sql);
    return {};
  } else {
    return body(sql);
  }
}

template <typename F>
Database::Returned<F> Database::Guarded(F&& body) {
  auto lock = Lock();
  try {
    return Call(body, sql());
  } catch (const std::exception& e) {
    return std::unexpected(Failure(e));
  }
}

template <typename F>
Database::Returned<F> Database::Transact(F&& body) {
  return Guarded([&body](soci::session& sql) {
    Transaction tr = Begin(sql);
    Returned<F> out = Call(body, sql);
    if (out) Commit(tr);
    return out;
  });
}

// A row's history_mark (migration 12): the id of the last event written before it, so that the
// history entries the row holds come after that event and before the next.
inline constexpr const char* kLastEvent = "coalesce((SELECT max(id) FROM events), 0)";
// The history entry a membership holds (migration 12), of its deposit `d`.
inline constexpr const char* kMembershipEntry =
    "CASE d.action WHEN 'SUPPRESSION' THEN 'withdrawal_in_deposit' ELSE 'in_deposit' END";

// Times as the database holds them.
std::string IsoUtc(TimePoint t);
std::optional<TimePoint> ParseIsoUtc(std::string_view text);  // nullopt: empty or malformed
// A stored time: a malformed one (never written by accrochd) reads as the epoch.
TimePoint StoredTime(std::string_view text);
std::optional<TimePoint> StoredOptionalTime(std::string_view text);  // "": nullopt

// An integer column of a SOCI row: the sqlite3 backend types a column from its declaration, and
// an expression (COUNT(*), MAX(...)) has none.
std::int64_t Integer(const soci::row& r, std::size_t i);
// A stored date ("" or NULL: nullopt).
std::optional<Date> DateOf(const std::string& text);

// Observations are committed with synchronous=NORMAL: in WAL mode such a commit is atomic and
// survives a crash of the process, but not a power cut, which may lose the last ones. That is
// harmless: a lost observation is seen again at the next cycle (and a bookmark, committed in the
// same transaction, is lost with it). What must survive a power cut -- a deposit's membership
// before its file is announced, receipts, alerts -- is committed with FULL, whose fsync of the
// WAL also makes every earlier NORMAL commit durable.
class RelaxedSync {
 public:
  explicit RelaxedSync(soci::session& sql);
  ~RelaxedSync();
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;

 private:
  soci::session& sql_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_DATABASE_H_
