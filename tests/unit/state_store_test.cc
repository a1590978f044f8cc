// The state store: opening and migrating state.db, the keyed content hash, what an observation
// does to a passage in each status, the bookmark kept in the observation's transaction, the
// append-only history, deposits and their verdicts, the XSD quarantine, the cycle's uniqueness
// index on disk, the dashboard's reads, two threads at once, and the frame of every method (a
// value committed, an error or an exception rolled back). Privacy is checked on the bytes
// of the files: no name, no NIR ever reaches the state directory.
#include "connectors/store/state_store.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "connectors/store/cycle_index.h"
#include "connectors/store/passage_rows.h"
#include "connectors/store/sqlite_statement.h"
#include "core/calendar.h"
#include "core/deadline.h"
#include "mappings/mapping.h"
#include "mappings/passage.h"
#include "mappings/validator.h"
#include "tests/support/fake_clock.h"
#include "tests/support/observations.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::store {
namespace {

// A new cycle index of `store`, or the test fails.
std::unique_ptr<mappings::SeenIndex> OpenCycleIndex(StateStore& store) {
  auto opened = store.passages().NewCycleIndex();
  EXPECT_TRUE(opened.has_value()) << opened.error().message();
  return opened ? std::move(*opened) : std::make_unique<mappings::MemorySeenIndex>();
}

// A time the store returned, as the database writes it (ISO 8601 UTC); "" for none.
std::string Iso(TimePoint t) { return store::IsoUtc(t); }
std::string Iso(const std::optional<TimePoint>& t) { return t ? store::IsoUtc(*t) : ""; }

namespace fs = std::filesystem;
using ::accrochd::testing::FakeClock;
using ::accrochd::testing::MakeTempDir;
using ::accrochd::testing::WriteFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Change = Outcome::Change;
using mappings::Field;
using mappings::FieldValue;
using mappings::Group;
using mappings::Passage;

constexpr const char* kCertifier = "BCR00001";
constexpr const char* kOtherCertifier = "BCR00002";

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// 2 March 2026, 09:00 UTC.
const TimePoint kStart = std::chrono::sys_days(D(2026, 3, 2)) + std::chrono::hours(9);

std::string ChangeName(Change c) {
  switch (c) {
    case Change::kNew:
      return "new";
    case Change::kUnchanged:
      return "unchanged";
    case Change::kUpdated:
      return "updated";
    case Change::kChangedInDeposit:
      return "changed_in_deposit";
    case Change::kChangedAfterAcceptance:
      return "changed_after_acceptance";
    case Change::kChangedAfterRejection:
      return "changed_after_rejection";
    case Change::kChangedAfterWithdrawal:
      return "changed_after_withdrawal";
  }
  return "?";
}

// A raw connection to state.db, beside the store's: what an administrator (or an attacker) with
// the sqlite3 CLI could do.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Runs `sql`; "" on success, else SQLite's message.
  std::string Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return "";
    std::string message = error != nullptr ? error : "error";
    sqlite3_free(error);
    return message.empty() ? "error" : message;
  }

  // The rows of `sql`, each column as text ("NULL" for NULL), joined with '|'.
  std::vector<std::string> Rows(const std::string& sql) {
    std::vector<std::string> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return rows;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        if (i > 0) row += '|';
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
      }
      rows.push_back(row);
    }
    sqlite3_finalize(stmt);
    return rows;
  }

  std::string One(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() ? "<none>" : rows.front();
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

unsigned ModeOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<unsigned>(st.st_mode & 0777);
}

Observation Obs(const std::string& id, const std::string& hash,
                std::optional<Date> delivery = D(2026, 1, 15),
                std::optional<std::string> cursor = std::nullopt,
                const std::string& certifier = kCertifier) {
  Observation o = ::accrochd::testing::RsObservation(certifier, id, "rs6521", hash, delivery);
  o.cursor_value = std::move(cursor);
  return o;
}

Observation Quarantined(const std::string& id, const std::string& hash,
                        std::vector<Observation::Reason> reasons) {
  Observation o = Obs(id, hash);
  o.quarantined = true;
  o.reasons = std::move(reasons);
  return o;
}

const Observation::Reason kMissingSexe{"sexe", "requis", "sexe manquant : champ obligatoire"};
const Observation::Reason kBadDate{"dateDebutValidite", "date",
                                   "dateDebutValidite n'est pas une date réelle"};

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = MakeTempDir(std::string("state_store_test/") + info->test_suite_name() + "." +
                       info->name());
    Reopen();
  }

  void Reopen() {
    store_.reset();
    auto opened = StateStore::Open(dir_, clock_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
  }

  StateStore& store() { return *store_; }
  std::string db_path() const { return (fs::path(dir_) / "state.db").string(); }

  Outcome ObserveOne(const Observation& o) {
    auto r = store_->passages().Observe({o});
    EXPECT_TRUE(r.has_value()) << r.error().message();
    if (!r.has_value() || r->size() != 1) {
      ADD_FAILURE() << "no outcome for " << o.id_technique;
      return {};
    }
    return r->front();
  }

  PassageRecord Record(const std::string& id, const std::string& certifier = kCertifier) {
    auto all = store_->passages().PassagesWithId(id);
    EXPECT_TRUE(all.has_value()) << all.error().message();
    if (all.has_value()) {
      for (const PassageRecord& p : *all) {
        if (p.certifier == certifier) return p;
      }
    }
    ADD_FAILURE() << "no passage " << id << " of " << certifier;
    return {};
  }

  // A column of a passage of kCertifier, read from state.db beside the store: what is on disk,
  // including what the store does not show (deposit_passages, content hashes).
  std::string Column(const std::string& id, const std::string& column) {
    return RawDb(db_path()).One("SELECT " + column + " FROM passages WHERE certifier = '" +
                                kCertifier + "' AND id_technique = '" + id + "'");
  }
  std::string StatusOf(const std::string& id) { return Column(id, "status"); }

  // A column of the latest deposit of that name, read from state.db beside the store.
  std::string DepositColumn(const std::string& file, const std::string& column) {
    return RawDb(db_path()).One("SELECT " + column + " FROM deposits WHERE file_name = '" + file +
                                "' ORDER BY id DESC LIMIT 1");
  }

  std::vector<std::string> EventKinds(const std::string& id) {
    auto events = store_->passages().History(id);
    EXPECT_TRUE(events.has_value()) << events.error().message();
    std::vector<std::string> kinds;
    if (events.has_value()) {
      for (const Event& e : *events) kinds.push_back(e.kind);
    }
    return kinds;
  }

  std::int64_t Begin(const std::string& file, const std::vector<std::string>& ids) {
    auto id = store_->deposits().Begin(kCertifier, file, "flux-" + file, ids);
    EXPECT_TRUE(id.has_value()) << id.error().message();
    return id.value_or(-1);
  }

  // In a published file: its passages are in_deposit, and the CDC's verdicts apply to them.
  std::int64_t Publish(const std::string& file, const std::vector<std::string>& ids) {
    const std::int64_t id = Begin(file, ids);
    EXPECT_TRUE(store_->deposits().MarkPublished(id, std::string(64, 'a')).has_value());
    return id;
  }

  // Published and uploaded: its passages are deposited.
  std::int64_t Deposit(const std::string& file, const std::vector<std::string>& ids) {
    const std::int64_t id = Publish(file, ids);
    auto up = store_->deposits().MarkUploaded(file);
    EXPECT_TRUE(up.has_value()) << up.error().message();
    return id;
  }

  void Verdicts(const std::string& file, const std::vector<Verdict>& verdicts) {
    auto r = store_->deposits().RecordVerdicts(file, "traite", verdicts);
    ASSERT_TRUE(r.has_value()) << r.error().message();
  }

  FakeClock clock_{kStart};
  std::string dir_;
  std::unique_ptr<StateStore> store_;
};

// ---- Open ----

// The store's schema version (database.cc, kMigrations).
constexpr const char* kLatestSchema = "13";

// Migration 13's indexes as they were (every member's file idTechnique copied and indexed, the
// passages indexed by status and by mapping apart), as in a store of schema 12; "" when done.
std::string UndoMigrationThirteen(RawDb& raw) {
  std::string out = raw.Exec("DROP INDEX deposit_passages_cdc");
  out += raw.Exec(
      "CREATE INDEX deposit_passages_cdc ON deposit_passages (deposit_id, cdc_id_technique)");
  out += raw.Exec(
      "UPDATE deposit_passages SET cdc_id_technique = id_technique WHERE cdc_id_technique IS "
      "NULL");
  out += raw.Exec("DROP INDEX passages_status");
  out += raw.Exec("CREATE INDEX passages_status ON passages (certifier, status)");
  out += raw.Exec("CREATE INDEX passages_mapping ON passages (certifier, mapping)");
  out += raw.Exec("DELETE FROM schema_version WHERE version >= 13");
  return out;
}

// Migration 12's columns and triggers gone (history entries held by rows), as in a store of
// schema 11 (migration 13 undone first); "" when done.
std::string UndoMigrationTwelve(RawDb& raw) {
  std::string out = UndoMigrationThirteen(raw);
  for (const char* trigger :
       {"passages_history_kept", "passages_no_delete", "deposits_history_kept",
        "deposits_no_delete", "deposit_passages_history_kept", "deposit_passages_no_delete"}) {
    out += raw.Exec(std::string("DROP TRIGGER ") + trigger);
  }
  out += raw.Exec("ALTER TABLE passages DROP COLUMN history_mark");
  out += raw.Exec("ALTER TABLE deposits DROP COLUMN history_mark");
  out += raw.Exec("DELETE FROM schema_version WHERE version >= 12");
  return out;
}

// Migration 8's columns and index gone (withdrawals), as in a store of schema 7; "" when done.
std::string UndoMigrationEight(RawDb& raw) {
  std::string out = raw.Exec("DROP INDEX deposit_passages_cdc");
  for (const char* column : {"cdc_id_technique", "withdrawal_deposit_id", "correcting",
                             "corrections", "withdrawal_message"}) {
    out += raw.Exec(std::string("ALTER TABLE passages DROP COLUMN ") + column);
  }
  out += raw.Exec("ALTER TABLE deposits DROP COLUMN action");
  out += raw.Exec("ALTER TABLE deposit_passages DROP COLUMN cdc_id_technique");
  return out;
}

TEST_F(StateStoreTest, OpenCreatesPrivateFilesInWalModeAtTheLatestSchema) {
  // With no umask to help: the modes are the store's own.
  const std::string fresh = MakeTempDir("state_store_test/fresh_umask0");
  const mode_t old_umask = ::umask(0);
  auto opened = StateStore::Open(fresh, clock_, ::accrochd::testing::RealFiles());
  ::umask(old_umask);
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  ASSERT_TRUE((*opened)->passages().Observe({Obs("1017", "h1")}).has_value());
  EXPECT_EQ((*opened)->path(), (fs::path(fresh) / "state.db").string());

  EXPECT_EQ(ModeOf(fs::path(fresh) / "state.db"), 0600u);
  EXPECT_EQ(ModeOf(fs::path(fresh) / "hash.key"), 0600u);
  EXPECT_EQ(fs::file_size(fs::path(fresh) / "hash.key"), 32u);
  EXPECT_FALSE(fs::exists(fs::path(fresh) / "hash.key.partial"));
  // SQLite gives its side files the database's mode.
  ASSERT_TRUE(fs::exists(fs::path(fresh) / "state.db-wal"));
  EXPECT_EQ(ModeOf(fs::path(fresh) / "state.db-wal"), 0600u);

  RawDb raw((fs::path(fresh) / "state.db").string());
  EXPECT_EQ(raw.One("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.One("PRAGMA page_size"), "16384");
  // One row per migration, 1..N, none skipped or repeated.
  const std::vector<std::string> versions =
      raw.Rows("SELECT version FROM schema_version ORDER BY version");
  ASSERT_FALSE(versions.empty());
  for (std::size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(versions[i], std::to_string(i + 1));
  EXPECT_EQ(std::to_string(versions.size()), kLatestSchema);
  for (const char* table :
       {"passages", "deposits", "deposit_passages", "quarantine", "cursors", "alert_marks",
        "alert_queue", "receipts", "events", "cycles", "deposit_hooks"}) {
    EXPECT_EQ(raw.One(std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name = '") +
                      table + "'"),
              "1")
        << table;
  }
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM sqlite_master WHERE name = 'alerts_sent'"), "0")
      << "dropped by migration 2";
}

// A store an earlier version made has SQLite's 4 KiB pages, which a database in WAL mode keeps: it
// opens, migrates and records as a new one does, and keeps its pages.
TEST_F(StateStoreTest, AStoreOfSmallerPagesKeepsThemAndWorksTheSame) {
  const std::string old = MakeTempDir("state_store_test/pages_of_4096");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((fs::path(old) / "state.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db,
                           "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; "
                           "CREATE TABLE schema_version (version INTEGER NOT NULL)",
                           nullptr, nullptr, &error),
              SQLITE_OK)
        << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
  for (int open = 0; open < 2; ++open) {
    auto opened = StateStore::Open(old, clock_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    auto r = (*opened)->passages().Observe({Obs(open == 0 ? "1017" : "1018", "h1")});
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->front().change, Change::kNew);
  }
  RawDb raw((fs::path(old) / "state.db").string());
  EXPECT_EQ(raw.One("PRAGMA page_size"), "4096");
  EXPECT_EQ(raw.One("SELECT MAX(version) FROM schema_version"), kLatestSchema);
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM passages"), "2");
}

// Observe takes each passage of a batch for a new one until one is in the store (an insert that
// writes nothing), then looks each up: a known passage in a batch, first or between new ones, is
// decided on its facts, and written once; the new ones after it are still new.
TEST_F(StateStoreTest, ABatchWithKnownPassagesAmongNewOnesIsDecidedOnTheirFacts) {
  ASSERT_EQ(ObserveOne(Obs("1017", "h1")).change, Change::kNew);
  ASSERT_EQ(ObserveOne(Quarantined("1018", "q1", {kMissingSexe})).change, Change::kNew);
  const std::string first_seen = Column("1017", "first_seen");
  clock_.Advance(std::chrono::hours(1));
  auto r = store_->passages().Observe({Obs("2001", "n1"), Obs("1017", "h1"),
                                       Quarantined("2002", "n2", {kBadDate}), Obs("1018", "h2"),
                                       Obs("2003", "n3")});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].change, Change::kNew);
  EXPECT_EQ((*r)[1].change, Change::kUnchanged);
  EXPECT_EQ((*r)[2].change, Change::kNew);
  EXPECT_EQ(StatusName((*r)[2].status), "quarantined");
  EXPECT_EQ((*r)[3].change, Change::kUpdated);  // the quarantined one, now valid
  EXPECT_EQ(StatusName((*r)[3].status), "pending");
  EXPECT_EQ((*r)[4].change, Change::kNew);
  EXPECT_EQ(Column("1017", "first_seen"), first_seen);
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen"));
  EXPECT_THAT(EventKinds("1018"), ElementsAre("seen", "quarantined", "valid", "updated"));
  EXPECT_THAT(EventKinds("2002"), ElementsAre("seen", "quarantined"));
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM quarantine WHERE id_technique = '2002'"),
            "1");
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM quarantine WHERE id_technique = '1018'"),
            "0");
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM passages"), "5");
  EXPECT_EQ(StatusOf("2003"), "pending");
}

TEST_F(StateStoreTest, ReopenKeepsDataAndDoesNotRerunMigrations) {
  ASSERT_EQ(ObserveOne(Obs("1017", "h1")).change, Change::kNew);
  const std::string versions_before =
      RawDb(db_path()).One("SELECT COUNT(*) || ':' || MAX(version) FROM schema_version");
  const std::string key_before = ReadBytes(fs::path(dir_) / "hash.key");

  Reopen();
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) || ':' || MAX(version) FROM schema_version"),
            versions_before);
  EXPECT_EQ(ReadBytes(fs::path(dir_) / "hash.key"), key_before);
  EXPECT_EQ(StatusOf("1017"), "pending");
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen"));
  EXPECT_EQ(ObserveOne(Obs("1017", "h1")).change, Change::kUnchanged);
}

// Migration 4 on a store of schema 3: an overdue passage announced before (daily marks only)
// gets its first announcement recorded, at the earliest of them, so that it is not announced as
// new again after the upgrade; the alert queue gains its attachment columns.
TEST_F(StateStoreTest, MigrationFourKeepsOverdueAnnouncedBeforeAsAnnounced) {
  store_.reset();
  {
    RawDb raw(db_path());
    // Back to schema 3: without migration 4's columns and marks.
    EXPECT_EQ(raw.Exec("ALTER TABLE alert_queue DROP COLUMN attachment_name"), "");
    EXPECT_EQ(raw.Exec("ALTER TABLE alert_queue DROP COLUMN attachment"), "");
    EXPECT_EQ(UndoMigrationTwelve(raw), "");
    EXPECT_EQ(raw.Exec("DELETE FROM schema_version WHERE version >= 4"), "");
    EXPECT_EQ(raw.Exec("ALTER TABLE passages DROP COLUMN row_digest"), "");  // migration 10's
    EXPECT_EQ(raw.Exec("ALTER TABLE passages DROP COLUMN holder_record"), "");
    EXPECT_EQ(raw.Exec("DROP TABLE cycles"), "");         // migration 6's
    EXPECT_EQ(raw.Exec("DROP TABLE deposit_hooks"), "");  // migration 7's
    // Migration 9's.
    EXPECT_EQ(raw.Exec("DROP INDEX passages_mapping"), "");
    EXPECT_EQ(raw.Exec("DROP INDEX passages_missing"), "");
    EXPECT_EQ(raw.Exec("ALTER TABLE passages DROP COLUMN missed_reads"), "");
    EXPECT_EQ(raw.Exec("ALTER TABLE passages DROP COLUMN missing_from_source"), "");
    EXPECT_EQ(raw.Exec("ALTER TABLE passages DROP COLUMN missing_since"), "");
    EXPECT_EQ(UndoMigrationEight(raw), "");
    EXPECT_EQ(raw.Exec("INSERT INTO alert_marks (certifier, subject, kind, day, at) VALUES "
                       "('C', '1017', 'overdue', '2026-03-02', '2026-03-02T06:00:00Z'), "
                       "('C', '1017', 'overdue', '2026-03-03', '2026-03-03T06:00:00Z'), "
                       "('C', '1018', 'band:7', '', '2026-03-01T06:00:00Z')"),
              "");
  }
  Reopen();
  RawDb raw(db_path());
  EXPECT_EQ(raw.One("SELECT MAX(version) FROM schema_version"), kLatestSchema);
  EXPECT_EQ(raw.Rows("SELECT subject || ' ' || kind || ' [' || day || '] ' || at FROM alert_marks "
                     "WHERE day = '' ORDER BY subject"),
            (std::vector<std::string>{"1017 overdue [] 2026-03-02T06:00:00Z",
                                      "1018 band:7 [] 2026-03-01T06:00:00Z"}));
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM alert_marks"), "4");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM pragma_table_info('alert_queue') WHERE name IN "
                    "('attachment_name', 'attachment')"),
            "2");
}

