// The receipt reader: the CDC's two official samples read to the exact values; the leniency of
// form real reports need (case of names, namespaces, blanks, missing nomFichier/idFlux, unknown
// elements); the strictness of what it concludes (no outcome, erreurs with passages, an
// idTechnique with two outcomes); and hostile or broken input refused with a clear message, no
// crash and nothing on stderr: truncated XML, entity bombs, external entities, 50 MB, binary
// garbage, UTF-16, empty files.
#include "connectors/xml/receipt_reader.h"

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/cdc_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::xml {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return testing::MakeTempDir(std::string("receipt_reader_test/") + info->test_suite_name() + "." +
                              info->name());
}

// The CDC's official receipts (cdc/README.md §7), beside the checkout or in $ACCROCHD_CDC_DIR.
#define REQUIRE_OFFICIAL_RECEIPT(var, file)                                                      \
  std::string var;                                                                               \
  {                                                                                              \
    std::string why_;                                                                            \
    auto dir_ = ::accrochd::testing::CdcDirectory(why_);                                         \
    if (!dir_) GTEST_SKIP() << "SKIPPED for want of the official receipts: " << why_;            \
    var = *dir_ + "/receipts/" + (file);                                                         \
    if (!std::filesystem::exists(var)) {                                                         \
      GTEST_SKIP() << "SKIPPED for want of the official receipts: " << var << " does not exist"; \
    }                                                                                            \
  }

// Parses `xml` and expects success; libxml2 must print nothing.
Receipt Parse(const std::string& xml) {
  ::testing::internal::CaptureStderr();
  auto r = ParseReceipt(xml, "r.xml");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "");
  EXPECT_TRUE(r) << r.error().message();
  return r ? *r : Receipt{};
}

// Parses `xml` and expects an error of kind kInvalidData, which is returned; libxml2 must print
// nothing, and the message must stay short whatever the input.
std::string Refused(std::string_view xml) {
  ::testing::internal::CaptureStderr();
  auto r = ParseReceipt(xml, "r.xml");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "");
  EXPECT_FALSE(r);
  if (r) return "";
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidData);
  EXPECT_THAT(r.error().message(), StartsWith("r.xml:"));
  EXPECT_LT(r.error().message().size(), 600u) << r.error().message();
  return r.error().message();
}

// A receipt around `body`, one element per line from line 3 on.
std::string Rapport(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
         "<rapport xmlns:ns2=\"urn:cdc:cpf:pc5:rapport:schema\">\n" +
         body + "</rapport>\n";
}

// ---- The official samples --------------------------------------------------------------------

TEST(ReceiptReaderTest, OfficialSampleWithPassagesOkAndKo) {
  REQUIRE_OFFICIAL_RECEIPT(path, "accuse-traitement-passages-ok-ko.xml");
  auto r = ReadReceiptFile(path);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->nom_fichier, "pix-cpf-export-20231016-223239.xml");
  EXPECT_EQ(r->id_flux, "4df76fd4-0915-46df-8c56-525506af35be");
  EXPECT_EQ(r->id_traitement, "67598");
  EXPECT_THAT(r->ok, ElementsAre("1968666", "1964200"));
  ASSERT_EQ(r->ko.size(), 3u);
  EXPECT_EQ(r->ko[0].id_technique, "1979262");
  EXPECT_EQ(r->ko[0].message, "Aucun titulaire ne correspond aux critères obligatoires");
  EXPECT_EQ(r->ko[0].line, 7);
  EXPECT_EQ(r->ko[1].id_technique, "1996215");
  EXPECT_EQ(r->ko[1].message,
            "Aucun titulaire ne correspond aux critères obligatoires enrichis du jour et du "
            "mois de naissance");
  EXPECT_EQ(r->ko[1].line, 11);
  EXPECT_EQ(r->ko[2].id_technique, "1983189");
  EXPECT_EQ(r->ko[2].message,
            "Le passage certification avec le bcr émetteur 03VML243 et l'id technique "
            "partenaire 1559735 existe déjà en base");
  EXPECT_EQ(r->ko[2].line, 15);
  EXPECT_TRUE(r->errors.empty());
  EXPECT_FALSE(r->file_rejected());
}

