// Validation of mapped passages, for both schema versions: values and nil, absent fields, the
// dictionary's conditional rules, dates, the holder's identification, held passages and
// warnings; that no rejection ever shows personal data; and the checks across one cycle
// (repeated idTechnique, probable duplicates).
#include "mappings/validator.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/source_row.h"
#include "mappings/mapper.h"
#include "mappings/mapping.h"

namespace accrochd::mappings {
namespace {

// What the daemon does with a row that passed validation: its idTechnique, then its holder.
std::optional<Rejection> RegisterRow(CycleChecks& cycle, const Passage& p) {
  if (auto repeated = cycle.RegisterIdTechnique(p)) return repeated;
  return cycle.RegisterHolder(p);
}

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using State = FieldValue::State;

constexpr Date kToday{std::chrono::year(2026), std::chrono::November, std::chrono::day(26)};

const std::string kHead =
    "certification: {type: RNCP, code: RNCP35830}\n"
    "source: scolarite\n"
    "query: SELECT * FROM resultat\n"
    "key: id\n";

// Every field of the passage and of the titulaire, each from its own column.
const std::string kFields =
    "fields:\n"
    "  urlPreuve: url\n"
    "  libelleOption: option\n"
    "  obtentionCertification: obtention\n"
    "  donneeCertifiee: certifiee\n"
    "  dateDebutExamen: debut_examen\n"
    "  dateFinExamen: fin_examen\n"
    "  modalitePassageExamen: modalite\n"
    "  codePostalCentreExamen: cp_centre\n"
    "  dateDebutValidite: delivrance\n"
    "  dateFinValidite: fin_validite\n"
    "  presenceNiveauLangueEuro: langue\n"
    "  niveauLangueEuropeen: niveau_langue\n"
    "  presenceNiveauNumeriqueEuro: numerique\n"
    "  scoreGeneral: score_general\n"
    "  resultats: resultats\n"
    "  scoring: scoring\n"
    "  mentionValidee: mention\n"
    "  modaliteAcces: acces\n"
    "  voieAccessVAE: voie_vae\n"
    "  initiativeInscription: initiative\n"
    "  dateInscription: inscription\n"
    "  verbatim: verbatim\n";

const std::string kTitulaire =
    "  nomNaissance: nom\n"
    "  nomUsage: nom_usage\n"
    "  prenom1: prenom\n"
    "  prenom2: prenom2\n"
    "  prenom3: prenom3\n"
    "  anneeNaissance: annee\n"
    "  moisNaissance: mois\n"
    "  jourNaissance: jour\n"
    "  sexe: sexe\n"
    "  codeInsee: insee\n"
    "  codePostal: cp\n"
    "  libelleCommuneNaissance: commune\n"
    "  codePaysNaissance: pays\n"
    "  libellePaysNaissance: libelle_pays\n";

const std::string kDossier =
    "  idDossier: dossier\n"
    "  nomTitulaire: nom_dossier\n"
    "  prenom1Titulaire: prenom_dossier\n";

// `text` with `from` (which it holds) replaced by `to`.
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

using Row = std::map<std::string, std::optional<std::string>>;

// A valid passage of a holder born in Paris, delivered on 2026-01-15. The holder's values are
// recognisable, so that tests can make sure no message shows them.
Row DefaultRow() {
  return {{"id", "1017"},      {"obtention", "PAR_ADMISSION"},
          {"certifiee", "1"},  {"delivrance", "2026-01-15"},
          {"langue", "false"}, {"numerique", "0"},
          {"nom", "Zébulon"},  {"prenom", "Anatolie"},
          {"annee", "1987"},   {"mois", "05"},
          {"jour", "09"},      {"sexe", "F"},
          {"insee", "75056"}};
}

std::vector<std::string> Messages(const MappedRow& row) {
  std::vector<std::string> out;
  for (const Rejection& r : row.rejections) out.push_back(r.field + " | " + r.message);
  return out;
}

class ValidatorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    Use(kFields + kTitulaire);
    row_ = DefaultRow();
  }

  // Loads the mapping made of kHead and `fields` for version_.
  void Use(const std::string& fields) {
    Diagnostics d;
    auto m = LoadMappingText(kHead + fields, "mappings/rs6521.yaml", version_, d);
    ASSERT_TRUE(m.has_value());
    ASSERT_TRUE(d.empty()) << FormatDiagnostics(d);
    mapping_ = std::move(*m);
  }

  MappedRow MapRow() {
    std::vector<std::string> names = ReferencedColumns(mapping_);
    source::SourceRow row;
    for (const std::string& name : names) {
      auto it = row_.find(name);
      row.values.push_back(it == row_.end() ? std::nullopt : it->second);
    }
    auto mapper = Mapper::Bind(mapping_, source::Columns(names));
    EXPECT_TRUE(mapper.has_value()) << mapper.error().message();
    if (!mapper) return MappedRow{};
    return mapper->Map(row, 1);
  }

  // Maps row_ and validates it; the verdict is in verdict_.
  MappedRow Run() {
    MappedRow row = MapRow();
    verdict_ = Validator(version_, kToday).Check(row);
    return row;
  }

  // Runs row_, which must give exactly one rejection: `field`, `rule`, `message`.
  void ExpectOnlyRejection(const std::string& field, Rule rule, const std::string& message) {
    MappedRow row = Run();
    ASSERT_EQ(row.rejections.size(), 1u) << ::testing::PrintToString(Messages(row));
    const Rejection& r = row.rejections[0];
    EXPECT_EQ(r.mapping, "rs6521");
    EXPECT_EQ(r.id_technique, "1017");
    EXPECT_EQ(r.source_key, "id=1017");
    EXPECT_EQ(r.field, field);
    EXPECT_EQ(r.rule, rule) << RuleName(r.rule);
    EXPECT_EQ(r.message, message);
    EXPECT_EQ(verdict_, Verdict::kQuarantined);
  }

  SchemaVersion version_ = SchemaVersion::k115;
  Mapping mapping_;
  Row row_;
  Verdict verdict_ = Verdict::kValid;
};

// Tests that hold for both schema versions.
class ValidatorTest : public ValidatorFixture, public ::testing::WithParamInterface<SchemaVersion> {
 protected:
  void SetUp() override {
    version_ = GetParam();
    ValidatorFixture::SetUp();
  }
};

INSTANTIATE_TEST_SUITE_P(Versions, ValidatorTest,
                         ::testing::Values(SchemaVersion::k112, SchemaVersion::k115),
                         [](const ::testing::TestParamInfo<SchemaVersion>& param_info) {
                           return param_info.param == SchemaVersion::k112 ? "v112" : "v115";
                         });

