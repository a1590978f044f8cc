#include "connectors/store/spill_multimap.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace accrochd::store {

namespace {

// Each entry of a run: the key's and the value's sizes (4 bytes each, little-endian), the key,
// the value.
constexpr std::size_t kHeader = 8;
// What an entry of the buffer is counted to cost besides its bytes: its slot and its places in
// the hash table (the table, sized for the most entries this allows, is kept at most half full),
// with room to spare.
constexpr std::size_t kSlotCost = 64;

std::uint64_t Mix(std::uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::uint64_t HashOf(std::string_view key) { return Mix(std::hash<std::string_view>{}(key)); }

void PutSize(std::string& out, std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);
  const std::array<char, 4> bytes = {static_cast<char>(v & 0xff), static_cast<char>(v >> 8 & 0xff),
                                     static_cast<char>(v >> 16 & 0xff),
                                     static_cast<char>(v >> 24 & 0xff)};
  out.append(bytes.data(), bytes.size());
}

std::uint32_t GetSize(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{u[0]} | std::uint32_t{u[1]} << 8 | std::uint32_t{u[2]} << 16 |
         std::uint32_t{u[3]} << 24;
}

[[noreturn]] void Throw(const std::string& what) {
  throw std::runtime_error("cycle index: " + what + ": " + std::strerror(errno));
}

}  // namespace

// A blocked Bloom filter: each key sets 6 bits of one 512-bit block (one cache line), 12 bits per
// key of its capacity: about 0.5 % of the keys it does not hold answer "maybe". Its blocks come
// zeroed from calloc, which maps fresh pages for a large filter: one sized for millions of keys
// (PassageStore::NewCycleIndex) is resident only where keys were added.
class SpillMultimap::Filter {
 public:
  explicit Filter(std::size_t capacity)
      : capacity_(capacity),
        size_((capacity * 12 + 511) / 512),
        blocks_(static_cast<Block*>(std::calloc(size_, sizeof(Block)))) {
    if (blocks_ == nullptr) throw std::bad_alloc();
  }
  bool Full() const { return count_ >= capacity_; }
  void Add(std::uint64_t h) {
    ++count_;
    Block& b = blocks_[Index(h)];
    std::uint64_t bits = Mix(h);
    for (int i = 0; i < 6; ++i, bits >>= 9) b[(bits >> 6) & 7] |= std::uint64_t{1} << (bits & 63);
  }
  bool MayHold(std::uint64_t h) const {
    const Block& b = blocks_[Index(h)];
    std::uint64_t bits = Mix(h);
    for (int i = 0; i < 6; ++i, bits >>= 9) {
      if ((b[(bits >> 6) & 7] & (std::uint64_t{1} << (bits & 63))) == 0) return false;
    }
    return true;
  }
  std::size_t first_run = 0;  // the first run that may hold this generation's keys

 private:
  using Block = std::array<std::uint64_t, 8>;
  struct Free {
    void operator()(Block* b) const { std::free(b); }
  };
  std::size_t Index(std::uint64_t h) const { return static_cast<std::size_t>(h % size_); }
  std::size_t capacity_;
  std::size_t count_ = 0;
  std::size_t size_;  // blocks
  std::unique_ptr<Block[], Free> blocks_;
};

struct SpillMultimap::Run {
  std::uint64_t begin = 0, end = 0;  // in the file
  std::string keys;                  // the sparse index's keys, one after another
  struct Mark {
    std::uint32_t key_at, key_size;
    std::uint64_t offset;
  };
  std::vector<Mark> marks;  // every `stride`-th entry: its key and where it starts
  std::string_view Key(const Mark& m) const {
    return std::string_view(keys).substr(m.key_at, m.key_size);
  }
};

Result<std::unique_ptr<SpillMultimap>> SpillMultimap::Open(const std::string& directory,
                                                           Options options) {
  int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without O_TMPFILE: a named file, unlinked at once.
    std::string name = directory + "/accrochd-index-XXXXXX";
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(name.c_str());
  }
  if (fd < 0) {
    return Fail(ErrorKind::kIo, "cannot make the cycle's uniqueness index (a temporary file in " +
                                    directory + "): " + std::strerror(errno));
  }
  options.stride = std::max<std::size_t>(options.stride, 1);
  options.first_filter = std::max<std::size_t>(options.first_filter, 64);
  return std::unique_ptr<SpillMultimap>(new SpillMultimap(fd, options));
}

