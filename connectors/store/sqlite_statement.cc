#include "connectors/store/sqlite_statement.h"

#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace accrochd::store {

namespace sq = ::sqlite_api;  // SOCI declares SQLite's API in this namespace

sqlite3* SqliteHandle(soci::session& sql) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(sql.get_backend());
  return reinterpret_cast<sqlite3*>(backend->conn_);
}

void TuneSqliteForProcess() {
  static std::once_flag once;
  // SQLITE_MISUSE if SQLite was initialised already: the statistics then stay on, harmlessly.
  std::call_once(once, [] { sq::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

namespace {
sq::sqlite3* Db(sqlite3* db) { return reinterpret_cast<sq::sqlite3*>(db); }
sq::sqlite3_stmt* St(sqlite3_stmt* s) { return reinterpret_cast<sq::sqlite3_stmt*>(s); }
// SQLITE_TRANSIENT, spelt in SOCI's namespace: SQLite copies the bound text.
const sq::sqlite3_destructor_type kTransient =
    reinterpret_cast<sq::sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));
// SQLITE_STATIC: SQLite reads the caller's bytes where they are.
const sq::sqlite3_destructor_type kStatic = nullptr;
// Parameters a statement can bind without a copy (views_ has a bit for each).
constexpr int kMostViews = 64;
}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  sq::sqlite3_stmt* prepared = nullptr;
  if (sq::sqlite3_prepare_v3(Db(db_), sql.data(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &prepared, nullptr) != SQLITE_OK) {
    Throw("cannot prepare a statement");
  }
  statement_ = reinterpret_cast<sqlite3_stmt*>(prepared);
}

SqliteStatement::~SqliteStatement() { sq::sqlite3_finalize(St(statement_)); }

void ExecSql(sqlite3* db, const char* sql, std::string_view context) {
  char* message = nullptr;
  if (sq::sqlite3_exec(Db(db), sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string what = message != nullptr ? message : "unknown error";
    sq::sqlite3_free(message);
    throw std::runtime_error(std::string(context) + what);
  }
}

void SqliteStatement::Throw(const char* what) const {
  throw std::runtime_error(std::string(what) + ": " + sq::sqlite3_errmsg(Db(db_)));
}

SqliteStatement& SqliteStatement::Bind(int index, std::string_view text) {
  if (sq::sqlite3_bind_text(St(statement_), index, text.data(), static_cast<int>(text.size()),
                            kTransient) != SQLITE_OK) {
    Throw("cannot bind a value");
  }
  Rebound(index);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::int64_t value) {
  if (sq::sqlite3_bind_int64(St(statement_), index, value) != SQLITE_OK) {
    Throw("cannot bind a value");
  }
  Rebound(index);
  return *this;
}

bool SqliteStatement::Uses(int index) const {
  return sq::sqlite3_bind_parameter_name(St(statement_), index) != nullptr;
}

SqliteStatement& SqliteStatement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  if (sq::sqlite3_bind_null(St(statement_), index) != SQLITE_OK) Throw("cannot bind a value");
  Rebound(index);
  return *this;
}

SqliteStatement& SqliteStatement::BindBlob(int index, std::string_view bytes) {
  if (sq::sqlite3_bind_blob(St(statement_), index, bytes.data(), static_cast<int>(bytes.size()),
                            kTransient) != SQLITE_OK) {
    Throw("cannot bind a value");
  }
  Rebound(index);
  return *this;
}

SqliteStatement& SqliteStatement::BindView(int index, std::string_view text) {
  if (index < 1 || index > kMostViews) return Bind(index, text);
  return Viewed(index, sq::sqlite3_bind_text(St(statement_), index, text.data(),
                                             static_cast<int>(text.size()), kStatic));
}

SqliteStatement& SqliteStatement::BindView(int index, const std::optional<std::string>& text) {
  return text ? BindView(index, std::string_view(*text)) : BindNull(index);
}

SqliteStatement& SqliteStatement::BindBlobView(int index, std::string_view bytes) {
  if (index < 1 || index > kMostViews) return BindBlob(index, bytes);
  return Viewed(index, sq::sqlite3_bind_blob(St(statement_), index, bytes.data(),
                                             static_cast<int>(bytes.size()), kStatic));
}

SqliteStatement& SqliteStatement::Viewed(int index, int bound) {
  if (bound != SQLITE_OK) Throw("cannot bind a value");
  Rebound(index);
  views_ |= std::uint64_t{1} << (index - 1);
  return *this;
}

void SqliteStatement::Rebound(int index) {
  if (index < 1 || index > kMostViews) return;
  const std::uint64_t bit = std::uint64_t{1} << (index - 1);
  views_ &= ~bit;
  stale_ &= ~bit;
}

void SqliteStatement::LetGoStaleViews() {
  for (int i = 0; stale_ != 0; ++i, stale_ >>= 1) {
    if ((stale_ & 1) != 0) sq::sqlite3_bind_null(St(statement_), i + 1);
  }
}

void SqliteStatement::EndRun() {
  stale_ |= views_;
  views_ = 0;
  stepping_ = false;
}

int SqliteStatement::Run() {
  LetGoStaleViews();
  const int rc = sq::sqlite3_step(St(statement_));
  sq::sqlite3_reset(St(statement_));
  EndRun();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string("cannot run a statement: ") + sq::sqlite3_errmsg(Db(db_)));
  }
  return sq::sqlite3_changes(Db(db_));
}

bool SqliteStatement::Next() {
  if (!stepping_) LetGoStaleViews();
  const int rc = sq::sqlite3_step(St(statement_));
  if (rc == SQLITE_ROW) {
    stepping_ = true;
    return true;
  }
  sq::sqlite3_reset(St(statement_));
  EndRun();
  if (rc != SQLITE_DONE) {
    throw std::runtime_error(std::string("cannot read a row: ") + sq::sqlite3_errmsg(Db(db_)));
  }
  return false;
}

void SqliteStatement::Reset() {
  sq::sqlite3_reset(St(statement_));
  EndRun();
}

bool SqliteStatement::IsNull(int column) const {
  return sq::sqlite3_column_type(St(statement_), column) == SQLITE_NULL;
}

std::string SqliteStatement::Text(int column) const {
  const unsigned char* text = sq::sqlite3_column_text(St(statement_), column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sq::sqlite3_column_bytes(St(statement_), column)));
}

std::string_view SqliteStatement::View(int column) const {
  const unsigned char* text = sq::sqlite3_column_text(St(statement_), column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<std::size_t>(sq::sqlite3_column_bytes(St(statement_), column))};
}

std::int64_t SqliteStatement::Integer(int column) const {
  return sq::sqlite3_column_int64(St(statement_), column);
}

}  // namespace accrochd::store