// A deposit's list finds its passages by walking the rows that follow the first one listed and
// looks up by key those the walk does not reach: listed in any order, with gaps between them of
// any length, every one is linked once and no other is touched.
TEST_F(StateStoreTest, ADepositFindsItsPassagesInAnyOrderAndAcrossGaps) {
  auto id = [](int i) {
    std::string n = std::to_string(i);
    return "P" + std::string(4 - n.size(), '0') + n;
  };
  std::vector<Observation> all;
  for (int i = 1; i <= 3000; ++i) all.push_back(Obs(id(i), "h" + std::to_string(i)));
  ASSERT_TRUE(store().passages().Observe(all).has_value());

  std::vector<std::string> backwards;  // one in three, the last recorded first
  for (int i = 3000; i >= 1; i -= 3) backwards.push_back(id(i));
  Begin("a.xml", backwards);
  // Far apart: 2,996 rows not listed between the first two (the walk gives up), then one before.
  Begin("b.xml", {id(2), id(2999), id(1)});
  std::vector<std::string> forwards;  // one in three, in the order recorded: the walk finds them
  for (int i = 4; i <= 1498; i += 3) forwards.push_back(id(i));
  Begin("d.xml", forwards);
  // Thinly scattered, 701 rows not listed between each (the walk stops reading at its bound).
  Begin("e.xml", {id(5), id(707), id(1409), id(2111), id(2813)});
  // Listed with a passage the store does not have: refused whole.
  EXPECT_FALSE(store().deposits().Begin(kCertifier, "c.xml", "flux-c", {id(4), "P9999"}));

  EXPECT_EQ(RawDb(db_path()).One("SELECT count(*) FROM deposit_passages"), "1507");
  EXPECT_EQ(RawDb(db_path()).One("SELECT count(*) FROM passages WHERE status = 'in_deposit'"),
            "1507");
  for (int i : {3000, 2997, 1500, 3, 1, 2, 2999, 4, 1498, 5, 2813}) {
    EXPECT_EQ(StatusOf(id(i)), "in_deposit") << i;
  }
  for (int i : {2998, 1501, 8, 2812}) EXPECT_EQ(StatusOf(id(i)), "pending") << i;
  EXPECT_EQ(RawDb(db_path()).One("SELECT count(*) FROM deposit_passages d JOIN passages p ON "
                                 "p.id_technique = d.id_technique WHERE d.content_hash = 'h' || "
                                 "CAST(substr(p.id_technique, 2) AS INTEGER)"),
            "1507");
  EXPECT_EQ(RawDb(db_path()).One("SELECT group_concat(id_technique) FROM (SELECT id_technique "
                                 "FROM deposit_passages WHERE deposit_id = (SELECT id FROM "
                                 "deposits WHERE file_name = 'b.xml') ORDER BY rowid)"),
            "P0002,P2999,P0001");
}

// Migration 5: a passage an earlier accrochd took as accepted on a message that is not the
// CDC's passage-level duplicate (« Le titulaire existe déjà en base ») is rejected again, with an
// event; one accepted on the duplicate itself, or without a message, stays accepted.
TEST_F(StateStoreTest, MigrationFiveRejectsAgainWhatAnotherMessageMadeAccepted) {
  ASSERT_EQ(ObserveOne(Obs("1017", "h1")).change, Change::kNew);
  ASSERT_EQ(ObserveOne(Obs("1018", "h2")).change, Change::kNew);
  ASSERT_EQ(ObserveOne(Obs("1019", "h3")).change, Change::kNew);
  auto deposit = store().deposits().Begin(kCertifier, "F.xml", "flux", {"1017", "1018", "1019"});
  ASSERT_TRUE(deposit.has_value());
  ASSERT_TRUE(store().deposits().MarkPublished(*deposit, std::string(64, 'a')).has_value());
  ASSERT_TRUE(store()
                  .deposits()
                  .RecordVerdicts("F.xml", "traite",
                                  {{"1017", true, "Le titulaire existe déjà en base"},
                                   {"1018", true,
                                    "Le passage certification avec le bcr émetteur DEMO0001 et "
                                    "l'id technique partenaire 1018 existe déjà en base"},
                                   {"1019", true, ""}})
                  .has_value());
  store_.reset();
  {
    RawDb raw(db_path());
    ASSERT_EQ(UndoMigrationTwelve(raw), "");
  }
  ASSERT_EQ(RawDb(db_path()).Exec("DELETE FROM schema_version WHERE version >= 5"), "");
  ASSERT_EQ(RawDb(db_path()).Exec("ALTER TABLE passages DROP COLUMN row_digest"), "");
  ASSERT_EQ(RawDb(db_path()).Exec("ALTER TABLE passages DROP COLUMN holder_record"), "");
  ASSERT_EQ(RawDb(db_path()).Exec("DROP TABLE cycles"), "");            // migration 6's
  ASSERT_EQ(RawDb(db_path()).Exec("DROP TABLE deposit_hooks"), "");     // migration 7's
  ASSERT_EQ(RawDb(db_path()).Exec("DROP INDEX passages_mapping"), "");  // migration 9's
  ASSERT_EQ(RawDb(db_path()).Exec("DROP INDEX passages_missing"), "");
  ASSERT_EQ(RawDb(db_path()).Exec("ALTER TABLE passages DROP COLUMN missed_reads"), "");
  ASSERT_EQ(RawDb(db_path()).Exec("ALTER TABLE passages DROP COLUMN missing_from_source"), "");
  ASSERT_EQ(RawDb(db_path()).Exec("ALTER TABLE passages DROP COLUMN missing_since"), "");
  {
    RawDb raw(db_path());
    ASSERT_EQ(UndoMigrationEight(raw), "");
  }
  Reopen();
  EXPECT_EQ(StatusOf("1017"), "rejected");
  EXPECT_EQ(StatusOf("1018"), "accepted");
  EXPECT_EQ(StatusOf("1019"), "accepted");
  EXPECT_THAT(EventKinds("1017"), ::testing::Contains("rejected"));
  EXPECT_EQ(RawDb(db_path()).One("SELECT MAX(version) FROM schema_version"), kLatestSchema);
}

TEST_F(StateStoreTest, DamagedHashKeyIsAClearError) {
  store_.reset();
  for (const std::string& content : {std::string(), std::string(31, 'k'), std::string(33, 'k')}) {
    WriteFile((fs::path(dir_) / "hash.key").string(), content, 0600);
    auto opened = StateStore::Open(dir_, clock_, ::accrochd::testing::RealFiles());
    ASSERT_FALSE(opened.has_value()) << content.size() << " bytes";
    EXPECT_EQ(opened.error().kind(), ErrorKind::kIo);
    EXPECT_THAT(opened.error().message(), HasSubstr((fs::path(dir_) / "hash.key").string()));
    EXPECT_THAT(opened.error().message(), HasSubstr("damaged (expected 32 bytes)"));
    // The key is never silently replaced: every hash in state.db depends on it.
    EXPECT_EQ(ReadBytes(fs::path(dir_) / "hash.key"), content);
  }
}

TEST_F(StateStoreTest, MissingStateDirectoryIsAClearError) {
  const std::string missing = (fs::path(dir_) / "no" / "such").string();
  auto opened = StateStore::Open(missing, clock_, ::accrochd::testing::RealFiles());
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().kind(), ErrorKind::kIo);
  EXPECT_THAT(opened.error().message(), HasSubstr(missing));
}

TEST_F(StateStoreTest, NotADatabaseIsAClearError) {
  store_.reset();
  fs::remove(db_path());
  fs::remove(db_path() + "-wal");
  fs::remove(db_path() + "-shm");
  WriteFile(db_path(), std::string(4096, 'x'), 0600);
  auto opened = StateStore::Open(dir_, clock_, ::accrochd::testing::RealFiles());
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().kind(), ErrorKind::kIo);
  EXPECT_THAT(opened.error().message(), HasSubstr("cannot open the state store " + db_path()));
}

TEST_F(StateStoreTest, NewerSchemaIsRefused) {
  store_.reset();
  int newer = 0;
  {
    RawDb raw(db_path());
    newer = std::stoi(raw.One("SELECT MAX(version) FROM schema_version")) + 1;
    ASSERT_EQ(
        raw.Exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(newer) + ")"),
        "");
  }
  auto opened = StateStore::Open(dir_, clock_, ::accrochd::testing::RealFiles());
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().kind(), ErrorKind::kConfig);
  EXPECT_THAT(opened.error().message(), HasSubstr(db_path()));
  EXPECT_THAT(opened.error().message(), HasSubstr("newer accrochd"));
  EXPECT_THAT(opened.error().message(), HasSubstr("schema version " + std::to_string(newer)));
  // Left as it was.
  EXPECT_EQ(RawDb(db_path()).One("SELECT MAX(version) FROM schema_version"), std::to_string(newer));
}

// ---- ContentHash ----

class ContentHashTest : public StateStoreTest {
 protected:
  ContentHashTest() {
    rs6521_.name = "rs6521";
    rs6521_.certification.constant = mappings::Certification{"RS", "RS6521"};
    for (std::size_t i = 0; i < mappings::kFieldCount; ++i) {
      base_.values[i] = FieldValue{FieldValue::State::kValue, "valeur" + std::to_string(i)};
    }
    base_.mapping = &rs6521_;
    base_.certification = *rs6521_.certification.constant;
    base_.id_technique = "1017";
    base_.resultats = {{"1", "2", "3"}};
  }

  mappings::Mapping rs6521_;
  Passage base_;
};

TEST_F(ContentHashTest, SixtyFourHexDigitsStableAcrossReopen) {
  const std::string h = store().passages().ContentHash(base_);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
  EXPECT_EQ(store().passages().ContentHash(base_), h);
  Passage copy = base_;
  EXPECT_EQ(store().passages().ContentHash(copy), h);
  Reopen();
  EXPECT_EQ(store().passages().ContentHash(base_), h);
}

// The bytes hashed are those every stored hash was made of (a change would make every passage
// a store holds look changed): HMAC-SHA-256 with the installation's key over the id, the
// certification, the nature_deposant, the identification branch, each value's state and text,
// each resultat -- texts as "<length>:<text>", numbers in decimal.
TEST_F(ContentHashTest, TheBytesHashedAreThoseOfEveryHashAlreadyStored) {
  Passage p;
  p.mapping = &rs6521_;
  p.certification = *rs6521_.certification.constant;
  p.id_technique = "A-10";
  p.identification = Group::kDossierFormation;
  p.values[0] = FieldValue{FieldValue::State::kValue, "Lefèvre"};
  p.values[1] = FieldValue{FieldValue::State::kNil, ""};
  p.resultats = {{"12", "3", "B"}};
  std::string data = "4:A-102:RS6:RS65210:" + std::to_string(static_cast<int>(p.identification));
  for (std::size_t i = 0; i < mappings::kFieldCount; ++i) {
    data += i == 0 ? "28:Lefèvre" : i == 1 ? "10:" : "00:";
  }
  data += "2:121:31:B";
  std::ifstream in(fs::path(dir_) / "hash.key", std::ios::binary);
  const std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(key.size(), 32u);
  unsigned char mac[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += "0123456789abcdef"[mac[i] >> 4];
    hex += "0123456789abcdef"[mac[i] & 15];
  }
  EXPECT_EQ(store().passages().ContentHash(p), hex);
}

TEST_F(ContentHashTest, ChangesWithEveryValueAndItsState) {
  std::set<std::string> seen = {store().passages().ContentHash(base_)};
  std::size_t variants = 1;
  for (std::size_t i = 0; i < mappings::kFieldCount; ++i) {
    SCOPED_TRACE(i);
    for (const FieldValue& v :
         {FieldValue{FieldValue::State::kValue, "autre"}, FieldValue{FieldValue::State::kValue, ""},
          FieldValue{FieldValue::State::kNil, ""}, FieldValue{FieldValue::State::kAbsent, ""}}) {
      Passage p = base_;
      p.values[i] = v;
      seen.insert(store().passages().ContentHash(p));
      ++variants;
    }
  }
  // Every variant has its own hash: value, empty value, nil and absent are all told apart.
  EXPECT_EQ(seen.size(), variants);
}

TEST_F(ContentHashTest, ChangesWithTheCertificationTheBranchTheResultatsAndTheId) {
  const std::string h = store().passages().ContentHash(base_);
  mappings::Mapping other = rs6521_;
  Passage p = base_;
  p.mapping = &other;
  // The passage's own certification (a row may move to another one), not its mapping's.
  p.certification.code = "RS6522";
  EXPECT_NE(store().passages().ContentHash(p), h);
  p.certification = base_.certification;
  p.certification.type = "RNCP";
  EXPECT_NE(store().passages().ContentHash(p), h);
  p.certification = base_.certification;
  other = rs6521_;
  other.nature_deposant = "CERTIFICATEUR";
  EXPECT_NE(store().passages().ContentHash(p), h);
  other = rs6521_;
  other.name = "another-file";  // the mapping's name is not content
  EXPECT_EQ(store().passages().ContentHash(p), h);

  p = base_;
  p.identification = Group::kDossierFormation;
  EXPECT_NE(store().passages().ContentHash(p), h);
  p = base_;
  p.id_technique = "1018";
  EXPECT_NE(store().passages().ContentHash(p), h);
  p = base_;
  p.resultats.clear();
  EXPECT_NE(store().passages().ContentHash(p), h);
  p = base_;
  p.resultats[0].niveau = "4";
  EXPECT_NE(store().passages().ContentHash(p), h);
  p = base_;
  p.resultats.push_back({"2", "1", "5"});
  EXPECT_NE(store().passages().ContentHash(p), h);
  p = base_;
  p.source_key = "id=elsewhere";  // where the row sits is not content
  EXPECT_EQ(store().passages().ContentHash(p), h);
}

TEST_F(ContentHashTest, ValuesCannotBeShiftedBetweenFields) {
  // Length-prefixed: "AB" + "C" is not "A" + "BC".
  Passage a = base_;
  a[Field::nomNaissance] = {FieldValue::State::kValue, "AB"};
  a[Field::nomUsage] = {FieldValue::State::kValue, "C"};
  Passage b = base_;
  b[Field::nomNaissance] = {FieldValue::State::kValue, "A"};
  b[Field::nomUsage] = {FieldValue::State::kValue, "BC"};
  EXPECT_NE(store().passages().ContentHash(a), store().passages().ContentHash(b));
}

TEST_F(ContentHashTest, DiffersBetweenInstallationsAndHidesTheValues) {
  const std::string other_dir = MakeTempDir("state_store_test/other_installation");
  auto other = StateStore::Open(other_dir, clock_, ::accrochd::testing::RealFiles());
  ASSERT_TRUE(other.has_value()) << other.error().message();
  Passage p = base_;
  p[Field::nomNaissance] = {FieldValue::State::kValue, "QUIXOTERIA"};
  p[Field::prenom1] = {FieldValue::State::kValue, "Wilhelmina"};
  p[Field::nir] = {FieldValue::State::kValue, "185072A123456"};
  const std::string here = store().passages().ContentHash(p);
  EXPECT_NE((*other)->passages().ContentHash(p), here);
  for (const FieldValue& v : p.values) {
    EXPECT_EQ(here.find(v.text), std::string::npos) << v.text;
  }
  EXPECT_EQ(here.find("185072a123456"), std::string::npos);
}

// ---- Observe ----

TEST_F(StateStoreTest, NewPassagePendingWithItsDeadline) {
  const Outcome out = ObserveOne(Obs("1017", "h1", D(2025, 11, 30), "2026-01-15 10:00:00"));
  EXPECT_EQ(ChangeName(out.change), "new");
  EXPECT_EQ(StatusName(out.status), "pending");
  EXPECT_FALSE(out.retry_requested);
  const PassageRecord r = Record("1017");
  EXPECT_EQ(r.certifier, kCertifier);
  EXPECT_EQ(r.mapping, "rs6521");
  EXPECT_EQ(r.certification_type, "RS");
  EXPECT_EQ(r.certification_code, "RS6521");
  EXPECT_EQ(r.delivery, D(2025, 11, 30));
  EXPECT_EQ(r.deadline, DeadlineFor(D(2025, 11, 30)));
  EXPECT_EQ(r.deadline, D(2026, 2, 28));
  EXPECT_EQ(r.deposit_id, std::nullopt);
  EXPECT_EQ(Iso(r.first_seen), "2026-03-02T09:00:00Z");
  EXPECT_EQ(Iso(r.updated_at), "2026-03-02T09:00:00Z");
  auto history = store().passages().History("1017");
  ASSERT_TRUE(history.has_value());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].kind, "seen");
  EXPECT_EQ((*history)[0].id_technique, "1017");
  EXPECT_EQ((*history)[0].certifier, kCertifier);
  EXPECT_EQ(Iso((*history)[0].at), "2026-03-02T09:00:00Z");
}

TEST_F(StateStoreTest, DeadlineFollowsTheDeliveryAndIsUnknownWithoutOne) {
  for (Date delivery : {D(2024, 2, 29), D(2025, 8, 31), D(2025, 12, 31), D(2026, 5, 31)}) {
    const std::string id = "d-" + FormatIsoDate(delivery);
    ObserveOne(Obs(id, "h", delivery));
    EXPECT_EQ(Record(id).deadline, DeadlineFor(delivery)) << id;
  }
  ObserveOne(Quarantined("no-date", "h", {kBadDate}));
  Observation undated = Obs("no-date-2", "h", std::nullopt);
  ObserveOne(undated);
  EXPECT_EQ(Record("no-date-2").delivery, std::nullopt);
  EXPECT_EQ(Record("no-date-2").deadline, std::nullopt);
  // A corrected date of delivery moves the deadline.
  ObserveOne(Obs("no-date-2", "h2", D(2026, 1, 31)));
  EXPECT_EQ(Record("no-date-2").deadline, D(2026, 4, 30));
}

TEST_F(StateStoreTest, NewQuarantinedPassageKeepsItsReasons) {
  const Outcome out = ObserveOne(Quarantined("1017", "h1", {kMissingSexe, kBadDate}));
  EXPECT_EQ(ChangeName(out.change), "new");
  EXPECT_EQ(StatusName(out.status), "quarantined");
  EXPECT_EQ(StatusOf("1017"), "quarantined");
  auto q = store().passages().Quarantine();
  ASSERT_TRUE(q.has_value()) << q.error().message();
  ASSERT_EQ(q->size(), 2u);
  std::set<std::string> fields;
  for (const QuarantineRecord& r : *q) {
    EXPECT_EQ(r.certifier, kCertifier);
    EXPECT_EQ(r.id_technique, "1017");
    EXPECT_EQ(r.mapping, "rs6521");
    EXPECT_EQ(r.deadline, DeadlineFor(D(2026, 1, 15)));
    fields.insert(r.field);
    if (r.field == "sexe") {
      EXPECT_EQ(r.rule, "requis");
      EXPECT_EQ(r.message, "sexe manquant : champ obligatoire");
    }
  }
  EXPECT_EQ(fields, (std::set<std::string>{"sexe", "dateDebutValidite"}));
  auto history = store().passages().History("1017");
  ASSERT_TRUE(history.has_value());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].kind, "seen");
  EXPECT_EQ((*history)[1].kind, "quarantined");
  // The rules, never the messages (which could quote a value).
  EXPECT_THAT((*history)[1].detail, HasSubstr("requis"));
  EXPECT_THAT((*history)[1].detail, HasSubstr("date"));
}

TEST_F(StateStoreTest, SameContentIsUnchangedAndAddsNoEvent) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Quarantined("1018", "q1", {kMissingSexe}));
  clock_.Advance(std::chrono::hours(24));
  auto r =
      store().passages().Observe({Obs("1017", "h1"), Quarantined("1018", "q1", {kMissingSexe})});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(ChangeName((*r)[0].change), "unchanged");
  EXPECT_EQ(StatusName((*r)[0].status), "pending");
  EXPECT_EQ(ChangeName((*r)[1].change), "unchanged");
  EXPECT_EQ(StatusName((*r)[1].status), "quarantined");
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen"));
  EXPECT_THAT(EventKinds("1018"), ElementsAre("seen", "quarantined"));
  EXPECT_EQ(Iso(Record("1017").updated_at), "2026-03-02T09:00:00Z");
  auto q = store().passages().Quarantine();
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->size(), 1u);
}

TEST_F(StateStoreTest, PendingChangedIsUpdated) {
  ObserveOne(Obs("1017", "h1"));
  clock_.Advance(std::chrono::hours(1));
  const Outcome out = ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(ChangeName(out.change), "updated");
  EXPECT_EQ(StatusName(out.status), "pending");
  EXPECT_EQ(Iso(Record("1017").updated_at), "2026-03-02T10:00:00Z");
  EXPECT_EQ(Iso(Record("1017").first_seen), "2026-03-02T09:00:00Z");
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "updated"));
  EXPECT_EQ(ChangeName(ObserveOne(Obs("1017", "h2")).change), "unchanged");
}

TEST_F(StateStoreTest, QuarantinedThenValidIsPendingAndLeavesTheQuarantine) {
  ObserveOne(Quarantined("1017", "h1", {kMissingSexe}));
  ObserveOne(Quarantined("1018", "q1", {kMissingSexe}));
  // Corrected in the source.
  Outcome out = ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(ChangeName(out.change), "updated");
  EXPECT_EQ(StatusName(out.status), "pending");
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "quarantined", "valid", "updated"));
  // Same content, valid now (a rule of the validator changed): pending as well.
  out = ObserveOne(Obs("1018", "q1"));
  EXPECT_EQ(StatusName(out.status), "pending");
  EXPECT_EQ(StatusOf("1018"), "pending");
  auto q = store().passages().Quarantine();
  ASSERT_TRUE(q.has_value());
  EXPECT_THAT(*q, IsEmpty());
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM quarantine"), "0");
}

