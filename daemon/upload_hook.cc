#include "daemon/upload_hook.h"

#include <cstdlib>
#include <filesystem>

#include "core/retry.h"
#include "daemon/status.h"
#include "mappings/dictionary.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr const char* kKept[] = {"PATH", "LANG", "LC_ALL", "TZ", "HOME", "CREDENTIALS_DIRECTORY"};

LogField Field(std::string_view name, std::string value) {
  return {std::string(name), std::move(value)};
}

store::HookResult ResultOf(const ChildOutcome& outcome, const std::string& detail) {
  store::HookResult r;
  r.detail = detail;
  r.code = outcome.code;
  switch (outcome.kind) {
    case ChildOutcome::Kind::kExited:
      r.result = "exit";
      break;
    case ChildOutcome::Kind::kSignalled:
      r.result = "signal";
      break;
    case ChildOutcome::Kind::kTimedOut:
    case ChildOutcome::Kind::kStopped:
      r.result = "timeout";
      r.code = 0;
      break;
    case ChildOutcome::Kind::kNotStarted:
      r.result = "not_started";
      break;
  }
  return r;
}

}  // namespace

std::map<std::string, std::string> KeptEnvironment() {
  std::map<std::string, std::string> kept;
  for (const char* name : kKept) {
    if (const char* value = std::getenv(name); value != nullptr) kept[name] = value;
  }
  return kept;
}

std::vector<std::string> HookEnvironment(const Config& config, const store::HookRecord& file,
                                         const std::string& path, int attempt,
                                         const std::map<std::string, std::string>& kept) {
  std::vector<std::string> env;
  for (const char* name : kKept) {
    auto it = kept.find(name);
    if (it != kept.end()) {
      env.push_back(std::string(name) + "=" + it->second);
    } else if (std::string_view(name) == "PATH") {
      env.push_back(std::string("PATH=") + kDefaultPath);
    }
  }
  const CertifierConfig* certifier = CertifierByBcr(config, file.certifier);
  env.push_back("ACCROCHD_FILE=" + path);
  env.push_back("ACCROCHD_FILE_NAME=" + file.file_name);
  env.push_back("ACCROCHD_ID_FLUX=" + file.id_flux);
  env.push_back("ACCROCHD_SHA256=" + file.sha256);
  env.push_back("ACCROCHD_PASSAGES=" + std::to_string(file.passages));
  env.push_back("ACCROCHD_CERTIFICATEUR=" + file.certifier);
  env.push_back("ACCROCHD_CERTIFIER=" + (certifier != nullptr ? certifier->name : ""));
  env.push_back("ACCROCHD_SCHEMA_VERSION=" +
                std::string(mappings::SchemaVersionName(config.schema_version)));
  env.push_back("ACCROCHD_PUBLISHED_AT=" + IsoStamp(file.published_at));
  env.push_back("ACCROCHD_ATTEMPT=" + std::to_string(attempt));
  return env;
}

UploadHook::UploadHook(const Config& config, store::StateStore& store, Logger& logger, Clock& clock,
                       FileSystem& files)
    : config_(config),
      hook_(*config.deposit.on_publish),
      store_(store),
      logger_(logger),
      clock_(clock),
      files_(files) {}

