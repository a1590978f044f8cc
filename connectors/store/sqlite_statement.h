// A prepared statement on SQLite's own API, for the store's hot loops.
//
// SOCI binds and fetches through several layers of per-row objects; a backfill records a few
// rows per passage, and that path cost more than SQLite's own work (bench/README.md). The hot
// statements (observations, deposit membership, the known rows of a quiet cycle) are prepared
// once per store and run here; everything else stays on SOCI.
//
// Errors throw std::runtime_error with SQLite's message, as SOCI does, so that the store's
// methods report both alike. A statement is reset after each use (Run, or the end of a Rows
// loop): a statement left stepping would hold SQLite's read snapshot.
#ifndef ACCROCHD_CONNECTORS_STORE_SQLITE_STATEMENT_H_
#define ACCROCHD_CONNECTORS_STORE_SQLITE_STATEMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace soci {
class session;
}

struct sqlite3;
struct sqlite3_stmt;

namespace accrochd::store {

// The SQLite connection under a SOCI session (sqlite3 backend).
sqlite3* SqliteHandle(soci::session& sql);

// Turns off SQLite's memory statistics for the whole process: with them on, every allocation
// SQLite makes takes a process-wide mutex, which the store's threads (the record stage, each
// deposit's record, the known rows read by the map+validate stage) then contend for -- about 7 %
// of a backfill's CPU in pthread_mutex_lock/unlock (bench/README.md). accrochd never reads those
// statistics.
// Only possible before SQLite initialises: the first call, at the start of main(), does it;
// later calls do nothing.
void TuneSqliteForProcess();

// Runs `sql` (statements that return no row) on a connection of SQLite's own API; throws
// std::runtime_error with SQLite's message, after `context`.
void ExecSql(sqlite3* db, const char* sql, std::string_view context);

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are numbered from 1 (?1, ?2...). Text is copied by SQLite.
  SqliteStatement& Bind(int index, std::string_view text);
  SqliteStatement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  SqliteStatement& Bind(int index, std::int64_t value);
  SqliteStatement& Bind(int index, const std::optional<std::string>& text);  // nullopt: NULL
  SqliteStatement& BindNull(int index);
  // Whether the statement's text names parameter ?`index` (a statement may leave gaps in its
  // numbering; binding a parameter past the last it names is an error).
  bool Uses(int index) const;
  SqliteStatement& BindBlob(int index, std::string_view bytes);
  // The same without a copy, for the hot loops: the bytes must stay as they are until the
  // statement has run (Run, the last Next) or is reset. A parameter bound so and not bound again
  // before the next run is bound NULL then, so that no run reads bytes bound for an earlier one
  // (SQLite reads bound values only when it steps). Letting go of them at the next run rather
  // than at the end of each: the hot statements bind every parameter again for each row, and a
  // NULL bound to each view after each run cost a backfill about 0.2 s of CPU (bench/README.md,
  // 2026-12-06, before noon).
  SqliteStatement& BindView(int index, std::string_view text);
  SqliteStatement& BindView(int index, const std::string& text) {
    return BindView(index, std::string_view(text));
  }
  SqliteStatement& BindView(int index, const std::optional<std::string>& text);  // nullopt: NULL
  SqliteStatement& BindBlobView(int index, std::string_view bytes);

  // Runs a statement that returns no row; returns the rows it changed. Resets it.
  int Run();
  // Steps a query: true while there is a row (read it with the accessors), false at the end,
  // when the statement is reset. Reset() ends a query early.
  bool Next();
  void Reset();

  bool IsNull(int column) const;
  std::string Text(int column) const;  // "" for NULL; a blob's bytes
  // The same without a copy: valid until the statement steps, resets or is destroyed.
  std::string_view View(int column) const;
  std::int64_t Integer(int column) const;

 private:
  [[noreturn]] void Throw(const char* what) const;
  // Notes ?`index` bound without a copy, once SQLite said `bound` (SQLITE_OK or an error).
  SqliteStatement& Viewed(int index, int bound);
  // Notes ?`index` bound again: no longer a view bound for an earlier run (nor, but as Viewed
  // notes it, for the coming one).
  void Rebound(int index);
  // Before a run: binds NULL to the parameters still bound without a copy for an earlier one.
  void LetGoStaleViews();
  // After a run: the views bound for it become stale.
  void EndRun();
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
  std::uint64_t views_ = 0;  // bit i - 1: ?i bound without a copy for the coming run
  std::uint64_t stale_ = 0;  // bit i - 1: ?i bound without a copy for an earlier run
  bool stepping_ = false;    // a query under way (Next returned true)
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_SQLITE_STATEMENT_H_
