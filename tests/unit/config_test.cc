// accrochd.yaml: one test per kind of problem, each asserting the message and where it points;
// then the effective configuration printed for `check --print-config`.
#include "daemon/config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "tests/support/mapping_fixtures.h"
#include "tests/support/run_binary.h"

namespace accrochd::daemon {
namespace {

using accrochd::testing::MakeTempDir;
using accrochd::testing::WriteFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kSecret = "S3cr3t-Xyzzy";

// Lines 1 to 4.
constexpr const char* kSources =
    "sources:\n"
    "  scolarite:\n"
    "    connection: \"Driver=PostgreSQL Unicode;Server=db;Database=scol;Uid=accrochd;\"\n"
    "    password: {file: secret.txt}\n";

// Lines 5 to 10 after kSources.
constexpr const char* kCertifiers =
    "certifiers:\n"
    "  institut:\n"
    "    id_client: \"ABCD1234\"\n"
    "    id_contrat: \"MCFCER000123\"\n"
    "    mappings:\n"
    "      - mappings/rs6521.yaml\n";

// Three lines, then the key and the mandatory fields.
const std::string kMapping = std::string(
                                 "certification: {type: RS, code: RS6521}\n"
                                 "source: scolarite\n"
                                 "query: SELECT id FROM resultat\n") +
                             "key: id\n" + accrochd::testing::MinimalFields();
const std::string kMappingTail = "key: id\n" + accrochd::testing::MinimalFields();

// The line a key appended to kMapping lands on.
int LineAfterMapping() {
  return 1 + static_cast<int>(std::count(kMapping.begin(), kMapping.end(), '\n'));
}

// `text` without the lines that contain `part`.
std::string Without(const std::string& text, std::string_view part) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string_view line(text.data() + start, end - start + 1);
    if (line.find(part) == std::string_view::npos) out += line;
    start = end + 1;
  }
  return out;
}

// `text` with line `number` (1-based) replaced by `line`.
std::string WithLine(const std::string& text, int number, const std::string& line) {
  std::string out;
  std::size_t start = 0;
  for (int n = 1; start < text.size(); ++n) {
    std::size_t end = text.find('\n', start);
    out += n == number ? line + "\n" : text.substr(start, end - start + 1);
    start = end + 1;
  }
  return out;
}

class LoadConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = MakeTempDir(std::string("config_test.") + info->test_suite_name() + "." + info->name());
    path_ = dir_ + "/accrochd.yaml";
    std::filesystem::create_directories(dir_ + "/mappings");
    WriteFile(dir_ + "/mappings/rs6521.yaml", kMapping);
    WriteFile(dir_ + "/secret.txt", std::string(kSecret) + "\n", 0600);
  }

  std::expected<Config, Diagnostics> Load(const std::string& text, const Environment& env = {}) {
    WriteFile(path_, text);
    return LoadConfig(path_, env);
  }

  // Loading `text` fails with exactly one diagnostic, `message` at file:line:col.
  void ExpectOnly(const std::string& text, const std::string& message, int line, int column,
                  const Environment& env = {}) {
    auto config = Load(text, env);
    ASSERT_FALSE(config.has_value());
    const Diagnostics& d = config.error();
    ASSERT_EQ(d.size(), 1u) << FormatDiagnostics(d);
    EXPECT_EQ(d[0].message, message);
    EXPECT_EQ(d[0].location.file, path_);
    EXPECT_EQ(d[0].location.line, line);
    EXPECT_EQ(d[0].location.column, column);
  }

  std::string Base() const { return std::string(kSources) + kCertifiers; }

  std::string dir_;
  std::string path_;
};

TEST_F(LoadConfigTest, LoadsAValidFileWithDefaults) {
  auto config = Load(Base());
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  EXPECT_EQ(config->file, path_);
  EXPECT_EQ(config->state_directory, "/var/lib/accrochd");
  ASSERT_EQ(config->sources.size(), 1u);
  const SourceConfig& s = config->sources.at("scolarite");
  EXPECT_EQ(s.name, "scolarite");
  EXPECT_EQ(s.location.line, 3);
  EXPECT_EQ(s.connection, "Driver=PostgreSQL Unicode;Server=db;Database=scol;Uid=accrochd;");
  ASSERT_TRUE(s.password_ref.has_value());
  EXPECT_EQ(s.password_ref->kind, SecretRef::Kind::kFile);
  EXPECT_EQ(s.password_ref->name, "secret.txt");
  EXPECT_EQ(s.password_ref->path, dir_ + "/secret.txt");
  EXPECT_EQ(s.password, kSecret);  // trailing newline stripped
  EXPECT_EQ(s.fetch_size, 1000u);
  EXPECT_EQ(s.query_timeout, std::chrono::minutes(5));
  EXPECT_EQ(s.retry.max_attempts, 5);
  EXPECT_EQ(s.page_syntax, source::PageSyntax::kLimit);
  ASSERT_EQ(config->certifiers.size(), 1u);
  const CertifierConfig& c = config->certifiers[0];
  EXPECT_EQ(c.name, "institut");
  EXPECT_EQ(c.id_client, "ABCD1234");
  EXPECT_EQ(c.id_contrat, "MCFCER000123");
  ASSERT_EQ(c.mappings.size(), 1u);
  EXPECT_EQ(c.mappings[0].name, "rs6521");
  ASSERT_TRUE(c.mappings[0].certification.constant.has_value());
  EXPECT_EQ(c.mappings[0].certification.constant->code, "RS6521");
}

TEST_F(LoadConfigTest, ReadsEverySourceSetting) {
  auto config = Load(std::string(kSources) +
                     "    fetch_size: 250\n"
                     "    query_timeout: 90s\n"
                     "    retry: {attempts: 3, initial_delay: 2s, max_delay: 10s}\n"
                     "    page_syntax: offset_fetch\n" +
                     kCertifiers);
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  const SourceConfig& s = config->sources.at("scolarite");
  EXPECT_EQ(s.fetch_size, 250u);
  EXPECT_EQ(s.query_timeout, std::chrono::seconds(90));
  EXPECT_EQ(s.retry.max_attempts, 3);
  EXPECT_EQ(s.retry.initial_delay, std::chrono::seconds(2));
  EXPECT_EQ(s.retry.max_delay, std::chrono::seconds(10));
  EXPECT_EQ(s.page_syntax, source::PageSyntax::kOffsetFetch);
}

TEST_F(LoadConfigTest, MissingConfigFile) {
  auto config = LoadConfig(dir_ + "/absent.yaml", {});
  ASSERT_FALSE(config.has_value());
  ASSERT_EQ(config.error().size(), 1u);
  EXPECT_EQ(config.error()[0].ToString(),
            dir_ + "/absent.yaml: cannot open file: No such file or directory");
}

TEST_F(LoadConfigTest, YamlSyntaxError) {
  auto config = Load(WithLine(Base(), 3, "    connection: a: b"));
  ASSERT_FALSE(config.has_value());
  ASSERT_EQ(config.error().size(), 1u) << FormatDiagnostics(config.error());
  const Diagnostic& d = config.error()[0];
  EXPECT_EQ(d.message, "YAML syntax error: illegal map value");
  EXPECT_EQ(d.location.file, path_);
  EXPECT_EQ(d.location.line, 3);
  EXPECT_EQ(d.location.column, 18);
}