TEST(ReceiptReaderTest, OfficialSampleOfAFileRejectedAsAWhole) {
  REQUIRE_OFFICIAL_RECEIPT(path, "accuse-traitement-erreur-xsd-fichier-rejete.xml");
  auto r = ReadReceiptFile(path);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->nom_fichier, "pix-cpf-export-20231016-223357_002.xml");
  EXPECT_EQ(r->id_flux, std::nullopt);
  EXPECT_EQ(r->id_traitement, "68548");
  EXPECT_TRUE(r->ok.empty());
  EXPECT_TRUE(r->ko.empty());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].type, "XSD");
  EXPECT_EQ(r->errors[0].message,
            "Un espace est obligatoire entre les données et la cible de l'instruction de "
            "traitement.");
  EXPECT_EQ(r->errors[0].line, 1);
  EXPECT_EQ(r->errors[0].column, 18);
  EXPECT_TRUE(r->file_rejected());
}

// ---- Lenient in form -------------------------------------------------------------------------

TEST(ReceiptReaderTest, ElementNamesInAnyCase) {
  Receipt r = Parse(
      "<RAPPORT><NomFichier>f.xml</NomFichier><IDFLUX>u</IDFLUX><idtraitement>1</idtraitement>\n"
      "<passagesko><Passage><IDTECHNIQUE>k</IDTECHNIQUE><messageerreur>m</messageerreur>"
      "</Passage></passagesko>\n"
      "<passagesok><idtechnique>a</idtechnique><IdTechnique>b</IdTechnique></passagesok>\n"
      "</RAPPORT>");
  EXPECT_EQ(r.nom_fichier, "f.xml");
  EXPECT_EQ(r.id_flux, "u");
  EXPECT_EQ(r.id_traitement, "1");
  EXPECT_THAT(r.ok, ElementsAre("a", "b"));
  ASSERT_EQ(r.ko.size(), 1u);
  EXPECT_EQ(r.ko[0].id_technique, "k");
  EXPECT_EQ(r.ko[0].message, "m");
  EXPECT_EQ(r.ko[0].line, 2);

  Receipt rejected = Parse(
      "<rapport><ERREURS><Erreur><TYPE>XSD</TYPE><Message>x</Message><LIGNE>3</LIGNE>"
      "<Colonne>4</Colonne></Erreur></ERREURS></rapport>");
  ASSERT_EQ(rejected.errors.size(), 1u);
  EXPECT_EQ(rejected.errors[0].type, "XSD");
  EXPECT_EQ(rejected.errors[0].message, "x");
  EXPECT_EQ(rejected.errors[0].line, 3);
  EXPECT_EQ(rejected.errors[0].column, 4);
}

TEST(ReceiptReaderTest, NamespacesAreIgnored) {
  Receipt r = Parse(
      "<ns2:rapport xmlns:ns2=\"urn:cdc:cpf:pc5:rapport:schema\" xmlns=\"urn:other\">"
      "<ns2:idFlux>u</ns2:idFlux><PassagesOK><ns2:idTechnique>a</ns2:idTechnique></PassagesOK>"
      "</ns2:rapport>");
  EXPECT_EQ(r.id_flux, "u");
  EXPECT_THAT(r.ok, ElementsAre("a"));
}

TEST(ReceiptReaderTest, BlanksAndNewlinesAroundValuesAreTrimmed) {
  Receipt r = Parse(Rapport(
      "<nomFichier>\n   f.xml\t\n</nomFichier>\n"
      "<idFlux>  u  </idFlux>\n"
      "<idTraitement>\r\n67598\r\n</idTraitement>\n"
      "<PassagesKO>\n <passage>\n  <idTechnique>\n   k1\n  </idTechnique>\n"
      "  <messageErreur>\n   Plusieurs titulaires ont été identifiés\n  </messageErreur>\n"
      " </passage>\n</PassagesKO>\n"
      "<PassagesOK>\n <idTechnique> a b </idTechnique>\n"
      " <idTechnique><![CDATA[ c ]]></idTechnique>\n <idTechnique>d&amp;&#233;</idTechnique>\n"
      "</PassagesOK>\n"));
  EXPECT_EQ(r.nom_fichier, "f.xml");
  EXPECT_EQ(r.id_flux, "u");
  EXPECT_EQ(r.id_traitement, "67598");
  EXPECT_THAT(r.ok, ElementsAre("a b", "c", "d&é"));  // inner blanks are kept
  ASSERT_EQ(r.ko.size(), 1u);
  EXPECT_EQ(r.ko[0].id_technique, "k1");
  EXPECT_EQ(r.ko[0].message, "Plusieurs titulaires ont été identifiés");
  EXPECT_EQ(r.ko[0].line, 11);
}

