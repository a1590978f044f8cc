#include "core/file_system.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>
#include <new>
#include <system_error>
#include <utility>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/thread_priority.h"

namespace accrochd {
namespace {

// Owns a file descriptor (style.md §7).
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Mode then group on an open file: the group first would let chmod's bits apply to the old one
// for a moment, which is harmless either way, but fchown may clear set-id bits, so chmod last.
Result<void> ApplyMode(int fd, const std::string& path, const FileMode& mode) {
  if (mode.group && ::fchown(fd, static_cast<uid_t>(-1), *mode.group) != 0) {
    return std::unexpected(FileError("give its group to", path, errno));
  }
  if (::fchmod(fd, mode.mode) != 0) {
    return std::unexpected(FileError("set the mode of", path, errno));
  }
  return {};
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  Result<void> Append(std::string_view data) override {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fd_.get(), data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return std::unexpected(FileError("write", path_, errno));
      }
      done += static_cast<std::size_t>(n);
    }
    return {};
  }

  Result<void> Sync() override {
    if (::fsync(fd_.get()) != 0) return std::unexpected(FileError("sync", path_, errno));
    return {};
  }

  const std::string& path() const override { return path_; }

 private:
  Fd fd_;
  std::string path_;
};

// The alignment O_DIRECT asks of a buffer, a length and an offset: the logical block of most
// devices is 512 bytes, of some 4 KiB.
constexpr std::size_t kDirectAlignment = 4096;

struct FreeAligned {
  void operator()(char* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<char[], FreeAligned>;

AlignedBuffer NewAlignedBuffer() {
  auto* p = static_cast<char*>(std::aligned_alloc(kDirectAlignment, kUncachedBlock));
  if (p == nullptr) throw std::bad_alloc();
  return AlignedBuffer(p);
}

// Turns O_DIRECT on for `fd`, opened without it; false where the file system refuses it (tmpfs
// before Linux 6.6). Set after the open, not at it: an open with O_CREAT and O_DIRECT that the
// file system refuses may have created the file, which a second open with O_EXCL would then find.
bool StartDirect(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_DIRECT) == 0;
}

// Turns O_DIRECT off on `fd`: for a write or a read whose length or place is not aligned, or a
// file system that refuses one after accepting the open (EINVAL).
bool StopDirect(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags & ~O_DIRECT) == 0;
}

// A file written around the page cache (Caching::kUncached): whole blocks of its aligned buffer
// go to the device with O_DIRECT; the last, shorter one, at Sync or at the close, goes through
// the page cache (O_DIRECT off from then on).
class DirectWritableFile final : public WritableFile {
 public:
  DirectWritableFile(int fd, std::string path)
      : fd_(fd), path_(std::move(path)), buffer_(NewAlignedBuffer()) {}
  ~DirectWritableFile() override { (void)Flush(); }  // best effort: a caller that cares syncs

  Result<void> Append(std::string_view data) override {
    while (!data.empty()) {
      const std::size_t n = std::min(data.size(), kUncachedBlock - used_);
      std::memcpy(buffer_.get() + used_, data.data(), n);
      used_ += n;
      data.remove_prefix(n);
      if (used_ == kUncachedBlock) {
        if (auto r = Write(used_); !r) return r;
      }
    }
    return {};
  }

  Result<void> Sync() override {
    if (auto r = Flush(); !r) return r;
    if (::fsync(fd_.get()) != 0) return std::unexpected(FileError("sync", path_, errno));
    return {};
  }

  const std::string& path() const override { return path_; }

 private:
  // Writes what the buffer holds: its aligned part directly, the rest through the page cache.
  Result<void> Flush() {
    if (used_ == 0) return {};
    const std::size_t aligned = used_ / kDirectAlignment * kDirectAlignment;
    if (aligned > 0) {
      if (auto r = Write(aligned); !r) return r;
    }
    if (used_ == 0) return {};
    if (direct_ && !StopDirect(fd_.get())) {
      return std::unexpected(FileError("write", path_, errno));
    }
    direct_ = false;
    return Write(used_);
  }

  // Writes the buffer's first `n` bytes and keeps the rest at its start.
  Result<void> Write(std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t w = ::write(fd_.get(), buffer_.get() + done, n - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        // A file system that took O_DIRECT at the open and refuses the write: cached from here.
        if (errno == EINVAL && direct_ && StopDirect(fd_.get())) {
          direct_ = false;
          continue;
        }
        return std::unexpected(FileError("write", path_, errno));
      }
      done += static_cast<std::size_t>(w);
      // A short direct write leaves the file's end unaligned: cached from here.
      if (direct_ && done < n && done % kDirectAlignment != 0) {
        if (!StopDirect(fd_.get())) return std::unexpected(FileError("write", path_, errno));
        direct_ = false;
      }
    }
    std::memmove(buffer_.get(), buffer_.get() + n, used_ - n);
    used_ -= n;
    return {};
  }

  Fd fd_;
  std::string path_;
  AlignedBuffer buffer_;
  std::size_t used_ = 0;
  bool direct_ = true;
};

