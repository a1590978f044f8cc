// A passage: one certification delivered to one holder, laid onto the CDC dictionary, ready to
// be validated and written; and a Rejection, the reason one is quarantined.
#ifndef ACCROCHD_MAPPINGS_PASSAGE_H_
#define ACCROCHD_MAPPINGS_PASSAGE_H_

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "mappings/dictionary.h"
#include "mappings/mapping.h"
#include "mappings/value_rules.h"

namespace accrochd::mappings {

struct FieldValue {
  enum class State : std::uint8_t {
    kAbsent,  // no value: the element is omitted (or the passage quarantined if it is required)
    kNil,     // written xsi:nil="true"
    kValue,
  };
  State state = State::kAbsent;
  std::string text;

  bool has_value() const { return state == State::kValue; }
};

struct Passage {
  const Mapping* mapping = nullptr;  // the mapping it came from; outlives the passage
  // The certification it is deposited under (4.1, 4.2): the mapping's constant, or read from
  // the row's columns; empty parts when the row has none (the passage is then quarantined).
  // Held by value: codes and types are short (RNCP35830 fits std::string's inline buffer).
  Certification certification;
  std::string id_technique;
  // The idTechnique written in its file when it is not id_technique: a correction's derived one
  // (Mapping::id_technique_after_correction). Empty: id_technique.
  std::string cdc_id_technique;
  // id_technique_after_correction evaluated on the row, split around each {correction}; empty
  // when the mapping has none.
  std::vector<std::string> id_after_correction;
  std::string source_key;  // "id_resultat=1017": the row in the certifier's database
  std::array<FieldValue, kFieldCount> values;
  std::vector<Resultat> resultats;           // bloc 6, parsed from the resultats field
  Group identification = Group::kTitulaire;  // the branch of identificationTitulaire written
  bool identification_fixed = false;         // read from a file: the validator keeps it
  std::optional<Date> delivery;              // dateDebutValidite, once validated

  FieldValue& operator[](Field f) { return values[static_cast<std::size_t>(f)]; }
  const FieldValue& operator[](Field f) const { return values[static_cast<std::size_t>(f)]; }
};

// The field of a Rejection about the passage's certification (type, code or both).
inline constexpr std::string_view kCertificationField = "certification";

// Why a passage is quarantined. Never holds personal data: the message names the field, the
// rule and, for fields that are not personal data, the value.
struct Rejection {
  std::string mapping;
  std::string id_technique;  // the passage's idTechnique, or "ligne N" when it has none
  std::string source_key;
  std::string field;  // the dictionary element, empty for rules on the whole passage
  Rule rule = Rule::kRequired;
  std::string message;  // in French, for the certification staff
};

// A date as the source gave it, before a part is taken: month and day 0 when a partial date
// (DateRule::partial) left them unknown. Kept for the range rules (not_before, not_after).
struct SourceDate {
  int year = 0;
  unsigned month = 0;  // 1..12, or 0: unknown
  unsigned day = 0;    // 1..31, or 0: unknown
};

// Which branch of a choose gave a field's value: its index, or one of these.
inline constexpr int kNoBranchHeld = -1;  // no branch held: the field has no value
inline constexpr int kEveryBranch = -2;   // not known (or not a choose): every branch

// A mapped row: the passage, and what went wrong while mapping it.
struct MappedRow {
  Passage passage;
  std::vector<Rejection> rejections;
  std::bitset<kFieldCount> failed;          // fields whose mapping already failed (one reason each)
  std::bitset<kFieldCount> emptied_by_map;  // fields a map sent to nil or absent
  bool identified = true;                   // false: no key, no idTechnique
  std::vector<std::string> warnings;        // in French; not reasons to quarantine
  // The dates read by rules with a range, for the validator (it knows today).
  std::vector<std::pair<Field, SourceDate>> dates;
  // The skip_when rule (its index in Mapping::skip_when) that took the row out: not for the
  // CDC, neither mapped nor quarantined; nullopt for the rows mapped.
  std::optional<std::size_t> skipped;
  // For the fields read with choose: the branch that gave the value (kNoBranchHeld when none
  // held), so that reasons name the columns actually read.
  std::vector<std::pair<Field, int>> choices;

  // The branch of `field`'s choose that gave its value (kEveryBranch when not a choose field).
  int Choice(Field field) const {
    for (const auto& [f, branch] : choices) {
      if (f == field) return branch;
    }
    return kEveryBranch;
  }
  // Whether the cycle records this row as its passage's observation: it has an idTechnique,
  // and no earlier row of the cycle had the same one (the first such row is the one recorded).
  bool Recorded() const {
    return identified && std::none_of(rejections.begin(), rejections.end(), [](const Rejection& r) {
             return r.rule == Rule::kRepeatedIdTechnique;
           });
  }
};

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_PASSAGE_H_
