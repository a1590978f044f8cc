// The XSD validator (where each error is, whether the file is even XML, schemas that cannot be
// used), the French explanation of each kind of error -- which never repeats the value -- and
// the small pieces the deposit files rely on: sizes and UUIDs.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/xml/xsd_explain.h"
#include "connectors/xml/xsd_validator.h"
#include "core/random_id.h"
#include "core/size.h"
#include "mappings/xsd_schema.h"
#include "tests/support/run_binary.h"

namespace accrochd::xml {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return testing::MakeTempDir(std::string("xsd_test/") + info->test_suite_name() + "." +
                              info->name());
}

// A 1.1.5 deposit file, compact: line 3 holds idFlux, horodatage and action, line 5 and the
// following lines one passage each.
std::string Document(const std::vector<std::string>& passages,
                     const std::string& horodatage = "2026-11-27T02:30:12+01:00") {
  std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<cpf:flux xmlns:cpf=\"urn:cdc:cpf:pc5:schema:1.0.0\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
      "<cpf:idFlux>f</cpf:idFlux><cpf:horodatage>" +
      horodatage +
      "</cpf:horodatage><cpf:action>CREATION</cpf:action>\n"
      "<cpf:emetteur><cpf:idClient>AB123CDE</cpf:idClient><cpf:certificateurs><cpf:certificateur>"
      "<cpf:idClient>E564ACB0</cpf:idClient><cpf:idContrat>C1</cpf:idContrat><cpf:certifications>"
      "<cpf:certification><cpf:type>RNCP</cpf:type><cpf:code>RNCP1</cpf:code>"
      "<cpf:passageCertifications>\n";
  for (const std::string& p : passages) doc += p + "\n";
  return doc +
         "</cpf:passageCertifications></cpf:certification></cpf:certifications>"
         "</cpf:certificateur></cpf:certificateurs></cpf:emetteur>\n"
         "</cpf:flux>\n";
}

const std::string kTitulaire =
    "<cpf:nomNaissance>DUPONT</cpf:nomNaissance><cpf:nomUsage xsi:nil=\"true\"/>"
    "<cpf:prenom1>Jean</cpf:prenom1><cpf:anneeNaissance>1990</cpf:anneeNaissance>"
    "<cpf:moisNaissance xsi:nil=\"true\"/><cpf:jourNaissance xsi:nil=\"true\"/>"
    "<cpf:sexe>M</cpf:sexe><cpf:codeCommuneNaissance><cpf:codeInseeNaissance>"
    "<cpf:codeInsee>75056</cpf:codeInsee></cpf:codeInseeNaissance></cpf:codeCommuneNaissance>";

// A passage: `extra` elements after idTechnique, then `titulaire` as the holder.
std::string Passage(const std::string& titulaire = kTitulaire, const std::string& extra = "",
                    const std::string& id = "T1") {
  return "<cpf:passageCertification><cpf:idTechnique>" + id + "</cpf:idTechnique>" + extra +
         "<cpf:modalitesInscription><cpf:modaliteAcces xsi:nil=\"true\"/>"
         "</cpf:modalitesInscription><cpf:identificationTitulaire><cpf:titulaire>" +
         titulaire + "</cpf:titulaire></cpf:identificationTitulaire></cpf:passageCertification>";
}

// `text` with the one occurrence of `from` replaced.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class XsdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir();
    auto schema =
        XsdSchema::FromText(mappings::GenerateXsd(mappings::SchemaVersion::k115), "accrochd 1.1.5");
    ASSERT_TRUE(schema) << schema.error().message();
    schema_ = *schema;
  }

  // The errors of `document`, written to a file.
  std::vector<XsdError> Errors(const std::string& document, std::size_t max_errors = 1000) {
    const std::string path = dir_ + "/doc" + std::to_string(++count_) + ".xml";
    testing::WriteFile(path, document, 0600);
    auto errors = schema_->Validate(path, max_errors);
    EXPECT_TRUE(errors) << errors.error().message();
    return errors ? *errors : std::vector<XsdError>{};
  }

  // The explanation of the first error of `document`, checked not to repeat `value`.
  std::string Explain(const std::string& document, const std::string& value) {
    std::vector<XsdError> errors = Errors(document);
    if (errors.empty()) {
      ADD_FAILURE() << "no error";
      return "";
    }
    const std::string explanation = ExplainXsdError(errors.front());
    EXPECT_THAT(explanation, Not(HasSubstr(value))) << errors.front().message;
    return explanation;
  }

  std::string dir_;
  std::shared_ptr<const XsdSchema> schema_;
  int count_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Validate

