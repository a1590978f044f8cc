// One accrochd at a time on a state directory: `run` and `once` hold an exclusive lock on
// <state>/lock (flock), which the kernel releases when the process ends, even by kill -9. The lock
// file is opened with POSIX calls, not through the FileSystem seam: a lock is not a write that a
// test injects faults into.
#ifndef ACCROCHD_DAEMON_STATE_LOCK_H_
#define ACCROCHD_DAEMON_STATE_LOCK_H_

#include <string>

#include "core/error.h"
#include "core/file_system.h"

namespace accrochd::daemon {

class StateLock {
 public:
  // Fails with kIo (exit 2), naming the holder's pid, when another process holds the lock.
  static Result<StateLock> Acquire(const std::string& state_directory);

  StateLock(StateLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StateLock& operator=(StateLock&&) = delete;
  StateLock(const StateLock&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_;
};

// Creates the state directory, mode 0700, when it does not exist (its parents must); the
// publisher then fixes its mode (0711 with a deposit group).
Result<void> EnsureStateDirectory(FileSystem& files, const std::string& state_directory);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_STATE_LOCK_H_
