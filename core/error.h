// Errors as values (style.md §4, after DuckDB's CONTRIBUTING.md and Abseil's Status).
//
// Expected failures -- a bad configuration, a database that is down, an invalid row -- are
// returned as Result<T>, a std::expected carrying an Error. The message always names where the
// problem is (a file:line:col, a source name, a row key and field) and, when the fix is not
// obvious, what to do. Exceptions from libraries are caught at the adapter that calls them and
// turned into an Error there; assert() is for programmer errors only.
#ifndef ACCROCHD_CORE_ERROR_H_
#define ACCROCHD_CORE_ERROR_H_

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace accrochd {

enum class ErrorKind {
  kConfig,             // configuration, mapping or credential is wrong: fix it, then retry
  kUsage,              // command line is wrong
  kSourceUnavailable,  // the certifier's database cannot be reached now: retry later
  kSourceQuery,        // the database answered with an error for this query (SQL, permissions)
  kTimeout,            // an operation took longer than its configured limit
  kInvalidData,        // data read from outside (row, receipt, deposit file) is wrong
  kIo,                 // local file system
  kCancelled,          // stop requested (SIGTERM) while waiting
  kInternal,           // a bug: should never happen
};

std::string_view ErrorKindName(ErrorKind kind);

class [[nodiscard]] Error {
 public:
  Error(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is prefixed by `context: `.
  Error WithContext(std::string_view context) const;

 private:
  ErrorKind kind_;
  std::string message_;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for returning an error from a function returning Result<T>.
inline std::unexpected<Error> Fail(ErrorKind kind, std::string message) {
  return std::unexpected<Error>(Error(kind, std::move(message)));
}

}  // namespace accrochd

#endif  // ACCROCHD_CORE_ERROR_H_