TEST_F(LoadConfigTest, MisspeltTopLevelKey) {
  ExpectOnly("state_directori: /srv/accrochd\n" + Base(),
             "unknown key \"state_directori\"; did you mean \"state_directory\"?", 1, 1);
}

TEST_F(LoadConfigTest, MisspeltKeyInASource) {
  ExpectOnly(std::string(kSources) + "    fetch_sise: 500\n" + kCertifiers,
             "unknown key \"sources.scolarite.fetch_sise\"; did you mean \"fetch_size\"?", 5, 5);
}

TEST_F(LoadConfigTest, MisspeltKeyInRetry) {
  ExpectOnly(std::string(kSources) + "    retry: {attempt: 3}\n" + kCertifiers,
             "unknown key \"sources.scolarite.retry.attempt\"; did you mean \"attempts\"?", 5, 13);
}

TEST_F(LoadConfigTest, WrongType) {
  ExpectOnly(std::string(kSources) + "    fetch_size: \"lots\"\n" + kCertifiers,
             "sources.scolarite.fetch_size: expected a whole number, found \"lots\"", 5, 17);
}

TEST_F(LoadConfigTest, IdContratThatIsNotUtf8IsRefusedAtItsKey) {
  // A Latin-1 editor's "É": the deposit file would not be XML; say so here, not at deposit time.
  ExpectOnly(WithLine(Base(), 8, "    id_contrat: \"MCF\xC9R000123\""),
             "certifiers.institut.id_contrat: invalid UTF-8 at byte 4 (\\xC9); save the file as "
             "UTF-8",
             8, 17);
}

TEST_F(LoadConfigTest, AControlCharacterInAValueIsRefusedAtItsKey) {
  ExpectOnly(WithLine(Base(), 8, "    id_contrat: \"MCF\\u0008R000123\""),
             "certifiers.institut.id_contrat: character U+0008 at position 4 is not allowed in "
             "XML; remove it (a deposit file is XML 1.0)",
             8, 17);
}

TEST_F(LoadConfigTest, ACertifierNameThatIsNotUtf8IsRefused) {
  ExpectOnly(WithLine(Base(), 6, "  institut\xE9:"),
             "certifiers: the name \"institut\\xE9\" has invalid UTF-8 at byte 9 (\\xE9); save the "
             "file as UTF-8",
             6, 3);
}

TEST_F(LoadConfigTest, AFileThatIsOneTextIsDescribedNotQuoted) {
  ExpectOnly(std::string(kSecret) + "\n",
             "the file: expected a mapping of keys to values, found a text of 12 characters", 1, 1);
}

TEST_F(LoadConfigTest, AWrongValueIsQuotedShortly) {
  ExpectOnly(
      std::string(kSources) + "    page_syntax: " + std::string(1000, 'p') + "\n" + kCertifiers,
      "sources.scolarite.page_syntax: expected \"limit\" (PostgreSQL, MariaDB, SQLite) or "
      "\"offset_fetch\" (SQL Server, Oracle, DB2), found \"" +
          std::string(40, 'p') + "\"... (1000 characters)",
      5, 18);
}

TEST_F(LoadConfigTest, APathTooLongToBeRealIsShownAsAnExcerpt) {
  const std::string full = dir_ + "/" + std::string(1000, 'x');
  ExpectOnly("templates: " + std::string(1000, 'x') + "\n" + Base(),
             "templates: \"" + full.substr(0, 300) + "\"... (" + std::to_string(full.size()) +
                 " characters) is not a directory",
             1, 12);
}

TEST_F(LoadConfigTest, QueryTimeoutBelowOneSecond) {
  ExpectOnly(std::string(kSources) + "    query_timeout: 500ms\n" + kCertifiers,
             "sources.scolarite.query_timeout: must be at least 1s", 5, 20);
}

TEST_F(LoadConfigTest, UnknownPageSyntax) {
  auto config = Load(std::string(kSources) + "    page_syntax: top\n" + kCertifiers);
  ASSERT_FALSE(config.has_value());
  ASSERT_EQ(config.error().size(), 1u);
  EXPECT_THAT(config.error()[0].message,
              StartsWith("sources.scolarite.page_syntax: expected \"limit\""));
  EXPECT_THAT(config.error()[0].message, HasSubstr("found \"top\""));
  EXPECT_EQ(config.error()[0].location.line, 5);
}

TEST_F(LoadConfigTest, RetryInitialDelayLongerThanMax) {
  ExpectOnly(
      std::string(kSources) + "    retry: {initial_delay: 1min, max_delay: 10s}\n" + kCertifiers,
      "sources.scolarite.retry: initial_delay is longer than max_delay", 5, 12);
}

TEST_F(LoadConfigTest, MissingSources) {
  auto config = Load(kCertifiers);
  ASSERT_FALSE(config.has_value());
  const Diagnostics& d = config.error();
  ASSERT_EQ(d.size(), 2u) << FormatDiagnostics(d);
  EXPECT_EQ(d[0].ToString(), path_ + ":1:1: the file: missing required key \"sources\"");
  // The mapping's source cannot be defined either.
  EXPECT_EQ(d[1].ToString(), dir_ +
                                 "/mappings/rs6521.yaml:2:9: source \"scolarite\" is not "
                                 "defined in " +
                                 path_);
}

TEST_F(LoadConfigTest, MissingCertifiers) {
  ExpectOnly(kSources, "the file: missing required key \"certifiers\"", 1, 1);
}

TEST_F(LoadConfigTest, EmptySources) {
  auto config = Load(
      "sources: {}\n"
      "certifiers:\n"
      "  institut:\n"
      "    id_client: \"ABCD1234\"\n"
      "    id_contrat: \"C1\"\n"
      "    mappings: [mappings/rs6521.yaml]\n");
  ASSERT_FALSE(config.has_value());
  const Diagnostics& d = config.error();
  ASSERT_EQ(d.size(), 2u) << FormatDiagnostics(d);
  EXPECT_EQ(d[0].ToString(), path_ + ":1:10: sources: define at least one source");
  EXPECT_EQ(d[1].ToString(), dir_ +
                                 "/mappings/rs6521.yaml:2:9: source \"scolarite\" is not "
                                 "defined in " +
                                 path_);
}

struct MissingKeyCase {
  const char* key;
  const char* dropped;  // lines containing this are removed from the base file
  const char* mapping;  // the mapping that reports it
  int line;
  int column;
};

void PrintTo(const MissingKeyCase& c, std::ostream* os) { *os << c.key; }

class MissingRequiredKeyTest : public LoadConfigTest,
                               public ::testing::WithParamInterface<MissingKeyCase> {};

TEST_P(MissingRequiredKeyTest, ReportedAtTheMapping) {
  const MissingKeyCase& c = GetParam();
  ExpectOnly(Without(Base(), c.dropped),
             std::string(c.mapping) + ": missing required key \"" + c.key + "\"", c.line, c.column);
}

INSTANTIATE_TEST_SUITE_P(
    Keys, MissingRequiredKeyTest,
    ::testing::Values(MissingKeyCase{"connection", "connection:", "sources.scolarite", 3, 5},
                      MissingKeyCase{"id_client", "id_client:", "certifiers.institut", 7, 5},
                      MissingKeyCase{"id_contrat", "id_contrat:", "certifiers.institut", 7, 5},
                      MissingKeyCase{"mappings", "mappings", "certifiers.institut", 7, 5}),
    [](const ::testing::TestParamInfo<MissingKeyCase>& param_info) {
      return std::string(param_info.param.key);
    });

