// Conformance with the CDC's official schemas, for 1.1.2 and 1.1.5:
//  - files written by a DepositSession from passages that exercise every field, every value of
//    every enumeration, every bound, pass `xmllint --schema <official XSD>` and read back
//    (DepositReader) to the same values;
//  - so does a 5,000-passage file full of hostile values (markup characters, quotes, accents,
//    ligatures, emoji, 60-character names, line breaks, tabs), byte for byte;
//  - accrochd's own XSD (GenerateXsd) and the official one accept and refuse the same files: the
//    official examples and mutated copies of them.
// The official files are found through tests/support/cdc_files.h; without them the tests that
// need them are skipped, saying why.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/deposit/deposit_session.h"
#include "connectors/xml/deposit_reader.h"
#include "connectors/xml/deposit_writer.h"
#include "connectors/xml/xsd_validator.h"
#include "mappings/value_rules.h"
#include "mappings/xsd_schema.h"
#include "tests/support/capture_logger.h"
#include "tests/support/cdc_files.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::deposit {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mappings::Field;
using mappings::FieldSpec;
using mappings::FieldValue;
using mappings::Group;
using mappings::Mapping;
using mappings::Passage;
using mappings::SchemaVersion;
using mappings::ValueType;

const TimePoint kNow = std::chrono::sys_days{std::chrono::year(2026) / 11 / 27} + 1h + 30min + 12s;

std::string VersionName(SchemaVersion v) { return std::string(mappings::SchemaVersionName(v)); }

std::string ParamName(const ::testing::TestParamInfo<SchemaVersion>& param) {
  return param.param == SchemaVersion::k112 ? "v112" : "v115";
}

std::string TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  return testing::MakeTempDir("conformance_test/" + name);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// `xmllint --noout --schema xsd file`: what it prints (both streams) and its exit status.
std::pair<std::string, int> XmlLint(const std::string& xsd, const std::string& file) {
  const std::string command = "xmllint --noout --nonet --schema '" + xsd + "' '" + file + "' 2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {"cannot run xmllint", -1};
  std::array<char, 4096> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    out.append(buffer.data(), n);
  }
  return {out, ::pclose(pipe)};
}

void ExpectXmlLintValidates(const std::string& xsd, const std::string& file) {
  auto [out, status] = XmlLint(xsd, file);
  EXPECT_EQ(status, 0) << out.substr(0, 2000);
  EXPECT_EQ(out, file + " validates\n");
}

// ---------------------------------------------------------------------------------------------
// Passages

void Set(Passage& p, Field f, std::string text) {
  p[f] = FieldValue{FieldValue::State::kValue, std::move(text)};
}
void Nil(Passage& p, Field f) { p[f] = FieldValue{FieldValue::State::kNil, ""}; }

// Every element of a titulaire passage, valued; valid in both versions.
Passage Full(const Mapping& m, const std::string& id) {
  Passage p;
  p.mapping = &m;
  if (m.certification.constant) p.certification = *m.certification.constant;
  p.id_technique = id;
  p.source_key = "id=" + id;
  Set(p, Field::urlPreuve, "https://preuves.example.fr/p?id=" + id + "&x=1");
  Set(p, Field::libelleOption, "Option « réseaux »");
  Set(p, Field::obtentionCertification, "PAR_SCORING");
  Set(p, Field::donneeCertifiee, "true");
  Set(p, Field::dateDebutExamen, "2026-06-02");
  Set(p, Field::dateFinExamen, "2026-06-04");
  Set(p, Field::modalitePassageExamen, "MIXTE");
  Set(p, Field::codePostalCentreExamen, "97400");
  Set(p, Field::dateDebutValidite, "2026-07-01");
  Set(p, Field::dateFinValidite, "2031-07-01");
  Set(p, Field::presenceNiveauLangueEuro, "true");
  Set(p, Field::niveauLangueEuropeen, "C1");
  Set(p, Field::presenceNiveauNumeriqueEuro, "true");
  Set(p, Field::scoreGeneral, "777");
  p.resultats = {{"1", "2", "3"}, {"5", "3", "8"}};
  Set(p, Field::scoring, "16,5/20");
  Set(p, Field::mentionValidee, "MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY");
  Set(p, Field::modaliteAcces, "VAE");
  Set(p, Field::voieAccessVAE, "CONGES_VAE");
  Set(p, Field::initiativeInscription, "POLE_EMPLOI");
  Set(p, Field::dateInscription, "2024-02-29");
  Set(p, Field::nomNaissance, "N'GUYEN-LÆTITIA");
  Set(p, Field::nomUsage, "D'ARTAGNAN");
  Set(p, Field::prenom1, "Zoë");
  Set(p, Field::prenom2, "Œdipe");
  Set(p, Field::prenom3, "José-María");
  Set(p, Field::anneeNaissance, "1985");
  Set(p, Field::moisNaissance, "12");
  Set(p, Field::jourNaissance, "31");
  Set(p, Field::sexe, "F");
  Set(p, Field::codeInsee, "99134");
  Set(p, Field::libelleCommuneNaissance, "Séville");
  Set(p, Field::codePaysNaissance, "134");
  Set(p, Field::libellePaysNaissance, "Espagne");
  Set(p, Field::verbatim, "Jury du 3 juin : « très bien »");
  return p;
}

