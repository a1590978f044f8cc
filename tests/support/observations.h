// An observation of the state store (connectors/store/records.h) as the tests make them: one
// certifier's passage of an RS certification, delivered on `delivery`, with that content hash;
// the rest as a test sets it.
#ifndef ACCROCHD_TESTS_SUPPORT_OBSERVATIONS_H_
#define ACCROCHD_TESTS_SUPPORT_OBSERVATIONS_H_

#include <optional>
#include <string>

#include "connectors/store/records.h"
#include "core/calendar.h"

namespace accrochd::testing {

inline store::Observation RsObservation(const std::string& certifier, const std::string& id,
                                        const std::string& mapping, const std::string& content_hash,
                                        std::optional<Date> delivery) {
  store::Observation o;
  o.certifier = certifier;
  o.id_technique = id;
  o.mapping = mapping;
  o.certification_type = "RS";
  o.certification_code = "RS6521";
  o.delivery = delivery;
  o.content_hash = content_hash;
  return o;
}

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_OBSERVATIONS_H_
