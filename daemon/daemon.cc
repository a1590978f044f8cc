#include "daemon/daemon.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <tuple>

#include "accrochd_version.h"
#include "connectors/deposit/deposit_session.h"
#include "core/deadline.h"
#include "core/tz/timezone.h"
#include "daemon/cycle/evaluation.h"
#include "daemon/cycle/pipeline.h"
#include "daemon/cycle/recording.h"
#include "daemon/withdrawals.h"
#include "mappings/deleted_keys.h"
#include "mappings/mapper.h"
#include "mappings/xsd_schema.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;

std::optional<std::int64_t> ParseInteger(const std::string& text) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS", anything after ignored.
std::optional<std::chrono::sys_seconds> ParseTimestamp(const std::string& text) {
  if (text.size() < 10) return std::nullopt;
  auto day = ParseIsoDate(std::string_view(text).substr(0, 10));
  if (!day) return std::nullopt;
  std::chrono::sys_seconds t = std::chrono::sys_days(*day);
  if (text.size() >= 19 && (text[10] == ' ' || text[10] == 'T') && text[13] == ':' &&
      text[16] == ':') {
    auto h = ParseInteger(text.substr(11, 2)), m = ParseInteger(text.substr(14, 2)),
         s = ParseInteger(text.substr(17, 2));
    if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
    t += std::chrono::hours(*h) + std::chrono::minutes(*m) + std::chrono::seconds(*s);
  } else if (text.size() != 10) {
    return std::nullopt;
  }
  return t;
}

std::string FormatTimestamp(std::chrono::sys_seconds t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::hh_mm_ss hms(t - day);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), " %02d:%02d:%02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return FormatIsoDate(Date(day)) + buffer;
}

LogField Field(std::string_view name, std::string value) {
  return {std::string(name), std::move(value)};
}

}  // namespace

Result<std::string> MoveBack(const std::string& value, Duration look_back, source::ValueKind kind) {
  if (look_back.count() == 0) return value;
  if (kind == source::ValueKind::kInteger) {
    return Fail(ErrorKind::kConfig,
                "cursor.look_back needs a date or timestamp cursor column; this one holds "
                "integers (remove look_back)");
  }
  auto t = ParseTimestamp(value);
  if (!t) {
    return Fail(ErrorKind::kConfig,
                "cursor.look_back needs dates or timestamps written "
                "YYYY-MM-DD[ HH:MM:SS]; the cursor column holds \"" +
                    value + "\"");
  }
  const auto back = *t - std::chrono::ceil<std::chrono::seconds>(look_back);
  if (kind == source::ValueKind::kDate || value.size() == 10) {
    return FormatIsoDate(Date(std::chrono::floor<std::chrono::days>(back)));
  }
  return FormatTimestamp(back);
}

bool CursorBefore(const std::string& a, const std::string& b, source::ValueKind kind) {
  if (kind == source::ValueKind::kInteger) {
    auto x = ParseInteger(a), y = ParseInteger(b);
    if (x && y) return *x < *y;
  }
  return a < b;
}

std::map<std::string, std::string> FailedCertifiers(const Config& config,
                                                    const Result<CycleReport>& cycle) {
  std::map<std::string, std::string> failed;
  if (cycle) {
    for (const CertifierFailure& f : cycle->failures) failed[f.certifier] = f.error.message();
  } else {
    for (const CertifierConfig& c : config.certifiers) failed[c.name] = cycle.error().message();
  }
  return failed;
}

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

// What a mapping reads in a cycle.
struct Daemon::Window {
  std::optional<source::CursorFilter> since;  // none: every row
  std::optional<store::Bookmark> bookmark;    // the mapping's, if it still applies
  source::ValueKind kind = source::ValueKind::kOther;
};

Daemon::Daemon(const Config& config, Logger& logger, Clock& clock, FileSystem& files,
               store::StateStore* store)
    : config_(config), logger_(logger), clock_(clock), files_(files), store_(store) {}

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

