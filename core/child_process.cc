#include "core/child_process.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace accrochd {
namespace {

using SteadyClock = std::chrono::steady_clock;

// What the guard tells its parent on the report pipe: fixed-size messages.
enum ReportKind : int {
  kReportPid = 1,         // value: the program's pid (and process group)
  kReportStatus = 2,      // value: its wait status
  kReportNotStarted = 3,  // value: errno of fork, chdir or execve
};

struct Report {
  int kind;
  int value;
};

// Everything the guard and the program need, prepared before fork: after it, only
// async-signal-safe calls are made (no allocation, no lock).
struct Launch {
  char* const* argv;
  char* const* envp;
  const char* working_directory;
  int stdin_fd;
  int out_fd;
  int err_fd;
  int report_fd;
  pid_t parent;
  timespec grace;
  int fd_limit;  // for the fallback when close_range(2) is missing
};

void WriteReport(int fd, int kind, int value) {
  const Report r{kind, value};
  // The pipe is far from full (a few messages of 8 bytes): the write is whole or fails.
  [[maybe_unused]] const ssize_t n = ::write(fd, &r, sizeof r);
}

// Closes every descriptor from 3 up, but those in `keep` (sorted, each >= 3).
void CloseAllBut(const int* keep, int count, int fd_limit) {
  unsigned from = 3;
  for (int i = 0; i <= count; ++i) {
    const unsigned to = i < count ? static_cast<unsigned>(keep[i]) : ~0U;
    if (to > from) {
      if (::close_range(from, to - 1, 0) != 0) {
        const unsigned last = std::min(to - 1, static_cast<unsigned>(fd_limit));
        for (unsigned fd = from; fd <= last; ++fd) ::close(static_cast<int>(fd));
      }
    }
    if (i < count) from = static_cast<unsigned>(keep[i]) + 1;
  }
}

timespec Now() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return t;
}

timespec Add(timespec a, timespec b) {
  a.tv_sec += b.tv_sec;
  a.tv_nsec += b.tv_nsec;
  if (a.tv_nsec >= 1'000'000'000L) {
    a.tv_nsec -= 1'000'000'000L;
    ++a.tv_sec;
  }
  return a;
}

// a - b, or nullopt when a is not after b.
std::optional<timespec> Until(timespec a, timespec b) {
  if (a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec)) return std::nullopt;
  timespec d{a.tv_sec - b.tv_sec, a.tv_nsec - b.tv_nsec};
  if (d.tv_nsec < 0) {
    d.tv_nsec += 1'000'000'000L;
    --d.tv_sec;
  }
  return d;
}

// The program itself, in its own process group: its standard streams, its directory, default
// signal dispositions and an empty mask, then execve. Never returns.
[[noreturn]] void ExecProgram(const Launch& l, int exec_error_fd) {
  ::setpgid(0, 0);
  // If the guard dies (killed from outside), the program goes too.
  ::prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(SIGTERM));
  if (::dup2(l.stdin_fd, 0) < 0 || ::dup2(l.out_fd, 1) < 0 || ::dup2(l.err_fd, 2) < 0 ||
      ::chdir(l.working_directory) != 0) {
    const int e = errno;
    [[maybe_unused]] const ssize_t n = ::write(exec_error_fd, &e, sizeof e);
    ::_exit(127);
  }
  const int keep[] = {exec_error_fd};  // close-on-exec: it goes at execve
  CloseAllBut(keep, 1, l.fd_limit);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(l.argv[0], l.argv, l.envp);
  const int e = errno;
  [[maybe_unused]] const ssize_t n = ::write(exec_error_fd, &e, sizeof e);
  ::_exit(127);
}

