// Rows that disappear from the source (issue 11, item 3), through the real binary on a SQLite
// database and on the PostgreSQL server of the test run: a deleted row is reported after
// `missing_after` complete reads and never before, a read that fails half-way (a query error on a
// row of the second page) never counts, a row that comes back is known again, a passage already
// in a deposit file keeps its status and is flagged, and a kill -9 while the misses are marked
// loses nothing. Checked through `status --json` and `history`, the state store's own answers.
// Also the rows a complete read finds unchanged (issue 12, the quiet cycle): left unmapped, they
// still count as read, still take part in the cycle's uniqueness checks, and any change -- to the
// row, or to the mapping's text -- maps them again.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/calendar.h"
#include "tests/support/json_reader.h"
#include "tests/support/mapping_fixtures.h"
#include "tests/support/odbc_admin.h"
#include "tests/support/run_binary.h"
#include "tests/support/services.h"

namespace accrochd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string DayFromToday(int days) {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return FormatIsoDate(Date(today + std::chrono::days(days)));
}

class DisappearSystemTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("disappear-" + GetParam());
    table_ = "gone_" + GetParam();
    control_ = "gone_ctl_" + GetParam();
    if (GetParam() == "sqlite") {
      connection_ = "Driver=SQLite3;Database=" + dir_ + "/source.db;";
      admin_connection_ = connection_;
      // abs() of the smallest integer is an "integer overflow" error raised while the row is
      // computed: the read fails on that row, after the rows before it were delivered.
      boom_ = "abs(-9223372036854775807 - 1)";
    } else {
      std::string why;
      auto services = LoadServices(why);
      ASSERT_TRUE(services.has_value()) << why;
      services_ = *services;
      connection_ = services_.postgresql_connection;
      admin_connection_ = WithPassword(connection_, services_.password);
      // division_by_zero on row 5 only (a constant 1 / 0 would be folded when the query is
      // planned, and fail every read before its first row).
      boom_ = "1 / (id - 5)";
    }
    Admin().Exec("DROP TABLE IF EXISTS " + table_);
    Admin().Exec("DROP TABLE IF EXISTS " + control_);
    Admin().Exec("CREATE TABLE " + table_ +
                 " (id INTEGER PRIMARY KEY, nom VARCHAR(60), delivered VARCHAR(10))");
    Admin().Exec("CREATE TABLE " + control_ + " (fail INTEGER)");
    Admin().Exec("INSERT INTO " + control_ + " VALUES (0)");
  }

  OdbcAdmin& Admin() {
    if (!admin_) admin_ = std::make_unique<OdbcAdmin>(admin_connection_);
    return *admin_;
  }

  void Insert(int id, const std::string& delivered) {
    Admin().Exec("INSERT INTO " + table_ + " VALUES (" + std::to_string(id) + ", 'NOM" +
                 std::to_string(id) + "', '" + delivered + "')");
  }
  void Delete(const std::string& where) {
    Admin().Exec("DELETE FROM " + table_ + " WHERE " + where);
  }
  void FailReads(bool fail) {
    Admin().Exec("UPDATE " + control_ + " SET fail = " + std::string(fail ? "1" : "0"));
  }

  // The mapping reads the rows by pages of 2 ordered by id; while the control table says so,
  // computing row 5 fails: after the deletions, rows 1 and 3 make the first page, 5 and 6 the
  // second.
  std::string WriteConfig(int missing_after = 2) {
    const std::string query = "SELECT id, nom, delivered, CASE WHEN id = 5 AND (SELECT fail FROM " +
                              control_ + ") = 1 THEN " + boom_ + " ELSE 0 END AS boom FROM " +
                              table_;
    std::string fields = MinimalFields();
    fields.replace(fields.find("{constant: \"2026-01-15\"}"), 24, "{column: delivered}");
    fields.replace(fields.find("{constant: DUPONT}"), 18, "{column: nom}");
    WriteFile(dir_ + "/m.yaml",
              "certification:\n  type: RNCP\n  code: RNCP35830\nsource: ecole\nquery: \"" + query +
                  "\"\nkey: id\npage_by: id\npage_size: 2\nmissing_after: " +
                  std::to_string(missing_after) + "\n" + fields);
    return WriteMainConfig();
  }

  // The main configuration: one certifier whose only mapping is m.yaml, on this run's source.
  std::string WriteMainConfig() {
    if (GetParam() == "postgresql") WriteFile(dir_ + "/db", services_.password + "\n", 0600);
    WriteFile(dir_ + "/accrochd.yaml",
              "state_directory: " + dir_ +
                  "/state\n"
                  "sources:\n  ecole:\n    connection: \"" +
                  connection_ + "\"\n" +
                  (GetParam() == "postgresql" ? "    password: {credential: db}\n" : "") +
                  "    retry: {attempts: 1}\n"
                  "certifiers:\n  ecole:\n    id_client: \"DEMO0001\"\n"
                  "    id_contrat: \"MCFCER009999\"\n    mappings: [m.yaml]\n");
    return dir_ + "/accrochd.yaml";
  }

  // A mapping with a cursor over `rows` (id, nom, delivered, modifie_le) and the deleted_query
  // `deleted_query`, which is on line 8 of m.yaml, its value at column 16.
  void WriteCursorMapping(const std::string& rows, const std::string& look_back,
                          const std::string& deleted_query) {
    std::string fields = MinimalFields();
    fields.replace(fields.find("{constant: \"2026-01-15\"}"), 24, "{column: delivered}");
    fields.replace(fields.find("{constant: DUPONT}"), 18, "{column: nom}");
    WriteFile(dir_ + "/m.yaml",
              "certification:\n  type: RNCP\n  code: RNCP35830\nsource: ecole\n"
              "query: SELECT id, nom, delivered, modifie_le FROM " +
                  rows + "\nkey: id\ncursor: {column: modifie_le, look_back: " + look_back +
                  "}\ndeleted_query: " + deleted_query + "\n" + fields);
    WriteMainConfig();
  }

  RunResult Run(const std::vector<std::string>& args) {
    std::vector<std::string> full = args;
    full.push_back("--config");
    full.push_back(dir_ + "/accrochd.yaml");
    return RunAccrochd(full, {"CREDENTIALS_DIRECTORY=" + dir_});
  }

  RunResult Once() { return Run({"once"}); }

  // The certifier's figures in `status --json`.
  Json Certifier() {
    RunResult status = Run({"status", "--json", "--all"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    JsonReader reader(status.out);
    std::optional<Json> doc = reader.Document();
    EXPECT_TRUE(doc.has_value()) << reader.error() << "\n" << status.out;
    if (!doc || (*doc)["certifiers"].items.empty()) return Json{};
    return (*doc)["certifiers"].items[0];
  }
  int Missing() { return Certifier()["missing"].Int(); }
  int Flagged() { return Certifier()["missing_from_source"].Int(); }

  std::string History(const std::string& id) {
    RunResult h = Run({"history", id});
    EXPECT_EQ(h.exit_code, 0) << h.err;
    return h.out;
  }

  std::string dir_, table_, control_, connection_, admin_connection_, boom_;
  Services services_;
  std::unique_ptr<OdbcAdmin> admin_;
};

TEST_P(DisappearSystemTest, ADeletedRowIsReportedAfterMissingAfterCompleteReadsAndNeverBefore) {
  WriteConfig(2);
  // 1-2 and 5-6 are delivered in the future: pending, not deposited yet; 3-4 are due and go into
  // a deposit file at once.
  for (int id : {1, 2, 5, 6}) Insert(id, DayFromToday(20));
  for (int id : {3, 4}) Insert(id, DayFromToday(-20));
  RunResult first = Once();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Missing(), 0);

  Delete("id IN (2, 4)");  // 2 pending, 4 in a deposit file
  // A read that fails on row 5, after the first page (1, 3) was read and recorded: never counts.
  FailReads(true);
  RunResult failed = Once();
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_THAT(failed.out + failed.err, Not(HasSubstr("gone from the source")));
  FailReads(false);
  RunResult one = Once();  // the first complete read without them
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(Missing(), 0) << "reported before missing_after complete reads";
  EXPECT_EQ(Flagged(), 0);
  FailReads(true);
  EXPECT_NE(Once().exit_code, 0);  // failed again: still one miss
  EXPECT_EQ(Missing(), 0) << "a failed read counted as a miss";
  FailReads(false);
  RunResult two = Once();  // the second complete read without them
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_THAT(two.out + two.err, HasSubstr("2 passage(s) gone from the source"));
  const Json c = Certifier();
  EXPECT_EQ(c["missing"].Int(), 1);              // 2: pending, no longer deposited
  EXPECT_EQ(c["missing_from_source"].Int(), 1);  // 4: in its file, status kept
  EXPECT_EQ(c["certifications"].items[0]["missing"].Int(), 1);
  EXPECT_EQ(c["certifications"].items[0]["pending"].Int(), 3);     // 1, 5, 6
  EXPECT_EQ(c["certifications"].items[0]["in_deposit"].Int(), 2);  // 3, and 4 flagged
  EXPECT_THAT(History("2"), HasSubstr("disparu de la source"));
  EXPECT_THAT(History("4"), HasSubstr("disparu de la source"));
  EXPECT_THAT(History("1"), Not(HasSubstr("disparu")));
  // Marked once: more complete reads add nothing.
  ASSERT_EQ(Once().exit_code, 0);
  EXPECT_EQ(Occurrences(History("2"), "disparu de la source (plus lu"), 1u);
  // Personal data never shows: the names stay in the source.
  EXPECT_THAT(two.out + two.err + History("2"), Not(HasSubstr("NOM2")));

  // The rows come back: known again at the next read.
  Insert(2, DayFromToday(20));
  Insert(4, DayFromToday(-20));
  RunResult back = Once();
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(Missing(), 0);
  EXPECT_EQ(Flagged(), 0);
  EXPECT_THAT(History("2"), HasSubstr("de nouveau lu dans la base"));
  EXPECT_EQ(Certifier()["certifications"].items[0]["pending"].Int(), 4);
}

