#include "connectors/store/database.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <tuple>

#include <sys/random.h>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "connectors/store/presence.h"
#include "connectors/store/sqlite_statement.h"
#include "core/text.h"
#include "mappings/cdc_message.h"

namespace accrochd::store {
namespace {

namespace fs = std::filesystem;

// The page size of a store created by this version (Database::Open says why).
constexpr int kPageSize = 16384;

// The schema, one migration per version. Never edit a published migration: add one.
constexpr std::array<std::string_view, 13> kMigrations = {
    R"SQL(
CREATE TABLE passages (
  certifier TEXT NOT NULL,
  id_technique TEXT NOT NULL,
  mapping TEXT NOT NULL,
  certification_type TEXT NOT NULL,
  certification_code TEXT NOT NULL,
  delivery TEXT,
  deadline TEXT,
  content_hash TEXT NOT NULL,
  source_hash TEXT NOT NULL,
  cursor_value TEXT,
  status TEXT NOT NULL,
  xsd_refused INTEGER NOT NULL DEFAULT 0,
  deposit_id INTEGER,
  cdc_message TEXT NOT NULL DEFAULT '',
  changed_after_acceptance INTEGER NOT NULL DEFAULT 0,
  retry_requested INTEGER NOT NULL DEFAULT 0,
  first_seen TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (certifier, id_technique)
);
CREATE INDEX passages_status ON passages (certifier, status);
CREATE INDEX passages_id ON passages (id_technique);
CREATE TABLE deposits (
  id INTEGER PRIMARY KEY,
  certifier TEXT NOT NULL,
  file_name TEXT NOT NULL,
  id_flux TEXT NOT NULL,
  sha256 TEXT NOT NULL DEFAULT '',
  passages INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  published_at TEXT NOT NULL DEFAULT '',
  uploaded_at TEXT NOT NULL DEFAULT '',
  receipt_status TEXT NOT NULL DEFAULT '',
  receipt_at TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX deposits_file ON deposits (file_name) WHERE state != 'abandoned';
CREATE UNIQUE INDEX deposits_flux ON deposits (id_flux) WHERE state != 'abandoned';
CREATE TABLE deposit_passages (
  deposit_id INTEGER NOT NULL REFERENCES deposits (id),
  certifier TEXT NOT NULL,
  id_technique TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  PRIMARY KEY (deposit_id, certifier, id_technique)
);
CREATE TABLE quarantine (
  certifier TEXT NOT NULL,
  id_technique TEXT NOT NULL,
  field TEXT NOT NULL,
  rule TEXT NOT NULL,
  message TEXT NOT NULL,
  since TEXT NOT NULL
);
CREATE INDEX quarantine_passage ON quarantine (certifier, id_technique);
CREATE TABLE cursors (
  certifier TEXT NOT NULL,
  mapping TEXT NOT NULL,
  value TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (certifier, mapping)
);
CREATE TABLE alerts_sent (
  id INTEGER PRIMARY KEY,
  certifier TEXT NOT NULL,
  id_technique TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  threshold INTEGER,
  channel TEXT NOT NULL DEFAULT '',
  sent_at TEXT NOT NULL
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  certifier TEXT NOT NULL,
  id_technique TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_passage ON events (id_technique);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
)SQL",
    // 2: alerts -- what was announced (so that nothing is announced twice) and the messages to send
    // (so that a restart neither loses nor repeats one).
    R"SQL(
DROP TABLE alerts_sent;
CREATE TABLE alert_marks (
  certifier TEXT NOT NULL,
  subject TEXT NOT NULL,
  kind TEXT NOT NULL,
  day TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL,
  PRIMARY KEY (certifier, subject, kind, day)
);
CREATE TABLE alert_queue (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  certifier TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  channel TEXT NOT NULL,
  recipients TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  body_text TEXT NOT NULL DEFAULT '',
  body_html TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'queued',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_detail TEXT NOT NULL DEFAULT '',
  done_at TEXT
);
CREATE INDEX alert_queue_due ON alert_queue (state, next_attempt_at);
)SQL",
    // 3: accusés de traitement -- each one imported once (by its SHA-256), and what it did.
    R"SQL(
CREATE TABLE receipts (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  deposit_id INTEGER NOT NULL REFERENCES deposits (id),
  id_traitement TEXT NOT NULL DEFAULT '',
  imported_at TEXT NOT NULL,
  file_rejected INTEGER NOT NULL DEFAULT 0,
  accepted INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  missing INTEGER NOT NULL DEFAULT 0,
  unknown INTEGER NOT NULL DEFAULT 0,
  archived_as TEXT NOT NULL DEFAULT ''
);
ALTER TABLE deposits ADD COLUMN receipt_detail TEXT NOT NULL DEFAULT '';
)SQL",
    // 4: alerts at scale -- an overdue passage is announced as new once (a mark without a day),
    // then repeated daily; the passages already announced overdue keep their first announcement. A
    // message may carry one attachment (the full lists, identifiers only).
    R"SQL(
INSERT OR IGNORE INTO alert_marks (certifier, subject, kind, day, at)
  SELECT certifier, subject, kind, '', MIN(at) FROM alert_marks
  WHERE kind = 'overdue' AND day != '' GROUP BY certifier, subject, kind;
ALTER TABLE alert_queue ADD COLUMN attachment_name TEXT NOT NULL DEFAULT '';
ALTER TABLE alert_queue ADD COLUMN attachment TEXT NOT NULL DEFAULT '';
)SQL",
    // 5: receipts, conservative -- only the CDC's passage-level duplicate counts as acceptance.
    // Passages an earlier accrochd took as accepted on another message (« Le titulaire existe déjà
    // en base ») become rejected again: ReclassifyAcceptances, in code, after this statement.
    R"SQL(
UPDATE passages SET status = status WHERE 0;
)SQL",
    // 6: cycles -- the last cycle of each result (success, partial, failure), for the metrics and
    // the dashboard: when it ended and how long it took. One row per result, replaced.
    R"SQL(
