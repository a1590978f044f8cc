// The alert queue: what was announced (marks, so that nothing is announced twice) and the
// messages waiting to be sent (so that a restart neither loses nor repeats one).
#ifndef ACCROCHD_CONNECTORS_STORE_ALERT_QUEUE_H_
#define ACCROCHD_CONNECTORS_STORE_ALERT_QUEUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/store/database.h"
#include "connectors/store/records.h"

namespace accrochd::store {

class AlertQueue {
 public:
  explicit AlertQueue(Database& db) : db_(db) {}

  // For each mark, whether it was already recorded for `certifier`.
  Result<std::vector<bool>> MarksRecorded(const std::string& certifier,
                                          const std::vector<AlertMark>& marks);
  // Records the marks and queues the messages in one transaction: a restart neither loses an
  // alert nor announces again what was queued.
  Result<void> Queue(const std::string& certifier, const std::vector<AlertMark>& marks,
                     const std::vector<QueuedAlert>& messages);
  // Queued messages whose next attempt is due.
  Result<std::vector<QueuedAlert>> Due();
  Result<std::vector<QueuedAlert>> All();
  // How many messages are queued, delivered and given up (for the dashboard and the metrics).
  Result<AlertCounts> Counts();
  // Empties the bodies (text, HTML, payload, attachment) of the messages delivered or given up
  // before `before`, keeping their row (when, to whom, how it went). Returns how many.
  Result<int> PruneBodies(TimePoint before);
  // After a send: "delivered", "failed" (given up), or "queued" again for `next_attempt`.
  Result<void> RecordAttempt(std::int64_t id, const std::string& state, const std::string& detail,
                             std::optional<TimePoint> next_attempt);
  // When the last alert of `kind` was queued for a certifier, if ever.
  Result<std::optional<TimePoint>> LastQueuedAt(const std::string& certifier,
                                                const std::string& kind);

 private:
  Database& db_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_ALERT_QUEUE_H_
