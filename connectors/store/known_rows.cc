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

// What Find reads of a passage, by the key (find) or by walking the table (walk): the facts,
// then these columns.
constexpr const char* kKnownColumns =
    ", mapping, row_digest, holder_record, rowid, certifier, id_technique FROM passages ";
constexpr int kMapping = 12, kRowDigest = 13, kHolderRecord = 14, kRowid = 15, kCertifier = 16,
              kIdTechnique = 17;

// The walk gives up for the rest of the read once its misses outnumber its hits by this many: a
// source whose order is not the store's (each miss costs a step besides the look-up by key).
constexpr std::int64_t kWalkMissesAllowed = 64;

struct KnownRows::Statements {
  SqliteStatement any, find, walk;
  explicit Statements(sqlite3* db)
      : any(db, "SELECT EXISTS (SELECT 1 FROM passages WHERE certifier = ?1 AND " + StatusIn() +
                    " AND mapping = ?2 AND row_digest IS NOT NULL)"),
        find(db, std::string("SELECT ") + kFactsColumns + kKnownColumns +
                     "WHERE certifier = ?1 AND id_technique = ?2"),
        walk(db, std::string("SELECT ") + kFactsColumns + kKnownColumns +
                     "WHERE rowid > ?1 ORDER BY rowid") {}
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
    rows.reset(new KnownRows(db, std::move(keyed), std::move(certifier), std::move(mapping), salt));
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

bool KnownRows::Read(SqliteStatement& st, Known& known) const {
  if (st.View(kMapping) != mapping_ || st.IsNull(kRowDigest)) return false;
  ReadFacts(st, known.facts);
  known.row_digest.assign(st.View(kRowDigest));
  known.holder_record.clear();
  if (!st.IsNull(kHolderRecord)) known.holder_record.assign(st.View(kHolderRecord));
  known.row = st.Integer(kRowid);
  return true;
}

bool KnownRows::Find(const std::string& id_technique, Known& known) {
  if (!asking_) return false;
  SqliteStatement& walk = statements_->walk;
  try {
    if (finds_ == 0) Exec(db_, "BEGIN");
    if (++finds_ == kFindsPerSnapshot) {
      if (walking_) walk.Reset();  // a statement in progress would keep the snapshot
      Exec(db_, "COMMIT");
      Exec(db_, "BEGIN");
      finds_ = 1;
      if (walking_) walk.Bind(1, last_row_);  // on from the last passage found
    }
    // Rows mostly come in the order their passages were first recorded: the passage after the
    // last one found is tried first, one step of the table where the look-up by key descends
    // two B-trees (bench/README.md, 2026-12-04, night).
    if (walking_) {
      if (walk.Next()) {
        if (walk.View(kCertifier) == certifier_ && walk.View(kIdTechnique) == id_technique) {
          ++walk_hits_;
          last_row_ = walk.Integer(kRowid);
          return Read(walk, known);  // the walk stays where it is
        }
        walk.Reset();
      }
      walking_ = false;
      ++walk_misses_;
    }
    SqliteStatement& find = statements_->find;
    find.Bind(1, certifier_).Bind(2, id_technique);
    if (!find.Next()) return false;  // reset at the end
    const bool found = Read(find, known);
    last_row_ = find.Integer(kRowid);
    find.Reset();
    if (walk_misses_ <= walk_hits_ + kWalkMissesAllowed) {
      walk.Bind(1, last_row_);
      walking_ = true;
    }
    return found;
  } catch (const std::exception&) {
    asking_ = false;  // every row is mapped, as without this reader
    walking_ = false;
    if (finds_ > 0) sq::sqlite3_exec(Db(db_), "ROLLBACK", nullptr, nullptr, nullptr);
    finds_ = 0;
    return false;
  }
}

}  // namespace accrochd::store
