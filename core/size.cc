#include "core/size.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <limits>
#include <utility>

namespace accrochd {

Result<std::uint64_t> ParseSize(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  bool digits = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (value > std::numeric_limits<std::uint64_t>::max() / 10 - 9) {
      return Fail(ErrorKind::kConfig, "size \"" + std::string(text) + "\" is too large");
    }
    value = value * 10 + static_cast<std::uint64_t>(text[i++] - '0');
    digits = true;
  }
  while (i < text.size() && text[i] == ' ') ++i;
  const std::string_view unit = text.substr(i);
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> kUnits = {
      {{"", 1},
       {"B", 1},
       {"kB", 1000},
       {"MB", 1000 * 1000},
       {"GB", 1000ull * 1000 * 1000},
       {"KiB", 1024},
       {"MiB", 1024 * 1024},
       {"GiB", 1024ull * 1024 * 1024}}};
  for (const auto& [name, factor] : kUnits) {
    if (unit == name && digits) {
      if (value > std::numeric_limits<std::uint64_t>::max() / factor) {
        return Fail(ErrorKind::kConfig, "size \"" + std::string(text) + "\" is too large");
      }
      return value * factor;
    }
  }
  return Fail(ErrorKind::kConfig, "invalid size \"" + std::string(text) +
                                      "\": expected a number and a unit such as \"100MB\" "
                                      "(B, kB, MB, GB, KiB, MiB, GiB)");
}

std::string FormatSize(std::uint64_t bytes) {
  char buffer[32];
  if (bytes >= 1000 * 1000) {
    std::snprintf(buffer, sizeof(buffer), "%.1f MB", static_cast<double>(bytes) / 1e6);
  } else if (bytes >= 1000) {
    std::snprintf(buffer, sizeof(buffer), "%.1f kB", static_cast<double>(bytes) / 1e3);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%llu B", static_cast<unsigned long long>(bytes));
  }
  return buffer;
}

}  // namespace accrochd
