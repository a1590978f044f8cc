// libFuzzer target: NFC (core/unicode/nfc.h) on arbitrary bytes, which is what a database can
// send. Text that is not UTF-8 comes back untouched; UTF-8 comes back as UTF-8, normalizing it
// again changes nothing, and the byte test that spares the library call never says "already
// NFC" of a text the library would change.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/text.h"
#include "core/unicode/nfc.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string once = input;
  const bool changed = accrochd::NormalizeNfc(once);
  if (changed == (once == input)) __builtin_trap();
  if (!accrochd::IsValidUtf8(input)) {
    if (changed) __builtin_trap();
    return 0;
  }
  if (!accrochd::IsValidUtf8(once)) __builtin_trap();
  std::string twice = once;
  if (accrochd::NormalizeNfc(twice)) __builtin_trap();
  if (accrochd::NfcByBytes(input)) {
    // Ask the library itself: a space then U+0300 never composes, and makes the text one the
    // byte test sends to the library.
    const std::string probe = input + " \xCC\x80";
    if (accrochd::ToNfc(probe) != probe) __builtin_trap();
  }
  return 0;
}
