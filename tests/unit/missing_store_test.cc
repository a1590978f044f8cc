// The state store's part for rows that disappear (connectors/store/missing.h), on a real SQLite
// state.db: misses counted only for the passages a complete read did not see, marked at
// missing_after, decided by the lifecycle per status and applied as a set; a quiet read writes
// nothing; deleted_query's ids marked at once; a passage seen again is known again.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "connectors/store/missing.h"
#include "connectors/store/state_store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::store {
namespace {

using ::accrochd::testing::FakeClock;
using ::testing::ElementsAre;

constexpr const char* kCertifier = "BCR00001";

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

Observation Obs(const std::string& id, const std::string& mapping = "rs6521") {
  Observation o;
  o.certifier = kCertifier;
  o.id_technique = id;
  o.mapping = mapping;
  o.certification_type = "RS";
  o.certification_code = "RS6521";
  o.delivery = D(2026, 1, 15);
  o.content_hash = "h-" + id;
  return o;
}

// What an administrator with the sqlite3 CLI sees.
std::vector<std::string> Rows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(db);
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* t = sqlite3_column_text(stmt, i);
        row += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "NULL");
      }
      rows.push_back(row);
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

class MissingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = ::accrochd::testing::MakeTempDir(std::string("missing_store_test/") + info->name());
    auto opened = StateStore::Open(dir_, clock_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->passages().Observe({Obs("1"), Obs("2"), Obs("3"), Obs("9", "other")}));
  }

  // One complete read of mapping rs6521 that saw `ids` (and the passages whose rowids are
  // `rows`, as a read notes those it left unmapped), then the marking.
  MissingOutcome Read(const std::vector<std::string>& ids, std::int64_t missing_after = 2,
                      const std::vector<std::int64_t>& rows = {}) {
    EXPECT_TRUE(store_->missing().BeginRead(kCertifier).has_value());
    EXPECT_TRUE(store_->missing().NoteRead(kCertifier, ids, rows).has_value());
    auto out = store_->missing().MarkUnread(kCertifier, "rs6521", missing_after);
    EXPECT_TRUE(out.has_value()) << out.error().message();
    return out ? *out : MissingOutcome{};
  }

  std::vector<std::string> Passages() {
    return Rows(dir_ + "/state.db",
                "SELECT id_technique || ' ' || status || ' ' || missed_reads || ' ' || "
                "missing_from_source FROM passages ORDER BY id_technique");
  }
  std::vector<std::string> Events(const std::string& id) {
    auto history = store_->passages().History(id);
    EXPECT_TRUE(history.has_value()) << history.error().message();
    std::vector<std::string> out;
    if (history) {
      for (const auto& e : *history) out.push_back(e.kind + ":" + e.detail);
    }
    return out;
  }
  std::int64_t RowOf(const std::string& id) {
    const auto rows =
        Rows(dir_ + "/state.db", "SELECT rowid FROM passages WHERE id_technique = '" + id + "'");
    EXPECT_EQ(rows.size(), 1u) << id;
    return rows.empty() ? 0 : std::stoll(rows[0]);
  }
  std::string Changes() {
    // Every write to passages moves updated_at or a counter; the whole table as text.
    std::string all;
    for (const std::string& r : Rows(dir_ + "/state.db", "SELECT * FROM passages ORDER BY 1, 2")) {
      all += r + "\n";
    }
    return all;
  }

  FakeClock clock_{std::chrono::sys_days(D(2026, 3, 2)) + std::chrono::hours(9)};
  std::string dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(MissingStoreTest, MarkedAfterMissingAfterCompleteReadsNeverBefore) {
  EXPECT_EQ(Read({"1", "3"}).Total(), 0);
  EXPECT_THAT(Passages(),
              ElementsAre("1 pending 0 0", "2 pending 1 0", "3 pending 0 0", "9 pending 0 0"));
  const MissingOutcome second = Read({"1", "3"});
  EXPECT_EQ(second.Total(), 1);
  EXPECT_EQ(second.marked.at(Status::kPending), 1);
  EXPECT_THAT(Passages(), ElementsAre("1 pending 0 0", "2 missing 2 0", "3 pending 0 0",
                                      "9 pending 0 0"));  // another mapping's passage untouched
  EXPECT_THAT(Events("2"), ElementsAre("seen:", "missing:missing_after=2"));
  // Once: later reads neither count nor record it again.
  EXPECT_EQ(Read({"1", "3"}).Total(), 0);
  EXPECT_THAT(Events("2"), ElementsAre("seen:", "missing:missing_after=2"));
}

TEST_F(MissingStoreTest, AQuietReadWritesNothing) {
  const std::string before = Changes();
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(Read({"1", "2", "3"}).Total(), 0);
  EXPECT_EQ(Changes(), before);
}

// A passage the read saw is never marked, though earlier reads left its count at the threshold
// (here missing_after lowered from 2 to 1 between reads, the passage not observed again): when
// every passage was read, and when another one was not.
TEST_F(MissingStoreTest, APassageTheReadSawIsNotMarkedWhateverItsCount) {
  Read({"1", "3"});  // 2 missed once
  const std::string before = Changes();
  EXPECT_EQ(Read({"1", "2", "3"}, 1).Total(), 0);
  EXPECT_EQ(Changes(), before);  // nothing unread: nothing written
  EXPECT_THAT(Passages()[1], "2 pending 1 0");
  const MissingOutcome out = Read({"2", "3"}, 1);
  EXPECT_EQ(out.Total(), 1);  // 1, not 2
  EXPECT_THAT(Passages(),
              ElementsAre("1 missing 1 0", "2 pending 1 0", "3 pending 0 0", "9 pending 0 0"));
  EXPECT_THAT(Events("2"), ElementsAre("seen:"));
}

