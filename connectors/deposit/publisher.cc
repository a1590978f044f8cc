#include "connectors/deposit/publisher.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace accrochd::deposit {
namespace {

namespace fs = std::filesystem;

std::mutex g_names;  // NameFor() against itself, across sessions

Error IoError(const std::string& what, const std::string& path, int error = errno) {
  return Error(ErrorKind::kIo, what + " " + path + ": " + std::strerror(error));
}

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
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

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

std::string Hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xF];
  }
  return out;
}

}  // namespace

Result<void> SyncDirectory(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(IoError("cannot open directory", path));
  if (::fsync(fd.get()) != 0) return std::unexpected(IoError("cannot sync directory", path));
  return {};
}

Result<void> DurableRename(const std::string& from, const std::string& to) {
  {
    Fd fd(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(IoError("cannot open", from));
    if (::fsync(fd.get()) != 0) return std::unexpected(IoError("cannot sync", from));
  }
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return std::unexpected(IoError("cannot rename " + from + " to", to));
  }
  return SyncDirectory(fs::path(to).parent_path().string());
}

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return Hex(digest.data(), length);
}

Result<std::string> Sha256OfFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(IoError("cannot read", path));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buffer(1 << 16);
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(IoError("cannot read", path));
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(n));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &length);
  return Hex(digest.data(), length);
}

std::string ArchiveDirectoryFor(const std::string& state_directory, const std::string& file_name) {
  const auto [year, month] = ArchiveMonth(file_name);
  return (fs::path(state_directory) / "archive" / year / month).string();
}

Publisher::Publisher(PublisherSettings settings, Clock& clock, Logger& logger)
    : settings_(std::move(settings)), clock_(clock), logger_(logger) {}

std::string Publisher::outbox() const {
  return (fs::path(settings_.state_directory) / "outbox").string();
}

std::string Publisher::archive() const {
  return (fs::path(settings_.state_directory) / "archive").string();
}

std::string Publisher::PartialPath(const std::string& name) const {
  return (fs::path(outbox()) / ("." + name + ".partial")).string();
}

Result<void> Publisher::MakeDirectory(const std::string& path) {
  const mode_t mode = settings_.group ? 0750 : 0700;
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return std::unexpected(IoError("cannot create directory", path));
  }
  if (settings_.group && ::chown(path.c_str(), static_cast<uid_t>(-1), *settings_.group) != 0) {
    return std::unexpected(IoError("cannot give its group to", path));
  }
  if (::chmod(path.c_str(), mode) != 0)
    return std::unexpected(IoError("cannot set the mode of", path));
  return {};
}

Result<void> Publisher::SetFileMode(int fd, const std::string& path) {
  if (settings_.group && ::fchown(fd, static_cast<uid_t>(-1), *settings_.group) != 0) {
    return std::unexpected(IoError("cannot give its group to", path));
  }
  if (::fchmod(fd, settings_.group ? 0640 : 0600) != 0) {
    return std::unexpected(IoError("cannot set the mode of", path));
  }
  return {};
}

Result<void> Publisher::Prepare() {
  // The state directory keeps its owner's group (systemd re-owns a StateDirectory= whose group
  // changed): 0700, or 0711 with a deposit group, whose staff only pass through it to outbox/
  // and archive/.
  const mode_t state_mode = settings_.group ? 0711 : 0700;
  if (::mkdir(settings_.state_directory.c_str(), state_mode) != 0 && errno != EEXIST) {
    return std::unexpected(IoError("cannot create directory", settings_.state_directory));
  }
  if (::chmod(settings_.state_directory.c_str(), state_mode) != 0) {
    return std::unexpected(IoError("cannot set the mode of", settings_.state_directory));
  }
  for (const std::string& dir : {outbox(), archive()}) {
    if (auto r = MakeDirectory(dir); !r) return r;
  }
  // Partial files are what a killed process left: never complete, never checked.
  std::size_t removed = 0;
  std::error_code ec;
  for (const std::string& dir : {outbox(), archive()}) {
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (it->is_regular_file(ec) && name.starts_with(".") && name.ends_with(".partial")) {
        fs::remove(it->path(), ec);
        ++removed;
      }
    }
  }
  if (removed > 0) {
    logger_.Warning("removed " + std::to_string(removed) +
                    " partial deposit file(s) left by an interrupted run");
    if (auto r = SyncDirectory(outbox()); !r) return r;
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
    // uploaded and removed from the outbox still has its archived copy). When a second's 999
    // sequence numbers are taken, the next second's stamp is used: names stay unique and ordered.
    if (++sequence_ > 999) {
      stamp_time_ += std::chrono::seconds(1);
      sequence_ = 1;
    }
    char seq[16];
    std::snprintf(seq, sizeof(seq), "%03d", sequence_);
    std::string name = bcr + "_" + CompactStamp(stamp_time_) + "_" + seq + ".xml";
    const auto [year, month] = ArchiveMonth(name);
    std::error_code ec;
    if (!fs::exists(fs::path(outbox()) / name, ec) && !fs::exists(PartialPath(name), ec) &&
        !fs::exists(fs::path(archive()) / year / month / (name + ".gz"), ec)) {
      return name;
    }
  }
}