// The mandatory elements of 1.1.2, nil wherever nil is allowed, the postal code branch.
Passage Nils(const Mapping& m, const std::string& id, SchemaVersion version) {
  Passage p;
  p.mapping = &m;
  if (m.certification.constant) p.certification = *m.certification.constant;
  p.id_technique = id;
  p.source_key = "id=" + id;
  Set(p, Field::obtentionCertification, "PAR_ADMISSION");
  Set(p, Field::donneeCertifiee, "false");
  if (version == SchemaVersion::k115) {
    Nil(p, Field::dateDebutValidite);
  } else {
    Set(p, Field::dateDebutValidite, "1900-01-01");
  }
  Nil(p, Field::dateFinValidite);
  Set(p, Field::presenceNiveauLangueEuro, "false");
  Set(p, Field::presenceNiveauNumeriqueEuro, "false");
  Nil(p, Field::scoring);
  Nil(p, Field::mentionValidee);
  Nil(p, Field::modaliteAcces);
  Set(p, Field::nomNaissance, "MARTIN");
  Nil(p, Field::nomUsage);
  Set(p, Field::prenom1, "Luc");
  Set(p, Field::anneeNaissance, "2099");
  Nil(p, Field::moisNaissance);
  Nil(p, Field::jourNaissance);
  Set(p, Field::sexe, "M");
  Set(p, Field::codePostal, "75001");
  return p;
}

Passage Dossier(const Mapping& m, const std::string& id, SchemaVersion version) {
  Passage p = Nils(m, id, version);
  p.identification = Group::kDossierFormation;
  Set(p, Field::idDossier, "1234567890123");
  Set(p, Field::nomTitulaire, "ÉLÉONORE DE LA TOUR D'AUVERGNE");  // 30 characters
  Set(p, Field::prenom1Titulaire, "Marie-Étiennette-Zoé");        // 20 characters
  return p;
}

// A string of `n` characters, each `c` (one character, possibly several bytes).
std::string Repeat(const std::string& c, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += c;
  return out;
}

// Passages that together exercise every field, every value of every enumeration and the bounds
// of every string, integer and date, in `version`.
std::vector<Passage> EveryField(const std::vector<const Mapping*>& mappings,
                                SchemaVersion version) {
  std::vector<Passage> out;
  int n = 0;
  auto id = [&] { return "EF-" + std::to_string(++n); };
  auto mapping = [&]() -> const Mapping& { return *mappings[out.size() / 7 % mappings.size()]; };
  out.push_back(Full(mapping(), id()));
  out.push_back(Nils(mapping(), id(), version));
  {
    Passage p = Nils(mapping(), id(), version);
    Nil(p, Field::codePostal);
    out.push_back(p);
  }
  out.push_back(Dossier(mapping(), id(), version));
  {
    Passage p = Full(mapping(), id());  // bloc 6 without resultats, lowest score
    Set(p, Field::scoreGeneral, "1");
    p.resultats.clear();
    out.push_back(p);
  }
  {
    Passage p = Full(mapping(), id());  // every niveau, domaine and competence
    p.resultats.clear();
    for (int i = 1; i <= 8; ++i) {
      p.resultats.push_back({std::to_string(1 + i % 5), std::to_string(i % 10), std::to_string(i)});
    }
    Set(p, Field::scoreGeneral, "1000");
    out.push_back(p);
  }
  {
    Passage p = Full(mapping(), id());  // the other bounds
    Set(p, Field::anneeNaissance, "1900");
    Set(p, Field::moisNaissance, "1");
    Set(p, Field::jourNaissance, "1");
    Set(p, Field::dateDebutExamen, "1900-01-01");
    Set(p, Field::dateFinExamen, "2099-12-31");
    out.push_back(p);
  }
  if (version == SchemaVersion::k115) {
    Passage nir = Nils(mapping(), id(), version);
    nir.identification = Group::kIdentifiantNational;
    Set(nir, Field::nir, "285072A123456");
    out.push_back(nir);
    Passage corse = nir;  // the other NIR form
    corse.id_technique = id();
    Set(corse, Field::nir, "1850775123456");
    out.push_back(corse);

    // Only what 1.1.5 requires: everything else left out.
    Passage minimal;
    minimal.mapping = &mapping();
    minimal.certification = *mapping().certification.constant;
    minimal.id_technique = id();
    Nil(minimal, Field::modaliteAcces);
    for (Field f : {Field::nomNaissance, Field::prenom1, Field::anneeNaissance, Field::sexe}) {
      minimal[f] = Nils(mapping(), "x", version)[f];
    }
    Nil(minimal, Field::nomUsage);
    Nil(minimal, Field::moisNaissance);
    Nil(minimal, Field::jourNaissance);
    Set(minimal, Field::codeInsee, "2A004");
    out.push_back(minimal);
  }
  // Every value of every enumeration.
  for (const FieldSpec& s : mappings::Fields()) {
    if (s.type != ValueType::kEnum || !s.In(version).exists) continue;
    for (std::string_view value : s.enumeration) {
      Passage p = Full(mapping(), id());
      Set(p, s.field, std::string(value));
      out.push_back(p);
    }
  }
  // Every string at its longest, in two-byte characters.
  for (const FieldSpec& s : mappings::Fields()) {
    if (s.type != ValueType::kString || !s.In(version).exists) continue;
    const std::string longest = Repeat("é", s.max_length);
    Passage p = s.group == Group::kDossierFormation ? Dossier(mapping(), id(), version)
                                                    : Full(mapping(), id());
    if (s.field == Field::idTechnique) {
      p.id_technique = Repeat("é", s.max_length - 4) + std::to_string(1000 + n);
    } else if (s.field == Field::codePostal) {
      p[Field::codeInsee] = FieldValue{};
      Set(p, s.field, longest);
    } else {
      Set(p, s.field, longest);
    }
    out.push_back(p);
  }
  return out;
}

