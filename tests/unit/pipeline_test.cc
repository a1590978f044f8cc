// The extraction pipeline (daemon/cycle/pipeline.h) with fake stages: batches flow through every
// stage in order, the store records a batch only once the next one came, and an error in any
// stage -- the source failing mid-read, the store, the writer, map+validate -- is the one
// returned, stops the other stages (an endless source included) and records nothing after it.
#include "daemon/cycle/pipeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/thread_priority.h"

namespace accrochd::daemon::cycle {
namespace {

using ::testing::ElementsAre;

// Whether `a` is `b`'s beginning: what was written is what was recorded first, in order (the
// stages after a failure may stop before catching up).
bool IsPrefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Each batch read holds one row, whose passage's idTechnique is "P<n>", n from 1.
class FakeRun {
 public:
  // `rows`: how many batches the source has (0: endless).
  explicit FakeRun(int rows) : rows_(rows) {
    stages_.read = [this](source::RowBatch& batch) -> Result<bool> {
      if (read_fails_at_ != 0 && read_ + 1 == read_fails_at_) {
        return Fail(ErrorKind::kSourceUnavailable,
                    "mapping \"m\": the connection was lost after 2 batches");
      }
      if (rows_ != 0 && read_ == rows_) return false;
      ++read_;
      batch.rows.clear();
      batch.rows.emplace_back();
      return true;
    };
    stages_.evaluate = [this](const source::RowBatch& batch, EvaluatedBatch& out) -> Result<bool> {
      ++evaluated_;
      if (evaluate_fails_at_ == evaluated_) {
        return Fail(ErrorKind::kConfig, "mapping \"m\": column \"x\" is missing");
      }
      if (evaluate_throws_at_ == evaluated_) {
        throw std::runtime_error("cycle index: database or disk is full");
      }
      for (std::size_t i = 0; i < batch.rows.size(); ++i) {
        EvaluatedRow row{};
        row.row.passage.id_technique = "P" + std::to_string(evaluated_);
        out.rows.push_back(std::move(row));
        out.cursors.push_back(std::to_string(evaluated_));
      }
      out.highest = std::to_string(evaluated_);
      return limit_ == 0 || evaluated_ < limit_;
    };
    stages_.record = [this](EvaluatedBatch& batch, bool last,
                            std::vector<std::size_t>& to_write) -> Result<void> {
      if (record_fails_at_ != 0 && static_cast<int>(recorded_.size()) + 1 == record_fails_at_) {
        return Fail(ErrorKind::kIo, "state store: disk I/O error");
      }
      std::string what = last ? "last:" : "";
      for (std::size_t i = 0; i < batch.rows.size(); ++i) {
        what += batch.rows[i].row.passage.id_technique;
        to_write.push_back(i);
      }
      recorded_.push_back(what);
      return {};
    };
    stages_.write = [this](const mappings::Passage& p) -> Result<void> {
      if (write_fails_at_ != 0 && static_cast<int>(written_.size()) + 1 == write_fails_at_) {
        return Fail(ErrorKind::kIo,
                    "write " + p.id_technique + ".partial: No space left on device");
      }
      written_.push_back(p.id_technique);
      return {};
    };
    stages_.beat = [this] { ++beats_; };
  }

  Result<void> Run() { return RunPipeline(stages_, cancel_, figures_); }

