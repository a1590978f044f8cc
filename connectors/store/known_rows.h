// What a cycle's map+validate stage asks the state store of the rows it reads, so that a row
// whose source values are the ones last recorded is not mapped again (daemon/cycle/evaluation.h):
// the keyed digest of a row's values, and what the store holds of the passage with an
// idTechnique -- its facts, the digest recorded with it, its holder's record.
//
// Its own connection to the store's database, reading only: in WAL mode it reads what is
// committed beside the writes of the record stage and of the deposit thread, and never waits for
// the store's lock. A failed read is not an error: the row is mapped as any other, and the reader
// stops asking for the rest of the cycle (leaving a row unmapped is only ever a saving).
//
// Not thread-safe: one per cycle, on its map+validate thread.
#ifndef ACCROCHD_CONNECTORS_STORE_KNOWN_ROWS_H_
#define ACCROCHD_CONNECTORS_STORE_KNOWN_ROWS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/source_row.h"
#include "mappings/lifecycle.h"

struct sqlite3;

namespace accrochd::store {

class SqliteStatement;

class KnownRows {
 public:
  // `keyed` is the store's keyed hash (raw bytes, at least 16).
  using Hasher = std::function<std::string(std::string_view)>;
  // For `certifier`'s passages of `mapping`, in the database at `path`. `salt` holds what else a
  // row's mapping depends on (accrochd's version, the schema, the mapping's text): a digest made
  // under another salt never matches.
  static Result<std::unique_ptr<KnownRows>> Open(const std::string& path, Hasher keyed,
                                                 std::string certifier, std::string mapping,
                                                 const std::string& salt);
  ~KnownRows();
  KnownRows(const KnownRows&) = delete;
  KnownRows& operator=(const KnownRows&) = delete;

  // The keyed digest of a row's values, in their order (NULL and "" told apart): 16 raw bytes.
  std::string Digest(const source::SourceRow& row) const;

  struct Known {
    mappings::PassageFacts facts;
    std::string row_digest;     // as recorded; empty: none
    std::string holder_record;  // as recorded; empty: none (the row was not valid)
    std::int64_t row = 0;       // its rowid in `passages` (MissingStore::NoteRead's rows)
  };
  // The passage with this idTechnique, when the store holds one of this mapping with a digest
  // recorded, read into `known` (whose strings keep their capacity: a look-up per row allocates
  // nothing once they are large enough): true then; false otherwise, `known` left unspecified,
  // and at once when none of the mapping's passages has one (a first read, a mapping changed
  // since: no look-up at all). The passage recorded after the last one found is tried first, by
  // a step of the table: a source read in the order its rows were first recorded costs no
  // look-up by key.
  bool Find(const std::string& id_technique, Known& known);
  // Whether Find may find anything: false when the mapping has no digest recorded, or a read
  // failed. Callers skip the work of a look-up (the row's idTechnique) when it is false.
  bool Asking() const { return asking_; }

 private:
  struct Statements;
  KnownRows(sqlite3* db, Hasher keyed, std::string certifier, std::string mapping,
            std::string salt);
  sqlite3* db_;
  Hasher keyed_;
  std::string certifier_;
  std::string mapping_;
  std::string salt_;
  // `known` from a row of `find` or `walk` (kKnownColumns); false when of another mapping, or
  // without a digest.
  bool Read(SqliteStatement& st, Known& known) const;

  bool asking_ = true;  // false: nothing to find, or a read failed
  int finds_ = 0;       // in the read transaction open (0: none)
  std::unique_ptr<Statements> statements_;
  // The walk of the table from the last passage found (Find): whether its statement is bound and
  // in progress, where it is, and how often its next row was (not) the one looked for.
  bool walking_ = false;
  std::int64_t last_row_ = 0;
  std::int64_t walk_hits_ = 0;
  std::int64_t walk_misses_ = 0;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_KNOWN_ROWS_H_