TEST_F(StateStoreTest, QuarantineHoldsTheLatestReasons) {
  ObserveOne(Quarantined("1017", "h1", {kMissingSexe, kBadDate}));
  const Outcome out = ObserveOne(Quarantined("1017", "h2", {kBadDate}));
  EXPECT_EQ(ChangeName(out.change), "updated");
  EXPECT_EQ(StatusName(out.status), "quarantined");
  auto q = store().passages().Quarantine();
  ASSERT_TRUE(q.has_value());
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].field, "dateDebutValidite");
  // A valid passage that becomes invalid goes back to the quarantine.
  ObserveOne(Obs("1018", "v1"));
  EXPECT_EQ(StatusName(ObserveOne(Quarantined("1018", "v2", {kMissingSexe})).status),
            "quarantined");
  EXPECT_THAT(EventKinds("1018"), ElementsAre("seen", "quarantined", "updated"));
}

TEST_F(StateStoreTest, ChangedInDepositKeepsItsStatus) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  const std::int64_t a = Begin("a.xml", {"1017"});
  Publish("b.xml", {"1018"});
  ASSERT_EQ(StatusOf("1017"), "in_deposit");

  Outcome out = ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(ChangeName(out.change), "changed_in_deposit");
  EXPECT_EQ(StatusName(out.status), "in_deposit");
  EXPECT_EQ(StatusOf("1017"), "in_deposit");
  EXPECT_EQ(Column("1017", "deposit_id"), std::to_string(a));
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "in_deposit", "changed_in_deposit"));
  // The file keeps the data it was written with.
  EXPECT_EQ(RawDb(db_path()).One("SELECT content_hash FROM deposit_passages WHERE "
                                 "id_technique = '1017'"),
            "h1");

  out = ObserveOne(Obs("1018", "h2"));
  EXPECT_EQ(ChangeName(out.change), "changed_in_deposit");
  EXPECT_EQ(StatusName(out.status), "in_deposit");

  // Seen again with the same new content: still different from its file's, but said once.
  const Outcome again = ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(ChangeName(again.change), "changed_in_deposit");
  EXPECT_FALSE(again.first_seen_change);
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "in_deposit", "changed_in_deposit"));
  // Observed invalid while its file waits: it stays in its deposit.
  EXPECT_EQ(StatusName(ObserveOne(Quarantined("1017", "h3", {kMissingSexe})).status), "in_deposit");
  EXPECT_EQ(StatusOf("1017"), "in_deposit");
}

TEST_F(StateStoreTest, ChangedAfterAcceptanceIsReportedNotSentAgain) {
  ObserveOne(Obs("1017", "h1"));
  Publish("a.xml", {"1017"});
  Verdicts("a.xml", {{"1017", true, ""}});
  ASSERT_EQ(StatusOf("1017"), "accepted");
  EXPECT_EQ(Column("1017", "changed_after_acceptance"), "0");

  const Outcome out = ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(ChangeName(out.change), "changed_after_acceptance");
  EXPECT_EQ(StatusName(out.status), "accepted");
  EXPECT_EQ(StatusOf("1017"), "accepted");
  EXPECT_EQ(Column("1017", "changed_after_acceptance"), "1");
  EXPECT_THAT(EventKinds("1017"), ::testing::Contains("changed_after_acceptance"));

  // Not sent again: nothing pending, no deposit takes it, the flag stays.
  auto floor = store().cursors().PendingFloor(kCertifier, "rs6521", false);
  ASSERT_TRUE(floor.has_value());
  EXPECT_EQ(*floor, std::nullopt);
  auto again = store().deposits().Begin(kCertifier, "b.xml", "flux-b", {"1017"});
  EXPECT_FALSE(again.has_value());
  // The same change seen again is not news; the accepted content back in the source is no
  // change at all; the flag stays (the source did differ from what the CDC holds).
  const Outcome same = ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(ChangeName(same.change), "changed_after_acceptance");
  EXPECT_FALSE(same.first_seen_change);
  EXPECT_EQ(ChangeName(ObserveOne(Obs("1017", "h1")).change), "unchanged");
  EXPECT_EQ(Column("1017", "changed_after_acceptance"), "1");
  EXPECT_EQ(StatusOf("1017"), "accepted");
}

TEST_F(StateStoreTest, RejectedStaysRejectedUntilItsContentChanges) {
  ObserveOne(Obs("1017", "h1"));
  Publish("a.xml", {"1017"});
  Verdicts("a.xml", {{"1017", false, "Le code de la certification est inconnu"}});
  ASSERT_EQ(StatusOf("1017"), "rejected");
  EXPECT_EQ(Column("1017", "cdc_message"), "Le code de la certification est inconnu");

  Outcome out = ObserveOne(Obs("1017", "h1"));
  EXPECT_EQ(ChangeName(out.change), "unchanged");
  EXPECT_EQ(StatusName(out.status), "rejected");
  EXPECT_EQ(StatusOf("1017"), "rejected");

  out = ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(ChangeName(out.change), "changed_after_rejection");
  EXPECT_EQ(StatusName(out.status), "pending");
  EXPECT_EQ(StatusOf("1017"), "pending");
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "in_deposit", "rejected", "corrected"));
  // And it goes out again.
  Begin("b.xml", {"1017"});
  EXPECT_EQ(StatusOf("1017"), "in_deposit");
}

TEST_F(StateStoreTest, RejectedThenCorrectedButInvalidIsQuarantined) {
  ObserveOne(Obs("1017", "h1"));
  Publish("a.xml", {"1017"});
  Verdicts("a.xml", {{"1017", false, "refus"}});
  const Outcome out = ObserveOne(Quarantined("1017", "h2", {kMissingSexe}));
  EXPECT_EQ(ChangeName(out.change), "changed_after_rejection");
  EXPECT_EQ(StatusName(out.status), "quarantined");
  auto q = store().passages().Quarantine();
  ASSERT_TRUE(q.has_value());
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].field, "sexe");
}

TEST_F(StateStoreTest, SameIdTechniqueOfTwoCertifiersAreTwoPassages) {
  ObserveOne(Obs("1017", "h1"));
  EXPECT_EQ(
      ChangeName(
          ObserveOne(Obs("1017", "h1", D(2026, 1, 15), std::nullopt, kOtherCertifier)).change),
      "new");
  auto all = store().passages().PassagesWithId("1017");
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 2u);
}

// With no index on the idTechnique alone (migration 11), a look-up by idTechnique goes through
// each certifier's primary key: it finds the passages of every certifier, in the order they were
// recorded, and nothing in an empty store.
TEST_F(StateStoreTest, PassagesWithAnIdTechniqueAreFoundInEveryCertifier) {
  auto none = store().passages().PassagesWithId("1017");
  ASSERT_TRUE(none.has_value()) << none.error().message();
  EXPECT_TRUE(none->empty());

  for (const char* certifier : {"BCR00009", kOtherCertifier, "ABC00001", kCertifier}) {
    ObserveOne(Obs("1017", "h1", D(2026, 1, 15), std::nullopt, certifier));
    ObserveOne(
        Obs(std::string("only-") + certifier, "h1", D(2026, 1, 15), std::nullopt, certifier));
  }
  auto all = store().passages().PassagesWithId("1017");
  ASSERT_TRUE(all.has_value()) << all.error().message();
  std::vector<std::string> certifiers;
  for (const PassageRecord& p : *all) certifiers.push_back(p.certifier);
  EXPECT_THAT(certifiers, ElementsAre("BCR00009", kOtherCertifier, "ABC00001", kCertifier));
  auto one = store().passages().PassagesWithId("only-ABC00001");
  ASSERT_TRUE(one.has_value());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].certifier, "ABC00001");
  auto unknown = store().passages().PassagesWithId("1018");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_TRUE(unknown->empty());

  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM sqlite_master WHERE name = 'passages_id'"),
            "0");
}

TEST_F(StateStoreTest, ABatchGivesOneOutcomePerObservationInOrder) {
  ObserveOne(Obs("a", "h1"));
  ObserveOne(Obs("b", "h1"));
  auto r = store().passages().Observe(
      {Obs("b", "h2"), Obs("c", "h1"), Obs("a", "h1"), Quarantined("d", "h1", {kMissingSexe})});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  std::vector<std::string> changes;
  for (const Outcome& o : *r) changes.push_back(ChangeName(o.change));
  EXPECT_THAT(changes, ElementsAre("updated", "new", "unchanged", "new"));
  EXPECT_EQ(StatusName((*r)[3].status), "quarantined");
}

// Another process on the same state.db -- `accrochd receipts import` or `accrochd deposits
// mark-uploaded` while the daemon runs -- commits between two of the daemon's calls.
// Observe's statements are prepared per call: a statement left stepped on its row would keep the
// connection's read snapshot, and every later write would fail with "database is locked" once
// another connection committed.
TEST_F(StateStoreTest, AnotherProcessWritingDoesNotWedgeTheStore) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1017", "h1"));  // found: the SELECT returned a row
  FakeClock other_clock(kStart);
  auto other = StateStore::Open(dir_, other_clock, ::accrochd::testing::RealFiles());
  ASSERT_TRUE(other.has_value()) << other.error().message();
  ASSERT_TRUE((*other)
                  ->passages()
                  .Observe({Obs("2000", "h1")}, Bookmark{kCertifier, "rs6521", "999", "fp"})
                  .has_value());
  // The daemon sees what the other process wrote...
  auto b = store().cursors().Get(kCertifier, "rs6521");
  ASSERT_TRUE(b.has_value()) << b.error().message();
  EXPECT_TRUE(b->has_value());
  EXPECT_EQ(StatusOf("2000"), "pending");
  // ...and can still write.
  for (int i = 0; i < 3; ++i) {
    auto r = store().passages().Observe({Obs("1018", "h1")});
    EXPECT_TRUE(r.has_value()) << i << ": " << r.error().message();
  }
  EXPECT_TRUE(store().passages().AddEvent(kCertifier, "1017", "note", "").has_value());
  EXPECT_TRUE(store().deposits().Begin(kCertifier, "a.xml", "flux-a", {"1017"}).has_value());
}

// ---- The history is append-only ----

TEST_F(StateStoreTest, HistoryCannotBeRewrittenFromOutside) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1017", "h2"));
  ASSERT_TRUE(store()
                  .passages()
                  .AddEvent(kCertifier, "1017", "note", "vérifié par le service")
                  .has_value());
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "updated", "note"));

  RawDb raw(db_path());
  const std::string count = "SELECT COUNT(*) FROM events WHERE id_technique = '1017'";
  const std::string before = raw.One(count);
  EXPECT_THAT(raw.Exec("UPDATE events SET kind = 'forged' WHERE id_technique = '1017'"),
              HasSubstr("append-only"));
  EXPECT_THAT(raw.Exec("DELETE FROM events WHERE id_technique = '1017'"), HasSubstr("append-only"));
  EXPECT_THAT(raw.Exec("DELETE FROM events"), HasSubstr("append-only"));
  EXPECT_EQ(raw.One(count), before);
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "updated", "note"));
}

// A passage's row holds its "seen" and a deposit's membership its "in_deposit" (migration 12):
// neither is written as an event, and the history reads them in the order they happened, among
// the events written before and after.
TEST_F(StateStoreTest, RowsHoldTheirHistoryEntriesInTheirPlace) {
  ObserveOne(Quarantined("1017", "h0", {kMissingSexe}));
  ObserveOne(Obs("1018", "h1"));
  clock_.Advance(std::chrono::hours(1));
  ObserveOne(Obs("1017", "h1"));
  const std::int64_t a = Begin("a.xml", {"1018", "1017"});
  ASSERT_TRUE(store().deposits().Abandon(a, "écriture interrompue").has_value());
  clock_.Advance(std::chrono::hours(1));
  Deposit("b.xml", {"1017", "1018"});
  Verdicts("b.xml", {{"1017", true, ""}, {"1018", true, ""}});
  ASSERT_TRUE(store().passages().RequestWithdrawal({"1018"}, {}).has_value());
  clock_.Advance(std::chrono::hours(1));
  auto w = store().deposits().BeginWithdrawal(kCertifier, "w.xml", "flux-w.xml", {"1018"});
  ASSERT_TRUE(w.has_value()) << w.error().message();

  const auto lines = [&](const std::string& id) {
    std::vector<std::string> out;
    auto history = store().passages().History(id);
    EXPECT_TRUE(history.has_value()) << history.error().message();
    if (history) {
      for (const Event& e : *history) {
        out.push_back(Iso(e.at).substr(11, 5) + " " + e.kind + " " + e.detail);
      }
    }
    return out;
  };
  EXPECT_THAT(lines("1017"),
              ElementsAre("09:00 seen ", "09:00 quarantined " + std::string(kMissingSexe.rule),
                          "10:00 valid ", "10:00 updated ", "10:00 in_deposit a.xml",
                          "10:00 deposit_abandoned a.xml", "11:00 in_deposit b.xml",
                          "11:00 deposited b.xml", "11:00 accepted "));
  EXPECT_THAT(lines("1018"),
              ElementsAre("09:00 seen ", "10:00 in_deposit a.xml", "10:00 deposit_abandoned a.xml",
                          "11:00 in_deposit b.xml", "11:00 deposited b.xml", "11:00 accepted ",
                          "11:00 withdrawal_requested ", "12:00 withdrawal_in_deposit w.xml"));

  RawDb raw(db_path());
  // Only the abandoned file's entries are events: its memberships are gone, at the time it was
  // made. The live files' and the passages' first sighting are rows.
  EXPECT_THAT(raw.Rows("SELECT id_technique || ' ' || kind || ' ' || detail || ' ' || at FROM "
                       "events WHERE kind IN ('seen', 'in_deposit', 'withdrawal_in_deposit') "
                       "ORDER BY id"),
              ElementsAre("1018 in_deposit a.xml 2026-03-02T10:00:00Z",
                          "1017 in_deposit a.xml 2026-03-02T10:00:00Z"));
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM deposit_passages"), "3");
}

// A store of schema 11 has its passages' "seen" and "in_deposit" as events: after migration 12
// each is read once, in its place, and what happens next is held by the rows.
TEST_F(StateStoreTest, MigrationTwelveKeepsTheHistoryWrittenBefore) {
  ObserveOne(Obs("1017", "h1"));
  const std::int64_t a = Begin("a.xml", {"1017"});
  store_.reset();
  {
    RawDb raw(db_path());
    ASSERT_EQ(UndoMigrationTwelve(raw), "");
    // What accrochd wrote before migration 12, the rows' entries as events.
    ASSERT_EQ(raw.Exec("INSERT INTO events (at, certifier, id_technique, kind, detail) VALUES "
                       "('2026-03-02T09:00:00Z', 'BCR00001', '1017', 'seen', ''), "
                       "('2026-03-02T09:00:00Z', 'BCR00001', '1017', 'in_deposit', 'a.xml')"),
              "");
  }
  Reopen();
  EXPECT_EQ(RawDb(db_path()).One("SELECT MAX(version) FROM schema_version"), kLatestSchema);
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "in_deposit"));
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(store().deposits().MarkPublished(a, "sha").has_value());
  Verdicts("a.xml", {{"1017", false, "refus"}});
  ObserveOne(Obs("1017", "h2"));
  ObserveOne(Obs("1018", "h1"));
  Deposit("b.xml", {"1017", "1018"});
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "in_deposit", "rejected", "corrected",
                                              "in_deposit", "deposited"));
  EXPECT_THAT(EventKinds("1018"), ElementsAre("seen", "in_deposit", "deposited"));
}

// Migration 13 on a store of schema 12, where every member copied its file's idTechnique and
// all were indexed: those copies stay and the receipt's look-up still finds each member by the
// idTechnique its file spells; the index keeps only the ones a file spells otherwise; a member
// recorded after keeps none for its own idTechnique, and its receipt finds it all the same. The
// passages' index by mapping is folded into the one by status.
TEST_F(StateStoreTest, MigrationThirteenKeepsWhatMembersRecordedBeforeSayAndFoldsTheIndexes) {
  for (const char* id : {"1017", "1018", "1019"}) ObserveOne(Obs(id, "h1"));
  ASSERT_TRUE(store().passages().SetCdcIdTechnique(kCertifier, "1018", "1018C1").has_value());
  Deposit("a.xml", {"1017", "1018"});
  store_.reset();
  {
    RawDb raw(db_path());
    ASSERT_EQ(UndoMigrationThirteen(raw), "");
  }
  Reopen();
  RawDb raw(db_path());
  EXPECT_EQ(raw.One("SELECT MAX(version) FROM schema_version"), kLatestSchema);
  EXPECT_THAT(raw.One("SELECT sql FROM sqlite_master WHERE name = 'deposit_passages_cdc'"),
              HasSubstr("WHERE cdc_id_technique IS NOT NULL"));
  EXPECT_THAT(raw.One("SELECT sql FROM sqlite_master WHERE name = 'passages_status'"),
              HasSubstr("(certifier, status, mapping)"));
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM sqlite_master WHERE name = 'passages_mapping'"), "0");
  EXPECT_THAT(raw.Rows("SELECT id_technique, IFNULL(cdc_id_technique, '-') FROM "
                       "deposit_passages ORDER BY rowid"),
              ElementsAre("1017|1017", "1018|1018C1"));
  Verdicts("a.xml", {{"1017", true, ""}, {"1018C1", false, "refus"}});
  EXPECT_EQ(StatusOf("1017"), "accepted");
  EXPECT_EQ(StatusOf("1018"), "rejected");

  const std::string b = std::to_string(Deposit("b.xml", {"1019"}));
  EXPECT_EQ(raw.One("SELECT IFNULL(cdc_id_technique, '-') FROM deposit_passages WHERE "
                    "deposit_id = " +
                    b),
            "-");
  Verdicts("b.xml", {{"1019", false, "refus"}});
  EXPECT_EQ(StatusOf("1019"), "rejected");
  // The index holds the members recorded before (their copies) and the renamed one; not the
  // member recorded after under its own idTechnique.
  EXPECT_THAT(raw.Rows("SELECT id_technique || '|' || cdc_id_technique FROM deposit_passages "
                       "INDEXED BY deposit_passages_cdc WHERE cdc_id_technique IS NOT NULL "
                       "ORDER BY id_technique"),
              ElementsAre("1017|1017", "1018|1018C1"));
}

// A query for one mapping of a certifier names the statuses it wants (StatusIn): it goes through
// passages_status (certifier, status, mapping), a look-up per status, never through every passage
// of the certifier; and the list holds every status the store writes but those left out.
TEST_F(StateStoreTest, QueriesForOneMappingGoThroughTheStatusIndex) {
  EXPECT_EQ(StatusIn({Status::kMissing, Status::kWithdrawn}),
            "status IN ('pending', 'quarantined', 'in_deposit', 'deposited', 'accepted', "
            "'rejected', 'withdrawal_queued', 'withdrawal_in_deposit', 'withdrawal_deposited')");
  for (const Status s : mappings::kAllStatuses) {
    EXPECT_THAT(StatusIn(), HasSubstr("'" + std::string(StatusName(s)) + "'"));
    EXPECT_EQ(ParseStatus(StatusName(s)), s);
  }
  for (const char* id : {"1017", "1018"}) ObserveOne(Obs(id, "h1"));
  RawDb raw(db_path());
  EXPECT_THAT(raw.Rows("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM passages WHERE certifier = "
                       "'BCR00001' AND " +
                       StatusIn({Status::kMissing}) + " AND mapping = 'rs6521'"),
              ElementsAre(HasSubstr("INDEX passages_status (certifier=? AND status=? AND "
                                    "mapping=?)")));
  EXPECT_THAT(raw.Rows("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM passages WHERE certifier = "
                       "'BCR00001' AND status = 'pending'"),
              ElementsAre(HasSubstr("INDEX passages_status (certifier=? AND "
                                    "status=?)")));
  EXPECT_EQ(
      raw.One("SELECT COUNT(*) FROM passages WHERE certifier = 'BCR00001' AND " +
              StatusIn({Status::kMissing}) + " AND mapping = '" + Obs("1017", "h1").mapping + "'"),
      "2");
}

