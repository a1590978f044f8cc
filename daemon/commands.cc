#include "daemon/commands.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <regex>
#include <set>

#include "connectors/source/connection_string.h"
#include "connectors/xml/deposit_reader.h"
#include "connectors/xml/xsd_explain.h"
#include "connectors/xml/xsd_validator.h"
#include "core/size.h"
#include "core/text.h"
#include "daemon/alerts.h"
#include "daemon/daemon.h"
#include "daemon/monitoring.h"
#include "daemon/receipts.h"
#include "daemon/runner.h"
#include "daemon/status.h"
#include "mappings/deleted_keys.h"
#include "mappings/mapping.h"
#include "mappings/reasons.h"
#include "mappings/validator.h"
#include "mappings/xsd_schema.h"

namespace accrochd::daemon {
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

namespace {

std::string Plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

std::string DescribeSource(const source::SourceInfo& info) {
  return info.dbms_name + " " + info.dbms_version + " through " + info.driver_name + " " +
         info.driver_version;
}

// The quarantine, one line per reason: idTechnique, field, rule, message (French).
void PrintQuarantine(std::ostream& out, const CycleReport& report) {
  std::size_t count = 0;
  for (const MappingReport& m : report.mappings) count += m.rejections.size();
  if (count == 0) return;
  out << "\nQuarantine (" << count << (count == 1 ? " reason" : " reasons")
      << "; idTechnique, field, rule, reason):\n";
  for (const MappingReport& m : report.mappings) {
    for (const mappings::Rejection& r : m.rejections) {
      out << "  " << r.mapping << "  " << r.id_technique << "  "
          << (r.field.empty() ? "-" : r.field) << "  " << mappings::RuleName(r.rule) << "  "
          << r.message << "\n";
    }
  }
}

// Where a mapping's certification comes from, for check: "RNCP RNCP35830", or the columns each
// part is read from ("type from column type_certif, code from column code_certif").
std::string DescribeCertification(const mappings::Mapping& m) {
  const mappings::CertificationRule& c = m.certification;
  if (c.constant) return c.constant->type + " " + c.constant->code;
  auto part = [](std::string_view name, const mappings::FieldRule& rule) {
    const std::string columns = mappings::RuleColumns(rule);
    if (columns.empty()) return std::string(name) + " " + rule.constant;
    return std::string(name) + " from column" +
           (columns.find(", ") == std::string::npos ? " " : "s ") + columns +
           (rule.map ? " (mapped)" : "");
  };
  return "certification read on each row: " + part("type", c.type) + ", " + part("code", c.code);
}

// A mapping's deleted_query, prepared on its source: it must return the columns its rows are
// read by (DeletedKeys). An exit status.
int CheckDeletedQuery(const CommandContext& ctx, Daemon& daemon, const mappings::Mapping& m) {
  const std::string where = m.deleted_query_location.ToString();
  auto columns = daemon.SourceNamed(m.source).DescribeColumns(m.deleted_query, ctx.stop);
  if (!columns) {
    ctx.err << where << ": mapping \"" << m.name
            << "\": the deleted_query cannot be prepared: " << columns.error().message() << "\n";
    return ExitCodeFor(columns.error());
  }
  std::string missing;
  for (const std::string& column : mappings::DeletedKeys::RequiredColumns(m)) {
    const bool found = std::any_of(
        columns->begin(), columns->end(),
        [&](const std::string& returned) { return EqualsIgnoreAsciiCase(returned, column); });
    if (!found) missing += (missing.empty() ? "" : ", ") + Shown(column, 128);
  }
  if (!missing.empty()) {
    ctx.err << where << ": mapping \"" << m.name << "\": the deleted_query does not return "
            << missing
            << " (it must return the key, or the columns id_technique reads, and the cursor "
               "column, under their names in the query)\n";
    return kExitConfig;
  }
  ctx.out << "mapping \"" << m.name << "\": deleted_query prepared, "
          << Plural(columns->size(), "column") << ", the key and cursor columns found\n";
  return kExitOk;
}

}  // namespace

int RunCheck(const CommandContext& ctx) {
  if (ctx.invocation.list_mappings) {
    auto names =
        ListMappingNames(ctx.invocation.config_path.empty() ? DefaultConfigPath(ctx.environment)
                                                            : ctx.invocation.config_path);
    if (!names) {
      ctx.err << FormatDiagnostics(names.error());
      return kExitConfig;
    }
    for (const std::string& name : *names) ctx.out << name << "\n";
    return kExitOk;
  }
  auto config = LoadOrReport(ctx, "check");
  if (!config) return kExitConfig;
  std::size_t mapping_count = 0;
  for (const CertifierConfig& c : config->certifiers) mapping_count += c.mappings.size();
  if (ctx.invocation.print_config) ctx.out << PrintConfig(*config);
  ctx.out << "configuration " << config->file
          << " is valid: " << Plural(config->sources.size(), "source") << ", "
          << Plural(config->certifiers.size(), "certifier") << ", "
          << Plural(mapping_count, "mapping") << "\n";
  for (const CertifierConfig& c : config->certifiers) {
    for (const mappings::Mapping& m : c.mappings) {
      ctx.out << "mapping \"" << m.name << "\": " << DescribeCertification(m) << "\n";
    }
  }
  {
    // The XSD every deposit file is checked against, compiled as the daemon will.
    Daemon probe(*config, ctx.logger, ctx.clock, ctx.files);
    auto schema =
        config->deposit.schema_file
            ? xml::XsdSchema::FromFile(*config->deposit.schema_file)
            : xml::XsdSchema::FromText(
                  mappings::GenerateXsd(config->schema_version, mappings::XsdOrder::kWriters),
                  "accrochd's schema");
    if (!schema) {
      ctx.err << "accrochd check: " << schema.error().message() << "\n";
      return kExitConfig;
    }
    ctx.out << "deposit files are checked against "
            << (config->deposit.schema_file
                    ? *config->deposit.schema_file
                    : "accrochd's own schema " +
                          std::string(mappings::SchemaVersionName(config->schema_version)) +
                          " (the official one, each block's elements in the order accrochd "
                          "writes them)")
            << "\n";
  }
  if (const auto& hook = config->deposit.on_publish) {
    // The program was found executable when the configuration was loaded.
    std::string command;
    for (const std::string& word : hook->command) command += (command.empty() ? "" : " ") + word;
    ctx.out << "upload hook: " << command << " (executable), run once per published file, "
            << "timeout " << FormatDuration(hook->timeout)
            << (hook->mark_uploaded ? ", exit 0 marks the file uploaded"
                                    : ", files not marked uploaded")
            << ", alerted after " << Plural(static_cast<std::size_t>(hook->alert_after), "failure")
            << "\n";
  }
  if (ctx.invocation.no_connect) return kExitOk;

  // A check reports at once: one connection attempt per source, no backoff.
  Config quick = *config;
  for (auto& [name, s] : quick.sources) s.retry.max_attempts = 1;
  Daemon daemon(quick, ctx.logger, ctx.clock, ctx.files);
  int status = kExitOk;
  std::set<std::string> unreachable;  // reported once, not again for each of their mappings
  for (const auto& [name, s] : quick.sources) {
    auto info = daemon.SourceNamed(name).Probe(ctx.stop);
    if (!info) {
      ctx.err << "source \"" << name << "\" (" << source::Redact(s.connection)
              << "): " << info.error().message() << "\n";
      status = std::max(status, ExitCodeFor(info.error()));
      unreachable.insert(name);
      continue;
    }
    ctx.out << "source \"" << name << "\": connected to " << DescribeSource(*info) << "\n";
  }
  for (const CertifierConfig& c : quick.certifiers) {
    for (const mappings::Mapping& m : c.mappings) {
      if (unreachable.contains(m.source)) {
        ctx.err << m.file << ": mapping \"" << m.name << "\": query not checked (source \""
                << m.source << "\" above)\n";
        continue;
      }
      auto columns = daemon.SourceNamed(m.source).DescribeColumns(m.query, ctx.stop);
      if (!columns) {
        ctx.err << m.query_location.ToString() << ": mapping \"" << m.name
                << "\": the query cannot be prepared: " << columns.error().message() << "\n";
        status = std::max(status, ExitCodeFor(columns.error()));
        continue;
      }
      std::vector<std::string> missing;
      for (const std::string& column : mappings::ReferencedColumns(m)) {
        const bool found = std::any_of(
            columns->begin(), columns->end(),
            [&](const std::string& returned) { return EqualsIgnoreAsciiCase(returned, column); });
        if (!found) missing.push_back(column);
      }
      if (!missing.empty()) {
        std::string list;
        for (const std::string& name : missing) {
          list += (list.empty() ? "" : ", ") + Shown(name, 128) + " (" +
                  mappings::ColumnLocation(m, name).ToString() + ")";
        }
        ctx.err << mappings::ColumnLocation(m, missing.front()).ToString() << ": mapping \""
                << m.name << "\" reads column(s) " << list << " that the query does not return\n";
        status = std::max(status, kExitConfig);
        continue;
      }
      ctx.out << "mapping \"" << m.name << "\" ("
              << (m.certification.constant ? DescribeCertification(m)
                                           : "certification from columns")
              << "): query prepared, " << Plural(columns->size(), "column")
              << ", every mapped column found\n";
      if (!m.deleted_query.empty()) status = std::max(status, CheckDeletedQuery(ctx, daemon, m));
    }
  }
  return status;
}

int RunOnce(const CommandContext& ctx) {
  auto config = LoadOrReport(ctx, "once");
  if (!config) return kExitConfig;
  auto state = OpenStateFor(*config, ctx.clock, ctx.files);
  if (!state) {
    ctx.logger.Error(state.error().message());
    return ExitCodeFor(state.error());
  }
  Daemon daemon(*config, ctx.logger, ctx.clock, ctx.files, state->store.get());
  if (auto r = daemon.Start(); !r) {
    ctx.logger.Error(r.error().message());
    return ExitCodeFor(r.error());
  }
  // Receipts first: they may free passages. A refused receipt sets the exit status as
  // `receipts import` would for the same file.
  int status = kExitOk;
  std::size_t imported = 0;
  std::size_t refused = 0;
  for (const ReceiptImport& r : ScanInbox(*config, *state->store, ctx.logger, ctx.files)) {
    if (r.result == ReceiptImport::Result::kApplied ||
        r.result == ReceiptImport::Result::kAlreadyImported) {
      ++imported;
    } else {
      ++refused;
      status = std::max(status, ReceiptExitCode(r));
    }
  }
  const auto started = std::chrono::steady_clock::now();
  Result<CycleReport> report = daemon.RunCycle(
      ctx.invocation.planned ? DepositPolicy::kPlanned : DepositPolicy::kAlways, ctx.stop);
  const auto took = std::chrono::steady_clock::now() - started;
  // --alerts: what `run` does after each cycle, a failed cycle included (it is announced).
  std::optional<AlertRound> alerted;
  if (ctx.invocation.alerts && !ctx.stop.stop_requested()) {
    alerted = AlertAfterCycle(*config, *state->store, ctx.logger, ctx.clock,
                              FailedCertifiers(*config, report));
  }
  // Recorded, and the monitoring files written (after the alerts, so that they count this
  // cycle's messages), for a failed cycle too; not for an interrupted one.
  if (report || (report.error().kind() != ErrorKind::kCancelled && !ctx.stop.stop_requested())) {
    if (auto r = AfterCycle(*config, *state->store, ctx.clock, ctx.files, ResultOf(report),
                            std::chrono::duration_cast<std::chrono::milliseconds>(took));
        !r) {
      ctx.logger.Error(r.error().message());
      status = std::max(status, kExitRuntime);
    }
  }
  if (!report) {
    ctx.logger.Error(report.error().message());
    return ExitCodeFor(report.error());
  }
  const double seconds = std::chrono::duration<double>(took).count();
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.2f", seconds);
  if (imported + refused > 0) {
    ctx.out << "Receipts in " << config->state_directory << "/inbox: " << imported << " imported, "
            << refused << " refused"
            << (refused > 0 ? " (moved to inbox/refused; the log says why)" : "") << ".\n";
  }
  const std::uint64_t rows = report->Total(&MappingReport::rows);
  const bool failed = !report->failures.empty();
  ctx.out << "Read " << Plural(rows, "row") << " over ODBC in " << elapsed
          << " s: " << report->Total(&MappingReport::valid) << " valid, "
          << report->Total(&MappingReport::held) << " not due yet (delivered in the future), "
          << report->Total(&MappingReport::quarantined) << " quarantined";
  if (const std::uint64_t skipped = report->Total(&MappingReport::skipped); skipped > 0) {
    ctx.out << ", " << skipped << " skipped (not for the CDC, by the mappings' skip_when)";
  }
  ctx.out << (failed ? "; reading stopped early (below)" : "") << ".\n";
  for (const auto& [name, info] : report->sources) {
    ctx.out << "  source \"" << name << "\": " << DescribeSource(info) << "\n";
  }
  for (const MappingReport& m : report->mappings) {
    ctx.out << "  certifier \"" << m.certifier << "\", mapping \"" << m.mapping
            << "\": " << Plural(m.rows, "row") << ", " << m.valid << " valid, " << m.held
            << " not due yet, " << m.quarantined << " quarantined"
            << (m.skipped > 0 ? ", " + DescribeSkipped(m) : "")
            << (m.complete ? "" : "; reading failed after these rows") << "\n";
  }
  if (report->files.empty()) {
    ctx.out << (failed ? "\nNo deposit file was published.\n"
                       : "\nNo deposit file: no passage is ready.\n");
  } else {
    ctx.out << "\nDeposit files, valid against the XSD, ready to be deposited on the CDC portal ("
            << config->state_directory << "/outbox):\n";
    for (const deposit::PublishedFile& f : report->files) {
      ctx.out << "  " << f.path << "  " << Plural(f.passages, "passage") << ", "
              << FormatSize(f.bytes) << ", idFlux " << f.id_flux << ", sha256 " << f.sha256 << "\n";
    }
  }
  if (!report->hooks.empty()) {
    ctx.out << "\nUpload hook (deposit.on_publish), one run per file:\n";
    for (const HookRun& h : report->hooks) {
      ctx.out << "  " << h.file_name << "  attempt " << h.attempt << ": " << h.detail;
      if (h.outcome.succeeded()) {
        ctx.out << (h.marked_uploaded ? "; marked uploaded" : "");
      } else {
        ctx.out << "; " << Plural(static_cast<std::size_t>(h.failures), "failure")
                << ", runs again after " << IsoStamp(h.next_attempt) << " (the log has its output)";
      }
      ctx.out << "\n";
      if (!h.outcome.succeeded()) status = std::max(status, kExitRuntime);
    }
  }
  PrintQuarantine(ctx.out, *report);
  if (ctx.invocation.verbose && !report->stages.empty()) {
    // Where the cycle's time went: the stages overlap, so the busiest sets the wall time.
    ctx.out << "\nStages of the cycle (each on its own thread; CPU time, share of the cycle's "
               "wall time busy, time waiting for work or room):\n";
    for (const StageFigures& f : report->stages) {
      ctx.out << "  stage " << DescribeStage(f, report->wall) << "\n";
    }
  }
  if (alerted) {
    ctx.out << "\nAlerts: " << Plural(static_cast<std::size_t>(alerted->queued), "message")
            << " queued, " << Plural(static_cast<std::size_t>(alerted->delivered), "message")
            << " delivered"
            << (alerted->failed ? "; an error stopped them (the log says which)"
                                : " (one that could not be is tried again at the next cycle)")
            << ".\n";
    if (alerted->failed) status = std::max(status, kExitRuntime);
  }
  if (failed) {
    ctx.out << "\n";
    for (const CertifierFailure& f : report->failures) {
      ctx.out << "Certifier \"" << f.certifier << "\" could not be served: " << f.error.message()
              << "\n";
    }
    ctx.out << "What was read is recorded and the files listed above will be deposited; the "
               "passages not in a file stay pending for the next run.\n";
    status = std::max(status, kExitRuntime);
  }
  return status;
}

int RunPreview(const CommandContext& ctx) {
  if (ctx.invocation.mapping.empty()) {
    ctx.err << "accrochd preview: --mapping NAME is required\n";
    return kExitConfig;
  }
  auto config = LoadOrReport(ctx, "preview");
  if (!config) return kExitConfig;
  Daemon daemon(*config, ctx.logger, ctx.clock, ctx.files);
  std::vector<mappings::Rejection> quarantine;
  std::map<mappings::Certification, std::size_t> certifications;  // passages of each
  std::size_t uncertified = 0;  // rows whose certification was refused or is missing
  auto print = [&](const EvaluatedRow& e) {
    const mappings::Passage& p = e.row.passage;
    if (p.certification.type.empty() && p.certification.code.empty()) {
      ++uncertified;
    } else {
      ++certifications[p.certification];
    }
    std::string verdict;
    switch (e.verdict) {
      case mappings::Verdict::kValid:
        verdict = "valid";
        break;
      case mappings::Verdict::kHeld:
        verdict = "not due yet: delivered on " + (p.delivery ? FormatIsoDate(*p.delivery) : "?");
        break;
      case mappings::Verdict::kQuarantined:
        verdict = "quarantined";
        break;
    }
    ctx.out << "\nPassage " << p.id_technique << "  [" << verdict << "]  (" << p.source_key
            << ")\n";
    for (const mappings::FieldSpec& spec : mappings::Fields()) {
      if (spec.field == mappings::Field::idTechnique) continue;
      const mappings::FieldValue& v = p[spec.field];
      if (v.state == mappings::FieldValue::State::kAbsent) continue;
      std::string name(spec.name);
      name.resize(std::max<std::size_t>(name.size(), 28), ' ');
      ctx.out << "  " << name
              << (v.state == mappings::FieldValue::State::kNil ? std::string("nil") : v.text)
              << "\n";
    }
    for (const std::string& w : e.row.warnings) ctx.out << "  warning: " << w << "\n";
    quarantine.insert(quarantine.end(), e.row.rejections.begin(), e.row.rejections.end());
  };
  auto report = daemon.Preview(ctx.invocation.mapping, ctx.invocation.limit, print, ctx.stop);
  if (!report) {
    ctx.err << "accrochd preview: " << report.error().message() << "\n";
    return ExitCodeFor(report.error());
  }
  ctx.out << "\nMapping \"" << report->mapping << "\" (schema "
          << mappings::SchemaVersionName(config->schema_version) << ", today "
          << FormatIsoDate(report->today) << "): " << Plural(report->rows, "row") << " mapped, "
          << report->valid << " valid, " << report->held << " not due yet, " << report->quarantined
          << " quarantined" << (report->skipped > 0 ? ", " + DescribeSkipped(*report) : "")
          << ". Nothing was changed.\n";
  if (!certifications.empty() || uncertified > 0) {
    ctx.out << "\nCertifications (passages):\n";
    for (const auto& [c, n] : certifications) {
      ctx.out << "  " << c.type << " " << c.code << "  " << n << "\n";
    }
    if (uncertified > 0) {
      ctx.out << "  (no certification the CDC accepts: quarantined)  " << uncertified << "\n";
    }
  }
  if (!quarantine.empty()) {
    ctx.out << "\nQuarantine (idTechnique, field, rule, reason):\n";
    for (const mappings::Rejection& r : quarantine) {
      ctx.out << "  " << r.id_technique << "  " << (r.field.empty() ? "-" : r.field) << "  "
              << mappings::RuleName(r.rule) << "  " << r.message << "\n";
    }
  }
  return kExitOk;
}

namespace {

// The dictionary's rules the XSD does not express; the others are the XSD's own facets, which
// it reports itself.
bool IsDictionaryRule(const mappings::Rejection& r, mappings::SchemaVersion version,
                      bool suppression) {
  using mappings::Rule;
  switch (r.rule) {
    case Rule::kConditional:
    case Rule::kDateOrder:
    case Rule::kBirthDate:
    case Rule::kBirthAfterDelivery:
    case Rule::kRepeatedIdTechnique:
    case Rule::kProbableDuplicate:
    case Rule::kBirthplaceFrance:
      return true;
    case Rule::kRequired:
    case Rule::kNilNotAllowed: {
      if (suppression) return false;  // a SUPPRESSION names the passage, nothing more
      auto field = mappings::FieldByName(r.field);
      return field && !mappings::Spec(*field).In(version).required;
    }
    default:
      return false;
  }
}

}  // namespace

int RunValidate(const CommandContext& ctx) {
  const Invocation& inv = ctx.invocation;
  if (inv.arguments.empty()) {
    ctx.err << "accrochd validate: give one or more deposit files\n";
    return kExitConfig;
  }
  mappings::SchemaVersion version = mappings::SchemaVersion::k115;
  if (!inv.schema_version.empty()) {
    auto v = mappings::ParseSchemaVersion(inv.schema_version);
    if (!v) {
      ctx.err << "accrochd validate: --schema-version is 1.1.2 or 1.1.5\n";
      return kExitConfig;
    }
    version = *v;
  }
  auto schema = inv.schema.empty()
                    ? xml::XsdSchema::FromText(
                          mappings::GenerateXsd(version),
                          "accrochd's schema " + std::string(mappings::SchemaVersionName(version)))
                    : xml::XsdSchema::FromFile(inv.schema);
  if (!schema) {
    ctx.err << "accrochd validate: " << schema.error().message() << "\n";
    return kExitConfig;
  }
  int status = kExitOk;
  for (const std::string& file : inv.arguments) {
    auto errors = (*schema)->Validate(file);
    if (!errors) {
      ctx.err << "accrochd validate: " << errors.error().message() << "\n";
      status = kExitRuntime;
      continue;
    }
    for (const xml::XsdError& e : *errors) {
      ctx.out << file << ":" << e.line;
      if (e.column > 0) ctx.out << ":" << e.column;
      ctx.out << ": error: " << xml::XsdMessageWithoutValues(e.message) << "\n    "
              << xml::ExplainXsdError(e) << "\n";
    }
    std::size_t passages = 0, warnings = 0;
    const bool well_formed = std::none_of(errors->begin(), errors->end(),
                                          [](const auto& e) { return e.well_formedness; });
    if (well_formed) {
      auto reader = xml::DepositReader::Open(file);
      if (reader) {
        const mappings::Validator validator(
            version, Date{std::chrono::year(2099), std::chrono::December, std::chrono::day(31)});
        mappings::CycleChecks checks;
        xml::ReadPassage read;
        for (;;) {
          auto more = (*reader)->Next(read);
          if (!more || !*more) break;
          ++passages;
          const bool suppression = (*reader)->action() == "SUPPRESSION";  // read with the header
          mappings::MappedRow row;
          row.passage = std::move(read.passage);
          validator.Check(row);
          if (auto r = checks.RegisterIdTechnique(row.passage)) row.rejections.push_back(*r);
          if (!suppression) {
            if (auto r = checks.RegisterHolder(row.passage)) row.rejections.push_back(*r);
          }
          for (const mappings::Rejection& r : row.rejections) {
            if (!IsDictionaryRule(r, version, suppression)) continue;
            ++warnings;
            ctx.out << file << ":" << read.line << ": warning: idTechnique " << r.id_technique
                    << ": " << r.message << " [" << mappings::RuleName(r.rule) << "]\n";
          }
        }
      }
    }
    if (errors->empty()) {
      ctx.out << file << ": valid against " << (*schema)->name() << " ("
              << Plural(passages, "passage") << ", " << Plural(warnings, "warning")
              << " on the dictionary's rules)\n";
    } else {
      ctx.out << file << ": " << Plural(errors->size(), "error")
              << "; the CDC would refuse this file\n";
      status = std::max(status, kExitConfig);
    }
  }
  return status;
}

}  // namespace accrochd::daemon
