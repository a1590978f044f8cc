#include "daemon/alerts.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "core/deadline.h"
#include "core/text.h"
#include "core/tz/timezone.h"
#include "daemon/status.h"
#include "daemon/upload_hook.h"
#include "mappings/cdc_message.h"
#include "templates/renderer.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using store::AlertMark;
using store::PassageRecord;
using store::QueuedAlert;
using store::Status;

std::string N(std::int64_t n) { return std::to_string(n); }

// How long a delivered or given-up message keeps its text in the state store (its row stays).
constexpr Duration kAlertBodiesKept = std::chrono::hours(24 * 31);

// Minutes after local midnight, in the certifier's time zone.
int LocalMinutes(const CertifierConfig& c, TimePoint now) {
  auto zone = TimeZone::Named(c.timezone);
  if (!zone) return 0;
  const std::string local = zone->LocalTimestamp(now);  // 2026-11-27T14:03:12+01:00
  return std::stoi(local.substr(11, 2)) * 60 + std::stoi(local.substr(14, 2));
}

// Whether a message is the first to announce an item, repeats it (overdue: once a day), or only
// counts it (announced before, not repeated in a digest).
enum class Role { kNew, kRepeat, kOther };

// One thing a message can announce, and the marks that say it was.
struct Item {
  AlertMark mark;                  // its first announcement (no day)
  std::optional<AlertMark> daily;  // its daily repeat (overdue), for the certifier's local day
  bool urgent = false;
  enum class Section {
    kCycleFailed,
    kHookFailed,
    kOverdue,
    kBand,
    kOutbox,
    kNoReceipt,
    kFileRejected,
    kNoVerdict,
    kRejected,
    kQuarantined
  } section;
  int band = 0;               // kBand: the threshold
  std::string certification;  // a passage's "<type> <code>"; empty for files and failures
  std::string subject;        // an idTechnique, a file name
  std::string status;         // the passage's status code; empty for files
  std::string deadline;       // ISO; empty for files
  std::string event;          // when what it announces happened (ISO): the newest is listed first
  TemplateValue row;
  Role role = Role::kNew;
};

using Section = Item::Section;

// The section's name in the attachment and in the webhook's not_listed counts.
std::string SectionName(const Item& item) {
  switch (item.section) {
    case Section::kCycleFailed:
      return "cycle_failed";
    case Section::kHookFailed:
      return "hook_failed";
    case Section::kOverdue:
      return "overdue";
    case Section::kBand:
      return "within:" + N(item.band);
    case Section::kOutbox:
      return "outbox";
    case Section::kNoReceipt:
      return "without_receipt";
    case Section::kFileRejected:
      return "file_rejected";
    case Section::kNoVerdict:
      return "without_verdict";
    case Section::kRejected:
      return "rejected";
    case Section::kQuarantined:
      return "quarantined";
  }
  return "";
}

Date AddDays(Date d, int n) { return Date(std::chrono::sys_days(d) + std::chrono::days(n)); }

// "20/04/2026", the local date of an ISO UTC time, or "?" when it cannot be read.
std::string FrenchDay(const std::string& zone, const std::optional<TimePoint>& t) {
  const std::string stamp = FrenchStamp(zone, t);  // 20/04/2026 09:12
  return stamp.size() >= 10 && stamp[2] == '/' ? stamp.substr(0, 10) : "?";
}

