#include "connectors/deposit/publisher.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <zstd.h>

#include "core/text.h"

namespace accrochd::deposit {
namespace {

namespace fs = std::filesystem;

std::mutex g_names;  // NameFor() against itself, across sessions

// UTC parts of `t`, for names and the manifest.
std::tm Utc(TimePoint t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

std::string Digits(int value, int width) {
  std::string s = std::to_string(value);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))),
                     '0') +
         s;
}

std::string CompactStamp(TimePoint t) {  // 20261127T013012Z
  std::tm tm = Utc(t);
  return Digits(tm.tm_year + 1900, 4) + Digits(tm.tm_mon + 1, 2) + Digits(tm.tm_mday, 2) + "T" +
         Digits(tm.tm_hour, 2) + Digits(tm.tm_min, 2) + Digits(tm.tm_sec, 2) + "Z";
}

std::string IsoStamp(TimePoint t) {  // 2026-11-27T01:30:12Z
  std::tm tm = Utc(t);
  return Digits(tm.tm_year + 1900, 4) + "-" + Digits(tm.tm_mon + 1, 2) + "-" +
         Digits(tm.tm_mday, 2) + "T" + Digits(tm.tm_hour, 2) + ":" + Digits(tm.tm_min, 2) + ":" +
         Digits(tm.tm_sec, 2) + "Z";
}

// The archive folder of a file: archive/YYYY/MM of the UTC timestamp in its name
// ("BCR_20261127T013012Z_001.xml"), so that naming and archiving always agree.
std::pair<std::string, std::string> ArchiveMonth(const std::string& name) {
  const std::size_t stamp = name.rfind('_', name.rfind('_') - 1);
  if (stamp == std::string::npos || stamp + 7 > name.size()) return {"0000", "00"};
  return {name.substr(stamp + 1, 4), name.substr(stamp + 5, 2)};
}

// Reads what is left of `file` through its own Read, in blocks of `block` bytes, so that a reader
// that digests or compresses what passes through it sees the whole file.
Result<void> ReadToEnd(ReadableFile& file, std::size_t block) {
  std::vector<char> buffer(block);
  for (;;) {
    auto n = file.Read(buffer.data(), buffer.size());
    if (!n) return std::unexpected(n.error());
    if (*n == 0) return {};
  }
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return Hex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

Result<std::string> Sha256OfFile(FileSystem& files, const std::string& path) {
  auto file = files.OpenForReading(path, Caching::kUncached);
  if (!file) return std::unexpected(file.error());
  return Sha256Reader(**file).Finish();
}

Sha256Reader::Sha256Reader(ReadableFile& file) : file_(file), context_(EVP_MD_CTX_new()) {
  if (context_ != nullptr &&
      EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_));
    context_ = nullptr;  // Read and Finish say so
  }
}

Sha256Reader::~Sha256Reader() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

Result<std::size_t> Sha256Reader::Read(char* buffer, std::size_t size) {
  if (context_ == nullptr) return Fail(ErrorKind::kInternal, "cannot start a SHA-256");
  auto n = file_.Read(buffer, size);
  if (n && *n > 0) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), buffer, *n);
  return n;
}

Result<std::string> Sha256Reader::Finish() {
  if (auto r = ReadToEnd(*this, std::size_t{1} << 16); !r) return std::unexpected(r.error());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest.data(), &length);
  return Hex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

// Level 1 rather than zstd's default 3: on deposit files, a third less of the check's thread's CPU
// for the copy, and no larger a copy -- 1.36 MB against 1.44 MB for a bench file of 58 MB, 262 KB
// against 275 KB for 8 MB of passages with names, dates and codes drawn at random (bench/README.md,
// 2026-12-06, before noon).
constexpr int kArchiveLevel = 1;

ZstdReader::ZstdReader(ReadableFile& file, WritableFile& out)
    : file_(file), out_(out), context_(ZSTD_createCCtx()), output_(ZSTD_CStreamOutSize()) {
  auto* z = static_cast<ZSTD_CCtx*>(context_);
  if (z == nullptr ||
      ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, kArchiveLevel)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1))) {
    ZSTD_freeCCtx(z);
    context_ = nullptr;  // Compress says so
  }
}

ZstdReader::~ZstdReader() { ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(context_)); }

Result<std::size_t> ZstdReader::Read(char* buffer, std::size_t size) {
  auto n = file_.Read(buffer, size);
  if (!n || *n == 0) return n;
  if (auto r = Compress(std::string_view(buffer, *n), false); !r) return std::unexpected(r.error());
  return n;
}

