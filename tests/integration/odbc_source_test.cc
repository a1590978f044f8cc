// The ODBC source against real drivers and servers: the SQLite ODBC driver on a file, psqlODBC
// against PostgreSQL and MariaDB Connector/ODBC against MariaDB (both started by the
// services.start fixture). The same fixture table and queries run through each driver.
#include "connectors/source/odbc_source.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/text.h"
#include "tests/support/capture_logger.h"
#include "tests/support/fake_clock.h"
#include "tests/support/odbc_admin.h"
#include "tests/support/run_binary.h"
#include "tests/support/services.h"

namespace accrochd::source {
namespace {

using testing::CaptureLogger;
using testing::FakeClock;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::OdbcAdmin;

// What differs between the three databases, for the same tests.
struct Target {
  std::string name;
  std::string connection;  // without password
  std::string password;    // empty for SQLite
  std::string long_text_type;
  std::string decimal_type;
  std::string byte_length_sql;  // SQL expression giving the stored byte length of column t
  std::string char_length_sql;  // ... and its length in characters
  std::string sleep_query;      // a query that runs for a long time
  std::string kill_others_sql;  // terminates the test user's other sessions
  std::string kill_list_sql;    // or, when non-empty: lists their ids, to kill one by one
  std::string kill_one_prefix;  // ... with this statement followed by the id
  bool server = true;
};

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

Target SqliteTarget() {
  std::string dir = testing::MakeTempDir("odbc-sqlite-" + std::to_string(getpid()));
  Target t;
  t.name = "sqlite";
  t.connection = "Driver=SQLite3;Database=" + dir + "/fixture.db;";
  t.long_text_type = "TEXT";
  t.decimal_type = "TEXT";  // SQLite has no exact decimal type: NUMERIC would store a REAL
  t.byte_length_sql = "length(CAST(t AS BLOB))";
  t.char_length_sql = "length(t)";
  t.sleep_query =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) "
      "SELECT CAST(count(*) AS TEXT) FROM c";
  t.server = false;
  return t;
}

std::optional<testing::Services> Servers() {
  std::string why;
  auto s = testing::LoadServices(why);
  if (!s) ADD_FAILURE() << why;
  return s;
}

Target PostgresTarget() {
  Target t;
  t.name = "postgresql";
  if (auto s = Servers()) {
    t.connection = s->postgresql_connection;
    t.password = s->password;
  }
  t.long_text_type = "TEXT";
  t.decimal_type = "NUMERIC(20,4)";
  t.byte_length_sql = "octet_length(t)";
  t.char_length_sql = "char_length(t)";
  t.sleep_query = "SELECT CAST(pg_sleep(60) AS TEXT)";
  t.kill_others_sql =
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE usename = current_user AND pid <> pg_backend_pid()";
  return t;
}

Target MariadbTarget() {
  Target t;
  t.name = "mariadb";
  if (auto s = Servers()) {
    t.connection = s->mariadb_connection;
    t.password = s->password;
  }
  t.long_text_type = "LONGTEXT";
  t.decimal_type = "DECIMAL(20,4)";
  t.byte_length_sql = "octet_length(t)";
  t.char_length_sql = "char_length(t)";
  t.sleep_query = "SELECT CAST(SLEEP(60) AS CHAR)";
  t.kill_list_sql =
      "SELECT id FROM information_schema.processlist "
      "WHERE user = 'accrochd' AND id <> CONNECTION_ID()";
  t.kill_one_prefix = "KILL ";
  return t;
}

Target TargetNamed(const std::string& name) {
  if (name == "sqlite") return SqliteTarget();
  if (name == "postgresql") return PostgresTarget();
  return MariadbTarget();
}

// Exactly 10,000 characters of accents, ligatures, emoji and XML-hostile ASCII.
std::string LongValue() {
  const std::string pattern = "Éloïse Œuvre cœur Lætitia ﬁﬂ 🎓👩🏽‍🎓 <&\"'> ";
  std::string out;
  std::size_t chars = 0;
  while (chars < 10'000) {
    for (std::size_t i = 0; i < pattern.size() && chars < 10'000;) {
      std::size_t len = 1;
      unsigned char c = static_cast<unsigned char>(pattern[i]);
      if (c >= 0xF0)
        len = 4;
      else if (c >= 0xE0)
        len = 3;
      else if (c >= 0xC0)
        len = 2;
      out.append(pattern, i, len);
      i += len;
      ++chars;
    }
  }
  return out;
}

struct FixtureRow {
  int id;
  std::string label;
  std::optional<std::string> t;
};

std::vector<FixtureRow> FixtureRows() {
  return {
      {1, "long", LongValue()},
      {2, "null", std::nullopt},
      {3, "empty", ""},
      {4, "accents", "Éloïse Hélène Noël — à ç ù ÿ ÀÉÎÕÜ"},
      {5, "ligatures", "Œuvre cœur Lætitia Æsope ﬁne ﬂeur"},
      {6, "emoji", "🎓📜✅ 👩🏽‍🎓 👨‍👩‍👧 ☃"},
      {7, "spaces", "  deux  espaces  "},
  };
}

class OdbcSourceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    target_ = TargetNamed(GetParam());
    ASSERT_FALSE(target_.connection.empty()) << "no connection for " << target_.name;
    admin_ = std::make_unique<OdbcAdmin>(AdminConnection());
  }

  std::string AdminConnection() const {
    return target_.password.empty() ? target_.connection
                                    : testing::WithPassword(target_.connection, target_.password);
  }

  // A table name private to this test, so tests on one server never meet.
  std::string Table(const std::string& base) const {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = base + "_" + std::to_string(getpid());
    (void)info;
    return name;
  }

  OdbcSourceSettings Settings() const {
    OdbcSourceSettings s;
    s.name = "fixture-" + target_.name;
    s.connection = target_.connection;
    if (!target_.password.empty()) s.password = target_.password;
    s.fetch_size = 3;
    s.query_timeout = std::chrono::minutes(1);
    return s;
  }

  std::unique_ptr<Source> Open(OdbcSourceSettings settings) {
    return OpenOdbcSource(std::move(settings), logger_, clock_);
  }

  std::string CreateFixtureTable() {
    std::string table = Table("fx");
    admin_->Exec("DROP TABLE IF EXISTS " + table);
    admin_->Exec("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, label VARCHAR(20), t " +
                 target_.long_text_type + ", v VARCHAR(12000), n " + target_.decimal_type +
                 ", d DATE)");
    for (const FixtureRow& r : FixtureRows()) {
      std::string t = r.t ? Quote(*r.t) : "NULL";
      admin_->Exec("INSERT INTO " + table + " VALUES (" + std::to_string(r.id) + ", " +
                   Quote(r.label) + ", " + t + ", " + t + ", '12345678901234.5678', '2024-02-29')");
    }
    return table;
  }

  // Reads everything, checking batch sizes on the way.
  std::vector<SourceRow> ReadAll(Source& source, const QuerySpec& spec, std::size_t fetch_size,
                                 std::shared_ptr<const Columns>* columns = nullptr) {
    std::vector<SourceRow> rows;
    auto stream = source.Query(spec, {});
    EXPECT_TRUE(stream.has_value()) << (stream ? "" : stream.error().message());
    if (!stream) return rows;
    RowBatch batch;
    for (;;) {
      Result<bool> more = (*stream)->Next(batch);
      EXPECT_TRUE(more.has_value()) << (more ? "" : more.error().message());
      if (!more || !*more) break;
      EXPECT_LE(batch.rows.size(), fetch_size);
      EXPECT_FALSE(batch.rows.empty());
      if (columns != nullptr) *columns = batch.columns;
      for (SourceRow& r : batch.rows) rows.push_back(std::move(r));
    }
    EXPECT_EQ((*stream)->rows_read(), rows.size());
    return rows;
  }

  void KillOtherSessions() {
    if (!target_.kill_others_sql.empty()) {
      admin_->Query(target_.kill_others_sql);
      return;
    }
    for (const auto& row : admin_->Query(target_.kill_list_sql)) {
      try {
        admin_->Exec(target_.kill_one_prefix + *row[0]);
      } catch (const std::exception&) {
        // The session may have ended between the listing and the kill.
      }
    }
  }

  Target target_;
  std::unique_ptr<OdbcAdmin> admin_;
  CaptureLogger logger_;
  FakeClock clock_;
};

