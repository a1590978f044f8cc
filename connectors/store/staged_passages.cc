#include "connectors/store/staged_passages.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>

#include "core/text.h"

namespace accrochd::store {
namespace {

// A held passage's values, packed: the key's size (2 bytes) and the key (its certifier's number, 2
// bytes, then its idTechnique); the numbers of its mapping, certification type and certification
// code (2 bytes each); a byte of flags (below); the content hash, the row's digest and its
// holder's record, each as its size (2 bytes) and its bytes -- the content hash as the bytes its
// lower-case hexadecimal writes, half as many, when it is that; the cursor's value (its size and
// bytes) and the date of delivery (a count of days, 4 bytes) when there is one; last, when it was
// observed (8 bytes of nanoseconds since the epoch). Numbers in the machine's order: they never
// leave the process.
constexpr unsigned char kHashUnhexed = 1, kHasCursor = 2, kHasDelivery = 4;
// Passages are packed into chunks of this size (one larger passage gets a chunk of its own).
constexpr std::size_t kChunkBytes = std::size_t{64} << 10;

template <typename T>
void PutNumber(std::string& out, T v) {
  char bytes[sizeof v];
  std::memcpy(bytes, &v, sizeof v);
  out.append(bytes, sizeof bytes);
}

void PutText(std::string& out, std::string_view text) {
  PutNumber(out, static_cast<std::uint16_t>(text.size()));
  out.append(text);
}

class Reader {
 public:
  explicit Reader(const char* bytes) : at_(bytes) {}
  template <typename T>
  T Number() {
    T v;
    std::memcpy(&v, at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string_view Text() {
    const auto n = Number<std::uint16_t>();
    const std::string_view text(at_, n);
    at_ += n;
    return text;
  }

 private:
  const char* at_;
};

void MakeKey(std::string& key, std::uint16_t certifier, std::string_view id_technique) {
  key.clear();
  PutNumber(key, certifier);
  key.append(id_technique);
}

std::string_view KeyOf(const char* bytes) { return Reader(bytes).Text(); }

std::uint16_t CertifierOf(const char* bytes) {
  std::uint16_t v;
  std::memcpy(&v, bytes + sizeof(std::uint16_t), sizeof v);
  return v;
}

}  // namespace

std::uint32_t StagedPassages::HashOf(std::string_view key) {
  // std::hash's bytes, their halves folded; 0 is kept for a free entry.
  const std::uint64_t h = std::hash<std::string_view>{}(key);
  const auto folded = static_cast<std::uint32_t>(h ^ (h >> 32));
  return folded == 0 ? 1 : folded;
}

std::uint64_t StagedPassages::PlaceOf(const Entry& e) const {
  return first_ + static_cast<std::uint32_t>(e.place - static_cast<std::uint32_t>(first_));
}

const StagedPassages::Entry* StagedPassages::Locate(std::uint32_t hash,
                                                    std::string_view key) const {
  if (index_.empty()) return nullptr;
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = hash & mask; index_[i].hash != 0; i = (i + 1) & mask) {
    const Entry& e = index_[i];
    if (e.hash == hash && KeyOf(slots_[PlaceOf(e) - first_].bytes) == key) return &e;
  }
  return nullptr;
}

std::uint16_t StagedPassages::Name(std::string_view name, std::uint16_t& last) {
  if (last != kNoName && names_[last] == name) return last;
  const auto it = name_numbers_.find(name);
  if (it != name_numbers_.end()) return last = it->second;
  if (names_.size() >= kNoName) return kNoName;
  const auto number = static_cast<std::uint16_t>(names_.size());
  name_numbers_.emplace(names_.emplace_back(name), number);
  return last = number;
}

std::uint16_t StagedPassages::KnownName(std::string_view name) const {
  const auto it = name_numbers_.find(name);
  return it == name_numbers_.end() ? kNoName : it->second;
}

char* StagedPassages::Allocate(std::size_t size) {
  if (chunks_.empty() || chunks_.back().size - chunks_.back().used < size) {
    Chunk& chunk = chunks_.emplace_back();
    chunk.size = std::max(size, kChunkBytes);
    chunk.bytes = std::make_unique_for_overwrite<char[]>(chunk.size);
  }
  Chunk& chunk = chunks_.back();
  char* at = chunk.bytes.get() + chunk.used;
  chunk.used += size;
  ++chunk.live;
  return at;
}

std::size_t StagedPassages::bytes() const {
  std::size_t n = 0;
  for (const Chunk& chunk : chunks_) n += chunk.bytes ? chunk.size : 0;
  return n;
}

bool StagedPassages::Put(const Observation& o, TimePoint seen_at) {
  if (o.quarantined || !o.reasons.empty()) return false;
  // Names numbered for a Put that was then refused, with nothing held since.
  if (count_ == 0 && !names_.empty()) ForgetNames();
  // Sizes are written in 2 bytes; the key's holds the certifier's number too.
  constexpr std::size_t kMostText = 0xFFFF - sizeof(std::uint16_t);
  for (const std::string_view text :
       {std::string_view(o.id_technique), std::string_view(o.content_hash),
        std::string_view(o.row_digest), std::string_view(o.holder_record),
        o.cursor_value ? std::string_view(*o.cursor_value) : std::string_view()}) {
    if (text.size() > kMostText) return false;
  }
  const std::uint16_t certifier = Name(o.certifier, last_certifier_);
  const std::uint16_t mapping = Name(o.mapping, last_mapping_);
  const std::uint16_t type = Name(o.certification_type, last_type_);
  const std::uint16_t code = Name(o.certification_code, last_code_);
  if (certifier == kNoName || mapping == kNoName || type == kNoName || code == kNoName) {
    return false;
  }
  MakeKey(key_, certifier, o.id_technique);
  const std::uint32_t hash = HashOf(key_);
  if (Locate(hash, key_) != nullptr) return false;

  values_.clear();
  PutText(values_, key_);
  PutNumber(values_, mapping);
  PutNumber(values_, type);
  PutNumber(values_, code);
  const std::size_t flags_at = values_.size();
  values_.push_back(0);
  unsigned char flags = 0;
  const std::size_t hash_at = values_.size();
  PutNumber(values_, std::uint16_t{0});
  if (AppendUnhex(values_, o.content_hash)) {
    flags |= kHashUnhexed;
    const auto n = static_cast<std::uint16_t>(values_.size() - hash_at - sizeof(std::uint16_t));
    std::memcpy(values_.data() + hash_at, &n, sizeof n);
  } else {
    values_.resize(hash_at);
    PutText(values_, o.content_hash);
  }
  PutText(values_, o.row_digest);
  PutText(values_, o.holder_record);
  if (o.cursor_value) {
    flags |= kHasCursor;
    PutText(values_, *o.cursor_value);
  }
  if (o.delivery) {
    flags |= kHasDelivery;
    PutNumber(values_, static_cast<std::int32_t>(
                           std::chrono::sys_days(*o.delivery).time_since_epoch().count()));
  }
  PutNumber(values_, static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                   seen_at.time_since_epoch())
                                                   .count()));
  values_[flags_at] = static_cast<char>(flags);