// Characters that break careless writers, one code point each.
const std::vector<std::string> kHostile = {"&",
                                           "<",
                                           ">",
                                           "\"",
                                           "'",
                                           "é",
                                           "É",
                                           "œ",
                                           "Œ",
                                           "æ",
                                           "Æ",
                                           "ß",
                                           "\xEF\xAC\x81" /* ﬁ */,
                                           "ÿ",
                                           "Ÿ",
                                           "ç",
                                           "ñ",
                                           "ł",
                                           "中",
                                           "😀",
                                           "𝔘",
                                           "👍",
                                           "\t",
                                           "\n",
                                           "\r",
                                           " ",
                                           "-",
                                           "x",
                                           "]",
                                           ";",
                                           "#",
                                           "\xC2\xA0" /* NBSP */,
                                           "\xE2\x80\x8B" /* ZWSP */,
                                           "\xE2\x80\xA8" /* LINE SEPARATOR */,
                                           "Z",
                                           "0"};

// `n` hostile characters, different for each seed; never only blanks.
std::string Hostile(int seed, int n) {
  std::string out = "Z";
  for (int k = 1; k < n; ++k) {
    const std::size_t index = static_cast<std::size_t>(seed * 7 + k * 13 + k * k) % kHostile.size();
    out += kHostile[index];
  }
  return out;
}