// What the rows' history entries are made of cannot be changed or deleted from outside either.
TEST_F(StateStoreTest, HistoryHeldByRowsCannotBeRewrittenFromOutside) {
  ObserveOne(Obs("1017", "h1"));
  Deposit("a.xml", {"1017"});
  RawDb raw(db_path());
  for (const char* forgery :
       {"UPDATE passages SET first_seen = '2026-01-01T00:00:00Z'",
        "UPDATE passages SET history_mark = 99", "UPDATE passages SET id_technique = '9999'",
        "DELETE FROM passages", "UPDATE deposits SET created_at = '2026-01-01T00:00:00Z'",
        "UPDATE deposits SET file_name = 'x.xml'", "UPDATE deposits SET action = 'SUPPRESSION'",
        "DELETE FROM deposits", "DELETE FROM deposit_passages",
        "UPDATE deposit_passages SET id_technique = '9999'"}) {
    EXPECT_THAT(raw.Exec(forgery), HasSubstr("append-only")) << forgery;
  }
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "in_deposit", "deposited"));
  // The columns a passage's life changes stay writable.
  EXPECT_EQ(raw.Exec("UPDATE passages SET retry_requested = 0"), "");
}

// ---- Bookmarks ----

TEST_F(StateStoreTest, BookmarkIsStoredWithTheObservations) {
  auto none = store().cursors().Get(kCertifier, "rs6521");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(*none, std::nullopt);

  ASSERT_TRUE(store()
                  .passages()
                  .Observe({Obs("1017", "h1", D(2026, 1, 15), "100")},
                           Bookmark{kCertifier, "rs6521", "100", "fp-1"})
                  .has_value());
  auto b = store().cursors().Get(kCertifier, "rs6521");
  ASSERT_TRUE(b.has_value());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->certifier, kCertifier);
  EXPECT_EQ((*b)->mapping, "rs6521");
  EXPECT_EQ((*b)->value, "100");
  EXPECT_EQ((*b)->fingerprint, "fp-1");

  // Without a bookmark, and with an empty batch: the old one stays.
  ASSERT_TRUE(store().passages().Observe({Obs("1018", "h1")}).has_value());
  ASSERT_TRUE(store().passages().Observe({}).has_value());
  b = store().cursors().Get(kCertifier, "rs6521");
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ((*b)->value, "100");

  // A new one replaces it; other mappings and certifiers have their own.
  ASSERT_TRUE(
      store().passages().Observe({}, Bookmark{kCertifier, "rs6521", "250", "fp-2"}).has_value());
  ASSERT_TRUE(
      store().passages().Observe({}, Bookmark{kOtherCertifier, "rs6521", "7", "fp-x"}).has_value());
  b = store().cursors().Get(kCertifier, "rs6521");
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ((*b)->value, "250");
  EXPECT_EQ((*b)->fingerprint, "fp-2");
  auto other = store().cursors().Get(kCertifier, "rs9999");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(*other, std::nullopt);
  Reopen();
  b = store().cursors().Get(kOtherCertifier, "rs6521");
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ((*b)->value, "7");
}

TEST_F(StateStoreTest, FailedObservationStoresNeitherPassagesNorBookmark) {
  ASSERT_TRUE(store()
                  .passages()
                  .Observe({Obs("1017", "h1", D(2026, 1, 15), "100")},
                           Bookmark{kCertifier, "rs6521", "100", "fp-1"})
                  .has_value());
  // Fault injection, installed while the store is closed: a passage, or a bookmark, that
  // cannot be written.
  store_.reset();
  {
    RawDb raw(db_path());
    ASSERT_EQ(raw.Exec("CREATE TRIGGER inject BEFORE INSERT ON passages "
                       "WHEN NEW.id_technique = 'poison' "
                       "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"),
              "");
    ASSERT_EQ(raw.Exec("CREATE TRIGGER inject_cursor BEFORE UPDATE ON cursors "
                       "WHEN NEW.value = 'poison' "
                       "BEGIN SELECT RAISE(ABORT, 'injected cursor failure'); END"),
              "");
  }
  Reopen();

  // The last passage of the batch fails.
  auto r = store().passages().Observe({Obs("1017", "h2"), Obs("1018", "h1", D(2026, 1, 15), "150"),
                                       Obs("poison", "h1", D(2026, 1, 15), "200")},
                                      Bookmark{kCertifier, "rs6521", "200", "fp-1"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind(), ErrorKind::kIo);
  EXPECT_THAT(r.error().message(), HasSubstr("injected failure"));
  EXPECT_THAT(r.error().message(), HasSubstr(db_path()));

  // Nothing of the batch is left: no passage, no update, no event, the old bookmark.
  auto check_nothing_left = [&] {
    auto all = store().passages().Passages();
    ASSERT_TRUE(all.has_value()) << all.error().message();
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].id_technique, "1017");
    EXPECT_EQ(Column("1017", "content_hash"), "h1");
    EXPECT_THAT(EventKinds("1017"), ElementsAre("seen"));
    EXPECT_THAT(EventKinds("1018"), IsEmpty());
    auto b = store().cursors().Get(kCertifier, "rs6521");
    ASSERT_TRUE(b.has_value() && b->has_value());
    EXPECT_EQ((*b)->value, "100");
  };
  check_nothing_left();

  // The same when the bookmark is what cannot be written.
  r = store().passages().Observe({Obs("1017", "h2"), Obs("1018", "h1", D(2026, 1, 15), "150")},
                                 Bookmark{kCertifier, "rs6521", "poison", "fp-1"});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("injected cursor failure"));
  check_nothing_left();

  // The store works on (its prepared statements survived the failures).
  r = store().passages().Observe({Obs("1017", "h2"), Obs("1018", "h1", D(2026, 1, 15), "150")},
                                 Bookmark{kCertifier, "rs6521", "150", "fp-1"});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(ChangeName((*r)[0].change), "updated");
  EXPECT_EQ(ChangeName((*r)[1].change), "new");
  auto b = store().cursors().Get(kCertifier, "rs6521");
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ((*b)->value, "150");
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "updated"));
}

// ---- PendingCursorFloor ----

TEST_F(StateStoreTest, PendingCursorFloorLooksAtPendingPassagesOnly) {
  auto floor = [&](const std::string& mapping, bool numeric) {
    auto f = store().cursors().PendingFloor(kCertifier, mapping, numeric);
    EXPECT_TRUE(f.has_value()) << f.error().message();
    return f.value_or(std::optional<std::string>("<error>"));
  };
  EXPECT_EQ(floor("rs6521", true), std::nullopt);
  EXPECT_EQ(floor("rs6521", false), std::nullopt);

  ObserveOne(Obs("a", "h", D(2026, 1, 15), "9"));
  ObserveOne(Obs("b", "h", D(2026, 1, 15), "10"));
  ObserveOne(Obs("c", "h", D(2026, 1, 15), "100"));
  // Lower values that do not count: not pending, another mapping, another certifier.
  Observation q = Quarantined("d", "h", {kMissingSexe});
  q.cursor_value = "1";
  ObserveOne(q);
  ObserveOne(Obs("e", "h", D(2026, 1, 15), "2"));
  Begin("a.xml", {"e"});
  Observation other_mapping = Obs("f", "h", D(2026, 1, 15), "0");
  other_mapping.mapping = "rs9999";
  ObserveOne(other_mapping);
  ObserveOne(Obs("g", "h", D(2026, 1, 15), "0", kOtherCertifier));

  EXPECT_EQ(floor("rs6521", true), "9");
  EXPECT_EQ(floor("rs6521", false), "10");  // as text, "10" < "100" < "9"
  EXPECT_EQ(floor("rs9999", true), "0");

  // Text cursors: timestamps compare as text.
  Observation t1 = Obs("t1", "h", D(2026, 1, 15), "2026-02-01 08:00:00");
  t1.mapping = "dated";
  Observation t2 = Obs("t2", "h", D(2026, 1, 15), "2026-01-31 23:59:59");
  t2.mapping = "dated";
  ASSERT_TRUE(store().passages().Observe({t1, t2}).has_value());
  EXPECT_EQ(floor("dated", false), "2026-01-31 23:59:59");

  // One pending passage without a cursor value: everything must be read again.
  ObserveOne(Obs("z", "h"));
  EXPECT_EQ(floor("rs6521", true), "");
  EXPECT_EQ(floor("rs6521", false), "");

  // None pending any more.
  Begin("b.xml", {"a", "b", "c", "z"});
  EXPECT_EQ(floor("rs6521", true), std::nullopt);
  EXPECT_EQ(floor("rs6521", false), std::nullopt);
}

// ---- Deposits ----

TEST_F(StateStoreTest, BeginDepositPutsPendingPassagesInTheDeposit) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h2"));
  ObserveOne(Obs("1019", "h3"));
  clock_.Advance(std::chrono::minutes(5));
  auto id = store().deposits().Begin(kCertifier, "a.xml", "flux-a", {"1017", "1018"});
  ASSERT_TRUE(id.has_value()) << id.error().message();
  ASSERT_GT(*id, 0);

  for (const char* p : {"1017", "1018"}) {
    EXPECT_EQ(StatusOf(p), "in_deposit") << p;
    EXPECT_EQ(Column(p, "deposit_id"), std::to_string(*id)) << p;
    EXPECT_EQ(Column(p, "updated_at"), "2026-03-02T09:05:00Z") << p;
    EXPECT_THAT(EventKinds(p), ElementsAre("seen", "in_deposit"));
  }
  EXPECT_EQ(StatusOf("1019"), "pending");
  auto history = store().passages().History("1017");
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->back().detail, "a.xml");

  EXPECT_EQ(DepositColumn("a.xml",
                          "id || '|' || certifier || '|' || id_flux || '|' || passages || "
                          "'|' || state || '|' || created_at || '|' || published_at"),
            std::to_string(*id) + "|BCR00001|flux-a|2|publishing|2026-03-02T09:05:00Z|");

  // The deposit remembers the content each passage was written with.
  EXPECT_THAT(RawDb(db_path()).Rows("SELECT deposit_id, certifier, id_technique, content_hash "
                                    "FROM deposit_passages ORDER BY id_technique"),
              ElementsAre(std::to_string(*id) + "|BCR00001|1017|h1",
                          std::to_string(*id) + "|BCR00001|1018|h2"));

  auto last = store().deposits().LastCutAt(kCertifier);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(Iso(*last), "2026-03-02T09:05:00Z");
  auto none = store().deposits().LastCutAt(kOtherCertifier);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(*none, std::nullopt);
}

// A deposit's passages are written together (PassageRows::ApplyToAll), as they were one by one:
// the membership and the history in the order the file lists them, a correction's idTechnique
// as the file spells it, and nothing of another certifier's passage with the same idTechnique.
TEST_F(StateStoreTest, BeginDepositWritesItsPassagesInTheFilesOrder) {
  for (const char* id : {"1017", "1018", "1019", "2000"}) {
    ObserveOne(Obs(id, std::string("h") + id));
  }
  ObserveOne(Obs("1017", "other", D(2026, 1, 15), std::nullopt, kOtherCertifier));
  ASSERT_TRUE(store().passages().SetCdcIdTechnique(kCertifier, "1018", "1018C1").has_value());
  clock_.Advance(std::chrono::minutes(5));
  const std::int64_t id = Begin("a.xml", {"1019", "1017", "1018"});
  ASSERT_GT(id, 0);

  RawDb raw(db_path());
  const std::string d = std::to_string(id);
  // The file's idTechnique kept only where it is not the passage's own (migration 13).
  EXPECT_THAT(raw.Rows("SELECT deposit_id, certifier, id_technique, content_hash, "
                       "IFNULL(cdc_id_technique, '-') FROM deposit_passages ORDER BY rowid"),
              ElementsAre(d + "|BCR00001|1019|h1019|-", d + "|BCR00001|1017|h1017|-",
                          d + "|BCR00001|1018|h1018|1018C1"));
  // Each one's history ends in the file, at the time it was made (the membership holds it).
  for (const char* p : {"1019", "1017", "1018"}) {
    auto history = store().passages().History(p);
    ASSERT_TRUE(history.has_value()) << history.error().message();
    ASSERT_FALSE(history->empty()) << p;
    EXPECT_EQ(history->back().certifier + "|" + history->back().kind + "|" +
                  history->back().detail + "|" + Iso(history->back().at),
              "BCR00001|in_deposit|a.xml|2026-03-02T09:05:00Z")
        << p;
  }
  EXPECT_THAT(raw.Rows("SELECT certifier, id_technique, status, IFNULL(deposit_id, '-') FROM "
                       "passages ORDER BY certifier, id_technique"),
              ElementsAre("BCR00001|1017|in_deposit|" + d, "BCR00001|1018|in_deposit|" + d,
                          "BCR00001|1019|in_deposit|" + d, "BCR00001|2000|pending|-",
                          "BCR00002|1017|pending|-"));

  // The next file, after a refused one, starts from an empty list.
  EXPECT_FALSE(
      store().deposits().Begin(kCertifier, "b.xml", "flux-b", {"2000", "1017"}).has_value());
  const std::int64_t c = Begin("c.xml", {"2000"});
  EXPECT_THAT(
      raw.Rows("SELECT id_technique FROM deposit_passages WHERE deposit_id = " + std::to_string(c)),
      ElementsAre("2000"));
}

TEST_F(StateStoreTest, BeginDepositOfAPassageNotPendingChangesNothing) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  ObserveOne(Obs("1019", "h1"));
  ObserveOne(Quarantined("q", "h1", {kMissingSexe}));
  RawDb raw(db_path());
  const std::string events_before = raw.One("SELECT COUNT(*) FROM events");
  const std::string passages_before = raw.One(
      "SELECT group_concat(id_technique || status || "
      "IFNULL(deposit_id, '-') || updated_at) FROM "
      "passages");

  // The quarantined one, in the middle: the first is already moved when it fails.
  clock_.Advance(std::chrono::minutes(1));
  auto r = store().deposits().Begin(kCertifier, "a.xml", "flux-a", {"1017", "q", "1018"});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("passage q of BCR00001"));
  EXPECT_THAT(r.error().message(), HasSubstr("a.xml"));
  EXPECT_THAT(r.error().message(), HasSubstr("not pending"));
  // An unknown passage, another certifier's, the same passage twice.
  EXPECT_FALSE(
      store().deposits().Begin(kCertifier, "a.xml", "flux-a", {"1017", "nope"}).has_value());
  EXPECT_FALSE(store().deposits().Begin(kOtherCertifier, "a.xml", "flux-a", {"1017"}).has_value());
  EXPECT_FALSE(
      store().deposits().Begin(kCertifier, "a.xml", "flux-a", {"1017", "1017"}).has_value());

  EXPECT_EQ(StatusOf("1017"), "pending");
  EXPECT_EQ(StatusOf("1018"), "pending");
  EXPECT_EQ(StatusOf("q"), "quarantined");
  EXPECT_EQ(raw.One("SELECT group_concat(id_technique || status || IFNULL(deposit_id, '-') || "
                    "updated_at) FROM passages"),
            passages_before);
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM deposit_passages"), "0");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM deposits"), "0");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM events"), events_before);
  auto last = store().deposits().LastCutAt(kCertifier);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, std::nullopt);

  // The name was not taken by the failures.
  const std::int64_t a = Begin("a.xml", {"1017", "1018"});
  ASSERT_GT(a, 0);
  // A passage sits in one open deposit: a second one cannot take it, nor its companions.
  r = store().deposits().Begin(kCertifier, "b.xml", "flux-b", {"1019", "1017"});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("passage 1017 of BCR00001"));
  EXPECT_EQ(StatusOf("1019"), "pending");
  EXPECT_EQ(Column("1019", "deposit_id"), "NULL");
  EXPECT_EQ(Column("1017", "deposit_id"), std::to_string(a));
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM deposit_passages WHERE id_technique = '1017'"), "1");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM deposits"), "1");
  // Published, it still holds them.
  ASSERT_TRUE(store().deposits().MarkPublished(a, "sha").has_value());
  EXPECT_FALSE(store().deposits().Begin(kCertifier, "c.xml", "flux-c", {"1018"}).has_value());
  EXPECT_EQ(Column("1018", "deposit_id"), std::to_string(a));
}

// ---- New passages held until their file is recorded (staged_passages.h) ----

// What a store keeps of its passages, read from its state.db beside it: every column of their
// rows (but history_mark, an event's id), their memberships, the events, the deposits, and the
// history each passage of `ids` shows.
std::vector<std::string> Kept(StateStore& store, const std::string& path,
                              const std::vector<std::string>& ids) {
  RawDb raw(path);
  std::vector<std::string> out = raw.Rows(
      "SELECT certifier, id_technique, mapping, certification_type, certification_code, "
      "IFNULL(delivery, '-'), IFNULL(deadline, '-'), content_hash, source_hash, "
      "IFNULL(cursor_value, '-'), status, xsd_refused, IFNULL(deposit_id, '-'), cdc_message, "
      "changed_after_acceptance, retry_requested, first_seen, updated_at, "
      "IFNULL(cdc_id_technique, '-'), IFNULL(withdrawal_deposit_id, '-'), correcting, "
      "corrections, withdrawal_message, missed_reads, missing_from_source, missing_since, "
      "hex(row_digest), hex(holder_record) FROM passages ORDER BY certifier, id_technique");
  for (const char* query :
       {"SELECT deposit_id, certifier, id_technique, content_hash, cdc_id_technique FROM "
        "deposit_passages ORDER BY rowid",
        "SELECT at, certifier, id_technique, kind, detail FROM events ORDER BY id",
        "SELECT id, certifier, file_name, passages, state, created_at FROM deposits ORDER BY id"}) {
    for (std::string& row : raw.Rows(query)) out.push_back(std::move(row));
  }
  for (const std::string& id : ids) {
    auto history = store.passages().History(id);
    EXPECT_TRUE(history.has_value()) << history.error().message();
    if (!history) continue;
    for (const Event& e : *history) {
      out.push_back(id + ": " + e.certifier + "|" + e.kind + "|" + e.detail + "|" + Iso(e.at));
    }
  }
  return out;
}

// A passage observed new and put in a file in the same cycle is written once, when its file is
// recorded -- and the store then holds exactly what the two writes (inserted pending, then put
// in the file) leave: the same rows, memberships in the file's order, events and history.
TEST_F(StateStoreTest, ANewPassageHeldForItsFileIsWrittenOnceAsTheTwoWritesWouldLeaveIt) {
  auto observations = [](bool to_deposit) {
    std::vector<Observation> v = {Obs("1017", "h1", D(2026, 1, 15), "100"),
                                  Obs("1018", "h2", std::nullopt), Obs("1019", "h3")};
    for (Observation& o : v) {
      o.to_deposit = to_deposit;
      o.row_digest = std::string("\0r", 2);
      o.holder_record = std::string(96, 'x');
    }
    return v;
  };
  const std::string held_dir = dir_ + "/held";
  fs::create_directories(held_dir);
  auto opened = StateStore::Open(held_dir, clock_, ::accrochd::testing::RealFiles());
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  StateStore& held = **opened;
  const std::string held_db = held_dir + "/state.db";

  auto two_writes = store().passages().Observe(observations(false));
  auto one_write = held.passages().Observe(observations(true));
  ASSERT_TRUE(two_writes.has_value() && one_write.has_value());
  ASSERT_EQ(one_write->size(), two_writes->size());
  for (std::size_t i = 0; i < one_write->size(); ++i) {
    EXPECT_EQ(ChangeName((*one_write)[i].change), ChangeName((*two_writes)[i].change));
    EXPECT_EQ((*one_write)[i].status, (*two_writes)[i].status);
  }
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM passages"), "3");
  EXPECT_EQ(RawDb(held_db).One("SELECT COUNT(*) FROM passages"), "0");  // held

  clock_.Advance(std::chrono::minutes(5));
  const std::vector<std::string> file = {"1019", "1017", "1018"};
  auto a = store().deposits().Begin(kCertifier, "a.xml", "flux-a", file);
  auto b = held.deposits().Begin(kCertifier, "a.xml", "flux-a", file);
  ASSERT_TRUE(a.has_value()) << a.error().message();
  ASSERT_TRUE(b.has_value()) << b.error().message();
  const std::vector<std::string> kept = Kept(store(), db_path(), file);
  EXPECT_EQ(Kept(held, held_db, file), kept);
  EXPECT_THAT(kept, ::testing::Contains(HasSubstr("BCR00001|1017|rs6521|RS|RS6521|2026-01-15|")));
  EXPECT_THAT(RawDb(held_db).Rows("SELECT id_technique || '|' || status || '|' || first_seen || "
                                  "'|' || updated_at FROM passages ORDER BY rowid"),
              ElementsAre("1019|in_deposit|2026-03-02T09:00:00Z|2026-03-02T09:05:00Z",
                          "1017|in_deposit|2026-03-02T09:00:00Z|2026-03-02T09:05:00Z",
                          "1018|in_deposit|2026-03-02T09:00:00Z|2026-03-02T09:05:00Z"));

  // Nothing stays held: once published, abandoned or flushed, the two stores stay the same.
  ASSERT_TRUE(held.passages().FlushStaged(kCertifier).has_value());
  ASSERT_TRUE(store().deposits().Abandon(*a, "test").has_value());
  ASSERT_TRUE(held.deposits().Abandon(*b, "test").has_value());
  EXPECT_EQ(Kept(held, held_db, file), Kept(store(), db_path(), file));
}

