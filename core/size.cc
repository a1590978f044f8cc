#include "core/size.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <limits>
#include <utility>

#include "core/text.h"

namespace accrochd {

Result<std::uint64_t> ParseSize(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  bool digits = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (value > std::numeric_limits<std::uint64_t>::max() / 10 - 9) {
      return Fail(ErrorKind::kConfig, "size " + Excerpt(text) + " is too large");
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
        return Fail(ErrorKind::kConfig, "size " + Excerpt(text) + " is too large");
      }
      return value * factor;
    }
  }
  return Fail(ErrorKind::kConfig, "invalid size " + Excerpt(text) +
                                      ": expected a number and a unit such as \"100MB\" "
                                      "(B, kB, MB, GB, KiB, MiB, GiB)");
}

std::string FormatSize(std::uint64_t bytes) {
  // The unit follows the magnitude; no decimal when it divides exactly ("100 MB").
  char buffer[32];
  for (const auto& [name, factor] : {std::pair{"GB", 1000ull * 1000 * 1000},
                                     std::pair{"MB", 1000ull * 1000}, std::pair{"kB", 1000ull}}) {
    if (bytes < factor) continue;
    if (bytes % factor == 0) return std::to_string(bytes / factor) + " " + name;
    std::snprintf(buffer, sizeof(buffer), "%.1f %s",
                  static_cast<double>(bytes) / static_cast<double>(factor), name);
    return buffer;
  }
  return std::to_string(bytes) + " B";
}

std::string FormatSizeExact(std::uint64_t bytes) {
  for (const auto& [name, factor] : {std::pair{"GB", 1000ull * 1000 * 1000},
                                     std::pair{"MB", 1000ull * 1000}, std::pair{"kB", 1000ull}}) {
    if (bytes >= factor && bytes % factor == 0) return std::to_string(bytes / factor) + " " + name;
  }
  return std::to_string(bytes) + " B";
}
}  // namespace accrochd