  char* bytes = Allocate(values_.size());
  std::memcpy(bytes, values_.data(), values_.size());
  const std::uint64_t order = first_ + slots_.size();
  if (index_.empty()) index_.resize(kIndexSize);
  const std::size_t mask = index_.size() - 1;
  std::size_t i = hash & mask;
  while (index_[i].hash != 0) i = (i + 1) & mask;
  index_[i] = Entry{hash, static_cast<std::uint32_t>(order)};
  ++count_;
  slots_.push_back(Slot{bytes, first_chunk_ + static_cast<std::uint32_t>(chunks_.size() - 1),
                        static_cast<std::uint32_t>(i)});
  return true;
}

std::optional<std::uint64_t> StagedPassages::Find(std::string_view certifier,
                                                  std::string_view id_technique) {
  if (count_ == 0) return std::nullopt;
  const std::uint16_t number = KnownName(certifier);
  if (number == kNoName) return std::nullopt;
  MakeKey(key_, number, id_technique);
  const Entry* e = Locate(HashOf(key_), key_);
  if (e == nullptr) return std::nullopt;
  return PlaceOf(*e);
}

TimePoint StagedPassages::Read(std::uint64_t order, Observation& out) const {
  const char* bytes = slots_[order - first_].bytes;
  Reader r(bytes);
  out.certifier.assign(names_[CertifierOf(bytes)]);
  out.id_technique.assign(r.Text().substr(sizeof(std::uint16_t)));
  out.mapping.assign(names_[r.Number<std::uint16_t>()]);
  out.certification_type.assign(names_[r.Number<std::uint16_t>()]);
  out.certification_code.assign(names_[r.Number<std::uint16_t>()]);
  const auto flags = r.Number<unsigned char>();
  const std::string_view hash = r.Text();
  if (flags & kHashUnhexed) {
    out.content_hash.clear();
    AppendHex(out.content_hash, hash);
  } else {
    out.content_hash.assign(hash);
  }
  out.row_digest.assign(r.Text());
  out.holder_record.assign(r.Text());
  if (flags & kHasCursor) {
    const std::string_view cursor = r.Text();
    if (out.cursor_value) {
      out.cursor_value->assign(cursor);
    } else {
      out.cursor_value.emplace(cursor);
    }
  } else {
    out.cursor_value.reset();
  }
  out.delivery.reset();
  if (flags & kHasDelivery) {
    out.delivery = Date(std::chrono::sys_days(std::chrono::days(r.Number<std::int32_t>())));
  }
  out.quarantined = false;
  out.to_deposit = true;
  out.reasons.clear();
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::nanoseconds(r.Number<std::int64_t>())));
}