// The guard: started with every signal blocked; waits for the program, forwards a SIGTERM (its
// parent's request, or its parent's death) to the program's group, escalates to SIGKILL after
// the grace period, and reports. Never returns.
[[noreturn]] void Guard(const Launch& l) {
  ::prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(SIGTERM));
  if (::getppid() != l.parent) ::_exit(1);  // the parent died before the line above
  {
    int keep[] = {l.stdin_fd, l.out_fd, l.err_fd, l.report_fd};
    std::sort(std::begin(keep), std::end(keep));
    CloseAllBut(keep, 4, l.fd_limit);
  }
  int exec_error[2];
  if (::pipe2(exec_error, O_CLOEXEC) != 0) {
    WriteReport(l.report_fd, kReportNotStarted, errno);
    ::_exit(1);
  }
  const pid_t program = ::fork();
  if (program < 0) {
    WriteReport(l.report_fd, kReportNotStarted, errno);
    ::_exit(1);
  }
  if (program == 0) {
    ::close(exec_error[0]);
    ::close(l.report_fd);
    ExecProgram(l, exec_error[1]);
  }
  ::setpgid(program, program);  // also done by the program: whichever runs first
  WriteReport(l.report_fd, kReportPid, program);
  ::close(exec_error[1]);
  ::close(l.stdin_fd);
  ::close(l.out_fd);
  ::close(l.err_fd);
  int exec_errno = 0;
  const bool not_started = ::read(exec_error[0], &exec_errno, sizeof exec_errno) ==
                           static_cast<ssize_t>(sizeof exec_errno);
  ::close(exec_error[0]);

  sigset_t wanted;
  ::sigemptyset(&wanted);
  ::sigaddset(&wanted, SIGTERM);
  ::sigaddset(&wanted, SIGCHLD);
  bool terminating = false, killed = false;
  timespec kill_at{};
  for (;;) {
    // Ended? Looked at without reaping it: while it is a zombie its pid, which names its group,
    // cannot be given to another process, so what it left in the group is killed safely.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(program), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == program) {
      ::kill(-program, SIGKILL);
      int status = 0;
      ::waitpid(program, &status, 0);
      if (not_started) {
        WriteReport(l.report_fd, kReportNotStarted, exec_errno);
      } else {
        WriteReport(l.report_fd, kReportStatus, status);
      }
      ::_exit(0);
    }
    int signal = 0;
    if (terminating && !killed) {
      const std::optional<timespec> left = Until(kill_at, Now());
      if (!left) {
        ::kill(-program, SIGKILL);
        killed = true;
        continue;
      }
      signal = ::sigtimedwait(&wanted, nullptr, &*left);
    } else {
      signal = ::sigwaitinfo(&wanted, nullptr);
    }
    if (signal == SIGTERM && !terminating) {
      ::kill(-program, SIGTERM);
      terminating = true;
      kill_at = Add(Now(), l.grace);
    }
  }
}

std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7F) c = '?';
  }
  return out;
}

// A line cut at a byte count may end inside a UTF-8 sequence: that sequence goes.
void DropIncompleteCharacter(std::string& text) {
  std::size_t start = text.size();
  while (start > 0 && (static_cast<unsigned char>(text[start - 1]) & 0xC0) == 0x80) --start;
  if (start == 0) return;
  const auto lead = static_cast<unsigned char>(text[start - 1]);
  if (lead < 0xC0) return;  // ASCII, or continuation bytes without a lead: left as they are
  const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  if (text.size() - (start - 1) < length) text.resize(start - 1);
}

// One output stream of the program, cut into lines.
class LineReader {
 public:
  LineReader(ChildStream stream, const ChildSpec& spec, const LineSink& sink, ChildOutcome& outcome)
      : stream_(stream), spec_(spec), sink_(sink), outcome_(outcome) {}

  void Feed(std::string_view bytes) {
    while (!bytes.empty()) {
      const std::size_t end = bytes.find('\n');
      const std::string_view part = bytes.substr(0, end);
      if (!cut_) {
        const std::size_t room =
            spec_.max_line_bytes - std::min(line_.size(), spec_.max_line_bytes);
        if (part.size() > room) {
          line_.append(part.substr(0, room));
          cut_ = true;
        } else {
          line_.append(part);
        }
      }
      if (end == std::string_view::npos) return;
      Emit();
      bytes.remove_prefix(end + 1);
    }
  }

  // At the end of the stream: a last line without its line end.
  void Finish() {
    if (!line_.empty() || cut_) Emit();
  }

 private:
  void Emit() {
    if (!cut_ && !line_.empty() && line_.back() == '\r') line_.pop_back();
    if (cut_) DropIncompleteCharacter(line_);
    if (outcome_.lines < spec_.max_lines) {
      ++outcome_.lines;
      if (sink_) sink_(stream_, Printable(line_) + (cut_ ? " [...]" : ""));
    } else {
      ++outcome_.lines_dropped;
    }
    line_.clear();
    cut_ = false;
  }

  ChildStream stream_;
  const ChildSpec& spec_;
  const LineSink& sink_;
  ChildOutcome& outcome_;
  std::string line_;
  bool cut_ = false;  // the line is longer than max_line_bytes: the rest is skipped
};

