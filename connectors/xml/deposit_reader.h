// Reads a deposit file back into passages, streaming (libxml2's xmlTextReader, network and
// entity expansion off), for `accrochd validate`: the dictionary's rules that the XSD cannot
// express are then checked on each passage by the same validator as mapped rows.
#ifndef ACCROCHD_CONNECTORS_XML_DEPOSIT_READER_H_
#define ACCROCHD_CONNECTORS_XML_DEPOSIT_READER_H_

#include <deque>
#include <memory>
#include <string>

#include "core/error.h"
#include "mappings/mapping.h"
#include "mappings/passage.h"

namespace accrochd::xml {

struct ReadPassage {
  // passage.certification is the one it is filed under; passage.mapping, named after the code,
  // carries its natureDeposant (no rules).
  mappings::Passage passage;
  int line = 0;
  int column = 0;
};

// Not thread-safe.
class DepositReader {
 public:
  static Result<std::unique_ptr<DepositReader>> Open(const std::string& path);
  ~DepositReader();
  DepositReader(const DepositReader&) = delete;
  DepositReader& operator=(const DepositReader&) = delete;

  // The next passage; false at the end. An error when the file is not well-formed XML.
  Result<bool> Next(ReadPassage& out);

  // The flux's action (1.1.5): CREATION unless the file says SUPPRESSION.
  const std::string& action() const { return action_; }

 private:
  explicit DepositReader(void* reader, std::string path)
      : reader_(reader), path_(std::move(path)) {}

  void* reader_;  // xmlTextReaderPtr, kept out of this header
  std::string path_;
  std::string action_ = "CREATION";
  std::string type_, code_, nature_;
  std::deque<mappings::Mapping> certifications_;  // stable addresses for passage.mapping
};

}  // namespace accrochd::xml

#endif  // ACCROCHD_CONNECTORS_XML_DEPOSIT_READER_H_