Result<void> ZstdReader::Finish() {
  if (auto r = ReadToEnd(*this, ZSTD_CStreamInSize()); !r) return r;
  return Compress({}, true);
}

// Compresses `bytes` into the file, and with `end` closes the frame.
Result<void> ZstdReader::Compress(std::string_view bytes, bool end) {
  if (context_ == nullptr)
    return Fail(ErrorKind::kInternal, "cannot start compressing " + out_.path());
  ZSTD_inBuffer source{bytes.data(), bytes.size(), 0};
  for (;;) {
    ZSTD_outBuffer sink{output_.data(), output_.size(), 0};
    const std::size_t left = ZSTD_compressStream2(static_cast<ZSTD_CCtx*>(context_), &sink, &source,
                                                  end ? ZSTD_e_end : ZSTD_e_continue);
    if (ZSTD_isError(left)) {
      return Fail(ErrorKind::kInternal,
                  "cannot compress into " + out_.path() + ": " + ZSTD_getErrorName(left));
    }
    if (sink.pos > 0) {
      if (auto r = out_.Append(std::string_view(output_.data(), sink.pos)); !r) return r;
    }
    // The end: until the frame is closed; else until the input is taken.
    if (end ? left == 0 : source.pos == source.size) return {};
  }
}

std::string ArchiveDirectoryFor(const std::string& state_directory, const std::string& file_name) {
  const auto [year, month] = ArchiveMonth(file_name);
  return (fs::path(state_directory) / "archive" / year / month).string();
}

std::string ArchivedCopyPath(FileSystem& files, const std::string& state_directory,
                             const std::string& file_name) {
  const fs::path dir = ArchiveDirectoryFor(state_directory, file_name);
  const std::string current = (dir / (file_name + std::string(kArchiveSuffix))).string();
  if (files.Exists(current)) return current;
  std::string older = (dir / (file_name + std::string(kOlderArchiveSuffix))).string();
  return files.Exists(older) ? older : current;
}

Publisher::Publisher(PublisherSettings settings, Clock& clock, Logger& logger, FileSystem& files)
    : settings_(std::move(settings)), clock_(clock), logger_(logger), files_(files) {}

FileMode Publisher::FileModeFor() const {
  return FileMode{static_cast<mode_t>(settings_.group ? 0640 : 0600), settings_.group};
}

FileMode Publisher::DirectoryMode() const {
  return FileMode{static_cast<mode_t>(settings_.group ? 0750 : 0700), settings_.group};
}

std::string Publisher::outbox() const {
  return (fs::path(settings_.state_directory) / "outbox").string();
}

std::string Publisher::archive() const {
  return (fs::path(settings_.state_directory) / "archive").string();
}

std::string Publisher::PartialPath(const std::string& name) const {
  return (fs::path(outbox()) / ("." + name + ".partial")).string();
}

// Removes the .NAME.partial files under `dir`, recursively, and syncs each directory that lost
// one.
Result<void> Publisher::RemovePartials(const std::string& dir, std::size_t& removed) {
  auto entries = files_.ListDirectory(dir);
  if (!entries) return std::unexpected(entries.error());
  bool here = false;
  for (const DirectoryEntry& e : *entries) {
    const std::string path = (fs::path(dir) / e.name).string();
    if (e.is_directory) {
      if (auto r = RemovePartials(path, removed); !r) return r;
    } else if (e.is_regular && e.name.starts_with(".") && e.name.ends_with(".partial")) {
      if (auto r = files_.Remove(path); !r) return r;
      ++removed;
      here = true;
    }
  }
  if (here) return files_.SyncDirectory(dir);
  return {};
}

Result<void> Publisher::Prepare() {
  // The state directory keeps its owner's group (systemd re-owns a StateDirectory= whose group
  // changed): 0700, or 0711 with a deposit group, whose staff only pass through it to outbox/
  // and archive/.
  const FileMode state_mode{static_cast<mode_t>(settings_.group ? 0711 : 0700), std::nullopt};
  if (auto r = files_.MakeDirectory(settings_.state_directory, state_mode); !r) return r;
  for (const std::string& dir : {outbox(), archive()}) {
    if (auto r = files_.MakeDirectory(dir, DirectoryMode()); !r) return r;
  }
  // Partial files are what a killed process, or a failed write, left: never complete, never
  // checked.
  std::size_t removed = 0;
  for (const std::string& dir : {outbox(), archive()}) {
    if (auto r = RemovePartials(dir, removed); !r) return r;
  }
  if (removed > 0) {
    logger_.Warning("removed " + std::to_string(removed) +
                    " partial deposit file(s) left by an interrupted run");
  }
  return {};
}

