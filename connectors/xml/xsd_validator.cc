#include "connectors/xml/xsd_validator.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <regex>
#include <vector>

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
  PosixFileSystem files;
  auto file = files.OpenForReading(path);
  if (!file) return std::unexpected(file.error());
  return Validate(**file, max_errors);
}

namespace {

// What libxml2 reads the file through (xmlParserInputBufferCreateIO). libxml2 asks 4,000 bytes
// at a time; they are served from a buffer filled kBlock bytes at a time, where its own file
// input (xmlSchemaValidateFile's) made a read(2) for each, through its compressed-input layer.
// The file's own errors are kept, to be returned as the I/O errors they are rather than as a
// file that is not XML.
class Source {
 public:
  explicit Source(ReadableFile& file) : file_(file), buffer_(kBlock) {}
  const std::optional<Error>& error() const { return error_; }

  static int Read(void* context, char* out, int length) {
    auto* self = static_cast<Source*>(context);
    if (self->at_ == self->held_) {
      auto n = self->file_.Read(self->buffer_.data(), self->buffer_.size());
      if (!n) {
        self->error_ = n.error();
        return -1;
      }
      self->at_ = 0;
      self->held_ = *n;
    }
    const std::size_t n =
        std::min(static_cast<std::size_t>(std::max(length, 0)), self->held_ - self->at_);
    std::memcpy(out, self->buffer_.data() + self->at_, n);
    self->at_ += n;
    return static_cast<int>(n);
  }
  static int Close(void*) { return 0; }

 private:
  static constexpr std::size_t kBlock = std::size_t{256} << 10;
  ReadableFile& file_;
  std::vector<char> buffer_;
  std::size_t at_ = 0, held_ = 0;
  std::optional<Error> error_;
};

}  // namespace

Result<std::vector<XsdError>> XsdSchema::Validate(ReadableFile& file,
                                                  std::size_t max_errors) const {
  Collector collector;
  collector.max = max_errors;
  ErrorCapture capture(&collector, &Collect);
  xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(static_cast<xmlSchemaPtr>(schema_));
  if (context == nullptr) return Fail(ErrorKind::kInternal, "cannot create an XSD validator");
  xmlSchemaSetValidStructuredErrors(context, &Collect, &collector);
  Source source(file);
  // Streaming validation (SAX); no network, no entity expansion (the default), no DTD loading.
  // The input buffer is the parser's once given (freed with it).
  xmlParserInputBufferPtr input =
      xmlParserInputBufferCreateIO(&Source::Read, &Source::Close, &source, XML_CHAR_ENCODING_NONE);
  if (input == nullptr) {
    xmlSchemaFreeValidCtxt(context);
    return Fail(ErrorKind::kInternal, "cannot create an XML input buffer");
  }
  int rc = xmlSchemaValidateStream(context, input, XML_CHAR_ENCODING_NONE, nullptr, nullptr);
  xmlSchemaFreeValidCtxt(context);
  if (source.error()) return std::unexpected(*source.error());
  if (rc != 0 && collector.errors.empty()) {
    collector.errors.push_back(
        {0, 0, "", "the file cannot be read as XML (libxml2 code " + std::to_string(rc) + ")",
         true});
  }
  return collector.errors;
}

}  // namespace accrochd::xml