Result<void> Publisher::Publish(const std::string& partial, PublishedFile& file) {
  const TimePoint now = clock_.Now();
  file.published_at = IsoStamp(now);
  file.path = (fs::path(outbox()) / file.name).string();
  {
    Fd fd(::open(partial.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(IoError("cannot open", partial));
    if (auto r = SetFileMode(fd.get(), partial); !r) return r;
    struct stat st {};
    ::fstat(fd.get(), &st);
    file.bytes = static_cast<std::uint64_t>(st.st_size);
  }
  auto sha = Sha256OfFile(partial);
  if (!sha) return std::unexpected(sha.error());
  file.sha256 = *sha;
  if (auto r = DurableRename(partial, file.path); !r) return r;
  file.in_outbox = true;  // published from here on, whatever happens to the archive
  return Complete(file);
}

Result<void> Publisher::Complete(PublishedFile& file) {
  file.path = (fs::path(outbox()) / file.name).string();
  if (file.sha256.empty() || file.bytes == 0) {
    struct stat st {};
    if (::stat(file.path.c_str(), &st) != 0)
      return std::unexpected(IoError("cannot read", file.path));
    file.bytes = static_cast<std::uint64_t>(st.st_size);
    auto sha = Sha256OfFile(file.path);
    if (!sha) return std::unexpected(sha.error());
    file.sha256 = *sha;
  }
  if (file.published_at.empty()) file.published_at = IsoStamp(clock_.Now());

  // The compressed copy, written beside its final name and renamed when complete.
  const auto [year, month] = ArchiveMonth(file.name);
  const std::string month_dir = (fs::path(archive()) / year).string();
  const std::string dir = (fs::path(month_dir) / month).string();
  if (auto r = MakeDirectory(month_dir); !r) return r;
  if (auto r = MakeDirectory(dir); !r) return r;
  file.archive_path = (fs::path(dir) / (file.name + ".gz")).string();
  std::error_code exists_ec;
  if (!fs::exists(file.archive_path, exists_ec)) {
    const std::string archive_partial =
        (fs::path(dir) / ("." + file.name + ".gz.partial")).string();
    {
      Fd in(::open(file.path.c_str(), O_RDONLY | O_CLOEXEC));
      if (in.get() < 0) return std::unexpected(IoError("cannot read", file.path));
      Fd out(::open(archive_partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (out.get() < 0) return std::unexpected(IoError("cannot create", archive_partial));
      if (auto r = SetFileMode(out.get(), archive_partial); !r) return r;
      gzFile gz = gzdopen(::dup(out.get()), "wb6");
      if (gz == nullptr) return std::unexpected(IoError("cannot compress into", archive_partial));
      std::vector<char> buffer(1 << 16);
      bool ok = true;
      for (;;) {
        ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          ok = n == 0;
          break;
        }
        if (gzwrite(gz, buffer.data(), static_cast<unsigned>(n)) != static_cast<int>(n)) {
          ok = false;
          break;
        }
      }
      if (gzclose(gz) != Z_OK) ok = false;
      if (!ok) return std::unexpected(IoError("cannot write the archive", archive_partial));
    }
    if (auto r = DurableRename(archive_partial, file.archive_path); !r) return r;
  }

  // The manifest: one line per published file, appended and synced -- unless a run killed
  // after writing it left it there already.
  const std::string manifest = (fs::path(archive()) / "manifest.tsv").string();
  {
    std::ifstream in(manifest);
    std::string existing;
    const std::string field = "\t" + file.name + "\t";
    while (std::getline(in, existing)) {
      if (existing.find(field) != std::string::npos) return {};
    }
  }
  Fd fd(::open(manifest.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (fd.get() < 0) return std::unexpected(IoError("cannot open", manifest));
  if (auto r = SetFileMode(fd.get(), manifest); !r) return r;
  std::string line;
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && st.st_size == 0) {
    line = "# published_at\tfile\tidFlux\tsha256\tpassages\tcertificateur\n";
  } else if (st.st_size > 0) {
    // A line cut by a crash gets its end, so the next one starts on its own line.
    char last = '\n';
    if (::pread(fd.get(), &last, 1, st.st_size - 1) == 1 && last != '\n') line = "\n";
  }
  line += file.published_at + "\t" + file.name + "\t" + file.id_flux + "\t" + file.sha256 + "\t" +
          std::to_string(file.passages) + "\t" + file.certificateur + "\n";
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
      ::fsync(fd.get()) != 0) {
    return std::unexpected(IoError("cannot append to", manifest));
  }
  return {};
}

Result<std::size_t> Publisher::ApplyRetention() {
  if (!settings_.retention) return std::size_t{0};
  const auto limit = clock_.Now() - *settings_.retention;
  std::size_t removed = 0;
  std::error_code ec;
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(archive(), ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".gz") files.push_back(it->path());
  }
  for (const fs::path& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) != 0) continue;
    if (std::chrono::system_clock::from_time_t(st.st_mtime) < limit) {
      if (::unlink(f.c_str()) == 0) ++removed;
    }
  }
  if (removed > 0) {
    logger_.Info("archive: removed " + std::to_string(removed) +
                 " deposit file(s) older than the retention of " +
                 FormatDuration(*settings_.retention));
  }
  return removed;
}

}  // namespace accrochd::deposit
