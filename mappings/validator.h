// Validation of mapped passages for a schema version: every facet of the XSD (lengths in
// characters, enumerations, real calendar dates in 1900-2099, integers and their ranges, the
// NIR pattern, XML 1.0 characters), nil rules, the dictionary's conditional rules, the order of
// dates; the birth date's own rules (a real date, no day without its month, not after today
// nor after the date of delivery); the mapping's date ranges (not_before, not_after); and two
// rules beyond the XSD: a passage delivered in the future is held back until its day, and the
// same passage under two keys is a probable duplicate.
#ifndef ACCROCHD_MAPPINGS_VALIDATOR_H_
#define ACCROCHD_MAPPINGS_VALIDATOR_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "mappings/dictionary.h"
#include "mappings/passage.h"

namespace accrochd::mappings {

enum class Verdict {
  kValid,        // ready for a deposit
  kHeld,         // valid, but its date of delivery is after today: not due yet
  kQuarantined,  // at least one Rejection
};

class Validator {
 public:
  // `today` is the certifier's local date: it holds back future deliveries, and it is the
  // "today" of the birth-date rule and of the mappings' `not_before/not_after: today`.
  Validator(SchemaVersion version, Date today) : version_(version), today_(today) {}

  // Completes and checks `row.passage` in place: canonical values, nil for absent values the
  // dictionary allows to be nil, codePaysNaissance derived from a 99XXX codeInsee, the
  // identification branch chosen; appends a Rejection per broken rule.
  Verdict Check(MappedRow& row) const;

 private:
  SchemaVersion version_;
  Date today_;
};

// Where a cycle remembers what it has seen: keys and the idTechnique that came with each.
// In memory for bounded reads (preview, validate); the daemon's cycles use one on disk, in the
// state store, so that memory stays flat whatever the number of passages.
class SeenIndex {
 public:
  enum class Kind { kIdTechnique, kHolder };
  virtual ~SeenIndex() = default;
  // Records `key` with `id_technique`; when `key` was already recorded, returns the idTechnique
  // recorded with it and changes nothing.
  virtual std::optional<std::string> Insert(Kind kind, const std::string& key,
                                            const std::string& id_technique) = 0;
  // Holders: `key` is the identity compared exactly; `traits` what tells apart two holders of
  // that identity when both have it ("" when unknown). Returns the idTechnique of an earlier
  // holder with the same key whose traits agree (TraitsAgree), recording nothing; else records
  // this holder and returns nullopt.
  virtual std::optional<std::string> InsertHolder(const std::string& key,
                                                  const std::vector<std::string>& traits,
                                                  const std::string& id_technique) = 0;
  // A holder in the form this index records it (of InsertHolder's key and traits), for the
  // state store to keep with its passage, so that a later cycle registers the holder of a row it
  // does not map again (InsertHolderRecord). Empty when the index has no such form: the one in
  // memory keeps identities as they are and never lets them out.
  virtual std::string HolderRecord(const std::string& key,
                                   const std::vector<std::string>& traits) const;
  // InsertHolder, for a record HolderRecord made (in this cycle or an earlier one, under the
  // same hash key). Only on an index whose records are not empty: the default throws.
  virtual std::optional<std::string> InsertHolderRecord(std::string_view record,
                                                        const std::string& id_technique);
  // Whether two holders' traits agree: no trait known to both differs.
  static bool TraitsAgree(const std::vector<std::string>& a, const std::vector<std::string>& b);
};

class MemorySeenIndex : public SeenIndex {
 public:
  std::optional<std::string> Insert(Kind kind, const std::string& key,
                                    const std::string& id_technique) override;
  std::optional<std::string> InsertHolder(const std::string& key,
                                          const std::vector<std::string>& traits,
                                          const std::string& id_technique) override;

 private:
  std::map<std::pair<Kind, std::string>, std::string> seen_;
  std::multimap<std::string, std::pair<std::vector<std::string>, std::string>> holders_;
};

// What one cycle has seen of a certifier's passages: the CDC wants an idTechnique used once per
// émetteur, and one passage per holder, certification and date of delivery. Not thread-safe.
class CycleChecks {
 public:
  CycleChecks();  // in memory
  explicit CycleChecks(SeenIndex& index);
  CycleChecks(const CycleChecks&) = delete;
  CycleChecks& operator=(const CycleChecks&) = delete;

  // A rejection when `p` repeats an idTechnique already seen in this cycle. Every identified
  // row is registered, quarantined ones too: once the first is corrected, the two would collide
  // at the CDC.
  std::optional<Rejection> RegisterIdTechnique(const Passage& p);

  // A rejection when `p` is a probable duplicate of an earlier valid passage: the same
  // certification, the same holder (birth name and first name compared without case or
  // accents, birth date, sex; or the same idDossier, or the same NIR) and the same date of
  // delivery -- unless both carry a second first name, a birthplace (codeInsee, codePostal,
  // libelleCommuneNaissance, codePaysNaissance) that differ: then they are two people. The
  // first seen is kept; the later is the one rejected.
  // With `record`, also gives the holder's record (SeenIndex::HolderRecord: empty in memory),
  // for the state store to keep.
  std::optional<Rejection> RegisterHolder(const Passage& p, std::string* record = nullptr);

  // A row the state store knows unchanged (its source values are those last recorded, and it is
  // not mapped again): registers its idTechnique, then its holder from the record kept, as
  // RegisterIdTechnique and RegisterHolder would have. kIdRepeated: nothing registered (the
  // idTechnique was seen earlier in this cycle); kHolderRepeated: the idTechnique only (an
  // earlier holder of this cycle agrees). In both, the row is to be mapped and checked like any
  // other -- without registering its idTechnique again after kHolderRepeated -- so that it gets
  // the same rejection.
  enum class Known { kRegistered, kIdRepeated, kHolderRepeated };
  Known RegisterKnown(const std::string& id_technique, std::string_view holder_record);

  // The holder's identity as RegisterHolder compares it (personal data: for hashing only).
  static std::string HolderIdentity(const Passage& p);
  // What tells apart two holders of the same identity, when both have it: the second first
  // name, codeInsee, codePostal, libelleCommuneNaissance (folded like the names) and
  // codePaysNaissance; "" when absent. Empty for an idDossier or a NIR (exact identifiers).
  static std::vector<std::string> HolderTraits(const Passage& p);

 private:
  MemorySeenIndex own_;
  SeenIndex* index_;
};

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_VALIDATOR_H_
