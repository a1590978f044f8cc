// A PostgreSQL server private to one test, for the tests that stop and restart the server under a
// running daemon: stopping the shared server of tests/services/dbctl would break the other
// tests of the run, and a test that fails half-way could leave it down.
//
// The cluster lives in `dir` (initdb, as dbctl does: user accrochd, scram-sha-256, UTF-8,
// listening on 127.0.0.1 only, fsync off), on a port free when it was created, kept across
// Stop() and Start(). Run as root, the server runs as the `postgres` system user, which refuses
// to run as root. The destructor stops the server, whatever state the test left it in.
#ifndef ACCROCHD_TESTS_SUPPORT_PRIVATE_POSTGRES_H_
#define ACCROCHD_TESTS_SUPPORT_PRIVATE_POSTGRES_H_

#include <string>

namespace accrochd::testing {

class PrivatePostgres {
 public:
  // Creates the cluster and starts the server; throws std::runtime_error with its log.
  explicit PrivatePostgres(std::string dir);
  ~PrivatePostgres();
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  // pg_ctl stop -m fast: connections are cut, as in a server restart or an outage.
  void Stop();
  // Starts it again on the same port and waits until it accepts connections.
  void Start();

  // ODBC connection string of the `postgres` database, without the password.
  std::string Connection() const;
  const std::string& password() const { return password_; }
  int port() const { return port_; }

 private:
  std::string PgCtl(const std::string& action) const;  // the shell command

  std::string dir_;
  std::string bin_;
  std::string user_;  // runs the server
  std::string password_;
  int port_ = 0;
};

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_PRIVATE_POSTGRES_H_
