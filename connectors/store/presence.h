// Whether the state store holds a passage, asked on a reading connection of its own: in WAL mode
// it reads what is committed beside the writer's transactions and never waits for the store's
// lock. The record stage asks it of the observations it may hold for their deposit file
// (staged_passages.h), and the deposit session the names of files recorded, while another
// thread writes a file's record, which holds the lock for a large file's whole transaction
// (PassageStore::Observe, DepositStore::NameRecorded).
//
// Thread-safe (a mutex of its own).
#ifndef ACCROCHD_CONNECTORS_STORE_PRESENCE_H_
#define ACCROCHD_CONNECTORS_STORE_PRESENCE_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/error.h"

struct sqlite3;

namespace accrochd::store {

class SqliteStatement;

class Presence {
 public:
  static Result<std::unique_ptr<Presence>> Open(const std::string& path);
  ~Presence();
  Presence(const Presence&) = delete;
  Presence& operator=(const Presence&) = delete;

  // Whether a passage of this certifier and idTechnique is committed in the store; nullopt when
  // the read failed (the caller asks the store itself).
  std::optional<bool> Holds(const std::string& certifier, const std::string& id_technique);
  // Whether a deposit of that file name is committed in the store, abandoned ones included;
  // nullopt when the read failed. (A name this process is recording is one it made, and never
  // makes again: what is not committed yet need not be seen.)
  std::optional<bool> NameRecorded(const std::string& file_name);

  // A batch of questions read one snapshot: SQLite keeps the connection's page cache through
  // it, where it would drop it at each question's own transaction when the store changed
  // meanwhile (as it does, written by another thread). Answers stay true of that snapshot.
  class Batch {
   public:
    explicit Batch(Presence& presence);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

   private:
    Presence& presence_;
    bool open_ = false;
  };

 private:
  explicit Presence(sqlite3* db);
  sqlite3* db_;
  std::unique_ptr<SqliteStatement> holds_, name_;
  std::mutex mutex_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_PRESENCE_H_
