#include "mappings/cdc_message.h"

#include "core/text.h"

namespace accrochd::mappings {
namespace {

unsigned char Byte(std::string_view s, std::size_t i) {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}

// What the character at s[i] becomes before folding: `len` bytes read, `out` what replaces them
// (possibly nothing). False when the character is kept as it is.
bool Substitute(std::string_view s, std::size_t i, std::size_t& len, std::string_view& out) {
  const unsigned char b0 = Byte(s, i), b1 = Byte(s, i + 1), b2 = Byte(s, i + 2);
  switch (b0) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
      len = 1;
      out = " ";
      return true;
    case '`':
      len = 1;
      out = "'";
      return true;
    case 0xC2:
      if (b1 == 0xA0) {  // U+00A0 no-break space
        len = 2;
        out = " ";
        return true;
      }
      if (b1 == 0xB4) {  // U+00B4 acute accent, typed for an apostrophe
        len = 2;
        out = "'";
        return true;
      }
      if (b1 == 0xAD) {  // U+00AD soft hyphen
        len = 2;
        out = "";
        return true;
      }
      return false;
    case 0xCA:
      if (b1 == 0xBC) {  // U+02BC modifier letter apostrophe
        len = 2;
        out = "'";
        return true;
      }
      return false;
    case 0xCC:  // U+0300..U+033F: combining accents of a decomposed (NFD) text
      if (b1 >= 0x80 && b1 <= 0xBF) {
        len = 2;
        out = "";
        return true;
      }
      return false;
    case 0xCD:  // U+0340..U+036F
      if (b1 >= 0x80 && b1 <= 0xAF) {
        len = 2;
        out = "";
        return true;
      }
      return false;
    case 0xE2:
      if (b1 == 0x80) {
        if (b2 >= 0x80 && b2 <= 0x8A) {  // U+2000..U+200A: en, em, thin... spaces
          len = 3;
          out = " ";
          return true;
        }
        if (b2 >= 0x8B && b2 <= 0x8D) {  // U+200B..U+200D: zero-width
          len = 3;
          out = "";
          return true;
        }
        if (b2 == 0x98 || b2 == 0x99 || b2 == 0xB2) {  // U+2018, U+2019, U+2032
          len = 3;
          out = "'";
          return true;
        }
        if (b2 == 0xAF) {  // U+202F narrow no-break space
          len = 3;
          out = " ";
          return true;
        }
      }
      return false;
    case 0xEF:
      if (b1 == 0xBB && b2 == 0xBF) {  // U+FEFF byte order mark / zero-width no-break space
        len = 3;
        out = "";
        return true;
      }
      return false;
    default:
      return false;
  }
}

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// « Le passage certification avec le bcr émetteur <BCR> et l'id technique partenaire <id>
// existe déjà en base », in normal form, whole: the BCR one word, the id not empty, at most a
// final full stop after it. Nothing shorter, longer or different -- « Le titulaire existe déjà
// en base », « … existe déjà en base pour un autre titulaire » -- is the passage's duplicate.
bool IsPassageDuplicate(std::string_view m) {
  constexpr std::string_view kStart = "le passage certification avec le bcr emetteur ";
  constexpr std::string_view kMiddle = " et l'id technique partenaire ";
  constexpr std::string_view kEnd = " existe deja en base";
  if (m.ends_with('.')) m.remove_suffix(1);
  if (m.ends_with(' ')) m.remove_suffix(1);  // "… en base ." (one space at most: normal form)
  if (!m.starts_with(kStart) || !m.ends_with(kEnd)) return false;
  m.remove_prefix(kStart.size());
  if (m.size() < kEnd.size()) return false;
  m.remove_suffix(kEnd.size());
  const std::size_t middle = m.find(kMiddle);
  if (middle == std::string_view::npos) return false;
  const std::string_view bcr = m.substr(0, middle);
  const std::string_view id = m.substr(middle + kMiddle.size());
  return !bcr.empty() && bcr.find(' ') == std::string_view::npos && !id.empty();
}

}  // namespace

std::string NormalizeCdcMessage(std::string_view message) {
  std::string replaced;
  replaced.reserve(message.size());
  for (std::size_t i = 0; i < message.size();) {
    std::size_t len = 0;
    std::string_view out;
    if (Substitute(message, i, len, out)) {
      replaced += out;
      i += len;
    } else {
      replaced += message[i++];
    }
  }
  const std::string folded = FoldForComparison(replaced, true, true);
  std::string normal;
  normal.reserve(folded.size());
  bool blank = false;
  for (char c : folded) {
    if (c == ' ') {
      blank = !normal.empty();
      continue;
    }
    if (blank) normal += ' ';
    blank = false;
    normal += c;
  }
  return normal;
}

CdcMessage ClassifyCdcMessage(std::string_view message) {
  const std::string m = NormalizeCdcMessage(message);
  if (IsPassageDuplicate(m)) return CdcMessage::kAlreadyRecorded;
  // The others are rejections whatever their class: a class only chooses the advice, so they
  // are recognised by their telling words.
  if (Has(m, "aucun titulaire ne correspond")) {
    if (Has(m, "jour et du mois de naissance")) return CdcMessage::kHolderNotFoundBirth;
    if (Has(m, "criteres de reconciliation")) return CdcMessage::kHolderNotReconciled;
    if (Has(m, "criteres obligatoires")) return CdcMessage::kHolderNotFound;
  }
  if (Has(m, "plusieurs titulaires")) return CdcMessage::kSeveralHolders;
  if (Has(m, "le statut de la certification") && Has(m, "est ko")) {
    return CdcMessage::kCertificationKo;
  }
  if (Has(m, "date de fin de validite est inferieure")) return CdcMessage::kInconsistentDates;
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
