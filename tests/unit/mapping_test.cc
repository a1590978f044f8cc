// The mapping loader: a complete mapping read into its structure, then every problem the loader
// reports, one test each, asserting the message and the line:col it points to; ParseTemplate
// and ReferencedColumns.
#include "mappings/mapping.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/mapping_loading.h"
#include "tests/support/run_binary.h"

namespace accrochd::mappings {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kName = ::accrochd::testing::kMappingName;
const std::string& kHead = ::accrochd::testing::kMappingHead;

// A valid mapping; a line appended to it lands on line 23, inside "fields".
std::string Base() { return ::accrochd::testing::BaseMapping(); }

// The passage fields the dictionary makes mandatory, without any holder field (lines 5 to 14).
const std::string kPassageOnly =
    "fields:\n"
    "  dateDebutValidite: {constant: \"2026-01-15\"}\n"
    "  dateFinValidite: nil\n"
    "  obtentionCertification: {constant: PAR_ADMISSION}\n"
    "  donneeCertifiee: {constant: true}\n"
    "  presenceNiveauLangueEuro: {constant: false}\n"
    "  presenceNiveauNumeriqueEuro: {constant: false}\n"
    "  scoring: nil\n"
    "  mentionValidee: nil\n"
    "  modaliteAcces: nil\n";

const std::string kNotMapped =
    " is not mapped; map it to a column, a constant, or nil when the dictionary allows it";

// `text` with the line that starts with `prefix` replaced by `line` (which may hold several).
std::string Replace(const std::string& text, const std::string& prefix, const std::string& line) {
  std::string out;
  std::size_t start = 0;
  bool found = false;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string current = text.substr(start, end - start + 1);
    if (!found && current.starts_with(prefix)) {
      out += line + "\n";
      found = true;
    } else {
      out += current;
    }
    start = end + 1;
  }
  EXPECT_TRUE(found) << "no line starts with " << prefix;
  return out;
}

std::string Drop(const std::string& text, const std::string& prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string current = text.substr(start, end - start + 1);
    if (!current.starts_with(prefix)) out += current;
    start = end + 1;
  }
  return out;
}

using Loaded = ::accrochd::testing::LoadedMapping;

Loaded Load(const std::string& text, SchemaVersion version = SchemaVersion::k115) {
  return ::accrochd::testing::LoadText(text, version);
}

void ExpectAt(const Diagnostic& d, const std::string& message, int line, int column) {
  ::accrochd::testing::ExpectDiagnosticAt(d, message, line, column);
}

void ExpectOnly(const std::string& text, const std::string& message, int line, int column,
                SchemaVersion version = SchemaVersion::k115) {
  ::accrochd::testing::ExpectOnlyDiagnostic(text, message, line, column, version);
}

// For a mandatory field whose rule is refused: `message` at line:column first; the loader then
// also says the field is not mapped (see ARefusedMandatoryRuleIsNotAlsoCalledUnmapped),
// which is tolerated here and nothing else.
void ExpectRefusedMandatory(const std::string& text, const std::string& message, int line,
                            int column, const std::string& field_and_id,
                            SchemaVersion version = SchemaVersion::k115) {
  Loaded l = Load(text, version);
  ASSERT_GE(l.diagnostics.size(), 1u);
  ASSERT_LE(l.diagnostics.size(), 2u) << FormatDiagnostics(l.diagnostics);
  ExpectAt(l.diagnostics[0], message, line, column);
  if (l.diagnostics.size() == 2) {
    EXPECT_EQ(l.diagnostics[1].message, "fields: mandatory field " + field_and_id + kNotMapped);
  }
}

// ---- A complete mapping ----

const std::string kComplete =
    "certification:\n"                                                                // 1
    "  type: RS\n"                                                                    // 2
    "  code: RS6521\n"                                                                // 3
    "nature_deposant: TIERS_CONFIANCE\n"                                              // 4
    "source: scolarite\n"                                                             // 5
    "query: |\n"                                                                      // 6
    "  SELECT * FROM resultat\n"                                                      // 7
    "key: [numero, session]\n"                                                        // 8
    "id_technique: \"EX-{numero}-{{{session}}}\"\n"                                   // 9
    "cursor: {column: modifie_le, look_back: 1h 30min}\n"                             // 10
    "page_by: [numero, session]\n"                                                    // 11
    "page_size: 500\n"                                                                // 12
    "fields:\n"                                                                       // 13
    "  dateDebutValidite: {column: delivre, date: [sql, iso, \"%d/%m/%Y %H:%M\"]}\n"  // 14
    "  dateFinValidite: nil\n"                                                        // 15
    "  obtentionCertification: {constant: PAR_SCORING}\n"                             // 16
    "  donneeCertifiee: {constant: \"1\"}\n"                                          // 17
    "  presenceNiveauLangueEuro: {constant: false}\n"                                 // 18
    "  presenceNiveauNumeriqueEuro: {constant: false}\n"                              // 19
    "  scoring: {template: \"{note}/20\", trim: false}\n"                             // 20
    "  mentionValidee:\n"                                                             // 21
    "    column: mention\n"                                                           // 22
    "    map:\n"                                                                      // 23
    "      très bien: MENTION_TRES_BIEN\n"                                            // 24
    "      passable: SANS_MENTION\n"                                                  // 25
    "      inconnue: nil\n"                                                           // 26
    "      sans objet: absent\n"                                                      // 27
    "    default: nil\n"                                                              // 28
    "    ignore_case: true\n"                                                         // 29
    "    ignore_accents: true\n"                                                      // 30
    "  modaliteAcces: {constant: nil}\n"                                              // 31
    "  verbatim: {column: verbatim, nil_when_empty: false, fold_spaces: true}\n"      // 32
    "  nomNaissance: {column: nom, case: upper}\n"                                    // 33
    "  nomUsage: {coalesce: [nom_marital, nom]}\n"                                    // 34
    "  prenom1: {column: prenoms, word: 1}\n"                                         // 35
    "  prenom2: {column: prenoms, words_from: 2, separator: \",\"}\n"                 // 36
    "  anneeNaissance: {column: naissance, date: \"%d/%m/%Y\", part: year}\n"         // 37
    "  moisNaissance: {column: naissance, date: \"%d/%m/%Y\", part: month}\n"         // 38
    "  jourNaissance: {column: naissance, date: \"%d/%m/%Y\", part: day}\n"           // 39
    "  sexe: {column: civilite, map: {M.: M, Mme: F}}\n"                              // 40
    "  codePostal: nil\n"                                                             // 41
    "  libelleCommuneNaissance: {column: commune, case: lower, trim: false}\n";       // 42

TEST(LoadMappingTest, ReadsEveryTopLevelKey) {
  Loaded l = Load(kComplete);
  ASSERT_TRUE(l.mapping.has_value());
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  const Mapping& m = *l.mapping;
  EXPECT_EQ(m.name, "rs6521");
  EXPECT_EQ(m.file, kName);
  EXPECT_EQ(m.certification.constant, (Certification{"RS", "RS6521"}));
  EXPECT_EQ(m.nature_deposant, "TIERS_CONFIANCE");
  EXPECT_EQ(m.source, "scolarite");
  EXPECT_EQ(m.source_location.line, 5);
  EXPECT_EQ(m.source_location.column, 9);
  EXPECT_EQ(m.query, "SELECT * FROM resultat\n");
  EXPECT_EQ(m.query_location.line, 6);
  EXPECT_THAT(m.key, ElementsAre("numero", "session"));
  EXPECT_EQ(m.key_location.line, 8);
  EXPECT_EQ(m.key_location.column, 6);
  ASSERT_EQ(m.id_technique.size(), 5u);
  EXPECT_FALSE(m.id_technique[0].column);
  EXPECT_EQ(m.id_technique[0].text, "EX-");
  EXPECT_TRUE(m.id_technique[1].column);
  EXPECT_EQ(m.id_technique[1].text, "numero");
  EXPECT_FALSE(m.id_technique[2].column);
  EXPECT_EQ(m.id_technique[2].text, "-{");
  EXPECT_TRUE(m.id_technique[3].column);
  EXPECT_EQ(m.id_technique[3].text, "session");
  EXPECT_FALSE(m.id_technique[4].column);
  EXPECT_EQ(m.id_technique[4].text, "}");
  ASSERT_TRUE(m.cursor.has_value());
  EXPECT_EQ(m.cursor->column, "modifie_le");
  EXPECT_EQ(m.cursor->look_back, std::chrono::minutes(90));
  EXPECT_EQ(m.cursor->location.line, 10);
  EXPECT_EQ(m.cursor->location.column, 9);
  EXPECT_THAT(m.page_by, ElementsAre("numero", "session"));
  EXPECT_EQ(m.page_size, 500u);
  EXPECT_EQ(m.fields_location.line, 14);
  EXPECT_EQ(m.fields_location.column, 3);
}

// The certification's type and code: the dictionary's types; RNCP and RS codes of their shape,
// with their own type (the CDC refuses a type that contradicts its code).
TEST(CertificationProblemTest, TypeAndCodeMustAgree) {
  EXPECT_EQ(CertificationProblem({"RNCP", "RNCP34567"}), std::nullopt);
  EXPECT_EQ(CertificationProblem({"RS", "RS5875"}), std::nullopt);
  EXPECT_EQ(CertificationProblem({"Habilitation", "HAB-2024-07"}), std::nullopt);
  EXPECT_EQ(CertificationProblem({"Diplôme Universitaire", "DU 12"}), std::nullopt);
  EXPECT_EQ(CertificationProblem({"RS", "1710"}),
            "code \"1710\" is not an RS code: write RS then digits (RS5875), here RS1710");
  EXPECT_EQ(CertificationProblem({"RNCP", "RNCP 34567"}),
            "code \"RNCP 34567\" is not an RNCP code: write RNCP then digits (RNCP34567)");
  EXPECT_EQ(CertificationProblem({"RS", "RNCP34567"}),
            "code \"RNCP34567\" is an RNCP code, but the type is RS: the CDC refuses a type that "
            "contradicts its code (type: RNCP)");
  EXPECT_EQ(CertificationProblem({"Habilitation", "RS5875"}),
            "code \"RS5875\" is an RS code, but the type is \"Habilitation\": the CDC refuses a "
            "type that contradicts its code (type: RS)");
  auto unknown = CertificationProblem({"Titre", "T1"});
  ASSERT_TRUE(unknown.has_value());
  EXPECT_THAT(*unknown,
              ::testing::HasSubstr("type \"Titre\" is not a certification type of the dictionary"));
  EXPECT_THAT(*unknown, ::testing::HasSubstr("\"Diplôme d'Etablissement\""));
}

