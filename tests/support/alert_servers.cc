#include "tests/support/alert_servers.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/run_binary.h"

extern char** environ;

namespace accrochd::testing {
namespace {

using std::chrono::milliseconds;

}  // namespace

int RunProgram(std::vector<std::string> argv, const std::string& log) {
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ServerProcess::ServerProcess(std::vector<std::string> argv, std::string log)
    : log_(std::move(log)) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  stdout_ = out[0];
  if (rc != 0) {
    pid_ = -1;
    Stop();
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  try {
    port_ = ReadPort();
  } catch (...) {
    Stop();
    throw;
  }
}

ServerProcess::~ServerProcess() { Stop(); }

std::string ServerProcess::Log() const { return ReadWholeFile(log_); }

int ServerProcess::ReadPort() {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("server did not start in 20 s: " + Log());
    pollfd fd{stdout_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      throw std::runtime_error("poll failed");
    }
    if ((fd.revents & (POLLIN | POLLHUP)) == 0) continue;
    char buffer[64];
    const ssize_t n = read(stdout_, buffer, sizeof(buffer));
    if (n <= 0) throw std::runtime_error("server exited before listening: " + Log());
    line.append(buffer, static_cast<std::size_t>(n));
  }
  const int port = std::atoi(line.c_str());
  if (port <= 0) throw std::runtime_error("server printed no port: " + line);
  return port;
}

void ServerProcess::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    bool reaped = false;
    for (int i = 0; i < 500 && !reaped; ++i) {
      reaped = waitpid(pid_, &status, WNOHANG) == pid_;
      if (!reaped) std::this_thread::sleep_for(milliseconds(10));
    }
    if (!reaped) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (stdout_ >= 0) close(stdout_);
  stdout_ = -1;
}

LocalPort::LocalPort(bool listening) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      (listening && listen(fd_, 8) != 0)) {
    throw std::runtime_error(std::string("cannot bind a local port: ") + std::strerror(errno));
  }
  port_ = ntohs(address.sin_port);
}

LocalPort::~LocalPort() {
  if (fd_ >= 0) close(fd_);
}

HeldPort::HeldPort(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  const int on = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));  // past the server's TIME_WAITs
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
}

HeldPort::~HeldPort() {
  if (fd_ >= 0) close(fd_);
}

const TlsFiles& Tls(const std::string& openssl) {
  static const TlsFiles files = [&openssl] {
    const std::string dir = MakeTempDir("alert-tls-" + std::to_string(getpid()));
    TlsFiles made{dir + "/cert.pem", dir + "/key.pem"};
    const int status = RunProgram(
        {openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", made.key, "-out", made.cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"},
        dir + "/openssl.log");
    if (status != 0) {
      throw std::runtime_error("openssl (" + openssl + ") could not make the test certificate: " +
                               ReadWholeFile(dir + "/openssl.log"));
    }
    return made;
  }();
  return files;
}

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::multimap<std::string, std::string> ReadFieldLines(const std::filesystem::path& path) {
  std::multimap<std::string, std::string> fields;
  std::istringstream in(ReadWholeFile(path));
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) continue;
    fields.emplace(line.substr(0, colon), line.substr(colon + 2));
  }
  return fields;
}

std::vector<std::string> FieldValues(const std::multimap<std::string, std::string>& fields,
                                     const std::string& key) {
  std::vector<std::string> values;
  auto [first, last] = fields.equal_range(key);
  for (auto it = first; it != last; ++it) values.push_back(it->second);
  return values;
}

std::vector<std::filesystem::path> RecordedEntries(const std::filesystem::path& dir,
                                                   const std::string& prefix) {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with(prefix)) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace accrochd::testing