TEST_P(OdbcSourceTest, FixtureIsStoredAsUtf8) {
  // Guards the other tests: the fixture went into the database as the intended UTF-8, so a
  // round trip through the driver cannot hide an encoding error made on the way in.
  std::string table = CreateFixtureTable();
  for (const FixtureRow& r : FixtureRows()) {
    if (!r.t) continue;
    auto bytes = admin_->Scalar("SELECT " + target_.byte_length_sql + " FROM " + table +
                                " WHERE id = " + std::to_string(r.id));
    auto chars = admin_->Scalar("SELECT " + target_.char_length_sql + " FROM " + table +
                                " WHERE id = " + std::to_string(r.id));
    EXPECT_EQ(bytes, std::to_string(r.t->size())) << r.label;
    EXPECT_EQ(chars, std::to_string(Utf8Length(*r.t))) << r.label;
  }
  EXPECT_EQ(Utf8Length(LongValue()), 10'000u);
}

TEST_P(OdbcSourceTest, ValuesComeThroughUnchanged) {
  std::string table = CreateFixtureTable();
  auto source = Open(Settings());
  QuerySpec spec;
  spec.sql =
      "SELECT id, label, t, v, n, d, SUBSTR(t, 1, 10000) AS expr FROM " + table + " ORDER BY id";
  std::shared_ptr<const Columns> columns;
  std::vector<SourceRow> rows = ReadAll(*source, spec, 3, &columns);
  const std::vector<FixtureRow> expected = FixtureRows();
  ASSERT_EQ(rows.size(), expected.size());
  ASSERT_TRUE(columns);
  EXPECT_EQ(columns->size(), 7u);
  const std::size_t t = *columns->Find("t"), v = *columns->Find("V"), n = *columns->Find("n"),
                    d = *columns->Find("d"), expr = *columns->Find("expr");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(expected[i].label);
    EXPECT_EQ(rows[i].values[t], expected[i].t);
    EXPECT_EQ(rows[i].values[v], expected[i].t);
    EXPECT_EQ(rows[i].values[expr], expected[i].t);
    EXPECT_EQ(rows[i].values[n], "12345678901234.5678");  // exact, not a double
    EXPECT_EQ(rows[i].values[d], "2024-02-29");
  }
  // NULL and the empty string stay apart.
  EXPECT_FALSE(rows[1].values[t].has_value());
  ASSERT_TRUE(rows[2].values[t].has_value());
  EXPECT_EQ(*rows[2].values[t], "");
}

