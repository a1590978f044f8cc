#include "daemon/commands.h"

#include <chrono>
#include <cstdio>

#include "connectors/source/connection_string.h"
#include "daemon/daemon.h"

namespace accrochd::daemon {
namespace {

// Loads the configuration; prints every problem, one per line, and returns nullopt on failure.
std::optional<Config> LoadOrReport(const CommandContext& ctx, std::string_view command) {
  const std::string path = ctx.invocation.config_path.empty() ? DefaultConfigPath(ctx.environment)
                                                              : ctx.invocation.config_path;
  auto config = LoadConfig(path, ctx.environment);
  if (!config) {
    ctx.err << FormatDiagnostics(config.error());
    ctx.err << "accrochd " << command << ": " << config.error().size()
            << (config.error().size() == 1 ? " error" : " errors") << " in the configuration\n";
    ctx.logger.Log(LogLevel::kDebug, "configuration rejected", {}, kMessageIdConfigInvalid);
    return std::nullopt;
  }
  return std::move(*config);
}

int ExitCodeFor(const Error& e) {
  return (e.kind() == ErrorKind::kConfig || e.kind() == ErrorKind::kUsage) ? kExitConfig
                                                                           : kExitRuntime;
}

std::string Plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

std::string DescribeSource(const source::SourceInfo& info) {
  return info.dbms_name + " " + info.dbms_version + " through " + info.driver_name + " " +
         info.driver_version;
}

}  // namespace

int RunCheck(const CommandContext& ctx) {
  auto config = LoadOrReport(ctx, "check");
  if (!config) return kExitConfig;
  std::size_t mapping_count = 0;
  for (const CertifierConfig& c : config->certifiers) mapping_count += c.mappings.size();
  if (ctx.invocation.print_config) ctx.out << PrintConfig(*config);
  ctx.out << "configuration " << config->file
          << " is valid: " << Plural(config->sources.size(), "source") << ", "
          << Plural(config->certifiers.size(), "certifier") << ", "
          << Plural(mapping_count, "mapping") << "\n";
  if (ctx.invocation.no_connect) return kExitOk;

  // A check reports at once: one connection attempt per source, no backoff.
  Config quick = *config;
  for (auto& [name, s] : quick.sources) s.retry.max_attempts = 1;
  Daemon daemon(quick, ctx.logger, ctx.clock);
  int status = kExitOk;
  for (const auto& [name, s] : quick.sources) {
    auto info = daemon.SourceNamed(name).Probe(ctx.stop);
    if (!info) {
      ctx.err << "source \"" << name << "\" (" << source::Redact(s.connection)
              << "): " << info.error().message() << "\n";
      status = std::max(status, ExitCodeFor(info.error()));
      continue;
    }
    ctx.out << "source \"" << name << "\": connected to " << DescribeSource(*info) << "\n";
  }
  for (const CertifierConfig& c : quick.certifiers) {
    for (const mappings::Mapping& m : c.mappings) {
      auto columns = daemon.SourceNamed(m.source).DescribeColumns(m.query, ctx.stop);
      if (!columns) {
        ctx.err << m.query_location.ToString() << ": mapping \"" << m.name
                << "\": the query cannot be prepared: " << columns.error().message() << "\n";
        status = std::max(status, ExitCodeFor(columns.error()));
        continue;
      }
      ctx.out << "mapping \"" << m.name << "\" (" << m.certification.type << " "
              << m.certification.code << "): query prepared, " << Plural(columns->size(), "column")
              << "\n";
    }
  }
  return status;
}

int RunOnce(const CommandContext& ctx) {
  auto config = LoadOrReport(ctx, "once");
  if (!config) return kExitConfig;
  Daemon daemon(*config, ctx.logger, ctx.clock);
  const auto started = std::chrono::steady_clock::now();
  Result<CycleReport> report = daemon.RunCycle(ctx.stop);
  if (!report) {
    ctx.logger.Error(report.error().message());
    return ExitCodeFor(report.error());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.2f", seconds);
  ctx.out << "Read " << Plural(report->total_rows(), "row") << " over ODBC in " << elapsed
          << " s.\n";
  for (const auto& [name, info] : report->sources) {
    ctx.out << "  source \"" << name << "\": " << DescribeSource(info) << "\n";
  }
  for (const MappingReport& m : report->mappings) {
    ctx.out << "  certifier \"" << m.certifier << "\", mapping \"" << m.mapping
            << "\": " << Plural(m.rows, "row") << "\n";
  }
  return kExitOk;
}

}  // namespace accrochd::daemon
