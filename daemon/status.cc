#include "daemon/status.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/text.h"
#include "core/tz/timezone.h"
#include "daemon/dashboard.h"
#include "daemon/upload_hook.h"

namespace accrochd::daemon {

namespace fs = std::filesystem;
using store::Status;

const CertifierConfig* CertifierByBcr(const Config& config, const std::string& bcr) {
  for (const CertifierConfig& c : config.certifiers) {
    if (c.id_client == bcr) return &c;
  }
  return nullptr;
}

Date TodayFor(const Config& config, const std::string& bcr, Clock& clock) {
  const CertifierConfig* c = CertifierByBcr(config, bcr);
  auto zone = TimeZone::Named(c != nullptr ? c->timezone : config.timezone);
  if (!zone) zone = TimeZone::Named("UTC");
  return zone->LocalDate(clock.Now());
}

std::string CertificationLabel(const std::string& type, const std::string& code) {
  if (type.empty() && code.empty()) return "certification non reconnue";
  return type + " " + code;
}

std::string FrenchWithdrawal(Status s) {
  switch (s) {
    case Status::kWithdrawalQueued:
      return "retrait demandé, fichier de suppression à écrire";
    case Status::kWithdrawalInDeposit:
      return "dans un fichier de suppression à déposer";
    case Status::kWithdrawalDeposited:
      return "suppression déposée, accusé attendu";
    case Status::kWithdrawn:
      return "retiré";
    default:
      return "";
  }
}

void SetWithdrawalFigures(TemplateValue& t, const CertificationFigures& cert) {
  const std::int64_t queued = cert.Count(Status::kWithdrawalQueued),
                     in_deposit = cert.Count(Status::kWithdrawalInDeposit),
                     deposited = cert.Count(Status::kWithdrawalDeposited),
                     withdrawn = cert.Count(Status::kWithdrawn);
  t.Set("withdrawal_queued", TemplateValue::Number(queued))
      .Set("withdrawal_in_deposit", TemplateValue::Number(in_deposit))
      .Set("withdrawal_deposited", TemplateValue::Number(deposited))
      .Set("withdrawn", TemplateValue::Number(withdrawn))
      .Set("has_withdrawals", queued + in_deposit + deposited + withdrawn > 0);
}

void SetWithdrawalDetails(TemplateValue& row, const store::PassageRecord& p) {
  const bool other_id = !p.cdc_id_technique.empty() && p.cdc_id_technique != p.id_technique;
  row.Set("cdc_id", p.cdc_id_technique)
      .Set("has_cdc_id", other_id)
      .Set("withdrawal_file", p.withdrawal_file)
      .Set("has_withdrawal_file", !p.withdrawal_file.empty())
      .Set("correcting", p.correcting)
      .Set("corrections", TemplateValue::Number(p.corrections))
      .Set("withdrawal_message", p.withdrawal_message)
      .Set("has_withdrawal_message", !p.withdrawal_message.empty());
}

void SetCorrectionFigures(TemplateValue& c, const CertifierFigures& certifier) {
  c.Set("corrections", TemplateValue::Number(certifier.corrections))
      .Set("has_corrections", certifier.corrections > 0);
}

std::string French(Status s) {
  switch (s) {
    case Status::kPending:
      return "en attente de dépôt";
    case Status::kQuarantined:
      return "en quarantaine";
    case Status::kInDeposit:
      return "dans un fichier à déposer";
    case Status::kDeposited:
      return "déposé, accusé attendu";
    case Status::kAccepted:
      return "accepté";
    case Status::kRejected:
      return "rejeté par la CDC";
    case Status::kMissing:
      return "disparu de la source";
    default:
      return FrenchWithdrawal(s);
  }
  return "";
}

Result<std::unique_ptr<store::StateStore>> OpenExistingStore(const Config& config, Clock& clock,
                                                             FileSystem& files) {
  if (!files.Exists((fs::path(config.state_directory) / "state.db").string())) {
    return Fail(ErrorKind::kUsage, "no state in " + config.state_directory +
                                       " yet: accrochd has not run a cycle (accrochd once, or the "
                                       "service) with this configuration");
  }
  return store::StateStore::Open(config.state_directory, clock, files);
}

std::string FrenchStamp(const std::string& zone, const std::optional<TimePoint>& t) {
  return t ? FrenchDateTime(zone, *t) : "";
}

std::string IsoStamp(const std::optional<TimePoint>& t) { return t ? store::IsoUtc(*t) : ""; }

namespace {

// TemplateValue -> JSON. Texts are strings, even made of digits (an idTechnique "00123").
std::string ToJson(const TemplateValue& v, int indent = 0) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  const std::string close(static_cast<std::size_t>(indent), ' ');
  switch (v.type()) {
    case TemplateValue::Type::kText:
      return "\"" + JsonEscape(v.text()) + "\"";
    case TemplateValue::Type::kNumber:
      return v.text();
    case TemplateValue::Type::kFlag:
      return v.flag() ? "true" : "false";
    case TemplateValue::Type::kList: {
      if (v.items().empty()) return "[]";
      std::string out = "[\n";
      for (std::size_t i = 0; i < v.items().size(); ++i) {
        out += pad + ToJson(v.items()[i], indent + 2) + (i + 1 < v.items().size() ? ",\n" : "\n");
      }
      return out + close + "]";
    }
    case TemplateValue::Type::kObject: {
      if (v.fields().empty()) return "{}";
      std::string out = "{\n";
      std::size_t i = 0;
      for (const auto& [name, value] : v.fields()) {
        out += pad + "\"" + JsonEscape(name) + "\"" + ": " + ToJson(value, indent + 2) +
               (++i < v.fields().size() ? ",\n" : "\n");
      }
      return out + close + "}";
    }
  }
  return "null";
}

TemplateValue N(std::int64_t n) { return TemplateValue::Number(n); }

}  // namespace

