#include "connectors/store/cycle_index.h"

#include <stdexcept>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "connectors/store/sqlite_statement.h"

namespace accrochd::store {

namespace sq = ::sqlite_api;  // SOCI declares SQLite's API in this namespace

namespace {

sq::sqlite3* Db(sqlite3* db) { return reinterpret_cast<sq::sqlite3*>(db); }

void Exec(sqlite3* db, const char* sql) { ExecSql(db, sql, "cycle index: "); }

}  // namespace

struct CycleIndex::Statements {
  SqliteStatement insert, select, insert_holder, select_holders;
  explicit Statements(sqlite3* db)
      : insert(db, "INSERT INTO seen (kind, key, id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"),
        select(db, "SELECT id FROM seen WHERE kind = ?1 AND key = ?2"),
        insert_holder(db,
                      "INSERT INTO seen_holders (key, rank, traits, id) VALUES (?1, ?2, ?3, ?4)"),
        select_holders(db, "SELECT traits, id FROM seen_holders WHERE key = ?1 ORDER BY rank") {}
};

Result<std::unique_ptr<CycleIndex>> CycleIndex::Open(Hasher keyed) {
  sq::sqlite3* opened = nullptr;
  const int rc =
      sq::sqlite3_open_v2("", &opened,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  sqlite3* db = reinterpret_cast<sqlite3*>(opened);
  if (rc != SQLITE_OK) {
    const std::string why = opened != nullptr ? sq::sqlite3_errmsg(opened) : "out of memory";
    sq::sqlite3_close(opened);
    return Fail(ErrorKind::kIo,
                "cannot make the cycle's uniqueness index (a temporary SQLite "
                "database in $TMPDIR or /var/tmp): " +
                    why);
  }
  try {
    // Nothing here must survive the process: no journal, no sync, one transaction.
    Exec(db, "PRAGMA journal_mode=OFF");
    Exec(db, "PRAGMA synchronous=OFF");
    Exec(db, "PRAGMA cache_size=-16384");
    Exec(db,
         "CREATE TABLE seen (kind INTEGER NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, "
         "PRIMARY KEY (kind, key)) WITHOUT ROWID");
    // Holders of one identity (a keyed hash) told apart by their traits (keyed hashes too).
    Exec(db,
         "CREATE TABLE seen_holders (key BLOB NOT NULL, rank INTEGER NOT NULL, "
         "traits BLOB NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, rank)) WITHOUT ROWID");
    Exec(db, "BEGIN");
    return std::unique_ptr<CycleIndex>(new CycleIndex(db, std::move(keyed)));
  } catch (const std::exception& e) {
    sq::sqlite3_close(Db(db));
    return Fail(ErrorKind::kIo, e.what());
  }
}

CycleIndex::CycleIndex(sqlite3* db, Hasher keyed)
    : db_(db), keyed_(std::move(keyed)), statements_(std::make_unique<Statements>(db)) {}

CycleIndex::~CycleIndex() {
  statements_.reset();  // finalized before the connection closes
  sq::sqlite3_close(Db(db_));
}

namespace {
constexpr std::size_t kDigestBytes = 16;
}  // namespace

std::string CycleIndex::Digest(std::string_view data) const {
  std::string digest = keyed_(data);
  digest.resize(kDigestBytes);
  return digest;
}

std::optional<std::string> CycleIndex::Insert(Kind kind, const std::string& key,
                                              const std::string& id_technique) {
  Statements& st = *statements_;
  const std::int64_t k = static_cast<int>(kind);
  st.insert.Bind(1, k);
  st.select.Bind(1, k);
  // A holder's identity is personal data: only its keyed hash reaches the disk.
  if (kind == Kind::kHolder) {
    const std::string digest = Digest(key);
    st.insert.BindBlob(2, digest);
    st.select.BindBlob(2, digest);
  } else {
    st.insert.Bind(2, key);
    st.select.Bind(2, key);
  }
  if (st.insert.Bind(3, id_technique).Run() == 1) return std::nullopt;
  std::string existing;
  if (st.select.Next()) {
    existing = st.select.Text(0);
    st.select.Reset();
  }
  return existing;
}

std::optional<std::string> CycleIndex::InsertHolder(const std::string& key,
                                                    const std::vector<std::string>& traits,
                                                    const std::string& id_technique) {
  return InsertHolderRecord(HolderRecord(key, traits), id_technique);
}

// Personal data: only keyed hashes reach the disk. An unknown trait is stored as 16 zero bytes
// (no digest is), and compared as unknown.
std::string CycleIndex::HolderRecord(const std::string& key,
                                     const std::vector<std::string>& traits) const {
  std::string record = Digest(key);
  for (const std::string& t : traits) {
    record += t.empty() ? std::string(kDigestBytes, '\0') : Digest(t);
  }
  return record;
}

std::optional<std::string> CycleIndex::InsertHolderRecord(std::string_view record,
                                                          const std::string& id_technique) {
  if (record.size() < kDigestBytes || record.size() % kDigestBytes != 0) {
    throw std::runtime_error("cycle index: a holder record of " + std::to_string(record.size()) +
                             " bytes");
  }
  Statements& st = *statements_;
  const std::string unknown(kDigestBytes, '\0');
  const std::string_view digest = record.substr(0, kDigestBytes);
  const std::string_view stored = record.substr(kDigestBytes);
  std::vector<std::string> hashed;
  for (std::size_t at = 0; at < stored.size(); at += kDigestBytes) {
    std::string trait(stored.substr(at, kDigestBytes));
    hashed.push_back(trait == unknown ? std::string() : std::move(trait));
  }
  st.select_holders.BindBlob(1, digest);
  std::optional<std::string> agreeing;
  std::vector<std::string> other;
  while (st.select_holders.Next()) {
    if (agreeing) continue;  // read to the end: the statement resets itself there
    const std::string earlier = st.select_holders.Text(0);
    other.clear();
    for (std::size_t at = 0; at + kDigestBytes <= earlier.size(); at += kDigestBytes) {
      std::string trait = earlier.substr(at, kDigestBytes);
      other.push_back(trait == unknown ? std::string() : std::move(trait));
    }
    if (TraitsAgree(other, hashed)) agreeing = st.select_holders.Text(1);
  }
  if (agreeing) return agreeing;
  st.insert_holder.BindBlob(1, digest)
      .Bind(2, holders_++)
      .BindBlob(3, stored)
      .Bind(4, id_technique)
      .Run();
  return std::nullopt;
}

}  // namespace accrochd::store
