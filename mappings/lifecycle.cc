#include "mappings/lifecycle.h"

#include <algorithm>
#include <utility>

namespace accrochd::mappings {
namespace {

using S = PassageStatus;

LifecycleDecision Refuse(const PassageFacts& facts, std::string why) {
  LifecycleDecision d;
  d.refused = std::move(why);
  d.status = facts.status;
  return d;
}

// Waiting in deposit `id` for the CDC: what the receipt events act on.
bool WaitingIn(const PassageFacts& facts, std::int64_t id) {
  return facts.exists && (facts.status == S::kInDeposit || facts.status == S::kDeposited) &&
         facts.deposit_id == id;
}

// Its withdrawal waiting in SUPPRESSION deposit `id` for the CDC.
bool WithdrawalWaitingIn(const PassageFacts& facts, std::int64_t id) {
  return facts.exists &&
         (facts.status == S::kWithdrawalInDeposit || facts.status == S::kWithdrawalDeposited) &&
         facts.withdrawal_deposit_id == id;
}

// The deposit and receipt events of a SUPPRESSION file (withdrawal.cc's rules, kept apart from
// the CREATION ones): nullopt when the event is not about a withdrawal.
std::optional<LifecycleDecision> OnWithdrawalEvent(const PassageFacts& facts,
                                                   const LifecycleEvent& event);

// A passage seen again after misses: the count restarts; one flagged missing is known again.
// (A kMissing one was handled by OnObserved's switch, with its own "reappeared" entry.)
void ObservedAgain(const PassageFacts& facts, LifecycleDecision& d) {
  if (facts.status == S::kMissing || facts.missing_from_source || facts.missed_reads > 0) {
    d.clear_missing = true;
  }
  if (facts.missing_from_source && facts.status != S::kMissing) {
    d.history.insert(d.history.begin(), {"reappeared", ""});
  }
}

LifecycleDecision OnObserved(const PassageFacts& facts, const Observed& o) {
  LifecycleDecision d;
  const S observed = o.quarantined ? S::kQuarantined : S::kPending;
  if (!facts.exists) {
    d.change = ObservedChange::kNew;
    d.status = observed;
    d.write = PassageWrite::kInsert;
    d.history.push_back({"seen", ""});
    if (o.quarantined) d.history.push_back({"quarantined", RulesDetail(o.rules)});
    // A new valid passage has no quarantine rows: today's store deletes none (it runs the
    // DELETE); kKeep says the same without the statement.
    d.quarantine = o.quarantined ? QuarantineAction::kReplace : QuarantineAction::kKeep;
    return d;
  }
  const S old = facts.status;
  // Compared with the content deposited (or to deposit); `fresh` when the source shows a content
  // not seen before, so that a change is recorded once.
  const bool changed = facts.content_hash != o.content_hash;
  const bool fresh = facts.source_hash != o.content_hash;
  d.retry_requested = facts.retry_requested;
  d.first_seen_change = changed && fresh;
  S next = old;
  bool keep_content = false;  // the deposited content stays the reference
  switch (old) {
    case S::kMissing:
      // Read again: back to what the row says now (refused by the XSD and unchanged: still
      // quarantined). Never deposited while it was missing, so nothing else to act on.
      next = (facts.xsd_refused && !changed) ? S::kQuarantined : observed;
      d.change = changed ? ObservedChange::kUpdated : ObservedChange::kUnchanged;
      d.history.push_back({"reappeared", ""});
      if (next == S::kQuarantined) d.history.push_back({"quarantined", RulesDetail(o.rules)});
      if (changed) d.history.push_back({"updated", ""});
      break;
    case S::kPending:
    case S::kQuarantined:
      // Refused by the XSD: stays quarantined until its content changes. A passage the validator
      // now refuses keeps xsd_refused set, and its XSD reasons are replaced by the validator's.
      next = (old == S::kQuarantined && facts.xsd_refused && !changed) ? old : observed;
      d.change = changed ? ObservedChange::kUpdated : ObservedChange::kUnchanged;
      if (old != next) {
        d.history.push_back(o.quarantined ? HistoryEntry{"quarantined", RulesDetail(o.rules)}
                                          : HistoryEntry{"valid", ""});
      }
      if (changed) d.history.push_back({"updated", ""});
      break;
    case S::kInDeposit:
    case S::kDeposited:
      // Stays in its file whatever the validator says now; the change is acted on at the verdict.
      keep_content = true;
      d.change = changed ? ObservedChange::kChangedInDeposit : ObservedChange::kUnchanged;
      if (changed && fresh) d.history.push_back({"changed_in_deposit", ""});
      break;
    case S::kAccepted:
      keep_content = true;
      d.change = changed ? ObservedChange::kChangedAfterAcceptance : ObservedChange::kUnchanged;
      if (changed && fresh) d.history.push_back({"changed_after_acceptance", ""});
      break;
    case S::kWithdrawalQueued:
    case S::kWithdrawalInDeposit:
    case S::kWithdrawalDeposited:
    case S::kWithdrawn:
      // The CDC holds the accepted content until the SUPPRESSION is accepted, then nothing: the
      // change is recorded once. A correction takes the content last seen when its SUPPRESSION
      // is accepted, so a change seen meanwhile is part of it.
      keep_content = true;
      d.change = changed ? ObservedChange::kChangedAfterWithdrawal : ObservedChange::kUnchanged;
      if (changed && fresh) {
        d.history.push_back(
            {old == S::kWithdrawn ? "changed_after_withdrawal" : "changed_during_withdrawal", ""});
      }
      break;
    case S::kRejected:
      // retry_requested is never set by today's store (RequestRetry makes the passage pending at
      // once); it is honoured here for rows an earlier version flagged.
      if (changed || facts.retry_requested) {
        next = observed;
        d.change = changed ? ObservedChange::kChangedAfterRejection : ObservedChange::kUnchanged;
        // Only "corrected" (or "retry"), even when it goes to the quarantine: no "quarantined"
        // entry, unlike a correction acted on at the verdict.
        d.history.push_back({changed ? "corrected" : "retry", ""});
      } else {
        keep_content = true;
        d.change = ObservedChange::kUnchanged;
      }
      break;
  }
  d.status = next;
  const bool flag = old == S::kAccepted && changed && !facts.changed_after_acceptance;
  if (fresh || (changed && !keep_content) || next != old || flag) {
    d.write = PassageWrite::kUpdate;
    d.keep_content = keep_content;
    d.clear_xsd_refused = changed && !keep_content;
    d.flag_changed_after_acceptance = old == S::kAccepted && changed;
    d.clear_retry_requested = next != old;
  } else if (o.has_cursor) {
    d.write = PassageWrite::kTouchCursor;
  }
  // The quarantine holds the reasons of the latest observation (or the XSD's, while the content
  // stays the same). They are replaced whenever the observation is invalid, whatever the status:
  // a passage in a file, accepted or rejected keeps the rows (not listed, the quarantine lists
  // quarantined passages only; a verdict reads them). They are cleared only when the observation
  // is valid and the content changed or the passage was quarantined: a passage in a file seen
  // invalid, then valid with its deposited content, keeps the stale rows.
  const bool kept_by_xsd = next == S::kQuarantined && !o.quarantined;
  if (!kept_by_xsd && (o.quarantined || d.change != ObservedChange::kUnchanged ||
                       old == S::kQuarantined || old == S::kMissing)) {
    d.quarantine = o.quarantined ? QuarantineAction::kReplace : QuarantineAction::kClear;
  }
  ObservedAgain(facts, d);
  return d;
}

LifecycleDecision OnXsdRefused(const PassageFacts& facts, const XsdRefused& e) {
  if (!facts.exists || facts.status != S::kPending) return Refuse(facts, "not pending");
  LifecycleDecision d;
  d.status = S::kQuarantined;
  d.write = PassageWrite::kStatus;
  d.set_xsd_refused = true;
  d.quarantine = QuarantineAction::kReplace;
  // One entry per reason, each with its rule (not each rule once, as for an observation).
  for (const std::string& rule : e.rules) d.history.push_back({"quarantined", rule});
  return d;
}

LifecycleDecision OnDepositBegun(const PassageFacts& facts, const DepositBegun& e) {
  if (auto w = OnWithdrawalEvent(facts, e)) return *w;
  if (e.suppression) return Refuse(facts, "not queued for withdrawal");
  if (!facts.exists || facts.status != S::kPending) return Refuse(facts, "not pending");
  LifecycleDecision d;
  d.status = S::kInDeposit;
  d.write = PassageWrite::kStatus;
  d.deposit = DepositLink::kSet;
  d.history.push_back({"in_deposit", e.file_name});
  return d;
}

LifecycleDecision OnDepositAbandoned(const PassageFacts& facts, const DepositAbandoned& e) {
  if (auto w = OnWithdrawalEvent(facts, e)) return *w;
  if (!facts.exists) return Refuse(facts, "no such passage");
  LifecycleDecision d;
  d.status = facts.status;
  // Today's store records the abandonment for every passage listed in the deposit, even one no
  // longer in_deposit in it; only those are made pending again.
  d.history.push_back({"deposit_abandoned", e.file_name});
  if (facts.status == S::kInDeposit && facts.deposit_id == e.deposit_id) {
    d.status = S::kPending;
    d.write = PassageWrite::kStatus;
    d.deposit = DepositLink::kClear;
  }
  return d;
}

LifecycleDecision OnUploaded(const PassageFacts& facts, const Uploaded& e) {
  if (auto w = OnWithdrawalEvent(facts, e)) return *w;
  if (!facts.exists || facts.status != S::kInDeposit || facts.deposit_id != e.deposit_id) {
    return Refuse(facts, "not in_deposit in this file");
  }
  LifecycleDecision d;
  d.status = S::kDeposited;
  d.write = PassageWrite::kStatus;
  d.history.push_back({"deposited", e.file_name});
  return d;
}

// Only a passage still waiting in this deposit takes its verdict: one sent again since (after a
// correction) waits for its own; one already judged keeps its verdict.
LifecycleDecision OnVerdict(const PassageFacts& facts, const VerdictReceived& e) {
  if (auto w = OnWithdrawalEvent(facts, e)) return *w;
  if (!WaitingIn(facts, e.deposit_id)) return Refuse(facts, "not waiting for this file's verdict");
  LifecycleDecision d;
  d.status = e.accepted ? S::kAccepted : S::kRejected;
  d.write = PassageWrite::kStatus;
  d.set_cdc_message = true;
  d.history.push_back({std::string(StatusName(d.status)), e.message});
  // The source changed while the file waited (the change was seen, the deposited content kept):
  // act on it now. An incremental mapping may never read the row again.
  if (facts.content_hash == facts.source_hash) return d;
  if (e.accepted) {
    // Flagged and recorded even if an earlier acceptance had flagged it already.
    d.flag_changed_after_acceptance = true;
    d.history.push_back({"changed_after_acceptance", ""});
  } else {
    // Already corrected: the content last seen becomes the one to deposit, quarantined if its
    // last observation was invalid (rows in the quarantine). The CDC's message stays.
    d.status = facts.has_quarantine_reasons ? S::kQuarantined : S::kPending;
    d.content_from_source = true;
    d.clear_xsd_refused = true;
    d.history.push_back({"corrected", ""});
    if (facts.has_quarantine_reasons) d.history.push_back({"quarantined", ""});
  }
  return d;
}

LifecycleDecision OnFileRejected(const PassageFacts& facts, const FileRejected& e) {
  if (auto w = OnWithdrawalEvent(facts, e)) return *w;
  if (!WaitingIn(facts, e.deposit_id)) return Refuse(facts, "not waiting in this file");
  LifecycleDecision d;
  // Back to pending as it is: deposit_id stays (the file it was refused in), and content_hash
  // stays the deposited content even when a change was seen meanwhile (the next observation
  // records it as "updated").
  d.status = S::kPending;
  d.write = PassageWrite::kStatus;
  d.history.push_back({"file_rejected", e.file_name});
  return d;
}

LifecycleDecision OnAbsentFromReceipt(const PassageFacts& facts, const AbsentFromReceipt& e) {
  if (auto w = OnWithdrawalEvent(facts, e)) return *w;
  if (!WaitingIn(facts, e.deposit_id)) return Refuse(facts, "not waiting in this file");
  LifecycleDecision d;
  // Still deposited, reported. A passage still in_deposit (its upload never marked) becomes
  // deposited without a "deposited" entry; one already deposited is not written at all.
  d.status = S::kDeposited;
  d.write = facts.status == S::kInDeposit ? PassageWrite::kStatus : PassageWrite::kNothing;
  d.history.push_back({"missing_from_receipt", e.file_name});
  return d;
}

LifecycleDecision OnRetryRequested(const PassageFacts& facts) {
  if (!facts.exists) return Refuse(facts, "no such passage");
  if (facts.status != S::kRejected) {
    return Refuse(facts, std::string(StatusName(facts.status)) +
                             ", not rejected; only a rejected passage is sent again on request");
  }
  // Pending at once, as it is (valid or not: the operator asked); deposit_id and the CDC's
  // message stay.
  LifecycleDecision d;
  d.status = S::kPending;
  d.write = PassageWrite::kStatus;
  d.clear_retry_requested = true;
  d.history.push_back({"retry", ""});
  return d;
}

std::optional<LifecycleDecision> OnWithdrawalEvent(const PassageFacts& facts,
                                                   const LifecycleEvent& event) {
  LifecycleDecision d;
  if (const auto* e = std::get_if<DepositBegun>(&event)) {
    if (!e->suppression || !facts.exists || facts.status != S::kWithdrawalQueued) {
      return std::nullopt;
    }
    d.status = S::kWithdrawalInDeposit;
    d.write = PassageWrite::kStatus;
    d.withdrawal_deposit = DepositLink::kSet;
    d.history.push_back({"withdrawal_in_deposit", e->file_name});
    return d;
  }
  if (const auto* e = std::get_if<DepositAbandoned>(&event)) {
    if (!facts.exists || facts.status != S::kWithdrawalInDeposit ||
        facts.withdrawal_deposit_id != e->deposit_id) {
      return std::nullopt;
    }
    // Queued again: the next cut writes it into a new SUPPRESSION file.
    d.status = S::kWithdrawalQueued;
    d.write = PassageWrite::kStatus;
    d.withdrawal_deposit = DepositLink::kClear;
    d.history.push_back({"deposit_abandoned", e->file_name});
    return d;
  }
  if (const auto* e = std::get_if<Uploaded>(&event)) {
    if (!facts.exists || facts.status != S::kWithdrawalInDeposit ||
        facts.withdrawal_deposit_id != e->deposit_id) {
      return std::nullopt;
    }
    d.status = S::kWithdrawalDeposited;
    d.write = PassageWrite::kStatus;
    d.history.push_back({"withdrawal_deposited", e->file_name});
    return d;
  }
  if (const auto* e = std::get_if<VerdictReceived>(&event)) {
    if (!WithdrawalWaitingIn(facts, e->deposit_id)) return std::nullopt;
    d.write = PassageWrite::kStatus;
    if (!e->accepted) {
      // The CDC keeps the passage: it stays accepted, the CDC's message recorded and alerted.
      d.status = S::kAccepted;
      d.withdrawal = WithdrawalWrite::kClear;
      d.set_withdrawal_message = true;
      d.history.push_back({"withdrawal_refused", e->message});
      return d;
    }
    d.clear_withdrawal_message = true;
    if (!facts.correcting) {
      d.status = S::kWithdrawn;
      d.withdrawal = WithdrawalWrite::kClear;
      d.history.push_back({"withdrawn", e->message});
      return d;
    }
    d.history.push_back({"correction_withdrawn", e->message});
    // A correction's second step: the content last seen becomes the one to deposit, as a
    // corrected rejection does (quarantined if its last observation was invalid); the normal
    // CREATION path follows.
    d.status = facts.has_quarantine_reasons ? S::kQuarantined : S::kPending;
    d.withdrawal = WithdrawalWrite::kCorrected;
    d.content_from_source = true;
    d.clear_xsd_refused = true;
    d.history.push_back({"correction_pending", ""});
    if (facts.has_quarantine_reasons) d.history.push_back({"quarantined", ""});
    return d;
  }
  if (const auto* e = std::get_if<FileRejected>(&event)) {
    if (!WithdrawalWaitingIn(facts, e->deposit_id)) return std::nullopt;
    // Queued again as it is: the next cut writes a new SUPPRESSION file.
    d.status = S::kWithdrawalQueued;
    d.write = PassageWrite::kStatus;
    d.history.push_back({"withdrawal_file_rejected", e->file_name});
    return d;
  }
  if (const auto* e = std::get_if<AbsentFromReceipt>(&event)) {
    if (!WithdrawalWaitingIn(facts, e->deposit_id)) return std::nullopt;
    d.status = S::kWithdrawalDeposited;
    d.write =
        facts.status == S::kWithdrawalInDeposit ? PassageWrite::kStatus : PassageWrite::kNothing;
    d.history.push_back({"missing_from_receipt", e->file_name});
    return d;
  }
  return std::nullopt;
}

LifecycleDecision OnWithdrawalRequested(const PassageFacts& facts, const WithdrawalRequested& e) {
  if (!facts.exists) return Refuse(facts, "no such passage");
  const std::string what = e.correction ? "correct" : "withdraw";
  switch (facts.status) {
    case S::kAccepted:
      break;
    case S::kInDeposit:
    case S::kDeposited:
      return Refuse(facts, std::string(StatusName(facts.status)) +
                               ", the CDC's verdict not received yet; " + what +
                               " it once its accusé de traitement accepts it");
    case S::kWithdrawalQueued:
    case S::kWithdrawalInDeposit:
    case S::kWithdrawalDeposited:
      return Refuse(facts, std::string(StatusName(facts.status)) +
                               ": a withdrawal is already under way" +
                               (facts.correcting ? " (a correction)" : ""));
    case S::kWithdrawn:
      return Refuse(facts, "withdrawn already: the CDC no longer holds it");
    default:
      return Refuse(
          facts, std::string(StatusName(facts.status)) +
                     ", not accepted: the CDC does not hold it, there is nothing to " + what +
                     (facts.status == S::kRejected ? " (correct its source data, or passages retry)"
                                                   : ""));
  }
  if (e.correction && facts.content_hash == facts.source_hash) {
    return Refuse(facts,
                  "its source data have not changed since the CDC accepted it: nothing to correct");
  }
  LifecycleDecision d;
  d.status = S::kWithdrawalQueued;
  d.write = PassageWrite::kStatus;
  d.withdrawal = WithdrawalWrite::kQueue;
  d.correction = e.correction;
  d.clear_withdrawal_message = true;
  d.history.push_back({e.correction
                           ? (e.automatic ? "correction_automatic" : "correction_requested")
                           : "withdrawal_requested",
                       e.reason});
  return d;
}

LifecycleDecision OnSourceMissing(const PassageFacts& facts, const SourceMissing& e) {
  if (!facts.exists) return Refuse(facts, "no such passage");
  if (facts.status == S::kMissing || facts.missing_from_source) {
    return Refuse(facts, "already missing from the source");
  }
  // The CDC no longer holds it: its row may go, there is nothing to report.
  if (facts.status == S::kWithdrawn) return Refuse(facts, "withdrawn: the CDC no longer holds it");
  LifecycleDecision d;
  d.write = PassageWrite::kStatus;
  d.history.push_back({"missing", e.detail});
  switch (facts.status) {
    case S::kPending:
    case S::kQuarantined:
      // Not deposited any more; its quarantine rows stay (they say why, if it comes back).
      d.status = S::kMissing;
      break;
    case S::kInDeposit:
    case S::kDeposited:
    case S::kAccepted:
    case S::kRejected:
    case S::kWithdrawalQueued:
    case S::kWithdrawalInDeposit:
    case S::kWithdrawalDeposited:
    case S::kWithdrawn:  // refused above
    case S::kMissing:
      // Already in a file or at the CDC: its status stays what the CDC's side says; only an
      // operator withdraws an accepted passage (`accrochd passages withdraw`).
      d.status = facts.status;
      d.set_missing_from_source = true;
      break;
  }
  return d;
}

}  // namespace

bool Withdrawing(PassageStatus s) {
  return s == S::kWithdrawalQueued || s == S::kWithdrawalInDeposit || s == S::kWithdrawalDeposited;
}

std::string_view StatusName(PassageStatus s) {
  switch (s) {
    case S::kPending:
      return "pending";
    case S::kQuarantined:
      return "quarantined";
    case S::kInDeposit:
      return "in_deposit";
    case S::kDeposited:
      return "deposited";
    case S::kAccepted:
      return "accepted";
    case S::kRejected:
      return "rejected";
    case S::kWithdrawalQueued:
      return "withdrawal_queued";
    case S::kWithdrawalInDeposit:
      return "withdrawal_in_deposit";
    case S::kWithdrawalDeposited:
      return "withdrawal_deposited";
    case S::kWithdrawn:
      return "withdrawn";
    case S::kMissing:
      return "missing";
  }
  return "pending";
}

std::optional<PassageStatus> ParseStatus(std::string_view name) {
  for (S s : {S::kPending, S::kQuarantined, S::kInDeposit, S::kDeposited, S::kAccepted,
              S::kRejected, S::kWithdrawalQueued, S::kWithdrawalInDeposit, S::kWithdrawalDeposited,
              S::kWithdrawn, S::kMissing}) {
    if (StatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view ObservedChangeName(ObservedChange c) {
  switch (c) {
    case ObservedChange::kNew:
      return "new";
    case ObservedChange::kUnchanged:
      return "unchanged";
    case ObservedChange::kUpdated:
      return "updated";
    case ObservedChange::kChangedInDeposit:
      return "changed_in_deposit";
    case ObservedChange::kChangedAfterAcceptance:
      return "changed_after_acceptance";
    case ObservedChange::kChangedAfterRejection:
      return "changed_after_rejection";
    case ObservedChange::kChangedAfterWithdrawal:
      return "changed_after_withdrawal";
  }
  return "unchanged";
}

std::string RulesDetail(const std::vector<std::string>& rules) {
  std::vector<std::string> seen;  // each rule once
  std::string detail;
  for (const std::string& rule : rules) {
    if (std::find(seen.begin(), seen.end(), rule) != seen.end()) continue;
    seen.push_back(rule);
    detail += (detail.empty() ? "" : "; ") + rule;
  }
  return detail;
}

bool QuietWhenUnchanged(const PassageFacts& facts) {
  if (!facts.exists || facts.content_hash != facts.source_hash || facts.retry_requested ||
      facts.missing_from_source || facts.missed_reads > 0) {
    return false;
  }
  // Not pending (to be written into the next file, or held for its day), quarantined (its
  // reasons are rewritten, and may change with the day) or missing (read again: it reappears).
  const S s = facts.status;
  return s == S::kInDeposit || s == S::kDeposited || s == S::kAccepted || s == S::kRejected ||
         Withdrawing(s) || s == S::kWithdrawn;
}

LifecycleDecision Decide(const PassageFacts& facts, const LifecycleEvent& event) {
  struct Visitor {
    const PassageFacts& facts;
    LifecycleDecision operator()(const Observed& e) const { return OnObserved(facts, e); }
    LifecycleDecision operator()(const XsdRefused& e) const { return OnXsdRefused(facts, e); }
    LifecycleDecision operator()(const DepositBegun& e) const { return OnDepositBegun(facts, e); }
    LifecycleDecision operator()(const DepositAbandoned& e) const {
      return OnDepositAbandoned(facts, e);
    }
    LifecycleDecision operator()(const Uploaded& e) const { return OnUploaded(facts, e); }
    LifecycleDecision operator()(const VerdictReceived& e) const { return OnVerdict(facts, e); }
    LifecycleDecision operator()(const FileRejected& e) const { return OnFileRejected(facts, e); }
    LifecycleDecision operator()(const AbsentFromReceipt& e) const {
      return OnAbsentFromReceipt(facts, e);
    }
    LifecycleDecision operator()(const RetryRequested&) const { return OnRetryRequested(facts); }
    LifecycleDecision operator()(const WithdrawalRequested& e) const {
      return OnWithdrawalRequested(facts, e);
    }
    LifecycleDecision operator()(const SourceMissing& e) const { return OnSourceMissing(facts, e); }
  };
  return std::visit(Visitor{facts}, event);
}

}  // namespace accrochd::mappings