std::string IsoDateTime(const std::string& zone, TimePoint t) {
  auto tz = TimeZone::Named(zone);
  if (!tz) tz = TimeZone::Named("UTC");
  return tz->LocalTimestamp(t);
}

std::string FrenchDateTime(const std::string& zone, TimePoint t) {
  auto tz = TimeZone::Named(zone);
  if (!tz) tz = TimeZone::Named("UTC");
  const std::string local = tz->LocalTimestamp(t);  // 2026-11-27T14:03:12+01:00
  auto day = ParseIsoDate(local.substr(0, 10));
  return (day ? FormatFrenchDate(*day) : local.substr(0, 10)) + " " + local.substr(11, 5);
}

// The dashboard's own figures (one count for the status line, the report and the metrics):
// the status line's « à échéance » counts the overdue passages with the urgent ones.
Result<StatusSummary> Summarize(const Config& config, store::StateStore& store, Clock& clock) {
  auto dashboard = ComputeFigures(config, store, clock);
  if (!dashboard) return std::unexpected(dashboard.error());
  StatusSummary s;
  for (const CertifierFigures& c : dashboard->certifiers) {
    s.pending += c.Count(Status::kPending);
    s.quarantined += c.Count(Status::kQuarantined);
    s.overdue += c.overdue;
    s.urgent += c.overdue + c.urgent;
    s.outbox += c.outbox_files;
  }
  return s;
}

Result<std::string> StatusLine(const Config& config, const StatusSummary& summary,
                               TimePoint next_cycle, const std::string& failing) {
  TemplateValue data;
  data.Set("pending", N(summary.pending))
      .Set("urgent", N(summary.urgent))
      .Set("urgent_days", N(config.deadlines.urgent))
      .Set("overdue", N(summary.overdue))
      .Set("quarantined", N(summary.quarantined))
      .Set("has_quarantined", summary.quarantined > 0)
      .Set("outbox", N(summary.outbox))
      .Set("has_outbox", summary.outbox > 0)
      .Set("failing", failing)
      .Set("has_failing", !failing.empty())
      .Set("next_cycle", FrenchDateTime(config.timezone, next_cycle).substr(11));
  auto line = config.templates->Render("status-line", data);
  if (!line) return line;
  while (!line->empty() && (line->back() == '\n' || line->back() == ' ')) line->pop_back();
  std::replace(line->begin(), line->end(), '\n', ' ');
  return line;
}

namespace {

TemplateValue HookData(const Config& config, const store::HookRecord& h, Audience audience) {
  TemplateValue hook;
  hook.Set("state", h.state)
      .Set(h.state, true)
      .Set("attempts", N(h.attempts))
      .Set("failures", N(h.failures))
      .Set("failed", h.failures > 0)
      .Set("last_result", h.last_result)
      .Set("last_code", N(h.last_code))
      .Set("result", FrenchHookResult(h))
      .Set("marked_uploaded", h.marked_uploaded);
  // People read French stamps; programs ISO 8601 with the zone's offset, left out when unknown.
  const std::pair<const char*, std::optional<TimePoint>> times[] = {
      {"last_attempt_at", h.last_attempt_at}, {"next_attempt_at", h.next_attempt_at}};
  for (const auto& [key, t] : times) {
    if (audience == Audience::kPeople) {
      hook.Set(key, FrenchStamp(config.timezone, t));
    } else if (t) {
      hook.Set(key, IsoDateTime(config.timezone, *t));
    }
  }
  return hook;
}

}  // namespace

