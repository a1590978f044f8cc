// What `accrochd profile` shows of a mapping's rows, for the administrator who writes or fixes
// the mapping: for each mapped field, what its column(s) hold (NULLs, empties, the distinct values
// of enumeration-like fields and those no map entry catches, the share of each date format,
// lengths against the dictionary's limits, character classes of personal fields), the
// certification(s) of the passages, and what `accrochd once` would do with the rows.
//
// Pure computation on rows (the daemon streams them from the source): memory stays flat whatever
// the number of rows -- distinct values are kept up to a cap per field -- except for one 64-bit
// hash per row, to count repeated idTechniques as a cycle does. Personal fields (the
// dictionary's `personal`) are described by counts, lengths and character classes only: no
// source value of theirs is ever printed, not even an excerpt.
#ifndef ACCROCHD_MAPPINGS_PROFILE_H_
#define ACCROCHD_MAPPINGS_PROFILE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "core/error.h"
#include "core/source_row.h"
#include "mappings/mapper.h"
#include "mappings/mapping.h"
#include "mappings/passage.h"
#include "mappings/validator.h"

namespace accrochd::mappings {

struct ProfileLimits {
  std::size_t distinct = 1000;  // distinct values kept per field; beyond, "more than N"
  std::size_t shown = 12;       // values, reasons and certifications printed per list
  std::size_t width = 100;      // lines of value lists are wrapped before this column
};

// `n` with its thousands grouped, for people: 1,234,567.
std::string GroupedCount(std::uint64_t n);

// Counts of the character classes of a personal field's source values (one per value that has
// the class). Never the values themselves.
struct CharacterClasses {
  std::uint64_t digits = 0;
  std::uint64_t non_latin = 0;      // characters outside the Latin script (Greek, Arabic, ...)
  std::uint64_t punctuation = 0;    // punctuation and symbols other than ' and -
  std::uint64_t double_blanks = 0;  // two blanks in a row, inside the value
  std::uint64_t edge_blanks = 0;    // blanks at the start or the end (trim removes them)
  std::uint64_t combining = 0;      // combining marks (accents typed as separate characters)
  std::uint64_t not_nfc = 0;        // decomposed Unicode in the source (NFC is applied)
  std::uint64_t lower_only = 0;     // letters, all lower case
  std::uint64_t upper_only = 0;     // letters, all upper case
  std::uint64_t invalid_utf8 = 0;   // bytes that are not UTF-8
  std::uint64_t not_xml = 0;        // a character XML 1.0 cannot carry (control characters)

  void Add(std::string_view source_value);
};

// The profile of one field rule over the rows.
struct FieldProfile {
  const FieldRule* rule = nullptr;
  std::uint64_t rows = 0;
  std::uint64_t nulls = 0;    // the source gave NULL (for coalesce: every column blank)
  std::uint64_t empties = 0;  // the source gave a value, blank once trimmed

  // Enumeration-like fields (a dictionary enumeration, a boolean, or a map): distinct source
  // values (in NFC, as the rules see them), up to ProfileLimits::distinct of them.
  bool enumerated = false;
  struct Distinct {
    std::uint64_t count = 0;
    bool not_in_map = false;  // no map entry catches it (the mapper's own judgement)
    bool by_default = false;  // ... and the map's default answers for it
  };
  std::map<std::string, Distinct> distinct;
  std::uint64_t rows_not_kept = 0;  // rows whose value came after the cap was reached
  std::uint64_t not_in_map_rows = 0;
  std::uint64_t by_default_rows = 0;
  // Personal enumeration-like fields: rows per value the rules produced, when it is one of the
  // dictionary's values (M, F); the source values are never kept.
  std::map<std::string, std::uint64_t> produced;
  std::uint64_t produced_other = 0;

  // Date rules: values that reached the date step, how many each format read first (in the
  // rule's order), and the others.
  std::uint64_t date_values = 0;
  std::vector<std::uint64_t> format_reads;
  std::uint64_t date_unreadable = 0;
  std::uint64_t date_impossible = 0;
  std::optional<SourceDate> earliest, latest;  // whole dates read (not shown for personal fields)

  // String fields: lengths in characters of the values the rules produced.
  std::uint64_t lengths = 0;
  std::size_t min_length = 0, max_length = 0;
  std::uint64_t over_max = 0, under_min = 0;

  CharacterClasses classes;  // personal text fields only
};

// Builds the profile of one mapping row by row. Not thread-safe.
class MappingProfile {
 public:
  // `mapping` must outlive the profile. `today` is the certifier's, as a cycle's validator has it.
  MappingProfile(const Mapping& mapping, SchemaVersion version, Date today,
                 ProfileLimits limits = {});

  // Binds to the columns of the query's result; fails as Mapper::Bind does (a column the mapping
  // reads and the query lacks). Call before Add.
  [[nodiscard]] Result<void> Bind(const source::Columns& columns);
  bool bound() const { return mapper_.has_value(); }

  // One row of the query, as the source gives it (before NFC).
  void Add(const source::SourceRow& row);

  // Counts the repeated idTechniques; call once after the last row.
  void Finish();

  std::uint64_t rows() const { return rows_; }
  std::uint64_t valid() const { return valid_; }
  std::uint64_t held() const { return held_; }
  std::uint64_t quarantined() const { return quarantined_; }
  // Reasons of quarantine by (field, rule name), field "" for rules on the whole passage.
  const std::map<std::pair<std::string, std::string>, std::uint64_t>& reasons() const {
    return reasons_;
  }
  const std::vector<FieldProfile>& fields() const { return fields_; }
  const std::map<std::string, std::uint64_t>& certifications() const { return certifications_; }

  // The profile as plain English text, aligned, each line indented by two spaces: one block per
  // mapped field in the dictionary's order, then the certifications and the verdicts.
  std::string Render() const;

 private:
  void AddField(FieldProfile& f, const source::SourceRow& raw, const source::SourceRow& nfc);
  void Judge(const FieldProfile& f, const std::string& value, FieldProfile::Distinct& d) const;

  const Mapping* mapping_;
  Validator validator_;
  ProfileLimits limits_;
  std::optional<Mapper> mapper_;
  std::vector<FieldProfile> fields_;
  std::vector<FieldRule> without_default_;  // per field: the rule, its map without default
  std::vector<FieldRule> without_date_;     // per field: the rule without its date step
  std::uint64_t rows_ = 0, valid_ = 0, held_ = 0, quarantined_ = 0;
  // Rows skip_when took out, by rule label (rules sharing a label add up), in order of first use.
  std::vector<std::pair<std::string, std::uint64_t>> skipped_;
  std::uint64_t certification_rows_not_kept_ = 0;
  std::map<std::pair<std::string, std::string>, std::uint64_t> reasons_;
  std::map<std::string, std::uint64_t> certifications_;
  // One per identified row: a hash of its idTechnique and its verdict, for Finish.
  std::vector<std::pair<std::uint64_t, Verdict>> ids_;
};

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_PROFILE_H_
