// The extraction of a mapping as a pipeline of stages, each on its own thread, joined by bounded
// queues of batches (a few batches in flight, never the whole input: memory stays flat):
//
//   read (the source's rows) -> map+validate (in order: the cycle's uniqueness checks depend on
//   it) -> record (the state store, one batch behind) -> write (the deposit session, on the
//   calling thread) -> [the session's own check-and-publish thread]
//
// The read, map+validate and record stages' threads run kStageNice nice levels below the calling
// thread: where threads outnumber cores, the deposit session's XSD check of a sealed file and
// that file's record (its own threads, at the daemon's priority) get the processor first, so
// that the check -- a backfill's floor -- keeps up with the files written, and the pipeline uses
// what they leave. (The write stage is the calling thread, which an unprivileged process could
// not raise back.) In a backfill of 1,000,000 passages on 2 cores this, with the passages held
// for two files' records (staged_passages.h), took 0.6 s off 15 (bench/README.md, 2026-12-05,
// evening).
//
// The stages are functions: the pipeline knows nothing of sources, mappings or stores, only of
// batches, so that each stage lives in its own unit (evaluation.h, recording.h) and the pipeline
// is tested with fakes. The first error of any stage stops the others and is returned; every
// thread is joined before RunPipeline returns.
#ifndef ACCROCHD_DAEMON_CYCLE_PIPELINE_H_
#define ACCROCHD_DAEMON_CYCLE_PIPELINE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/source_row.h"
#include "core/stage_meter.h"
#include "daemon/cycle/mapping_report.h"
#include "mappings/passage.h"

namespace accrochd::daemon::cycle {

// A batch of the source's rows once mapped, validated and checked.
struct EvaluatedBatch {
  std::vector<EvaluatedRow> rows;  // the rows not skipped
  // The rows left unmapped because unchanged (evaluation.h): read, nothing to record. Each
  // passage's rowid in the store, which notes it read (MissingStore::NoteRead).
  std::vector<std::int64_t> unchanged;
  std::vector<std::optional<std::string>>
      cursors;                         // each row's cursor value, if the mapping has one
  std::optional<std::string> highest;  // the highest cursor value read so far, this batch included
};

// What a recorded batch sends to the deposit file: the batch, handed on whole to the write
// stage (which frees it there), and the indices in batch.rows of the passages to write. Moving
// each passage out instead (its ~50 field values) cost the record stage, the backfill's busiest
// after the XSD check, about 7 % of its time (bench/README.md, 2026-12-05, night).
struct ToWrite {
  EvaluatedBatch batch;
  std::vector<std::size_t> rows;
};

struct Stages {
  // Replaces the batch with the next rows; false at the end. On the read thread.
  std::function<Result<bool>(source::RowBatch&)> read;
  // Maps, validates and checks a batch; false when no more rows are wanted (a limit reached:
  // `out` is the last batch). On the map+validate thread.
  std::function<Result<bool>(const source::RowBatch&, EvaluatedBatch& out)> evaluate;
  // Records a batch -- with `last`, the final one, after the end of the input -- and adds to
  // `to_write` the indices in batch.rows of the passages to write in a deposit file (the write
  // stage reads them in the batch, left as it is). On the record thread, one batch behind:
  // a batch is recorded once the next one arrived (or the input ended), so that the last one is
  // recorded with what only the end tells (the mapping's new bookmark). After an error anywhere,
  // the batch held back is not recorded.
  std::function<Result<void>(EvaluatedBatch& batch, bool last, std::vector<std::size_t>& to_write)>
      record;
  // Writes a passage; empty: nothing is written. On the calling thread.
  std::function<Result<void>(const mappings::Passage&)> write;
  // Called on the calling thread after each batch written: proof the loop is alive.
  std::function<void()> beat;
};

// The stages' names, as figures report them.
inline constexpr const char* kStageRead = "read";
inline constexpr const char* kStageEvaluate = "map+validate";
inline constexpr const char* kStageRecord = "record";
inline constexpr const char* kStageWrite = "write";

// How much lower the read, map+validate and record stages' threads run (see above).
inline constexpr int kStageNice = 5;

// Batches each queue holds.
inline constexpr std::size_t kQueueBatches = 2;

// Runs the stages to the end of the input or to the first error, which is returned; the other
// stages stop at their next batch, and `cancel` is requested so that a read in flight stops at
// once (the read function's source should watch its token). Adds each stage's figures to
// `figures`.
Result<void> RunPipeline(const Stages& stages, std::stop_source cancel,
                         std::vector<StageFigures>& figures);

}  // namespace accrochd::daemon::cycle

#endif  // ACCROCHD_DAEMON_CYCLE_PIPELINE_H_
