// A mapping: how passages are read from a certifier's database and laid onto the CDC dictionary.
// One YAML file per query: its certification is a constant, or read from columns row by row
// (one mapping for a whole catalogue); the language is described in accrochd.mapping(5).
//
// A field's value is computed in a fixed order, each step optional:
//   every column's value in Unicode NFC (always) ->
//   source (column | constant | nil | template | coalesce | choose)
//   -> trim, fold_spaces, remove_spaces, digits_only -> word / words_from (separators) -> case
//   -> pad_left -> map -> pattern -> date (+ part) -> empty is NULL
// and a date so read may carry a range (not_before, not_after), checked by the validator, which
// knows the certifier's today.
// Small and composable, and no scripting language: what a mapping can do is what this file
// declares. Row rules (skip_when, quarantine_when, require) test conditions on the row's columns
// (mappings/condition.h) before the fields are mapped. The mapping's own texts (constants,
// template literals, separators, map keys and values, patterns, the certification) are put in NFC
// as they are loaded, so that a key typed in decomposed form matches.
#ifndef ACCROCHD_MAPPINGS_MAPPING_H_
#define ACCROCHD_MAPPINGS_MAPPING_H_

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "core/diagnostic.h"
#include "core/duration.h"
#include "mappings/condition.h"
#include "mappings/dictionary.h"
#include "mappings/pattern.h"

namespace accrochd::mappings {

struct Certification {
  std::string type;  // CDC "type": RNCP, RS, ... (dictionary 4.1)
  std::string code;  // CDC "code": RNCP34567, RS5875, ... (dictionary 4.2)

  bool operator==(const Certification&) const = default;
  auto operator<=>(const Certification&) const = default;
};

// Literal text or a column reference, for templates ("{nom} {prenom}").
struct TemplatePart {
  bool column = false;
  std::string text;  // the literal, or the column name
};

enum class SourceKind { kColumn, kConstant, kNil, kTemplate, kCoalesce, kChoose };

// One branch of a `choose` source: when its condition holds (or always, for the otherwise
// branch, which has none and comes last), the field's value comes from its own source -- one of
// the other kinds, held in the same members as FieldRule's.
struct ChooseBranch {
  std::optional<Condition> when;  // nullopt: otherwise
  SourceKind source = SourceKind::kColumn;
  std::string column;
  std::string constant;
  std::vector<TemplatePart> template_parts;
  std::vector<std::string> coalesce;
  Location location;
};

enum class LetterCase { kKeep, kUpper, kLower };

// word: N keeps the Nth word (1-based); words_from: N keeps the Nth word and all after it,
// joined by one space. Words are separated by runs of blanks, or by any of `separators`, where
// " " stands for a run of blanks.
struct WordRule {
  int index = 1;
  bool rest = false;
  std::vector<std::string> separators;  // empty: runs of blanks
};

// What a map entry or default gives: a CDC value, nil (xsi:nil), nothing (the element is left
// out), or -- for a default only -- the value itself, as the earlier steps left it.
enum class MapOutcome { kValue, kNil, kAbsent, kKeep };

// A value map: source value -> CDC value, nil or absent.
struct ValueMap {
  struct Entry {
    std::string from;
    MapOutcome outcome = MapOutcome::kValue;
    std::string to;
    Location location;
  };
  std::vector<Entry> entries;
  bool has_default = false;  // without one, a value the map does not list is a rejection
  MapOutcome default_outcome = MapOutcome::kValue;
  std::string default_value;
  Location default_location;
  bool ignore_case = false;
  bool ignore_accents = false;
  bool fingerprint = false;  // keys compared by Fingerprint (core/unicode/characters.h)

  // Folded key -> index in `entries`; built by Index() once the entries and the options above
  // are set (the loader does it), so that a row's value is folded once and looked up in one
  // step.
  std::unordered_map<std::string, std::size_t> index;

