// The map+validate stage of an extraction: each row mapped onto the CDC dictionary, validated,
// and checked against the cycle's other rows (idTechnique and holder uniqueness, in order).
#ifndef ACCROCHD_DAEMON_CYCLE_EVALUATION_H_
#define ACCROCHD_DAEMON_CYCLE_EVALUATION_H_

#include <cstddef>
#include <optional>
#include <string>

#include "connectors/source/source.h"
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
  Evaluation(const mappings::Mapping& mapping, const mappings::Validator& validator,
             mappings::CycleChecks& checks, source::ValueKind cursor_kind,
             std::optional<std::size_t> limit, const RowSink* sink, MappingReport& report);

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
};

}  // namespace accrochd::daemon::cycle

#endif  // ACCROCHD_DAEMON_CYCLE_EVALUATION_H_