// A mapping's bookmark never passes a passage it read. While passages of its certifier are held
// for their file, it waits: their file's record writes them, and the bookmark is written when
// the certifier's cycle ends (FlushStaged), with whatever is still held, in one transaction.
// Another certifier's held passages do not keep it waiting; a bookmark with nothing of its
// certifier held is written at once.
TEST_F(StateStoreTest, TheBookmarkWaitsForThePassagesHeldForItsCertifier) {
  auto bookmark_of = [&](const char* certifier, const char* mapping) -> std::string {
    auto b = store().cursors().Get(certifier, mapping);
    EXPECT_TRUE(b.has_value());
    return b.has_value() && b->has_value() ? (*b)->value : "none";
  };
  Observation mine = Obs("1017", "h1", D(2026, 1, 15), "100");
  Observation mine_too = Obs("1018", "h2", D(2026, 1, 15), "101");
  Observation other = Obs("1017", "h9", D(2026, 1, 15), "7", kOtherCertifier);
  mine.to_deposit = mine_too.to_deposit = other.to_deposit = true;
  ASSERT_TRUE(store().passages().Observe({mine, mine_too, other}).has_value());
  RawDb raw(db_path());
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM passages"), "0");

  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(
      store().passages().Observe({}, Bookmark{kCertifier, "rs6521", "101", "fp"}).has_value());
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM passages"), "0");  // still held
  EXPECT_EQ(bookmark_of(kCertifier, "rs6521"), "none");      // waiting for them

  // One goes into its file, written once; the other is still held: the bookmark still waits.
  const std::int64_t a = Begin("a.xml", {"1017"});
  EXPECT_EQ(StatusOf("1017"), "in_deposit");
  EXPECT_EQ(Column("1017", "deposit_id"), std::to_string(a));
  EXPECT_EQ(bookmark_of(kCertifier, "rs6521"), "none");

  // The certifier's cycle ends: what is held is inserted pending (seen when it was observed),
  // and the bookmark written, together; the other certifier's passage stays held.
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(store().passages().FlushStaged(kCertifier).has_value());
  EXPECT_EQ(bookmark_of(kCertifier, "rs6521"), "101");
  EXPECT_THAT(raw.Rows("SELECT certifier || '|' || id_technique || '|' || status || '|' || "
                       "content_hash || '|' || cursor_value || '|' || first_seen FROM passages "
                       "ORDER BY rowid"),
              ElementsAre("BCR00001|1017|in_deposit|h1|100|2026-03-02T09:00:00Z",
                          "BCR00001|1018|pending|h2|101|2026-03-02T09:00:00Z"));
  EXPECT_THAT(EventKinds("1018"), ElementsAre("seen"));
  EXPECT_EQ(raw.One("SELECT updated_at FROM cursors WHERE certifier = 'BCR00001'"),
            "2026-03-02T09:02:00Z");

  // A bookmark of a certifier with nothing held is written at once, whatever another holds.
  ASSERT_TRUE(
      store().passages().Observe({}, Bookmark{kCertifier, "rs6521", "102", "fp"}).has_value());
  EXPECT_EQ(bookmark_of(kCertifier, "rs6521"), "102");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM passages WHERE certifier = '" +
                    std::string(kOtherCertifier) + "'"),
            "0");

  // The other certifier's bookmark waits for its own; a later one for the same mapping replaces
  // it; both written once FlushStaged inserts its passage.
  ASSERT_TRUE(
      store().passages().Observe({}, Bookmark{kOtherCertifier, "rs6521", "6", "fp"}).has_value());
  ASSERT_TRUE(
      store().passages().Observe({}, Bookmark{kOtherCertifier, "rs6521", "7", "fp"}).has_value());
  EXPECT_EQ(bookmark_of(kOtherCertifier, "rs6521"), "none");
  ASSERT_TRUE(store().passages().FlushStaged(kOtherCertifier).has_value());
  EXPECT_EQ(bookmark_of(kOtherCertifier, "rs6521"), "7");
  EXPECT_EQ(raw.One("SELECT status || '|' || content_hash FROM passages WHERE certifier = '" +
                    std::string(kOtherCertifier) + "'"),
            "pending|h9");
  // Recorded as any pending passage, they go into a file as before.
  const std::int64_t b = Begin("b.xml", {"1018"});
  EXPECT_EQ(StatusOf("1018"), "in_deposit");
  EXPECT_EQ(Column("1018", "deposit_id"), std::to_string(b));
}

// A file of passages some held, some recorded before: each in its place, memberships in the
// file's order, every one in_deposit.
TEST_F(StateStoreTest, AFileOfHeldAndRecordedPassagesIsRecordedInItsOrder) {
  ObserveOne(Obs("1017", "h1"));
  for (const char* id : {"1018", "1019"}) {
    Observation o = Obs(id, std::string("h") + id);
    o.to_deposit = true;
    ObserveOne(o);
  }
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM passages"), "1");
  clock_.Advance(std::chrono::minutes(5));
  const std::int64_t a = Begin("a.xml", {"1018", "1017", "1019"});
  ASSERT_GT(a, 0);
  const std::string d = std::to_string(a);
  RawDb raw(db_path());
  EXPECT_THAT(raw.Rows("SELECT deposit_id, id_technique, content_hash, IFNULL(cdc_id_technique, "
                       "'-') FROM deposit_passages ORDER BY rowid"),
              ElementsAre(d + "|1018|h1018|-", d + "|1017|h1|-", d + "|1019|h1019|-"));
  for (const char* p : {"1017", "1018", "1019"}) {
    EXPECT_EQ(StatusOf(p), "in_deposit") << p;
    EXPECT_EQ(Column(p, "deposit_id"), d) << p;
    EXPECT_EQ(Column(p, "first_seen"), "2026-03-02T09:00:00Z") << p;
    EXPECT_THAT(EventKinds(p), ElementsAre("seen", "in_deposit")) << p;
  }
}

// A file refused (a passage not pending, one listed twice) records nothing, its held passages
// included: they stay held, for the file written again without the culprit.
TEST_F(StateStoreTest, ARefusedFileLeavesItsPassagesHeld) {
  ObserveOne(Obs("1017", "h1"));
  Begin("a.xml", {"1017"});
  Observation o = Obs("1018", "h2");
  o.to_deposit = true;
  ObserveOne(o);
  RawDb raw(db_path());
  const std::string deposits_before = raw.One("SELECT COUNT(*) FROM deposits");

  auto refused = store().deposits().Begin(kCertifier, "b.xml", "flux-b", {"1018", "1017"});
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message(), HasSubstr("passage 1017 of BCR00001"));
  EXPECT_FALSE(
      store().deposits().Begin(kCertifier, "b.xml", "flux-b", {"1018", "1018"}).has_value());
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM passages WHERE id_technique = '1018'"), "0");
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM deposits"), deposits_before);

  const std::int64_t c = Begin("c.xml", {"1018"});
  EXPECT_EQ(StatusOf("1018"), "in_deposit");
  EXPECT_EQ(Column("1018", "deposit_id"), std::to_string(c));
  EXPECT_EQ(Column("1018", "content_hash"), "h2");
}

// Observed again while held (a second cycle before the first one's file: not in the daemon,
// which inserts what is held at the end of each certifier's cycle), a passage is recorded as it
// was first seen, then observed as any passage: the history of one never held.
TEST_F(StateStoreTest, APassageObservedAgainWhileHeldHasTheHistoryOfOneNeverHeld) {
  Observation first = Obs("1017", "h1");
  first.to_deposit = true;
  ObserveOne(first);
  ObserveOne(Obs("1018", "h1"));
  clock_.Advance(std::chrono::minutes(1));
  ObserveOne(Obs("1017", "h2"));
  ObserveOne(Obs("1018", "h2"));
  EXPECT_EQ(Column("1017",
                   "content_hash || '|' || status || '|' || first_seen || '|' || "
                   "updated_at"),
            Column("1018",
                   "content_hash || '|' || status || '|' || first_seen || '|' || "
                   "updated_at"));
  EXPECT_EQ(EventKinds("1017"), EventKinds("1018"));
  EXPECT_THAT(EventKinds("1017"), ::testing::Not(IsEmpty()));
}

// Past its capacity nothing more is held: a passage is then inserted at once, as before.
TEST_F(StateStoreTest, PastItsCapacityANewPassageIsInsertedAtOnce) {
  std::vector<Observation> batch;
  for (std::size_t i = 0; i < StagedPassages::kMost + 2; ++i) {
    batch.push_back(Obs(std::to_string(i), "h"));
    batch.back().to_deposit = true;
  }
  ASSERT_TRUE(store().passages().Observe(batch).has_value());
  RawDb raw(db_path());
  EXPECT_THAT(raw.Rows("SELECT id_technique FROM passages ORDER BY rowid"),
              ElementsAre(std::to_string(StagedPassages::kMost),
                          std::to_string(StagedPassages::kMost + 1)));
  ASSERT_TRUE(store().passages().FlushStaged(kCertifier).has_value());
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM passages WHERE status = 'pending'"),
            std::to_string(StagedPassages::kMost + 2));
}

// A deposit file's record holds the store's lock for its whole transaction (a large file's takes
// a while): a batch whose passages are all new and going into a deposit file is held without
// waiting for it -- their absence read on a connection of its own -- and so is the check of a
// file name; an observation the store must write waits for the lock.
TEST(DatabaseTest, NewPassagesForADepositFileAreHeldWhileAnotherThreadHoldsTheLock) {
  const std::string dir = MakeTempDir("state_store_test/DatabaseTest.HeldWithoutTheLock");
  FakeClock clock{kStart};
  auto db = Database::Open(dir, clock, ::accrochd::testing::RealFiles());
  ASSERT_TRUE(db.has_value()) << db.error().message();
  PassageStore passages(**db);
  DepositStore deposits(**db);
  ASSERT_TRUE(passages.Observe({Obs("1000", "h")}).has_value());  // a passage the store holds
  std::vector<Observation> held;
  for (const char* id : {"1001", "1002", "1003"}) {
    held.push_back(Obs(id, "h"));
    held.back().to_deposit = true;
  }

  auto lock = (*db)->Lock();  // as a file's record would
  auto observed = std::async(std::launch::async, [&] { return passages.Observe(held); });
  auto named = std::async(std::launch::async, [&] { return deposits.NameRecorded("a.xml"); });
  // Another observation of a passage the store holds is written: it waits.
  Observation again = Obs("1000", "h2");
  auto written = std::async(std::launch::async, [&] { return passages.Observe({again}); });
  using std::chrono::seconds;
  const bool observed_ready = observed.wait_for(seconds(30)) == std::future_status::ready;
  const bool named_ready = named.wait_for(seconds(30)) == std::future_status::ready;
  const bool written_waited =
      written.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout;
  lock.unlock();
  ASSERT_TRUE(observed_ready) << "Observe waited for the store's lock";
  ASSERT_TRUE(named_ready) << "NameRecorded waited for the store's lock";
  EXPECT_TRUE(written_waited);
  auto outcomes = observed.get();
  ASSERT_TRUE(outcomes.has_value()) << outcomes.error().message();
  ASSERT_EQ(outcomes->size(), 3u);
  for (const Outcome& o : *outcomes) {
    EXPECT_EQ(ChangeName(o.change), "new");
    EXPECT_EQ(StatusName(o.status), "pending");
  }
  auto recorded = named.get();
  ASSERT_TRUE(recorded.has_value());
  EXPECT_FALSE(*recorded);
  ASSERT_TRUE(written.get().has_value());

  // Held, not written; written pending by the flush.
  RawDb raw((fs::path(dir) / "state.db").string());
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM passages"), "1");
  ASSERT_TRUE(passages.FlushStaged(kCertifier).has_value());
  EXPECT_THAT(raw.Rows("SELECT id_technique || ' ' || status FROM passages ORDER BY rowid"),
              ElementsAre("1000 pending", "1001 pending", "1002 pending", "1003 pending"));
}

TEST_F(StateStoreTest, OpenDepositsHaveUniqueNamesAndFlux) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  Begin("a.xml", {"1017"});
  auto r = store().deposits().Begin(kCertifier, "a.xml", "flux-other", {"1018"});
  EXPECT_FALSE(r.has_value());
  r = store().deposits().Begin(kCertifier, "other.xml", "flux-a.xml", {"1018"});
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(StatusOf("1018"), "pending");
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM deposits"), "1");
}

TEST_F(StateStoreTest, MarkPublished) {
  ObserveOne(Obs("1017", "h1"));
  const std::int64_t id = Begin("a.xml", {"1017"});
  clock_.Advance(std::chrono::seconds(3));
  ASSERT_TRUE(store().deposits().MarkPublished(id, std::string(64, 'f')).has_value());
  EXPECT_EQ(DepositColumn("a.xml", "state || '|' || sha256 || '|' || published_at"),
            "published|" + std::string(64, 'f') + "|2026-03-02T09:00:03Z");
  EXPECT_EQ(StatusOf("1017"), "in_deposit");
}

TEST_F(StateStoreTest, AbandonDepositReturnsPassagesAndFreesTheName) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  ObserveOne(Obs("1019", "h1"));
  const std::int64_t first = Begin("a.xml", {"1017", "1018"});
  ASSERT_TRUE(store().deposits().Abandon(first, "écriture interrompue").has_value());
  for (const char* p : {"1017", "1018"}) {
    EXPECT_EQ(StatusOf(p), "pending") << p;
    EXPECT_EQ(Record(p).deposit_id, std::nullopt) << p;
    EXPECT_THAT(EventKinds(p), ElementsAre("seen", "in_deposit", "deposit_abandoned"));
  }
  EXPECT_THAT(EventKinds("1019"), ElementsAre("seen"));
  auto history = store().passages().History("1017");
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->back().detail, "a.xml");
  EXPECT_EQ(DepositColumn("a.xml", "state"), "abandoned");
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM deposit_passages"), "0");
  auto last = store().deposits().LastCutAt(kCertifier);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, std::nullopt);  // an abandoned deposit was never cut
  // Verdicts for an abandoned file find no file.
  auto verdicts = store().deposits().RecordVerdicts("a.xml", "traite", {{"1017", true, ""}});
  ASSERT_FALSE(verdicts.has_value());
  EXPECT_EQ(StatusOf("1017"), "pending");

  // The same name and idFlux can be used again (the unique indexes skip abandoned deposits).
  auto second = store().deposits().Begin(kCertifier, "a.xml", "flux-a.xml", {"1017", "1018"});
  ASSERT_TRUE(second.has_value()) << second.error().message();
  EXPECT_NE(*second, first);
  EXPECT_EQ(Column("1017", "deposit_id"), std::to_string(*second));
  EXPECT_EQ(RawDb(db_path()).One("SELECT COUNT(*) FROM deposit_passages WHERE deposit_id = " +
                                 std::to_string(*second)),
            "2");
  // The verdicts go to the live deposit of that name.
  ASSERT_TRUE(store().deposits().MarkPublished(*second, "sha").has_value());
  Verdicts("a.xml", {{"1017", true, ""}});
  EXPECT_EQ(StatusOf("1017"), "accepted");
}

TEST_F(StateStoreTest, DepositsListsTheRecordedFiles) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  clock_.Advance(std::chrono::minutes(5));
  const std::int64_t a = Begin("a.xml", {"1017", "1018"});
  clock_.Advance(std::chrono::seconds(3));
  ASSERT_TRUE(store().deposits().MarkPublished(a, std::string(64, 'f')).has_value());
  auto all = store().deposits().List();
  ASSERT_TRUE(all.has_value()) << all.error().message();
  ASSERT_EQ(all->size(), 1u);
  const DepositRecord& d = all->front();
  EXPECT_EQ(d.id, a);
  EXPECT_EQ(d.certifier, kCertifier);
  EXPECT_EQ(d.file_name, "a.xml");
  EXPECT_EQ(d.id_flux, "flux-a.xml");
  EXPECT_EQ(d.sha256, std::string(64, 'f'));
  EXPECT_EQ(d.passages, 2);
  EXPECT_EQ(d.state, "published");
  EXPECT_EQ(Iso(d.created_at), "2026-03-02T09:05:00Z");
  EXPECT_EQ(Iso(d.published_at), "2026-03-02T09:05:03Z");
  EXPECT_EQ(d.uploaded_at, std::nullopt);
  EXPECT_EQ(d.receipt_status, "");
  auto published = store().deposits().List("published");
  ASSERT_TRUE(published.has_value());
  EXPECT_EQ(published->size(), 1u);
  auto publishing = store().deposits().List("publishing");
  ASSERT_TRUE(publishing.has_value());
  EXPECT_THAT(*publishing, IsEmpty());
}

TEST_F(StateStoreTest, MarkUploaded) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  const std::int64_t id = Begin("a.xml", {"1017", "1018"});

  // Not published yet.
  auto r = store().deposits().MarkUploaded("a.xml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind(), ErrorKind::kUsage);
  EXPECT_THAT(r.error().message(), HasSubstr("a.xml is publishing"));
  EXPECT_EQ(StatusOf("1017"), "in_deposit");

  ASSERT_TRUE(store().deposits().MarkPublished(id, "sha").has_value());
  clock_.Advance(std::chrono::hours(2));
  r = store().deposits().MarkUploaded("a.xml");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->id, id);
  EXPECT_EQ(r->state, "uploaded");
  EXPECT_EQ(Iso(r->uploaded_at), "2026-03-02T11:00:00Z");
  EXPECT_EQ(DepositColumn("a.xml", "state || '|' || uploaded_at"), "uploaded|2026-03-02T11:00:00Z");
  EXPECT_EQ(StatusOf("1017"), "deposited");
  EXPECT_EQ(StatusOf("1018"), "deposited");
  EXPECT_THAT(EventKinds("1017"), ElementsAre("seen", "in_deposit", "deposited"));

  // Changed while deposited: it stays deposited.
  const Outcome out = ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(ChangeName(out.change), "changed_in_deposit");
  EXPECT_EQ(StatusName(out.status), "deposited");

  // Twice: the operator is told, nothing moves.
  clock_.Advance(std::chrono::hours(1));
  r = store().deposits().MarkUploaded("a.xml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind(), ErrorKind::kUsage);
  EXPECT_THAT(r.error().message(), HasSubstr("a.xml is uploaded already"));
  EXPECT_EQ(DepositColumn("a.xml", "uploaded_at"), "2026-03-02T11:00:00Z");
  EXPECT_THAT(EventKinds("1018"), ElementsAre("seen", "in_deposit", "deposited"));

  // An unknown file.
  r = store().deposits().MarkUploaded("nope.xml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind(), ErrorKind::kUsage);
  EXPECT_THAT(r.error().message(), HasSubstr("no deposit file named nope.xml"));

  // After an abandoned file of the same name, the live one is the one marked.
  ObserveOne(Obs("2000", "h1"));
  ObserveOne(Obs("2001", "h1"));
  const std::int64_t abandoned = Begin("b.xml", {"2000"});
  ASSERT_TRUE(store().deposits().Abandon(abandoned, "test").has_value());
  const std::int64_t live = Publish("b.xml", {"2000", "2001"});
  r = store().deposits().MarkUploaded("b.xml");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->id, live);
  EXPECT_EQ(StatusOf("2000"), "deposited");
}

