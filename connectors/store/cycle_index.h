// One cycle's uniqueness index (mappings::SeenIndex) on disk: the idTechniques and holders seen
// so far, so that memory stays flat however many rows a cycle reads.
//
// Two multimaps that spill to an unlinked temporary file (spill_multimap.h): the idTechniques
// (each with the idTechnique recorded with it when that is not the key itself) and the holders.
// The file is made in $TMPDIR when it is set, else in /var/tmp (private to the service under
// systemd's PrivateTmp), and is gone when the index is destroyed. Holder identities and traits
// are kept only as keyed hashes, their first 16 bytes (128 bits: a collision between two holders
// of one cycle is out of reach); the holders of one identity are told apart by their traits, in
// the order they were seen.
//
// Errors (the temporary directory full) throw std::runtime_error: the cycle stops, recording
// nothing more.
#ifndef ACCROCHD_CONNECTORS_STORE_CYCLE_INDEX_H_
#define ACCROCHD_CONNECTORS_STORE_CYCLE_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/store/spill_multimap.h"
#include "core/error.h"
#include "mappings/validator.h"

namespace accrochd::store {

class CycleIndex : public mappings::SeenIndex {
 public:
  // `keyed` hashes personal data (the state store's keyed hash, raw bytes: at least 16).
  using Hasher = std::function<std::string(std::string_view)>;
  // `spill` sizes each of the two multimaps (the tests make them spill after a few entries).
  static Result<std::unique_ptr<CycleIndex>> Open(Hasher keyed, SpillMultimap::Options spill = {});
  ~CycleIndex() override;
  CycleIndex(const CycleIndex&) = delete;
  CycleIndex& operator=(const CycleIndex&) = delete;

  std::optional<std::string> Insert(Kind kind, const std::string& key,
                                    const std::string& id_technique) override;
  std::optional<std::string> InsertHolder(const std::string& key,
                                          const std::vector<std::string>& traits,
                                          const std::string& id_technique) override;
  // 16 bytes of the identity's keyed hash, then 16 per trait (16 zero bytes: unknown), up to the
  // last known one.
  std::string HolderRecord(const std::string& key,
                           const std::vector<std::string>& traits) const override;
  std::optional<std::string> InsertHolderRecord(std::string_view record,
                                                const std::string& id_technique) override;

 private:
  CycleIndex(Hasher keyed, std::unique_ptr<SpillMultimap> ids,
             std::unique_ptr<SpillMultimap> holders);
  std::string Digest(std::string_view data) const;  // the first 16 bytes of keyed_
  Hasher keyed_;
  std::unique_ptr<SpillMultimap> ids_;      // kind and key -> "" (the key itself) or the id
  std::unique_ptr<SpillMultimap> holders_;  // identity digest -> trait count, traits, id
  std::string value_;                       // reused
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_CYCLE_INDEX_H_
