// The command line: `accrochd <command> [options]`, parsed with Boost.Program_options.
//
// Exit codes (accrochd(8), EXIT STATUS): 0 success; 1 configuration or usage error; 2 runtime
// failure (a database unreachable, a file not writable, a command not available yet).
#ifndef ACCROCHD_DAEMON_CLI_H_
#define ACCROCHD_DAEMON_CLI_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace accrochd::daemon {

inline constexpr int kExitOk = 0;
inline constexpr int kExitConfig = 1;
inline constexpr int kExitRuntime = 2;

enum class Command {
  kRun,
  kOnce,
  kCheck,
  kPreview,
  kProfile,
  kStatus,
  kValidate,
  kHistory,
  kDeposits,
  kReceipts,
  kPassages,
  kAlerts,
};

struct CommandInfo {
  Command command;
  std::string_view name;
  std::string_view summary;
  bool available;  // false: the command is planned and says so, exiting 2
};

const std::vector<CommandInfo>& Commands();

// A command to carry out, with its options.
struct Invocation {
  Command command = Command::kCheck;
  std::string config_path;  // empty: the default (see DefaultConfigPath)
  bool verbose = false;
  // once
  bool alerts = false;   // plan and send the alerts after the cycle, as run does
  bool planned = false;  // cut deposits on the schedule, as run does (not every passage due)
  // check
  bool print_config = false;
  bool no_connect = false;
  bool list_mappings = false;  // print the mapping names and stop (for shell completion)
  // preview, profile
  std::string mapping;
  std::size_t limit = 20;
  // validate
  std::string schema;
  std::string schema_version;
  // status
  bool json = false;
  bool all = false;   // every passage not yet accepted, not only the 20 nearest deadlines
  bool html = false;  // the HTML report (every deadline) instead of the text
  // passages withdraw
  std::optional<std::string> reason;
  // positional arguments: files (validate, receipts import), ids (history, passages), or the
  // sub-action of deposits, receipts, passages and alerts
  std::vector<std::string> arguments;
};

// Parsing either yields an invocation, or ends the process with output already decided
// (--help, --version, a usage error).
struct EarlyExit {
  int code = kExitOk;
  std::string out;  // for stdout
  std::string err;  // for stderr
};

std::variant<Invocation, EarlyExit> ParseCommandLine(int argc, const char* const* argv);

// "accrochd 0.1.0 (git 0123abcd)" followed by the libraries it runs with.
std::string VersionText();

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_CLI_H_