Passage HostilePassage(const Mapping& m, int i, SchemaVersion version) {
  Passage p = i % 2 == 0 ? Full(m, "") : Nils(m, "", version);
  p.id_technique = "H" + std::to_string(i) + "-" + Hostile(i, 40);
  p.source_key = "id=" + std::to_string(i);
  Set(p, Field::urlPreuve, Hostile(i + 1, 255));
  Set(p, Field::libelleOption, Hostile(i + 2, 200));
  Set(p, Field::codePostalCentreExamen, Hostile(i + 3, 9));
  if (p[Field::scoring].has_value()) Set(p, Field::scoring, Hostile(i + 4, 255));
  Set(p, Field::verbatim, Hostile(i + 5, 255));
  for (Field f : {Field::nomNaissance, Field::prenom1, Field::prenom2, Field::prenom3,
                  Field::libelleCommuneNaissance, Field::libellePaysNaissance}) {
    Set(p, f, Hostile(i + static_cast<int>(f), 60));
  }
  if (p[Field::nomUsage].has_value()) Set(p, Field::nomUsage, Hostile(i + 6, 60));
  switch (i % 4) {
    case 0:  // titulaire, INSEE code
      Set(p, Field::codeInsee, Hostile(i + 7, 5));
      Set(p, Field::codePaysNaissance, Hostile(i + 8, 3));
      break;
    case 1:  // titulaire, postal code
      p[Field::codeInsee] = FieldValue{};
      Set(p, Field::codePostal, Hostile(i + 9, 9));
      break;
    case 2:
      p.identification = Group::kDossierFormation;
      Set(p, Field::idDossier, Hostile(i + 10, 13));
      Set(p, Field::nomTitulaire, Hostile(i + 11, 30));
      Set(p, Field::prenom1Titulaire, Hostile(i + 12, 20));
      break;
    default:
      if (version == SchemaVersion::k115) {
        p.identification = Group::kIdentifiantNational;
        Set(p, Field::nir, "1850775" + std::to_string(100000 + i));
      } else {
        p[Field::codeInsee] = FieldValue{};
        Nil(p, Field::codePostal);
      }
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Reading back

// Whether the writer writes field `f` of `p`.
bool IsWritten(const Passage& p, Field f) {
  const FieldSpec& s = mappings::Spec(f);
  switch (s.group) {
    case Group::kPassage:
    case Group::kModalitesInscription:
      return true;
    case Group::kNiveauNumerique:
      return f == Field::scoreGeneral && p[Field::presenceNiveauNumeriqueEuro].text == "true";
    case Group::kTitulaire:
      return p.identification == Group::kTitulaire ||
             (f == Field::nomNaissance && p.identification == Group::kIdentifiantNational);
    case Group::kCodeCommuneNaissance:
      return p.identification == Group::kTitulaire &&
             (f == Field::codeInsee) == p[Field::codeInsee].has_value();
    case Group::kDossierFormation:
      return p.identification == Group::kDossierFormation;
    case Group::kIdentifiantNational:
      return p.identification == Group::kIdentifiantNational;
  }
  return false;
}

// `read` holds exactly what `written` says, byte for byte.
void ExpectSamePassage(const Passage& written, const xml::ReadPassage& read) {
  const Passage& r = read.passage;
  SCOPED_TRACE("passage " + written.id_technique + " read at line " + std::to_string(read.line));
  EXPECT_TRUE(r.id_technique == written.id_technique);
  EXPECT_EQ(r.identification, written.identification);
  for (const FieldSpec& s : mappings::Fields()) {
    if (s.field == Field::resultats || s.field == Field::idTechnique) continue;
    const FieldValue& got = r[s.field];
    if (!IsWritten(written, s.field) || written[s.field].state == FieldValue::State::kAbsent) {
      EXPECT_EQ(got.state, FieldValue::State::kAbsent) << s.name;
      continue;
    }
    EXPECT_EQ(got.state, written[s.field].state) << s.name;
    EXPECT_TRUE(got.text == written[s.field].text) << s.name << " differs";
  }
  const bool bloc6 = written[Field::presenceNiveauNumeriqueEuro].text == "true";
  ASSERT_EQ(r.resultats.size(), bloc6 ? written.resultats.size() : 0u);
  for (std::size_t i = 0; i < r.resultats.size(); ++i) {
    EXPECT_EQ(r.resultats[i].niveau, written.resultats[i].niveau);
    EXPECT_EQ(r.resultats[i].domaine_competence_id, written.resultats[i].domaine_competence_id);
    EXPECT_EQ(r.resultats[i].competence_id, written.resultats[i].competence_id);
  }
  ASSERT_NE(r.mapping, nullptr);
  EXPECT_EQ(r.certification, written.certification);
  EXPECT_EQ(r.mapping->nature_deposant, written.mapping->nature_deposant);
}

// The file groups passages by certification: each is found by its idTechnique.
void ExpectReadsBack(const std::string& path, const std::vector<Passage>& passages) {
  auto reader = xml::DepositReader::Open(path);
  ASSERT_TRUE(reader) << reader.error().message();
  EXPECT_EQ((*reader)->action(), "CREATION");
  std::map<std::string, const Passage*> by_id;
  for (const Passage& p : passages) {
    ASSERT_TRUE(by_id.emplace(p.id_technique, &p).second) << p.id_technique << " twice";
  }
  xml::ReadPassage read;
  std::size_t count = 0;
  for (;;) {
    auto more = (*reader)->Next(read);
    ASSERT_TRUE(more) << more.error().message();
    if (!*more) break;
    ASSERT_LT(count, passages.size());
    auto written = by_id.find(read.passage.id_technique);
    ASSERT_NE(written, by_id.end()) << read.passage.id_technique;
    ExpectSamePassage(*written->second, read);
    if (::testing::Test::HasFailure()) return;  // one broken passage says enough
    ++count;
  }
  EXPECT_EQ(count, passages.size());
}

// ---------------------------------------------------------------------------------------------
// Files written by a session, against the official XSD

class OfficialConformanceTest : public ::testing::TestWithParam<SchemaVersion> {
 protected:
  void SetUp() override {
    rncp_.name = "bts";
    rncp_.certification.constant = mappings::Certification{"RNCP", "RNCP35830"};
    rncp_.nature_deposant = "CERTIFICATEUR";
    rs_.name = "tosa";
    rs_.certification.constant = mappings::Certification{"RS", "RS5875"};
    rs_.nature_deposant = "TIERS_CONFIANCE";
    habilitation_.name = "habilitation";
    habilitation_.certification.constant =
        mappings::Certification{"Diplôme d'Etablissement", "DE-ÉCOLE-2026"};
  }

  // Deposits `passages` with the official XSD as the session's schema; returns the one file.
  std::optional<PublishedFile> DepositAll(const std::string& xsd,
                                          const std::vector<Passage>& passages) {
    const std::string dir = TestDir();
    testing::FakeClock clock(kNow);
    testing::CaptureLogger logger;
    auto zone = TimeZone::Named("Europe/Paris");
    EXPECT_TRUE(zone);
    Publisher publisher(PublisherSettings{dir + "/state", std::nullopt, std::nullopt, {}}, clock,
                        logger, ::accrochd::testing::RealFiles());
    EXPECT_TRUE(publisher.Prepare());
    auto schema = xml::XsdSchema::FromFile(xsd);
    EXPECT_TRUE(schema) << schema.error().message();
    if (!zone || !schema) return std::nullopt;
    SessionSettings settings;
    settings.version = GetParam();
    settings.schema = *schema;
    settings.emetteur = "AB123CDE";
    settings.certificateur = "E564ACB0";
    settings.id_contrat = "MCFCER000209";
    DepositSession session(settings, publisher, *zone, clock, logger);
    for (const Passage& p : passages) {
      auto added = session.Add(p);
      EXPECT_TRUE(added) << p.id_technique << ": " << added.error().message();
      if (!added) return std::nullopt;
    }
    auto outcome = session.Finish();
    EXPECT_TRUE(outcome) << outcome.error().message();
    if (!outcome) return std::nullopt;
    for (const mappings::Rejection& r : outcome->rejections) {
      ADD_FAILURE() << "the official XSD refused " << r.id_technique << ": " << r.message;
    }
    EXPECT_EQ(outcome->files.size(), 1u);
    if (outcome->files.size() != 1) return std::nullopt;
    EXPECT_EQ(outcome->files[0].passages, passages.size());
    return outcome->files[0];
  }

  Mapping rncp_, rs_, habilitation_;
};

// What the daemon checks its own files against (XsdOrder::kWriters, elements in the order the
// writer puts them) accepts the file too.
void ExpectWritersOrderAccepts(SchemaVersion version, const std::string& path) {
  auto ordered = xml::XsdSchema::FromText(
      mappings::GenerateXsd(version, mappings::XsdOrder::kWriters), "accrochd, writer's order");
  ASSERT_TRUE(ordered) << ordered.error().message();
  auto errors = (*ordered)->Validate(path);
  ASSERT_TRUE(errors) << errors.error().message();
  EXPECT_THAT(*errors, ::testing::IsEmpty())
      << "line " << errors->front().line << ": " << errors->front().message;
}

TEST_P(OfficialConformanceTest, EveryFieldValidatesWithXmllintAndReadsBack) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, VersionName(GetParam()));
  const std::vector<Passage> passages = EveryField({&rncp_, &rs_, &habilitation_}, GetParam());
  ASSERT_GT(passages.size(), 50u);
  auto file = DepositAll(xsd, passages);
  ASSERT_TRUE(file);
  ExpectXmlLintValidates(xsd, file->path);
  ExpectWritersOrderAccepts(GetParam(), file->path);
  ExpectReadsBack(file->path, passages);
  const std::string text = ReadAll(file->path);
  EXPECT_EQ(text.find("<cpf:action>CREATION</cpf:action>") != std::string::npos,
            GetParam() == SchemaVersion::k115);
}

