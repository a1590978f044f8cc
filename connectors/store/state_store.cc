#include "connectors/store/state_store.h"

namespace accrochd::store {

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& state_directory,
                                                     Clock& clock, FileSystem& files) {
  auto db = Database::Open(state_directory, clock, files);
  if (!db) return std::unexpected(db.error());
  return std::unique_ptr<StateStore>(new StateStore(std::move(*db)));
}

StateStore::StateStore(std::unique_ptr<Database> db)
    : db_(std::move(db)),
      passages_(*db_),
      deposits_(*db_),
      alerts_(*db_),
      cursors_(*db_),
      cycles_(*db_),
      hooks_(*db_),
      missing_(*db_) {}

StateStore::~StateStore() = default;

}  // namespace accrochd::store
