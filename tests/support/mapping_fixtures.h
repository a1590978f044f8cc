// Mapping texts for tests that need a valid mapping but do not test the mapping language.
#ifndef ACCROCHD_TESTS_SUPPORT_MAPPING_FIXTURES_H_
#define ACCROCHD_TESTS_SUPPORT_MAPPING_FIXTURES_H_

#include <string>

namespace accrochd::testing {

// The dictionary's mandatory fields (for a titulaire), all from constants or nil, so that any
// query returning a column `key_column` makes a valid mapping.
inline std::string MinimalFields() {
  return "fields:\n"
         "  dateDebutValidite: {constant: \"2026-01-15\"}\n"
         "  dateFinValidite: nil\n"
         "  obtentionCertification: {constant: PAR_ADMISSION}\n"
         "  donneeCertifiee: {constant: true}\n"
         "  presenceNiveauLangueEuro: {constant: false}\n"
         "  presenceNiveauNumeriqueEuro: {constant: false}\n"
         "  scoring: nil\n"
         "  mentionValidee: nil\n"
         "  modaliteAcces: nil\n"
         "  nomNaissance: {constant: DUPONT}\n"
         "  nomUsage: nil\n"
         "  prenom1: {constant: Jean}\n"
         "  anneeNaissance: {constant: 1990}\n"
         "  moisNaissance: nil\n"
         "  jourNaissance: nil\n"
         "  sexe: {constant: M}\n"
         "  codePostal: nil\n";
}

// A complete mapping file reading `query` from `source`, keyed on `key_column`.
inline std::string MinimalMapping(const std::string& source, const std::string& query,
                                  const std::string& key_column = "id") {
  return "certification:\n  type: RNCP\n  code: RNCP35830\nsource: " + source +
         "\nquery: " + query + "\nkey: " + key_column + "\n" + MinimalFields();
}

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_MAPPING_FIXTURES_H_