class Fd {
 public:
  Fd() = default;
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
  bool Open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read.Reset(fds[0]);
    write.Reset(fds[1]);
    return true;
  }
};

ChildOutcome NotStarted(int error) {
  ChildOutcome o;
  o.kind = ChildOutcome::Kind::kNotStarted;
  o.code = error;
  return o;
}

timespec ToTimespec(Duration d) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(d);
  return timespec{
      static_cast<time_t>(seconds.count()),
      static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(d - seconds).count())};
}

}  // namespace

std::string DescribeOutcome(const ChildOutcome& outcome, Duration timeout) {
  switch (outcome.kind) {
    case ChildOutcome::Kind::kExited:
      return "exit status " + std::to_string(outcome.code);
    case ChildOutcome::Kind::kSignalled: {
      const char* name = ::sigdescr_np(outcome.code);
      return "killed by signal " + std::to_string(outcome.code) +
             (name != nullptr ? " (" + std::string(name) + ")" : "");
    }
    case ChildOutcome::Kind::kTimedOut:
      return "timed out after " + FormatDuration(timeout);
    case ChildOutcome::Kind::kStopped:
      return "stopped (accrochd was stopping)";
    case ChildOutcome::Kind::kNotStarted:
      return "could not start: " + std::string(std::strerror(outcome.code));
  }
  return "";
}