TEST_F(XsdTest, AValidFileHasNoError) {
  EXPECT_TRUE(Errors(Document({Passage(), Passage(kTitulaire, "", "T2")})).empty());
}

TEST_F(XsdTest, AnErrorNamesItsLineColumnElementAndLibxml2Message) {
  const std::string passage =
      Passage(Replace(kTitulaire, ">DUPONT<", ">" + std::string(61, 'Q') + "<"));
  const std::vector<XsdError> errors = Errors(Document({Passage(), passage}));
  ASSERT_EQ(errors.size(), 1u);
  const XsdError& e = errors.front();
  EXPECT_EQ(e.line, 6);  // the second passage
  EXPECT_EQ(e.element, "nomNaissance");
  EXPECT_FALSE(e.well_formedness);
  EXPECT_EQ(e.message,
            "Element '{urn:cdc:cpf:pc5:schema:1.0.0}nomNaissance': [facet 'maxLength'] The value "
            "has a length of '61'; this exceeds the allowed maximum length of '60'.");
  // The column is within the element at fault.
  const int start = static_cast<int>(passage.find("<cpf:nomNaissance>"));
  const int end = static_cast<int>(passage.find("</cpf:nomNaissance>") + 19);
  EXPECT_GT(e.column, start);
  EXPECT_LE(e.column, end + 1);
}

TEST_F(XsdTest, EachPassageLineIsReportedAndMaxErrorsIsRespected) {
  std::vector<std::string> passages;
  for (int i = 0; i < 6; ++i) {
    const std::string id = "T" + std::to_string(i);
    passages.push_back(i % 2 == 0 ? Passage(Replace(kTitulaire, ">M<", ">X<"), "", id)
                                  : Passage(kTitulaire, "", id));
  }
  const std::vector<XsdError> all = Errors(Document(passages));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].line, 5);
  EXPECT_EQ(all[1].line, 7);
  EXPECT_EQ(all[2].line, 9);
  for (const XsdError& e : all) EXPECT_EQ(e.element, "sexe");
  EXPECT_EQ(Errors(Document(passages), 2).size(), 2u);
}

TEST_F(XsdTest, ANotWellFormedFileIsReportedAsSuch) {
  const std::vector<XsdError> errors =
      Errors(Replace(Document({Passage()}), "</cpf:sexe>", "</cpf:sex>"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].well_formedness);
  EXPECT_EQ(errors[0].line, 5);
  EXPECT_EQ(errors[0].element, "");
  EXPECT_EQ(errors[0].message, "Opening and ending tag mismatch: sexe line 5 and sex");
}

TEST_F(XsdTest, AnEmptyFileIsNotWellFormed) {
  const std::vector<XsdError> errors = Errors("");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].well_formedness);
  EXPECT_EQ(errors[0].line, 1);
  EXPECT_EQ(errors[0].message, "Document is empty");
}

TEST_F(XsdTest, AFileThatCannotBeReadIsAnIoError) {
  auto errors = schema_->Validate(dir_ + "/none.xml");
  ASSERT_FALSE(errors);
  EXPECT_EQ(errors.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(errors.error().message(),
            "cannot read " + dir_ + "/none.xml: No such file or directory");
}

// A file read through the FileSystem seam: served in pieces of the sizes libxml2 asks, until
// `fail_after` bytes, where the read fails as a failing disk's would.
class FailingFile final : public ReadableFile {
 public:
  FailingFile(std::string bytes, std::size_t fail_after)
      : bytes_(std::move(bytes)), fail_after_(fail_after) {}
  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    if (at_ >= fail_after_) return std::unexpected(FileError("read", "/outbox/.f.xml", EIO));
    const std::size_t n = std::min({size, bytes_.size() - at_, fail_after_ - at_});
    std::memcpy(buffer, bytes_.data() + at_, n);
    at_ += n;
    return n;
  }

 private:
  std::string bytes_;
  std::size_t fail_after_;
  std::size_t at_ = 0;
};

