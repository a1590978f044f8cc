#include "tests/support/daemon_process.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace accrochd::testing {
namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string NameOf(const std::string& entry) { return entry.substr(0, entry.find('=')); }

}  // namespace

bool WaitUntil(const std::function<bool()>& done, milliseconds timeout, milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(every);
  }
}

NotifySocket::NotifySocket() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != 0 ? tmp : "/tmp") +
                        "/accrochd-notify-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  dir_ = pattern;
  path_ = dir_ + "/notify";
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.size() >= sizeof(address.sun_path)) {
    throw std::runtime_error("notify socket path too long: " + path_);
  }
  std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
  ::unlink(path_.c_str());
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error("bind " + path_ + ": " + std::strerror(error));
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) ::close(fd_);
  ::unlink(path_.c_str());
  ::rmdir(dir_.c_str());
}

void NotifySocket::Drain(milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  int wait_ms = static_cast<int>(timeout.count());
  for (;;) {
    const int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n < 0) break;  // EAGAIN: all read
      messages_.emplace_back(buffer, static_cast<std::size_t>(n));
    }
    wait_ms = 0;
  }
}

std::optional<std::size_t> NotifySocket::WaitFor(
    const std::function<bool(const std::string&)>& match, milliseconds timeout,
    std::size_t from) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (std::size_t i = from; i < messages_.size(); ++i) {
      if (match(messages_[i])) return i;
    }
    from = std::max(from, messages_.size());
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    Drain(std::min(std::chrono::duration_cast<milliseconds>(deadline - now), milliseconds(100)));
  }
}

std::optional<std::string> NotifySocket::Value(std::size_t index, const std::string& name) const {
  std::istringstream in(messages_.at(index));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(name + "=")) return line.substr(name.size() + 1);
  }
  return std::nullopt;
}

std::vector<std::string> NotifySocket::Values(const std::string& name) const {
  std::vector<std::string> values;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (auto v = Value(i, name)) values.push_back(*v);
  }
  return values;
}

bool HasLine(const std::string& message, const std::string& line) {
  std::istringstream in(message);
  std::string l;
  while (std::getline(in, l)) {
    if (l == line) return true;
  }
  return false;
}

AccrochdProcess::AccrochdProcess(const std::vector<std::string>& args,
                                 const std::vector<std::string>& extra_env, std::string log_base)
    : log_base_(std::move(log_base)) {
  std::vector<std::string> argv_storage = {ACCROCHD_BIN};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = NameOf(entry);
    // As RunAccrochd, and the service manager's own variables: the test decides them all.
    if (name == "CREDENTIALS_DIRECTORY" || name == "STATE_DIRECTORY" ||
        name == "CONFIGURATION_DIRECTORY" || name == "JOURNAL_STREAM" || name == "NOTIFY_SOCKET" ||
        name == "WATCHDOG_USEC" || name == "WATCHDOG_PID" || name == "INVOCATION_ID") {
      continue;
    }
    bool overridden = false;
    for (const std::string& extra : extra_env) overridden = overridden || NameOf(extra) == name;
    if (!overridden) env_storage.push_back(entry);
  }
  env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string out = log_base_ + ".out", err = log_base_ + ".err";
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot run accrochd: ") + std::strerror(rc));
}

AccrochdProcess::~AccrochdProcess() {
  if (running()) Kill();
}

bool AccrochdProcess::Signal(int signal) {
  // Until it is reaped, the pid is still the child's, even if it has ended.
  return running() && ::kill(pid_, signal) == 0;
}

std::optional<int> AccrochdProcess::Wait(milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = status;
      return status_;
    }
    if (r < 0 && errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

int AccrochdProcess::Kill() {
  if (status_) return *status_;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
  return status;
}

std::string AccrochdProcess::Err() const { return ReadWhole(log_base_ + ".err"); }
std::string AccrochdProcess::Out() const { return ReadWhole(log_base_ + ".out"); }

std::optional<std::size_t> AccrochdProcess::WaitForLog(const std::string& text,
                                                       milliseconds timeout,
                                                       std::size_t from) const {
  std::optional<std::size_t> at;
  WaitUntil(
      [&] {
        const std::string log = Err();
        if (log.size() < from) return false;
        const std::size_t found = log.find(text, from);
        if (found == std::string::npos) return false;
        at = found + text.size();
        return true;
      },
      timeout);
  return at;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

}  // namespace accrochd::testing