TEST_F(LoadConfigTest, EmptyMappingsList) {
  ExpectOnly(WithLine(Without(Base(), "- mappings/"), 9, "    mappings: []"),
             "certifiers.institut.mappings: expected a list of mapping files", 9, 15);
}

TEST_F(LoadConfigTest, IdClientNotEightCharacters) {
  ExpectOnly(WithLine(Base(), 7, "    id_client: \"ABC123\""),
             "certifiers.institut.id_client: a BCR (idClient) has exactly 8 characters, "
             "\"ABC123\" has 6",
             7, 16);
}

TEST_F(LoadConfigTest, IdClientCountsCharactersNotBytes) {
  auto config = Load(WithLine(Base(), 7, "    id_client: \"ABCDÉ123\""));  // 9 bytes
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  EXPECT_EQ(config->certifiers[0].id_client, "ABCDÉ123");
}

TEST_F(LoadConfigTest, IdContratOverTwentyCharacters) {
  auto twenty = Load(WithLine(Base(), 8, "    id_contrat: \"MCFCER00012345678901\""));
  EXPECT_TRUE(twenty.has_value()) << FormatDiagnostics(twenty.error());
  ExpectOnly(WithLine(Base(), 8, "    id_contrat: \"MCFCER000123456789012\""),
             "certifiers.institut.id_contrat: idContrat has 1 to 20 characters, "
             "\"MCFCER000123456789012\" has 21",
             8, 17);
}

TEST_F(LoadConfigTest, InlinePasswordRefusedWithoutEchoingIt) {
  auto config = Load(WithLine(Base(), 4, std::string("    password: ") + kSecret));
  ASSERT_FALSE(config.has_value());
  const Diagnostics& d = config.error();
  ASSERT_EQ(d.size(), 1u) << FormatDiagnostics(d);
  EXPECT_EQ(d[0].location.line, 4);
  EXPECT_EQ(d[0].location.column, 15);
  EXPECT_EQ(d[0].message,
            "sources.scolarite.password: a password written in the configuration is refused; put "
            "it in a file readable only by accrochd (chmod 600) and write password: {file: "
            "/path/to/file}, or load it as a systemd credential and write password: {credential: "
            "NAME}");
  EXPECT_THAT(FormatDiagnostics(d), Not(HasSubstr(kSecret)));
}

TEST_F(LoadConfigTest, PwdInConnectionStringRefusedWithoutEchoingIt) {
  auto config = Load(WithLine(
      Base(), 3, std::string("    connection: \"Driver=PostgreSQL;Uid=u;PWD=") + kSecret + ";\""));
  ASSERT_FALSE(config.has_value());
  const Diagnostics& d = config.error();
  ASSERT_EQ(d.size(), 1u) << FormatDiagnostics(d);
  EXPECT_EQ(d[0].ToString(), path_ +
                                 ":3:17: sources.scolarite.connection: holds a secret (PWD=...); "
                                 "remove it and give the password with password: {credential: "
                                 "NAME} or {file: PATH}");
  EXPECT_THAT(FormatDiagnostics(d), Not(HasSubstr(kSecret)));
}

TEST_F(LoadConfigTest, BracedPasswordInConnectionStringRefusedWithoutEchoingIt) {
  auto config = Load(WithLine(Base(), 3, "    connection: \"Driver=x;password={S3c;r3t}}}\""));
  ASSERT_FALSE(config.has_value());
  const std::string all = FormatDiagnostics(config.error());
  ASSERT_EQ(config.error().size(), 1u) << all;
  EXPECT_THAT(all, HasSubstr("holds a secret (password=...)"));
  EXPECT_THAT(all, Not(HasSubstr("S3c")));
  EXPECT_THAT(all, Not(HasSubstr("r3t")));
}

TEST_F(LoadConfigTest, MistypedPwdInConnectionStringIsNeitherAcceptedNorPrinted) {
  auto config = Load(WithLine(
      Base(), 3,
      std::string("    connection: \"Driver=x;Uid=u;PWD ") + kSecret + ";Database=scol\""));
  if (config.has_value()) {
    EXPECT_THAT(PrintConfig(*config), Not(HasSubstr(kSecret)));
    ADD_FAILURE() << "a connection string with an attribute without '=' was accepted";
  } else {
    EXPECT_THAT(FormatDiagnostics(config.error()), Not(HasSubstr(kSecret)));
  }
}

TEST_F(LoadConfigTest, UnparsableConnectionString) {
  ExpectOnly(WithLine(Base(), 3, "    connection: \"Driver=x;PWD={S3cr3t\""),
             "sources.scolarite.connection: connection string: the value of \"PWD\" opens '{' "
             "without closing it",
             3, 17);
}

TEST_F(LoadConfigTest, PasswordFileReadableByOthers) {
  WriteFile(dir_ + "/secret.txt", std::string(kSecret) + "\n", 0644);
  const std::string file = dir_ + "/secret.txt";
  ExpectOnly(Base(),
             "sources.scolarite.password.file: " + file +
                 " has mode 0644, readable by other users; run chmod 600 " + file,
             4, 15);
}

TEST_F(LoadConfigTest, PasswordFileMissing) {
  ExpectOnly(WithLine(Base(), 4, "    password: {file: missing.txt}"),
             "sources.scolarite.password.file: cannot read " + dir_ +
                 "/missing.txt: No such file or directory",
             4, 15);
}

TEST_F(LoadConfigTest, PasswordFileEmpty) {
  WriteFile(dir_ + "/secret.txt", "\n", 0600);
  ExpectOnly(Base(), "sources.scolarite.password: " + dir_ + "/secret.txt is empty", 4, 15);
}

TEST_F(LoadConfigTest, PasswordFileIsADirectory) {
  std::filesystem::create_directories(dir_ + "/secrets");
  ExpectOnly(WithLine(Base(), 4, "    password: {file: secrets}"),
             "sources.scolarite.password.file: " + dir_ + "/secrets is not a regular file", 4, 15);
}

TEST_F(LoadConfigTest, CredentialWithoutCredentialsDirectory) {
  ExpectOnly(WithLine(Base(), 4, "    password: {credential: db-password}"),
             "sources.scolarite.password.credential: \"db-password\" needs "
             "$CREDENTIALS_DIRECTORY, which systemd sets for a unit with "
             "LoadCredential=db-password:/path/to/secret; outside systemd use password: {file: "
             "PATH}",
             4, 15);
}

TEST_F(LoadConfigTest, CredentialReadFromCredentialsDirectory) {
  std::filesystem::create_directories(dir_ + "/creds");
  WriteFile(dir_ + "/creds/db-password", std::string(kSecret) + "\n", 0400);
  Environment env;
  env.credentials_directory = dir_ + "/creds";
  auto config = Load(WithLine(Base(), 4, "    password: {credential: db-password}"), env);
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  const SourceConfig& s = config->sources.at("scolarite");
  EXPECT_EQ(s.password, kSecret);
  ASSERT_TRUE(s.password_ref.has_value());
  EXPECT_EQ(s.password_ref->kind, SecretRef::Kind::kCredential);
  EXPECT_EQ(s.password_ref->name, "db-password");
  EXPECT_EQ(s.password_ref->path, dir_ + "/creds/db-password");
}