std::vector<std::uint64_t> StagedPassages::Of(std::string_view certifier) const {
  std::vector<std::uint64_t> out;
  const std::uint16_t number = KnownName(certifier);
  if (number == kNoName) return out;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].bytes != nullptr && CertifierOf(slots_[i].bytes) == number) {
      out.push_back(first_ + i);
    }
  }
  return out;
}

bool StagedPassages::Holds(std::string_view certifier) const {
  const std::uint16_t number = KnownName(certifier);
  return number != kNoName && std::any_of(slots_.begin(), slots_.end(), [&](const Slot& slot) {
           return slot.bytes != nullptr && CertifierOf(slot.bytes) == number;
         });
}

void StagedPassages::Defer(const Bookmark& bookmark) {
  for (Bookmark& kept : bookmarks_) {
    if (kept.certifier == bookmark.certifier && kept.mapping == bookmark.mapping) {
      kept = bookmark;
      return;
    }
  }
  bookmarks_.push_back(bookmark);
}

std::vector<Bookmark> StagedPassages::Deferred(std::string_view certifier) const {
  std::vector<Bookmark> out;
  for (const Bookmark& b : bookmarks_) {
    if (b.certifier == certifier) out.push_back(b);
  }
  return out;
}

void StagedPassages::Forget(std::string_view certifier) {
  std::erase_if(bookmarks_, [&](const Bookmark& b) { return b.certifier == certifier; });
}

void StagedPassages::Erase(std::uint64_t order) {
  if (order < first_ || order - first_ >= slots_.size()) return;
  Slot& slot = slots_[order - first_];
  if (slot.bytes == nullptr) return;
  // Its entry goes, and the entries after it in the same run move back to where a look-up finds
  // them (linear probing's deletion, without tombstones), their slots told where they went.
  const std::size_t mask = index_.size() - 1;
  std::size_t hole = slot.entry;
  for (std::size_t next = (hole + 1) & mask; index_[next].hash != 0; next = (next + 1) & mask) {
    const std::size_t home = index_[next].hash & mask;
    // The entry at `next` may fill the hole unless its home lies after the hole, up to `next`.
    const bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
    if (stays) continue;
    index_[hole] = index_[next];
    slots_[PlaceOf(index_[hole]) - first_].entry = static_cast<std::uint32_t>(hole);
    hole = next;
  }
  index_[hole] = Entry{};
  --count_;
  Chunk& chunk = chunks_[slot.chunk - first_chunk_];
  if (--chunk.live == 0) {
    if (&chunk == &chunks_.back()) {
      chunk.used = 0;  // filled again from its start
    } else {
      chunk.bytes.reset();
    }
  }
  slot = Slot{};
  while (!slots_.empty() && slots_.front().bytes == nullptr) {
    slots_.pop_front();
    ++first_;
  }
  while (chunks_.size() > 1 && chunks_.front().bytes == nullptr) {
    chunks_.pop_front();
    ++first_chunk_;
  }
  if (count_ == 0) ForgetNames();  // the names go with the last passage that used them
}

void StagedPassages::ForgetNames() {
  names_.clear();
  name_numbers_.clear();
  last_certifier_ = last_mapping_ = last_type_ = last_code_ = kNoName;
}

}  // namespace accrochd::store
