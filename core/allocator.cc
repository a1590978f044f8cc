#include "core/allocator.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <gnu/libc-version.h>
#include <malloc.h>

// jemalloc's control interface, if jemalloc is in the process: a weak reference, null otherwise
// (the libraries and the unit tests are not linked with it). Declared here rather than through
// <jemalloc/jemalloc.h>, which the builds without jemalloc do not have.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                       std::size_t newlen) __attribute__((weak));

namespace accrochd {

std::string AllocatorInUse() {
  if (mallctl != nullptr) {
    const char* version = nullptr;
    std::size_t size = sizeof(version);
    if (mallctl("version", static_cast<void*>(&version), &size, nullptr, 0) == 0 &&
        version != nullptr) {
      // "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c": the release, not the commit.
      const std::string_view full(version);
      return "jemalloc " + std::string(full.substr(0, full.find('-')));
    }
    return "jemalloc";
  }
  return std::string("glibc ") + gnu_get_libc_version();
}

std::size_t AllocatorResident() {
  if (mallctl != nullptr) {
    // The statistics are a snapshot taken at each "epoch" write.
    std::uint64_t epoch = 1;
    std::size_t size = sizeof(epoch);
    mallctl("epoch", static_cast<void*>(&epoch), &size, static_cast<void*>(&epoch), size);
    std::size_t resident = 0;
    size = sizeof(resident);
    if (mallctl("stats.resident", static_cast<void*>(&resident), &size, nullptr, 0) == 0) {
      return resident;
    }
    return 0;
  }
  const struct mallinfo2 info = mallinfo2();
  return info.arena + info.hblkhd;
}

void ReturnFreeMemory() {
  if (mallctl != nullptr) {
    // 4096 is MALLCTL_ARENAS_ALL: every arena at once.
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
    return;
  }
  malloc_trim(0);
}

}  // namespace accrochd
