#include "core/source_row.h"

#include "core/text.h"

namespace accrochd::source {

std::optional<std::size_t> Columns::Find(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (EqualsIgnoreAsciiCase(names_[i], name)) return i;
  }
  return std::nullopt;
}

}  // namespace accrochd::source