Result<TemplateValue> DashboardData(const Config& config, store::StateStore& store, Clock& clock,
                                    std::size_t nearest_count, Audience audience) {
  auto dashboard = ComputeDashboard(config, store, clock, nearest_count);
  if (!dashboard) return std::unexpected(dashboard.error());
  return DashboardValue(config, *dashboard, nearest_count == kEveryDeadline, audience);
}

TemplateValue DashboardValue(const Config& config, const Dashboard& dashboard, bool all,
                             Audience audience) {
  const bool people = audience == Audience::kPeople;
  // A date or time as the audience reads it; `key` is left out for programs when unknown.
  auto set_date = [&](TemplateValue& row, const char* key, const std::optional<Date>& d) {
    if (people) {
      row.Set(key, d ? FormatFrenchDate(*d) : "?");
    } else if (d) {
      row.Set(key, FormatIsoDate(*d));
    }
  };
  auto set_time = [&](TemplateValue& row, const char* key, const std::optional<TimePoint>& t) {
    if (people) {
      row.Set(key, FrenchStamp(config.timezone, t));
    } else if (t) {
      row.Set(key, IsoDateTime(config.timezone, *t));
    }
  };
  TemplateValue data;
  if (!people) data.Set("type", "accrochd.status").Set("version", N(kStatusJsonVersion));
  set_time(data, "generated_at", dashboard.generated_at);
  data.Set("timezone", config.timezone);
  data.Set("urgent_days", N(dashboard.urgent_days));
  TemplateValue certifiers = TemplateValue::List();
  for (const CertifierFigures& certifier : dashboard.certifiers) {
    TemplateValue c;
    c.Set("name",
          certifier.configured != nullptr ? certifier.configured->name : "(plus configuré)");
    c.Set("bcr", certifier.bcr);
    TemplateValue certifications = TemplateValue::List();
    bool withdrawals = false;  // one of its certifications has some (the report's table)
    for (const CertificationFigures& cert : certifier.certifications) {
      const bool refused = cert.type.empty() && cert.code.empty();
      TemplateValue t;
      t.Set("type", refused ? CertificationLabel("", "") : cert.type)
          .Set("code", cert.code)
          .Set("total", N(cert.Total()))
          .Set("pending", N(cert.Count(Status::kPending)))
          .Set("held", N(cert.held))
          .Set("has_held", cert.held > 0)
          .Set("quarantined", N(cert.Count(Status::kQuarantined)))
          .Set("in_deposit", N(cert.Count(Status::kInDeposit)))
          .Set("deposited", N(cert.Count(Status::kDeposited)))
          .Set("accepted", N(cert.Count(Status::kAccepted)))
          .Set("rejected", N(cert.Count(Status::kRejected)))
          .Set("missing", N(cert.Count(Status::kMissing)))
          .Set("has_missing", cert.Count(Status::kMissing) > 0);
      SetWithdrawalFigures(t, cert);
      for (Status s : {Status::kWithdrawalQueued, Status::kWithdrawalInDeposit,
                       Status::kWithdrawalDeposited, Status::kWithdrawn}) {
        withdrawals = withdrawals || cert.Count(s) > 0;
      }
      certifications.Push(std::move(t));
    }
    c.Set("certifications", std::move(certifications));
    c.Set("has_withdrawals", withdrawals);
    c.Set("overdue", N(certifier.overdue))
        .Set("urgent", N(certifier.urgent))
        .Set("urgent_days", N(dashboard.urgent_days))
        .Set("soon", N(certifier.soon))
        .Set("soon_days", N(dashboard.soon_days))
        .Set("later", N(certifier.later))
        .Set("unknown", N(certifier.unknown))
        .Set("has_unknown", certifier.unknown > 0)
        .Set("quarantined", N(certifier.Count(Status::kQuarantined)))
        .Set("outbox_files", N(certifier.outbox_files))
        .Set("awaiting_receipt", N(certifier.awaiting_receipt))
        .Set("missing", N(certifier.Count(Status::kMissing)))
        .Set("missing_from_source", N(certifier.missing_from_source))
        .Set("missing_accepted", N(certifier.missing_accepted))
        .Set("has_missing", certifier.Count(Status::kMissing) + certifier.missing_from_source > 0);
    SetCorrectionFigures(c, certifier);
    certifiers.Push(std::move(c));
  }
  data.Set("certifiers", std::move(certifiers));

  TemplateValue list = TemplateValue::List();
  for (const Dashboard::Deadline& d : dashboard.nearest) {
    const store::PassageRecord& p = d.passage;
    const int left = d.days_left;
    TemplateValue row;
    row.Set("id", p.id_technique)
        .Set("certifier", p.certifier)
        .Set("certification", p.certification_code.empty()
                                  ? CertificationLabel(p.certification_type, "")
                                  : p.certification_code)
        .Set("status", French(p.status))
        .Set("status_code", std::string(store::StatusName(p.status)))
        .Set("days_left", N(left))
        .Set("days_overdue", N(-left))
        .Set("overdue", left < 0)
        .Set("today", left == 0)
        .Set("ahead", left > 0);
    set_date(row, "delivery", p.delivery);
    set_date(row, "deadline", p.deadline);
    list.Push(std::move(row));
  }
  data.Set("nearest_count", N(static_cast<std::int64_t>(dashboard.nearest.size())));
  data.Set("all", all);
  data.Set("nearest", std::move(list));

  data.Set("hook_configured", config.deposit.on_publish.has_value());
  TemplateValue outbox = TemplateValue::List(), awaiting = TemplateValue::List();
  auto deposit_row = [&](const store::DepositRecord& d) {
    TemplateValue row;
    row.Set("file", d.file_name).Set("certifier", d.certifier).Set("passages", N(d.passages));
    set_time(row, "published_at", d.published_at);
    set_time(row, "uploaded_at", d.uploaded_at);
    if (auto it = dashboard.hooks.find(d.id); it != dashboard.hooks.end()) {
      row.Set("hook", HookData(config, it->second, audience));
    }
    return row;
  };
  for (const store::DepositRecord& d : dashboard.outbox) outbox.Push(deposit_row(d));
  for (const store::DepositRecord& d : dashboard.awaiting) awaiting.Push(deposit_row(d));
  data.Set("outbox", std::move(outbox));
  data.Set("has_outbox", !dashboard.outbox.empty());
  data.Set("outbox_count", N(static_cast<std::int64_t>(dashboard.outbox.size())));
  data.Set("awaiting", std::move(awaiting));
  data.Set("awaiting_count", N(static_cast<std::int64_t>(dashboard.awaiting.size())));

  // How the alert queue and the last cycles stand (the metrics file says the same).
  TemplateValue alerts;
  alerts.Set("queued", N(dashboard.alerts.queued))
      .Set("delivered", N(dashboard.alerts.delivered))
      .Set("failed", N(dashboard.alerts.failed));
  data.Set("alerts", std::move(alerts));
  auto cycle = [&](const store::CycleRecord& c) {
    TemplateValue v;
    v.Set("result", std::string(store::CycleResultName(c.result)))
        .Set(std::string(store::CycleResultName(c.result)), true)
        .Set("ended_at_unix",
             N(std::chrono::duration_cast<std::chrono::seconds>(c.ended_at.time_since_epoch())
                   .count()))
        .Set("duration_ms", N(c.duration.count()));
    set_time(v, "ended_at", c.ended_at);
    return v;
  };
  data.Set("has_last_cycle", dashboard.last_cycle.has_value());
  if (dashboard.last_cycle) data.Set("last_cycle", cycle(*dashboard.last_cycle));
  data.Set("has_last_success", dashboard.last_success.has_value());
  if (dashboard.last_success) data.Set("last_success", cycle(*dashboard.last_success));
  return data;
}

