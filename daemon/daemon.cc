#include "daemon/daemon.h"

#include "connectors/source/odbc_source.h"

namespace accrochd::daemon {

std::uint64_t CycleReport::total_rows() const {
  std::uint64_t n = 0;
  for (const MappingReport& m : mappings) n += m.rows;
  return n;
}

source::OdbcSourceSettings ToOdbcSettings(const SourceConfig& s) {
  source::OdbcSourceSettings o;
  o.name = s.name;
  o.connection = s.connection;
  o.password = s.password;
  o.fetch_size = s.fetch_size;
  o.query_timeout = s.query_timeout;
  o.retry = s.retry;
  o.page_syntax = s.page_syntax;
  return o;
}

Daemon::Daemon(const Config& config, Logger& logger, Clock& clock)
    : config_(config), logger_(logger), clock_(clock) {}

Daemon::~Daemon() = default;

source::Source& Daemon::SourceNamed(const std::string& name) {
  auto it = sources_.find(name);
  if (it == sources_.end()) {
    // Names were checked against the configuration when it was loaded.
    it = sources_
             .emplace(name, source::OpenOdbcSource(ToOdbcSettings(config_.sources.at(name)),
                                                   logger_, clock_))
             .first;
  }
  return *it->second;
}

Result<CycleReport> Daemon::RunCycle(std::stop_token stop) {
  CycleReport report;
  for (const CertifierConfig& certifier : config_.certifiers) {
    for (const mappings::Mapping& mapping : certifier.mappings) {
      source::Source& src = SourceNamed(mapping.source);
      if (!report.sources.contains(mapping.source)) {
        Result<source::SourceInfo> info = src.Probe(stop);
        if (!info) return std::unexpected(info.error());
        report.sources.emplace(mapping.source, *info);
      }
      source::QuerySpec spec{mapping.query, mapping.page_by, mapping.page_size};
      auto stream = src.Query(spec, stop);
      if (!stream) {
        return std::unexpected(stream.error().WithContext("mapping \"" + mapping.name + "\""));
      }
      source::RowBatch batch;
      for (;;) {
        Result<bool> more = (*stream)->Next(batch);
        if (!more)
          return std::unexpected(more.error().WithContext("mapping \"" + mapping.name + "\""));
        if (!*more) break;
      }
      MappingReport m{certifier.name, mapping.name, mapping.source, (*stream)->rows_read()};
      logger_.Info("mapping \"" + mapping.name + "\": read " + std::to_string(m.rows) +
                       " rows from source \"" + mapping.source + "\"",
                   {{std::string(kFieldCertificateur), certifier.id_client},
                    {std::string(kFieldMapping), mapping.name},
                    {std::string(kFieldSource), mapping.source}},
                   kMessageIdExtractionDone);
      report.mappings.push_back(std::move(m));
    }
  }
  return report;
}

}  // namespace accrochd::daemon
