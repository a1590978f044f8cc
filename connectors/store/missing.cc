#include "connectors/store/missing.h"

#include <stdexcept>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "connectors/store/passage_rows.h"
#include "connectors/store/sqlite_statement.h"
#include "mappings/lifecycle.h"

namespace accrochd::store {
namespace {

// The passages of one certifier's mapping that are not gone yet (parameters :c, :m).
const std::string& StillThere() {
  static const std::string where = "certifier = :c AND " +
                                   StatusIn({Status::kMissing, Status::kWithdrawn}) +
                                   " AND mapping = :m AND missing_from_source = 0";
  return where;
}

namespace sq = ::sqlite_api;  // SOCI declares SQLite's API in this namespace

// Not seen by the read whose rows MissingStore notes and whose keys temp.read_now holds (the
// function first: it answers without a look-up).
constexpr const char* kUnread =
    " AND NOT accrochd_row_read(passages.rowid) AND NOT EXISTS (SELECT 1 FROM temp.read_now r "
    "WHERE r.certifier = passages.certifier AND r.id_technique = passages.id_technique)";

// Rows below this are bits of MissingStore::read_rows_: word row / 64, bit row % 64.
constexpr std::int64_t kBitmapRows = std::int64_t{1} << 32;
bool InBitmap(std::int64_t row) { return row >= 0 && row < kBitmapRows; }
std::size_t WordOf(std::int64_t row) { return static_cast<std::size_t>(row / 64); }
std::uint64_t BitOf(std::int64_t row) { return std::uint64_t{1} << (row % 64); }

void EnsureTempTables(soci::session& sql) {
  sql << "CREATE TEMP TABLE IF NOT EXISTS read_now (certifier TEXT NOT NULL, "
         "id_technique TEXT NOT NULL, PRIMARY KEY (certifier, id_technique)) WITHOUT ROWID";
  sql << "CREATE TEMP TABLE IF NOT EXISTS deleted_now (id_technique TEXT PRIMARY KEY) "
         "WITHOUT ROWID";
}

// accrochd_row_read(rowid): 1 when the read noted that row of `passages`, else 0.
void RowReadFunction(sq::sqlite3_context* context, int, sq::sqlite3_value** arguments) {
  const auto* store = static_cast<const MissingStore*>(sq::sqlite3_user_data(context));
  sq::sqlite3_result_int(context, store->RowRead(sq::sqlite3_value_int64(arguments[0])) ? 1 : 0);
}

}  // namespace

MissingStore::~MissingStore() {
  // The function would outlive the bits it reads: removed from the connection, still open.
  if (function_on_ != nullptr) {
    sq::sqlite3_create_function_v2(reinterpret_cast<sq::sqlite3*>(function_on_),
                                   "accrochd_row_read", 1, SQLITE_UTF8, nullptr, nullptr, nullptr,
                                   nullptr, nullptr);
  }
}

void MissingStore::Prepare(soci::session& sql) {
  EnsureTempTables(sql);
  sqlite3* db = db_.handle();
  if (function_on_ == db) return;
  // Direct only: no trigger or view can call it. Not deterministic: it answers for the read.
  if (sq::sqlite3_create_function_v2(reinterpret_cast<sq::sqlite3*>(db), "accrochd_row_read", 1,
                                     SQLITE_UTF8 | SQLITE_DIRECTONLY, this, RowReadFunction,
                                     nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("cannot add a function to the store's connection: ") +
                             sq::sqlite3_errmsg(reinterpret_cast<sq::sqlite3*>(db)));
  }
  function_on_ = db;
}

bool MissingStore::RowRead(std::int64_t row) const {
  if (InBitmap(row)) {
    const std::size_t word = WordOf(row);
    return word < read_rows_.size() && (read_rows_[word] & BitOf(row)) != 0;
  }
  return sparse_rows_.contains(row);
}

Result<void> MissingStore::BeginRead(const std::string& certifier) {
  return db_.Guarded([&](soci::session& sql) {
    Prepare(sql);
    sql << "DELETE FROM temp.read_now";
    read_rows_.clear();
    sparse_rows_.clear();
    (void)certifier;
  });
}

Result<void> MissingStore::NoteRead(const std::string& certifier,
                                    const std::vector<std::string>& ids,
                                    const std::vector<std::int64_t>& rows) {
  if (ids.empty() && rows.empty()) return {};
  return db_.Guarded([&](soci::session& sql) {
    for (const std::int64_t row : rows) {
      if (!InBitmap(row)) {
        sparse_rows_.insert(row);
        continue;
      }
      const std::size_t word = WordOf(row);
      if (word >= read_rows_.size()) read_rows_.resize(word + 1);
      read_rows_[word] |= BitOf(row);
    }
    if (ids.empty()) return;
    Prepare(sql);
    soci::transaction tr(sql);
    SqliteStatement insert(db_.handle(),
                           "INSERT OR IGNORE INTO temp.read_now (certifier, id_technique) "
                           "VALUES (?1, ?2)");
    for (const std::string& id : ids) insert.Bind(1, certifier).Bind(2, id).Run();
    tr.commit();
  });
}

MissingOutcome MissingStore::Mark(const std::string& certifier, const std::string& mapping,
                                  const std::string& where, const std::string& detail) {
  soci::session& sql = db_.sql();
  const std::string at = IsoUtc(db_.Now());
  std::vector<std::string> statuses;
  {
    soci::rowset<std::string> found =
        (sql.prepare << "SELECT DISTINCT status FROM passages WHERE " + where + " ORDER BY 1",
         soci::use(certifier), soci::use(mapping));
    for (const std::string& s : found) statuses.push_back(s);
  }
  MissingOutcome out;
  for (const std::string& name : statuses) {
    // SourceMissing's decision depends on the status alone (lifecycle.h): decided once for all
    // the passages of that status, and applied to them as a set.
    mappings::PassageFacts facts;
    facts.exists = true;
    facts.status = ParseStatus(name).value_or(Status::kPending);
    const mappings::LifecycleDecision d = mappings::Decide(facts, mappings::SourceMissing{detail});
    if (d.refused) continue;
    const std::string status(StatusName(d.status));
    const long long flag = d.set_missing_from_source ? 1 : 0;
    for (const mappings::HistoryEntry& h : d.history) {
      sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) SELECT :a, "
             "certifier, id_technique, :k, :d FROM passages WHERE " +
                 where + " AND status = :s ORDER BY id_technique",
          soci::use(at), soci::use(h.kind), soci::use(h.detail), soci::use(certifier),
          soci::use(mapping), soci::use(name);
    }
    soci::statement update =
        (sql.prepare << "UPDATE passages SET status = :n, missing_from_source = :f, "
                        "missing_since = :a, updated_at = :u WHERE " +
                            where + " AND status = :s",
         soci::use(status), soci::use(flag), soci::use(at), soci::use(at), soci::use(certifier),
         soci::use(mapping), soci::use(name));
    update.execute(true);
    out.marked[facts.status] += update.get_affected_rows();
  }
  return out;
}

