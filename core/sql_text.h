// The SQL text an administrator writes in a mapping, checked before it reaches a driver, and the
// page queries built around it for keyset pagination. Plain text work, in core so that the
// mapping loader checks a query without depending on the ODBC connector.
#ifndef ACCROCHD_CORE_SQL_TEXT_H_
#define ACCROCHD_CORE_SQL_TEXT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accrochd::source {

// How a database spells "the first n rows".
enum class PageSyntax {
  kLimit,        // ... LIMIT n                            PostgreSQL, MariaDB/MySQL, SQLite
  kOffsetFetch,  // ... OFFSET 0 ROWS FETCH NEXT n ROWS ONLY  SQL Server 2012+, Oracle 12c+, DB2
};

// A problem that makes `sql` unusable as an extraction query, or nullopt. Checked: one single
// SELECT (or WITH ... SELECT) statement, and no '?' parameter marker outside quotes (the page
// queries bind their own). Queries go to the driver as written (SQLPrepare), so PostgreSQL's
// "::" casts and any other dialect are fine.
std::optional<std::string> CheckQueryText(std::string_view sql);

// `sql` without trailing whitespace and semicolons, so that it can be wrapped.
std::string StripTrailingTerminator(std::string_view sql);

// One page of `sql` ordered by `keys`: the first page when `after_previous` is false; otherwise
// the rows after the previous page's last key, whose values are bound as parameters, in this
// order: k1, k1, k2, k1, k2, k3, ... (the expanded form of (k1, k2, ...) > (?, ?, ...), which
// every database understands).
std::string BuildPageQuery(std::string_view sql, const std::vector<std::string>& keys,
                           std::size_t page_size, PageSyntax syntax, bool after_previous);

// `sql` restricted to the rows whose `column` is at or after one bound parameter.
std::string BuildSinceQuery(std::string_view sql, const std::string& column);

// Order in which the previous page's last key values are bound into BuildPageQuery's
// parameters: indexes into `keys`.
std::vector<std::size_t> PageParameterOrder(std::size_t key_count);

}  // namespace accrochd::source

#endif  // ACCROCHD_CORE_SQL_TEXT_H_