Result<std::string> ReportPage(const Config& config, const Dashboard& dashboard) {
  TemplateValue data = DashboardValue(config, dashboard, true);
  std::int64_t overdue = 0;
  for (const CertifierFigures& c : dashboard.certifiers) overdue += c.overdue;
  data.Set("overdue_total", N(overdue)).Set("has_overdue", overdue > 0);
  return config.templates->Render("report", data, Escape::kHtml);
}

int RunStatus(const CommandContext& ctx) {
  auto config = LoadOrReport(ctx, "status");
  if (!config) return kExitConfig;
  auto store = OpenExistingStore(*config, ctx.clock, ctx.files);
  if (!store) {
    ctx.err << "accrochd status: " << store.error().message() << "\n";
    return ExitCodeFor(store.error());
  }
  if (ctx.invocation.html) {
    auto dashboard = ComputeDashboard(*config, **store, ctx.clock, kEveryDeadline);
    auto page = dashboard ? ReportPage(*config, *dashboard)
                          : Result<std::string>(std::unexpected(dashboard.error()));
    if (!page) {
      ctx.err << "accrochd status: " << page.error().message() << "\n";
      return ExitCodeFor(page.error());
    }
    ctx.out << *page;
    return kExitOk;
  }
  auto data = DashboardData(*config, **store, ctx.clock,
                            ctx.invocation.all ? kEveryDeadline : kNearestDeadlines,
                            ctx.invocation.json ? Audience::kPrograms : Audience::kPeople);
  if (!data) {
    ctx.err << "accrochd status: " << data.error().message() << "\n";
    return ExitCodeFor(data.error());
  }
  if (ctx.invocation.json) {
    ctx.out << ToJson(*data) << "\n";
    return kExitOk;
  }
  auto text = config->templates->Render("status", *data);
  if (!text) {
    ctx.err << "accrochd status: " << text.error().message() << "\n";
    return ExitCodeFor(text.error());
  }
  ctx.out << *text;
  return kExitOk;
}