// A contradicting type is reported at the type, a malformed code at the code.
TEST(LoadMappingTest, ACertificationThatContradictsItselfIsALoadErrorAtItsPosition) {
  for (const auto& [certification, line] : std::vector<std::pair<std::string, int>>{
           {"certification:\n  type: Titre\n  code: T1\n", 2},
           {"certification:\n  type: RNCP\n  code: \"35830\"\n", 3}}) {
    Loaded loaded = Load(certification + "source: s\nquery: SELECT id FROM t\nkey: id\n");
    bool found = false;
    for (const Diagnostic& d : loaded.diagnostics) {
      if (d.message.starts_with("certification: ")) {
        found = true;
        EXPECT_EQ(d.location.line, line) << d.message;
        EXPECT_EQ(d.location.column, 9) << d.message;
      }
    }
    EXPECT_TRUE(found) << certification << FormatDiagnostics(loaded.diagnostics);
  }
}

// The mapping's texts are put in NFC as they are loaded: a type typed decomposed ("o" then
// U+0302) is the dictionary's "Diplôme Universitaire".
TEST(LoadMappingTest, ADecomposedCertificationTypeIsTheDictionarysOne) {
  Loaded loaded = Load(
      "certification:\n  type: \"Diplo\u0302me Universitaire\"\n  code: DU 12\n"
      "source: s\nquery: SELECT id FROM t\nkey: id\n");
  ASSERT_TRUE(loaded.mapping.has_value());
  ASSERT_TRUE(loaded.mapping->certification.constant.has_value());
  EXPECT_EQ(loaded.mapping->certification.constant->type, "Diplôme Universitaire");
  for (const Diagnostic& d : loaded.diagnostics) {
    EXPECT_FALSE(d.message.starts_with("certification")) << d.message;
  }
}

TEST(LoadMappingTest, DefaultsWhenOptionalKeysAreAbsent) {
  Loaded l = Load(Base());
  ASSERT_TRUE(l.mapping.has_value());
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  const Mapping& m = *l.mapping;
  EXPECT_EQ(m.nature_deposant, std::nullopt);
  EXPECT_THAT(m.key, ElementsAre("id"));
  EXPECT_THAT(m.id_technique, IsEmpty());
  EXPECT_EQ(m.cursor, std::nullopt);
  EXPECT_THAT(m.page_by, IsEmpty());
  EXPECT_EQ(m.page_size, 10'000u);
  EXPECT_FALSE(m.maps(Field::libelleOption));
  EXPECT_FALSE(m.maps(Field::idTechnique));
}

TEST(LoadMappingTest, ReadsEveryFormOfFieldRule) {
  Loaded l = Load(kComplete);
  ASSERT_TRUE(l.mapping.has_value());
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  const Mapping& m = *l.mapping;

  // A column with a list of date formats.
  const FieldRule& debut = *m.rule(Field::dateDebutValidite);
  EXPECT_EQ(debut.field, Field::dateDebutValidite);
  EXPECT_EQ(debut.source, SourceKind::kColumn);
  EXPECT_EQ(debut.column, "delivre");
  EXPECT_EQ(debut.location.line, 14);
  EXPECT_EQ(debut.location.column, 22);
  EXPECT_TRUE(debut.trim);
  EXPECT_FALSE(debut.fold_spaces);
  EXPECT_TRUE(debut.nil_when_empty);
  ASSERT_TRUE(debut.date.has_value());
  EXPECT_TRUE(debut.date->explicit_formats);
  EXPECT_EQ(debut.date->part, DatePart::kWhole);
  ASSERT_EQ(debut.date->formats.size(), 3u);
  EXPECT_EQ(debut.date->formats[0].kind, DateFormat::Kind::kSql);
  EXPECT_EQ(debut.date->formats[1].kind, DateFormat::Kind::kIso);
  EXPECT_EQ(debut.date->formats[2].kind, DateFormat::Kind::kPattern);
  EXPECT_EQ(debut.date->formats[2].pattern, "%d/%m/%Y %H:%M");

  // nil, written plainly and as a constant.
  EXPECT_EQ(m.rule(Field::dateFinValidite)->source, SourceKind::kNil);
  EXPECT_EQ(m.rule(Field::modaliteAcces)->source, SourceKind::kNil);
  EXPECT_EQ(m.rule(Field::codePostal)->source, SourceKind::kNil);

  // Constants are kept as written (canonical spelling comes at validation).
  EXPECT_EQ(m.rule(Field::obtentionCertification)->source, SourceKind::kConstant);
  EXPECT_EQ(m.rule(Field::obtentionCertification)->constant, "PAR_SCORING");
  EXPECT_EQ(m.rule(Field::donneeCertifiee)->constant, "1");
  EXPECT_EQ(m.rule(Field::presenceNiveauLangueEuro)->constant, "false");

  // A template, without trimming.
  const FieldRule& scoring = *m.rule(Field::scoring);
  EXPECT_EQ(scoring.source, SourceKind::kTemplate);
  EXPECT_FALSE(scoring.trim);
  ASSERT_EQ(scoring.template_parts.size(), 2u);
  EXPECT_TRUE(scoring.template_parts[0].column);
  EXPECT_EQ(scoring.template_parts[0].text, "note");
  EXPECT_FALSE(scoring.template_parts[1].column);
  EXPECT_EQ(scoring.template_parts[1].text, "/20");

  // A map with every outcome, a default and both folding options.
  const FieldRule& mention = *m.rule(Field::mentionValidee);
  EXPECT_EQ(mention.column, "mention");
  EXPECT_EQ(mention.location.line, 22);
  EXPECT_EQ(mention.location.column, 5);
  ASSERT_TRUE(mention.map.has_value());
  const ValueMap& map = *mention.map;
  ASSERT_EQ(map.entries.size(), 4u);
  EXPECT_EQ(map.entries[0].from, "très bien");
  EXPECT_EQ(map.entries[0].outcome, MapOutcome::kValue);
  EXPECT_EQ(map.entries[0].to, "MENTION_TRES_BIEN");
  EXPECT_EQ(map.entries[0].location.line, 24);
  EXPECT_EQ(map.entries[0].location.column, 7);
  EXPECT_EQ(map.entries[1].from, "passable");
  EXPECT_EQ(map.entries[1].to, "SANS_MENTION");
  EXPECT_EQ(map.entries[2].from, "inconnue");
  EXPECT_EQ(map.entries[2].outcome, MapOutcome::kNil);
  EXPECT_EQ(map.entries[3].from, "sans objet");
  EXPECT_EQ(map.entries[3].outcome, MapOutcome::kAbsent);
  EXPECT_TRUE(map.has_default);
  EXPECT_EQ(map.default_outcome, MapOutcome::kNil);
  EXPECT_EQ(map.default_location.line, 28);
  EXPECT_EQ(map.default_location.column, 14);
  EXPECT_TRUE(map.ignore_case);
  EXPECT_TRUE(map.ignore_accents);

  // A map without default or options.
  const ValueMap& sexe = *m.rule(Field::sexe)->map;
  EXPECT_FALSE(sexe.has_default);
  EXPECT_FALSE(sexe.ignore_case);
  EXPECT_FALSE(sexe.ignore_accents);
  ASSERT_EQ(sexe.entries.size(), 2u);
  EXPECT_EQ(sexe.entries[0].from, "M.");
  EXPECT_EQ(sexe.entries[0].to, "M");
  EXPECT_EQ(sexe.entries[1].from, "Mme");
  EXPECT_EQ(sexe.entries[1].to, "F");

  // nil_when_empty and fold_spaces.
  const FieldRule& verbatim = *m.rule(Field::verbatim);
  EXPECT_FALSE(verbatim.nil_when_empty);
  EXPECT_TRUE(verbatim.fold_spaces);

  // case.
  EXPECT_EQ(m.rule(Field::nomNaissance)->letter_case, LetterCase::kUpper);
  EXPECT_EQ(m.rule(Field::libelleCommuneNaissance)->letter_case, LetterCase::kLower);
  EXPECT_FALSE(m.rule(Field::libelleCommuneNaissance)->trim);
  EXPECT_EQ(m.rule(Field::prenom1)->letter_case, LetterCase::kKeep);

  // coalesce.
  const FieldRule& usage = *m.rule(Field::nomUsage);
  EXPECT_EQ(usage.source, SourceKind::kCoalesce);
  EXPECT_THAT(usage.coalesce, ElementsAre("nom_marital", "nom"));

  // word, words_from and separator.
  const FieldRule& prenom1 = *m.rule(Field::prenom1);
  ASSERT_TRUE(prenom1.word.has_value());
  EXPECT_EQ(prenom1.word->index, 1);
  EXPECT_FALSE(prenom1.word->rest);
  EXPECT_THAT(prenom1.word->separators, IsEmpty());
  const FieldRule& prenom2 = *m.rule(Field::prenom2);
  ASSERT_TRUE(prenom2.word.has_value());
  EXPECT_EQ(prenom2.word->index, 2);
  EXPECT_TRUE(prenom2.word->rest);
  EXPECT_THAT(prenom2.word->separators, ElementsAre(","));

  // A date part for the integer fields of the birth date.
  for (auto [field, part] : {std::pair{Field::anneeNaissance, DatePart::kYear},
                             std::pair{Field::moisNaissance, DatePart::kMonth},
                             std::pair{Field::jourNaissance, DatePart::kDay}}) {
    const FieldRule& r = *m.rule(field);
    ASSERT_TRUE(r.date.has_value());
    EXPECT_EQ(r.date->part, part);
    EXPECT_TRUE(r.date->explicit_formats);
    ASSERT_EQ(r.date->formats.size(), 1u);
    EXPECT_EQ(r.date->formats[0].pattern, "%d/%m/%Y");
  }

  // Fields not written are not mapped.
  EXPECT_FALSE(m.maps(Field::prenom3));
  EXPECT_FALSE(m.maps(Field::codeInsee));
}

TEST(LoadMappingTest, ADateFieldGivenAsAColumnReadsSqlDates) {
  Loaded l = Load(Replace(Base(), "  dateDebutValidite:", "  dateDebutValidite: delivre"));
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  const FieldRule& r = *l.mapping->rule(Field::dateDebutValidite);
  EXPECT_EQ(r.source, SourceKind::kColumn);
  EXPECT_EQ(r.column, "delivre");
  ASSERT_TRUE(r.date.has_value());
  EXPECT_FALSE(r.date->explicit_formats);
  ASSERT_EQ(r.date->formats.size(), 1u);
  EXPECT_EQ(r.date->formats[0].kind, DateFormat::Kind::kSql);
  // A text field gets no date rule.
  EXPECT_FALSE(l.mapping->rule(Field::nomNaissance)->date.has_value());
}

TEST(LoadMappingTest, DossierFormationAloneIdentifiesTheHolder) {
  Loaded l = Load(kHead + kPassageOnly +
                  "  idDossier: dossier\n"
                  "  nomTitulaire: nom\n"
                  "  prenom1Titulaire: prenom\n");
  EXPECT_TRUE(l.mapping.has_value());
  EXPECT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
}

TEST(LoadMappingTest, NirIsAFieldOf115) {
  Loaded l = Load(Base() + "  nir: nir\n", SchemaVersion::k115);
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  EXPECT_EQ(l.mapping->rule(Field::nir)->column, "nir");
}

TEST(LoadMappingTest, TheShippedExampleLoadsUnderBothVersions) {
  const std::string path = std::string(ACCROCHD_SOURCE_DIR) + "/etc/mappings/exemple-rncp.yaml";
  for (SchemaVersion v : {SchemaVersion::k112, SchemaVersion::k115}) {
    Diagnostics d;
    auto m = LoadMapping(path, v, d);
    ASSERT_TRUE(m.has_value()) << SchemaVersionName(v);
    EXPECT_TRUE(d.empty()) << FormatDiagnostics(d);
    EXPECT_EQ(m->name, "exemple-rncp");
    EXPECT_EQ(m->file, path);
    EXPECT_EQ(m->certification.constant, (Certification{"RNCP", "RNCP34567"}));
  }
}

TEST(LoadMappingTest, ReadsAFileAndNamesTheMappingAfterIt) {
  const std::string dir = accrochd::testing::MakeTempDir("mapping_test.ReadsAFile");
  accrochd::testing::WriteFile(dir + "/rs6521.yaml", Base());
  Diagnostics d;
  auto m = LoadMapping(dir + "/rs6521.yaml", SchemaVersion::k112, d);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(d.empty()) << FormatDiagnostics(d);
  EXPECT_EQ(m->name, "rs6521");
  EXPECT_EQ(m->file, dir + "/rs6521.yaml");
}

TEST(LoadMappingTest, MissingFile) {
  const std::string dir = accrochd::testing::MakeTempDir("mapping_test.MissingFile");
  Diagnostics d;
  auto m = LoadMapping(dir + "/absent.yaml", SchemaVersion::k115, d);
  EXPECT_FALSE(m.has_value());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].ToString(), dir + "/absent.yaml: cannot open file: No such file or directory");
}

