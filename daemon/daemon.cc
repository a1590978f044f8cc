#include "daemon/daemon.h"

#include <algorithm>
#include <tuple>

#include "connectors/deposit/deposit_session.h"
#include "core/tz/timezone.h"
#include "mappings/mapper.h"
#include "mappings/xsd_schema.h"

namespace accrochd::daemon {

std::uint64_t CycleReport::Total(std::uint64_t MappingReport::*count) const {
  std::uint64_t n = 0;
  for (const MappingReport& m : mappings) n += m.*count;
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

Result<MappingReport> Daemon::Extract(const CertifierConfig& certifier,
                                      const mappings::Mapping& mapping,
                                      mappings::CycleChecks& checks,
                                      std::optional<std::size_t> limit, const RowSink* sink,
                                      const PassageSink* valid, std::stop_token stop) {
  MappingReport report;
  report.certifier = certifier.name;
  report.mapping = mapping.name;
  report.source = mapping.source;
  auto context = [&](const Error& e) {
    return std::unexpected(e.WithContext("mapping \"" + mapping.name + "\""));
  };
  Result<TimeZone> tz = TimeZone::Named(certifier.timezone);  // checked at load
  if (!tz) return context(tz.error());
  report.today = tz->LocalDate(clock_.Now());
  const mappings::Validator validator(config_.schema_version, report.today);

  source::Source& src = SourceNamed(mapping.source);
  source::QuerySpec spec{mapping.query, mapping.page_by, mapping.page_size};
  auto stream = src.Query(spec, stop);
  if (!stream) return context(stream.error());
  std::optional<mappings::Mapper> mapper;
  source::RowBatch batch;
  for (bool more = true; more;) {
    Result<bool> next = (*stream)->Next(batch);
    if (!next) return context(next.error());
    if (!*next) break;
    if (!mapper) {
      auto bound = mappings::Mapper::Bind(mapping, *batch.columns);
      if (!bound) return std::unexpected(bound.error());
      mapper.emplace(std::move(*bound));
    }
    for (const source::SourceRow& row : batch.rows) {
      ++report.rows;
      EvaluatedRow evaluated{mapper->Map(row, report.rows), mappings::Verdict::kQuarantined};
      evaluated.verdict = validator.Check(evaluated.row);
      if (!evaluated.row.identified) {
        evaluated.verdict = mappings::Verdict::kQuarantined;
      } else if (auto repeated = checks.RegisterIdTechnique(evaluated.row.passage)) {
        evaluated.row.rejections.push_back(std::move(*repeated));
        evaluated.verdict = mappings::Verdict::kQuarantined;
      }
      if (evaluated.verdict != mappings::Verdict::kQuarantined) {
        if (auto duplicate = checks.RegisterHolder(evaluated.row.passage)) {
          evaluated.row.rejections.push_back(std::move(*duplicate));
          evaluated.verdict = mappings::Verdict::kQuarantined;
        }
      }
      switch (evaluated.verdict) {
        case mappings::Verdict::kValid:
          ++report.valid;
          break;
        case mappings::Verdict::kHeld:
          ++report.held;
          break;
        case mappings::Verdict::kQuarantined:
          ++report.quarantined;
          report.rejections.insert(report.rejections.end(), evaluated.row.rejections.begin(),
                                   evaluated.row.rejections.end());
          break;
      }
      report.warnings += evaluated.row.warnings.size();
      if (sink != nullptr) (*sink)(evaluated);
      if (valid != nullptr && evaluated.verdict == mappings::Verdict::kValid) {
        if (auto r = (*valid)(evaluated.row.passage); !r) return std::unexpected(r.error());
      }
      if (limit && report.rows >= *limit) {
        more = false;
        break;
      }
    }
  }
  logger_.Info("mapping \"" + mapping.name + "\": " + std::to_string(report.rows) + " rows read, " +
                   std::to_string(report.valid) + " valid, " + std::to_string(report.held) +
                   " not due yet, " + std::to_string(report.quarantined) + " quarantined",
               {{std::string(kFieldCertificateur), certifier.id_client},
                {std::string(kFieldMapping), mapping.name},
                {std::string(kFieldSource), mapping.source}},
               kMessageIdExtractionDone);
  return report;
}

Result<void> Daemon::Start() {
  if (config_.deposit.schema_file) {
    auto schema = xml::XsdSchema::FromFile(*config_.deposit.schema_file);
    if (!schema) return std::unexpected(schema.error());
    schema_ = *schema;
  } else {
    auto schema = xml::XsdSchema::FromText(
        mappings::GenerateXsd(config_.schema_version),
        "accrochd's schema " + std::string(mappings::SchemaVersionName(config_.schema_version)));
    if (!schema) return std::unexpected(schema.error());
    schema_ = *schema;
  }
  deposit::PublisherSettings settings;
  settings.state_directory = config_.state_directory;
  settings.retention = config_.deposit.retention;
  if (config_.deposit.gid) settings.group = static_cast<gid_t>(*config_.deposit.gid);
  publisher_ = std::make_unique<deposit::Publisher>(settings, clock_, logger_);
  return publisher_->Prepare();
}

Result<CycleReport> Daemon::RunCycle(std::stop_token stop) {
  if (!publisher_) return Fail(ErrorKind::kInternal, "Daemon::Start() was not called");
  CycleReport report;
  for (const CertifierConfig& certifier : config_.certifiers) {
    auto zone = TimeZone::Named(certifier.timezone);  // checked at load
    if (!zone) return std::unexpected(zone.error());
    deposit::SessionSettings settings;
    settings.version = config_.schema_version;
    settings.schema = schema_;
    settings.max_passages = config_.deposit.max_passages;
    settings.max_bytes = config_.deposit.max_bytes;
    settings.emetteur = certifier.emetteur;
    settings.certificateur = certifier.id_client;
    settings.id_contrat = certifier.id_contrat;
    deposit::DepositSession session(settings, *publisher_, *zone, clock_, logger_);
    const PassageSink add = [&](const mappings::Passage& p) { return session.Add(p); };
    mappings::CycleChecks checks;  // idTechnique and holders are unique per émetteur
    const std::size_t first = report.mappings.size();
    // In certification order, so that one certification's passages are together in the file
    // even when several mappings describe it.
    std::vector<const mappings::Mapping*> ordered;
    for (const mappings::Mapping& mapping : certifier.mappings) ordered.push_back(&mapping);
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
      return std::tie(a->certification.type, a->certification.code) <
             std::tie(b->certification.type, b->certification.code);
    });
    for (const mappings::Mapping* mapping_ptr : ordered) {
      const mappings::Mapping& mapping = *mapping_ptr;
      if (!report.sources.contains(mapping.source)) {
        Result<source::SourceInfo> info = SourceNamed(mapping.source).Probe(stop);
        if (!info) return std::unexpected(info.error());
        report.sources.emplace(mapping.source, *info);
      }
      auto m = Extract(certifier, mapping, checks, std::nullopt, nullptr, &add, stop);
      if (!m) return std::unexpected(m.error());
      report.mappings.push_back(std::move(*m));
    }
    auto outcome = session.Finish();
    if (!outcome) return std::unexpected(outcome.error());
    // Passages the XSD refused move from valid to quarantined.
    for (mappings::Rejection& r : outcome->rejections) {
      for (std::size_t i = first; i < report.mappings.size(); ++i) {
        MappingReport& m = report.mappings[i];
        if (m.mapping != r.mapping) continue;
        --m.valid;
        ++m.quarantined;
        m.rejections.push_back(std::move(r));
        break;
      }
    }
    for (deposit::PublishedFile& f : outcome->files) report.files.push_back(std::move(f));
  }
  if (auto r = publisher_->ApplyRetention(); !r) return std::unexpected(r.error());
  return report;
}

Result<MappingReport> Daemon::Preview(const std::string& name, std::size_t limit,
                                      const RowSink& sink, std::stop_token stop) {
  for (const CertifierConfig& certifier : config_.certifiers) {
    for (const mappings::Mapping& mapping : certifier.mappings) {
      if (mapping.name != name) continue;
      mappings::CycleChecks checks;
      return Extract(certifier, mapping, checks, limit, &sink, nullptr, stop);
    }
  }
  std::string known;
  for (const CertifierConfig& certifier : config_.certifiers) {
    for (const mappings::Mapping& mapping : certifier.mappings) {
      known += (known.empty() ? "" : ", ") + mapping.name;
    }
  }
  return Fail(ErrorKind::kUsage, "no mapping named \"" + name + "\" (mappings: " + known + ")");
}

}  // namespace accrochd::daemon
