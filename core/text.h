// Small text helpers shared by every module. Text is UTF-8 everywhere inside accrochd.
#ifndef ACCROCHD_CORE_TEXT_H_
#define ACCROCHD_CORE_TEXT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace accrochd {

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in well-formed UTF-8 `s`: the CDC's lengths count characters, not bytes.
std::size_t Utf8Length(std::string_view s);

// Byte offset of the first invalid sequence, or nullopt when `s` is well-formed.
std::optional<std::size_t> FirstInvalidUtf8(std::string_view s);

// ASCII case-insensitive equality, for keywords such as ODBC connection string keys.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// Replaces every occurrence of `secret` in `text` by "***" (no-op for an empty secret). Used on
// messages that come back from drivers, as a last line of defence: a password must never reach
// a log line even if a driver echoes it.
std::string ScrubSecret(std::string text, std::string_view secret);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_TEXT_H_