// A file read around the page cache, a block of kUncachedBlock bytes at a time, the next block
// read on another thread while this one is served: a read from the device takes as long as a
// consumer's work on the block (the XSD check's, the SHA-256's, zstd's), which would otherwise
// wait for each.
class DirectReadableFile final : public ReadableFile {
 public:
  DirectReadableFile(int fd, std::string path)
      : fd_(fd), path_(std::move(path)), buffers_{NewAlignedBuffer(), NewAlignedBuffer()} {}
  ~DirectReadableFile() override {
    if (next_.valid()) next_.wait();  // it writes into buffers_
  }

  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    if (at_ == held_) {
      if (done_) return 0;
      auto n = Fill();
      if (!n) return n;
      if (*n == 0) return 0;
    }
    const std::size_t n = std::min(size, held_ - at_);
    std::memcpy(buffer, buffers_[current_].get() + at_, n);
    at_ += n;
    return n;
  }

 private:
  struct Block {
    ssize_t size;  // -1: failed
    int error;
  };

  // Reads the block at `offset` into `buffer`; O_DIRECT is turned off if the file system
  // refuses it at the first read.
  Block ReadBlock(char* buffer, std::uint64_t offset) {
    for (;;) {
      const ssize_t n = ::pread(fd_.get(), buffer, kUncachedBlock, static_cast<off_t>(offset));
      if (n >= 0) return {n, 0};
      if (errno == EINTR) continue;
      if (errno == EINVAL && direct_.exchange(false) && StopDirect(fd_.get())) continue;
      return {-1, errno};
    }
  }

  void StartNext() {
    char* into = buffers_[1 - current_].get();
    const std::uint64_t offset = offset_;
    next_ =
        RunOnNamedThread("read-ahead", [this, into, offset] { return ReadBlock(into, offset); });
  }

  Result<std::size_t> Fill() {
    if (!next_.valid()) StartNext();  // the first block
    const Block block = next_.get();
    if (block.size < 0) return std::unexpected(FileError("read", path_, block.error));
    current_ = 1 - current_;
    at_ = 0;
    held_ = static_cast<std::size_t>(block.size);
    offset_ += held_;
    // A short block is the end of the file.
    if (held_ == kUncachedBlock) {
      StartNext();
    } else {
      done_ = true;
    }
    return held_;
  }

  Fd fd_;
  std::string path_;
  AlignedBuffer buffers_[2];
  int current_ = 1;  // the buffer served; the other is being filled
  std::future<Block> next_;
  std::uint64_t offset_ = 0;  // of the next block to read
  std::size_t at_ = 0, held_ = 0;
  bool done_ = false;
  std::atomic<bool> direct_ = true;
};

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_.get(), buffer, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return std::unexpected(FileError("read", path_, errno));
    }
  }

 private:
  Fd fd_;
  std::string path_;
};

}  // namespace

Error FileError(std::string_view what, const std::string& path, int error) {
  return Error(ErrorKind::kIo,
               "cannot " + std::string(what) + " " + path + ": " + std::strerror(error));
}

std::string ParentDirectory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string PartialPathFor(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + name + ".partial";
}

// ---- FileSystem ---------------------------------------------------------------------------

