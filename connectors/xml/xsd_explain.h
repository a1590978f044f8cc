// libxml2's validity messages, explained in French for the certification staff, in the terms of
// the CDC's guide to XML errors (guide de résolution des erreurs XML). The explanation never
// repeats the value at fault -- only element names, lengths and the CDC's lists -- so it may
// go to the quarantine, the logs and the alerts.
#ifndef ACCROCHD_CONNECTORS_XML_XSD_EXPLAIN_H_
#define ACCROCHD_CONNECTORS_XML_XSD_EXPLAIN_H_

#include <string>

#include "connectors/xml/xsd_validator.h"

namespace accrochd::xml {

// A short explanation of `error`, in French, starting with the element's name when known.
std::string ExplainXsdError(const XsdError& error);

// libxml2's own message (English, for administrators' logs) without the value at fault: it
// quotes it ("The value 'Dupont...' has a length of '61'"), and deposit files hold personal data.
std::string XsdMessageWithoutValues(std::string message);

}  // namespace accrochd::xml

#endif  // ACCROCHD_CONNECTORS_XML_XSD_EXPLAIN_H_
