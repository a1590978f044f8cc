// The state store: what accrochd knows of every passage, deposit and alert, in an embedded SQLite
// database (<state>/state.db, WAL; database.h).
//
// It holds identifiers, dates, statuses and counts -- never a name, a birth date or a NIR. A
// passage's content is kept only as a keyed hash (HMAC-SHA-256 with a key of the installation,
// <state>/hash.key), enough to see that it changed, useless to confirm who it is about. The
// passages' data stays in the certifier's database and in the deposit files.
//
// It is split by job, each part in its own unit over the one database: the passages and their
// history (passages.h), deposits and receipts (deposits.h), the alert queue (alert_queue.h), the
// incremental cursors (cursors.h), how the last cycles ended (cycles.h), the upload hook's runs
// (deposit_hooks.h), the rows gone from the source (missing.h). What a change means for a passage
// is decided by the domain's lifecycle (mappings/lifecycle.h); the store only persists it.
// Thread-safe: every method takes the database's lock and is one transaction.
#ifndef ACCROCHD_CONNECTORS_STORE_STATE_STORE_H_
#define ACCROCHD_CONNECTORS_STORE_STATE_STORE_H_

#include <memory>
#include <string>

#include "connectors/store/alert_queue.h"
#include "connectors/store/cursors.h"
#include "connectors/store/cycles.h"
#include "connectors/store/database.h"
#include "connectors/store/deposit_hooks.h"
#include "connectors/store/deposits.h"
#include "connectors/store/missing.h"
#include "connectors/store/passages.h"
#include "connectors/store/records.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/file_system.h"

namespace accrochd::store {

class StateStore {
 public:
  // Opens (creating and migrating) <state_directory>/state.db; see Database::Open.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& state_directory, Clock& clock,
                                                  FileSystem& files);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  PassageStore& passages() { return passages_; }
  DepositStore& deposits() { return deposits_; }
  AlertQueue& alerts() { return alerts_; }
  CursorStore& cursors() { return cursors_; }
  CycleLog& cycles() { return cycles_; }
  HookStore& hooks() { return hooks_; }
  MissingStore& missing() { return missing_; }

  const std::string& path() const { return db_->path(); }

 private:
  explicit StateStore(std::unique_ptr<Database> db);
  std::unique_ptr<Database> db_;
  PassageStore passages_;
  DepositStore deposits_;
  AlertQueue alerts_;
  CursorStore cursors_;
  CycleLog cycles_;
  HookStore hooks_;
  MissingStore missing_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_STATE_STORE_H_
