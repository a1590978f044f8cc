#include "connectors/xml/xsd_validator.h"

#include <cerrno>
#include <cstring>
#include <mutex>
#include <regex>

#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "connectors/xml/error_capture.h"

namespace accrochd::xml {
namespace {

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

struct Collector {
  std::vector<XsdError> errors;
  std::size_t max = 1000;
  std::size_t dropped = 0;
};

std::string Trim(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// "Element '{urn:...}nomNaissance': ..." -> "nomNaissance"
std::string ElementOf(const std::string& message) {
  static const std::regex kElement(R"(Element '(?:\{[^}]*\})?([^']+)')");
  std::smatch m;
  if (std::regex_search(message, m, kElement)) return m[1].str();
  return "";
}

void Collect(void* context, xmlErrorPtr error) {
  auto* c = static_cast<Collector*>(context);
  if (error == nullptr) return;
  if (c->errors.size() >= c->max) {
    ++c->dropped;
    return;
  }
  XsdError e;
  e.line = error->line;
  e.column = error->int2;
  e.message = Trim(error->message);
  e.element = ElementOf(e.message);
  e.well_formedness = error->domain == XML_FROM_PARSER;
  c->errors.push_back(std::move(e));
}


}  // namespace

Result<std::shared_ptr<const XsdSchema>> XsdSchema::FromFile(const std::string& path) {
  InitOnce();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(ErrorKind::kConfig, "cannot read the XSD " + path + ": " + std::strerror(errno));
  }
  Collector collector;
  ErrorCapture capture(&collector, &Collect);
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(path.c_str());
  if (parser == nullptr) return Fail(ErrorKind::kInternal, "cannot create an XSD parser");
  xmlSchemaSetParserStructuredErrors(parser, &Collect, &collector);
  xmlSchemaPtr schema = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  if (schema == nullptr) {
    std::string why = collector.errors.empty()
                          ? "not a usable XSD"
                          : collector.errors.front().message + " (line " +
                                std::to_string(collector.errors.front().line) + ")";
    return Fail(ErrorKind::kConfig, "the XSD " + path + " cannot be used: " + why);
  }
  return std::shared_ptr<const XsdSchema>(new XsdSchema(schema, path));
}

Result<std::shared_ptr<const XsdSchema>> XsdSchema::FromText(const std::string& text,
                                                             const std::string& name) {
  InitOnce();
  Collector collector;
  ErrorCapture capture(&collector, &Collect);
  xmlSchemaParserCtxtPtr parser =
      xmlSchemaNewMemParserCtxt(text.data(), static_cast<int>(text.size()));
  if (parser == nullptr) return Fail(ErrorKind::kInternal, "cannot create an XSD parser");
  xmlSchemaSetParserStructuredErrors(parser, &Collect, &collector);
  xmlSchemaPtr schema = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  if (schema == nullptr) {
    return Fail(
        ErrorKind::kInternal,
        "the schema " + name + " cannot be compiled: " +
            (collector.errors.empty() ? std::string("?") : collector.errors.front().message));
  }
  return std::shared_ptr<const XsdSchema>(new XsdSchema(schema, name));
}

XsdSchema::~XsdSchema() { xmlSchemaFree(static_cast<xmlSchemaPtr>(schema_)); }

Result<std::vector<XsdError>> XsdSchema::Validate(const std::string& path,
                                                  std::size_t max_errors) const {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(ErrorKind::kIo, "cannot read " + path + ": " + std::strerror(errno));
  }
  Collector collector;
  collector.max = max_errors;
  ErrorCapture capture(&collector, &Collect);
  xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(static_cast<xmlSchemaPtr>(schema_));
  if (context == nullptr) return Fail(ErrorKind::kInternal, "cannot create an XSD validator");
  xmlSchemaSetValidStructuredErrors(context, &Collect, &collector);
  // Streaming validation; no network, no entity expansion (the default), no DTD loading.
  int rc = xmlSchemaValidateFile(context, path.c_str(), XML_PARSE_NONET);
  xmlSchemaFreeValidCtxt(context);
  if (rc != 0 && collector.errors.empty()) {
    collector.errors.push_back(
        {0, 0, "", "the file cannot be read as XML (libxml2 code " + std::to_string(rc) + ")",
         true});
  }
  return collector.errors;
}

}  // namespace accrochd::xml