// A row whose source values are those recorded, of a passage already in a deposit file, is not
// mapped again (the cycle says how many), and nothing of it changes; it still counts as read
// (never reported gone) and still holds its place in the cycle's uniqueness checks: a new row
// with its holder is the probable duplicate, though the row itself was not mapped. A pending
// row, a changed row and every row after the mapping's text changed are mapped.
TEST_P(DisappearSystemTest, UnchangedRowsAreNotMappedAgainAndStillCount) {
  WriteConfig(2);
  for (int id : {1, 2, 3, 4}) Insert(id, DayFromToday(-20));  // due: into a file at once
  Insert(5, DayFromToday(20));                                // pending: not due yet
  const std::vector<std::string> verbose = {"once", "--verbose"};
  RunResult first = Run(verbose);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out + first.err, HasSubstr("5 new"));
  EXPECT_THAT(first.out + first.err, Not(HasSubstr("unchanged since recorded")));
  const std::string history1 = History("1");

  RunResult second = Run(verbose);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out + second.err,
              HasSubstr("5 rows read, 4 valid, 1 not due yet, 0 quarantined, 0 new, "
                        "4 unchanged since recorded (not mapped again)"));
  EXPECT_EQ(History("1"), history1);

  // Row 2 changes while its file waits: mapped, and its change recorded; row 6 repeats row 3's
  // holder (same name, same certification, same date of delivery): the probable duplicate of 3.
  Admin().Exec("UPDATE " + table_ + " SET nom = 'NOM2B' WHERE id = 2");
  Admin().Exec("INSERT INTO " + table_ + " VALUES (6, 'NOM3', '" + DayFromToday(-20) + "')");
  RunResult third = Run(verbose);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_THAT(third.out + third.err, HasSubstr("3 unchanged since recorded"));
  EXPECT_THAT(History("2"), HasSubstr("données modifiées alors que son fichier attend"));
  const std::string history6 = History("6");
  EXPECT_THAT(history6, HasSubstr("probable-duplicate"));
  const Json certification = Certifier()["certifications"].items[0];
  EXPECT_EQ(certification["quarantined"].Int(), 1);
  EXPECT_EQ(certification["in_deposit"].Int(), 4);
  EXPECT_EQ(certification["pending"].Int(), 1);
  // Complete reads in a row: the unchanged rows were read, none is gone.
  EXPECT_EQ(Missing(), 0);
  EXPECT_EQ(Flagged(), 0);

  // The mapping's text changes (a comment): every row is mapped again, once.
  std::ofstream(dir_ + "/m.yaml", std::ios::app) << "# reviewed\n";
  RunResult edited = Run(verbose);
  ASSERT_EQ(edited.exit_code, 0) << edited.err;
  EXPECT_THAT(edited.out + edited.err, Not(HasSubstr("unchanged since recorded")));
  RunResult after = Run(verbose);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  // 1, 3, 4: 2 keeps its deposited content apart from the one last seen, 5 is pending, 6 in the
  // quarantine: those are mapped at every read.
  EXPECT_THAT(after.out + after.err, HasSubstr("3 unchanged since recorded"));
  EXPECT_EQ(History("1"), history1);
  EXPECT_EQ(History("6"), history6);
  EXPECT_EQ(Missing(), 0);
  EXPECT_EQ(Flagged(), 0);

  // Row 3 deleted among rows left unmapped (noted read by their row in the store): after two
  // complete reads it alone is gone (in its file: flagged); 1 and 4, unchanged, are not. (Row 6,
  // no longer anyone's duplicate, becomes valid.)
  Delete("id = 3");
  for (int read = 0; read < 2; ++read) {
    RunResult gone = Run(verbose);
    ASSERT_EQ(gone.exit_code, 0) << gone.err;
    EXPECT_THAT(gone.out + gone.err, HasSubstr(" unchanged since recorded"));
  }
  EXPECT_EQ(Missing(), 0);
  EXPECT_EQ(Flagged(), 1);
  EXPECT_THAT(History("3"), HasSubstr("disparu de la source"));
  EXPECT_EQ(History("1"), history1);
  EXPECT_THAT(History("4"), Not(HasSubstr("disparu")));
}