TEST_P(ValidatorTest, AValidPassageIsCompletedAndCanonical) {
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(verdict_, Verdict::kValid);
  EXPECT_THAT(row.warnings, IsEmpty());
  const Passage& p = row.passage;
  EXPECT_EQ(p.identification, Group::kTitulaire);
  EXPECT_EQ(p.delivery,
            (Date{std::chrono::year(2026), std::chrono::January, std::chrono::day(15)}));
  // Canonical spellings.
  EXPECT_EQ(p[Field::donneeCertifiee].text, "true");
  EXPECT_EQ(p[Field::presenceNiveauNumeriqueEuro].text, "false");
  EXPECT_EQ(p[Field::moisNaissance].text, "5");
  EXPECT_EQ(p[Field::jourNaissance].text, "9");
  EXPECT_EQ(p[Field::anneeNaissance].text, "1987");
  // Absent "obligatoire sauf nil" fields become nil.
  for (Field f : {Field::dateFinValidite, Field::scoring, Field::mentionValidee,
                  Field::modaliteAcces, Field::nomUsage}) {
    EXPECT_EQ(p[f].state, State::kNil) << Spec(f).name;
  }
  // Absent optional fields stay absent.
  for (Field f : {Field::urlPreuve, Field::libelleOption, Field::niveauLangueEuropeen,
                  Field::scoreGeneral, Field::voieAccessVAE, Field::prenom2, Field::codePostal,
                  Field::codePaysNaissance, Field::libelleCommuneNaissance}) {
    EXPECT_EQ(p[f].state, State::kAbsent) << Spec(f).name;
  }
}

TEST_P(ValidatorTest, CanonicalValuesOnlyAfterValidation) {
  row_["certifiee"] = "0";
  row_["annee"] = "+1987";
  row_["numerique"] = "1";
  row_["score_general"] = "0500";
  MappedRow before = MapRow();
  EXPECT_EQ(before.passage[Field::donneeCertifiee].text, "0");
  EXPECT_EQ(before.passage[Field::scoreGeneral].text, "0500");
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage[Field::donneeCertifiee].text, "false");
  EXPECT_EQ(row.passage[Field::anneeNaissance].text, "1987");
  EXPECT_EQ(row.passage[Field::presenceNiveauNumeriqueEuro].text, "true");
  EXPECT_EQ(row.passage[Field::scoreGeneral].text, "500");
}

TEST_P(ValidatorTest, MandatoryValueMissingNamesTheColumn) {
  row_["nom"] = std::nullopt;
  ExpectOnlyRejection("nomNaissance", Rule::kRequired,
                      "nomNaissance (8.1) : donnée obligatoire absente (colonne nom vide)");
}

// required: true, the institution's own rule on an optional field: no value (NULL, empty, nil
// where the dictionary would allow it) is a quarantine whose reason says it is the mapping's.
TEST_P(ValidatorTest, RequiredByTheMappingOnAnOptionalField) {
  std::string fields = kFields + kTitulaire;
  const std::string plain = "  scoring: scoring\n";
  fields.replace(fields.find(plain), plain.size(),
                 "  scoring: {column: scoring, required: true}\n");
  const std::string birthplace = "  libelleCommuneNaissance: commune\n";
  if (fields.find(birthplace) == std::string::npos) fields += birthplace;
  fields.replace(fields.find(birthplace), birthplace.size(),
                 "  libelleCommuneNaissance: {column: commune, required: true}\n");
  Use(fields);
  row_["scoring"] = "955";
  row_["commune"] = "Paris";
  MappedRow ok = Run();
  EXPECT_THAT(Messages(ok), IsEmpty());
  EXPECT_EQ(verdict_, Verdict::kValid);

  row_["commune"] = "  ";
  ExpectOnlyRejection("libelleCommuneNaissance", Rule::kRequired,
                      "libelleCommuneNaissance (8.12) : donnée absente, exigée par le mapping de "
                      "l'organisme (required: true) (colonne commune vide)");
  row_["commune"] = "Paris";
  row_["scoring"] = std::nullopt;  // nil would be allowed by the dictionary
  MappedRow nil = Run();
  ASSERT_EQ(nil.rejections.size(), 1u) << ::testing::PrintToString(Messages(nil));
  EXPECT_EQ(nil.rejections[0].field, "scoring");
  EXPECT_THAT(nil.rejections[0].message, HasSubstr("exigée par le mapping de l'organisme"));
}

TEST_P(ValidatorTest, ObtentionCertificationIsMandatoryInBothVersions) {
  // Optional in the 1.1.5 schema, but the dictionary wants it.
  row_["obtention"] = "  ";
  ExpectOnlyRejection(
      "obtentionCertification", Rule::kRequired,
      "obtentionCertification (5.4) : donnée obligatoire absente (colonne obtention vide)");
}

TEST_P(ValidatorTest, DateOfDeliveryIsMandatory) {
  row_["delivrance"] = std::nullopt;
  ExpectOnlyRejection(
      "dateDebutValidite", Rule::kRequired,
      "dateDebutValidite (5.10) : donnée obligatoire absente (colonne delivrance vide)");
}

TEST_P(ValidatorTest, EveryMissingValueIsReported) {
  row_["sexe"] = std::nullopt;
  row_["annee"] = std::nullopt;
  row_["certifiee"] = std::nullopt;
  MappedRow row = Run();
  EXPECT_THAT(
      Messages(row),
      ElementsAre(
          "donneeCertifiee | donneeCertifiee (5.5) : donnée obligatoire absente (colonne "
          "certifiee vide)",
          "anneeNaissance | anneeNaissance (8.6) : donnée obligatoire absente (colonne annee vide)",
          "sexe | sexe (8.9) : donnée obligatoire absente (colonne sexe vide)"));
  EXPECT_EQ(verdict_, Verdict::kQuarantined);
}

TEST_P(ValidatorTest, NilWhereAValueIsRequired) {
  MappedRow row = MapRow();
  row.passage[Field::sexe] = FieldValue{State::kNil, ""};
  row.passage[Field::dateDebutValidite] = FieldValue{State::kNil, ""};
  row.passage[Field::obtentionCertification] = FieldValue{State::kNil, ""};
  row.passage[Field::dateFinValidite] = FieldValue{State::kNil, ""};  // allowed
  EXPECT_EQ(Validator(version_, kToday).Check(row), Verdict::kQuarantined);
  EXPECT_THAT(Messages(row),
              ElementsAre("obtentionCertification | obtentionCertification (5.4) : ne peut pas "
                          "être nil, une valeur est obligatoire",
                          "dateDebutValidite | dateDebutValidite (5.10) : ne peut pas être nil, "
                          "une valeur est obligatoire",
                          "sexe | sexe (8.9) : ne peut pas être nil, une valeur est obligatoire"));
  EXPECT_EQ(row.rejections[0].rule, Rule::kNilNotAllowed);
  EXPECT_EQ(row.passage[Field::dateFinValidite].state, State::kNil);
}

