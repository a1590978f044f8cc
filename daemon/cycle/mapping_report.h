// What an extraction reports of a mapping, and the rows it hands to preview.
#ifndef ACCROCHD_DAEMON_CYCLE_MAPPING_REPORT_H_
#define ACCROCHD_DAEMON_CYCLE_MAPPING_REPORT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "mappings/passage.h"
#include "mappings/validator.h"

namespace accrochd::daemon {

// During an extraction the map+validate stage fills the counts of what was read and the record
// stage `fresh`, `updated` and `changed_after_acceptance`, each on its own thread (distinct
// members); the report is read once the extraction has returned.
struct MappingReport {
  std::string certifier;
  std::string mapping;
  std::string source;
  Date today{};
  bool incremental = false;  // read from a bookmark, not whole
  std::uint64_t rows = 0;
  std::uint64_t valid = 0;
  std::uint64_t held = 0;
  std::uint64_t quarantined = 0;
  std::uint64_t warnings = 0;
  std::uint64_t fresh = 0;    // passages seen for the first time
  // Rows whose source values are those the store recorded, of a passage an unchanged row leaves
  // as it is (daemon/cycle/evaluation.h): counted valid, not mapped again.
  std::uint64_t unchanged = 0;
  std::uint64_t updated = 0;  // pending or quarantined passages whose content changed
  std::uint64_t changed_after_acceptance = 0;  // reported, never sent again on their own
  // Rows a skip_when rule took out (not for the CDC: neither validated nor recorded), in all and
  // per rule: its label and count, in the mapping's order.
  std::uint64_t skipped = 0;
  std::vector<std::pair<std::string, std::uint64_t>> skipped_by;
  std::vector<mappings::Rejection> rejections;  // of the quarantined passages
  bool complete = true;  // false: reading stopped part-way (the certifier's failure says why)
};

// A row once mapped and validated, handed to preview.
struct EvaluatedRow {
  mappings::MappedRow row;
  mappings::Verdict verdict;
  // For the state store (store::Observation): the keyed digest of the row's source values, and
  // its holder's record in the cycle's uniqueness index (empty: not registered, the row is not
  // valid). Empty without a store.
  std::string row_digest;
  std::string holder_record;
  // The passage's content hash for the store (PassageStore::ContentHash), made on the
  // map+validate thread rather than on the record stage's, which sets a backfill's pace. Empty:
  // not made (no store, or not a row the store records).
  std::string content_hash;
};
using RowSink = std::function<void(const EvaluatedRow&)>;

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_CYCLE_MAPPING_REPORT_H_