TEST(ReceiptReaderTest, NomFichierMayBeMissing) {
  Receipt r =
      Parse(Rapport("<idFlux>u</idFlux><PassagesOK><idTechnique>a</idTechnique>"
                    "</PassagesOK>\n"));
  EXPECT_EQ(r.nom_fichier, std::nullopt);
  EXPECT_EQ(r.id_flux, "u");
  EXPECT_EQ(r.id_traitement, std::nullopt);
  EXPECT_THAT(r.ok, ElementsAre("a"));
}

TEST(ReceiptReaderTest, IdFluxMayBeMissing) {
  Receipt r =
      Parse(Rapport("<nomFichier>f.xml</nomFichier><idTraitement>5</idTraitement>"
                    "<PassagesOK><idTechnique>a</idTechnique></PassagesOK>\n"));
  EXPECT_EQ(r.nom_fichier, "f.xml");
  EXPECT_EQ(r.id_flux, std::nullopt);
  EXPECT_EQ(r.id_traitement, "5");
}

TEST(ReceiptReaderTest, EmptyHeaderElementsAreAbsent) {
  Receipt r = Parse(Rapport("<nomFichier/><idFlux>  </idFlux><PassagesOK/>\n"));
  EXPECT_EQ(r.nom_fichier, std::nullopt);
  EXPECT_EQ(r.id_flux, std::nullopt);
}

TEST(ReceiptReaderTest, UnknownElementsCommentsAndProcessingInstructionsAreIgnored) {
  Receipt r = Parse(Rapport(
      "<!-- exporté le 18/10/2023 --><?cdc version=\"2\"?>\n"
      "<dateTraitement>2023-10-18</dateTraitement><statut>Traité avec erreurs</statut>\n"
      "<PassagesKO><resume>1 KO</resume><passage><idTechnique>k</idTechnique>"
      "<code>E12</code><messageErreur>m</messageErreur></passage></PassagesKO>\n"
      "<PassagesOK><total>1</total><idTechnique>a</idTechnique><idTechnique2>z</idTechnique2>"
      "</PassagesOK>\n"
      "<annexe><PassagesOK><idTechnique>k</idTechnique></PassagesOK></annexe>\n"));
  EXPECT_THAT(r.ok, ElementsAre("a"));
  ASSERT_EQ(r.ko.size(), 1u);
  EXPECT_EQ(r.ko[0].id_technique, "k");
  EXPECT_EQ(r.ko[0].message, "m");
}

TEST(ReceiptReaderTest, KoPassageWithAnEmptyOrMissingMessageIsKept) {
  Receipt r = Parse(
      Rapport("<PassagesKO>\n"
              "<passage><idTechnique>k1</idTechnique><messageErreur></messageErreur></passage>\n"
              "<passage><idTechnique>k2</idTechnique><messageErreur>  </messageErreur></passage>\n"
              "<passage><idTechnique>k3</idTechnique></passage>\n"
              "</PassagesKO>\n"));
  ASSERT_EQ(r.ko.size(), 3u);
  for (const ReceiptPassageKo& ko : r.ko) EXPECT_EQ(ko.message, "") << ko.id_technique;
  EXPECT_EQ(r.ko[2].line, 6);
}

TEST(ReceiptReaderTest, EmptyListsAreAnAnswer) {
  // A report may list no OK, or no KO, at all.
  Receipt r = Parse(Rapport("<PassagesKO/>\n<PassagesOK>\n</PassagesOK>\n"));
  EXPECT_TRUE(r.ok.empty());
  EXPECT_TRUE(r.ko.empty());
  EXPECT_FALSE(r.file_rejected());
}