TEST_P(OfficialConformanceTest, FiveThousandHostilePassagesValidateAndReadBackByteForByte) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, VersionName(GetParam()));
  std::vector<Passage> passages;
  passages.reserve(5'000);
  for (int i = 0; i < 5'000; ++i) {
    const Mapping& m = (i / 100) % 3 == 0 ? rncp_ : (i / 100) % 3 == 1 ? rs_ : habilitation_;
    passages.push_back(HostilePassage(m, i, GetParam()));
  }
  // The hostile strings are what they claim: 60 characters for names, all the traps present.
  const std::string& name = passages[0][Field::nomNaissance].text;
  EXPECT_EQ(std::count_if(name.begin(), name.end(),
                          [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }),
            60);
  std::string all;
  for (int i = 0; i < 40; ++i) all += passages[static_cast<std::size_t>(i)][Field::verbatim].text;
  for (const std::string& c : kHostile) ASSERT_NE(all.find(c), std::string::npos) << c;

  auto file = DepositAll(xsd, passages);
  ASSERT_TRUE(file);
  ExpectXmlLintValidates(xsd, file->path);
  ExpectWritersOrderAccepts(GetParam(), file->path);
  // One passage per line, whatever the values.
  const std::string text = ReadAll(file->path);
  const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  std::size_t expected = GetParam() == SchemaVersion::k115 ? 12 : 11;  // the header
  // The certification changes every 100 passages, but the file holds one group for each of the
  // three: 2 lines to close it, 5 to open it, 4 without natureDeposant.
  expected += (2 + 5) + (2 + 5) + (2 + 4) + 5'000;
  EXPECT_EQ(lines, expected + 5);  // and the 5 closing lines
  ExpectReadsBack(file->path, passages);
}