TEST_P(DisappearSystemTest, MissingAfterOneMarksAtTheFirstCompleteRead) {
  WriteConfig(1);
  for (int id : {1, 2}) Insert(id, DayFromToday(20));
  ASSERT_EQ(Once().exit_code, 0);
  Delete("id = 1");
  ASSERT_EQ(Once().exit_code, 0);
  EXPECT_EQ(Missing(), 1);
}

// A query that suddenly returns nothing (every row deleted, or a filter gone wrong) counts no
// miss, however many reads: it is far likelier a fault than the end of every row; the journal
// says why at each read. Rows that come back are simply read again.
TEST_P(DisappearSystemTest, AReadThatReturnsNoRowCountsNoMiss) {
  WriteConfig(1);
  for (int id : {1, 2}) Insert(id, DayFromToday(20));
  ASSERT_EQ(Once().exit_code, 0);
  Delete("id > 0");
  for (int i = 0; i < 3; ++i) {
    RunResult empty = Once();
    ASSERT_EQ(empty.exit_code, 0) << empty.err;
    EXPECT_THAT(empty.out + empty.err, HasSubstr("its query returned no row"));
    EXPECT_THAT(empty.out + empty.err, Not(HasSubstr("gone from the source (")));
  }
  EXPECT_EQ(Missing(), 0);
  EXPECT_EQ(Certifier()["certifications"].items[0]["pending"].Int(), 2);
  // One row back: the other is missed at once (missing_after: 1).
  Insert(1, DayFromToday(20));
  ASSERT_EQ(Once().exit_code, 0);
  EXPECT_EQ(Missing(), 1);
  EXPECT_THAT(History("2"), HasSubstr("disparu de la source"));
}