std::string Publisher::NameFor(const std::string& certificateur) {
  std::string bcr;
  for (char c : certificateur) {
    bcr += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';  // ASCII, no spaces
  }
  std::lock_guard lock(g_names);
  const TimePoint now = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  if (now > stamp_time_) {
    stamp_time_ = now;
    sequence_ = 0;
  }
  for (;;) {
    // A name is unique among the files waiting, being written, and ever published (a file
    // uploaded and removed from the outbox still has its archived copy), and among the deposits
    // the store recorded (one abandoned by a kill has no file left). When a second's 999
    // sequence numbers are taken, the next second's stamp is used: names stay unique and ordered.
    if (++sequence_ > 999) {
      stamp_time_ += std::chrono::seconds(1);
      sequence_ = 1;
    }
    char seq[16];
    std::snprintf(seq, sizeof(seq), "%03d", sequence_);
    std::string name = bcr + "_" + CompactStamp(stamp_time_) + "_" + seq + ".xml";
    if (!files_.Exists((fs::path(outbox()) / name).string()) && !files_.Exists(PartialPath(name)) &&
        !files_.Exists(ArchivedCopyPath(files_, settings_.state_directory, name)) &&
        !(settings_.name_recorded && settings_.name_recorded(name))) {
      return name;
    }
  }
}

Result<std::unique_ptr<WritableFile>> Publisher::NewArchiveCopy(const std::string& name) {
  const std::string dir = ArchiveDirectoryFor(settings_.state_directory, name);
  if (auto r = files_.MakeDirectory(ParentDirectory(dir), DirectoryMode()); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = files_.MakeDirectory(dir, DirectoryMode()); !r) return std::unexpected(r.error());
  const std::string copy = (fs::path(dir) / (name + std::string(kArchiveSuffix))).string();
  return files_.NewFile(PartialPathFor(copy), CreateMode::kTruncate, FileModeFor());
}

Result<void> Publisher::Publish(const std::string& partial, PublishedFile& file) {
  const TimePoint now = clock_.Now();
  file.published_at = IsoStamp(now);
  file.path = (fs::path(outbox()) / file.name).string();
  if (auto r = files_.SetMode(partial, FileModeFor()); !r) return r;
  auto info = files_.Stat(partial);
  if (!info) return std::unexpected(info.error());
  if (!info->exists) return std::unexpected(FileError("read", partial, ENOENT));
  file.bytes = info->size;
  if (file.sha256.empty()) {
    auto sha = Sha256OfFile(files_, partial);
    if (!sha) return std::unexpected(sha.error());
    file.sha256 = *sha;
  }
  // DurableRename's three steps, apart: once the rename is done the file is in the outbox, and
  // published, even if the directory's fsync then fails (a deposit abandoned while its file is
  // in the outbox would be deposited twice).
  if (auto r = files_.SyncFile(partial); !r) return r;
  if (auto r = files_.Rename(partial, file.path); !r) return r;
  file.in_outbox = true;  // published from here on, whatever happens to the archive
  if (auto r = files_.SyncDirectory(outbox()); !r) return r;
  return Complete(file);
}

Result<void> Publisher::Complete(PublishedFile& file) {
  file.path = (fs::path(outbox()) / file.name).string();
  if (file.bytes == 0) {
    auto info = files_.Stat(file.path);
    if (!info) return std::unexpected(info.error());
    if (!info->exists) return std::unexpected(FileError("read", file.path, ENOENT));
    file.bytes = info->size;
  }
  // The state store keeps each file's SHA-256 from its publication: the file is read again only
  // when it is not known (it is 50 to 100 MB, and files wait in the outbox for days).
  if (file.sha256.empty()) {
    auto sha = Sha256OfFile(files_, file.path);
    if (!sha) return std::unexpected(sha.error());
    file.sha256 = *sha;
  }
  if (file.published_at.empty()) file.published_at = IsoStamp(clock_.Now());

  const auto [year, month] = ArchiveMonth(file.name);
  const std::string month_dir = (fs::path(archive()) / year).string();
  const std::string dir = (fs::path(month_dir) / month).string();
  if (auto r = files_.MakeDirectory(month_dir, DirectoryMode()); !r) return r;
  if (auto r = files_.MakeDirectory(dir, DirectoryMode()); !r) return r;
  // A copy an earlier version archived (gzip) before a crash stopped it here is kept as it is.
  file.archive_path = ArchivedCopyPath(files_, settings_.state_directory, file.name);
  if (!files_.Exists(file.archive_path)) {
    if (!file.archive_copy.empty()) {
      // A rename that fails is reported, as any failed write: the file is published, and its
      // archive copy is written at the next start (the caller removes its copy).
      if (auto r = files_.Rename(file.archive_copy, file.archive_path); !r) return r;
      file.archive_copy.clear();
      if (auto r = files_.SyncDirectory(dir); !r) return r;
    } else if (auto r = WriteArchive(file); !r) {
      return r;
    }
  }
  return AppendToManifest(file);
}