TemplateValue PassageRow(const PassageRecord& p, int left, const std::string& state) {
  TemplateValue row;
  row.Set("id", p.id_technique)
      .Set("certification", CertificationLabel(p.certification_type, p.certification_code))
      .Set("status", state)
      .Set("state", state)
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

// Everything a certifier's message may speak of today, each with the marks of its announcement.
Result<std::vector<Item>> Gather(const Config& config, const CertifierConfig& c,
                                 store::StateStore& store, Clock& clock) {
  const std::string& bcr = c.id_client;
  const Date today = TodayFor(config, bcr, clock);
  std::vector<int> thresholds = config.deadlines.days;
  std::sort(thresholds.begin(), thresholds.end());
  const int horizon = thresholds.empty() ? 0 : thresholds.back();
  auto candidates = store.passages().AlertCandidates(bcr, today, AddDays(today, horizon));
  if (!candidates) return std::unexpected(candidates.error());
  auto quarantine = store.passages().Quarantine();
  if (!quarantine) return std::unexpected(quarantine.error());
  std::map<std::string, std::vector<const store::QuarantineRecord*>> reasons;
  for (const store::QuarantineRecord& q : *quarantine) {
    if (q.certifier == bcr) reasons[q.id_technique].push_back(&q);
  }

  auto deposits = store.deposits().List();
  if (!deposits) return std::unexpected(deposits.error());
  std::map<std::string, const store::DepositRecord*> deposit_of;
  for (const store::DepositRecord& d : *deposits) {
    if (d.certifier == bcr) deposit_of[d.file_name] = &d;
  }
  auto older_than = [&](const std::optional<TimePoint>& t, Duration age) {
    return t && clock.Now() - *t >= age;
  };

  std::vector<Item> items;
  items.reserve(candidates->size() + deposits->size() + 1);  // mostly one item a candidate
  const std::string day = FormatIsoDate(today);
  // When what an item announces happened: the day it crossed its threshold, or the day the
  // passage was first seen if it came in past it.
  auto passage_item = [](const PassageRecord& p, AlertMark mark, bool urgent, Section section,
                         int band, std::string event, TemplateValue row) {
    if (const std::string seen = IsoStamp(p.first_seen).substr(0, 10); seen > event) event = seen;
    Item item{std::move(mark), std::nullopt, urgent, section,          band,          "",
              p.id_technique,  "",           "",     std::move(event), std::move(row)};
    item.certification = CertificationLabel(p.certification_type, p.certification_code);
    item.status = std::string(store::StatusName(p.status));
    item.deadline = p.deadline ? FormatIsoDate(*p.deadline) : "";
    return item;
  };
  for (const PassageRecord& p : *candidates) {
    const bool dated = p.deadline.has_value();
    const int left = dated ? DaysLeft(*p.deadline, today) : 0;
    // Its state, said in French: a deposited passage waits for the CDC's accusé de traitement.
    std::string state = French(p.status);
    const auto file = deposit_of.find(p.deposit_file);
    if (p.status == Status::kDeposited && file != deposit_of.end()) {
      const store::DepositRecord& d = *file->second;
      const std::optional<TimePoint> uploaded = d.uploaded_at ? d.uploaded_at : d.receipt_at;
      state = "déposé le " + FrenchDay(c.timezone, uploaded) +
              (d.state == "receipt"
                   ? ", absent de l'accusé de traitement du " + FrenchDay(c.timezone, d.receipt_at)
                   : ", accusé de traitement attendu");
    }
    // Watched until the CDC accepts it: pending, in a file, deposited, quarantined, rejected.
    if (dated && p.status != Status::kAccepted) {
      if (left < 0) {
        Item item =
            passage_item(p, {p.id_technique, "overdue", ""}, true, Section::kOverdue, 0,
                         FormatIsoDate(AddDays(*p.deadline, 1)), PassageRow(p, left, state));
        item.daily = AlertMark{p.id_technique, "overdue", day};
        items.push_back(std::move(item));
      } else if (const int band = config.deadlines.Band(left); band > 0) {
        items.push_back(passage_item(p, {p.id_technique, "band:" + N(band), ""},
                                     band <= config.deadlines.urgent, Section::kBand, band,
                                     FormatIsoDate(AddDays(*p.deadline, -band)),
                                     PassageRow(p, left, state)));
      }
    }
    if (p.status == Status::kDeposited) {
      // Its file's receipt did not mention it: reported once the receipt is old enough.
      if (file != deposit_of.end() && file->second->state == "receipt" &&
          older_than(file->second->receipt_at, config.alerts.receipt_after)) {
        TemplateValue row = PassageRow(p, left, state);
        row.Set("file", p.deposit_file)
            .Set("receipt", FrenchStamp(c.timezone, file->second->receipt_at));
        items.push_back(passage_item(p, {p.id_technique, "no_verdict:" + p.deposit_file, ""}, true,
                                     Section::kNoVerdict, 0, IsoStamp(file->second->receipt_at),
                                     std::move(row)));
      }
      continue;
    }
    if (p.status == Status::kRejected) {
      TemplateValue row = PassageRow(p, left, state);
      const mappings::CdcMessage kind = mappings::ClassifyCdcMessage(p.cdc_message);
      std::string action(mappings::CdcMessageName(kind));
      std::replace(action.begin(), action.end(), '-', '_');
      row.Set("message", p.cdc_message).Set("action", action).Set("action_" + action, true);
      row.Set("file", p.deposit_file);
      items.push_back(passage_item(p, {p.id_technique, "rejected:" + p.deposit_file, ""}, true,
                                   Section::kRejected, 0, IsoStamp(p.updated_at), std::move(row)));
    }
    if (p.status == Status::kQuarantined) {
      TemplateValue row = PassageRow(p, left, state);
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
      items.push_back(passage_item(p, {p.id_technique, "quarantined:" + StableHash(key), ""}, false,
                                   Section::kQuarantined, 0, IsoStamp(p.updated_at),
                                   std::move(row)));
    }
  }

  auto file_item = [](const store::DepositRecord& d, const std::string& kind, bool urgent,
                      Section section, std::string event, TemplateValue row) {
    row.Set("file", d.file_name).Set("passages", N(d.passages));
    return Item{{d.file_name, kind, ""}, std::nullopt,  urgent, section, 0, "", d.file_name, "", "",
                std::move(event),        std::move(row)};
  };
  if (config.deposit.on_publish) {
    // A file whose upload hook failed alert_after times, still waiting in the outbox: once.
    auto hooks = store.hooks().List();
    if (!hooks) return std::unexpected(hooks.error());
    for (const store::HookRecord& h : *hooks) {
      if (h.certifier != bcr || h.deposit_state != "published" ||
          (h.state != "waiting" && h.state != "running") ||
          h.failures < config.deposit.on_publish->alert_after) {
        continue;
      }
      auto d = deposit_of.find(h.file_name);
      if (d == deposit_of.end()) continue;
      TemplateValue row;
      row.Set("id_flux", h.id_flux)
          .Set("failures", N(h.failures))
          .Set("result", FrenchHookResult(h))
          .Set("last_result", h.last_result)
          .Set("last_code", N(h.last_code))
          .Set("last_attempt", FrenchStamp(c.timezone, h.last_attempt_at))
          .Set("next_attempt", FrenchStamp(c.timezone, h.next_attempt_at));
      items.push_back(file_item(*d->second, "hook_failed", true, Section::kHookFailed,
                                IsoStamp(h.last_attempt_at), std::move(row)));
    }
  }
  for (const store::DepositRecord& d : *deposits) {
    if (d.certifier != bcr) continue;
    if (d.state == "receipt" && d.receipt_status == "file_rejected") {
      TemplateValue row;
      row.Set("message", d.receipt_detail).Set("receipt", FrenchStamp(c.timezone, d.receipt_at));
      items.push_back(file_item(d, "file_rejected", true, Section::kFileRejected,
                                IsoStamp(d.receipt_at), std::move(row)));
      continue;
    }
    if (d.state == "published") {
      TemplateValue row;
      row.Set("written", FrenchStamp(c.timezone, d.published_at));
      items.push_back(file_item(d, "outbox", false, Section::kOutbox, IsoStamp(d.published_at),
                                std::move(row)));
    } else if (d.state == "uploaded") {
      const std::optional<TimePoint>& uploaded = d.uploaded_at;
      if (!uploaded || !older_than(d.uploaded_at, config.alerts.receipt_after)) continue;
      const auto days =
          std::chrono::duration_cast<std::chrono::hours>(clock.Now() - *uploaded).count() / 24;
      TemplateValue row;
      row.Set("uploaded", FrenchStamp(c.timezone, d.uploaded_at)).Set("days", N(days));
      items.push_back(file_item(d, "no_receipt", true, Section::kNoReceipt, IsoStamp(d.uploaded_at),
                                std::move(row)));
    }
  }
  return items;
}

// Left-aligns `text` in `width` characters (UTF-8 aware).
std::string PadRight(const std::string& text, std::size_t width) {
  const std::size_t n = Utf8Length(text);
  return n >= width ? text : text + std::string(width - n, ' ');
}
std::string PadLeft(const std::string& text, std::size_t width) {
  const std::size_t n = Utf8Length(text);
  return n >= width ? text : std::string(width - n, ' ') + text;
}

// The identifiers of `rows`, comma-separated, in lines of about `width` characters.
TemplateValue IdLines(const std::vector<const Item*>& rows, std::size_t width = 88) {
  TemplateValue lines = TemplateValue::List();
  std::string line;
  for (const Item* item : rows) {
    if (!line.empty() && line.size() + item->subject.size() + 2 > width) {
      lines.Push(TemplateValue().Set("ids", line + ","));
      line.clear();
    }
    line += (line.empty() ? "" : ", ") + item->subject;
  }
  if (!line.empty()) lines.Push(TemplateValue().Set("ids", line));
  return lines;
}

// What a message shows of one section (a list of passages or files), and what it leaves out.
struct Shown {
  bool grouped = false;  // its new items are shown by certification
  std::size_t cut = 0;   // repeats not shown (the cap) and items announced before (a digest)
};

// One section's template values, under `name`: `name` (what the body lists, new first, then the
// repeats the cap leaves), `name_new`, `name_groups` (new items by certification, when there are
// more than `limit`), `name_repeats`, `name_all` (every new item and repeat: the webhook),
// counts and flags. New items are never cut; the cap shortens only the repeats. Each item's row
// is moved into `name_all`, its last use: a first backfill's digest holds every row once.
Shown SetSection(TemplateValue& data, const std::string& name, std::vector<Item*> items,
                 std::size_t limit, bool groupable) {
  std::sort(items.begin(), items.end(), [](const Item* a, const Item* b) {
    if (a->role != b->role) return a->role < b->role;      // new, repeats, others
    if (a->event != b->event) return a->event > b->event;  // newest event first
    if (a->deadline != b->deadline) return a->deadline > b->deadline;
    return a->subject < b->subject;
  });
  std::vector<Item*> fresh, repeats;
  std::size_t others = 0;
  for (Item* item : items) {
    if (item->role == Role::kNew) {
      fresh.push_back(item);
    } else if (item->role == Role::kRepeat) {
      repeats.push_back(item);
    } else {
      ++others;
    }
  }
  Shown shown;
  shown.grouped = groupable && fresh.size() > limit;
  const std::size_t room = fresh.size() >= limit ? 0 : limit - fresh.size();
  const std::size_t repeats_shown = std::min(room, repeats.size());
  shown.cut = repeats.size() - repeats_shown + others;

  auto row_of = [](const Item* item, bool first) {
    TemplateValue row = item->row;
    row.Set("first", first).Set("new", item->role == Role::kNew);
    return row;
  };
  auto moved_row = [](Item* item, bool first) {
    TemplateValue row = std::move(item->row);
    row.Set("first", first).Set("new", item->role == Role::kNew);
    return row;
  };
  TemplateValue listed = TemplateValue::List(), fresh_list = TemplateValue::List(),
                repeat_list = TemplateValue::List(), all = TemplateValue::List();
  for (Item* item : fresh) {
    if (!shown.grouped) {
      listed.Push(row_of(item, listed.items().empty()));
      fresh_list.Push(row_of(item, fresh_list.items().empty()));
    }
    all.Push(moved_row(item, all.items().empty()));
  }
  for (std::size_t i = 0; i < repeats.size(); ++i) {
    if (i < repeats_shown) {
      listed.Push(row_of(repeats[i], listed.items().empty()));
      repeat_list.Push(row_of(repeats[i], repeat_list.items().empty()));
    }
    all.Push(moved_row(repeats[i], all.items().empty()));
  }
  TemplateValue groups = TemplateValue::List();
  if (shown.grouped) {
    std::map<std::string, std::vector<const Item*>> by_certification;
    for (const Item* item : fresh) by_certification[item->certification].push_back(item);
    for (const auto& [certification, rows] : by_certification) {
      TemplateValue group;
      group.Set("certification", certification)
          .Set("count", N(static_cast<std::int64_t>(rows.size())))
          .Set("lines", IdLines(rows));
      groups.Push(std::move(group));
    }
  }
  const auto count = [](std::size_t n) { return N(static_cast<std::int64_t>(n)); };
  const std::size_t total = fresh.size() + repeats.size() + others;
  data.Set(name, std::move(listed))
      .Set(name + "_new", std::move(fresh_list))
      .Set(name + "_repeats", std::move(repeat_list))
      .Set(name + "_all", std::move(all))
      .Set(name + "_groups", std::move(groups))
      .Set(name + "_grouped", shown.grouped)
      .Set("has_" + name, !fresh.empty() || !repeats.empty())
      .Set("has_" + name + "_new", !fresh.empty())
      .Set("has_" + name + "_repeats", repeats_shown > 0)
      .Set(name + "_count", count(total))
      .Set(name + "_new_count", count(fresh.size()))
      .Set(name + "_all_new", fresh.size() == total)
      .Set(name + "_some_new", !fresh.empty() && fresh.size() < total)
      .Set(name + "_more", count(shown.cut))
      .Set("has_" + name + "_more", shown.cut > 0)
      .Set(name + "_others", count(others));
  return shown;
}

// The template data of a message about `items` (each with its role). A digest lists the new
// items and the repeats; a daily summary, everything. Each item's row is moved into the data.
TemplateValue MessageData(const Config& config, const CertifierConfig& c, std::vector<Item>& items,
                          bool daily, bool urgent, TimePoint now, bool& needs_attachment) {
  TemplateValue data;
  data.Set("certifier", c.name)
      .Set("kind", daily ? "daily" : "digest")
      .Set("bcr", c.id_client)
      .Set("generated_at", FrenchDateTime(c.timezone, now))
      .Set("generated_at_iso", IsoDateTime(c.timezone, now))  // for the JSON payload
      .Set("daily", daily)
      .Set("digest", !daily)
      .Set("test", false)
      .Set("urgent", urgent)
      .Set("urgent_days", N(config.deadlines.urgent))
      .Set("outbox_directory", (fs::path(config.state_directory) / "outbox").string())
      .Set("inbox_directory", (fs::path(config.state_directory) / "inbox").string());
  std::map<Section, std::vector<Item*>> sections;
  std::map<int, std::vector<Item*>> bands;
  // What to do, first: each action with its count (read before the rows go into the data).
  std::int64_t to_upload = 0;
  for (Item& item : items) {
    if (item.section == Section::kOutbox) {
      to_upload += std::atoll(item.row.fields().at("passages").text().c_str());
    }
    if (item.section == Section::kBand) {
      bands[item.band].push_back(&item);
    } else {
      sections[item.section].push_back(&item);
    }
  }
  const std::size_t limit = config.alerts.list_limit;
  bool cut = false;
  TemplateValue not_listed;
  auto section = [&](const std::string& name, Section s, bool groupable) {
    const Shown shown = SetSection(data, name, sections[s], limit, groupable);
    const bool listed = std::any_of(sections[s].begin(), sections[s].end(),
                                    [](const Item* i) { return i->role != Role::kOther; });
    cut = cut || (listed && (shown.grouped || shown.cut > 0));
    std::size_t others = 0;
    for (const Item* i : sections[s]) others += i->role == Role::kOther ? 1 : 0;
    not_listed.Set(name, N(static_cast<std::int64_t>(others)));
    return sections[s].size();
  };
  section("cycle_failed", Section::kCycleFailed, false);
  const std::size_t hook_failed = section("hook_failed", Section::kHookFailed, false);
  const std::size_t overdue = section("overdue", Section::kOverdue, true);
  const std::size_t outbox = section("outbox", Section::kOutbox, false);
  const std::size_t no_receipt = section("no_receipt", Section::kNoReceipt, false);
  const std::size_t file_rejected = section("file_rejected", Section::kFileRejected, false);
  section("no_verdict", Section::kNoVerdict, true);
  const std::size_t rejected = section("rejected", Section::kRejected, true);
  const std::size_t quarantined = section("quarantined", Section::kQuarantined, true);

  TemplateValue band_list = TemplateValue::List();
  std::size_t soon = 0, soon_others = 0;
  for (const auto& [days, rows] : bands) {  // nearest threshold first
    TemplateValue band;
    band.Set("days", N(days)).Set("urgent", days <= config.deadlines.urgent);
    const Shown shown = SetSection(band, "passages", rows, limit, true);
    const bool listed = std::any_of(rows.begin(), rows.end(),
                                    [](const Item* i) { return i->role != Role::kOther; });
    cut = cut || (listed && (shown.grouped || shown.cut > 0));
    for (const Item* i : rows) soon_others += i->role == Role::kOther ? 1 : 0;
    soon += rows.size();
    if (!listed) continue;  // nothing new nor repeated in this band: only counted
    band.Set("first", band_list.items().empty());
    band_list.Push(std::move(band));
  }
  data.Set("bands", std::move(band_list))
      .Set("has_bands", soon > soon_others)
      .Set("soon_count", N(static_cast<std::int64_t>(soon)));
  not_listed.Set("near_deadline", N(static_cast<std::int64_t>(soon_others)));
  data.Set("not_listed", std::move(not_listed));

  const std::size_t to_correct = rejected + quarantined;
  const auto count = [](std::size_t n) { return N(static_cast<std::int64_t>(n)); };
  data.Set("action_upload", outbox > 0)
      .Set("action_upload_files", count(outbox))
      .Set("action_upload_passages", N(to_upload))
      .Set("action_correct", to_correct > 0)
      .Set("action_correct_count", count(to_correct))
      .Set("action_correct_quarantined", count(quarantined))
      .Set("action_correct_rejected", count(rejected))
      .Set("action_receipts", no_receipt > 0)
      .Set("action_receipts_count", count(no_receipt))
      .Set("action_file_rejected", file_rejected > 0)
      .Set("action_file_rejected_count", count(file_rejected))
      .Set("action_source", !sections[Section::kCycleFailed].empty())
      .Set("action_hook", hook_failed > 0)
      .Set("action_hook_count", count(hook_failed))
      .Set("has_actions", outbox + to_correct + no_receipt + file_rejected + hook_failed +
                                  sections[Section::kCycleFailed].size() >
                              0);

  // Passages not yet accepted by the CDC, by certification and band.
  std::vector<int> thresholds = config.deadlines.days;
  std::sort(thresholds.begin(), thresholds.end());
  std::map<std::string, std::map<int, std::size_t>> table;  // band -1: overdue
  for (const Item& item : items) {
    if (item.section == Section::kOverdue) ++table[item.certification][-1];
    if (item.section == Section::kBand) ++table[item.certification][item.band];
  }
  std::size_t width = Utf8Length("Certification");
  for (const auto& [certification, row] : table) width = std::max(width, Utf8Length(certification));
  std::string header = PadRight("Certification", width) + "  " + PadLeft("En retard", 9);
  TemplateValue columns = TemplateValue::List();
  for (int t : thresholds) {
    header += "  " + PadLeft("≤ " + N(t) + " j", 7);
    columns.Push(TemplateValue().Set("days", N(t)).Set("first", columns.items().empty()));
  }
  TemplateValue rows = TemplateValue::List();
  for (const auto& [certification, row] : table) {
    auto at = [&row](int band) {
      auto it = row.find(band);
      return it == row.end() ? std::size_t{0} : it->second;
    };
    std::string line = PadRight(certification, width) + "  " + PadLeft(count(at(-1)), 9);
    TemplateValue cells = TemplateValue::List();
    for (int t : thresholds) {
      line += "  " + PadLeft(count(at(t)), 7);
      cells.Push(TemplateValue()
                     .Set("days", N(t))
                     .Set("passages", count(at(t)))
                     .Set("first", cells.items().empty()));
    }
    TemplateValue r;
    r.Set("certification", certification)
        .Set("overdue", count(at(-1)))
        .Set("within", std::move(cells))
        .Set("line", line)
        .Set("first", rows.items().empty());
    rows.Push(std::move(r));
  }
  data.Set("table", std::move(rows))
      .Set("has_table", !table.empty())
      .Set("table_header", header)
      .Set("table_columns", std::move(columns));

  data.Set(
      "receipt_days",
      N(std::chrono::duration_cast<std::chrono::hours>(config.alerts.receipt_after).count() / 24));
  needs_attachment = daily ? !items.empty() : cut;
  data.Set("overdue_total", count(overdue));
  return data;
}

// The attachment's rows: every item of the message, section by section, new first.
TemplateValue AttachmentRows(const std::vector<Item>& items) {
  std::vector<const Item*> sorted;
  for (const Item& item : items) sorted.push_back(&item);
  auto rank = [](const Item* i) { return std::make_pair(static_cast<int>(i->section), i->band); };
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Item* a, const Item* b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if ((a->role == Role::kNew) != (b->role == Role::kNew)) return a->role == Role::kNew;
    if (a->event != b->event) return a->event > b->event;
    if (a->deadline != b->deadline) return a->deadline > b->deadline;
    return a->subject < b->subject;
  });
  TemplateValue rows = TemplateValue::List();
  for (const Item* item : sorted) {
    if (item->section == Section::kCycleFailed) continue;
    TemplateValue row;
    row.Set("section", SectionName(*item))
        .Set("subject", item->subject)
        .Set("certification", item->certification)
        .Set("status", item->status)
        .Set("deadline", item->deadline)
        .Set("announcement", item->role == Role::kNew ? "nouveau" : "rappel");
    rows.Push(std::move(row));
  }
  return rows;
}

