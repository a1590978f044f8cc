// Reads back, from a deposit file the CDC accepted (its archived copy, zstd- or gzip-compressed,
// or the file itself), what a SUPPRESSION must name of some of its passages: the certification
// each is filed under and its cpf:identificationTitulaire, exactly as deposited -- the personal
// data stay in the files, never in the state store. Streaming (libxml2's xmlTextReader, network
// and entity expansion off): memory stays flat in the size of the file.
#ifndef ACCROCHD_CONNECTORS_XML_ACCEPTED_READER_H_
#define ACCROCHD_CONNECTORS_XML_ACCEPTED_READER_H_

#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/error.h"
#include "mappings/passage.h"

namespace accrochd::xml {

struct AcceptedPassage {
  std::string id_technique;  // as written in the file
  mappings::Certification certification;
  std::optional<std::string> nature_deposant;
  // The cpf:identificationTitulaire element as deposited, serialized on one line (the cpf and
  // xsi prefixes of a deposit file, declared by the file it goes into).
  std::string identification;
};

// The passages of `path` whose idTechnique is in `wanted`, by idTechnique. An error naming the
// file when it cannot be read or is not well-formed; ids not found are simply absent.
Result<std::map<std::string, AcceptedPassage>> ReadAcceptedPassages(
    const std::string& path, const std::set<std::string>& wanted);

// A SUPPRESSION's cpf:passageCertification, on one line (the official SUPPRESSION example):
// the idTechnique and the identificationTitulaire, nothing else.
std::string SerializeSuppression(const std::string& id_technique, const AcceptedPassage& passage);

}  // namespace accrochd::xml

#endif  // ACCROCHD_CONNECTORS_XML_ACCEPTED_READER_H_
