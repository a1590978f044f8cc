#include "core/thread_priority.h"

#include <algorithm>
#include <cerrno>

#include <pthread.h>
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

void NameThread(std::string_view name) {
  std::string full = "acc-" + std::string(name);
  full.resize(std::min<std::size_t>(full.size(), 15));     // the kernel keeps 15 bytes and a NUL
  (void)pthread_setname_np(pthread_self(), full.c_str());  // a name only: nothing depends on it
}

std::string ThreadName() {
  char name[16] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return "";
  return name;
}

}  // namespace accrochd
