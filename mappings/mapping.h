// A mapping: how one certification's passages are read from a certifier's database.
//
// This first version holds what extraction needs -- the certification, the source, the query
// and its paging. Field mappings onto the CDC dictionary come with the mapping language.
#ifndef ACCROCHD_MAPPINGS_MAPPING_H_
#define ACCROCHD_MAPPINGS_MAPPING_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"

namespace accrochd::mappings {

struct Certification {
  std::string type;  // CDC "type": RNCP, RS, ... (dictionary 4.1)
  std::string code;  // CDC "code": RNCP34567, RS5875, ... (dictionary 4.2)
};

struct Mapping {
  std::string name;  // file name without directory and extension; names the mapping in messages
  std::string file;
  Certification certification;
  std::string source;  // name of a source in accrochd.yaml
  Location source_location;
  std::string query;  // one SELECT
  Location query_location;
  std::vector<std::string> page_by;  // keyset paging columns; empty: one statement
  std::size_t page_size = 10'000;
};

// Reads one mapping file. Every problem found is added to `diagnostics`, and the mapping is
// returned with what could be read, so that callers can check it further (its source, say) and
// report everything in one pass; it is valid only if no diagnostic was added. nullopt when the
// file cannot be read or parsed at all.
std::optional<Mapping> LoadMapping(const std::string& path, Diagnostics& diagnostics);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_MAPPING_H_
