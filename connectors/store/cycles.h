// How the daemon's cycles ended: the last one of each result, for the metrics file and the
// dashboard ("no successful cycle for 2 h" is a monitoring rule).
#ifndef ACCROCHD_CONNECTORS_STORE_CYCLES_H_
#define ACCROCHD_CONNECTORS_STORE_CYCLES_H_

#include <vector>

#include "connectors/store/database.h"
#include "connectors/store/records.h"

namespace accrochd::store {

class CycleLog {
 public:
  explicit CycleLog(Database& db) : db_(db) {}

  // Replaces the last cycle of `cycle.result`.
  Result<void> Record(const CycleRecord& cycle);
  // The last cycle of each result that ever ended, the most recent first.
  Result<std::vector<CycleRecord>> Last();

 private:
  Database& db_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_CYCLES_H_
