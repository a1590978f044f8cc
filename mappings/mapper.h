// Evaluates a mapping's rules on the rows of its query (see mapping.h for the order of the
// steps). Problems found here -- a value the map does not list, a value that does not match the
// rule's pattern, a date no format reads, a missing key -- become Rejections of the row, in French;
// the row's other fields are still mapped, so one pass reports all its problems.
#ifndef ACCROCHD_MAPPINGS_MAPPER_H_
#define ACCROCHD_MAPPINGS_MAPPER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/source_row.h"
#include "mappings/condition.h"
#include "mappings/mapping.h"
#include "mappings/passage.h"

namespace accrochd::mappings {

class Mapper {
 public:
  // Binds `mapping` to the columns of its query's result; a kConfig error names every column
  // the mapping reads that the result lacks. `mapping` must outlive the mapper.
  static Result<Mapper> Bind(const Mapping& mapping, const source::Columns& columns);

  // Maps one row. `row_number` (from 1) names a row that has no key. Every value is first put
  // in Unicode NFC (core/unicode/nfc.h), so the rules, the lengths and the deposit see one form.
  // The mapping's skip_when rules come first: a row one of them takes out is returned with
  // `skipped` set and nothing else (its key is not even read). Then the key, the row rules
  // (quarantine_when, require: a Rejection each, for the whole passage), and the fields.
  MappedRow Map(const source::SourceRow& row, std::uint64_t row_number) const;
  // The same into `out`, which must be as default-constructed: the cycle maps each row in its
  // place in the batch rather than move its passage (about 50 values) there.
  void MapInto(const source::SourceRow& row, std::uint64_t row_number, MappedRow& out) const;

  // The idTechnique Map gives `row`, without mapping anything else; nullopt when a skip_when
  // rule takes the row out or a key column has no value (Map then says why).
  std::optional<std::string> IdTechnique(const source::SourceRow& row) const;

  // What the source of `field`'s rule gives on `row`, before any step, as Map computes it: the
  // value (nullopt: none), whether the source -- or the branch a choose took -- is nil, and that
  // branch (kNoBranchHeld when none held; kEveryBranch for a rule that is not a choose). `row`'s
  // values must already be in NFC. The field must be mapped. For the profile (profile.h).
  struct Sourced {
    std::optional<std::string> value;
    bool nil = false;
    int choice = kEveryBranch;
  };
  Sourced SourceOf(Field field, const source::SourceRow& row) const;

 private:
  // A source's columns, as indexes in the result.
  struct BoundSource {
    std::size_t column = 0;
    std::vector<std::size_t> parts;     // template parts: column index, or npos for literals
    std::vector<std::size_t> coalesce;  // column indexes
  };
  struct BoundBranch {
    std::optional<BoundCondition> when;  // nullopt: otherwise
    BoundSource source;
  };
  struct BoundRule {
    const FieldRule* rule = nullptr;
    BoundSource source;
    std::vector<BoundBranch> branches;  // choose
  };

  Sourced SourceOfRule(const BoundRule& b, const source::SourceRow& row) const;
  // The idTechnique of a row in NFC whose key values (trimmed, none empty) are `key_values`.
  std::string IdOf(const source::SourceRow& row, const std::vector<std::string>& key_values) const;

  explicit Mapper(const Mapping& mapping) : mapping_(&mapping) {}

  template <typename Source, typename ValueAt>
  static std::optional<std::string> SourceValue(const Source& s, const BoundSource& b,
                                                const ValueAt& value_at);
  // Computes and checks the row's certification, when the mapping reads it from columns;
  // a certification the CDC would refuse is a rejection of the row.
  void MapCertification(const source::SourceRow& row, MappedRow& out) const;

  const Mapping* mapping_;
  std::vector<std::size_t> key_columns_;
  std::vector<std::size_t> id_parts_;  // id_technique template: column index or npos
  // id_technique_after_correction: column index, npos for a literal, npos - 1 for {correction}
  std::vector<std::size_t> correction_parts_;
  std::vector<BoundRule> rules_;
  std::array<std::size_t, kFieldCount> rule_of_field_{};  // index in rules_ of each mapped field
  std::vector<BoundCondition> skip_when_;                 // as Mapping::skip_when
  std::vector<BoundCondition> quarantine_when_;           // as Mapping::quarantine_when
  std::vector<BoundCondition> require_;                   // as Mapping::require
  BoundRule certification_type_;
  BoundRule certification_code_;
  std::vector<std::string> column_names_;
};

// `row` with every value in Unicode NFC, as Map reads it: `row` itself when every value already is
// (checked by bytes: ASCII and composed Latin text need no lookup and no copy), else `storage`,
// filled with the normalized copy.
const source::SourceRow& InNfc(const source::SourceRow& row, source::SourceRow& storage);

// The value of one field rule on one row, before validation: what the transforms produce.
struct RuleOutput {
  FieldValue value;
  std::optional<Rule> problem;     // kNotInMap, kPattern, kDateUnreadable, kCalendarDate
  bool absent_by_map = false;      // the map itself chose "absent" (or "nil") for this value
  std::optional<SourceDate> date;  // the date read by the date step, before its part is taken
  PatternOutcome pattern_outcome = PatternOutcome::kMatch;  // with kPattern: why
};

// Applies a rule's transforms to a source value (nullopt: NULL), which must be in NFC, as Map
// gives it. Exposed for unit tests.
RuleOutput ApplyTransforms(const FieldRule& rule, const FieldSpec& spec,
                           std::optional<std::string> value);

// Reads `text` with one of `formats`; nullopt when none matches. `impossible` is set when a
// format matched the shape but named a day that does not exist.
std::optional<Date> ParseDateWithFormats(std::string_view text,
                                         const std::vector<DateFormat>& formats, bool& impossible);

// The same, where `partial` lets a day or month written 0 ("00/00/1985", "00/06/1985") mean
// unknown: the year is still required, a known month is 1 to 12, a known day 1 to 31 and, with
// its month, a real day. A day without its month is read (the validator refuses it).
std::optional<SourceDate> ParseSourceDate(std::string_view text,
                                          const std::vector<DateFormat>& formats, bool partial,
                                          bool& impossible);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_MAPPER_H_
