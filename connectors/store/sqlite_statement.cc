#include "connectors/store/sqlite_statement.h"

#include <cstdint>
#include <mutex>
#include <stdexcept>

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
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::int64_t value) {
  if (sq::sqlite3_bind_int64(St(statement_), index, value) != SQLITE_OK) {
    Throw("cannot bind a value");
  }
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
  return *this;
}

SqliteStatement& SqliteStatement::BindBlob(int index, std::string_view bytes) {
  if (sq::sqlite3_bind_blob(St(statement_), index, bytes.data(), static_cast<int>(bytes.size()),
                            kTransient) != SQLITE_OK) {
    Throw("cannot bind a value");
  }
  return *this;
}

int SqliteStatement::Run() {
  const int rc = sq::sqlite3_step(St(statement_));
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    sq::sqlite3_reset(St(statement_));
    Throw("cannot run a statement");
  }
  sq::sqlite3_reset(St(statement_));
  return sq::sqlite3_changes(Db(db_));
}

bool SqliteStatement::Next() {
  const int rc = sq::sqlite3_step(St(statement_));
  if (rc == SQLITE_ROW) return true;
  sq::sqlite3_reset(St(statement_));
  if (rc != SQLITE_DONE) Throw("cannot read a row");
  return false;
}

void SqliteStatement::Reset() { sq::sqlite3_reset(St(statement_)); }

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