TEST_P(ValidatorTest, ValuesBreakingTheirFacets) {
  row_["modalite"] = "PRESENTIEL";
  row_["cp_centre"] = "1234567890";
  row_["debut_examen"] = "2026-02-30";
  row_["url"] = "https://exemple.fr/\x01";
  MappedRow row = Run();
  // The date is read by the mapper (a date field reads SQL dates), before validation.
  EXPECT_THAT(
      Messages(row),
      ElementsAre("dateDebutExamen | dateDebutExamen : date impossible, ce jour n'existe "
                  "pas (colonne debut_examen)",
                  "urlPreuve | urlPreuve : caractère U+0001 interdit dans un fichier XML "
                  "(position 20)",
                  "modalitePassageExamen | modalitePassageExamen : « PRESENTIEL » n'est pas "
                  "une valeur prévue par la CDC (A_DISTANCE, EN_PRESENTIEL, MIXTE)",
                  "codePostalCentreExamen | codePostalCentreExamen : 10 caractères, 9 au "
                  "plus"));
}

TEST_P(ValidatorTest, IdTechniqueOverTheLimit) {
  row_["id"] = std::string(256, '7');
  MappedRow row = Run();
  ASSERT_EQ(row.rejections.size(), 1u) << ::testing::PrintToString(Messages(row));
  EXPECT_EQ(row.rejections[0].field, "idTechnique");
  EXPECT_EQ(row.rejections[0].rule, Rule::kLength);
  EXPECT_EQ(row.rejections[0].message, "idTechnique : 256 caractères, 255 au plus");
}

TEST_P(ValidatorTest, IdTechniqueWithACharacterXmlCannotCarry) {
  row_["id"] =
      "10\x02"
      "17";
  MappedRow row = Run();
  ASSERT_EQ(row.rejections.size(), 1u) << ::testing::PrintToString(Messages(row));
  EXPECT_EQ(row.rejections[0].rule, Rule::kXmlChar);
  EXPECT_EQ(row.rejections[0].message,
            "idTechnique : caractère U+0002 interdit dans un fichier XML (position 3)");
}

// ---- Conditional rules ----

TEST_P(ValidatorTest, LanguageLevelNeededWhenPresenceIsTrue) {
  row_["langue"] = "true";
  ExpectOnlyRejection("niveauLangueEuropeen", Rule::kConditional,
                      "niveauLangueEuropeen : absent alors que presenceNiveauLangueEuro vaut true");
}

TEST_P(ValidatorTest, LanguageLevelRefusedWhenPresenceIsFalse) {
  row_["niveau_langue"] = "B2";
  ExpectOnlyRejection(
      "niveauLangueEuropeen", Rule::kConditional,
      "niveauLangueEuropeen : renseigné alors que presenceNiveauLangueEuro vaut false");
}

TEST_P(ValidatorTest, LanguageLevelWithPresenceOne) {
  row_["langue"] = "1";
  row_["niveau_langue"] = "B2";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage[Field::presenceNiveauLangueEuro].text, "true");
  EXPECT_EQ(row.passage[Field::niveauLangueEuropeen].text, "B2");
}

TEST_P(ValidatorTest, Bloc6NeedsScoreGeneral) {
  row_["numerique"] = "true";
  row_["resultats"] = "1.1:3";
  ExpectOnlyRejection("scoreGeneral", Rule::kConditional,
                      "scoreGeneral : obligatoire quand presenceNiveauNumeriqueEuro vaut true "
                      "(bloc 6)");
}

TEST_P(ValidatorTest, Bloc6WithScoreAndResults) {
  row_["numerique"] = "true";
  row_["score_general"] = "955";
  row_["resultats"] = "1.1:3; 2.4:5";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(verdict_, Verdict::kValid);
  ASSERT_EQ(row.passage.resultats.size(), 2u);
  EXPECT_EQ(row.passage.resultats[1].domaine_competence_id, "2");
  EXPECT_EQ(row.passage.resultats[1].competence_id, "4");
  EXPECT_EQ(row.passage.resultats[1].niveau, "5");
}

TEST_P(ValidatorTest, Bloc6ValuesAreChecked) {
  row_["numerique"] = "true";
  row_["score_general"] = "1001";
  row_["resultats"] = "1.1:9";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row),
              ElementsAre("scoreGeneral | scoreGeneral : la valeur est hors des bornes 1 à 1000",
                          "resultats | resultats : format attendu « domaine.compétence:niveau ; … "
                          "» (niveaux 1 à 8)"));
  EXPECT_EQ(row.rejections[1].rule, Rule::kResultatsFormat);
  EXPECT_THAT(row.passage.resultats, IsEmpty());
}

TEST_P(ValidatorTest, Bloc6RefusedWhenPresenceIsFalse) {
  row_["score_general"] = "955";
  row_["resultats"] = "1.1:3";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row),
              ElementsAre("scoreGeneral | scoreGeneral : renseigné alors que "
                          "presenceNiveauNumeriqueEuro vaut false (le bloc 6 ne doit pas être "
                          "rempli)",
                          "resultats | resultats : renseigné alors que presenceNiveauNumeriqueEuro "
                          "vaut false (le bloc 6 ne doit pas être rempli)"));
  EXPECT_EQ(row.rejections[0].rule, Rule::kConditional);
}

TEST_P(ValidatorTest, VoieAccessVaeOnlyForVae) {
  row_["acces"] = "VAE";
  row_["voie_vae"] = "VAE_CLASSIQUE";
  EXPECT_THAT(Messages(Run()), IsEmpty());
  row_["acces"] = "CANDIDAT_LIBRE";
  ExpectOnlyRejection("voieAccessVAE", Rule::kConditional,
                      "voieAccessVAE : renseigné alors que modaliteAcces n'est pas VAE");
  row_["acces"] = std::nullopt;  // nil
  ExpectOnlyRejection("voieAccessVAE", Rule::kConditional,
                      "voieAccessVAE : renseigné alors que modaliteAcces n'est pas VAE");
}

TEST_P(ValidatorTest, CountryDerivedFromAForeignInseeCode) {
  row_["insee"] = "99134";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage[Field::codePaysNaissance].state, State::kValue);
  EXPECT_EQ(row.passage[Field::codePaysNaissance].text, "134");
  EXPECT_EQ(row.passage[Field::codePostal].state, State::kAbsent);
}

TEST_P(ValidatorTest, CountryMatchingTheInseeCodeIsKept) {
  row_["insee"] = "99134";
  row_["pays"] = "134";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage[Field::codePaysNaissance].text, "134");
}

