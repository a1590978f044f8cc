// The CDC data dictionary: every element a passage can carry in a deposit file, with its XSD
// type, limits, enumeration and occurrence per schema version, and its status in the
// dictionary (DICO NC5 V22). The one source of truth read by the mapping loader, the validator,
// the XML writer and the documentation generator.
//
// Encoded from the official schemas cdc-flux-1.1.2.xsd ("Fichier XSD v2.0.0") and
// cdc-flux-1.1.5.xsd (kit 2026) and the dictionary; the XSD files themselves are not part of
// accrochd (tests validate its output against them).
#ifndef ACCROCHD_MAPPINGS_DICTIONARY_H_
#define ACCROCHD_MAPPINGS_DICTIONARY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace accrochd::mappings {

enum class SchemaVersion { k112, k115 };

std::string_view SchemaVersionName(SchemaVersion v);  // "1.1.2"
std::optional<SchemaVersion> ParseSchemaVersion(std::string_view text);

// The XSD type of a value.
enum class ValueType {
  kString,     // xsd:string with min/max length in characters
  kDate,       // xsd:date with pattern (19|20)YY-MM-DD: a real calendar date, no time zone
  kBoolean,    // xsd:boolean, written true / false
  kInt,        // xsd:int within [min_value, max_value]
  kEnum,       // xsd:string restricted to an enumeration
  kNir,        // the NIR pattern of identifiantNational (1.1.5)
  kResultats,  // bloc 6 resultats: a list of DigComp results, written "D.C:N;D.C:N" in a mapping
};

// How the dictionary (DICO NC5 V22, column "obligatoire ou facultatif") qualifies a field.
enum class DicoStatus {
  kObligatoire,         // always sent with a value
  kObligatoireSaufNil,  // always sent: a value, or xsi:nil when the certifier does not have it
  kFacultatif,          // sent when known, omitted otherwise
  kSousCondition,       // depends on another field (see the conditional rules)
};

// Where an element sits in a passageCertification; the XML writer nests by group.
enum class Group {
  kPassage,               // passageCertification
  kNiveauNumerique,       // passageCertification/niveauNumeriqueEuropeen (bloc 6)
  kModalitesInscription,  // passageCertification/modalitesInscription (bloc 7)
  kTitulaire,             // identificationTitulaire/titulaire (bloc 8)
  kCodeCommuneNaissance,  // .../titulaire/codeCommuneNaissance (8.10 / 8.11 choice)
  kDossierFormation,      // identificationTitulaire/dossierFormation (bloc 9)
  kIdentifiantNational,   // identificationTitulaire/identifiantNational (1.1.5 only)
};

// The fields a mapping fills, in the order the writer emits them (the XSD's xsd:all leaves the
// order free; this is the order of the official examples).
enum class Field : std::uint8_t {
  idTechnique,
  urlPreuve,
  libelleOption,
  obtentionCertification,
  donneeCertifiee,
  dateDebutExamen,
  dateFinExamen,
  modalitePassageExamen,
  codePostalCentreExamen,
  dateDebutValidite,
  dateFinValidite,
  presenceNiveauLangueEuro,
  niveauLangueEuropeen,
  presenceNiveauNumeriqueEuro,
  scoreGeneral,
  resultats,
  scoring,
  mentionValidee,
  modaliteAcces,
  voieAccessVAE,
  initiativeInscription,
  dateInscription,
  nomNaissance,
  nomUsage,
  prenom1,
  prenom2,
  prenom3,
  anneeNaissance,
  moisNaissance,
  jourNaissance,
  sexe,
  codeInsee,
  codePostal,
  libelleCommuneNaissance,
  codePaysNaissance,
  libellePaysNaissance,
  idDossier,
  nomTitulaire,
  prenom1Titulaire,
  nir,
  verbatim,
  kCount
};

inline constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::kCount);

struct Occurrence {
  bool required = false;  // minOccurs = 1 (within its group)
  bool nillable = false;
  bool exists = true;  // the element is in this version of the schema
};

struct FieldSpec {
  Field field;
  std::string_view name;     // the element name, used as the mapping key
  std::string_view dico_id;  // "8.1"
  std::string_view label;    // the dictionary's French label, for people
  Group group;
  ValueType type;
  int min_length = 0;  // strings: characters
  int max_length = 0;
  std::int64_t min_value = 0;  // ints
  std::int64_t max_value = 0;
  std::span<const std::string_view> enumeration;
  Occurrence v112;
  Occurrence v115;
  DicoStatus dico;
  bool personal = false;  // names, birth data, NIR: never shown in messages, logs or alerts

  const Occurrence& In(SchemaVersion v) const { return v == SchemaVersion::k112 ? v112 : v115; }
};

// Every field, indexed by Field.
const std::array<FieldSpec, kFieldCount>& Fields();
const FieldSpec& Spec(Field f);
std::optional<Field> FieldByName(std::string_view name);

// Group-level facts the writer and validator need: whether the group element itself is
// required, nillable (modalitesInscription in 1.1.5), present in the version.
struct GroupSpec {
  Group group;
  std::string_view element;  // "niveauNumeriqueEuropeen", "titulaire", ...
  Occurrence v112;
  Occurrence v115;
  const Occurrence& In(SchemaVersion v) const { return v == SchemaVersion::k112 ? v112 : v115; }
};
const GroupSpec& SpecOf(Group g);

// Enumerations shared with the rest of the file (certification level).
std::span<const std::string_view> NatureDeposantValues();  // CERTIFICATEUR, TIERS_CONFIANCE
std::span<const std::string_view> ActionValues();          // CREATION, SUPPRESSION (1.1.5)

// A DigComp result of bloc 6 (6.2 niveau, 6.3 domaineCompetenceId, 6.4 competenceId).
inline constexpr std::int64_t kNiveauMin = 1, kNiveauMax = 8;
inline constexpr std::int64_t kScoreGeneralMin = 1, kScoreGeneralMax = 1000;

// Limits of the flux-level elements the writer fills from the configuration.
inline constexpr int kIdFluxMaxLength = 50;
inline constexpr int kIdClientLength = 8;
inline constexpr int kIdContratMaxLength = 20;
inline constexpr int kCertificationTypeMaxLength = 255;
inline constexpr int kCertificationCodeMaxLength = 100;

// The target namespace of both schema versions.
inline constexpr std::string_view kNamespace = "urn:cdc:cpf:pc5:schema:1.0.0";

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_DICTIONARY_H_
