#include "connectors/xml/xsd_explain.h"

#include <regex>

#include "mappings/dictionary.h"

namespace accrochd::xml {
namespace {

std::string Match(const std::string& text, const std::regex& pattern, std::size_t group = 1) {
  std::smatch m;
  if (std::regex_search(text, m, pattern)) return m[group].str();
  return "";
}

// "( {urn:...}a, {urn:...}b )" -> "a, b"
std::string ExpectedList(const std::string& message) {
  std::string list = Match(message, std::regex(R"(Expected is (?:one of )?\( ([^)]*) \))"));
  static const std::regex kNamespace(R"(\{[^}]*\})");
  return std::regex_replace(list, kNamespace, "");
}

// The CDC's integers restrict xs:int without naming a type: libxml2 then speaks of a "local
// atomic type", and only the element says an integer was expected.
bool IntegerElement(const std::string& element) {
  if (element == "niveau") return true;  // bloc 6, not a field of its own
  auto field = mappings::FieldByName(element);
  return field && mappings::Spec(*field).type == mappings::ValueType::kInt;
}

constexpr const char* kHorodatage =
    "horodatage : format attendu AAAA-MM-JJThh:mm:ss+hh:mm, une date et une heure qui "
    "existent ; le fuseau numérique est obligatoire (Z refusé), sans fraction de seconde, heures "
    "du fuseau sur deux chiffres";

}  // namespace

std::string ExplainXsdError(const XsdError& e) {
  const std::string& m = e.message;
  const std::string who = e.element.empty() ? "" : e.element + " : ";
  if (e.well_formedness) {
    if (m.find("Unsupported version") != std::string::npos) {
      return "le prologue déclare une version XML autre que 1.0 : seul XML 1.0 est accepté";
    }
    return "le fichier n'est pas un XML bien formé (balise non fermée, caractère interdit, "
           "prologue incorrect...) ; la CDC refuserait le fichier entier";
  }
  if (m.find("No matching global declaration available for the validation root") !=
      std::string::npos) {
    return "l'élément racine doit être cpf:flux dans l'espace de noms "
           "urn:cdc:cpf:pc5:schema:1.0.0";
  }
  if (m.find("This element is not expected") != std::string::npos) {
    std::string expected = ExpectedList(m);
    return who +
           "élément inattendu à cet endroit : en double (un seul certificateur par "
           "fichier, chaque élément au plus une fois), mal placé, ou absent de cette "
           "version du schéma" +
           (expected.empty() ? "" : " (attendu : " + expected + ")");
  }
  if (m.find("Missing child element(s)") != std::string::npos) {
    std::string expected = ExpectedList(m);
    return who + "un élément obligatoire manque" + (expected.empty() ? "" : " (" + expected + ")");
  }
  if (m.find("[facet 'maxLength']") != std::string::npos) {
    std::string n = Match(m, std::regex(R"(has a length of '(\d+)')"));
    std::string max = Match(m, std::regex(R"(maximum length of '(\d+)')"));
    return who + n + " caractères, " + max + " au plus";
  }
  if (m.find("[facet 'minLength']") != std::string::npos) {
    return who +
           "élément vide : une donnée facultative s'omet, une donnée inconnue s'écrit "
           "xsi:nil=\"true\" (jamais vide, jamais « nill »)";
  }
  if (m.find("[facet 'length']") != std::string::npos) {
    std::string n = Match(m, std::regex(R"(has a length of '(\d+)')"));
    std::string want = Match(m, std::regex(R"(allowed length of '(\d+)')"));
    return who + n + " caractères, " + want + " attendus";
  }
  if (m.find("[facet 'enumeration']") != std::string::npos) {
    std::string set = Match(m, std::regex(R"(the set \{([^}]*)\})"));
    set = std::regex_replace(set, std::regex("'"), "");
    return who + "valeur hors de la liste de la CDC (" + set + ")";
  }
  if (m.find("[facet 'pattern']") != std::string::npos) {
    if (e.element == "horodatage") return kHorodatage;
    if (e.element == "nir") return "nir : 13 caractères attendus, le NIR sans sa clé";
    return who + "date attendue au format AAAA-MM-JJ, années 1900 à 2099, sans fuseau horaire";
  }
  if (m.find("'' is not a valid value") != std::string::npos) {
    return who +
           "élément vide : une donnée facultative s'omet, une donnée inconnue s'écrit "
           "xsi:nil=\"true\" (jamais vide, jamais « nill »)";
  }
  if (e.element == "horodatage" && m.find("is not a valid value") != std::string::npos) {
    return kHorodatage;  // xs:dateTime refuses before the pattern is tried
  }
  if (IntegerElement(e.element) && m.find("is not a valid value") != std::string::npos) {
    return who + "nombre entier attendu";
  }
  const bool date_element = e.element.starts_with("date");
  if (m.find("atomic type 'xs:date'") != std::string::npos ||
      m.find("atomic type 'xs:dateTime'") != std::string::npos ||
      (date_element && m.find("is not a valid value") != std::string::npos)) {
    return who + "date impossible (ce jour n'existe pas) ou mal écrite (AAAA-MM-JJ)";
  }
  if (m.find("atomic type 'xs:int'") != std::string::npos) return who + "nombre entier attendu";
  if (m.find("atomic type 'xs:boolean'") != std::string::npos) {
    return who + "true ou false attendu";
  }
  if (m.find("[facet 'minInclusive']") != std::string::npos ||
      m.find("[facet 'maxInclusive']") != std::string::npos) {
    return who + "valeur hors des bornes permises";
  }
  if (m.find("is not 'nillable'") != std::string::npos) {
    return who + "xsi:nil n'est pas permis pour cet élément, une valeur est obligatoire";
  }
  if (m.find("'nilled'") != std::string::npos || m.find("nilled") != std::string::npos) {
    return who + "un élément xsi:nil=\"true\" doit être vide";
  }
  if (m.find("Character content other than whitespace is not allowed") != std::string::npos) {
    return who + "du texte est présent là où seuls des éléments sont permis";
  }
  return who + "refusé par le schéma XSD de la CDC";
}

std::string XsdMessageWithoutValues(std::string message) {
  static const std::regex kValue(R"(The value '[^']*')");
  static const std::regex kLeading(R"(: '[^']*' is not a valid value)");
  message = std::regex_replace(message, kValue, "The value");
  return std::regex_replace(message, kLeading, ": the value is not a valid value");
}

}  // namespace accrochd::xml
