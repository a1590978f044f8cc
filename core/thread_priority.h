// The scheduling priority of the calling thread. On Linux a thread's nice value is its own
// (setpriority on its thread id): a stage of bulk work can yield the processor to the threads a
// cycle waits on without changing the others'. An unprivileged thread can lower its priority but
// never raise it back, so only threads that end with their work lower theirs. And its name, and
// work handed to a named thread.
#ifndef ACCROCHD_CORE_THREAD_PRIORITY_H_
#define ACCROCHD_CORE_THREAD_PRIORITY_H_

#include <future>
#include <string>
#include <string_view>
#include <system_error>

namespace accrochd {

// The calling thread's nice value (-20 to 19; higher runs later).
int ThreadNice();

// Raises the calling thread's nice value by `steps`, up to 19. False when the system refused (a
// system call filter): the thread keeps its priority, and nothing else changes.
bool LowerThreadPriority(int steps);

// Names the calling thread "acc-" + `name` (cut to the kernel's 15 bytes), as `top -H`,
// `ps -L` and perf show it: the cycle's stages can be told apart there.
void NameThread(std::string_view name);

// The calling thread's name, as set by NameThread (or the process's, when it set none).
std::string ThreadName();

// `work` on a thread of its own named `name` (NameThread), its result in the future returned;
// where no thread can be had (std::async refused: a unit's TasksMax, no memory), deferred: done
// on the thread that asks for its result, when it asks.
template <typename Work>
auto RunOnNamedThread(std::string_view name, Work work) -> std::future<decltype(work())> {
  try {
    return std::async(std::launch::async, [name = std::string(name), work] {
      NameThread(name);
      return work();
    });
  } catch (const std::system_error&) {
    return std::async(std::launch::deferred, work);
  }
}

}  // namespace accrochd

#endif  // ACCROCHD_CORE_THREAD_PRIORITY_H_
