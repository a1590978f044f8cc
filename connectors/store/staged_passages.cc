#include "connectors/store/staged_passages.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace accrochd::store {
namespace {

// A held passage's buffer: the key's size (4 bytes) and the key, then each value as its size
// (4 bytes) and its bytes; the cursor value and the date of delivery each a byte saying whether
// there is one first, the date as a count of days (4 bytes); last, when it was observed (8 bytes
// of nanoseconds since the epoch).
void PutSize(std::string& out, std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);
  char bytes[4];
  std::memcpy(bytes, &v, sizeof v);
  out.append(bytes, sizeof bytes);
}

void PutText(std::string& out, std::string_view text) {
  PutSize(out, text.size());
  out.append(text);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  std::uint32_t Size() {
    std::uint32_t v = 0;
    std::memcpy(&v, bytes_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string_view Text() {
    const std::uint32_t n = Size();
    const std::string_view text = bytes_.substr(at_, n);
    at_ += n;
    return text;
  }
  bool Flag() { return bytes_[at_++] != 0; }
  std::int64_t Stamp() {
    std::int64_t v = 0;
    std::memcpy(&v, bytes_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

void MakeKey(std::string& key, std::string_view certifier, std::string_view id_technique) {
  key.assign(certifier);
  key.push_back('\0');  // in neither (a BCR, an idTechnique)
  key.append(id_technique);
}

}  // namespace

bool StagedPassages::Put(const Observation& o, TimePoint seen_at) {
  if (o.quarantined || !o.reasons.empty()) return false;
  std::string bytes;
  bytes.reserve(64 + o.certifier.size() + o.id_technique.size() + o.mapping.size() +
                o.certification_type.size() + o.certification_code.size() + o.content_hash.size() +
                o.row_digest.size() + o.holder_record.size() +
                (o.cursor_value ? o.cursor_value->size() : 0));
  MakeKey(key_, o.certifier, o.id_technique);
  PutText(bytes, key_);
  PutText(bytes, o.mapping);
  PutText(bytes, o.certification_type);
  PutText(bytes, o.certification_code);
  PutText(bytes, o.content_hash);
  PutText(bytes, o.row_digest);
  PutText(bytes, o.holder_record);
  bytes.push_back(o.cursor_value ? 1 : 0);
  if (o.cursor_value) PutText(bytes, *o.cursor_value);
  bytes.push_back(o.delivery ? 1 : 0);
  if (o.delivery) {
    PutSize(bytes, static_cast<std::uint32_t>(
                       std::chrono::sys_days(*o.delivery).time_since_epoch().count()));
  }
  const std::int64_t nanoseconds =
      std::chrono::duration_cast<std::chrono::nanoseconds>(seen_at.time_since_epoch()).count();
  char stamp[sizeof nanoseconds];
  std::memcpy(stamp, &nanoseconds, sizeof stamp);
  bytes.append(stamp, sizeof stamp);
  if (index_.contains(key_)) return false;
  const std::uint64_t order = first_ + held_.size();
  held_.push_back(std::move(bytes));
  // The key as the buffer holds it: a deque never moves its elements, a string its bytes.
  index_.emplace(std::string_view(held_.back()).substr(4, key_.size()), order);
  return true;
}

std::optional<std::uint64_t> StagedPassages::Find(std::string_view certifier,
                                                  std::string_view id_technique) {
  if (index_.empty()) return std::nullopt;
  MakeKey(key_, certifier, id_technique);
  const auto it = index_.find(key_);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

TimePoint StagedPassages::Read(std::uint64_t order, Observation& out) const {
  Reader r(held_[order - first_]);
  const std::string_view key = r.Text();
  const std::size_t nul = key.find('\0');
  out.certifier.assign(key.substr(0, nul));
  out.id_technique.assign(key.substr(nul + 1));
  out.mapping.assign(r.Text());
  out.certification_type.assign(r.Text());
  out.certification_code.assign(r.Text());
  out.content_hash.assign(r.Text());
  out.row_digest.assign(r.Text());
  out.holder_record.assign(r.Text());
  if (r.Flag()) {
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
  if (r.Flag()) {
    const auto days = static_cast<std::int32_t>(r.Size());
    out.delivery = Date(std::chrono::sys_days(std::chrono::days(days)));
  }
  out.quarantined = false;
  out.to_deposit = true;
  out.reasons.clear();
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(r.Stamp())));
}

namespace {

// Whether `bytes` (a held passage's buffer, "" once erased) holds one of `certifier`.
bool OfCertifier(const std::string& bytes, std::string_view certifier) {
  return bytes.size() > 4 + certifier.size() &&
         bytes.compare(4, certifier.size(), certifier) == 0 && bytes[4 + certifier.size()] == '\0';
}

}  // namespace

std::vector<std::uint64_t> StagedPassages::Of(std::string_view certifier) const {
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < held_.size(); ++i) {
    if (OfCertifier(held_[i], certifier)) out.push_back(first_ + i);
  }
  return out;
}

bool StagedPassages::Holds(std::string_view certifier) const {
  return std::any_of(held_.begin(), held_.end(),
                     [&](const std::string& bytes) { return OfCertifier(bytes, certifier); });
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
  if (order < first_ || order - first_ >= held_.size()) return;
  std::string& bytes = held_[order - first_];
  if (bytes.empty()) return;
  Reader r(bytes);
  index_.erase(r.Text());  // before the bytes it views go
  std::string().swap(bytes);
  while (!held_.empty() && held_.front().empty()) {
    held_.pop_front();
    ++first_;
  }
}

}  // namespace accrochd::store