  // `value` as the map compares it: its fingerprint, or folded as ignore_case and
  // ignore_accents say.
  std::string Fold(std::string_view value) const;
  // Builds `index`. When two entries fold to the same key but give different outcomes, returns
  // their positions (earlier, later) and keeps the earlier.
  std::optional<std::pair<std::size_t, std::size_t>> Index();
  // The entry for `value`, or nullptr when the map does not list it.
  const Entry* Find(std::string_view value) const;
};

// pattern: the value must match the regular expression as a whole (mappings/pattern.h).
struct PatternRule {
  std::string text;    // as written, in NFC: shown in reasons
  std::string reason;  // pattern_reason: the mapping's French words, or empty for the catalogue's
  CompiledPattern compiled;
  Location location;
};

struct DateFormat {
  enum class Kind { kPattern, kIso, kSql } kind = Kind::kSql;
  std::string pattern;  // for kPattern: %d %m %Y, %H %M %S (read and ignored), %% and literals
};

enum class DatePart { kWhole, kYear, kMonth, kDay };

struct DateRule {
  std::vector<DateFormat> formats;  // tried in order
  DatePart part = DatePart::kWhole;
  bool explicit_formats = false;  // false: the default for date fields (sql)
  // partial: true -- a day or month written 00 is unknown ("00/00/1985": the year only), and the
  // part taken from it has no value (nil where the dictionary allows it). Only with a part.
  bool partial = false;
};

// One end of a date range (not_before / not_after): a fixed day, or the certifier's today.
struct DateBound {
  bool today = false;
  Date date;  // when !today
  Location location;
};

struct FieldRule {
  Field field = Field::idTechnique;
  Location location;
  SourceKind source = SourceKind::kColumn;
  std::string column;                        // kColumn
  std::string constant;                      // kConstant
  std::vector<TemplatePart> template_parts;  // kTemplate
  std::vector<std::string> coalesce;         // kCoalesce: first column with a value
  std::vector<ChooseBranch> choose;          // kChoose: the first branch that holds
  bool trim = true;
  bool fold_spaces = false;
  bool remove_spaces = false;  // every blank, anywhere (core/unicode/characters.h)
  bool digits_only = false;    // keeps the ASCII digits 0-9
  std::optional<WordRule> word;
  LetterCase letter_case = LetterCase::kKeep;
  int pad_left = 0;  // 1..255: ASCII digits shorter than this are left-padded with '0'
  std::optional<ValueMap> map;
  std::optional<PatternRule> pattern;
  std::optional<DateRule> date;
  std::optional<DateBound> not_before;  // the date read must be on or after it
  std::optional<DateBound> not_after;   // ... on or before it
  bool nil_when_empty = true;           // an empty value counts as no value (NULL)
  // The institution's own rule, stricter than the dictionary: no value (absent or nil) is a
  // quarantine, even on an optional field.
  bool required = false;
};

// The certification of a mapping's passages (dictionary 4.1 type, 4.2 code). Each part is a
// constant (`type: RNCP`) or a rule with the sources and steps of a field rule, read on every
// row; the rules' `field` is unused (see CertificationTypeSpec).
struct CertificationRule {
  FieldRule type;
  FieldRule code;
  Location location;
  // Both parts constant: the certification of every passage, checked at load. nullopt when a
  // part reads columns: each row's certification is checked as it is mapped.
  std::optional<Certification> constant;
};

// The incremental cursor: only rows whose `column` is at or after the last bookmark, less
// `look_back`, are read again.
struct CursorRule {
  std::string column;
  Duration look_back{0};
  Location location;
};

// A row rule on the rows of the query, outside the dictionary. skip_when: the row is not for the
// CDC (not mapped, not quarantined, not recorded; counted under `label`). quarantine_when: the
// condition holds, the passage is quarantined with `reason`. require: the condition must hold,
// else the passage is quarantined with `reason`.
struct SkipRule {
  Condition when;
  std::string label;  // as written, or a short rendering of the condition (DescribeCondition)
  Location location;
};

struct RowRule {
  Condition when;
  std::string reason;  // French, the mapping's own words; never holds a value of the row
  Location location;
};

struct Mapping {
  std::string name;  // file name without directory and extension; names the mapping in messages
  std::string file;
  CertificationRule certification;
  std::optional<std::string> nature_deposant;  // natureDeposant (4.3), when set
  std::string source;                          // name of a source in accrochd.yaml
  Location source_location;
  std::string query;  // one SELECT
  Location query_location;
  std::vector<std::string> key;  // columns whose values identify a row, for ever
  Location key_location;
  std::vector<TemplatePart> id_technique;  // empty: the key values joined with "-"
  // The idTechnique a corrected passage is deposited under after its SUPPRESSION (1.1.5), key
  // columns and the counter {correction} (1 for the first correction); empty: the same
  // idTechnique again. The CDC's documents do not say whether a CREATION may reuse an
  // idTechnique it has withdrawn: this is the institution's choice.
  std::vector<TemplatePart> id_technique_after_correction;
  std::optional<CursorRule> cursor;
  // Without a cursor: the complete reads in a row that must miss a known passage before it is
  // recorded as gone from the source (missing_after, default 2).
  std::int64_t missing_after = 2;
  Location missing_after_location;
  // With a cursor: a SELECT of the keys deleted since the bookmark (it returns the key columns,
  // or those id_technique reads, and the cursor column, filtered as the query is). Empty: none.
  std::string deleted_query;
  Location deleted_query_location;
  std::vector<std::string> page_by;  // keyset paging columns; empty: one statement
  std::size_t page_size = 10'000;
  std::string fingerprint;  // of the file's text: a changed mapping reads its rows again
  std::array<std::optional<FieldRule>, kFieldCount> fields;
  Location fields_location;
  std::vector<SkipRule> skip_when;       // evaluated first, in order
  std::vector<RowRule> quarantine_when;  // the condition holds: quarantined
  std::vector<RowRule> require;          // the condition does not hold: quarantined

