// The deposit writer: the exact XML of a passage (every branch of identificationTitulaire, bloc 6,
// nil and absent elements, escaping that keeps a passage on one line, UTF-8 passed through byte
// for byte), and the file around it: mode 0600, the header of the CDC's examples, the layout of
// lines the rewrite relies on, the byte count the size limit relies on.
#include "connectors/xml/deposit_writer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/xmlwriter.h>

#include "connectors/xml/xsd_validator.h"
#include "mappings/xsd_schema.h"
#include "tests/support/cdc_files.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::xml {
namespace {

using mappings::Field;
using mappings::FieldValue;
using mappings::Group;
using mappings::Passage;
using mappings::SchemaVersion;
using ::testing::HasSubstr;
using ::testing::Not;

// A fresh directory named after the running test.
std::string TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');  // parameterized tests
  return testing::MakeTempDir("deposit_writer_test/" + name);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The lines of `text`, without their line breaks; lines[0] is line 1.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void Set(Passage& p, Field f, std::string text) {
  p[f] = FieldValue{FieldValue::State::kValue, std::move(text)};
}
void Nil(Passage& p, Field f) { p[f] = FieldValue{FieldValue::State::kNil, ""}; }

// Every element of a passage with a titulaire, each with a value.
Passage FullTitulaire() {
  Passage p;
  p.id_technique = "BTS-2026-0001";
  Set(p, Field::urlPreuve, "https://preuves.example.fr/p/0001");
  Set(p, Field::libelleOption, "Option A");
  Set(p, Field::obtentionCertification, "PAR_ADMISSION");
  Set(p, Field::donneeCertifiee, "true");
  Set(p, Field::dateDebutExamen, "2026-06-02");
  Set(p, Field::dateFinExamen, "2026-06-04");
  Set(p, Field::modalitePassageExamen, "EN_PRESENTIEL");
  Set(p, Field::codePostalCentreExamen, "75009");
  Set(p, Field::dateDebutValidite, "2026-07-01");
  Set(p, Field::dateFinValidite, "2031-07-01");
  Set(p, Field::presenceNiveauLangueEuro, "true");
  Set(p, Field::niveauLangueEuropeen, "B2");
  Set(p, Field::presenceNiveauNumeriqueEuro, "true");
  Set(p, Field::scoreGeneral, "890");
  p.resultats = {{"3", "4", "5"}};  // domaine 3, compétence 4, niveau 5
  Set(p, Field::scoring, "14.5");
  Set(p, Field::mentionValidee, "MENTION_BIEN");
  Set(p, Field::modaliteAcces, "VAE");
  Set(p, Field::voieAccessVAE, "VAE_CLASSIQUE");
  Set(p, Field::initiativeInscription, "CERTIFIE");
  Set(p, Field::dateInscription, "2025-09-01");
  Set(p, Field::nomNaissance, "DUPONT");
  Set(p, Field::nomUsage, "MARTIN");
  Set(p, Field::prenom1, "Jean");
  Set(p, Field::prenom2, "Paul");
  Set(p, Field::prenom3, "Marie");
  Set(p, Field::anneeNaissance, "1990");
  Set(p, Field::moisNaissance, "5");
  Set(p, Field::jourNaissance, "17");
  Set(p, Field::sexe, "M");
  Set(p, Field::codeInsee, "99134");
  Set(p, Field::libelleCommuneNaissance, "Madrid");
  Set(p, Field::codePaysNaissance, "134");
  Set(p, Field::libellePaysNaissance, "Espagne");
  Set(p, Field::verbatim, "Jury du 3 juin");
  return p;
}

// The fewest elements a 1.1.5 titulaire passage can have.
Passage MinimalTitulaire(const std::string& id = "T-1") {
  Passage p;
  p.id_technique = id;
  Nil(p, Field::modaliteAcces);
  Set(p, Field::nomNaissance, "DUPONT");
  Nil(p, Field::nomUsage);
  Set(p, Field::prenom1, "Jean");
  Set(p, Field::anneeNaissance, "1990");
  Nil(p, Field::moisNaissance);
  Nil(p, Field::jourNaissance);
  Set(p, Field::sexe, "M");
  Set(p, Field::codeInsee, "75056");
  return p;
}

const std::string kMinimalIdentification =
    "<cpf:identificationTitulaire><cpf:titulaire><cpf:nomNaissance>DUPONT</cpf:nomNaissance>"
    "<cpf:nomUsage xsi:nil=\"true\"/><cpf:prenom1>Jean</cpf:prenom1>"
    "<cpf:anneeNaissance>1990</cpf:anneeNaissance><cpf:moisNaissance xsi:nil=\"true\"/>"
    "<cpf:jourNaissance xsi:nil=\"true\"/><cpf:sexe>M</cpf:sexe><cpf:codeCommuneNaissance>"
    "<cpf:codeInseeNaissance><cpf:codeInsee>75056</cpf:codeInsee></cpf:codeInseeNaissance>"
    "</cpf:codeCommuneNaissance></cpf:titulaire></cpf:identificationTitulaire>";

const std::string kFullTitulaireXml =
    "<cpf:passageCertification><cpf:idTechnique>BTS-2026-0001</cpf:idTechnique>"
    "<cpf:urlPreuve>https://preuves.example.fr/p/0001</cpf:urlPreuve>"
    "<cpf:libelleOption>Option A</cpf:libelleOption>"
    "<cpf:obtentionCertification>PAR_ADMISSION</cpf:obtentionCertification>"
    "<cpf:donneeCertifiee>true</cpf:donneeCertifiee>"
    "<cpf:dateDebutExamen>2026-06-02</cpf:dateDebutExamen>"
    "<cpf:dateFinExamen>2026-06-04</cpf:dateFinExamen>"
    "<cpf:modalitePassageExamen>EN_PRESENTIEL</cpf:modalitePassageExamen>"
    "<cpf:codePostalCentreExamen>75009</cpf:codePostalCentreExamen>"
    "<cpf:dateDebutValidite>2026-07-01</cpf:dateDebutValidite>"
    "<cpf:dateFinValidite>2031-07-01</cpf:dateFinValidite>"
    "<cpf:presenceNiveauLangueEuro>true</cpf:presenceNiveauLangueEuro>"
    "<cpf:niveauLangueEuropeen>B2</cpf:niveauLangueEuropeen>"
    "<cpf:presenceNiveauNumeriqueEuro>true</cpf:presenceNiveauNumeriqueEuro>"
    "<cpf:niveauNumeriqueEuropeen><cpf:scoreGeneral>890</cpf:scoreGeneral><cpf:resultats>"
    "<cpf:resultat><cpf:niveau>5</cpf:niveau><cpf:domaineCompetenceId>3</cpf:domaineCompetenceId>"
    "<cpf:competenceId>4</cpf:competenceId></cpf:resultat></cpf:resultats>"
    "</cpf:niveauNumeriqueEuropeen>"
    "<cpf:scoring>14.5</cpf:scoring><cpf:mentionValidee>MENTION_BIEN</cpf:mentionValidee>"
    "<cpf:modalitesInscription><cpf:modaliteAcces>VAE</cpf:modaliteAcces>"
    "<cpf:voieAccessVAE>VAE_CLASSIQUE</cpf:voieAccessVAE>"
    "<cpf:initiativeInscription>CERTIFIE</cpf:initiativeInscription>"
    "<cpf:dateInscription>2025-09-01</cpf:dateInscription></cpf:modalitesInscription>"
    "<cpf:identificationTitulaire><cpf:titulaire><cpf:nomNaissance>DUPONT</cpf:nomNaissance>"
    "<cpf:nomUsage>MARTIN</cpf:nomUsage><cpf:prenom1>Jean</cpf:prenom1>"
    "<cpf:prenom2>Paul</cpf:prenom2><cpf:prenom3>Marie</cpf:prenom3>"
    "<cpf:anneeNaissance>1990</cpf:anneeNaissance><cpf:moisNaissance>5</cpf:moisNaissance>"
    "<cpf:jourNaissance>17</cpf:jourNaissance><cpf:sexe>M</cpf:sexe><cpf:codeCommuneNaissance>"
    "<cpf:codeInseeNaissance><cpf:codeInsee>99134</cpf:codeInsee></cpf:codeInseeNaissance>"
    "</cpf:codeCommuneNaissance><cpf:libelleCommuneNaissance>Madrid</cpf:libelleCommuneNaissance>"
    "<cpf:codePaysNaissance>134</cpf:codePaysNaissance>"
    "<cpf:libellePaysNaissance>Espagne</cpf:libellePaysNaissance></cpf:titulaire>"
    "</cpf:identificationTitulaire><cpf:verbatim>Jury du 3 juin</cpf:verbatim>"
    "</cpf:passageCertification>";

// ---------------------------------------------------------------------------------------------
// SerializePassage

TEST(SerializePassageTest, FullTitulaireHasEveryElementInTheOrderOfTheOfficialExamples) {
  EXPECT_EQ(SerializePassage(FullTitulaire(), SchemaVersion::k115), kFullTitulaireXml);
  // Nothing in a titulaire passage differs between the two versions.
  EXPECT_EQ(SerializePassage(FullTitulaire(), SchemaVersion::k112), kFullTitulaireXml);
}

TEST(SerializePassageTest, DossierFormationWritesOnlyItsThreeElements) {
  Passage p = MinimalTitulaire("DF-1");  // titulaire fields present but not written
  p.identification = Group::kDossierFormation;
  Set(p, Field::idDossier, "1234567890123");
  Set(p, Field::nomTitulaire, "DUPONT");
  Set(p, Field::prenom1Titulaire, "Jean");
  const std::string expected =
      "<cpf:passageCertification><cpf:idTechnique>DF-1</cpf:idTechnique>"
      "<cpf:modalitesInscription><cpf:modaliteAcces xsi:nil=\"true\"/></cpf:modalitesInscription>"
      "<cpf:identificationTitulaire><cpf:dossierFormation><cpf:idDossier>1234567890123"
      "</cpf:idDossier><cpf:nomTitulaire>DUPONT</cpf:nomTitulaire><cpf:prenom1Titulaire>Jean"
      "</cpf:prenom1Titulaire></cpf:dossierFormation></cpf:identificationTitulaire>"
      "</cpf:passageCertification>";
  EXPECT_EQ(SerializePassage(p, SchemaVersion::k115), expected);
  EXPECT_EQ(SerializePassage(p, SchemaVersion::k112), expected);
}

TEST(SerializePassageTest, IdentifiantNationalIsWrittenIn115AndRefusedIn112) {
  Passage p = MinimalTitulaire("NIR-1");
  p.identification = Group::kIdentifiantNational;
  Set(p, Field::nir, "1850775123456");
  EXPECT_EQ(SerializePassage(p, SchemaVersion::k115),
            "<cpf:passageCertification><cpf:idTechnique>NIR-1</cpf:idTechnique>"
            "<cpf:modalitesInscription><cpf:modaliteAcces xsi:nil=\"true\"/>"
            "</cpf:modalitesInscription><cpf:identificationTitulaire><cpf:identifiantNational>"
            "<cpf:nir>1850775123456</cpf:nir><cpf:nomNaissance>DUPONT</cpf:nomNaissance>"
            "</cpf:identifiantNational></cpf:identificationTitulaire>"
            "</cpf:passageCertification>");
  // 1.1.2 has no identifiantNational: nothing is serialized (the session reports it).
  EXPECT_EQ(SerializePassage(p, SchemaVersion::k112), "");
}

TEST(SerializePassageTest, Bloc6WithAndWithoutResultats) {
  Passage p = MinimalTitulaire("B6");
  Set(p, Field::presenceNiveauNumeriqueEuro, "true");
  Set(p, Field::scoreGeneral, "1000");
  p.resultats = {{"1", "2", "8"}, {"5", "3", "1"}};
  const std::string prefix =
      "<cpf:passageCertification><cpf:idTechnique>B6</cpf:idTechnique>"
      "<cpf:presenceNiveauNumeriqueEuro>true</cpf:presenceNiveauNumeriqueEuro>";
  const std::string suffix =
      "<cpf:modalitesInscription><cpf:modaliteAcces xsi:nil=\"true\"/></cpf:modalitesInscription>" +
      kMinimalIdentification + "</cpf:passageCertification>";
  EXPECT_EQ(SerializePassage(p, SchemaVersion::k115),
            prefix +
                "<cpf:niveauNumeriqueEuropeen><cpf:scoreGeneral>1000</cpf:scoreGeneral>"
                "<cpf:resultats><cpf:resultat><cpf:niveau>8</cpf:niveau>"
                "<cpf:domaineCompetenceId>1</cpf:domaineCompetenceId>"
                "<cpf:competenceId>2</cpf:competenceId></cpf:resultat><cpf:resultat>"
                "<cpf:niveau>1</cpf:niveau><cpf:domaineCompetenceId>5</cpf:domaineCompetenceId>"
                "<cpf:competenceId>3</cpf:competenceId></cpf:resultat></cpf:resultats>"
                "</cpf:niveauNumeriqueEuropeen>" +
                suffix);

  p.resultats.clear();
  EXPECT_EQ(SerializePassage(p, SchemaVersion::k115),
            prefix +
                "<cpf:niveauNumeriqueEuropeen><cpf:scoreGeneral>1000</cpf:scoreGeneral>"
                "</cpf:niveauNumeriqueEuropeen>" +
                suffix);
}

TEST(SerializePassageTest, Bloc6IsLeftOutUnlessPresenceNiveauNumeriqueEuroIsTrue) {
  Passage p = MinimalTitulaire("B6-false");
  Set(p, Field::presenceNiveauNumeriqueEuro, "false");
  Set(p, Field::scoreGeneral, "500");
  p.resultats = {{"1", "1", "1"}};
  const std::string xml = SerializePassage(p, SchemaVersion::k112);
  EXPECT_THAT(xml,
              HasSubstr("<cpf:presenceNiveauNumeriqueEuro>false</cpf:presenceNiveauNumeriqueEuro>"
                        "<cpf:modalitesInscription>"));
  EXPECT_THAT(xml, Not(HasSubstr("niveauNumeriqueEuropeen")));
  EXPECT_THAT(xml, Not(HasSubstr("scoreGeneral")));
  EXPECT_THAT(xml, Not(HasSubstr("resultat")));
}

TEST(SerializePassageTest, NilElementsAreEmptyWithXsiNilAndAbsentOnesAreOmitted) {
  Passage p = MinimalTitulaire("NIL");
  Nil(p, Field::dateDebutValidite);
  Nil(p, Field::dateFinValidite);
  Nil(p, Field::scoring);
  Nil(p, Field::mentionValidee);
  EXPECT_EQ(SerializePassage(p, SchemaVersion::k115),
            "<cpf:passageCertification><cpf:idTechnique>NIL</cpf:idTechnique>"
            "<cpf:dateDebutValidite xsi:nil=\"true\"/><cpf:dateFinValidite xsi:nil=\"true\"/>"
            "<cpf:scoring xsi:nil=\"true\"/><cpf:mentionValidee xsi:nil=\"true\"/>"
            "<cpf:modalitesInscription><cpf:modaliteAcces xsi:nil=\"true\"/>"
            "</cpf:modalitesInscription>" +
                kMinimalIdentification + "</cpf:passageCertification>");
}

TEST(SerializePassageTest, CodeInseeWinsOverCodePostalAndCodePostalMayBeNil) {
  const std::string insee =
      "<cpf:codeCommuneNaissance><cpf:codeInseeNaissance><cpf:codeInsee>75056</cpf:codeInsee>"
      "</cpf:codeInseeNaissance></cpf:codeCommuneNaissance>";
  Passage p = MinimalTitulaire();
  Set(p, Field::codePostal, "75001");  // both given: the INSEE code is written, alone
  std::string xml = SerializePassage(p, SchemaVersion::k115);
  EXPECT_THAT(xml, HasSubstr(insee));
  EXPECT_THAT(xml, Not(HasSubstr("codePostal")));

  p[Field::codeInsee] = FieldValue{};
  xml = SerializePassage(p, SchemaVersion::k115);
  EXPECT_THAT(xml, HasSubstr("<cpf:codeCommuneNaissance><cpf:codePostalNaissance>"
                             "<cpf:codePostal>75001</cpf:codePostal></cpf:codePostalNaissance>"
                             "</cpf:codeCommuneNaissance>"));
  EXPECT_THAT(xml, Not(HasSubstr("codeInsee")));

  Nil(p, Field::codePostal);
  EXPECT_THAT(SerializePassage(p, SchemaVersion::k115),
              HasSubstr("<cpf:codeCommuneNaissance><cpf:codePostalNaissance>"
                        "<cpf:codePostal xsi:nil=\"true\"/></cpf:codePostalNaissance>"
                        "</cpf:codeCommuneNaissance>"));

  Nil(p, Field::codeInsee);  // a nil INSEE code is no code: the postal branch is written
  Set(p, Field::codePostal, "31000");
  xml = SerializePassage(p, SchemaVersion::k115);
  EXPECT_THAT(xml, HasSubstr("<cpf:codePostalNaissance><cpf:codePostal>31000</cpf:codePostal>"));
  EXPECT_THAT(xml, Not(HasSubstr("codeInsee")));
}

TEST(SerializePassageTest, MarkupCharactersAreEscaped) {
  Passage p = MinimalTitulaire("a&b<c>d\"e'f");
  Set(p, Field::verbatim, "R&D <b>gras</b> \"cité\" l'épreuve > 10 & < 20");
  const std::string xml = SerializePassage(p, SchemaVersion::k115);
  EXPECT_THAT(xml, HasSubstr("<cpf:idTechnique>a&amp;b&lt;c&gt;d&quot;e'f</cpf:idTechnique>"));
  EXPECT_THAT(xml, HasSubstr("<cpf:verbatim>R&amp;D &lt;b&gt;gras&lt;/b&gt; &quot;cité&quot; "
                             "l'épreuve &gt; 10 &amp; &lt; 20</cpf:verbatim>"));
}

TEST(SerializePassageTest, LineBreaksBecomeCharacterReferencesSoThatAPassageIsOneLine) {
  Passage p = MinimalTitulaire("LB");
  Set(p, Field::nomNaissance, "L1\nL2\r\nL3\rL4\tT");
  Set(p, Field::verbatim, "\n\r\n");
  const std::string xml = SerializePassage(p, SchemaVersion::k115);
  EXPECT_THAT(xml,
              HasSubstr("<cpf:nomNaissance>L1&#10;L2&#13;&#10;L3&#13;L4\tT</cpf:nomNaissance>"));
  EXPECT_THAT(xml, HasSubstr("<cpf:verbatim>&#10;&#13;&#10;</cpf:verbatim>"));
  EXPECT_EQ(xml.find('\n'), std::string::npos);
  EXPECT_EQ(xml.find('\r'), std::string::npos);
}

// What libxml2's xmlTextWriter writes for one element holding `text`, or for a nil one: the
// oracle the serializer is held to (it writes passages without libxml2, for speed).
std::string LibxmlElement(const std::string& name, const std::optional<std::string>& text) {
  xmlBufferPtr buffer = xmlBufferCreate();
  xmlTextWriterPtr w = xmlNewTextWriterMemory(buffer, 0);
  const auto* n = reinterpret_cast<const xmlChar*>(name.c_str());
  xmlTextWriterStartElement(w, n);
  if (text) {
    xmlTextWriterWriteString(w, reinterpret_cast<const xmlChar*>(text->c_str()));
  } else {
    xmlTextWriterWriteAttribute(w, reinterpret_cast<const xmlChar*>("xsi:nil"),
                                reinterpret_cast<const xmlChar*>("true"));
  }
  xmlTextWriterEndElement(w);
  xmlTextWriterFlush(w);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buffer)),
                  static_cast<std::size_t>(xmlBufferLength(buffer)));
  xmlFreeTextWriter(w);
  xmlBufferFree(buffer);
  return out;
}