Result<Daemon::Window> Daemon::WindowFor(const CertifierConfig& certifier,
                                         const mappings::Mapping& mapping, bool deposit,
                                         std::stop_token stop) {
  Window w;
  if (!mapping.cursor || store_ == nullptr) return w;
  auto context = [&](const Error& e) {
    return std::unexpected(e.WithContext("mapping \"" + mapping.name + "\", cursor column \"" +
                                         mapping.cursor->column + "\""));
  };
  auto type =
      SourceNamed(mapping.source).DescribeColumnType(mapping.query, mapping.cursor->column, stop);
  if (!type) return context(type.error());
  w.kind = type->kind;
  if (w.kind == source::ValueKind::kInteger && mapping.cursor->look_back.count() != 0) {
    return context(Error(ErrorKind::kConfig,
                         "look_back needs a date or timestamp column; this one holds integers"));
  }
  auto bookmark = store_->cursors().Get(certifier.id_client, mapping.name);
  if (!bookmark) return std::unexpected(bookmark.error());
  if (*bookmark && (*bookmark)->fingerprint == mapping.fingerprint) w.bookmark = **bookmark;
  if (!w.bookmark) return w;  // first reading, or the mapping changed: every row
  auto from = MoveBack(w.bookmark->value, mapping.cursor->look_back, w.kind);
  if (!from) return context(from.error());
  if (deposit) {
    // The pending passages must all be read again to be written into the files.
    auto floor = store_->cursors().PendingFloor(certifier.id_client, mapping.name,
                                                w.kind == source::ValueKind::kInteger);
    if (!floor) return std::unexpected(floor.error());
    if (*floor && (*floor)->empty()) return w;  // one has no cursor value: every row
    if (*floor && CursorBefore(**floor, *from, w.kind)) from = **floor;
  }
  w.since = source::CursorFilter{mapping.cursor->column, *from, *type};
  return w;
}

