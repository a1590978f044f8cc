// A golden mapping case (tests/golden/<case>/, see golden_test.cc) previewed on a source: what
// the golden tier does on the case's SQLite fixture, and the integration tier on the same
// fixture loaded into PostgreSQL and MariaDB (messy_school_test), so that both compare with the
// same passages.txt and quarantine.txt.
#ifndef ACCROCHD_TESTS_GOLDEN_GOLDEN_CASE_H_
#define ACCROCHD_TESTS_GOLDEN_GOLDEN_CASE_H_

#include <filesystem>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "daemon/config.h"
#include "mappings/dictionary.h"
#include "mappings/passage.h"
#include "mappings/validator.h"

namespace accrochd::golden {

// What case.yaml says, with its defaults.
struct CaseSettings {
  mappings::SchemaVersion version = mappings::SchemaVersion::k115;
  Date today{std::chrono::year(2026), std::chrono::November, std::chrono::day(15)};
  std::string timezone = "Europe/Paris";
  bool deposit = false;  // the case also checks the deposit file
};

// Reads `dir`/case.yaml when there is one; a bad value fails the calling test.
CaseSettings ReadSettings(const std::filesystem::path& dir);

// A configuration with one certifier and one source, "fixture", reached by `connection`, holding
// `mapping`.
daemon::Config CaseConfig(const std::filesystem::path& dir, const CaseSettings& settings,
                          mappings::Mapping mapping, const std::string& connection);

// One passage as passages.txt writes it.
std::string RenderPassage(const mappings::Passage& p, mappings::Verdict verdict,
                          const std::vector<std::string>& warnings);

// passages.txt and quarantine.txt, as `accrochd preview` maps the rows of the configuration's
// one mapping on `settings.today` (noon UTC).
struct Previewed {
  std::string passages;
  std::string quarantine;
  std::string skipped;  // skipped.txt: the rows skip_when took out, per rule; empty when none
};
Previewed PreviewCase(const daemon::Config& config, const CaseSettings& settings);

}  // namespace accrochd::golden

#endif  // ACCROCHD_TESTS_GOLDEN_GOLDEN_CASE_H_
