// Evaluates a mapping's rules on the rows of its query (see mapping.h for the order of the
// steps). Problems found here -- a value the map does not list, a date no format reads, a
// missing key -- become Rejections of the row, in French; the row's other fields are still
// mapped, so one pass reports all its problems.
#ifndef ACCROCHD_MAPPINGS_MAPPER_H_
#define ACCROCHD_MAPPINGS_MAPPER_H_

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/source_row.h"
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
  MappedRow Map(const source::SourceRow& row, std::uint64_t row_number) const;

 private:
  struct BoundRule {
    const FieldRule* rule = nullptr;
    std::size_t column = 0;
    std::vector<std::size_t> parts;     // template parts: column index, or npos for literals
    std::vector<std::size_t> coalesce;  // column indexes
  };

  explicit Mapper(const Mapping& mapping) : mapping_(&mapping) {}

  // The value a rule's source gives on `row` (nullopt: NULL, or nil), before its steps.
  static std::optional<std::string> SourceValue(const BoundRule& b, const source::SourceRow& row);
  // Computes and checks the row's certification, when the mapping reads it from columns;
  // a certification the CDC would refuse is a rejection of the row.
  void MapCertification(const source::SourceRow& row, MappedRow& out) const;

  const Mapping* mapping_;
  std::vector<std::size_t> key_columns_;
  std::vector<std::size_t> id_parts_;  // id_technique template: column index or npos
  std::vector<BoundRule> rules_;
  BoundRule certification_type_;
  BoundRule certification_code_;
  std::vector<std::string> column_names_;
};

// The value of one field rule on one row, before validation: what the transforms produce.
struct RuleOutput {
  FieldValue value;
  std::optional<Rule> problem;     // kNotInMap, kDateUnreadable, kCalendarDate
  bool absent_by_map = false;      // the map itself chose "absent" (or "nil") for this value
  std::optional<SourceDate> date;  // the date read by the date step, before its part is taken
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