// The compressed copy, written beside its final name and renamed when complete; streamed, so
// that memory stays flat whatever the size of the file.
Result<void> Publisher::WriteArchive(const PublishedFile& file) {
  auto in = files_.OpenForReading(file.path, Caching::kUncached);
  if (!in) return std::unexpected(in.error());
  return WriteFileAtomically(files_, file.archive_path, FileModeFor(),
                             [&](WritableFile& out) { return ZstdReader(**in, out).Finish(); });
}

// The manifest: one line per published file, appended and synced -- unless a run stopped after
// writing it left it there already.
Result<void> Publisher::AppendToManifest(const PublishedFile& file) {
  const std::string manifest = (fs::path(archive()) / "manifest.tsv").string();
  std::uint64_t size = 0;
  char last = '\n';
  if (files_.Exists(manifest)) {
    // Read in blocks (it grows by a line per file); `carry` keeps a block's end so that a line
    // across two blocks is still found.
    auto in = files_.OpenForReading(manifest);
    if (!in) return std::unexpected(in.error());
    const std::string field = "\t" + file.name + "\t";
    std::string carry;
    std::vector<char> buffer(1 << 16);
    for (;;) {
      auto n = (*in)->Read(buffer.data(), buffer.size());
      if (!n) return std::unexpected(n.error());
      if (*n == 0) break;
      size += *n;
      last = buffer[*n - 1];
      carry.append(buffer.data(), *n);
      if (carry.find(field) != std::string::npos) return {};
      carry.erase(0, carry.size() > field.size() ? carry.size() - field.size() : 0);
    }
  }
  std::string line;
  if (size == 0) {
    line = "# published_at\tfile\tidFlux\tsha256\tpassages\tcertificateur\n";
  } else if (last != '\n') {
    line = "\n";  // a line cut by a crash gets its end, so the next one starts on its own line
  }
  line += file.published_at + "\t" + file.name + "\t" + file.id_flux + "\t" + file.sha256 + "\t" +
          std::to_string(file.passages) + "\t" + file.certificateur + "\n";
  auto out = files_.NewFile(manifest, CreateMode::kAppend, FileModeFor());
  if (!out) return std::unexpected(out.error());
  if (auto r = (*out)->Append(line); !r) return r;
  return (*out)->Sync();
}

Result<std::size_t> Publisher::ApplyRetention() {
  if (!settings_.retention) return std::size_t{0};
  const auto limit = clock_.Now() - *settings_.retention;
  std::size_t removed = 0;
  // archive/YYYY/MM/*.xml.zst, and the *.xml.gz of earlier versions
  const std::string current = ".xml" + std::string(kArchiveSuffix);
  const std::string older = ".xml" + std::string(kOlderArchiveSuffix);
  std::vector<std::string> old;
  std::vector<std::string> dirs{archive()};
  while (!dirs.empty()) {
    const std::string dir = dirs.back();
    dirs.pop_back();
    auto entries = files_.ListDirectory(dir);
    if (!entries) continue;  // a folder that went away meanwhile
    for (const DirectoryEntry& e : *entries) {
      const std::string path = (fs::path(dir) / e.name).string();
      if (e.is_directory) {
        dirs.push_back(path);
      } else if (e.is_regular && (e.name.ends_with(current) || e.name.ends_with(older))) {
        auto info = files_.Stat(path);
        if (info && info->exists && info->modified < limit) old.push_back(path);
      }
    }
  }
  for (const std::string& f : old) {
    if (files_.Remove(f)) ++removed;
  }
  if (removed > 0) {
    logger_.Info("archive: removed " + std::to_string(removed) +
                 " deposit file(s) older than the retention of " +
                 FormatDuration(*settings_.retention));
  }
  return removed;
}

}  // namespace accrochd::deposit