CREATE TABLE cycles (
  result TEXT PRIMARY KEY,
  ended_at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL
);
)SQL",
    // 7: the upload hook (deposit.on_publish) -- per deposit file, its runs and how the last one
    // ended (exit status, signal, timeout; never the program's output), and when it runs next.
    R"SQL(
CREATE TABLE deposit_hooks (
  deposit_id INTEGER PRIMARY KEY REFERENCES deposits (id),
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  last_result TEXT NOT NULL DEFAULT '',
  last_code INTEGER NOT NULL DEFAULT 0,
  last_detail TEXT NOT NULL DEFAULT '',
  last_attempt_at TEXT NOT NULL DEFAULT '',
  next_attempt_at TEXT NOT NULL,
  done_at TEXT NOT NULL DEFAULT '',
  marked_uploaded INTEGER NOT NULL DEFAULT 0
);
)SQL",
    // 8: withdrawals and corrections (schema 1.1.5, action SUPPRESSION) -- per passage, the
    // idTechnique the CDC knows it by (NULL: its own; a correction may deposit it under a derived
    // one), the SUPPRESSION deposit it was last put in (deposit_id stays the CREATION the CDC
    // accepted), whether the withdrawal under way corrects it, how many corrections it went
    // through, and the CDC's message on a refused withdrawal; per deposit, the file's action;
    // per member of a deposit, the idTechnique written in the file (what its receipt names).
    R"SQL(
ALTER TABLE passages ADD COLUMN cdc_id_technique TEXT;
ALTER TABLE passages ADD COLUMN withdrawal_deposit_id INTEGER;
ALTER TABLE passages ADD COLUMN correcting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE passages ADD COLUMN corrections INTEGER NOT NULL DEFAULT 0;
ALTER TABLE passages ADD COLUMN withdrawal_message TEXT NOT NULL DEFAULT '';
ALTER TABLE deposits ADD COLUMN action TEXT NOT NULL DEFAULT 'CREATION';
ALTER TABLE deposit_passages ADD COLUMN cdc_id_technique TEXT;
CREATE INDEX deposit_passages_cdc ON deposit_passages (deposit_id, cdc_id_technique);
)SQL",
    // 9: rows that disappear from the source -- per passage, the complete reads of its mapping in
    // a row that did not see it, and the flag of a passage in a file or at the CDC whose row is
    // gone (a pending or quarantined one becomes 'missing'), with since when.
    R"SQL(
