#include "connectors/store/state_store.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <tuple>

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connectors/store/sqlite_statement.h"
#include "core/deadline.h"
#include "mappings/cdc_message.h"

namespace accrochd::store {
namespace {

namespace fs = std::filesystem;

// The schema, one migration per version. Never edit a published migration: add one.
constexpr std::array<std::string_view, 5> kMigrations = {R"SQL(
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
// 4: alerts at scale -- an overdue passage is announced as new once (a mark without a day), then
// repeated daily; the passages already announced overdue keep their first announcement. A
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

std::string Iso(TimePoint t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buffer;
}

std::string Hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xF];
  }
  return out;
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
    return Fail(ErrorKind::kIo, path + " is damaged (expected 32 bytes); remove it only if "
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

}  // namespace

std::string_view StatusName(Status s) {
  switch (s) {
    case Status::kPending: return "pending";
    case Status::kQuarantined: return "quarantined";
    case Status::kInDeposit: return "in_deposit";
    case Status::kDeposited: return "deposited";
    case Status::kAccepted: return "accepted";
    case Status::kRejected: return "rejected";
  }
  return "pending";
}

std::optional<Status> ParseStatus(std::string_view name) {
  for (Status s : {Status::kPending, Status::kQuarantined, Status::kInDeposit, Status::kDeposited,
                   Status::kAccepted, Status::kRejected}) {
    if (StatusName(s) == name) return s;
  }
  return std::nullopt;
}

struct StateStore::Impl {
  soci::session sql;
};

StateStore::StateStore(std::unique_ptr<Impl> impl, std::string path, Clock& clock,
                       std::string key)
    : impl_(std::move(impl)), path_(std::move(path)), clock_(clock), key_(std::move(key)) {}


std::string StateStore::Now() const { return Iso(clock_.Now()); }

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& state_directory,
                                                     Clock& clock, FileSystem& files) {
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
    std::string mode;
    sql << "PRAGMA journal_mode=WAL", soci::into(mode);
    sql << "PRAGMA synchronous=FULL";
    // 16 MiB of page cache (SQLite's default is 2 MiB): a backfill's index lookups stay in
    // memory instead of one pread each.
    sql << "PRAGMA cache_size=-16384";
    sql << "PRAGMA temp.cache_size=-16384";
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
      if (next == 5) ReclassifyAcceptances(sql, Iso(clock.Now()));
      sql << "INSERT INTO schema_version (version) VALUES (:v)", soci::use(next);
      tr.commit();
    }
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "cannot open the state store " + path + ": " + e.what());
  }
  return std::unique_ptr<StateStore>(new StateStore(std::move(impl), path, clock, *key));
}

std::string StateStore::ContentHash(const mappings::Passage& p) const {
  std::string data;
  auto add = [&](std::string_view s) {
    data += std::to_string(s.size());
    data += ':';
    data += s;
  };
  add(p.id_technique);
  // The passage's own certification: a row that moves to another certification has changed.
  add(p.certification.type);
  add(p.certification.code);
  if (p.mapping != nullptr) add(p.mapping->nature_deposant.value_or(""));
  data += std::to_string(static_cast<int>(p.identification));
  for (const mappings::FieldValue& v : p.values) {
    data += std::to_string(static_cast<int>(v.state));
    add(v.text);
  }
  for (const mappings::Resultat& r : p.resultats) {
    add(r.domaine_competence_id);
    add(r.competence_id);
    add(r.niveau);
  }
  return Keyed(data);
}

// The statements of the store's hot loops (observations, deposit membership), prepared once on
// SQLite's own API (sqlite_statement.h) and reset after each use.
//
// content_hash is the content the passage was (or will be) deposited with; source_hash the
// content last seen in the source. They differ while a passage waits in a file, or after the CDC
// accepted it, when the source changes: the change is recorded once, and the deposited content
// stays what a rejection or an acceptance is compared with.
struct StateStore::Hot {
  SqliteStatement select, insert, update, touch_cursor, event, unquarantine, quarantine;
  SqliteStatement deposit_update, deposit_link, deposit_event;

  explicit Hot(sqlite3* db)
      : select(db,
               "SELECT status, content_hash, source_hash, retry_requested, xsd_refused, "
               "changed_after_acceptance FROM passages WHERE certifier = ?1 AND "
               "id_technique = ?2"),
        insert(db,
               "INSERT INTO passages (certifier, id_technique, mapping, certification_type, "
               "certification_code, delivery, deadline, content_hash, source_hash, cursor_value, "
               "status, first_seen, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, "
               "?10, ?11, ?11)"),
        update(db,
               "UPDATE passages SET mapping = ?3, certification_type = ?4, "
               "certification_code = ?5, delivery = ?6, deadline = ?7, "
               "content_hash = CASE WHEN ?12 = 1 THEN content_hash ELSE ?8 END, "
               "source_hash = ?8, cursor_value = ?9, status = ?10, "
               "xsd_refused = CASE WHEN ?13 = 1 THEN 0 ELSE xsd_refused END, "
               "changed_after_acceptance = MAX(changed_after_acceptance, ?14), "
               "retry_requested = CASE WHEN ?15 = 1 THEN 0 ELSE retry_requested END, "
               "updated_at = ?11 WHERE certifier = ?1 AND id_technique = ?2"),
        touch_cursor(db,
                     "UPDATE passages SET cursor_value = ?3 WHERE certifier = ?1 AND "
                     "id_technique = ?2 AND cursor_value IS NOT ?3"),
        event(db,
              "INSERT INTO events (at, certifier, id_technique, kind, detail) "
              "VALUES (?1, ?2, ?3, ?4, ?5)"),
        unquarantine(db, "DELETE FROM quarantine WHERE certifier = ?1 AND id_technique = ?2"),
        quarantine(db,
                   "INSERT INTO quarantine (certifier, id_technique, field, rule, message, "
                   "since) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        deposit_update(db,
                       "UPDATE passages SET status = 'in_deposit', deposit_id = ?1, "
                       "updated_at = ?2 WHERE certifier = ?3 AND id_technique = ?4 AND "
                       "status = 'pending'"),
        deposit_link(db,
                     "INSERT INTO deposit_passages (deposit_id, certifier, id_technique, "
                     "content_hash) SELECT ?1, certifier, id_technique, content_hash FROM "
                     "passages WHERE certifier = ?2 AND id_technique = ?3"),
        deposit_event(db,
                      "INSERT INTO events (at, certifier, id_technique, kind, detail) "
                      "VALUES (?1, ?2, ?3, 'in_deposit', ?4)") {}

  void Event(const std::string& at, const std::string& certifier, const std::string& id,
             std::string_view kind, std::string_view detail) {
    event.Bind(1, at).Bind(2, certifier).Bind(3, id).Bind(4, kind).Bind(5, detail).Run();
  }
};

StateStore::Hot& StateStore::HotStatements() {
  if (!hot_) hot_ = std::make_unique<Hot>(SqliteHandle(impl_->sql));
  return *hot_;
}

