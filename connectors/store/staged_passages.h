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
  // About 400 bytes each: some 40 MB when full.
  static constexpr std::size_t kMost = 98304;

  bool HasRoom() const { return index_.size() < kMost; }
  bool empty() const { return index_.empty(); }
  std::size_t size() const { return index_.size(); }

  // Holds `o`, a new valid passage's observation (no reasons) made at `seen_at`; false, nothing
  // held, when it has reasons or one of that certifier and idTechnique is held already. Each
  // passage is held in one buffer of its values (some 300 bytes), not as an Observation (twice
  // that).
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
  // Each held passage's values, one after another: the key (certifier, NUL, idTechnique) first,
  // which the index views; "" once erased. held_.front() is the one put at `first_`.
  std::deque<std::string> held_;
  std::uint64_t first_ = 0;
  std::unordered_map<std::string_view, std::uint64_t> index_;
  std::string key_;  // a look-up's key
  std::vector<Bookmark> bookmarks_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_STAGED_PASSAGES_H_
