// The outbox and the archive: where deposit files are published, durably and atomically.
//
//   <state>/outbox/NAME.xml                  files ready to be deposited on the CDC portal
//   <state>/outbox/.NAME.xml.partial         a file being written or checked (never deposited)
//   <state>/archive/YYYY/MM/.NAME.xml.zst.partial  its compressed copy, taken while it is checked
//   <state>/archive/YYYY/MM/NAME.xml.zst     a compressed copy of every published file (the
//                                            month of the UTC timestamp in its name), zstd;
//                                            NAME.xml.gz (gzip) when archived by an earlier
//                                            version, still read and pruned
//   <state>/archive/manifest.tsv             one line per published file: time, name, idFlux,
//                                            sha256, passages, certifier
//
// A file appears in the outbox only complete and valid: it is written and checked under its
// partial name, fsynced, renamed, and the directory fsynced. A kill at any moment leaves at most
// a partial file, which the next start removes; so does a failed write (a full disk): the file is
// not published and the error names the path. Files are 0600 and directories 0700 -- 0640 and
// 0750 when a group is configured (for the staff who upload them). Every file operation goes
// through the FileSystem seam (core/file_system.h).
#ifndef ACCROCHD_CONNECTORS_DEPOSIT_PUBLISHER_H_
#define ACCROCHD_CONNECTORS_DEPOSIT_PUBLISHER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "core/clock.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/file_system.h"
#include "core/log.h"

namespace accrochd::deposit {

struct PublisherSettings {
  std::string state_directory;
  std::optional<gid_t> group;         // the group granted read access, if any
  std::optional<Duration> retention;  // archived files older than this are removed; none: kept
  // Whether the state store holds a deposit of that file name, abandoned ones included (unset:
  // no store). A process killed after recording a file and before publishing it leaves no file
  // behind, only its record: a name of the same second must not be handed out again.
  std::function<bool(const std::string& name)> name_recorded;
};

// What is known of a published file, as written in the manifest.
struct PublishedFile {
  std::string name;          // "DEMO0001_20261127T013012Z_001.xml"
  std::string path;          // in the outbox
  std::string archive_path;  // the compressed copy
  std::string id_flux;
  std::string sha256;  // of the file as deposited (not of the archive)
  std::uint64_t passages = 0;
  std::uint64_t bytes = 0;
  std::string certificateur;  // the certifier's BCR
  std::string published_at;   // ISO 8601, UTC
  bool in_outbox = false;     // renamed into the outbox: published, even if archiving failed
  // A compressed copy of the file its caller wrote while reading it (NewArchiveCopy; complete
  // and synced): renamed into the archive rather than compressing the file again. Cleared once
  // renamed; the caller removes it when it is not.
  std::string archive_copy;
};

// Not thread-safe, except NameFor(), which may be called while Publish() runs on another thread
// -- names are reserved under a lock.
class Publisher {
 public:
  // `clock`, `logger` and `files` must outlive the publisher.
  Publisher(PublisherSettings settings, Clock& clock, Logger& logger, FileSystem& files);

  // Creates the directories (or fixes their modes) and removes partial files left by a process
  // that was killed.
  Result<void> Prepare();

  // The file system everything is written through (the deposit files too).
  FileSystem& files() const { return files_; }
  // The mode of the files it publishes: 0600, or 0640 with the group.
  FileMode FileModeFor() const;
  // The mode of the directories it makes: 0700, or 0750 with the group.
  FileMode DirectoryMode() const;

  std::string outbox() const;
  std::string archive() const;

  // A new file name for a certifier: its BCR, a UTC timestamp and a sequence number, unique
  // among the files in the outbox, being written, and archived.
  std::string NameFor(const std::string& certificateur);

  // Where a file is written before it is published.
  std::string PartialPath(const std::string& name) const;

  // A file for the compressed copy of deposit file `name`, written before it is published (see
  // PublishedFile::archive_copy): .NAME.xml.zst.partial in its archive folder, which is made.
  // A copy left there by a crash is removed by the next Prepare().
  Result<std::unique_ptr<WritableFile>> NewArchiveCopy(const std::string& name);

