// Sizes as administrators write them: "100MB", "200 MB", "64MiB", "500kB". kB, MB, GB are powers
// of 1000 (as the CDC's "200 Mo"); KiB, MiB, GiB powers of 1024. A bare number is bytes.
#ifndef ACCROCHD_CORE_SIZE_H_
#define ACCROCHD_CORE_SIZE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace accrochd {

Result<std::uint64_t> ParseSize(std::string_view text);

// For people: "100 MB", "512 B" when exact, else rounded to one decimal ("1.5 MB").
std::string FormatSize(std::uint64_t bytes);

// For configuration output: always reads back through ParseSize to the same number
// ("100 MB", "123456789 B").
std::string FormatSizeExact(std::uint64_t bytes);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_SIZE_H_