TEST(SerializePassageTest, EachValueIsWrittenAsLibxml2sWriterWritesIt) {
  // Line feeds aside (written as &#10; so that a passage stays on its line, tested above).
  for (const std::string& value :
       {std::string(), std::string("x<>&\"'\t\xC3\xA9\x7F\xC2\x85\r"), std::string("&amp;"),
        std::string("]]>"), std::string("<![CDATA[x]]>"), std::string("  a  b  "),
        std::string("\xF0\x9F\x98\x80 \xE4\xB8\xAD"), std::string("&#10;"),
        std::string("\"\"\""), std::string(">")}) {
    Passage p = MinimalTitulaire("ORACLE");
    Set(p, Field::verbatim, value);
    Set(p, Field::nomNaissance, value + "N");
    const std::string xml = SerializePassage(p, SchemaVersion::k115);
    EXPECT_THAT(xml, HasSubstr(LibxmlElement("cpf:verbatim", value))) << value;
    EXPECT_THAT(xml, HasSubstr(LibxmlElement("cpf:nomNaissance", value + "N"))) << value;
    EXPECT_THAT(xml, HasSubstr("<cpf:idTechnique>ORACLE</cpf:idTechnique>"));
  }
  Passage p = MinimalTitulaire("ORACLE");
  Nil(p, Field::verbatim);
  EXPECT_THAT(SerializePassage(p, SchemaVersion::k115),
              HasSubstr(LibxmlElement("cpf:verbatim", std::nullopt)));
}

