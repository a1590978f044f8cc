#include "mappings/dictionary_doc.h"

#include <sstream>

#include "mappings/dictionary.h"
#include "mappings/value_rules.h"

namespace accrochd::mappings {
namespace {

std::string_view GroupName(Group g) {
  switch (g) {
    case Group::kPassage:
      return "passageCertification";
    case Group::kNiveauNumerique:
      return "niveauNumeriqueEuropeen (bloc 6)";
    case Group::kModalitesInscription:
      return "modalitesInscription (bloc 7)";
    case Group::kTitulaire:
      return "titulaire (bloc 8)";
    case Group::kCodeCommuneNaissance:
      return "titulaire/codeCommuneNaissance (bloc 8)";
    case Group::kDossierFormation:
      return "dossierFormation (bloc 9)";
    case Group::kIdentifiantNational:
      return "identifiantNational (1.1.5)";
  }
  return "";
}

std::string TypeText(const FieldSpec& s) {
  switch (s.type) {
    case ValueType::kString:
      if (s.min_length == s.max_length) {
        return "text of exactly " + std::to_string(s.max_length) + " characters";
      }
      return "text of " + std::to_string(s.min_length) + " to " + std::to_string(s.max_length) +
             " characters";
    case ValueType::kDate:
      return "date (YYYY-MM-DD, a real day of 1900 to 2099)";
    case ValueType::kBoolean:
      return "true or false";
    case ValueType::kInt:
      return "whole number from " + std::to_string(s.min_value) + " to " +
             std::to_string(s.max_value);
    case ValueType::kEnum: {
      std::string out = "one of ";
      for (std::size_t i = 0; i < s.enumeration.size(); ++i) {
        if (i > 0) out += ", ";
        out += s.enumeration[i];
      }
      return out;
    }
    case ValueType::kNir:
      return "NIR without its key: 13 characters, [12]NNNN(NN|2A|2B)NNNNNN";
    case ValueType::kResultats:
      return "DigComp results written \"domain.competence:level;...\", e.g. \"1.1:3;2.4:5\" "
             "(domains 1 to 5, levels 1 to 8)";
  }
  return "";
}

std::string OccurrenceText(const Occurrence& o) {
  if (!o.exists) return "absent";
  std::string out = o.required ? "required" : "optional";
  if (o.nillable) out += ", nillable";
  return out;
}

std::string_view DicoText(DicoStatus d) {
  switch (d) {
    case DicoStatus::kObligatoire:
      return "Obligatoire";
    case DicoStatus::kObligatoireSaufNil:
      return "Obligatoire (sauf nil)";
    case DicoStatus::kFacultatif:
      return "Facultatif";
    case DicoStatus::kSousCondition:
      return "Sous condition";
  }
  return "";
}

}  // namespace

std::string DictionaryReferenceScdoc() {
  std::ostringstream out;
  for (const FieldSpec& s : Fields()) {
    out << "*" << s.name << "* (" << s.dico_id << ") - " << s.label << "\n";
    std::string type = TypeText(s);
    if (!type.empty() && type[0] >= 'a' && type[0] <= 'z')
      type[0] = static_cast<char>(type[0] - 32);
    out << "\tIn " << GroupName(s.group) << ". " << type
        << ". Schema 1.1.2: " << OccurrenceText(s.v112) << "; 1.1.5: " << OccurrenceText(s.v115)
        << ". Dictionary: " << DicoText(s.dico) << ".";
    if (s.personal) out << " Personal data: never shown in messages, logs or alerts.";
    if (s.field == Field::idTechnique) out << " Built from *key* and *id_technique*, not mapped.";
    out << "\n\n";
  }
  return out.str();
}

std::string RulesReferenceScdoc() {
  struct Entry {
    Rule rule;
    const char* meaning;
  };
  static constexpr Entry kEntries[] = {
      {Rule::kRequired, "a mandatory value is missing (the column is NULL or empty)"},
      {Rule::kNilNotAllowed, "nil where the schema or the dictionary wants a value"},
      {Rule::kLength, "too many or too few characters (code points of the NFC form, not bytes)"},
      {Rule::kEnumeration, "not one of the CDC's values"},
      {Rule::kInteger, "not a whole number"},
      {Rule::kRange, "a number out of its range"},
      {Rule::kDateFormat, "not a date written YYYY-MM-DD"},
      {Rule::kCalendarDate, "a day that does not exist (2024-02-30, 30/02/1990)"},
      {Rule::kYearRange, "a year outside 1900 to 2099"},
      {Rule::kBoolean, "not true or false"},
      {Rule::kNirPattern, "not a NIR of 13 characters without its key"},
      {Rule::kXmlChar, "a character XML 1.0 cannot carry (control characters, U+FFFE, U+FFFF)"},
      {Rule::kUtf8, "bytes that are not UTF-8: check the connection's character set"},
      {Rule::kResultatsFormat, "bloc 6 results not written \"D.C:N;...\""},
      {Rule::kNotInMap, "a value the mapping's map does not list, and it has no default"},
      {Rule::kDateUnreadable, "a date none of the mapping's formats reads"},
      {Rule::kPattern,
       "a value that does not match the rule's pattern, or longer than 1000 characters (see "
       "FIELD RULES)"},
      {Rule::kConditional,
       "a conditional rule of the dictionary: niveauLangueEuropeen only with "
       "presenceNiveauLangueEuro true; bloc 6 (with scoreGeneral) if and only if "
       "presenceNiveauNumeriqueEuro is true; voieAccessVAE only for modaliteAcces VAE; "
       "codePaysNaissance only for the foreign-born, equal to the last three digits of the 99XXX "
       "codeInsee"},
      {Rule::kDateOrder,
       "dateFinValidite before dateDebutValidite, or dateFinExamen before "
       "dateDebutExamen"},
      {Rule::kBirthDate,
       "a day, month and year of birth that make no date, or a day of birth without its month"},
      {Rule::kBirthAfterToday,
       "a birth date after today (the certifier's time zone), compared as far as it is known: a "
       "year after this one, or this year and a later month, or this month and a later day"},
      {Rule::kBirthAfterDelivery,
       "a birth date after the date of delivery (dateDebutValidite), compared in the same way"},
      {Rule::kDateRange,
       "a date before the rule's not_before or after its not_after (see FIELD RULES)"},
      {Rule::kMissingKey, "a key column is NULL or empty: the row cannot get an idTechnique"},
      {Rule::kRepeatedIdTechnique, "two rows give the same idTechnique"},
      {Rule::kIdentification, "neither idDossier, nor nir, nor the holder's civil status"},
      {Rule::kProbableDuplicate,
       "the same certification, holder and date of delivery as an earlier passage under another "
       "key. The holder is the same idDossier, or the same NIR (without case), or else the same "
       "nomNaissance and prenom1 (compared without case or accents), anneeNaissance, "
       "moisNaissance, jourNaissance and sexe -- unless both passages carry a prenom2, a "
       "codeInsee, a codePostal, a libelleCommuneNaissance (compared without case or accents) or "
       "a codePaysNaissance and these differ: then they are two people. What only one of them "
       "carries does not tell them apart. The first seen is kept, the later quarantined"},
      {Rule::kCertification,
       "a certification read from columns that the CDC would refuse: a type that is not one of "
       "the dictionary's, an RNCP or RS code not written RNCP or RS then digits, or a type that "
       "contradicts its code (see CERTIFICATION); a certification with no type or code is "
       "*required*"},
      {Rule::kMappingRule,
       "a row rule of the mapping: a quarantine_when condition holds, or a require condition "
       "does not (see ROW RULES); the reason is the mapping's, with the columns the condition "
       "reads"},
      {Rule::kBirthplaceFrance,
       "99100, France's code, as a codeInsee (a commune's INSEE code is required for the "
       "French-born), or 100 or 99100 as a codePaysNaissance (only for the foreign-born)"},
      {Rule::kXsd,
       "refused by the XSD when its deposit file was checked, before publication: the passage is "
       "taken out of the file (a safety net: the rules above cover the XSD)"},
  };
  std::ostringstream out;
  for (const Entry& e : kEntries) {
    out << "*" << RuleName(e.rule) << "*\n\t" << e.meaning << "\n\n";
  }
  return out.str();
}

}  // namespace accrochd::mappings
