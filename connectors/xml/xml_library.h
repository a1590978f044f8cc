// libxml2, seen from the rest of accrochd. The deposit writer, the XSD validator and the
// receipt reader will live in this module; libxml2's types never leave it.
#ifndef ACCROCHD_CONNECTORS_XML_XML_LIBRARY_H_
#define ACCROCHD_CONNECTORS_XML_XML_LIBRARY_H_

#include <string>

#include "core/log.h"

namespace accrochd::xml {

// The version of the libxml2 actually loaded, e.g. "2.9.14".
std::string LibXml2Version();

// While alive, whatever libxml2 would print on stderr by itself (an I/O error while a file is
// flushed, say) goes to `logger` as a warning instead, one line per message, clipped, without
// the excerpt of the document libxml2 adds to parser errors. The code that called libxml2
// reports the failure itself; this keeps the library's own words out of a bare stderr and in
// the journal. Covers the thread that creates it and every thread started after; the parts that
// collect libxml2's errors themselves (XSD validation, receipts) take over for their call and
// restore it. Create one, early in main; `logger` must outlive it.
class LibraryErrors {
 public:
  explicit LibraryErrors(Logger& logger);
  ~LibraryErrors();
  LibraryErrors(const LibraryErrors&) = delete;
  LibraryErrors& operator=(const LibraryErrors&) = delete;
};

}  // namespace accrochd::xml

#endif  // ACCROCHD_CONNECTORS_XML_XML_LIBRARY_H_