TEST_F(XsdTest, AReadThatFailsPartWayIsAnIoErrorNotAFileThatIsNotXml) {
  const std::string doc = Document({Passage(), Passage(kTitulaire, "", "T2")});
  FailingFile whole(doc, doc.size() + 1);
  auto errors = schema_->Validate(whole);
  ASSERT_TRUE(errors) << errors.error().message();
  EXPECT_TRUE(errors->empty());
  FailingFile failing(doc, doc.size() / 2);
  errors = schema_->Validate(failing);
  ASSERT_FALSE(errors);
  EXPECT_EQ(errors.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(errors.error().message(), "cannot read /outbox/.f.xml: Input/output error");
}

// The file is read in blocks far larger than what libxml2 asks for each time: lines and errors
// across the blocks' edges are where they are in the file.
TEST_F(XsdTest, ErrorsFarIntoALargeFileNameTheirLines) {
  std::vector<std::string> passages;
  std::vector<int> refused;
  for (int i = 0; i < 3000; ++i) {  // some 1.5 MB
    const std::string id = "T" + std::to_string(i);
    if (i % 997 == 5) {
      passages.push_back(Passage(Replace(kTitulaire, ">M<", ">X<"), "", id));
      refused.push_back(5 + i);
    } else {
      passages.push_back(Passage(kTitulaire, "", id));
    }
  }
  const std::vector<XsdError> errors = Errors(Document(passages));
  std::vector<int> lines;
  for (const XsdError& e : errors) lines.push_back(e.line);
  EXPECT_EQ(lines, refused);
}

TEST_F(XsdTest, SchemaFromFileKeepsItsPathAsName) {
  const std::string path = dir_ + "/accrochd.xsd";
  testing::WriteFile(path, mappings::GenerateXsd(mappings::SchemaVersion::k112), 0600);
  auto schema = XsdSchema::FromFile(path);
  ASSERT_TRUE(schema) << schema.error().message();
  EXPECT_EQ((*schema)->name(), path);
  EXPECT_EQ(schema_->name(), "accrochd 1.1.5");
}

TEST(XsdSchemaTest, AMissingXsdFileIsAConfigurationError) {
  const std::string path = TestDir() + "/absent.xsd";
  auto schema = XsdSchema::FromFile(path);
  ASSERT_FALSE(schema);
  EXPECT_EQ(schema.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(schema.error().message(),
            "cannot read the XSD " + path + ": No such file or directory");
}

TEST(XsdSchemaTest, AFileThatIsNotASchemaIsAConfigurationError) {
  const std::string dir = TestDir();
  testing::WriteFile(dir + "/text.xsd", "this is not XML\n", 0600);
  auto text = XsdSchema::FromFile(dir + "/text.xsd");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(text.error().message(), "the XSD " + dir +
                                        "/text.xsd cannot be used: Start tag expected, '<' not "
                                        "found (line 1)");

  const std::string deposit = dir + "/deposit.xsd";
  testing::WriteFile(deposit, Document({Passage()}), 0600);  // XML, but not a schema
  auto not_schema = XsdSchema::FromFile(deposit);
  ASSERT_FALSE(not_schema);
  EXPECT_EQ(not_schema.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(not_schema.error().message(), "the XSD " + deposit +
                                              " cannot be used: The XML document '" + deposit +
                                              "' is not a schema document. (line 0)");
}

TEST(XsdSchemaTest, ATextThatIsNotASchemaCannotBeCompiled) {
  auto schema = XsdSchema::FromText("<nothing/>", "broken");
  ASSERT_FALSE(schema);
  EXPECT_EQ(schema.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(schema.error().message(),
            "the schema broken cannot be compiled: The XML document 'in_memory_buffer' is not a "
            "schema document.");
}

// ---------------------------------------------------------------------------------------------
// ExplainXsdError, on libxml2's real messages

TEST_F(XsdTest, ExplainsMaxLength) {
  const std::string name(61, 'Q');
  EXPECT_EQ(Explain(Document({Passage(Replace(kTitulaire, ">DUPONT<", ">" + name + "<"))}), name),
            "nomNaissance : 61 caractères, 60 au plus");
}

TEST_F(XsdTest, ExplainsAnEmptyElement) {
  const std::string empty =
      " : élément vide : une donnée facultative s'omet, une donnée inconnue s'écrit "
      "xsi:nil=\"true\" (jamais vide, jamais « nill »)";
  // minLength of a string
  EXPECT_EQ(Explain(Document({Passage(kTitulaire + "<cpf:prenom2></cpf:prenom2>")}), "Jean"),
            "prenom2" + empty);
  // an int or a date: no facet, the empty value is not of the type
  EXPECT_EQ(
      Explain(Document({Passage(Replace(kTitulaire, "<cpf:anneeNaissance>1990</cpf:anneeNaissance>",
                                        "<cpf:anneeNaissance></cpf:anneeNaissance>"))}),
              "1990"),
      "anneeNaissance" + empty);
}

TEST_F(XsdTest, ExplainsLength) {
  EXPECT_EQ(Explain(Document({Passage(Replace(kTitulaire, ">75056<", ">7505<"))}), "7505"),
            "codeInsee : 4 caractères, 5 attendus");
}

TEST_F(XsdTest, ExplainsEnumerationWithTheCdcList) {
  EXPECT_EQ(Explain(Document({Passage(Replace(kTitulaire, ">M<", ">ZORG<"))}), "ZORG"),
            "sexe : valeur hors de la liste de la CDC (M, F)");
  // The guide's « nill » is a value, not nil.
  EXPECT_EQ(
      Explain(Document({Passage(kTitulaire, "<cpf:mentionValidee>nill</cpf:mentionValidee>")}),
              "nill"),
      "mentionValidee : valeur hors de la liste de la CDC (SANS_MENTION, MENTION_ASSEZ_BIEN, "
      "MENTION_BIEN, MENTION_TRES_BIEN, MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY)");
}

TEST_F(XsdTest, ExplainsTheHorodatagePattern) {
  const std::string expected =
      "horodatage : format attendu AAAA-MM-JJThh:mm:ss+hh:mm, une date et une heure qui "
      "existent ; le fuseau numérique est obligatoire (Z refusé), sans fraction de seconde, "
      "heures du fuseau sur deux chiffres";
  EXPECT_EQ(Explain(Document({Passage()}, "2026-11-27T01:30:12Z"), "2026-11-27T01:30:12Z"),
            expected);
  EXPECT_EQ(Explain(Document({Passage()}, "2026-11-27T02:30:12.5+01:00"), "12.5"), expected);
}

// libxml2 refuses a one-digit offset hour in xs:dateTime itself, before the pattern: the
// explanation must still be the horodatage one, which speaks of the offset.
TEST_F(XsdTest, ExplainsAOneDigitOffsetHourAsAnHorodatageFormatError) {
  EXPECT_THAT(Explain(Document({Passage()}, "2026-11-27T02:30:12+1:00"), "+1:00"),
              HasSubstr("heures du fuseau sur deux chiffres"));
}

TEST_F(XsdTest, ExplainsTheDatePatternAndTheNirPattern) {
  const std::string date =
      "dateDebutExamen : date attendue au format AAAA-MM-JJ, années 1900 à 2099, sans fuseau "
      "horaire";
  EXPECT_EQ(
      Explain(
          Document({Passage(kTitulaire, "<cpf:dateDebutExamen>1899-12-31</cpf:dateDebutExamen>")}),
          "1899"),
      date);
  EXPECT_EQ(
      Explain(Document({Passage(kTitulaire,
                                "<cpf:dateDebutExamen>2021-02-03+01:00</cpf:dateDebutExamen>")}),
              "2021-02-03"),
      date);
  const std::string nir =
      "<cpf:passageCertification><cpf:idTechnique>T1</cpf:idTechnique><cpf:modalitesInscription>"
      "<cpf:modaliteAcces xsi:nil=\"true\"/></cpf:modalitesInscription>"
      "<cpf:identificationTitulaire><cpf:identifiantNational><cpf:nir>1850775ZORG45</cpf:nir>"
      "<cpf:nomNaissance>DUPONT</cpf:nomNaissance></cpf:identifiantNational>"
      "</cpf:identificationTitulaire></cpf:passageCertification>";
  EXPECT_EQ(Explain(Document({nir}), "1850775"),
            "nir : 13 caractères attendus, le NIR sans sa clé");
}

TEST_F(XsdTest, ExplainsAnImpossibleDate) {
  EXPECT_EQ(
      Explain(
          Document({Passage(kTitulaire, "<cpf:dateDebutExamen>2021-02-30</cpf:dateDebutExamen>")}),
          "2021-02-30"),
      "dateDebutExamen : date impossible (ce jour n'existe pas) ou mal écrite (AAAA-MM-JJ)");
}

TEST_F(XsdTest, ExplainsBooleanAndBounds) {
  EXPECT_EQ(
      Explain(Document({Passage(kTitulaire, "<cpf:donneeCertifiee>oui</cpf:donneeCertifiee>")}),
              "oui"),
      "donneeCertifiee : true ou false attendu");
  EXPECT_EQ(Explain(Document({Passage(Replace(kTitulaire, "<cpf:moisNaissance xsi:nil=\"true\"/>",
                                              "<cpf:moisNaissance>13</cpf:moisNaissance>"))}),
                    "13"),
            "moisNaissance : valeur hors des bornes permises");
}

TEST(ExplainXsdErrorTest, ExplainsAnIntegerOfTypeXsInt) {
  const std::string dir = TestDir();
  auto schema = XsdSchema::FromText(
      "<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
      "<xsd:element name=\"n\" type=\"xsd:int\"/></xsd:schema>",
      "int");
  ASSERT_TRUE(schema) << schema.error().message();
  testing::WriteFile(dir + "/n.xml", "<n>19x0</n>\n", 0600);
  auto errors = (*schema)->Validate(dir + "/n.xml");
  ASSERT_TRUE(errors);
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ(ExplainXsdError(errors->front()), "n : nombre entier attendu");
}

// Every integer of the CDC's schemas (and of accrochd's) is an anonymous restriction of xs:int:
// libxml2 then says "local atomic type", and the element tells that an integer was expected.
TEST_F(XsdTest, ExplainsANonNumericYearAsAnInteger) {
  EXPECT_EQ(Explain(Document({Passage(Replace(kTitulaire, ">1990<", ">19x0<"))}), "19x0"),
            "anneeNaissance : nombre entier attendu");
}

TEST_F(XsdTest, ExplainsAnUnexpectedElementWithWhatWasExpected) {
  EXPECT_EQ(
      Explain(Document({Passage(kTitulaire, "<cpf:inconnu>ZORG</cpf:inconnu>")}), "ZORG"),
      "inconnu : élément inattendu à cet endroit : en double (un seul certificateur par fichier, "
      "chaque élément au plus une fois), mal placé, ou absent de cette version du schéma "
      "(attendu : urlPreuve, libelleOption, obtentionCertification, donneeCertifiee, "
      "dateDebutExamen, dateFinExamen, modalitePassageExamen, codePostalCentreExamen, "
      "dateDebutValidite, dateFinValidite)");
}

TEST_F(XsdTest, ExplainsAMissingChild) {
  EXPECT_EQ(Explain(Document({Passage(Replace(kTitulaire, "<cpf:prenom1>Jean</cpf:prenom1>", ""))}),
                    "DUPONT"),
            "titulaire : un élément obligatoire manque (prenom1, prenom2, prenom3, "
            "libelleCommuneNaissance, codePaysNaissance, libellePaysNaissance, commentairesMEN)");
}

TEST_F(XsdTest, ExplainsNilOnANonNillableElementAndNilWithContent) {
  EXPECT_EQ(Explain(Document({Passage(Replace(kTitulaire, "<cpf:prenom1>Jean</cpf:prenom1>",
                                              "<cpf:prenom1 xsi:nil=\"true\"/>"))}),
                    "Jean"),
            "prenom1 : xsi:nil n'est pas permis pour cet élément, une valeur est obligatoire");
  EXPECT_EQ(
      Explain(Document({Passage(Replace(kTitulaire, "<cpf:nomUsage xsi:nil=\"true\"/>",
                                        "<cpf:nomUsage xsi:nil=\"true\">ZORG</cpf:nomUsage>"))}),
              "ZORG"),
      "nomUsage : un élément xsi:nil=\"true\" doit être vide");
}

TEST_F(XsdTest, ExplainsTextWhereOnlyElementsArePermitted) {
  EXPECT_EQ(Explain(Document({Passage("ZORG" + kTitulaire)}), "ZORG"),
            "titulaire : du texte est présent là où seuls des éléments sont permis");
}

TEST_F(XsdTest, ExplainsWellFormednessAndTheXmlVersion) {
  EXPECT_EQ(Explain(Replace(Document({Passage()}), "</cpf:sexe>", "</cpf:sex>"), "DUPONT"),
            "le fichier n'est pas un XML bien formé (balise non fermée, caractère interdit, "
            "prologue incorrect...) ; la CDC refuserait le fichier entier");
  EXPECT_EQ(Explain(Replace(Document({Passage()}), "version=\"1.0\"", "version=\"2.0\""), "2.0"),
            "le prologue déclare une version XML autre que 1.0 : seul XML 1.0 est accepté");
}

TEST_F(XsdTest, ExplainsAWrongRootOrNamespace) {
  const std::string root =
      "l'élément racine doit être cpf:flux dans l'espace de noms urn:cdc:cpf:pc5:schema:1.0.0";
  std::string fluxx = Replace(Document({Passage()}), "<cpf:flux ", "<cpf:fluxx ");
  EXPECT_EQ(Explain(Replace(fluxx, "</cpf:flux>", "</cpf:fluxx>"), "fluxx"), root);
  EXPECT_EQ(Explain(Replace(Document({Passage()}), "urn:cdc:cpf:pc5:schema:1.0.0",
                            "urn:cdc:cpf:pc5:schema:0.0.7"),
                    "0.0.7"),
            root);
}

TEST(ExplainXsdErrorTest, AnUnknownMessageGetsTheGeneralExplanation) {
  XsdError e;
  e.element = "verbatim";
  e.message = "Element 'verbatim': something libxml2 says about 'SECRET'.";
  EXPECT_EQ(ExplainXsdError(e), "verbatim : refusé par le schéma XSD de la CDC");
  e.element.clear();
  EXPECT_EQ(ExplainXsdError(e), "refusé par le schéma XSD de la CDC");
}

}  // namespace
}  // namespace accrochd::xml

// ---------------------------------------------------------------------------------------------
// Sizes and UUIDs

namespace accrochd {
namespace {

TEST(ParseSizeTest, UnitsArePowersOf1000Or1024) {
  EXPECT_EQ(ParseSize("100MB"), 100'000'000u);
  EXPECT_EQ(ParseSize("200 MB"), 200'000'000u);
  EXPECT_EQ(ParseSize("10   MB"), 10'000'000u);
  EXPECT_EQ(ParseSize("500kB"), 500'000u);
  EXPECT_EQ(ParseSize("2GB"), 2'000'000'000u);
  EXPECT_EQ(ParseSize("7KiB"), 7'168u);
  EXPECT_EQ(ParseSize("64MiB"), 67'108'864u);
  EXPECT_EQ(ParseSize("1GiB"), 1'073'741'824u);
  EXPECT_EQ(ParseSize("512"), 512u);
  EXPECT_EQ(ParseSize("512B"), 512u);
  EXPECT_EQ(ParseSize("0"), 0u);
  EXPECT_EQ(ParseSize("17179869183GiB"), 18'446'744'072'635'809'792u);
}

TEST(ParseSizeTest, AnythingElseIsRefusedWithTheUnitsListed) {
  for (const std::string text : {"", "MB", "1.5MB", "10 mb", "10 Mb", "10KB", "-1", "10MBx",
                                 " 10MB", "10 MB ", "1e6", "ten MB"}) {
    auto size = ParseSize(text);
    ASSERT_FALSE(size) << text;
    EXPECT_EQ(size.error().kind(), ErrorKind::kConfig);
    EXPECT_EQ(size.error().message(),
              "invalid size \"" + text +
                  "\": expected a number and a unit such as \"100MB\" (B, kB, MB, GB, KiB, MiB, "
                  "GiB)");
  }
}

TEST(ParseSizeTest, OverflowIsRefused) {
  for (const std::string text :
       {"18446744073709551616", "99999999999999999999999", "20000000000GB", "17179869184GiB"}) {
    auto size = ParseSize(text);
    ASSERT_FALSE(size) << text;
    EXPECT_EQ(size.error().kind(), ErrorKind::kConfig);
    EXPECT_EQ(size.error().message(), "size \"" + text + "\" is too large");
  }
}

TEST(FormatSizeTest, ExactUnitsWhenTheyDivideElseOneDecimal) {
  EXPECT_EQ(FormatSize(0), "0 B");
  EXPECT_EQ(FormatSize(512), "512 B");
  EXPECT_EQ(FormatSize(999), "999 B");
  EXPECT_EQ(FormatSize(1'000), "1 kB");
  EXPECT_EQ(FormatSize(1'500), "1.5 kB");
  EXPECT_EQ(FormatSize(1'000'000), "1 MB");
  EXPECT_EQ(FormatSize(1'500'000), "1.5 MB");
  EXPECT_EQ(FormatSize(67'108'864), "67.1 MB");
  EXPECT_EQ(FormatSize(100'000'000), "100 MB");
  EXPECT_EQ(FormatSize(2'000'000'000), "2 GB");
}

TEST(FormatSizeTest, ExactFormReadsBackToTheSameNumber) {
  for (std::uint64_t bytes : {std::uint64_t{0}, std::uint64_t{1'500}, std::uint64_t{67'108'864},
                              std::uint64_t{200'000'000}, std::uint64_t{123'456'789}}) {
    auto back = ParseSize(FormatSizeExact(bytes));
    ASSERT_TRUE(back) << FormatSizeExact(bytes) << ": " << back.error().message();
    EXPECT_EQ(*back, bytes);
  }
  EXPECT_EQ(FormatSizeExact(123'456'789), "123456789 B");
}

// What FormatSize prints for round sizes reads back ("100 MB", not "100.0 MB"), so the printed
// configuration's max_file_size can be reused as is.
TEST(FormatSizeTest, WhatFormatSizeWritesParseSizeReads) {
  EXPECT_EQ(FormatSize(100'000'000), "100 MB");
  for (std::uint64_t bytes : {std::uint64_t{100'000'000}, std::uint64_t{200'000'000},
                              std::uint64_t{10'000}, std::uint64_t{512}}) {
    auto back = ParseSize(FormatSize(bytes));
    ASSERT_TRUE(back) << FormatSize(bytes) << ": " << back.error().message();
    EXPECT_EQ(*back, bytes);
  }
}

TEST(NewUuidTest, IsARandomVersion4Uuid) {
  static const std::regex kUuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  std::set<char> variants;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = NewUuid();
    ASSERT_EQ(id.size(), 36u) << id;
    ASSERT_TRUE(std::regex_match(id, kUuid)) << id;
    variants.insert(id[19]);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_EQ(variants, (std::set<char>{'8', '9', 'a', 'b'}));  // all four variant digits occur
}

}  // namespace
}  // namespace accrochd