TEST_P(OdbcSourceTest, PagedReadGivesTheSameRows) {
  std::string table = CreateFixtureTable();
  auto source = Open(Settings());
  QuerySpec plain{"SELECT id, label, t FROM " + table + " ORDER BY id", {}, 0};
  QuerySpec paged{"SELECT id, label, t FROM " + table, {"id"}, 2};
  std::vector<SourceRow> a = ReadAll(*source, plain, 3);
  std::vector<SourceRow> b = ReadAll(*source, paged, 3);
  ASSERT_EQ(a.size(), FixtureRows().size());
  ASSERT_EQ(b.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].values, b[i].values) << i;
}

TEST_P(OdbcSourceTest, PagesByTextKey) {
  std::string table = CreateFixtureTable();
  auto source = Open(Settings());
  QuerySpec paged{"SELECT label, id FROM " + table, {"label"}, 2};
  std::vector<SourceRow> rows = ReadAll(*source, paged, 3);
  std::vector<std::string> labels;
  for (const SourceRow& r : rows) labels.push_back(*r.values[0]);
  EXPECT_THAT(labels, ::testing::ElementsAre("accents", "emoji", "empty", "ligatures", "long",
                                             "null", "spaces"));
}

TEST_P(OdbcSourceTest, PagedReadRefusesDuplicateAndNullKeys) {
  std::string table = CreateFixtureTable();
  auto source = Open(Settings());
  {
    QuerySpec spec{"SELECT 'same' AS k, id FROM " + table, {"k"}, 2};
    auto stream = source->Query(spec, {});
    ASSERT_TRUE(stream.has_value());
    RowBatch batch;
    Result<bool> r = (*stream)->Next(batch);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidData);
    EXPECT_THAT(r.error().message(), HasSubstr("two rows share the same page_by key"));
  }
  {
    QuerySpec spec{"SELECT d, id FROM " + table, {"d"}, 2};
    auto stream = source->Query(spec, {});
    ASSERT_TRUE(stream.has_value());
    RowBatch batch;
    Result<bool> r = (*stream)->Next(batch);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind(), ErrorKind::kConfig);
    EXPECT_THAT(r.error().message(), HasSubstr("keyset paging needs integer or text columns"));
  }
  {
    QuerySpec spec{"SELECT label, t FROM " + table, {"t"}, 100};
    auto stream = source->Query(spec, {});
    ASSERT_TRUE(stream.has_value());
    RowBatch batch;
    Result<bool> r;
    do {
      r = (*stream)->Next(batch);
    } while (r.has_value() && *r);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidData);
    EXPECT_THAT(r.error().message(), HasSubstr("NULL in page_by column \"t\""));
  }
  {
    QuerySpec spec{"SELECT label FROM " + table, {"nothere"}, 100};
    auto stream = source->Query(spec, {});
    ASSERT_TRUE(stream.has_value());
    RowBatch batch;
    Result<bool> r = (*stream)->Next(batch);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind(), ErrorKind::kConfig);
    EXPECT_THAT(r.error().message(), HasSubstr("page_by column \"nothere\" is not a column"));
  }
}