int RunHistory(const CommandContext& ctx) {
  if (ctx.invocation.arguments.size() != 1) {
    ctx.err << "accrochd history: give one idTechnique (accrochd history ID)\n";
    return kExitConfig;
  }
  std::string id = ctx.invocation.arguments.front();
  auto config = LoadOrReport(ctx, "history");
  if (!config) return kExitConfig;
  auto store = OpenExistingStore(*config, ctx.clock, ctx.files);
  if (!store) {
    ctx.err << "accrochd history: " << store.error().message() << "\n";
    return ExitCodeFor(store.error());
  }
  auto passages = (*store)->passages().PassagesWithId(id);
  // Not a passage's own idTechnique: perhaps the one a correction was deposited under (the one
  // the CDC's receipts and portal show), which names the passage it corrects.
  std::string known_as;
  if (passages && passages->empty()) {
    auto known = (*store)->passages().PassagesKnownAs(id);
    if (!known) {
      ctx.err << "accrochd history: " << known.error().message() << "\n";
      return ExitCodeFor(known.error());
    }
    std::set<std::string> ids;
    for (const store::PassageRecord& p : *known) ids.insert(p.id_technique);
    if (ids.size() > 1) {
      std::string list;
      for (const std::string& each : ids) list += (list.empty() ? "" : ", ") + each;
      ctx.err << "accrochd history: idTechnique \"" << id << "\" is the one several passages were "
              << "deposited under (" << list << "): give one of theirs\n";
      return kExitConfig;
    }
    if (ids.size() == 1) {
      known_as = id;
      id = *ids.begin();
      passages = (*store)->passages().PassagesWithId(id);
    }
  }
  auto events = (*store)->passages().History(id);
  if (!passages || !events) {
    const Error& e = !passages ? passages.error() : events.error();
    ctx.err << "accrochd history: " << e.message() << "\n";
    return ExitCodeFor(e);
  }
  if (passages->empty() && events->empty()) {
    ctx.err << "accrochd history: no passage with idTechnique \"" << id
            << "\" (accrochd status lists the nearest deadlines)\n";
    return kExitConfig;
  }
  TemplateValue data;
  data.Set("id", id).Set("known_as", known_as).Set("has_known_as", !known_as.empty());
  TemplateValue list = TemplateValue::List();
  for (const store::PassageRecord& p : *passages) {
    const CertifierConfig* c = CertifierByBcr(*config, p.certifier);
    TemplateValue row;
    row.Set("certifier", c != nullptr ? c->name : p.certifier)
        .Set("bcr", p.certifier)
        .Set("certification", CertificationLabel(p.certification_type, p.certification_code))
        .Set("mapping", p.mapping)
        .Set("status", French(p.status))
        .Set("delivery", p.delivery ? FormatFrenchDate(*p.delivery) : "?")
        .Set("deadline", p.deadline ? FormatFrenchDate(*p.deadline) : "?")
        .Set("deposit_file", p.deposit_file)
        .Set("has_deposit_file", !p.deposit_file.empty())
        .Set("cdc_message", p.cdc_message)
        .Set("has_cdc_message", !p.cdc_message.empty())
        .Set("changed_after_acceptance", p.changed_after_acceptance);
    SetWithdrawalDetails(row, p);
    if (p.deadline) {
      const int left = DaysLeft(*p.deadline, TodayFor(*config, p.certifier, ctx.clock));
      row.Set("days_left", N(left)).Set("overdue", left < 0).Set("has_days_left", true);
    }
    list.Push(std::move(row));
  }
  data.Set("passages", std::move(list));
  TemplateValue history = TemplateValue::List();
  for (const store::Event& e : *events) {
    TemplateValue row;
    row.Set("at", FrenchStamp(config->timezone, e.at)).Set("kind", e.kind).Set("detail", e.detail);
    row.Set("has_detail", !e.detail.empty());
    row.Set(e.kind, true);  // one flag per kind: the template words each kind
    history.Push(std::move(row));
  }
  data.Set("events", std::move(history));
  auto text = config->templates->Render("history", data);
  if (!text) {
    ctx.err << "accrochd history: " << text.error().message() << "\n";
    return ExitCodeFor(text.error());
  }
  ctx.out << *text;
  return kExitOk;
}

