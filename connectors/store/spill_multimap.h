// A multimap of byte strings that is written once and read rarely, whose memory stays small
// however many entries it holds: the cycle's uniqueness index (cycle_index.h) is two of them.
//
// Entries gather in a buffer of fixed size in memory; a full buffer is sorted by key (equal
// keys in the order they came) and appended to a temporary file as one run. A look-up asks
// first a Bloom filter over every key added: most keys of a cycle are new, and the filter
// answers them without any read. Only a key it may hold is looked for in each run, through the
// run's sparse index in memory (one key in `stride`), with one read of the few entries around
// it, and then in the buffer. Nothing is ever merged or deleted: the file is written
// sequentially, once, and unlinked from the start.
//
// Memory: the buffer (`buffer_bytes`) and its hash table (a quarter of that at most), the filters
// (about 1.5 bytes per key, in generations twice as large each as the one before, so that no
// size need be known in advance) and the sparse indexes (one key in `stride`). At 1,000,000 keys
// of 16 bytes, at most about 3.5 MB besides the buffer and its table. It replaced a B-tree of
// random keys in SQLite, which read and wrote a page for nearly every insert once the tree outgrew
// its cache (bench/README.md, 2026-12-03, afternoon).
//
// Errors of the temporary file (its directory full or not writable) throw std::runtime_error.
#ifndef ACCROCHD_CONNECTORS_STORE_SPILL_MULTIMAP_H_
#define ACCROCHD_CONNECTORS_STORE_SPILL_MULTIMAP_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace accrochd::store {

class SpillMultimap {
 public:
  struct Options {
    std::size_t buffer_bytes = std::size_t{4} << 20;  // entries held before a run is written
    std::size_t stride = 64;                          // one key in `stride` of a run in memory
    std::size_t first_filter = std::size_t{1} << 16;  // the keys of the first filter generation
  };
  // Makes the temporary file in `directory` (created 0600 and unlinked at once).
  static Result<std::unique_ptr<SpillMultimap>> Open(const std::string& directory, Options options);
  ~SpillMultimap();
  SpillMultimap(const SpillMultimap&) = delete;
  SpillMultimap& operator=(const SpillMultimap&) = delete;

  void Add(std::string_view key, std::string_view value);
  // Calls `visit` with each value added under `key`, in the order they were added, until it
  // returns true; returns whether one did.
  bool Find(std::string_view key, const std::function<bool(std::string_view)>& visit);

  std::size_t runs() const;  // how many were written

 private:
  struct Run;
  class Filter;
  SpillMultimap(int fd, Options options);
  void Spill();
  bool FindInRun(const Run& run, std::string_view key,
                 const std::function<bool(std::string_view)>& visit);

  int fd_;
  Options options_;
  std::uint64_t file_size_ = 0;
  // The buffer: each entry's key then value in `arena_`, found by key through `table_`, an open
  // addressing table (linear probing) of slot numbers plus one, 0 for none, at most half full: a
  // hash table without a node to allocate and free for each entry.
  struct Slot {
    std::uint32_t at, key_size, value_size, hash;
  };
  std::string arena_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> table_;
  std::vector<Run> runs_;
  std::vector<Filter> filters_;  // generations, each covering the keys added while it was last
  std::string read_;             // a run's entries read back
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_SPILL_MULTIMAP_H_