// A container with nothing in it is closed in its start tag, as libxml2's writer closes it.
TEST(SerializePassageTest, AnEmptyBloc6IsClosedInItsStartTag) {
  Passage p = MinimalTitulaire("B6");
  Set(p, Field::presenceNiveauNumeriqueEuro, "true");
  p[Field::scoreGeneral] = FieldValue{};
  p.resultats.clear();
  EXPECT_THAT(SerializePassage(p, SchemaVersion::k115),
              HasSubstr("<cpf:presenceNiveauNumeriqueEuro>true</cpf:presenceNiveauNumeriqueEuro>"
                        "<cpf:niveauNumeriqueEuropeen/>"));
}

TEST(SerializePassageTest, AccentsLigaturesAndEmojiArePassedThroughByteForByte) {
  const std::string name = "Éloïse Œdipe-Lætitia ﬁnal Straße Ñuñez 中村 😀👍🏽";
  Passage p = MinimalTitulaire("UTF8");
  Set(p, Field::nomNaissance, name);
  Set(p, Field::prenom1, "Zoë");
  const std::string xml = SerializePassage(p, SchemaVersion::k115);
  EXPECT_THAT(xml, HasSubstr("<cpf:nomNaissance>" + name + "</cpf:nomNaissance>"));
  EXPECT_THAT(xml, HasSubstr("<cpf:prenom1>Zo\xC3\xAB</cpf:prenom1>"));
  EXPECT_THAT(xml, Not(HasSubstr("&#")));  // never turned into character references
}

