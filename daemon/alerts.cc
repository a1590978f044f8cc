#include "daemon/alerts.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "core/deadline.h"
#include "core/text.h"
#include "core/tz/timezone.h"
#include "daemon/status.h"
#include "mappings/cdc_message.h"
#include "templates/renderer.h"

namespace accrochd::daemon {
namespace {

using store::AlertMark;
using store::PassageRecord;
using store::QueuedAlert;
using store::Status;

std::string N(std::int64_t n) { return std::to_string(n); }

// Minutes after local midnight, in the certifier's time zone.
int LocalMinutes(const CertifierConfig& c, TimePoint now) {
  auto zone = TimeZone::Named(c.timezone);
  if (!zone) return 0;
  const std::string local = zone->LocalTimestamp(now);  // 2026-11-27T14:03:12+01:00
  return std::stoi(local.substr(11, 2)) * 60 + std::stoi(local.substr(14, 2));
}

// One thing a message can announce, and the mark that says it was.
struct Item {
  AlertMark mark;
  bool urgent = false;
  enum class Section {
    kCycleFailed,
    kOverdue,
    kBand,
    kOutbox,
    kNoReceipt,
    kFileRejected,
    kNoVerdict,
    kRejected,
    kQuarantined
  } section;
  int band = 0;  // kBand: the threshold
  TemplateValue row;
};

TemplateValue PassageRow(const PassageRecord& p, int left) {
  TemplateValue row;
  row.Set("id", p.id_technique)
      .Set("certification", p.certification_type + " " + p.certification_code)
      .Set("status", French(p.status))
      .Set("status_code", std::string(store::StatusName(p.status)))
      .Set("deadline", p.deadline ? FormatFrenchDate(*p.deadline) : "?")
      .Set("deadline_iso", p.deadline ? FormatIsoDate(*p.deadline) : "")
      .Set("days_left", N(left))
      .Set("days_overdue", N(-left))
      .Set("overdue", left < 0)
      .Set("today", left == 0)
      .Set("ahead", left > 0);
  return row;
}

// A list of rows, at most `limit`, and how many more there were.
void SetList(TemplateValue& data, const std::string& name, const std::vector<TemplateValue>& rows,
             std::size_t limit) {
  TemplateValue list = TemplateValue::List();
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    TemplateValue row = rows[i];
    row.Set("first", i == 0);  // for separators in JSON templates
    list.Push(std::move(row));
  }
  data.Set(name, std::move(list));
  data.Set("has_" + name, !rows.empty());
  data.Set(name + "_count", N(static_cast<std::int64_t>(rows.size())));
  const std::size_t more = rows.size() > limit ? rows.size() - limit : 0;
  data.Set(name + "_more", N(static_cast<std::int64_t>(more)));
  data.Set("has_" + name + "_more", more > 0);
}

// Everything a certifier's message may speak of today.
Result<std::vector<Item>> Gather(const Config& config, const CertifierConfig& c,
                                 store::StateStore& store, Clock& clock) {
  const std::string& bcr = c.id_client;
  const Date today = TodayFor(config, bcr, clock);
  std::vector<int> thresholds = config.deadlines.days;
  std::sort(thresholds.begin(), thresholds.end());
  const int horizon = thresholds.empty() ? 0 : thresholds.back();
  auto candidates = store.AlertCandidates(
      bcr, today, Date{std::chrono::sys_days(today) + std::chrono::days(horizon)});
  if (!candidates) return std::unexpected(candidates.error());
  auto quarantine = store.Quarantine();
  if (!quarantine) return std::unexpected(quarantine.error());
  std::map<std::string, std::vector<const store::QuarantineRecord*>> reasons;
  for (const store::QuarantineRecord& q : *quarantine) {
    if (q.certifier == bcr) reasons[q.id_technique].push_back(&q);
  }

  auto deposits = store.Deposits();
  if (!deposits) return std::unexpected(deposits.error());
  std::map<std::string, const store::DepositRecord*> deposit_of;
  for (const store::DepositRecord& d : *deposits) {
    if (d.certifier == bcr) deposit_of[d.file_name] = &d;
  }
  auto older_than = [&](const std::string& iso, Duration age) {
    auto t = ParseIsoUtc(iso);
    return t && clock.Now() - *t >= age;
  };

  std::vector<Item> items;
  const std::string day = FormatIsoDate(today);
  for (const PassageRecord& p : *candidates) {
    const bool dated = p.deadline.has_value();
    const int left = dated ? DaysLeft(*p.deadline, today) : 0;
    if (dated && (p.status == Status::kPending || p.status == Status::kInDeposit ||
                  p.status == Status::kQuarantined || p.status == Status::kRejected)) {
      if (left < 0) {
        items.push_back({{p.id_technique, "overdue", day},
                         true,
                         Item::Section::kOverdue,
                         0,
                         PassageRow(p, left)});
      } else if (const int band = config.deadlines.Band(left); band > 0) {
        items.push_back({{p.id_technique, "band:" + N(band), ""},
                         band <= config.deadlines.urgent,
                         Item::Section::kBand,
                         band,
                         PassageRow(p, left)});
      }
    }
    if (p.status == Status::kDeposited) {
      // Its file's receipt did not mention it: reported once the receipt is old enough.
      auto it = deposit_of.find(p.deposit_file);
      if (it != deposit_of.end() && it->second->state == "receipt" &&
          older_than(it->second->receipt_at, config.alerts.receipt_after)) {
        TemplateValue row = PassageRow(p, left);
        row.Set("file", p.deposit_file)
            .Set("receipt", FrenchStamp(c.timezone, it->second->receipt_at));
        items.push_back({{p.id_technique, "no_verdict:" + p.deposit_file, ""},
                         true,
                         Item::Section::kNoVerdict,
                         0,
                         std::move(row)});
      }
      continue;
    }
    if (p.status == Status::kRejected) {
      TemplateValue row = PassageRow(p, left);
      const mappings::CdcMessage kind = mappings::ClassifyCdcMessage(p.cdc_message);
      std::string action(mappings::CdcMessageName(kind));
      std::replace(action.begin(), action.end(), '-', '_');
      row.Set("message", p.cdc_message).Set("action", action).Set("action_" + action, true);
      row.Set("file", p.deposit_file);
      items.push_back({{p.id_technique, "rejected:" + p.deposit_file, ""},
                       true,
                       Item::Section::kRejected,
                       0,
                       std::move(row)});
    }
    if (p.status == Status::kQuarantined) {
      TemplateValue row = PassageRow(p, left);
      std::string text, key;
      TemplateValue list = TemplateValue::List();
      for (const store::QuarantineRecord* q : reasons[p.id_technique]) {
        TemplateValue reason;
        reason.Set("field", q->field).Set("rule", q->rule).Set("message", q->message);
        reason.Set("first", text.empty());
        list.Push(std::move(reason));
        text += (text.empty() ? "" : " ; ") + q->message;
        key += q->field + "|" + q->rule + "|" + q->message + "\n";
      }
      row.Set("reasons", std::move(list)).Set("reasons_text", text).Set("mapping", p.mapping);
      items.push_back({{p.id_technique, "quarantined:" + StableHash(key), ""},
                       false,
                       Item::Section::kQuarantined,
                       0,
                       std::move(row)});
    }
  }

  for (const store::DepositRecord& d : *deposits) {
    if (d.certifier != bcr) continue;
    if (d.state == "receipt" && d.receipt_status == "file_rejected") {
      TemplateValue row;
      row.Set("file", d.file_name)
          .Set("passages", N(d.passages))
          .Set("message", d.receipt_detail)
          .Set("receipt", FrenchStamp(c.timezone, d.receipt_at));
      items.push_back({{d.file_name, "file_rejected", ""},
                       true,
                       Item::Section::kFileRejected,
                       0,
                       std::move(row)});
      continue;
    }
    if (d.state == "published") {
      TemplateValue row;
      row.Set("file", d.file_name)
          .Set("passages", N(d.passages))
          .Set("written", FrenchStamp(c.timezone, d.published_at));
      items.push_back(
          {{d.file_name, "outbox", ""}, false, Item::Section::kOutbox, 0, std::move(row)});
    } else if (d.state == "uploaded") {
      auto uploaded = ParseIsoUtc(d.uploaded_at);
      if (!uploaded || !older_than(d.uploaded_at, config.alerts.receipt_after)) continue;
      const auto days =
          std::chrono::duration_cast<std::chrono::hours>(clock.Now() - *uploaded).count() / 24;
      TemplateValue row;
      row.Set("file", d.file_name)
          .Set("passages", N(d.passages))
          .Set("uploaded", FrenchStamp(c.timezone, d.uploaded_at))
          .Set("days", N(days));
      items.push_back(
          {{d.file_name, "no_receipt", ""}, true, Item::Section::kNoReceipt, 0, std::move(row)});
    }
  }
  return items;
}

// The template data of a message made of `items`.
TemplateValue MessageData(const Config& config, const CertifierConfig& c,
                          const std::vector<const Item*>& items, bool daily, bool urgent,
                          TimePoint now) {
  TemplateValue data;
  data.Set("certifier", c.name)
      .Set("kind", daily ? "daily" : "digest")
      .Set("bcr", c.id_client)
      .Set("generated_at", FrenchDateTime(c.timezone, now))
      .Set("daily", daily)
      .Set("digest", !daily)
      .Set("test", false)
      .Set("urgent", urgent)
      .Set("urgent_days", N(config.deadlines.urgent));
  std::vector<TemplateValue> cycle_failed, overdue, outbox, no_receipt, file_rejected, no_verdict,
      rejected, quarantined;
  std::map<int, std::vector<TemplateValue>> bands;
  for (const Item* item : items) {
    switch (item->section) {
      case Item::Section::kCycleFailed:
        cycle_failed.push_back(item->row);
        break;
      case Item::Section::kOverdue:
        overdue.push_back(item->row);
        break;
      case Item::Section::kBand:
        bands[item->band].push_back(item->row);
        break;
      case Item::Section::kOutbox:
        outbox.push_back(item->row);
        break;
      case Item::Section::kNoReceipt:
        no_receipt.push_back(item->row);
        break;
      case Item::Section::kFileRejected:
        file_rejected.push_back(item->row);
        break;
      case Item::Section::kNoVerdict:
        no_verdict.push_back(item->row);
        break;
      case Item::Section::kRejected:
        rejected.push_back(item->row);
        break;
      case Item::Section::kQuarantined:
        quarantined.push_back(item->row);
        break;
    }
  }
  const std::size_t limit = config.alerts.list_limit;
  SetList(data, "cycle_failed", cycle_failed, limit);
  SetList(data, "overdue", overdue, limit);
  SetList(data, "outbox", outbox, limit);
  SetList(data, "no_receipt", no_receipt, limit);
  SetList(data, "file_rejected", file_rejected, limit);
  SetList(data, "no_verdict", no_verdict, limit);
  SetList(data, "rejected", rejected, limit);
  SetList(data, "quarantined", quarantined, limit);
  TemplateValue band_list = TemplateValue::List();
  std::int64_t soon = 0;
  for (const auto& [days, rows] : bands) {  // nearest threshold first
    TemplateValue band;
    band.Set("days", N(days)).Set("urgent", days <= config.deadlines.urgent);
    band.Set("first", soon == 0);
    SetList(band, "passages", rows, limit);
    band_list.Push(std::move(band));
    soon += static_cast<std::int64_t>(rows.size());
  }
  data.Set("bands", std::move(band_list)).Set("has_bands", soon > 0).Set("soon_count", N(soon));
  data.Set(
      "receipt_days",
      N(std::chrono::duration_cast<std::chrono::hours>(config.alerts.receipt_after).count() / 24));
  return data;
}

struct Rendered {
  std::string subject, text, html, json, slack;
};

Result<Rendered> Render(const Templates& templates, TemplateValue data) {
  Rendered r;
  auto subject = templates.Render("alert-subject", data);
  if (!subject) return std::unexpected(subject.error());
  r.subject = *subject;
  while (!r.subject.empty() && (r.subject.back() == '\n' || r.subject.back() == ' ')) {
    r.subject.pop_back();
  }
  std::replace(r.subject.begin(), r.subject.end(), '\n', ' ');
  data.Set("subject", r.subject);
  auto text = templates.Render("alert-text", data);
  if (!text) return std::unexpected(text.error());
  r.text = *text;
  auto html = templates.Render("alert-html", data, Escape::kHtml);
  if (!html) return std::unexpected(html.error());
  r.html = *html;
  auto json = templates.Render("alert-json", data, Escape::kJson);
  if (!json) return std::unexpected(json.error());
  r.json = *json;
  data.Set("text", r.text);
  auto slack = templates.Render("alert-slack", data, Escape::kJson);
  if (!slack) return std::unexpected(slack.error());
  r.slack = *slack;
  return r;
}

// The queued messages for `rendered`, one per channel, to the recipients of that severity.
std::vector<QueuedAlert> Messages(const Config& config, const CertifierConfig& c,
                                  const Rendered& rendered, const std::string& kind, bool urgent) {
  std::vector<QueuedAlert> out;
  std::vector<std::string> emails;
  std::set<std::string> hooks;
  for (const AlertRecipient& r : c.alerts) {
    if (r.severity == Severity::kUrgent && !urgent) continue;
    if (r.kind == AlertRecipient::Kind::kEmail) {
      if (std::find(emails.begin(), emails.end(), r.address) == emails.end()) {
        emails.push_back(r.address);
      }
    } else {
      hooks.insert(r.address);
    }
  }
  QueuedAlert base;
  base.certifier = c.id_client;
  base.kind = kind;
  base.severity = urgent ? "urgent" : "info";
  if (!emails.empty()) {
    QueuedAlert q = base;
    q.channel = "email";
    for (const std::string& e : emails) q.recipients += (q.recipients.empty() ? "" : ",") + e;
    q.subject = rendered.subject;
    q.text = rendered.text;
    q.html = rendered.html;
    out.push_back(std::move(q));
  }
  for (const std::string& name : hooks) {
    auto it = config.alerts.webhooks.find(name);
    if (it == config.alerts.webhooks.end()) continue;
    QueuedAlert q = base;
    q.channel = "webhook:" + name;
    q.subject = rendered.subject;
    q.payload = it->second.format == WebhookConfig::Format::kSlack ? rendered.slack : rendered.json;
    out.push_back(std::move(q));
  }
  return out;
}

std::vector<std::string> Split(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    if (end > start) out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

alert::DeliveryOutcome SendQueuedAlert(const Config& config, const QueuedAlert& message) {
  using Kind = alert::DeliveryOutcome::Kind;
  if (message.channel == "email") {
    if (!config.alerts.email) {
      return {Kind::kPermanentFailure, "alerts.email is no longer configured"};
    }
    alert::EmailMessage email;
    email.to = Split(message.recipients);
    email.subject = message.subject;
    email.text = message.text;
    email.html = message.html;
    return alert::SendEmail(config.alerts.email->smtp, email);
  }
  if (message.channel.starts_with("webhook:")) {
    auto it = config.alerts.webhooks.find(message.channel.substr(8));
    if (it == config.alerts.webhooks.end()) {
      return {Kind::kPermanentFailure, "the webhook is no longer configured"};
    }
    return alert::PostWebhook(it->second.settings, message.payload);
  }
  return {Kind::kPermanentFailure, "unknown channel " + message.channel};
}

Result<int> Alerter::Plan(const std::map<std::string, std::string>& failing) {
  int queued = 0;
  for (const CertifierConfig& c : config_.certifiers) {
    auto it = failing.find(c.name);
    auto n = PlanFor(c, it == failing.end() ? nullptr : &it->second);
    if (!n) return n;
    queued += *n;
  }
  return queued;
}

Result<int> Alerter::PlanFor(const CertifierConfig& c, const std::string* failing) {
  auto items = Gather(config_, c, store_, clock_);
  if (!items) return std::unexpected(items.error());
  const TimePoint now = clock_.Now();
  const std::string day = FormatIsoDate(TodayFor(config_, c.id_client, clock_));
  if (failing != nullptr) {
    // Its source could not be read: new passages go unseen. Once a day while it lasts.
    TemplateValue row;
    row.Set("detail", *failing);
    items->push_back(
        {{"", "cycle_failed", day}, true, Item::Section::kCycleFailed, 0, std::move(row)});
  }

  std::vector<AlertMark> marks;
  marks.reserve(items->size() + 1);
  for (const Item& item : *items) marks.push_back(item.mark);
  const AlertMark daily_mark{"", "daily", day};
  marks.push_back(daily_mark);
  auto recorded = store_.MarksRecorded(c.id_client, marks);
  if (!recorded) return std::unexpected(recorded.error());
  const bool daily = config_.alerts.daily_summary_at && !recorded->back() &&
                     LocalMinutes(c, now) >= *config_.alerts.daily_summary_at;

  // The daily summary says everything; a digest, what is new.
  std::vector<const Item*> selected;
  for (std::size_t i = 0; i < items->size(); ++i) {
    if (daily || !(*recorded)[i]) selected.push_back(&(*items)[i]);
  }
  std::vector<AlertMark> to_record;
  for (const Item* item : selected) to_record.push_back(item->mark);
  if (daily) to_record.push_back(daily_mark);
  if (to_record.empty()) return 0;
  if (selected.empty()) {  // a daily summary with nothing to say: only its mark
    auto r = store_.QueueAlerts(c.id_client, to_record, {});
    if (!r) return std::unexpected(r.error());
    return 0;
  }

  const bool urgent =
      std::any_of(selected.begin(), selected.end(), [](const Item* i) { return i->urgent; });
  auto rendered = Render(*config_.templates, MessageData(config_, c, selected, daily, urgent, now));
  if (!rendered) return std::unexpected(rendered.error());
  const std::string kind = daily ? "daily" : "digest";
  std::vector<QueuedAlert> messages = Messages(config_, c, *rendered, kind, urgent);
  auto r = store_.QueueAlerts(c.id_client, to_record, messages);
  if (!r) return std::unexpected(r.error());

  std::map<Item::Section, int> counts;
  for (const Item* item : selected) ++counts[item->section];
  std::string channels;
  for (const QueuedAlert& m : messages) channels += (channels.empty() ? "" : ", ") + m.channel;
  logger_.Log(
      urgent ? LogLevel::kWarning : LogLevel::kInfo,
      std::string(daily ? "daily summary" : "alert digest") + " for certifier \"" + c.name +
          "\" (" + (urgent ? "urgent" : "info") + "): " + N(counts[Item::Section::kOverdue]) +
          " overdue, " + N(counts[Item::Section::kBand]) + " near their deadline, " +
          N(counts[Item::Section::kOutbox]) + " file(s) to upload, " +
          N(counts[Item::Section::kNoReceipt]) + " deposit(s) without receipt, " +
          N(counts[Item::Section::kFileRejected]) + " file(s) rejected by the CDC, " +
          N(counts[Item::Section::kNoVerdict]) + " passage(s) without verdict, " +
          N(counts[Item::Section::kRejected]) + " rejected, " +
          N(counts[Item::Section::kQuarantined]) + " quarantined; " +
          (channels.empty() ? "no recipient configured: journal only" : "queued for " + channels),
      {{std::string(kFieldCertificateur), c.id_client}}, kMessageIdAlertQueued);
  return static_cast<int>(messages.size());
}

Result<int> Alerter::Deliver() {
  auto due = store_.DueAlerts();
  if (!due) return std::unexpected(due.error());
  int delivered = 0;
  for (const QueuedAlert& q : *due) {
    const alert::DeliveryOutcome outcome = sender_(config_, q);
    const int attempts = q.attempts + 1;
    std::string state = "delivered";
    std::optional<TimePoint> next;
    if (outcome.kind == alert::DeliveryOutcome::Kind::kRetryLater) {
      auto queued = ParseIsoUtc(q.created_at);
      if (!queued || clock_.Now() - *queued >= config_.alerts.give_up_after) {
        state = "failed";
      } else {
        state = "queued";
        next = clock_.Now() + config_.alerts.retry.DelayAfter(attempts);
      }
    } else if (outcome.kind == alert::DeliveryOutcome::Kind::kPermanentFailure) {
      state = "failed";
    }
    auto r = store_.RecordAlertAttempt(q.id, state, outcome.detail, next);
    if (!r) return std::unexpected(r.error());
    const std::string what = q.kind + " #" + N(q.id) + " via " + q.channel;
    if (state == "delivered") {
      ++delivered;
      logger_.Info("alert " + what + " delivered",
                   {{std::string(kFieldCertificateur), q.certifier}}, kMessageIdAlertDelivered);
    } else if (state == "queued") {
      logger_.Warning("alert " + what + " not delivered (attempt " + N(attempts) +
                          "), will retry: " + outcome.detail,
                      {{std::string(kFieldCertificateur), q.certifier}}, kMessageIdAlertFailed);
    } else {
      logger_.Error("alert " + what + " given up after " + N(attempts) +
                        " attempt(s): " + outcome.detail +
                        (outcome.kind == alert::DeliveryOutcome::Kind::kRetryLater
                             ? " (undelivered for alerts.retry.give_up_after)"
                             : ""),
                    {{std::string(kFieldCertificateur), q.certifier}}, kMessageIdAlertFailed);
    }
  }
  return delivered;
}

std::vector<std::pair<std::string, alert::DeliveryOutcome>> SendTestAlerts(
    const Config& config_, Clock& clock, const AlertSender& sender_) {
  std::vector<std::pair<std::string, alert::DeliveryOutcome>> out;
  const TimePoint now = clock.Now();
  CertifierConfig none;
  const CertifierConfig& first = config_.certifiers.empty() ? none : config_.certifiers.front();
  TemplateValue data = MessageData(config_, first, {}, false, false, now);
  data.Set("test", true).Set("digest", false).Set("kind", "test");
  auto rendered = Render(*config_.templates, data);
  if (!rendered) {
    out.push_back({"templates",
                   {alert::DeliveryOutcome::Kind::kPermanentFailure, rendered.error().message()}});
    return out;
  }
  QueuedAlert q;
  q.kind = "test";
  q.subject = rendered->subject;
  q.text = rendered->text;
  q.html = rendered->html;
  if (config_.alerts.email) {
    std::vector<std::string> to;
    for (const CertifierConfig& c : config_.certifiers) {
      for (const AlertRecipient& r : c.alerts) {
        if (r.kind == AlertRecipient::Kind::kEmail &&
            std::find(to.begin(), to.end(), r.address) == to.end()) {
          to.push_back(r.address);
        }
      }
    }
    QueuedAlert email = q;
    email.channel = "email";
    for (const std::string& e : to) email.recipients += (email.recipients.empty() ? "" : ",") + e;
    if (to.empty()) {
      out.push_back({"email",
                     {alert::DeliveryOutcome::Kind::kPermanentFailure,
                      "no certifier lists an e-mail recipient in its alerts"}});
    } else {
      out.push_back({"email to " + email.recipients, sender_(config_, email)});
    }
  }
  for (const auto& [name, hook] : config_.alerts.webhooks) {
    QueuedAlert w = q;
    w.channel = "webhook:" + name;
    w.payload = hook.format == WebhookConfig::Format::kSlack ? rendered->slack : rendered->json;
    out.push_back({"webhook " + name, sender_(config_, w)});
  }
  return out;
}

int RunAlerts(const CommandContext& ctx) {
  const std::vector<std::string>& args = ctx.invocation.arguments;
  if (args.size() != 1 || args[0] != "test") {
    ctx.err << "accrochd alerts: expected the action \"test\" (accrochd alerts test)\n";
    return kExitConfig;
  }
  auto config = LoadOrReport(ctx, "alerts");
  if (!config) return kExitConfig;
  if (!config->alerts.email && config->alerts.webhooks.empty()) {
    ctx.err << "accrochd alerts test: no alert channel is configured (alerts.email, "
               "alerts.webhooks in "
            << config->file << "); only the journal gets alerts\n";
    return kExitConfig;
  }
  int failed = 0;
  for (const auto& [channel, outcome] : SendTestAlerts(*config, ctx.clock)) {
    ctx.out << channel << ": " << alert::OutcomeName(outcome.kind)
            << (outcome.detail.empty() ? "" : " (" + outcome.detail + ")") << "\n";
    if (!outcome.delivered()) ++failed;
  }
  if (failed > 0) {
    ctx.err << "accrochd alerts test: " << failed << " channel(s) failed\n";
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace accrochd::daemon