TEST_F(LoadConfigTest, SecretLosesOneTrailingLineEndOnly) {
  std::filesystem::create_directories(dir_ + "/creds");
  Environment env;
  env.credentials_directory = dir_ + "/creds";
  const std::string text = WithLine(Base(), 4, "    password: {credential: pw}");
  WriteFile(dir_ + "/creds/pw", "a b\r\n");
  auto crlf = Load(text, env);
  ASSERT_TRUE(crlf.has_value()) << FormatDiagnostics(crlf.error());
  EXPECT_EQ(crlf->sources.at("scolarite").password, "a b");
  WriteFile(dir_ + "/creds/pw", "a b\n\n");
  auto two = Load(text, env);
  ASSERT_TRUE(two.has_value()) << FormatDiagnostics(two.error());
  EXPECT_EQ(two->sources.at("scolarite").password, "a b\n");
  WriteFile(dir_ + "/creds/pw", "no newline");
  auto none = Load(text, env);
  ASSERT_TRUE(none.has_value()) << FormatDiagnostics(none.error());
  EXPECT_EQ(none->sources.at("scolarite").password, "no newline");
}

TEST_F(LoadConfigTest, CredentialMissingFromCredentialsDirectory) {
  Environment env;
  env.credentials_directory = dir_ + "/creds";
  ExpectOnly(WithLine(Base(), 4, "    password: {credential: db-password}"),
             "sources.scolarite.password: cannot read " + dir_ +
                 "/creds/db-password: No such file or directory",
             4, 15, env);
}

TEST_F(LoadConfigTest, CredentialNameWithSlash) {
  Environment env;
  env.credentials_directory = dir_;
  ExpectOnly(WithLine(Base(), 4, "    password: {credential: ../secret.txt}"),
             "sources.scolarite.password.credential: a credential name cannot contain '/'", 4, 15,
             env);
}

TEST_F(LoadConfigTest, EmptyCredentialNameIsNotBlamedOnASlash) {
  Environment env;
  env.credentials_directory = dir_;
  auto config = Load(WithLine(Base(), 4, "    password: {credential: \"\"}"), env);
  ASSERT_FALSE(config.has_value());
  ASSERT_EQ(config.error().size(), 1u) << FormatDiagnostics(config.error());
  EXPECT_THAT(config.error()[0].message, Not(HasSubstr("cannot contain '/'")));
}

TEST_F(LoadConfigTest, BothCredentialAndFile) {
  Environment env;
  env.credentials_directory = dir_;
  ExpectOnly(WithLine(Base(), 4, "    password: {credential: secret.txt, file: secret.txt}"),
             "sources.scolarite.password: give exactly one of credential: NAME or file: PATH", 4,
             15, env);
}

TEST_F(LoadConfigTest, NeitherCredentialNorFile) {
  ExpectOnly(WithLine(Base(), 4, "    password: {}"),
             "sources.scolarite.password: give exactly one of credential: NAME or file: PATH", 4,
             15);
}

TEST_F(LoadConfigTest, MappingFileMissingReportedAtTheListItem) {
  ExpectOnly(WithLine(Base(), 10, "      - mappings/absent.yaml"),
             "certifiers.institut.mappings: cannot open file: No such file or directory: " + dir_ +
                 "/mappings/absent.yaml",
             10, 9);
}

TEST_F(LoadConfigTest, MappingNamingAnUndefinedSource) {
  WriteFile(
      dir_ + "/mappings/compta.yaml",
      "certification: {type: RS, code: RS1}\nsource: compta\nquery: SELECT 1\n" + kMappingTail);
  auto config = Load(WithLine(Base(), 10, "      - mappings/compta.yaml"));
  ASSERT_FALSE(config.has_value());
  const Diagnostics& d = config.error();
  ASSERT_EQ(d.size(), 1u) << FormatDiagnostics(d);
  EXPECT_EQ(d[0].ToString(), dir_ +
                                 "/mappings/compta.yaml:2:9: source \"compta\" is not defined "
                                 "in " +
                                 path_ + " (defined: scolarite)");
}

TEST_F(LoadConfigTest, MappingProblemsAreReportedInTheMappingFile) {
  WriteFile(dir_ + "/mappings/rs6521.yaml", std::string(kMapping) + "page_sise: 10\n");
  auto config = Load(Base());
  ASSERT_FALSE(config.has_value());
  const Diagnostics& d = config.error();
  ASSERT_EQ(d.size(), 1u) << FormatDiagnostics(d);
  EXPECT_EQ(d[0].ToString(), dir_ + "/mappings/rs6521.yaml:" + std::to_string(LineAfterMapping()) +
                                 ":1: unknown key \"page_sise\"; did you mean \"page_size\"?");
}

TEST_F(LoadConfigTest, MappingProblemsAndUndefinedSourceInOnePass) {
  WriteFile(dir_ + "/mappings/compta.yaml",
            "certification: {type: RS}\nsource: compta\nquery: SELECT 1\n" + kMappingTail);
  auto config = Load(WithLine(Base(), 10, "      - mappings/compta.yaml"));
  ASSERT_FALSE(config.has_value());
  const Diagnostics& d = config.error();
  ASSERT_EQ(d.size(), 2u) << FormatDiagnostics(d);
  const std::string mapping = dir_ + "/mappings/compta.yaml";
  EXPECT_EQ(d[0].ToString(), mapping + ":1:16: certification: missing required key \"code\"");
  EXPECT_EQ(d[1].ToString(), mapping + ":2:9: source \"compta\" is not defined in " + path_ +
                                 " (defined: scolarite)");
}

TEST_F(LoadConfigTest, MappingWithoutSourceIsNotReportedTwice) {
  WriteFile(dir_ + "/mappings/rs6521.yaml",
            "certification: {type: RS, code: RS1}\nquery: SELECT 1\n" + kMappingTail);
  auto config = Load(Base());
  ASSERT_FALSE(config.has_value());
  ASSERT_EQ(config.error().size(), 1u) << FormatDiagnostics(config.error());
  EXPECT_EQ(config.error()[0].ToString(),
            dir_ + "/mappings/rs6521.yaml:1:1: the file: missing required key \"source\"");
}

TEST_F(LoadConfigTest, RelativePathsResolveAgainstTheConfigDirectory) {
  std::filesystem::create_directories(dir_ + "/etc");
  std::filesystem::rename(dir_ + "/secret.txt", dir_ + "/etc/secret.txt");
  const std::string text = std::string(kSources) +
                           "state_directory: state\n"
                           "certifiers:\n"
                           "  institut:\n"
                           "    id_client: \"ABCD1234\"\n"
                           "    id_contrat: \"C1\"\n"
                           "    mappings:\n"
                           "      - ../mappings/./rs6521.yaml\n"
                           "      - " +
                           dir_ + "/mappings/rs6521.yaml\n";
  WriteFile(dir_ + "/etc/accrochd.yaml", text);
  auto config = LoadConfig(dir_ + "/etc/accrochd.yaml", {});
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  EXPECT_EQ(config->state_directory, dir_ + "/etc/state");
  EXPECT_EQ(config->sources.at("scolarite").password_ref->path, dir_ + "/etc/secret.txt");
  const auto& mappings = config->certifiers[0].mappings;
  ASSERT_EQ(mappings.size(), 2u);
  EXPECT_EQ(mappings[0].file, dir_ + "/mappings/rs6521.yaml");
  EXPECT_EQ(mappings[1].file, dir_ + "/mappings/rs6521.yaml");
}