ALTER TABLE passages ADD COLUMN missed_reads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE passages ADD COLUMN missing_from_source INTEGER NOT NULL DEFAULT 0;
ALTER TABLE passages ADD COLUMN missing_since TEXT NOT NULL DEFAULT '';
CREATE INDEX passages_mapping ON passages (certifier, mapping);
CREATE INDEX passages_missing ON passages (certifier)
  WHERE status = 'missing' OR missing_from_source = 1;
)SQL",
    // 10: what lets a cycle leave an unchanged row unmapped (daemon/cycle/evaluation.h): the
    // keyed digest of the row's source values as last recorded, and its holder's record in the
    // cycle's uniqueness index (NULL when the row was not valid then). Both keyed hashes.
    R"SQL(
ALTER TABLE passages ADD COLUMN row_digest BLOB;
ALTER TABLE passages ADD COLUMN holder_record BLOB;
)SQL",
    // 11: no index on the idTechnique alone. Every passage recorded inserted into it, at a place
    // its idTechnique decides (about 7 to 12 us a passage once the store outgrows its cache,
    // bench/README.md); the few queries by idTechnique alone (retry, withdrawal, show) go through
    // the primary key, once per certifier (kCertifiers, passages.cc).
    R"SQL(
DROP INDEX IF EXISTS passages_id;
)SQL",
    // 12: history entries the rows already hold. A passage's row is its "seen" entry (at
    // first_seen), a deposit's membership its "in_deposit" or "withdrawal_in_deposit" entry (at
    // the deposit's created_at, with its file name): the store no longer writes these as events
    // (two rows and two index entries a passage in a backfill, bench/README.md, 2026-12-04).
    // history_mark is the last event's id when the row was written, so that the history keeps
    // its order (PassageStore::History); NULL on rows written before, whose entries are events.
    // What the history is made of stays append-only: an abandoned deposit's memberships become
    // events before they go (DepositStore::Abandon).
    R"SQL(
ALTER TABLE passages ADD COLUMN history_mark INTEGER;
ALTER TABLE deposits ADD COLUMN history_mark INTEGER;
CREATE TRIGGER passages_history_kept BEFORE UPDATE OF certifier, id_technique, first_seen,
  history_mark ON passages
  BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
CREATE TRIGGER passages_no_delete BEFORE DELETE ON passages
  BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
CREATE TRIGGER deposits_history_kept BEFORE UPDATE OF certifier, file_name, action, created_at,
  history_mark ON deposits
  BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
CREATE TRIGGER deposits_no_delete BEFORE DELETE ON deposits
  BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
CREATE TRIGGER deposit_passages_history_kept BEFORE UPDATE OF deposit_id, certifier, id_technique
  ON deposit_passages
  BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
CREATE TRIGGER deposit_passages_no_delete BEFORE DELETE ON deposit_passages
  WHEN (SELECT state FROM deposits WHERE id = OLD.deposit_id) IS NOT 'abandoned'
  BEGIN SELECT RAISE(ABORT, 'the event history is append-only'); END;
)SQL",
    // 13: two index entries less a passage recorded in a deposit (bench/README.md, 2026-12-06).
    // A member's idTechnique in its file kept only where it is not its own (a correction's
    // derived one), NULL otherwise, and indexed only then: the receipt's look-up by the file's
    // idTechnique finds the few a correction renamed, and takes any other as the passage's own
    // (DepositStore, ApplyVerdicts); members recorded before keep their copy, which reads the
    // same. The passages' index by mapping folded into the one by status: a query for a mapping
    // names its statuses (StatusIn, passage_rows.h).
    R"SQL(
DROP INDEX deposit_passages_cdc;
CREATE INDEX deposit_passages_cdc ON deposit_passages (deposit_id, cdc_id_technique)
  WHERE cdc_id_technique IS NOT NULL;
DROP INDEX passages_mapping;
DROP INDEX passages_status;
CREATE INDEX passages_status ON passages (certifier, status, mapping);
)SQL"};