// Queries reach the driver as written: PostgreSQL's casts work.
TEST(OdbcPostgresTest, CastsWithDoubleColonsWork) {
  std::string why;
  auto services = testing::LoadServices(why);
  ASSERT_TRUE(services.has_value()) << why;
  CaptureLogger logger;
  FakeClock clock;
  OdbcSourceSettings s;
  s.name = "pg";
  s.connection = services->postgresql_connection;
  s.password = services->password;
  auto source = OpenOdbcSource(s, logger, clock);
  auto stream = source->Query({"SELECT 42::text || ':x' AS v, '2024-02-29'::date AS d", {}, 0}, {});
  ASSERT_TRUE(stream.has_value()) << stream.error().message();
  RowBatch batch;
  ASSERT_TRUE((*stream)->Next(batch).value());
  ASSERT_EQ(batch.rows.size(), 1u);
  EXPECT_EQ(batch.rows[0].values[0], "42:x");
  EXPECT_EQ(batch.rows[0].values[1], "2024-02-29");
}

TEST_P(OdbcSourceTest, DescribesColumnsWithoutReading) {
  std::string table = CreateFixtureTable();
  auto source = Open(Settings());
  auto columns = source->DescribeColumns("SELECT id, label AS libelle, t FROM " + table, {});
  ASSERT_TRUE(columns.has_value()) << columns.error().message();
  ASSERT_EQ(columns->size(), 3u);
  EXPECT_TRUE(EqualsIgnoreAsciiCase((*columns)[1], "libelle"));
}

TEST_P(OdbcSourceTest, SqlErrorNamesTheSource) {
  auto source = Open(Settings());
  auto stream = source->Query({"SELECT no_such_column FROM no_such_table", {}, 0}, {});
  ASSERT_FALSE(stream.has_value());
  EXPECT_EQ(stream.error().kind(), ErrorKind::kSourceQuery);
  EXPECT_THAT(stream.error().message(), HasSubstr("source \"fixture-" + target_.name + "\""));
  EXPECT_THAT(stream.error().message(), HasSubstr("["));  // the SQLSTATE
}

TEST_P(OdbcSourceTest, RefusesWhatIsNotOneSelect) {
  auto source = Open(Settings());
  for (const char* sql : {"DELETE FROM x", "SELECT CAST(1 AS INTEGER); DROP TABLE x",
                          "SELECT a FROM y WHERE b = ?"}) {
    auto stream = source->Query({sql, {}, 0}, {});
    ASSERT_FALSE(stream.has_value()) << sql;
    EXPECT_EQ(stream.error().kind(), ErrorKind::kConfig) << sql;
  }
}

TEST_P(OdbcSourceTest, QueryTimeoutCancelsTheStatement) {
  OdbcSourceSettings settings = Settings();
  settings.query_timeout = std::chrono::seconds(1);
  auto source = Open(settings);
  auto stream = source->Query({target_.sleep_query, {}, 0}, {});
  ASSERT_FALSE(stream.has_value());
  EXPECT_EQ(stream.error().kind(), ErrorKind::kTimeout);
  EXPECT_THAT(stream.error().message(), HasSubstr("longer than query_timeout (1s)"));
  // The source is still usable afterwards.
  auto columns = source->DescribeColumns("SELECT 1 AS one", {});
  EXPECT_TRUE(columns.has_value());
}

