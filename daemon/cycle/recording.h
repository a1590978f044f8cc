// The record stage of an extraction: what the cycle saw, written to the state store a batch at a
// time, and the passages to deposit (valid, and pending once recorded) handed on.
#ifndef ACCROCHD_DAEMON_CYCLE_RECORDING_H_
#define ACCROCHD_DAEMON_CYCLE_RECORDING_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "connectors/source/source.h"
#include "connectors/store/state_store.h"
#include "core/error.h"
#include "core/log.h"
#include "daemon/cycle/mapping_report.h"
#include "daemon/cycle/pipeline.h"
#include "mappings/mapping.h"

namespace accrochd::daemon::cycle {

// Not thread-safe: one thread records the batches, in order.
class Recording {
 public:
  // Everything given must outlive the recording. `certifier` is the certifier's BCR; `previous`
  // the mapping's bookmark the reading started from, if any (a new one never goes back before
  // it, compared as `cursor_kind`); `deposit`: the valid pending passages are handed on.
  Recording(store::StateStore& store, Logger& logger, std::string certifier,
            const mappings::Mapping& mapping, std::optional<store::Bookmark> previous,
            source::ValueKind cursor_kind, bool deposit, MappingReport& report);

  // Records `batch` in one transaction -- with `last`, the mapping's new bookmark too, so that it
  // is never ahead of what was recorded -- counts what changed, and adds to `to_write` the
  // indices in batch.rows of the passages to deposit.
  Result<void> Record(EvaluatedBatch& batch, bool last, std::vector<std::size_t>& to_write);

  // `corrections: auto`: called after each batch with the accepted passages it saw changed, to
  // queue their correction (a SUPPRESSION, then a CREATION); a failure stops the recording.
  using AutoCorrect = std::function<Result<void>(const std::vector<std::string>& ids)>;
  void SetAutoCorrect(AutoCorrect correct) { auto_correct_ = std::move(correct); }

 private:
  store::StateStore& store_;
  Logger& logger_;
  const std::string certifier_;
  const mappings::Mapping& mapping_;
  const std::optional<store::Bookmark> previous_;
  const source::ValueKind cursor_kind_;
  const bool deposit_;
  MappingReport& report_;
  AutoCorrect auto_correct_;

  // A corrected passage's idTechnique for its CREATION: the mapping's derived one (recorded in
  // the store), or quarantined when it cannot be an idTechnique. False: not to be written.
  Result<bool> PrepareCorrection(mappings::Passage& passage, std::int64_t corrections);
};

}  // namespace accrochd::daemon::cycle

#endif  // ACCROCHD_DAEMON_CYCLE_RECORDING_H_
