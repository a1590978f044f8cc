#include "core/unicode/characters.h"

#include <cstdlib>
#include <memory>

#include <utf8proc.h>

#include "core/text.h"

namespace accrochd {
namespace {

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

bool IsLetterOrNumber(utf8proc_int32_t c) {
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool IsUnicodeBlank(char32_t c) {
  if (c == U' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85) return true;
  if (c > 0x10FFFF) return false;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return true;
    default:
      return false;
  }
}

std::string RemoveBlanks(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  std::size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t c = 0;
    const utf8proc_ssize_t len =
        utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(s.size() - i), &c);
    if (len <= 0) {  // not UTF-8: kept, for validation to report
      out += s[i++];
      continue;
    }
    if (!IsUnicodeBlank(static_cast<char32_t>(c)))
      out.append(s.substr(i, static_cast<std::size_t>(len)));
    i += static_cast<std::size_t>(len);
  }
  return out;
}

std::string Fingerprint(std::string_view s) {
  if (!IsValidUtf8(s)) return std::string(s);
  const std::string latin = FoldForComparison(s, /*ignore_accents=*/true, /*ignore_case=*/true);
  utf8proc_uint8_t* raw = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(latin.data()),
                   static_cast<utf8proc_ssize_t>(latin.size()), &raw,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                                  UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD));
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> folded(raw);
  // Only a failed allocation fails on well-formed text: the Latin folding then stands alone.
  const std::string_view text = n < 0
                                    ? std::string_view(latin)
                                    : std::string_view(reinterpret_cast<const char*>(folded.get()),
                                                       static_cast<std::size_t>(n));
  std::string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t c = 0;
    const utf8proc_ssize_t len =
        utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(text.size() - i), &c);
    if (len <= 0) break;  // cannot happen: the text is well-formed
    if (IsLetterOrNumber(c)) out.append(text.substr(i, static_cast<std::size_t>(len)));
    i += static_cast<std::size_t>(len);
  }
  return out;
}

}  // namespace accrochd
