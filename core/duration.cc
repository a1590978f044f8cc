#include "core/duration.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <utility>

#include "core/text.h"

namespace accrochd {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t millis;
};

// Longest names first so that "min" is not read as "m" + "in", and "ms" not as "m" + "s".
constexpr std::array<Unit, 5> kUnits = {{
    {"min", 60'000},
    {"ms", 1},
    {"s", 1000},
    {"h", 3'600'000},
    {"d", 86'400'000},
}};

constexpr std::string_view kExpected =
    "expected a duration such as \"30s\", \"5min\", \"1h 30min\" or \"2d\" (units: ms, s, min, h, "
    "d)";

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  std::size_t i = 0;
  std::int64_t total = 0;
  bool any = false;
  auto skip_spaces = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  skip_spaces();
  while (i < text.size()) {
    std::size_t start = i;
    std::int64_t value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (value > std::numeric_limits<std::int64_t>::max() / 10 - 9) {
        return Fail(ErrorKind::kConfig, "duration " + Excerpt(text) + " is too large");
      }
      value = value * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) {
      return Fail(ErrorKind::kConfig,
                  "invalid duration " + Excerpt(text) + ": " + std::string(kExpected));
    }
    while (i < text.size() && text[i] == ' ') ++i;  // "5 min", as systemd accepts
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        std::size_t after = i + u.name.size();
        if (after == text.size() || text[after] == ' ' ||
            std::isdigit(static_cast<unsigned char>(text[after]))) {
          unit = &u;
          i = after;
          break;
        }
      }
    }
    if (unit == nullptr) {
      return Fail(ErrorKind::kConfig, "invalid duration " + Excerpt(text) +
                                          ": missing or unknown unit; " + std::string(kExpected));
    }
    if (value > (std::numeric_limits<std::int64_t>::max() - total) / unit->millis) {
      return Fail(ErrorKind::kConfig, "duration " + Excerpt(text) + " is too large");
    }
    total += value * unit->millis;
    any = true;
    skip_spaces();
  }
  if (!any) {
    return Fail(ErrorKind::kConfig, "empty duration: " + std::string(kExpected));
  }
  return Duration(total);
}

std::string FormatDuration(Duration d) {
  std::int64_t left = d.count();
  if (left == 0) return "0s";
  std::string out;
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kOrder = {
      {{"d", 86'400'000}, {"h", 3'600'000}, {"min", 60'000}, {"s", 1000}, {"ms", 1}}};
  for (const auto& [name, millis] : kOrder) {
    if (left >= millis) {
      if (!out.empty()) out += ' ';
      out += std::to_string(left / millis);
      out += name;
      left %= millis;
    }
  }
  return out;
}

}  // namespace accrochd
