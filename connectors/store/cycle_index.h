// One cycle's uniqueness index (mappings::SeenIndex) on disk: the idTechniques and holders seen
// so far, so that memory stays flat however many rows a cycle reads.
//
// It is a private, temporary SQLite database of its own (SQLite's "" file name: created in the
// temporary directory, unlinked, gone when the index is destroyed), in one long transaction,
// without journal or sync: nothing in it outlives the cycle. It has its own connection, so the
// mapping stage that fills it never waits for the state store's lock, and the store's
// transactions never pay for it. Holder identities and traits are kept only as keyed hashes,
// their first 16 bytes as blobs (128 bits: a collision between two holders of one cycle is out of
// reach, and the index stays small enough to stay mostly in SQLite's cache); each holder is one
// row of one B-tree, in the order it was seen.
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

#include "core/error.h"
#include "mappings/validator.h"

struct sqlite3;

namespace accrochd::store {

class SqliteStatement;

class CycleIndex : public mappings::SeenIndex {
 public:
  // `keyed` hashes personal data (the state store's keyed hash, raw bytes: at least 16).
  using Hasher = std::function<std::string(std::string_view)>;
  static Result<std::unique_ptr<CycleIndex>> Open(Hasher keyed);
  ~CycleIndex() override;
  CycleIndex(const CycleIndex&) = delete;
  CycleIndex& operator=(const CycleIndex&) = delete;

  std::optional<std::string> Insert(Kind kind, const std::string& key,
                                    const std::string& id_technique) override;
  std::optional<std::string> InsertHolder(const std::string& key,
                                          const std::vector<std::string>& traits,
                                          const std::string& id_technique) override;
  // 16 bytes of the identity's keyed hash, then 16 per trait (16 zero bytes: unknown).
  std::string HolderRecord(const std::string& key,
                           const std::vector<std::string>& traits) const override;
  std::optional<std::string> InsertHolderRecord(std::string_view record,
                                                const std::string& id_technique) override;

 private:
  struct Statements;
  CycleIndex(sqlite3* db, Hasher keyed);
  sqlite3* db_;
  std::string Digest(std::string_view data) const;  // the first 16 bytes of keyed_
  Hasher keyed_;
  std::int64_t holders_ = 0;  // each holder's rank, to keep them in the order they were seen
  std::unique_ptr<Statements> statements_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_CYCLE_INDEX_H_
