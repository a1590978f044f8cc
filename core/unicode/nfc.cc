#include "core/unicode/nfc.h"

#include <cstdint>
#include <cstdlib>
#include <memory>

#include <utf8proc.h>

#include "core/text.h"

namespace accrochd {
namespace {

// U+0300, the first character NFC can act on, is 0xCC 0x80 in UTF-8; every lead byte of a
// character below it is smaller, and continuation bytes (0x80..0xBF) are too.
constexpr unsigned char kFirstByteNfcMayChange = 0xCC;

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

}  // namespace

bool NfcByBytes(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= kFirstByteNfcMayChange) return false;
  }
  return true;
}

std::string ToNfc(std::string_view s) {
  std::string out(s);
  NormalizeNfc(out);
  return out;
}

bool NormalizeNfc(std::string& s) {
  if (NfcByBytes(s) || !IsValidUtf8(s)) return false;
  // UTF8PROC_STABLE | UTF8PROC_COMPOSE is what utf8proc_NFC() asks for; utf8proc_map takes an
  // explicit length, so a U+0000 inside the text is a character like another (XML validation
  // refuses it later), not the end of the string.
  utf8proc_uint8_t* raw = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
      &raw, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> result(raw);
  // The text is well-formed, so only a failed allocation can fail here: the text is then kept
  // as it came.
  if (n < 0) return false;
  const std::string_view composed(reinterpret_cast<const char*>(result.get()),
                                  static_cast<std::size_t>(n));
  if (composed == s) return false;
  s.assign(composed);
  return true;
}

}  // namespace accrochd
