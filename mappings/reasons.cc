#include "mappings/reasons.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/text.h"

namespace accrochd::mappings {
namespace {

// The catalog. Keep the CDC's element names as they are; everything else is in French.
const std::map<std::string_view, std::string_view>& Catalog() {
  static const std::map<std::string_view, std::string_view> kCatalog = {
      {"longueur-max", "{champ} : {n} caractères, {max} au plus"},
      {"longueur-min", "{champ} : {n} caractères, {min} au moins"},
      {"longueur-exacte", "{champ} : {n} caractères, {exact} attendus"},
      {"valeur-hors-liste",
       "{champ} : « {valeur} » n'est pas une valeur prévue par la CDC ({liste})"},
      {"valeur-hors-liste-personnelle", "{champ} : valeur non prévue par la CDC ({liste})"},
      {"entier", "{champ} : la valeur n'est pas un nombre entier"},
      {"bornes", "{champ} : la valeur est hors des bornes {min} à {max}"},
      {"format-date", "{champ} : la valeur n'est pas une date au format AAAA-MM-JJ"},
      {"date-impossible", "{champ} : date impossible, ce jour n'existe pas"},
      {"annee", "{champ} : année hors de la période 1900 à 2099"},
      {"booleen", "{champ} : la valeur n'est ni true ni false"},
      {"nir", "nir : ne respecte pas le format du NIR (13 caractères, sans la clé)"},
      {"caractere",
       "{champ} : caractère {code} interdit dans un fichier XML (position {position})"},
      {"utf8",
       "{champ} : texte mal encodé (UTF-8 invalide) ; vérifier le jeu de caractères de la "
       "connexion ODBC"},
      {"resultats", "resultats : format attendu « domaine.compétence:niveau ; … » (niveaux 1 à 8)"},
      {"obligatoire", "{champ} ({id}) : donnée obligatoire absente{colonne}"},
      {"obligatoire-table",
       "{champ} ({id}) : donnée obligatoire absente (la table de "
       "correspondance de la colonne {colonne} ne donne pas de valeur)"},
      {"nil-interdit", "{champ} ({id}) : ne peut pas être nil, une valeur est obligatoire"},
      {"exige-mapping",
       "{champ} ({id}) : donnée absente, exigée par le mapping de l'organisme (required: true)"
       "{colonne}"},
      {"hors-table", "{champ} : « {valeur} » absent de la table de correspondance{colonne}"},
      {"hors-table-personnelle", "{champ} : valeur absente de la table de correspondance{colonne}"},
      {"hors-motif",
       "{champ} : « {valeur} » ne respecte pas le format attendu par le mapping ({motif})"
       "{colonne}"},
      {"hors-motif-personnelle",
       "{champ} : la valeur ne respecte pas le format attendu par le mapping ({motif}){colonne}"},
      {"hors-motif-mapping", "{champ} : {raison}{colonne}"},
      {"motif-valeur-longue",
       "{champ} : valeur de {n} caractères, trop longue pour être comparée au format attendu "
       "par le mapping ({motif} ; {max} caractères au plus){colonne}"},
      {"motif-echec",
       "{champ} : la valeur n'a pas pu être comparée au format attendu par le mapping ({motif})"
       "{colonne}"},
      {"date-illisible", "{champ} : date illisible au(x) format(s) {formats}{colonne}"},
      {"date-source-impossible", "{champ} : date impossible, ce jour n'existe pas{colonne}"},
      {"date-naissance",
       "date de naissance impossible (jourNaissance, moisNaissance, "
       "anneeNaissance ne forment pas une date)"},
      {"jour-sans-mois",
       "jourNaissance : jour de naissance sans mois de naissance ; le jour ne s'envoie qu'avec "
       "le mois"},
      {"naissance-future", "{champs} : date de naissance postérieure à aujourd'hui{colonne}"},
      {"naissance-apres-delivrance",
       "{champs} : date de naissance postérieure à la date de délivrance, "
       "dateDebutValidite{colonne}"},
      {"date-apres", "{champ} : date postérieure {borne}, limite not_after du mapping{colonne}"},
      {"date-avant", "{champ} : date antérieure {borne}, limite not_before du mapping{colonne}"},
      {"ordre-validite", "dateFinValidite : antérieure à dateDebutValidite"},
      {"ordre-examen", "dateFinExamen : antérieure à dateDebutExamen"},
      {"langue-absente",
       "niveauLangueEuropeen : absent alors que presenceNiveauLangueEuro vaut true"},
      {"langue-en-trop",
       "niveauLangueEuropeen : renseigné alors que presenceNiveauLangueEuro vaut "
       "false"},
      {"numerique-absent",
       "scoreGeneral : obligatoire quand presenceNiveauNumeriqueEuro vaut true "
       "(bloc 6)"},
      {"numerique-en-trop",
       "{champ} : renseigné alors que presenceNiveauNumeriqueEuro vaut false "
       "(le bloc 6 ne doit pas être rempli)"},
      {"vae-en-trop", "voieAccessVAE : renseigné alors que modaliteAcces n'est pas VAE"},
      {"pays-france",
       "codePaysNaissance : renseigné sans codeInsee de pays étranger (99XXX) ; il ne concerne "
       "que les personnes nées à l'étranger"},
      {"pays-incoherent", "codePaysNaissance : ne correspond pas au code pays 99XXX de codeInsee"},
      {"regle-mapping", "règle du mapping : {raison}{colonne}"},
      {"insee-france",
       "codeInsee : 99100 est le code de la France, pas d'une commune ; pour une personne née en "
       "France, indiquer le code INSEE de sa commune de naissance{colonne}"},
      {"pays-naissance-france",
       "codePaysNaissance : la valeur désigne la France (100, 99100) ; codePaysNaissance ne "
       "s'envoie que pour les personnes nées à l'étranger, avec le code 99XXX de leur pays dans "
       "codeInsee{colonne}"},
      {"cle-absente",
       "clé absente (colonne {colonne} vide) : la ligne {ligne} ne peut pas recevoir "
       "d'idTechnique"},
      {"idtechnique-long", "idTechnique : {n} caractères, 255 au plus"},
      {"idtechnique-repete",
       "idTechnique « {id} » déjà donné par une autre ligne de la requête ; "
       "la clé doit identifier chaque passage"},
      {"identification",
       "identification du titulaire impossible : ni idDossier, ni nir, ni "
       "titulaire renseignés"},
      {"certification-absente", "certification : donnée obligatoire absente ({colonnes})"},
      {"certification-absente-table",
       "certification : donnée obligatoire absente (la table de correspondance de la colonne "
       "{colonne} ne donne pas de valeur)"},
      {"certification-hors-table",
       "certification : {partie} « {valeur} » absent de la table de correspondance{colonne}"},
      {"certification-etape",
       "certification : {partie} « {valeur} » refusé par la règle {regle} du mapping{colonne}"},
      {"certification-type-inconnu",
       "certification : type « {type} » inconnu de la CDC ({liste}){colonne}"},
      {"certification-code-mal-forme",
       "certification : code « {code} » mal formé, {type} suivi de chiffres attendu{exemple}"
       "{colonne}"},
      {"certification-contradiction",
       "certification : le type {type} ne correspond pas au code {code}{colonne}"},
      {"doublon",
       "doublon probable du passage {autre} : même titulaire, même certification, même "
       "date de délivrance ; la CDC enregistrerait le titulaire deux fois"},
  };
  return kCatalog;
}

std::string List(std::span<const std::string_view> values) {
  std::string out;
  for (std::string_view v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

// " (colonne a)" or " (colonnes a, b)" for a list written "a, b"; "" for none. `after` follows
// the names, agreed in number: " (colonne a vide)", " (colonnes a, b vides)".
std::string ColumnsSuffix(std::string_view columns, std::string_view after = "") {
  if (columns.empty()) return "";
  const bool several = columns.find(", ") != std::string_view::npos;
  return (several ? " (colonnes " : " (colonne ") + std::string(columns) +
         (after.empty() ? "" : " " + std::string(after) + (several ? "s" : "")) + ")";
}

}  // namespace

std::string RenderReason(std::string_view id,
                         std::initializer_list<std::pair<std::string_view, std::string>> values) {
  auto it = Catalog().find(id);
  std::string text = it == Catalog().end() ? std::string(id) : std::string(it->second);
  for (const auto& [name, value] : values) {
    const std::string placeholder = "{" + std::string(name) + "}";
    for (std::size_t pos = text.find(placeholder); pos != std::string::npos;
         pos = text.find(placeholder, pos + value.size())) {
      text.replace(pos, placeholder.size(), value);
    }
  }
  return text;
}

std::string ReasonForValue(const FieldSpec& spec, const Violation& v, std::string_view value) {
  const std::string champ(spec.name);
  switch (v.rule) {
    case Rule::kLength:
      if (spec.min_length == spec.max_length) {
        return RenderReason("longueur-exacte", {{"champ", champ},
                                                {"n", std::to_string(v.length)},
                                                {"exact", std::to_string(spec.max_length)}});
      }
      if (v.length > static_cast<std::size_t>(spec.max_length)) {
        return RenderReason("longueur-max", {{"champ", champ},
                                             {"n", std::to_string(v.length)},
                                             {"max", std::to_string(spec.max_length)}});
      }
      return RenderReason("longueur-min", {{"champ", champ},
                                           {"n", std::to_string(v.length)},
                                           {"min", std::to_string(spec.min_length)}});
    case Rule::kEnumeration:
      if (spec.personal) {
        return RenderReason("valeur-hors-liste-personnelle",
                            {{"champ", champ}, {"liste", List(spec.enumeration)}});
      }
      return RenderReason(
          "valeur-hors-liste",
          {{"champ", champ}, {"valeur", std::string(value)}, {"liste", List(spec.enumeration)}});
    case Rule::kInteger:
      return RenderReason("entier", {{"champ", champ}});
    case Rule::kRange:
      return RenderReason("bornes", {{"champ", champ},
                                     {"min", std::to_string(spec.min_value)},
                                     {"max", std::to_string(spec.max_value)}});
    case Rule::kDateFormat:
      return RenderReason("format-date", {{"champ", champ}});
    case Rule::kCalendarDate:
      return RenderReason("date-impossible", {{"champ", champ}});
    case Rule::kYearRange:
      return RenderReason("annee", {{"champ", champ}});
    case Rule::kBoolean:
      return RenderReason("booleen", {{"champ", champ}});
    case Rule::kNirPattern:
      return RenderReason("nir", {});
    case Rule::kXmlChar: {
      char code[16];
      std::snprintf(code, sizeof(code), "U+%04X", static_cast<unsigned>(v.code_point));
      return RenderReason(
          "caractere", {{"champ", champ}, {"code", code}, {"position", std::to_string(v.offset)}});
    }
    case Rule::kUtf8:
      return RenderReason("utf8", {{"champ", champ}});
    case Rule::kResultatsFormat:
      return RenderReason("resultats", {});
    default:
      return champ + " : règle " + std::string(RuleName(v.rule));
  }
}

std::string ReasonRequired(const FieldSpec& spec, std::string_view column, bool by_map) {
  if (by_map) {
    return RenderReason("obligatoire-table", {{"champ", std::string(spec.name)},
                                              {"id", std::string(spec.dico_id)},
                                              {"colonne", std::string(column)}});
  }
  return RenderReason("obligatoire", {{"champ", std::string(spec.name)},
                                      {"id", std::string(spec.dico_id)},
                                      {"colonne", ColumnsSuffix(column, "vide")}});
}

std::string ReasonRequiredByMapping(const FieldSpec& spec, std::string_view column) {
  return RenderReason("exige-mapping", {{"champ", std::string(spec.name)},
                                        {"id", std::string(spec.dico_id)},
                                        {"colonne", ColumnsSuffix(column, "vide")}});
}

std::string ReasonNilNotAllowed(const FieldSpec& spec) {
  return RenderReason("nil-interdit",
                      {{"champ", std::string(spec.name)}, {"id", std::string(spec.dico_id)}});
}

std::string ReasonNotInMap(const FieldSpec& spec, std::string_view column, std::string_view value) {
  if (spec.personal) {
    return RenderReason("hors-table-personnelle",
                        {{"champ", std::string(spec.name)}, {"colonne", ColumnsSuffix(column)}});
  }
  return RenderReason("hors-table", {{"champ", std::string(spec.name)},
                                     {"valeur", std::string(value)},
                                     {"colonne", ColumnsSuffix(column)}});
}

std::string ReasonPattern(const FieldSpec& spec, const PatternRule& pattern,
                          std::string_view column, std::string_view value, PatternOutcome outcome) {
  // The texts of the mapping and of the row go in last, so that a brace they hold is never
  // taken for a placeholder.
  const std::string champ(spec.name);
  switch (outcome) {
    case PatternOutcome::kTooLong:
      return RenderReason("motif-valeur-longue", {{"champ", champ},
                                                  {"n", std::to_string(Utf8Length(value))},
                                                  {"max", std::to_string(kPatternMaxValueLength)},
                                                  {"colonne", ColumnsSuffix(column)},
                                                  {"motif", pattern.text}});
    case PatternOutcome::kFailed:
      return RenderReason(
          "motif-echec",
          {{"champ", champ}, {"colonne", ColumnsSuffix(column)}, {"motif", pattern.text}});
    default:
      break;
  }
  if (!pattern.reason.empty()) {
    return RenderReason(
        "hors-motif-mapping",
        {{"champ", champ}, {"colonne", ColumnsSuffix(column)}, {"raison", pattern.reason}});
  }
  if (spec.personal) {
    return RenderReason(
        "hors-motif-personnelle",
        {{"champ", champ}, {"colonne", ColumnsSuffix(column)}, {"motif", pattern.text}});
  }
  return RenderReason("hors-motif", {{"champ", champ},
                                     {"colonne", ColumnsSuffix(column)},
                                     {"motif", pattern.text},
                                     {"valeur", std::string(value)}});
}

std::string ReasonDate(const FieldSpec& spec, const FieldRule& rule, std::string_view column,
                       bool impossible) {
  if (impossible) {
    return RenderReason("date-source-impossible",
                        {{"champ", std::string(spec.name)}, {"colonne", ColumnsSuffix(column)}});
  }
  std::string formats;
  if (rule.date) {
    for (const DateFormat& f : rule.date->formats) {
      if (!formats.empty()) formats += ", ";
      switch (f.kind) {
        case DateFormat::Kind::kIso:
          formats += "AAAA-MM-JJ";
          break;
        case DateFormat::Kind::kSql:
          formats += "date SQL (AAAA-MM-JJ)";
          break;
        case DateFormat::Kind::kPattern:
          formats += f.pattern;
          break;
      }
    }
  }
  return RenderReason("date-illisible", {{"champ", std::string(spec.name)},
                                         {"formats", formats},
                                         {"colonne", ColumnsSuffix(column)}});
}

std::string ReasonBirthAfter(bool after_today, std::string_view fields, std::string_view columns) {
  return RenderReason(after_today ? "naissance-future" : "naissance-apres-delivrance",
                      {{"champs", std::string(fields)}, {"colonne", ColumnsSuffix(columns)}});
}

std::string ReasonDateRange(const FieldSpec& spec, bool after, const DateBound& bound,
                            std::string_view column) {
  const std::string borne = bound.today ? "à aujourd'hui" : "au " + FormatFrenchDate(bound.date);
  return RenderReason(
      after ? "date-apres" : "date-avant",
      {{"champ", std::string(spec.name)}, {"borne", borne}, {"colonne", ColumnsSuffix(column)}});
}

std::string ReasonCertification(const CertificationFault& fault, const Certification& c,
                                std::string_view type_columns, std::string_view code_columns) {
  switch (fault.kind) {
    case CertificationFault::Kind::kUnknownType: {
      std::string list;
      for (const std::string& t : CertificationTypes()) list += (list.empty() ? "" : ", ") + t;
      return RenderReason(
          "certification-type-inconnu",
          {{"type", c.type}, {"liste", list}, {"colonne", ColumnsSuffix(type_columns)}});
    }
    case CertificationFault::Kind::kMalformedCode:
      return RenderReason(
          "certification-code-mal-forme",
          {{"code", c.code},
           {"type", c.type},
           {"exemple", fault.digits_only ? " (" + c.type + c.code + " ?)" : std::string()},
           {"colonne", ColumnsSuffix(code_columns)}});
    case CertificationFault::Kind::kContradiction: {
      std::string columns(type_columns);
      if (!code_columns.empty())
        columns += (columns.empty() ? "" : ", ") + std::string(code_columns);
      return RenderReason(
          "certification-contradiction",
          {{"type", c.type}, {"code", c.code}, {"colonne", ColumnsSuffix(columns)}});
    }
  }
  return "certification";
}

std::string ReasonCertificationAbsent(std::string_view columns, bool by_map) {
  if (by_map)
    return RenderReason("certification-absente-table", {{"colonne", std::string(columns)}});
  const bool several = columns.find(", ") != std::string_view::npos;
  return RenderReason("certification-absente",
                      {{"colonnes", (several ? "colonnes " : "colonne ") + std::string(columns) +
                                        (several ? " vides" : " vide")}});
}

std::string ReasonCertificationStep(std::string_view part, Rule rule, std::string_view columns,
                                    std::string_view value) {
  if (rule == Rule::kNotInMap) {
    return RenderReason("certification-hors-table", {{"partie", std::string(part)},
                                                     {"valeur", std::string(value)},
                                                     {"colonne", ColumnsSuffix(columns)}});
  }
  return RenderReason("certification-etape", {{"partie", std::string(part)},
                                              {"valeur", std::string(value)},
                                              {"regle", std::string(RuleName(rule))},
                                              {"colonne", ColumnsSuffix(columns)}});
}

std::string ReasonCertificationCode(const Violation& violation, std::string_view code,
                                    std::string_view columns) {
  return ReasonForValue(CertificationCodeSpec(), violation, code) + ColumnsSuffix(columns);
}

std::string ReasonMappingRule(std::string_view reason, std::string_view columns) {
  // The columns first: the mapping's text is put in last, so that braces in it stay as written.
  return RenderReason("regle-mapping",
                      {{"colonne", ColumnsSuffix(columns)}, {"raison", std::string(reason)}});
}

std::string ReasonInseeFrance(std::string_view column) {
  return RenderReason("insee-france", {{"colonne", ColumnsSuffix(column)}});
}

std::string ReasonPaysNaissanceFrance(std::string_view column) {
  return RenderReason("pays-naissance-france", {{"colonne", ColumnsSuffix(column)}});
}

namespace {

template <typename Source>
void AddSourceColumns(const Source& s, std::vector<std::string>& out) {
  auto add = [&out](const std::string& column) {
    if (!column.empty() && std::find(out.begin(), out.end(), column) == out.end()) {
      out.push_back(column);
    }
  };
  switch (s.source) {
    case SourceKind::kColumn:
      add(s.column);
      break;
    case SourceKind::kTemplate:
      for (const TemplatePart& p : s.template_parts) {
        if (p.column) add(p.text);
      }
      break;
    case SourceKind::kCoalesce:
      for (const std::string& c : s.coalesce) add(c);
      break;
    default:
      break;
  }
}

}  // namespace

void AddRuleColumns(const FieldRule& rule, int branch, std::vector<std::string>& out) {
  if (rule.source != SourceKind::kChoose) {
    AddSourceColumns(rule, out);
    return;
  }
  if (branch >= 0 && static_cast<std::size_t>(branch) < rule.choose.size()) {
    const ChooseBranch& b = rule.choose[static_cast<std::size_t>(branch)];
    const std::size_t before = out.size();
    AddSourceColumns(b, out);
    if (out.size() == before && b.when) AddConditionColumns(*b.when, out);
    return;
  }
  for (const ChooseBranch& b : rule.choose) {
    if (b.when) AddConditionColumns(*b.when, out);
    if (branch == kEveryBranch) AddSourceColumns(b, out);
  }
}

std::string JoinColumns(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : ", ") + c;
  return out;
}

std::string RuleColumns(const FieldRule& rule, int branch) {
  std::vector<std::string> columns;
  AddRuleColumns(rule, branch, columns);
  return JoinColumns(columns);
}

}  // namespace accrochd::mappings