SpillMultimap::SpillMultimap(int fd, Options options) : fd_(fd), options_(options) {
  arena_.reserve(options_.buffer_bytes);
  filters_.emplace_back(options_.first_filter);
  // Twice the most entries the buffer holds (one, when a single entry outgrows it), a power of two.
  std::size_t size = 2;
  while (size < 2 * (options_.buffer_bytes / kSlotCost + 1)) size *= 2;
  table_.assign(size, 0);
}

SpillMultimap::~SpillMultimap() { ::close(fd_); }

std::size_t SpillMultimap::runs() const { return runs_.size(); }

void SpillMultimap::Add(std::string_view key, std::string_view value) {
  const std::size_t cost = key.size() + value.size() + kSlotCost;
  if (!slots_.empty() && arena_.size() + slots_.size() * kSlotCost + cost > options_.buffer_bytes) {
    Spill();
  }
  if (filters_.back().Full()) {
    // The next generation, twice as large; the runs from the one the buffer will become.
    filters_.emplace_back(options_.first_filter << filters_.size());
    filters_.back().first_run = runs_.size();
  }
  const std::uint64_t h = HashOf(key);
  filters_.back().Add(h);
  // The arena never grows past its reserve while the buffer is in use (views into it stay valid)
  // unless a single entry is larger than the whole buffer; then it is the only entry.
  const auto at = static_cast<std::uint32_t>(arena_.size());
  arena_.append(key);
  arena_.append(value);
  slots_.push_back({at, static_cast<std::uint32_t>(key.size()),
                    static_cast<std::uint32_t>(value.size()), static_cast<std::uint32_t>(h)});
  const std::size_t mask = table_.size() - 1;
  std::size_t i = static_cast<std::size_t>(h) & mask;
  while (table_[i] != 0) i = (i + 1) & mask;
  table_[i] = static_cast<std::uint32_t>(slots_.size());
}

void SpillMultimap::Spill() {
  auto key = [this](std::uint32_t i) {
    return std::string_view(arena_).substr(slots_[i].at, slots_[i].key_size);
  };
  // Sorted by key, each entry with its key's first 8 bytes as a number that orders as they do
  // (big-endian, zero-padded): most comparisons end there, without reading the arena.
  struct Sorted {
    std::uint64_t prefix;
    std::uint32_t slot;
  };
  std::vector<Sorted> sorted(slots_.size());
  for (std::uint32_t i = 0; i < sorted.size(); ++i) {
    const std::string_view k = key(i);
    std::uint64_t prefix = 0;
    for (std::size_t b = 0; b < 8; ++b) {
      prefix = prefix << 8 | (b < k.size() ? static_cast<unsigned char>(k[b]) : 0u);
    }
    sorted[i] = {prefix, i};
  }
  std::sort(sorted.begin(), sorted.end(), [&](const Sorted& a, const Sorted& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    const int c = key(a.slot).compare(key(b.slot));
    return c < 0 || (c == 0 && a.slot < b.slot);  // equal keys in the order they came
  });
  Run run;
  run.begin = file_size_;
  std::string out;
  out.reserve(arena_.size() + slots_.size() * kHeader);
  for (std::size_t n = 0; n < sorted.size(); ++n) {
    const Slot& s = slots_[sorted[n].slot];
    if (n % options_.stride == 0) {
      run.marks.push_back(
          {static_cast<std::uint32_t>(run.keys.size()), s.key_size, run.begin + out.size()});
      run.keys.append(key(sorted[n].slot));
    }
    PutSize(out, s.key_size);
    PutSize(out, s.value_size);
    out.append(arena_, s.at, std::size_t{s.key_size} + s.value_size);
  }
  for (std::size_t written = 0; written < out.size();) {
    const ssize_t n = ::pwrite(fd_, out.data() + written, out.size() - written,
                               static_cast<off_t>(file_size_ + written));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = ENOSPC;  // no error set: nothing more could be written
    if (n <= 0) Throw("cannot write its temporary file");
    written += static_cast<std::size_t>(n);
  }
  file_size_ += out.size();
  run.end = file_size_;
  run.keys.shrink_to_fit();
  run.marks.shrink_to_fit();
  runs_.push_back(std::move(run));
  std::fill(table_.begin(), table_.end(), 0);
  slots_.clear();
  arena_.clear();
}

