// libxml2, seen from the rest of accrochd. The deposit writer, the XSD validator and the
// receipt reader will live in this module; libxml2's types never leave it.
#ifndef ACCROCHD_CONNECTORS_XML_XML_LIBRARY_H_
#define ACCROCHD_CONNECTORS_XML_XML_LIBRARY_H_

#include <string>

namespace accrochd::xml {

// The version of the libxml2 actually loaded, e.g. "2.9.14".
std::string LibXml2Version();

}  // namespace accrochd::xml

#endif  // ACCROCHD_CONNECTORS_XML_XML_LIBRARY_H_
