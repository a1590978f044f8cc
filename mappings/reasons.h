// The quarantine's messages, in French and in the CDC's terms, for the certification staff:
// one catalog of templates with {placeholders}. A message names the field, the rule and the
// column; it shows the value only when the field is not personal data (names, birth data,
// NIR are never shown).
#ifndef ACCROCHD_MAPPINGS_REASONS_H_
#define ACCROCHD_MAPPINGS_REASONS_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mappings/dictionary.h"
#include "mappings/mapping.h"
#include "mappings/passage.h"
#include "mappings/value_rules.h"

namespace accrochd::mappings {

// Fills the catalog's template `id` with `values`.
std::string RenderReason(std::string_view id,
                         std::initializer_list<std::pair<std::string_view, std::string>> values);

// A value that breaks the field's type or facets.
std::string ReasonForValue(const FieldSpec& spec, const Violation& violation,
                           std::string_view value);

// A mandatory value is missing; `column` (may be empty) is where it was read from; `by_map` when
// the mapping's value map gave no value for what the column held.
std::string ReasonRequired(const FieldSpec& spec, std::string_view column, bool by_map = false);

// A value the mapping requires (required: true) is missing.
std::string ReasonRequiredByMapping(const FieldSpec& spec, std::string_view column);
std::string ReasonNilNotAllowed(const FieldSpec& spec);

// A value the mapping's map does not list.
std::string ReasonNotInMap(const FieldSpec& spec, std::string_view column, std::string_view value);

// A value that does not match the rule's pattern (`outcome` says how: kNoMatch, kTooLong,
// kFailed); shows the value only for fields that are not personal data, and the mapping's
// pattern_reason instead of the catalogue's words when it has one.
std::string ReasonPattern(const FieldSpec& spec, const PatternRule& pattern,
                          std::string_view column, std::string_view value, PatternOutcome outcome);

// A date no format of the rule reads, or a day that does not exist.
std::string ReasonDate(const FieldSpec& spec, const FieldRule& rule, std::string_view column,
                       bool impossible);

// A birth date after today (`after_today`) or after the date of delivery; `fields` are those
// compared ("anneeNaissance, moisNaissance"), `columns` where they were read ("a, b"; may be
// empty). The birth date itself is never shown.
std::string ReasonBirthAfter(bool after_today, std::string_view fields, std::string_view columns);

// A date outside the mapping's range: after its not_after (`after`) or before its not_before.
std::string ReasonDateRange(const FieldSpec& spec, bool after, const DateBound& bound,
                            std::string_view column);

// A row rule of the mapping (quarantine_when, require) quarantines the passage: its `reason`, and
// the columns its condition reads ("a, b"). Never a value of the row.
std::string ReasonMappingRule(std::string_view reason, std::string_view columns);

// codeInsee 99100 (France is not a commune) and codePaysNaissance 100 or 99100 (France: the
// field is for the foreign-born); `column` where the value was read (may be empty).
std::string ReasonInseeFrance(std::string_view column);
std::string ReasonPaysNaissanceFrance(std::string_view column);

// The columns a rule reads, for messages, each once, in order of first use: "" for constants,
// "a, b" for templates and coalesce. For a choose, the source columns of `branch` (a
// MappedRow::Choice) -- or, for a branch without any (a constant), the columns of its
// condition; with kNoBranchHeld the columns of every condition; with kEveryBranch every column
// of every branch.
std::string RuleColumns(const FieldRule& rule, int branch = kEveryBranch);

// The same, added to `out` (each column once).
void AddRuleColumns(const FieldRule& rule, int branch, std::vector<std::string>& out);

// "a, b".
std::string JoinColumns(const std::vector<std::string>& columns);

// A row's certification (read from columns) that the CDC would refuse, for each
// CertificationFault; `type_columns` and `code_columns` are where its parts were read (empty for
// a constant). Codes and types are not personal data: they are shown.
std::string ReasonCertification(const CertificationFault& fault, const Certification& c,
                                std::string_view type_columns, std::string_view code_columns);

// No type or no code: `columns` are the empty ones ("a" or "a, b"), or with `by_map` the column
// whose value the map sent to no value.
std::string ReasonCertificationAbsent(std::string_view columns, bool by_map);

// A step of the rule of `part` ("type" or "code") refused the value (a map that does not list
// it, ...).
std::string ReasonCertificationStep(std::string_view part, Rule rule, std::string_view columns,
                                    std::string_view value);

// A free code (types other than RNCP and RS) that breaks 4.2: length, characters.
std::string ReasonCertificationCode(const Violation& violation, std::string_view code,
                                    std::string_view columns);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_REASONS_H_
