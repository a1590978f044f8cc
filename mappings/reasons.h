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

#include "mappings/dictionary.h"
#include "mappings/mapping.h"
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

// The column a rule reads, for messages ("" for constants; "a, b" for templates).
std::string RuleColumns(const FieldRule& rule);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_REASONS_H_
