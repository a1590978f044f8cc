// Rows as they come out of a certifier's database, in accrochd's own types: the rest of the
// program never sees SOCI or ODBC. Part of core so that the domain (mappings/) reads rows without
// depending on the ODBC connector, which produces them; the namespace names the concept.
#ifndef ACCROCHD_CORE_SOURCE_ROW_H_
#define ACCROCHD_CORE_SOURCE_ROW_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accrochd::source {

// The column names of one result, in order, shared by all its rows.
class Columns {
 public:
  explicit Columns(std::vector<std::string> names) : names_(std::move(names)) {}

  std::size_t size() const { return names_.size(); }
  const std::string& name(std::size_t i) const { return names_[i]; }
  const std::vector<std::string>& names() const { return names_; }

  // Position of a column. Names compare without ASCII case: drivers disagree on the case they
  // report (PostgreSQL folds unquoted names to lower case, others keep what the query wrote).
  std::optional<std::size_t> Find(std::string_view name) const;

 private:
  std::vector<std::string> names_;
};

// One value: nullopt is SQL NULL, distinct from the empty string. Text is the driver's
// character rendering of the value (numbers and dates included, so NUMERIC stays exact), in
// UTF-8 as the drivers deliver it; its well-formedness is checked by validation, not here.
using Value = std::optional<std::string>;

struct SourceRow {
  std::vector<Value> values;  // one per column, in the order of Columns
};

// A batch of rows read in one round trip. `columns` is the same object for every batch of a
// query.
struct RowBatch {
  std::shared_ptr<const Columns> columns;
  std::vector<SourceRow> rows;
};

}  // namespace accrochd::source

#endif  // ACCROCHD_CORE_SOURCE_ROW_H_
