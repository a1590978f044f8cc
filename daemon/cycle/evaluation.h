// The map+validate stage of an extraction: each row mapped onto the CDC dictionary, validated,
// and checked against the cycle's other rows (idTechnique and holder uniqueness, in order).
//
// Unchanged rows are not mapped again. With the state store's KnownRows, each row's source values
// get a keyed digest (recorded with the passage); a row whose digest is the one recorded, of a
// passage an unchanged valid observation leaves as it is (mappings::QuietWhenUnchanged: in a file,
// at the CDC, rejected, under withdrawal), is only registered in the cycle's uniqueness checks --
// its idTechnique, and its holder from the record kept -- and counted valid: mapping, validating
// and recording it would give the same passage, and the store would write nothing. The digest
// covers every value of the row, accrochd's version, the schema and the mapping's text, so any
// change to one maps the row again. A row whose checks fail (an idTechnique or a holder seen
// earlier in the cycle) is mapped, to be rejected as any other. Not for a preview, nor a read cut
// by a limit, nor a mapping that bounds a date from below by today (not_before: today), whose
// verdicts can change with the day alone.
#ifndef ACCROCHD_DAEMON_CYCLE_EVALUATION_H_
#define ACCROCHD_DAEMON_CYCLE_EVALUATION_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "connectors/source/source.h"
#include "connectors/store/known_rows.h"
#include "core/error.h"
#include "core/source_row.h"
#include "daemon/cycle/mapping_report.h"
#include "daemon/cycle/pipeline.h"
#include "mappings/mapper.h"
#include "mappings/mapping.h"
#include "mappings/validator.h"

namespace accrochd::daemon::cycle {

// Not thread-safe: one thread evaluates the batches, in the order they were read.
class Evaluation {
 public:
  // Everything given must outlive the evaluation. `cursor_kind` compares cursor values; `limit`
  // stops after that many rows; `sink`, if any, is handed every row evaluated (preview).
  // `known`, if any, digests each row and finds the unchanged ones (see above).
  Evaluation(const mappings::Mapping& mapping, const mappings::Validator& validator,
             mappings::CycleChecks& checks, source::ValueKind cursor_kind,
             std::optional<std::size_t> limit, const RowSink* sink, MappingReport& report,
             store::KnownRows* known = nullptr);

  // Makes each recorded row's content hash (EvaluatedRow::content_hash) with `hash`.
  using ContentHasher = std::function<std::string(const mappings::Passage&)>;
  void HashContentWith(ContentHasher hash) { content_hasher_ = std::move(hash); }

  // Evaluates `batch` into `out` and counts it in the report; false once `limit` rows were read.
  Result<bool> Evaluate(const source::RowBatch& batch, EvaluatedBatch& out);

 private:
  const mappings::Mapping& mapping_;
  const mappings::Validator& validator_;
  mappings::CycleChecks& checks_;
  source::ValueKind cursor_kind_;
  std::optional<std::size_t> limit_;
  const RowSink* sink_;
  MappingReport& report_;
  std::optional<mappings::Mapper> mapper_;  // bound to the first batch's columns
  std::optional<std::size_t> cursor_column_;
  std::optional<std::string> highest_;  // the highest cursor value read
  store::KnownRows* known_;
  store::KnownRows::Known known_row_;  // what known_ found of the last row, reused
  bool leave_unchanged_ = false;       // unchanged rows may be left unmapped
  ContentHasher content_hasher_;

  // What became of a row the store may know unchanged.
  enum class Unchanged { kNo, kLeft, kIdRegistered };
  Unchanged LeaveIfUnchanged(const source::SourceRow& row, const std::string& digest,
                             EvaluatedBatch& out);
};

}  // namespace accrochd::daemon::cycle

#endif  // ACCROCHD_DAEMON_CYCLE_EVALUATION_H_
