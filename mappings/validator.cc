#include "mappings/validator.h"

#include <algorithm>
#include <bitset>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "core/text.h"
#include "mappings/reasons.h"

namespace accrochd::mappings {
namespace {

bool IsEmitted(Group g, const Passage& p) {
  switch (g) {
    case Group::kPassage:
    case Group::kModalitesInscription:
      return true;
    case Group::kNiveauNumerique:
      return p[Field::presenceNiveauNumeriqueEuro].text == "true";
    case Group::kTitulaire:
    case Group::kCodeCommuneNaissance:
      return p.identification == Group::kTitulaire;
    case Group::kDossierFormation:
      return p.identification == Group::kDossierFormation;
    case Group::kIdentifiantNational:
      return p.identification == Group::kIdentifiantNational;
  }
  return false;
}

bool MapsAny(const Mapping& m, std::initializer_list<Field> fields) {
  for (Field f : fields) {
    if (m.maps(f)) return true;
  }
  return false;
}

// True when `d` is certainly after `limit`, compared as far as it is known: an unknown month or
// day could be any, so "1990" is after no day of 1990. Never a guess against the certifier.
bool SurelyAfter(const SourceDate& d, Date limit) {
  const int y = static_cast<int>(limit.year());
  const unsigned m = static_cast<unsigned>(limit.month());
  if (d.year != y) return d.year > y;
  if (d.month == 0) return false;
  if (d.month != m) return d.month > m;
  return d.day != 0 && d.day > static_cast<unsigned>(limit.day());
}

// True when `d` is certainly before `limit`, in the same way.
bool SurelyBefore(const SourceDate& d, Date limit) {
  const int y = static_cast<int>(limit.year());
  const unsigned m = static_cast<unsigned>(limit.month());
  if (d.year != y) return d.year < y;
  if (d.month == 0) return false;
  if (d.month != m) return d.month < m;
  return d.day != 0 && d.day < static_cast<unsigned>(limit.day());
}

// "a, b": the columns the rules of `fields` read, each once, in order of first use (three birth
// fields read from one column name it once); for a choose, those of the branch that held.
std::string ColumnsOf(const MappedRow& row, const std::vector<Field>& fields) {
  const Mapping& m = *row.passage.mapping;
  std::vector<std::string> seen;
  for (Field f : fields) {
    if (m.maps(f)) AddRuleColumns(*m.rule(f), row.Choice(f), seen);
  }
  return JoinColumns(seen);
}

// France's INSEE code (COG): 99 for "abroad", 100 for France. Never a commune, never a country
// of birth abroad.
constexpr std::string_view kFranceInsee = "99100";
constexpr std::string_view kFrancePays = "100";

}  // namespace

Verdict Validator::Check(MappedRow& row) const {
  Passage& p = row.passage;
  const Mapping& m = *p.mapping;
  // Fields that already have a reason: rules across fields do not look at them (one problem,
  // one reason).
  std::bitset<kFieldCount> bad = row.failed;
  auto reject = [&](std::string_view field, Rule rule, std::string message) {
    if (auto f = FieldByName(field)) bad.set(static_cast<std::size_t>(*f));
    row.rejections.push_back(
        {m.name, p.id_technique, p.source_key, std::string(field), rule, std::move(message)});
  };
  auto ok = [&](std::initializer_list<Field> fields) {
    for (Field f : fields) {
      if (bad[static_cast<std::size_t>(f)]) return false;
    }
    return true;
  };

  if (row.identified) {
    const FieldSpec& spec = Spec(Field::idTechnique);
    if (auto v = CheckValue(spec, p.id_technique)) {
      reject("idTechnique", v->rule,
             v->rule == Rule::kLength
                 ? RenderReason("idtechnique-long", {{"n", std::to_string(v->length)}})
                 : ReasonForValue(spec, *v, p.id_technique));
    }
  }

  // Which branch of identificationTitulaire: the CPF file when its number is known, else the
  // NIR (1.1.5), else the civil status. A passage read from a file has its branch already.
  if (p.identification_fixed) {
    // kept
  } else if (m.maps(Field::idDossier) && p[Field::idDossier].has_value()) {
    p.identification = Group::kDossierFormation;
  } else if (version_ == SchemaVersion::k115 && m.maps(Field::nir) && p[Field::nir].has_value()) {
    p.identification = Group::kIdentifiantNational;
  } else if (MapsAny(m,
                     {Field::nomNaissance, Field::prenom1, Field::anneeNaissance, Field::sexe})) {
    p.identification = Group::kTitulaire;
  } else {
    reject("", Rule::kIdentification, RenderReason("identification", {}));
    return Verdict::kQuarantined;
  }

  // Birthplace: codeInsee if known, else codePostal (or nil); a 99XXX codeInsee is a foreign
  // country, whose last three digits are codePaysNaissance (dictionary 8.10 and 8.13), derived
  // when not given.
  if (p.identification == Group::kTitulaire) {
    FieldValue& insee = p[Field::codeInsee];
    if (insee.has_value()) {
      p[Field::codePostal] = FieldValue{};
      const std::string code = std::string(TrimBlanks(insee.text));
      FieldValue& pays = p[Field::codePaysNaissance];
      if (code.size() == 5 && code.starts_with("99") && code != kFranceInsee && !pays.has_value() &&
          !row.failed[static_cast<std::size_t>(Field::codePaysNaissance)]) {
        pays = FieldValue{FieldValue::State::kValue, code.substr(2)};
      }
    } else if (!p[Field::codePostal].has_value() &&
               !row.failed[static_cast<std::size_t>(Field::codePostal)]) {
      p[Field::codePostal] = FieldValue{FieldValue::State::kNil, ""};
    }
  }

  // Every field of the groups written.
  for (const FieldSpec& spec : Fields()) {
    if (spec.field == Field::idTechnique) continue;
    if (row.failed[static_cast<std::size_t>(spec.field)]) continue;
    const bool shared_name =
        spec.field == Field::nomNaissance && p.identification == Group::kIdentifiantNational;
    if (!shared_name && !IsEmitted(spec.group, p)) continue;
    const Occurrence& occ = spec.In(version_);
    if (!occ.exists) continue;
    FieldValue& v = p[spec.field];
    const auto& rule = m.rule(spec.field);  // a reference: not a copy per field and row
    const auto columns = [&] { return rule ? RuleColumns(*rule, row.Choice(spec.field)) : ""; };
    if (rule && rule->required && v.state != FieldValue::State::kValue) {
      // The mapping's own rule: this institution always has this value.
      reject(spec.name, Rule::kRequired, ReasonRequiredByMapping(spec, columns()));
      continue;
    }
    switch (v.state) {
      case FieldValue::State::kValue:
        // France's code, where the CDC wants a commune's (codeInsee) or none (codePaysNaissance):
        // whatever the source (a coalesce falling back on a country column, say).
        if (spec.field == Field::codeInsee && TrimBlanks(v.text) == kFranceInsee) {
          reject(spec.name, Rule::kBirthplaceFrance, ReasonInseeFrance(columns()));
        } else if (spec.field == Field::codePaysNaissance &&
                   (TrimBlanks(v.text) == kFrancePays || TrimBlanks(v.text) == kFranceInsee)) {
          reject(spec.name, Rule::kBirthplaceFrance, ReasonPaysNaissanceFrance(columns()));
        } else if (auto violation = CheckValue(spec, v.text)) {
          reject(spec.name, violation->rule, ReasonForValue(spec, *violation, v.text));
        } else {
          v.text = CanonicalValue(spec, v.text);
        }
        break;
      case FieldValue::State::kNil:
        if (!occ.nillable || spec.dico == DicoStatus::kObligatoire) {
          reject(spec.name, Rule::kNilNotAllowed, ReasonNilNotAllowed(spec));
        }
        break;
      case FieldValue::State::kAbsent: {
        if (spec.field == Field::codeInsee || spec.field == Field::codePostal) break;  // choice
        const bool mandatory = occ.required || spec.dico == DicoStatus::kObligatoire ||
                               spec.dico == DicoStatus::kObligatoireSaufNil;
        if (!mandatory) break;
        if (occ.nillable && spec.dico != DicoStatus::kObligatoire) {
          v.state = FieldValue::State::kNil;  // the dictionary: "si donnée non possédée, nil"
        } else {
          reject(spec.name, Rule::kRequired,
                 ReasonRequired(spec, columns(),
                                row.emptied_by_map[static_cast<std::size_t>(spec.field)]));
        }
        break;
      }
    }
  }

  // The mapping's ranges (not_before, not_after) on the dates its rules read, whole, before a
  // part was taken; "today" is the certifier's.
  for (const auto& [field, date] : row.dates) {
    if (!ok({field}) || !IsEmitted(Spec(field).group, p)) continue;
    const FieldRule& rule = *m.rule(field);
    auto limit = [&](const DateBound& b) { return b.today ? today_ : b.date; };
    const std::string columns = RuleColumns(rule, row.Choice(field));
    if (rule.not_after && SurelyAfter(date, limit(*rule.not_after))) {
      reject(Spec(field).name, Rule::kDateRange,
             ReasonDateRange(Spec(field), true, *rule.not_after, columns));
    } else if (rule.not_before && SurelyBefore(date, limit(*rule.not_before))) {
      reject(Spec(field).name, Rule::kDateRange,
             ReasonDateRange(Spec(field), false, *rule.not_before, columns));
    }
  }

  // The dictionary's conditional rules, on values that passed their own checks.
  const std::string& langue = p[Field::presenceNiveauLangueEuro].text;
  if (ok({Field::presenceNiveauLangueEuro, Field::niveauLangueEuropeen})) {
    if (langue == "true" && !p[Field::niveauLangueEuropeen].has_value()) {
      reject("niveauLangueEuropeen", Rule::kConditional, RenderReason("langue-absente", {}));
    } else if (langue == "false" && p[Field::niveauLangueEuropeen].has_value()) {
      reject("niveauLangueEuropeen", Rule::kConditional, RenderReason("langue-en-trop", {}));
    }
  }
  const std::string& numerique = p[Field::presenceNiveauNumeriqueEuro].text;
  if (ok({Field::presenceNiveauNumeriqueEuro})) {
    if (numerique == "true" && !p[Field::scoreGeneral].has_value() && ok({Field::scoreGeneral})) {
      reject("scoreGeneral", Rule::kConditional, RenderReason("numerique-absent", {}));
    } else if (numerique == "false") {
      for (Field f : {Field::scoreGeneral, Field::resultats}) {
        if (p[f].has_value()) {
          reject(Spec(f).name, Rule::kConditional,
                 RenderReason("numerique-en-trop", {{"champ", std::string(Spec(f).name)}}));
        }
      }
    }
  }
  if (numerique == "true" && p[Field::resultats].has_value() && ok({Field::resultats})) {
    if (auto parsed = ParseResultats(p[Field::resultats].text)) p.resultats = std::move(*parsed);
  }
  if (p[Field::voieAccessVAE].has_value() && p[Field::modaliteAcces].text != "VAE" &&
      ok({Field::voieAccessVAE, Field::modaliteAcces})) {
    reject("voieAccessVAE", Rule::kConditional, RenderReason("vae-en-trop", {}));
  }
  if (p.identification == Group::kTitulaire && p[Field::codePaysNaissance].has_value() &&
      ok({Field::codePaysNaissance, Field::codeInsee})) {
    const std::string code = p[Field::codeInsee].has_value() ? p[Field::codeInsee].text : "";
    const bool foreign = code.size() == 5 && code.starts_with("99");
    if (!foreign) {
      reject("codePaysNaissance", Rule::kConditional, RenderReason("pays-france", {}));
    } else if (p[Field::codePaysNaissance].text != code.substr(2)) {
      reject("codePaysNaissance", Rule::kConditional, RenderReason("pays-incoherent", {}));
    }
  }

  // Dates in order, and a birth date that exists.
  auto date_of = [&](Field f) -> std::optional<Date> {
    return p[f].has_value() && ok({f}) ? ParseIsoDate(p[f].text) : std::nullopt;
  };
  if (auto debut = date_of(Field::dateDebutValidite), fin = date_of(Field::dateFinValidite);
      debut && fin && *fin < *debut) {
    reject("dateFinValidite", Rule::kDateOrder, RenderReason("ordre-validite", {}));
  }
  if (auto debut = date_of(Field::dateDebutExamen), fin = date_of(Field::dateFinExamen);
      debut && fin && *fin < *debut) {
    reject("dateFinExamen", Rule::kDateOrder, RenderReason("ordre-examen", {}));
  }
  if (p.identification == Group::kTitulaire && p[Field::anneeNaissance].has_value() &&
      p[Field::moisNaissance].has_value() && p[Field::jourNaissance].has_value() &&
      ok({Field::anneeNaissance, Field::moisNaissance, Field::jourNaissance})) {
    Date birth{
        std::chrono::year(std::atoi(p[Field::anneeNaissance].text.c_str())),
        std::chrono::month(static_cast<unsigned>(std::atoi(p[Field::moisNaissance].text.c_str()))),
        std::chrono::day(static_cast<unsigned>(std::atoi(p[Field::jourNaissance].text.c_str())))};
    if (!birth.ok()) reject("jourNaissance", Rule::kBirthDate, RenderReason("date-naissance", {}));
  }
  // A day of birth means nothing without its month: refused rather than sent.
  if (p.identification == Group::kTitulaire && p[Field::jourNaissance].has_value() &&
      !p[Field::moisNaissance].has_value() && ok({Field::jourNaissance, Field::moisNaissance})) {
    reject("jourNaissance", Rule::kBirthDate, RenderReason("jour-sans-mois", {}));
  }
  // The dictionary's rules on the birth date (always on): not after today, not after the date of
  // delivery -- compared as far as it is known (year, then month, then day).
  if (p.identification == Group::kTitulaire && p[Field::anneeNaissance].has_value() &&
      ok({Field::anneeNaissance, Field::moisNaissance, Field::jourNaissance})) {
    SourceDate birth{std::atoi(p[Field::anneeNaissance].text.c_str()), 0, 0};
    std::vector<Field> compared = {Field::anneeNaissance};
    if (p[Field::moisNaissance].has_value()) {
      birth.month = static_cast<unsigned>(std::atoi(p[Field::moisNaissance].text.c_str()));
      compared.push_back(Field::moisNaissance);
      if (p[Field::jourNaissance].has_value()) {
        birth.day = static_cast<unsigned>(std::atoi(p[Field::jourNaissance].text.c_str()));
        compared.push_back(Field::jourNaissance);
      }
    }
    std::string fields;
    for (Field f : compared) fields += (fields.empty() ? "" : ", ") + std::string(Spec(f).name);
    const std::string columns = ColumnsOf(row, compared);
    if (SurelyAfter(birth, today_)) {
      reject("anneeNaissance", Rule::kBirthAfterToday, ReasonBirthAfter(true, fields, columns));
    } else if (auto debut = date_of(Field::dateDebutValidite);
               debut && SurelyAfter(birth, *debut)) {
      reject("anneeNaissance", Rule::kBirthAfterDelivery, ReasonBirthAfter(false, fields, columns));
    }
  }
  if (p[Field::obtentionCertification].text == "PAR_SCORING" &&
      p[Field::scoring].state == FieldValue::State::kNil) {
    row.warnings.push_back(
        "obtentionCertification vaut PAR_SCORING et scoring est nil : la CDC l'accepte ; vérifier "
        "que le score n'est pas disponible");
  }

  p.delivery = date_of(Field::dateDebutValidite);
  if (!row.rejections.empty()) return Verdict::kQuarantined;
  if (p.delivery && *p.delivery > today_) return Verdict::kHeld;
  return Verdict::kValid;
}

std::optional<std::string> MemorySeenIndex::Insert(Kind kind, const std::string& key,
                                                   const std::string& id_technique) {
  auto [it, inserted] = seen_.emplace(std::pair{kind, key}, id_technique);
  if (inserted) return std::nullopt;
  return it->second;
}

std::optional<std::string> MemorySeenIndex::InsertHolder(const std::string& key,
                                                         const std::vector<std::string>& traits,
                                                         const std::string& id_technique) {
  auto [begin, end] = holders_.equal_range(key);
  for (auto it = begin; it != end; ++it) {
    if (TraitsAgree(it->second.first, traits)) return it->second.second;
  }
  holders_.emplace(key, std::pair{traits, id_technique});
  return std::nullopt;
}

std::string SeenIndex::HolderRecord(const std::string&, const std::vector<std::string>&) const {
  return {};
}

std::optional<std::string> SeenIndex::InsertHolderRecord(std::string_view, const std::string&) {
  throw std::logic_error("this uniqueness index keeps no holder records");
}

bool SeenIndex::TraitsAgree(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (!a[i].empty() && !b[i].empty() && a[i] != b[i]) return false;
  }
  return true;
}

