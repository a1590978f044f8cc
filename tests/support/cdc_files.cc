#include "tests/support/cdc_files.h"

#include <cstdlib>
#include <filesystem>

namespace accrochd::testing {

std::optional<std::string> CdcDirectory(std::string& why) {
  const char* env = std::getenv("ACCROCHD_CDC_DIR");
  const std::string dir = env != nullptr && *env != '\0' ? env : ACCROCHD_DEFAULT_CDC_DIR;
  if (!std::filesystem::is_directory(std::filesystem::path(dir) / "xsd")) {
    why = dir + "/xsd does not exist; put the CDC files beside the checkout (../shared/cdc) or "
                "set ACCROCHD_CDC_DIR";
    return std::nullopt;
  }
  return dir;
}

std::optional<std::string> OfficialXsd(const std::string& version, std::string& why) {
  auto dir = CdcDirectory(why);
  if (!dir) return std::nullopt;
  const std::string path = *dir + "/xsd/cdc-flux-" + version + ".xsd";
  if (!std::filesystem::exists(path)) {
    why = path + " does not exist";
    return std::nullopt;
  }
  return path;
}

}  // namespace accrochd::testing
