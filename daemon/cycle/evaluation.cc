#include "daemon/cycle/evaluation.h"

#include <utility>

#include "daemon/daemon.h"

namespace accrochd::daemon::cycle {

Evaluation::Evaluation(const mappings::Mapping& mapping, const mappings::Validator& validator,
                       mappings::CycleChecks& checks, source::ValueKind cursor_kind,
                       std::optional<std::size_t> limit, const RowSink* sink, MappingReport& report)
    : mapping_(mapping),
      validator_(validator),
      checks_(checks),
      cursor_kind_(cursor_kind),
      limit_(limit),
      sink_(sink),
      report_(report) {}

Result<bool> Evaluation::Evaluate(const source::RowBatch& batch, EvaluatedBatch& out) {
  if (!mapper_) {
    auto bound = mappings::Mapper::Bind(mapping_, *batch.columns);
    if (!bound) return std::unexpected(bound.error());
    mapper_.emplace(std::move(*bound));
    if (mapping_.cursor) cursor_column_ = batch.columns->Find(mapping_.cursor->column);
  }
  bool more = true;
  for (const source::SourceRow& row : batch.rows) {
    ++report_.rows;
    EvaluatedRow evaluated{mapper_->Map(row, report_.rows), mappings::Verdict::kQuarantined};
    std::optional<std::string> cursor_value;
    if (cursor_column_) {
      cursor_value = row.values[*cursor_column_];
      if (cursor_value && (!highest_ || CursorBefore(*highest_, *cursor_value, cursor_kind_))) {
        highest_ = cursor_value;
      }
    }
    if (evaluated.row.skipped) {
      // Not for the CDC (skip_when): counted, neither validated nor recorded.
      ++report_.skipped;
      ++report_.skipped_by[*evaluated.row.skipped].second;
      if (limit_ && report_.rows >= *limit_) {
        more = false;
        break;
      }
      continue;
    }
    evaluated.verdict = validator_.Check(evaluated.row);
    if (!evaluated.row.identified) {
      evaluated.verdict = mappings::Verdict::kQuarantined;
    } else if (auto repeated = checks_.RegisterIdTechnique(evaluated.row.passage)) {
      evaluated.row.rejections.push_back(std::move(*repeated));
      evaluated.verdict = mappings::Verdict::kQuarantined;
    }
    if (evaluated.verdict != mappings::Verdict::kQuarantined) {
      if (auto duplicate = checks_.RegisterHolder(evaluated.row.passage)) {
        evaluated.row.rejections.push_back(std::move(*duplicate));
        evaluated.verdict = mappings::Verdict::kQuarantined;
      }
    }
    switch (evaluated.verdict) {
      case mappings::Verdict::kValid:
        ++report_.valid;
        break;
      case mappings::Verdict::kHeld:
        ++report_.held;
        break;
      case mappings::Verdict::kQuarantined:
        ++report_.quarantined;
        report_.rejections.insert(report_.rejections.end(), evaluated.row.rejections.begin(),
                                  evaluated.row.rejections.end());
        break;
    }
    report_.warnings += evaluated.row.warnings.size();
    if (sink_ != nullptr) (*sink_)(evaluated);
    out.rows.push_back(std::move(evaluated));
    out.cursors.push_back(std::move(cursor_value));
    if (limit_ && report_.rows >= *limit_) {
      more = false;
      break;
    }
  }
  out.highest = highest_;
  return more;
}

}  // namespace accrochd::daemon::cycle