TEST(ReceiptReaderTest, ErreurWithoutLigneOrColonne) {
  Receipt r =
      Parse(Rapport("<erreurs><erreur><type>XSD</type><message>m</message><ligne/>"
                    "</erreur></erreurs>\n"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, std::nullopt);
  EXPECT_EQ(r.errors[0].column, std::nullopt);
}

TEST(ReceiptReaderTest, AFullUtf16DocumentIsRead) {
  // libxml2 reads UTF-16 with its byte-order mark; the CDC sends UTF-8 but nothing forbids it.
  const std::string utf8 =
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rapport><PassagesKO><passage>"
      "<idTechnique>k</idTechnique><messageErreur>déjà</messageErreur></passage></PassagesKO>"
      "</rapport>";
  std::string utf16 = "\xFF\xFE";
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      utf16 += static_cast<char>(c);
      utf16 += '\0';
    } else {  // é and à: two-byte UTF-8 sequences
      const auto next = static_cast<unsigned char>(utf8[++i]);
      const unsigned code = ((c & 0x1Fu) << 6) | (next & 0x3Fu);
      utf16 += static_cast<char>(code & 0xFFu);
      utf16 += static_cast<char>(code >> 8);
    }
  }
  Receipt r = Parse(utf16);
  ASSERT_EQ(r.ko.size(), 1u);
  EXPECT_EQ(r.ko[0].message, "déjà");
}

// ---- Strict in what it concludes -------------------------------------------------------------

TEST(ReceiptReaderTest, NoOutcomeAtAll) {
  EXPECT_THAT(
      Refused(Rapport("<nomFichier>f.xml</nomFichier><idFlux>u</idFlux>\n")),
      AllOf(StartsWith("r.xml:2: "), HasSubstr("none of <PassagesOK>, <PassagesKO> or <erreurs>"),
            HasSubstr("this is not an accusé de traitement of the CDC"),
            HasSubstr("nothing was concluded")));
  EXPECT_THAT(Refused("<rapport/>"), HasSubstr("none of <PassagesOK>"));
}

TEST(ReceiptReaderTest, ErreursTogetherWithPassages) {
  EXPECT_THAT(Refused(Rapport("<erreurs><erreur><type>XSD</type><message>m</message></erreur>"
                              "</erreurs>\n<PassagesOK><idTechnique>a</idTechnique>"
                              "</PassagesOK>\n")),
              AllOf(StartsWith("r.xml:3: "), HasSubstr("<erreurs> (the whole file rejected)"),
                    HasSubstr("<PassagesOK> at line 4"), HasSubstr("nothing was concluded")));
  EXPECT_THAT(Refused(Rapport("<PassagesKO/>\n<erreurs><erreur><type>XSD</type></erreur>"
                              "</erreurs>\n")),
              AllOf(StartsWith("r.xml:4: "), HasSubstr("<PassagesKO> at line 3")));
}

TEST(ReceiptReaderTest, ErreursWithoutAnyErreur) {
  EXPECT_THAT(Refused(Rapport("<erreurs>\n</erreurs>\n")),
              AllOf(StartsWith("r.xml:3: "), HasSubstr("<erreurs> without any <erreur>")));
}

TEST(ReceiptReaderTest, DuplicateIdTechniqueInTheSameList) {
  EXPECT_THAT(Refused(Rapport("<PassagesOK>\n<idTechnique>a</idTechnique>\n"
                              "<idTechnique>b</idTechnique>\n<idTechnique> a </idTechnique>\n"
                              "</PassagesOK>\n")),
              AllOf(StartsWith("r.xml:6: "),
                    HasSubstr("the same idTechnique is listed twice in <PassagesOK> (lines 4 "
                              "and 6)"),
                    HasSubstr("nothing was concluded")));
  EXPECT_THAT(Refused(Rapport("<PassagesKO>\n<passage><idTechnique>k</idTechnique></passage>\n"
                              "<passage><idTechnique>k</idTechnique></passage>\n"
                              "</PassagesKO>\n")),
              AllOf(StartsWith("r.xml:5: "), HasSubstr("twice in <PassagesKO> (lines 4 and 5)")));
}

TEST(ReceiptReaderTest, IdTechniqueInBothLists) {
  EXPECT_THAT(Refused(Rapport("<PassagesKO>\n<passage><idTechnique>x</idTechnique>"
                              "<messageErreur>m</messageErreur></passage>\n</PassagesKO>\n"
                              "<PassagesOK>\n<idTechnique>x</idTechnique>\n</PassagesOK>\n")),
              AllOf(StartsWith("r.xml:7: "),
                    HasSubstr("listed in <PassagesKO> and in <PassagesOK> (lines 4 and 7)"),
                    HasSubstr("a passage has one outcome")));
}