Result<void> Daemon::Extract(const CertifierConfig& certifier, const mappings::Mapping& mapping,
                             mappings::CycleChecks& checks, std::optional<std::size_t> limit,
                             const RowSink* sink, deposit::DepositSession* session,
                             MappingReport& report, std::stop_token stop) {
  report.complete = false;
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

  Window window;
  if (store_ != nullptr && sink == nullptr) {
    auto w = WindowFor(certifier, mapping, session != nullptr, stop);
    if (!w) return std::unexpected(w.error());
    window = std::move(*w);
  }
  report.incremental = window.since.has_value();
  for (const mappings::SkipRule& rule : mapping.skip_when)
    report.skipped_by.push_back({rule.label, 0});

  // The stages run on their own threads (daemon/cycle/pipeline.h); an error in one cancels the
  // query in flight through `cancel`, which a stop request reaches too.
  std::stop_source cancel;
  std::stop_callback forward(stop, [&cancel] { cancel.request_stop(); });
  source::Source& src = SourceNamed(mapping.source);
  source::QuerySpec spec{mapping.query, mapping.page_by, mapping.page_size, window.since};
  auto stream = src.Query(spec, cancel.get_token());
  if (!stream) return context(stream.error());

  // Each row's digest, and the rows left unmapped because unchanged (cycle/evaluation.h): a
  // cycle that records, on the passages of this mapping under this accrochd, schema and text.
  std::unique_ptr<store::KnownRows> known;
  if (store_ != nullptr && sink == nullptr) {
    const std::string salt = std::string("accrochd " ACCROCHD_VERSION "\n") +
                             std::string(SchemaVersionName(config_.schema_version)) + "\n" +
                             mapping.fingerprint;
    auto opened = store_->passages().OpenKnownRows(certifier.id_client, mapping.name, salt);
    if (!opened) return context(opened.error());
    known = std::move(*opened);
  }
  cycle::Evaluation evaluation(mapping, validator, checks, window.kind, limit, sink, report,
                               known.get());
  if (store_ != nullptr && sink == nullptr) {
    evaluation.HashContentWith(
        [this](const mappings::Passage& p) { return store_->passages().ContentHash(p); });
  }
  std::optional<cycle::Recording> recording;
  if (store_ != nullptr) {
    recording.emplace(*store_, logger_, certifier.id_client, mapping, window.bookmark, window.kind,
                      session != nullptr, report);
    if (certifier.auto_corrections && !WithdrawalsUnsupported(config_)) {
      recording->SetAutoCorrect([this, &certifier](const std::vector<std::string>& ids) {
        return QueueAutomaticCorrections(certifier, ids);
      });
    }
  }
  cycle::Stages stages;
  stages.read = [&](source::RowBatch& batch) -> Result<bool> {
    Result<bool> next = (*stream)->Next(batch);
    if (!next) return context(next.error());
    return next;
  };
  stages.evaluate = [&](const source::RowBatch& batch, cycle::EvaluatedBatch& out) {
    return evaluation.Evaluate(batch, out);
  };
  // What a complete read saw, for the rows that disappear (MarkGone): not for a preview, and
  // only where MarkGone uses it -- a mapping without a cursor, or one with a deleted_query. A
  // mapping with a cursor and no deleted_query never finds rows gone: noting its keys (one
  // insert per row on the record stage, the backfill's busiest) would be work for nothing.
  const bool note_reads = store_ != nullptr && sink == nullptr && !limit &&
                          (!mapping.cursor || !mapping.deleted_query.empty());
  if (note_reads) {
    if (auto r = store_->missing().BeginRead(certifier.id_client); !r) return r;
  }
  stages.record = [&](cycle::EvaluatedBatch& batch, bool last,
                      std::vector<std::size_t>& to_write) -> Result<void> {
    if (!recording) return {};
    std::vector<std::string> seen;
    if (note_reads) {
      for (const EvaluatedRow& e : batch.rows) {
        if (e.row.identified) seen.push_back(e.row.passage.id_technique);
      }
    }
    if (auto r = recording->Record(batch, last, to_write); !r) return r;
    if (!note_reads) return {};
    return store_->missing().NoteRead(certifier.id_client, seen, batch.unchanged);
  };
  if (session != nullptr) {
    stages.write = [session](const mappings::Passage& p) { return session->Add(p); };
  }
  stages.beat = [this] { Beat(); };
  if (auto r = cycle::RunPipeline(stages, cancel, stage_figures_); !r) return r;
  // Only a read that went to its end counts: an error returned above, a stop, a limit never do.
  if (note_reads && !stop.stop_requested()) {
    if (auto r = MarkGone(certifier, mapping, window, report.rows, stop); !r) {
      return context(r.error());
    }
  }
  logger_.Info("mapping \"" + mapping.name + "\": " + std::to_string(report.rows) +
                   (report.incremental ? " rows read since the bookmark, " : " rows read, ") +
                   std::to_string(report.valid) + " valid, " + std::to_string(report.held) +
                   " not due yet, " + std::to_string(report.quarantined) + " quarantined, " +
                   std::to_string(report.fresh) + " new" +
                   (report.unchanged > 0 ? ", " + std::to_string(report.unchanged) +
                                               " unchanged since recorded (not mapped again)"
                                         : "") +
                   (report.skipped > 0 ? ", " + DescribeSkipped(report) : ""),
               {Field(kFieldCertificateur, certifier.id_client), Field(kFieldMapping, mapping.name),
                Field(kFieldSource, mapping.source)},
               kMessageIdExtractionDone);
  report.complete = true;
  return {};
}

Result<void> Daemon::QueueAutomaticCorrections(const CertifierConfig& certifier,
                                               const std::vector<std::string>& ids) {
  mappings::WithdrawalRequested request;
  request.correction = true;
  request.automatic = true;
  auto problems = store_->passages().RequestWithdrawal(
      ids, request,
      [this, &certifier](const store::PassageRecord& p) -> std::optional<std::string> {
        if (p.certifier != certifier.id_client) return "another certifier's";
        return WithdrawalObstacle(config_, files_, p);
      });
  if (!problems) return std::unexpected(problems.error());
  for (const std::string& p : *problems) {
    logger_.Warning("corrections: auto: passage " + p + "; it is not corrected",
                    {Field(kFieldCertificateur, certifier.id_client)},
                    kMessageIdPassageChangedAfterAcceptance);
  }
  const std::size_t queued = ids.size() - problems->size();
  if (queued > 0) {
    logger_.Info(std::to_string(queued) +
                     " accepted passage(s) changed in the source: their correction is queued "
                     "(corrections: auto), a SUPPRESSION then a CREATION",
                 {Field(kFieldCertificateur, certifier.id_client)},
                 kMessageIdPassageChangedAfterAcceptance);
  }
  return {};
}