// accrochd-<BCR>-<YYYYMMDD>-<HHMM>.txt, the certifier's local time.
std::string AttachmentName(const CertifierConfig& c, TimePoint now) {
  const std::string stamp = FrenchDateTime(c.timezone, now);  // 20/04/2026 09:12
  std::string bcr = c.id_client;
  for (char& ch : bcr) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  if (stamp.size() < 16) return "accrochd-" + bcr + ".txt";
  return "accrochd-" + bcr + "-" + stamp.substr(6, 4) + stamp.substr(3, 2) + stamp.substr(0, 2) +
         "-" + stamp.substr(11, 2) + stamp.substr(14, 2) + ".txt";
}

struct Rendered {
  std::string subject, text, html, json, slack;
  std::string attachment_name, attachment;  // e-mail only; none when the name is empty
};

// A certifier's channels for a message of one severity: the e-mail's recipients (each once)
// and the webhooks named (those configured).
struct Channels {
  std::vector<std::string> emails;
  std::map<std::string, const WebhookConfig*> hooks;

  // Which parts of a message they read: the e-mail its text, HTML and attachment; a webhook its
  // JSON payload, or the Slack one (made from the text). The subject always.
  bool email() const { return !emails.empty(); }
  bool json() const {
    return std::any_of(hooks.begin(), hooks.end(), [](const auto& h) {
      return h.second->format != WebhookConfig::Format::kSlack;
    });
  }
  bool slack() const {
    return std::any_of(hooks.begin(), hooks.end(), [](const auto& h) {
      return h.second->format == WebhookConfig::Format::kSlack;
    });
  }
};

