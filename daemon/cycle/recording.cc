#include "daemon/cycle/recording.h"

#include <algorithm>
#include <utility>

#include "daemon/daemon.h"

namespace accrochd::daemon::cycle {
namespace {

LogField Field(std::string_view name, std::string value) {
  return {std::string(name), std::move(value)};
}

}  // namespace

Recording::Recording(store::StateStore& store, Logger& logger, std::string certifier,
                     const mappings::Mapping& mapping, std::optional<store::Bookmark> previous,
                     source::ValueKind cursor_kind, bool deposit, MappingReport& report)
    : store_(store),
      logger_(logger),
      certifier_(std::move(certifier)),
      mapping_(mapping),
      previous_(std::move(previous)),
      cursor_kind_(cursor_kind),
      deposit_(deposit),
      report_(report) {}

Result<void> Recording::Record(EvaluatedBatch& batch, bool last,
                               std::vector<mappings::Passage>& to_write) {
  std::vector<store::Observation> observations;
  std::vector<EvaluatedRow*> observed;
  for (std::size_t i = 0; i < batch.rows.size(); ++i) {
    EvaluatedRow& e = batch.rows[i];
    if (!e.row.identified) continue;  // no idTechnique: only in the cycle's report
    const bool repeated =
        std::any_of(e.row.rejections.begin(), e.row.rejections.end(),
                    [](const auto& r) { return r.rule == mappings::Rule::kRepeatedIdTechnique; });
    if (repeated) continue;  // the first row with this idTechnique is the one recorded
    store::Observation o;
    o.certifier = certifier_;
    o.id_technique = e.row.passage.id_technique;
    o.mapping = mapping_.name;
    o.certification_type = e.row.passage.certification.type;
    o.certification_code = e.row.passage.certification.code;
    o.delivery = e.row.passage.delivery;
    o.content_hash = store_.passages().ContentHash(e.row.passage);
    o.cursor_value = batch.cursors[i];
    o.quarantined = e.verdict == mappings::Verdict::kQuarantined;
    for (const mappings::Rejection& r : e.row.rejections) {
      o.reasons.push_back({r.field, std::string(mappings::RuleName(r.rule)), r.message});
    }
    observations.push_back(std::move(o));
    observed.push_back(&e);
  }
  std::optional<store::Bookmark> bookmark;
  if (last && mapping_.cursor && batch.highest) {
    bookmark = store::Bookmark{certifier_, mapping_.name, *batch.highest, mapping_.fingerprint};
    if (previous_ && CursorBefore(*batch.highest, previous_->value, cursor_kind_)) {
      bookmark->value = previous_->value;  // never backwards
    }
  }
  if (observations.empty() && !bookmark) return {};
  auto outcomes = store_.passages().Observe(observations, bookmark);
  if (!outcomes) return std::unexpected(outcomes.error());
  for (std::size_t i = 0; i < outcomes->size(); ++i) {
    const store::Outcome& out = (*outcomes)[i];
    EvaluatedRow& e = *observed[i];
    switch (out.change) {
      case store::Outcome::Change::kNew:
        ++report_.fresh;
        break;
      case store::Outcome::Change::kUpdated:
      case store::Outcome::Change::kChangedAfterRejection:
        ++report_.updated;
        break;
      case store::Outcome::Change::kChangedAfterAcceptance:
        ++report_.changed_after_acceptance;
        if (!out.first_seen_change) break;  // reported once
        logger_.Warning("passage " + e.row.passage.id_technique +
                            " changed in the source after the CDC accepted it; it is not sent "
                            "again (a correction is an operator's decision)",
                        {Field(kFieldCertificateur, certifier_),
                         Field(kFieldIdTechnique, e.row.passage.id_technique),
                         Field(kFieldMapping, mapping_.name)},
                        kMessageIdPassageChangedAfterAcceptance);
        break;
      default:
        break;
    }
    if (deposit_ && out.status == store::Status::kPending &&
        e.verdict == mappings::Verdict::kValid) {
      to_write.push_back(std::move(e.row.passage));  // the batch is done with
    }
  }
  return {};
}

}  // namespace accrochd::daemon::cycle
