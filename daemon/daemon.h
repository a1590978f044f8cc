// The daemon: owns its parts in dependency order (style.md §8) and runs cycles.
//
// A cycle reads every mapping's rows from its source, maps them onto the CDC dictionary and
// validates them: each passage is valid, held back (delivered in the future), or quarantined
// with its reasons. (The state store and deposits hook in here as they land.)
#ifndef ACCROCHD_DAEMON_DAEMON_H_
#define ACCROCHD_DAEMON_DAEMON_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "connectors/deposit/publisher.h"
#include "connectors/source/odbc_source.h"
#include "connectors/source/source.h"
#include "connectors/xml/xsd_validator.h"
#include "core/calendar.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "daemon/config.h"
#include "mappings/passage.h"
#include "mappings/validator.h"

namespace accrochd::daemon {

struct MappingReport {
  std::string certifier;
  std::string mapping;
  std::string source;
  Date today{};
  std::uint64_t rows = 0;
  std::uint64_t valid = 0;
  std::uint64_t held = 0;
  std::uint64_t quarantined = 0;
  std::uint64_t warnings = 0;
  std::vector<mappings::Rejection> rejections;  // of the quarantined passages
};

struct CycleReport {
  std::vector<MappingReport> mappings;
  std::map<std::string, source::SourceInfo> sources;  // by source name, for those used
  std::vector<deposit::PublishedFile> files;          // published in the outbox
  std::uint64_t Total(std::uint64_t MappingReport::*count) const;
};

// A row once mapped and validated, handed to preview.
struct EvaluatedRow {
  mappings::MappedRow row;
  mappings::Verdict verdict;
};
using RowSink = std::function<void(const EvaluatedRow&)>;

// Not thread-safe; one cycle at a time.
class Daemon {
 public:
  // `config`, `logger` and `clock` must outlive the daemon.
  Daemon(const Config& config, Logger& logger, Clock& clock);
  ~Daemon();

  // Loads the XSD deposit files are checked against and prepares the outbox (removing partial
  // files a killed run left). Call once before RunCycle().
  [[nodiscard]] Result<void> Start();

  // One cycle: extract, map, validate, write and publish deposit files. Stops early, with a
  // kCancelled error, when `stop` is requested; files not yet published are then abandoned.
  [[nodiscard]] Result<CycleReport> RunCycle(std::stop_token stop);

  // Maps the first `limit` rows of the mapping named `name` and hands each to `sink`; changes
  // nothing.
  [[nodiscard]] Result<MappingReport> Preview(const std::string& name, std::size_t limit,
                                              const RowSink& sink, std::stop_token stop);

  // The source named in the configuration, opened on first use.
  source::Source& SourceNamed(const std::string& name);

 private:
  // Receives each valid passage of a cycle.
  using PassageSink = std::function<Result<void>(const mappings::Passage&)>;

  Result<MappingReport> Extract(const CertifierConfig& certifier, const mappings::Mapping& mapping,
                                mappings::CycleChecks& checks, std::optional<std::size_t> limit,
                                const RowSink* sink, const PassageSink* valid,
                                std::stop_token stop);

  const Config& config_;
  Logger& logger_;
  Clock& clock_;
  std::map<std::string, std::unique_ptr<source::Source>> sources_;
  std::shared_ptr<const xml::XsdSchema> schema_;
  std::unique_ptr<deposit::Publisher> publisher_;
};

// The ODBC settings of a configured source.
source::OdbcSourceSettings ToOdbcSettings(const SourceConfig& s);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_DAEMON_H_
