#include "connectors/store/cycle_index.h"

#include <cstdlib>
#include <stdexcept>
#include <utility>

namespace accrochd::store {

namespace {

constexpr std::size_t kDigestBytes = 16;

// Where the temporary file goes: $TMPDIR when set, else /var/tmp (as SQLite's temporary files
// went before this index left SQLite).
std::string TemporaryDirectory() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/var/tmp";
}

// SeenIndex::TraitsAgree on traits as recorded (16 bytes each, 16 zero bytes for an unknown
// one), compared in place: a look-up made for every holder of a cycle allocates nothing.
bool RecordedTraitsAgree(std::string_view a, std::string_view b) {
  static constexpr char kUnknown[kDigestBytes] = {};
  const std::string_view unknown(kUnknown, kDigestBytes);
  for (std::size_t at = 0; at + kDigestBytes <= a.size() && at + kDigestBytes <= b.size();
       at += kDigestBytes) {
    const std::string_view x = a.substr(at, kDigestBytes), y = b.substr(at, kDigestBytes);
    if (x != unknown && y != unknown && x != y) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<CycleIndex>> CycleIndex::Open(Hasher keyed, SpillMultimap::Options spill) {
  const std::string directory = TemporaryDirectory();
  auto ids = SpillMultimap::Open(directory, spill);
  if (!ids) return std::unexpected(ids.error());
  auto holders = SpillMultimap::Open(directory, spill);
  if (!holders) return std::unexpected(holders.error());
  return std::unique_ptr<CycleIndex>(
      new CycleIndex(std::move(keyed), std::move(*ids), std::move(*holders)));
}

CycleIndex::CycleIndex(Hasher keyed, std::unique_ptr<SpillMultimap> ids,
                       std::unique_ptr<SpillMultimap> holders)
    : keyed_(std::move(keyed)), ids_(std::move(ids)), holders_(std::move(holders)) {}

CycleIndex::~CycleIndex() = default;

std::string CycleIndex::Digest(std::string_view data) const {
  std::string digest = keyed_(data);
  digest.resize(kDigestBytes);
  return digest;
}

std::optional<std::string> CycleIndex::Insert(Kind kind, const std::string& key,
                                              const std::string& id_technique) {
  // A holder's identity is personal data: only its keyed hash reaches the disk.
  std::string stored(1, kind == Kind::kHolder ? 'h' : 'i');
  stored += kind == Kind::kHolder ? Digest(key) : key;
  std::optional<std::string> existing;
  ids_->Find(stored, [&](std::string_view value) {
    existing = value.empty() ? key : std::string(value.substr(1));
    return true;
  });
  if (existing) return existing;
  // Most keys are their own idTechnique: kept once. Else the id follows a marker byte.
  ids_->Add(stored,
            id_technique == key && kind == Kind::kIdTechnique ? std::string() : "=" + id_technique);
  return std::nullopt;
}

std::optional<std::string> CycleIndex::InsertHolder(const std::string& key,
                                                    const std::vector<std::string>& traits,
                                                    const std::string& id_technique) {
  return InsertHolderRecord(HolderRecord(key, traits), id_technique);
}

// Personal data: only keyed hashes reach the disk. An unknown trait is stored as 16 zero bytes
// (no digest is), and compared as unknown; those at the end are left out, as a record shorter
// than another is compared on the traits both have (RecordedTraitsAgree): most holders have
// none of the last three traits, 48 bytes less in each passage's row and in the index
// (bench/README.md, 2026-12-06, before noon). Records kept by earlier versions, with them, agree
// the same.
std::string CycleIndex::HolderRecord(const std::string& key,
                                     const std::vector<std::string>& traits) const {
  std::string record = Digest(key);
  std::size_t known = record.size();
  for (const std::string& t : traits) {
    if (t.empty()) {
      record.append(kDigestBytes, '\0');
    } else {
      record += Digest(t);
      known = record.size();
    }
  }
  record.resize(known);
  return record;
}

std::optional<std::string> CycleIndex::InsertHolderRecord(std::string_view record,
                                                          const std::string& id_technique) {
  if (record.size() < kDigestBytes || record.size() % kDigestBytes != 0 ||
      record.size() / kDigestBytes - 1 > 255) {
    throw std::runtime_error("cycle index: a holder record of " + std::to_string(record.size()) +
                             " bytes");
  }
  const std::string_view digest = record.substr(0, kDigestBytes);
  const std::string_view stored = record.substr(kDigestBytes);
  // Each earlier holder of this identity: its trait count, its traits, its idTechnique.
  std::optional<std::string> agreeing;
  holders_->Find(digest, [&](std::string_view value) {
    const std::size_t traits = static_cast<unsigned char>(value[0]) * kDigestBytes;
    if (!RecordedTraitsAgree(value.substr(1, traits), stored)) return false;
    agreeing = std::string(value.substr(1 + traits));
    return true;
  });
  if (agreeing) return agreeing;
  value_.assign(1, static_cast<char>(stored.size() / kDigestBytes));
  value_ += stored;
  value_ += id_technique;
  holders_->Add(digest, value_);
  return std::nullopt;
}

}  // namespace accrochd::store
