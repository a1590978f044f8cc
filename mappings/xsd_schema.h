// An XSD written from accrochd's encoding of the dictionary, for a schema version. Deposit files
// are validated against the official XSD file when the configuration names one (the file a
// certifier downloads from the CDC portal), and against this one otherwise; tests check that
// both accept and refuse the same files.
//
// Its complex types hold their elements in one of two ways:
// - XsdOrder::kAny, as the official XSD does (xsd:all: in any order). `accrochd validate` checks
//   files against it, whoever wrote them.
// - XsdOrder::kWriters, in the order of the official declarations, which is the one accrochd's
//   writer follows (xsd:sequence, each element with the same occurrences). It accepts a subset of
//   the files the official XSD accepts -- the same ones, elements in that order -- and is what the
//   daemon checks its own files against: libxml2 runs a sequence through a compact deterministic
//   automaton, where an xsd:all takes its counted automaton, which compares each element's name
//   with every transition and saves its state to backtrack -- a third of the check's time
//   (bench/README.md, 2026-12-05, morning).
#ifndef ACCROCHD_MAPPINGS_XSD_SCHEMA_H_
#define ACCROCHD_MAPPINGS_XSD_SCHEMA_H_

#include <string>

#include "mappings/dictionary.h"

namespace accrochd::mappings {

enum class XsdOrder { kAny, kWriters };

std::string GenerateXsd(SchemaVersion version, XsdOrder order = XsdOrder::kAny);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_XSD_SCHEMA_H_
