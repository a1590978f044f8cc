// The upload hook's record of each deposit file (deposit.on_publish): how many times the program
// ran for it, how its last run ended (exit status, signal, timeout -- never its output), and when
// it runs next. A record is opened when the hook first sees a published file; it ends "done"
// (the program exited 0; the file marked uploaded too, when so configured, in the same
// transaction) or "closed" (the file left the outbox, or was marked uploaded, before that).
#ifndef ACCROCHD_CONNECTORS_STORE_DEPOSIT_HOOKS_H_
#define ACCROCHD_CONNECTORS_STORE_DEPOSIT_HOOKS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/store/database.h"
#include "connectors/store/records.h"

namespace accrochd::store {

class PassageRows;

struct HookRecord {
  std::int64_t deposit_id = 0;
  std::string certifier;  // the certifier's BCR
  std::string file_name;
  std::string id_flux;
  std::string sha256;
  std::int64_t passages = 0;
  std::optional<TimePoint> published_at;
  std::string deposit_state;  // the file's: published, uploaded, receipt
  std::string state;          // waiting, running, done, closed
  int attempts = 0;           // runs started
  int failures = 0;           // runs that ended and failed
  std::string last_result;    // exit, signal, timeout, not_started; "" before a run ended
  int last_code = 0;          // the exit status, the signal, the errno
  std::string last_detail;    // "exit status 3", "timed out after 10min": ours, not the output
  std::optional<TimePoint> last_attempt_at;
  TimePoint next_attempt_at;
  std::optional<TimePoint> done_at;
  bool marked_uploaded = false;  // the hook's success marked the file uploaded
};

// How a run ended, for the record.
struct HookResult {
  std::string result;  // exit, signal, timeout, not_started
  int code = 0;
  std::string detail;
};

class HookStore {
 public:
  explicit HookStore(Database& db);
  ~HookStore();
  HookStore(const HookStore&) = delete;
  HookStore& operator=(const HookStore&) = delete;

  // Opens a record, due now, for every published file that has none; returns the records not
  // finished -- waiting, or running (a run the process did not see end) -- oldest file first.
  Result<std::vector<HookRecord>> Unfinished();
  // Every record, oldest file first.
  Result<std::vector<HookRecord>> List();
  // Before the program starts: one run more, "running". Committed with a full sync, so that a
  // run a crash interrupts is known, and run again, at the next start.
  Result<void> Begin(std::int64_t deposit_id);
  // The program exited 0: done. With `mark_uploaded`, the file is marked uploaded in the same
  // transaction, as `accrochd deposits mark-uploaded` does, if it is still published. Returns
  // whether it was marked.
  Result<bool> Succeeded(std::int64_t deposit_id, const HookResult& result, bool mark_uploaded);
  // The program failed: waiting again, until `next_attempt`. Returns the failures so far.
  Result<int> Failed(std::int64_t deposit_id, const HookResult& result, TimePoint next_attempt);
  // Not run again: the file left the outbox, or was marked uploaded, meanwhile (the file's state
  // says which).
  Result<void> Close(std::int64_t deposit_id);

 private:
  PassageRows& Rows();  // prepared once, under the lock
  Database& db_;
  std::unique_ptr<PassageRows> rows_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_DEPOSIT_HOOKS_H_