// ---------------------------------------------------------------------------------------------
// DepositWriter

FluxHeader Header(SchemaVersion version) {
  FluxHeader h;
  h.id_flux = "0b9e6c5e-3f7a-4d2b-9c1e-5a6f7b8c9d0e";
  h.horodatage = "2026-11-27T02:30:12+01:00";
  h.emetteur = "AB123CDE";
  h.certificateur = "E564ACB0";
  h.id_contrat = "MCFCER000209";
  h.version = version;
  return h;
}

mappings::Certification Rncp() { return {"RNCP", "RNCP35830"}; }

TEST(DepositWriterTest, FileIsCreatedWithMode0600WhateverTheUmask) {
  const std::string path = TestDir() + "/f.xml";
  const mode_t old = ::umask(0);
  auto writer =
      DepositWriter::Create(::accrochd::testing::RealFiles(), path, Header(SchemaVersion::k115));
  ::umask(old);
  ASSERT_TRUE(writer) << writer.error().message();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_TRUE((*writer)->Finish());
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(DepositWriterTest, WholeFileIn115HasTheHeaderOfTheExamplesAndCpfActionCreation) {
  const std::string path = TestDir() + "/f.xml";
  auto writer =
      DepositWriter::Create(::accrochd::testing::RealFiles(), path, Header(SchemaVersion::k115));
  ASSERT_TRUE(writer) << writer.error().message();
  DepositWriter& w = **writer;
  ASSERT_TRUE(w.OpenCertification(Rncp(), std::string("CERTIFICATEUR")));
  const std::string passage = SerializePassage(MinimalTitulaire("P1"), SchemaVersion::k115);
  ASSERT_TRUE(w.AppendPassage(passage, "P1"));
  ASSERT_TRUE(w.Finish());
  EXPECT_EQ(ReadAll(path),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<cpf:flux xmlns:cpf=\"urn:cdc:cpf:pc5:schema:1.0.0\" "
            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
            "   <cpf:idFlux>0b9e6c5e-3f7a-4d2b-9c1e-5a6f7b8c9d0e</cpf:idFlux>\n"
            "   <cpf:horodatage>2026-11-27T02:30:12+01:00</cpf:horodatage>\n"
            "   <cpf:action>CREATION</cpf:action>\n"
            "   <cpf:emetteur>\n"
            "      <cpf:idClient>AB123CDE</cpf:idClient>\n"
            "      <cpf:certificateurs>\n"
            "         <cpf:certificateur>\n"
            "            <cpf:idClient>E564ACB0</cpf:idClient>\n"
            "            <cpf:idContrat>MCFCER000209</cpf:idContrat>\n"
            "            <cpf:certifications>\n"
            "               <cpf:certification>\n"
            "                  <cpf:type>RNCP</cpf:type>\n"
            "                  <cpf:code>RNCP35830</cpf:code>\n"
            "                  <cpf:natureDeposant>CERTIFICATEUR</cpf:natureDeposant>\n"
            "                  <cpf:passageCertifications>\n"
            "                     " +
                passage +
                "\n"
                "                  </cpf:passageCertifications>\n"
                "               </cpf:certification>\n"
                "            </cpf:certifications>\n"
                "         </cpf:certificateur>\n"
                "      </cpf:certificateurs>\n"
                "   </cpf:emetteur>\n"
                "</cpf:flux>\n");
}

// The values of the file around the passages are escaped as a passage's are, and a line break
// in one (a contract number pasted with its end of line) does not break the file's lines.
TEST(DepositWriterTest, HeaderAndCertificationValuesAreEscapedAndStayOnTheirLine) {
  const std::string path = TestDir() + "/f.xml";
  FluxHeader h = Header(SchemaVersion::k115);
  h.id_contrat = "A&B\n<C>\"";
  auto writer = DepositWriter::Create(::accrochd::testing::RealFiles(), path, h);
  ASSERT_TRUE(writer) << writer.error().message();
  ASSERT_TRUE((*writer)->OpenCertification({"RS", "R&D\r1"}, std::nullopt));
  ASSERT_TRUE((*writer)->AppendPassage(
      SerializePassage(MinimalTitulaire("P1"), SchemaVersion::k115), "P1"));
  ASSERT_TRUE((*writer)->Finish());
  const std::string xml = ReadAll(path);
  EXPECT_THAT(xml,
              HasSubstr("\n            <cpf:idContrat>A&amp;B&#10;&lt;C&gt;&quot;</cpf:idContrat>\n"));
  EXPECT_THAT(xml, HasSubstr("\n                  <cpf:code>R&amp;D&#13;1</cpf:code>\n"));
  EXPECT_EQ(DepositWriter::HeaderValueAt(10 + 1, SchemaVersion::k115), "idContrat");
  std::vector<std::string> lines;
  std::istringstream in(xml);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_GT(lines.size(), 10u);
  EXPECT_THAT(lines[10], HasSubstr("<cpf:idContrat>"));  // line 11, as HeaderValueAt says
}

TEST(DepositWriterTest, HeaderIn112HasNoCpfAction) {
  const std::string path = TestDir() + "/f.xml";
  auto writer =
      DepositWriter::Create(::accrochd::testing::RealFiles(), path, Header(SchemaVersion::k112));
  ASSERT_TRUE(writer) << writer.error().message();
  ASSERT_TRUE((*writer)->OpenCertification(Rncp(), std::nullopt));
  ASSERT_TRUE((*writer)->AppendPassage(
      SerializePassage(MinimalTitulaire("P1"), SchemaVersion::k112), "P1"));
  ASSERT_TRUE((*writer)->Finish());
  const std::vector<std::string> lines = Lines(ReadAll(path));
  ASSERT_GE(lines.size(), 6u);
  EXPECT_EQ(lines[3], "   <cpf:horodatage>2026-11-27T02:30:12+01:00</cpf:horodatage>");
  EXPECT_EQ(lines[4], "   <cpf:emetteur>");
  EXPECT_THAT(ReadAll(path), Not(HasSubstr("cpf:action")));
  // Without natureDeposant, the certification opens on four lines.
  EXPECT_EQ(lines[10], "            <cpf:certifications>");
  EXPECT_EQ(lines[11], "               <cpf:certification>");
  EXPECT_EQ(lines[14], "                  <cpf:passageCertifications>");
  EXPECT_TRUE(lines[15].starts_with("                     <cpf:passageCertification>"));
}

// HeaderValueAt names what Create writes on each line, in both versions.
TEST(DepositWriterTest, HeaderValueAtNamesTheLinesCreateWrites) {
  for (SchemaVersion version : {SchemaVersion::k112, SchemaVersion::k115}) {
    const std::string path = TestDir() + "/h.xml";
    std::filesystem::remove(path);
    auto writer = DepositWriter::Create(::accrochd::testing::RealFiles(), path, Header(version));
    ASSERT_TRUE(writer) << writer.error().message();
    ASSERT_TRUE((*writer)->Finish());
    const std::vector<std::string> lines = Lines(ReadAll(path));
    std::map<std::string, std::string> seen;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string_view value = DepositWriter::HeaderValueAt(i + 1, version);
      if (!value.empty()) seen[std::string(value)] = lines[i];
    }
    ASSERT_EQ(seen.size(), 5u);
    EXPECT_EQ(seen["idFlux"], "   <cpf:idFlux>0b9e6c5e-3f7a-4d2b-9c1e-5a6f7b8c9d0e</cpf:idFlux>");
    EXPECT_EQ(seen["horodatage"], "   <cpf:horodatage>2026-11-27T02:30:12+01:00</cpf:horodatage>");
    EXPECT_EQ(seen["emetteur"], "      <cpf:idClient>AB123CDE</cpf:idClient>");
    EXPECT_EQ(seen["certificateur"], "            <cpf:idClient>E564ACB0</cpf:idClient>");
    EXPECT_EQ(seen["idContrat"], "            <cpf:idContrat>MCFCER000209</cpf:idContrat>");
  }
}