TEST_P(OdbcSourceTest, StopRequestCancelsTheStatement) {
  auto source = Open(Settings());
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    stop.request_stop();
  });
  auto stream = source->Query({target_.sleep_query, {}, 0}, stop.get_token());
  stopper.join();
  ASSERT_FALSE(stream.has_value());
  EXPECT_EQ(stream.error().kind(), ErrorKind::kCancelled);
}

// Memory stays bounded however many rows there are: 120,000 rows of 1 kB (120 MB of text) are
// read while the process grows by far less. psqlODBC gets UseDeclareFetch from the connector;
// SQLite streams by nature; MariaDB's driver buffers whole results, so it is read by pages.
TEST_P(OdbcSourceTest, MemoryStaysBoundedOverManyRows) {
  constexpr int kRows = 120'000;
  std::string table = Table("big");
  admin_->Exec("DROP TABLE IF EXISTS " + table);
  admin_->Exec("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, t " + target_.long_text_type +
               ")");
  const std::string kilobyte = "REPEAT('x', 1000)";
  if (target_.name == "postgresql") {
    admin_->Exec("INSERT INTO " + table + " SELECT g, repeat('x', 1000) FROM generate_series(1, " +
                 std::to_string(kRows) + ") g");
  } else if (target_.name == "mariadb") {
    admin_->Exec("INSERT INTO " + table + " SELECT seq, " + kilobyte + " FROM seq_1_to_" +
                 std::to_string(kRows));
  } else {
    admin_->Exec("INSERT INTO " + table +
                 " WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < " +
                 std::to_string(kRows) + ") SELECT g, printf('%.1000c', 'x') FROM s");
  }
  OdbcSourceSettings settings = Settings();
  settings.fetch_size = 1000;
  auto source = Open(settings);
  QuerySpec spec{"SELECT id, t FROM " + table, {}, 0};
  if (target_.name == "mariadb") spec.page_by = {"id"}, spec.page_size = 5000;
  auto rss_kb = [] {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    }
    return 0L;
  };
  auto stream = source->Query(spec, {});
  ASSERT_TRUE(stream.has_value()) << stream.error().message();
  const long baseline = rss_kb();
  long peak = baseline;
  long rows = 0, last_id = 0;
  bool ordered = true;
  RowBatch batch;
  for (;;) {
    Result<bool> more = (*stream)->Next(batch);
    ASSERT_TRUE(more.has_value()) << more.error().message();
    if (!*more) break;
    for (const SourceRow& r : batch.rows) {
      long id = std::stol(*r.values[0]);
      if (spec.page_by.size() > 0 && id != last_id + 1) ordered = false;
      last_id = id;
      ASSERT_EQ(r.values[1]->size(), 1000u);
    }
    rows += static_cast<long>(batch.rows.size());
    peak = std::max(peak, rss_kb());
  }
  EXPECT_EQ(rows, kRows);
  EXPECT_TRUE(ordered);
  // 120 MB went through; the process grew by less than 40 MB.
  EXPECT_LT(peak - baseline, 40 * 1024) << "baseline " << baseline << " kB, peak " << peak << " kB";
  admin_->Exec("DROP TABLE " + table);
}

INSTANTIATE_TEST_SUITE_P(Drivers, OdbcSourceTest,
                         ::testing::Values("sqlite", "postgresql", "mariadb"),
                         [](const auto& param_info) { return param_info.param; });

// Tests that need a server on the other end of a network connection.
using OdbcServerTest = OdbcSourceTest;

std::string CreateNumbers(OdbcAdmin& admin, const std::string& table, int count,
                          const std::string& name) {
  admin.Exec("DROP TABLE IF EXISTS " + table);
  admin.Exec("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, v VARCHAR(20))");
  std::string values;
  for (int i = 1; i <= count; ++i) {
    if (!values.empty()) values += ",";
    values += "(" + std::to_string(i) + ", 'v" + std::to_string(i) + "')";
  }
  admin.Exec("INSERT INTO " + table + " VALUES " + values);
  (void)name;
  return table;
}

