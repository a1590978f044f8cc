// Loading mapping texts in unit tests of the mapping language (mapping_test, condition_test):
// a valid head and minimal fields, so that a line appended lands at a known line, and the
// assertions on what the loader reports and where.
#ifndef ACCROCHD_TESTS_SUPPORT_MAPPING_LOADING_H_
#define ACCROCHD_TESTS_SUPPORT_MAPPING_LOADING_H_

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/diagnostic.h"
#include "mappings/mapping.h"
#include "tests/support/mapping_fixtures.h"

namespace accrochd::testing {

// The name the texts are loaded under, as diagnostics show it.
inline constexpr const char* kMappingName = "mappings/rs6521.yaml";

// Lines 1 to 4. "fields:" is line 5, the minimal fields are lines 6 to 22: dateDebutValidite 6,
// donneeCertifiee 9, scoring 12, nomNaissance 15, sexe 21, codePostal 22.
inline const std::string kMappingHead =
    "certification: {type: RNCP, code: RNCP35830}\n"
    "source: scolarite\n"
    "query: SELECT * FROM resultat\n"
    "key: id\n";

// A valid mapping; a line appended to it lands on line 23, inside "fields".
inline std::string BaseMapping() { return kMappingHead + MinimalFields(); }

struct LoadedMapping {
  std::optional<mappings::Mapping> mapping;
  Diagnostics diagnostics;
};

inline LoadedMapping LoadText(const std::string& text,
                              mappings::SchemaVersion version = mappings::SchemaVersion::k115) {
  LoadedMapping out;
  out.mapping = mappings::LoadMappingText(text, kMappingName, version, out.diagnostics);
  return out;
}

inline void ExpectDiagnosticAt(const Diagnostic& d, const std::string& message, int line,
                               int column) {
  EXPECT_EQ(d.message, message);
  EXPECT_EQ(d.location.file, kMappingName);
  EXPECT_EQ(d.location.line, line) << d.message;
  EXPECT_EQ(d.location.column, column) << d.message;
}

// Loading `text` reports exactly one problem: `message` at line:column.
inline void ExpectOnlyDiagnostic(const std::string& text, const std::string& message, int line,
                                 int column,
                                 mappings::SchemaVersion version = mappings::SchemaVersion::k115) {
  LoadedMapping l = LoadText(text, version);
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  ExpectDiagnosticAt(l.diagnostics[0], message, line, column);
}

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_MAPPING_LOADING_H_
