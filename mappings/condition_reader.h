// Reading conditions and row rules from a mapping file (for the mapping loader only: it brings
// in the YAML reader).
#ifndef ACCROCHD_MAPPINGS_CONDITION_READER_H_
#define ACCROCHD_MAPPINGS_CONDITION_READER_H_

#include <optional>
#include <string>

#include "core/yaml/yaml_reader.h"
#include "mappings/condition.h"
#include "mappings/mapping.h"

namespace accrochd::mappings {

// Reads the condition held by the keys of `reader` (column and one test, or all/any), marking
// them known; the caller may read other keys of the same mapping (label) and calls Finish().
// Every problem is reported at its line and column; nullopt when the condition is unusable.
std::optional<Condition> ReadCondition(yaml::FileReader& file, yaml::MapReader& reader,
                                       const std::string& path, int depth = 0);

// The same for a node that holds only a condition.
std::optional<Condition> ReadConditionNode(yaml::FileReader& file, const YAML::Node& node,
                                           const std::string& path, int depth = 0);

// Reads the top-level skip_when, quarantine_when and require lists of a mapping into `m`.
void ReadRowRules(yaml::FileReader& file, yaml::MapReader& top, Mapping& m);

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_CONDITION_READER_H_