TEST(ReceiptReaderTest, EmptyIdTechnique) {
  EXPECT_THAT(Refused(Rapport("<PassagesOK>\n<idTechnique> \n </idTechnique>\n</PassagesOK>\n")),
              AllOf(StartsWith("r.xml:4: "), HasSubstr("empty <idTechnique> in <PassagesOK>")));
  EXPECT_THAT(Refused(Rapport("<PassagesKO>\n<passage>\n<idTechnique/><messageErreur>m"
                              "</messageErreur></passage>\n</PassagesKO>\n")),
              AllOf(StartsWith("r.xml:5: "), HasSubstr("empty <idTechnique> in <PassagesKO>")));
}

TEST(ReceiptReaderTest, KoPassageWithoutIdTechnique) {
  EXPECT_THAT(Refused(Rapport("<PassagesKO>\n<passage><messageErreur>Aucun titulaire"
                              "</messageErreur></passage>\n</PassagesKO>\n")),
              AllOf(StartsWith("r.xml:4: "),
                    HasSubstr("a <passage> of <PassagesKO> without <idTechnique>")));
}

TEST(ReceiptReaderTest, TwoValuesWhereOneIsExpected) {
  EXPECT_THAT(Refused(Rapport("<idFlux>a</idFlux>\n<idFlux>b</idFlux>\n<PassagesOK/>\n")),
              AllOf(StartsWith("r.xml:4: "), HasSubstr("a second <idFlux>")));
  EXPECT_THAT(Refused(Rapport("<PassagesKO><passage>\n<idTechnique>a</idTechnique>\n"
                              "<idTechnique>b</idTechnique></passage></PassagesKO>\n")),
              AllOf(StartsWith("r.xml:5: "), HasSubstr("a second <idTechnique>")));
}

TEST(ReceiptReaderTest, LigneThatIsNotANumber) {
  EXPECT_THAT(Refused(Rapport("<erreurs><erreur><type>XSD</type>\n<ligne>un</ligne>"
                              "</erreur></erreurs>\n")),
              AllOf(StartsWith("r.xml:4: "), HasSubstr("<ligne> of an <erreur> is not a whole")));
}

// ---- Broken or hostile input -----------------------------------------------------------------

TEST(ReceiptReaderTest, TruncatedXml) {
  const std::string whole =
      Rapport("<idFlux>u</idFlux>\n<PassagesOK>\n<idTechnique>a</idTechnique>\n</PassagesOK>\n");
  const std::string message = Refused(whole.substr(0, whole.find("a</idTechnique>") + 3));
  EXPECT_THAT(message, AllOf(StartsWith("r.xml:5:"), HasSubstr("not well-formed XML ("),
                             HasSubstr("this is not an accusé de traitement of the CDC"),
                             HasSubstr("truncated"), HasSubstr("download the report again")));
  // Cut anywhere: always an error, never a crash.
  for (std::size_t n = 1; n < whole.size() - 12; ++n) {
    EXPECT_FALSE(ParseReceipt(whole.substr(0, n), "r.xml")) << n;
  }
}

TEST(ReceiptReaderTest, EntityBombIsRefusedForItsDoctype) {
  std::string bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string previous = i == 1 ? "lol" : "lol" + std::to_string(i - 1);
    bomb += " <!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) bomb += "&" + previous + ";";
    bomb += "\">\n";
  }
  bomb += "]>\n<rapport><PassagesOK><idTechnique>&lol9;</idTechnique></PassagesOK></rapport>\n";
  const auto start = std::chrono::steady_clock::now();
  const std::string message = Refused(bomb);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_THAT(message, AllOf(StartsWith("r.xml:2:"), HasSubstr("the document has a DOCTYPE"),
                             HasSubstr("DTDs are refused"),
                             HasSubstr("this is not an accusé de traitement of the CDC"),
                             Not(HasSubstr("lollol"))));
}

