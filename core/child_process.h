// Programs accrochd runs on the site's behalf (the upload hook, deposit.on_publish): a child
// process started without a shell, with the environment it is given and nothing else, stdin on
// /dev/null, its stdout and stderr read line by line, a timeout, and no orphan left behind.
//
// How: the caller forks a small guard process (async-signal-safe code only), which forks the
// program in a process group of its own and waits for it. The guard is told of its parent's
// death (PR_SET_PDEATHSIG), so a kill -9 of accrochd still ends the program; at a timeout or a
// stop request the caller signals the guard, which sends SIGTERM to the whole group, then
// SIGKILL after a grace period. When the program ends, whatever it left running in its group is
// killed. Neither the guard nor the program keeps any of the caller's file descriptors (the
// state lock, the database), so a new accrochd can start while an old guard is ending.
#ifndef ACCROCHD_CORE_CHILD_PROCESS_H_
#define ACCROCHD_CORE_CHILD_PROCESS_H_

#include <cstddef>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.h"
#include "core/error.h"

namespace accrochd {

struct ChildSpec {
  // argv[0] is an absolute path, executed as it is (no PATH search, no shell).
  std::vector<std::string> argv;
  std::vector<std::string> environment;  // "NAME=value": the program's whole environment
  std::string working_directory = "/";
  Duration timeout = std::chrono::minutes(10);
  Duration kill_grace = std::chrono::seconds(10);  // from SIGTERM to SIGKILL
  std::size_t max_line_bytes = 1000;               // a longer line is cut there
  std::size_t max_lines = 200;                     // lines passed on per run; the rest is counted
};

enum class ChildStream { kStdout, kStderr };

struct ChildOutcome {
  enum class Kind {
    kExited,      // code: its exit status
    kSignalled,   // code: the signal that ended it (not one accrochd sent)
    kTimedOut,    // still running at the timeout: its group was terminated
    kStopped,     // a stop was requested while it ran: its group was terminated
    kNotStarted,  // code: errno of what failed (fork, chdir, execve)
  };
  Kind kind = Kind::kNotStarted;
  int code = 0;
  std::size_t lines = 0;          // lines passed on
  std::size_t lines_dropped = 0;  // lines beyond max_lines
  bool succeeded() const { return kind == Kind::kExited && code == 0; }
};

// "exit status 3", "killed by signal 9 (Killed)", "timed out after 10min", "stopped",
// "could not start: No such file or directory".
std::string DescribeOutcome(const ChildOutcome& outcome, Duration timeout);

// Receives each line of the program's output, without its line end; control characters other
// than tab are shown as '?', a line longer than max_line_bytes is cut and ends with " [...]".
using LineSink = std::function<void(ChildStream stream, std::string_view line)>;

// Runs `spec` to its end. `on_line` and `tick` (about once a second while it runs: the
// watchdog's ping) are called on the calling thread. Call it from a thread that lives as long
// as the process (the guard's parent-death signal follows the thread that forked it).
ChildOutcome RunChild(const ChildSpec& spec, const LineSink& on_line,
                      const std::function<void()>& tick, std::stop_token stop);

// Whether `path` names a program this process's user may run: an absolute path to a regular
// file with execute permission for it (access(2), X_OK). The error says which part fails.
Result<void> CheckProgram(const std::string& path);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_CHILD_PROCESS_H_
