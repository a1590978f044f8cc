// The commands `main` dispatches to. Each returns the process exit code (see cli.h).
#ifndef ACCROCHD_DAEMON_COMMANDS_H_
#define ACCROCHD_DAEMON_COMMANDS_H_

#include <optional>
#include <ostream>
#include <stop_token>
#include <string_view>

#include "core/clock.h"
#include "core/file_system.h"
#include "core/log.h"
#include "daemon/cli.h"
#include "daemon/config.h"

namespace accrochd::daemon {

// What every command gets from main.
struct CommandContext {
  const Invocation& invocation;
  const Environment& environment;
  Logger& logger;
  Clock& clock;
  FileSystem& files;  // every file accrochd writes goes through it
  std::ostream& out;  // the command's report
  std::ostream& err;  // diagnostics a person must read
  std::stop_token stop;
  class SignalWatcher* signals = nullptr;  // for `run`: SIGHUP reloads
};

// Loads the configuration; prints every problem, one per line, and returns nullopt on failure.
std::optional<Config> LoadOrReport(const CommandContext& ctx, std::string_view command);

// kExitConfig for configuration and usage errors, kExitRuntime for the rest.
int ExitCodeFor(const Error& e);

int RunCheck(const CommandContext& ctx);
int RunOnce(const CommandContext& ctx);
int RunPreview(const CommandContext& ctx);
int RunProfile(const CommandContext& ctx);  // daemon/profile.cc
int RunValidate(const CommandContext& ctx);
int RunRun(const CommandContext& ctx);  // daemon/runner.cc

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_COMMANDS_H_
