#include "daemon/runner.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>

#include "core/allocator.h"
#include "core/diagnostic.h"
#include "core/size.h"
#include "daemon/alerts.h"
#include "daemon/commands.h"
#include "daemon/daemon.h"
#include "daemon/monitoring.h"
#include "daemon/receipts.h"
#include "daemon/service_manager.h"
#include "daemon/signals.h"
#include "daemon/status.h"

namespace accrochd::daemon {
namespace {

class Runner {
 public:
  Runner(const CommandContext& ctx, std::unique_ptr<Config> config, OpenState state)
      : ctx_(ctx), config_(std::move(config)), state_(std::move(state)) {}

  int Run() {
    if (ctx_.signals != nullptr) {
      ctx_.signals->OnHangup([this] {
        reload_.store(true);
        std::lock_guard lock(wake_mutex_);
        wake_.request_stop();
      });
    }
    daemon_ = MakeDaemon(*config_);
    if (auto r = daemon_->Start(); !r) {
      ctx_.logger.Error("cannot start: " + r.error().message());
      return ExitCodeFor(r.error());
    }
    const std::string first_status = Line(ctx_.clock.Now(), "");
    service_.Ready(first_status.empty() ? "démarré" : first_status);
    ctx_.logger.Info("accrochd started: " + std::to_string(config_->certifiers.size()) +
                         " certifier(s), a cycle every " + FormatDuration(config_->run.interval) +
                         ", state in " + config_->state_directory,
                     {}, kMessageIdDaemonStarted);
    while (!ctx_.stop.stop_requested()) {
      if (reload_.exchange(false)) Reload();
      const TimePoint started = ctx_.clock.Now();
      ScanInbox(*config_, *state_.store, ctx_.logger, ctx_.files);
      std::string failing;
      const auto cycle_started = std::chrono::steady_clock::now();
      auto report = daemon_->RunCycle(DepositPolicy::kPlanned, ctx_.stop);
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - cycle_started);
      if (!report) {
        if (ctx_.stop.stop_requested() || report.error().kind() == ErrorKind::kCancelled) break;
        ctx_.logger.Error("cycle failed: " + report.error().message(), {}, kMessageIdCycleFailed);
        failing = "cycle";
      } else {
        for (const CertifierFailure& f : report->failures) {
          failing += (failing.empty() ? "" : ", ") + f.certifier;
        }
      }
      AlertAfterCycle(*config_, *state_.store, ctx_.logger, ctx_.clock,
                      FailedCertifiers(*config_, report));
      service_.Alive();
      // After the alerts, so that the metrics count the messages this cycle queued and sent.
      if (auto r =
              AfterCycle(*config_, *state_.store, ctx_.clock, ctx_.files, ResultOf(report), took);
          !r) {
        ctx_.logger.Error(r.error().message());
      }
      const TimePoint next = started + config_->run.interval;
      service_.Status(Line(next, failing) + reload_note_);
      service_.Alive();
      ReturnMemory();
      SleepUntil(next);
    }
    service_.Stopping();
    ctx_.logger.Info("accrochd stopping", {}, kMessageIdDaemonStopping);
    return kExitOk;
  }

 private:
  std::unique_ptr<Daemon> MakeDaemon(const Config& config) {
    auto daemon =
        std::make_unique<Daemon>(config, ctx_.logger, ctx_.clock, ctx_.files, state_.store.get());
    daemon->SetHeartbeat([this] { service_.Alive(); });
    return daemon;
  }

  std::string Line(TimePoint next, const std::string& failing) {
    auto summary = Summarize(*config_, *state_.store, ctx_.clock);
    if (!summary) {
      ctx_.logger.Error(summary.error().message());
      return "";
    }
    auto line = StatusLine(*config_, *summary, next, failing);
    if (!line) {
      ctx_.logger.Error(line.error().message());
      return "";
    }
    return *line;
  }

  // Before the sleep, the memory the cycle freed goes back to the system (core/allocator.h): a
  // backfill's peak is not kept for the hours the daemon then idles.
  void ReturnMemory() {
    const std::size_t held = AllocatorResident();
    ReturnFreeMemory();
    ctx_.logger.Debug("memory: the allocator (" + AllocatorInUse() + ") held " + FormatSize(held) +
                      " after the cycle, " + FormatSize(AllocatorResident()) +
                      " once its free pages were returned");
  }