  Stages stages_;
  std::stop_source cancel_;
  std::vector<StageFigures> figures_;
  int rows_;
  int read_fails_at_ = 0;  // the read of this batch fails
  int evaluate_fails_at_ = 0;
  int evaluate_throws_at_ = 0;  // map+validate throws (a library's exception) at this batch
  int record_fails_at_ = 0;     // the record of this batch fails
  int write_fails_at_ = 0;      // the write of this passage fails
  int limit_ = 0;               // map+validate wants no more after this batch
  // Each counter is touched by one stage's thread only and read after Run() joined them.
  int read_ = 0;
  int evaluated_ = 0;
  std::vector<std::string> recorded_;
  std::vector<std::string> written_;
  int beats_ = 0;
};

TEST(PipelineTest, EveryBatchGoesThroughEveryStageInOrderAndTheLastIsRecordedAsLast) {
  FakeRun run(4);
  ASSERT_TRUE(run.Run());
  EXPECT_THAT(run.recorded_, ElementsAre("P1", "P2", "P3", "last:P4"));
  EXPECT_THAT(run.written_, ElementsAre("P1", "P2", "P3", "P4"));
  EXPECT_EQ(run.beats_, 4);
  EXPECT_FALSE(run.cancel_.stop_requested());
}

TEST(PipelineTest, AnEmptySourceStillRecordsTheEndOnce) {
  FakeRun run(0);
  run.stages_.read = [](source::RowBatch&) -> Result<bool> { return false; };
  ASSERT_TRUE(run.Run());
  EXPECT_THAT(run.recorded_, ElementsAre("last:"));  // the bookmark's chance
  EXPECT_TRUE(run.written_.empty());
}

TEST(PipelineTest, ASourceFailingMidReadIsReturnedAndTheBatchHeldBackIsNotRecorded) {
  FakeRun run(10);
  run.read_fails_at_ = 3;
  Result<void> r = run.Run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kSourceUnavailable);
  EXPECT_EQ(r.error().message(), "mapping \"m\": the connection was lost after 2 batches");
  // P2 was held back for the end, which never came: it is seen again at the next cycle. P1 is
  // recorded if P2 reached the store before the failure did.
  EXPECT_TRUE(IsPrefix(run.recorded_, {"P1"})) << ::testing::PrintToString(run.recorded_);
  EXPECT_TRUE(IsPrefix(run.written_, run.recorded_));
  EXPECT_TRUE(run.cancel_.stop_requested());
}

TEST(PipelineTest, AStoreFailureIsReturnedAndStopsAnEndlessSource) {
  FakeRun run(0);  // endless: only the failure ends the run
  run.record_fails_at_ = 3;
  Result<void> r = run.Run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(r.error().message(), "state store: disk I/O error");
  EXPECT_THAT(run.recorded_, ElementsAre("P1", "P2"));
  EXPECT_TRUE(IsPrefix(run.written_, run.recorded_));
  // A few batches in flight: the store's, the one held back, two queues' and two stages'.
  EXPECT_LE(run.read_, 3 + 1 + 2 * static_cast<int>(kQueueBatches) + 2);
}

TEST(PipelineTest, AWriterFailureIsReturnedAndNothingIsRecordedAfterIt) {
  FakeRun run(0);
  run.write_fails_at_ = 2;
  Result<void> r = run.Run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "write P2.partial: No space left on device");
  EXPECT_THAT(run.written_, ElementsAre("P1"));
  // Never recorded as the last batch (the bookmark does not move), and the store stopped a few
  // batches on at most.
  for (const std::string& what : run.recorded_) EXPECT_EQ(what.find("last:"), std::string::npos);
  EXPECT_LE(run.read_, 2 + 4 + 3 * static_cast<int>(kQueueBatches));
  EXPECT_TRUE(run.cancel_.stop_requested());
}

TEST(PipelineTest, AMappingFailureIsReturnedAndNothingAfterItIsRecorded) {
  FakeRun run(0);
  run.evaluate_fails_at_ = 3;
  Result<void> r = run.Run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(r.error().message(), "mapping \"m\": column \"x\" is missing");
  // P2, held back, is dropped; P1 is recorded if P2 reached the store before the failure did.
  EXPECT_TRUE(IsPrefix(run.recorded_, {"P1"})) << ::testing::PrintToString(run.recorded_);
  EXPECT_TRUE(IsPrefix(run.written_, run.recorded_));
}

TEST(PipelineTest, AnExceptionInAStageIsTheCycleErrorAndStopsTheOthers) {
  FakeRun run(0);  // endless: only the failure ends the run
  run.evaluate_throws_at_ = 2;
  Result<void> r = run.Run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(r.error().message(), "map+validate: cycle index: database or disk is full");
  EXPECT_TRUE(run.cancel_.stop_requested());
  EXPECT_TRUE(IsPrefix(run.written_, run.recorded_));
}

TEST(PipelineTest, ALimitStopsTheSourceAndRecordsTheLastBatchEvaluatedAsLast) {
  FakeRun run(0);
  run.limit_ = 3;
  ASSERT_TRUE(run.Run());
  EXPECT_THAT(run.recorded_, ElementsAre("P1", "P2", "last:P3"));
  EXPECT_THAT(run.written_, ElementsAre("P1", "P2", "P3"));
}

