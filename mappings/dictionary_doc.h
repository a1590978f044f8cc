// The dictionary, written out for people: the field reference of accrochd.mapping(5) is
// generated from the same table the validator and the writer read, so it cannot drift.
#ifndef ACCROCHD_MAPPINGS_DICTIONARY_DOC_H_
#define ACCROCHD_MAPPINGS_DICTIONARY_DOC_H_

#include <string>

namespace accrochd::mappings {

// Every field of the dictionary, in scdoc markup: name, dictionary id, label, type and limits,
// enumeration, occurrence in 1.1.2 and 1.1.5, dictionary status, whether it is personal data.
std::string DictionaryReferenceScdoc();

// Every quarantine rule: its name and what it means, in scdoc markup.
std::string RulesReferenceScdoc();

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_DICTIONARY_DOC_H_