Result<void> Daemon::MarkGone(const CertifierConfig& certifier, const mappings::Mapping& mapping,
                              const Window& window, std::uint64_t rows_read, std::stop_token stop) {
  store::MissingOutcome outcome;
  std::string how;
  if (!mapping.cursor) {
    if (!gone_counted_.emplace(certifier.id_client, mapping.name).second) return {};
    // A query that suddenly returns nothing (a filter gone wrong, a table emptied by a failed
    // import, the wrong database) is far likelier than the deletion of every row: such a read
    // counts no miss, and the journal says so at each cycle.
    if (rows_read == 0) {
      logger_.Warning("mapping \"" + mapping.name +
                          "\": its query returned no row; no passage is counted as gone from the "
                          "source for a read that returns nothing (check the query and the "
                          "database it reads)",
                      {Field(kFieldCertificateur, certifier.id_client),
                       Field(kFieldMapping, mapping.name), Field(kFieldSource, mapping.source)},
                      kMessageIdPassagesMissing);
      return {};
    }
    auto marked =
        store_->missing().MarkUnread(certifier.id_client, mapping.name, mapping.missing_after);
    if (!marked) return std::unexpected(marked.error());
    outcome = std::move(*marked);
    how = "not read by " + std::to_string(mapping.missing_after) + " complete read(s) in a row";
  } else if (!mapping.deleted_query.empty() && window.since) {
    // Without a bookmark (a first reading, a changed mapping) every row was read: nothing is
    // known to have been deleted since.
    auto ids = DeletedIds(mapping, window, stop);
    if (!ids) return std::unexpected(ids.error());
    auto marked = store_->missing().MarkDeleted(certifier.id_client, mapping.name, *ids);
    if (!marked) return std::unexpected(marked.error());
    outcome = std::move(*marked);
    how = "listed by deleted_query";
  }
  if (outcome.Total() == 0) return {};
  std::string detail;
  for (const auto& [status, n] : outcome.marked) {
    detail += (detail.empty() ? "" : ", ") + std::to_string(n) + " " +
              std::string(store::StatusName(status));
  }
  logger_.Warning("mapping \"" + mapping.name + "\": " + std::to_string(outcome.Total()) +
                      " passage(s) gone from the source (" + how + "; were " + detail +
                      "); none is withdrawn: see accrochd status, and withdraw an accepted one "
                      "with accrochd passages withdraw ID if it must be",
                  {Field(kFieldCertificateur, certifier.id_client),
                   Field(kFieldMapping, mapping.name), Field(kFieldSource, mapping.source)},
                  kMessageIdPassagesMissing);
  return {};
}

Result<std::vector<std::string>> Daemon::DeletedIds(const mappings::Mapping& mapping,
                                                    const Window& window, std::stop_token stop) {
  auto context = [&](const Error& e) {
    return std::unexpected(
        e.WithContext("deleted_query (" + mapping.deleted_query_location.ToString() + ")"));
  };
  source::Source& src = SourceNamed(mapping.source);
  source::QuerySpec spec{mapping.deleted_query, {}, mapping.page_size, window.since};
  auto stream = src.Query(spec, stop);
  if (!stream) return context(stream.error());
  std::optional<mappings::DeletedKeys> keys;
  std::vector<std::string> ids;
  for (;;) {
    source::RowBatch batch;
    Result<bool> more = (*stream)->Next(batch);
    if (!more) return context(more.error());
    if (!*more) break;
    if (!keys) {
      auto bound = mappings::DeletedKeys::Bind(mapping, *batch.columns);
      if (!bound) return std::unexpected(bound.error());
      keys.emplace(std::move(*bound));
    }
    for (const source::SourceRow& row : batch.rows) {
      if (auto id = keys->IdOf(row)) ids.push_back(std::move(*id));
    }
    Beat();
  }
  return ids;
}

