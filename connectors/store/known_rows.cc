#include "connectors/store/known_rows.h"

#include <exception>
#include <stdexcept>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "connectors/store/passage_rows.h"
#include "connectors/store/sqlite_statement.h"

namespace accrochd::store {

namespace sq = ::sqlite_api;  // SOCI declares SQLite's API in this namespace

namespace {

sq::sqlite3* Db(sqlite3* db) { return reinterpret_cast<sq::sqlite3*>(db); }

void Exec(sqlite3* db, const char* sql) { ExecSql(db, sql, ""); }

constexpr std::size_t kDigestBytes = 16;

// A length as 8 bytes, so that no two sequences of values are written alike.
void AppendLength(std::string& out, std::size_t n) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
}

}  // namespace

struct KnownRows::Statements {
  SqliteStatement any, find;
  explicit Statements(sqlite3* db)
      : any(db,
            "SELECT EXISTS (SELECT 1 FROM passages WHERE certifier = ?1 AND mapping = ?2 AND "
            "row_digest IS NOT NULL)"),
        find(db, std::string("SELECT ") + kFactsColumns +
                     ", mapping, row_digest, holder_record, rowid FROM passages "
                     "WHERE certifier = ?1 AND id_technique = ?2") {}
};

Result<std::unique_ptr<KnownRows>> KnownRows::Open(const std::string& path, Hasher keyed,
                                                   std::string certifier, std::string mapping,
                                                   const std::string& salt) {
  sq::sqlite3* opened = nullptr;
  // One thread uses it: no connection mutex (SQLite's serialized mode costs a lock per call).
  const int rc = sq::sqlite3_open_v2(path.c_str(), &opened,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  sqlite3* db = reinterpret_cast<sqlite3*>(opened);
  if (rc != SQLITE_OK) {
    const std::string why = opened != nullptr ? sq::sqlite3_errmsg(opened) : "out of memory";
    sq::sqlite3_close(opened);
    return Fail(ErrorKind::kIo, "cannot read the state store " + path + ": " + why);
  }
  std::unique_ptr<KnownRows> rows;
  try {
    Exec(db, "PRAGMA query_only=1");
    Exec(db, "PRAGMA cache_size=-16384");  // the store's own: its primary key stays cached
    sq::sqlite3_busy_timeout(Db(db), 5000);
    rows.reset(new KnownRows(db, std::move(keyed), std::move(certifier), std::move(mapping),
                             salt));
    Statements& st = *rows->statements_;
    st.any.Bind(1, rows->certifier_).Bind(2, rows->mapping_);
    rows->asking_ = st.any.Next() && st.any.Integer(0) != 0;
    st.any.Reset();
  } catch (const std::exception& e) {
    if (!rows) sq::sqlite3_close(Db(db));
    return Fail(ErrorKind::kIo, "cannot read the state store " + path + ": " + e.what());
  }
  return rows;
}

KnownRows::KnownRows(sqlite3* db, Hasher keyed, std::string certifier, std::string mapping,
                     std::string salt)
    : db_(db),
      keyed_(std::move(keyed)),
      certifier_(std::move(certifier)),
      mapping_(std::move(mapping)),
      salt_(std::move(salt)),
      statements_(std::make_unique<Statements>(db)) {}

KnownRows::~KnownRows() {
  statements_.reset();  // finalized before the connection closes
  if (finds_ > 0) sq::sqlite3_exec(Db(db_), "COMMIT", nullptr, nullptr, nullptr);
  sq::sqlite3_close(Db(db_));
}

std::string KnownRows::Digest(const source::SourceRow& row) const {
  std::string data;
  data.reserve(salt_.size() + 16 * row.values.size() + 128);
  AppendLength(data, salt_.size());
  data += salt_;
  for (const source::Value& v : row.values) {
    if (!v) {
      data += '\0';
      continue;
    }
    data += '\1';
    AppendLength(data, v->size());
    data += *v;
  }
  std::string digest = keyed_(data);
  digest.resize(kDigestBytes);
  return digest;
}

namespace {
// Finds made in one read transaction: each statement outside one takes and releases SQLite's
// file locks (system calls) and reads the WAL index again. A transaction holds back the
// checkpoint of what is written meanwhile, so it is renewed now and then.
constexpr int kFindsPerSnapshot = 4096;
}  // namespace

std::optional<KnownRows::Known> KnownRows::Find(const std::string& id_technique) {
  if (!asking_) return std::nullopt;
  try {
    if (finds_ == 0) Exec(db_, "BEGIN");
    if (++finds_ == kFindsPerSnapshot) {
      Exec(db_, "COMMIT");
      Exec(db_, "BEGIN");
      finds_ = 1;
    }
    SqliteStatement& find = statements_->find;
    find.Bind(1, certifier_).Bind(2, id_technique);
    if (!find.Next()) return std::nullopt;  // reset at the end
    std::optional<Known> known;
    if (find.Text(12) == mapping_ && !find.IsNull(13)) {
      known.emplace();
      known->facts = ReadFacts(find);
      known->row_digest = find.Text(13);
      if (!find.IsNull(14)) known->holder_record = find.Text(14);
      known->row = find.Integer(15);
    }
    find.Reset();
    return known;
  } catch (const std::exception&) {
    asking_ = false;  // every row is mapped, as without this reader
    if (finds_ > 0) sq::sqlite3_exec(Db(db_), "ROLLBACK", nullptr, nullptr, nullptr);
    finds_ = 0;
    return std::nullopt;
  }
}

}  // namespace accrochd::store
