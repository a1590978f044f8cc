// Rows that disappear from the source (issue 11, item 3): which passages a complete read of a
// mapping did not see, and which a mapping's deleted_query says are deleted. What becomes of
// each is the lifecycle's SourceMissing decision (mappings/lifecycle.h); nothing is withdrawn.
//
// Set-based, because a mapping may hold a million passages: the keys a read saw are kept in a
// TEMP table of the store's connection, and the passages it saw unchanged (left unmapped, found
// by their row in the store: KnownRows) as one bit each in memory -- both gone with the process:
// a read a kill -9 cut short never counts. Marking is a few statements in one transaction, never
// one per passage. A read that misses nothing writes nothing to `passages`.
#ifndef ACCROCHD_CONNECTORS_STORE_MISSING_H_
#define ACCROCHD_CONNECTORS_STORE_MISSING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/store/database.h"
#include "connectors/store/records.h"

namespace accrochd::store {

// What a marking did: the passages it found gone, by the status they had.
struct MissingOutcome {
  std::map<Status, std::int64_t> marked;
  std::int64_t Total() const {
    std::int64_t n = 0;
    for (const auto& [status, count] : marked) n += count;
    return n;
  }
};

// A passage whose row is gone from the source: status 'missing' (it was pending or
// quarantined), or another status with the missing_from_source flag.
struct MissingRecord {
  std::string certifier;
  std::string id_technique;
  std::string mapping;
  std::string certification_type;
  std::string certification_code;
  Status status = Status::kMissing;
  std::optional<Date> deadline;
  TimePoint since;
};

// A certifier's passages gone from the source: `missing` (status) and those flagged, by status.
struct MissingCounts {
  std::int64_t missing = 0;
  std::map<Status, std::int64_t> flagged;
  std::int64_t Flagged() const {
    std::int64_t n = 0;
    for (const auto& [status, count] : flagged) n += count;
    return n;
  }
};

class MissingStore {
 public:
  explicit MissingStore(Database& db) : db_(db) {}
  ~MissingStore();
  MissingStore(const MissingStore&) = delete;
  MissingStore& operator=(const MissingStore&) = delete;

  // A read of one of `certifier`'s mappings starts: the keys it sees are noted from now on
  // (those of an earlier read are forgotten).
  Result<void> BeginRead(const std::string& certifier);
  // idTechniques the read saw, and the passages it saw by their row in the store (`rows`: the
  // rowids KnownRows found, of `certifier`'s passages). A row is a bit in memory where an
  // idTechnique is an insert into a B-tree, and a look-up in it for every passage MarkUnread
  // considers: a quiet cycle notes every one of its rows (bench/README.md, 2026-12-04, night).
  // Rowids are stable: the store never deletes a passage, nor vacuums (a VACUUM by hand between
  // a read and its marking could renumber them).
  Result<void> NoteRead(const std::string& certifier, const std::vector<std::string>& ids,
                        const std::vector<std::int64_t>& rows = {});

  // After a complete read of `mapping` (every row, without error): each of its passages the read
  // did not see counts one more miss; those that reach `missing_after` misses are gone.
  Result<MissingOutcome> MarkUnread(const std::string& certifier, const std::string& mapping,
                                    std::int64_t missing_after);

  // After a mapping's deleted_query succeeded: the passages of `mapping` it lists (and the read
  // did not see) are gone at once.
  Result<MissingOutcome> MarkDeleted(const std::string& certifier, const std::string& mapping,
                                     const std::vector<std::string>& ids);

  // Every passage gone from the source, of every certifier, by certifier and idTechnique.
  Result<std::vector<MissingRecord>> Missing();
  // By certifier's BCR.
  Result<std::map<std::string, MissingCounts>> Counts();

  // Whether the read noted this row of `passages` (NoteRead's rows): what the SQL function
  // accrochd_row_read answers, on the store's connection.
  bool RowRead(std::int64_t row) const;

 private:
  // Applies SourceMissing to the passages of `certifier` and `mapping` that `where` selects
  // (an SQL condition on `passages`, without parameters besides :c and :m).
  MissingOutcome Mark(const std::string& certifier, const std::string& mapping,
                      const std::string& where, const std::string& detail);

  // The TEMP tables, and the SQL function that tells whether the read noted a passage's row
  // (registered once on the store's connection).
  void Prepare(soci::session& sql);

  Database& db_;
  sqlite3* function_on_ = nullptr;  // the connection the SQL function is registered on
  // The rows noted since BeginRead, one bit each by rowid (passages are numbered from 1, densely:
  // about N/8 bytes for N passages); a rowid of 2^32 or more, in `sparse_rows_` (SQLite numbers
  // a new row beyond the largest, so none comes before four billion passages).
  std::vector<std::uint64_t> read_rows_;
  std::set<std::int64_t> sparse_rows_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_MISSING_H_