Channels ChannelsFor(const Config& config, const CertifierConfig& c, bool urgent) {
  Channels out;
  for (const AlertRecipient& r : c.alerts) {
    if (r.severity == Severity::kUrgent && !urgent) continue;
    if (r.kind == AlertRecipient::Kind::kEmail) {
      if (std::find(out.emails.begin(), out.emails.end(), r.address) == out.emails.end()) {
        out.emails.push_back(r.address);
      }
    } else if (auto it = config.alerts.webhooks.find(r.address);
               it != config.alerts.webhooks.end()) {
      out.hooks.emplace(r.address, &it->second);
    }
  }
  return out;
}

// The parts of a message from the templates of `family` ("alert", "alert-withdrawal",
// "alert-missing"): FAMILY-subject (on one line), -text, -html, -json, and alert-slack, which
// takes the subject and the text. `channels`, when given, limits them to what its channels read
// (a first backfill's digest names every passage: no part is rendered for nobody).
Result<void> RenderParts(const Templates& templates, PreparedValue& prepared,
                         std::string_view family, Rendered& r, const Channels* channels = nullptr) {
  const bool email = channels == nullptr || channels->email();
  const bool json = channels == nullptr || channels->json();
  const bool slack = channels == nullptr || channels->slack();
  const std::string f(family);
  auto subject = templates.Render(f + "-subject", prepared);
  if (!subject) return std::unexpected(subject.error());
  r.subject = *subject;
  while (!r.subject.empty() && (r.subject.back() == '\n' || r.subject.back() == ' ')) {
    r.subject.pop_back();
  }
  std::replace(r.subject.begin(), r.subject.end(), '\n', ' ');
  prepared.SetText("subject", r.subject);
  if (email || slack) {
    auto text = templates.Render(f + "-text", prepared);
    if (!text) return std::unexpected(text.error());
    r.text = std::move(*text);
  }
  if (email) {
    auto html = templates.Render(f + "-html", prepared, Escape::kHtml);
    if (!html) return std::unexpected(html.error());
    r.html = std::move(*html);
  }
  if (json) {
    auto payload = templates.Render(f + "-json", prepared, Escape::kJson);
    if (!payload) return std::unexpected(payload.error());
    r.json = std::move(*payload);
  }
  if (slack) {
    prepared.SetText("text", r.text);
    auto payload = templates.Render("alert-slack", prepared, Escape::kJson);
    if (!payload) return std::unexpected(payload.error());
    r.slack = std::move(*payload);
  }
  return {};
}