TEST(ReceiptReaderTest, ExternalEntitiesAreNeverRead) {
  const std::string dir = TestDir();
  testing::WriteFile(dir + "/secret.txt", "SECRET-CONTENT");
  // XXE through an external general entity, a parameter entity, and an external DTD.
  for (const std::string& doctype :
       {"<!DOCTYPE rapport [<!ENTITY xxe SYSTEM \"file://" + dir + "/secret.txt\">]>",
        "<!DOCTYPE rapport [<!ENTITY % p SYSTEM \"file://" + dir + "/secret.txt\"> %p;]>",
        "<!DOCTYPE rapport SYSTEM \"file://" + dir + "/secret.txt\">",
        std::string("<!DOCTYPE rapport PUBLIC \"-//X//Y\" \"http://127.0.0.1:9/r.dtd\">")}) {
    const std::string message =
        Refused("<?xml version=\"1.0\"?>\n" + doctype +
                "\n<rapport><PassagesOK><idTechnique>&xxe;</idTechnique></PassagesOK>"
                "</rapport>");
    EXPECT_THAT(message,
                AllOf(HasSubstr("the document has a DOCTYPE"), Not(HasSubstr("SECRET-CONTENT"))))
        << doctype;
  }
  // Without a DOCTYPE, an entity reference is simply undefined.
  EXPECT_THAT(Refused("<rapport><PassagesOK><idTechnique>&xxe;</idTechnique></PassagesOK>"
                      "</rapport>"),
              AllOf(StartsWith("r.xml:1:"), HasSubstr("not well-formed XML (Entity 'xxe' not "
                                                      "defined)")));
}

TEST(ReceiptReaderTest, FiftyMegabytesAreRefusedBySizeWithoutParsing) {
  // A valid receipt padded with blanks: only the size can refuse it.
  std::string big = Rapport("<PassagesOK><idTechnique>a</idTechnique></PassagesOK>\n");
  big.insert(big.find("<PassagesOK>"), 50 * 1024 * 1024 - big.size(), ' ');
  ASSERT_EQ(big.size(), 52428800u);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = Refused(big);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_EQ(message,
            "r.xml: 52428800 bytes is more than the 16777216 bytes (16 MiB) accepted for an "
            "accusé de traitement; it was not read. Real receipts are a few kilobytes per "
            "thousand passages: check that this is the report downloaded from the CDC's portal");

  // Just at the cap it is read. (Padded with blanks between elements: libxml2 refuses a single
  // text node over 10 MB.)
  const std::string body = "<PassagesOK><idTechnique>a</idTechnique></PassagesOK>\n";
  std::string padding;
  const std::size_t room = kMaxReceiptBytes - Rapport(body).size();
  while (padding.size() + 1024 * 1024 <= room)
    padding += std::string(1024 * 1024 - 4, '\n') + "<p/>";
  padding += std::string(room - padding.size(), ' ');
  const std::string at_cap = Rapport(padding + body);
  ASSERT_EQ(at_cap.size(), kMaxReceiptBytes);
  EXPECT_THAT(Parse(at_cap).ok, ElementsAre("a"));
}

TEST(ReceiptReaderTest, ABigFileIsRefusedBeforeItIsRead) {
  const std::string path = TestDir() + "/big.xml";
  testing::WriteFile(path, "<rapport>");
  std::filesystem::resize_file(path, 50u * 1024 * 1024);  // sparse: nothing written
  const auto start = std::chrono::steady_clock::now();
  auto r = ReadReceiptFile(path);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidData);
  EXPECT_THAT(r.error().message(),
              AllOf(StartsWith(path + ": 52428800 bytes is more than the 16777216 bytes"),
                    HasSubstr("it was not read")));
}

TEST(ReceiptReaderTest, WrongRootElement) {
  EXPECT_THAT(
      Refused("<?xml version=\"1.0\"?>\n<accuse><PassagesOK/></accuse>"),
      AllOf(StartsWith("r.xml:2: "), HasSubstr("the root element is <accuse>, not <rapport>"),
            HasSubstr("this is not an accusé de traitement of the CDC")));
  EXPECT_THAT(Refused("<cpf:flux xmlns:cpf=\"urn:cdc:cpf:pc5:schema:1.0.0\"><cpf:idFlux>u"
                      "</cpf:idFlux></cpf:flux>"),
              HasSubstr("it looks like a deposit file, not its report"));
  // A long name is not quoted in full.
  const std::string name(5000, 'x');
  EXPECT_THAT(Refused("<" + name + "/>"),
              AllOf(HasSubstr("the root element is <xxxx"), Not(HasSubstr(std::string(100, 'x')))));
}