  // Publishes `partial` (complete, checked, fsynced) as `file.name`: rename into the outbox,
  // archive a compressed copy (the caller's, when it wrote one), append to the manifest. Fills
  // path, archive_path, sha256 (unless the caller read the file and set it), bytes and
  // published_at.
  Result<void> Publish(const std::string& partial, PublishedFile& file);

  // Archives a file already in the outbox and appends its manifest line, each only if missing
  // (after a crash between the rename and the end of Publish). Fills sha256 and bytes from the
  // file when they are not set; compresses the file unless given its archive_copy (whose rename
  // failing is the error returned).
  Result<void> Complete(PublishedFile& file);

  // Removes archived files older than the retention, if one is set. Returns how many went.
  Result<std::size_t> ApplyRetention();

 private:
  Result<void> RemovePartials(const std::string& dir, std::size_t& removed);
  Result<void> WriteArchive(const PublishedFile& file);
  Result<void> AppendToManifest(const PublishedFile& file);

  PublisherSettings settings_;
  Clock& clock_;
  Logger& logger_;
  FileSystem& files_;
  TimePoint stamp_time_{};  // second of the last name given
  int sequence_ = 0;
};

// The SHA-256 of a file, in lower-case hexadecimal.
Result<std::string> Sha256OfFile(FileSystem& files, const std::string& path);

// A file read through another, whose bytes it hashes as they are read: the XSD check of a
// deposit file gives its SHA-256 too, which Publish then need not read the file again for.
class Sha256Reader final : public ReadableFile {
 public:
  // When OpenSSL cannot start a digest (no memory), each Read and Finish fails.
  explicit Sha256Reader(ReadableFile& file);
  ~Sha256Reader() override;
  Sha256Reader(const Sha256Reader&) = delete;
  Sha256Reader& operator=(const Sha256Reader&) = delete;

  Result<std::size_t> Read(char* buffer, std::size_t size) override;
  // Reads what is left of the file (a reader may stop before its end), then gives the SHA-256 of
  // all of it, in lower-case hexadecimal.
  Result<std::string> Finish();

 private:
  ReadableFile& file_;
  void* context_;  // EVP_MD_CTX, kept out of this header
};
// A file read through another, whose bytes it compresses into `out` as they are read -- zstd at
// level 1, with the frame's checksum (what zstd(1) writes and `zstd -t` checks): the
// XSD check of a deposit file writes its archive copy too, which Publish then need not read the
// file again for. Wraps a Sha256Reader as well as a file.
class ZstdReader final : public ReadableFile {
 public:
  // When zstd cannot start (no memory), each Read and Finish fails with an internal error.
  ZstdReader(ReadableFile& file, WritableFile& out);
  ~ZstdReader() override;
  ZstdReader(const ZstdReader&) = delete;
  ZstdReader& operator=(const ZstdReader&) = delete;

  Result<std::size_t> Read(char* buffer, std::size_t size) override;
  // Reads what is left of the file through itself, and ends the frame. `out` is not synced.
  Result<void> Finish();

 private:
  Result<void> Compress(std::string_view bytes, bool end);

  ReadableFile& file_;
  WritableFile& out_;
  void* context_;  // ZSTD_CCtx, kept out of this header
  std::vector<char> output_;
};

// The SHA-256 of `bytes`, in lower-case hex.
std::string Sha256Hex(std::string_view bytes);

// The suffix of an archived copy, after the file's name: zstd, which compresses these files
// 8 times faster than gzip -6 and a little smaller (bench/README.md, 2026-12-03, morning).
inline constexpr std::string_view kArchiveSuffix = ".zst";
// The suffix of the copies earlier versions archived (gzip): read, kept and pruned as theirs.
inline constexpr std::string_view kOlderArchiveSuffix = ".gz";

// The archived copy of deposit file `file_name`: <state>/archive/YYYY/MM/NAME.xml.zst, or the
// NAME.xml.gz an earlier version archived when only that one exists.
std::string ArchivedCopyPath(FileSystem& files, const std::string& state_directory,
                             const std::string& file_name);

// <state>/archive/YYYY/MM, the archive folder of the deposit file `file_name` (from the UTC
// timestamp in its name): where its compressed copy is, and its accusés de traitement go.
std::string ArchiveDirectoryFor(const std::string& state_directory, const std::string& file_name);

}  // namespace accrochd::deposit

#endif  // ACCROCHD_CONNECTORS_DEPOSIT_PUBLISHER_H_
