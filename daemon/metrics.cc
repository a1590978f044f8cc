#include "daemon/metrics.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdio>

#include "core/text.h"

namespace accrochd::daemon {
namespace {

using store::Status;

[[maybe_unused]] bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Valid UTF-8 as it is; otherwise each byte of a bad sequence becomes U+FFFD.
std::string Utf8Only(std::string_view value) {
  if (IsValidUtf8(value)) return std::string(value);
  std::string out;
  while (!value.empty()) {
    auto bad = FirstInvalidUtf8(value);
    if (!bad) {
      out.append(value);
      break;
    }
    out.append(value.substr(0, *bad));
    out.append("\xEF\xBF\xBD");
    value.remove_prefix(*bad + 1);
  }
  return out;
}

constexpr Status kStatuses[] = {Status::kPending,
                                Status::kQuarantined,
                                Status::kInDeposit,
                                Status::kDeposited,
                                Status::kAccepted,
                                Status::kRejected,
                                Status::kWithdrawalQueued,
                                Status::kWithdrawalInDeposit,
                                Status::kWithdrawalDeposited,
                                Status::kWithdrawn,
                                Status::kMissing};

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : Utf8Only(value)) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view text) {
  std::string out;
  for (char c : Utf8Only(text)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Exposition::Family(std::string_view name, std::string_view type, std::string_view help) {
  assert(ValidName(name) && name.starts_with("accrochd_"));
  assert(type == "gauge" || type == "counter");
  assert((type == "counter") == name.ends_with("_total"));
  assert(std::find(families_.begin(), families_.end(), name) == families_.end());
  family_ = std::string(name);
  families_.push_back(family_);
  text_ += "# HELP " + family_ + " " + EscapeHelp(help) + "\n";
  text_ += "# TYPE " + family_ + " " + std::string(type) + "\n";
}

void Exposition::Sample(const Labels& labels, std::int64_t value) {
  Line(labels, std::to_string(value));
}

void Exposition::Sample(const Labels& labels, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.3f", value);
  Line(labels, buffer);
}

void Exposition::Line(const Labels& labels, const std::string& value) {
  assert(!family_.empty());
  text_ += family_;
  if (!labels.empty()) {
    text_ += "{";
    for (std::size_t i = 0; i < labels.size(); ++i) {
      assert(ValidName(labels[i].first) && !labels[i].first.starts_with("__"));
      text_ +=
          (i > 0 ? "," : "") + labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
    }
    text_ += "}";
  }
  text_ += " " + value + "\n";
}

std::string MetricsText(const Dashboard& d) {
  Exposition e;
  e.Family("accrochd_certifier_info", "gauge",
           "A certifier accrochd knows: its BCR (idClient) and its name in the configuration.");
  for (const CertifierFigures& c : d.certifiers) {
    e.Sample({{"certifier", c.bcr}, {"name", c.configured != nullptr ? c.configured->name : ""}},
             std::int64_t{1});
  }

  e.Family("accrochd_passages", "gauge",
           "Passages in the state store by certifier (BCR), certification and status (pending, "
           "quarantined, in_deposit, deposited, accepted, rejected). Empty certification labels: "
           "a certification the CDC would refuse.");
  for (const CertifierFigures& c : d.certifiers) {
    for (const CertificationFigures& cert : c.certifications) {
      for (Status s : kStatuses) {
        e.Sample({{"certifier", c.bcr},
                  {"certification_type", cert.type},
                  {"certification_code", cert.code},
                  {"status", std::string(store::StatusName(s))}},
                 cert.Count(s));
      }
    }
  }

  e.Family(
      "accrochd_deadline_passages", "gauge",
      "Passages not yet received by the CDC (pending, quarantined, in a file to deposit, "
      "rejected) by deadline band, bands not overlapping: overdue; urgent (at most "
      "accrochd_deadline_band_limit_seconds{band=\"urgent\"}); soon (at most "
      "accrochd_deadline_band_limit_seconds{band=\"soon\"}); later; unknown (no readable delivery "
      "date).");
  for (const CertifierFigures& c : d.certifiers) {
    const std::pair<const char*, std::int64_t> bands[] = {{"overdue", c.overdue},
                                                          {"urgent", c.urgent},
                                                          {"soon", c.soon},
                                                          {"later", c.later},
                                                          {"unknown", c.unknown}};
    for (const auto& [band, n] : bands) e.Sample({{"certifier", c.bcr}, {"band", band}}, n);
  }
  constexpr std::int64_t kDay = 24 * 3600;
  e.Family("accrochd_deadline_band_limit_seconds", "gauge",
           "The most time left before a deadline in a band: deadlines.urgent days for urgent, "
           "the largest alert threshold for soon (whole days, in seconds).");
  e.Sample({{"band", "urgent"}}, std::int64_t{d.urgent_days} * kDay);
  e.Sample({{"band", "soon"}}, std::int64_t{d.soon_days} * kDay);

  e.Family("accrochd_quarantined_passages", "gauge",
           "Passages in quarantine: their data must be corrected in the certifier's database.");
  for (const CertifierFigures& c : d.certifiers) {
    e.Sample({{"certifier", c.bcr}}, c.Count(Status::kQuarantined));
  }
  e.Family("accrochd_missing_from_source_passages", "gauge",
           "Passages in a deposit file or at the CDC whose row is gone from the certifier's "
           "database (status kept; pending or quarantined ones count as status missing). None is "
           "withdrawn without an operator.");
  for (const CertifierFigures& c : d.certifiers) {
    e.Sample({{"certifier", c.bcr}}, c.missing_from_source);
  }
  e.Family("accrochd_outbox_files", "gauge",
           "Deposit files in the outbox, waiting to be uploaded to the CDC portal.");
  for (const CertifierFigures& c : d.certifiers) e.Sample({{"certifier", c.bcr}}, c.outbox_files);
  e.Family("accrochd_receipt_awaiting_deposits", "gauge",
           "Deposit files uploaded to the CDC portal, waiting for their accusé de traitement.");
  for (const CertifierFigures& c : d.certifiers) {
    e.Sample({{"certifier", c.bcr}}, c.awaiting_receipt);
  }

  e.Family("accrochd_alerts_queued", "gauge",
           "Alert messages waiting to be sent (retries included).");
  e.Sample({}, d.alerts.queued);
  e.Family("accrochd_alerts_delivered_total", "counter",
           "Alert messages delivered since the state store was made.");
  e.Sample({}, d.alerts.delivered);
  e.Family("accrochd_alerts_failed_total", "counter",
           "Alert messages given up (never delivered) since the state store was made.");
  e.Sample({}, d.alerts.failed);

  e.Family("accrochd_last_cycle_result", "gauge",
           "How the last cycle ended, 1 for its result: success (every certifier served), partial "
           "(a certifier's source could not be read), failure. All 0 before the first cycle.");
  for (store::CycleResult r :
       {store::CycleResult::kSuccess, store::CycleResult::kPartial, store::CycleResult::kFailure}) {
    e.Sample({{"result", std::string(store::CycleResultName(r))}},
             std::int64_t{d.last_cycle && d.last_cycle->result == r ? 1 : 0});
  }
  e.Family("accrochd_last_cycle_duration_seconds", "gauge",
           "How long the last cycle took (0 before the first).");
  e.Sample({}, d.last_cycle ? std::chrono::duration<double>(d.last_cycle->duration).count() : 0.0);
  e.Family("accrochd_last_cycle_timestamp_seconds", "gauge",
           "When the last cycle ended, in Unix seconds (0 before the first).");
  e.Sample({}, d.last_cycle ? Seconds(d.last_cycle->ended_at) : std::int64_t{0});
  e.Family("accrochd_last_success_timestamp_seconds", "gauge",
           "When the last successful cycle (every certifier served) ended, in Unix seconds (0: "
           "never).");
  e.Sample({}, d.last_success ? Seconds(d.last_success->ended_at) : std::int64_t{0});
  return e.text();
}

}  // namespace accrochd::daemon