TEST_P(ValidatorTest, CountryContradictingTheInseeCode) {
  row_["insee"] = "99134";
  row_["pays"] = "109";
  ExpectOnlyRejection("codePaysNaissance", Rule::kConditional,
                      "codePaysNaissance : ne correspond pas au code pays 99XXX de codeInsee");
}

TEST_P(ValidatorTest, CountryForSomeoneBornInFrance) {
  // 100 is France itself (99100): the field is for the foreign-born only, whatever codeInsee.
  row_["pays"] = "100";
  ExpectOnlyRejection("codePaysNaissance", Rule::kBirthplaceFrance,
                      "codePaysNaissance : la valeur désigne la France (100, 99100) ; "
                      "codePaysNaissance ne s'envoie que pour les personnes nées à l'étranger, "
                      "avec le code 99XXX de leur pays dans codeInsee (colonne pays)");
}

TEST_P(ValidatorTest, CountryWithoutAnyInseeCode) {
  row_["insee"] = std::nullopt;
  row_["cp"] = "69001";
  row_["pays"] = "134";
  ExpectOnlyRejection("codePaysNaissance", Rule::kConditional,
                      "codePaysNaissance : renseigné sans codeInsee de pays étranger (99XXX) ; il "
                      "ne concerne que les personnes nées à l'étranger");
}

TEST_P(ValidatorTest, PostalCodeDroppedWhenTheInseeCodeIsKnown) {
  row_["cp"] = "75001";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage[Field::codeInsee].text, "75056");
  EXPECT_EQ(row.passage[Field::codePostal].state, State::kAbsent);
}

TEST_P(ValidatorTest, PostalCodeWithoutInseeCode) {
  row_["insee"] = std::nullopt;
  row_["cp"] = "75001";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage[Field::codePostal].state, State::kValue);
  EXPECT_EQ(row.passage[Field::codePostal].text, "75001");
  EXPECT_EQ(row.passage[Field::codeInsee].state, State::kAbsent);
}

TEST_P(ValidatorTest, NilPostalCodeWhenNeitherIsKnown) {
  row_["insee"] = std::nullopt;
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(verdict_, Verdict::kValid);
  EXPECT_EQ(row.passage[Field::codePostal].state, State::kNil);
}

TEST_P(ValidatorTest, AnInvalidInseeCodeStillTakesThePlaceOfThePostalCode) {
  row_["insee"] = "7505";
  row_["cp"] = "75001";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), ElementsAre("codeInsee | codeInsee : 4 caractères, 5 attendus"));
  EXPECT_EQ(row.passage[Field::codePostal].state, State::kAbsent);
}

// ---- Dates ----

TEST_P(ValidatorTest, EndOfValidityBeforeDelivery) {
  row_["fin_validite"] = "2026-01-14";
  ExpectOnlyRejection("dateFinValidite", Rule::kDateOrder,
                      "dateFinValidite : antérieure à dateDebutValidite");
}

TEST_P(ValidatorTest, EndOfValidityOnTheDayOfDelivery) {
  row_["fin_validite"] = "2026-01-15";
  EXPECT_THAT(Messages(Run()), IsEmpty());
}

TEST_P(ValidatorTest, ExamEndingBeforeItStarts) {
  row_["debut_examen"] = "2026-01-10";
  row_["fin_examen"] = "2026-01-09";
  ExpectOnlyRejection("dateFinExamen", Rule::kDateOrder,
                      "dateFinExamen : antérieure à dateDebutExamen");
  row_["fin_examen"] = "2026-01-10";  // a one-day exam
  EXPECT_THAT(Messages(Run()), IsEmpty());
}

TEST_P(ValidatorTest, ImpossibleBirthDate) {
  row_["annee"] = "1987";
  row_["mois"] = "2";
  row_["jour"] = "29";
  ExpectOnlyRejection("jourNaissance", Rule::kBirthDate,
                      "date de naissance impossible (jourNaissance, moisNaissance, anneeNaissance "
                      "ne forment pas une date)");
  row_["annee"] = "1988";
  EXPECT_THAT(Messages(Run()), IsEmpty());
}

// ---- The birth date: not after today, not after the date of delivery (on by default) ----
// Today is 2026-11-26; the passage is delivered on 2026-01-15.

TEST_P(ValidatorTest, BirthAfterToday) {
  row_["delivrance"] = "2026-11-26";
  row_["annee"] = "2026";
  row_["mois"] = "11";
  row_["jour"] = "27";
  ExpectOnlyRejection("anneeNaissance", Rule::kBirthAfterToday,
                      "anneeNaissance, moisNaissance, jourNaissance : date de naissance "
                      "postérieure à aujourd'hui (colonnes annee, mois, jour)");
  row_["jour"] = "26";  // born today, delivered today: absurd, but not after
  EXPECT_THAT(Messages(Run()), IsEmpty());
}

TEST_P(ValidatorTest, BirthAfterTodayComparedAsFarAsItIsKnown) {
  row_["delivrance"] = "2026-11-26";
  row_["annee"] = "2027";
  row_["mois"] = std::nullopt;
  row_["jour"] = std::nullopt;
  ExpectOnlyRejection("anneeNaissance", Rule::kBirthAfterToday,
                      "anneeNaissance : date de naissance postérieure à aujourd'hui "
                      "(colonne annee)");
  row_["annee"] = "2026";
  row_["mois"] = "12";
  ExpectOnlyRejection("anneeNaissance", Rule::kBirthAfterToday,
                      "anneeNaissance, moisNaissance : date de naissance postérieure à "
                      "aujourd'hui (colonnes annee, mois)");
  // This year, month unknown: it may be before today; this month, day unknown: the same.
  row_["mois"] = std::nullopt;
  EXPECT_THAT(Messages(Run()), IsEmpty());
  row_["mois"] = "11";
  EXPECT_THAT(Messages(Run()), IsEmpty());
}

TEST_P(ValidatorTest, BirthAfterTheDateOfDelivery) {
  row_["annee"] = "2026";
  row_["mois"] = "1";
  row_["jour"] = "16";
  ExpectOnlyRejection("anneeNaissance", Rule::kBirthAfterDelivery,
                      "anneeNaissance, moisNaissance, jourNaissance : date de naissance "
                      "postérieure à la date de délivrance, dateDebutValidite (colonnes annee, "
                      "mois, jour)");
  row_["jour"] = "15";  // the day of delivery: not after
  EXPECT_THAT(Messages(Run()), IsEmpty());
  row_["mois"] = "2";
  row_["jour"] = std::nullopt;
  ExpectOnlyRejection("anneeNaissance", Rule::kBirthAfterDelivery,
                      "anneeNaissance, moisNaissance : date de naissance postérieure à la date "
                      "de délivrance, dateDebutValidite (colonnes annee, mois)");
}

