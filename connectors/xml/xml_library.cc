#include "connectors/xml/xml_library.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "core/text.h"

namespace accrochd::xml {
namespace {

constexpr std::size_t kMaxMessage = 200;

std::string_view DomainName(int domain) {
  switch (domain) {
    case XML_FROM_IO:
      return "I/O";
    case XML_FROM_OUTPUT:
      return "output";
    case XML_FROM_WRITER:
      return "writer";
    case XML_FROM_PARSER:
      return "parser";
    case XML_FROM_SCHEMASP:
    case XML_FROM_SCHEMASV:
      return "schema";
    default:
      return "library";
  }
}

// One line, at most kMaxMessage bytes, whole UTF-8 characters, nothing invalid.
std::string OneLine(std::string_view text) {
  std::string line;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      if (!line.empty()) break;
      continue;
    }
    line += c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.size() > kMaxMessage) {
    std::size_t cut = kMaxMessage;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line.resize(cut);
    line += "...";
  }
  if (!IsValidUtf8(line)) line = "(a message that is not valid UTF-8)";
  return line;
}

void RouteStructured(void* context, xmlErrorPtr error) {
  if (context == nullptr || error == nullptr) return;
  const std::string message = OneLine(error->message != nullptr ? error->message : "");
  static_cast<Logger*>(context)->Warning("libxml2 (" + std::string(DomainName(error->domain)) +
                                         " error " + std::to_string(error->code) + "): " + message);
}

// Messages libxml2 prints without going through its structured errors come in pieces; a line
// is logged once complete.
__attribute__((format(printf, 2, 3))) void RouteGeneric(void* context, const char* format, ...);
void RouteGeneric(void* context, const char* format, ...) {
  if (context == nullptr || format == nullptr) return;
  thread_local std::string pending;
  char piece[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(piece, sizeof(piece), format, args);
  va_end(args);
  if (pending.size() < 4 * kMaxMessage) pending += piece;
  const std::size_t end = pending.find('\n');
  if (end == std::string::npos) return;
  const std::string message = OneLine(pending.substr(0, end));
  pending.clear();  // what followed on other lines is the document's excerpt: not logged
  if (!message.empty()) static_cast<Logger*>(context)->Warning("libxml2: " + message);
}

}  // namespace

std::string LibXml2Version() {
  // xmlParserVersion is the run-time library's version as digits: "20914" for 2.9.14.
  long v = std::strtol(xmlParserVersion, nullptr, 10);
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100);
}

LibraryErrors::LibraryErrors(Logger& logger) {
  xmlInitParser();
  xmlSetStructuredErrorFunc(&logger, &RouteStructured);
  xmlThrDefSetStructuredErrorFunc(&logger, &RouteStructured);
  xmlSetGenericErrorFunc(&logger, &RouteGeneric);
  xmlThrDefSetGenericErrorFunc(&logger, &RouteGeneric);
}

LibraryErrors::~LibraryErrors() {
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  xmlThrDefSetStructuredErrorFunc(nullptr, nullptr);
  xmlSetGenericErrorFunc(nullptr, nullptr);
  xmlThrDefSetGenericErrorFunc(nullptr, nullptr);
}

}  // namespace accrochd::xml
