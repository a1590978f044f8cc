// The mapping keys of rows that disappear (issue 11, item 3): missing_after (without a cursor,
// default 2, an integer of at least 1) and deleted_query (with a cursor), refused where they do
// not apply, with the file, line and column; and the idTechniques a deleted_query's rows name,
// read as the mapper reads a row's key.
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/source_row.h"
#include "mappings/deleted_keys.h"
#include "tests/support/mapping_loading.h"

namespace accrochd::testing {
namespace {

using ::testing::HasSubstr;

// The head, then `line` on line 5, then the minimal fields.
LoadedMapping WithLine(const std::string& line) {
  return LoadText(kMappingHead + line + "\n" + MinimalFields());
}

TEST(DisappearMappingTest, MissingAfterDefaultsToTwo) {
  LoadedMapping m = LoadText(BaseMapping());
  ASSERT_TRUE(m.mapping.has_value());
  EXPECT_TRUE(m.diagnostics.empty()) << FormatDiagnostics(m.diagnostics);
  EXPECT_EQ(m.mapping->missing_after, 2);
  EXPECT_TRUE(m.mapping->deleted_query.empty());
}

TEST(DisappearMappingTest, MissingAfterIsRead) {
  LoadedMapping m = WithLine("missing_after: 5");
  ASSERT_TRUE(m.mapping.has_value());
  EXPECT_TRUE(m.diagnostics.empty()) << FormatDiagnostics(m.diagnostics);
  EXPECT_EQ(m.mapping->missing_after, 5);
}

TEST(DisappearMappingTest, MissingAfterBelowOneOrNotANumberIsAnErrorWhereItIsWritten) {
  for (const char* value : {"0", "-1", "deux", "1.5"}) {
    LoadedMapping m = WithLine(std::string("missing_after: ") + value);
    ASSERT_EQ(m.diagnostics.size(), 1u) << value << "\n" << FormatDiagnostics(m.diagnostics);
    EXPECT_THAT(m.diagnostics[0].message, HasSubstr("missing_after")) << value;
    EXPECT_EQ(m.diagnostics[0].location.file, kMappingName);
    EXPECT_EQ(m.diagnostics[0].location.line, 5) << value;
    EXPECT_EQ(m.diagnostics[0].location.column, 16) << value;
  }
}

TEST(DisappearMappingTest, MissingAfterWithACursorIsRefused) {
  LoadedMapping m = WithLine("cursor: {column: modifie_le}\nmissing_after: 3");
  ASSERT_EQ(m.diagnostics.size(), 1u) << FormatDiagnostics(m.diagnostics);
  ExpectDiagnosticAt(m.diagnostics[0],
                     "missing_after: a mapping with a cursor reads only the rows changed since "
                     "its bookmark, so a row it does not read is not gone; remove missing_after, "
                     "or give the mapping a deleted_query",
                     6, 16);
}

TEST(DisappearMappingTest, DeletedQueryNeedsACursor) {
  LoadedMapping m = WithLine("deleted_query: SELECT id, supprime_le FROM suppressions");
  ASSERT_EQ(m.diagnostics.size(), 1u) << FormatDiagnostics(m.diagnostics);
  EXPECT_THAT(m.diagnostics[0].message,
              HasSubstr("deleted_query: only for a mapping with a cursor"));
  EXPECT_EQ(m.diagnostics[0].location.line, 5);
  EXPECT_EQ(m.diagnostics[0].location.column, 16);
}

TEST(DisappearMappingTest, DeletedQueryWithACursorIsRead) {
  LoadedMapping m = WithLine(
      "cursor: {column: modifie_le}\n"
      "deleted_query: SELECT id, supprime_le AS modifie_le FROM suppressions");
  ASSERT_TRUE(m.mapping.has_value());
  EXPECT_TRUE(m.diagnostics.empty()) << FormatDiagnostics(m.diagnostics);
  EXPECT_EQ(m.mapping->deleted_query, "SELECT id, supprime_le AS modifie_le FROM suppressions");
}

TEST(DisappearMappingTest, DeletedKeysAreReadAsTheMapperReadsTheKey) {
  LoadedMapping m = LoadText(
      "certification: {type: RNCP, code: RNCP35830}\nsource: scolarite\n"
      "query: SELECT * FROM resultat\nkey: [ecole, id]\nid_technique: \"EX-{ecole}-{id}\"\n"
      "cursor: {column: modifie_le}\ndeleted_query: SELECT * FROM suppressions\n" +
      MinimalFields());
  ASSERT_TRUE(m.mapping.has_value());
  ASSERT_TRUE(m.diagnostics.empty()) << FormatDiagnostics(m.diagnostics);
  source::Columns columns({"MODIFIE_LE", "Id", "ecole"});
  auto keys = mappings::DeletedKeys::Bind(*m.mapping, columns);
  ASSERT_TRUE(keys.has_value()) << keys.error().message();
  // "e" + combining acute: NFC, as every value the mapper reads; blanks trimmed.
  EXPECT_EQ(keys->IdOf({{"2026-03-01", " 17 ", "Cre\xCC\x81teil"}}), "EX-Cr\xC3\xA9teil-17");
  EXPECT_EQ(keys->IdOf({{"2026-03-01", std::nullopt, "X"}}), std::nullopt);  // no key
  EXPECT_EQ(keys->IdOf({{"2026-03-01", "  ", "X"}}), std::nullopt);

  auto lacking = mappings::DeletedKeys::Bind(*m.mapping, source::Columns({"id", "modifie_le"}));
  ASSERT_FALSE(lacking.has_value());
  EXPECT_EQ(lacking.error().kind(), ErrorKind::kConfig);
  EXPECT_THAT(
      lacking.error().message(),
      HasSubstr("mappings/rs6521.yaml:7:16: deleted_query: its result has no column ecole"));
}

}  // namespace
}  // namespace accrochd::testing