// ---- Load errors ----

TEST(MappingErrorTest, YamlSyntax) {
  Loaded l = Load(Replace(Base(), "query:", "query: a: b"));
  EXPECT_FALSE(l.mapping.has_value());
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  ExpectAt(l.diagnostics[0], "YAML syntax error: illegal map value", 3, 9);
}

TEST(MappingErrorTest, NotAMapping) {
  ExpectOnly("- a\n- b\n", "the file: expected a mapping of keys to values, found a list", 1, 1);
}

TEST(MappingErrorTest, UnknownTopLevelKeyWithSuggestion) {
  ExpectOnly(Base() + "page_sise: 10\n", "unknown key \"page_sise\"; did you mean \"page_size\"?",
             23, 1);
}

TEST(MappingErrorTest, UnknownTopLevelKeyListsTheKnownOnes) {
  ExpectOnly(Base() + "owner: me\n",
             "unknown key \"owner\"; known keys here: certification, cursor, deleted_query, "
             "fields, id_technique, id_technique_after_correction, key, missing_after, "
             "nature_deposant, page_by, page_size, "
             "quarantine_when, query, require, skip_when, source",
             23, 1);
}

TEST(MappingErrorTest, DuplicateTopLevelKey) {
  ExpectOnly(Base() + "source: compta\n", "duplicate key \"source\": each key may appear only once",
             23, 1);
}

TEST(MappingErrorTest, UnknownFieldWithSuggestion) {
  ExpectOnly(Base() + "  nomNaissanse: nom\n",
             "fields: unknown field \"nomNaissanse\"; did you mean \"nomNaissance\"?", 23, 3);
}

TEST(MappingErrorTest, UnknownFieldWithoutSuggestion) {
  ExpectOnly(Base() + "  couleurYeux: yeux\n",
             "fields: unknown field \"couleurYeux\" (the fields are the CDC dictionary's element "
             "names; see accrochd.mapping(5))",
             23, 3);
}

TEST(MappingErrorTest, DuplicateField) {
  ExpectOnly(Base() + "  scoring: {constant: \"12\"}\n",
             "duplicate key \"fields.scoring\": each key may appear only once", 23, 3);
}

TEST(MappingErrorTest, UnknownTransformKeyWithSuggestion) {
  ExpectOnly(Base() + "  libelleOption: {column: option, fold_space: true}\n",
             "unknown key \"fields.libelleOption.fold_space\"; did you mean \"fold_spaces\"?", 23,
             35);
}

TEST(MappingErrorTest, UnknownTransformKeyFarFromAnyListsThemAll) {
  // Two letters swapped are two edits: more than a four-letter word allows for a suggestion.
  ExpectOnly(Base() + "  libelleOption: {column: option, tirm: false}\n",
             "unknown key \"fields.libelleOption.tirm\"; known keys here: case, choose, coalesce, "
             "column, constant, date, default, digits_only, fingerprint, fold_spaces, "
             "ignore_accents, ignore_case, map, nil_when_empty, not_after, not_before, pad_left, "
             "part, partial, pattern, pattern_reason, remove_spaces, required, separator, "
             "template, trim, word, words_from",
             23, 35);
}

TEST(MappingErrorTest, FieldOfAnotherVersion) {
  ExpectOnly(Base() + "  nir: nir\n",
             "fields: nir does not exist in schema 1.1.2; identifiantNational (nir) needs "
             "schema_version: \"1.1.5\"",
             23, 3, SchemaVersion::k112);
}

TEST(MappingErrorTest, IdTechniqueInFields) {
  ExpectOnly(Base() + "  idTechnique: id\n",
             "fields: idTechnique comes from key (and id_technique), not from fields", 23, 3);
}

TEST(MappingErrorTest, MissingKey) {
  ExpectOnly(Drop(Base(), "key:"), "the file: missing required key \"key\"", 1, 1);
}

TEST(MappingErrorTest, MissingQuery) {
  ExpectOnly(Drop(Base(), "query:"), "the file: missing required key \"query\"", 1, 1);
}

TEST(MappingErrorTest, MissingSource) {
  ExpectOnly(Drop(Base(), "source:"), "the file: missing required key \"source\"", 1, 1);
}

TEST(MappingErrorTest, MissingCertification) {
  ExpectOnly(Drop(Base(), "certification:"), "the file: missing required key \"certification\"", 1,
             1);
}

TEST(MappingErrorTest, MissingCertificationCode) {
  ExpectOnly(Replace(Base(), "certification:", "certification: {type: RNCP}"),
             "certification: missing required key \"code\"", 1, 16);
}

TEST(MappingErrorTest, MissingFields) {
  ExpectOnly(kHead, "the file: missing required key \"fields\"", 1, 1);
}

TEST(MappingErrorTest, EmptyKey) {
  ExpectOnly(Replace(Base(), "key:", "key: []"),
             "key: expected a column name or a list of column names", 4, 6);
}

// ---- Mandatory fields ----

TEST(MappingErrorTest, MandatoryPassageFieldUnmapped) {
  ExpectOnly(Drop(Base(), "  scoring:"), "fields: mandatory field scoring (5.15)" + kNotMapped, 6,
             3);
}

TEST(MappingErrorTest, MandatoryTitulaireFieldUnmapped) {
  ExpectOnly(Drop(Base(), "  sexe:"), "fields: mandatory field sexe (8.9)" + kNotMapped, 6, 3);
}

TEST(MappingErrorTest, BirthplaceUnmapped) {
  ExpectOnly(Drop(Base(), "  codePostal:"),
             "fields: mandatory field codeInsee (8.10) or codePostal (8.11)" + kNotMapped, 6, 3);
}

TEST(MappingErrorTest, NoIdentificationAtAllAsksForTheTitulaire) {
  Loaded l = Load(kHead + kPassageOnly);
  std::vector<std::string> messages;
  for (const Diagnostic& d : l.diagnostics) {
    EXPECT_EQ(d.location.line, 6);
    EXPECT_EQ(d.location.column, 3);
    messages.push_back(d.message);
  }
  EXPECT_THAT(
      messages,
      ElementsAre("fields: mandatory field anneeNaissance (8.6)" + kNotMapped,
                  "fields: mandatory field codeInsee (8.10) or codePostal (8.11)" + kNotMapped,
                  "fields: mandatory field jourNaissance (8.8)" + kNotMapped,
                  "fields: mandatory field moisNaissance (8.7)" + kNotMapped,
                  "fields: mandatory field nomNaissance (8.1)" + kNotMapped,
                  "fields: mandatory field nomUsage (8.2)" + kNotMapped,
                  "fields: mandatory field prenom1 (8.3)" + kNotMapped,
                  "fields: mandatory field sexe (8.9)" + kNotMapped));
}

TEST(MappingErrorTest, DossierFormationIncomplete) {
  Loaded l = Load(kHead + kPassageOnly + "  idDossier: dossier\n");
  ASSERT_EQ(l.diagnostics.size(), 2u) << FormatDiagnostics(l.diagnostics);
  ExpectAt(l.diagnostics[0], "fields: mandatory field nomTitulaire (9.2)" + kNotMapped, 6, 3);
  ExpectAt(l.diagnostics[1], "fields: mandatory field prenom1Titulaire (9.3)" + kNotMapped, 6, 3);
}

TEST(MappingErrorTest, NirWithoutNomNaissance) {
  ExpectOnly(kHead + kPassageOnly + "  nir: nir\n",
             "fields: mandatory field nomNaissance (8.1)" + kNotMapped, 6, 3);
}

