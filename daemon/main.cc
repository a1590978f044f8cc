// accrochd: parses the command line and hands over to the command (style.md §8).
#include <iostream>
#include <variant>

#include "connectors/store/sqlite_statement.h"
#include "connectors/xml/xml_library.h"
#include "core/clock.h"
#include "daemon/alerts.h"
#include "daemon/cli.h"
#include "daemon/commands.h"
#include "daemon/config.h"
#include "daemon/logging.h"
#include "daemon/receipts.h"
#include "daemon/signals.h"
#include "daemon/status.h"

int main(int argc, char** argv) {
  using namespace accrochd;
  using namespace accrochd::daemon;
  store::TuneSqliteForProcess();  // before anything opens a database

  auto parsed = ParseCommandLine(argc, argv);
  if (auto* early = std::get_if<EarlyExit>(&parsed)) {
    std::cout << early->out;
    std::cerr << early->err;
    return early->code;
  }
  const Invocation& invocation = std::get<Invocation>(parsed);

  std::stop_source stop;
  SignalWatcher signals(stop);
  const Environment environment = Environment::FromProcess();
  auto logger = MakeProcessLogger(invocation.verbose ? LogLevel::kDebug : LogLevel::kInfo);
  const xml::LibraryErrors xml_errors(*logger);  // libxml2 never prints on stderr by itself
  SystemClock clock;
  PosixFileSystem files;
  CommandContext ctx{invocation, environment, *logger,          clock,   files,
                     std::cout,  std::cerr,   stop.get_token(), &signals};
  switch (invocation.command) {
    case Command::kCheck:
      return RunCheck(ctx);
    case Command::kOnce:
      return RunOnce(ctx);
    case Command::kPreview:
      return RunPreview(ctx);
    case Command::kProfile:
      return RunProfile(ctx);
    case Command::kValidate:
      return RunValidate(ctx);
    case Command::kRun:
      return RunRun(ctx);
    case Command::kStatus:
      return RunStatus(ctx);
    case Command::kHistory:
      return RunHistory(ctx);
    case Command::kDeposits:
      return RunDeposits(ctx);
    case Command::kAlerts:
      return RunAlerts(ctx);
    case Command::kReceipts:
      return RunReceipts(ctx);
    case Command::kPassages:
      return RunPassages(ctx);
    default:
      // ParseCommandLine stops at commands that are not available.
      std::cerr << "accrochd: internal error: command not dispatched\n";
      return kExitRuntime;
  }
}
