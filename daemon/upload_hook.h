// The upload hook (deposit.on_publish): the site's own program, run once for each published
// deposit file, until the CDC's upload API exists -- an SFTP drop for a trusted third party, a
// browser robot on the portal.
//
// After a cycle has published its files (the store recorded them, outside any transaction), the
// program runs for each published file whose run is due, one file after the other, oldest first:
// as accrochd's own user, in its sandbox, through core/child_process.h (no shell, a clean
// environment, stdin /dev/null, its output in the log line by line, a timeout). The store learns
// of each run before it starts (a full sync) and of how it ended: exit 0 is done -- and, with
// deposit.hook.mark_uploaded, the file is marked uploaded in the same transaction; anything else
// is retried at a later cycle, after run.interval doubling up to deposit.hook.retry_max_delay,
// and alerted once after deposit.hook.alert_after failures (daemon/alerts.cc). A run that
// accrochd did not see end (it was killed, or stopped) runs again at the next cycle: the
// program must be idempotent, idFlux being the file's key. A file taken out of the outbox by
// hand, or marked uploaded, before its run succeeded is not run again.
#ifndef ACCROCHD_DAEMON_UPLOAD_HOOK_H_
#define ACCROCHD_DAEMON_UPLOAD_HOOK_H_

#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "connectors/store/state_store.h"
#include "core/child_process.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/file_system.h"
#include "core/log.h"
#include "daemon/config.h"

namespace accrochd::daemon {

// One run of the program, for a file.
struct HookRun {
  std::string file_name;
  std::string certifier;  // the certifier's BCR
  int attempt = 0;        // 1 for the first run of this file
  ChildOutcome outcome;
  std::string detail;  // "exit status 0", "timed out after 10min"
  int failures = 0;    // of this file, this run included
  bool marked_uploaded = false;
  std::optional<TimePoint> next_attempt;  // when it failed
};

// What accrochd's own environment passes on to the program: PATH (a default when unset), LANG,
// LC_ALL, TZ, HOME, CREDENTIALS_DIRECTORY (the unit's credentials: where a hook reads its own
// secret). Nothing else -- not NOTIFY_SOCKET, not the journal's stream.
std::map<std::string, std::string> KeptEnvironment();

// The program's whole environment: `kept`, and the file's facts -- ACCROCHD_FILE (its path in
// the outbox), ACCROCHD_FILE_NAME, ACCROCHD_ID_FLUX, ACCROCHD_SHA256, ACCROCHD_PASSAGES,
// ACCROCHD_CERTIFICATEUR (the certifier's BCR), ACCROCHD_CERTIFIER (its name in the
// configuration), ACCROCHD_SCHEMA_VERSION, ACCROCHD_PUBLISHED_AT (ISO 8601, UTC),
// ACCROCHD_ATTEMPT (1 for the first run of this file).
std::vector<std::string> HookEnvironment(const Config& config, const store::HookRecord& file,
                                         const std::string& path, int attempt,
                                         const std::map<std::string, std::string>& kept);

// Not thread-safe; runs on the daemon's loop thread (the program's guard follows that thread's
// life: see core/child_process.h).
class UploadHook {
 public:
  // `config` must have deposit.on_publish; everything must outlive the hook.
  UploadHook(const Config& config, store::StateStore& store, Logger& logger, Clock& clock,
             FileSystem& files);

  // Runs the program for each published file whose run is due -- with `now`, for every file not
  // yet done, without waiting for its backoff (accrochd once: asked, like its deposits). Returns
  // the runs; a kCancelled error when `stop` was requested (the run it cut short is run again at
  // the next start). `heartbeat` is called while a program runs (the watchdog).
  Result<std::vector<HookRun>> RunDue(bool now, const std::function<void()>& heartbeat,
                                      std::stop_token stop);

 private:
  const Config& config_;
  const HookConfig& hook_;
  store::StateStore& store_;
  Logger& logger_;
  Clock& clock_;
  FileSystem& files_;
};

// The hook's state of a file, in English for `accrochd deposits list`: "done", "done, marked
// uploaded", "waiting: 2 failures, last exit status 3, next run 2026-11-27T14:05:00Z",
// "running", "closed".
std::string DescribeHook(const store::HookRecord& record);

// How its last run ended, in French for the staff (the dashboard, the alerts): « code de sortie
// 3 », « arrêtée par le signal 9 », « délai dépassé », « n'a pas pu être lancée ».
std::string FrenchHookResult(const store::HookRecord& record);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_UPLOAD_HOOK_H_
