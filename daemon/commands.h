// The commands `main` dispatches to. Each returns the process exit code (see cli.h).
#ifndef ACCROCHD_DAEMON_COMMANDS_H_
#define ACCROCHD_DAEMON_COMMANDS_H_

#include <ostream>
#include <stop_token>

#include "core/clock.h"
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
  std::ostream& out;  // the command's report
  std::ostream& err;  // diagnostics a person must read
  std::stop_token stop;
};

int RunCheck(const CommandContext& ctx);
int RunOnce(const CommandContext& ctx);
int RunPreview(const CommandContext& ctx);
int RunValidate(const CommandContext& ctx);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_COMMANDS_H_
