#pragma once

#include <string>

namespace accrochd {

// The allocator behind this process's malloc, with its version: "jemalloc 5.3.0" when the
// executable was linked with it (daemon/CMakeLists.txt) or it was preloaded, else "glibc 2.36".
// For `accrochd --version`, so that an administrator and the bench can tell which one runs.
std::string AllocatorInUse();

}  // namespace accrochd