// After today and after the delivery: one problem, one reason.
TEST_P(ValidatorTest, BirthAfterTodayAndAfterDeliveryGivesOneReason) {
  row_["annee"] = "2030";
  ExpectOnlyRejection("anneeNaissance", Rule::kBirthAfterToday,
                      "anneeNaissance, moisNaissance, jourNaissance : date de naissance "
                      "postérieure à aujourd'hui (colonnes annee, mois, jour)");
}

// Read from one column with a date step: the column is named once.
TEST_P(ValidatorTest, BirthAfterTodayNamesTheSourceColumnOnce) {
  Use(Replaced(Replaced(Replaced(kFields + kTitulaire, "  anneeNaissance: annee\n",
                                 "  anneeNaissance: {column: naissance, date: \"%d/%m/%Y\", "
                                 "part: year}\n"),
                        "  moisNaissance: mois\n",
                        "  moisNaissance: {column: naissance, date: \"%d/%m/%Y\", part: "
                        "month}\n"),
               "  jourNaissance: jour\n",
               "  jourNaissance: {column: naissance, date: \"%d/%m/%Y\", part: day}\n"));
  row_["naissance"] = "01/12/2026";
  ExpectOnlyRejection("anneeNaissance", Rule::kBirthAfterToday,
                      "anneeNaissance, moisNaissance, jourNaissance : date de naissance "
                      "postérieure à aujourd'hui (colonne naissance)");
}

TEST_P(ValidatorTest, NoBirthDateRulesWithoutTheTitulaire) {
  Use(kFields + kTitulaire + kDossier);
  row_["dossier"] = "123456789";
  row_["nom_dossier"] = "ZEBULON";
  row_["prenom_dossier"] = "Anatolie";
  row_["annee"] = "2030";  // not written: the dossierFormation identifies the holder
  EXPECT_THAT(Messages(Run()), IsEmpty());
}

TEST_P(ValidatorTest, ADayOfBirthWithoutItsMonthIsRefused) {
  row_["mois"] = std::nullopt;
  ExpectOnlyRejection("jourNaissance", Rule::kBirthDate,
                      "jourNaissance : jour de naissance sans mois de naissance ; le jour ne "
                      "s'envoie qu'avec le mois");
}

// ---- The mapping's ranges: not_before, not_after ----

TEST_P(ValidatorTest, DateOutsideTheMappingsRange) {
  Use(Replaced(kFields + kTitulaire, "  dateDebutValidite: delivrance\n",
               "  dateDebutValidite: {column: delivrance, not_before: 2021-07-01, not_after: "
               "today}\n"));
  row_["delivrance"] = "2021-06-30";
  ExpectOnlyRejection("dateDebutValidite", Rule::kDateRange,
                      "dateDebutValidite : date antérieure au 01/07/2021, limite not_before du "
                      "mapping (colonne delivrance)");
  row_["delivrance"] = "2026-11-27";  // else held until then
  ExpectOnlyRejection("dateDebutValidite", Rule::kDateRange,
                      "dateDebutValidite : date postérieure à aujourd'hui, limite not_after du "
                      "mapping (colonne delivrance)");
  for (const char* inside : {"2021-07-01", "2026-11-26"}) {
    row_["delivrance"] = inside;
    EXPECT_THAT(Messages(Run()), IsEmpty()) << inside;
    EXPECT_EQ(verdict_, Verdict::kValid) << inside;
  }
}

TEST_P(ValidatorTest, RangeAfterAFixedDayAndBeforeToday) {
  Use(Replaced(kFields + kTitulaire, "  dateInscription: inscription\n",
               "  dateInscription: {column: inscription, date: \"%d/%m/%Y\", not_before: today, "
               "not_after: 2030-12-31}\n"));
  row_["inscription"] = "01/01/2031";
  ExpectOnlyRejection("dateInscription", Rule::kDateRange,
                      "dateInscription : date postérieure au 31/12/2030, limite not_after du "
                      "mapping (colonne inscription)");
  row_["inscription"] = "25/11/2026";
  ExpectOnlyRejection("dateInscription", Rule::kDateRange,
                      "dateInscription : date antérieure à aujourd'hui, limite not_before du "
                      "mapping (colonne inscription)");
}

// On a birth part, the range applies to the date read, compared as far as it is known.
TEST_P(ValidatorTest, RangeOnAPartialBirthDate) {
  Use(Replaced(Replaced(kFields + kTitulaire, "  anneeNaissance: annee\n",
                        "  anneeNaissance: {column: naissance, date: \"%d/%m/%Y\", part: year, "
                        "partial: true, not_before: 1950-06-01}\n"),
               "  moisNaissance: mois\n",
               "  moisNaissance: {column: naissance, date: \"%d/%m/%Y\", part: month, partial: "
               "true}\n"));
  row_["jour"] = std::nullopt;
  row_["naissance"] = "00/00/1949";
  ExpectOnlyRejection("anneeNaissance", Rule::kDateRange,
                      "anneeNaissance : date antérieure au 01/06/1950, limite not_before du "
                      "mapping (colonne naissance)");
  row_["naissance"] = "00/05/1950";
  ExpectOnlyRejection("anneeNaissance", Rule::kDateRange,
                      "anneeNaissance : date antérieure au 01/06/1950, limite not_before du "
                      "mapping (colonne naissance)");
  row_["naissance"] = "00/00/1950";  // may be June or later
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage[Field::anneeNaissance].text, "1950");
  EXPECT_EQ(row.passage[Field::moisNaissance].state, State::kNil);
  EXPECT_EQ(row.passage[Field::jourNaissance].state, State::kNil);
}

// A partial date whose day is known and month not: refused, once.
TEST_P(ValidatorTest, APartialDateWithADayAndNoMonthIsRefused) {
  Use(Replaced(Replaced(Replaced(kFields + kTitulaire, "  anneeNaissance: annee\n",
                                 "  anneeNaissance: {column: naissance, date: \"%d/%m/%Y\", "
                                 "part: year, partial: true}\n"),
                        "  moisNaissance: mois\n",
                        "  moisNaissance: {column: naissance, date: \"%d/%m/%Y\", part: month, "
                        "partial: true}\n"),
               "  jourNaissance: jour\n",
               "  jourNaissance: {column: naissance, date: \"%d/%m/%Y\", part: day, partial: "
               "true}\n"));
  row_["naissance"] = "15/00/1985";
  ExpectOnlyRejection("jourNaissance", Rule::kBirthDate,
                      "jourNaissance : jour de naissance sans mois de naissance ; le jour ne "
                      "s'envoie qu'avec le mois");
  row_["naissance"] = "00/07/1985";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage[Field::moisNaissance].text, "7");
  EXPECT_EQ(row.passage[Field::jourNaissance].state, State::kNil);
}

TEST_P(ValidatorTest, BirthDateWithoutDayIsNotChecked) {
  row_["mois"] = "2";
  row_["jour"] = std::nullopt;
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage[Field::jourNaissance].state, State::kNil);
}