// Migration 5's work: each accepted passage whose CDC message is not an acceptance under the
// current classification becomes rejected, with an event, so that it is alerted and goes out
// again once corrected (or on `passages retry`).
void ReclassifyAcceptances(soci::session& sql, const std::string& now) {
  std::vector<std::tuple<std::string, std::string, std::string>> wrong;  // certifier, id, message
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT certifier, id_technique, cdc_message FROM passages "
                      "WHERE status = 'accepted' AND cdc_message != ''");
  for (const soci::row& r : rows) {
    const std::string message = r.get<std::string>(2);
    if (!mappings::IsAcceptance(mappings::ClassifyCdcMessage(message))) {
      wrong.emplace_back(r.get<std::string>(0), r.get<std::string>(1), message);
    }
  }
  for (const auto& [certifier, id, message] : wrong) {
    sql << "UPDATE passages SET status = 'rejected', updated_at = :now "
           "WHERE certifier = :c AND id_technique = :i",
        soci::use(now), soci::use(certifier), soci::use(id);
    sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
           "VALUES (:a, :c, :i, 'rejected', :d)",
        soci::use(now), soci::use(certifier), soci::use(id), soci::use(message);
  }
}

std::string IsoText(TimePoint t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buffer;
}

// The installation's hash key: 32 random bytes in <state>/hash.key, 0600, made once, written
// whole or not at all.
Result<std::string> LoadOrCreateKey(FileSystem& files, const std::string& state_directory) {
  const std::string path = (fs::path(state_directory) / "hash.key").string();
  auto info = files.Stat(path);
  if (!info) return std::unexpected(info.error());
  if (info->exists) {
    auto key = files.ReadFile(path, 4096);
    if (key && key->size() == 32) return *key;
    if (!key && key.error().kind() == ErrorKind::kIo) return std::unexpected(key.error());
    return Fail(ErrorKind::kIo, path +
                                    " is damaged (expected 32 bytes); remove it only if "
                                    "state.db is removed too");
  }
  std::string key(32, '\0');
  if (getrandom(key.data(), key.size(), 0) != static_cast<ssize_t>(key.size())) {
    return Fail(ErrorKind::kIo, "cannot draw a random hash key");
  }
  if (auto r = WriteFileAtomically(files, path, FileMode{0600, std::nullopt}, key); !r) {
    return std::unexpected(r.error());
  }
  return key;
}

}  // namespace

struct Database::Impl {
  soci::session sql;
};

Database::Database(std::unique_ptr<Impl> impl, std::string path, Clock& clock, std::string key)
    : impl_(std::move(impl)), path_(std::move(path)), clock_(clock), keyed_(key) {}

Database::~Database() = default;

soci::session& Database::sql() { return impl_->sql; }

sqlite3* Database::handle() { return SqliteHandle(impl_->sql); }

