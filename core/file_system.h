// The file system seam (style.md §3, after the idea of LevelDB's Env): everything accrochd does
// to its own files -- the state directory, outbox, archive, inbox and hash key -- goes through a
// FileSystem, so that a test can make any write fail (ENOSPC, EIO) and check that nothing is
// half-published. SQLite's own writes to state.db are not behind it (they go through SQLite).
//
// Every error is a kIo Error naming the operation, the path and the system's reason:
// "cannot write /var/lib/accrochd/outbox/.X.xml.partial: No space left on device".
//
// Modes are always explicit: a file is created with the mode asked for whatever the umask, a
// directory made or fixed to its mode, and given its group when one is asked for.
//
// Main owns one PosixFileSystem and passes it down (style.md §8); tests wrap it in a
// FaultInjectingFileSystem.
#ifndef ACCROCHD_CORE_FILE_SYSTEM_H_
#define ACCROCHD_CORE_FILE_SYSTEM_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "core/clock.h"
#include "core/error.h"

namespace accrochd {

// The mode (and group) of a file or directory accrochd creates.
struct FileMode {
  mode_t mode = 0600;
  std::optional<gid_t> group;  // given the group when set; else the process's
};

// How NewFile treats an existing file.
enum class CreateMode {
  kExclusive,  // fails if the file exists (O_EXCL)
  kTruncate,   // an existing file is emptied
  kAppend,     // an existing file is kept, writes go to its end
};

// How a file's bytes go between the process and the disk.
enum class Caching {
  kCached,  // through the page cache, as any file
  // Around it (O_DIRECT), for a large file written once and read back once or twice, from start
  // to end: a deposit file, 50 to 100 MB, written by the write stage, read by the XSD check
  // (which takes its SHA-256 on the way) and by the archive copy. Through the page cache, the
  // kernel copies every byte and, on a virtual machine that hands its free memory back to the
  // host, takes a page fresh from the host for every 4 KiB written: the write stage of a backfill
  // of 1,000,000 passages took 1.7 to 4.7 s of CPU depending on the host's state, 1.6 s around
  // the cache (bench/README.md, 2026-12-06, morning). A file written uncached keeps an aligned
  // buffer of kUncachedBlock bytes, written whole; its tail goes through the cache at Sync. A file
  // read uncached is read a block ahead on another thread (two buffers). Where the file system
  // refuses O_DIRECT (tmpfs before Linux 6.6), the file is cached.
  kUncached,
};

// The size of an uncached file's buffers.
inline constexpr std::size_t kUncachedBlock = std::size_t{1} << 20;

// A file being written. Not thread-safe; closed (quietly) by its destructor.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes all of `data`, or fails. An uncached file keeps up to kUncachedBlock bytes in its
  // buffer: an error of their write is returned by a later Append or by Sync, and what was not
  // synced is written when the file is closed.
  [[nodiscard]] virtual Result<void> Append(std::string_view data) = 0;
  // fsync: what was appended survives a crash.
  [[nodiscard]] virtual Result<void> Sync() = 0;
  virtual const std::string& path() const = 0;
};

// A file being read, from its start. Not thread-safe.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to `size` bytes into `buffer`; 0 at the end of the file.
  [[nodiscard]] virtual Result<std::size_t> Read(char* buffer, std::size_t size) = 0;
};

struct FileInfo {
  bool exists = false;
  bool is_directory = false;
  bool is_regular = false;
  std::uint64_t size = 0;
  TimePoint modified{};
  mode_t mode = 0;  // permission bits
};

struct DirectoryEntry {
  std::string name;
  bool is_directory = false;
  bool is_regular = false;
};

// Thread-safe: may be used from several threads at once (the deposit session writes a file while
// its validation thread publishes the previous one).
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates (or opens, with kAppend) `path` with `mode` -- its permission bits set whatever the
  // umask, its group given when asked.
  [[nodiscard]] virtual Result<std::unique_ptr<WritableFile>> NewFile(const std::string& path,
                                                                      CreateMode how,
                                                                      const FileMode& mode,
                                                                      Caching caching) = 0;
  [[nodiscard]] Result<std::unique_ptr<WritableFile>> NewFile(const std::string& path,
                                                              CreateMode how,
                                                              const FileMode& mode) {
    return NewFile(path, how, mode, Caching::kCached);
  }
  [[nodiscard]] virtual Result<std::unique_ptr<ReadableFile>> OpenForReading(
      const std::string& path, Caching caching) = 0;
  [[nodiscard]] Result<std::unique_ptr<ReadableFile>> OpenForReading(const std::string& path) {
    return OpenForReading(path, Caching::kCached);
  }
  // exists = false, and no error, when there is nothing at `path`.
  [[nodiscard]] virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // The entries of a directory, "." and ".." left out, sorted by name.
  [[nodiscard]] virtual Result<std::vector<DirectoryEntry>> ListDirectory(
      const std::string& path) = 0;
  // Makes the directory `path` (its parent must exist) or, when it exists, fixes its mode and
  // group.
  [[nodiscard]] virtual Result<void> MakeDirectory(const std::string& path,
                                                   const FileMode& mode) = 0;
  // Sets the mode (and group) of an existing file.
  [[nodiscard]] virtual Result<void> SetMode(const std::string& path, const FileMode& mode) = 0;
  // fsync of an existing file.
  [[nodiscard]] virtual Result<void> SyncFile(const std::string& path) = 0;
  // rename(2): replaces `to` atomically.
  [[nodiscard]] virtual Result<void> Rename(const std::string& from, const std::string& to) = 0;
  // fsync of a directory, so that a rename or an unlink in it survives a crash.
  [[nodiscard]] virtual Result<void> SyncDirectory(const std::string& path) = 0;
  // Removes a file; nothing at `path` is not an error.
  [[nodiscard]] virtual Result<void> Remove(const std::string& path) = 0;

  // The whole file, refused with kInvalidData beyond `max_bytes`.
  [[nodiscard]] Result<std::string> ReadFile(const std::string& path,
                                             std::uint64_t max_bytes = UINT64_MAX);
  [[nodiscard]] bool Exists(const std::string& path);
};

