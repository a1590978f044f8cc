#include "tests/support/services.h"

#include <fstream>

namespace accrochd::testing {

std::optional<Services> LoadServices(std::string& why) {
  std::ifstream in(ACCROCHD_SERVICES_ENV);
  if (!in) {
    why = std::string("the test database servers are not running: ") + ACCROCHD_SERVICES_ENV +
          " is missing. Run the tests through ctest (its services.start fixture starts them) or "
          "scripts/test.";
    return std::nullopt;
  }
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  Services s;
  s.password = values["ACCROCHD_TEST_PASSWORD"];
  s.postgresql_connection = values["ACCROCHD_TEST_PG_CONNECTION"];
  s.mariadb_connection = values["ACCROCHD_TEST_MARIADB_CONNECTION"];
  s.pg_ctl = values["ACCROCHD_TEST_PG_CTL"];
  if (s.password.empty() || s.postgresql_connection.empty() || s.mariadb_connection.empty()) {
    why = std::string(ACCROCHD_SERVICES_ENV) + " is incomplete";
    return std::nullopt;
  }
  return s;
}

std::string DemoDatabaseConnection() {
  return std::string("Driver=SQLite3;Database=") + ACCROCHD_BINARY_DIR + "/demo/demo.db;";
}

std::string WithPassword(const std::string& connection, const std::string& password) {
  std::string out = connection;
  if (!out.empty() && out.back() != ';') out += ';';
  return out + "PWD={" + password + "};";
}

}  // namespace accrochd::testing
