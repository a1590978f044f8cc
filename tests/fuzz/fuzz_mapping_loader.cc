// libFuzzer target: the mapping loader on arbitrary bytes, for both schema versions. Whatever
// the input, loading must end with a mapping or diagnostics -- never a crash, a hang, a leak or
// undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mappings/dictionary.h"
#include "mappings/mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (auto version :
       {accrochd::mappings::SchemaVersion::k112, accrochd::mappings::SchemaVersion::k115}) {
    accrochd::Diagnostics diagnostics;
    auto mapping = accrochd::mappings::LoadMappingText(text, "fuzz.yaml", version, diagnostics);
    if (mapping) {
      for (const std::string& column : accrochd::mappings::ReferencedColumns(*mapping)) {
        (void)accrochd::mappings::ColumnLocation(*mapping, column);
      }
    }
    // No message repeats more than a short excerpt of the input (see Excerpt in core/text.h):
    // a long input must not come back whole.
    for (const accrochd::Diagnostic& d : diagnostics) {
      if (d.ToString().size() > 2'000) __builtin_trap();
    }
  }
  return 0;
}