Result<MissingOutcome> MissingStore::MarkUnread(const std::string& certifier,
                                                const std::string& mapping,
                                                std::int64_t missing_after) {
  return db_.Guarded([&](soci::session& sql) {
    MissingOutcome out;
    Prepare(sql);
    soci::transaction tr(sql);
    // Only the passages not seen count a miss: a read that missed nothing writes nothing.
    soci::statement count =
        (sql.prepare << "UPDATE passages SET missed_reads = missed_reads + 1 WHERE " +
                            StillThere() + kUnread,
         soci::use(certifier), soci::use(mapping));
    count.execute(true);
    // Nor has it anything to mark: every passage still there was just read, so none has gone
    // unread by any number of reads in a row (the scan of the counts is skipped).
    if (count.get_affected_rows() == 0) {
      tr.commit();
      return out;
    }
    const std::string n = std::to_string(missing_after);
    // A passage this read saw is not gone, whatever count earlier reads left it (its observation
    // resets the count, and one not observed again keeps it).
    out = Mark(certifier, mapping, StillThere() + " AND missed_reads >= " + n + kUnread,
               "missing_after=" + n);
    tr.commit();
    return out;
  });
}

Result<MissingOutcome> MissingStore::MarkDeleted(const std::string& certifier,
                                                 const std::string& mapping,
                                                 const std::vector<std::string>& ids) {
  return db_.Guarded([&](soci::session& sql) {
    MissingOutcome out;
    Prepare(sql);
    soci::transaction tr(sql);
    sql << "DELETE FROM temp.deleted_now";
    {
      SqliteStatement insert(db_.handle(),
                             "INSERT OR IGNORE INTO temp.deleted_now (id_technique) VALUES (?1)");
      for (const std::string& id : ids) insert.Bind(1, id).Run();
    }
    out = Mark(
        certifier, mapping,
        StillThere() + " AND id_technique IN (SELECT id_technique FROM temp.deleted_now)" + kUnread,
        "deleted_query");
    sql << "DELETE FROM temp.deleted_now";
    tr.commit();
    return out;
  });
}

Result<std::vector<MissingRecord>> MissingStore::Missing() {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<MissingRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare
         << "SELECT certifier, id_technique, mapping, certification_type, certification_code, "
            "status, deadline, missing_since FROM passages "
            "WHERE status = 'missing' OR (missing_from_source = 1 AND status != 'withdrawn') "
            "ORDER BY certifier, id_technique");
    for (const soci::row& r : rows) {
      MissingRecord m;
      m.certifier = r.get<std::string>(0);
      m.id_technique = r.get<std::string>(1);
      m.mapping = r.get<std::string>(2);
      m.certification_type = r.get<std::string>(3);
      m.certification_code = r.get<std::string>(4);
      m.status = ParseStatus(r.get<std::string>(5)).value_or(Status::kMissing);
      if (r.get_indicator(6) != soci::i_null) m.deadline = DateOf(r.get<std::string>(6));
      m.since = StoredTime(r.get<std::string>(7));
      out.push_back(std::move(m));
    }
    return out;
  });
}

Result<std::map<std::string, MissingCounts>> MissingStore::Counts() {
  return db_.Guarded([&](soci::session& sql) {
    std::map<std::string, MissingCounts> out;
    soci::rowset<soci::row> rows =
        (sql.prepare
         << "SELECT certifier, status, COUNT(*) FROM passages "
            "WHERE status = 'missing' OR (missing_from_source = 1 AND status != 'withdrawn') "
            "GROUP BY 1, 2");
    for (const soci::row& r : rows) {
      MissingCounts& c = out[r.get<std::string>(0)];
      const Status s = ParseStatus(r.get<std::string>(1)).value_or(Status::kMissing);
      if (s == Status::kMissing) {
        c.missing += Integer(r, 2);
      } else {
        c.flagged[s] += Integer(r, 2);
      }
    }
    return out;
  });
}

}  // namespace accrochd::store