TEST(DepositWriterTest, HeaderAndTailAreThoseOfTheOfficial112ExampleByteForByte) {
  std::string why;
  auto dir = testing::CdcDirectory(why);
  if (!dir) GTEST_SKIP() << "SKIPPED for want of the official examples: " << why;
  const std::vector<std::string> example =
      Lines(ReadAll(*dir + "/examples/cdc-kit-v2.0.0-example-xsd-1.1.2.xml"));
  ASSERT_GT(example.size(), 30u);

  // The example's own values.
  FluxHeader h;
  h.id_flux = "6e3c7378-bda4-497a-9bd6-dc203f903ed9";
  h.horodatage = "2020-12-18T14:24:12+01:00";
  h.emetteur = "AB123CDE";
  h.certificateur = "E564ACB0";
  h.id_contrat = "2560080000127J";
  h.version = SchemaVersion::k112;
  const std::string path = TestDir() + "/f.xml";
  auto writer = DepositWriter::Create(::accrochd::testing::RealFiles(), path, h);
  ASSERT_TRUE(writer) << writer.error().message();
  ASSERT_TRUE((*writer)->OpenCertification({"RNCP", "RNCP19117"}, std::string("CERTIFICATEUR")));
  ASSERT_TRUE((*writer)->AppendPassage(
      SerializePassage(MinimalTitulaire("P1"), SchemaVersion::k112), "P1"));
  ASSERT_TRUE((*writer)->Finish());
  const std::vector<std::string> ours = Lines(ReadAll(path));
  ASSERT_EQ(ours.size(), 24u);

  // Prolog to passageCertifications: 16 lines, the same bytes.
  for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ(ours[i], example[i]) << "line " << i + 1;
  // The passage starts at the example's indentation (21 spaces).
  EXPECT_TRUE(ours[16].starts_with("                     <cpf:passageCertification>"));
  EXPECT_EQ(example[16], "                     <cpf:passageCertification>");
  // passageCertifications to the end: 7 lines, the same bytes.
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(ours[ours.size() - 7 + i], example[example.size() - 7 + i])
        << "line " << ours.size() - 6 + i;
  }
}

