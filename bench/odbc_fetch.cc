// The fetch floor of a cycle that reads every row: the same query read whole through accrochd's
// own source connector (the read stage alone: no mapping, no store), and through the ODBC driver
// with nothing around it, each value bound in arrays of `fetch_size` rows (what the driver itself
// costs, below any per-value call). Prints wall and CPU time of each; asserts nothing
// (bench/README.md).
//
//   odbc_fetch CONNECTION PASSWORD_FILE QUERY
//
// The connection string is given as in accrochd's configuration, without the password; the
// connector adds what it adds for its driver (psqlODBC: UseDeclareFetch=1;Fetch=1000), and the
// bare read is given the same.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <sql.h>
#include <sqlext.h>

#include "connectors/source/odbc_source.h"

namespace {

using accrochd::NullLogger;
using accrochd::SystemClock;
using accrochd::source::OdbcSourceSettings;
using accrochd::source::OpenOdbcSource;
using accrochd::source::QuerySpec;
using accrochd::source::RowBatch;

constexpr std::size_t kFetchSize = 1000;  // the connector's default fetch_size
constexpr SQLLEN kWidth = 256;            // bytes per bound value (the bench's are shorter)

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "odbc_fetch: %s\n", what.c_str());
  std::exit(1);
}

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

struct Figures {
  std::uint64_t rows = 0, bytes = 0;
  double wall = 0, cpu = 0;
};

template <typename Read>
Figures Measure(Read read) {
  Figures f;
  const auto start = std::chrono::steady_clock::now();
  const double cpu = CpuSeconds();
  read(f);
  f.cpu = CpuSeconds() - cpu;
  f.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return f;
}

// Through the connector, as the read stage does: batches of SourceRow, every value a string.
void ThroughTheConnector(const OdbcSourceSettings& settings, const std::string& sql, Figures& f) {
  NullLogger logger;
  SystemClock clock;
  auto source = OpenOdbcSource(settings, logger, clock);
  if (auto info = source->Probe({}); !info) Die(info.error().message());
  auto stream = source->Query(QuerySpec{sql, {}, 0}, {});
  if (!stream) Die(stream.error().message());
  RowBatch batch;
  for (;;) {
    auto more = (*stream)->Next(batch);
    if (!more) Die(more.error().message());
    if (!*more) return;
    f.rows += batch.rows.size();
    for (const auto& row : batch.rows) {
      for (const auto& v : row.values) f.bytes += v ? v->size() : 0;
    }
  }
}

// The driver alone: column-wise arrays bound once, one SQLFetch per fetch_size rows, each value
// copied into a string as the connector's would be.
void TheDriverAlone(const std::string& connection, const std::string& sql, Figures& f) {
  SQLHENV env = SQL_NULL_HENV;
  SQLHDBC dbc = SQL_NULL_HDBC;
  SQLHSTMT st = SQL_NULL_HSTMT;
  SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
  std::string text = connection;
  if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, nullptr, reinterpret_cast<SQLCHAR*>(text.data()),
                                      SQL_NTS, nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT))) {
    Die("the driver alone: cannot connect");
  }
  SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
  SQLULEN fetched = 0;
  SQLSetStmtAttr(st, SQL_ATTR_ROW_BIND_TYPE, SQL_BIND_BY_COLUMN, 0);
  SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(kFetchSize), 0);
  SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0);
  std::string query = sql;
  if (!SQL_SUCCEEDED(SQLExecDirect(st, reinterpret_cast<SQLCHAR*>(query.data()), SQL_NTS))) {
    Die("the driver alone: the query failed");
  }
  SQLSMALLINT columns = 0;
  SQLNumResultCols(st, &columns);
  std::vector<char> values(static_cast<std::size_t>(columns) * kFetchSize * kWidth);
  std::vector<SQLLEN> lengths(static_cast<std::size_t>(columns) * kFetchSize);
  for (SQLSMALLINT c = 0; c < columns; ++c) {
    const std::size_t at = static_cast<std::size_t>(c) * kFetchSize;
    SQLBindCol(st, static_cast<SQLUSMALLINT>(c + 1), SQL_C_CHAR, &values[at * kWidth], kWidth,
               &lengths[at]);
  }
  for (SQLRETURN rc; (rc = SQLFetch(st)) != SQL_NO_DATA;) {
    if (!SQL_SUCCEEDED(rc)) Die("the driver alone: a fetch failed");
    for (SQLULEN r = 0; r < fetched; ++r) {
      for (SQLSMALLINT c = 0; c < columns; ++c) {
        const std::size_t at = static_cast<std::size_t>(c) * kFetchSize + r;
        if (lengths[at] == SQL_NULL_DATA) continue;
        if (lengths[at] >= kWidth) Die("the driver alone: a value longer than a bound buffer");
        const std::string value(&values[at * kWidth], static_cast<std::size_t>(lengths[at]));
        f.bytes += value.size();
      }
    }
    f.rows += fetched;
  }
  SQLFreeHandle(SQL_HANDLE_STMT, st);
  SQLDisconnect(dbc);
  SQLFreeHandle(SQL_HANDLE_DBC, dbc);
  SQLFreeHandle(SQL_HANDLE_ENV, env);
}

std::string ReadPassword(const std::string& path) {
  std::ifstream in(path);
  std::string password;
  if (!std::getline(in, password)) Die("cannot read the password file " + path);
  return password;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) Die("usage: odbc_fetch CONNECTION PASSWORD_FILE QUERY");
  const std::string connection = argv[1], sql = argv[3];
  const std::string password = ReadPassword(argv[2]);
  OdbcSourceSettings settings;
  settings.name = "bench";
  settings.connection = connection;
  settings.password = password;
  settings.fetch_size = kFetchSize;
  const Figures connector = Measure([&](Figures& f) { ThroughTheConnector(settings, sql, f); });
  std::string bare = connection;
  if (!bare.empty() && bare.back() != ';') bare += ';';
  bare += "PWD={" + password + "};";
  if (bare.find("PostgreSQL") != std::string::npos) {
    bare += "UseDeclareFetch=1;Fetch=" + std::to_string(kFetchSize) + ";";
  }
  const Figures driver = Measure([&](Figures& f) { TheDriverAlone(bare, sql, f); });
  if (driver.rows != connector.rows || driver.bytes != connector.bytes) {
    Die("the two reads differ: " + std::to_string(connector.rows) + " and " +
        std::to_string(driver.rows) + " rows");
  }
  std::printf("%llu rows, %llu bytes of values\n", static_cast<unsigned long long>(connector.rows),
              static_cast<unsigned long long>(connector.bytes));
  std::printf("  through accrochd's connector (the read stage alone): %.2f s (CPU %.2f s)\n",
              connector.wall, connector.cpu);
  std::printf("  the driver alone, values bound in arrays of %zu rows: %.2f s (CPU %.2f s)\n",
              kFetchSize, driver.wall, driver.cpu);
  return 0;
}