// `attachment_rows`: the rows of the plain-text attachment, when the message has one. The data
// are converted once for the five templates of a message (and the attachment's own), and
// consumed as they are. `channels`: as for RenderParts (the attachment goes with the e-mail).
Result<Rendered> Render(const Templates& templates, TemplateValue data,
                        std::optional<TemplateValue> attachment_rows = std::nullopt,
                        const std::string& attachment_name = "",
                        const Channels* channels = nullptr) {
  Rendered r;
  data.Set("attached", attachment_rows.has_value()).Set("attachment_name", attachment_name);
  if (attachment_rows && (channels == nullptr || channels->email())) {
    const std::string count = N(static_cast<std::int64_t>(attachment_rows->items().size()));
    data.Set("attachment_count", count);
    TemplateValue file;
    for (const char* key : {"certifier", "bcr", "generated_at", "kind"}) {
      file.Set(key, data.fields().at(key));
    }
    file.Set("daily", data.fields().at("daily"))
        .Set("digest", data.fields().at("digest"))
        .Set("attachment_count", count)
        .Set("attachment_rows", std::move(*attachment_rows));
    auto attachment = templates.Render("alert-attachment", PreparedValue(std::move(file)));
    if (!attachment) return std::unexpected(attachment.error());
    r.attachment_name = attachment_name;
    r.attachment = std::move(*attachment);
  }
  PreparedValue prepared(std::move(data));
  if (auto parts = RenderParts(templates, prepared, "alert", r, channels); !parts) {
    return std::unexpected(parts.error());
  }
  return r;
}