// monitoring: the metrics file and the HTML report, off by default; relative paths resolved
// against the configuration's directory; a missing directory or a directory given for a file
// refused at its key.
TEST_F(LoadConfigTest, MonitoringFilesAreOffByDefaultAndResolvedLikeOtherPaths) {
  auto plain = Load(Base());
  ASSERT_TRUE(plain.has_value()) << FormatDiagnostics(plain.error());
  EXPECT_FALSE(plain->monitoring.metrics_file.has_value());
  EXPECT_FALSE(plain->monitoring.report_file.has_value());
  EXPECT_THAT(PrintConfig(*plain), Not(HasSubstr("monitoring")));

  std::filesystem::create_directories(dir_ + "/www");
  auto config = Load(Base() + "monitoring:\n  metrics_file: accrochd.prom\n  report_file: " + dir_ +
                     "/www/./index.html\n");
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  EXPECT_EQ(config->monitoring.metrics_file, dir_ + "/accrochd.prom");
  EXPECT_EQ(config->monitoring.report_file, dir_ + "/www/index.html");
  EXPECT_THAT(PrintConfig(*config),
              HasSubstr("monitoring:\n  metrics_file: " + dir_ +
                        "/accrochd.prom\n  report_file: " + dir_ + "/www/index.html\n"));
}

TEST_F(LoadConfigTest, MonitoringFileInAMissingDirectory) {
  ExpectOnly(Base() + "monitoring:\n  metrics_file: textfile/accrochd.prom\n",
             "monitoring.metrics_file: the directory " + dir_ +
                 "/textfile does not exist; create it (writable by accrochd's user) or choose "
                 "another",
             12, 17);
}

TEST_F(LoadConfigTest, MonitoringFileThatIsADirectory) {
  ExpectOnly(Base() + "monitoring:\n  report_file: mappings\n",
             "monitoring.report_file: " + dir_ + "/mappings is a directory; give a file name", 12,
             16);
  ExpectOnly(Base() + "monitoring:\n  report_file: \"\"\n",
             "monitoring.report_file: expected the path of a file, found \"\"", 12, 16);
}

TEST_F(LoadConfigTest, MonitoringKeysAreChecked) {
  ExpectOnly(Base() + "monitoring:\n  metric_file: accrochd.prom\n",
             "unknown key \"monitoring.metric_file\"; did you mean \"metrics_file\"?", 12, 3);
  ExpectOnly(Base() + "monitoring:\n  metrics_file: [a, b]\n",
             "monitoring.metrics_file: expected a text value, found a list", 12, 17);
  ExpectOnly(Base() + "monitoring:\n  metrics_file: x.prom\n  report_file: x.prom\n",
             "monitoring.report_file: the same file as monitoring.metrics_file; give each its own",
             13, 16);
}

TEST_F(LoadConfigTest, StateDirectoryFromEnvironmentElseDefault) {
  auto by_default = Load(Base());
  ASSERT_TRUE(by_default.has_value()) << FormatDiagnostics(by_default.error());
  EXPECT_EQ(by_default->state_directory, "/var/lib/accrochd");

  Environment env;
  env.state_directory = "/var/lib/private/accrochd";
  auto from_env = Load(Base(), env);
  ASSERT_TRUE(from_env.has_value()) << FormatDiagnostics(from_env.error());
  EXPECT_EQ(from_env->state_directory, "/var/lib/private/accrochd");

  auto from_file = Load("state_directory: /srv/accrochd\n" + Base(), env);
  ASSERT_TRUE(from_file.has_value()) << FormatDiagnostics(from_file.error());
  EXPECT_EQ(from_file->state_directory, "/srv/accrochd");
}

TEST_F(LoadConfigTest, ReportsEveryProblemInOneRun) {
  auto config = Load(
      "sources:\n"
      "  scolarite:\n"
      "    connection: \"Driver=x;PWD=S3cr3t-Xyzzy\"\n"
      "    fetch_size: 0\n"
      "    query_timeout: 500ms\n"
      "certifiers:\n"
      "  institut:\n"
      "    id_client: \"ABC\"\n"
      "    id_contrat: \"\"\n"
      "    mappings:\n"
      "      - mappings/rs6521.yaml\n"
      "colour: blue\n");
  ASSERT_FALSE(config.has_value());
  const Diagnostics& d = config.error();
  ASSERT_EQ(d.size(), 6u) << FormatDiagnostics(d);
  std::vector<int> lines;
  for (const Diagnostic& diagnostic : d) lines.push_back(diagnostic.location.line);
  EXPECT_THAT(lines, ElementsAre(3, 4, 5, 8, 9, 12));
  EXPECT_THAT(d[0].message, HasSubstr("holds a secret (PWD=...)"));
  EXPECT_EQ(d[1].message, "sources.scolarite.fetch_size: 0 is out of range (1 to 100000)");
  EXPECT_EQ(d[2].message, "sources.scolarite.query_timeout: must be at least 1s");
  EXPECT_THAT(d[3].message, HasSubstr("has exactly 8 characters, \"ABC\" has 3"));
  EXPECT_THAT(d[4].message, HasSubstr("idContrat has 1 to 20 characters, \"\" has 0"));
  EXPECT_EQ(d[5].message,
            "unknown key \"colour\"; known keys here: alerts, certifiers, deadlines, deposit, "
            "emetteur, monitoring, "
            "run, schema_version, sources, state_directory, templates, timezone");
  EXPECT_THAT(FormatDiagnostics(d), Not(HasSubstr(kSecret)));
}

// ---- schema_version and timezone ----

TEST_F(LoadConfigTest, SchemaVersionAndTimeZoneDefaults) {
  auto config = Load(Base());
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  EXPECT_EQ(config->schema_version, mappings::SchemaVersion::k115);
  EXPECT_EQ(config->timezone, "Europe/Paris");
  EXPECT_EQ(config->certifiers[0].timezone, "Europe/Paris");
}

TEST_F(LoadConfigTest, SchemaVersionQuoted) {
  auto config = Load("schema_version: \"1.1.2\"\n" + Base());
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  EXPECT_EQ(config->schema_version, mappings::SchemaVersion::k112);
}

TEST_F(LoadConfigTest, SchemaVersionUnquotedIsTextForYaml) {
  // With two dots, 1.1.5 is no YAML number: the plain scalar is the text "1.1.5".
  auto v115 = Load("schema_version: 1.1.5\n" + Base());
  ASSERT_TRUE(v115.has_value()) << FormatDiagnostics(v115.error());
  EXPECT_EQ(v115->schema_version, mappings::SchemaVersion::k115);
  auto v112 = Load("schema_version: 1.1.2\n" + Base());
  ASSERT_TRUE(v112.has_value()) << FormatDiagnostics(v112.error());
  EXPECT_EQ(v112->schema_version, mappings::SchemaVersion::k112);
}

TEST_F(LoadConfigTest, SchemaVersionUnknown) {
  ExpectOnly("schema_version: \"2.0\"\n" + Base(),
             "schema_version: expected \"1.1.2\" or \"1.1.5\", found \"2.0\" (write it in quotes: "
             "1.1.5 is not a number)",
             1, 17);
}

