// Reads the CDC's "accusé de traitement" (cdc/README.md §7): which passages of a deposit were
// accepted (PassagesOK), which were refused and why (PassagesKO), or that the whole file was
// rejected (erreurs). The report has no published XSD, so the reader is lenient in form -- names
// matched case-insensitively by local name, namespaces ignored, unknown elements skipped -- and
// strict in what it concludes: anything ambiguous (no outcome at all, erreurs and passages
// together, an idTechnique with two outcomes) is an error, and nothing is concluded.
//
// The input comes from outside: it is parsed from memory with network access off, no entity
// substitution and no DTD loading; any DOCTYPE is refused (receipts have none, and this stops
// entity bombs and external entities); the size is capped before parsing.
#ifndef ACCROCHD_CONNECTORS_XML_RECEIPT_READER_H_
#define ACCROCHD_CONNECTORS_XML_RECEIPT_READER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace accrochd::xml {

struct ReceiptPassageKo {
  std::string id_technique;
  std::string message;  // messageErreur, trimmed; "" when empty or absent
  int line = 0;         // of the <passage> element
};

// One erreurs/erreur: the CDC's validator message about the deposited file.
struct ReceiptFileError {
  std::string type, message;        // e.g. "XSD"; the raw validator message
  std::optional<int> line, column;  // ligne/colonne in the deposited file, when given
};

struct Receipt {
  // Absent or empty elements are nullopt. nomFichier and idFlux may be missing (idFlux always
  // is when the file was rejected).
  std::optional<std::string> nom_fichier, id_flux, id_traitement;
  std::vector<std::string> ok;           // idTechniques of PassagesOK, in order
  std::vector<ReceiptPassageKo> ko;      // PassagesKO/passage, in order
  std::vector<ReceiptFileError> errors;  // erreurs/erreur: the whole file was rejected
  bool file_rejected() const { return !errors.empty(); }
};

// Real receipts are a few kilobytes per thousand passages; 16 MiB leaves room for the CDC's
// 200 000 passages per file (cdc/README.md §5.7) and bounds the memory of the DOM.
inline constexpr std::size_t kMaxReceiptBytes = 16 * 1024 * 1024;

// Parses a receipt held in memory. `name_for_messages` (usually the file's path) starts every
// error message, followed by the line (and column, for XML errors) at fault. Errors are
// ErrorKind::kInvalidData. Thread-safe (libxml2's error handler is per thread).
Result<Receipt> ParseReceipt(std::string_view bytes, const std::string& name_for_messages);

// Reads and parses the receipt at `path`; a file over kMaxReceiptBytes is refused before it is
// read. ErrorKind::kIo when the file cannot be read.
Result<Receipt> ReadReceiptFile(const std::string& path);

}  // namespace accrochd::xml

#endif  // ACCROCHD_CONNECTORS_XML_RECEIPT_READER_H_