Result<std::vector<HookRun>> UploadHook::RunDue(bool now, const std::function<void()>& heartbeat,
                                                std::stop_token stop) {
  auto unfinished = store_.hooks().Unfinished();
  if (!unfinished) return std::unexpected(unfinished.error());
  const std::string outbox = (fs::path(config_.state_directory) / "outbox").string();
  const std::map<std::string, std::string> kept = KeptEnvironment();
  const RetryPolicy backoff{config_.run.interval, hook_.retry_max_delay, 0};
  std::vector<HookRun> runs;
  for (const store::HookRecord& file : *unfinished) {
    if (stop.stop_requested()) return Fail(ErrorKind::kCancelled, "stopped");
    const std::string path = (fs::path(outbox) / file.file_name).string();
    const LogField deposit = Field(kFieldDeposit, file.file_name);
    const LogField certifier = Field(kFieldCertificateur, file.certifier);
    // Uploaded by hand (or answered) meanwhile, or taken out of the outbox: not run again.
    if (file.deposit_state != "published" || !files_.Exists(path)) {
      if (auto r = store_.hooks().Close(file.deposit_id); !r) return std::unexpected(r.error());
      logger_.Info(
          "upload hook: " + file.file_name +
              (file.deposit_state != "published" ? " is " + file.deposit_state + " already"
                                                 : std::string(" is no longer in the outbox")) +
              "; its hook is not run (again)",
          {deposit, certifier});
      continue;
    }
    const bool interrupted = file.state == "running";
    if (!now && !interrupted && file.next_attempt_at > clock_.Now()) continue;
    if (interrupted) {
      logger_.Warning("upload hook: the run for " + file.file_name + " (attempt " +
                          std::to_string(file.attempts) +
                          ") did not end while accrochd ran (it was stopped or killed); running "
                          "it again",
                      {deposit, certifier}, kMessageIdHookFailed);
    }
    const int attempt = file.attempts + 1;
    if (auto r = store_.hooks().Begin(file.deposit_id); !r) return std::unexpected(r.error());

    ChildSpec spec;
    spec.argv = hook_.command;
    spec.environment = HookEnvironment(config_, file, path, attempt, kept);
    spec.working_directory = outbox;
    spec.timeout = hook_.timeout;
    logger_.Info("upload hook: running " + hook_.command.front() + " for " + file.file_name +
                     " (attempt " + std::to_string(attempt) + ", idFlux " + file.id_flux + ")",
                 {deposit, certifier});
    const std::string prefix = "upload hook, " + file.file_name;
    HookRun run;
    run.file_name = file.file_name;
    run.certifier = file.certifier;
    run.attempt = attempt;
    run.outcome = RunChild(
        spec,
        [&](ChildStream stream, std::string_view line) {
          logger_.Info(
              prefix + (stream == ChildStream::kStderr ? " (stderr): " : ": ") + std::string(line),
              {deposit, certifier});
        },
        heartbeat, stop);
    run.detail = DescribeOutcome(run.outcome, hook_.timeout);
    if (run.outcome.lines_dropped > 0) {
      logger_.Info(prefix + ": " + std::to_string(run.outcome.lines_dropped) +
                       " more line(s) of output not logged (" + std::to_string(spec.max_lines) +
                       " at most per run)",
                   {deposit, certifier});
    }
    if (run.outcome.kind == ChildOutcome::Kind::kStopped) {
      // Left "running": the next start runs it again, as after a kill.
      logger_.Warning("upload hook for " + file.file_name +
                          " stopped: accrochd is stopping; it runs again at the next start",
                      {deposit, certifier}, kMessageIdHookFailed);
      return Fail(ErrorKind::kCancelled, "stopped while the upload hook ran");
    }
    const store::HookResult result = ResultOf(run.outcome, run.detail);
    if (run.outcome.succeeded()) {
      auto marked = store_.hooks().Succeeded(file.deposit_id, result, hook_.mark_uploaded);
      if (!marked) return std::unexpected(marked.error());
      run.marked_uploaded = *marked;
      run.failures = file.failures;
      logger_.Info("upload hook succeeded for " + file.file_name + " (attempt " +
                       std::to_string(attempt) + ")" +
                       (run.marked_uploaded ? ""
                        : hook_.mark_uploaded
                            ? "; the file was marked uploaded already"
                            : "; the file is not marked uploaded (deposit.hook.mark_uploaded is "
                              "off)"),
                   {deposit, certifier}, kMessageIdHookSucceeded);
      if (run.marked_uploaded) {
        // As `accrochd deposits mark-uploaded` logs it, under the same MESSAGE_ID.
        logger_.Info("deposit file " + file.file_name +
                         " marked uploaded to the CDC portal by the upload hook; its " +
                         std::to_string(file.passages) +
                         " passage(s) now wait for the CDC's accusé de traitement",
                     {deposit, certifier}, kMessageIdDepositUploaded);
      }
    } else {
      const int failures = file.failures + 1;
      const TimePoint next = clock_.Now() + backoff.DelayAfter(failures);
      auto recorded = store_.hooks().Failed(file.deposit_id, result, next);
      if (!recorded) return std::unexpected(recorded.error());
      run.failures = *recorded;
      run.next_attempt = next;
      logger_.Log(run.failures >= hook_.alert_after ? LogLevel::kError : LogLevel::kWarning,
                  "upload hook failed for " + file.file_name + " (attempt " +
                      std::to_string(attempt) + "): " + run.detail + "; " +
                      std::to_string(run.failures) + " failure(s), next run after " +
                      IsoStamp(next) + (run.failures >= hook_.alert_after ? " (alerted)" : ""),
                  {deposit, certifier}, kMessageIdHookFailed);
    }
    runs.push_back(std::move(run));
    if (heartbeat) heartbeat();
  }
  return runs;
}

std::string DescribeHook(const store::HookRecord& record) {
  if (record.state == "done") {
    return record.marked_uploaded ? "done, marked uploaded" : "done";
  }
  if (record.state == "closed") return "closed (not run again)";
  if (record.state == "running") return "running (attempt " + std::to_string(record.attempts) + ")";
  if (record.failures == 0) return "waiting";
  return "waiting: " + std::to_string(record.failures) + " failure(s), last " + record.last_detail +
         ", next run after " + IsoStamp(record.next_attempt_at);
}

std::string FrenchHookResult(const store::HookRecord& record) {
  const std::string code = std::to_string(record.last_code);
  if (record.last_result == "exit") return "code de sortie " + code;
  if (record.last_result == "signal") return "arrêtée par le signal " + code;
  if (record.last_result == "timeout") return "délai dépassé (deposit.hook.timeout), arrêtée";
  if (record.last_result == "not_started") return "n'a pas pu être lancée";
  return record.last_result;
}

}  // namespace accrochd::daemon
