// The daemon: owns its parts in dependency order (style.md §8) and runs cycles.
//
// A cycle reads every mapping's rows from its source. (Mapping onto the CDC dictionary,
// validation, the state store and deposits hook in here as they land.)
#ifndef ACCROCHD_DAEMON_DAEMON_H_
#define ACCROCHD_DAEMON_DAEMON_H_

#include <cstdint>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "connectors/source/odbc_source.h"
#include "connectors/source/source.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "daemon/config.h"

namespace accrochd::daemon {

struct MappingReport {
  std::string certifier;
  std::string mapping;
  std::string source;
  std::uint64_t rows = 0;
};

struct CycleReport {
  std::vector<MappingReport> mappings;
  std::map<std::string, source::SourceInfo> sources;  // by source name, for those used
  std::uint64_t total_rows() const;
};

// Not thread-safe; one cycle at a time.
class Daemon {
 public:
  // `config`, `logger` and `clock` must outlive the daemon.
  Daemon(const Config& config, Logger& logger, Clock& clock);
  ~Daemon();

  // One cycle. Stops early, with a kCancelled error, when `stop` is requested.
  [[nodiscard]] Result<CycleReport> RunCycle(std::stop_token stop);

  // The source named in the configuration, opened on first use.
  source::Source& SourceNamed(const std::string& name);

 private:
  const Config& config_;
  Logger& logger_;
  Clock& clock_;
  std::map<std::string, std::unique_ptr<source::Source>> sources_;
};

// The ODBC settings of a configured source.
source::OdbcSourceSettings ToOdbcSettings(const SourceConfig& s);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_DAEMON_H_