CycleChecks::CycleChecks() : index_(&own_) {}

CycleChecks::CycleChecks(SeenIndex& index) : index_(&index) {}

std::optional<Rejection> CycleChecks::RegisterIdTechnique(const Passage& p) {
  if (!index_->Insert(SeenIndex::Kind::kIdTechnique, p.id_technique, p.id_technique)) {
    return std::nullopt;
  }
  return Rejection{p.mapping ? p.mapping->name : "",
                   p.id_technique,
                   p.source_key,
                   "idTechnique",
                   Rule::kRepeatedIdTechnique,
                   RenderReason("idtechnique-repete", {{"id", p.id_technique}})};
}

std::string CycleChecks::HolderIdentity(const Passage& p) {
  std::string identity = p.certification.code + "|" + p[Field::dateDebutValidite].text + "|";
  switch (p.identification) {
    case Group::kDossierFormation:
      identity += "dossier|" + p[Field::idDossier].text;
      break;
    case Group::kIdentifiantNational:
      identity += "nir|" + ChangeCase(p[Field::nir].text, true);
      break;
    default:
      identity += "titulaire|" + FoldForComparison(p[Field::nomNaissance].text, true, true) + "|" +
                  FoldForComparison(p[Field::prenom1].text, true, true) + "|" +
                  p[Field::anneeNaissance].text + "|" + p[Field::moisNaissance].text + "|" +
                  p[Field::jourNaissance].text + "|" + p[Field::sexe].text;
  }
  return identity;
}

