#include "core/thread_priority.h"

#include <algorithm>
#include <cerrno>

#include <sys/resource.h>
#include <unistd.h>

namespace accrochd {

int ThreadNice() {
  errno = 0;  // -1 is a nice value too
  const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  return errno == 0 ? nice : 0;
}

bool LowerThreadPriority(int steps) {
  const int target = std::min(19, ThreadNice() + steps);
  return setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), target) == 0;
}

}  // namespace accrochd
