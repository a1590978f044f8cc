// A PostgreSQL server private to one test, for the tests that stop and restart the server under a
// running daemon: stopping the shared server of tests/services/dbctl would break the other
// tests of the run, and a test that fails half-way could leave it down.
//
// The cluster (initdb, as dbctl does: user accrochd, scram-sha-256, UTF-8, listening on
// 127.0.0.1 only, fsync off) lives in a directory of its own under /var/tmp, not in the test's
// directory: run as root, the server runs as the `postgres` system user (it refuses to run as
// root), which may not enter a checkout under /root. It listens on a port free when it was
// created, kept across Stop() and Start(). The destructor stops the server, whatever state the
// test left it in, and removes the directory.
#ifndef ACCROCHD_TESTS_SUPPORT_PRIVATE_POSTGRES_H_
#define ACCROCHD_TESTS_SUPPORT_PRIVATE_POSTGRES_H_

#include <string>

namespace accrochd::testing {

class PrivatePostgres {
 public:
  // Creates the cluster and starts the server; throws std::runtime_error with its log.
  PrivatePostgres();
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

  std::string dir_;  // /var/tmp/accrochd-test-pg.XXXXXX
  std::string bin_;
  std::string user_;  // runs the server
  std::string password_;
  int port_ = 0;
};

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_PRIVATE_POSTGRES_H_
