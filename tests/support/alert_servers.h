// The servers alert tests talk to, run for real by the test: a Python script (the aiosmtpd SMTP
// server tests/support/smtp_server.py, the webhook receiver tests/support/http_receiver.py) started
// with posix_spawn and stopped by the destructor; a local port nobody answers on; a self-signed
// certificate for 127.0.0.1 made by the openssl CLI.
#ifndef ACCROCHD_TESTS_SUPPORT_ALERT_SERVERS_H_
#define ACCROCHD_TESTS_SUPPORT_ALERT_SERVERS_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace accrochd::testing {

// Runs `argv` to its end with stdout and stderr to `log`; its exit status, -1 if it could not.
int RunProgram(std::vector<std::string> argv, const std::string& log);

// A server run by a test: started with posix_spawn, ready once it has printed its port on
// stdout; stderr goes to `log`. The destructor stops it (SIGTERM, then SIGKILL after 5 s) and
// reaps it, so that no test leaves a process behind, failed or not. Throws std::runtime_error
// when it cannot start.
class ServerProcess {
 public:
  ServerProcess(std::vector<std::string> argv, std::string log);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  std::string Log() const;

 private:
  int ReadPort();
  void Stop();

  std::string log_;
  pid_t pid_ = -1;
  int stdout_ = -1;
  int port_ = 0;
};

// A TCP socket on 127.0.0.1 bound to a free port. Not listening, connections to the port are
// refused ("server down"), and nothing else can take the port meanwhile. Listening, the kernel
// completes connections that nobody accepts: a server that never says a word.
class LocalPort {
 public:
  explicit LocalPort(bool listening);
  ~LocalPort();
  LocalPort(const LocalPort&) = delete;
  LocalPort& operator=(const LocalPort&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Keeps a stopped server's port on 127.0.0.1 bound and not listening: connections to it are
// refused ("server down"), and no server started meanwhile can be given it.
class HeldPort {
 public:
  explicit HeldPort(int port);
  ~HeldPort();
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;

  bool bound() const { return bound_; }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

struct TlsFiles {
  std::string cert;
  std::string key;
};

// A self-signed certificate for 127.0.0.1 and localhost, made once per process with the openssl
// CLI at `openssl`; the certificate is its own CA (ca_file). Throws when openssl fails.
const TlsFiles& Tls(const std::string& openssl);

// --- What the servers recorded (see the scripts' docstrings).

std::string ReadWholeFile(const std::filesystem::path& path);  // "" when it cannot be read

// "key: value" lines, as the servers write them; values keep everything after the first ": ".
std::multimap<std::string, std::string> ReadFieldLines(const std::filesystem::path& path);

std::vector<std::string> FieldValues(const std::multimap<std::string, std::string>& fields,
                                     const std::string& key);

// The directories a server renamed into place, in the order it numbered them (request-0001,
// message-0001, ...); its staging directories start with a dot.
std::vector<std::filesystem::path> RecordedEntries(const std::filesystem::path& dir,
                                                   const std::string& prefix);

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_ALERT_SERVERS_H_