// A mapping with a cursor reads only the rows changed since its bookmark, so it cannot see a
// row go: its deleted_query lists the deleted keys (here a table the certifier's application
// fills, key + deleted_at, read under the cursor column's name). No bookmark (a first reading,
// a changed mapping): every row was read, nothing is marked. With one: a listed passage the
// read did not see is missing at once, one it saw is not; a deleted_query that fails fails the
// cycle and marks nothing.
TEST_P(DisappearSystemTest, DeletedQueryMarksTheListedRowsAtOnceAndOnlyWithABookmark) {
  const std::string rows = "gone_cur_" + GetParam();
  const std::string deleted = "gone_del_" + GetParam();
  // A real timestamp on PostgreSQL; SQLite has none, the text of one.
  const std::string stamp = GetParam() == "postgresql" ? "TIMESTAMP" : "VARCHAR(19)";
  Admin().Exec("DROP TABLE IF EXISTS " + rows);
  Admin().Exec("DROP TABLE IF EXISTS " + deleted);
  Admin().Exec("CREATE TABLE " + rows +
               " (id INTEGER PRIMARY KEY, nom VARCHAR(60), delivered VARCHAR(10), modifie_le " +
               stamp + ")");
  Admin().Exec("CREATE TABLE " + deleted + " (id INTEGER, deleted_at " + stamp + ")");
  const std::string t0 = "2026-11-02 08:00:00", t1 = "2026-11-02 09:00:00",
                    t2 = "2026-11-02 10:00:00";
  auto insert = [&](int id, const std::string& at) {
    Admin().Exec("INSERT INTO " + rows + " VALUES (" + std::to_string(id) + ", 'NOM" +
                 std::to_string(id) + "', '" + DayFromToday(20) + "', '" + at + "')");
  };
  auto remove = [&](int id, const std::string& at) {
    Admin().Exec("DELETE FROM " + rows + " WHERE id = " + std::to_string(id));
    Admin().Exec("INSERT INTO " + deleted + " VALUES (" + std::to_string(id) + ", '" + at + "')");
  };
  auto write_mapping = [&](const std::string& look_back) {
    WriteCursorMapping(rows, look_back, "SELECT id, deleted_at AS modifie_le FROM " + deleted);
  };
  // All pending (delivered in 20 days): none goes into a deposit file.
  for (int id : {1, 2, 3, 4, 5}) insert(id, t0);
  write_mapping("1h");
  RunResult first = Once();  // no bookmark: every row, no deleted_query
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Missing(), 0);
  EXPECT_EQ(Certifier()["certifications"].items[0]["pending"].Int(), 5);

  // 5 deleted and listed; the mapping changes (look_back): its bookmark no longer holds, the
  // next read is a first reading again, and marks nothing though 5 is listed and not read.
  remove(5, t1);
  write_mapping("2h");
  RunResult changed = Once();
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(Missing(), 0) << "a read without a bookmark marked a passage";
  EXPECT_THAT(History("5"), Not(HasSubstr("disparu")));

  // 2 deleted and listed; 3 deleted, listed, and written again (changed since the bookmark):
  // the read sees 3. At the very next cycle, 2 and 5 are missing (no missing_after wait), 3 not.
  remove(2, t2);
  remove(3, t2);
  insert(3, t2);
  RunResult next = Once();
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(next.out + next.err, HasSubstr("2 passage(s) gone from the source"));
  EXPECT_THAT(next.out + next.err, HasSubstr("listed by deleted_query"));
  const Json c = Certifier();
  EXPECT_EQ(c["missing"].Int(), 2);
  EXPECT_EQ(c["missing_from_source"].Int(), 0);
  EXPECT_EQ(c["certifications"].items[0]["missing"].Int(), 2);
  EXPECT_EQ(c["certifications"].items[0]["pending"].Int(), 3);  // 1, 3, 4
  const std::string two = History("2");
  EXPECT_THAT(two, HasSubstr("disparu de la source"));
  EXPECT_THAT(two, HasSubstr("deleted_query"));
  EXPECT_THAT(History("5"), HasSubstr("disparu de la source"));
  EXPECT_THAT(History("3"), Not(HasSubstr("disparu")));
  EXPECT_THAT(History("1"), Not(HasSubstr("disparu")));
  EXPECT_THAT(next.out + next.err + two, Not(HasSubstr("NOM2")));
  // Marked once: the next cycle lists 2 again and adds nothing.
  ASSERT_EQ(Once().exit_code, 0);
  EXPECT_EQ(Occurrences(History("2"), "disparu de la source (plus lu"), 1u);

  // The deleted rows' table is gone: the deleted_query fails, so does the cycle, naming the
  // deleted_query and its place in the mapping file; 4, deleted meanwhile, is not marked.
  remove(4, t2);
  Admin().Exec("DROP TABLE " + deleted);
  RunResult broken = Once();
  EXPECT_NE(broken.exit_code, 0);
  EXPECT_THAT(broken.out + broken.err, HasSubstr("deleted_query (" + dir_ + "/m.yaml:8:16)"));
  EXPECT_EQ(Missing(), 2);
  EXPECT_THAT(History("4"), Not(HasSubstr("disparu")));
  Admin().Exec("DROP TABLE " + rows);
}