TEST_F(LoadConfigTest, SchemaVersionAsANumber) {
  ExpectOnly(Base() + "schema_version: 1.1\n",
             "schema_version: expected \"1.1.2\" or \"1.1.5\", found \"1.1\" (write it in quotes: "
             "1.1.5 is not a number)",
             11, 17);
}

TEST_F(LoadConfigTest, SchemaVersionNotAText) {
  ExpectOnly("schema_version: [1, 1, 5]\n" + Base(),
             "schema_version: expected a text value, found a list", 1, 17);
}

TEST_F(LoadConfigTest, TimeZoneForEveryCertifier) {
  auto config = Load("timezone: America/Cayenne\n" + Base());
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  EXPECT_EQ(config->timezone, "America/Cayenne");
  EXPECT_EQ(config->certifiers[0].timezone, "America/Cayenne");
}

TEST_F(LoadConfigTest, TimeZoneOfOneCertifier) {
  auto config = Load("timezone: America/Cayenne\n" +
                     WithLine(Base(), 6, "  institut:\n    timezone: Indian/Reunion"));
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  EXPECT_EQ(config->timezone, "America/Cayenne");
  EXPECT_EQ(config->certifiers[0].timezone, "Indian/Reunion");
}

TEST_F(LoadConfigTest, UnknownTimeZone) {
  ExpectOnly("timezone: Europe/Pariss\n" + Base(),
             "timezone: unknown time zone \"Europe/Pariss\" (a name of the tz database, such as "
             "Europe/Paris; is the tzdata package installed?)",
             1, 11);
}

TEST_F(LoadConfigTest, UnknownTimeZoneOfOneCertifier) {
  ExpectOnly(WithLine(Base(), 6, "  institut:\n    timezone: Mars/Olympus_Mons"),
             "certifiers.institut.timezone: unknown time zone \"Mars/Olympus_Mons\" (a name of the "
             "tz database, such as Europe/Paris; is the tzdata package installed?)",
             7, 15);
}

TEST_F(LoadConfigTest, MappingsAreLoadedForTheConfiguredSchemaVersion) {
  WriteFile(dir_ + "/mappings/rs6521.yaml", kMapping + "  nir: nir\n");
  auto v115 = Load(Base());
  ASSERT_TRUE(v115.has_value()) << FormatDiagnostics(v115.error());
  EXPECT_TRUE(v115->certifiers[0].mappings[0].maps(mappings::Field::nir));

  auto v112 = Load("schema_version: \"1.1.2\"\n" + Base());
  ASSERT_FALSE(v112.has_value());
  ASSERT_EQ(v112.error().size(), 1u) << FormatDiagnostics(v112.error());
  EXPECT_EQ(v112.error()[0].ToString(),
            dir_ + "/mappings/rs6521.yaml:" + std::to_string(LineAfterMapping()) +
                ":3: fields: nir does not exist in schema 1.1.2; identifiantNational (nir) needs "
                "schema_version: \"1.1.5\"");
}

TEST_F(LoadConfigTest, SchemaVersionAppliesWhereverItIsWritten) {
  WriteFile(dir_ + "/mappings/rs6521.yaml", kMapping + "  nir: nir\n");
  auto config = Load(Base() + "schema_version: \"1.1.2\"\n");
  ASSERT_FALSE(config.has_value());
  ASSERT_EQ(config.error().size(), 1u) << FormatDiagnostics(config.error());
  EXPECT_THAT(config.error()[0].message, StartsWith("fields: nir does not exist in schema 1.1.2"));
}

TEST_F(LoadConfigTest, PrintedConfigShowsSchemaVersionAndTimeZones) {
  auto config = Load("schema_version: \"1.1.2\"\ntimezone: America/Cayenne\n" +
                     WithLine(Base(), 6, "  institut:\n    timezone: Indian/Reunion"));
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  const std::string text = PrintConfig(*config);
  EXPECT_THAT(text, HasSubstr("schema_version: \"1.1.2\""));  // quoted: stays text
  YAML::Node root = YAML::Load(text);
  EXPECT_EQ(root["schema_version"].as<std::string>(), "1.1.2");
  EXPECT_EQ(root["timezone"].as<std::string>(), "America/Cayenne");
  EXPECT_EQ(root["certifiers"]["institut"]["timezone"].as<std::string>(), "Indian/Reunion");
}

// ---- PrintConfig ----

Config SampleConfig() {
  Config config;
  config.file = "/etc/accrochd/accrochd.yaml";
  config.state_directory = "/var/lib/accrochd";
  SourceConfig s;
  s.name = "scolarite";
  s.connection = "Driver=PostgreSQL Unicode;Server=db;Uid=accrochd;";
  s.password_ref = SecretRef{SecretRef::Kind::kCredential, "db-password",
                             "/run/credentials/accrochd.service/db-password"};
  s.password = kSecret;
  config.sources.emplace(s.name, s);
  CertifierConfig c;
  c.name = "institut";
  c.id_client = "ABCD1234";
  c.id_contrat = "00012";
  mappings::Mapping m;
  m.file = "/etc/accrochd/mappings/rs6521.yaml";
  c.mappings.push_back(m);
  config.certifiers.push_back(c);
  return config;
}

TEST(PrintConfigTest, ShowsDefaultsAndSecretsByReferenceOnly) {
  const std::string text = PrintConfig(SampleConfig());
  EXPECT_THAT(text, StartsWith("# effective configuration from /etc/accrochd/accrochd.yaml\n"));
  EXPECT_THAT(text, Not(HasSubstr(kSecret)));
  EXPECT_THAT(text, Not(HasSubstr("/run/credentials")));
  YAML::Node root = YAML::Load(text);
  EXPECT_EQ(root["state_directory"].as<std::string>(), "/var/lib/accrochd");
  YAML::Node s = root["sources"]["scolarite"];
  EXPECT_EQ(s["connection"].as<std::string>(), "Driver=PostgreSQL Unicode;Server=db;Uid=accrochd;");
  EXPECT_EQ(s["password"]["credential"].as<std::string>(), "db-password");
  EXPECT_EQ(s["password"].size(), 1u);
  EXPECT_EQ(s["fetch_size"].as<std::string>(), "1000");
  EXPECT_EQ(s["query_timeout"].as<std::string>(), "5min");
  EXPECT_EQ(s["retry"]["attempts"].as<std::string>(), "5");
  EXPECT_EQ(s["retry"]["initial_delay"].as<std::string>(), "1s");
  EXPECT_EQ(s["retry"]["max_delay"].as<std::string>(), "1min");
  EXPECT_EQ(s["page_syntax"].as<std::string>(), "limit");
  YAML::Node c = root["certifiers"]["institut"];
  EXPECT_EQ(c["id_client"].as<std::string>(), "ABCD1234");
  EXPECT_EQ(c["id_contrat"].as<std::string>(), "00012");
  EXPECT_THAT(text, HasSubstr("id_contrat: \"00012\""));  // quoted: stays text, not a number
  ASSERT_EQ(c["mappings"].size(), 1u);
  EXPECT_EQ(c["mappings"][0].as<std::string>(), "/etc/accrochd/mappings/rs6521.yaml");
}

