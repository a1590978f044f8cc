// Where each mapping's incremental reading (its `cursor`) stopped.
#ifndef ACCROCHD_CONNECTORS_STORE_CURSORS_H_
#define ACCROCHD_CONNECTORS_STORE_CURSORS_H_

#include <optional>
#include <string>

#include "connectors/store/database.h"
#include "connectors/store/records.h"

namespace accrochd::store {

class CursorStore {
 public:
  explicit CursorStore(Database& db) : db_(db) {}

  // The bookmark of a mapping's incremental cursor. (It is written by PassageStore::Observe,
  // with the observations it covers.)
  Result<std::optional<Bookmark>> Get(const std::string& certifier, const std::string& mapping);

  // The lowest cursor value among a mapping's pending passages, to read them all again when a
  // deposit is cut (compared as integers when `numeric`). nullopt when none is pending; an empty
  // string when one has no cursor value (everything must be read).
  Result<std::optional<std::string>> PendingFloor(const std::string& certifier,
                                                  const std::string& mapping, bool numeric);

 private:
  Database& db_;
};

// Inside the caller's transaction (under the database's lock).
void SaveBookmark(soci::session& sql, const Bookmark& bookmark, TimePoint now);

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_CURSORS_H_
