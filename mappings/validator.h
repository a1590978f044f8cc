// Validation of mapped passages for a schema version: every facet of the XSD (lengths in
// characters, enumerations, real calendar dates in 1900-2099, integers and their ranges, the
// NIR pattern, XML 1.0 characters), nil rules, the dictionary's conditional rules, the order of
// dates; and two rules beyond the XSD: a passage delivered in the future is held back until its
// day, and the same passage under two keys is a probable duplicate.
#ifndef ACCROCHD_MAPPINGS_VALIDATOR_H_
#define ACCROCHD_MAPPINGS_VALIDATOR_H_

#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/calendar.h"
#include "mappings/dictionary.h"
#include "mappings/passage.h"

namespace accrochd::mappings {

enum class Verdict {
  kValid,        // ready for a deposit
  kHeld,         // valid, but its date of delivery is after today: not due yet
  kQuarantined,  // at least one Rejection
};

class Validator {
 public:
  // `today` is the certifier's local date.
  Validator(SchemaVersion version, Date today) : version_(version), today_(today) {}

  // Completes and checks `row.passage` in place: canonical values, nil for absent values the
  // dictionary allows to be nil, codePaysNaissance derived from a 99XXX codeInsee, the
  // identification branch chosen; appends a Rejection per broken rule.
  Verdict Check(MappedRow& row) const;

 private:
  SchemaVersion version_;
  Date today_;
};

// What one cycle has seen of a certifier's passages: the CDC wants an idTechnique used once per
// émetteur, and one passage per holder, certification and date of delivery. Not thread-safe.
class CycleChecks {
 public:
  // A rejection when `p` repeats an idTechnique already seen in this cycle. Every identified
  // row is registered, quarantined ones too: once the first is corrected, the two would collide
  // at the CDC.
  std::optional<Rejection> RegisterIdTechnique(const Passage& p);

  // A rejection when `p` is a probable duplicate of an earlier valid passage: the same
  // certification, the same holder (birth name and first name compared without case or
  // accents, birth date, sex; or the same idDossier, or the same NIR) and the same date of
  // delivery. The first seen is kept; the later is the one rejected.
  std::optional<Rejection> RegisterHolder(const Passage& p);

 private:
  std::set<std::string> id_techniques_;
  std::map<std::string, std::string> holders_;  // identity -> idTechnique
};

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_VALIDATOR_H_