TEST(PrintConfigTest, RedactsSecretsInTheConnectionString) {
  Config config = SampleConfig();
  config.sources.at("scolarite").connection = std::string("Driver=x;PWD=") + kSecret + ";";
  config.sources.at("scolarite").password_ref.reset();
  const std::string text = PrintConfig(config);
  EXPECT_THAT(text, Not(HasSubstr(kSecret)));
  YAML::Node s = YAML::Load(text)["sources"]["scolarite"];
  EXPECT_EQ(s["connection"].as<std::string>(), "Driver=x;PWD=***;");
  EXPECT_FALSE(s["password"].IsDefined());
}

TEST(PrintConfigTest, FileSecretShownByItsWrittenName) {
  Config config = SampleConfig();
  config.sources.at("scolarite").password_ref =
      SecretRef{SecretRef::Kind::kFile, "secret.txt", "/etc/accrochd/secret.txt"};
  YAML::Node s = YAML::Load(PrintConfig(config))["sources"]["scolarite"];
  EXPECT_EQ(s["password"]["file"].as<std::string>(), "secret.txt");
}

TEST_F(LoadConfigTest, PrintedLoadedConfigNeverShowsThePassword) {
  auto config = Load(Base());
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  const std::string text = PrintConfig(*config);
  EXPECT_THAT(text, Not(HasSubstr(kSecret)));
  EXPECT_THAT(text, HasSubstr("password: {file: secret.txt}"));
}

// ---- Environment ----

TEST(DefaultConfigPathTest, ConfigurationDirectoryElseEtc) {
  EXPECT_EQ(DefaultConfigPath({}), "/etc/accrochd/accrochd.yaml");
  Environment env;
  env.configuration_directory = "/etc/custom";
  EXPECT_EQ(DefaultConfigPath(env), "/etc/custom/accrochd.yaml");
}

// Sets an environment variable for one scope, restoring the previous value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(EnvironmentTest, FromProcessTakesTheFirstOfSeveralDirectories) {
  ScopedEnv credentials("CREDENTIALS_DIRECTORY", "/run/credentials/accrochd.service");
  ScopedEnv state("STATE_DIRECTORY", "/var/lib/accrochd:/var/lib/other");
  ScopedEnv configuration("CONFIGURATION_DIRECTORY", "");
  Environment env = Environment::FromProcess();
  EXPECT_EQ(env.credentials_directory, "/run/credentials/accrochd.service");
  EXPECT_EQ(env.state_directory, "/var/lib/accrochd");
  EXPECT_EQ(env.configuration_directory, std::nullopt);  // empty counts as unset
}

// ---- alerts ----

constexpr const char* kAlerts =
    "alerts:\n"
    "  email:\n"
    "    server: smtp://smtp.exemple.fr:587\n"
    "    from: accrochd@exemple.fr\n"
    "    username: accrochd\n"
    "    password: {file: secret.txt}\n"
    "  webhooks:\n"
    "    equipe:\n"
    "      url: https://chat.exemple.fr/hooks/abc\n"
    "      format: slack\n"
    "      headers: {X-Source: accrochd}\n"
    "      token: {file: secret.txt}\n"
    "  daily_summary: \"07:30\"\n"
    "  receipt_after: 10d\n"
    "  retry: {initial_delay: 2min, max_delay: 30min, give_up_after: 2d}\n";

TEST_F(LoadConfigTest, ReadsTheAlertChannelsAndRecipients) {
  auto config = Load(std::string(kAlerts) + Base() +
                     "    alerts:\n"
                     "      - {email: scolarite@exemple.fr}\n"
                     "      - {email: direction@exemple.fr, severity: urgent}\n"
                     "      - {webhook: equipe}\n");
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  ASSERT_TRUE(config->alerts.email.has_value());
  const EmailChannelConfig& e = *config->alerts.email;
  EXPECT_EQ(e.smtp.url, "smtp://smtp.exemple.fr:587");
  EXPECT_EQ(e.smtp.from, "accrochd@exemple.fr");
  EXPECT_TRUE(e.smtp.require_tls);  // STARTTLS unless said otherwise
  EXPECT_EQ(e.smtp.username, "accrochd");
  EXPECT_EQ(e.smtp.password, kSecret);
  const WebhookConfig& w = config->alerts.webhooks.at("equipe");
  EXPECT_EQ(w.format, WebhookConfig::Format::kSlack);
  EXPECT_EQ(w.settings.headers.at("X-Source"), "accrochd");
  EXPECT_EQ(w.settings.bearer_token, kSecret);
  EXPECT_EQ(config->alerts.daily_summary_at, 7 * 60 + 30);
  EXPECT_EQ(config->alerts.receipt_after, std::chrono::hours(240));
  EXPECT_EQ(config->alerts.retry.initial_delay, std::chrono::minutes(2));
  EXPECT_EQ(config->alerts.give_up_after, std::chrono::hours(48));
  const CertifierConfig& c = config->certifiers[0];
  ASSERT_EQ(c.alerts.size(), 3u);
  EXPECT_EQ(c.alerts[1].address, "direction@exemple.fr");
  EXPECT_EQ(c.alerts[1].severity, Severity::kUrgent);
  EXPECT_EQ(c.alerts[0].severity, Severity::kInfo);
  EXPECT_EQ(c.alerts[2].kind, AlertRecipient::Kind::kWebhook);
  // Printed by reference only.
  const std::string printed = PrintConfig(*config);
  EXPECT_THAT(printed, HasSubstr("daily_summary: \"07:30\""));
  EXPECT_THAT(printed, HasSubstr("token: {file: secret.txt}"));
  EXPECT_THAT(printed, Not(HasSubstr(kSecret)));
}

TEST_F(LoadConfigTest, AlertsDefaults) {
  auto config = Load(Base());
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  EXPECT_FALSE(config->alerts.email.has_value());
  EXPECT_EQ(config->alerts.daily_summary_at, 8 * 60);
  EXPECT_EQ(config->alerts.receipt_after, std::chrono::hours(24 * 7));
  EXPECT_TRUE(config->certifiers[0].alerts.empty());
}

TEST_F(LoadConfigTest, AnEmailRecipientWithoutAServerIsAnError) {
  ExpectOnly(Base() + "    alerts:\n      - {email: scolarite@exemple.fr}\n",
             "certifiers.institut.alerts.email: no e-mail server is configured; add alerts.email "
             "(server, from) at the top level",
             12, 17);
}

TEST_F(LoadConfigTest, AnUnknownWebhookIsAnErrorNamingTheDefinedOnes) {
  auto config = Load(std::string(kAlerts) + Base() + "    alerts:\n      - {webhook: equip}\n");
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(FormatDiagnostics(config.error()),
              HasSubstr("certifiers.institut.alerts.webhook: no webhook named \"equip\" in "
                        "alerts.webhooks (defined: equipe)"));
}

