// Validation of deposit files against an XSD with libxml2, streaming (SAX: no DOM of a 100 MB
// file), with network access and entity expansion off.
#ifndef ACCROCHD_CONNECTORS_XML_XSD_VALIDATOR_H_
#define ACCROCHD_CONNECTORS_XML_XSD_VALIDATOR_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_system.h"

namespace accrochd::xml {

struct XsdError {
  int line = 0;
  int column = 0;                // 0 when libxml2 does not say
  std::string element;           // local name of the element at fault, when the message names one
  std::string message;           // libxml2's message, without the trailing newline
  bool well_formedness = false;  // the file is not even well-formed XML
};

// A compiled schema. Immutable and shareable between threads once built.
class XsdSchema {
 public:
  static Result<std::shared_ptr<const XsdSchema>> FromFile(const std::string& path);
  static Result<std::shared_ptr<const XsdSchema>> FromText(const std::string& text,
                                                           const std::string& name);
  ~XsdSchema();
  XsdSchema(const XsdSchema&) = delete;
  XsdSchema& operator=(const XsdSchema&) = delete;

  // The errors in `path` (empty when it is valid); at most `max_errors` are kept. An error
  // value only when the file cannot be read.
  Result<std::vector<XsdError>> Validate(const std::string& path,
                                         std::size_t max_errors = 1000) const;
  // The same of a file open for reading, from where it is: a read error is returned as such.
  Result<std::vector<XsdError>> Validate(ReadableFile& file, std::size_t max_errors = 1000) const;

  const std::string& name() const { return name_; }

 private:
  XsdSchema(void* schema, std::string name) : schema_(schema), name_(std::move(name)) {}
  void* schema_;  // xmlSchemaPtr, kept out of this header
  std::string name_;
};

}  // namespace accrochd::xml

#endif  // ACCROCHD_CONNECTORS_XML_XSD_VALIDATOR_H_