Result<void> Daemon::Start() {
  if (config_.deposit.schema_file) {
    auto schema = xml::XsdSchema::FromFile(*config_.deposit.schema_file);
    if (!schema) return std::unexpected(schema.error());
    schema_ = *schema;
  } else {
    // Its own files are checked with the elements in the order it writes them: a stricter
    // schema than the official one, which libxml2 runs faster (mappings/xsd_schema.h).
    auto schema = xml::XsdSchema::FromText(
        mappings::GenerateXsd(config_.schema_version, mappings::XsdOrder::kWriters),
        "accrochd's schema " + std::string(mappings::SchemaVersionName(config_.schema_version)));
    if (!schema) return std::unexpected(schema.error());
    schema_ = *schema;
  }
  deposit::PublisherSettings settings;
  settings.state_directory = config_.state_directory;
  settings.retention = config_.deposit.retention;
  if (config_.deposit.gid) settings.group = static_cast<gid_t>(*config_.deposit.gid);
  if (store_ != nullptr) {
    // A store that cannot answer leaves the files to decide: recording the deposit fails then.
    settings.name_recorded = [this](const std::string& name) {
      auto recorded = store_->deposits().NameRecorded(name);
      return recorded && *recorded;
    };
  }
  publisher_ = std::make_unique<deposit::Publisher>(settings, clock_, logger_, files_);
  if (auto r = publisher_->Prepare(); !r) return r;
  return Recover();
}

// A deposit recorded as being published when the process stopped: its file either reached the
// outbox (the rename is atomic) and is published, or did not and its passages are pending again.
Result<void> Daemon::Recover() {
  if (store_ == nullptr) return {};
  auto publishing = store_->deposits().List("publishing");
  if (!publishing) return std::unexpected(publishing.error());
  for (const store::DepositRecord& d : *publishing) {
    const std::string in_outbox = (fs::path(publisher_->outbox()) / d.file_name).string();
    if (files_.Exists(in_outbox)) {
      deposit::PublishedFile file;
      file.name = d.file_name;
      file.id_flux = d.id_flux;
      file.passages = static_cast<std::uint64_t>(d.passages);
      file.certificateur = d.certifier;
      if (auto r = publisher_->Complete(file); !r) return r;
      if (auto r = store_->deposits().MarkPublished(d.id, file.sha256); !r) return r;
      logger_.Warning("deposit file " + d.file_name +
                          " reached the outbox but was not recorded (the process stopped or a "
                          "write failed); recorded now",
                      {Field(kFieldCertificateur, d.certifier), Field(kFieldDeposit, d.file_name)},
                      kMessageIdDepositRecovered);
    } else {
      if (auto r = store_->deposits().Abandon(
              d.id, "the file never reached the outbox (the process stopped while writing it)");
          !r) {
        return r;
      }
      logger_.Warning("deposit file " + d.file_name +
                          " never reached the outbox (the process stopped or a write failed while "
                          "it was written); its " +
                          std::to_string(d.passages) + " passage(s) are pending again",
                      {Field(kFieldCertificateur, d.certifier), Field(kFieldDeposit, d.file_name)},
                      kMessageIdDepositRecovered);
    }
  }
  return CompletePublished();
}

// A file published while its archive copy or manifest line could not be written (a full disk):
// both are completed now, each only if missing, while the file is still in the outbox.
Result<void> Daemon::CompletePublished() {
  if (store_ == nullptr) return {};
  auto published = store_->deposits().List("published");
  if (!published) return std::unexpected(published.error());
  for (const store::DepositRecord& d : *published) {
    const std::string in_outbox = (fs::path(publisher_->outbox()) / d.file_name).string();
    if (!files_.Exists(in_outbox)) continue;
    deposit::PublishedFile file;
    file.name = d.file_name;
    file.id_flux = d.id_flux;
    file.passages = static_cast<std::uint64_t>(d.passages);
    file.certificateur = d.certifier;
    file.published_at = d.published_at ? store::IsoUtc(*d.published_at) : "";
    file.sha256 = d.sha256;  // recorded at publication: the file is not read again
    if (auto r = publisher_->Complete(file); !r) return r;
  }
  return {};
}

std::string DescribeSkipped(const MappingReport& report) {
  // Rules may share a label: their counts add up, in the order of the first.
  std::vector<std::pair<std::string, std::uint64_t>> counts;
  for (const auto& [label, n] : report.skipped_by) {
    if (n == 0) continue;
    auto it =
        std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == label; });
    if (it == counts.end()) {
      counts.emplace_back(label, n);
    } else {
      it->second += n;
    }
  }
  std::string out = std::to_string(report.skipped) + " skipped (";
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out += (i == 0 ? "" : ", ") + counts[i].first + ": " + std::to_string(counts[i].second);
  }
  return out + ")";
}

