#include "daemon/cycle/evaluation.h"

#include <algorithm>
#include <utility>

#include "daemon/daemon.h"

namespace accrochd::daemon::cycle {
namespace {

// Whether a rule of `mapping` bounds a date from below by today: its verdicts change with the day.
bool BoundedBelowByToday(const mappings::Mapping& mapping) {
  auto below = [](const mappings::FieldRule& r) { return r.not_before && r.not_before->today; };
  for (const auto& rule : mapping.fields) {
    if (rule && below(*rule)) return true;
  }
  return below(mapping.certification.type) || below(mapping.certification.code);
}

}  // namespace

Evaluation::Evaluation(const mappings::Mapping& mapping, const mappings::Validator& validator,
                       mappings::CycleChecks& checks, source::ValueKind cursor_kind,
                       std::optional<std::size_t> limit, const RowSink* sink, MappingReport& report,
                       store::KnownRows* known)
    : mapping_(mapping),
      validator_(validator),
      checks_(checks),
      cursor_kind_(cursor_kind),
      limit_(limit),
      sink_(sink),
      report_(report),
      known_(known),
      leave_unchanged_(known != nullptr && sink == nullptr && !limit &&
                       !BoundedBelowByToday(mapping)) {}

Evaluation::Unchanged Evaluation::LeaveIfUnchanged(const source::SourceRow& row,
                                                   const std::string& digest, EvaluatedBatch& out) {
  std::optional<std::string> id = mapper_->IdTechnique(row);
  if (!id) return Unchanged::kNo;
  store::KnownRows::Known& known = known_row_;  // reused: its strings keep their capacity
  // A record of another form (a store written by another version) is not used: the row is mapped.
  if (!known_->Find(*id, known) || known.row_digest != digest || known.holder_record.empty() ||
      known.holder_record.size() % digest.size() != 0 ||
      !mappings::QuietWhenUnchanged(known.facts)) {
    return Unchanged::kNo;
  }
  switch (checks_.RegisterKnown(*id, known.holder_record)) {
    case mappings::CycleChecks::Known::kRegistered:
      break;
    case mappings::CycleChecks::Known::kIdRepeated:
      return Unchanged::kNo;
    case mappings::CycleChecks::Known::kHolderRepeated:
      return Unchanged::kIdRegistered;
  }
  ++report_.valid;
  ++report_.unchanged;
  out.unchanged.push_back(known.row);
  return Unchanged::kLeft;
}

Result<bool> Evaluation::Evaluate(const source::RowBatch& batch, EvaluatedBatch& out) {
  if (!mapper_) {
    auto bound = mappings::Mapper::Bind(mapping_, *batch.columns);
    if (!bound) return std::unexpected(bound.error());
    mapper_.emplace(std::move(*bound));
    if (mapping_.cursor) cursor_column_ = batch.columns->Find(mapping_.cursor->column);
  }
  bool more = true;
  // Each row is mapped in its place (a row skipped gives its place back): a passage moved into
  // the batch, and the batch's growth, moved its ~50 values about twice a row.
  out.rows.reserve(out.rows.size() + batch.rows.size());
  out.cursors.reserve(out.cursors.size() + batch.rows.size());
  for (const source::SourceRow& row : batch.rows) {
    ++report_.rows;
    std::optional<std::string> cursor_value;
    if (cursor_column_) {
      cursor_value = row.values[*cursor_column_];
      if (cursor_value && (!highest_ || CursorBefore(*highest_, *cursor_value, cursor_kind_))) {
        highest_ = cursor_value;
      }
    }
    std::string digest;
    Unchanged unchanged = Unchanged::kNo;
    if (known_ != nullptr) {
      digest = known_->Digest(row);
      if (leave_unchanged_ && known_->Asking()) unchanged = LeaveIfUnchanged(row, digest, out);
    }
    if (unchanged == Unchanged::kLeft) {
      if (limit_ && report_.rows >= *limit_) {
        more = false;
        break;
      }
      continue;
    }
    EvaluatedRow& evaluated = out.rows.emplace_back();
    mapper_->MapInto(row, report_.rows, evaluated.row);
    evaluated.verdict = mappings::Verdict::kQuarantined;
    evaluated.row_digest = std::move(digest);
    if (evaluated.row.skipped) {
      // Not for the CDC (skip_when): counted, neither validated nor recorded.
      ++report_.skipped;
      ++report_.skipped_by[*evaluated.row.skipped].second;
      out.rows.pop_back();
      if (limit_ && report_.rows >= *limit_) {
        more = false;
        break;
      }
      continue;
    }
    evaluated.verdict = validator_.Check(evaluated.row);
    if (!evaluated.row.identified) {
      evaluated.verdict = mappings::Verdict::kQuarantined;
    } else if (unchanged == Unchanged::kIdRegistered) {
      // Registered by LeaveIfUnchanged: not again (it would find itself).
    } else if (auto repeated = checks_.RegisterIdTechnique(evaluated.row.passage)) {
      evaluated.row.rejections.push_back(std::move(*repeated));
      evaluated.verdict = mappings::Verdict::kQuarantined;
    }
    if (evaluated.verdict != mappings::Verdict::kQuarantined) {
      std::string record;
      if (auto duplicate = checks_.RegisterHolder(evaluated.row.passage, &record)) {
        evaluated.row.rejections.push_back(std::move(*duplicate));
        evaluated.verdict = mappings::Verdict::kQuarantined;
      } else {
        evaluated.holder_record = std::move(record);
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
    // What the record stage keeps: an identified row, unless its idTechnique came earlier.
    if (content_hasher_ && evaluated.row.Recorded()) {
      evaluated.content_hash = content_hasher_(evaluated.row.passage);
    }
    if (sink_ != nullptr) (*sink_)(evaluated);
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