TEST(DepositWriterTest, LayoutNamesTheLinesThatHoldEachPartOfTheFile) {
  const std::string path = TestDir() + "/f.xml";
  auto writer =
      DepositWriter::Create(::accrochd::testing::RealFiles(), path, Header(SchemaVersion::k115));
  ASSERT_TRUE(writer) << writer.error().message();
  DepositWriter& w = **writer;
  const std::vector<std::string> first = {"A-1", "A-2"}, second = {"B-1", "B-2", "B-3"};
  ASSERT_TRUE(w.OpenCertification(Rncp(), std::string("CERTIFICATEUR")));
  for (const std::string& id : first) {
    Passage p = MinimalTitulaire(id);
    Set(p, Field::verbatim, "deux\nlignes");  // must not shift the following lines
    ASSERT_TRUE(w.AppendPassage(SerializePassage(p, SchemaVersion::k115), id));
  }
  ASSERT_TRUE(w.CloseCertification());
  ASSERT_TRUE(w.OpenCertification({"RS", "RS5875"}, std::nullopt));
  for (const std::string& id : second) {
    ASSERT_TRUE(w.AppendPassage(SerializePassage(MinimalTitulaire(id), SchemaVersion::k115), id));
  }
  ASSERT_TRUE(w.Finish());  // closes the second certification

  const FileLayout& layout = w.layout();
  ASSERT_EQ(layout.certifications.size(), 2u);
  const FileLayout::Certification& a = layout.certifications[0];
  const FileLayout::Certification& b = layout.certifications[1];
  // Header: 12 lines (prolog to certifications, with cpf:action).
  EXPECT_EQ(a.open_first, 13u);
  EXPECT_EQ(a.open_last, 17u);
  EXPECT_EQ(a.passage_lines, (std::vector<std::uint64_t>{18, 19}));
  EXPECT_EQ(a.close_first, 20u);
  EXPECT_EQ(a.close_last, 21u);
  EXPECT_EQ(b.open_first, 22u);
  EXPECT_EQ(b.open_last, 25u);  // no natureDeposant: one line less
  EXPECT_EQ(b.passage_lines, (std::vector<std::uint64_t>{26, 27, 28}));
  EXPECT_EQ(b.close_first, 29u);
  EXPECT_EQ(b.close_last, 30u);
  EXPECT_EQ(layout.passage_lines, (std::vector<std::uint64_t>{18, 19, 26, 27, 28}));
  EXPECT_EQ(layout.id_techniques, (std::vector<std::string>{"A-1", "A-2", "B-1", "B-2", "B-3"}));
  EXPECT_EQ(w.passage_count(), 5u);

  // The file read back: each named line holds what the layout says.
  const std::vector<std::string> lines = Lines(ReadAll(path));
  ASSERT_EQ(lines.size(), 35u);
  auto line = [&](std::uint64_t n) { return lines[static_cast<std::size_t>(n - 1)]; };
  for (std::size_t i = 0; i < layout.passage_lines.size(); ++i) {
    const std::string l = line(layout.passage_lines[i]);
    EXPECT_TRUE(l.starts_with("                     <cpf:passageCertification><cpf:idTechnique>" +
                              layout.id_techniques[i] + "</cpf:idTechnique>"))
        << l;
    EXPECT_TRUE(l.ends_with("</cpf:passageCertification>")) << l;
  }
  for (const FileLayout::Certification* c : {&a, &b}) {
    EXPECT_EQ(line(c->open_first), "               <cpf:certification>");
    EXPECT_EQ(line(c->open_last), "                  <cpf:passageCertifications>");
    EXPECT_EQ(line(c->close_first), "                  </cpf:passageCertifications>");
    EXPECT_EQ(line(c->close_last), "               </cpf:certification>");
  }
  EXPECT_EQ(line(23), "                  <cpf:type>RS</cpf:type>");
  EXPECT_EQ(line(24), "                  <cpf:code>RS5875</cpf:code>");
}

