// Golden mapping cases, read like a specification: tests/golden/<case>/ holds
//
//   mapping.yaml      the mapping under test (its source must be named "fixture")
//   fixture.sql       SQLite statements creating and filling the tables the query reads
//   case.yaml         optional: schema_version ("1.1.2" | "1.1.5", default 1.1.5),
//                     today (YYYY-MM-DD, default 2026-11-15), timezone (default Europe/Paris),
//                     deposit (true: the case also checks the deposit file, below)
//   passages.txt      the expected passages: valid ones and those held back, in row order
//   quarantine.txt    the expected quarantine, one line per reason
//   deposit.xml       with deposit: true, the one deposit file a cycle (as `accrochd once`)
//                     publishes, byte for byte but its random idFlux, written {idFlux}
//   errors.txt        instead of the two above, for a mapping that must not load: the expected
//                     diagnostics, "line:col: message", one per line
//
// The fixture is loaded into a SQLite file and read through the SQLite ODBC driver, like any
// production source; the mapping is loaded, run, validated by the real code. To see what a
// case produces, or to write a new case's expectations, run the test with
// ACCROCHD_GOLDEN_UPDATE=1: it writes the files instead of comparing (review them!).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "connectors/store/state_store.h"
#include "core/calendar.h"
#include "core/log.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/state_lock.h"
#include "mappings/dictionary.h"
#include "mappings/mapping.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::golden {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(ACCROCHD_SOURCE_DIR) / "tests" / "golden";

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (entry.is_directory() && fs::exists(entry.path() / "mapping.yaml")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

bool Updating() {
  const char* v = std::getenv("ACCROCHD_GOLDEN_UPDATE");
  return v != nullptr && std::string(v) == "1";
}

// Compares, or writes when updating. Shows both texts on a difference.
void Expect(const fs::path& file, const std::string& actual) {
  if (Updating()) {
    WriteText(file, actual);
    return;
  }
  ASSERT_TRUE(fs::exists(file)) << file
                                << " is missing; run with ACCROCHD_GOLDEN_UPDATE=1 to "
                                   "write it, then review it";
  EXPECT_EQ(ReadFile(file), actual) << "in " << file;
}

std::string Render(const mappings::Passage& p, mappings::Verdict verdict,
                   const std::vector<std::string>& warnings) {
  std::ostringstream out;
  out << p.id_technique << " "
      << (verdict == mappings::Verdict::kHeld ? "held until " + FormatIsoDate(*p.delivery)
                                              : std::string("valid"))
      << "\n";
  switch (p.identification) {
    case mappings::Group::kDossierFormation:
      out << "  identification: dossierFormation\n";
      break;
    case mappings::Group::kIdentifiantNational:
      out << "  identification: identifiantNational\n";
      break;
    default:
      out << "  identification: titulaire\n";
  }
  // Where the mapping reads it from columns, each passage's certification.
  if (p.mapping != nullptr && !p.mapping->certification.constant) {
    out << "  certification: " << p.certification.type << " " << p.certification.code << "\n";
  }
  for (const mappings::FieldSpec& spec : mappings::Fields()) {
    if (spec.field == mappings::Field::idTechnique || spec.field == mappings::Field::resultats) {
      continue;
    }
    const mappings::FieldValue& v = p[spec.field];
    if (v.state == mappings::FieldValue::State::kAbsent) continue;
    out << "  " << spec.name << ": "
        << (v.state == mappings::FieldValue::State::kNil ? std::string("nil") : v.text) << "\n";
  }
  for (const mappings::Resultat& r : p.resultats) {
    out << "  resultat: domaine " << r.domaine_competence_id << ", competence " << r.competence_id
        << ", niveau " << r.niveau << "\n";
  }
  for (const std::string& w : warnings) out << "  warning: " << w << "\n";
  return out.str();
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, Case) {
  const fs::path dir = kCases / GetParam();
  mappings::SchemaVersion version = mappings::SchemaVersion::k115;
  Date today{std::chrono::year(2026), std::chrono::November, std::chrono::day(15)};
  std::string timezone = "Europe/Paris";
  bool check_deposit = false;
  if (fs::exists(dir / "case.yaml")) {
    YAML::Node c = YAML::LoadFile((dir / "case.yaml").string());
    if (c["schema_version"]) {
      auto v = mappings::ParseSchemaVersion(c["schema_version"].as<std::string>());
      ASSERT_TRUE(v.has_value()) << "bad schema_version in case.yaml";
      version = *v;
    }
    if (c["today"]) {
      auto d = ParseIsoDate(c["today"].as<std::string>());
      ASSERT_TRUE(d.has_value()) << "bad today in case.yaml";
      today = *d;
    }
    if (c["timezone"]) timezone = c["timezone"].as<std::string>();
    if (c["deposit"]) check_deposit = c["deposit"].as<bool>();
  }

  // The mapping, as an administrator's file.
  Diagnostics diagnostics;
  auto mapping = mappings::LoadMapping((dir / "mapping.yaml").string(), version, diagnostics);
  if (fs::exists(dir / "errors.txt") || (Updating() && !diagnostics.empty())) {
    std::string actual;
    for (const Diagnostic& d : diagnostics) {
      actual += std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " +
                d.message + "\n";
    }
    Expect(dir / "errors.txt", actual);
    return;
  }
  ASSERT_TRUE(mapping.has_value() && diagnostics.empty()) << FormatDiagnostics(diagnostics);

  // The fixture, in a SQLite file read through the SQLite ODBC driver.
  const std::string work = testing::MakeTempDir("golden-" + GetParam());
  const std::string db = work + "/fixture.db";
  const std::string command =
      std::string(ACCROCHD_SQLITE3) + " -bail " + db + " < " + (dir / "fixture.sql").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  daemon::Config config;
  config.file = (dir / "mapping.yaml").string();
  config.schema_version = version;
  config.timezone = timezone;
  daemon::SourceConfig source;
  source.name = "fixture";
  source.connection = "Driver=SQLite3;Database=" + db + ";";
  config.sources.emplace("fixture", source);
  daemon::CertifierConfig certifier;
  certifier.name = "golden";
  certifier.id_client = "GOLDEN01";
  certifier.id_contrat = "MCFCER000001";
  certifier.emetteur = certifier.id_client;
  certifier.timezone = timezone;
  certifier.mappings.push_back(std::move(*mapping));
  config.certifiers.push_back(std::move(certifier));

  // Noon UTC is the same calendar day in every zone from UTC-12 to UTC+11 -- all of France's but
  // Wallis-et-Futuna (UTC+12), where a case would have to shift its "today".
  testing::FakeClock clock(std::chrono::sys_days(today) + std::chrono::hours(12));
  NullLogger logger;
  daemon::Daemon d(config, logger, clock, ::accrochd::testing::RealFiles());
  std::string passages, quarantine;
  auto sink = [&](const daemon::EvaluatedRow& e) {
    if (e.verdict == mappings::Verdict::kQuarantined) {
      for (const mappings::Rejection& r : e.row.rejections) {
        quarantine += r.id_technique + " | " + (r.field.empty() ? "-" : r.field) + " | " +
                      std::string(mappings::RuleName(r.rule)) + " | " + r.message + "\n";
      }
    } else {
      passages += Render(e.row.passage, e.verdict, e.row.warnings);
    }
  };
  auto report = d.Preview(config.certifiers[0].mappings[0].name, 1'000'000, sink, {});
  ASSERT_TRUE(report.has_value()) << report.error().message();
  Expect(dir / "passages.txt", passages);
  Expect(dir / "quarantine.txt", quarantine);
  if (!check_deposit) return;

  // The deposit file, written by a cycle as `accrochd once` runs it, with accrochd's own XSD.
  config.state_directory = work + "/state";
  auto& files = ::accrochd::testing::RealFiles();
  ASSERT_TRUE(daemon::EnsureStateDirectory(files, config.state_directory).has_value());
  auto store = store::StateStore::Open(config.state_directory, clock, files);
  ASSERT_TRUE(store.has_value()) << store.error().message();
  daemon::Daemon cycle(config, logger, clock, files, store->get());
  auto started = cycle.Start();
  ASSERT_TRUE(started.has_value()) << started.error().message();
  auto cycle_report = cycle.RunCycle(daemon::DepositPolicy::kAlways, {});
  ASSERT_TRUE(cycle_report.has_value()) << cycle_report.error().message();
  ASSERT_TRUE(cycle_report->failures.empty()) << cycle_report->failures[0].error.message();
  ASSERT_EQ(cycle_report->files.size(), 1u);
  const std::string xml = ReadFile(cycle_report->files[0].path);
  Expect(dir / "deposit.xml",
         std::regex_replace(xml, std::regex("(<cpf:idFlux>)[^<]*(</)"), "$1{idFlux}$2"));
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(CaseNames()),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace accrochd::golden
