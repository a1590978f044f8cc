#include "connectors/xml/xml_library.h"

#include <cstdlib>

#include <libxml/parser.h>

namespace accrochd::xml {

std::string LibXml2Version() {
  // xmlParserVersion is the run-time library's version as digits: "20914" for 2.9.14.
  long v = std::strtol(xmlParserVersion, nullptr, 10);
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100);
}

}  // namespace accrochd::xml
