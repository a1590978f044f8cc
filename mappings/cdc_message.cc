#include "mappings/cdc_message.h"

#include <string>

namespace accrochd::mappings {
namespace {

// Compared without case and with runs of blanks as one space: the CDC's messages come from
// different tools, and "réconciliation" may lose or keep its accent.
std::string Normal(std::string_view text) {
  std::string out;
  bool blank = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

CdcMessage ClassifyCdcMessage(std::string_view message) {
  const std::string m = Normal(message);
  if (Has(m, "existe déjà en base")) return CdcMessage::kAlreadyRecorded;
  if (Has(m, "aucun titulaire ne correspond")) {
    if (Has(m, "jour et du mois de naissance")) return CdcMessage::kHolderNotFoundBirth;
    if (Has(m, "critères de reconciliation") || Has(m, "critères de réconciliation")) {
      return CdcMessage::kHolderNotReconciled;
    }
    if (Has(m, "critères obligatoires")) return CdcMessage::kHolderNotFound;
  }
  if (Has(m, "plusieurs titulaires")) return CdcMessage::kSeveralHolders;
  if (Has(m, "le statut de la certification") && Has(m, "est ko")) {
    return CdcMessage::kCertificationKo;
  }
  if (Has(m, "date de fin de validité est inférieure")) return CdcMessage::kInconsistentDates;
  return CdcMessage::kUnknown;
}

std::string_view CdcMessageName(CdcMessage m) {
  switch (m) {
    case CdcMessage::kAlreadyRecorded:
      return "already-recorded";
    case CdcMessage::kCertificationKo:
      return "certification-ko";
    case CdcMessage::kHolderNotFound:
      return "holder-not-found";
    case CdcMessage::kHolderNotFoundBirth:
      return "holder-not-found-birth";
    case CdcMessage::kHolderNotReconciled:
      return "holder-not-reconciled";
    case CdcMessage::kSeveralHolders:
      return "several-holders";
    case CdcMessage::kInconsistentDates:
      return "inconsistent-dates";
    case CdcMessage::kUnknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace accrochd::mappings