TEST(DepositWriterTest, BytesCountsEveryByteAndStaysWithinTheDeclaredOverheads) {
  const std::string path = TestDir() + "/f.xml";
  auto writer =
      DepositWriter::Create(::accrochd::testing::RealFiles(), path, Header(SchemaVersion::k115));
  ASSERT_TRUE(writer) << writer.error().message();
  DepositWriter& w = **writer;
  const std::uint64_t header = w.bytes();
  EXPECT_GT(header, 0u);
  ASSERT_TRUE(w.OpenCertification(Rncp(), std::string("TIERS_CONFIANCE")));
  for (int i = 0; i < 3; ++i) {
    Passage p = MinimalTitulaire("P" + std::to_string(i));
    Set(p, Field::nomNaissance, "Œdipe 😀 & <" + std::string(static_cast<std::size_t>(i), 'x'));
    const std::string serialized = SerializePassage(p, SchemaVersion::k115);
    const std::uint64_t before = w.bytes();
    ASSERT_TRUE(w.AppendPassage(serialized, p.id_technique));
    // A line break and 21 spaces of indentation; before the first passage, also the '>' of
    // passageCertifications, which libxml2 writes only when the element gets content.
    EXPECT_EQ(w.bytes() - before, serialized.size() + (i == 0 ? 23 : 22));
    EXPECT_LE(w.bytes() - before, serialized.size() + DepositWriter::kPassageOverhead);
  }
  const std::uint64_t before_finish = w.bytes();
  ASSERT_TRUE(w.Finish());
  EXPECT_LE(w.bytes() - before_finish, DepositWriter::kMaxTailBytes);
  EXPECT_EQ(w.bytes(), std::filesystem::file_size(path));
}