ChildOutcome RunChild(const ChildSpec& spec, const LineSink& on_line,
                      const std::function<void()>& tick, std::stop_token stop) {
  if (spec.argv.empty() || spec.argv[0].empty() || spec.argv[0][0] != '/') {
    return NotStarted(ENOENT);
  }
  if (stop.stop_requested()) {
    ChildOutcome o;
    o.kind = ChildOutcome::Kind::kStopped;
    return o;
  }
  std::vector<std::string> argv_text = spec.argv, env_text = spec.environment;
  std::vector<char*> argv, envp;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  Pipe out, err, report;
  if (!out.Open() || !err.Open() || !report.Open()) return NotStarted(errno);
  Fd devnull;
  devnull.Reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull) return NotStarted(errno);
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);

  const Launch launch{argv.data(),
                      envp.data(),
                      spec.working_directory.c_str(),
                      devnull.get(),
                      out.write.get(),
                      err.write.get(),
                      report.write.get(),
                      ::getpid(),
                      ToTimespec(spec.kill_grace),
                      files.rlim_cur == RLIM_INFINITY
                          ? 65536
                          : static_cast<int>(std::min<rlim_t>(files.rlim_cur, 1 << 20))};
  // The guard starts with every signal blocked: it waits for SIGTERM and SIGCHLD itself, and a
  // signal meant for the caller must not run the caller's handlers in it.
  sigset_t all, previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t guard = ::fork();
  if (guard == 0) Guard(launch);
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (guard < 0) return NotStarted(fork_error);
  out.write.Reset();
  err.write.Reset();
  report.write.Reset();
  devnull.Reset();

  ChildOutcome outcome;
  LineReader out_lines(ChildStream::kStdout, spec, on_line, outcome);
  LineReader err_lines(ChildStream::kStderr, spec, on_line, outcome);
  const auto started = SteadyClock::now();
  const auto deadline = started + spec.timeout;
  auto last_tick = started;
  bool term_sent = false, timed_out = false, stopped = false, killed = false;
  SteadyClock::time_point term_at{};
  std::optional<int> guard_status;
  SteadyClock::time_point guard_ended{};
  pid_t program = 0;
  std::vector<char> report_bytes;
  std::array<char, 65536> buffer{};

  for (;;) {
    const auto now = SteadyClock::now();
    if (!term_sent && (stop.stop_requested() || now >= deadline)) {
      stopped = stop.stop_requested();
      timed_out = !stopped;
      ::kill(guard, SIGTERM);
      term_sent = true;
      term_at = now;
    }
    if (term_sent && !guard_status && !killed &&
        now >= term_at + spec.kill_grace + std::chrono::seconds(5)) {
      // The guard should have ended by now: last resort.
      ::kill(guard, SIGKILL);
      if (program > 0) ::kill(-program, SIGKILL);
      killed = true;
    }
    if (!guard_status) {
      int status = 0;
      if (::waitpid(guard, &status, WNOHANG) == guard) {
        guard_status = status;
        guard_ended = now;
      }
    }
    // Once the guard is gone the program's group is too; a process that left the group (setsid)
    // may still hold the pipes: it is not waited for.
    if (guard_status &&
        ((!out.read && !err.read) || now >= guard_ended + std::chrono::seconds(2))) {
      break;
    }
    if (tick && now - last_tick >= std::chrono::seconds(1)) {
      tick();
      last_tick = now;
    }
    std::array<pollfd, 3> fds{};
    std::array<int, 3> which{};
    nfds_t n = 0;
    for (int i = 0; i < 3; ++i) {
      const Fd& fd = i == 0 ? out.read : i == 1 ? err.read : report.read;
      if (!fd) continue;
      fds[n] = pollfd{fd.get(), POLLIN, 0};
      which[n++] = i;
    }
    // With every pipe closed, only the guard's end is awaited: it comes within moments.
    auto wait = std::chrono::milliseconds(n == 0 ? 10 : 250);
    if (!term_sent) {
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    }
    if (::poll(fds.data(), n, static_cast<int>(std::max<long>(wait.count(), 0))) <= 0) continue;
    for (nfds_t k = 0; k < n; ++k) {
      if (fds[k].revents == 0) continue;
      Fd& fd = which[k] == 0 ? out.read : which[k] == 1 ? err.read : report.read;
      const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        if (which[k] == 0) out_lines.Finish();
        if (which[k] == 1) err_lines.Finish();
        fd.Reset();
        continue;
      }
      const std::string_view bytes(buffer.data(), static_cast<std::size_t>(got));
      if (which[k] == 0) {
        out_lines.Feed(bytes);
      } else if (which[k] == 1) {
        err_lines.Feed(bytes);
      } else {
        report_bytes.insert(report_bytes.end(), bytes.begin(), bytes.end());
        if (report_bytes.size() >= sizeof(Report) && program == 0) {
          Report r{};
          std::memcpy(&r, report_bytes.data(), sizeof r);
          if (r.kind == kReportPid) program = r.value;
        }
      }
    }
  }
  out_lines.Finish();
  err_lines.Finish();
  // The rest of the report: the guard wrote it before it ended.
  if (report.read) {
    for (;;) {
      const ssize_t got = ::read(report.read.get(), buffer.data(), buffer.size());
      if (got <= 0) break;
      report_bytes.insert(report_bytes.end(), buffer.data(), buffer.data() + got);
    }
  }
  std::optional<Report> last;
  for (std::size_t at = 0; at + sizeof(Report) <= report_bytes.size(); at += sizeof(Report)) {
    Report r{};
    std::memcpy(&r, report_bytes.data() + at, sizeof r);
    if (r.kind != kReportPid) last = r;
  }
  if (stopped) {
    outcome.kind = ChildOutcome::Kind::kStopped;
  } else if (timed_out) {
    outcome.kind = ChildOutcome::Kind::kTimedOut;
  } else if (last && last->kind == kReportNotStarted) {
    outcome.kind = ChildOutcome::Kind::kNotStarted;
    outcome.code = last->value;
  } else if (last && last->kind == kReportStatus && WIFEXITED(last->value)) {
    outcome.kind = ChildOutcome::Kind::kExited;
    outcome.code = WEXITSTATUS(last->value);
  } else if (last && last->kind == kReportStatus && WIFSIGNALED(last->value)) {
    outcome.kind = ChildOutcome::Kind::kSignalled;
    outcome.code = WTERMSIG(last->value);
  } else {
    // The guard ended without a word: killed from outside.
    outcome.kind = ChildOutcome::Kind::kSignalled;
    outcome.code = guard_status && WIFSIGNALED(*guard_status) ? WTERMSIG(*guard_status) : SIGKILL;
  }
  return outcome;
}

Result<void> CheckProgram(const std::string& path) {
  if (path.empty() || path[0] != '/') {
    return Fail(ErrorKind::kConfig, "\"" + path + "\" is not an absolute path");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(ErrorKind::kConfig, "cannot run " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(ErrorKind::kConfig, "cannot run " + path + ": not a regular file");
  }
  if (::access(path.c_str(), X_OK) != 0) {
    return Fail(ErrorKind::kConfig, "cannot run " + path + ": " + std::strerror(errno) +
                                        " (it must be executable by the user accrochd runs as)");
  }
  return {};
}

}  // namespace accrochd