bool SpillMultimap::FindInRun(const Run& run, std::string_view key,
                              const std::function<bool(std::string_view)>& visit) {
  // The entries with this key lie between the last mark before it and the first mark after it.
  auto first_not_less =
      std::lower_bound(run.marks.begin(), run.marks.end(), key,
                       [&run](const Run::Mark& m, std::string_view k) { return run.Key(m) < k; });
  auto first_greater =
      std::upper_bound(first_not_less, run.marks.end(), key,
                       [&run](std::string_view k, const Run::Mark& m) { return k < run.Key(m); });
  const std::uint64_t from =
      first_not_less == run.marks.begin() ? run.begin : std::prev(first_not_less)->offset;
  const std::uint64_t to = first_greater == run.marks.end() ? run.end : first_greater->offset;
  if (from >= to) return false;
  read_.resize(to - from);
  for (std::size_t got = 0; got < read_.size();) {
    const ssize_t n =
        ::pread(fd_, read_.data() + got, read_.size() - got, static_cast<off_t>(from + got));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;  // no error set: the file ends before the run it wrote
    if (n <= 0) Throw("cannot read its temporary file");
    got += static_cast<std::size_t>(n);
  }
  for (std::size_t at = 0; at + kHeader <= read_.size();) {
    const std::uint32_t key_size = GetSize(read_.data() + at);
    const std::uint32_t value_size = GetSize(read_.data() + at + 4);
    const std::string_view entry_key(read_.data() + at + kHeader, key_size);
    if (entry_key > key) break;
    if (entry_key == key &&
        visit(std::string_view(read_.data() + at + kHeader + key_size, value_size))) {
      return true;
    }
    at += kHeader + key_size + value_size;
  }
  return false;
}

bool SpillMultimap::Find(std::string_view key, const std::function<bool(std::string_view)>& visit) {
  const std::uint64_t h = HashOf(key);
  // The runs that may hold the key: those of each generation whose filter may hold it (a
  // generation's keys are in its first run up to the next generation's first, which the buffer
  // may have shared), in the order they were written.
  bool any = false;
  std::size_t next = 0;  // the first run not looked in yet
  for (std::size_t g = 0; g < filters_.size(); ++g) {
    if (!filters_[g].MayHold(h)) continue;
    any = true;
    const std::size_t last = g + 1 < filters_.size() ? filters_[g + 1].first_run : runs_.size();
    for (std::size_t r = std::max(next, filters_[g].first_run); r <= last && r < runs_.size();
         ++r) {
      if (FindInRun(runs_[r], key, visit)) return true;
      next = r + 1;
    }
  }
  if (!any) return false;
  // The buffer's entries with this key: the probe passes them all before the first free place;
  // sorted, they are in the order they were added.
  std::vector<std::uint32_t> found;
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(h) & mask; table_[i] != 0; i = (i + 1) & mask) {
    const std::uint32_t n = table_[i] - 1;
    const Slot& s = slots_[n];
    if (s.hash == static_cast<std::uint32_t>(h) &&
        std::string_view(arena_).substr(s.at, s.key_size) == key) {
      found.push_back(n);
    }
  }
  if (found.empty()) return false;
  std::sort(found.begin(), found.end());
  for (std::uint32_t i : found) {
    const Slot& s = slots_[i];
    if (visit(std::string_view(arena_).substr(std::size_t{s.at} + s.key_size, s.value_size))) {
      return true;
    }
  }
  return false;
}

}  // namespace accrochd::store
