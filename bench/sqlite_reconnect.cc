// What a cycle pays to read a SQLite file through the SQLite ODBC driver on a kept connection
// (with the file identity check made before each query) against a fresh connection each cycle.
// Prints figures; asserts nothing (bench/README.md).
//
//   sqlite_reconnect DATABASE QUERY [ROUNDS]
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "connectors/source/odbc_source.h"

namespace {

using accrochd::NullLogger;
using accrochd::SystemClock;
using accrochd::source::OdbcSourceSettings;
using accrochd::source::OpenOdbcSource;
using accrochd::source::QuerySpec;
using accrochd::source::RowBatch;
using accrochd::source::Source;

double Milliseconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The median over `rounds` runs of `step`, in milliseconds.
double Median(int rounds, const std::function<void()>& step) {
  std::vector<double> times;
  for (int i = 0; i < rounds; ++i) {
    const auto start = std::chrono::steady_clock::now();
    step();
    times.push_back(Milliseconds(std::chrono::steady_clock::now() - start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "sqlite_reconnect: %s\n", what.c_str());
  std::exit(1);
}

std::uint64_t ReadAll(Source& source, const std::string& sql) {
  auto info = source.Probe({});  // as each cycle does before its first query
  if (!info) Die(info.error().message());
  auto stream = source.Query(QuerySpec{sql, {}, 0}, {});
  if (!stream) Die(stream.error().message());
  std::uint64_t rows = 0;
  RowBatch batch;
  for (;;) {
    auto more = (*stream)->Next(batch);
    if (!more) Die(more.error().message());
    if (!*more) return rows;
    rows += batch.rows.size();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) Die("usage: sqlite_reconnect DATABASE QUERY [ROUNDS]");
  const std::string database = argv[1], sql = argv[2];
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 20;
  NullLogger logger;
  SystemClock clock;
  OdbcSourceSettings settings;
  settings.name = "bench";
  settings.connection = "Driver=SQLite3;Database=" + database + ";";

  auto kept = OpenOdbcSource(settings, logger, clock);
  const std::uint64_t rows = ReadAll(*kept, sql);  // connects, warms the OS page cache
  const double on_kept = Median(rounds, [&] { ReadAll(*kept, sql); });
  const double on_fresh = Median(rounds, [&] {
    auto fresh = OpenOdbcSource(settings, logger, clock);
    ReadAll(*fresh, sql);
  });
  const double connect_only = Median(rounds, [&] {
    auto fresh = OpenOdbcSource(settings, logger, clock);
    if (auto info = fresh->Probe({}); !info) Die(info.error().message());
  });
  constexpr int kStats = 100000;
  struct stat st {};
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kStats; ++i) ::stat(database.c_str(), &st);
  const double stat_us = Milliseconds(std::chrono::steady_clock::now() - start) * 1000.0 / kStats;

  std::printf("%s: %llu rows, median of %d rounds\n", database.c_str(),
              static_cast<unsigned long long>(rows), rounds);
  std::printf("  kept connection (identity check, then the query): %9.2f ms\n", on_kept);
  std::printf("  fresh connection each time, then the query:        %9.2f ms\n", on_fresh);
  std::printf("  connecting alone (open, probe, close):             %9.2f ms\n", connect_only);
  std::printf("  the identity check alone (one stat):               %9.2f us\n", stat_us);
  return 0;
}