TEST_P(OdbcServerTest, ConnectionLostMidStreamIsResumedByPage) {
  std::string table = CreateNumbers(*admin_, Table("pages"), 1000, target_.name);
  OdbcSourceSettings settings = Settings();
  settings.fetch_size = 50;
  auto source = Open(settings);
  auto stream = source->Query({"SELECT id, v FROM " + table, {"id"}, 100}, {});
  ASSERT_TRUE(stream.has_value()) << stream.error().message();
  std::vector<int> ids;
  RowBatch batch;
  bool killed = false;
  for (;;) {
    Result<bool> more = (*stream)->Next(batch);
    ASSERT_TRUE(more.has_value()) << more.error().message();
    if (!*more) break;
    for (const SourceRow& r : batch.rows) ids.push_back(std::stoi(*r.values[0]));
    if (!killed && ids.size() >= 150) {
      KillOtherSessions();  // in the middle of the second page
      killed = true;
    }
  }
  ASSERT_EQ(ids.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(ids[static_cast<std::size_t>(i)], i + 1);
  EXPECT_THAT(logger_.Text(), HasSubstr("connection lost, reconnecting in 1s"));
  EXPECT_EQ(clock_.sleeps(), std::vector<Duration>{std::chrono::seconds(1)});
}

TEST_P(OdbcServerTest, ConnectionLostMidStreamWithoutPagingIsAnErrorNotAShorterResult) {
  std::string table = CreateNumbers(*admin_, Table("plain"), 1000, target_.name);
  OdbcSourceSettings settings = Settings();
  settings.fetch_size = 50;
  auto source = Open(settings);
  auto stream = source->Query({"SELECT id, v FROM " + table + " ORDER BY id", {}, 0}, {});
  ASSERT_TRUE(stream.has_value()) << stream.error().message();
  RowBatch batch;
  ASSERT_TRUE((*stream)->Next(batch).value());
  KillOtherSessions();
  std::size_t rows = batch.rows.size();
  Result<bool> more;
  for (;;) {
    more = (*stream)->Next(batch);
    if (!more || !*more) break;
    rows += batch.rows.size();
  }
  if (target_.name == "mariadb") {
    // MariaDB Connector/ODBC had the whole result in memory before the kill: it is all there.
    ASSERT_TRUE(more.has_value()) << more.error().message();
    EXPECT_EQ(rows, 1000u);
    EXPECT_THAT(logger_.Text(), HasSubstr("holds a whole result in memory"));
  } else {
    // psqlODBC reads 50 rows per round trip: the loss shows, and is reported.
    ASSERT_FALSE(more.has_value());
    EXPECT_EQ(more.error().kind(), ErrorKind::kSourceUnavailable);
    EXPECT_THAT(more.error().message(), HasSubstr("the connection was lost after 50 rows"));
    EXPECT_LT(rows, 1000u);
  }
}

TEST_P(OdbcServerTest, ConnectionLostBeforeTheFirstRowIsRetried) {
  std::string table = CreateNumbers(*admin_, Table("first"), 10, target_.name);
  auto source = Open(Settings());
  ASSERT_TRUE(source->Probe({}).has_value());  // connected
  KillOtherSessions();                         // ... and that connection is gone
  std::shared_ptr<const Columns> columns;
  std::vector<SourceRow> rows = ReadAll(*source, {"SELECT id FROM " + table, {}, 0}, 3, &columns);
  EXPECT_EQ(rows.size(), 10u);
}

TEST_P(OdbcServerTest, WrongPasswordIsAConfigurationErrorAndNeverShown) {
  OdbcSourceSettings settings = Settings();
  settings.password = "Wr0ng-S3cret;{x}";
  auto source = Open(settings);
  auto info = source->Probe({});
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().kind(), ErrorKind::kConfig);
  EXPECT_THAT(info.error().message(), Not(HasSubstr("Wr0ng-S3cret")));
  EXPECT_THAT(logger_.Text(), Not(HasSubstr("Wr0ng-S3cret")));
  EXPECT_TRUE(clock_.sleeps().empty());  // not retried: waiting will not fix it
}

INSTANTIATE_TEST_SUITE_P(Servers, OdbcServerTest, ::testing::Values("postgresql", "mariadb"),
                         [](const auto& param_info) { return param_info.param; });