INSTANTIATE_TEST_SUITE_P(BothVersions, OfficialConformanceTest,
                         ::testing::Values(SchemaVersion::k112, SchemaVersion::k115), ParamName);

// The field `resultats` read back is the mapping's written form of the results ("D.C:N;..."),
// not text left over from the last competenceId and the indentation.
TEST(DepositReaderTest, ResultatsFieldIsConsistentWithTheResultsRead) {
  const std::string path = TestDir() + "/f.xml";
  Mapping m;
  m.certification.constant = mappings::Certification{"RNCP", "RNCP35830"};
  xml::FluxHeader h;
  h.id_flux = "f";
  h.horodatage = "2026-11-27T02:30:12+01:00";
  h.emetteur = "AB123CDE";
  h.certificateur = "E564ACB0";
  h.id_contrat = "C1";
  auto writer = xml::DepositWriter::Create(::accrochd::testing::RealFiles(), path, h);
  ASSERT_TRUE(writer) << writer.error().message();
  ASSERT_TRUE((*writer)->OpenCertification(*m.certification.constant, std::nullopt));
  Passage p = Full(m, "R1");
  ASSERT_TRUE((*writer)->AppendPassage(xml::SerializePassage(p, SchemaVersion::k115), "R1"));
  ASSERT_TRUE((*writer)->Finish());
  auto reader = xml::DepositReader::Open(path);
  ASSERT_TRUE(reader);
  xml::ReadPassage read;
  ASSERT_EQ((*reader)->Next(read), true);
  ASSERT_EQ(read.passage.resultats.size(), 2u);
  const FieldValue& field = read.passage[Field::resultats];
  if (field.has_value()) {
    auto parsed = mappings::ParseResultats(field.text);
    ASSERT_TRUE(parsed) << "resultats read as \"" << field.text << "\"";
    EXPECT_EQ(parsed->size(), 2u);
  }
}

// ---------------------------------------------------------------------------------------------
// accrochd's own XSD against the official one

struct Mutation {
  std::string name;
  std::function<std::optional<std::string>(const std::string&)> apply;  // nullopt: not applicable
  bool valid_112;  // the verdict when the example itself is valid in that version
  bool valid_115;
};

// `text` with the first match of `pattern` replaced by `format`; nullopt when nothing matches.
std::optional<std::string> ReplaceFirst(const std::string& text, const std::string& pattern,
                                        const std::string& format) {
  const std::regex re(pattern);
  if (!std::regex_search(text, re)) return std::nullopt;
  return std::regex_replace(text, re, format, std::regex_constants::format_first_only);
}

std::function<std::optional<std::string>(const std::string&)> First(std::string pattern,
                                                                    std::string format) {
  return [pattern, format](const std::string& text) { return ReplaceFirst(text, pattern, format); };
}

