// Inside connectors/xml only: libxml2's structured errors on this thread sent to one handler
// for a scope, the previous handler (xml::LibraryErrors', or none) restored after.
#ifndef ACCROCHD_CONNECTORS_XML_ERROR_CAPTURE_H_
#define ACCROCHD_CONNECTORS_XML_ERROR_CAPTURE_H_

#include <libxml/xmlerror.h>

namespace accrochd::xml {

class ErrorCapture {
 public:
  ErrorCapture(void* context, xmlStructuredErrorFunc handler)
      : previous_(xmlStructuredError), previous_context_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(context, handler);
  }
  ~ErrorCapture() { xmlSetStructuredErrorFunc(previous_context_, previous_); }
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

 private:
  xmlStructuredErrorFunc previous_;
  void* previous_context_;
};

}  // namespace accrochd::xml

#endif  // ACCROCHD_CONNECTORS_XML_ERROR_CAPTURE_H_
