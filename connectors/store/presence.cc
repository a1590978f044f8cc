#include "connectors/store/presence.h"

#include <exception>

#include <sqlite3.h>

#include "connectors/store/sqlite_statement.h"

namespace accrochd::store {

Result<std::unique_ptr<Presence>> Presence::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Fail(ErrorKind::kIo, "cannot read the state store " + path + ": " + why);
  }
  try {
    ExecSql(db, "PRAGMA query_only=1", "");
    sqlite3_busy_timeout(db, 5000);
    return std::unique_ptr<Presence>(new Presence(db));
  } catch (const std::exception& e) {
    sqlite3_close(db);
    return Fail(ErrorKind::kIo, "cannot read the state store " + path + ": " + e.what());
  }
}

Presence::Presence(sqlite3* db)
    : db_(db),
      holds_(std::make_unique<SqliteStatement>(
          db, "SELECT 1 FROM passages WHERE certifier = ?1 AND id_technique = ?2")),
      name_(std::make_unique<SqliteStatement>(db, "SELECT 1 FROM deposits WHERE file_name = ?1")) {}

Presence::~Presence() {
  holds_.reset();  // finalized before the connection closes
  name_.reset();
  sqlite3_close(db_);
}

namespace {

// Whether `st`, bound by `bind`, finds a row; nullopt when the read failed.
template <typename Bind>
std::optional<bool> Found(SqliteStatement& st, Bind bind) {
  try {
    bind(st);
    const bool found = st.Next();
    st.Reset();
    return found;
  } catch (const std::exception&) {
    st.Reset();
    return std::nullopt;
  }
}

}  // namespace

std::optional<bool> Presence::Holds(const std::string& certifier, const std::string& id_technique) {
  std::lock_guard lock(mutex_);
  return Found(*holds_, [&](SqliteStatement& st) { st.Bind(1, certifier).Bind(2, id_technique); });
}

std::optional<bool> Presence::NameRecorded(const std::string& file_name) {
  std::lock_guard lock(mutex_);
  return Found(*name_, [&](SqliteStatement& st) { st.Bind(1, file_name); });
}

Presence::Batch::Batch(Presence& presence) : presence_(presence) {
  std::lock_guard lock(presence_.mutex_);
  open_ = sqlite3_exec(presence_.db_, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
}

Presence::Batch::~Batch() {
  if (!open_) return;
  std::lock_guard lock(presence_.mutex_);
  sqlite3_exec(presence_.db_, "COMMIT", nullptr, nullptr, nullptr);
}

}  // namespace accrochd::store