namespace {

// Observations are committed with synchronous=NORMAL: in WAL mode such a commit is atomic and
// survives a crash of the process, but not a power cut, which may lose the last ones. That is
// harmless: a lost observation is seen again at the next cycle (and the bookmark, committed in
// the same transaction, is lost with it). What must survive a power cut -- a deposit's
// membership before its file is announced, receipts, alerts -- is committed with FULL, whose
// fsync of the WAL also makes every earlier NORMAL commit durable.
class RelaxedSync {
 public:
  explicit RelaxedSync(soci::session& sql) : sql_(sql) { sql_ << "PRAGMA synchronous=NORMAL"; }
  ~RelaxedSync() {
    try {
      sql_ << "PRAGMA synchronous=FULL";
    } catch (const std::exception&) {
      // The connection is broken: nothing more will be committed through it.
    }
  }
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;

 private:
  soci::session& sql_;
};

}  // namespace

Result<std::vector<Outcome>> StateStore::Observe(const std::vector<Observation>& observations,
                                                 const std::optional<Bookmark>& bookmark) {
  std::lock_guard lock(mutex_);
  std::vector<Outcome> outcomes;
  outcomes.reserve(observations.size());
  try {
    soci::session& sql = impl_->sql;
    Hot& st = HotStatements();
    const std::string now = Now();
    RelaxedSync relaxed(sql);
    soci::transaction tr(sql);
    std::vector<std::pair<std::string, std::string>> events;  // kind, detail
    for (const Observation& o : observations) {
      const std::string& certifier = o.certifier;
      const std::string& id = o.id_technique;
      std::string old_status, old_hash, old_source_hash;
      std::int64_t retry = 0, xsd_refused = 0, old_accepted_changed = 0;
      st.select.Bind(1, certifier).Bind(2, id);
      const bool exists = st.select.Next();
      if (exists) {
        old_status = st.select.Text(0);
        old_hash = st.select.Text(1);
        old_source_hash = st.select.Text(2);
        retry = st.select.Integer(3);
        xsd_refused = st.select.Integer(4);
        old_accepted_changed = st.select.Integer(5);
        st.select.Reset();
      }
      const std::optional<std::string> delivery =
          o.delivery ? std::optional<std::string>(FormatIsoDate(*o.delivery)) : std::nullopt;
      const std::optional<std::string> deadline =
          o.delivery ? std::optional<std::string>(FormatIsoDate(DeadlineFor(*o.delivery)))
                     : std::nullopt;
      auto bind_row = [&](SqliteStatement& s) -> SqliteStatement& {
        return s.Bind(1, certifier)
            .Bind(2, id)
            .Bind(3, o.mapping)
            .Bind(4, o.certification_type)
            .Bind(5, o.certification_code)
            .Bind(6, delivery)
            .Bind(7, deadline)
            .Bind(8, o.content_hash)
            .Bind(9, o.cursor_value)
            .Bind(11, now);
      };
      Outcome out;
      const Status observed = o.quarantined ? Status::kQuarantined : Status::kPending;
      events.clear();
      if (!exists) {
        out.change = Outcome::Change::kNew;
        out.status = observed;
        bind_row(st.insert).Bind(10, StatusName(observed)).Run();
        events.emplace_back("seen", "");
        if (o.quarantined) events.emplace_back("quarantined", "");
      } else {
        const Status old = ParseStatus(old_status).value_or(Status::kPending);
        // Compared with the content deposited (or to deposit); `fresh` when the source shows a
        // content not seen before, so that a change is recorded once.
        const bool changed = old_hash != o.content_hash;
        const bool fresh = old_source_hash != o.content_hash;
        out.retry_requested = retry != 0;
        out.first_seen_change = changed && fresh;
        Status next = old;
        bool keep_content = false;  // the deposited content stays the reference
        switch (old) {
          case Status::kPending:
          case Status::kQuarantined:
            // Refused by the XSD: stays quarantined until its content changes.
            next = (old == Status::kQuarantined && xsd_refused != 0 && !changed) ? old : observed;
            out.change = changed ? Outcome::Change::kUpdated : Outcome::Change::kUnchanged;
            if (old != next) events.emplace_back(o.quarantined ? "quarantined" : "valid", "");
            if (changed) events.emplace_back("updated", "");
            break;
          case Status::kInDeposit:
          case Status::kDeposited:
            keep_content = true;
            out.change = changed ? Outcome::Change::kChangedInDeposit : Outcome::Change::kUnchanged;
            if (changed && fresh) events.emplace_back("changed_in_deposit", "");
            break;
          case Status::kAccepted:
            keep_content = true;
            out.change =
                changed ? Outcome::Change::kChangedAfterAcceptance : Outcome::Change::kUnchanged;
            if (changed && fresh) events.emplace_back("changed_after_acceptance", "");
            break;
          case Status::kRejected:
            if (changed || retry != 0) {
              next = observed;
              out.change = changed ? Outcome::Change::kChangedAfterRejection
                                   : Outcome::Change::kUnchanged;
              events.emplace_back(changed ? "corrected" : "retry", "");
            } else {
              keep_content = true;
              out.change = Outcome::Change::kUnchanged;
            }
            break;
        }
        out.status = next;
        const bool flag = old == Status::kAccepted && changed && old_accepted_changed == 0;
        if (fresh || (changed && !keep_content) || next != old || flag) {
          bind_row(st.update)
              .Bind(10, StatusName(next))
              .Bind(12, std::int64_t{keep_content ? 1 : 0})
              .Bind(13, std::int64_t{changed && !keep_content ? 1 : 0})
              .Bind(14, std::int64_t{old == Status::kAccepted && changed ? 1 : 0})
              .Bind(15, std::int64_t{next != old ? 1 : 0})
              .Run();
        } else if (o.cursor_value) {
          st.touch_cursor.Bind(1, certifier).Bind(2, id).Bind(3, *o.cursor_value).Run();
        }
      }
      // The quarantine holds the reasons of the latest observation (or the XSD's, while the
      // content stays the same).
      const bool kept_by_xsd = out.status == Status::kQuarantined && !o.quarantined;
      if (!kept_by_xsd && (o.quarantined || out.change != Outcome::Change::kUnchanged ||
                           (exists && old_status == "quarantined"))) {
        st.unquarantine.Bind(1, certifier).Bind(2, id).Run();
        if (o.quarantined) {
          for (const Observation::Reason& r : o.reasons) {
            st.quarantine.Bind(1, certifier)
                .Bind(2, id)
                .Bind(3, r.field)
                .Bind(4, r.rule)
                .Bind(5, r.message)
                .Bind(6, now)
                .Run();
          }
        }
      }
      for (auto& [kind, detail] : events) {
        if (kind == "quarantined") {
          std::vector<std::string> rules;  // each rule once
          for (const Observation::Reason& r : o.reasons) {
            if (std::find(rules.begin(), rules.end(), r.rule) != rules.end()) continue;
            rules.push_back(r.rule);
            detail += (detail.empty() ? "" : "; ") + r.rule;
          }
        }
        st.Event(now, certifier, id, kind, detail);
      }
      outcomes.push_back(out);
    }
    if (bookmark) {
      sql << "INSERT INTO cursors (certifier, mapping, value, fingerprint, updated_at) "
             "VALUES (:c, :m, :v, :f, :n) ON CONFLICT (certifier, mapping) DO UPDATE SET "
             "value = excluded.value, fingerprint = excluded.fingerprint, "
             "updated_at = excluded.updated_at",
          soci::use(bookmark->certifier), soci::use(bookmark->mapping), soci::use(bookmark->value),
          soci::use(bookmark->fingerprint), soci::use(now);
    }
    tr.commit();
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return outcomes;
}

Result<std::optional<Bookmark>> StateStore::GetBookmark(const std::string& certifier,
                                                        const std::string& mapping) {
  std::lock_guard lock(mutex_);
  try {
    Bookmark b{certifier, mapping, "", ""};
    soci::indicator ind = soci::i_null;
    impl_->sql << "SELECT value, fingerprint FROM cursors WHERE certifier = :c AND mapping = :m",
        soci::into(b.value, ind), soci::into(b.fingerprint), soci::use(certifier),
        soci::use(mapping);
    if (!impl_->sql.got_data() || ind == soci::i_null) return std::optional<Bookmark>();
    return std::optional<Bookmark>(std::move(b));
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
}

Result<std::optional<std::string>> StateStore::PendingCursorFloor(const std::string& certifier,
                                                                  const std::string& mapping,
                                                                  bool numeric) {
  std::lock_guard lock(mutex_);
  try {
    long long pending = 0, without = 0;
    impl_->sql << "SELECT COUNT(*), COALESCE(SUM(cursor_value IS NULL), 0) FROM passages "
                  "WHERE certifier = :c AND mapping = :m AND status = 'pending'",
        soci::into(pending), soci::into(without), soci::use(certifier), soci::use(mapping);
    if (pending == 0) return std::optional<std::string>();
    if (without > 0) return std::optional<std::string>("");
    std::string floor;
    impl_->sql << (numeric ? "SELECT CAST(MIN(CAST(cursor_value AS INTEGER)) AS TEXT) FROM "
                             "passages WHERE certifier = :c AND mapping = :m AND status = 'pending'"
                           : "SELECT MIN(cursor_value) FROM passages WHERE certifier = :c AND "
                             "mapping = :m AND status = 'pending'"),
        soci::into(floor), soci::use(certifier), soci::use(mapping);
    return std::optional<std::string>(floor);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
}

Result<void> StateStore::QuarantineRefused(
    const std::string& certifier,
    const std::vector<std::pair<std::string, Observation::Reason>>& refused) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  try {
    soci::session& sql = impl_->sql;
    soci::transaction tr(sql);
    std::vector<std::string> cleared, skipped;
    for (const auto& [id, reason] : refused) {
      if (std::find(cleared.begin(), cleared.end(), id) == cleared.end()) {
        soci::statement update =
            (sql.prepare << "UPDATE passages SET status = 'quarantined', xsd_refused = 1, "
                            "updated_at = :now WHERE certifier = :c AND id_technique = :i AND "
                            "status = 'pending'",
             soci::use(now), soci::use(certifier), soci::use(id));
        update.execute(true);
        if (update.get_affected_rows() != 1) {
          skipped.push_back(id);  // not pending (any more): nothing to quarantine
          cleared.push_back(id);
          continue;
        }
        cleared.push_back(id);
        sql << "DELETE FROM quarantine WHERE certifier = :c AND id_technique = :i",
            soci::use(certifier), soci::use(id);
      } else if (std::find(skipped.begin(), skipped.end(), id) != skipped.end()) {
        continue;
      }
      sql << "INSERT INTO quarantine (certifier, id_technique, field, rule, message, since) "
             "VALUES (:c, :i, :f, :r, :m, :s)",
          soci::use(certifier), soci::use(id), soci::use(reason.field), soci::use(reason.rule),
          soci::use(reason.message), soci::use(now);
      sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
             "VALUES (:a, :c, :i, 'quarantined', :d)",
          soci::use(now), soci::use(certifier), soci::use(id), soci::use(reason.rule);
    }
    tr.commit();
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return {};
}

Result<std::int64_t> StateStore::BeginDeposit(const std::string& certifier,
                                              const std::string& file_name,
                                              const std::string& id_flux,
                                              const std::vector<std::string>& id_techniques) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  try {
    soci::session& sql = impl_->sql;
    soci::transaction tr(sql);
    const long long count = static_cast<long long>(id_techniques.size());
    sql << "INSERT INTO deposits (certifier, file_name, id_flux, passages, state, created_at) "
           "VALUES (:c, :f, :x, :n, 'publishing', :now)",
        soci::use(certifier), soci::use(file_name), soci::use(id_flux), soci::use(count),
        soci::use(now);
    long long id = 0;
    sql << "SELECT last_insert_rowid()", soci::into(id);
    Hot& st = HotStatements();
    const std::int64_t deposit = id;
    for (const std::string& each : id_techniques) {
      if (st.deposit_update.Bind(1, deposit).Bind(2, now).Bind(3, certifier).Bind(4, each).Run() !=
          1) {
        return Fail(ErrorKind::kInternal, "passage " + each + " of " + certifier +
                                              " is not pending; it cannot go into " + file_name);
      }
      st.deposit_link.Bind(1, deposit).Bind(2, certifier).Bind(3, each).Run();
      st.deposit_event.Bind(1, now).Bind(2, certifier).Bind(3, each).Bind(4, file_name).Run();
    }
    tr.commit();
    return static_cast<std::int64_t>(id);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
}

Result<void> StateStore::MarkPublished(std::int64_t deposit_id, const std::string& sha256) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  const long long id = deposit_id;
  try {
    soci::statement update =
        (impl_->sql.prepare << "UPDATE deposits SET state = 'published', sha256 = :s, "
                               "published_at = :now WHERE id = :id AND state = 'publishing'",
         soci::use(sha256), soci::use(now), soci::use(id));
    update.execute(true);
    if (update.get_affected_rows() != 1) {
      return Fail(ErrorKind::kInternal,
                  "deposit " + std::to_string(id) + " is not being published; nothing recorded");
    }
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return {};
}

Result<void> StateStore::AbandonDeposit(std::int64_t deposit_id, const std::string& /*why*/) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  const long long id = deposit_id;
  try {
    soci::session& sql = impl_->sql;
    soci::transaction tr(sql);
    // Only a file that never reached the outbox is abandoned: a published one stays published.
    soci::statement abandon =
        (sql.prepare << "UPDATE deposits SET state = 'abandoned' WHERE id = :id AND "
                        "state = 'publishing'",
         soci::use(id));
    abandon.execute(true);
    if (abandon.get_affected_rows() != 1) {
      return Fail(ErrorKind::kInternal,
                  "deposit " + std::to_string(id) + " is not being published; not abandoned");
    }
    sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
           "SELECT :now, dp.certifier, dp.id_technique, 'deposit_abandoned', d.file_name "
           "FROM deposit_passages dp JOIN deposits d ON d.id = dp.deposit_id "
           "WHERE dp.deposit_id = :id",
        soci::use(now), soci::use(id);
    sql << "UPDATE passages SET status = 'pending', deposit_id = NULL, updated_at = :now "
           "WHERE deposit_id = :id AND status = 'in_deposit'",
        soci::use(now), soci::use(id);
    sql << "DELETE FROM deposit_passages WHERE deposit_id = :id", soci::use(id);
    tr.commit();
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return {};
}

Result<std::vector<DepositRecord>> StateStore::Deposits(const std::optional<std::string>& state) {
  std::lock_guard lock(mutex_);
  std::vector<DepositRecord> out;
  try {
    const std::string wanted = state.value_or("");
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << "SELECT id, certifier, file_name, id_flux, sha256, passages, state, "
                               "created_at, published_at, uploaded_at, receipt_status, receipt_at, "
                               "receipt_detail FROM deposits WHERE (:s = '' OR state = :s2) "
                               "ORDER BY id",
         soci::use(wanted), soci::use(wanted));
    for (const soci::row& r : rows) {
      DepositRecord d;
      d.id = Integer(r, 0);
      d.certifier = r.get<std::string>(1);
      d.file_name = r.get<std::string>(2);
      d.id_flux = r.get<std::string>(3);
      d.sha256 = r.get<std::string>(4);
      d.passages = Integer(r, 5);
      d.state = r.get<std::string>(6);
      d.created_at = r.get<std::string>(7);
      d.published_at = r.get<std::string>(8);
      d.uploaded_at = r.get<std::string>(9);
      d.receipt_status = r.get<std::string>(10);
      d.receipt_at = r.get<std::string>(11);
      d.receipt_detail = r.get<std::string>(12);
      out.push_back(std::move(d));
    }
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<DepositRecord> StateStore::MarkUploaded(const std::string& file_name) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  try {
    soci::session& sql = impl_->sql;
    // The check and the change in one transaction: a receipt recorded meanwhile is not undone.
    soci::transaction tr(sql);
    DepositRecord d;
    long long id = 0, passages = 0;
    soci::indicator found = soci::i_null;
    sql << "SELECT id, certifier, id_flux, sha256, passages, state, created_at, published_at "
           "FROM deposits WHERE file_name = :f AND state != 'abandoned'",
        soci::into(id, found), soci::into(d.certifier), soci::into(d.id_flux),
        soci::into(d.sha256), soci::into(passages), soci::into(d.state),
        soci::into(d.created_at), soci::into(d.published_at), soci::use(file_name);
    if (!sql.got_data() || found == soci::i_null) {
      return Fail(ErrorKind::kUsage, "no deposit file named " + file_name +
                                         " (accrochd deposits list shows them)");
    }
    if (d.state != "published") {
      return Fail(ErrorKind::kUsage, file_name + " is " + d.state +
                                         (d.state == "uploaded" ? " already" : "") +
                                         "; only a published file can be marked uploaded");
    }
    sql << "UPDATE deposits SET state = 'uploaded', uploaded_at = :now WHERE id = :id",
        soci::use(now), soci::use(id);
    sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
           "SELECT :now, certifier, id_technique, 'deposited', :f FROM passages "
           "WHERE deposit_id = :id AND status = 'in_deposit'",
        soci::use(now), soci::use(file_name), soci::use(id);
    sql << "UPDATE passages SET status = 'deposited', updated_at = :now "
           "WHERE deposit_id = :id AND status = 'in_deposit'",
        soci::use(now), soci::use(id);
    tr.commit();
    d.id = id;
    d.passages = passages;
    d.file_name = file_name;
    d.state = "uploaded";
    d.uploaded_at = now;
    return d;
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
}

namespace {

PassageRecord PassageFrom(const soci::row& r) {
  PassageRecord p;
  p.certifier = r.get<std::string>(0);
  p.id_technique = r.get<std::string>(1);
  p.mapping = r.get<std::string>(2);
  p.certification_type = r.get<std::string>(3);
  p.certification_code = r.get<std::string>(4);
  if (r.get_indicator(5) != soci::i_null) p.delivery = DateOf(r.get<std::string>(5));
  if (r.get_indicator(6) != soci::i_null) p.deadline = DateOf(r.get<std::string>(6));
  p.status = ParseStatus(r.get<std::string>(7)).value_or(Status::kPending);
  if (r.get_indicator(8) != soci::i_null) p.deposit_id = Integer(r, 8);
  p.cdc_message = r.get<std::string>(9);
  p.changed_after_acceptance = Integer(r, 10) != 0;
  p.first_seen = r.get<std::string>(11);
  p.updated_at = r.get<std::string>(12);
  if (r.get_indicator(13) != soci::i_null) p.deposit_file = r.get<std::string>(13);
  return p;
}

constexpr const char* kPassageColumns =
    "SELECT p.certifier, p.id_technique, p.mapping, p.certification_type, p.certification_code, "
    "p.delivery, p.deadline, p.status, p.deposit_id, p.cdc_message, p.changed_after_acceptance, "
    "p.first_seen, p.updated_at, d.file_name FROM passages p "
    "LEFT JOIN deposits d ON d.id = p.deposit_id ";

}  // namespace

Result<std::vector<PassageRecord>> StateStore::Passages() {
  std::lock_guard lock(mutex_);
  std::vector<PassageRecord> out;
  try {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << std::string(kPassageColumns) + "ORDER BY p.deadline, p.id_technique");
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<std::vector<PassageRecord>> StateStore::PassagesWithId(const std::string& id_technique) {
  std::lock_guard lock(mutex_);
  std::vector<PassageRecord> out;
  try {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << std::string(kPassageColumns) + "WHERE p.id_technique = :i",
         soci::use(id_technique));
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<std::vector<Event>> StateStore::History(const std::string& id_technique) {
  std::lock_guard lock(mutex_);
  std::vector<Event> out;
  try {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << "SELECT at, certifier, id_technique, kind, detail FROM events "
                               "WHERE id_technique = :i ORDER BY id",
         soci::use(id_technique));
    for (const soci::row& r : rows) {
      out.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                     r.get<std::string>(3), r.get<std::string>(4)});
    }
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<std::vector<QuarantineRecord>> StateStore::Quarantine() {
  std::lock_guard lock(mutex_);
  std::vector<QuarantineRecord> out;
  try {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare
         << "SELECT q.certifier, q.id_technique, p.mapping, q.field, q.rule, q.message, p.deadline "
            "FROM quarantine q JOIN passages p ON p.certifier = q.certifier AND "
            "p.id_technique = q.id_technique WHERE p.status = 'quarantined' "
            "ORDER BY p.deadline, q.id_technique");
    for (const soci::row& r : rows) {
      QuarantineRecord q;
      q.certifier = r.get<std::string>(0);
      q.id_technique = r.get<std::string>(1);
      q.mapping = r.get<std::string>(2);
      q.field = r.get<std::string>(3);
      q.rule = r.get<std::string>(4);
      q.message = r.get<std::string>(5);
      if (r.get_indicator(6) != soci::i_null) q.deadline = DateOf(r.get<std::string>(6));
      out.push_back(std::move(q));
    }
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<void> StateStore::AddEvent(const std::string& certifier, const std::string& id_technique,
                                  const std::string& kind, const std::string& detail) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  try {
    impl_->sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
                  "VALUES (:a, :c, :i, :k, :d)",
        soci::use(now), soci::use(certifier), soci::use(id_technique), soci::use(kind),
        soci::use(detail);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return {};
}

namespace {

// Applies the CDC's verdicts on deposit `id`'s passages, inside the caller's transaction. Only a
// passage still waiting in this deposit takes its verdict: one sent again since (after a
// correction) waits for its own. Counts what changed.
void ApplyVerdicts(soci::session& sql, long long id, const std::string& certifier,
                   const std::vector<StateStore::Verdict>& verdicts, const std::string& now,
                   ReceiptOutcome& outcome) {
  for (const StateStore::Verdict& v : verdicts) {
    const std::string status = v.accepted ? "accepted" : "rejected";
    soci::statement update =
        (sql.prepare << "UPDATE passages SET status = :s, cdc_message = :m, updated_at = :now "
                        "WHERE certifier = :c AND id_technique = :i AND deposit_id = :d AND "
                        "status IN ('in_deposit', 'deposited')",
         soci::use(status), soci::use(v.message), soci::use(now), soci::use(certifier),
         soci::use(v.id_technique), soci::use(id));
    update.execute(true);
    if (update.get_affected_rows() != 1) {
      // Not in this deposit (unknown to it), or sent again since, or already judged.
      int known = 0;
      sql << "SELECT COUNT(*) FROM deposit_passages dp JOIN passages p ON p.certifier = "
             "dp.certifier AND p.id_technique = dp.id_technique WHERE dp.deposit_id = :d AND "
             "dp.id_technique = :i",
          soci::into(known), soci::use(id), soci::use(v.id_technique);
      if (known == 0) ++outcome.unknown;
      continue;
    }
    ++(v.accepted ? outcome.accepted : outcome.rejected);
    auto event = [&](const std::string& kind, const std::string& detail) {
      sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
             "VALUES (:a, :c, :i, :k, :d)",
          soci::use(now), soci::use(certifier), soci::use(v.id_technique), soci::use(kind),
          soci::use(detail);
    };
    event(status, v.message);
    // The source changed while the file waited (the change was seen, the deposited content
    // kept): act on it now. An incremental mapping may never read the row again.
    int changed = 0, quarantined = 0;
    sql << "SELECT content_hash != source_hash, EXISTS (SELECT 1 FROM quarantine q "
           "WHERE q.certifier = p.certifier AND q.id_technique = p.id_technique) "
           "FROM passages p WHERE certifier = :c AND id_technique = :i",
        soci::into(changed), soci::into(quarantined), soci::use(certifier),
        soci::use(v.id_technique);
    if (changed == 0) continue;
    if (v.accepted) {
      sql << "UPDATE passages SET changed_after_acceptance = 1 "
             "WHERE certifier = :c AND id_technique = :i",
          soci::use(certifier), soci::use(v.id_technique);
      event("changed_after_acceptance", "");
    } else {
      // Already corrected: the content last seen becomes the one to deposit.
      const std::string next = quarantined != 0 ? "quarantined" : "pending";
      sql << "UPDATE passages SET status = :s, content_hash = source_hash, xsd_refused = 0, "
             "updated_at = :now WHERE certifier = :c AND id_technique = :i",
          soci::use(next), soci::use(now), soci::use(certifier), soci::use(v.id_technique);
      event("corrected", "");
      if (quarantined != 0) event("quarantined", "");
    }
  }
}

}  // namespace

Result<void> StateStore::RecordVerdicts(const std::string& file_name,
                                        const std::string& receipt_status,
                                        const std::vector<Verdict>& verdicts) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  try {
    soci::session& sql = impl_->sql;
    soci::transaction tr(sql);
    long long id = 0;
    std::string certifier;
    soci::indicator ind = soci::i_null;
    sql << "SELECT id, certifier FROM deposits WHERE file_name = :f AND state != 'abandoned'",
        soci::into(id, ind), soci::into(certifier), soci::use(file_name);
    if (!sql.got_data() || ind == soci::i_null) {
      return Fail(ErrorKind::kInvalidData, "no deposit file named " + file_name);
    }
    sql << "UPDATE deposits SET state = 'receipt', receipt_status = :s, receipt_at = :now, "
           "uploaded_at = CASE WHEN uploaded_at = '' THEN :now2 ELSE uploaded_at END "
           "WHERE id = :id",
        soci::use(receipt_status), soci::use(now), soci::use(now), soci::use(id);
    ReceiptOutcome ignored;
    ApplyVerdicts(sql, id, certifier, verdicts, now, ignored);
    tr.commit();
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return {};
}

Result<std::optional<DepositRecord>> StateStore::FindDeposit(
    const std::optional<std::string>& id_flux, const std::optional<std::string>& file_name) {
  auto deposits = Deposits();
  if (!deposits) return std::unexpected(deposits.error());
  if (id_flux && !id_flux->empty()) {
    for (const DepositRecord& d : *deposits) {
      if (d.id_flux == *id_flux) return std::optional<DepositRecord>(d);
    }
  }
  if (file_name && !file_name->empty()) {
    for (const DepositRecord& d : *deposits) {
      if (d.file_name == *file_name) return std::optional<DepositRecord>(d);
    }
  }
  return std::optional<DepositRecord>();
}

Result<std::optional<ReceiptOutcome>> StateStore::ReceiptImported(const std::string& sha256) {
  std::lock_guard lock(mutex_);
  try {
    ReceiptOutcome r;
    long long deposit_id = 0;
    int rejected_file = 0;
    soci::indicator ind = soci::i_null;
    impl_->sql << "SELECT r.deposit_id, d.file_name, r.imported_at, r.file_rejected, r.accepted, "
                  "r.rejected, r.missing, r.unknown, r.archived_as FROM receipts r "
                  "JOIN deposits d ON d.id = r.deposit_id WHERE r.sha256 = :s",
        soci::into(deposit_id, ind), soci::into(r.deposit_file), soci::into(r.imported_at),
        soci::into(rejected_file), soci::into(r.accepted), soci::into(r.rejected),
        soci::into(r.missing), soci::into(r.unknown), soci::into(r.archived_as),
        soci::use(sha256);
    if (!impl_->sql.got_data() || ind == soci::i_null) return std::optional<ReceiptOutcome>();
    r.file_rejected = rejected_file != 0;
    return std::optional<ReceiptOutcome>(r);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
}

Result<ReceiptOutcome> StateStore::ApplyReceipt(const ReceiptFacts& receipt) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  ReceiptOutcome outcome;
  outcome.imported_at = now;
  outcome.archived_as = receipt.archived_as;
  try {
    soci::session& sql = impl_->sql;
    soci::transaction tr(sql);
    long long id = receipt.deposit_id;
    std::string certifier, file_name, state;
    soci::indicator ind = soci::i_null;
    sql << "SELECT certifier, file_name, state FROM deposits WHERE id = :id",
        soci::into(certifier, ind), soci::into(file_name), soci::into(state), soci::use(id);
    if (!sql.got_data() || ind == soci::i_null) {
      return Fail(ErrorKind::kInvalidData, "no deposit #" + std::to_string(id));
    }
    outcome.deposit_file = file_name;
    int seen = 0;
    sql << "SELECT COUNT(*) FROM receipts WHERE sha256 = :s", soci::into(seen),
        soci::use(receipt.sha256);
    if (seen != 0) return Fail(ErrorKind::kInvalidData, "this receipt was already imported");
    if (receipt.file_rejected) {
      // The whole file was refused: its passages go out again, with the next deposit.
      outcome.file_rejected = true;
      sql << "UPDATE deposits SET state = 'receipt', receipt_status = 'file_rejected', "
             "receipt_detail = :d, receipt_at = :now, "
             "uploaded_at = CASE WHEN uploaded_at = '' THEN :now2 ELSE uploaded_at END "
             "WHERE id = :id",
          soci::use(receipt.file_error), soci::use(now), soci::use(now), soci::use(id);
      sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
             "SELECT :now, certifier, id_technique, 'file_rejected', :f FROM passages "
             "WHERE deposit_id = :id AND status IN ('in_deposit', 'deposited')",
          soci::use(now), soci::use(file_name), soci::use(id);
      soci::statement back =
          (sql.prepare << "UPDATE passages SET status = 'pending', updated_at = :now "
                          "WHERE deposit_id = :id AND status IN ('in_deposit', 'deposited')",
           soci::use(now), soci::use(id));
      back.execute(true);
      outcome.back_to_pending = static_cast<int>(back.get_affected_rows());
    } else {
      sql << "UPDATE deposits SET state = 'receipt', receipt_status = :s, receipt_at = :now, "
             "uploaded_at = CASE WHEN uploaded_at = '' THEN :now2 ELSE uploaded_at END "
             "WHERE id = :id",
          soci::use(receipt.status), soci::use(now), soci::use(now), soci::use(id);
      ApplyVerdicts(sql, id, certifier, receipt.verdicts, now, outcome);
      // Passages of the deposit the receipt does not mention: still deposited, reported.
      sql << "SELECT COUNT(*) FROM passages WHERE deposit_id = :id AND "
             "status IN ('in_deposit', 'deposited')",
          soci::into(outcome.missing), soci::use(id);
      sql << "UPDATE passages SET status = 'deposited', updated_at = :now "
             "WHERE deposit_id = :id AND status = 'in_deposit'",
          soci::use(now), soci::use(id);
      sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
             "SELECT :now, certifier, id_technique, 'missing_from_receipt', :f FROM passages "
             "WHERE deposit_id = :id AND status = 'deposited'",
          soci::use(now), soci::use(file_name), soci::use(id);
    }
    const int file_rejected = outcome.file_rejected ? 1 : 0;
    sql << "INSERT INTO receipts (sha256, name, deposit_id, id_traitement, imported_at, "
           "file_rejected, accepted, rejected, missing, unknown, archived_as) "
           "VALUES (:s, :n, :d, :t, :now, :fr, :a, :r, :m, :u, :ar)",
        soci::use(receipt.sha256), soci::use(receipt.name), soci::use(id),
        soci::use(receipt.id_traitement), soci::use(now), soci::use(file_rejected),
        soci::use(outcome.accepted), soci::use(outcome.rejected), soci::use(outcome.missing),
        soci::use(outcome.unknown), soci::use(receipt.archived_as);
    tr.commit();
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return outcome;
}

Result<std::vector<std::string>> StateStore::RequestRetry(const std::vector<std::string>& ids) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  std::vector<std::string> problems;
  try {
    soci::session& sql = impl_->sql;
    soci::transaction tr(sql);
    for (const std::string& id : ids) {
      std::string status;
      int n = 0;
      sql << "SELECT COUNT(*) FROM passages WHERE id_technique = :i", soci::into(n), soci::use(id);
      if (n == 0) {
        problems.push_back(id + ": no such passage");
        continue;
      }
      soci::statement retry =
          (sql.prepare << "UPDATE passages SET status = 'pending', retry_requested = 0, "
                          "updated_at = :now WHERE id_technique = :i AND status = 'rejected'",
           soci::use(now), soci::use(id));
      retry.execute(true);
      if (retry.get_affected_rows() == 0) {
        sql << "SELECT status FROM passages WHERE id_technique = :i LIMIT 1", soci::into(status),
            soci::use(id);
        problems.push_back(id + ": " + status + ", not rejected; only a rejected passage is sent "
                                                "again on request");
        continue;
      }
      sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
             "SELECT :now, certifier, id_technique, 'retry', '' FROM passages "
             "WHERE id_technique = :i AND status = 'pending'",
          soci::use(now), soci::use(id);
    }
    tr.commit();
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return problems;
}

Result<std::vector<StateStore::Count>> StateStore::Counts() {
  std::lock_guard lock(mutex_);
  std::vector<Count> out;
  try {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare
         << "SELECT certifier, certification_type, certification_code, status, deadline, "
            "CASE WHEN status = 'pending' THEN delivery END, COUNT(*) FROM passages "
            "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5");
    for (const soci::row& r : rows) {
      Count c;
      c.certifier = r.get<std::string>(0);
      c.certification_type = r.get<std::string>(1);
      c.certification_code = r.get<std::string>(2);
      c.status = ParseStatus(r.get<std::string>(3)).value_or(Status::kPending);
      if (r.get_indicator(4) != soci::i_null) c.deadline = DateOf(r.get<std::string>(4));
      if (r.get_indicator(5) != soci::i_null) c.delivery = DateOf(r.get<std::string>(5));
      c.count = Integer(r, 6);
      out.push_back(std::move(c));
    }
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<std::vector<PassageRecord>> StateStore::NearestDeadlines(std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<PassageRecord> out;
  try {
    const long long n = static_cast<long long>(limit);
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << std::string(kPassageColumns) +
                                   "WHERE p.status != 'accepted' AND p.deadline IS NOT NULL "
                                   "ORDER BY p.deadline, p.id_technique LIMIT :n",
         soci::use(n));
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<StateStore::PendingFacts> StateStore::Pending(const std::string& certifier, Date today,
                                                    Date urgent_by) {
  std::lock_guard lock(mutex_);
  PendingFacts facts;
  try {
    const std::string day = FormatIsoDate(today), urgent = FormatIsoDate(urgent_by);
    long long due = 0, near = 0;
    impl_->sql << "SELECT COUNT(*), COALESCE(SUM(deadline IS NOT NULL AND deadline <= :u), 0) "
                  "FROM passages WHERE certifier = :c AND status = 'pending' AND "
                  "(delivery IS NULL OR delivery <= :t)",
        soci::into(due), soci::into(near), soci::use(urgent), soci::use(certifier),
        soci::use(day);
    facts.due = due;
    facts.urgent = near;
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return facts;
}

Result<std::optional<std::string>> StateStore::LastDepositAt(const std::string& certifier) {
  std::lock_guard lock(mutex_);
  try {
    std::string at;
    soci::indicator ind = soci::i_null;
    impl_->sql << "SELECT MAX(created_at) FROM deposits WHERE certifier = :c AND state != "
                  "'abandoned'",
        soci::into(at, ind), soci::use(certifier);
    if (ind == soci::i_null) return std::optional<std::string>();
    return std::optional<std::string>(at);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
}

class StateStore::DiskSeenIndex : public mappings::SeenIndex {
 public:
  explicit DiskSeenIndex(StateStore& store) : store_(store) {}
  std::optional<std::string> Insert(Kind kind, const std::string& key,
                                    const std::string& id_technique) override {
    return store_.SeenInsert(kind, key, id_technique);
  }
  std::optional<std::string> InsertHolder(const std::string& key,
                                          const std::vector<std::string>& traits,
                                          const std::string& id_technique) override {
    return store_.SeenInsertHolder(key, traits, id_technique);
  }

 private:
  StateStore& store_;
};

struct StateStore::SeenStatements {
  SqliteStatement insert, select, insert_holder, select_holders;
  explicit SeenStatements(sqlite3* db)
      : insert(db, "INSERT INTO temp.seen (kind, key, id) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT DO NOTHING"),
        select(db, "SELECT id FROM temp.seen WHERE kind = ?1 AND key = ?2"),
        insert_holder(db, "INSERT INTO temp.seen_holders (key, traits, id) VALUES (?1, ?2, ?3)"),
        select_holders(db, "SELECT traits, id FROM temp.seen_holders WHERE key = ?1 "
                           "ORDER BY rowid") {}
};

std::unique_ptr<mappings::SeenIndex> StateStore::NewCycleIndex() {
  std::lock_guard lock(mutex_);
  impl_->sql << "CREATE TEMP TABLE IF NOT EXISTS seen (kind INTEGER NOT NULL, key TEXT NOT NULL, "
                "id TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID";
  impl_->sql << "DELETE FROM temp.seen";
  // Holders of one identity (a keyed hash) told apart by their traits (keyed hashes too).
  impl_->sql << "CREATE TEMP TABLE IF NOT EXISTS seen_holders (key TEXT NOT NULL, "
                "traits TEXT NOT NULL, id TEXT NOT NULL)";
  impl_->sql << "CREATE INDEX IF NOT EXISTS temp.seen_holders_key ON seen_holders (key)";
  impl_->sql << "DELETE FROM temp.seen_holders";
  return std::make_unique<DiskSeenIndex>(*this);
}

std::optional<std::string> StateStore::SeenInsertHolder(const std::string& key,
                                                        const std::vector<std::string>& traits,
                                                        const std::string& id_technique) {
  std::lock_guard lock(mutex_);
  if (!seen_) seen_ = std::make_unique<SeenStatements>(SqliteHandle(impl_->sql));
  SeenStatements& st = *seen_;
  // Personal data: only keyed hashes reach the disk; an unknown trait stays empty.
  const std::string hashed_key = Keyed(key);
  std::vector<std::string> hashed;
  std::string joined_traits;
  for (const std::string& t : traits) {
    hashed.push_back(t.empty() ? std::string() : Keyed(t));
    joined_traits += (joined_traits.empty() && hashed.size() == 1 ? "" : "|") + hashed.back();
  }
  std::vector<std::pair<std::string, std::string>> earlier;  // (traits, idTechnique)
  st.select_holders.Bind(1, hashed_key);
  while (st.select_holders.Next()) {
    earlier.emplace_back(st.select_holders.Text(0), st.select_holders.Text(1));
  }
  for (const auto& [joined, id] : earlier) {
    std::vector<std::string> other;
    std::size_t start = 0;
    while (true) {
      const std::size_t bar = joined.find('|', start);
      other.push_back(joined.substr(start, bar == std::string::npos ? bar : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    if (mappings::SeenIndex::TraitsAgree(other, hashed)) return id;
  }
  st.insert_holder.Bind(1, hashed_key).Bind(2, joined_traits).Bind(3, id_technique).Run();
  return std::nullopt;
}

std::optional<std::string> StateStore::SeenInsert(mappings::SeenIndex::Kind kind,
                                                  const std::string& key,
                                                  const std::string& id_technique) {
  std::lock_guard lock(mutex_);
  if (!seen_) seen_ = std::make_unique<SeenStatements>(SqliteHandle(impl_->sql));
  SeenStatements& st = *seen_;
  const std::int64_t k = static_cast<int>(kind);
  // A holder's identity is personal data: only its keyed hash reaches the disk.
  const std::string stored = kind == mappings::SeenIndex::Kind::kHolder ? Keyed(key) : key;
  if (st.insert.Bind(1, k).Bind(2, stored).Bind(3, id_technique).Run() == 1) return std::nullopt;
  st.select.Bind(1, k).Bind(2, stored);
  std::string existing;
  if (st.select.Next()) {
    existing = st.select.Text(0);
    st.select.Reset();
  }
  return existing;
}

namespace {

// An HMAC-SHA-256 context keyed once per thread: OpenSSL's one-shot HMAC() fetches the digest and
// derives the key's inner and outer pads on every call, which cost more than the hash of a short
// passage; re-initialising a keyed context reuses them. Several hashes are taken per passage
// (its content, the holder's identity and traits), on whichever thread records it.
struct MacContext {
  std::string key;
  EVP_MAC_CTX* ctx = nullptr;
  MacContext() = default;
  MacContext(const MacContext&) = delete;
  MacContext& operator=(const MacContext&) = delete;
  ~MacContext() { EVP_MAC_CTX_free(ctx); }

  bool Ready(const std::string& wanted) {
    if (ctx != nullptr && key == wanted) return EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1;
    EVP_MAC_CTX_free(ctx);
    ctx = nullptr;
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return false;
    ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (ctx == nullptr) return false;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(wanted.data()), wanted.size(),
                     params) != 1) {
      return false;
    }
    key = wanted;
    return true;
  }
};

}  // namespace

std::string StateStore::Keyed(std::string_view data) const {
  thread_local MacContext mac;
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (!mac.Ready(key_) ||
      EVP_MAC_update(mac.ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(mac.ctx, digest, &length, sizeof(digest)) != 1) {
    // The keyed context could not be made (out of memory): the one-shot function, slower.
    unsigned int n = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &n);
    length = n;
  }
  return Hex(digest, length);
}

StateStore::~StateStore() = default;

Result<std::vector<bool>> StateStore::MarksRecorded(const std::string& certifier,
                                                    const std::vector<AlertMark>& marks) {
  std::lock_guard lock(mutex_);
  std::vector<bool> out;
  out.reserve(marks.size());
  try {
    soci::session& sql = impl_->sql;
    std::string subject, kind, day;
    int found = 0;
    soci::statement st = (sql.prepare << "SELECT COUNT(*) FROM alert_marks WHERE certifier = :c "
                                         "AND subject = :s AND kind = :k AND day = :d",
                          soci::into(found), soci::use(certifier), soci::use(subject),
                          soci::use(kind), soci::use(day));
    for (const AlertMark& m : marks) {
      subject = m.subject;
      kind = m.kind;
      day = m.day;
      st.execute(true);
      out.push_back(found != 0);
    }
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<void> StateStore::QueueAlerts(const std::string& certifier,
                                     const std::vector<AlertMark>& marks,
                                     const std::vector<QueuedAlert>& messages) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  try {
    soci::session& sql = impl_->sql;
    soci::transaction tr(sql);
    std::string subject, kind, day;
    soci::statement mark =
        (sql.prepare << "INSERT OR IGNORE INTO alert_marks (certifier, subject, kind, day, at) "
                        "VALUES (:c, :s, :k, :d, :a)",
         soci::use(certifier), soci::use(subject), soci::use(kind), soci::use(day),
         soci::use(now));
    for (const AlertMark& m : marks) {
      subject = m.subject;
      kind = m.kind;
      day = m.day;
      mark.execute(true);
    }
    for (const QueuedAlert& q : messages) {
      sql << "INSERT INTO alert_queue (created_at, certifier, kind, severity, channel, "
             "recipients, subject, body_text, body_html, payload, attachment_name, attachment, "
             "next_attempt_at) VALUES (:a, :c, :k, :sv, :ch, :r, :s, :t, :h, :p, :an, :at, :n)",
          soci::use(now), soci::use(certifier), soci::use(q.kind), soci::use(q.severity),
          soci::use(q.channel), soci::use(q.recipients), soci::use(q.subject), soci::use(q.text),
          soci::use(q.html), soci::use(q.payload), soci::use(q.attachment_name),
          soci::use(q.attachment), soci::use(now);
    }
    tr.commit();
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return {};
}

namespace {

constexpr const char* kAlertColumns =
    "SELECT id, created_at, certifier, kind, severity, channel, recipients, subject, body_text, "
    "body_html, payload, state, attempts, next_attempt_at, last_detail, attachment_name, attachment "
    "FROM alert_queue ";

QueuedAlert AlertFrom(const soci::row& r) {
  QueuedAlert q;
  q.id = Integer(r, 0);
  q.created_at = r.get<std::string>(1);
  q.certifier = r.get<std::string>(2);
  q.kind = r.get<std::string>(3);
  q.severity = r.get<std::string>(4);
  q.channel = r.get<std::string>(5);
  q.recipients = r.get<std::string>(6);
  q.subject = r.get<std::string>(7);
  q.text = r.get<std::string>(8);
  q.html = r.get<std::string>(9);
  q.payload = r.get<std::string>(10);
  q.state = r.get<std::string>(11);
  q.attempts = static_cast<int>(Integer(r, 12));
  q.next_attempt_at = r.get<std::string>(13);
  q.last_detail = r.get<std::string>(14);
  q.attachment_name = r.get<std::string>(15);
  q.attachment = r.get<std::string>(16);
  return q;
}

}  // namespace

Result<std::vector<QueuedAlert>> StateStore::DueAlerts() {
  std::lock_guard lock(mutex_);
  std::vector<QueuedAlert> out;
  const std::string now = Now();
  try {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << std::string(kAlertColumns) +
                                   "WHERE state = 'queued' AND next_attempt_at <= :n ORDER BY id",
         soci::use(now));
    for (const soci::row& r : rows) out.push_back(AlertFrom(r));
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<std::vector<QueuedAlert>> StateStore::Alerts() {
  std::lock_guard lock(mutex_);
  std::vector<QueuedAlert> out;
  try {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << std::string(kAlertColumns) + "ORDER BY id");
    for (const soci::row& r : rows) out.push_back(AlertFrom(r));
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

Result<void> StateStore::RecordAlertAttempt(std::int64_t id, const std::string& state,
                                            const std::string& detail,
                                            std::optional<TimePoint> next_attempt) {
  std::lock_guard lock(mutex_);
  const std::string now = Now();
  const std::string next = next_attempt ? Iso(*next_attempt) : now;
  const long long key = id;
  try {
    impl_->sql << "UPDATE alert_queue SET state = :s, attempts = attempts + 1, last_detail = :d, "
                  "next_attempt_at = :n, done_at = CASE WHEN :s2 = 'queued' THEN NULL ELSE :now "
                  "END WHERE id = :id",
        soci::use(state), soci::use(detail), soci::use(next), soci::use(state), soci::use(now),
        soci::use(key);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return {};
}

Result<int> StateStore::PruneAlertBodies(TimePoint before) {
  std::lock_guard lock(mutex_);
  const std::string t = Iso(before);
  try {
    soci::statement st =
        (impl_->sql.prepare << "UPDATE alert_queue SET body_text = '', body_html = '', "
                               "payload = '', attachment = '' WHERE state != 'queued' AND "
                               "done_at < :t AND (body_text != '' OR body_html != '' OR "
                               "payload != '' OR attachment != '')",
         soci::use(t));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
}

Result<std::optional<std::string>> StateStore::LastAlertAt(const std::string& certifier,
                                                           const std::string& kind) {
  std::lock_guard lock(mutex_);
  std::string at;
  soci::indicator ind = soci::i_null;
  try {
    impl_->sql << "SELECT MAX(created_at) FROM alert_queue WHERE certifier = :c AND kind = :k",
        soci::into(at, ind), soci::use(certifier), soci::use(kind);
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  if (ind == soci::i_null) return std::optional<std::string>();
  return std::optional<std::string>(at);
}

Result<std::vector<PassageRecord>> StateStore::AlertCandidates(const std::string& certifier,
                                                               Date today, Date horizon) {
  std::lock_guard lock(mutex_);
  std::vector<PassageRecord> out;
  const std::string t = FormatIsoDate(today), h = FormatIsoDate(horizon);
  try {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare
             << std::string(kPassageColumns) +
                    "WHERE p.certifier = :c AND (p.status IN ('rejected', 'quarantined') OR "
                    "(p.status = 'deposited' AND d.state = 'receipt') OR "
                    "(p.status IN ('pending', 'in_deposit', 'deposited') AND p.deadline <= :h AND "
                    "(p.status != 'pending' OR p.delivery <= :t))) "
                    "ORDER BY p.deadline, p.id_technique",
         soci::use(certifier), soci::use(h), soci::use(t));
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kIo, "state store " + path_ + ": " + e.what());
  }
  return out;
}

}  // namespace accrochd::store
