// The real accrochd binary run as a daemon (`accrochd run`) by a system test: started without
// waiting for it, signalled, killed, and listened to as systemd listens (sd_notify messages on
// a datagram socket named by $NOTIFY_SOCKET).
#ifndef ACCROCHD_TESTS_SUPPORT_DAEMON_PROCESS_H_
#define ACCROCHD_TESTS_SUPPORT_DAEMON_PROCESS_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace accrochd::testing {

using std::chrono::milliseconds;

// Polls `done` every `every` until it holds or `timeout` passes; returns its last answer.
bool WaitUntil(const std::function<bool()>& done, milliseconds timeout,
               milliseconds every = milliseconds(20));

// The service manager's end of sd_notify: an AF_UNIX datagram socket, bound in a directory of
// its own under $TMPDIR or /tmp (a socket path has at most 107 bytes; build directories can be
// deeper). A child started with NOTIFY_SOCKET=<path> sends its READY=1, STATUS=..., WATCHDOG=1,
// RELOADING=1 and STOPPING=1 messages here.
class NotifySocket {
 public:
  NotifySocket();  // throws std::runtime_error
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // "NOTIFY_SOCKET=<path>", for the child's environment.
  std::string Environment() const { return "NOTIFY_SOCKET=" + path_; }

  // Reads whatever has arrived, waiting at most `timeout` for the first message.
  void Drain(milliseconds timeout = milliseconds(0));

  // Every message received so far, in order; each may hold several "NAME=value" lines.
  const std::vector<std::string>& messages() { return messages_; }

  // Waits until a message received at index `from` or later satisfies `match`; returns its
  // index.
  std::optional<std::size_t> WaitFor(const std::function<bool(const std::string&)>& match,
                                     milliseconds timeout, std::size_t from = 0);

  // The value of `name` ("STATUS") in message `index`, if it sets it.
  std::optional<std::string> Value(std::size_t index, const std::string& name) const;

  // Every value of `name` in the messages received, in order.
  std::vector<std::string> Values(const std::string& name) const;

 private:
  std::string dir_;
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

// True when the message sets NAME=value exactly (one of its lines is "NAME=value").
bool HasLine(const std::string& message, const std::string& line);

// `accrochd args...` started in the background with the test environment plus `extra_env`;
// stdout goes to `log_base`.out and stderr to `log_base`.err. The destructor kills (SIGKILL) and
// reaps a child still running, so that a failed test leaves no daemon holding a state lock.
class AccrochdProcess {
 public:
  AccrochdProcess(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                  std::string log_base);  // throws std::runtime_error
  ~AccrochdProcess();
  AccrochdProcess(const AccrochdProcess&) = delete;
  AccrochdProcess& operator=(const AccrochdProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return !status_.has_value(); }

  // Sends `signal`; false if the child was already reaped.
  bool Signal(int signal);

  // Waits for the child to end, at most `timeout`; returns its wait status (see <sys/wait.h>),
  // nullopt if it is still running.
  std::optional<int> Wait(milliseconds timeout);

  // SIGKILL and wait; returns the wait status.
  int Kill();

  // What it wrote so far on stderr (its log, outside systemd) and stdout.
  std::string Err() const;
  std::string Out() const;

  // Waits until its log (stderr) contains `text` at or after byte `from`; returns the offset
  // just past the first match.
  std::optional<std::size_t> WaitForLog(const std::string& text, milliseconds timeout,
                                        std::size_t from = 0) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_base_;
};

// "exited with 0", "killed by signal 9", for messages.
std::string DescribeWaitStatus(int status);

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_DAEMON_PROCESS_H_