TEST(MappingErrorTest, NirBranchNeedsOnlyNomNaissance) {
  Loaded l = Load(kHead + kPassageOnly + "  nir: nir\n  nomNaissance: nom\n");
  EXPECT_TRUE(l.mapping.has_value());
  EXPECT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
}

TEST(MappingErrorTest, AnyTitulaireFieldCommitsToTheTitulaireBranch) {
  Loaded l = Load(kHead + kPassageOnly +
                  "  idDossier: dossier\n"
                  "  nomTitulaire: nom\n"
                  "  prenom1Titulaire: prenom\n"
                  "  prenom1: prenom\n");
  std::vector<std::string> messages;
  for (const Diagnostic& d : l.diagnostics) messages.push_back(d.message);
  EXPECT_THAT(
      messages,
      ElementsAre("fields: mandatory field anneeNaissance (8.6)" + kNotMapped,
                  "fields: mandatory field codeInsee (8.10) or codePostal (8.11)" + kNotMapped,
                  "fields: mandatory field jourNaissance (8.8)" + kNotMapped,
                  "fields: mandatory field moisNaissance (8.7)" + kNotMapped,
                  "fields: mandatory field nomNaissance (8.1)" + kNotMapped,
                  "fields: mandatory field nomUsage (8.2)" + kNotMapped,
                  "fields: mandatory field sexe (8.9)" + kNotMapped));
}

TEST(MappingErrorTest, ARefusedMandatoryRuleIsNotAlsoCalledUnmapped) {
  ExpectOnly(Replace(Base(), "  donneeCertifiee:", "  donneeCertifiee: {constant: oui}"),
             "fields.donneeCertifiee.constant: \"oui\" is not true or false", 9, 31);
}

// ---- Constants, map targets and defaults must be values of the field ----

TEST(MappingErrorTest, ConstantOutsideEnumeration) {
  ExpectOnly(Base() + "  niveauLangueEuropeen: {constant: D1}\n",
             "fields.niveauLangueEuropeen.constant: \"D1\" is not a value of niveauLangueEuropeen "
             "(A1, A2, B1, B2, C1, C2, INSUFFISANT)",
             23, 36);
}

TEST(MappingErrorTest, ConstantNotAWholeNumber) {
  ExpectOnly(Base() + "  scoreGeneral: {constant: douze}\n",
             "fields.scoreGeneral.constant: \"douze\" is not a whole number", 23, 28);
}

TEST(MappingErrorTest, ConstantOutOfRange) {
  ExpectOnly(Base() + "  scoreGeneral: {constant: 1001}\n",
             "fields.scoreGeneral.constant: \"1001\" is outside 1 to 1000", 23, 28);
}

TEST(MappingErrorTest, ConstantNotABoolean) {
  ExpectRefusedMandatory(
      Replace(Base(), "  donneeCertifiee:", "  donneeCertifiee: {constant: oui}"),
      "fields.donneeCertifiee.constant: \"oui\" is not true or false", 9, 31,
      "donneeCertifiee (5.5)");
}

TEST(MappingErrorTest, ConstantNotADate) {
  ExpectOnly(Base() + "  dateDebutExamen: {constant: 15/01/2026}\n",
             "fields.dateDebutExamen.constant: \"15/01/2026\" is not a date written YYYY-MM-DD", 23,
             31);
}

TEST(MappingErrorTest, ConstantNotADayOfTheCalendar) {
  ExpectOnly(Base() + "  dateDebutExamen: {constant: \"2023-02-29\"}\n",
             "fields.dateDebutExamen.constant: \"2023-02-29\" is not a day of the calendar", 23,
             31);
}

TEST(MappingErrorTest, ConstantDateOutsideTheYears) {
  ExpectOnly(Base() + "  dateDebutExamen: {constant: \"1899-12-31\"}\n",
             "fields.dateDebutExamen.constant: \"1899-12-31\" is outside the years 1900 to 2099",
             23, 31);
}

TEST(MappingErrorTest, ConstantTooLong) {
  const std::string long_text(256, 'x');
  ExpectOnly(Base() + "  libelleOption: {constant: " + long_text + "}\n",
             // The value is quoted only as an excerpt.
             "fields.libelleOption.constant: \"" + long_text.substr(0, 40) +
                 "\"... (256 characters) has 256 characters; libelleOption takes 1 to 255",
             23, 29);
}

TEST(MappingErrorTest, ConstantOfTheWrongExactLength) {
  ExpectOnly(Base() + "  codeInsee: {constant: \"7505\"}\n",
             "fields.codeInsee.constant: \"7505\" has 4 characters; codeInsee has exactly 5", 23,
             25);
}

TEST(MappingErrorTest, MapTargetOutsideEnumeration) {
  ExpectOnly(Base() +
                 "  modalitePassageExamen:\n"
                 "    column: modalite\n"
                 "    map:\n"
                 "      distance: A_DISTANCE\n"
                 "      sur place: PRESENTIEL\n",
             "fields.modalitePassageExamen.map[\"sur place\"]: \"PRESENTIEL\" is not a value of "
             "modalitePassageExamen (A_DISTANCE, EN_PRESENTIEL, MIXTE)",
             27, 18);
}

TEST(MappingErrorTest, DefaultOutsideEnumeration) {
  ExpectOnly(Base() +
                 "  modalitePassageExamen:\n"
                 "    column: modalite\n"
                 "    map: {distance: A_DISTANCE}\n"
                 "    default: AUTRE\n",
             "fields.modalitePassageExamen.default: \"AUTRE\" is not a value of "
             "modalitePassageExamen (A_DISTANCE, EN_PRESENTIEL, MIXTE)",
             26, 14);
}

TEST(MappingErrorTest, MapTargetNilOnANonNillableField) {
  ExpectOnly(Base() + "  modalitePassageExamen: {column: modalite, map: {inconnu: nil}}\n",
             "fields.modalitePassageExamen.map[\"inconnu\"]: modalitePassageExamen cannot be nil",
             23, 60);
}

TEST(MappingErrorTest, MapTargetAbsentIsAlwaysAllowed) {
  Loaded l = Load(Base() +
                  "  modalitePassageExamen: {column: modalite, map: {inconnu: absent}, default: "
                  "absent}\n");
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  const ValueMap& map = *l.mapping->rule(Field::modalitePassageExamen)->map;
  EXPECT_EQ(map.entries[0].outcome, MapOutcome::kAbsent);
  EXPECT_EQ(map.default_outcome, MapOutcome::kAbsent);
}

TEST(MappingErrorTest, MapKeyThatIsNotUtf8IsRefusedWithItsPosition) {
  ExpectOnly(Base() +
                 "  modalitePassageExamen:\n"
                 "    column: modalite\n"
                 "    map:\n"
                 "      distance: A_DISTANCE\n"
                 "      pr\xE9sentiel: EN_PRESENTIEL\n",
             "fields.modalitePassageExamen.map: the key \"pr\\xE9sentiel\" has invalid UTF-8 at "
             "byte 3 (\\xE9); save the file as UTF-8",
             27, 7);
}

TEST(MappingErrorTest, MapTargetConstantAndDefaultMustBeXmlText) {
  Loaded l = Load(Base() +
                  "  modalitePassageExamen:\n"
                  "    column: modalite\n"
                  "    map: {distance: \"A_DIST\xFF\"}\n"
                  "    default: \"MIXTE\\u0007\"\n"
                  "  libelleOption: {constant: \"Option\\u001B\"}\n");
  ASSERT_EQ(l.diagnostics.size(), 3u) << FormatDiagnostics(l.diagnostics);
  ExpectAt(l.diagnostics[0],
           "fields.modalitePassageExamen.map: invalid UTF-8 at byte 7 (\\xFF); save the file as "
           "UTF-8",
           25, 21);
  ExpectAt(l.diagnostics[1],
           "fields.modalitePassageExamen.default: character U+0007 at position 6 is not allowed in "
           "XML; remove it (a deposit file is XML 1.0)",
           26, 14);
  ExpectAt(l.diagnostics[2],
           "fields.libelleOption.constant: character U+001B at position 7 is not allowed in XML; "
           "remove it (a deposit file is XML 1.0)",
           27, 29);
}

TEST(MappingErrorTest, AMapTargetBroughtByAnAliasIsReportedWhereTheAliasIsUsed) {
  ExpectOnly(Base() +
                 "  libelleOption: {constant: &autre AUTRE}\n"
                 "  modalitePassageExamen:\n"
                 "    column: modalite\n"
                 "    map:\n"
                 "      distance: *autre\n",
             "fields.modalitePassageExamen.map[\"distance\"]: \"AUTRE\" is not a value of "
             "modalitePassageExamen (A_DISTANCE, EN_PRESENTIEL, MIXTE)",
             27, 7);
}

TEST(MappingErrorTest, AScalarFileIsDescribedNotQuoted) {
  ExpectOnly("S3cr3t-Passw0rd\n",
             "the file: expected a mapping of keys to values, found a text of 15 characters", 1, 1);
}

TEST(MappingErrorTest, ACsvOfNamesIsDescribedNotQuoted) {
  Loaded l = Load("nom;prenom;naissance\nDupont;Jeanne;1990-01-01\nMartin;Paul;1985-12-31\n");
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  ExpectAt(l.diagnostics[0],
           "the file: expected a mapping of keys to values, found a text of 68 characters", 1, 1);
}

TEST(MappingErrorTest, EmptyMap) {
  ExpectOnly(Base() + "  modalitePassageExamen: {column: modalite, map: {}}\n",
             "fields.modalitePassageExamen.map: expected a mapping of source values to CDC values",
             23, 50);
}

// ---- nil ----

TEST(MappingErrorTest, NilOnANonNillableField) {
  ExpectOnly(Base() + "  libelleOption: nil\n", "fields.libelleOption: libelleOption cannot be nil",
             23, 18);
}

TEST(MappingErrorTest, NilConstantOnANonNillableField) {
  ExpectOnly(Base() + "  libelleOption: {constant: nil}\n",
             "fields.libelleOption: libelleOption cannot be nil", 23, 29);
}

TEST(MappingErrorTest, NilOnAMandatoryField) {
  ExpectRefusedMandatory(Replace(Base(), "  sexe:", "  sexe: nil"),
                         "fields.sexe: sexe cannot be nil", 21, 9, "sexe (8.9)");
}

