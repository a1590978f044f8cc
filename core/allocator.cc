#include "core/allocator.h"

#include <cstddef>
#include <string_view>

#include <gnu/libc-version.h>

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

}  // namespace accrochd