// A server that does not answer: retried with capped exponential backoff, then reported with
// the source's name and a command to test the connection -- never the password.
TEST(OdbcUnreachableTest, RetriesWithBackoffThenNamesTheSource) {
  for (const std::string driver : {"PostgreSQL Unicode", "MariaDB Unicode"}) {
    SCOPED_TRACE(driver);
    CaptureLogger logger;
    FakeClock clock;
    OdbcSourceSettings s;
    s.name = "scolarite";
    s.connection = "Driver=" + driver + ";Server=127.0.0.1;Port=9;Database=x;Uid=accrochd;";
    s.password = "Sup3r-S3cret";
    s.retry.max_attempts = 4;
    s.retry.initial_delay = std::chrono::seconds(1);
    s.retry.max_delay = std::chrono::seconds(3);
    auto source = OpenOdbcSource(s, logger, clock);
    auto stream = source->Query({"SELECT 1", {}, 0}, {});
    ASSERT_FALSE(stream.has_value());
    EXPECT_EQ(stream.error().kind(), ErrorKind::kSourceUnavailable);
    const std::string& m = stream.error().message();
    EXPECT_THAT(m, HasSubstr("source \"scolarite\": unreachable after 4 attempt(s) over 6s"));
    EXPECT_THAT(m, HasSubstr("isql -v -k \"Driver=" + driver));
    EXPECT_THAT(m, Not(HasSubstr("Sup3r-S3cret")));
    EXPECT_THAT(logger.Text(), Not(HasSubstr("Sup3r-S3cret")));
    EXPECT_EQ(clock.sleeps(),
              (std::vector<Duration>{std::chrono::seconds(1), std::chrono::seconds(2),
                                     std::chrono::seconds(3)}));
    auto events = logger.events();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].message_id, kMessageIdSourceUnavailable);
  }
}

TEST(OdbcUnreachableTest, UnknownDriverIsAConfigurationError) {
  CaptureLogger logger;
  FakeClock clock;
  OdbcSourceSettings s;
  s.name = "typo";
  s.connection = "Driver=PostgreSQL Unicod;Server=127.0.0.1;";
  auto source = OpenOdbcSource(s, logger, clock);
  auto info = source->Probe({});
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().kind(), ErrorKind::kConfig);
  EXPECT_THAT(info.error().message(), HasSubstr("odbcinst -q -d"));
  EXPECT_TRUE(clock.sleeps().empty());
}

// A SQLite file read through the SQLite ODBC driver: accrochd only reads, so a missing file is
// never created (the driver would, and every later query would fail with "no such table").
class OdbcSqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("odbc-sqlite-file-" + std::to_string(getpid()));
    path_ = dir_ + "/ecole.db";
  }

  // A database at `path` whose table t holds `rows` rows, made through a plain ODBC connection.
  static void MakeDatabase(const std::string& path, int rows) {
    OdbcAdmin admin("Driver=SQLite3;Database=" + path + ";");
    admin.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    for (int i = 1; i <= rows; ++i) admin.Exec("INSERT INTO t VALUES (" + std::to_string(i) + ")");
  }

  std::unique_ptr<Source> Open(const std::string& connection) {
    OdbcSourceSettings s;
    s.name = "ecole";
    s.connection = connection;
    return OpenOdbcSource(std::move(s), logger_, clock_);
  }

  // The rows of SELECT id FROM t, or the error's message.
  static Result<std::size_t> CountRows(Source& source) {
    auto stream = source.Query({"SELECT id FROM t", {}, 0}, {});
    if (!stream) return std::unexpected(stream.error());
    std::size_t rows = 0;
    RowBatch batch;
    for (;;) {
      Result<bool> more = (*stream)->Next(batch);
      if (!more) return std::unexpected(more.error());
      if (!*more) return rows;
      rows += batch.rows.size();
    }
  }

  std::string MissingMessage() const {
    return "source \"ecole\": cannot connect: the SQLite database file " + path_ +
           " does not exist (accrochd only reads: it opens the file with NoCreat=1 and never "
           "creates it). Check Database= in the connection string, or put the file back: a "
           "running accrochd reads it again at its next cycle";
  }

  std::string dir_;
  std::string path_;
  CaptureLogger logger_;
  FakeClock clock_;
};

TEST_F(OdbcSqliteFileTest, MissingFileIsNotCreatedAndIsAConfigurationErrorNamingThePath) {
  auto source = Open("Driver=SQLite3;Database=" + path_ + ";");
  auto info = source->Probe({});
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(info.error().message(), MissingMessage());
  auto rows = CountRows(*source);
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().message(), MissingMessage());
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_TRUE(clock_.sleeps().empty());  // not retried within the call: waiting will not fix it

  // The file put in place: the same source reads it at the next call.
  MakeDatabase(path_, 3);
  rows = CountRows(*source);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, 3u);
}

