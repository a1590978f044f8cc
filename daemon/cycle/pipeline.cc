#include "daemon/cycle/pipeline.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "core/thread_priority.h"

namespace accrochd::daemon::cycle {
namespace {

// A queue of at most `capacity` items between two threads. Close() ends it once drained;
// Cancel() ends it at once, for both sides.
template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}

  // False when cancelled: the item is dropped.
  bool Push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return cancelled_ || items_.size() < capacity_; });
    if (cancelled_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Nullopt when closed and drained, or cancelled.
  std::optional<T> Pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return cancelled_ || closed_ || !items_.empty(); });
    if (cancelled_ || items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

  void Cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    items_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  bool closed_ = false;
  bool cancelled_ = false;
};

// Runs one stage's step, turning an exception (a library that throws: SQLite through the cycle
// index, an allocation) into the cycle's error instead of ending the process.
template <typename F>
auto Guarded(std::string_view stage, F&& step) -> decltype(step()) {
  try {
    return step();
  } catch (const std::exception& e) {
    return Fail(ErrorKind::kInternal, std::string(stage) + ": " + e.what());
  }
}

}  // namespace

Result<void> RunPipeline(const Stages& stages, std::stop_source cancel,
                         std::vector<StageFigures>& figures) {
  BoundedQueue<source::RowBatch> read_out(kQueueBatches);
  BoundedQueue<EvaluatedBatch> evaluate_out(kQueueBatches);
  BoundedQueue<ToWrite> record_out(kQueueBatches);

  std::mutex failure_mutex;
  std::optional<Error> failure;  // the first error; the others follow from it
  auto fail = [&](Error error) {
    {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::move(error);
    }
    cancel.request_stop();
    read_out.Cancel();
    evaluate_out.Cancel();
    record_out.Cancel();
  };

  StageMeter read_meter(kStageRead), evaluate_meter(kStageEvaluate), record_meter(kStageRecord),
      write_meter(kStageWrite);

  {
    std::jthread reader([&] {
      NameThread("read");
      LowerThreadPriority(kStageNice);  // see pipeline.h
      read_meter.Begin();
      for (;;) {
        source::RowBatch batch;
        Result<bool> more = Guarded(kStageRead, [&] { return stages.read(batch); });
        if (!more) {
          fail(more.error());
          break;
        }
        if (!*more) {
          read_out.Close();
          break;
        }
        StageMeter::Waiting waiting(read_meter);
        if (!read_out.Push(std::move(batch))) break;  // downstream stopped
      }
      read_meter.End();
    });

    std::jthread evaluator([&] {
      NameThread("map");
      LowerThreadPriority(kStageNice);  // see pipeline.h
      evaluate_meter.Begin();
      for (;;) {
        std::optional<source::RowBatch> batch;
        {
          StageMeter::Waiting waiting(evaluate_meter);
          batch = read_out.Pop();
        }
        if (!batch) {
          evaluate_out.Close();
          break;
        }
        EvaluatedBatch out;
        Result<bool> more = Guarded(kStageEvaluate, [&] { return stages.evaluate(*batch, out); });
        if (!more) {
          fail(more.error());
          break;
        }
        bool pushed = false;
        {
          StageMeter::Waiting waiting(evaluate_meter);
          pushed = evaluate_out.Push(std::move(out));
        }
        if (!pushed) break;
        if (!*more) {  // enough rows: the reader stops, what was evaluated goes on
          evaluate_out.Close();
          read_out.Cancel();
          break;
        }
      }
      evaluate_meter.End();
    });

    std::jthread recorder([&] {
      NameThread("record");
      LowerThreadPriority(kStageNice);  // see pipeline.h
      record_meter.Begin();
      std::optional<EvaluatedBatch> held;  // one batch behind
      for (;;) {
        std::optional<EvaluatedBatch> next;
        {
          StageMeter::Waiting waiting(record_meter);
          next = evaluate_out.Pop();
        }
        {
          std::lock_guard lock(failure_mutex);
          if (failure) break;  // the end came from an error: the batch held back is dropped
        }
        const bool last = !next;
        if (held || last) {
          if (!held) held.emplace();
          ToWrite to_write;
          if (auto r =
                  Guarded(kStageRecord, [&] { return stages.record(*held, last, to_write.rows); });
              !r) {
            fail(r.error());
            break;
          }
          to_write.batch = std::move(*held);
          // Pushed even when empty: the write stage beats for every batch.
          bool pushed = false;
          {
            StageMeter::Waiting waiting(record_meter);
            pushed = record_out.Push(std::move(to_write));
          }
          if (!pushed) break;
        }
        if (last) {
          record_out.Close();
          break;
        }
        held = std::move(next);
      }
      record_meter.End();
    });

    write_meter.Begin();
    for (;;) {
      std::optional<ToWrite> passages;
      {
        StageMeter::Waiting waiting(write_meter);
        passages = record_out.Pop();
      }
      if (!passages) break;
      if (stages.write) {
        bool failed = false;
        for (const std::size_t i : passages->rows) {
          const mappings::Passage& p = passages->batch.rows[i].row.passage;
          if (auto r = Guarded(kStageWrite, [&] { return stages.write(p); }); !r) {
            fail(r.error());
            failed = true;
            break;
          }
        }
        if (failed) break;
      }
      if (stages.beat) stages.beat();
    }
    write_meter.End();
  }  // the threads are joined here

  for (const StageMeter* m : {&read_meter, &evaluate_meter, &record_meter, &write_meter}) {
    AddFigures(figures, m->figures());
  }
  if (failure) return std::unexpected(*failure);
  return {};
}

}  // namespace accrochd::daemon::cycle