// ---- Held until the day of delivery ----

TEST_P(ValidatorTest, DeliveredTomorrowIsHeld) {
  row_["delivrance"] = "2026-11-27";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(verdict_, Verdict::kHeld);
  EXPECT_EQ(row.passage.delivery,
            (Date{std::chrono::year(2026), std::chrono::November, std::chrono::day(27)}));
}

TEST_P(ValidatorTest, DeliveredTodayIsValid) {
  row_["delivrance"] = "2026-11-26";
  Run();
  EXPECT_EQ(verdict_, Verdict::kValid);
}

TEST_P(ValidatorTest, AFuturePassageWithAProblemIsQuarantined) {
  row_["delivrance"] = "2027-01-01";
  row_["sexe"] = "X";
  MappedRow row = Run();
  EXPECT_EQ(verdict_, Verdict::kQuarantined);
  EXPECT_EQ(row.rejections.size(), 1u);
}

// ---- Warnings ----

TEST_P(ValidatorTest, ParScoringWithoutScoreIsAWarningOnly) {
  row_["obtention"] = "PAR_SCORING";
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(verdict_, Verdict::kValid);
  EXPECT_THAT(row.warnings,
              ElementsAre("obtentionCertification vaut PAR_SCORING et scoring est nil : la CDC "
                          "l'accepte ; vérifier que le score n'est pas disponible"));
  row_["scoring"] = "955";
  EXPECT_THAT(Run().warnings, IsEmpty());
}

// ---- Identification of the holder ----

TEST_P(ValidatorTest, DossierFormationWinsWhenItsNumberIsKnown) {
  Use(kFields + kTitulaire + kDossier);
  row_["dossier"] = "123456789";
  row_["nom_dossier"] = "ZEBULON";
  row_["prenom_dossier"] = "Anatolie";
  row_["nom"] = std::nullopt;  // the titulaire is not written, so not checked
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage.identification, Group::kDossierFormation);
  EXPECT_EQ(row.passage[Field::codePostal].state, State::kAbsent);
}

TEST_P(ValidatorTest, TitulaireWhenTheDossierNumberIsMissing) {
  Use(kFields + kTitulaire + kDossier);
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage.identification, Group::kTitulaire);
}

TEST_P(ValidatorTest, DossierFormationFieldsAreRequired) {
  Use(kFields + kDossier);
  row_["dossier"] = "123456789";
  row_["prenom_dossier"] = "Anatolie";
  ExpectOnlyRejection("nomTitulaire", Rule::kRequired,
                      "nomTitulaire (9.2) : donnée obligatoire absente (colonne nom_dossier vide)");
}

TEST_P(ValidatorTest, NoIdentificationAtAll) {
  Use(kFields + kDossier);
  ExpectOnlyRejection("", Rule::kIdentification,
                      "identification du titulaire impossible : ni idDossier, ni nir, ni titulaire "
                      "renseignés");
}

// ---- Personal data never shown ----

TEST_P(ValidatorTest, NoRejectionShowsPersonalData) {
  const std::vector<std::string> personal = {
      "Zébulon",  "Quasimodo", "Anatolie", "Mademoiselle", "99777", "888",    "Quimperlé",
      "Syldavie", "1850",      "66",       "77",           "Homme", "7505Z9", "Cunégonde"};
  std::vector<MappedRow> rows;

  // Bad values in every kind of personal field.
  row_["nom"] = "Zébulon" + std::string(60, 'x');
  row_["nom_usage"] = "Quasimodo\x01";
  row_["prenom2"] = "Anatolie\xFF";
  row_["prenom3"] = "Cunégonde" + std::string(60, 'e');
  row_["annee"] = "1850";
  row_["mois"] = "66";
  row_["jour"] = "77";
  row_["sexe"] = "Homme";
  row_["insee"] = "7505Z9";
  row_["commune"] = "Quimperlé" + std::string(60, 'e');
  row_["libelle_pays"] = "Syldavie\x02";
  rows.push_back(Run());
  EXPECT_GE(rows.back().rejections.size(), 10u) << ::testing::PrintToString(Messages(rows.back()));

  // A country that contradicts the INSEE code; day, month and year that make no date.
  row_ = DefaultRow();
  row_["insee"] = "99777";
  row_["pays"] = "888";
  row_["mois"] = "2";
  row_["jour"] = "30";
  rows.push_back(Run());
  EXPECT_EQ(rows.back().rejections.size(), 2u) << ::testing::PrintToString(Messages(rows.back()));

  // Values read through a map and a date format.
  Use(kFields +
      "  nomNaissance: nom\n"
      "  nomUsage: nil\n"
      "  prenom1: prenom\n"
      "  anneeNaissance: {column: naissance, date: \"%d/%m/%Y\", part: year}\n"
      "  moisNaissance: {column: naissance, date: \"%d/%m/%Y\", part: month}\n"
      "  jourNaissance: {column: naissance, date: \"%d/%m/%Y\", part: day}\n"
      "  sexe: {column: civilite, map: {Monsieur: M, Madame: F}}\n"
      "  codePostal: nil\n");
  row_ = DefaultRow();
  row_["civilite"] = "Mademoiselle";
  row_["naissance"] = "30/02/1850";
  rows.push_back(Run());
  EXPECT_EQ(rows.back().rejections.size(), 4u) << ::testing::PrintToString(Messages(rows.back()));
  row_["naissance"] = "Quimperlé 1850";
  rows.push_back(Run());
  EXPECT_EQ(rows.back().rejections.size(), 4u) << ::testing::PrintToString(Messages(rows.back()));

  // The CPF training file.
  Use(kFields + kDossier);
  row_ = DefaultRow();
  row_["dossier"] = "Quasimodo-123456";
  row_["nom_dossier"] = "Zébulon" + std::string(30, 'x');
  row_["prenom_dossier"] = "Anatolie\x01";
  rows.push_back(Run());
  EXPECT_EQ(rows.back().rejections.size(), 3u) << ::testing::PrintToString(Messages(rows.back()));

  // A probable duplicate of the same holder.
  CycleChecks cycle;
  row_ = DefaultRow();
  Use(kFields + kTitulaire);
  MappedRow first = Run();
  ASSERT_EQ(RegisterRow(cycle, first.passage), std::nullopt);
  row_["id"] = "1018";
  auto duplicate = RegisterRow(cycle, Run().passage);
  ASSERT_TRUE(duplicate.has_value());
  rows.emplace_back().rejections.push_back(*duplicate);

  for (const MappedRow& row : rows) {
    for (const Rejection& r : row.rejections) {
      for (const std::string& value : personal) {
        EXPECT_THAT(r.message, Not(HasSubstr(value))) << r.field;
      }
    }
    for (const std::string& w : row.warnings) {
      for (const std::string& value : personal) EXPECT_THAT(w, Not(HasSubstr(value)));
    }
  }
}