TEST_F(StateStoreTest, HistoryTellsTheWholeLifeOfAPassage) {
  const auto step = [&] { clock_.Advance(std::chrono::hours(24)); };
  ObserveOne(Quarantined("1017", "h0", {kMissingSexe}));
  step();
  ObserveOne(Obs("1017", "h1"));  // corrected in the source
  step();
  Deposit("a.xml", {"1017"});
  step();
  Verdicts("a.xml", {{"1017", false, "refus"}});
  step();
  ObserveOne(Obs("1017", "h2"));  // corrected again
  step();
  const std::int64_t b = Deposit("b.xml", {"1017"});
  step();
  Verdicts("b.xml", {{"1017", true, ""}});

  auto history = store().passages().History("1017");
  ASSERT_TRUE(history.has_value()) << history.error().message();
  std::vector<std::string> lines;
  for (const Event& e : *history) lines.push_back(Iso(e.at).substr(0, 10) + " " + e.kind);
  EXPECT_THAT(lines,
              ElementsAre("2026-03-02 seen", "2026-03-02 quarantined", "2026-03-03 valid",
                          "2026-03-03 updated", "2026-03-04 in_deposit", "2026-03-04 deposited",
                          "2026-03-05 rejected", "2026-03-06 corrected", "2026-03-07 in_deposit",
                          "2026-03-07 deposited", "2026-03-08 accepted"));
  const PassageRecord r = Record("1017");
  EXPECT_EQ(StatusName(r.status), "accepted");
  EXPECT_EQ(r.deposit_id, b);
  EXPECT_EQ(r.deposit_file, "b.xml");
  EXPECT_FALSE(r.changed_after_acceptance);
  EXPECT_EQ(Iso(r.first_seen), "2026-03-02T09:00:00Z");
  EXPECT_EQ(Iso(r.updated_at), "2026-03-08T09:00:00Z");
}

TEST_F(StateStoreTest, RecordVerdicts) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  ObserveOne(Obs("1019", "h1"));
  Publish("a.xml", {"1017", "1018", "1019"});
  clock_.Advance(std::chrono::hours(48));
  Verdicts("a.xml", {{"1017", true, "Passage enregistré"},
                     {"1018", false, "Le titulaire est inconnu du SI CPF"}});
  EXPECT_EQ(StatusOf("1017"), "accepted");
  EXPECT_EQ(Column("1017", "cdc_message"), "Passage enregistré");
  EXPECT_EQ(StatusOf("1018"), "rejected");
  EXPECT_EQ(Column("1018", "cdc_message"), "Le titulaire est inconnu du SI CPF");
  EXPECT_EQ(StatusOf("1019"), "in_deposit");  // no verdict yet
  auto history = store().passages().History("1018");
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->back().kind, "rejected");
  EXPECT_EQ(history->back().detail, "Le titulaire est inconnu du SI CPF");
  // The receipt proves the upload.
  EXPECT_EQ(DepositColumn("a.xml",
                          "state || '|' || receipt_status || '|' || receipt_at || '|' || "
                          "uploaded_at"),
            "receipt|traite|2026-03-04T09:00:00Z|2026-03-04T09:00:00Z");

  // An unknown file is an error naming it.
  auto r = store().deposits().RecordVerdicts("nope.xml", "traite", {{"1019", true, ""}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidData);
  EXPECT_THAT(r.error().message(), HasSubstr("nope.xml"));
  EXPECT_EQ(StatusOf("1019"), "in_deposit");
}

// The source changed while the file waited: the verdict acts on the change at once (an
// incremental mapping may never read that row again).
TEST_F(StateStoreTest, VerdictOnAPassageChangedInItsFileActsOnTheChange) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  ObserveOne(Obs("1019", "h1"));
  ObserveOne(Obs("1020", "h1"));
  Publish("a.xml", {"1017", "1018", "1019", "1020"});
  ObserveOne(Obs("1017", "h2"));                          // will be accepted
  ObserveOne(Obs("1018", "h2"));                          // will be rejected, already corrected
  ObserveOne(Quarantined("1019", "h2", {kMissingSexe}));  // rejected, now invalid
  Verdicts("a.xml", {{"1017", true, ""},
                     {"1018", false, "refus"},
                     {"1019", false, "refus"},
                     {"1020", false, "refus"}});
  EXPECT_EQ(StatusOf("1017"), "accepted");
  EXPECT_EQ(Column("1017", "changed_after_acceptance"), "1");
  EXPECT_EQ(StatusOf("1018"), "pending");
  EXPECT_EQ(Column("1018", "content_hash"), "h2");
  EXPECT_EQ(Column("1018", "source_hash"), "");  // the same
  EXPECT_EQ(StatusOf("1019"), "quarantined");
  EXPECT_EQ(StatusOf("1020"), "rejected");  // unchanged: waits for a correction
  EXPECT_EQ(Column("1020", "changed_after_acceptance"), "0");
  auto history = store().passages().History("1018");
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->back().kind, "corrected");
  // Read again later, unchanged: nothing more happens (the accepted one still differs from
  // what the CDC holds, but that change was already seen).
  EXPECT_FALSE(ObserveOne(Obs("1017", "h2")).first_seen_change);
  EXPECT_EQ(ObserveOne(Obs("1018", "h2")).change, Change::kUnchanged);
  EXPECT_EQ(StatusOf("1018"), "pending");
}

// An accusé de traitement applied in one transaction: verdicts, the passages it does not
// mention, the receipt recorded once; a file rejected whole sends its passages back.
TEST_F(StateStoreTest, ApplyReceiptRecordsVerdictsMissingPassagesAndTheReceiptOnce) {
  for (const char* id : {"1017", "1018", "1019", "1020"}) ObserveOne(Obs(id, "h1"));
  const std::int64_t deposit = Deposit("a.xml", {"1017", "1018", "1019"});
  auto found = store().deposits().Find(std::string("flux-a.xml"), std::nullopt);
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->id, deposit);
  auto by_name = store().deposits().Find(std::string("unknown-flux"), std::string("a.xml"));
  ASSERT_TRUE(by_name.has_value() && by_name->has_value());
  EXPECT_EQ((*by_name)->id, deposit);
  auto none = store().deposits().Find(std::string("x"), std::string("b.xml"));
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());

  ReceiptFacts facts;
  facts.sha256 = std::string(64, 'b');
  facts.name = "AT_a.xml";
  facts.deposit_id = deposit;
  facts.status = "traite";
  facts.verdicts = {{"1017", true, ""},
                    {"1018", false, "Plusieurs titulaires ont été identifiés"},
                    {"1020", true, ""}};  // 1020 is not in this deposit
  auto applied = store().deposits().ApplyReceipt(facts);
  ASSERT_TRUE(applied.has_value()) << applied.error().message();
  EXPECT_EQ(applied->accepted, 1);
  EXPECT_EQ(applied->rejected, 1);
  EXPECT_EQ(applied->missing, 1);
  EXPECT_EQ(applied->unknown, 1);
  EXPECT_EQ(StatusOf("1017"), "accepted");
  EXPECT_EQ(StatusOf("1018"), "rejected");
  EXPECT_EQ(StatusOf("1019"), "deposited");
  EXPECT_EQ(StatusOf("1020"), "pending");
  EXPECT_EQ(EventKinds("1019").back(), "missing_from_receipt");
  EXPECT_EQ(DepositColumn("a.xml", "state"), "receipt");

  // The same bytes again: known, refused, nothing changes.
  auto before = store().deposits().ReceiptImported(facts.sha256);
  ASSERT_TRUE(before.has_value() && before->has_value());
  EXPECT_EQ((*before)->deposit_file, "a.xml");
  EXPECT_EQ((*before)->rejected, 1);
  EXPECT_FALSE(store().deposits().ApplyReceipt(facts).has_value());
  EXPECT_EQ(StatusOf("1018"), "rejected");

  // An operator asks to send the rejected one again; an accepted one cannot be.
  auto problems = store().passages().RequestRetry({"1018", "1017", "9999"});
  ASSERT_TRUE(problems.has_value());
  EXPECT_THAT(*problems, ::testing::ElementsAre(HasSubstr("1017: accepted, not rejected"),
                                                HasSubstr("9999: no such passage")));
  EXPECT_EQ(StatusOf("1018"), "pending");
  EXPECT_EQ(EventKinds("1018").back(), "retry");
}

TEST_F(StateStoreTest, AFileRejectedWholeSendsItsPassagesBack) {
  for (const char* id : {"1017", "1018"}) ObserveOne(Obs(id, "h1"));
  const std::int64_t deposit = Deposit("a.xml", {"1017", "1018"});
  ReceiptFacts facts;
  facts.sha256 = std::string(64, 'c');
  facts.name = "AT_a.xml";
  facts.deposit_id = deposit;
  facts.file_rejected = true;
  facts.file_error = "cvc-complex-type.2.4.a : contenu non valide";
  auto applied = store().deposits().ApplyReceipt(facts);
  ASSERT_TRUE(applied.has_value()) << applied.error().message();
  EXPECT_TRUE(applied->file_rejected);
  EXPECT_EQ(applied->back_to_pending, 2);
  EXPECT_EQ(StatusOf("1017"), "pending");
  EXPECT_EQ(StatusOf("1018"), "pending");
  EXPECT_EQ(EventKinds("1017").back(), "file_rejected");
  EXPECT_EQ(DepositColumn("a.xml", "receipt_status || '|' || receipt_detail"),
            "file_rejected|cvc-complex-type.2.4.a : contenu non valide");
  // They can be deposited again.
  EXPECT_GT(Begin("b.xml", {"1017", "1018"}), 0);
}

TEST_F(StateStoreTest, VerdictsApplyOnlyToPassagesStillInThatDeposit) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  ObserveOne(Obs("1019", "h1"));
  Publish("a.xml", {"1017"});
  Verdicts("a.xml", {{"1017", false, "refus"}});
  ObserveOne(Obs("1017", "h2"));  // corrected
  const std::int64_t b = Begin("b.xml", {"1017"});
  // The receipt of a.xml imported a second time, this time saying accepted; and verdicts for
  // passages that were never in a.xml.
  Verdicts("a.xml", {{"1017", true, "accepté"}, {"1018", true, "accepté"}});
  EXPECT_EQ(StatusOf("1017"), "in_deposit");
  EXPECT_EQ(Column("1017", "deposit_id"), std::to_string(b));
  EXPECT_EQ(Column("1017", "cdc_message"), "refus");
  EXPECT_EQ(StatusOf("1018"), "pending");
  Publish("c.xml", {"1019"});
  Verdicts("a.xml", {{"1019", false, "refus"}});
  EXPECT_EQ(StatusOf("1019"), "in_deposit");
}

// A passage corrected while its file waits for the CDC, then rejected: the rejection is about
// the data the file was written with (deposit_passages.content_hash), not the corrected data.
// The deposited content (passages.content_hash) stays what the rejection is compared with; the
// corrected content (source_hash) makes the passage go out again.
TEST_F(StateStoreTest, CorrectionMadeWhileInDepositIsSentAfterTheRejection) {
  ObserveOne(Obs("1017", "h1"));
  Publish("a.xml", {"1017"});
  EXPECT_EQ(ChangeName(ObserveOne(Obs("1017", "h2")).change), "changed_in_deposit");
  Verdicts("a.xml", {{"1017", false, "Le code de la certification est inconnu"}});
  // The source still says h2, which the CDC has never seen.
  ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(StatusOf("1017"), "pending");
  // Its next file holds h2, and its membership says so, as the passage does.
  const std::int64_t b = Begin("b.xml", {"1017"});
  ASSERT_GT(b, 0);
  RawDb raw(db_path());
  EXPECT_EQ(
      raw.One("SELECT content_hash FROM deposit_passages WHERE deposit_id = " + std::to_string(b)),
      "h2");
  EXPECT_EQ(Column("1017", "content_hash"), "h2");
}

// The same, accepted: the CDC holds the data of the file (h1) while the source says h2.
// Once accepted, the passage is flagged changed_after_acceptance: the operator is told.
TEST_F(StateStoreTest, ChangeMadeWhileInDepositIsFlaggedOnceAccepted) {
  ObserveOne(Obs("1017", "h1"));
  Publish("a.xml", {"1017"});
  ObserveOne(Obs("1017", "h2"));
  Verdicts("a.xml", {{"1017", true, ""}});
  ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(StatusOf("1017"), "accepted");
  EXPECT_EQ(Column("1017", "changed_after_acceptance"), "1");
}

// A clock that, when first asked the time, lets another party act: the moment MarkUploaded has
// checked the deposit's state and not yet written.
class InterleavingClock final : public Clock {
 public:
  explicit InterleavingClock(TimePoint now) : now_(now) {}
  TimePoint Now() const override {
    if (hook_) {
      auto hook = std::move(hook_);
      hook_ = nullptr;
      hook();
    }
    return now_;
  }
  bool SleepFor(Duration, std::stop_token) override { return true; }
  void OnNextNow(std::function<void()> hook) { hook_ = std::move(hook); }

 private:
  TimePoint now_;
  mutable std::function<void()> hook_;
};

// `accrochd deposits mark-uploaded` (one process) while the daemon imports the file's receipt
// (another process, or another thread of the same store).
// MarkUploaded checks the state and writes in one transaction under the store's lock: a receipt
// recorded meanwhile is not undone, and of two concurrent calls one fails.
TEST_F(StateStoreTest, MarkUploadedChecksAndWritesInOneTransaction) {
  ObserveOne(Obs("1017", "h1"));
  const std::int64_t id = Begin("a.xml", {"1017"});
  ASSERT_TRUE(store().deposits().MarkPublished(id, "sha").has_value());

  InterleavingClock cli_clock(kStart + std::chrono::hours(1));
  auto cli = StateStore::Open(dir_, cli_clock, ::accrochd::testing::RealFiles());
  ASSERT_TRUE(cli.has_value()) << cli.error().message();
  cli_clock.OnNextNow([&] { Verdicts("a.xml", {{"1017", true, "accepté"}}); });
  auto r = (*cli)->deposits().MarkUploaded("a.xml");

  EXPECT_EQ(DepositColumn("a.xml", "state || '|' || receipt_status"),
            "receipt|traite");  // the receipt is not undone
  EXPECT_FALSE(r.has_value());  // and the operator hears the file is past "published"
  EXPECT_EQ(StatusOf("1017"), "accepted");
}

// ---- QuarantineRefused ----

TEST_F(StateStoreTest, RefusedByTheXsdStaysQuarantinedUntilItsContentChanges) {
  ObserveOne(Obs("1017", "h1"));
  ObserveOne(Obs("1018", "h1"));
  const Observation::Reason xsd{"libelleOption", "xsd",
                                "élément libelleOption : valeur trop longue (schéma XSD)"};
  ASSERT_TRUE(store().passages().QuarantineRefused(kCertifier, {{"1017", xsd}}).has_value());
  EXPECT_EQ(StatusOf("1017"), "quarantined");
  EXPECT_EQ(StatusOf("1018"), "pending");
  auto q = store().passages().Quarantine();
  ASSERT_TRUE(q.has_value());
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].id_technique, "1017");
  EXPECT_EQ((*q)[0].field, "libelleOption");
  EXPECT_EQ((*q)[0].rule, "xsd");
  EXPECT_EQ((*q)[0].message, xsd.message);
  EXPECT_EQ(EventKinds("1017").back(), "quarantined");

  // The validator still finds it valid: the XSD's word stands while the content is the same.
  for (int i = 0; i < 2; ++i) {
    const Outcome out = ObserveOne(Obs("1017", "h1"));
    EXPECT_EQ(ChangeName(out.change), "unchanged");
    EXPECT_EQ(StatusName(out.status), "quarantined");
    EXPECT_EQ(StatusOf("1017"), "quarantined");
    q = store().passages().Quarantine();
    ASSERT_TRUE(q.has_value());
    ASSERT_EQ(q->size(), 1u);
    EXPECT_EQ((*q)[0].rule, "xsd");
  }
  Reopen();
  EXPECT_EQ(StatusName(ObserveOne(Obs("1017", "h1")).status), "quarantined");

  // Corrected: pending again, the quarantine emptied.
  const Outcome out = ObserveOne(Obs("1017", "h2"));
  EXPECT_EQ(ChangeName(out.change), "updated");
  EXPECT_EQ(StatusName(out.status), "pending");
  q = store().passages().Quarantine();
  ASSERT_TRUE(q.has_value());
  EXPECT_THAT(*q, IsEmpty());
  // And the XSD's earlier refusal no longer holds it back.
  EXPECT_EQ(StatusName(ObserveOne(Obs("1017", "h2")).status), "pending");
}

TEST_F(StateStoreTest, RefusedWithSeveralReasons) {
  ObserveOne(Obs("1017", "h1"));
  const Observation::Reason a{"libelleOption", "xsd", "a"};
  const Observation::Reason b{"verbatim", "xsd", "b"};
  ASSERT_TRUE(
      store().passages().QuarantineRefused(kCertifier, {{"1017", a}, {"1017", b}}).has_value());
  auto q = store().passages().Quarantine();
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->size(), 2u);
}

// ---- The cycle's index on disk ----

class CycleIndexTest : public StateStoreTest {
 protected:
  CycleIndexTest() {
    rs6521_.name = "rs6521";
    rs6521_.certification.constant = mappings::Certification{"RS", "RS6521"};
    rs9999_.name = "rs9999";
    rs9999_.certification.constant = mappings::Certification{"RS", "RS9999"};
  }

  static void Set(Passage& p, Field f, const std::string& text) {
    p[f] = FieldValue{FieldValue::State::kValue, text};
  }

  Passage Holder(const mappings::Mapping& m, const std::string& id, const std::string& nom,
                 const std::string& prenom, const std::string& delivery = "2026-01-15") {
    Passage p;
    p.mapping = &m;
    p.certification = *m.certification.constant;
    p.id_technique = id;
    p.source_key = "id=" + id;
    p.identification = Group::kTitulaire;
    p.delivery = ParseIsoDate(delivery);
    Set(p, Field::dateDebutValidite, delivery);
    Set(p, Field::nomNaissance, nom);
    Set(p, Field::prenom1, prenom);
    Set(p, Field::anneeNaissance, "1987");
    Set(p, Field::moisNaissance, "5");
    Set(p, Field::jourNaissance, "9");
    Set(p, Field::sexe, "F");
    return p;
  }

  Passage WithDossier(Passage p, const std::string& dossier) {
    p.identification = Group::kDossierFormation;
    Set(p, Field::idDossier, dossier);
    return p;
  }

  Passage WithNir(Passage p, const std::string& nir) {
    p.identification = Group::kIdentifiantNational;
    Set(p, Field::nir, nir);
    return p;
  }

  // What the daemon does with a row: its idTechnique, then its holder.
  static std::optional<mappings::Rejection> RegisterRow(mappings::CycleChecks& cycle,
                                                        const Passage& p) {
    if (auto repeated = cycle.RegisterIdTechnique(p)) return repeated;
    return cycle.RegisterHolder(p);
  }

  // A keyed hash for an index opened without a store: 32 bytes, deterministic.
  static CycleIndex::Hasher TestHasher() {
    return [](std::string_view data) {
      std::string out;
      for (char salt : {'a', 'b', 'c', 'd'}) {
        const std::size_t h = std::hash<std::string>{}(salt + std::string(data));
        out.append(reinterpret_cast<const char*>(&h), sizeof h);
      }
      return out;
    };
  }

  static std::string Describe(const std::optional<mappings::Rejection>& r) {
    if (!r) return "ok";
    return r->mapping + "|" + r->id_technique + "|" + r->source_key + "|" + r->field + "|" +
           std::to_string(static_cast<int>(r->rule)) + "|" + r->message;
  }

  std::vector<Passage> Sequence() {
    return {
        Holder(rs6521_, "1017", "Zébulonix-Quartz", "Wilhelmina"),
        Holder(rs6521_, "1018", "MARTIN", "Paul"),
        Holder(rs6521_, "1017", "MARTIN", "Pauline"),               // repeated idTechnique
        Holder(rs6521_, "1019", "ZEBULONIX-QUARTZ", "wilhelmina"),  // duplicate of 1017
        Holder(rs9999_, "1020", "Zébulonix-Quartz", "Wilhelmina"),  // another certification
        Holder(rs6521_, "1021", "Zébulonix-Quartz", "Wilhelmina", "2026-01-16"),
        WithDossier(Holder(rs6521_, "1022", "DUPONT", "Jean"), "123456789"),
        WithDossier(Holder(rs6521_, "1023", "DURAND", "Luc"), "123456789"),  // same dossier
        WithNir(Holder(rs6521_, "1024", "DUPONT", "Jean"), "185072a123456"),
        WithNir(Holder(rs6521_, "1025", "DUPONT", "Jean"), "185072A123456"),  // same NIR
        WithNir(Holder(rs6521_, "1026", "DUPONT", "Jean"), "185072B123456"),
        Holder(rs6521_, "1019", "Autre", "Personne"),  // repeated, though first a duplicate
        Holder(rs6521_, "1027", "zebulonix-quartz", "WILHELMINA"),  // still names 1017
        // One identity, told apart by what both carry (a second first name, a birthplace).
        With(Holder(rs6521_, "1028", "Quenardeau", "Anne"), Field::prenom2, "Marie"),
        With(Holder(rs6521_, "1029", "QUENARDEAU", "anne"), Field::prenom2, "Clotilde"),  // another
        Holder(rs6521_, "1030", "Quenardeau", "Anne"),  // no second first name: names 1028
        With(With(Holder(rs6521_, "1031", "Quenardeau", "Anne"), Field::prenom2, "CLOTILDE"),
             Field::codeInsee, "75056"),  // names 1029
        With(Holder(rs6521_, "1032", "Quenardeau", "Anne"), Field::libelleCommuneNaissance,
             "Xyloville"),  // agrees with 1028 (no commune there): names 1028
    };
  }