TEST_F(LoadConfigTest, BadAlertSettingsAreEachReported) {
  auto config = Load(
      "alerts:\n"
      "  email: {server: \"http://smtp\", from: \"not an address\", starttls: maybe}\n"
      "  webhooks:\n"
      "    x: {url: ftp://x, format: teams, token: \"in clear\"}\n"
      "  daily_summary: \"25:00\"\n" +
      Base() + "    alerts:\n      - {email: \"a@b\", severity: high}\n");
  ASSERT_FALSE(config.has_value());
  const std::string all = FormatDiagnostics(config.error());
  EXPECT_THAT(all, HasSubstr("alerts.email.server: expected smtp://HOST:PORT"));
  EXPECT_THAT(all, HasSubstr("alerts.email.from: \"not an address\" is not an e-mail address"));
  EXPECT_THAT(all, HasSubstr("alerts.email.starttls"));
  EXPECT_THAT(all, HasSubstr("alerts.webhooks.x.url: expected https://"));
  EXPECT_THAT(all, HasSubstr("alerts.webhooks.x.format: expected \"json\""));
  EXPECT_THAT(all, HasSubstr("alerts.webhooks.x.token: a token written in the configuration is "
                             "refused"));
  EXPECT_THAT(all, Not(HasSubstr("in clear")));
  EXPECT_THAT(all, HasSubstr("alerts.daily_summary: expected a time \"HH:MM\""));
  EXPECT_THAT(all, HasSubstr("severity: expected \"info\""));
  EXPECT_THAT(all, HasSubstr("\"a@b\" is not an e-mail address"));
}

// --- The upload hook: deposit.on_publish and deposit.hook.

class UploadHookConfigTest : public LoadConfigTest {
 protected:
  void SetUp() override {
    LoadConfigTest::SetUp();
    program_ = dir_ + "/deposer.sh";
    WriteFile(program_, "#!/bin/sh\nexit 0\n", 0755);
  }
  std::string program_;
};

TEST_F(UploadHookConfigTest, ReadsTheCommandAndItsSettings) {
  const std::string command = "[" + program_ + ", --profil, \"deux mots\", 3]";
  auto config = Load("deposit:\n  on_publish: " + command +
                     "\n"
                     "  hook:\n"
                     "    timeout: 90s\n"
                     "    mark_uploaded: true\n"
                     "    alert_after: 5\n"
                     "    retry_max_delay: 2h\n" +
                     Base());
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  ASSERT_TRUE(config->deposit.on_publish.has_value());
  const HookConfig& hook = *config->deposit.on_publish;
  EXPECT_THAT(hook.command, ElementsAre(program_, "--profil", "deux mots", "3"));
  EXPECT_EQ(hook.location.line, 2);
  EXPECT_EQ(hook.timeout, std::chrono::seconds(90));
  EXPECT_TRUE(hook.mark_uploaded);
  EXPECT_EQ(hook.alert_after, 5);
  EXPECT_EQ(hook.retry_max_delay, std::chrono::hours(2));
  const std::string printed = PrintConfig(*config);
  EXPECT_THAT(printed, HasSubstr("on_publish: [" + program_ + ", --profil, deux mots, 3]"));
  EXPECT_THAT(printed, HasSubstr("timeout: 1min 30s"));
  EXPECT_THAT(printed, HasSubstr("mark_uploaded: true"));
  EXPECT_THAT(printed, HasSubstr("retry_max_delay: 2h"));
}

TEST_F(UploadHookConfigTest, OffByDefaultAndDefaultsWhenOnlyTheCommandIsGiven) {
  auto none = Load(Base());
  ASSERT_TRUE(none.has_value()) << FormatDiagnostics(none.error());
  EXPECT_FALSE(none->deposit.on_publish.has_value());
  EXPECT_THAT(PrintConfig(*none), Not(HasSubstr("on_publish")));

  auto config = Load("deposit: {on_publish: [" + program_ + "]}\n" + Base());
  ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
  const HookConfig& hook = *config->deposit.on_publish;
  EXPECT_THAT(hook.command, ElementsAre(program_));
  EXPECT_EQ(hook.timeout, std::chrono::minutes(10));
  EXPECT_FALSE(hook.mark_uploaded);
  EXPECT_EQ(hook.alert_after, 3);
  EXPECT_EQ(hook.retry_max_delay, std::chrono::hours(6));
}

TEST_F(UploadHookConfigTest, TheCommandIsAListNotAShellLine) {
  ExpectOnly("deposit:\n  on_publish: " + program_ + " --profil production\n" + Base(),
             "deposit.on_publish: expected a list, the program then its arguments, e.g. "
             "[/usr/local/bin/deposer-cdc, --profil, production] (no shell runs it: write each "
             "argument as an item)",
             2, 15);
  ExpectOnly("deposit:\n  on_publish: []\n" + Base(),
             "deposit.on_publish: expected a list, the program then its arguments, e.g. "
             "[/usr/local/bin/deposer-cdc, --profil, production] (no shell runs it: write each "
             "argument as an item)",
             2, 15);
  ExpectOnly("deposit:\n  on_publish: [" + program_ + ", {a: b}]\n" + Base(),
             "deposit.on_publish: expected a text value, found a mapping", 2,
             static_cast<int>(18 + program_.size()));
}

TEST_F(UploadHookConfigTest, TheProgramMustBeAnAbsolutePath) {
  ExpectOnly("deposit:\n  on_publish: [deposer.sh, --profil]\n" + Base(),
             "deposit.on_publish: the program must be an absolute path, found \"deposer.sh\" "
             "(accrochd runs it without a shell and without searching PATH, so that what runs is "
             "the file accrochd check checked)",
             2, 16);
}

TEST_F(UploadHookConfigTest, TheProgramMustExistAndBeExecutable) {
  ExpectOnly("deposit:\n  on_publish: [" + dir_ + "/absent.sh]\n" + Base(),
             "deposit.on_publish: cannot run " + dir_ + "/absent.sh: No such file or directory", 2,
             16);
  WriteFile(dir_ + "/plain.sh", "#!/bin/sh\nexit 0\n", 0644);
  ExpectOnly("deposit:\n  on_publish: [" + dir_ + "/plain.sh]\n" + Base(),
             "deposit.on_publish: cannot run " + dir_ +
                 "/plain.sh: Permission denied (it must be executable by the user accrochd runs "
                 "as)",
             2, 16);
  ExpectOnly("deposit:\n  on_publish: [" + dir_ + "]\n" + Base(),
             "deposit.on_publish: cannot run " + dir_ + ": not a regular file", 2, 16);
}

TEST_F(UploadHookConfigTest, HookSettingsWithoutACommandAreAnError) {
  ExpectOnly("deposit:\n  hook: {mark_uploaded: true}\n" + Base(),
             "deposit.hook: sets how deposit.on_publish runs, and deposit.on_publish is not set; "
             "add it (the program and its arguments) or remove hook",
             2, 9);
}

TEST_F(UploadHookConfigTest, EachBadSettingIsReportedAtItsKey) {
  const std::string head = "deposit:\n  on_publish: [" + program_ + "]\n  hook:\n";
  ExpectOnly(head + "    timeout: 0s\n" + Base(), "deposit.hook.timeout: from 1s to 1d", 4, 14);
  ExpectOnly(head + "    timeout: 2d\n" + Base(), "deposit.hook.timeout: from 1s to 1d", 4, 14);
  ExpectOnly(head + "    alert_after: 0\n" + Base(),
             "deposit.hook.alert_after: 0 is out of range (1 to 1000)", 4, 18);
  ExpectOnly(head + "    retry_max_delay: 30s\n" + Base(),
             "deposit.hook.retry_max_delay: at least 1min", 4, 22);
  ExpectOnly(head + "    mark_uploaded: oui\n" + Base(),
             "deposit.hook.mark_uploaded: expected true or false, found \"oui\"", 4, 20);
  ExpectOnly(head + "    mark_upload: true\n" + Base(),
             "unknown key \"deposit.hook.mark_upload\"; did you mean \"mark_uploaded\"?", 4, 5);
}

}  // namespace
}  // namespace accrochd::daemon