// The real file system.
class PosixFileSystem final : public FileSystem {
 public:
  using FileSystem::NewFile;
  using FileSystem::OpenForReading;
  Result<std::unique_ptr<WritableFile>> NewFile(const std::string& path, CreateMode how,
                                                const FileMode& mode, Caching caching) override;
  Result<std::unique_ptr<ReadableFile>> OpenForReading(const std::string& path,
                                                       Caching caching) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<std::vector<DirectoryEntry>> ListDirectory(const std::string& path) override;
  Result<void> MakeDirectory(const std::string& path, const FileMode& mode) override;
  Result<void> SetMode(const std::string& path, const FileMode& mode) override;
  Result<void> SyncFile(const std::string& path) override;
  Result<void> Rename(const std::string& from, const std::string& to) override;
  Result<void> SyncDirectory(const std::string& path) override;
  Result<void> Remove(const std::string& path) override;
};

// The kIo error every FileSystem returns: "cannot <what> <path>: <strerror(error)>".
Error FileError(std::string_view what, const std::string& path, int error);

// The directory part of `path` ("." when there is none).
std::string ParentDirectory(const std::string& path);

// Where WriteFileAtomically writes before renaming: .NAME.partial beside NAME.
std::string PartialPathFor(const std::string& path);

// Writes `path` whole or not at all: `fill` writes into .NAME.partial beside it (created with
// `mode`), which is fsynced, renamed over `path`, and the directory fsynced. On failure the
// partial file is removed (a partial left by a crash is overwritten by the next attempt).
[[nodiscard]] Result<void> WriteFileAtomically(
    FileSystem& fs, const std::string& path, const FileMode& mode,
    const std::function<Result<void>(WritableFile&)>& fill);
[[nodiscard]] Result<void> WriteFileAtomically(FileSystem& fs, const std::string& path,
                                               const FileMode& mode, std::string_view bytes);

// Durably renames `from` to `to`: fsync of `from`, rename, fsync of the target's directory.
[[nodiscard]] Result<void> DurableRename(FileSystem& fs, const std::string& from,
                                         const std::string& to);

// A FileSystem for tests that wraps another and fails the write point of its choice, the way a
// full or failing disk would. The write points are the operations that change the disk:
// NewFile, Append, Sync, MakeDirectory, SetMode, SyncFile, Rename, SyncDirectory, Remove; reads
// always pass. A failed point does nothing and returns the error the real call would, so a test
// can walk every point of a scenario: run it once to count them, then fail each in turn.
// Thread-safe.
class FaultInjectingFileSystem final : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem& base) : base_(base) {}

  // Write point number `n` (1-based, counted from the last Reset) fails with `error` (an errno
  // such as ENOSPC or EIO). One point at a time; 0 fails none.
  void FailAt(std::uint64_t n, int error);
  // Counts from zero again; no point fails.
  void Reset();
  // The write points passed since the last Reset, each as "operation path" (e.g.
  // "append /tmp/x/outbox/.A.xml.partial"), the failed one included.
  std::vector<std::string> points() const;
  // The point that failed, if one did.
  std::optional<std::string> failed() const;

  using FileSystem::NewFile;
  using FileSystem::OpenForReading;
  Result<std::unique_ptr<WritableFile>> NewFile(const std::string& path, CreateMode how,
                                                const FileMode& mode, Caching caching) override;
  Result<std::unique_ptr<ReadableFile>> OpenForReading(const std::string& path,
                                                       Caching caching) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<std::vector<DirectoryEntry>> ListDirectory(const std::string& path) override;
  Result<void> MakeDirectory(const std::string& path, const FileMode& mode) override;
  Result<void> SetMode(const std::string& path, const FileMode& mode) override;
  Result<void> SyncFile(const std::string& path) override;
  Result<void> Rename(const std::string& from, const std::string& to) override;
  Result<void> SyncDirectory(const std::string& path) override;
  Result<void> Remove(const std::string& path) override;

  // Called by the files it hands out. The injected error, if point `operation path` is the one
  // to fail.
  std::optional<Error> Pass(std::string_view operation, const std::string& path,
                            std::string_view what);

 private:
  FileSystem& base_;
  mutable std::mutex mutex_;
  std::uint64_t fail_at_ = 0;
  int error_ = 0;
  std::vector<std::string> points_;
  std::optional<std::string> failed_;
};

}  // namespace accrochd

#endif  // ACCROCHD_CORE_FILE_SYSTEM_H_