std::string ExplainDecision(const DepositDecision& decision) {
  if (decision.reason == kAskedReason) return "asked: every valid passage that is due";
  if (decision.reason == "schedule")
    return "schedule: the last deposit is older than deposit.every";
  if (decision.reason == "first deposit") return "first deposit of this certifier";
  return decision.reason;
}

Result<DepositDecision> Daemon::Decide(const CertifierConfig& certifier, Date today) {
  const Date urgent_by{std::chrono::sys_days(today) + std::chrono::days(config_.deadlines.urgent)};
  auto facts = store_->passages().Pending(certifier.id_client, today, urgent_by);
  if (!facts) return std::unexpected(facts.error());
  if (!WithdrawalsUnsupported(config_)) {
    // An operator asked for these: they go at the next cycle, not on the schedule.
    auto withdrawals = store_->passages().QueuedWithdrawals(certifier.id_client);
    if (!withdrawals) return std::unexpected(withdrawals.error());
    if (!withdrawals->empty()) {
      return DepositDecision{true, std::to_string(withdrawals->size()) +
                                       " passage(s) queued for withdrawal (SUPPRESSION)"};
    }
  }
  if (facts->due == 0) return DepositDecision{false, "nothing pending is due"};
  if (facts->urgent > 0) {
    return DepositDecision{true, std::to_string(facts->urgent) + " pending passage(s) within " +
                                     std::to_string(config_.deadlines.urgent) +
                                     " days of their deadline"};
  }
  auto last = store_->deposits().LastCutAt(certifier.id_client);
  if (!last) return std::unexpected(last.error());
  if (!*last) return DepositDecision{true, "first deposit"};
  if (clock_.Now() - **last >= config_.deposit.every) return DepositDecision{true, "schedule"};
  return DepositDecision{false, "the last deposit is recent (deposit.every)"};
}

