// The CDC's official files -- XSDs, examples, receipts -- that conformance tests check against.
// They are not part of the repository: they are found beside the checkout (../shared/cdc) or in
// $ACCROCHD_CDC_DIR. In CI they are always there.
#ifndef ACCROCHD_TESTS_SUPPORT_CDC_FILES_H_
#define ACCROCHD_TESTS_SUPPORT_CDC_FILES_H_

#include <optional>
#include <string>

namespace accrochd::testing {

// The directory holding xsd/, examples/ and receipts/, or nullopt with the reason in `why`.
std::optional<std::string> CdcDirectory(std::string& why);

// The official XSD of a schema version ("1.1.2" or "1.1.5"), or nullopt with the reason.
std::optional<std::string> OfficialXsd(const std::string& version, std::string& why);

}  // namespace accrochd::testing

// In a test: the official XSD of `version`, or skip the test saying plainly why.
#define ACCROCHD_REQUIRE_OFFICIAL_XSD(var, version)                                   \
  std::string var;                                                                    \
  {                                                                                   \
    std::string why_;                                                                 \
    auto found_ = ::accrochd::testing::OfficialXsd(version, why_);                    \
    if (!found_) GTEST_SKIP() << "SKIPPED for want of the official XSD: " << why_;    \
    var = *found_;                                                                    \
  }

#endif  // ACCROCHD_TESTS_SUPPORT_CDC_FILES_H_
