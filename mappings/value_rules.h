// The rules one value must follow to be written in a dictionary field: the XSD's type, length,
// enumeration and pattern facets, and XML 1.0's characters. Used at load time on constants and
// map targets, and on every mapped value before a passage is accepted.
#ifndef ACCROCHD_MAPPINGS_VALUE_RULES_H_
#define ACCROCHD_MAPPINGS_VALUE_RULES_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mappings/dictionary.h"

namespace accrochd::mappings {

// Every reason a passage can be quarantined for. The names (RuleName) are stable identifiers,
// shown with each quarantine entry and usable in scripts.
enum class Rule {
  kRequired,             // a mandatory value is missing
  kNilNotAllowed,        // nil where the schema or the dictionary wants a value
  kLength,               // too many or too few characters
  kEnumeration,          // not one of the CDC's values
  kInteger,              // not a whole number
  kRange,                // a number out of its range
  kDateFormat,           // not a date in the form YYYY-MM-DD
  kCalendarDate,         // a date that does not exist (2024-02-30)
  kYearRange,            // a year outside 1900-2099
  kBoolean,              // not true / false
  kNirPattern,           // not a 13-character NIR
  kXmlChar,              // a character XML 1.0 cannot carry
  kUtf8,                 // bytes that are not UTF-8
  kResultatsFormat,      // bloc 6 results not written "D.C:N;..."
  kNotInMap,             // a source value the mapping's value map does not list
  kDateUnreadable,       // a source date that matches none of the mapping's formats
  kPattern,              // a value that does not match the mapping's pattern
  kConditional,          // a conditional rule of the dictionary
  kDateOrder,            // an end date before its start date
  kBirthDate,            // day, month and year of birth that make no date (or a day without month)
  kBirthAfterToday,      // a birth date after today, in the certifier's time zone
  kBirthAfterDelivery,   // a birth date after the date of delivery (dateDebutValidite)
  kDateRange,            // a date outside the mapping's not_before / not_after
  kMissingKey,           // a key column is NULL or empty
  kRepeatedIdTechnique,  // two rows give the same idTechnique
  kIdentification,       // no complete identification of the holder
  kProbableDuplicate,    // the same holder, certification and date under another key
  kCertification,        // a row's certification: unknown type, malformed code, or they disagree
  kXsd,                  // refused by the XSD when the deposit file was checked
  kMappingRule,          // a row rule of the mapping (quarantine_when, require)
  kBirthplaceFrance,     // France's code 99100 as a codeInsee, or as a codePaysNaissance
};

std::string_view RuleName(Rule rule);

struct Violation {
  Rule rule = Rule::kLength;
  std::size_t length = 0;   // kLength: characters found
  std::size_t offset = 0;   // kUtf8: byte offset; kXmlChar: character position (1-based)
  char32_t code_point = 0;  // kXmlChar
};

// Checks `value` against the field's type and facets. nullopt when it is valid.
std::optional<Violation> CheckValue(const FieldSpec& spec, std::string_view value);

// The canonical spelling of a valid value: "05" -> "5" for integers, "1" -> "true" for
// booleans; other values are kept as they are.
std::string CanonicalValue(const FieldSpec& spec, std::string_view value);

// The problem, in English, for the administrator who wrote `value` in a mapping.
std::string DescribeViolationForAdministrator(const FieldSpec& spec, std::string_view value,
                                              const Violation& violation);

// One DigComp result of bloc 6.
struct Resultat {
  std::string domaine_competence_id;  // 6.3, one character (1 to 5)
  std::string competence_id;          // 6.4, one character
  std::string niveau;                 // 6.2, 1 to 8
};

// Parses "D.C:N;D.C:N" (e.g. "1.1:3;2.4:5"); nullopt when the text is not in that form or a
// part is out of its limits.
std::optional<std::vector<Resultat>> ParseResultats(std::string_view text);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_VALUE_RULES_H_