Result<void> Daemon::RunCertifier(const CertifierConfig& certifier, bool deposit,
                                  CycleReport& report, std::stop_token stop) {
  auto zone = TimeZone::Named(certifier.timezone);  // checked at load
  if (!zone) return std::unexpected(zone.error());
  // New passages whose row waited for a file's record that did not come (a failure, a stop): in
  // the store before this returns, whatever became of the session (destroyed before this).
  struct HeldRecordedAtEnd {
    Daemon& daemon;
    const CertifierConfig& certifier;
    ~HeldRecordedAtEnd() {
      if (daemon.store_ == nullptr) return;
      if (auto r = daemon.store_->passages().FlushStaged(certifier.id_client); !r) {
        daemon.logger_.Error(r.error().message(),
                             {Field(kFieldCertificateur, certifier.id_client)});
      }
    }
  } held_recorded_at_end{*this, certifier};
  std::unique_ptr<deposit::DepositSession> session;
  if (deposit) {
    deposit::SessionSettings settings;
    settings.version = config_.schema_version;
    settings.schema = schema_;
    settings.max_passages = config_.deposit.max_passages;
    settings.max_bytes = config_.deposit.max_bytes;
    settings.emetteur = certifier.emetteur;
    settings.certificateur = certifier.id_client;
    settings.id_contrat = certifier.id_contrat;
    settings.certifier = certifier.name;
    if (store_ != nullptr) {
      const std::string bcr = certifier.id_client;
      settings.hooks.before = [this, bcr](const std::string& name, const std::string& id_flux,
                                          const std::vector<std::string>& ids) {
        return store_->deposits().Begin(bcr, name, id_flux, ids);
      };
      settings.hooks.after = [this](std::int64_t id, const deposit::PublishedFile& file) {
        return store_->deposits().MarkPublished(id, file.sha256);
      };
      settings.hooks.abandoned = [this](std::int64_t id, const std::string& why) {
        if (auto r = store_->deposits().Abandon(id, why); !r) logger_.Error(r.error().message());
      };
    }
    session =
        std::make_unique<deposit::DepositSession>(settings, *publisher_, *zone, clock_, logger_);
  }
  std::unique_ptr<mappings::SeenIndex> index;
  std::optional<mappings::CycleChecks> checks;  // idTechnique and holders are unique per émetteur
  if (store_ != nullptr) {
    auto opened = store_->passages().NewCycleIndex();
    if (!opened) return std::unexpected(opened.error());
    index = std::move(*opened);
    checks.emplace(*index);
  } else {
    checks.emplace();
  }
  const std::size_t first = report.mappings.size();
  // Mappings of a constant certification in certification order, then those that read it from
  // columns: the session writes the certification a file starts with as it comes and the others
  // from spools, so the files hold one group per certification, in order (see DepositSession).
  std::vector<const mappings::Mapping*> ordered;
  for (const mappings::Mapping& mapping : certifier.mappings) ordered.push_back(&mapping);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
    const auto& x = a->certification.constant;
    const auto& y = b->certification.constant;
    if (x.has_value() != y.has_value()) return x.has_value();
    return x.has_value() && *x < *y;
  });
  for (const mappings::Mapping* mapping : ordered) {
    if (!report.sources.contains(mapping->source)) {
      Result<source::SourceInfo> info = SourceNamed(mapping->source).Probe(stop);
      if (!info) return std::unexpected(info.error());
      report.sources.emplace(mapping->source, *info);
    }
    report.mappings.emplace_back();
    auto m = Extract(certifier, *mapping, *checks, std::nullopt, nullptr, session.get(),
                     report.mappings.back(), stop);
    if (!m) {
      // What was read is reported as read, and the files that reached the outbox as published:
      // they will be deposited.
      if (session) {
        if (auto r = AddOutcome(certifier, session->Abandon(), first, report); !r) {
          logger_.Error(r.error().message(), {Field(kFieldCertificateur, certifier.id_client)});
        }
        AddFigures(stage_figures_, session->checker_figures());
      }
      return m;
    }
    Beat();
  }
  if (!session) return {};
  auto outcome = session->Finish();
  AddFigures(stage_figures_, session->checker_figures());
  if (!outcome) {
    if (auto r = AddOutcome(certifier, session->Outcome(), first, report); !r) {
      logger_.Error(r.error().message(), {Field(kFieldCertificateur, certifier.id_client)});
    }
    return std::unexpected(outcome.error());
  }
  if (auto r = AddOutcome(certifier, std::move(*outcome), first, report); !r) return r;
  if (store_ == nullptr) return {};
  // The withdrawals queued (passages withdraw, passages correct): their SUPPRESSION files, apart
  // from the CREATION ones.
  return DepositWithdrawals(config_, certifier, *store_, *publisher_, schema_, *zone, clock_,
                            logger_, report.files);
}

Result<void> Daemon::AddOutcome(const CertifierConfig& certifier, deposit::DepositOutcome outcome,
                                std::size_t first, CycleReport& report) {
  // Passages the XSD refused move from valid to quarantined.
  std::vector<std::pair<std::string, store::Observation::Reason>> refused;
  for (mappings::Rejection& r : outcome.rejections) {
    refused.push_back(
        {r.id_technique, {r.field, std::string(mappings::RuleName(r.rule)), r.message}});
    for (std::size_t i = first; i < report.mappings.size(); ++i) {
      MappingReport& m = report.mappings[i];
      if (m.mapping != r.mapping) continue;
      --m.valid;
      ++m.quarantined;
      m.rejections.push_back(std::move(r));
      break;
    }
  }
  if (store_ != nullptr && !refused.empty()) {
    // The session is done: a passage whose row still waited for its file's record is inserted
    // first, so that its quarantine has a row to go on.
    if (auto r = store_->passages().FlushStaged(certifier.id_client); !r) return r;
    if (auto r = store_->passages().QuarantineRefused(certifier.id_client, refused); !r) return r;
  }
  for (deposit::PublishedFile& f : outcome.files) report.files.push_back(std::move(f));
  return {};
}

