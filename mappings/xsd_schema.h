// An XSD written from accrochd's encoding of the dictionary, for a schema version. Deposit files
// are validated against the official XSD file when the configuration names one (the file a
// certifier downloads from the CDC portal), and against this one otherwise; tests check that
// both accept and refuse the same files.
#ifndef ACCROCHD_MAPPINGS_XSD_SCHEMA_H_
#define ACCROCHD_MAPPINGS_XSD_SCHEMA_H_

#include <string>

#include "mappings/dictionary.h"

namespace accrochd::mappings {

std::string GenerateXsd(SchemaVersion version);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_XSD_SCHEMA_H_
