// libFuzzer target: the receipt reader on arbitrary bytes. Whatever the input, reading must end
// with a receipt or an error -- never a crash, a hang, a leak or undefined behaviour -- and what
// it concludes must hold: a receipt is either a file rejection or passages, each idTechnique
// non-empty with one outcome; an error names the input and never repeats it whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "connectors/xml/receipt_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto receipt = accrochd::xml::ParseReceipt(bytes, "fuzz.xml");
  if (!receipt) {
    const std::string& message = receipt.error().message();
    if (!message.starts_with("fuzz.xml:") || message.size() > 1024) std::abort();
    return 0;
  }
  if (receipt->file_rejected() && (!receipt->ok.empty() || !receipt->ko.empty())) std::abort();
  std::set<std::string_view> ids;
  for (const std::string& id : receipt->ok) {
    if (id.empty() || !ids.insert(id).second) std::abort();
  }
  for (const accrochd::xml::ReceiptPassageKo& ko : receipt->ko) {
    if (ko.id_technique.empty() || !ids.insert(ko.id_technique).second) std::abort();
  }
  return 0;
}
