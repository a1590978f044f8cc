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

// The column a rule reads, for messages ("" for constants; "a, b" for templates).
std::string RuleColumns(const FieldRule& rule);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_REASONS_H_
