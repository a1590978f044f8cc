// The idTechniques a mapping's deleted_query names: each of its rows read the way the mapper
// reads a row's key (NFC, blanks trimmed; the key values joined with "-", or the mapping's
// id_technique template), so that a deleted row names the passage its row made.
#ifndef ACCROCHD_MAPPINGS_DELETED_KEYS_H_
#define ACCROCHD_MAPPINGS_DELETED_KEYS_H_

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/source_row.h"
#include "mappings/mapping.h"

namespace accrochd::mappings {

class DeletedKeys {
 public:
  // A kConfig error, naming the deleted_query's place in the mapping file, when the result
  // lacks a column the idTechnique is made from.
  static Result<DeletedKeys> Bind(const Mapping& mapping, const source::Columns& columns);

  // The columns a mapping's deleted_query must return: the key (or those its id_technique
  // reads) and the cursor column, by which the source filters it as it filters the query.
  static std::vector<std::string> RequiredColumns(const Mapping& mapping);

  // The idTechnique of one row; nullopt when a key value is missing (NULL or blank): such a row
  // names no passage.
  std::optional<std::string> IdOf(const source::SourceRow& row) const;

 private:
  const Mapping* mapping_ = nullptr;
  std::vector<std::size_t> key_columns_;
  std::vector<std::optional<std::size_t>> id_parts_;  // nullopt: a literal of the template
};

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_DELETED_KEYS_H_
