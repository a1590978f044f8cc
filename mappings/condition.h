// A condition on a row of a mapping's query: one column and one test, or a combination of
// conditions (all, any). The row rules (skip_when, quarantine_when, require) and `choose` use
// them; accrochd.mapping(5), ROW RULES, describes the language.
//
// A column's value is tested in NFC (as the mapper gives it) and trimmed of blanks; NULL and a
// blank value are both "empty". An empty value equals nothing, is in no list and matches no
// pattern: `equals`, `in` and `matches` are false for it, and `not_equals`, `not_in` and
// `not_matches` true -- so "the value is not one of these" holds for a missing value, which a
// rule then catches (test `empty` separately when a missing value is to be treated otherwise).
#ifndef ACCROCHD_MAPPINGS_CONDITION_H_
#define ACCROCHD_MAPPINGS_CONDITION_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "mappings/pattern.h"

namespace accrochd::mappings {

struct Condition {
  enum class Test {
    kEmpty,       // empty: true
    kNotEmpty,    // empty: false
    kEquals,      // equals: value
    kNotEquals,   // not_equals: value
    kIn,          // in: [value, ...]
    kNotIn,       // not_in: [value, ...]
    kMatches,     // matches: regex (the whole value)
    kNotMatches,  // not_matches: regex
    kAll,         // all: [condition, ...]
    kAny,         // any: [condition, ...]
  };
  Test test = Test::kEmpty;
  std::string column;               // the column tested; empty for kAll and kAny
  std::vector<std::string> values;  // kEquals, kIn (and their negations): NFC, as written
  std::vector<std::string> folded;  // the same, folded as ignore_case / ignore_accents say
  bool ignore_case = false;
  bool ignore_accents = false;
  std::string pattern;                      // kMatches, kNotMatches: as written
  std::optional<CompiledPattern> compiled;  // compiled once, at load
  std::vector<Condition> conditions;        // kAll, kAny: at least one
  Location location;
};

// How deep all/any may nest.
inline constexpr int kMaxConditionDepth = 8;

// Compiles the regular expression of a matches / not_matches test, as the field rules' pattern
// step does (mappings/pattern.h: ECMAScript, code points, polynomial time, values over
// kPatternMaxValueLength characters never match); nullopt with `problem` set (in English) when
// it is empty, not valid or too long.
std::optional<CompiledPattern> CompilePattern(const std::string& pattern, std::string& problem);

// Whether the leaf test `c` (not all/any) holds for a column's value (nullopt: NULL). The value
// must be in NFC; it is trimmed here.
bool TestValue(const Condition& c, const std::optional<std::string>& value);

// The columns `c` reads, added to `out` each once, in order of first use.
void AddConditionColumns(const Condition& c, std::vector<std::string>& out);

// A short rendering, for counts and messages: "decision in [ajourné, absent]",
// "all(pays not empty, pays not in [France, FR])"; cut to about `max_chars` characters.
std::string DescribeCondition(const Condition& c, std::size_t max_chars = 80);

// A condition whose columns are resolved to their positions in a query's result.
struct BoundCondition {
  const Condition* condition = nullptr;
  std::size_t column = 0;
  std::vector<BoundCondition> conditions;
};

// Binds `c`, `find` giving a column's position (it records the columns a result lacks).
BoundCondition BindCondition(const Condition& c,
                             const std::function<std::size_t(const std::string&)>& find);

// Whether `c` holds for a row's values (in NFC, as the mapper gives them).
bool Holds(const BoundCondition& c, const std::vector<std::optional<std::string>>& values);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_CONDITION_H_
