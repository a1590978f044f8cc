// Templates: the built-in French texts, a certifier's overrides, and what goes wrong with them.

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "templates/renderer.h"
#include "tests/support/run_binary.h"

namespace accrochd {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

void Write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TemplateValue Line() {
  TemplateValue data;
  data.Set("pending", "12")
      .Set("urgent", "3")
      .Set("urgent_days", "14")
      .Set("quarantined", "0")
      .Set("has_quarantined", false)
      .Set("outbox", "1")
      .Set("has_outbox", true)
      .Set("failing", "")
      .Set("has_failing", false)
      .Set("next_cycle", "14:05");
  return data;
}

TEST(TemplatesTest, BuiltInTemplatesCompileAndRender) {
  Diagnostics diags;
  auto templates = Templates::Load(std::nullopt, diags);
  ASSERT_TRUE(templates) << FormatDiagnostics(diags);
  EXPECT_THAT(templates->Names(), ::testing::IsSupersetOf({"status", "status-line", "history"}));
  EXPECT_EQ(templates->Origin("status-line"), "built-in");
  auto line = templates->Render("status-line", Line());
  ASSERT_TRUE(line) << line.error().message();
  EXPECT_EQ(*line,
            "12 en attente, 3 à échéance < 14 j, 1 fichier(s) à déposer, prochain cycle 14:05\n");
}

TEST(TemplatesTest, AFileOfTheSameNameReplacesTheBuiltInOne) {
  const fs::path dir = testing::MakeTempDir("templates-override");
  Write(dir / "status-line.mustache", "{{pending}} passages à déposer");
  Diagnostics diags;
  auto templates = Templates::Load(dir.string(), diags);
  ASSERT_TRUE(templates) << FormatDiagnostics(diags);
  EXPECT_EQ(templates->Origin("status-line"), (dir / "status-line.mustache").string());
  EXPECT_EQ(templates->Origin("status"), "built-in");
  EXPECT_EQ(templates->Render("status-line", Line()).value_or(""), "12 passages à déposer");
}

TEST(TemplatesTest, AnOverrideThatDoesNotCompileIsReportedWithItsLine) {
  const fs::path dir = testing::MakeTempDir("templates-broken");
  Write(dir / "status.mustache", "Bonjour\n{{#certifiers}}\n{{name}}\n");
  Diagnostics diags;
  EXPECT_FALSE(Templates::Load(dir.string(), diags));
  ASSERT_EQ(diags.size(), 1u) << FormatDiagnostics(diags);
  EXPECT_EQ(diags[0].location.file, (dir / "status.mustache").string());
  EXPECT_THAT(diags[0].message, HasSubstr("template \"status\" does not compile"));
}

TEST(TemplatesTest, AFileThatReplacesNoTemplateIsAnErrorListingTheNames) {
  const fs::path dir = testing::MakeTempDir("templates-misspelt");
  Write(dir / "statut.mustache", "{{pending}}");
  Write(dir / "notes.txt", "not a template: ignored");
  Diagnostics diags;
  EXPECT_FALSE(Templates::Load(dir.string(), diags));
  ASSERT_EQ(diags.size(), 1u) << FormatDiagnostics(diags);
  EXPECT_EQ(diags[0].location.file, (dir / "statut.mustache").string());
  EXPECT_THAT(diags[0].message, HasSubstr("replaces no template"));
  EXPECT_THAT(diags[0].message, HasSubstr("status.mustache"));
}

TEST(TemplatesTest, AMissingDirectoryMeansTheBuiltInTemplates) {
  Diagnostics diags;
  auto templates = Templates::Load("/nonexistent/accrochd-templates", diags);
  ASSERT_TRUE(templates) << FormatDiagnostics(diags);
  EXPECT_EQ(templates->Origin("status"), "built-in");
}

TEST(TemplatesTest, ValuesAreEscapedForHtmlAndJson) {
  const fs::path dir = testing::MakeTempDir("templates-escape");
  Write(dir / "status-line.mustache", "[{{failing}}]");
  Diagnostics diags;
  auto templates = Templates::Load(dir.string(), diags);
  ASSERT_TRUE(templates) << FormatDiagnostics(diags);
  TemplateValue data = Line();
  data.Set("failing", "<b>\"l'école\" & co</b>\n");
  EXPECT_EQ(templates->Render("status-line", data, Escape::kNone).value_or(""),
            "[<b>\"l'école\" & co</b>\n]");
  const std::string html = templates->Render("status-line", data, Escape::kHtml).value_or("");
  EXPECT_THAT(html, HasSubstr("&lt;b&gt;"));
  EXPECT_THAT(html, HasSubstr("&amp; co"));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("<b>")));
  EXPECT_EQ(templates->Render("status-line", data, Escape::kJson).value_or(""),
            "[<b>\\\"l'école\\\" & co</b>\\n]");
}

// A message's data: a list of rows, each with a list of its own.
TemplateValue Rows() {
  TemplateValue rows = TemplateValue::List();
  for (const char* id : {"A1", "B2", "C3"}) {
    TemplateValue reasons = TemplateValue::List();
    reasons.Push(TemplateValue().Set("why", std::string("sexe ") + id));
    rows.Push(TemplateValue().Set("id", id).Set("new", id[0] != 'B').Set("reasons", reasons));
  }
  return TemplateValue().Set("rows", rows).Set("count", TemplateValue::Number(3));
}

// Values are copied whole (a copy changed leaves its original as it was), and a value given up
// to the template library (a large message, converted once) renders as a copy of it does.
TEST(TemplatesTest, AValueCopiedIsItsOwnAndOneConsumedRendersTheSame) {
  const fs::path dir = testing::MakeTempDir("templates-values");
  Write(dir / "status-line.mustache",
        "{{count}}:{{#rows}}[{{id}}{{#new}}*{{/new}}{{#reasons}} {{why}}{{/reasons}}]{{/rows}}");
  Diagnostics diags;
  auto templates = Templates::Load(dir.string(), diags);
  ASSERT_TRUE(templates) << FormatDiagnostics(diags);
  const std::string expected = "3:[A1* sexe A1][B2 sexe B2][C3* sexe C3]";

  TemplateValue data = Rows();
  TemplateValue copy = data;
  copy.Set("count", "4");
  TemplateValue assigned;
  assigned = data;
  EXPECT_EQ(templates->Render("status-line", data).value_or(""), expected);
  EXPECT_EQ(templates->Render("status-line", copy).value_or(""), "4" + expected.substr(1));
  EXPECT_EQ(templates->Render("status-line", PreparedValue(std::move(assigned))).value_or(""),
            expected);
  EXPECT_TRUE(assigned.fields().empty());  // given up: nothing of it left
  EXPECT_EQ(data.fields().at("rows").items().size(), 3u);
  EXPECT_TRUE(data.fields().at("count").items().empty());
  EXPECT_TRUE(data.fields().at("count").fields().empty());
}

TEST(TemplatesTest, AnUnknownTemplateNameIsAnError) {
  Diagnostics diags;
  auto templates = Templates::Load(std::nullopt, diags);
  ASSERT_TRUE(templates);
  auto r = templates->Render("nope", TemplateValue());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("nope"));
}

}  // namespace
}  // namespace accrochd