// `accrochd check` prepares a mapping's deleted_query on its source, as it does its query, and
// names at the deleted_query's place in the mapping file a column it must return and does not
// (the cursor column, here), or the source's refusal of it.
TEST_P(DisappearSystemTest, CheckPreparesTheDeletedQueryAndNamesAColumnItLacks) {
  const std::string rows = "check_cur_" + GetParam();
  const std::string deleted = "check_del_" + GetParam();
  Admin().Exec("DROP TABLE IF EXISTS " + rows);
  Admin().Exec("DROP TABLE IF EXISTS " + deleted);
  Admin().Exec("CREATE TABLE " + rows +
               " (id INTEGER PRIMARY KEY, nom VARCHAR(60), delivered VARCHAR(10), modifie_le "
               "VARCHAR(19))");
  Admin().Exec("CREATE TABLE " + deleted + " (id INTEGER, deleted_at VARCHAR(19))");
  const std::string where = dir_ + "/m.yaml:8:16: mapping \"m\": ";

  WriteCursorMapping(rows, "1h", "SELECT id, deleted_at FROM " + deleted);
  RunResult lacking = Run({"check"});
  EXPECT_EQ(lacking.exit_code, 1) << lacking.out << lacking.err;
  EXPECT_THAT(lacking.err, HasSubstr(where + "the deleted_query does not return modifie_le (it "
                                             "must return the key"));

  WriteCursorMapping(rows, "1h", "SELECT deleted_at AS modifie_le FROM " + deleted);
  RunResult no_key = Run({"check"});
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_THAT(no_key.err, HasSubstr(where + "the deleted_query does not return id ("));

  WriteCursorMapping(rows, "1h", "SELECT id, deleted_at AS modifie_le FROM no_such_table_here");
  RunResult refused = Run({"check"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr(where + "the deleted_query cannot be prepared: "));

  WriteCursorMapping(rows, "1h", "SELECT id, deleted_at AS modifie_le FROM " + deleted);
  RunResult good = Run({"check"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_THAT(good.out, HasSubstr("mapping \"m\": deleted_query prepared, 2 columns, the key and "
                                  "cursor columns found\n"));
  Admin().Exec("DROP TABLE " + rows);
  Admin().Exec("DROP TABLE " + deleted);
}

INSTANTIATE_TEST_SUITE_P(Sources, DisappearSystemTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

// kill -9 while `once` marks a large set of passages gone: the marking is one transaction, so
// afterwards every passage is either still counting or marked, with one "missing" entry each;
// none is lost, none marked twice.
TEST(DisappearKillTest, KillNineWhileMarkingLosesNothing) {
  const std::string dir = MakeTempDir("disappear-kill9");
  const std::string db = dir + "/source.db";
  OdbcAdmin admin("Driver=SQLite3;Database=" + db + ";");
  admin.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, nom VARCHAR(60))");
  admin.Exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
      "INSERT INTO t SELECT i, 'NOM' || i FROM n");
  std::string fields = MinimalFields();
  fields.replace(fields.find("{constant: \"2026-01-15\"}"), 24,
                 "{constant: \"" + DayFromToday(30) + "\"}");
  fields.replace(fields.find("{constant: DUPONT}"), 18, "{column: nom}");
  WriteFile(dir + "/m.yaml",
            "certification:\n  type: RNCP\n  code: RNCP35830\nsource: ecole\nquery: SELECT id, "
            "nom FROM t\nkey: id\nmissing_after: 1\n" +
                fields);
  WriteFile(dir + "/accrochd.yaml",
            "state_directory: " + dir +
                "/state\nsources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=" + db +
                ";\"\ncertifiers:\n  ecole:\n    id_client: \"DEMO0001\"\n"
                "    id_contrat: \"MCFCER009999\"\n    mappings: [m.yaml]\n");
  const std::string config = dir + "/accrochd.yaml";
  ASSERT_EQ(RunAccrochd({"once", "--config", config}).exit_code, 0);
  admin.Exec("DELETE FROM t WHERE id > 2000");  // 18,000 rows gone

  // Kill the binary at growing delays: some before, some during, some after the marking.
  bool killed_once = false;
  for (int delay_ms : {50, 150, 300, 500, 800, 1200}) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const std::string binary = ACCROCHD_BIN;
      execl(binary.c_str(), binary.c_str(), "once", "--config", config.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    const bool alive = kill(pid, SIGKILL) == 0;
    int status = 0;
    waitpid(pid, &status, 0);
    killed_once = killed_once || (alive && WIFSIGNALED(status));
    // Whatever was committed is whole: either none of the 18,000 is marked, or all of them.
    RunResult json = RunAccrochd({"status", "--json", "--config", config});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    JsonReader reader(json.out);
    std::optional<Json> doc = reader.Document();
    ASSERT_TRUE(doc.has_value()) << reader.error();
    const int missing = (*doc)["certifiers"].items[0]["missing"].Int();
    EXPECT_TRUE(missing == 0 || missing == 18000) << "after " << delay_ms << " ms: " << missing;
    const Json& cert = (*doc)["certifiers"].items[0]["certifications"].items[0];
    EXPECT_EQ(cert["total"].Int(), 20000) << "a passage was lost";
  }
  EXPECT_TRUE(killed_once) << "every run ended before the kill: the test proved nothing";
  RunResult last = RunAccrochd({"once", "--config", config});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  RunResult json = RunAccrochd({"status", "--json", "--config", config});
  JsonReader reader(json.out);
  std::optional<Json> doc = reader.Document();
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ((*doc)["certifiers"].items[0]["missing"].Int(), 18000);
  EXPECT_EQ((*doc)["certifiers"].items[0]["certifications"].items[0]["pending"].Int(), 2000);
  // One "missing" entry per passage, never two.
  for (const char* id : {"2001", "11000", "20000"}) {
    RunResult h = RunAccrochd({"history", id, "--config", config});
    EXPECT_EQ(Occurrences(h.out, "disparu de la source (plus lu"), 1u) << id << "\n" << h.out;
  }
}

}  // namespace
}  // namespace accrochd::testing