Result<std::string> FileSystem::ReadFile(const std::string& path, std::uint64_t max_bytes) {
  auto file = OpenForReading(path);
  if (!file) return std::unexpected(file.error());
  std::string out;
  std::string buffer(1 << 16, '\0');
  for (;;) {
    auto n = (*file)->Read(buffer.data(), buffer.size());
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    out.append(buffer.data(), *n);
    if (out.size() > max_bytes) {
      return Fail(ErrorKind::kInvalidData,
                  path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  return out;
}

bool FileSystem::Exists(const std::string& path) {
  auto info = Stat(path);
  return info && info->exists;
}

// ---- PosixFileSystem ----------------------------------------------------------------------

Result<std::unique_ptr<WritableFile>> PosixFileSystem::NewFile(const std::string& path,
                                                               CreateMode how, const FileMode& mode,
                                                               Caching caching) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
  switch (how) {
    case CreateMode::kExclusive:
      flags |= O_EXCL;
      break;
    case CreateMode::kTruncate:
      flags |= O_TRUNC;
      break;
    case CreateMode::kAppend:
      flags |= O_APPEND;
      break;
  }
  const int fd = ::open(path.c_str(), flags, mode.mode);
  if (fd < 0) return std::unexpected(FileError("create", path, errno));
  // Appending keeps no alignment: only a file written from its start goes around the cache.
  std::unique_ptr<WritableFile> file;
  if (caching == Caching::kUncached && how != CreateMode::kAppend && StartDirect(fd)) {
    file = std::make_unique<DirectWritableFile>(fd, path);
  } else {
    file = std::make_unique<PosixWritableFile>(fd, path);
  }
  if (auto r = ApplyMode(fd, path, mode); !r) return std::unexpected(r.error());
  return file;
}

Result<std::unique_ptr<ReadableFile>> PosixFileSystem::OpenForReading(const std::string& path,
                                                                      Caching caching) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(FileError("read", path, errno));
  if (caching == Caching::kUncached && StartDirect(fd)) {
    return std::unique_ptr<ReadableFile>(std::make_unique<DirectReadableFile>(fd, path));
  }
  return std::unique_ptr<ReadableFile>(std::make_unique<PosixReadableFile>(fd, path));
}

Result<FileInfo> PosixFileSystem::Stat(const std::string& path) {
  struct stat st {};
  FileInfo info;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return info;
    return std::unexpected(FileError("look at", path, errno));
  }
  info.exists = true;
  info.is_directory = S_ISDIR(st.st_mode);
  info.is_regular = S_ISREG(st.st_mode);
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.modified = std::chrono::system_clock::from_time_t(st.st_mtime);
  info.mode = st.st_mode & 07777;
  return info;
}

Result<std::vector<DirectoryEntry>> PosixFileSystem::ListDirectory(const std::string& path) {
  struct DirCloser {
    void operator()(DIR* d) const { ::closedir(d); }
  };
  std::unique_ptr<DIR, DirCloser> dir(::opendir(path.c_str()));
  if (!dir) return std::unexpected(FileError("list", path, errno));
  std::vector<DirectoryEntry> entries;
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(dir.get());
    if (e == nullptr) {
      if (errno != 0) return std::unexpected(FileError("list", path, errno));
      break;
    }
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    DirectoryEntry entry;
    entry.name = name;
    struct stat st {};
    if (::fstatat(::dirfd(dir.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      entry.is_directory = S_ISDIR(st.st_mode);
      entry.is_regular = S_ISREG(st.st_mode);
    }
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.name < b.name; });
  return entries;
}

Result<void> PosixFileSystem::MakeDirectory(const std::string& path, const FileMode& mode) {
  if (::mkdir(path.c_str(), mode.mode) != 0 && errno != EEXIST) {
    return std::unexpected(FileError("create directory", path, errno));
  }
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(FileError("open directory", path, errno));
  return ApplyMode(fd.get(), path, mode);  // the umask took bits away, or it existed
}

Result<void> PosixFileSystem::SetMode(const std::string& path, const FileMode& mode) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(FileError("open", path, errno));
  return ApplyMode(fd.get(), path, mode);
}

Result<void> PosixFileSystem::SyncFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(FileError("open", path, errno));
  if (::fsync(fd.get()) != 0) return std::unexpected(FileError("sync", path, errno));
  return {};
}

Result<void> PosixFileSystem::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return std::unexpected(FileError("rename " + from + " to", to, errno));
  }
  return {};
}

Result<void> PosixFileSystem::SyncDirectory(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(FileError("open directory", path, errno));
  if (::fsync(fd.get()) != 0) return std::unexpected(FileError("sync directory", path, errno));
  return {};
}

Result<void> PosixFileSystem::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return std::unexpected(FileError("remove", path, errno));
  }
  return {};
}

// ---- Helpers ------------------------------------------------------------------------------

Result<void> DurableRename(FileSystem& fs, const std::string& from, const std::string& to) {
  if (auto r = fs.SyncFile(from); !r) return r;
  if (auto r = fs.Rename(from, to); !r) return r;
  return fs.SyncDirectory(ParentDirectory(to));
}