  const std::optional<FieldRule>& rule(Field f) const {
    return fields[static_cast<std::size_t>(f)];
  }
  bool maps(Field f) const { return rule(f).has_value(); }
};

// Reads one mapping file for a schema version. Every problem found is added to `diagnostics`,
// and the mapping is returned with what could be read, so that callers can check it further
// (its source, say) and report everything in one pass; it is valid only if no diagnostic was
// added. nullopt when the file cannot be read or parsed at all.
std::optional<Mapping> LoadMapping(const std::string& path, SchemaVersion version,
                                   Diagnostics& diagnostics);

// The same from text held in memory (`name` is used in diagnostics); for tests and fuzzing.
std::optional<Mapping> LoadMappingText(const std::string& text, const std::string& name,
                                       SchemaVersion version, Diagnostics& diagnostics);

// The certification types of the dictionary (4.1).
const std::vector<std::string>& CertificationTypes();

// The values certification.type and certification.code hold, as FieldSpecs, so that a FieldRule
// can compute them like a field: type is one of the dictionary's types (an enumeration, so that
// constants, map targets and defaults are checked at load), code a string of 1 to 100
// characters; neither is nillable nor personal data. Their `field` is Field::kCount: they are
// not passage fields.
const FieldSpec& CertificationTypeSpec();
const FieldSpec& CertificationCodeSpec();

// What can be wrong with a certification's type and code (CheckCertification).
struct CertificationFault {
  enum class Kind {
    kUnknownType,    // not one of the dictionary's types
    kMalformedCode,  // an RNCP or RS type with a code not of its shape
    kContradiction,  // a code of the RNCP or RS shape with another type
  };
  Kind kind = Kind::kUnknownType;
  std::string code_register;  // kContradiction: "RNCP" or "RS", the register of the code's shape
  bool digits_only = false;   // kMalformedCode: the code is digits alone (1710 for RS1710)
};

// The one check of a certification, at load (a constant) and on each row (from columns): the
// type is one of the dictionary's; an RNCP code is "RNCP" and digits, an RS code "RS" and digits
// (RNCP34567, RS5875: never 1710 for RS1710); a code of that shape goes with its own type, and
// the RNCP and RS types with a code of their shape -- the CDC refuses a type that contradicts
// its code (« Erreur de certification »). nullopt when the certification is right.
std::optional<CertificationFault> CheckCertification(const Certification& c);

// The same problem in English, for a load error.
std::optional<std::string> CertificationProblem(const Certification& c);

// Every column a mapping reads (key, id_technique, cursor, page_by, the certification's rules,
// the field rules and the row rules), without duplicates, in order of first use; `accrochd
// check` compares them with the query's result.
std::vector<std::string> ReferencedColumns(const Mapping& mapping);

// Where `mapping` first reads `column` (the key, the cursor, the certification, a field or a
// row rule's condition), for messages about a column the query does not return; the file alone
// when no position is kept.
Location ColumnLocation(const Mapping& mapping, const std::string& column);

// The placeholder of id_technique_after_correction's counter.
inline constexpr std::string_view kCorrectionPlaceholder = "correction";

// Parses "{nom} {prenom}" into parts, literals in NFC; nullopt with `problem` set on an
// unbalanced brace.
std::optional<std::vector<TemplatePart>> ParseTemplate(const std::string& text,
                                                       std::string& problem);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_MAPPING_H_