Error Database::Failure(const std::exception& e) const {
  return Error(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
}

void Database::EndTransaction::operator()(soci::transaction* tr) const { delete tr; }

Presence* Database::reader() {
  std::lock_guard lock(reader_mutex_);
  if (!reader_tried_) {
    reader_tried_ = true;
    if (auto opened = Presence::Open(path_)) reader_ = std::move(*opened);
  }
  return reader_.get();
}

Database::Transaction Database::Begin(soci::session& sql) {
  return Transaction(new soci::transaction(sql));
}

void Database::Commit(Transaction& tr) { tr->commit(); }

Result<std::unique_ptr<Database>> Database::Open(const std::string& state_directory, Clock& clock,
                                                 FileSystem& files) {
  auto key = LoadOrCreateKey(files, state_directory);
  if (!key) return std::unexpected(key.error());
  const std::string path = (fs::path(state_directory) / "state.db").string();
  auto impl = std::make_unique<Impl>();
  try {
    // Create the file 0600 before SQLite does (its mode would follow the umask).
    if (auto created = files.NewFile(path, CreateMode::kAppend, FileMode{0600, std::nullopt});
        !created) {
      return std::unexpected(created.error().WithContext("cannot open the state store"));
    }
    impl->sql.open(soci::sqlite3, "db=" + path + " timeout=30");
    soci::session& sql = impl->sql;
    // Pages of 16 KiB rather than SQLite's 4 KiB: a backfill's records of its deposit files took
    // a tenth less CPU (fewer pages to split, fill, log and checkpoint for the same rows; 32 KiB
    // gained no more), the store's size the same (bench/README.md, 2026-12-06, before noon). A page
    // size is chosen when the database is created, before its first table: a store made by an
    // earlier version keeps its 4 KiB pages, and works the same with them (WAL mode cannot
    // change them, and nothing here needs it to).
    sql << "PRAGMA page_size=" << kPageSize;
    std::string mode;
    sql << "PRAGMA journal_mode=WAL", soci::into(mode);
    sql << "PRAGMA synchronous=FULL";
    // 16 MiB of page cache (SQLite's default is 2 MiB): a backfill's index lookups stay in
    // memory instead of one pread each.
    sql << "PRAGMA cache_size=-16384";
    sql << "PRAGMA foreign_keys=ON";
    sql << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
    int version = 0;
    soci::indicator ind = soci::i_ok;
    sql << "SELECT MAX(version) FROM schema_version", soci::into(version, ind);
    if (ind == soci::i_null) version = 0;
    if (version > static_cast<int>(kMigrations.size())) {
      return Fail(ErrorKind::kConfig, path + " was written by a newer accrochd (schema version " +
                                          std::to_string(version) + ")");
    }
    for (std::size_t v = static_cast<std::size_t>(version); v < kMigrations.size(); ++v) {
      soci::transaction tr(sql);
      // Statements one by one: the backend runs one per call.
      std::string script(kMigrations[v]);
      std::size_t start = 0;
      while (start < script.size()) {
        std::size_t end = script.find(";\n", start);
        if (script.compare(start, 14, "\nCREATE TRIGGE") == 0 ||
            script.compare(start, 14, "CREATE TRIGGER") == 0) {
          end = script.find("END;", start) + 3;
        }
        if (end == std::string::npos) end = script.size();
        std::string statement = script.substr(start, end - start);
        if (statement.find_first_not_of(" \n") != std::string::npos) sql << statement;
        start = end + 1;
      }
      const int next = static_cast<int>(v + 1);
      if (next == 5) ReclassifyAcceptances(sql, IsoUtc(clock.Now()));
      sql << "INSERT INTO schema_version (version) VALUES (:v)", soci::use(next);
      tr.commit();
    }
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "cannot open the state store " + path + ": " + e.what());
  }
  return std::unique_ptr<Database>(new Database(std::move(impl), path, clock, *key));
}

std::string Database::Keyed(std::string_view data) const { return Hex(KeyedDigest(data)); }

std::string Database::KeyedDigest(std::string_view data) const { return keyed_.Digest(data); }

std::string IsoUtc(TimePoint t) { return IsoText(t); }

std::optional<TimePoint> ParseIsoUtc(std::string_view text) {
  // Exactly YYYY-MM-DDTHH:MM:SSZ, as IsoUtc writes.
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  auto number = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(*year),
                                        std::chrono::month(static_cast<unsigned>(*month)),
                                        std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  return std::chrono::time_point_cast<TimePoint::duration>(
      std::chrono::sys_days(ymd) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
      std::chrono::seconds(*second));
}

TimePoint StoredTime(std::string_view text) { return ParseIsoUtc(text).value_or(TimePoint{}); }

std::optional<TimePoint> StoredOptionalTime(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return StoredTime(text);
}

// An integer column of a row: SOCI's SQLite backend types a column from its declaration, and an
// expression (COUNT(*), MAX(...)) has none.
std::int64_t Integer(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return 0;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return r.get<int>(i);
    case soci::dt_long_long:
      return r.get<long long>(i);
    case soci::dt_unsigned_long_long:
      return static_cast<std::int64_t>(r.get<unsigned long long>(i));
    case soci::dt_double:
      return static_cast<std::int64_t>(r.get<double>(i));
    case soci::dt_string:
      return std::stoll(r.get<std::string>(i));
    default:
      return 0;
  }
}

std::optional<Date> DateOf(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return ParseIsoDate(text);
}

RelaxedSync::RelaxedSync(soci::session& sql) : sql_(sql) { sql_ << "PRAGMA synchronous=NORMAL"; }

RelaxedSync::~RelaxedSync() {
  try {
    sql_ << "PRAGMA synchronous=FULL";
  } catch (const std::exception&) {
    // The connection is broken: nothing more will be committed through it.
  }
}

}  // namespace accrochd::store