// The queued messages for `rendered`, one per channel of `channels` (ChannelsFor the message's
// severity). The e-mail's parts are moved into its message (nothing else reads them).
std::vector<QueuedAlert> Messages(const CertifierConfig& c, const Channels& channels,
                                  Rendered& rendered, const std::string& kind, bool urgent) {
  std::vector<QueuedAlert> out;
  QueuedAlert base;
  base.certifier = c.id_client;
  base.kind = kind;
  base.severity = urgent ? "urgent" : "info";
  if (channels.email()) {
    QueuedAlert q = base;
    q.channel = "email";
    for (const std::string& e : channels.emails) {
      q.recipients += (q.recipients.empty() ? "" : ",") + e;
    }
    q.subject = rendered.subject;
    q.text = std::move(rendered.text);
    q.html = std::move(rendered.html);
    q.attachment_name = rendered.attachment_name;
    q.attachment = std::move(rendered.attachment);
    out.push_back(std::move(q));
  }
  for (const auto& [name, hook] : channels.hooks) {
    QueuedAlert q = base;
    q.channel = "webhook:" + name;
    q.subject = rendered.subject;
    q.payload = hook->format == WebhookConfig::Format::kSlack ? rendered.slack : rendered.json;
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
    if (!message.attachment_name.empty()) {
      email.attachment = alert::EmailAttachment{message.attachment_name, message.attachment};
    }
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
    auto w = PlanWithdrawalRefusals(c);
    if (!w) return w;
    queued += *w;
    auto gone = PlanMissingFor(c);
    if (!gone) return gone;
    queued += *gone;
  }
  return queued;
}

