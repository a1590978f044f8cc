#pragma once

#include <cstddef>
#include <string>

namespace accrochd {

// The allocator behind this process's malloc, with its version: "jemalloc 5.3.0" when the
// executable was linked with it (daemon/CMakeLists.txt) or it was preloaded, else "glibc 2.36".
// For `accrochd --version`, so that an administrator and the bench can tell which one runs.
std::string AllocatorInUse();

// What the allocator holds of the process's memory, in bytes: jemalloc's resident pages of its
// own (stats.resident, refreshed), or glibc's arenas (mallinfo2's arena + hblkhd). For the
// daemon's debug log between cycles.
std::size_t AllocatorResident();

// Gives back to the system the free memory the allocator keeps: every jemalloc arena's unused
// pages (arena.<all>.purge), or glibc's malloc_trim(0). The daemon calls it after each cycle,
// before it sleeps: jemalloc returns freed pages only as it is called again (its decay runs on
// allocations), so an idle daemon would otherwise keep its last cycle's peak until the next.
void ReturnFreeMemory();

}  // namespace accrochd