// ---- Version-specific ----

class Validator115Test : public ValidatorFixture {};

TEST_F(Validator115Test, NirBranchBeforeTitulaireAfterDossier) {
  Use(kFields + kTitulaire + kDossier + "  nir: nir\n");
  row_["nir"] = "2870575123456";
  row_["prenom"] = std::nullopt;  // the titulaire is not written
  MappedRow row = Run();
  EXPECT_THAT(Messages(row), IsEmpty());
  EXPECT_EQ(row.passage.identification, Group::kIdentifiantNational);
  EXPECT_EQ(row.passage[Field::nomNaissance].text, "Zébulon");

  row_["dossier"] = "123456789";
  row_["nom_dossier"] = "ZEBULON";
  row_["prenom_dossier"] = "Anatolie";
  EXPECT_EQ(Run().passage.identification, Group::kDossierFormation);

  row_["dossier"] = std::nullopt;
  row_["nir"] = std::nullopt;
  row_["prenom"] = "Anatolie";
  EXPECT_EQ(Run().passage.identification, Group::kTitulaire);
}

TEST_F(Validator115Test, NirBranchChecksTheNirAndTheBirthName) {
  Use(kFields + kTitulaire + "  nir: nir\n");
  row_["nir"] = "2870575ABCDEF";
  MappedRow bad = Run();
  // An invalid NIR is still a NIR: the passage is identified by it, and refused.
  EXPECT_EQ(bad.passage.identification, Group::kIdentifiantNational);
  EXPECT_THAT(Messages(bad),
              ElementsAre("nir | nir : ne respecte pas le format du NIR (13 caractères, sans la "
                          "clé)"));
  EXPECT_EQ(bad.rejections[0].rule, Rule::kNirPattern);
  row_["nir"] = "2870575123456";
  row_["nom"] = std::nullopt;
  ExpectOnlyRejection("nomNaissance", Rule::kRequired,
                      "nomNaissance (8.1) : donnée obligatoire absente (colonne nom vide)");
}

TEST_F(Validator115Test, AFieldThatFailedToMapGetsOneReasonOnly) {
  Use(Replaced(kFields, "  niveauLangueEuropeen: niveau_langue\n",
               "  niveauLangueEuropeen: {column: niveau_langue, map: {B2: B2}}\n") +
      kTitulaire);
  row_["langue"] = "true";
  row_["niveau_langue"] = "anglais C1";
  ExpectOnlyRejection(
      "niveauLangueEuropeen", Rule::kNotInMap,
      "niveauLangueEuropeen : « anglais C1 » absent de la table de correspondance (colonne "
      "niveau_langue)");
}

TEST_F(Validator115Test, ScoreGeneralThatFailedToMapGetsOneReasonOnly) {
  Use(Replaced(kFields, "  scoreGeneral: score_general\n",
               "  scoreGeneral: {column: score_general, map: {haut: \"900\"}}\n") +
      kTitulaire);
  row_["numerique"] = "true";
  row_["score_general"] = "bas";
  ExpectOnlyRejection("scoreGeneral", Rule::kNotInMap,
                      "scoreGeneral : « bas » absent de la table de correspondance (colonne "
                      "score_general)");
}

// ---- CycleChecks ----

class CycleChecksTest : public ::testing::Test {
 protected:
  CycleChecksTest() {
    rs6521_.name = "rs6521";
    rs6521_.certification.constant = Certification{"RS", "RS6521"};
    rs9999_.name = "rs9999";
    rs9999_.certification.constant = Certification{"RS", "RS9999"};
  }

  static void Set(Passage& p, Field f, const std::string& text) {
    p[f] = FieldValue{State::kValue, text};
  }

  Passage Holder(const Mapping& m, const std::string& id, const std::string& nom,
                 const std::string& prenom, const std::string& delivery = "2026-01-15") {
    Passage p;
    p.mapping = &m;
    p.certification = *m.certification.constant;
    p.id_technique = id;
    p.source_key = "id=" + id;
    p.identification = Group::kTitulaire;
    Set(p, Field::dateDebutValidite, delivery);
    Set(p, Field::nomNaissance, nom);
    Set(p, Field::prenom1, prenom);
    Set(p, Field::anneeNaissance, "1987");
    Set(p, Field::moisNaissance, "5");
    Set(p, Field::jourNaissance, "9");
    Set(p, Field::sexe, "F");
    return p;
  }

  Mapping rs6521_;
  Mapping rs9999_;
  CycleChecks cycle_;
};

