// Random identifiers: a UUID (version 4) for each deposit's idFlux (dictionary 1.1: "format
// UUID", unique per file sent by the émetteur).
#ifndef ACCROCHD_CORE_RANDOM_ID_H_
#define ACCROCHD_CORE_RANDOM_ID_H_

#include <string>

namespace accrochd {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" from the kernel's random source.
std::string NewUuid();

}  // namespace accrochd

#endif  // ACCROCHD_CORE_RANDOM_ID_H_
