// A certifier's database, seen as a place to run read-only queries and stream their rows.
#ifndef ACCROCHD_CONNECTORS_SOURCE_SOURCE_H_
#define ACCROCHD_CONNECTORS_SOURCE_SOURCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/source_row.h"
#include "core/error.h"

namespace accrochd::source {

// One query to run. Without `page_by`, the query runs once and its rows are streamed in
// batches; the driver decides how much it buffers (psqlODBC is switched to cursor fetching
// automatically; MariaDB Connector/ODBC 3.1.15 always buffers the whole result). With
// `page_by`, the query is read as a sequence of pages ordered by those columns -- which together
// must be unique and never NULL -- so memory stays bounded with any driver, and a connection
// lost between pages resumes where it stopped.
// The kind of values a column holds, as far as accrochd compares them.
enum class ValueKind { kInteger, kDate, kTimestamp, kText, kOther };

struct ColumnType {
  ValueKind kind = ValueKind::kOther;
  int sql_type = 0;  // the driver's SQL data type (SQL_TYPE_TIMESTAMP, ...)
};

// Only rows whose `column` is at or after `from` (bound as a parameter of the column's type).
struct CursorFilter {
  std::string column;
  std::string from;
  ColumnType type;
};

struct QuerySpec {
  std::string sql;
  std::vector<std::string> page_by;
  std::size_t page_size = 10'000;
  std::optional<CursorFilter> since = std::nullopt;  // the query wrapped as SELECT * FROM (sql) WHERE col >= ?
};

// What the driver says about itself and the server, for `accrochd check` and the logs.
struct SourceInfo {
  std::string dbms_name;
  std::string dbms_version;
  std::string driver_name;
  std::string driver_version;
};

// The rows of one query. Not thread-safe; it borrows its Source's connection, so it must be
// destroyed before the Source and before the next Query() on that Source.
class RowStream {
 public:
  virtual ~RowStream() = default;

  // Replaces `batch` with the next rows. Returns false, with an empty batch, at the end of the
  // result. An error is never an end: a connection lost after rows were delivered is an error
  // (kSourceUnavailable), not a shorter result.
  [[nodiscard]] virtual Result<bool> Next(RowBatch& batch) = 0;

  virtual std::uint64_t rows_read() const = 0;
};

// Not thread-safe: one Source is used by one thread at a time.
class Source {
 public:
  virtual ~Source() = default;

  virtual const std::string& name() const = 0;

  // Connects if needed (retrying with backoff) and reports what is on the other side.
  [[nodiscard]] virtual Result<SourceInfo> Probe(std::stop_token stop) = 0;

  // The result columns of `sql`, without reading any row.
  [[nodiscard]] virtual Result<std::vector<std::string>> DescribeColumns(const std::string& sql,
                                                                         std::stop_token stop) = 0;

  // The type of one result column of `sql`, without reading any row.
  [[nodiscard]] virtual Result<ColumnType> DescribeColumnType(const std::string& sql,
                                                              const std::string& column,
                                                              std::stop_token stop) = 0;

  // Closes the connection, if one is open; the next call connects afresh. No RowStream of this
  // source may be alive.
  virtual void Disconnect() = 0;

  // Starts a query. Connection problems before the first row are retried with backoff.
  [[nodiscard]] virtual Result<std::unique_ptr<RowStream>> Query(const QuerySpec& spec,
                                                                 std::stop_token stop) = 0;
};

}  // namespace accrochd::source

#endif  // ACCROCHD_CONNECTORS_SOURCE_SOURCE_H_