  static Passage With(Passage p, Field f, const std::string& value) {
    Set(p, f, value);
    return p;
  }

  // Every byte of every file in the state directory.
  std::string AllBytes() {
    std::string all;
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      if (entry.is_regular_file()) all += ReadBytes(entry.path());
    }
    return all;
  }

  static void ExpectAbsent(const std::string& bytes, const std::vector<std::string>& needles) {
    for (const std::string& n : needles) {
      EXPECT_EQ(bytes.find(n), std::string::npos) << "found \"" << n << "\" in the state";
    }
  }

  const std::vector<std::string> kPersonal = {
      "Zébulonix",  "ZÉBULONIX",  "ZEBULONIX",     "zebulonix",     "Zebulonix",     "Wilhelmina",
      "WILHELMINA", "wilhelmina", "185072a123456", "185072A123456", "185072B123456", "Quixoteria",
      "QUIXOTERIA", "Xyloville",  "Quenardeau",    "QUENARDEAU",    "Clotilde",      "CLOTILDE"};

  mappings::Mapping rs6521_;
  mappings::Mapping rs9999_;
};

TEST_F(CycleIndexTest, FindsWhatTheMemoryIndexFinds) {
  const std::vector<Passage> sequence = Sequence();
  mappings::CycleChecks in_memory;
  auto index = OpenCycleIndex(store());
  mappings::CycleChecks on_disk(*index);
  std::vector<std::string> verdicts;
  for (const Passage& p : sequence) {
    const std::string expected = Describe(RegisterRow(in_memory, p));
    const std::string got = Describe(RegisterRow(on_disk, p));
    EXPECT_EQ(got, expected) << p.id_technique;
    verdicts.push_back(expected == "ok" ? "ok" : expected.substr(0, expected.find('|', 7)));
  }
  // The sequence does exercise both checks.
  EXPECT_THAT(verdicts,
              ElementsAre("ok", "ok", "rs6521|1017", "rs6521|1019", "ok", "ok", "ok", "rs6521|1023",
                          "ok", "rs6521|1025", "ok", "rs6521|1019", "rs6521|1027", "ok", "ok",
                          "rs6521|1030", "rs6521|1031", "rs6521|1032"));
}

// The same, with the index's multimaps spilling to their file every few entries (a cycle of
// millions of rows does so every few thousand): the runs, their filters and the buffer together
// give what the memory index gives.
TEST_F(CycleIndexTest, FindsWhatTheMemoryIndexFindsOnceSpilled) {
  for (std::size_t buffer : {std::size_t{96}, std::size_t{300}, std::size_t{1000}}) {
    auto index = CycleIndex::Open(TestHasher(), {buffer, 2, 64});
    ASSERT_TRUE(index.has_value()) << index.error().message();
    mappings::CycleChecks in_memory;
    mappings::CycleChecks on_disk(**index);
    for (const Passage& p : Sequence()) {
      EXPECT_EQ(Describe(RegisterRow(on_disk, p)), Describe(RegisterRow(in_memory, p)))
          << p.id_technique << ", buffer " << buffer;
    }
  }
}

// What the index writes to its temporary file (unlinked, read here through the process's own
// descriptor): keyed hashes and idTechniques, never a holder's value.
TEST_F(CycleIndexTest, ItsTemporaryFileHoldsNoPersonalValue) {
  const std::string tmp = MakeTempDir("cycle-index-tmp");
  const char* before = std::getenv("TMPDIR");
  const std::optional<std::string> saved =
      before ? std::optional<std::string>(before) : std::nullopt;
  ::setenv("TMPDIR", tmp.c_str(), 1);
  auto index = CycleIndex::Open(TestHasher(), {96, 2, 64});
  if (saved) {
    ::setenv("TMPDIR", saved->c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  ASSERT_TRUE(index.has_value()) << index.error().message();
  mappings::CycleChecks cycle(**index);
  std::vector<Passage> passages = Sequence();
  for (const Passage& p : passages) (void)RegisterRow(cycle, p);
  EXPECT_TRUE(fs::is_empty(tmp));  // unlinked from the start
  std::string written;
  for (const auto& fd : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(fd.path(), ec);
    if (!ec && target.string().rfind(tmp, 0) == 0) written += ReadBytes(fd.path());
  }
  EXPECT_THAT(written, HasSubstr("1017"));  // the file was found, and written
  ExpectAbsent(written, kPersonal);
}

// A row left unmapped registers its idTechnique and its holder's record, kept from an earlier
// cycle (another index, the same hash key): the same outcome, row by row, as mapping it and
// registering the passage itself.
TEST_F(CycleIndexTest, AHolderRecordKeptRegistersAsTheHolderItself) {
  auto earlier = OpenCycleIndex(store());
  auto index = OpenCycleIndex(store());
  mappings::CycleChecks in_memory;
  mappings::CycleChecks cycle(*index);
  using Known = mappings::CycleChecks::Known;
  std::vector<Known> outcomes;
  for (const Passage& p : Sequence()) {
    const std::string record = earlier->HolderRecord(mappings::CycleChecks::HolderIdentity(p),
                                                     mappings::CycleChecks::HolderTraits(p));
    ASSERT_EQ(record.size() % 16, 0u);
    ASSERT_GE(record.size(), 16u);
    const auto expected = RegisterRow(in_memory, p);
    const Known got = cycle.RegisterKnown(p.id_technique, record);
    outcomes.push_back(got);
    if (!expected) {
      EXPECT_EQ(got, Known::kRegistered) << p.id_technique;
    } else if (expected->rule == mappings::Rule::kRepeatedIdTechnique) {
      EXPECT_EQ(got, Known::kIdRepeated) << p.id_technique;
    } else {
      EXPECT_EQ(got, Known::kHolderRepeated) << p.id_technique;
    }
  }
  EXPECT_THAT(outcomes, ::testing::Contains(Known::kHolderRepeated));
  EXPECT_THAT(outcomes, ::testing::Contains(Known::kIdRepeated));
  // The in-memory index keeps no records: the unmapped path is never offered there.
  mappings::MemorySeenIndex memory;
  EXPECT_EQ(memory.HolderRecord("x", {"y"}), "");
}

// A holder's record ends at its last known trait; one that an earlier version kept with its
// unknown traits at the end (16 zero bytes each) agrees with it both ways, and a trait known in
// both and different still tells two holders apart.
TEST_F(CycleIndexTest, AHolderRecordLeavesOutTheUnknownTraitsAtItsEnd) {
  auto index = OpenCycleIndex(store());
  const std::string only_first = index->HolderRecord("holder", {"a", "", "", ""});
  EXPECT_EQ(only_first.size(), 32u);
  EXPECT_EQ(index->HolderRecord("holder", {"", "", "", ""}).size(), 16u);
  EXPECT_EQ(index->HolderRecord("holder", {"", "b", "", ""}).size(), 48u);  // kept in between
  const std::string as_kept_before = only_first + std::string(48, '\0');
  const std::string other_first = index->HolderRecord("holder", {"c", "", "", "d"});
  ASSERT_EQ(other_first.size(), 80u);

  EXPECT_EQ(index->InsertHolderRecord(as_kept_before, "1017"), std::nullopt);
  EXPECT_EQ(index->InsertHolderRecord(only_first, "1018"), std::optional<std::string>("1017"));
  EXPECT_EQ(index->InsertHolderRecord(other_first, "1019"), std::nullopt);  // "a" against "c"

  auto next = OpenCycleIndex(store());
  EXPECT_EQ(next->InsertHolderRecord(only_first, "1017"), std::nullopt);
  EXPECT_EQ(next->InsertHolderRecord(as_kept_before, "1018"), std::optional<std::string>("1017"));
  EXPECT_EQ(next->InsertHolderRecord(index->HolderRecord("holder", {"a", "", "", "d"}), "1020"),
            std::optional<std::string>("1017"));  // "d" unknown to the first
}

// What `rows` finds of a passage, as map+validate asks (KnownRows::Find into a Known).
std::optional<KnownRows::Known> FindKnown(KnownRows& rows, const std::string& id_technique) {
  KnownRows::Known known;
  if (!rows.Find(id_technique, known)) return std::nullopt;
  return known;
}

// What an observation keeps for the next cycle's unchanged rows, and what KnownRows finds.
TEST_F(CycleIndexTest, ObservationsKeepTheRowDigestAndHolderRecordKnownRowsFinds) {
  const std::string salt = "accrochd test\n1.1.5\nfingerprint";
  {
    auto none = store().passages().OpenKnownRows(kCertifier, "rs6521", salt);
    ASSERT_TRUE(none.has_value()) << none.error().message();
    EXPECT_EQ(FindKnown(**none, "1017"), std::nullopt);  // nothing recorded yet
  }
  Observation o = Obs("1017", "h1");
  o.row_digest = std::string(16, '\x01');
  o.holder_record = std::string(32, '\x02');
  ASSERT_TRUE(store().passages().Observe({o}).has_value());
  auto known = store().passages().OpenKnownRows(kCertifier, "rs6521", salt);
  ASSERT_TRUE(known.has_value()) << known.error().message();
  auto found = FindKnown(**known, "1017");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->row_digest, o.row_digest);
  EXPECT_EQ(found->holder_record, o.holder_record);
  EXPECT_EQ(found->facts.status, Status::kPending);
  EXPECT_EQ(found->facts.content_hash, "h1");
  // Its row in the store, which the cycle notes read (MissingStore::NoteRead).
  EXPECT_EQ(std::to_string(found->row),
            RawDb(db_path()).One("SELECT rowid FROM passages WHERE id_technique = '1017'"));
  EXPECT_GT(found->row, 0);
  EXPECT_EQ(FindKnown(**known, "1018"), std::nullopt);
  // Another mapping's reader finds nothing of this one's passages.
  auto other = store().passages().OpenKnownRows(kCertifier, "rs9999", salt);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(FindKnown(**other, "1017"), std::nullopt);

  // The same content from another row form (an unmapped column changed), then not valid: the
  // observation writes nothing else, and the digests follow.
  o.row_digest = std::string(16, '\x03');
  EXPECT_EQ(store().passages().Observe({o})->at(0).change, Change::kUnchanged);
  o.holder_record.clear();
  EXPECT_EQ(store().passages().Observe({o})->at(0).change, Change::kUnchanged);
  auto again = store().passages().OpenKnownRows(kCertifier, "rs6521", salt);
  ASSERT_TRUE(again.has_value());
  found = FindKnown(**again, "1017");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->row_digest, std::string(16, '\x03'));
  EXPECT_EQ(found->holder_record, "");

  // The digest: every value in its place, NULL apart from "", under the salt given.
  source::SourceRow a{{std::string("1017"), std::string("DUPONT"), std::nullopt}};
  source::SourceRow b{{std::string("1017"), std::string("DUPONT"), std::string()}};
  source::SourceRow c{{std::string("1017DUPONT"), std::string(), std::nullopt}};
  const std::string da = (*again)->Digest(a);
  EXPECT_EQ(da.size(), 16u);
  EXPECT_EQ((*again)->Digest(a), da);
  EXPECT_NE((*again)->Digest(b), da);
  EXPECT_NE((*again)->Digest(c), da);
  auto salted = store().passages().OpenKnownRows(kCertifier, "rs6521", salt + "2");
  ASSERT_TRUE(salted.has_value());
  EXPECT_NE((*salted)->Digest(a), da);
  EXPECT_EQ(da.find("DUPONT"), std::string::npos);
}

// Find tries the passage after the last one found before looking up by key (rows mostly come in
// the order their passages were recorded): whatever the order asked, each idTechnique gives its
// own passage -- not the next row's when that is another certifier's, another mapping's, or
// another idTechnique's -- and nothing for an unknown one.
TEST_F(CycleIndexTest, KnownRowsFindsEachPassageWhateverTheOrderAsked) {
  auto with_digest = [](Observation o) {
    o.row_digest = std::string(16, '\x01');
    o.holder_record = std::string(32, '\x02');
    return o;
  };
  Observation other_mapping = with_digest(Obs("4", "h-4"));
  other_mapping.mapping = "rs9999";
  ASSERT_TRUE(
      store()
          .passages()
          .Observe({with_digest(Obs("1", "h-1")), with_digest(Obs("2", "h-2")),
                    with_digest(Obs("3", "h-o3", D(2026, 1, 15), std::nullopt, "BCR99999")),
                    with_digest(Obs("3", "h-3")), other_mapping, with_digest(Obs("5", "h-5"))})
          .has_value());
  auto known = store().passages().OpenKnownRows(kCertifier, "rs6521", "salt");
  ASSERT_TRUE(known.has_value()) << known.error().message();
  std::vector<std::string> found;
  for (const char* id : {"1", "2", "3", "4", "5", "6", "1", "5", "3", "2", "1"}) {
    auto f = FindKnown(**known, id);
    found.push_back(f ? f->facts.content_hash : "-");
    if (f) {
      EXPECT_EQ(
          std::to_string(f->row),
          RawDb(db_path()).One("SELECT rowid FROM passages WHERE certifier = '" +
                               std::string(kCertifier) + "' AND id_technique = '" + id + "'"));
    }
  }
  EXPECT_THAT(found,
              ElementsAre("h-1", "h-2", "h-3", "-", "h-5", "-", "h-1", "h-5", "h-3", "h-2", "h-1"));
}

// The look-up into a Known reused from row to row (as map+validate does) leaves nothing of the
// previous passage: its holder's record, its file, its status.
TEST_F(CycleIndexTest, KnownRowsReusedLeavesNothingOfThePreviousPassage) {
  Observation a = Obs("a", "h-a");
  a.row_digest = std::string(16, '\x01');
  a.holder_record = std::string(32, '\x02');
  Observation b = Obs("b", "h-b");
  b.row_digest = std::string(16, '\x03');
  ASSERT_TRUE(store().passages().Observe({a, b}).has_value());
  ASSERT_TRUE(store().deposits().Begin(kCertifier, "F.xml", "flux-1", {"a"}).has_value());
  auto known = store().passages().OpenKnownRows(kCertifier, "rs6521", "salt");
  ASSERT_TRUE(known.has_value()) << known.error().message();
  KnownRows::Known k;
  ASSERT_TRUE((*known)->Find("a", k));
  EXPECT_EQ(k.facts.status, Status::kInDeposit);
  EXPECT_TRUE(k.facts.deposit_id.has_value());
  EXPECT_EQ(k.holder_record, a.holder_record);
  ASSERT_TRUE((*known)->Find("b", k));
  EXPECT_EQ(k.facts.status, Status::kPending);
  EXPECT_EQ(k.facts.deposit_id, std::nullopt);
  EXPECT_EQ(k.facts.content_hash, "h-b");
  EXPECT_EQ(k.facts.source_hash, "h-b");
  EXPECT_EQ(k.row_digest, b.row_digest);
  EXPECT_EQ(k.holder_record, "");
  EXPECT_FALSE((*known)->Find("c", k));
}

// Thousands of passages asked in the order recorded, then backwards, across the renewals of the
// reader's snapshot (every 4,096 look-ups), with a passage recorded meanwhile: each one's own.
TEST_F(CycleIndexTest, KnownRowsFindsThousandsInOrderAndBackwardsAcrossSnapshots) {
  constexpr int kPassages = 5000;
  std::vector<Observation> all;
  for (int i = 0; i < kPassages; ++i) {
    Observation o = Obs("K" + std::to_string(i), "h" + std::to_string(i));
    o.row_digest = std::string(16, '\x01');
    o.holder_record = std::string(16, '\x02');
    all.push_back(std::move(o));
  }
  ASSERT_TRUE(store().passages().Observe(all).has_value());
  auto known = store().passages().OpenKnownRows(kCertifier, "rs6521", "salt");
  ASSERT_TRUE(known.has_value()) << known.error().message();
  int wrong = 0;
  for (int round = 0; round < 2; ++round) {
    for (int n = 0; n < kPassages; ++n) {
      const int i = round == 0 ? n : kPassages - 1 - n;
      auto f = FindKnown(**known, "K" + std::to_string(i));
      if (!f || f->facts.content_hash != "h" + std::to_string(i)) ++wrong;
      if (round == 0 && n == kPassages / 2) {
        Observation late = Obs("late", "h-late");
        late.row_digest = std::string(16, '\x01');
        late.holder_record = std::string(16, '\x02');
        ASSERT_TRUE(store().passages().Observe({late}).has_value());
      }
    }
  }
  EXPECT_EQ(wrong, 0);
  auto late = FindKnown(**known, "late");  // recorded after the reader's first snapshot
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->facts.content_hash, "h-late");
}

TEST_F(CycleIndexTest, ANewIndexForgetsThePreviousCycle) {
  auto first = OpenCycleIndex(store());
  {
    mappings::CycleChecks cycle(*first);
    EXPECT_EQ(RegisterRow(cycle, Holder(rs6521_, "1017", "DUPONT", "Jean")), std::nullopt);
    EXPECT_NE(RegisterRow(cycle, Holder(rs6521_, "1017", "DUPONT", "Jean")), std::nullopt);
  }
  auto second = OpenCycleIndex(store());
  mappings::CycleChecks cycle(*second);
  EXPECT_EQ(RegisterRow(cycle, Holder(rs6521_, "1017", "DUPONT", "Jean")), std::nullopt);
  EXPECT_EQ(RegisterRow(cycle, Holder(rs6521_, "1018", "MARTIN", "Paul")), std::nullopt);
  const auto dup = RegisterRow(cycle, Holder(rs6521_, "1019", "MARTIN", "Paul"));
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(dup->rule, mappings::Rule::kProbableDuplicate);
  EXPECT_THAT(dup->message, HasSubstr("1018"));
}

TEST_F(CycleIndexTest, HolderIdentityNeverReachesTheDisk) {
  auto index = OpenCycleIndex(store());
  mappings::CycleChecks cycle(*index);
  for (const Passage& p : Sequence()) (void)RegisterRow(cycle, p);
  ExpectAbsent(AllBytes(), kPersonal);
  // Checkpointed into state.db, then closed.
  EXPECT_EQ(RawDb(db_path()).Exec("PRAGMA wal_checkpoint(FULL)"), "");
  ExpectAbsent(AllBytes(), kPersonal);
  index.reset();
  store_.reset();
  ExpectAbsent(AllBytes(), kPersonal);
}

TEST_F(CycleIndexTest, ObservedPassagesLeaveNoPersonalValue) {
  std::vector<Passage> passages = Sequence();
  Passage rich = Holder(rs6521_, "2000", "Quixoteria", "Wilhelmina");
  Set(rich, Field::nomUsage, "QUIXOTERIA");
  Set(rich, Field::libelleCommuneNaissance, "Xyloville");
  passages.push_back(rich);
  std::vector<Observation> observations;
  std::set<std::string> ids;
  for (const Passage& p : passages) {
    if (!ids.insert(p.id_technique).second) continue;
    Observation o =
        Obs(p.id_technique, store().passages().ContentHash(p), p.delivery, "2026-01-15 10:00:00");
    o.mapping = p.mapping->name;
    o.certification_code = p.certification.code;
    if (p.id_technique == "1026") {
      o.quarantined = true;
      o.reasons = {{"nir", "nir", "nir : ne respecte pas le motif (13 caractères)"}};
    }
    observations.push_back(o);
  }
  ASSERT_TRUE(store().passages().Observe(observations).has_value());
  // And through the whole life of a passage.
  Publish("a.xml", {"1017", "1018"});
  Verdicts("a.xml", {{"1017", true, ""}, {"1018", false, "refus"}});
  ExpectAbsent(AllBytes(), kPersonal);
  EXPECT_EQ(RawDb(db_path()).Exec("PRAGMA wal_checkpoint(FULL)"), "");
  store_.reset();
  ExpectAbsent(AllBytes(), kPersonal);
  ExpectAbsent(ReadBytes(db_path()), {"DUPONT", "MARTIN", "Jean", "Paul"});
}