std::vector<Mutation> Mutations() {
  const std::string horodatage = "(<cpf:horodatage>[0-9-]+T[0-9:]+)\\+01:00(</cpf:horodatage>)";
  return {
      {"Z time zone", First(horodatage, "$1Z$2"), false, false},
      {"fractional second", First(horodatage, "$1.5+01:00$2"), false, false},
      {"one-digit offset hour", First(horodatage, "$1+1:00$2"), false, false},
      {"UTC written +00:00", First(horodatage, "$1+00:00$2"), true, true},
      {"empty nillable element",
       First("<cpf:nomUsage>[^<]*</cpf:nomUsage>", "<cpf:nomUsage></cpf:nomUsage>"), false, false},
      {"nil nillable element",
       First("<cpf:nomUsage>[^<]*</cpf:nomUsage>", "<cpf:nomUsage xsi:nil=\"true\"/>"), true, true},
      {"nil on a non-nillable element",
       First("<cpf:prenom1>[^<]*</cpf:prenom1>", "<cpf:prenom1 xsi:nil=\"true\"/>"), false, false},
      {"second certificateur",
       [](const std::string& text) -> std::optional<std::string> {
         const std::size_t open = text.find("<cpf:certificateur>");
         const std::string close = "</cpf:certificateur>";
         const std::size_t end = text.find(close);
         if (open == std::string::npos || end == std::string::npos) return std::nullopt;
         std::string out = text;
         out.insert(end + close.size(), text.substr(open, end + close.size() - open));
         return out;
       },
       false, false},
      {"61-character name",
       First("<cpf:nomNaissance>[^<]*</cpf:nomNaissance>",
             "<cpf:nomNaissance>" + Repeat("É", 61) + "</cpf:nomNaissance>"),
       false, false},
      {"60-character name",
       First("<cpf:nomNaissance>[^<]*</cpf:nomNaissance>",
             "<cpf:nomNaissance>" + Repeat("É", 60) + "</cpf:nomNaissance>"),
       true, true},
      {"2021-02-30", First("<cpf:dateDebutExamen>[^<]*<", "<cpf:dateDebutExamen>2021-02-30<"),
       false, false},
      {"2024-02-29", First("<cpf:dateDebutExamen>[^<]*<", "<cpf:dateDebutExamen>2024-02-29<"), true,
       true},
      {"date with a time zone",
       First("<cpf:dateDebutExamen>[^<]*<", "<cpf:dateDebutExamen>2021-02-03+01:00<"), false,
       false},
      {"missing idTechnique", First("<cpf:idTechnique>[^<]*</cpf:idTechnique>", ""), false, false},
      {"missing sexe", First("<cpf:sexe>[^<]*</cpf:sexe>", ""), false, false},
      {"unknown element", First("(</cpf:idTechnique>)", "$1<cpf:inconnu>x</cpf:inconnu>"), false,
       false},
      {"cpf:action CREATION",
       First("(</cpf:horodatage>)(\\s*<cpf:emetteur>)", "$1<cpf:action>CREATION</cpf:action>$2"),
       false, true},
      {"cpf:action MODIFICATION",
       First("(</cpf:horodatage>)(\\s*<cpf:emetteur>)",
             "$1<cpf:action>MODIFICATION</cpf:action>$2"),
       false, false},
      {"cpf:action removed", First("<cpf:action>[A-Z]*</cpf:action>", ""), false, true},
      {"natureDeposant of the Excel model",
       First("<cpf:natureDeposant>[^<]*<", "<cpf:natureDeposant>TIERS_DE_CONFIANCE<"), false,
       false},
      {"7-character idClient", First("<cpf:idClient>[^<]*<", "<cpf:idClient>AB123CD<"), false,
       false},
      {"blank before an enumeration value", First("<cpf:sexe>([MF])<", "<cpf:sexe> $1<"), false,
       false},
      {"no passage",
       [](const std::string& text) -> std::optional<std::string> {
         const std::string open = "<cpf:passageCertifications>";
         const std::size_t from = text.find(open);
         const std::size_t to = text.find("</cpf:passageCertifications>");
         if (from == std::string::npos || to == std::string::npos) return std::nullopt;
         std::string out = text;
         out.erase(from + open.size(), to - from - open.size());
         return out;
       },
       false, false},
  };
}

// The official XSD of the version and the CDC's directory (its examples), or the test skipped.
class XsdAgreementTest : public ::testing::TestWithParam<SchemaVersion> {
 protected:
  void SetUp() override {
    ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, VersionName(GetParam()));
    std::string why;
    auto cdc = testing::CdcDirectory(why);
    ASSERT_TRUE(cdc) << why;
    cdc_ = *cdc;
    auto official = xml::XsdSchema::FromFile(xsd);
    ASSERT_TRUE(official) << official.error().message();
    official_ = *official;
  }

  std::string cdc_;
  std::shared_ptr<const xml::XsdSchema> official_;
};