Result<CycleReport> Daemon::RunCycle(DepositPolicy policy, std::stop_token stop) {
  if (!publisher_) return Fail(ErrorKind::kInternal, "Daemon::Start() was not called");
  // After a failed cycle (a full disk may have stopped a publication between the rename and the
  // manifest, or before the store recorded it), what is missing is completed first, as at a
  // start (no deposit session is open between cycles); reading the manifest every cycle would
  // cost too much on a long-lived installation.
  if (incomplete_) {
    Result<void> r = Recover();
    if (r) r = CompletePublished();
    if (!r) {
      logger_.Error(r.error().message() +
                    "; the archive and manifest are completed at the next cycle");
    } else {
      incomplete_ = false;
    }
  }
  CycleReport report;
  const auto started = std::chrono::steady_clock::now();
  stage_figures_.clear();
  gone_counted_.clear();
  for (const CertifierConfig& certifier : config_.certifiers) {
    auto zone = TimeZone::Named(certifier.timezone);  // checked at load
    if (!zone) return std::unexpected(zone.error());
    const Date today = zone->LocalDate(clock_.Now());
    DepositDecision decision{true, std::string(kAskedReason)};
    if (policy == DepositPolicy::kPlanned && store_ != nullptr) {
      auto d = Decide(certifier, today);
      if (!d) return std::unexpected(d.error());
      decision = *d;
    }
    auto served = RunCertifier(certifier, decision.cut, report, stop);
    // Passages found in an extraction may be due, or urgent, at once: a second pass deposits
    // them without waiting for the next cycle.
    if (served && !decision.cut && policy == DepositPolicy::kPlanned && store_ != nullptr) {
      auto again = Decide(certifier, today);
      if (!again) return std::unexpected(again.error());
      if (again->cut) {
        decision = *again;
        served = RunCertifier(certifier, true, report, stop);
      }
    }
    if (!served) {
      if (served.error().kind() == ErrorKind::kCancelled || stop.stop_requested()) {
        return std::unexpected(served.error());
      }
      logger_.Error("certifier \"" + certifier.name + "\": " + served.error().message(),
                    {Field(kFieldCertificateur, certifier.id_client)}, kMessageIdCycleFailed);
      report.failures.push_back({certifier.name, served.error()});
      // Its sources connect afresh at the next cycle: nothing a failure left behind (a server
      // restarted, a database file put back) outlives the cycle.
      for (const mappings::Mapping& m : certifier.mappings) {
        if (auto it = sources_.find(m.source); it != sources_.end()) it->second->Disconnect();
      }
      incomplete_ = true;
      decision.cut = false;
      decision.reason = "the cycle failed";
    }
    if (decision.cut) {
      const auto files =
          std::count_if(report.files.begin(), report.files.end(),
                        [&](const auto& f) { return f.certificateur == certifier.id_client; });
      logger_.Info("certifier \"" + certifier.name + "\": deposit round (" +
                       ExplainDecision(decision) + "): " + std::to_string(files) +
                       " deposit file(s) published",
                   {Field(kFieldCertificateur, certifier.id_client)}, kMessageIdDepositPlanned);
    }
    report.decisions[certifier.name] = decision;
    Beat();
  }
  if (auto r = publisher_->ApplyRetention(); !r) return std::unexpected(r.error());
  report.wall = std::chrono::steady_clock::now() - started;
  report.stages = std::move(stage_figures_);
  stage_figures_.clear();
  // Every cycle, so at debug level: a daemon's journal gets the figures when asked (--verbose).
  for (const StageFigures& f : report.stages) {
    logger_.Debug("cycle stage " + DescribeStage(f, report.wall));
  }
  if (store_ != nullptr && config_.deposit.on_publish) {
    UploadHook hook(config_, *store_, logger_, clock_, files_);
    auto runs = hook.RunDue(
        policy == DepositPolicy::kAlways, [this] { Beat(); }, stop);
    if (!runs) {
      if (runs.error().kind() == ErrorKind::kCancelled) return std::unexpected(runs.error());
      // The files stay published, their runs due: the next cycle tries again.
      logger_.Error("upload hook: " + runs.error().message(), {}, kMessageIdHookFailed);
    } else {
      report.hooks = std::move(*runs);
    }
  }
  return report;
}

Result<MappingReport> Daemon::Preview(const std::string& name, std::size_t limit,
                                      const RowSink& sink, std::stop_token stop) {
  for (const CertifierConfig& certifier : config_.certifiers) {
    for (const mappings::Mapping& mapping : certifier.mappings) {
      if (mapping.name != name) continue;
      mappings::CycleChecks checks;
      MappingReport report;
      if (auto r = Extract(certifier, mapping, checks, limit, &sink, nullptr, report, stop); !r) {
        return std::unexpected(r.error());
      }
      return report;
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
