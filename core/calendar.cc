#include "core/calendar.h"

#include <cstdio>

namespace accrochd {

std::optional<Date> ParseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (std::size_t i = starts[p]; i < starts[p] + lengths[p]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      parts[p] = parts[p] * 10 + (text[i] - '0');
    }
  }
  Date d{std::chrono::year(parts[0]), std::chrono::month(static_cast<unsigned>(parts[1])),
         std::chrono::day(static_cast<unsigned>(parts[2]))};
  if (!d.ok()) return std::nullopt;
  return d;
}

std::string FormatIsoDate(Date d) {
  const int year = static_cast<int>(d.year());
  const unsigned month = static_cast<unsigned>(d.month());
  const unsigned day = static_cast<unsigned>(d.day());
  if (year >= 0 && year <= 9999 && month <= 99 && day <= 99) {
    // Digit by digit: the state store formats two dates per passage it records, and snprintf's
    // format parsing was 2 % of the record stage's CPU (bench/README.md).
    std::string out(10, '-');
    out[0] = static_cast<char>('0' + year / 1000);
    out[1] = static_cast<char>('0' + year / 100 % 10);
    out[2] = static_cast<char>('0' + year / 10 % 10);
    out[3] = static_cast<char>('0' + year % 10);
    out[5] = static_cast<char>('0' + month / 10);
    out[6] = static_cast<char>('0' + month % 10);
    out[8] = static_cast<char>('0' + day / 10);
    out[9] = static_cast<char>('0' + day % 10);
    return out;
  }
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buffer;
}

std::string FormatFrenchDate(Date d) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%02u/%02u/%04d", static_cast<unsigned>(d.day()),
                static_cast<unsigned>(d.month()), static_cast<int>(d.year()));
  return buffer;
}

int DaysBetween(Date from, Date to) {
  return static_cast<int>((std::chrono::sys_days(to) - std::chrono::sys_days(from)).count());
}

}  // namespace accrochd
