// The real binary against the PostgreSQL and MariaDB servers of the test run, with the password
// given as a systemd credential, as the packaged unit does.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/mapping_fixtures.h"
#include "tests/support/odbc_admin.h"
#include "tests/support/run_binary.h"
#include "tests/support/services.h"

namespace accrochd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ServerSystemTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    auto services = LoadServices(why);
    ASSERT_TRUE(services.has_value()) << why;
    services_ = *services;
    connection_ =
        GetParam() == "postgresql" ? services_.postgresql_connection : services_.mariadb_connection;
    OdbcAdmin admin(WithPassword(connection_, services_.password));
    table_ = "sys_" + GetParam();
    admin.Exec("DROP TABLE IF EXISTS " + table_);
    admin.Exec("CREATE TABLE " + table_ + " (id INTEGER PRIMARY KEY, nom VARCHAR(60))");
    admin.Exec("INSERT INTO " + table_ + " VALUES (1, 'Lætitia'), (2, 'Noël'), (3, 'Zoé')");
  }

  // Writes a configuration whose password comes from $CREDENTIALS_DIRECTORY/db.
  std::string WriteConfig(const std::string& dir, const std::string& password) {
    WriteFile(dir + "/db", password + "\n", 0600);
    WriteFile(dir + "/m.yaml",
              MinimalMapping("scolarite", "SELECT id, nom FROM " + table_) + "page_by: id\n");
    WriteFile(dir + "/accrochd.yaml",
              "state_directory: " + dir + "/state\n"
              "sources:\n  scolarite:\n    connection: \"" + connection_ +
                  "\"\n    password: {credential: db}\n    retry: {attempts: 1}\n"
                  "certifiers:\n  ecole:\n    id_client: \"DEMO0001\"\n"
                  "    id_contrat: \"MCFCER009999\"\n    mappings: [m.yaml]\n");
    return dir + "/accrochd.yaml";
  }

  Services services_;
  std::string connection_;
  std::string table_;
};

TEST_P(ServerSystemTest, CheckAndOnceThroughTheDriverWithACredential) {
  const std::string dir = MakeTempDir("server-" + GetParam());
  const std::string config = WriteConfig(dir, services_.password);
  const std::string env = "CREDENTIALS_DIRECTORY=" + dir;
  RunResult check = RunAccrochd({"check", "--config", config}, {env});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr(GetParam() == "postgresql" ? "connected to PostgreSQL"
                                                              : "connected to MariaDB"));
  EXPECT_THAT(check.out, HasSubstr("query prepared, 2 columns"));
  RunResult once = RunAccrochd({"once", "--config", config}, {env});
  EXPECT_EQ(once.exit_code, 0) << once.err;
  EXPECT_THAT(once.out, HasSubstr("Read 3 rows over ODBC"));
  EXPECT_THAT(check.out + check.err + once.out + once.err, Not(HasSubstr(services_.password)));
}

TEST_P(ServerSystemTest, WrongPasswordIsAConfigurationErrorAndIsNeverPrinted) {
  const std::string dir = MakeTempDir("server-wrong-" + GetParam());
  const std::string config = WriteConfig(dir, "Pas-Le-Bon-Mot-De-Passe");
  RunResult check = RunAccrochd({"check", "--config", config}, {"CREDENTIALS_DIRECTORY=" + dir});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.err, HasSubstr("source \"scolarite\""));
  EXPECT_THAT(check.err, HasSubstr("check the user name and the password"));
  EXPECT_THAT(check.out + check.err, Not(HasSubstr("Pas-Le-Bon-Mot-De-Passe")));
}

INSTANTIATE_TEST_SUITE_P(Servers, ServerSystemTest, ::testing::Values("postgresql", "mariadb"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace accrochd::testing