TEST(MappingErrorTest, NilOnObtentionCertificationIn115) {
  // Optional in 1.1.5 but not nillable, and the dictionary wants a value.
  ExpectRefusedMandatory(
      Replace(Base(), "  obtentionCertification:", "  obtentionCertification: nil"),
      "fields.obtentionCertification: obtentionCertification cannot be nil", 8, 27,
      "obtentionCertification (5.4)");
}

TEST(MappingErrorTest, NilOnDateDebutValiditeIn115) {
  // Nillable in the 1.1.5 schema, but the dictionary requires the date of delivery.
  ExpectRefusedMandatory(Replace(Base(), "  dateDebutValidite:", "  dateDebutValidite: nil"),
                         "fields.dateDebutValidite: dateDebutValidite cannot be nil (the "
                         "dictionary requires a value)",
                         6, 22, "dateDebutValidite (5.10)");
}

TEST(MappingErrorTest, NilOnDateDebutValiditeIn112) {
  ExpectRefusedMandatory(Replace(Base(), "  dateDebutValidite:", "  dateDebutValidite: nil"),
                         "fields.dateDebutValidite: dateDebutValidite cannot be nil", 6, 22,
                         "dateDebutValidite (5.10)", SchemaVersion::k112);
}

TEST(MappingErrorTest, NilAllowedOnObligatoireSaufNilFields) {
  for (SchemaVersion v : {SchemaVersion::k112, SchemaVersion::k115}) {
    Loaded l = Load(Base(), v);  // dateFinValidite, scoring, mentionValidee, ... are nil
    EXPECT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  }
}

// ---- Map keys under ignore_case / ignore_accents ----

TEST(MappingErrorTest, MapKeysEqualWithoutCaseAndAccentsButDifferentTargets) {
  ExpectOnly(Base() +
                 "  modalitePassageExamen:\n"
                 "    column: modalite\n"
                 "    map:\n"
                 "      Présentiel: EN_PRESENTIEL\n"
                 "      PRESENTIEL: MIXTE\n"
                 "    ignore_case: true\n"
                 "    ignore_accents: true\n",
             "fields.modalitePassageExamen.map: \"PRESENTIEL\" and \"Présentiel\" are the same "
             "value here but map to different CDC values",
             27, 7);
}

TEST(MappingErrorTest, MapKeysEqualWithoutCase) {
  ExpectOnly(Base() +
                 "  modalitePassageExamen:\n"
                 "    column: modalite\n"
                 "    map: {distance: A_DISTANCE, Distance: MIXTE}\n"
                 "    ignore_case: true\n",
             "fields.modalitePassageExamen.map: \"Distance\" and \"distance\" are the same value "
             "here but map to different CDC values",
             25, 33);
}

TEST(MappingErrorTest, MapKeysEqualWithoutAccents) {
  ExpectOnly(Base() +
                 "  modalitePassageExamen:\n"
                 "    column: modalite\n"
                 "    map: {présentiel: EN_PRESENTIEL, presentiel: MIXTE}\n"
                 "    ignore_accents: true\n",
             "fields.modalitePassageExamen.map: \"presentiel\" and \"présentiel\" are the same "
             "value here but map to different CDC values",
             25, 39);  // columns count bytes: "é" is two
}

TEST(MappingErrorTest, MapKeysThatFoldTogetherToTheSameTargetAreAccepted) {
  Loaded l = Load(Base() +
                  "  modalitePassageExamen:\n"
                  "    column: modalite\n"
                  "    map: {Présentiel: EN_PRESENTIEL, PRESENTIEL: EN_PRESENTIEL}\n"
                  "    ignore_case: true\n"
                  "    ignore_accents: true\n");
  EXPECT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
}

TEST(MappingErrorTest, MapKeysDifferingByCaseAreDistinctWithoutIgnoreCase) {
  Loaded l = Load(Base() +
                  "  modalitePassageExamen: {column: m, map: {distance: A_DISTANCE, "
                  "Distance: MIXTE, dístance: EN_PRESENTIEL}}\n");
  EXPECT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
}

// ---- Steps for messy data: remove_spaces, digits_only, pad_left, pattern, separators,
// fingerprint, default: keep ----

TEST(LoadMappingTest, ReadsTheStepsForMessyData) {
  Loaded l =
      Load(Replace(Base(), "  mentionValidee:",
                   "  mentionValidee: {column: mention, map: {Très bien: MENTION_TRES_BIEN, AB: "
                   "MENTION_ASSEZ_BIEN}, fingerprint: true, default: keep}") +
           "  codeInsee: {column: insee, remove_spaces: true, pad_left: 5, pattern: "
           "\"[0-9]{5}|2[AB][0-9]{3}\", pattern_reason: \" code INSEE attendu \"}\n"
           "  prenom2: {column: prenoms, word: 2, separator: [\" \", \",\", \",\"]}\n"
           "  libelleOption: {column: option, digits_only: true}\n");
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  const Mapping& m = *l.mapping;
  const FieldRule& insee = *m.rule(Field::codeInsee);
  EXPECT_TRUE(insee.remove_spaces);
  EXPECT_FALSE(insee.digits_only);
  EXPECT_EQ(insee.pad_left, 5);
  ASSERT_TRUE(insee.pattern.has_value());
  EXPECT_EQ(insee.pattern->text, "[0-9]{5}|2[AB][0-9]{3}");
  EXPECT_EQ(insee.pattern->reason, "code INSEE attendu");  // trimmed
  EXPECT_EQ(insee.pattern->location.line, 23);
  EXPECT_EQ(insee.pattern->compiled.Check("2A004"), PatternOutcome::kMatch);
  EXPECT_EQ(insee.pattern->compiled.Check("2C004"), PatternOutcome::kNoMatch);
  EXPECT_THAT(m.rule(Field::prenom2)->word->separators, ElementsAre(" ", ","));  // once each
  EXPECT_TRUE(m.rule(Field::libelleOption)->digits_only);
  EXPECT_FALSE(m.rule(Field::libelleOption)->remove_spaces);
  EXPECT_EQ(m.rule(Field::libelleOption)->pad_left, 0);
  const ValueMap& mention = *m.rule(Field::mentionValidee)->map;
  EXPECT_TRUE(mention.fingerprint);
  EXPECT_EQ(mention.default_outcome, MapOutcome::kKeep);
  // The map is indexed at load, keys folded once.
  ASSERT_EQ(mention.index.size(), 2u);
  EXPECT_TRUE(mention.index.contains("tresbien"));
  ASSERT_NE(mention.Find("TRÈS-BIEN !"), nullptr);
  EXPECT_EQ(mention.Find("TRÈS-BIEN !")->to, "MENTION_TRES_BIEN");
}

TEST(LoadMappingTest, EveryMapIsIndexedAtLoad) {
  Loaded l = Load(Base() +
                  "  modalitePassageExamen: {column: m, map: {Distance: A_DISTANCE}, "
                  "ignore_case: true}\n");
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  const ValueMap& map = *l.mapping->rule(Field::modalitePassageExamen)->map;
  EXPECT_EQ(map.index.size(), 1u);
  ASSERT_NE(map.Find("DISTANCE"), nullptr);
}

TEST(MappingErrorTest, PadLeftOutOfRange) {
  ExpectOnly(Base() + "  codeInsee: {column: insee, pad_left: 0}\n",
             "fields.codeInsee.pad_left: 0 is out of range (1 to 255)", 23, 40);
  ExpectOnly(Base() + "  codeInsee: {column: insee, pad_left: 256}\n",
             "fields.codeInsee.pad_left: 256 is out of range (1 to 255)", 23, 40);
}

TEST(MappingErrorTest, PadLeftNotAWholeNumber) {
  ExpectOnly(Base() + "  codeInsee: {column: insee, pad_left: 5.5}\n",
             "fields.codeInsee.pad_left: expected a whole number, found \"5.5\"", 23, 40);
}

TEST(MappingErrorTest, PatternThatIsNotARegularExpression) {
  Loaded l = Load(Base() + "  codeInsee: {column: insee, pattern: \"[0-9\"}\n");
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  EXPECT_THAT(l.diagnostics[0].message,
              ::testing::StartsWith("fields.codeInsee.pattern: \"[0-9\": not a regular "
                                    "expression (ECMAScript): "));
  EXPECT_EQ(l.diagnostics[0].location.line, 23);
  EXPECT_EQ(l.diagnostics[0].location.column, 39);
}

TEST(MappingErrorTest, PatternWithABackReference) {
  ExpectOnly(Base() + "  codeInsee: {column: insee, pattern: \"(a)\\\\1\"}\n",
             "fields.codeInsee.pattern: \"(a)\\\\1\": back-references (\\1) are refused: they "
             "would make matching slow; write the expected text out",
             23, 39);
}

TEST(MappingErrorTest, PatternEmpty) {
  ExpectOnly(Base() + "  codeInsee: {column: insee, pattern: \"\"}\n",
             "fields.codeInsee.pattern: \"\": must not be empty", 23, 39);
}

TEST(MappingErrorTest, PatternReasonWithoutPattern) {
  ExpectOnly(Base() + "  codeInsee: {column: insee, pattern_reason: code INSEE attendu}\n",
             "fields.codeInsee.pattern_reason: only applies with pattern", 23, 46);
}

TEST(MappingErrorTest, PatternReasonEmpty) {
  ExpectOnly(
      Base() + "  codeInsee: {column: insee, pattern: \"[0-9]{5}\", pattern_reason: \" \"}\n",
      "fields.codeInsee.pattern_reason: 1 to 300 characters, in French: what the value "
      "should be, for the staff who read the quarantine",
      23, 67);
}

TEST(MappingErrorTest, FingerprintWithoutMap) {
  ExpectOnly(Base() + "  libelleOption: {column: option, fingerprint: true}\n",
             "fields.libelleOption.fingerprint: only applies with map", 23, 48);
}

TEST(MappingErrorTest, MapKeysWithTheSameFingerprintButDifferentTargets) {
  ExpectOnly(Base() +
                 "  modalitePassageExamen:\n"
                 "    column: modalite\n"
                 "    map:\n"
                 "      Présentiel: EN_PRESENTIEL\n"
                 "      Distance: A_DISTANCE\n"
                 "      \"pré-sentiel.\": MIXTE\n"
                 "    fingerprint: true\n",
             "fields.modalitePassageExamen.map: \"pré-sentiel.\" and \"Présentiel\" are the same "
             "value here but map to different CDC values",
             28, 7);
}

