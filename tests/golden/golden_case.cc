#include "tests/golden/golden_case.h"

#include <sstream>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "core/log.h"
#include "daemon/daemon.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"

namespace accrochd::golden {

CaseSettings ReadSettings(const std::filesystem::path& dir) {
  CaseSettings settings;
  if (!std::filesystem::exists(dir / "case.yaml")) return settings;
  YAML::Node c = YAML::LoadFile((dir / "case.yaml").string());
  if (c["schema_version"]) {
    auto v = mappings::ParseSchemaVersion(c["schema_version"].as<std::string>());
    EXPECT_TRUE(v.has_value()) << "bad schema_version in case.yaml";
    if (v) settings.version = *v;
  }
  if (c["today"]) {
    auto d = ParseIsoDate(c["today"].as<std::string>());
    EXPECT_TRUE(d.has_value()) << "bad today in case.yaml";
    if (d) settings.today = *d;
  }
  if (c["timezone"]) settings.timezone = c["timezone"].as<std::string>();
  if (c["deposit"]) settings.deposit = c["deposit"].as<bool>();
  return settings;
}

daemon::Config CaseConfig(const std::filesystem::path& dir, const CaseSettings& settings,
                          mappings::Mapping mapping, const std::string& connection) {
  daemon::Config config;
  config.file = (dir / "mapping.yaml").string();
  config.schema_version = settings.version;
  config.timezone = settings.timezone;
  daemon::SourceConfig source;
  source.name = "fixture";
  source.connection = connection;
  config.sources.emplace("fixture", source);
  daemon::CertifierConfig certifier;
  certifier.name = "golden";
  certifier.id_client = "GOLDEN01";
  certifier.id_contrat = "MCFCER000001";
  certifier.emetteur = certifier.id_client;
  certifier.timezone = settings.timezone;
  certifier.mappings.push_back(std::move(mapping));
  config.certifiers.push_back(std::move(certifier));
  return config;
}

std::string RenderPassage(const mappings::Passage& p, mappings::Verdict verdict,
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

Previewed PreviewCase(const daemon::Config& config, const CaseSettings& settings) {
  // Noon UTC is the same calendar day in every zone from UTC-12 to UTC+11 -- all of France's but
  // Wallis-et-Futuna (UTC+12), where a case would have to shift its "today".
  testing::FakeClock clock(std::chrono::sys_days(settings.today) + std::chrono::hours(12));
  NullLogger logger;
  daemon::Daemon d(config, logger, clock, ::accrochd::testing::RealFiles());
  Previewed out;
  auto sink = [&](const daemon::EvaluatedRow& e) {
    if (e.verdict == mappings::Verdict::kQuarantined) {
      for (const mappings::Rejection& r : e.row.rejections) {
        out.quarantine += r.id_technique + " | " + (r.field.empty() ? "-" : r.field) + " | " +
                          std::string(mappings::RuleName(r.rule)) + " | " + r.message + "\n";
      }
    } else {
      out.passages += RenderPassage(e.row.passage, e.verdict, e.row.warnings);
    }
  };
  auto report = d.Preview(config.certifiers[0].mappings[0].name, 1'000'000, sink, {});
  EXPECT_TRUE(report.has_value()) << report.error().message();
  if (report && report->skipped > 0) out.skipped = daemon::DescribeSkipped(*report) + "\n";
  return out;
}

}  // namespace accrochd::golden