TEST(ReceiptReaderTest, RandomBytes) {
  std::mt19937 random(20231018);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 50; ++round) {
    std::string garbage(static_cast<std::size_t>(1 + round * 97), '\0');
    for (char& c : garbage) c = static_cast<char>(byte(random));
    const std::string message = Refused(garbage);
    EXPECT_THAT(message, HasSubstr("this is not an accusé de traitement of the CDC")) << round;
  }
  EXPECT_THAT(Refused(std::string("\x00\x01\x02\xff\xfe", 5)),
              AllOf(StartsWith("r.xml:1:"), HasSubstr("not well-formed XML (")));
  // Garbage after a valid document.
  EXPECT_THAT(Refused(Rapport("<PassagesOK/>\n") + std::string("\x89PNG\r\n\x1a\n", 8)),
              HasSubstr("not well-formed XML ("));
}

TEST(ReceiptReaderTest, Utf16ByteOrderMarkOnUtf8Text) {
  // A byte-order mark that lies: libxml2 reads the UTF-8 text as UTF-16 and finds no XML.
  EXPECT_THAT(Refused("\xFF\xFE" + Rapport("<PassagesOK/>\n")),
              AllOf(StartsWith("r.xml:1:"), HasSubstr("not well-formed XML (")));
  EXPECT_THAT(Refused("\xFE\xFF" + Rapport("<PassagesOK/>\n")), HasSubstr("not well-formed XML"));
  EXPECT_THAT(Refused("\xFF\xFE"), HasSubstr("not well-formed XML"));
}

TEST(ReceiptReaderTest, EmptyFile) {
  EXPECT_THAT(Refused(""), AllOf(HasSubstr("r.xml: the file is empty"),
                                 HasSubstr("this is not an accusé de traitement of the CDC")));
  EXPECT_THAT(Refused(" \n\t\r\n"), HasSubstr("the file is empty"));
  EXPECT_THAT(Refused("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
              HasSubstr("not well-formed XML ("));

  const std::string path = TestDir() + "/empty.xml";
  testing::WriteFile(path, "");
  auto r = ReadReceiptFile(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind(path + ": the file is empty", 0), 0u) << r.error().message();
}

TEST(ReceiptReaderTest, FileThatCannotBeRead) {
  const std::string dir = TestDir();
  auto missing = ReadReceiptFile(dir + "/none.xml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::kIo);
  EXPECT_THAT(missing.error().message(),
              AllOf(HasSubstr(dir + "/none.xml"), HasSubstr("No such file")));
  auto directory = ReadReceiptFile(dir);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().kind(), ErrorKind::kIo);
  EXPECT_THAT(directory.error().message(), HasSubstr("not a regular file"));
}

TEST(ReceiptReaderTest, DeepNestingIsRefusedByLibxml2sLimit) {
  std::string deep = "<rapport><PassagesOK/>";
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  EXPECT_THAT(Refused(deep), HasSubstr("not well-formed XML ("));
}

// The hand-written receipts of tests/data/receipts -- the seeds of the fuzz corpus
// (scripts/fuzz) -- read as their names say: ok-* parse, bad-* are refused.
TEST(ReceiptReaderTest, SeedsOfTheFuzzCorpus) {
  const std::filesystem::path dir =
      std::filesystem::path(ACCROCHD_SOURCE_DIR) / "tests/data/receipts";
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".xml") continue;
    ++seen;
    auto r = ReadReceiptFile(entry.path().string());
    if (file.starts_with("ok-")) {
      EXPECT_TRUE(r) << r.error().message();
    } else {
      EXPECT_FALSE(r) << file;
    }
  }
  EXPECT_GE(seen, 6);

  auto ok_ko = ReadReceiptFile((dir / "ok-ko.xml").string());
  ASSERT_TRUE(ok_ko);
  EXPECT_THAT(ok_ko->ok, ElementsAre("P-0001", "P-0004"));
  ASSERT_EQ(ok_ko->ko.size(), 2u);
  EXPECT_EQ(ok_ko->ko[1].message, "");
  auto lower = ReadReceiptFile((dir / "ok-lowercase-namespaced.xml").string());
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->nom_fichier, "depot.xml");
  EXPECT_THAT(lower->ok, ElementsAre("A1"));
  auto rejected = ReadReceiptFile((dir / "ok-rejected.xml").string());
  ASSERT_TRUE(rejected);
  ASSERT_EQ(rejected->errors.size(), 2u);
  EXPECT_EQ(rejected->errors[0].line, 42);
  EXPECT_EQ(rejected->errors[1].line, std::nullopt);
}

}  // namespace
}  // namespace accrochd::xml