TEST(MappingErrorTest, MapKeysWithTheSameFingerprintAndTargetAreAccepted) {
  Loaded l = Load(Base() +
                  "  modalitePassageExamen: {column: m, map: {\"A distance\": A_DISTANCE, "
                  "\"à-distance\": A_DISTANCE}, fingerprint: true}\n");
  EXPECT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
}

TEST(MappingErrorTest, KeepIsForTheDefaultOnly) {
  ExpectOnly(Base() + "  libelleOption: {column: option, map: {ANG: keep}}\n",
             "fields.libelleOption.map[\"ANG\"]: keep is for default (the values the map does not "
             "list); a listed value gives its target, so write the value itself",
             23, 46);
}

TEST(MappingErrorTest, StepsOnANilSource) {
  Loaded l = Load(Replace(Base(), "  nomUsage: nil",
                          "  nomUsage: {constant: nil, trim: false, pattern: \"[A-Z]+\"}"));
  ASSERT_EQ(l.diagnostics.size(), 2u) << FormatDiagnostics(l.diagnostics);
  const std::string advice =
      ": the source is nil, which has no value for a step to work on; read a column, or leave "
      "the step out";
  ExpectAt(l.diagnostics[0], "fields.nomUsage.trim" + advice, 16, 35);
  ExpectAt(l.diagnostics[1], "fields.nomUsage.pattern" + advice, 16, 51);
}

TEST(MappingErrorTest, SeparatorListEmptyOrWithAnEmptyItem) {
  ExpectOnly(Base() + "  prenom2: {column: prenoms, word: 2, separator: []}\n",
             "fields.prenom2.separator: give a separator, or a list of one or more", 23, 50);
  ExpectOnly(Base() + "  prenom2: {column: prenoms, word: 2, separator: [\",\", \"\"]}\n",
             "fields.prenom2.separator: must not be empty", 23, 56);
}

// ---- Dates ----

TEST(MappingErrorTest, DateFormatWithTwoDigitYear) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, date: \"%d/%m/%y\"}\n",
             "fields.dateDebutExamen.date: \"%d/%m/%y\": %y (a two-digit year) is refused: the "
             "century would be a guess; use %Y",
             23, 41);
}

TEST(MappingErrorTest, DateFormatWithUnknownDirective) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, date: \"%d %b %Y\"}\n",
             "fields.dateDebutExamen.date: \"%d %b %Y\": unknown directive %b; formats use %d, %m, "
             "%Y (and %H, %M, %S, which are read and ignored)",
             23, 41);
}

TEST(MappingErrorTest, DateFormatWithoutYear) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, date: \"%d/%m\"}\n",
             "fields.dateDebutExamen.date: \"%d/%m\": a date format needs %d, %m and %Y, once each",
             23, 41);
}

TEST(MappingErrorTest, DateFormatWithTwoDays) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, date: \"%d/%d/%m/%Y\"}\n",
             "fields.dateDebutExamen.date: \"%d/%d/%m/%Y\": a date format needs %d, %m and %Y, "
             "once each",
             23, 41);
}

TEST(MappingErrorTest, DateFormatWithALonePercent) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, date: \"%d/%m/%Y%\"}\n",
             "fields.dateDebutExamen.date: \"%d/%m/%Y%\": the format ends with a lone '%'", 23, 41);
}

TEST(MappingErrorTest, DateFormatErrorInAListPointsAtTheItem) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, date: [sql, \"%d-%m-%y\"]}\n",
             "fields.dateDebutExamen.date: \"%d-%m-%y\": %y (a two-digit year) is refused: the "
             "century would be a guess; use %Y",
             23, 47);
}

TEST(MappingErrorTest, DateOnANonDateField) {
  ExpectOnly(Base() + "  libelleOption: {column: option, date: iso}\n",
             "fields.libelleOption.date: applies to date fields, and to anneeNaissance, "
             "moisNaissance and jourNaissance (with part)",
             23, 41);
}

TEST(MappingErrorTest, PartWithoutDate) {
  ExpectOnly(Base() + "  scoreGeneral: {column: score, part: year}\n",
             "fields.scoreGeneral.part: only applies with date", 23, 39);
}

TEST(MappingErrorTest, PartOnADateField) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, date: iso, part: year}\n",
             "fields.dateDebutExamen.part: dateDebutExamen is a whole date; part is for "
             "anneeNaissance, moisNaissance and jourNaissance",
             23, 52);
}

TEST(MappingErrorTest, DateOnANumberThatIsNotABirthField) {
  ExpectOnly(Base() + "  scoreGeneral: {column: score, date: iso}\n",
             "fields.scoreGeneral.date: applies to date fields, and to anneeNaissance, "
             "moisNaissance and jourNaissance (with part)",
             23, 39);
}

TEST(MappingErrorTest, BirthFieldWithDateButNoPart) {
  Loaded l = Load(Replace(Base(), "  anneeNaissance: {constant: 1990}",
                          "  anneeNaissance: {column: naissance, date: \"%d/%m/%Y\"}"));
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  EXPECT_EQ(
      l.diagnostics[0].message,
      "fields.anneeNaissance: a date gives anneeNaissance only with part: year, month or day");
}

TEST(MappingErrorTest, UnknownPart) {
  Loaded l = Load(Replace(Base(), "  anneeNaissance: {constant: 1990}",
                          "  anneeNaissance: {column: naissance, date: iso, part: week}"));
  ASSERT_EQ(l.diagnostics.size(), 2u) << FormatDiagnostics(l.diagnostics);
  EXPECT_EQ(l.diagnostics[0].message,
            "fields.anneeNaissance.part: expected year, month or day, found \"week\"");
  EXPECT_EQ(
      l.diagnostics[1].message,
      "fields.anneeNaissance: a date gives anneeNaissance only with part: year, month or day");
}

// ---- Partial dates and date ranges ----

TEST(LoadMappingTest, ReadsPartialDatesAndRanges) {
  Loaded l =
      Load(Replace(Replace(Base(), "  anneeNaissance: {constant: 1990}",
                           "  anneeNaissance: {column: naissance, date: \"%d/%m/%Y\", part: year, "
                           "partial: true, not_before: 1900-01-01, not_after: today}"),
                   "  dateDebutValidite:",
                   "  dateDebutValidite: {column: delivre, not_before: \"2021-07-01\", not_after: "
                   "2099-12-31}"));
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  const FieldRule& annee = *l.mapping->rule(Field::anneeNaissance);
  ASSERT_TRUE(annee.date.has_value());
  EXPECT_TRUE(annee.date->partial);
  ASSERT_TRUE(annee.not_before.has_value());
  EXPECT_FALSE(annee.not_before->today);
  EXPECT_EQ(annee.not_before->date,
            (Date{std::chrono::year(1900), std::chrono::January, std::chrono::day(1)}));
  ASSERT_TRUE(annee.not_after.has_value());
  EXPECT_TRUE(annee.not_after->today);
  EXPECT_EQ(annee.not_after->location.line, 18);
  const FieldRule& debut = *l.mapping->rule(Field::dateDebutValidite);
  ASSERT_TRUE(debut.date.has_value());  // sql, the default of date fields
  EXPECT_FALSE(debut.date->partial);
  EXPECT_EQ(debut.not_before->date,
            (Date{std::chrono::year(2021), std::chrono::July, std::chrono::day(1)}));
  EXPECT_EQ(debut.not_after->date,
            (Date{std::chrono::year(2099), std::chrono::December, std::chrono::day(31)}));
  EXPECT_FALSE(l.mapping->rule(Field::nomNaissance)->not_after.has_value());
}

TEST(MappingErrorTest, RangeBoundThatIsNotADate) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, not_after: demain}\n",
             "fields.dateDebutExamen.not_after: expected today or a real day written YYYY-MM-DD, "
             "found \"demain\"",
             23, 46);
}

TEST(MappingErrorTest, RangeBoundThatIsNotARealDay) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, not_before: 2021-02-30}\n",
             "fields.dateDebutExamen.not_before: expected today or a real day written "
             "YYYY-MM-DD, found \"2021-02-30\"",
             23, 47);
}

TEST(MappingErrorTest, RangeBoundWrittenTheFrenchWay) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, not_before: 01/07/2021}\n",
             "fields.dateDebutExamen.not_before: expected today or a real day written "
             "YYYY-MM-DD, found \"01/07/2021\"",
             23, 47);
}

TEST(MappingErrorTest, RangeOnAFieldThatIsNotADate) {
  ExpectOnly(Base() + "  libelleOption: {column: option, not_after: today}\n",
             "fields.libelleOption.not_after: applies to dates: a date field, or "
             "anneeNaissance, moisNaissance and jourNaissance read with date",
             23, 46);
}

TEST(MappingErrorTest, RangeOnABirthYearNotReadAsADate) {
  Loaded l = Load(Replace(Base(), "  anneeNaissance: {constant: 1990}",
                          "  anneeNaissance: {column: annee, not_after: today}"));
  ASSERT_GE(l.diagnostics.size(), 1u);
  ExpectAt(l.diagnostics[0],
           "fields.anneeNaissance.not_after: applies to dates: a date field, or anneeNaissance, "
           "moisNaissance and jourNaissance read with date",
           18, 46);
}

TEST(MappingErrorTest, RangeThatNoDateCanPass) {
  ExpectOnly(Base() +
                 "  dateDebutExamen: {column: jury, not_before: 2026-01-01, not_after: "
                 "2025-12-31}\n",
             "fields.dateDebutExamen.not_before: 2026-01-01 is after not_after 2025-12-31: no "
             "date of dateDebutExamen could pass",
             23, 47);
}

TEST(MappingErrorTest, PartialOnAWholeDate) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, date: \"%d/%m/%Y\", partial: true}\n",
             "fields.dateDebutExamen.partial: only applies with date and part (year, month or "
             "day): a whole date cannot be sent with an unknown day or month",
             23, 62);
}

TEST(MappingErrorTest, PartialWithoutDate) {
  ExpectOnly(Base() + "  dateDebutExamen: {column: jury, partial: true}\n",
             "fields.dateDebutExamen.partial: only applies with date and part (year, month or "
             "day): a whole date cannot be sent with an unknown day or month",
             23, 44);
}

TEST(MappingErrorTest, PartialNotABoolean) {
  Loaded l = Load(Replace(Base(), "  moisNaissance: nil",
                          "  moisNaissance: {column: naissance, date: \"%d/%m/%Y\", part: month, "
                          "partial: oui}"));
  ASSERT_GE(l.diagnostics.size(), 1u);
  ExpectAt(l.diagnostics[0], "fields.moisNaissance.partial: expected true or false, found \"oui\"",
           19, 78);
}

