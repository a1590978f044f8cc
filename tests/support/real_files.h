// The real file system, for tests that do not inject faults. A PosixFileSystem has no state, so
// one shared instance is harmless here; accrochd itself gets its own from main (style.md §8).
#ifndef ACCROCHD_TESTS_SUPPORT_REAL_FILES_H_
#define ACCROCHD_TESTS_SUPPORT_REAL_FILES_H_

#include "core/file_system.h"

namespace accrochd::testing {

inline FileSystem& RealFiles() {
  static PosixFileSystem files;
  return files;
}

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_REAL_FILES_H_