TEST_P(XsdAgreementTest, OwnXsdAndOfficialXsdAcceptAndRefuseTheSameFiles) {
  const SchemaVersion version = GetParam();
  auto own = xml::XsdSchema::FromText(mappings::GenerateXsd(version), "accrochd");
  ASSERT_TRUE(own) << own.error().message();
  const std::string dir = TestDir();

  // The three official examples; the 1.1.2 one is valid in both versions, the 2026 ones only in
  // 1.1.5 (cpf:action, identifiantNational).
  const std::vector<std::pair<std::string, bool>> examples = {
      {"cdc-kit-v2.0.0-example-xsd-1.1.2.xml", true},
      {"cdc-kit-2026-CREATION-xsd-1.1.5.xml", version == SchemaVersion::k115},
      {"cdc-kit-2026-SUPPRESSION-xsd-1.1.5.xml", version == SchemaVersion::k115},
  };
  int compared = 0;
  auto verdicts = [&](const std::string& label, const std::string& text) {
    const std::string path = dir + "/" + std::to_string(++compared) + ".xml";
    testing::WriteFile(path, text, 0600);
    auto by_official = official_->Validate(path);
    auto by_own = (*own)->Validate(path);
    EXPECT_TRUE(by_official && by_own) << label;
    if (!by_official || !by_own) return std::optional<bool>();
    EXPECT_EQ(by_official->empty(), by_own->empty())
        << label << ": official "
        << (by_official->empty() ? "accepts" : "refuses: " + by_official->front().message)
        << "; accrochd's " << (by_own->empty() ? "accepts" : "refuses: " + by_own->front().message);
    return std::optional<bool>(by_official->empty());
  };

  for (const auto& [name, valid] : examples) {
    const std::string example = ReadAll(cdc_ + "/examples/" + name);
    ASSERT_FALSE(example.empty()) << name;
    EXPECT_EQ(verdicts(name, example), valid) << name;
    for (const Mutation& m : Mutations()) {
      auto mutated = m.apply(example);
      if (!mutated) continue;
      ASSERT_NE(*mutated, example) << name << ", " << m.name;
      const auto verdict = verdicts(name + ", " + m.name, *mutated);
      if (valid && verdict) {
        EXPECT_EQ(*verdict, version == SchemaVersion::k112 ? m.valid_112 : m.valid_115)
            << name << ", " << m.name;
      }
    }
  }
  EXPECT_GT(compared, 50);
}

// The schema in the writer's order (the daemon's, for its own files) is the official one made
// stricter on order alone: on files whose elements come in that order -- the official examples
// that do, and every mutation of them -- it accepts and refuses what the official XSD does; a file
// in another order, which the official XSD accepts, it refuses.
TEST_P(XsdAgreementTest, TheWritersOrderAgreesWithTheOfficialXsdOnFilesInThatOrder) {
  const SchemaVersion version = GetParam();
  auto ordered = xml::XsdSchema::FromText(
      mappings::GenerateXsd(version, mappings::XsdOrder::kWriters), "accrochd, writer's order");
  ASSERT_TRUE(ordered) << ordered.error().message();
  const std::string dir = TestDir();
  int compared = 0;
  // Both verdicts on `text`: {official accepts, ordered accepts}.
  auto verdicts = [&](const std::string& text) {
    const std::string path = dir + "/" + std::to_string(++compared) + ".xml";
    testing::WriteFile(path, text, 0600);
    auto by_official = official_->Validate(path);
    auto by_ordered = (*ordered)->Validate(path);
    EXPECT_TRUE(by_official && by_ordered);
    if (!by_official || !by_ordered) return std::pair<bool, bool>(false, false);
    return std::pair<bool, bool>(by_official->empty(), by_ordered->empty());
  };
  int in_order = 0;
  for (const std::string name :
       {"cdc-kit-v2.0.0-example-xsd-1.1.2.xml", "cdc-kit-2026-SUPPRESSION-xsd-1.1.5.xml"}) {
    const std::string example = ReadAll(cdc_ + "/examples/" + name);
    ASSERT_FALSE(example.empty()) << name;
    const auto [official_accepts, ordered_accepts] = verdicts(example);
    EXPECT_EQ(official_accepts, ordered_accepts) << name;
    if (!official_accepts) continue;  // a 1.1.5 example under 1.1.2
    ++in_order;
    for (const Mutation& m : Mutations()) {
      auto mutated = m.apply(example);
      if (!mutated) continue;
      const auto [by_official, by_ordered] = verdicts(*mutated);
      EXPECT_EQ(by_official, by_ordered)
          << name << ", " << m.name << ": official " << (by_official ? "accepts" : "refuses")
          << ", the writer's order " << (by_ordered ? "accepts" : "refuses");
    }
  }
  EXPECT_EQ(in_order, version == SchemaVersion::k115 ? 2 : 1);
  EXPECT_GT(compared, 20);
  // The 2026 CREATION example puts presenceNiveauLangueEuro after niveauLangueEuropeen: valid for
  // the official XSD (xsd:all), not in the writer's order.
  if (version == SchemaVersion::k115) {
    const std::string example = ReadAll(cdc_ + "/examples/cdc-kit-2026-CREATION-xsd-1.1.5.xml");
    ASSERT_FALSE(example.empty());
    EXPECT_EQ(verdicts(example), std::make_pair(true, false));
  }
}

INSTANTIATE_TEST_SUITE_P(BothVersions, XsdAgreementTest,
                         ::testing::Values(SchemaVersion::k112, SchemaVersion::k115), ParamName);

}  // namespace
}  // namespace accrochd::deposit
