// New passages whose row waits for their deposit file's record, so that it is written once.
//
// A passage a cycle sees for the first time and hands to its deposit file used to be written
// twice in a few seconds: inserted pending by its observation, then rewritten in_deposit (its
// status index entry moved) when its file was recorded -- with the list of the file's passages
// built to find the rows again, half of the deposits' records and a fifth of the whole backfill's
// store work (bench/README.md, 2026-12-05, afternoon). Instead, the observation is decided as
// always (a new passage: an insert, pending), and the decision's row is held here until either:
//   - its file is recorded (DepositStore::Begin): the row is inserted in_deposit at once, with
//     its membership, in the same transaction, as the two decisions would have left it; or
//   - the observation must be durable first (PassageStore::Flush): inserted pending, as before.
// A mapping's bookmark that passes held passages of its certifier waits here too, and is written
// in the transaction that inserts what is still held when its certifier's cycle ends
// (PassageStore::FlushStaged) -- by then their files' records have written most of them -- so
// that a bookmark is never ahead of a passage it read. Written at once instead, with the held
// passages inserted pending in its transaction, the last file's passages were written twice and
// the pipeline waited for them (bench/README.md, 2026-12-05, late night). A crash loses a
// staged passage as it loses any observation not yet committed: the next cycle reads its row
// again, since no bookmark passed it (database.h, RelaxedSync).
//
// Not thread-safe: used under its lock (Database::LockStaged). Holds at most kMost passages: past
// that, observations are inserted at once (a file larger than that, or files cut slower than rows
// are read, cost the two writes again, never more memory).
#ifndef ACCROCHD_CONNECTORS_STORE_STAGED_PASSAGES_H_
#define ACCROCHD_CONNECTORS_STORE_STAGED_PASSAGES_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "connectors/store/records.h"

namespace accrochd::store {

class StagedPassages {
 public:
  // One file of the default deposit.max_passages_per_file (50,000) being recorded and most of the
  // next one read meanwhile: with 65,536, the record stage wrote at once past the first 15,536 of
  // the next, and waited for the record's lock to do so (bench/README.md, 2026-12-05, evening).
  // About 220 bytes each in the bench's shape (their values, their place, the index's entry):
  // some 22 MB when full.
  static constexpr std::size_t kMost = 98304;

  bool HasRoom() const { return count_ < kMost; }
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  // The bytes of the memory its passages' values take (their chunks, see below).
  std::size_t bytes() const;

  // Holds `o`, a new valid passage's observation (no reasons) made at `seen_at`; false, nothing
  // held, when it has reasons, one of that certifier and idTechnique is held already, or a value
  // is too large to be held (more than 65,535 bytes; then it is inserted at once).
  bool Put(const Observation& o, TimePoint seen_at);
  // The passage's place in the order they were put, if it is held.
  std::optional<std::uint64_t> Find(std::string_view certifier, std::string_view id_technique);
  // The observation held at `order` (Find's), into `out`, whose strings keep their capacity;
  // when it was made.
  TimePoint Read(std::uint64_t order, Observation& out) const;
  // The places of those of `certifier`, in order.
  std::vector<std::uint64_t> Of(std::string_view certifier) const;
  // Lets go the passage held at `order` (nothing when none is).
  void Erase(std::uint64_t order);

  // Whether a passage of `certifier` is held.
  bool Holds(std::string_view certifier) const;
  // Keeps `bookmark` until the passages of its certifier held now are written (see above); it
  // replaces one kept for the same certifier and mapping.
  void Defer(const Bookmark& bookmark);
  // The bookmarks kept for `certifier`, in the order they came; kept still until Forget.
  std::vector<Bookmark> Deferred(std::string_view certifier) const;
  // Lets go the bookmarks kept for `certifier` (written, or to be read again at the next cycle).
  void Forget(std::string_view certifier);

 private:
  // Each held passage's values, packed (the layout is in the .cc) one after another in chunks
  // of memory allocated as they fill and freed once every passage in them is let go: held one
  // allocation each, they were 35 MB of the backfill's 104 MB heap peak (bench/README.md,
  // 2026-12-06).
  // The certifier, the mapping and the certification's type and code, the same for most
  // passages, are held once, in `names_`, and each passage refers to them by number.
  struct Chunk {
    std::unique_ptr<char[]> bytes;
    std::size_t size = 0, used = 0, live = 0;  // live: its passages still held
  };
  struct Slot {  // a passage's place: nothing once it is let go
    const char* bytes = nullptr;
    std::uint32_t chunk = 0;  // chunks_[chunk - first_chunk_]
    std::uint32_t entry = 0;  // its entry in index_ (kept as entries move)
  };
  static constexpr std::uint16_t kNoName = 0xFFFF;
  std::uint16_t Name(std::string_view name, std::uint16_t& last);  // kNoName when full
  std::uint16_t KnownName(std::string_view name) const;            // kNoName when unknown
  void ForgetNames();
  char* Allocate(std::size_t size);  // in the last chunk, or in a new one

  std::deque<Slot> slots_;  // slots_.front() is the passage put at `first_`
  std::uint64_t first_ = 0;
  std::deque<Chunk> chunks_;
  std::uint32_t first_chunk_ = 0;
  // The index of the held passages by key (their certifier's number, two bytes, then their
  // idTechnique, as their values hold it): an open addressing table (linear probing) of each
  // one's key's hash and place, kIndexSize entries, at most three eighths full, allocated at the
  // first Put. A look-up compares the hashes, and reads a passage's key only when they agree.
  // A node-based std::unordered_map, three look-ups a passage (the record stage's Find and Put,
  // the file record's Find and Erase) with an allocation and a free, cost 0.8 s of CPU in a
  // backfill of 1,000,000 passages (bench/README.md, 2026-12-06, morning). Each slot knows its
  // entry: a passage is let go without a look-up.
  struct Entry {
    std::uint32_t hash = 0;   // 0: free
    std::uint32_t place = 0;  // the low 32 bits of its place (see PlaceOf)
  };
  static constexpr std::size_t kIndexSize = std::size_t{1} << 18;
  static std::uint32_t HashOf(std::string_view key);
  // The entry of `key`, whose hash is `hash`; nullptr when none is.
  const Entry* Locate(std::uint32_t hash, std::string_view key) const;
  // The full place from its low 32 bits: every place held is within 2^32 of first_.
  std::uint64_t PlaceOf(const Entry& e) const;
  std::vector<Entry> index_;
  std::size_t count_ = 0;
  std::deque<std::string> names_;  // a deque: the views below stay valid as it grows
  std::unordered_map<std::string_view, std::uint16_t> name_numbers_;
  std::uint16_t last_certifier_ = kNoName, last_mapping_ = kNoName, last_type_ = kNoName,
                last_code_ = kNoName;
  std::string key_;     // a look-up's key
  std::string values_;  // a passage's values, packed before they are copied to their chunk
  std::vector<Bookmark> bookmarks_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_STAGED_PASSAGES_H_