// ---- Counts and NearestDeadlines ----

TEST_F(StateStoreTest, CountsGroupByCertifierCertificationStatusAndDeadline) {
  Observation rncp = Obs("r1", "h", D(2026, 1, 10));
  rncp.certification_type = "RNCP";
  rncp.certification_code = "RNCP35830";
  ASSERT_TRUE(store()
                  .passages()
                  .Observe({Obs("a1", "h", D(2026, 1, 15)), Obs("a2", "h", D(2026, 1, 15)),
                            Obs("a3", "h", D(2026, 2, 1)), Quarantined("a4", "h", {kMissingSexe}),
                            Obs("a5", "h", D(2026, 1, 15)), rncp,
                            Obs("b1", "h", D(2026, 1, 15), std::nullopt, kOtherCertifier),
                            Obs("u1", "h", std::nullopt)})
                  .has_value());
  Publish("a.xml", {"a5"});
  Verdicts("a.xml", {{"a5", true, ""}});

  auto counts = store().passages().Counts();
  ASSERT_TRUE(counts.has_value()) << counts.error().message();
  std::vector<std::string> rows;
  for (const Count& c : *counts) {
    rows.push_back(c.certifier + " " + c.certification_type + " " + c.certification_code + " " +
                   std::string(StatusName(c.status)) + " " +
                   (c.deadline ? FormatIsoDate(*c.deadline) : "-") + " " +
                   (c.delivery ? FormatIsoDate(*c.delivery) : "-") + " " + std::to_string(c.count));
  }
  EXPECT_THAT(rows, ElementsAre("BCR00001 RNCP RNCP35830 pending 2026-04-10 2026-01-10 1",
                                "BCR00001 RS RS6521 accepted 2026-04-15 - 1",
                                "BCR00001 RS RS6521 pending - - 1",
                                "BCR00001 RS RS6521 pending 2026-04-15 2026-01-15 2",
                                "BCR00001 RS RS6521 pending 2026-05-01 2026-02-01 1",
                                "BCR00001 RS RS6521 quarantined 2026-04-15 - 1",
                                "BCR00002 RS RS6521 pending 2026-04-15 2026-01-15 1"));
}

TEST_F(StateStoreTest, NearestDeadlinesSkipAcceptedAndHonourTheLimit) {
  ASSERT_TRUE(store()
                  .passages()
                  .Observe({Obs("late", "h", D(2026, 3, 1)), Obs("b", "h", D(2025, 12, 20)),
                            Obs("a", "h", D(2025, 12, 20)), Quarantined("q", "h", {kMissingSexe}),
                            Obs("acc", "h", D(2025, 11, 1)), Obs("undated", "h", std::nullopt),
                            Obs("mid", "h", D(2026, 1, 5))})
                  .has_value());
  Publish("a.xml", {"acc"});
  Verdicts("a.xml", {{"acc", true, ""}});
  ASSERT_EQ(StatusOf("acc"), "accepted");

  auto ids = [&](std::size_t limit) {
    std::vector<std::string> out;
    auto r = store().passages().NearestDeadlines(limit);
    EXPECT_TRUE(r.has_value()) << r.error().message();
    if (r.has_value()) {
      for (const PassageRecord& p : *r) out.push_back(p.id_technique);
    }
    return out;
  };
  // Quarantined ones count: their deadline runs all the same. Ties go by idTechnique; no
  // deadline, no place in the list.
  EXPECT_THAT(ids(100), ElementsAre("a", "b", "mid", "q", "late"));
  EXPECT_THAT(ids(2), ElementsAre("a", "b"));
  EXPECT_THAT(ids(0), IsEmpty());
  auto r = store().passages().NearestDeadlines(1);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].deadline, D(2026, 3, 20));
  EXPECT_EQ((*r)[0].delivery, D(2025, 12, 20));
  EXPECT_EQ(StatusName((*r)[0].status), "pending");
}

// Passages in a deposit carry its id and file name (the integer columns SOCI types from their
// declaration: INTEGER is dt_integer, COUNT(*) none).
TEST_F(StateStoreTest, PassagesInADepositCanBeRead) {
  ObserveOne(Obs("1017", "h1", D(2025, 12, 20)));
  ObserveOne(Obs("1018", "h1", D(2026, 1, 20)));
  const std::int64_t a = Begin("a.xml", {"1017"});
  auto one = store().passages().PassagesWithId("1017");
  ASSERT_TRUE(one.has_value()) << one.error().message();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].deposit_id, a);
  EXPECT_EQ((*one)[0].deposit_file, "a.xml");
  EXPECT_EQ(StatusName((*one)[0].status), "in_deposit");
  auto all = store().passages().Passages();
  ASSERT_TRUE(all.has_value()) << all.error().message();
  EXPECT_EQ(all->size(), 2u);
  auto nearest = store().passages().NearestDeadlines(20);
  ASSERT_TRUE(nearest.has_value()) << nearest.error().message();
  ASSERT_EQ(nearest->size(), 2u);
  EXPECT_EQ((*nearest)[0].id_technique, "1017");
  EXPECT_EQ((*nearest)[0].deposit_file, "a.xml");
}

// ---- Pending (the planner's facts) ----

TEST_F(StateStoreTest, PendingCountsDuePassagesAndUrgentOnes) {
  ASSERT_TRUE(store()
                  .passages()
                  .Observe({Obs("past", "h", D(2026, 1, 1)),        // deadline 2026-04-01
                            Obs("today", "h", D(2026, 3, 2)),       // deadline 2026-06-02
                            Obs("tomorrow", "h", D(2026, 3, 3)),    // not due yet
                            Obs("undated", "h", std::nullopt),      // due, no deadline
                            Obs("edge", "h", D(2026, 1, 15)),       // deadline 2026-04-15
                            Quarantined("q", "h", {kMissingSexe}),  // not pending
                            Obs("other", "h", D(2026, 1, 1), std::nullopt, kOtherCertifier)})
                  .has_value());
  ObserveOne(Obs("sent", "h", D(2026, 1, 1)));
  Begin("a.xml", {"sent"});

  auto facts = store().passages().Pending(kCertifier, D(2026, 3, 2), D(2026, 4, 15));
  ASSERT_TRUE(facts.has_value()) << facts.error().message();
  EXPECT_EQ(facts->due, 4);     // past, today, undated, edge
  EXPECT_EQ(facts->urgent, 2);  // past, edge (on the day counts)
  facts = store().passages().Pending(kCertifier, D(2026, 3, 3), D(2026, 4, 14));
  ASSERT_TRUE(facts.has_value());
  EXPECT_EQ(facts->due, 5);
  EXPECT_EQ(facts->urgent, 1);
  facts = store().passages().Pending("BCR-none", D(2026, 3, 3), D(2026, 4, 14));
  ASSERT_TRUE(facts.has_value());
  EXPECT_EQ(facts->due, 0);
  EXPECT_EQ(facts->urgent, 0);
}

// ---- Two threads ----

TEST_F(StateStoreTest, ObservationsAndDepositsOnTwoThreads) {
  constexpr int kBatches = 150;
  constexpr int kPerBatch = 4;
  std::mutex mutex;
  std::vector<std::string> observed;  // new passages, for the depositor
  bool observing_done = false;
  std::atomic<int> failures = 0;
  std::vector<std::string> errors[2];

  std::thread observer([&] {
    for (int b = 0; b < kBatches; ++b) {
      std::vector<Observation> batch;
      std::vector<std::string> ids;
      for (int k = 0; k < kPerBatch; ++k) {
        ids.push_back("p" + std::to_string(b) + "-" + std::to_string(k));
        batch.push_back(Obs(ids.back(), "h1", D(2026, 1, 15), std::to_string(b * kPerBatch + k)));
      }
      // And a change to an earlier passage, wherever it is now.
      if (b > 0) batch.push_back(Obs("p" + std::to_string(b - 1) + "-0", "h2"));
      try {
        auto r = store().passages().Observe(
            batch, Bookmark{kCertifier, "rs6521", std::to_string(b), "fp"});
        if (!r.has_value()) {
          ++failures;
          errors[0].push_back(r.error().message());
        } else {
          std::lock_guard lock(mutex);
          observed.insert(observed.end(), ids.begin(), ids.end());
        }
        (void)store().cursors().PendingFloor(kCertifier, "rs6521", true);
      } catch (const std::exception& e) {
        ++failures;
        errors[0].push_back(e.what());
      }
    }
    std::lock_guard lock(mutex);
    observing_done = true;
  });

  std::thread depositor([&] {
    int n = 0;
    while (true) {
      std::vector<std::string> pending;
      bool last_round = false;
      {
        std::lock_guard lock(mutex);
        last_round = observing_done;
        pending.swap(observed);
      }
      try {
        if (!pending.empty()) {
          const std::string file = "f" + std::to_string(n++) + ".xml";
          auto id = store().deposits().Begin(kCertifier, file, "flux-" + file, pending);
          if (!id.has_value()) {
            ++failures;
            errors[1].push_back(id.error().message());
          } else if (auto p = store().deposits().MarkPublished(*id, "sha"); !p.has_value()) {
            ++failures;
            errors[1].push_back(p.error().message());
          }
          (void)store().deposits().LastCutAt(kCertifier);
          (void)store().passages().Pending(kCertifier, D(2026, 3, 2), D(2026, 4, 15));
        } else {
          std::this_thread::yield();
        }
      } catch (const std::exception& e) {
        ++failures;
        errors[1].push_back(e.what());
        break;
      }
      if (last_round && pending.empty()) break;
    }
  });
  observer.join();
  depositor.join();
  EXPECT_EQ(failures.load(), 0) << ::testing::PrintToString(errors[0])
                                << ::testing::PrintToString(errors[1]);

  // Every passage is in exactly one published deposit, the one it points to; the counts agree.
  RawDb raw(db_path());
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM passages"), std::to_string(kBatches * kPerBatch));
  EXPECT_THAT(raw.Rows("SELECT id_technique || ' ' || status FROM passages WHERE status != "
                       "'in_deposit' OR deposit_id IS NULL"),
              IsEmpty());
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM deposit_passages"), std::to_string(kBatches * kPerBatch));
  EXPECT_THAT(raw.Rows("SELECT id_technique FROM deposit_passages GROUP BY certifier, "
                       "id_technique HAVING COUNT(*) > 1"),
              IsEmpty());
  EXPECT_THAT(raw.Rows("SELECT d.id FROM deposits d WHERE d.passages != (SELECT COUNT(*) FROM "
                       "deposit_passages p WHERE p.deposit_id = d.id) OR d.state != 'published'"),
              IsEmpty());
  EXPECT_THAT(raw.Rows("SELECT p.id_technique FROM passages p JOIN deposit_passages dp ON "
                       "dp.certifier = p.certifier AND dp.id_technique = p.id_technique "
                       "WHERE dp.deposit_id != p.deposit_id"),
              IsEmpty());
  // Every change was recorded, whether it came before or after the passage's deposit.
  EXPECT_EQ(raw.One("SELECT COUNT(*) FROM passages WHERE source_hash = 'h2' OR "
                    "(source_hash = '' AND content_hash = 'h2')"),
            std::to_string(kBatches - 1));
  auto b = store().cursors().Get(kCertifier, "rs6521");
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ((*b)->value, std::to_string(kBatches - 1));
}

// The last cycle of each result, the most recent first; a later cycle of the same result
// replaces it; what survives a reopen.
TEST_F(StateStoreTest, CycleLogKeepsTheLastCycleOfEachResult) {
  auto last = store().cycles().Last();
  ASSERT_TRUE(last.has_value()) << last.error().message();
  EXPECT_TRUE(last->empty());
  const TimePoint t0 = std::chrono::sys_days(D(2026, 11, 27)) + std::chrono::hours(9);
  using std::chrono::milliseconds;
  ASSERT_TRUE(store().cycles().Record({CycleResult::kSuccess, t0, milliseconds(1200)}).has_value());
  ASSERT_TRUE(store()
                  .cycles()
                  .Record({CycleResult::kFailure, t0 + std::chrono::minutes(15), milliseconds(40)})
                  .has_value());
  ASSERT_TRUE(store()
                  .cycles()
                  .Record({CycleResult::kSuccess, t0 + std::chrono::minutes(30), milliseconds(900)})
                  .has_value());
  Reopen();
  last = store().cycles().Last();
  ASSERT_TRUE(last.has_value()) << last.error().message();
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ((*last)[0].result, CycleResult::kSuccess);
  EXPECT_EQ((*last)[0].ended_at, t0 + std::chrono::minutes(30));
  EXPECT_EQ((*last)[0].duration, milliseconds(900));
  EXPECT_EQ((*last)[1].result, CycleResult::kFailure);
  EXPECT_EQ((*last)[1].ended_at, t0 + std::chrono::minutes(15));
  EXPECT_EQ(CycleResultName((*last)[1].result), "failure");
}

TEST_F(StateStoreTest, AlertCountsByState) {
  QueuedAlert message;
  message.certifier = kCertifier;
  message.kind = "digest";
  message.severity = "info";
  message.channel = "email";
  message.next_attempt_at = clock_.Now();
  ASSERT_TRUE(
      store().alerts().Queue(kCertifier, {}, {message, message, message, message}).has_value());
  auto queued = store().alerts().All();
  ASSERT_TRUE(queued.has_value());
  ASSERT_EQ(queued->size(), 4u);
  ASSERT_TRUE(store().alerts().RecordAttempt((*queued)[0].id, "delivered", "", {}).has_value());
  ASSERT_TRUE(store().alerts().RecordAttempt((*queued)[1].id, "failed", "550", {}).has_value());
  auto counts = store().alerts().Counts();
  ASSERT_TRUE(counts.has_value()) << counts.error().message();
  EXPECT_EQ(counts->queued, 2);
  EXPECT_EQ(counts->delivered, 1);
  EXPECT_EQ(counts->failed, 1);
}

// ---- Database::Guarded and Database::Transact ----

// A row of `result` in the cycles table, through the session a body is given.
void InsertCycle(soci::session& sql, const std::string& result) {
  SqliteStatement(SqliteHandle(sql),
                  "INSERT INTO cycles (result, ended_at, duration_ms) VALUES (?1, '', 0)")
      .Bind(1, result)
      .Run();
}

// A statement names the parameters it uses; a gap in their numbering, or a number past the last,
// is not named (what a status write of one decision's shape binds, passage_rows.cc).
TEST(DatabaseTest, AStatementTellsWhichNumberedParametersItNames) {
  const std::string dir = MakeTempDir("state_store_test/DatabaseTest.Uses");
  FakeClock clock{kStart};
  auto db = Database::Open(dir, clock, ::accrochd::testing::RealFiles());
  ASSERT_TRUE(db.has_value()) << db.error().message();
  auto used = (*db)->Guarded([](soci::session& sql) {
    SqliteStatement st(SqliteHandle(sql), "SELECT ?3 || ?13");
    std::vector<int> named;
    for (int i = 0; i <= 20; ++i) {
      if (st.Uses(i)) named.push_back(i);
    }
    // The named ones bind and run; binding a gap is allowed too, as SQLite numbers up to 13.
    EXPECT_TRUE(st.Bind(3, std::string_view("a"))
                    .Bind(13, std::string_view("b"))
                    .Bind(7, std::string_view("unused"))
                    .Next());
    EXPECT_EQ(st.Text(0), "ab");
    st.Reset();
    return named;
  });
  ASSERT_TRUE(used.has_value()) << used.error().message();
  EXPECT_EQ(*used, (std::vector<int>{3, 13}));
}

// Values bound without a copy are read where they are while the statement runs, and let go of
// once it has run (or is reset), before it runs again: a statement run again without binding them
// again reads NULL, never the bytes of a string gone since, and an error still says what SQLite
// said.
TEST(DatabaseTest, ValuesBoundWithoutACopyAreLetGoOnceTheStatementHasRun) {
  const std::string dir = MakeTempDir("state_store_test/DatabaseTest.Views");
  FakeClock clock{kStart};
  auto db = Database::Open(dir, clock, ::accrochd::testing::RealFiles());
  ASSERT_TRUE(db.has_value()) << db.error().message();
  auto read = (*db)->Guarded([](soci::session& sql) {
    std::vector<std::string> out;
    SqliteStatement st(SqliteHandle(sql), "SELECT ?1, ?2, typeof(?3), ?4");
    {
      const std::string text = "kept for the step";
      const std::string bytes("\0\1\2", 3);
      const std::optional<std::string> nothing;
      EXPECT_TRUE(st.BindView(1, text)
                      .Bind(2, std::string_view("copied"))
                      .BindView(3, nothing)
                      .BindBlobView(4, bytes)
                      .Next());
      out.push_back(st.Text(0) + "|" + st.Text(1) + "|" + st.Text(2) + "|" +
                    std::to_string(st.Text(3).size()));
      EXPECT_FALSE(st.Next());  // the end: the views are let go
    }
    EXPECT_TRUE(st.Next());  // not bound again: the views are NULL, the copy stays
    out.push_back(std::string(st.IsNull(0) ? "NULL" : st.Text(0)) + "|" + st.Text(1) + "|" +
                  (st.IsNull(3) ? "NULL" : "?"));
    st.Reset();
    // Let go by Reset too.
    const std::string again = "again";
    st.BindView(1, again);
    st.Reset();
    EXPECT_TRUE(st.Next());
    out.push_back(st.IsNull(0) ? "NULL" : st.Text(0));
    st.Reset();
    // Run: an error keeps its message, and the views are let go all the same.
    SqliteStatement insert(SqliteHandle(sql),
                           "INSERT INTO cycles (result, ended_at, duration_ms) VALUES (?1, ?2, 0)");
    const std::string result = "ok";
    const std::string ended = "";
    EXPECT_EQ(insert.BindView(1, result).BindView(2, ended).Run(), 1);
    try {
      insert.Run();  // ended_at NULL now: NOT NULL refuses it
      out.push_back("no error");
    } catch (const std::runtime_error& e) {
      out.push_back(e.what());
    }
    return out;
  });
  ASSERT_TRUE(read.has_value()) << read.error().message();
  ASSERT_EQ(read->size(), 4u);
  EXPECT_EQ((*read)[0], "kept for the step|copied|null|3");
  EXPECT_EQ((*read)[1], "NULL|copied|NULL");
  EXPECT_EQ((*read)[2], "NULL");
  EXPECT_THAT((*read)[3], HasSubstr("NOT NULL constraint failed: cycles.ended_at"));
}

// A method's body in a transaction: what it returns as a value is committed; an error it returns,
// or an exception it throws, leaves nothing of its work, and the exception is the store's error.
TEST(DatabaseTest, TransactCommitsAValueAndRollsBackAnErrorOrAnException) {
  const std::string dir = MakeTempDir("state_store_test/DatabaseTest.Transact");
  FakeClock clock{kStart};
  auto db = Database::Open(dir, clock, ::accrochd::testing::RealFiles());
  ASSERT_TRUE(db.has_value()) << db.error().message();
  Database& database = **db;

  auto committed = database.Transact([](soci::session& sql) {
    InsertCycle(sql, "success");
    return 7;
  });
  ASSERT_TRUE(committed.has_value()) << committed.error().message();
  EXPECT_EQ(*committed, 7);

  auto refused = database.Transact([](soci::session& sql) -> Result<void> {
    InsertCycle(sql, "partial");
    return Fail(ErrorKind::kInternal, "refused by the body");
  });
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(refused.error().message(), "refused by the body");

  auto thrown = database.Transact([](soci::session& sql) {
    InsertCycle(sql, "failure");
    InsertCycle(sql, "failure");  // the primary key refuses it
  });
  ASSERT_FALSE(thrown.has_value());
  EXPECT_EQ(thrown.error().kind(), ErrorKind::kIo);
  EXPECT_THAT(thrown.error().message(), HasSubstr("state store " + database.path() + ": "));
  RawDb raw(database.path());
  EXPECT_THAT(raw.Rows("SELECT result FROM cycles"), ElementsAre("success"));

  // Without a transaction: each statement is its own.
  auto guarded = database.Guarded([](soci::session& sql) {
    InsertCycle(sql, "partial");
    InsertCycle(sql, "partial");
  });
  ASSERT_FALSE(guarded.has_value());
  EXPECT_EQ(guarded.error().kind(), ErrorKind::kIo);

  EXPECT_THAT(raw.Rows("SELECT result FROM cycles ORDER BY result"),
              ElementsAre("partial", "success"));
}

}  // namespace
}  // namespace accrochd::store
