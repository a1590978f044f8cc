// The database servers started by tests/services/dbctl for this test run.
#ifndef ACCROCHD_TESTS_SUPPORT_SERVICES_H_
#define ACCROCHD_TESTS_SUPPORT_SERVICES_H_

#include <map>
#include <optional>
#include <string>

namespace accrochd::testing {

struct Services {
  std::string password;               // of the `accrochd` user on both servers
  std::string postgresql_connection;  // ODBC connection string, without password
  std::string mariadb_connection;
  std::string pg_ctl;  // "pg_ctl -D DIR", to stop and start PostgreSQL
};

// Reads the environment file dbctl wrote. nullopt (with the reason in `why`) when the servers
// were not started, which makes integration tests fail, not skip.
std::optional<Services> LoadServices(std::string& why);

// The ODBC connection string of the demo database built with the project.
std::string DemoDatabaseConnection();

// A connection string with the password appended.
std::string WithPassword(const std::string& connection, const std::string& password);

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_SERVICES_H_