TEST_F(CycleChecksTest, RepeatedIdTechnique) {
  EXPECT_EQ(RegisterRow(cycle_, Holder(rs6521_, "1017", "DUPONT", "Jean")), std::nullopt);
  auto r = RegisterRow(cycle_, Holder(rs6521_, "1017", "MARTIN", "Paul"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->mapping, "rs6521");
  EXPECT_EQ(r->id_technique, "1017");
  EXPECT_EQ(r->source_key, "id=1017");
  EXPECT_EQ(r->field, "idTechnique");
  EXPECT_EQ(r->rule, Rule::kRepeatedIdTechnique);
  EXPECT_EQ(r->message,
            "idTechnique « 1017 » déjà donné par une autre ligne de la requête ; la clé doit "
            "identifier chaque passage");
}

TEST_F(CycleChecksTest, RepeatedIdTechniqueAcrossMappingsOfTheCertifier) {
  EXPECT_EQ(RegisterRow(cycle_, Holder(rs6521_, "1017", "DUPONT", "Jean")), std::nullopt);
  auto r = RegisterRow(cycle_, Holder(rs9999_, "1017", "MARTIN", "Paul"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->mapping, "rs9999");
  EXPECT_EQ(r->rule, Rule::kRepeatedIdTechnique);
}

TEST_F(CycleChecksTest, ProbableDuplicateIgnoresCaseAndAccentsAndNamesTheFirst) {
  EXPECT_EQ(RegisterRow(cycle_, Holder(rs6521_, "1017", "Zébulon-Éléonore", "Anaïs")),
            std::nullopt);
  auto r = RegisterRow(cycle_, Holder(rs6521_, "1018", "ZEBULON-ELEONORE", "anais"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->mapping, "rs6521");
  EXPECT_EQ(r->id_technique, "1018");
  EXPECT_EQ(r->source_key, "id=1018");
  EXPECT_EQ(r->field, "");
  EXPECT_EQ(r->rule, Rule::kProbableDuplicate);
  EXPECT_EQ(r->message,
            "doublon probable du passage 1017 : même titulaire, même certification, même date de "
            "délivrance ; la CDC enregistrerait le titulaire deux fois");
  // A third one still names the first.
  auto third = RegisterRow(cycle_, Holder(rs6521_, "1019", "zebulon-eleonore", "ANAÏS"));
  ASSERT_TRUE(third.has_value());
  EXPECT_THAT(third->message, HasSubstr("du passage 1017 :"));
}

TEST_F(CycleChecksTest, NotADuplicate) {
  EXPECT_EQ(RegisterRow(cycle_, Holder(rs6521_, "1017", "DUPONT-MARTIN", "Jean")), std::nullopt);
  // Another certification, another date of delivery, hyphens that differ.
  EXPECT_EQ(RegisterRow(cycle_, Holder(rs9999_, "1018", "DUPONT-MARTIN", "Jean")), std::nullopt);
  EXPECT_EQ(RegisterRow(cycle_, Holder(rs6521_, "1019", "DUPONT-MARTIN", "Jean", "2026-01-16")),
            std::nullopt);
  EXPECT_EQ(RegisterRow(cycle_, Holder(rs6521_, "1020", "DUPONT MARTIN", "Jean")), std::nullopt);
  // Another sex, another birth day, another first name.
  Passage other_sex = Holder(rs6521_, "1021", "DUPONT-MARTIN", "Jean");
  Set(other_sex, Field::sexe, "M");
  EXPECT_EQ(RegisterRow(cycle_, other_sex), std::nullopt);
  Passage other_day = Holder(rs6521_, "1022", "DUPONT-MARTIN", "Jean");
  Set(other_day, Field::jourNaissance, "10");
  EXPECT_EQ(RegisterRow(cycle_, other_day), std::nullopt);
  EXPECT_EQ(RegisterRow(cycle_, Holder(rs6521_, "1023", "DUPONT-MARTIN", "Jeanne")), std::nullopt);
}

// Two holders of one identity (birth name, first name, birth date, sex) are two people when
// both carry a second first name, or a birthplace, and these differ; what one of them lacks
// does not tell them apart.
TEST_F(CycleChecksTest, ASecondFirstNameOrABirthplaceThatDifferTellsTwoPeopleApart) {
  auto with = [this](std::string id, std::vector<std::pair<Field, std::string>> values) {
    Passage p = Holder(rs6521_, id, "Quenardeau", "Anne");
    for (const auto& [f, v] : values) Set(p, f, v);
    return p;
  };
  EXPECT_EQ(RegisterRow(cycle_, with("1017", {{Field::prenom2, "Marie"}})), std::nullopt);
  EXPECT_EQ(RegisterRow(cycle_, with("1018", {{Field::prenom2, "Clotilde"}})), std::nullopt);
  EXPECT_EQ(
      RegisterRow(cycle_, with("1019", {{Field::codeInsee, "75056"}, {Field::prenom2, "Zoé"}})),
      std::nullopt);
  // The same second first name, without case or accents: the same person as 1017.
  auto same = RegisterRow(cycle_, with("1020", {{Field::prenom2, "MARIE"}}));
  ASSERT_TRUE(same.has_value());
  EXPECT_THAT(same->message, HasSubstr("du passage 1017 :"));
  // No second first name: agrees with the first of them.
  auto unknown = RegisterRow(cycle_, with("1021", {}));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_THAT(unknown->message, HasSubstr("du passage 1017 :"));
  // Zoé born in 75056 and Zoé born in 69123: two people; a commune they do not both carry
  // changes nothing.
  EXPECT_EQ(
      RegisterRow(cycle_, with("1022", {{Field::codeInsee, "69123"}, {Field::prenom2, "Zoe"}})),
      std::nullopt);
  auto zoe = RegisterRow(
      cycle_, with("1023", {{Field::prenom2, "ZOÉ"}, {Field::libelleCommuneNaissance, "Lyon"}}));
  ASSERT_TRUE(zoe.has_value());
  EXPECT_THAT(zoe->message, HasSubstr("du passage 1019 :"));  // the first that agrees
  auto zoe_paris = RegisterRow(cycle_, with("1024", {{Field::prenom2, "Zoé"},
                                                     {Field::codeInsee, "75056"},
                                                     {Field::codePaysNaissance, "99100"}}));
  ASSERT_TRUE(zoe_paris.has_value());
  EXPECT_THAT(zoe_paris->message, HasSubstr("du passage 1019 :"));
}

TEST_F(CycleChecksTest, DossierIdentity) {
  Passage a = Holder(rs6521_, "1017", "DUPONT", "Jean");
  a.identification = Group::kDossierFormation;
  Set(a, Field::idDossier, "123456789");
  Passage b = Holder(rs6521_, "1018", "MARTIN", "Paul");
  b.identification = Group::kDossierFormation;
  Set(b, Field::idDossier, "123456789");
  Passage c = Holder(rs6521_, "1019", "DUPONT", "Jean");
  c.identification = Group::kDossierFormation;
  Set(c, Field::idDossier, "987654321");
  EXPECT_EQ(RegisterRow(cycle_, a), std::nullopt);
  auto r = RegisterRow(cycle_, b);  // same CPF file: the names do not matter
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rule, Rule::kProbableDuplicate);
  EXPECT_THAT(r->message, HasSubstr("du passage 1017 :"));
  EXPECT_EQ(RegisterRow(cycle_, c), std::nullopt);
}

TEST_F(CycleChecksTest, NirIdentityIgnoresTheCaseOfCorsica) {
  Passage a = Holder(rs6521_, "1017", "DUPONT", "Jean");
  a.identification = Group::kIdentifiantNational;
  Set(a, Field::nir, "185072a123456");
  Passage b = Holder(rs6521_, "1018", "MARTIN", "Paul");
  b.identification = Group::kIdentifiantNational;
  Set(b, Field::nir, "185072A123456");
  Passage c = Holder(rs6521_, "1019", "DUPONT", "Jean");
  c.identification = Group::kIdentifiantNational;
  Set(c, Field::nir, "185072B123456");
  EXPECT_EQ(RegisterRow(cycle_, a), std::nullopt);
  auto r = RegisterRow(cycle_, b);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rule, Rule::kProbableDuplicate);
  EXPECT_EQ(RegisterRow(cycle_, c), std::nullopt);
}

TEST_F(CycleChecksTest, BranchesAreNotConfused) {
  // The same holder identified by its CPF file, then by its civil status: not compared.
  Passage a = Holder(rs6521_, "1017", "DUPONT", "Jean");
  a.identification = Group::kDossierFormation;
  Set(a, Field::idDossier, "123456789");
  EXPECT_EQ(RegisterRow(cycle_, a), std::nullopt);
  EXPECT_EQ(RegisterRow(cycle_, Holder(rs6521_, "1018", "DUPONT", "Jean")), std::nullopt);
}

}  // namespace
}  // namespace accrochd::mappings
