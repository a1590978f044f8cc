// The CDC's normalised messages about a rejected passage (its accusé de traitement, GUIDE-AT V3;
// ../shared/cdc/README.md §7), classified so that alerts and receipts can say what to do. The
// message itself is always kept verbatim beside its class; the words of the action are in the
// templates.
#ifndef ACCROCHD_MAPPINGS_CDC_MESSAGE_H_
#define ACCROCHD_MAPPINGS_CDC_MESSAGE_H_

#include <string_view>

namespace accrochd::mappings {

enum class CdcMessage {
  kAlreadyRecorded,      // « … existe déjà en base »: the CDC has it; accepted
  kCertificationKo,      // « Le statut de la certification … est KO »: code or type wrong
  kHolderNotFound,       // « Aucun titulaire ne correspond aux critères obligatoires »
  kHolderNotFoundBirth,  // … « enrichis du jour et du mois de naissance »
  kHolderNotReconciled,  // « … aux critères de reconciliation »
  kSeveralHolders,       // « Plusieurs titulaires ont été identifiés »
  kInconsistentDates,    // « La date de fin de validité est inférieure à date de début … »
  kUnknown,              // anything else: rejected, the text kept as it is
};

CdcMessage ClassifyCdcMessage(std::string_view message);

// "already-recorded", "certification-ko", "holder-not-found", "holder-not-found-birth",
// "holder-not-reconciled", "several-holders", "inconsistent-dates", "unknown": for templates
// (action_<name with underscores>) and the JSON payload.
std::string_view CdcMessageName(CdcMessage m);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_CDC_MESSAGE_H_
