#include "daemon/state_lock.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace accrochd::daemon {

Result<StateLock> StateLock::Acquire(const std::string& state_directory) {
  const std::string path = state_directory + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorKind::kIo, "cannot open " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    if (error == EWOULDBLOCK) {
      std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "";
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return Fail(ErrorKind::kIo,
                  "another accrochd" + (holder.empty() ? "" : " (pid " + holder + ")") +
                      " is using " + state_directory +
                      "; stop it first (systemctl stop accrochd) or wait for it to finish");
    }
    return Fail(ErrorKind::kIo, "cannot lock " + path + ": " + std::strerror(error));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The pid is for people; the lock itself holds.
  }
  return StateLock(fd);
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> EnsureStateDirectory(FileSystem& files, const std::string& state_directory) {
  auto info = files.Stat(state_directory);
  if (!info) return std::unexpected(info.error());
  if (!info->exists) {
    if (auto r = files.MakeDirectory(state_directory, FileMode{0700, std::nullopt}); !r) {
      return std::unexpected(r.error().WithContext("the state directory"));
    }
    return {};
  }
  if (!info->is_directory) return Fail(ErrorKind::kIo, state_directory + " is not a directory");
  return {};
}

}  // namespace accrochd::daemon