TEST(DepositWriterTest, CreateRefusesAnExistingPathAndLeavesItAlone) {
  const std::string path = TestDir() + "/taken.xml";
  testing::WriteFile(path, "already here", 0644);
  auto writer =
      DepositWriter::Create(::accrochd::testing::RealFiles(), path, Header(SchemaVersion::k115));
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(writer.error().message(), "cannot create " + path + ": File exists");
  EXPECT_EQ(ReadAll(path), "already here");
}

TEST(DepositWriterTest, FinishTwiceChangesNothing) {
  const std::string path = TestDir() + "/f.xml";
  auto writer =
      DepositWriter::Create(::accrochd::testing::RealFiles(), path, Header(SchemaVersion::k115));
  ASSERT_TRUE(writer) << writer.error().message();
  ASSERT_TRUE((*writer)->OpenCertification(Rncp(), std::nullopt));
  ASSERT_TRUE((*writer)->AppendPassage(
      SerializePassage(MinimalTitulaire("P1"), SchemaVersion::k115), "P1"));
  ASSERT_TRUE((*writer)->Finish());
  const std::string once = ReadAll(path);
  ASSERT_TRUE((*writer)->Finish());
  EXPECT_EQ(ReadAll(path), once);
  EXPECT_FALSE((*writer)->certification_open());
}

std::string VersionName(const ::testing::TestParamInfo<SchemaVersion>& param) {
  return param.param == SchemaVersion::k112 ? "v112" : "v115";
}

// The files the writer makes are valid for the schema of their version (accrochd's own, so that
// this holds even without the CDC's files; conformance_test checks the official ones).
class WrittenFileTest : public ::testing::TestWithParam<SchemaVersion> {};

TEST_P(WrittenFileTest, IsValidForItsVersion) {
  const SchemaVersion version = GetParam();
  auto schema = XsdSchema::FromText(mappings::GenerateXsd(version), "accrochd");
  ASSERT_TRUE(schema) << schema.error().message();
  const std::string path = TestDir() + "/f.xml";
  auto writer = DepositWriter::Create(::accrochd::testing::RealFiles(), path, Header(version));
  ASSERT_TRUE(writer) << writer.error().message();
  ASSERT_TRUE((*writer)->OpenCertification(Rncp(), std::string("CERTIFICATEUR")));
  Passage full = FullTitulaire();
  ASSERT_TRUE((*writer)->AppendPassage(SerializePassage(full, version), full.id_technique));
  ASSERT_TRUE((*writer)->CloseCertification());
  ASSERT_TRUE((*writer)->OpenCertification({"RS", "RS5875"}, std::nullopt));
  Passage hostile = FullTitulaire();
  hostile.id_technique = "<&>\"'\n\r\t";
  Set(hostile, Field::nomNaissance, "Œ&<>\"'\n\r\t😀");
  ASSERT_TRUE((*writer)->AppendPassage(SerializePassage(hostile, version), "x"));
  ASSERT_TRUE((*writer)->Finish());
  auto errors = (*schema)->Validate(path);
  ASSERT_TRUE(errors) << errors.error().message();
  EXPECT_TRUE(errors->empty()) << errors->front().line << ": " << errors->front().message;
}

INSTANTIATE_TEST_SUITE_P(BothVersions, WrittenFileTest,
                         ::testing::Values(SchemaVersion::k112, SchemaVersion::k115), VersionName);

}  // namespace
}  // namespace accrochd::xml