// A withdrawal the CDC refused: urgent, once per passage and SUPPRESSION file, in a message of
// its own (templates alert-withdrawal-*): the passage stays accepted, the CDC's message says why.
Result<int> Alerter::PlanWithdrawalRefusals(const CertifierConfig& c) {
  auto refused = store_.passages().RefusedWithdrawals(c.id_client);
  if (!refused) return std::unexpected(refused.error());
  if (refused->empty()) return 0;
  std::vector<AlertMark> marks;
  for (const PassageRecord& p : *refused) {
    marks.push_back({p.id_technique, "withdrawal_refused:" + p.withdrawal_file, ""});
  }
  auto recorded = store_.alerts().MarksRecorded(c.id_client, marks);
  if (!recorded) return std::unexpected(recorded.error());
  std::vector<AlertMark> to_record;
  TemplateValue rows = TemplateValue::List();
  for (std::size_t i = 0; i < refused->size(); ++i) {
    if ((*recorded)[i]) continue;
    const PassageRecord& p = (*refused)[i];
    to_record.push_back(marks[i]);
    TemplateValue row;
    row.Set("id", p.id_technique)
        .Set("cdc_id", p.cdc_id_technique)
        .Set("certification", CertificationLabel(p.certification_type, p.certification_code))
        .Set("file", p.withdrawal_file)
        .Set("message", p.withdrawal_message)
        .Set("first", rows.items().empty());
    rows.Push(std::move(row));
  }
  if (to_record.empty()) return 0;
  const TimePoint now = clock_.Now();
  TemplateValue data;
  data.Set("certifier", c.name)
      .Set("kind", "withdrawal_refused")
      .Set("bcr", c.id_client)
      .Set("generated_at", FrenchDateTime(c.timezone, now))
      .Set("generated_at_iso", IsoDateTime(c.timezone, now))
      .Set("urgent", true)
      .Set("count", N(static_cast<std::int64_t>(to_record.size())))
      .Set("passages", std::move(rows));
  Rendered r;
  PreparedValue prepared(data);
  const Templates& templates = *config_.templates;
  if (auto parts = RenderParts(templates, prepared, "alert-withdrawal", r); !parts) {
    return std::unexpected(parts.error());
  }
  std::vector<QueuedAlert> messages =
      Messages(c, ChannelsFor(config_, c, true), r, "withdrawal_refused", true);
  if (auto q = store_.alerts().Queue(c.id_client, to_record, messages); !q) {
    return std::unexpected(q.error());
  }
  logger_.Warning("alert for certifier \"" + c.name + "\" (urgent): the CDC refused " +
                      N(static_cast<std::int64_t>(to_record.size())) +
                      " withdrawal(s); the passage(s) stay accepted",
                  {{std::string(kFieldCertificateur), c.id_client}}, kMessageIdAlertQueued);
  return messages.empty() ? 0 : 1;
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
    items->push_back({{"", "cycle_failed", day},
                      std::nullopt,
                      true,
                      Section::kCycleFailed,
                      0,
                      "",
                      "",
                      "",
                      "",
                      "",
                      std::move(row)});
  }

  // Each item's marks: its first announcement, and its daily repeat if it has one.
  std::vector<AlertMark> marks;
  marks.reserve(2 * items->size() + 1);
  for (const Item& item : *items) {
    marks.push_back(item.mark);
    if (item.daily) marks.push_back(*item.daily);
  }
  const AlertMark daily_mark{"", "daily", day};
  marks.push_back(daily_mark);
  auto recorded = store_.alerts().MarksRecorded(c.id_client, marks);
  if (!recorded) return std::unexpected(recorded.error());
  const bool daily = config_.alerts.daily_summary_at && !recorded->back() &&
                     LocalMinutes(c, now) >= *config_.alerts.daily_summary_at;

  // New: never announced; a repeat: announced, its daily repeat due; other: announced, counted.
  // A digest lists the new and the repeats; the daily summary, everything.
  std::size_t k = 0;
  bool anything = false;
  std::vector<AlertMark> to_record;
  for (Item& item : *items) {
    const bool announced = (*recorded)[k++];
    const bool repeated = item.daily ? (*recorded)[k++] : true;
    item.role = !announced ? Role::kNew : !repeated ? Role::kRepeat : Role::kOther;
    if (daily && item.role == Role::kOther) item.role = Role::kRepeat;
    if (item.role == Role::kOther) continue;
    anything = true;
    to_record.push_back(item.mark);
    if (item.daily) to_record.push_back(*item.daily);
  }
  if (daily) to_record.push_back(daily_mark);
  if (to_record.empty()) return 0;
  if (!anything) {  // a daily summary with nothing to say: only its mark
    auto r = store_.alerts().Queue(c.id_client, to_record, {});
    if (!r) return std::unexpected(r.error());
    return 0;
  }

  const bool urgent = std::any_of(items->begin(), items->end(),
                                  [](const Item& i) { return i.urgent && i.role != Role::kOther; });
  bool attach = false;
  TemplateValue data = MessageData(config_, c, *items, daily, urgent, now, attach);
  const Channels to = ChannelsFor(config_, c, urgent);
  auto rendered = attach ? Render(*config_.templates, std::move(data), AttachmentRows(*items),
                                  AttachmentName(c, now), &to)
                         : Render(*config_.templates, std::move(data), std::nullopt, "", &to);
  if (!rendered) return std::unexpected(rendered.error());
  const std::string kind = daily ? "daily" : "digest";
  std::vector<QueuedAlert> messages = Messages(c, to, *rendered, kind, urgent);
  auto r = store_.alerts().Queue(c.id_client, to_record, messages);
  if (!r) return std::unexpected(r.error());

  std::map<Section, int> counts, fresh;
  for (const Item& item : *items) {
    if (item.role == Role::kOther) continue;
    ++counts[item.section];
    if (item.role == Role::kNew) ++fresh[item.section];
  }
  std::string channels;
  for (const QueuedAlert& m : messages) channels += (channels.empty() ? "" : ", ") + m.channel;
  logger_.Log(
      urgent ? LogLevel::kWarning : LogLevel::kInfo,
      std::string(daily ? "daily summary" : "alert digest") + " for certifier \"" + c.name +
          "\" (" + (urgent ? "urgent" : "info") + "): " + N(counts[Section::kOverdue]) +
          " overdue (" + N(fresh[Section::kOverdue]) + " newly), " + N(counts[Section::kBand]) +
          " near their deadline (" + N(fresh[Section::kBand]) + " newly), " +
          N(counts[Section::kOutbox]) + " file(s) to upload, " + N(counts[Section::kNoReceipt]) +
          " deposit(s) without receipt, " + N(counts[Section::kFileRejected]) +
          " file(s) rejected by the CDC, " + N(counts[Section::kHookFailed]) +
          " file(s) whose upload hook failed, " + N(counts[Section::kNoVerdict]) +
          " passage(s) without verdict, " + N(counts[Section::kRejected]) + " rejected, " +
          N(counts[Section::kQuarantined]) + " quarantined" +
          (attach ? "; full lists attached to the e-mail" : "") + "; " +
          (channels.empty() ? "no recipient configured: journal only" : "queued for " + channels),
      {{std::string(kFieldCertificateur), c.id_client}}, kMessageIdAlertQueued);
  return static_cast<int>(messages.size());
}