TEST_F(MissingStoreTest, SeenAgainTheCountStartsOverAndAMissingPassageIsKnownAgain) {
  Read({"1", "3"});  // 2 missed once
  ASSERT_TRUE(store_->passages().Observe({Obs("2")}));
  EXPECT_THAT(Passages()[1], "2 pending 0 0");
  Read({"1", "3"});
  EXPECT_THAT(Passages()[1], "2 pending 1 0");  // one miss again, not two
  Read({"1", "3"});
  EXPECT_THAT(Passages()[1], "2 missing 2 0");
  ASSERT_TRUE(store_->passages().Observe({Obs("2")}));
  EXPECT_THAT(Passages()[1], "2 pending 0 0");
  EXPECT_THAT(Events("2"), ElementsAre("seen:", "missing:missing_after=2", "reappeared:"));
  EXPECT_TRUE(Rows(dir_ + "/state.db",
                   "SELECT 1 FROM passages WHERE id_technique = '2' AND missing_since != ''")
                  .empty());
}

TEST_F(MissingStoreTest, APassageInAFileKeepsItsStatusFlagged) {
  auto begun = store_->deposits().Begin(kCertifier, "F.xml", "flux-1", {"1"});
  ASSERT_TRUE(begun.has_value()) << begun.error().message();
  EXPECT_EQ(Read({"2", "3"}, 1).marked.at(Status::kInDeposit), 1);
  EXPECT_THAT(Passages()[0], "1 in_deposit 1 1");
  auto counts = store_->missing().Counts();
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->at(kCertifier).missing, 0);
  EXPECT_EQ(counts->at(kCertifier).Flagged(), 1);
  auto listed = store_->missing().Missing();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id_technique, "1");
  EXPECT_EQ((*listed)[0].status, Status::kInDeposit);
  // Read again: the flag goes, the status stays.
  ASSERT_TRUE(store_->passages().Observe({Obs("1")}));
  EXPECT_THAT(Passages()[0], "1 in_deposit 0 0");
  EXPECT_THAT(Events("1").back(), "reappeared:");
}

// The passages a read left unmapped are noted by their row in the store (one bit each): they
// count as read exactly as those noted by idTechnique, alone or together, and only for the read
// that noted them. A row no passage has (one past 2^32 here, kept apart from the bits) changes
// nothing.
TEST_F(MissingStoreTest, PassagesNotedByTheirRowCountAsReadAsByTheirIdTechnique) {
  const std::int64_t one = RowOf("1"), two = RowOf("2"), three = RowOf("3");
  ASSERT_TRUE(one != two && two != three && one != three);
  const std::string before = Changes();
  EXPECT_EQ(Read({}, 2, {one, two, three}).Total(), 0);
  EXPECT_EQ(Changes(), before);  // a quiet read by rows writes nothing
  EXPECT_EQ(Read({"2"}, 2, {three, (std::int64_t{1} << 32) + 5}).Total(), 0);
  EXPECT_THAT(Passages(),
              ElementsAre("1 pending 1 0", "2 pending 0 0", "3 pending 0 0", "9 pending 0 0"));
  EXPECT_TRUE(store_->missing().RowRead(three));
  EXPECT_TRUE(store_->missing().RowRead((std::int64_t{1} << 32) + 5));
  EXPECT_FALSE(store_->missing().RowRead(one));
  EXPECT_FALSE(store_->missing().RowRead(std::int64_t{1} << 40));
  // The next read forgets the rows the last one noted: 1 and 3 unread this time.
  const MissingOutcome out = Read({"2"});
  EXPECT_EQ(out.Total(), 1);
  EXPECT_THAT(Passages(),
              ElementsAre("1 missing 2 0", "2 pending 0 0", "3 pending 1 0", "9 pending 0 0"));
  EXPECT_FALSE(store_->missing().RowRead(three));
  // deleted_query's ids spare a passage noted by its row.
  ASSERT_TRUE(store_->missing().BeginRead(kCertifier).has_value());
  ASSERT_TRUE(store_->missing().NoteRead(kCertifier, {}, {three}).has_value());
  auto deleted = store_->missing().MarkDeleted(kCertifier, "rs6521", {"2", "3"});
  ASSERT_TRUE(deleted.has_value()) << deleted.error().message();
  EXPECT_EQ(deleted->Total(), 1);
  EXPECT_THAT(Passages(),
              ElementsAre("1 missing 2 0", "2 missing 0 0", "3 pending 1 0", "9 pending 0 0"));
}

TEST_F(MissingStoreTest, DeletedQueryIdsAreMarkedAtOnceUnlessTheReadSawThem) {
  ASSERT_TRUE(store_->missing().BeginRead(kCertifier).has_value());
  ASSERT_TRUE(store_->missing().NoteRead(kCertifier, {"3"}).has_value());
  auto out = store_->missing().MarkDeleted(kCertifier, "rs6521", {"2", "3", "404", "9"});
  ASSERT_TRUE(out.has_value()) << out.error().message();
  EXPECT_EQ(out->Total(), 1);  // 3 was read again, 404 unknown, 9 another mapping's
  EXPECT_THAT(Passages(),
              ElementsAre("1 pending 0 0", "2 missing 0 0", "3 pending 0 0", "9 pending 0 0"));
  EXPECT_THAT(Events("2").back(), "missing:deleted_query");
}

}  // namespace
}  // namespace accrochd::store