// A read in flight (a query waiting on its server) is stopped through the cancel token as soon
// as another stage fails, not when the server answers.
TEST(PipelineTest, AFailureCancelsTheReadInFlight) {
  FakeRun run(0);
  run.evaluate_fails_at_ = 1;  // the first batch, while the second is being read
  const std::stop_token token = run.cancel_.get_token();
  run.stages_.read = [&run, token](source::RowBatch& batch) -> Result<bool> {
    if (run.read_ == 1) {  // the second query waits until cancelled
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock lock(m);
      cv.wait(lock, token, [] { return false; });
      return Fail(ErrorKind::kCancelled, "the query was cancelled");
    }
    ++run.read_;
    batch.rows.emplace_back();
    return true;
  };
  Result<void> r = run.Run();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "mapping \"m\": column \"x\" is missing");  // the first
}

TEST(PipelineTest, EachStageReportsItsFiguresUnderItsName) {
  FakeRun run(3);
  ASSERT_TRUE(run.Run());
  ASSERT_TRUE(run.Run());  // a second mapping of the cycle adds up
  ASSERT_EQ(run.figures_.size(), 4u);
  EXPECT_EQ(run.figures_[0].name, kStageRead);
  EXPECT_EQ(run.figures_[1].name, kStageEvaluate);
  EXPECT_EQ(run.figures_[2].name, kStageRecord);
  EXPECT_EQ(run.figures_[3].name, kStageWrite);
}

// The read, map+validate and record stages yield the processor to the deposit session's threads
// (at the caller's priority); the write stage, on the calling thread, keeps the caller's.
TEST(PipelineTest, TheStagesButTheWriteRunBelowTheCallersPriority) {
  FakeRun run(3);
  std::atomic<int> read_nice = -100, evaluate_nice = -100, record_nice = -100;
  int write_nice = -100;
  run.stages_.read = [&, read = run.stages_.read](source::RowBatch& batch) {
    read_nice = ThreadNice();
    return read(batch);
  };
  run.stages_.evaluate = [&, evaluate = run.stages_.evaluate](const source::RowBatch& batch,
                                                              EvaluatedBatch& out) {
    evaluate_nice = ThreadNice();
    return evaluate(batch, out);
  };
  run.stages_.record = [&, record = run.stages_.record](EvaluatedBatch& batch, bool last,
                                                        std::vector<std::size_t>& to_write) {
    record_nice = ThreadNice();
    return record(batch, last, to_write);
  };
  run.stages_.write = [&, write = run.stages_.write](const mappings::Passage& p) {
    write_nice = ThreadNice();
    return write(p);
  };
  const int caller = ThreadNice();
  ASSERT_TRUE(run.Run());
  const int lower = std::min(19, caller + kStageNice);
  EXPECT_EQ(read_nice, lower);
  EXPECT_EQ(evaluate_nice, lower);
  EXPECT_EQ(record_nice, lower);
  EXPECT_EQ(write_nice, caller);
  EXPECT_EQ(ThreadNice(), caller);
}

// Each stage's thread carries its name (top -H, ps -L, perf); the write stage runs on the
// caller's thread, whose name it leaves alone.
TEST(PipelineTest, TheStagesThreadsAreNamed) {
  FakeRun run(3);
  std::mutex mutex;
  std::string read_name, evaluate_name, record_name, write_name;
  run.stages_.read = [&, read = run.stages_.read](source::RowBatch& batch) {
    std::lock_guard lock(mutex);
    read_name = ThreadName();
    return read(batch);
  };
  run.stages_.evaluate = [&, evaluate = run.stages_.evaluate](const source::RowBatch& batch,
                                                              EvaluatedBatch& out) {
    std::lock_guard lock(mutex);
    evaluate_name = ThreadName();
    return evaluate(batch, out);
  };
  run.stages_.record = [&, record = run.stages_.record](EvaluatedBatch& batch, bool last,
                                                        std::vector<std::size_t>& to_write) {
    std::lock_guard lock(mutex);
    record_name = ThreadName();
    return record(batch, last, to_write);
  };
  run.stages_.write = [&, write = run.stages_.write](const mappings::Passage& p) {
    std::lock_guard lock(mutex);
    write_name = ThreadName();
    return write(p);
  };
  const std::string caller = ThreadName();
  ASSERT_TRUE(run.Run());
  EXPECT_EQ(read_name, "acc-read");
  EXPECT_EQ(evaluate_name, "acc-map");
  EXPECT_EQ(record_name, "acc-record");
  EXPECT_EQ(write_name, caller);
  EXPECT_EQ(ThreadName(), caller);
}

}  // namespace
}  // namespace accrochd::daemon::cycle