Result<int> Alerter::PlanMissingFor(const CertifierConfig& c) {
  auto all = store_.missing().Missing();
  if (!all) return std::unexpected(all.error());
  std::vector<const store::MissingRecord*> gone;
  std::vector<AlertMark> marks;
  for (const store::MissingRecord& m : *all) {
    if (m.certifier != c.id_client) continue;
    gone.push_back(&m);
    // Once per disappearance: a passage that comes back and goes again is announced again.
    marks.push_back({m.id_technique, "missing:" + store::IsoUtc(m.since), ""});
  }
  if (gone.empty()) return 0;
  auto recorded = store_.alerts().MarksRecorded(c.id_client, marks);
  if (!recorded) return std::unexpected(recorded.error());
  std::vector<AlertMark> to_record;
  TemplateValue missing = TemplateValue::List(), kept = TemplateValue::List(),
                accepted = TemplateValue::List();
  std::size_t listed = 0, more = 0, n_missing = 0, n_kept = 0, n_accepted = 0;
  const std::size_t limit = config_.alerts.list_limit;
  for (std::size_t i = 0; i < gone.size(); ++i) {
    if ((*recorded)[i]) continue;
    const store::MissingRecord& m = *gone[i];
    to_record.push_back(marks[i]);
    const bool is_missing = m.status == Status::kMissing;
    const bool is_accepted = m.status == Status::kAccepted;
    (is_missing ? n_missing : is_accepted ? n_accepted : n_kept) += 1;
    if (listed >= limit) {
      ++more;
      continue;
    }
    TemplateValue& list = is_missing ? missing : is_accepted ? accepted : kept;
    TemplateValue row;
    row.Set("id", m.id_technique)
        .Set("certification", CertificationLabel(m.certification_type, m.certification_code))
        .Set("status_code", std::string(store::StatusName(m.status)))
        .Set("state", French(m.status))
        .Set("mapping", m.mapping)
        .Set("deadline", m.deadline ? FormatFrenchDate(*m.deadline) : "?")
        .Set("deadline_iso", m.deadline ? FormatIsoDate(*m.deadline) : "")
        .Set("first", list.items().empty());
    list.Push(std::move(row));
    ++listed;
  }
  if (to_record.empty()) return 0;
  const TimePoint now = clock_.Now();
  const bool urgent = n_accepted > 0;  // only an operator can withdraw an accepted passage
  const auto count = [](std::size_t n) { return N(static_cast<std::int64_t>(n)); };
  TemplateValue data;
  data.Set("certifier", c.name)
      .Set("bcr", c.id_client)
      .Set("kind", "missing")
      .Set("generated_at", FrenchDateTime(c.timezone, now))
      .Set("generated_at_iso", IsoDateTime(c.timezone, now))
      .Set("urgent", urgent)
      .Set("count", count(to_record.size()))
      .Set("missing", std::move(missing))
      .Set("has_missing", n_missing > 0)
      .Set("missing_count", count(n_missing))
      .Set("kept", std::move(kept))
      .Set("has_kept", n_kept > 0)
      .Set("kept_count", count(n_kept))
      .Set("accepted", std::move(accepted))
      .Set("has_accepted", n_accepted > 0)
      .Set("accepted_count", count(n_accepted))
      .Set("more", count(more))
      .Set("has_more", more > 0);
  const Templates& templates = *config_.templates;
  Rendered r;
  PreparedValue prepared(data);
  if (auto parts = RenderParts(templates, prepared, "alert-missing", r); !parts) {
    return std::unexpected(parts.error());
  }
  std::vector<QueuedAlert> messages =
      Messages(c, ChannelsFor(config_, c, urgent), r, "missing", urgent);
  if (auto q = store_.alerts().Queue(c.id_client, to_record, messages); !q) {
    return std::unexpected(q.error());
  }
  std::string channels;
  for (const QueuedAlert& m : messages) channels += (channels.empty() ? "" : ", ") + m.channel;
  logger_.Log(
      urgent ? LogLevel::kWarning : LogLevel::kInfo,
      "missing-passages alert for certifier \"" + c.name + "\": " + count(to_record.size()) +
          " passage(s) newly gone from the source (" + count(n_missing) + " no longer deposited, " +
          count(n_kept) + " in a file or at the CDC, " + count(n_accepted) +
          " accepted: to withdraw only on an operator's decision); " +
          (channels.empty() ? "no recipient configured: journal only" : "queued for " + channels),
      {{std::string(kFieldCertificateur), c.id_client}}, kMessageIdAlertQueued);
  return static_cast<int>(messages.size());
}

AlertRound AlertAfterCycle(const Config& config, store::StateStore& store, Logger& logger,
                           Clock& clock, const std::map<std::string, std::string>& failing) {
  AlertRound round;
  Alerter alerter(config, store, logger, clock);
  if (auto planned = alerter.Plan(failing); !planned) {
    logger.Error("alerts: " + planned.error().message(), {}, kMessageIdAlertFailed);
    round.failed = true;
  } else {
    round.queued = *planned;
  }
  if (auto sent = alerter.Deliver(); !sent) {
    logger.Error("alerts: " + sent.error().message(), {}, kMessageIdAlertFailed);
    round.failed = true;
  } else {
    round.delivered = *sent;
  }
  return round;
}

Result<int> Alerter::Deliver() {
  // What was sent is in the recipients' hands: after a month, only the record that it went.
  auto pruned = store_.alerts().PruneBodies(clock_.Now() - kAlertBodiesKept);
  if (!pruned) return std::unexpected(pruned.error());
  auto due = store_.alerts().Due();
  if (!due) return std::unexpected(due.error());
  int delivered = 0;
  for (const QueuedAlert& q : *due) {
    const alert::DeliveryOutcome outcome = sender_(config_, q);
    const int attempts = q.attempts + 1;
    std::string state = "delivered";
    std::optional<TimePoint> next;
    if (outcome.kind == alert::DeliveryOutcome::Kind::kRetryLater) {
      if (clock_.Now() - q.created_at >= config_.alerts.give_up_after) {
        state = "failed";
      } else {
        state = "queued";
        next = clock_.Now() + config_.alerts.retry.DelayAfter(attempts);
      }
    } else if (outcome.kind == alert::DeliveryOutcome::Kind::kPermanentFailure) {
      state = "failed";
    }
    auto r = store_.alerts().RecordAttempt(q.id, state, outcome.detail, next);
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
  bool attach = false;
  std::vector<Item> no_items;
  TemplateValue data = MessageData(config_, first, no_items, false, false, now, attach);
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
