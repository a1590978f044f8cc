#include "daemon/cycle/recording.h"

#include <algorithm>
#include <utility>

#include "daemon/daemon.h"
#include "mappings/reasons.h"
#include "mappings/value_rules.h"

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
                               std::vector<std::size_t>& to_write) {
  std::vector<store::Observation> observations;
  std::vector<EvaluatedRow*> observed;
  for (std::size_t i = 0; i < batch.rows.size(); ++i) {
    EvaluatedRow& e = batch.rows[i];
    // Without an idTechnique, or with an earlier row's: only in the cycle's report.
    if (!e.row.Recorded()) continue;
    store::Observation o;
    o.certifier = certifier_;
    o.id_technique = e.row.passage.id_technique;
    o.mapping = mapping_.name;
    o.certification_type = e.row.passage.certification.type;
    o.certification_code = e.row.passage.certification.code;
    o.delivery = e.row.passage.delivery;
    o.content_hash = e.content_hash.empty() ? store_.passages().ContentHash(e.row.passage)
                                            : std::move(e.content_hash);
    o.cursor_value = batch.cursors[i];
    o.row_digest = std::move(e.row_digest);
    o.holder_record = std::move(e.holder_record);
    o.quarantined = e.verdict == mappings::Verdict::kQuarantined;
    // Handed to the deposit file when pending once recorded (below): a new one's row may wait
    // for the file's record.
    o.to_deposit = deposit_ && e.verdict == mappings::Verdict::kValid;
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
  std::vector<std::string> to_correct;
  for (std::size_t i = 0; i < outcomes->size(); ++i) {
    const store::Outcome& out = (*outcomes)[i];
    EvaluatedRow& e = *observed[i];
    if (auto_correct_ && out.change == store::Outcome::Change::kChangedAfterAcceptance) {
      to_correct.push_back(e.row.passage.id_technique);
    }
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
        if (!out.first_seen_change || auto_correct_) break;  // reported once
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
      if (out.corrections > 0) {
        auto write = PrepareCorrection(e.row.passage, out.corrections);
        if (!write) return std::unexpected(write.error());
        if (!*write) continue;
      }
      to_write.push_back(static_cast<std::size_t>(&e - batch.rows.data()));
    }
  }
  if (!to_correct.empty()) {
    if (auto r = auto_correct_(to_correct); !r) return r;
  }
  return {};
}

Result<bool> Recording::PrepareCorrection(mappings::Passage& passage, std::int64_t corrections) {
  if (passage.id_after_correction.empty()) return true;  // the same idTechnique again
  std::string id;
  const std::string counter = std::to_string(corrections);
  for (std::size_t i = 0; i < passage.id_after_correction.size(); ++i) {
    if (i > 0) id += counter;
    id += passage.id_after_correction[i];
  }
  const mappings::FieldSpec& spec = mappings::Spec(mappings::Field::idTechnique);
  if (auto v = mappings::CheckValue(spec, id)) {
    // Never cut nor changed: the correction waits in the quarantine until the mapping or the
    // row gives an idTechnique the CDC takes.
    const std::string message =
        "id_technique_after_correction : " +
        (v->rule == mappings::Rule::kLength
             ? mappings::RenderReason("idtechnique-long", {{"n", std::to_string(v->length)}})
             : std::string("idTechnique invalide (") + std::string(mappings::RuleName(v->rule)) +
                   ")") +
        " ; la correction attend une règle id_technique_after_correction qui donne un "
        "idTechnique valide";
    auto r = store_.passages().QuarantineRefused(
        certifier_,
        {{passage.id_technique, {"idTechnique", "id-technique-after-correction", message}}});
    if (!r) return std::unexpected(r.error());
    logger_.Warning(
        "passage " + passage.id_technique +
            ": the idTechnique id_technique_after_correction gives its correction is "
            "invalid (" +
            std::string(mappings::RuleName(v->rule)) + "); it is quarantined",
        {Field(kFieldCertificateur, certifier_), Field(kFieldIdTechnique, passage.id_technique),
         Field(kFieldMapping, mapping_.name)});
    return false;
  }
  if (auto r = store_.passages().SetCdcIdTechnique(certifier_, passage.id_technique, id); !r) {
    return std::unexpected(r.error());
  }
  passage.cdc_id_technique = std::move(id);
  return true;
}

}  // namespace accrochd::daemon::cycle