int RunDeposits(const CommandContext& ctx) {
  const auto& args = ctx.invocation.arguments;
  const bool list = args.empty() || args.front() == "list";
  const bool mark = !args.empty() && args.front() == "mark-uploaded";
  if ((!list && !mark) || (list && args.size() > 1) || (mark && args.size() < 2)) {
    ctx.err << "accrochd deposits: expected `deposits list` or `deposits mark-uploaded FILE...`\n";
    return kExitConfig;
  }
  auto config = LoadOrReport(ctx, "deposits");
  if (!config) return kExitConfig;
  auto store = OpenExistingStore(*config, ctx.clock, ctx.files);
  if (!store) {
    ctx.err << "accrochd deposits: " << store.error().message() << "\n";
    return ExitCodeFor(store.error());
  }
  if (mark) {
    int status = kExitOk;
    for (std::size_t i = 1; i < args.size(); ++i) {
      const std::string name = fs::path(args[i]).filename().string();  // a path is fine too
      auto marked = (*store)->deposits().MarkUploaded(name);
      if (!marked) {
        ctx.err << "accrochd deposits: " << marked.error().message() << "\n";
        status = ExitCodeFor(marked.error());
        continue;
      }
      ctx.out << name << ": marked uploaded; its " << marked->passages
              << " passage(s) now wait for the CDC's accusé de traitement\n";
      ctx.logger.Info("deposit file " + name + " marked uploaded to the CDC portal",
                      {{std::string(kFieldCertificateur), marked->certifier},
                       {std::string(kFieldDeposit), name}},
                      kMessageIdDepositUploaded);
    }
    return status;
  }
  auto deposits = (*store)->deposits().List();
  if (!deposits) {
    ctx.err << "accrochd deposits: " << deposits.error().message() << "\n";
    return ExitCodeFor(deposits.error());
  }
  auto hooks = (*store)->hooks().List();
  if (!hooks) {
    ctx.err << "accrochd deposits: " << hooks.error().message() << "\n";
    return ExitCodeFor(hooks.error());
  }
  std::map<std::int64_t, const store::HookRecord*> hook_of;
  for (const store::HookRecord& h : *hooks) hook_of[h.deposit_id] = &h;
  std::size_t shown = 0;
  for (const store::DepositRecord& d : *deposits) {
    if (d.state == "abandoned") continue;
    if (shown++ == 0) {
      ctx.out << "file\tstate\taction\tpassages\tcertifier\tpublished_at\tuploaded_at\treceipt"
                 "\thook\n";
    }
    auto hook = hook_of.find(d.id);
    ctx.out << d.file_name << "\t" << d.state << "\t" << d.action << "\t" << d.passages << "\t"
            << d.certifier << "\t" << (d.published_at ? IsoStamp(d.published_at) : "-") << "\t"
            << (d.uploaded_at ? IsoStamp(d.uploaded_at) : "-") << "\t"
            << (d.receipt_status.empty() ? "-" : d.receipt_status) << "\t"
            << (hook == hook_of.end() ? "-" : DescribeHook(*hook->second)) << "\n";
  }
  if (shown == 0) ctx.out << "no deposit file yet\n";
  return kExitOk;
}

}  // namespace accrochd::daemon
