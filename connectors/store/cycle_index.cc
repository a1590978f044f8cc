#include "connectors/store/cycle_index.h"

#include <stdexcept>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "connectors/store/sqlite_statement.h"

namespace accrochd::store {

namespace sq = ::sqlite_api;  // SOCI declares SQLite's API in this namespace

namespace {

sq::sqlite3* Db(sqlite3* db) { return reinterpret_cast<sq::sqlite3*>(db); }

void Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sq::sqlite3_exec(Db(db), sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string what = message != nullptr ? message : "unknown error";
    sq::sqlite3_free(message);
    throw std::runtime_error("cycle index: " + what);
  }
}

}  // namespace

struct CycleIndex::Statements {
  SqliteStatement insert, select, insert_holder, select_holders, unchanged_rank, not_unchanged;
  explicit Statements(sqlite3* db)
      : insert(db,
               "INSERT INTO seen (kind, key, id, rank, unchanged) VALUES (?1, ?2, ?3, ?4, ?5) "
               "ON CONFLICT DO NOTHING"),
        select(db, "SELECT id FROM seen WHERE kind = ?1 AND key = ?2"),
        insert_holder(db,
                      "INSERT INTO seen_holders (key, rank, traits, id) VALUES (?1, ?2, ?3, ?4)"),
        select_holders(db,
                       "SELECT traits, id, rank FROM seen_holders WHERE key = ?1 ORDER BY rank"),
        unchanged_rank(db, "SELECT rank FROM seen WHERE kind = 0 AND key = ?1 AND unchanged = 1"),
        not_unchanged(db, "UPDATE seen SET unchanged = 0 WHERE kind = 0 AND key = ?1") {}
};

// The state store's holders of one identity, read on a connection of the index's own.
struct CycleIndex::StoreReader {
  sqlite3* db = nullptr;
  std::unique_ptr<SqliteStatement> holders;
  explicit StoreReader(const std::string& path) {
    sq::sqlite3* opened = nullptr;
    if (sq::sqlite3_open_v2(path.c_str(), &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK) {
      const std::string why = opened != nullptr ? sq::sqlite3_errmsg(opened) : "out of memory";
      sq::sqlite3_close(opened);
      throw std::runtime_error("cycle index: cannot read the state store " + path + ": " + why);
    }
    db = reinterpret_cast<sqlite3*>(opened);
    try {
      Exec(db, "PRAGMA query_only=1");
      sq::sqlite3_busy_timeout(opened, 5000);
      holders = std::make_unique<SqliteStatement>(
          db,
          "SELECT id_technique, holder_record FROM passages WHERE certifier = ?1 AND "
          "substr(holder_record, 1, 16) = ?2 AND holder_record IS NOT NULL");
    } catch (...) {
      sq::sqlite3_close(opened);
      throw;
    }
  }
  ~StoreReader() {
    holders.reset();
    sq::sqlite3_close(Db(db));
  }
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;
};

Result<std::unique_ptr<CycleIndex>> CycleIndex::Open(Hasher keyed, std::string store_path,
                                                     std::string certifier) {
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
         "rank INTEGER NOT NULL, unchanged INTEGER NOT NULL, PRIMARY KEY (kind, key)) "
         "WITHOUT ROWID");
    // Holders of one identity (a keyed hash) told apart by their traits (keyed hashes too).
    Exec(db,
         "CREATE TABLE seen_holders (key BLOB NOT NULL, rank INTEGER NOT NULL, "
         "traits BLOB NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, rank)) WITHOUT ROWID");
    Exec(db, "BEGIN");
    return std::unique_ptr<CycleIndex>(
        new CycleIndex(db, std::move(keyed), std::move(store_path), std::move(certifier)));
  } catch (const std::exception& e) {
    sq::sqlite3_close(Db(db));
    return Fail(ErrorKind::kIo, e.what());
  }
}

CycleIndex::CycleIndex(sqlite3* db, Hasher keyed, std::string store_path, std::string certifier)
    : db_(db),
      keyed_(std::move(keyed)),
      store_path_(std::move(store_path)),
      certifier_(std::move(certifier)),
      statements_(std::make_unique<Statements>(db)) {}

CycleIndex::~CycleIndex() {
  store_.reset();
  statements_.reset();  // finalized before the connection closes
  sq::sqlite3_close(Db(db_));
}

