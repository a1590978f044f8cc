// The golden case messy-school (#15) on the two database servers: the same fixture.sql loaded
// into PostgreSQL and MariaDB, read through psqlODBC and MariaDB Connector/ODBC by the same
// mapping, gives exactly the passages and the quarantine the golden tier expects from SQLite.
// What differs between drivers -- how a DATE, an INTEGER that lost its leading zero or a
// decomposed name comes back -- must not change one passage.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/diagnostic.h"
#include "mappings/mapping.h"
#include "tests/golden/golden_case.h"
#include "tests/support/odbc_admin.h"
#include "tests/support/services.h"

namespace accrochd::golden {
namespace {

namespace fs = std::filesystem;

const fs::path kCase = fs::path(ACCROCHD_SOURCE_DIR) / "tests" / "golden" / "messy-school";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string ToUpper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// The fixture's statements: each ends with ";" at the end of a line (comments may hold ";").
std::vector<std::string> Statements(const std::string& sql) {
  std::vector<std::string> out;
  std::string current;
  std::istringstream in(sql);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("--", 0) == 0) continue;
    current += line + "\n";
    if (!line.empty() && line.back() == ';') {
      current.erase(current.find_last_of(';'));
      out.push_back(std::move(current));
      current.clear();
    }
  }
  return out;
}

// Loads the fixture, its tables dropped first (the servers live for the whole test run).
void LoadFixture(const std::string& connection) {
  testing::OdbcAdmin admin(connection);
  const std::string sql = ReadFile(kCase / "fixture.sql");
  const std::regex create(R"(CREATE TABLE (\w+))");
  std::vector<std::string> tables;
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), create); it != std::sregex_iterator();
       ++it) {
    tables.push_back((*it)[1]);
  }
  ASSERT_FALSE(tables.empty());
  for (auto t = tables.rbegin(); t != tables.rend(); ++t) admin.Exec("DROP TABLE IF EXISTS " + *t);
  for (const std::string& statement : Statements(sql)) admin.Exec(statement);
}

class MessySchoolTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MessySchoolTest, GivesTheGoldenPassagesAndQuarantine) {
  std::string why;
  auto services = testing::LoadServices(why);
  ASSERT_TRUE(services.has_value()) << why;
  const std::string connection =
      GetParam() == "postgresql" ? services->postgresql_connection : services->mariadb_connection;
  ASSERT_NO_FATAL_FAILURE(LoadFixture(testing::WithPassword(connection, services->password)));

  const CaseSettings settings = ReadSettings(kCase);
  Diagnostics diagnostics;
  auto mapping =
      mappings::LoadMapping((kCase / "mapping.yaml").string(), settings.version, diagnostics);
  ASSERT_TRUE(mapping.has_value() && diagnostics.empty()) << FormatDiagnostics(diagnostics);
  // The query joins and filters only: the cleaning is the mapping's, in every database alike.
  for (const char* word : {"CASE", "REPLACE", "SUBSTR", "CAST", "::", "CONCAT", "||"}) {
    EXPECT_EQ(ToUpper(mapping->query).find(word), std::string::npos) << word;
  }
  daemon::Config config = CaseConfig(kCase, settings, std::move(*mapping), connection);
  config.sources.at("fixture").password = services->password;

  const Previewed previewed = PreviewCase(config, settings);
  EXPECT_EQ(previewed.passages, ReadFile(kCase / "passages.txt"));
  EXPECT_EQ(previewed.quarantine, ReadFile(kCase / "quarantine.txt"));
  EXPECT_EQ(previewed.skipped, ReadFile(kCase / "skipped.txt"));
}

INSTANTIATE_TEST_SUITE_P(Servers, MessySchoolTest, ::testing::Values("postgresql", "mariadb"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace accrochd::golden