// ---- Transforms that need another ----

TEST(MappingErrorTest, DefaultWithoutMap) {
  ExpectOnly(Base() + "  libelleOption: {column: option, default: x}\n",
             "fields.libelleOption.default: only applies with map", 23, 44);
}

TEST(MappingErrorTest, IgnoreCaseWithoutMap) {
  ExpectOnly(Base() + "  libelleOption: {column: option, ignore_case: true}\n",
             "fields.libelleOption.ignore_case: only applies with map", 23, 48);
}

TEST(MappingErrorTest, IgnoreAccentsWithoutMap) {
  ExpectOnly(Base() + "  libelleOption: {column: option, ignore_accents: true}\n",
             "fields.libelleOption.ignore_accents: only applies with map", 23, 51);
}

TEST(MappingErrorTest, SeparatorWithoutWord) {
  ExpectOnly(Base() + "  libelleOption: {column: option, separator: \",\"}\n",
             "fields.libelleOption.separator: only applies with word or words_from", 23, 46);
}

TEST(MappingErrorTest, EmptySeparator) {
  ExpectOnly(Base() + "  libelleOption: {column: option, word: 1, separator: \"\"}\n",
             "fields.libelleOption.separator: must not be empty", 23, 55);
}

TEST(MappingErrorTest, WordAndWordsFromTogether) {
  ExpectOnly(Base() + "  libelleOption: {column: option, word: 1, words_from: 2}\n",
             "fields.libelleOption: give word or words_from, not both", 23, 56);
}

TEST(MappingErrorTest, WordOutOfRange) {
  ExpectOnly(Base() + "  libelleOption: {column: option, word: 0}\n",
             "fields.libelleOption.word: 0 is out of range (1 to 100)", 23, 41);
}

TEST(MappingErrorTest, UnknownCase) {
  ExpectOnly(Base() + "  libelleOption: {column: option, case: title}\n",
             "fields.libelleOption.case: expected upper or lower, found \"title\"", 23, 41);
}

TEST(MappingErrorTest, TrimNotABoolean) {
  ExpectOnly(Base() + "  libelleOption: {column: option, trim: yes}\n",
             "fields.libelleOption.trim: expected true or false, found \"yes\"", 23, 41);
}

// ---- Sources ----

TEST(MappingErrorTest, TwoSources) {
  ExpectOnly(
      Base() + "  libelleOption: {column: option, constant: Anglais}\n",
      "fields.libelleOption: give only one of column, constant, template, coalesce and choose", 23,
      18);
}

TEST(MappingErrorTest, NoSource) {
  ExpectOnly(
      Base() + "  libelleOption: {trim: false}\n",
      "fields.libelleOption: give one source: column, constant, template, coalesce or choose", 23,
      18);
}

TEST(MappingErrorTest, ARuleThatIsAList) {
  ExpectOnly(Base() + "  libelleOption: [a, b]\n",
             "fields.libelleOption: expected a column name, nil, or a mapping of rule keys", 23,
             18);
}

TEST(MappingErrorTest, CoalesceWithOneColumn) {
  ExpectOnly(Base() + "  libelleOption: {coalesce: [option]}\n",
             "fields.libelleOption.coalesce: expected a list of two columns or more", 23, 29);
}

TEST(MappingErrorTest, TemplateWithAnUnclosedBrace) {
  ExpectOnly(Base() + "  libelleOption: {template: \"Option {option\"}\n",
             "fields.libelleOption.template: a '{' is not closed (write {{ for a literal brace)",
             23, 29);
}

TEST(MappingErrorTest, TemplateWithAStrayClosingBrace) {
  ExpectOnly(Base() + "  libelleOption: {template: \"Option option}\"}\n",
             "fields.libelleOption.template: a '}' closes nothing (write }} for a literal brace)",
             23, 29);
}

// ---- Key, id_technique, nature_deposant, cursor, paging, query ----

TEST(MappingErrorTest, IdTechniqueWithANonKeyColumn) {
  ExpectOnly(Base() + "id_technique: \"CERT-{id}-{annee}\"\n",
             "id_technique: uses \"annee\", which is not a key column; an idTechnique must be "
             "built from the key alone, or it changes when the data does and the CDC records the "
             "passage twice",
             23, 15);
}

TEST(MappingErrorTest, IdTechniqueNotUsingEveryKeyColumn) {
  ExpectOnly(
      Replace(Base(), "key:", "key: [numero, session]") + "id_technique: \"CERT-{numero}\"\n",
      "id_technique: does not use key column \"session\"; two rows would get the same "
      "idTechnique",
      23, 15);
}

TEST(MappingErrorTest, IdTechniqueWithAnUnclosedBrace) {
  ExpectOnly(Base() + "id_technique: \"CERT-{id\"\n",
             "id_technique: a '{' is not closed (write {{ for a literal brace)", 23, 15);
}

TEST(MappingTest, IdTechniqueAfterCorrectionKeepsKeyColumnsAndTheCounter) {
  const Loaded loaded =
      Load(Base() + "id_technique_after_correction: \"CERT-{id}-C{correction}\"\n");
  ASSERT_TRUE(loaded.diagnostics.empty()) << loaded.diagnostics[0].message;
  const auto& parts = loaded.mapping->id_technique_after_correction;
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[1].text, "id");
  EXPECT_TRUE(parts[3].column);
  EXPECT_EQ(parts[3].text, "correction");
}

TEST(MappingErrorTest, IdTechniqueAfterCorrectionWithoutTheCounter) {
  ExpectOnly(Base() + "id_technique_after_correction: \"CERT-{id}-C\"\n",
             "id_technique_after_correction: does not use {correction}; a second correction of "
             "the same passage would get the same idTechnique as the first",
             23, 32);
}

TEST(MappingErrorTest, IdTechniqueAfterCorrectionWithANonKeyColumn) {
  ExpectOnly(Base() + "id_technique_after_correction: \"{id}-{annee}-{correction}\"\n",
             "id_technique_after_correction: uses \"annee\", which is neither a key column nor "
             "{correction}; the idTechnique of a correction must be built from the key alone",
             23, 32);
}

TEST(MappingErrorTest, IdTechniqueAfterCorrectionUnder112) {
  const Loaded loaded =
      Load(Base() + "id_technique_after_correction: \"{id}-{correction}\"\n", SchemaVersion::k112);
  bool found = false;
  for (const auto& d : loaded.diagnostics) {
    found = found ||
            d.message.find(
                "id_technique_after_correction: a correction is a "
                "SUPPRESSION then a CREATION, which only schema 1.1.5 has") != std::string::npos;
  }
  EXPECT_TRUE(found);
}

TEST(MappingErrorTest, NatureDeposantInvalid) {
  ExpectOnly(Base() + "nature_deposant: TIERS_DE_CONFIANCE\n",
             "nature_deposant: \"TIERS_DE_CONFIANCE\" is not one of CERTIFICATEUR, TIERS_CONFIANCE",
             23, 18);
}

TEST(MappingErrorTest, CursorWithoutColumn) {
  Loaded l = Load(Base() + "cursor: {look_back: 1d}\n");
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  ExpectAt(l.diagnostics[0], "cursor: missing required key \"column\"", 23, 9);
  ASSERT_TRUE(l.mapping.has_value());
  EXPECT_EQ(l.mapping->cursor, std::nullopt);
}

TEST(MappingErrorTest, CursorWithAnUnreadableLookBack) {
  Loaded l = Load(Base() + "cursor: {column: modifie_le, look_back: 1 jour}\n");
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  EXPECT_EQ(l.diagnostics[0].location.line, 23);
  EXPECT_EQ(l.diagnostics[0].location.column, 41);
  EXPECT_TRUE(l.diagnostics[0].message.starts_with(
      "cursor.look_back: invalid duration \"1 jour\": missing or unknown unit"))
      << l.diagnostics[0].message;
}

TEST(MappingErrorTest, PageSizeWithoutPageBy) {
  ExpectOnly(Base() + "page_size: 500\n",
             "page_size: set without page_by; it only applies to keyset paging", 23, 12);
}

TEST(MappingErrorTest, PageSizeOutOfRange) {
  ExpectOnly(Base() + "page_by: id\npage_size: 0\n", "page_size: 0 is out of range (1 to 1000000)",
             24, 12);
}

TEST(MappingErrorTest, QueryNotASelect) {
  ExpectOnly(Replace(Base(), "query:", "query: DELETE FROM resultat"),
             "query: the query must be a single SELECT (or WITH ... SELECT): accrochd only reads",
             3, 8);
}

TEST(MappingErrorTest, QueryWithAParameterMarker) {
  ExpectOnly(Replace(Base(), "query:", "query: SELECT * FROM resultat WHERE session = ?"),
             "query: the query contains a '?' parameter marker outside quotes; extraction queries "
             "take no parameters (accrochd binds its own when it reads by pages)",
             3, 8);
}

TEST(MappingErrorTest, QueryWithTwoStatements) {
  ExpectOnly(Replace(Base(), "query:", "query: SELECT * FROM resultat; DELETE FROM resultat"),
             "query: the query holds more than one statement; give a single SELECT", 3, 8);
}

TEST(MappingErrorTest, QueryWithAQuestionMarkInAStringIsAccepted) {
  Loaded l = Load(Replace(Base(), "query:",
                          "query: \"WITH r AS (SELECT * FROM resultat) SELECT * FROM r WHERE nom "
                          "<> '?'\""));
  EXPECT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
}

TEST(MappingErrorTest, EveryProblemInOnePass) {
  Loaded l = Load(Base() +
                  "  couleurYeux: yeux\n"
                  "  libelleOption: nil\n"
                  "nature_deposant: TIERS\n"
                  "page_size: 500\n");
  ASSERT_TRUE(l.mapping.has_value());
  ASSERT_EQ(l.diagnostics.size(), 4u) << FormatDiagnostics(l.diagnostics);
  // In the order the loader reads: top-level keys first, then the fields.
  ExpectAt(l.diagnostics[0],
           "nature_deposant: \"TIERS\" is not one of CERTIFICATEUR, TIERS_CONFIANCE", 25, 18);
  ExpectAt(l.diagnostics[1], "page_size: set without page_by; it only applies to keyset paging", 26,
           12);
  ExpectAt(l.diagnostics[2],
           "fields: unknown field \"couleurYeux\" (the fields are the CDC dictionary's element "
           "names; see accrochd.mapping(5))",
           23, 3);
  ExpectAt(l.diagnostics[3], "fields.libelleOption: libelleOption cannot be nil", 24, 18);
}