namespace {

constexpr std::size_t kDigestBytes = 16;

// A record's traits (16 zero bytes: unknown, as "").
std::vector<std::string> TraitsOf(std::string_view stored) {
  const std::string unknown(kDigestBytes, '\0');
  std::vector<std::string> traits;
  for (std::size_t at = 0; at + kDigestBytes <= stored.size(); at += kDigestBytes) {
    std::string trait(stored.substr(at, kDigestBytes));
    traits.push_back(trait == unknown ? std::string() : std::move(trait));
  }
  return traits;
}

void CheckRecord(std::string_view record) {
  if (record.size() < kDigestBytes || record.size() % kDigestBytes != 0) {
    throw std::runtime_error("cycle index: a holder record of " + std::to_string(record.size()) +
                             " bytes");
  }
}

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
  st.insert.Bind(3, id_technique).Bind(4, rank_++).Bind(5, std::int64_t{0});
  if (st.insert.Run() == 1) return std::nullopt;
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

std::optional<std::pair<std::int64_t, std::string>> CycleIndex::EarliestAgreeing(
    std::string_view identity, const std::vector<std::string>& traits) {
  SqliteStatement& select = statements_->select_holders;
  select.BindBlob(1, identity);
  std::optional<std::pair<std::int64_t, std::string>> agreeing;
  while (select.Next()) {
    if (agreeing) continue;  // read to the end: the statement resets itself there
    if (TraitsAgree(TraitsOf(select.Text(0)), traits)) {
      agreeing.emplace(select.Integer(2), select.Text(1));
    }
  }
  return agreeing;
}

std::optional<std::string> CycleIndex::InsertHolderRecord(std::string_view record,
                                                          const std::string& id_technique) {
  CheckRecord(record);
  const std::string_view identity = record.substr(0, kDigestBytes);
  const std::string_view stored = record.substr(kDigestBytes);
  const std::vector<std::string> traits = TraitsOf(stored);
  auto earliest = EarliestAgreeing(identity, traits);
  if (unchanged_ > 0) {
    // The holders of the unchanged rows recorded before this one: in the store, by identity.
    if (!store_) store_ = std::make_unique<StoreReader>(store_path_);
    SqliteStatement& holders = *store_->holders;
    holders.Bind(1, certifier_).BindBlob(2, identity);
    std::vector<std::pair<std::string, std::string>> candidates;  // idTechnique, record
    while (holders.Next()) candidates.emplace_back(holders.Text(0), holders.Text(1));
    for (const auto& [id, kept] : candidates) {
      if (id == id_technique || kept.size() < kDigestBytes ||
          !TraitsAgree(TraitsOf(std::string_view(kept).substr(kDigestBytes)), traits)) {
        continue;
      }
      SqliteStatement& rank = statements_->unchanged_rank;
      rank.Bind(1, id);
      if (rank.Next()) {
        const std::int64_t r = rank.Integer(0);
        rank.Reset();
        if (!earliest || r < earliest->first) earliest.emplace(r, id);
      }
    }
  }
  if (earliest) return earliest->second;
  statements_->insert_holder.BindBlob(1, identity)
      .Bind(2, rank_++)
      .BindBlob(3, stored)
      .Bind(4, id_technique)
      .Run();
  return std::nullopt;
}

CycleIndex::Known CycleIndex::InsertUnchanged(const std::string& id_technique,
                                              std::string_view record) {
  if (store_path_.empty()) throw std::logic_error("cycle index: no state store to read holders");
  CheckRecord(record);
  Statements& st = *statements_;
  st.insert.Bind(1, std::int64_t{0})
      .Bind(2, id_technique)
      .Bind(3, id_technique)
      .Bind(4, rank_++)
      .Bind(5, std::int64_t{1});
  if (st.insert.Run() == 0) return Known::kIdRepeated;
  if (EarliestAgreeing(record.substr(0, kDigestBytes), TraitsOf(record.substr(kDigestBytes)))) {
    // To be mapped, and rejected as a duplicate: its holder is not one to find.
    st.not_unchanged.Bind(1, id_technique).Run();
    return Known::kHolderRepeated;
  }
  ++unchanged_;
  return Known::kRegistered;
}

}  // namespace accrochd::store
