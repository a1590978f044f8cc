#include "mappings/dictionary.h"

namespace accrochd::mappings {
namespace {

constexpr std::string_view kObtention[] = {"PAR_ADMISSION", "PAR_SCORING"};
constexpr std::string_view kModalitePassage[] = {"A_DISTANCE", "EN_PRESENTIEL", "MIXTE"};
constexpr std::string_view kCecrl[] = {"A1", "A2", "B1", "B2", "C1", "C2", "INSUFFISANT"};
constexpr std::string_view kMention[] = {"SANS_MENTION", "MENTION_ASSEZ_BIEN", "MENTION_BIEN",
                                         "MENTION_TRES_BIEN",
                                         "MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY"};
// The dictionary writes EQUIVALENCE_(DIPLOME_ETRANGER); the XSD value has no parentheses.
constexpr std::string_view kModaliteAcces[] = {
    "FORMATION_INITIALE_HORS_APPRENTISSAGE",
    "FORMATION_INITIALE_APPRENTISSAGE",
    "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
    "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
    "VAE",
    "EQUIVALENCE_DIPLOME_ETRANGER",
    "CANDIDAT_LIBRE"};
constexpr std::string_view kVoieVae[] = {"CONGES_VAE", "VAE_CLASSIQUE"};
constexpr std::string_view kInitiative[] = {"CERTIFIE", "OF", "POLE_EMPLOI", "EMPLOYEUR", "AUTRE"};
constexpr std::string_view kGenre[] = {"M", "F"};
// The CDC's Excel model says TIERS_DE_CONFIANCE; the XSD value is TIERS_CONFIANCE.
constexpr std::string_view kNatureDeposant[] = {"CERTIFICATEUR", "TIERS_CONFIANCE"};
constexpr std::string_view kAction[] = {"CREATION", "SUPPRESSION"};

constexpr Occurrence kRequired{true, false, true};
constexpr Occurrence kRequiredNil{true, true, true};
constexpr Occurrence kOptional{false, false, true};
constexpr Occurrence kOptionalNil{false, true, true};
constexpr Occurrence kNotInVersion{false, false, false};

using G = Group;
using T = ValueType;
using D = DicoStatus;

FieldSpec Str(Field f, std::string_view name, std::string_view id, std::string_view label, G g,
              int min, int max, Occurrence v112, Occurrence v115, D dico, bool personal = false) {
  FieldSpec s{};
  s.field = f;
  s.name = name;
  s.dico_id = id;
  s.label = label;
  s.group = g;
  s.type = T::kString;
  s.min_length = min;
  s.max_length = max;
  s.v112 = v112;
  s.v115 = v115;
  s.dico = dico;
  s.personal = personal;
  return s;
}

FieldSpec Typed(Field f, std::string_view name, std::string_view id, std::string_view label, G g,
                T type, Occurrence v112, Occurrence v115, D dico, bool personal = false) {
  FieldSpec s = Str(f, name, id, label, g, 0, 0, v112, v115, dico, personal);
  s.type = type;
  return s;
}

FieldSpec Enum(Field f, std::string_view name, std::string_view id, std::string_view label, G g,
               std::span<const std::string_view> values, Occurrence v112, Occurrence v115, D dico,
               bool personal = false) {
  FieldSpec s = Typed(f, name, id, label, g, T::kEnum, v112, v115, dico, personal);
  s.enumeration = values;
  return s;
}

FieldSpec Int(Field f, std::string_view name, std::string_view id, std::string_view label, G g,
              std::int64_t min, std::int64_t max, Occurrence v112, Occurrence v115, D dico,
              bool personal = false) {
  FieldSpec s = Typed(f, name, id, label, g, T::kInt, v112, v115, dico, personal);
  s.min_value = min;
  s.max_value = max;
  return s;
}

std::array<FieldSpec, kFieldCount> BuildFields() {
  using F = Field;
  std::array<FieldSpec, kFieldCount> t{};
  auto put = [&](FieldSpec s) { t[static_cast<std::size_t>(s.field)] = s; };
  // Bloc 5: the passage.
  put(Str(F::idTechnique, "idTechnique", "5.1", "Identifiant technique du passage", G::kPassage, 1,
          255, kRequired, kRequired, D::kObligatoire));
  put(Str(F::urlPreuve, "urlPreuve", "5.2", "URL de la preuve du certificat", G::kPassage, 1, 255,
          kOptional, kOptional, D::kFacultatif));
  put(Str(F::libelleOption, "libelleOption", "5.3", "Libellé de l'option", G::kPassage, 1, 255,
          kOptional, kOptional, D::kFacultatif));
  put(Enum(F::obtentionCertification, "obtentionCertification", "5.4",
           "Obtention par admission ou scoring", G::kPassage, kObtention, kRequired, kOptional,
           D::kObligatoire));
  put(Typed(F::donneeCertifiee, "donneeCertifiee", "5.5", "Donnée certifiée (résultat définitif)",
            G::kPassage, T::kBoolean, kRequired, kOptional, D::kObligatoire));
  put(Typed(F::dateDebutExamen, "dateDebutExamen", "5.6", "Date de début de l'examen", G::kPassage,
            T::kDate, kOptional, kOptional, D::kFacultatif));
  put(Typed(F::dateFinExamen, "dateFinExamen", "5.7", "Date de fin de l'examen", G::kPassage,
            T::kDate, kOptional, kOptional, D::kFacultatif));
  put(Enum(F::modalitePassageExamen, "modalitePassageExamen", "5.8",
           "Modalités de passage des examens", G::kPassage, kModalitePassage, kOptional, kOptional,
           D::kFacultatif));
  put(Str(F::codePostalCentreExamen, "codePostalCentreExamen", "5.9",
          "Code postal du centre d'examen", G::kPassage, 1, 9, kOptional, kOptional,
          D::kFacultatif));
  put(Typed(F::dateDebutValidite, "dateDebutValidite", "5.10",
            "Date de délivrance (début de validité)", G::kPassage, T::kDate, kRequired,
            kOptionalNil, D::kObligatoire));
  put(Typed(F::dateFinValidite, "dateFinValidite", "5.11", "Date de fin de validité", G::kPassage,
            T::kDate, kRequiredNil, kOptionalNil, D::kObligatoireSaufNil));
  put(Typed(F::presenceNiveauLangueEuro, "presenceNiveauLangueEuro", "5.12",
            "Présence du niveau de langue européen", G::kPassage, T::kBoolean, kRequired, kOptional,
            D::kObligatoire));
  put(Enum(F::niveauLangueEuropeen, "niveauLangueEuropeen", "5.13",
           "Niveau de langue européen (CECRL)", G::kPassage, kCecrl, kOptional, kOptional,
           D::kSousCondition));
  put(Typed(F::presenceNiveauNumeriqueEuro, "presenceNiveauNumeriqueEuro", "5.14",
            "Présence du niveau numérique européen", G::kPassage, T::kBoolean, kRequired, kOptional,
            D::kObligatoire));
  // Bloc 6, present if and only if presenceNiveauNumeriqueEuro is true.
  put(Int(F::scoreGeneral, "scoreGeneral", "6.1", "Score général DigComp", G::kNiveauNumerique,
          kScoreGeneralMin, kScoreGeneralMax, kOptional, kOptional, D::kSousCondition));
  put(Typed(F::resultats, "resultats", "6.2-6.4", "Résultats par compétence DigComp",
            G::kNiveauNumerique, T::kResultats, kOptional, kOptional, D::kSousCondition));
  put(Str(F::scoring, "scoring", "5.15", "Scoring ou base de notation", G::kPassage, 1, 255,
          kRequiredNil, kOptionalNil, D::kObligatoireSaufNil));
  put(Enum(F::mentionValidee, "mentionValidee", "5.16", "Mention validée", G::kPassage, kMention,
           kRequiredNil, kOptionalNil, D::kObligatoireSaufNil));
  // Bloc 7.
  put(Enum(F::modaliteAcces, "modaliteAcces", "7.1", "Modalité d'accès", G::kModalitesInscription,
           kModaliteAcces, kRequiredNil, kRequiredNil, D::kObligatoireSaufNil));
  put(Enum(F::voieAccessVAE, "voieAccessVAE", "7.2", "Voie d'accès à la VAE",
           G::kModalitesInscription, kVoieVae, kOptional, kOptional, D::kSousCondition));
  put(Enum(F::initiativeInscription, "initiativeInscription", "7.3", "Initiative de l'inscription",
           G::kModalitesInscription, kInitiative, kOptional, kOptional, D::kFacultatif));
  put(Typed(F::dateInscription, "dateInscription", "7.4", "Date d'inscription",
            G::kModalitesInscription, T::kDate, kOptional, kOptional, D::kFacultatif));
  // Bloc 8: the holder's civil status.
  put(Str(F::nomNaissance, "nomNaissance", "8.1", "Nom de naissance", G::kTitulaire, 1, 60,
          kRequired, kRequired, D::kObligatoire, true));
  put(Str(F::nomUsage, "nomUsage", "8.2", "Nom d'usage ou marital", G::kTitulaire, 1, 60,
          kRequiredNil, kRequiredNil, D::kObligatoireSaufNil, true));
  put(Str(F::prenom1, "prenom1", "8.3", "Prénom 1", G::kTitulaire, 1, 60, kRequired, kRequired,
          D::kObligatoire, true));
  put(Str(F::prenom2, "prenom2", "8.4", "Prénom 2", G::kTitulaire, 1, 60, kOptional, kOptional,
          D::kFacultatif, true));
  put(Str(F::prenom3, "prenom3", "8.5", "Prénom 3", G::kTitulaire, 1, 60, kOptional, kOptional,
          D::kFacultatif, true));
  put(Int(F::anneeNaissance, "anneeNaissance", "8.6", "Année de naissance", G::kTitulaire, 1900,
          2099, kRequired, kRequired, D::kObligatoire, true));
  put(Int(F::moisNaissance, "moisNaissance", "8.7", "Mois de naissance", G::kTitulaire, 1, 12,
          kRequiredNil, kRequiredNil, D::kObligatoireSaufNil, true));
  put(Int(F::jourNaissance, "jourNaissance", "8.8", "Jour de naissance", G::kTitulaire, 1, 31,
          kRequiredNil, kRequiredNil, D::kObligatoireSaufNil, true));
  put(Enum(F::sexe, "sexe", "8.9", "Sexe", G::kTitulaire, kGenre, kRequired, kRequired,
           D::kObligatoire, true));
  // 8.10 / 8.11: codeCommuneNaissance is a choice of codeInseeNaissance/codeInsee and
  // codePostalNaissance/codePostal (nillable).
  put(Str(F::codeInsee, "codeInsee", "8.10",
          "Code INSEE de la commune (ou 99XXX du pays) de naissance", G::kCodeCommuneNaissance, 5,
          5, kOptional, kOptional, D::kFacultatif, true));
  put(Str(F::codePostal, "codePostal", "8.11", "Code postal de la commune de naissance",
          G::kCodeCommuneNaissance, 1, 9, kOptionalNil, kOptionalNil, D::kSousCondition, true));
  put(Str(F::libelleCommuneNaissance, "libelleCommuneNaissance", "8.12", "Commune de naissance",
          G::kTitulaire, 1, 60, kOptional, kOptional, D::kFacultatif, true));
  put(Str(F::codePaysNaissance, "codePaysNaissance", "8.13", "Code du pays de naissance",
          G::kTitulaire, 3, 3, kOptional, kOptional, D::kFacultatif, true));
  put(Str(F::libellePaysNaissance, "libellePaysNaissance", "8.14", "Pays de naissance",
          G::kTitulaire, 1, 60, kOptional, kOptional, D::kFacultatif, true));
  // Bloc 9: the CPF training file, instead of bloc 8, when the certifier holds its number.
  put(Str(F::idDossier, "idDossier", "9.1", "Identifiant du dossier CPF", G::kDossierFormation, 1,
          13, kRequired, kRequired, D::kSousCondition, true));
  put(Str(F::nomTitulaire, "nomTitulaire", "9.2", "Nom du titulaire (dossier CPF)",
          G::kDossierFormation, 1, 30, kRequired, kRequired, D::kSousCondition, true));
  put(Str(F::prenom1Titulaire, "prenom1Titulaire", "9.3", "Prénom 1 du titulaire (dossier CPF)",
          G::kDossierFormation, 1, 20, kRequired, kRequired, D::kSousCondition, true));
  // identifiantNational (1.1.5): the NIR without its key, with nomNaissance.
  put(Typed(F::nir, "nir", "NIR", "Numéro d'inscription au répertoire (sans la clé)",
            G::kIdentifiantNational, T::kNir, kNotInVersion, kRequired, D::kSousCondition, true));
  put(Str(F::verbatim, "verbatim", "5.17", "Verbatim", G::kPassage, 1, 255, kOptional, kOptional,
          D::kFacultatif));
  return t;
}

constexpr GroupSpec kGroups[] = {
    {Group::kPassage, "passageCertification", kRequired, kRequired},
    {Group::kNiveauNumerique, "niveauNumeriqueEuropeen", kOptional, kOptional},
    {Group::kModalitesInscription, "modalitesInscription", kRequired, kOptionalNil},
    {Group::kTitulaire, "titulaire", kOptional, kOptional},
    {Group::kCodeCommuneNaissance, "codeCommuneNaissance", kRequired, kRequired},
    {Group::kDossierFormation, "dossierFormation", kOptional, kOptional},
    {Group::kIdentifiantNational, "identifiantNational", kNotInVersion, kOptional},
};

}  // namespace

std::string_view SchemaVersionName(SchemaVersion v) {
  return v == SchemaVersion::k112 ? "1.1.2" : "1.1.5";
}

std::optional<SchemaVersion> ParseSchemaVersion(std::string_view text) {
  if (text == "1.1.2") return SchemaVersion::k112;
  if (text == "1.1.5") return SchemaVersion::k115;
  return std::nullopt;
}

const std::array<FieldSpec, kFieldCount>& Fields() {
  static const std::array<FieldSpec, kFieldCount> kFields = BuildFields();
  return kFields;
}

const FieldSpec& Spec(Field f) { return Fields()[static_cast<std::size_t>(f)]; }

std::optional<Field> FieldByName(std::string_view name) {
  for (const FieldSpec& s : Fields()) {
    if (s.name == name) return s.field;
  }
  return std::nullopt;
}

const GroupSpec& SpecOf(Group g) {
  for (const GroupSpec& s : kGroups) {
    if (s.group == g) return s;
  }
  return kGroups[0];
}

std::span<const std::string_view> NatureDeposantValues() { return kNatureDeposant; }
std::span<const std::string_view> ActionValues() { return kAction; }

}  // namespace accrochd::mappings
