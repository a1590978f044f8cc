// Where the time of a stage of a pipeline goes: the CPU time of its thread, the wall time it was
// busy and the wall time it waited on its queues. Figures only, for people and the benchmark;
// nothing decides on them.
#ifndef ACCROCHD_CORE_STAGE_METER_H_
#define ACCROCHD_CORE_STAGE_METER_H_

#include <chrono>
#include <string>
#include <vector>

namespace accrochd {

struct StageFigures {
  std::string name;
  std::chrono::nanoseconds cpu{};      // CPU time of the stage's thread
  std::chrono::nanoseconds busy{};     // wall time on its thread, waits excepted
  std::chrono::nanoseconds waiting{};  // wall time waiting for work or for room downstream
};

// Measures one stage on one thread: Begin() and End() on that thread, Waiting around each wait.
// Several runs add up.
class StageMeter {
 public:
  explicit StageMeter(std::string name) { figures_.name = std::move(name); }

  void Begin();  // on the stage's thread
  void End();    // on the same thread

  // Counts its lifetime as waiting.
  class Waiting {
   public:
    explicit Waiting(StageMeter& meter)
        : meter_(meter), started_(std::chrono::steady_clock::now()) {}
    ~Waiting() { meter_.waited_ += std::chrono::steady_clock::now() - started_; }
    Waiting(const Waiting&) = delete;
    Waiting& operator=(const Waiting&) = delete;

   private:
    StageMeter& meter_;
    std::chrono::steady_clock::time_point started_;
  };

  // What was measured, runs ended so far.
  const StageFigures& figures() const { return figures_; }

 private:
  StageFigures figures_;
  std::chrono::nanoseconds cpu_start_{};
  std::chrono::steady_clock::time_point wall_start_{};
  std::chrono::nanoseconds waited_{};
};

// The CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID).
std::chrono::nanoseconds ThreadCpuTime();

// Adds `figures` to the stage of the same name in `into`, or appends it (order of first sight).
void AddFigures(std::vector<StageFigures>& into, const StageFigures& figures);

// "record          1.23 s CPU, busy  45 % of the 2.70 s cycle, waiting 0.80 s"
std::string DescribeStage(const StageFigures& figures, std::chrono::nanoseconds wall);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_STAGE_METER_H_
