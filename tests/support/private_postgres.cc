#include "tests/support/private_postgres.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;

// Runs `command` with /bin/sh; returns its exit code and puts stdout and stderr in `out`.
int Run(const std::string& command, std::string& out) {
  out.clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A port nothing listens on now (the kernel's choice for an ephemeral bind).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free port for a private PostgreSQL");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

PrivatePostgres::PrivatePostgres() {
  std::string pattern = "/var/tmp/accrochd-test-pg.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot make a directory for a private PostgreSQL: " + pattern);
  }
  dir_ = pattern;
  std::string out;
  if (Run("ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1", out) != 0 || out.empty()) {
    throw std::runtime_error("PostgreSQL server binaries not found (package postgresql)");
  }
  bin_ = out.substr(0, out.find('\n'));
  user_ = ::geteuid() == 0 ? "postgres" : "";
  password_ = "accrochd-private-" + std::to_string(::getpid());
  port_ = FreePort();
  fs::permissions(dir_, fs::perms(0755));
  std::ofstream(dir_ + "/password") << password_ << "\n";
  if (!user_.empty()) {
    Run("chown -R " + user_ + " " + Quote(dir_), out);
  }
  const std::string as_user = user_.empty() ? "" : "runuser -u " + user_ + " -- ";
  if (Run(as_user + Quote(bin_ + "/initdb") + " -D " + Quote(dir_ + "/data") +
              " -U accrochd --pwfile=" + Quote(dir_ + "/password") +
              " --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8",
          out) != 0) {
    throw std::runtime_error("initdb failed:\n" + out);
  }
  Start();
}

PrivatePostgres::~PrivatePostgres() {
  std::string out;
  if (fs::exists(dir_ + "/data/postmaster.pid")) Run(PgCtl("-m immediate -w stop"), out);
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string PrivatePostgres::PgCtl(const std::string& action) const {
  const std::string as_user = user_.empty() ? "" : "runuser -u " + user_ + " -- ";
  return as_user + Quote(bin_ + "/pg_ctl") + " -D " + Quote(dir_ + "/data") + " -l " +
         Quote(dir_ + "/pg.log") + " " + action;
}

void PrivatePostgres::Stop() {
  std::string out;
  if (Run(PgCtl("-m fast -w -t 60 stop"), out) != 0) {
    throw std::runtime_error("pg_ctl stop failed:\n" + out);
  }
}

void PrivatePostgres::Start() {
  std::string out;
  // TCP only: a Unix socket path under a build directory may well pass the 107 bytes allowed.
  const std::string options = "-p " + std::to_string(port_) +
                              " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
                              " -c fsync=off";
  if (Run(PgCtl("-w -t 60 -o " + Quote(options) + " start"), out) != 0) {
    throw std::runtime_error("pg_ctl start failed:\n" + out + ReadWhole(dir_ + "/pg.log"));
  }
}

std::string PrivatePostgres::Connection() const {
  return "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=" + std::to_string(port_) +
         ";Database=postgres;Uid=accrochd;";
}

}  // namespace accrochd::testing