// ---- ParseTemplate ----

TEST(ParseTemplateTest, SplitsColumnsAndLiterals) {
  std::string problem;
  auto parts = ParseTemplate("{nom} {prenom}", problem);
  ASSERT_TRUE(parts.has_value()) << problem;
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_TRUE((*parts)[0].column);
  EXPECT_EQ((*parts)[0].text, "nom");
  EXPECT_FALSE((*parts)[1].column);
  EXPECT_EQ((*parts)[1].text, " ");
  EXPECT_TRUE((*parts)[2].column);
  EXPECT_EQ((*parts)[2].text, "prenom");
  EXPECT_EQ(problem, "");
}

TEST(ParseTemplateTest, DoubledBracesAreLiteral) {
  std::string problem;
  auto parts = ParseTemplate("{{x}} = {{{x}}}", problem);
  ASSERT_TRUE(parts.has_value()) << problem;
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_FALSE((*parts)[0].column);
  EXPECT_EQ((*parts)[0].text, "{x} = {");
  EXPECT_TRUE((*parts)[1].column);
  EXPECT_EQ((*parts)[1].text, "x");
  EXPECT_FALSE((*parts)[2].column);
  EXPECT_EQ((*parts)[2].text, "}");
}

TEST(ParseTemplateTest, PlainTextAndEmptyText) {
  std::string problem;
  auto plain = ParseTemplate("Session 2026", problem);
  ASSERT_TRUE(plain.has_value());
  ASSERT_EQ(plain->size(), 1u);
  EXPECT_FALSE((*plain)[0].column);
  EXPECT_EQ((*plain)[0].text, "Session 2026");
  auto empty = ParseTemplate("", problem);
  ASSERT_TRUE(empty.has_value());
  EXPECT_THAT(*empty, IsEmpty());
}

TEST(ParseTemplateTest, UnclosedBrace) {
  std::string problem;
  EXPECT_EQ(ParseTemplate("{nom} {prenom", problem), std::nullopt);
  EXPECT_EQ(problem, "a '{' is not closed (write {{ for a literal brace)");
}

TEST(ParseTemplateTest, StrayClosingBrace) {
  std::string problem;
  EXPECT_EQ(ParseTemplate("nom}", problem), std::nullopt);
  EXPECT_EQ(problem, "a '}' closes nothing (write }} for a literal brace)");
}

TEST(ParseTemplateTest, EmptyOrNestedBraces) {
  std::string problem;
  EXPECT_EQ(ParseTemplate("a{}b", problem), std::nullopt);
  EXPECT_EQ(problem, "an empty or nested {} in the template");
  problem.clear();
  EXPECT_EQ(ParseTemplate("{a{b}", problem), std::nullopt);
  EXPECT_EQ(problem, "an empty or nested {} in the template");
}

// ---- ReferencedColumns ----

TEST(ReferencedColumnsTest, EveryColumnOnceInOrderOfFirstUse) {
  Loaded l = Load(kComplete);
  ASSERT_TRUE(l.mapping.has_value());
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  // Key, cursor, page_by, then the fields in dictionary order (columns, template columns,
  // coalesce columns); constants and nil read nothing.
  EXPECT_THAT(
      ReferencedColumns(*l.mapping),
      ElementsAre("numero", "session", "modifie_le", "delivre", "note", "mention", "nom",
                  "nom_marital", "prenoms", "naissance", "civilite", "commune", "verbatim"));
}

TEST(ReferencedColumnsTest, OnlyTheKeyForAMappingOfConstants) {
  Loaded l = Load(Base());
  ASSERT_TRUE(l.mapping.has_value());
  EXPECT_THAT(ReferencedColumns(*l.mapping), ElementsAre("id"));
}

// ---- A certification read from columns ----

// Lines 1 to 6; "source" is line 7.
const std::string kFromColumns =
    "certification:\n"
    "  type: {column: type_certif, map: {rncp: RNCP, rs: RS}, ignore_case: true}\n"
    "  code: {column: code_certif, case: upper}\n"
    "source: scolarite\n"
    "query: SELECT * FROM resultat\n"
    "key: id\n";

TEST(LoadCertificationTest, TypeAndCodeFromColumnsAreRulesLikeAField) {
  Loaded l = Load(kFromColumns + accrochd::testing::MinimalFields());
  ASSERT_TRUE(l.mapping.has_value());
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  const CertificationRule& c = l.mapping->certification;
  EXPECT_EQ(c.constant, std::nullopt);
  EXPECT_EQ(c.type.source, SourceKind::kColumn);
  EXPECT_EQ(c.type.column, "type_certif");
  ASSERT_TRUE(c.type.map.has_value());
  EXPECT_TRUE(c.type.map->ignore_case);
  ASSERT_EQ(c.type.map->entries.size(), 2u);
  EXPECT_EQ(c.type.map->entries[1].to, "RS");
  EXPECT_EQ(c.code.column, "code_certif");
  EXPECT_EQ(c.code.letter_case, LetterCase::kUpper);
  EXPECT_EQ(c.code.location.line, 3);
  // check compares them with the query's columns, and names where they are read.
  EXPECT_THAT(ReferencedColumns(*l.mapping), ElementsAre("id", "type_certif", "code_certif"));
  EXPECT_EQ(ColumnLocation(*l.mapping, "code_certif").line, 3);
  EXPECT_EQ(ColumnLocation(*l.mapping, "code_certif").column, 9);
}

TEST(LoadCertificationTest, OnePartConstantTheOtherFromAColumn) {
  Loaded l =
      Load(Replace(kFromColumns, "  type:", "  type: RS") + accrochd::testing::MinimalFields());
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  EXPECT_EQ(l.mapping->certification.constant, std::nullopt);
  EXPECT_EQ(l.mapping->certification.type.source, SourceKind::kConstant);
  EXPECT_EQ(l.mapping->certification.type.constant, "RS");
}

// Constants written as rules, with steps, are still one constant certification, checked at load
// once the steps are applied (a constant is checked as written too, as a field's is).
TEST(LoadCertificationTest, ConstantRulesAreComputedAndCheckedAtLoad) {
  Loaded l = Load(Replace(Replace(kFromColumns, "  type:", "  type: {constant: RNCP}"),
                          "  code:", "  code: {constant: \" rncp35830 \", case: upper}") +
                  accrochd::testing::MinimalFields());
  ASSERT_TRUE(l.diagnostics.empty()) << FormatDiagnostics(l.diagnostics);
  EXPECT_EQ(l.mapping->certification.constant, (Certification{"RNCP", "RNCP35830"}));
  EXPECT_THAT(ReferencedColumns(*l.mapping), ElementsAre("id"));

  ExpectOnly(Replace(Replace(kFromColumns, "  type:", "  type: {constant: RS}"),
                     "  code:", "  code: {constant: RNCP34567}") +
                 accrochd::testing::MinimalFields(),
             "certification: code \"RNCP34567\" is an RNCP code, but the type is RS: the CDC "
             "refuses a type that contradicts its code (type: RNCP)",
             3, 9);
}

TEST(LoadCertificationTest, OnePartConstantTheOtherFromAColumnForEveryType) {
  for (const std::string& type : CertificationTypes()) {
    Loaded l = Load(Replace(kFromColumns, "  type:", "  type: \"" + type + "\"") +
                    accrochd::testing::MinimalFields());
    EXPECT_TRUE(l.diagnostics.empty()) << type << FormatDiagnostics(l.diagnostics);
  }
}

TEST(LoadCertificationTest, AConstantTypeIsCheckedEvenWhenTheCodeComesFromAColumn) {
  Loaded l =
      Load(Replace(kFromColumns, "  type:", "  type: Titre") + accrochd::testing::MinimalFields());
  ASSERT_EQ(l.diagnostics.size(), 1u) << FormatDiagnostics(l.diagnostics);
  EXPECT_THAT(l.diagnostics[0].message,
              ::testing::StartsWith("certification: type \"Titre\" is not a certification type "
                                    "of the dictionary (4.1): \"RNCP\", \"RS\""));
  EXPECT_EQ(l.diagnostics[0].location.line, 2);
  EXPECT_EQ(l.diagnostics[0].location.column, 9);
}

// What a map gives for the type must be one of the dictionary's types.
TEST(LoadCertificationTest, AMapTargetThatIsNoTypeIsALoadError) {
  ExpectOnly(Replace(kFromColumns,
                     "  type:", "  type: {column: type_certif, map: {rncp: RNCP, titre: Titre}}") +
                 accrochd::testing::MinimalFields(),
             "certification.type.map[\"titre\"]: \"Titre\" is not a value of certification.type "
             "(RNCP, RS, Diplôme d'Etablissement, Diplôme Universitaire, Habilitation, "
             "Reconnaissance)",
             2, 56);
}

TEST(LoadCertificationTest, StepsThatDoNotApplyToACertificationAreRefused) {
  ExpectOnly(Replace(kFromColumns, "  code:", "  code: {column: code_certif, date: iso}") +
                 accrochd::testing::MinimalFields(),
             "certification.code.date: applies to date fields, and to anneeNaissance, "
             "moisNaissance and jourNaissance (with part)",
             3, 37);
  ExpectOnly(Replace(kFromColumns, "  code:", "  code: {constant: nil}") +
                 accrochd::testing::MinimalFields(),
             "certification.code: certification.code cannot be nil", 3, 20);
  Loaded l = Load(Replace(kFromColumns, "  code:", "  code: {colum: code_certif}") +
                  accrochd::testing::MinimalFields());
  ASSERT_EQ(l.diagnostics.size(), 2u) << FormatDiagnostics(l.diagnostics);
  ExpectAt(l.diagnostics[0],
           "certification.code: give one source: column, constant, template, coalesce or choose", 3,
           9);
  ExpectAt(l.diagnostics[1], "unknown key \"certification.code.colum\"; did you mean \"column\"?",
           3, 10);
  ExpectOnly(Replace(kFromColumns, "  code:", "  code: {column: a, constant: RS5875}") +
                 accrochd::testing::MinimalFields(),
             "certification.code: give only one of column, constant, template, coalesce and choose",
             3, 9);
}

}  // namespace
}  // namespace accrochd::mappings