Result<void> WriteFileAtomically(FileSystem& fs, const std::string& path, const FileMode& mode,
                                 const std::function<Result<void>(WritableFile&)>& fill) {
  const std::string partial = PartialPathFor(path);
  auto written = [&]() -> Result<void> {
    auto file = fs.NewFile(partial, CreateMode::kTruncate, mode);
    if (!file) return std::unexpected(file.error());
    if (auto r = fill(**file); !r) return r;
    if (auto r = (*file)->Sync(); !r) return r;
    file->reset();  // closed before the rename
    if (auto r = fs.Rename(partial, path); !r) return r;
    return {};
  }();
  if (!written) {
    (void)fs.Remove(partial);  // best effort: a leftover is overwritten next time
    return written;
  }
  return fs.SyncDirectory(ParentDirectory(path));
}

Result<void> WriteFileAtomically(FileSystem& fs, const std::string& path, const FileMode& mode,
                                 std::string_view bytes) {
  return WriteFileAtomically(fs, path, mode,
                             [bytes](WritableFile& file) { return file.Append(bytes); });
}

// ---- FaultInjectingFileSystem -------------------------------------------------------------

namespace {

class FaultyWritableFile final : public WritableFile {
 public:
  FaultyWritableFile(std::unique_ptr<WritableFile> base, FaultInjectingFileSystem& owner)
      : base_(std::move(base)), owner_(owner) {}

  Result<void> Append(std::string_view data) override {
    if (auto e = owner_.Pass("append", base_->path(), "write")) return std::unexpected(*e);
    return base_->Append(data);
  }
  Result<void> Sync() override {
    if (auto e = owner_.Pass("sync", base_->path(), "sync")) return std::unexpected(*e);
    return base_->Sync();
  }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<WritableFile> base_;
  FaultInjectingFileSystem& owner_;
};

}  // namespace

void FaultInjectingFileSystem::FailAt(std::uint64_t n, int error) {
  std::lock_guard lock(mutex_);
  fail_at_ = n;
  error_ = error;
}

void FaultInjectingFileSystem::Reset() {
  std::lock_guard lock(mutex_);
  fail_at_ = 0;
  error_ = 0;
  points_.clear();
  failed_.reset();
}

std::vector<std::string> FaultInjectingFileSystem::points() const {
  std::lock_guard lock(mutex_);
  return points_;
}

std::optional<std::string> FaultInjectingFileSystem::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

std::optional<Error> FaultInjectingFileSystem::Pass(std::string_view operation,
                                                    const std::string& path,
                                                    std::string_view what) {
  std::lock_guard lock(mutex_);
  points_.push_back(std::string(operation) + " " + path);
  if (points_.size() != fail_at_) return std::nullopt;
  failed_ = points_.back();
  return FileError(what, path, error_);
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::NewFile(const std::string& path,
                                                                        CreateMode how,
                                                                        const FileMode& mode,
                                                                        Caching caching) {
  if (auto e = Pass("create", path, "create")) return std::unexpected(*e);
  auto file = base_.NewFile(path, how, mode, caching);
  if (!file) return std::unexpected(file.error());
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultyWritableFile>(std::move(*file), *this));
}

Result<std::unique_ptr<ReadableFile>> FaultInjectingFileSystem::OpenForReading(
    const std::string& path, Caching caching) {
  return base_.OpenForReading(path, caching);
}

Result<FileInfo> FaultInjectingFileSystem::Stat(const std::string& path) {
  return base_.Stat(path);
}

Result<std::vector<DirectoryEntry>> FaultInjectingFileSystem::ListDirectory(
    const std::string& path) {
  return base_.ListDirectory(path);
}

Result<void> FaultInjectingFileSystem::MakeDirectory(const std::string& path,
                                                     const FileMode& mode) {
  if (auto e = Pass("mkdir", path, "create directory")) return std::unexpected(*e);
  return base_.MakeDirectory(path, mode);
}

Result<void> FaultInjectingFileSystem::SetMode(const std::string& path, const FileMode& mode) {
  if (auto e = Pass("chmod", path, "set the mode of")) return std::unexpected(*e);
  return base_.SetMode(path, mode);
}

Result<void> FaultInjectingFileSystem::SyncFile(const std::string& path) {
  if (auto e = Pass("sync", path, "sync")) return std::unexpected(*e);
  return base_.SyncFile(path);
}

Result<void> FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  if (auto e = Pass("rename", to, "rename " + from + " to")) return std::unexpected(*e);
  return base_.Rename(from, to);
}

Result<void> FaultInjectingFileSystem::SyncDirectory(const std::string& path) {
  if (auto e = Pass("syncdir", path, "sync directory")) return std::unexpected(*e);
  return base_.SyncDirectory(path);
}

Result<void> FaultInjectingFileSystem::Remove(const std::string& path) {
  if (auto e = Pass("remove", path, "remove")) return std::unexpected(*e);
  return base_.Remove(path);
}

}  // namespace accrochd
