#include "connectors/store/cycles.h"

#include <algorithm>

#include <soci/soci.h>

namespace accrochd::store {

std::string_view CycleResultName(CycleResult r) {
  switch (r) {
    case CycleResult::kSuccess:
      return "success";
    case CycleResult::kPartial:
      return "partial";
    case CycleResult::kFailure:
      return "failure";
  }
  return "";
}

Result<void> CycleLog::Record(const CycleRecord& cycle) {
  return db_.Guarded([&](soci::session& sql) {
    const std::string result(CycleResultName(cycle.result));
    const std::string ended = IsoUtc(cycle.ended_at);
    const long long duration = cycle.duration.count();
    sql << "INSERT INTO cycles (result, ended_at, duration_ms) VALUES (:r, :e, :d) "
           "ON CONFLICT (result) DO UPDATE SET ended_at = excluded.ended_at, "
           "duration_ms = excluded.duration_ms",
        soci::use(result), soci::use(ended), soci::use(duration);
  });
}

Result<std::vector<CycleRecord>> CycleLog::Last() {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<CycleRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT result, ended_at, duration_ms FROM cycles "
                        "ORDER BY ended_at DESC, result");
    for (const soci::row& r : rows) {
      const std::string name = r.get<std::string>(0);
      CycleRecord c;
      if (name == "partial") {
        c.result = CycleResult::kPartial;
      } else if (name == "failure") {
        c.result = CycleResult::kFailure;
      } else {
        c.result = CycleResult::kSuccess;
      }
      c.ended_at = StoredTime(r.get<std::string>(1));
      c.duration = std::chrono::milliseconds(Integer(r, 2));
      out.push_back(c);
    }
    return out;
  });
}

}  // namespace accrochd::store