TEST_F(OdbcSqliteFileTest, MissingFileIsNotCreatedThroughADriverPath) {
  auto source =
      Open("Driver=/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so;Database={" + path_ + "};");
  auto info = source->Probe({});
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().message(), MissingMessage());
  EXPECT_FALSE(std::filesystem::exists(path_));
}

// A DSN whose odbc.ini entry names the driver and the file: found before connecting too.
TEST_F(OdbcSqliteFileTest, MissingFileIsNotCreatedThroughADsn) {
  testing::WriteFile(dir_ + "/odbc.ini", "[ecole_dsn]\nDriver=SQLite3\nDatabase=" + path_ + "\n");
  const char* before = std::getenv("ODBCINI");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("ODBCINI", (dir_ + "/odbc.ini").c_str(), 1);
  auto source = Open("DSN=ecole_dsn;");
  auto info = source->Probe({});
  if (before != nullptr) {
    ::setenv("ODBCINI", saved.c_str(), 1);
  } else {
    ::unsetenv("ODBCINI");
  }
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().message(), MissingMessage());
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(OdbcSqliteFileTest, AnExplicitNoCreatIsLeftAsWritten) {
  auto source = Open("Driver=SQLite3;Database=" + path_ + ";NoCreat=0;");
  auto info = source->Probe({});
  ASSERT_TRUE(info.has_value()) << info.error().message();
  EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST_F(OdbcSqliteFileTest, FileReplacedByRenameOrRemovedIsReadAfresh) {
  MakeDatabase(path_, 2);
  auto source = Open("Driver=SQLite3;Database=" + path_ + ";");
  auto rows = CountRows(*source);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, 2u);

  // As most tools refresh a file: a new one written beside it, renamed over it.
  MakeDatabase(path_ + ".new", 5);
  std::filesystem::rename(path_ + ".new", path_);
  rows = CountRows(*source);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, 5u);
  EXPECT_THAT(logger_.Text(), HasSubstr("source \"ecole\": the database file " + path_ +
                                        " was replaced; reconnecting"));

  std::filesystem::rename(path_, path_ + ".away");
  rows = CountRows(*source);
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().message(), MissingMessage());
  EXPECT_THAT(logger_.Text(),
              HasSubstr("source \"ecole\": the database file " + path_ + " is gone; reconnecting"));
  EXPECT_FALSE(std::filesystem::exists(path_));

  std::filesystem::rename(path_ + ".away", path_);
  rows = CountRows(*source);
  ASSERT_TRUE(rows.has_value()) << rows.error().message();
  EXPECT_EQ(*rows, 5u);
}

// An empty file where the database should be -- what the driver left at a missing path before
// NoCreat=1 -- is named as such, with what to do.
TEST_F(OdbcSqliteFileTest, EmptyFileLeftByAnEarlierRunIsExplained) {
  testing::WriteFile(path_, "");
  auto source = Open("Driver=SQLite3;Database=" + path_ + ";");
  auto rows = CountRows(*source);
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().kind(), ErrorKind::kSourceQuery);
  EXPECT_THAT(rows.error().message(), HasSubstr("no such table: t"));
  EXPECT_THAT(rows.error().message(),
              HasSubstr("(the SQLite database file " + path_ +
                        " is empty: an earlier accrochd may have created it while the file was "
                        "missing; put the real file in its place)"));
}

// Unchanged, the file is read on the same connection: nothing is logged, no reconnection.
TEST_F(OdbcSqliteFileTest, UnchangedFileKeepsItsConnection) {
  MakeDatabase(path_, 1);
  auto source = Open("Driver=SQLite3;Database=" + path_ + ";");
  for (int i = 0; i < 3; ++i) {
    auto rows = CountRows(*source);
    ASSERT_TRUE(rows.has_value()) << rows.error().message();
  }
  EXPECT_THAT(logger_.Text(), Not(HasSubstr("reconnecting")));
}

TEST(OdbcLibraryVersionsTest, ReportsTheLoadedLibraries) {
  OdbcLibraryVersions v = GetOdbcLibraryVersions();
  EXPECT_EQ(v.soci, "4.0.3");
  EXPECT_THAT(v.unixodbc, ::testing::MatchesRegex("2\\.[0-9]+\\.[0-9]+"));
}

}  // namespace
}  // namespace accrochd::source