std::vector<std::string> CycleChecks::HolderTraits(const Passage& p) {
  if (p.identification == Group::kDossierFormation ||
      p.identification == Group::kIdentifiantNational) {
    return {};
  }
  auto known = [&p](Field f) {
    return p[f].state == FieldValue::State::kValue ? p[f].text : std::string();
  };
  return {FoldForComparison(known(Field::prenom2), true, true),
          ChangeCase(known(Field::codeInsee), true), known(Field::codePostal),
          FoldForComparison(known(Field::libelleCommuneNaissance), true, true),
          known(Field::codePaysNaissance)};
}

std::optional<Rejection> CycleChecks::RegisterHolder(const Passage& p, std::string* record) {
  const std::string identity = HolderIdentity(p);
  const std::vector<std::string> traits = HolderTraits(p);
  std::string kept = index_->HolderRecord(identity, traits);
  auto first = kept.empty() ? index_->InsertHolder(identity, traits, p.id_technique)
                            : index_->InsertHolderRecord(kept, p.id_technique);
  if (record != nullptr) *record = std::move(kept);
  if (!first) return std::nullopt;
  return Rejection{p.mapping ? p.mapping->name : "",
                   p.id_technique,
                   p.source_key,
                   "",
                   Rule::kProbableDuplicate,
                   RenderReason("doublon", {{"autre", *first}})};
}

CycleChecks::Known CycleChecks::RegisterKnown(const std::string& id_technique,
                                              std::string_view holder_record) {
  if (index_->Insert(SeenIndex::Kind::kIdTechnique, id_technique, id_technique)) {
    return Known::kIdRepeated;
  }
  if (index_->InsertHolderRecord(holder_record, id_technique)) return Known::kHolderRepeated;
  return Known::kRegistered;
}

}  // namespace accrochd::mappings
