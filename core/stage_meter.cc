#include "core/stage_meter.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace accrochd {

std::chrono::nanoseconds ThreadCpuTime() {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return {};
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

void StageMeter::Begin() {
  cpu_start_ = ThreadCpuTime();
  wall_start_ = std::chrono::steady_clock::now();
  waited_ = {};
}

void StageMeter::End() {
  const std::chrono::nanoseconds wall = std::chrono::steady_clock::now() - wall_start_;
  figures_.cpu += ThreadCpuTime() - cpu_start_;
  figures_.waiting += waited_;
  figures_.busy += std::max(std::chrono::nanoseconds(0), wall - waited_);
  waited_ = {};
}

void AddFigures(std::vector<StageFigures>& into, const StageFigures& figures) {
  auto it = std::find_if(into.begin(), into.end(),
                         [&](const StageFigures& f) { return f.name == figures.name; });
  if (it == into.end()) {
    into.push_back(figures);
    return;
  }
  it->cpu += figures.cpu;
  it->busy += figures.busy;
  it->waiting += figures.waiting;
}

std::string DescribeStage(const StageFigures& figures, std::chrono::nanoseconds wall) {
  using Seconds = std::chrono::duration<double>;
  const double share = wall.count() > 0 ? 100.0 * static_cast<double>(figures.busy.count()) /
                                              static_cast<double>(wall.count())
                                        : 0.0;
  char line[160];
  std::snprintf(line, sizeof(line),
                "%-14s %8.2f s CPU, busy %3.0f %% of the %.2f s cycle, waiting %.2f s",
                figures.name.c_str(), Seconds(figures.cpu).count(), share, Seconds(wall).count(),
                Seconds(figures.waiting).count());
  return line;
}

}  // namespace accrochd