  // Sleeps until `until`, waking for a stop or a reload, and pinging the watchdog on the way.
  void SleepUntil(TimePoint until) {
    std::stop_source wake;
    {
      std::lock_guard lock(wake_mutex_);
      wake_ = wake;
    }
    std::stop_callback on_stop(ctx_.stop, [wake]() mutable { wake.request_stop(); });
    if (reload_.load()) return;
    const Duration slice = service_.watchdog() ? *service_.watchdog() / 4 : Duration::max();
    for (;;) {
      const TimePoint now = ctx_.clock.Now();
      if (now >= until || wake.stop_requested()) return;
      const Duration left = std::chrono::ceil<Duration>(until - now);
      if (!ctx_.clock.SleepFor(std::min(left, slice), wake.get_token())) return;
      service_.Alive();
    }
  }

  // Loads and checks the configuration file again; swaps it in only when all of it is sound.
  void Reload() {
    service_.Reloading();
    const std::string path = config_->file;
    auto loaded = LoadConfig(path, ctx_.environment);
    std::string refused;
    std::unique_ptr<Config> fresh;
    std::unique_ptr<Daemon> daemon;
    if (!loaded) {
      for (const Diagnostic& d : loaded.error()) {
        ctx_.logger.Error("reload: " + d.ToString(), {}, kMessageIdConfigReloadRefused);
      }
      refused = std::to_string(loaded.error().size()) + " error(s) in the configuration";
    } else if (loaded->state_directory != config_->state_directory) {
      refused = "state_directory cannot change on a reload (" + config_->state_directory + " -> " +
                loaded->state_directory + "); restart the service to move it";
    } else {
      fresh = std::make_unique<Config>(std::move(*loaded));
      daemon = MakeDaemon(*fresh);
      if (auto r = daemon->Start(); !r) refused = r.error().message();
    }
    if (!refused.empty()) {
      ctx_.logger.Error("reload refused, the configuration in force stays: " + refused, {},
                        kMessageIdConfigReloadRefused);
      reload_note_ = " ; rechargement refusé, voir le journal";
      service_.ReloadDone(Line(ctx_.clock.Now() + config_->run.interval, "") + reload_note_);
      return;
    }
    daemon_ = std::move(daemon);  // the old daemon refers to the old configuration: goes first
    config_ = std::move(fresh);
    reload_note_.clear();
    ctx_.logger.Info("configuration reloaded from " + path, {}, kMessageIdConfigReloaded);
    service_.ReloadDone(Line(ctx_.clock.Now(), ""));
  }

  const CommandContext& ctx_;
  std::unique_ptr<Config> config_;
  OpenState state_;
  std::unique_ptr<Daemon> daemon_;
  ServiceManager service_;
  std::atomic<bool> reload_{false};
  std::string reload_note_;  // while a refused configuration waits to be fixed
  std::mutex wake_mutex_;
  std::stop_source wake_;
};

}  // namespace

Result<OpenState> OpenStateFor(const Config& config, Clock& clock, FileSystem& files) {
  if (auto r = EnsureStateDirectory(files, config.state_directory); !r) {
    return std::unexpected(r.error());
  }
  auto lock = StateLock::Acquire(config.state_directory);
  if (!lock) return std::unexpected(lock.error());
  auto store = store::StateStore::Open(config.state_directory, clock, files);
  if (!store) return std::unexpected(store.error());
  return OpenState{std::move(*lock), std::move(*store)};
}

int RunRun(const CommandContext& ctx) {
  auto config = LoadOrReport(ctx, "run");
  if (!config) return kExitConfig;
  auto state = OpenStateFor(*config, ctx.clock, ctx.files);
  if (!state) {
    ctx.logger.Error(state.error().message());
    return ExitCodeFor(state.error());
  }
  Runner runner(ctx, std::make_unique<Config>(std::move(*config)), std::move(*state));
  return runner.Run();
}

}  // namespace accrochd::daemon
