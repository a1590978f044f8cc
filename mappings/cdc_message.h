// The CDC's normalised messages about a rejected passage (its accusé de traitement, GUIDE-AT V3;
// ../shared/cdc/README.md §7), classified so that receipts and alerts can say what to do. The
// message itself is always kept verbatim beside its class; the words of the action are in the
// templates.
//
// Conservative by rule: only the passage-level duplicate, whole, means "the CDC has it". Any
// other message -- known, unknown, or one that merely contains « existe déjà en base » (« Le
// titulaire existe déjà en base ») -- is a rejection, so that a passage never counts as received
// when the CDC did not record it.
#ifndef ACCROCHD_MAPPINGS_CDC_MESSAGE_H_
#define ACCROCHD_MAPPINGS_CDC_MESSAGE_H_

#include <string>
#include <string_view>

namespace accrochd::mappings {

enum class CdcMessage {
  // « Le passage certification avec le bcr émetteur <BCR> et l'id technique partenaire <id>
  // existe déjà en base » (GUIDE-AT "Doublons"): the CDC has this passage; accepted.
  kAlreadyRecorded,
  kCertificationKo,      // « Le statut de la certification … est KO »: code or type wrong
  kHolderNotFound,       // « Aucun titulaire ne correspond aux critères obligatoires »
  kHolderNotFoundBirth,  // … « enrichis du jour et du mois de naissance »
  kHolderNotReconciled,  // « … aux critères de reconciliation »
  kSeveralHolders,       // « Plusieurs titulaires ont été identifiés »
  kInconsistentDates,    // « La date de fin de validité est inférieure à date de début … »
  kUnknown,              // anything else: rejected, the text kept as it is
};

// Compared on a normal form (see NormalizeCdcMessage). Only kAlreadyRecorded is an acceptance,
// and it needs the duplicate's whole wording, from its first word to its last.
CdcMessage ClassifyCdcMessage(std::string_view message);

// True for the one class that means the CDC recorded the passage.
inline bool IsAcceptance(CdcMessage m) { return m == CdcMessage::kAlreadyRecorded; }

// The form messages are compared in: lower case, accents removed (precomposed or combining),
// typographic apostrophes (’ ‘ ʼ ´ `) as ', every run of blanks (no-break and thin spaces, line
// ends) as one space, none at either end; zero-width characters dropped. Exposed for tests.
std::string NormalizeCdcMessage(std::string_view message);

// "already-recorded", "certification-ko", "holder-not-found", "holder-not-found-birth",
// "holder-not-reconciled", "several-holders", "inconsistent-dates", "unknown": for templates
// (action_<name with underscores>) and the JSON payload.
std::string_view CdcMessageName(CdcMessage m);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_CDC_MESSAGE_H_
