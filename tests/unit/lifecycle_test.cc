// The passage lifecycle on plain values: every status (and "not known yet") × every event, each
// row saying what the passage becomes, what its history records, what the store writes and what
// becomes of its quarantine rows. The behaviour pinned is the state store's as of issue 12
// (tests/unit/state_store_test.cc pins the same through SQLite).
#include "mappings/lifecycle.h"

#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace accrochd::mappings {
namespace {

using ::testing::ElementsAre;
using S = PassageStatus;
using C = ObservedChange;
using W = PassageWrite;
using Q = QuarantineAction;

constexpr std::int64_t kDeposit = 7;
constexpr std::int64_t kOtherDeposit = 8;

// --- Facts.

PassageFacts Absent() { return PassageFacts{}; }

// A known passage whose deposited content, and the content last seen, are h1; last put in
// deposit kDeposit (a pending one may have been: abandoned or refused files keep or clear it).
PassageFacts Known(S status) {
  PassageFacts f;
  f.exists = true;
  f.status = status;
  f.content_hash = "h1";
  f.source_hash = "h1";
  f.deposit_id = kDeposit;
  return f;
}
PassageFacts SourceSays(PassageFacts f, std::string hash) {
  f.source_hash = std::move(hash);
  return f;
}
PassageFacts XsdRefusedFacts(PassageFacts f) {
  f.xsd_refused = true;
  return f;
}
PassageFacts RetryFlagged(PassageFacts f) {
  f.retry_requested = true;
  return f;
}
PassageFacts Flagged(PassageFacts f) {
  f.changed_after_acceptance = true;
  return f;
}
PassageFacts InDeposit(PassageFacts f, std::int64_t id) {
  f.deposit_id = id;
  return f;
}
PassageFacts WithQuarantineRows(PassageFacts f) {
  f.has_quarantine_reasons = true;
  return f;
}

// --- Events.

Observed Valid(std::string hash, bool cursor = false) {
  return Observed{std::move(hash), false, cursor, {}};
}
Observed Invalid(std::string hash, std::vector<std::string> rules = {"requis"},
                 bool cursor = false) {
  return Observed{std::move(hash), true, cursor, std::move(rules)};
}
const XsdRefused kXsd{{"xsd", "xsd"}};
const DepositBegun kBegun{kDeposit, "a.xml"};
const DepositAbandoned kAbandoned{kDeposit, "a.xml"};
const Uploaded kUploaded{kDeposit, "a.xml"};
const VerdictReceived kAccepted{kDeposit, true, "Passage enregistré"};
const VerdictReceived kRejected{kDeposit, false, "Plusieurs titulaires ont été identifiés"};
const FileRejected kFileRejected{kDeposit, "a.xml"};
const AbsentFromReceipt kAbsent{kDeposit, "a.xml"};
const RetryRequested kRetry{};
const SourceMissing kGone{"missing_after=2"};

PassageFacts MissingFlagged(PassageFacts f) {
  f.missing_from_source = true;
  return f;
}
PassageFacts Missed(PassageFacts f, std::int64_t reads) {
  f.missed_reads = reads;
  return f;
}

// The write's flags, in a fixed order: "" when none.
std::string Flags(const LifecycleDecision& d) {
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (on) out += (out.empty() ? "" : " ") + std::string(name);
  };
  add(d.keep_content, "keep_content");
  add(d.content_from_source, "content_from_source");
  add(d.clear_xsd_refused, "clear_xsd_refused");
  add(d.set_xsd_refused, "set_xsd_refused");
  add(d.flag_changed_after_acceptance, "flag_changed_after_acceptance");
  add(d.clear_retry_requested, "clear_retry_requested");
  add(d.set_cdc_message, "set_cdc_message");
  add(d.deposit == DepositLink::kSet, "deposit_set");
  add(d.deposit == DepositLink::kClear, "deposit_clear");
  add(d.set_missing_from_source, "set_missing_from_source");
  add(d.clear_missing, "clear_missing");
  return out;
}

std::string WriteName(W w) {
  switch (w) {
    case W::kNothing:
      return "nothing";
    case W::kInsert:
      return "insert";
    case W::kUpdate:
      return "update";
    case W::kTouchCursor:
      return "touch_cursor";
    case W::kStatus:
      return "status";
  }
  return "?";
}

std::string QuarantineName(Q q) {
  switch (q) {
    case Q::kKeep:
      return "keep";
    case Q::kClear:
      return "clear";
    case Q::kReplace:
      return "replace";
  }
  return "?";
}

struct Expected {
  std::string refused{};  // empty: the event applies
  C change = C::kUnchanged;
  S status = S::kPending;
  std::vector<HistoryEntry> history{};
  W write = W::kNothing;
  std::string flags{};
  Q quarantine = Q::kKeep;
  bool first_seen_change = false;
  bool retry_requested = false;
};

struct Case {
  std::string name;
  PassageFacts facts;
  LifecycleEvent event;
  Expected want;
};

// A refusal: nothing changes, nothing is written or recorded.
Expected Refused(std::string why, S stays = S::kPending) {
  return Expected{.refused = std::move(why), .status = stays};
}

const std::string kNotRetried = ", not rejected; only a rejected passage is sent again on request";

std::vector<Case> Cases() {
  return {
      // ---- Observed: not known yet.
      {"Absent_ObservedValid",
       Absent(),
       Valid("h1"),
       {.change = C::kNew, .status = S::kPending, .history = {{"seen", ""}}, .write = W::kInsert}},
      {"Absent_ObservedInvalid",
       Absent(),
       Invalid("h1", {"requis", "date", "requis"}),
       {.change = C::kNew,
        .status = S::kQuarantined,
        .history = {{"seen", ""}, {"quarantined", "requis; date"}},
        .write = W::kInsert,
        .quarantine = Q::kReplace}},

      // ---- Observed: pending.
      {"Pending_ObservedSame", Known(S::kPending), Valid("h1"), {.status = S::kPending}},
      {"Pending_ObservedSameWithCursor",
       Known(S::kPending),
       Valid("h1", true),
       {.status = S::kPending, .write = W::kTouchCursor}},
      {"Pending_ObservedChanged",
       Known(S::kPending),
       Valid("h2"),
       {.change = C::kUpdated,
        .status = S::kPending,
        .history = {{"updated", ""}},
        .write = W::kUpdate,
        .flags = "clear_xsd_refused",
        .quarantine = Q::kClear,
        .first_seen_change = true}},
      {"Pending_ObservedSameButInvalid",
       Known(S::kPending),
       Invalid("h1", {"sexe"}),
       {.status = S::kQuarantined,
        .history = {{"quarantined", "sexe"}},
        .write = W::kUpdate,
        .flags = "clear_retry_requested",
        .quarantine = Q::kReplace}},
      {"Pending_ObservedChangedAndInvalid",
       Known(S::kPending),
       Invalid("h2"),
       {.change = C::kUpdated,
        .status = S::kQuarantined,
        .history = {{"quarantined", "requis"}, {"updated", ""}},
        .write = W::kUpdate,
        .flags = "clear_xsd_refused clear_retry_requested",
        .quarantine = Q::kReplace,
        .first_seen_change = true}},
      // Back from a file refused whole after a change was seen in it: the change is no news.
      {"Pending_ObservedTheChangeSeenInItsFile",
       SourceSays(Known(S::kPending), "h2"),
       Valid("h2"),
       {.change = C::kUpdated,
        .status = S::kPending,
        .history = {{"updated", ""}},
        .write = W::kUpdate,
        .flags = "clear_xsd_refused",
        .quarantine = Q::kClear}},
      {"Pending_ObservedItsDepositedContentAgain",
       SourceSays(Known(S::kPending), "h2"),
       Valid("h1"),
       {.status = S::kPending, .write = W::kUpdate}},
      {"Pending_RetryFlagIsReported",
       RetryFlagged(Known(S::kPending)),
       Valid("h1"),
       {.status = S::kPending, .retry_requested = true}},

      // ---- Observed: quarantined by the validator.
      {"Quarantined_ObservedSameNowValid",
       Known(S::kQuarantined),
       Valid("h1"),
       {.status = S::kPending,
        .history = {{"valid", ""}},
        .write = W::kUpdate,
        .flags = "clear_retry_requested",
        .quarantine = Q::kClear}},
      {"Quarantined_ObservedSameStillInvalid",
       Known(S::kQuarantined),
       Invalid("h1"),
       {.status = S::kQuarantined, .quarantine = Q::kReplace}},
      {"Quarantined_ObservedSameStillInvalidWithCursor",
       Known(S::kQuarantined),
       Invalid("h1", {"requis"}, true),
       {.status = S::kQuarantined, .write = W::kTouchCursor, .quarantine = Q::kReplace}},
      {"Quarantined_ObservedCorrected",
       Known(S::kQuarantined),
       Valid("h2"),
       {.change = C::kUpdated,
        .status = S::kPending,
        .history = {{"valid", ""}, {"updated", ""}},
        .write = W::kUpdate,
        .flags = "clear_xsd_refused clear_retry_requested",
        .quarantine = Q::kClear,
        .first_seen_change = true}},
      {"Quarantined_ObservedChangedStillInvalid",
       Known(S::kQuarantined),
       Invalid("h2"),
       {.change = C::kUpdated,
        .status = S::kQuarantined,
        .history = {{"updated", ""}},
        .write = W::kUpdate,
        .flags = "clear_xsd_refused",
        .quarantine = Q::kReplace,
        .first_seen_change = true}},

      // ---- Observed: quarantined by the XSD (its word stands while the content is the same).
      {"XsdQuarantined_ObservedSameValid",
       XsdRefusedFacts(Known(S::kQuarantined)),
       Valid("h1"),
       {.status = S::kQuarantined}},
      {"XsdQuarantined_ObservedSameValidWithCursor",
       XsdRefusedFacts(Known(S::kQuarantined)),
       Valid("h1", true),
       {.status = S::kQuarantined, .write = W::kTouchCursor}},
      // Surprising, kept: the validator's reasons replace the XSD's, xsd_refused stays set.
      {"XsdQuarantined_ObservedSameInvalid",
       XsdRefusedFacts(Known(S::kQuarantined)),
       Invalid("h1", {"sexe"}),
       {.status = S::kQuarantined, .quarantine = Q::kReplace}},
      {"XsdQuarantined_ObservedCorrected",
       XsdRefusedFacts(Known(S::kQuarantined)),
       Valid("h2"),
       {.change = C::kUpdated,
        .status = S::kPending,
        .history = {{"valid", ""}, {"updated", ""}},
        .write = W::kUpdate,
        .flags = "clear_xsd_refused clear_retry_requested",
        .quarantine = Q::kClear,
        .first_seen_change = true}},

      // ---- Observed: in a file (in_deposit, deposited): the file keeps its data.
      {"InDeposit_ObservedSame", Known(S::kInDeposit), Valid("h1"), {.status = S::kInDeposit}},
      {"InDeposit_ObservedChanged",
       Known(S::kInDeposit),
       Valid("h2"),
       {.change = C::kChangedInDeposit,
        .status = S::kInDeposit,
        .history = {{"changed_in_deposit", ""}},
        .write = W::kUpdate,
        .flags = "keep_content",
        .quarantine = Q::kClear,
        .first_seen_change = true}},
      {"InDeposit_ObservedTheSameChangeAgain",
       SourceSays(Known(S::kInDeposit), "h2"),
       Valid("h2"),
       {.change = C::kChangedInDeposit, .status = S::kInDeposit, .quarantine = Q::kClear}},
      {"InDeposit_ObservedChangedBack",
       SourceSays(Known(S::kInDeposit), "h2"),
       Valid("h1"),
       {.status = S::kInDeposit, .write = W::kUpdate, .flags = "keep_content"}},
      {"InDeposit_ObservedChangedAndInvalid",
       Known(S::kInDeposit),
       Invalid("h3"),
       {.change = C::kChangedInDeposit,
        .status = S::kInDeposit,
        .history = {{"changed_in_deposit", ""}},
        .write = W::kUpdate,
        .flags = "keep_content",
        .quarantine = Q::kReplace,
        .first_seen_change = true}},
      {"InDeposit_ObservedSameButInvalid",
       Known(S::kInDeposit),
       Invalid("h1"),
       {.status = S::kInDeposit, .quarantine = Q::kReplace}},
      {"Deposited_ObservedSameWithCursor",
       Known(S::kDeposited),
       Valid("h1", true),
       {.status = S::kDeposited, .write = W::kTouchCursor}},
      {"Deposited_ObservedChanged",
       Known(S::kDeposited),
       Valid("h2"),
       {.change = C::kChangedInDeposit,
        .status = S::kDeposited,
        .history = {{"changed_in_deposit", ""}},
        .write = W::kUpdate,
        .flags = "keep_content",
        .quarantine = Q::kClear,
        .first_seen_change = true}},

      // ---- Observed: accepted (final at the CDC: a change is reported, never sent).
      {"Accepted_ObservedSame", Known(S::kAccepted), Valid("h1"), {.status = S::kAccepted}},
      {"Accepted_ObservedChanged",
       Known(S::kAccepted),
       Valid("h2"),
       {.change = C::kChangedAfterAcceptance,
        .status = S::kAccepted,
        .history = {{"changed_after_acceptance", ""}},
        .write = W::kUpdate,
        .flags = "keep_content flag_changed_after_acceptance",
        .quarantine = Q::kClear,
        .first_seen_change = true}},
      {"Accepted_ObservedTheSameChangeAgain",
       Flagged(SourceSays(Known(S::kAccepted), "h2")),
       Valid("h2"),
       {.change = C::kChangedAfterAcceptance, .status = S::kAccepted, .quarantine = Q::kClear}},
      // Seen in its file, not flagged yet: the flag alone is written.
      {"Accepted_ObservedAChangeNotFlaggedYet",
       SourceSays(Known(S::kAccepted), "h2"),
       Valid("h2"),
       {.change = C::kChangedAfterAcceptance,
        .status = S::kAccepted,
        .write = W::kUpdate,
        .flags = "keep_content flag_changed_after_acceptance",
        .quarantine = Q::kClear}},
      {"Accepted_ObservedTheAcceptedContentBack",
       Flagged(SourceSays(Known(S::kAccepted), "h2")),
       Valid("h1"),
       {.status = S::kAccepted, .write = W::kUpdate, .flags = "keep_content"}},
      {"Accepted_ObservedChangedAndInvalid",
       Known(S::kAccepted),
       Invalid("h2"),
       {.change = C::kChangedAfterAcceptance,
        .status = S::kAccepted,
        .history = {{"changed_after_acceptance", ""}},
        .write = W::kUpdate,
        .flags = "keep_content flag_changed_after_acceptance",
        .quarantine = Q::kReplace,
        .first_seen_change = true}},

      // ---- Observed: rejected (waits for a correction).
      {"Rejected_ObservedSame", Known(S::kRejected), Valid("h1"), {.status = S::kRejected}},
      {"Rejected_ObservedSameWithCursor",
       Known(S::kRejected),
       Valid("h1", true),
       {.status = S::kRejected, .write = W::kTouchCursor}},
      {"Rejected_ObservedSameButInvalid",
       Known(S::kRejected),
       Invalid("h1"),
       {.status = S::kRejected, .quarantine = Q::kReplace}},
      {"Rejected_ObservedCorrected",
       Known(S::kRejected),
       Valid("h2"),
       {.change = C::kChangedAfterRejection,
        .status = S::kPending,
        .history = {{"corrected", ""}},
        .write = W::kUpdate,
        .flags = "clear_xsd_refused clear_retry_requested",
        .quarantine = Q::kClear,
        .first_seen_change = true}},
      // Surprising, kept: no "quarantined" entry (a correction acted on at the verdict has one).
      {"Rejected_ObservedCorrectedButInvalid",
       Known(S::kRejected),
       Invalid("h2"),
       {.change = C::kChangedAfterRejection,
        .status = S::kQuarantined,
        .history = {{"corrected", ""}},
        .write = W::kUpdate,
        .flags = "clear_xsd_refused clear_retry_requested",
        .quarantine = Q::kReplace,
        .first_seen_change = true}},
      {"RetryFlaggedRejected_ObservedSame",
       RetryFlagged(Known(S::kRejected)),
       Valid("h1"),
       {.status = S::kPending,
        .history = {{"retry", ""}},
        .write = W::kUpdate,
        .flags = "clear_retry_requested",
        .retry_requested = true}},
      {"RetryFlaggedRejected_ObservedSameButInvalid",
       RetryFlagged(Known(S::kRejected)),
       Invalid("h1"),
       {.status = S::kQuarantined,
        .history = {{"retry", ""}},
        .write = W::kUpdate,
        .flags = "clear_retry_requested",
        .quarantine = Q::kReplace,
        .retry_requested = true}},

      // ---- Refused by the XSD check of its file: only a pending passage.
      {"Absent_XsdRefused", Absent(), kXsd, Refused("not pending")},
      {"Pending_XsdRefused",
       Known(S::kPending),
       kXsd,
       {.status = S::kQuarantined,
        .history = {{"quarantined", "xsd"}, {"quarantined", "xsd"}},
        .write = W::kStatus,
        .flags = "set_xsd_refused",
        .quarantine = Q::kReplace}},
      {"Quarantined_XsdRefused", Known(S::kQuarantined), kXsd,
       Refused("not pending", S::kQuarantined)},
      {"InDeposit_XsdRefused", Known(S::kInDeposit), kXsd, Refused("not pending", S::kInDeposit)},
      {"Deposited_XsdRefused", Known(S::kDeposited), kXsd, Refused("not pending", S::kDeposited)},
      {"Accepted_XsdRefused", Known(S::kAccepted), kXsd, Refused("not pending", S::kAccepted)},
      {"Rejected_XsdRefused", Known(S::kRejected), kXsd, Refused("not pending", S::kRejected)},

      // ---- Deposit begun: only a pending passage goes into a file.
      {"Absent_DepositBegun", Absent(), kBegun, Refused("not pending")},
      {"Pending_DepositBegun",
       Known(S::kPending),
       kBegun,
       {.status = S::kInDeposit,
        .history = {{"in_deposit", "a.xml"}},
        .write = W::kStatus,
        .flags = "deposit_set"}},
      {"Quarantined_DepositBegun", Known(S::kQuarantined), kBegun,
       Refused("not pending", S::kQuarantined)},
      {"InDeposit_DepositBegun", Known(S::kInDeposit), kBegun,
       Refused("not pending", S::kInDeposit)},
      {"Deposited_DepositBegun", Known(S::kDeposited), kBegun,
       Refused("not pending", S::kDeposited)},
      {"Accepted_DepositBegun", Known(S::kAccepted), kBegun, Refused("not pending", S::kAccepted)},
      {"Rejected_DepositBegun", Known(S::kRejected), kBegun, Refused("not pending", S::kRejected)},

      // ---- Deposit abandoned: recorded for every passage listed, pending again if still in it.
      {"Absent_DepositAbandoned", Absent(), kAbandoned, Refused("no such passage")},
      {"InDeposit_DepositAbandoned",
       Known(S::kInDeposit),
       kAbandoned,
       {.status = S::kPending,
        .history = {{"deposit_abandoned", "a.xml"}},
        .write = W::kStatus,
        .flags = "deposit_clear"}},
      {"InAnotherDeposit_DepositAbandoned",
       InDeposit(Known(S::kInDeposit), kOtherDeposit),
       kAbandoned,
       {.status = S::kInDeposit, .history = {{"deposit_abandoned", "a.xml"}}}},
      {"Pending_DepositAbandoned",
       Known(S::kPending),
       kAbandoned,
       {.status = S::kPending, .history = {{"deposit_abandoned", "a.xml"}}}},
      {"Quarantined_DepositAbandoned",
       Known(S::kQuarantined),
       kAbandoned,
       {.status = S::kQuarantined, .history = {{"deposit_abandoned", "a.xml"}}}},
      {"Deposited_DepositAbandoned",
       Known(S::kDeposited),
       kAbandoned,
       {.status = S::kDeposited, .history = {{"deposit_abandoned", "a.xml"}}}},
      {"Accepted_DepositAbandoned",
       Known(S::kAccepted),
       kAbandoned,
       {.status = S::kAccepted, .history = {{"deposit_abandoned", "a.xml"}}}},
      {"Rejected_DepositAbandoned",
       Known(S::kRejected),
       kAbandoned,
       {.status = S::kRejected, .history = {{"deposit_abandoned", "a.xml"}}}},

      // ---- Uploaded: the passages still in_deposit in that file become deposited.
      {"Absent_Uploaded", Absent(), kUploaded, Refused("not in_deposit in this file")},
      {"InDeposit_Uploaded",
       Known(S::kInDeposit),
       kUploaded,
       {.status = S::kDeposited, .history = {{"deposited", "a.xml"}}, .write = W::kStatus}},
      {"InAnotherDeposit_Uploaded", InDeposit(Known(S::kInDeposit), kOtherDeposit), kUploaded,
       Refused("not in_deposit in this file", S::kInDeposit)},
      {"Pending_Uploaded", Known(S::kPending), kUploaded,
       Refused("not in_deposit in this file", S::kPending)},
      {"Quarantined_Uploaded", Known(S::kQuarantined), kUploaded,
       Refused("not in_deposit in this file", S::kQuarantined)},
      {"Deposited_Uploaded", Known(S::kDeposited), kUploaded,
       Refused("not in_deposit in this file", S::kDeposited)},
      {"Accepted_Uploaded", Known(S::kAccepted), kUploaded,
       Refused("not in_deposit in this file", S::kAccepted)},
      {"Rejected_Uploaded", Known(S::kRejected), kUploaded,
       Refused("not in_deposit in this file", S::kRejected)},

      // ---- Verdict: accepted.
      {"Absent_VerdictAccepted", Absent(), kAccepted,
       Refused("not waiting for this file's verdict")},
      {"InDeposit_VerdictAccepted",
       Known(S::kInDeposit),
       kAccepted,
       {.status = S::kAccepted,
        .history = {{"accepted", "Passage enregistré"}},
        .write = W::kStatus,
        .flags = "set_cdc_message"}},
      {"Deposited_VerdictAccepted",
       Known(S::kDeposited),
       kAccepted,
       {.status = S::kAccepted,
        .history = {{"accepted", "Passage enregistré"}},
        .write = W::kStatus,
        .flags = "set_cdc_message"}},
      {"DepositedChangedMeanwhile_VerdictAccepted",
       SourceSays(Known(S::kDeposited), "h2"),
       kAccepted,
       {.status = S::kAccepted,
        .history = {{"accepted", "Passage enregistré"}, {"changed_after_acceptance", ""}},
        .write = W::kStatus,
        .flags = "flag_changed_after_acceptance set_cdc_message"}},
      {"InAnotherDeposit_VerdictAccepted", InDeposit(Known(S::kDeposited), kOtherDeposit),
       kAccepted, Refused("not waiting for this file's verdict", S::kDeposited)},
      {"Pending_VerdictAccepted", Known(S::kPending), kAccepted,
       Refused("not waiting for this file's verdict", S::kPending)},
      {"Quarantined_VerdictAccepted", Known(S::kQuarantined), kAccepted,
       Refused("not waiting for this file's verdict", S::kQuarantined)},
      {"Accepted_VerdictAccepted", Known(S::kAccepted), kAccepted,
       Refused("not waiting for this file's verdict", S::kAccepted)},
      {"Rejected_VerdictAccepted", Known(S::kRejected), kAccepted,
       Refused("not waiting for this file's verdict", S::kRejected)},

      // ---- Verdict: rejected.
      {"Absent_VerdictRejected", Absent(), kRejected,
       Refused("not waiting for this file's verdict")},
      {"InDeposit_VerdictRejected",
       Known(S::kInDeposit),
       kRejected,
       {.status = S::kRejected,
        .history = {{"rejected", "Plusieurs titulaires ont été identifiés"}},
        .write = W::kStatus,
        .flags = "set_cdc_message"}},
      // Quarantine rows left by an invalid observation whose content went back: not a correction.
      {"Deposited_VerdictRejected",
       WithQuarantineRows(Known(S::kDeposited)),
       kRejected,
       {.status = S::kRejected,
        .history = {{"rejected", "Plusieurs titulaires ont été identifiés"}},
        .write = W::kStatus,
        .flags = "set_cdc_message"}},
      {"DepositedCorrectedMeanwhile_VerdictRejected",
       SourceSays(Known(S::kDeposited), "h2"),
       kRejected,
       {.status = S::kPending,
        .history = {{"rejected", "Plusieurs titulaires ont été identifiés"}, {"corrected", ""}},
        .write = W::kStatus,
        .flags = "content_from_source clear_xsd_refused set_cdc_message"}},
      {"DepositedChangedMeanwhileToInvalid_VerdictRejected",
       WithQuarantineRows(SourceSays(Known(S::kDeposited), "h2")),
       kRejected,
       {.status = S::kQuarantined,
        .history = {{"rejected", "Plusieurs titulaires ont été identifiés"},
                    {"corrected", ""},
                    {"quarantined", ""}},
        .write = W::kStatus,
        .flags = "content_from_source clear_xsd_refused set_cdc_message"}},
      {"InAnotherDeposit_VerdictRejected", InDeposit(Known(S::kInDeposit), kOtherDeposit),
       kRejected, Refused("not waiting for this file's verdict", S::kInDeposit)},
      {"Pending_VerdictRejected", Known(S::kPending), kRejected,
       Refused("not waiting for this file's verdict", S::kPending)},
      {"Quarantined_VerdictRejected", Known(S::kQuarantined), kRejected,
       Refused("not waiting for this file's verdict", S::kQuarantined)},
      {"Accepted_VerdictRejected", Known(S::kAccepted), kRejected,
       Refused("not waiting for this file's verdict", S::kAccepted)},
      {"Rejected_VerdictRejected", Known(S::kRejected), kRejected,
       Refused("not waiting for this file's verdict", S::kRejected)},

      // ---- File rejected whole: its passages go out again as they are.
      {"Absent_FileRejected", Absent(), kFileRejected, Refused("not waiting in this file")},
      {"InDeposit_FileRejected",
       Known(S::kInDeposit),
       kFileRejected,
       {.status = S::kPending, .history = {{"file_rejected", "a.xml"}}, .write = W::kStatus}},
      // The deposited content stays the reference (and deposit_id stays): see lifecycle.cc.
      {"DepositedChangedMeanwhile_FileRejected",
       SourceSays(Known(S::kDeposited), "h2"),
       kFileRejected,
       {.status = S::kPending, .history = {{"file_rejected", "a.xml"}}, .write = W::kStatus}},
      {"InAnotherDeposit_FileRejected", InDeposit(Known(S::kDeposited), kOtherDeposit),
       kFileRejected, Refused("not waiting in this file", S::kDeposited)},
      {"Pending_FileRejected", Known(S::kPending), kFileRejected,
       Refused("not waiting in this file", S::kPending)},
      {"Quarantined_FileRejected", Known(S::kQuarantined), kFileRejected,
       Refused("not waiting in this file", S::kQuarantined)},
      {"Accepted_FileRejected", Known(S::kAccepted), kFileRejected,
       Refused("not waiting in this file", S::kAccepted)},
      {"Rejected_FileRejected", Known(S::kRejected), kFileRejected,
       Refused("not waiting in this file", S::kRejected)},

      // ---- Absent from its file's receipt (after the verdicts): still deposited, reported.
      {"Absent_AbsentFromReceipt", Absent(), kAbsent, Refused("not waiting in this file")},
      {"InDeposit_AbsentFromReceipt",
       Known(S::kInDeposit),
       kAbsent,
       {.status = S::kDeposited,
        .history = {{"missing_from_receipt", "a.xml"}},
        .write = W::kStatus}},
      {"Deposited_AbsentFromReceipt",
       Known(S::kDeposited),
       kAbsent,
       {.status = S::kDeposited, .history = {{"missing_from_receipt", "a.xml"}}}},
      {"InAnotherDeposit_AbsentFromReceipt", InDeposit(Known(S::kDeposited), kOtherDeposit),
       kAbsent, Refused("not waiting in this file", S::kDeposited)},
      {"Pending_AbsentFromReceipt", Known(S::kPending), kAbsent,
       Refused("not waiting in this file", S::kPending)},
      {"Quarantined_AbsentFromReceipt", Known(S::kQuarantined), kAbsent,
       Refused("not waiting in this file", S::kQuarantined)},
      {"Accepted_AbsentFromReceipt", Known(S::kAccepted), kAbsent,
       Refused("not waiting in this file", S::kAccepted)},
      {"Rejected_AbsentFromReceipt", Known(S::kRejected), kAbsent,
       Refused("not waiting in this file", S::kRejected)},

      // ---- Retry requested: only a rejected passage, pending at once.
      {"Absent_RetryRequested", Absent(), kRetry, Refused("no such passage")},
      {"Rejected_RetryRequested",
       Known(S::kRejected),
       kRetry,
       {.status = S::kPending,
        .history = {{"retry", ""}},
        .write = W::kStatus,
        .flags = "clear_retry_requested"}},
      {"Pending_RetryRequested", Known(S::kPending), kRetry,
       Refused("pending" + kNotRetried, S::kPending)},
      {"Quarantined_RetryRequested", Known(S::kQuarantined), kRetry,
       Refused("quarantined" + kNotRetried, S::kQuarantined)},
      {"InDeposit_RetryRequested", Known(S::kInDeposit), kRetry,
       Refused("in_deposit" + kNotRetried, S::kInDeposit)},
      {"Deposited_RetryRequested", Known(S::kDeposited), kRetry,
       Refused("deposited" + kNotRetried, S::kDeposited)},
      {"Accepted_RetryRequested", Known(S::kAccepted), kRetry,
       Refused("accepted" + kNotRetried, S::kAccepted)},

      // ---- Gone from the source (issue 11, item 3): a pending or quarantined passage stops
      // being deposited; one in a file or at the CDC keeps its status, flagged. Never withdrawn.
      {"Absent_SourceMissing", Absent(), kGone, Refused("no such passage")},
      {"Pending_SourceMissing",
       Known(S::kPending),
       kGone,
       {.status = S::kMissing, .history = {{"missing", "missing_after=2"}}, .write = W::kStatus}},
      {"Quarantined_SourceMissing",
       Known(S::kQuarantined),
       kGone,
       {.status = S::kMissing, .history = {{"missing", "missing_after=2"}}, .write = W::kStatus}},
      {"InDeposit_SourceMissing",
       Known(S::kInDeposit),
       kGone,
       {.status = S::kInDeposit,
        .history = {{"missing", "missing_after=2"}},
        .write = W::kStatus,
        .flags = "set_missing_from_source"}},
      {"Deposited_SourceMissing",
       Known(S::kDeposited),
       kGone,
       {.status = S::kDeposited,
        .history = {{"missing", "missing_after=2"}},
        .write = W::kStatus,
        .flags = "set_missing_from_source"}},
      {"Accepted_SourceMissing",
       Known(S::kAccepted),
       kGone,
       {.status = S::kAccepted,
        .history = {{"missing", "missing_after=2"}},
        .write = W::kStatus,
        .flags = "set_missing_from_source"}},
      {"Rejected_SourceMissing",
       Known(S::kRejected),
       kGone,
       {.status = S::kRejected,
        .history = {{"missing", "missing_after=2"}},
        .write = W::kStatus,
        .flags = "set_missing_from_source"}},
      {"Missing_SourceMissing", Known(S::kMissing), kGone,
       Refused("already missing from the source", S::kMissing)},
      {"AcceptedFlaggedMissing_SourceMissing", MissingFlagged(Known(S::kAccepted)), kGone,
       Refused("already missing from the source", S::kAccepted)},

      // ---- Missing: read again, it is known again; nothing else applies to it.
      {"Missing_ObservedSame",
       Known(S::kMissing),
       Valid("h1"),
       {.status = S::kPending,
        .history = {{"reappeared", ""}},
        .write = W::kUpdate,
        .flags = "clear_retry_requested clear_missing",
        .quarantine = Q::kClear}},
      {"Missing_ObservedSameButInvalid",
       Known(S::kMissing),
       Invalid("h1", {"sexe"}),
       {.status = S::kQuarantined,
        .history = {{"reappeared", ""}, {"quarantined", "sexe"}},
        .write = W::kUpdate,
        .flags = "clear_retry_requested clear_missing",
        .quarantine = Q::kReplace}},
      {"Missing_ObservedChanged",
       Known(S::kMissing),
       Valid("h2"),
       {.change = C::kUpdated,
        .status = S::kPending,
        .history = {{"reappeared", ""}, {"updated", ""}},
        .write = W::kUpdate,
        .flags = "clear_xsd_refused clear_retry_requested clear_missing",
        .quarantine = Q::kClear,
        .first_seen_change = true}},
      {"MissingXsdRefused_ObservedSame",
       XsdRefusedFacts(Known(S::kMissing)),
       Valid("h1"),
       {.status = S::kQuarantined,
        .history = {{"reappeared", ""}, {"quarantined", ""}},
        .write = W::kUpdate,
        .flags = "clear_retry_requested clear_missing"}},
      {"Missing_XsdRefused", Known(S::kMissing), kXsd, Refused("not pending", S::kMissing)},
      {"Missing_DepositBegun", Known(S::kMissing), kBegun, Refused("not pending", S::kMissing)},
      {"Missing_DepositAbandoned",
       Known(S::kMissing),
       kAbandoned,
       {.status = S::kMissing, .history = {{"deposit_abandoned", "a.xml"}}}},
      {"Missing_Uploaded", Known(S::kMissing), kUploaded,
       Refused("not in_deposit in this file", S::kMissing)},
      {"Missing_VerdictAccepted", Known(S::kMissing), kAccepted,
       Refused("not waiting for this file's verdict", S::kMissing)},
      {"Missing_VerdictRejected", Known(S::kMissing), kRejected,
       Refused("not waiting for this file's verdict", S::kMissing)},
      {"Missing_FileRejected", Known(S::kMissing), kFileRejected,
       Refused("not waiting in this file", S::kMissing)},
      {"Missing_AbsentFromReceipt", Known(S::kMissing), kAbsent,
       Refused("not waiting in this file", S::kMissing)},
      {"Missing_RetryRequested", Known(S::kMissing), kRetry,
       Refused("missing" + kNotRetried, S::kMissing)},

      // ---- Flagged or counting: seen again, the flag and the count are cleared.
      {"AcceptedFlaggedMissing_ObservedSame",
       MissingFlagged(Known(S::kAccepted)),
       Valid("h1"),
       {.status = S::kAccepted, .history = {{"reappeared", ""}}, .flags = "clear_missing"}},
      {"DepositedFlaggedMissing_ObservedChanged",
       MissingFlagged(Known(S::kDeposited)),
       Valid("h2"),
       {.change = C::kChangedInDeposit,
        .status = S::kDeposited,
        .history = {{"reappeared", ""}, {"changed_in_deposit", ""}},
        .write = W::kUpdate,
        .flags = "keep_content clear_missing",
        .quarantine = Q::kClear,
        .first_seen_change = true}},
      {"PendingMissedOnce_ObservedSame",
       Missed(Known(S::kPending), 1),
       Valid("h1"),
       {.status = S::kPending, .flags = "clear_missing"}},
  };
}

// gtest prints a failing row by its name, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class LifecycleTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(LifecycleTableTest, DecidesAsTheStoreDoes) {
  const Case& c = GetParam();
  const LifecycleDecision d = Decide(c.facts, c.event);
  EXPECT_EQ(d.refused.value_or(""), c.want.refused);
  EXPECT_EQ(ObservedChangeName(d.change), ObservedChangeName(c.want.change));
  EXPECT_EQ(StatusName(d.status), StatusName(c.want.status));
  EXPECT_EQ(d.history, c.want.history);
  EXPECT_EQ(WriteName(d.write), WriteName(c.want.write));
  EXPECT_EQ(Flags(d), c.want.flags);
  EXPECT_EQ(QuarantineName(d.quarantine), QuarantineName(c.want.quarantine));
  EXPECT_EQ(d.first_seen_change, c.want.first_seen_change);
  EXPECT_EQ(d.retry_requested, c.want.retry_requested);
}

INSTANTIATE_TEST_SUITE_P(EveryStatusAndEvent, LifecycleTableTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& row) { return row.param.name; });

// The table's own guarantee: every status, and "not known yet", meets every event at least once.
std::string StateOf(const PassageFacts& f) {
  return f.exists ? std::string(StatusName(f.status)) : "absent";
}
std::string EventOf(const LifecycleEvent& e) {
  if (const auto* v = std::get_if<VerdictReceived>(&e)) {
    return v->accepted ? "verdict_accepted" : "verdict_rejected";
  }
  static const char* const kNames[] = {"observed",        "xsd_refused",
                                       "deposit_begun",   "deposit_abandoned",
                                       "uploaded",        "verdict",
                                       "file_rejected",   "absent_from_receipt",
                                       "retry_requested", "withdrawal_requested",
                                       "source_missing"};
  return kNames[e.index()];
}

TEST(LifecycleTest, TheTableCoversEveryStatusAndEvent) {
  std::set<std::pair<std::string, std::string>> covered;
  for (const Case& c : Cases()) covered.emplace(StateOf(c.facts), EventOf(c.event));
  const std::vector<std::string> states = {"absent",    "pending",  "quarantined", "in_deposit",
                                           "deposited", "accepted", "rejected",    "missing"};
  const std::vector<std::string> events = {
      "observed",          "xsd_refused",   "deposit_begun",
      "deposit_abandoned", "uploaded",      "verdict_accepted",
      "verdict_rejected",  "file_rejected", "absent_from_receipt",
      "retry_requested",   "source_missing"};
  for (const std::string& s : states) {
    for (const std::string& e : events) {
      EXPECT_TRUE(covered.contains({s, e})) << s << " × " << e << " has no row";
    }
  }
}

TEST(LifecycleTest, StatusNamesAreTheStoresAndParseBack) {
  for (S s : {S::kPending, S::kQuarantined, S::kInDeposit, S::kDeposited, S::kAccepted,
              S::kRejected, S::kMissing}) {
    EXPECT_EQ(ParseStatus(StatusName(s)), s) << StatusName(s);
  }
  EXPECT_EQ(StatusName(S::kMissing), "missing");
  EXPECT_EQ(StatusName(S::kInDeposit), "in_deposit");
  EXPECT_EQ(ParseStatus("abandoned"), std::nullopt);
  EXPECT_EQ(ParseStatus("Pending"), std::nullopt);
}

TEST(LifecycleTest, RulesDetailNamesEachRuleOnceInOrder) {
  EXPECT_EQ(RulesDetail({}), "");
  EXPECT_EQ(RulesDetail({"requis", "date", "requis", "format"}), "requis; date; format");
}

// What a store does with a decision, enough to replay a life: status, hashes and flags.
PassageFacts Apply(PassageFacts f, const LifecycleEvent& event, const LifecycleDecision& d) {
  if (d.refused) return f;
  const auto* o = std::get_if<Observed>(&event);
  if (d.write == W::kInsert) {
    f = PassageFacts{};
    f.exists = true;
    f.content_hash = f.source_hash = o->content_hash;
  } else if (d.write == W::kUpdate) {
    if (!d.keep_content) f.content_hash = o->content_hash;
    f.source_hash = o->content_hash;
  }
  if (d.content_from_source) f.content_hash = f.source_hash;
  if (d.clear_xsd_refused) f.xsd_refused = false;
  if (d.set_xsd_refused) f.xsd_refused = true;
  if (d.flag_changed_after_acceptance) f.changed_after_acceptance = true;
  if (d.clear_retry_requested) f.retry_requested = false;
  if (d.deposit == DepositLink::kClear) f.deposit_id.reset();
  if (const auto* b = std::get_if<DepositBegun>(&event); b && d.deposit == DepositLink::kSet) {
    f.deposit_id = b->deposit_id;
  }
  if (d.quarantine == Q::kClear) f.has_quarantine_reasons = false;
  if (d.quarantine == Q::kReplace) {
    f.has_quarantine_reasons = o ? !o->rules.empty() || o->quarantined : true;
  }
  f.status = d.status;
  return f;
}

// state_store_test's HistoryTellsTheWholeLifeOfAPassage, on plain values.
TEST(LifecycleTest, ALifeReplayedGivesTheStoresHistory) {
  const std::vector<LifecycleEvent> life = {
      Invalid("h0", {"sexe"}),
      Valid("h1"),  // corrected in the source
      DepositBegun{1, "a.xml"},
      Uploaded{1, "a.xml"},
      VerdictReceived{1, false, "refus"},
      Valid("h2"),  // corrected again
      DepositBegun{2, "b.xml"},
      Uploaded{2, "b.xml"},
      VerdictReceived{2, true, ""},
  };
  PassageFacts facts = Absent();
  std::vector<std::string> kinds;
  for (const LifecycleEvent& e : life) {
    const LifecycleDecision d = Decide(facts, e);
    ASSERT_FALSE(d.refused.has_value()) << *d.refused;
    for (const HistoryEntry& h : d.history) kinds.push_back(h.kind);
    facts = Apply(facts, e, d);
  }
  EXPECT_THAT(kinds,
              ElementsAre("seen", "quarantined", "valid", "updated", "in_deposit", "deposited",
                          "rejected", "corrected", "in_deposit", "deposited", "accepted"));
  EXPECT_EQ(facts.status, S::kAccepted);
  EXPECT_EQ(facts.deposit_id, 2);
  EXPECT_FALSE(facts.changed_after_acceptance);
}

// state_store_test's CorrectionMadeWhileInDepositIsSentAfterTheRejection and
// ChangeMadeWhileInDepositIsFlaggedOnceAccepted.
TEST(LifecycleTest, AChangeSeenInItsFileIsActedOnAtTheVerdict) {
  for (const bool accepted : {false, true}) {
    SCOPED_TRACE(accepted ? "accepted" : "rejected");
    PassageFacts facts = Absent();
    for (const LifecycleEvent& e :
         std::vector<LifecycleEvent>{Valid("h1"), DepositBegun{1, "a.xml"}, Valid("h2"),
                                     VerdictReceived{1, accepted, "m"}}) {
      facts = Apply(facts, e, Decide(facts, e));
    }
    const LifecycleDecision again = Decide(facts, Valid("h2"));
    EXPECT_FALSE(again.first_seen_change);
    if (accepted) {
      EXPECT_EQ(facts.status, S::kAccepted);
      EXPECT_TRUE(facts.changed_after_acceptance);
      EXPECT_EQ(again.change, C::kChangedAfterAcceptance);
      EXPECT_THAT(again.history, ::testing::IsEmpty());
    } else {
      EXPECT_EQ(facts.status, S::kPending);
      EXPECT_EQ(facts.content_hash, "h2");
      EXPECT_EQ(again.change, C::kUnchanged);
      EXPECT_EQ(again.status, S::kPending);
    }
  }
}

// ---- Withdrawals and corrections (issue 11): the withdrawal statuses × every event, and every
// status × a withdrawal or correction asked.

constexpr std::int64_t kSuppression = 9;  // a SUPPRESSION deposit

PassageFacts Withdrawal(S status, bool correcting = false) {
  PassageFacts f = Known(status);
  if (status != S::kWithdrawalQueued) f.withdrawal_deposit_id = kSuppression;
  f.correcting = correcting;
  return f;
}
PassageFacts Correcting(S status) { return SourceSays(Withdrawal(status, true), "h2"); }

const DepositBegun kBegunSuppression{kSuppression, "s.xml", true};
const DepositAbandoned kAbandonedSuppression{kSuppression, "s.xml"};
const Uploaded kUploadedSuppression{kSuppression, "s.xml"};
const VerdictReceived kWithdrawalAccepted{kSuppression, true, ""};
const VerdictReceived kWithdrawalRefused{kSuppression, false, "Passage inconnu"};
const FileRejected kSuppressionRejected{kSuppression, "s.xml"};
const AbsentFromReceipt kAbsentSuppression{kSuppression, "s.xml"};
const WithdrawalRequested kWithdraw{false, "doublon"};
const WithdrawalRequested kCorrect{true, ""};
const WithdrawalRequested kCorrectAuto{true, "", true};

std::string WithdrawalFlags(const LifecycleDecision& d) {
  std::string out = Flags(d);
  auto add = [&](bool on, const char* name) {
    if (on) out += (out.empty() ? "" : " ") + std::string(name);
  };
  add(d.withdrawal_deposit == DepositLink::kSet, "withdrawal_deposit_set");
  add(d.withdrawal_deposit == DepositLink::kClear, "withdrawal_deposit_clear");
  add(d.withdrawal == WithdrawalWrite::kQueue, "withdrawal_queue");
  add(d.withdrawal == WithdrawalWrite::kClear, "withdrawal_clear");
  add(d.withdrawal == WithdrawalWrite::kCorrected, "withdrawal_corrected");
  add(d.correction, "correction");
  add(d.set_withdrawal_message, "set_withdrawal_message");
  add(d.clear_withdrawal_message, "clear_withdrawal_message");
  return out;
}

const std::string kAlreadyWithdrawing = ": a withdrawal is already under way";
const std::string kNothingToWithdraw =
    ", not accepted: the CDC does not hold it, there is nothing to ";

std::vector<Case> WithdrawalCases() {
  const S WQ = S::kWithdrawalQueued, WI = S::kWithdrawalInDeposit, WD = S::kWithdrawalDeposited,
          WN = S::kWithdrawn;
  return {
      // ---- Asked: only an accepted passage; a correction only once its source changed.
      {"Absent_WithdrawalRequested", Absent(), kWithdraw, Refused("no such passage")},
      {"Accepted_WithdrawalRequested",
       Known(S::kAccepted),
       kWithdraw,
       {.status = WQ,
        .history = {{"withdrawal_requested", "doublon"}},
        .write = W::kStatus,
        .flags = "withdrawal_queue clear_withdrawal_message"}},
      {"AcceptedChanged_CorrectionRequested",
       SourceSays(Flagged(Known(S::kAccepted)), "h2"),
       kCorrect,
       {.status = WQ,
        .history = {{"correction_requested", ""}},
        .write = W::kStatus,
        .flags = "withdrawal_queue correction clear_withdrawal_message"}},
      {"AcceptedChanged_CorrectionAutomatic",
       SourceSays(Flagged(Known(S::kAccepted)), "h2"),
       kCorrectAuto,
       {.status = WQ,
        .history = {{"correction_automatic", ""}},
        .write = W::kStatus,
        .flags = "withdrawal_queue correction clear_withdrawal_message"}},
      {"AcceptedUnchanged_CorrectionRequested", Known(S::kAccepted), kCorrect,
       Refused("its source data have not changed since the CDC accepted it: nothing to correct",
               S::kAccepted)},
      {"Pending_WithdrawalRequested", Known(S::kPending), kWithdraw,
       Refused("pending" + kNothingToWithdraw + "withdraw", S::kPending)},
      {"Quarantined_WithdrawalRequested", Known(S::kQuarantined), kWithdraw,
       Refused("quarantined" + kNothingToWithdraw + "withdraw", S::kQuarantined)},
      {"Rejected_CorrectionRequested", Known(S::kRejected), kCorrect,
       Refused(
           "rejected" + kNothingToWithdraw + "correct (correct its source data, or passages retry)",
           S::kRejected)},
      {"InDeposit_WithdrawalRequested", Known(S::kInDeposit), kWithdraw,
       Refused("in_deposit, the CDC's verdict not received yet; withdraw it once its accusé de "
               "traitement accepts it",
               S::kInDeposit)},
      {"Deposited_CorrectionRequested", Known(S::kDeposited), kCorrect,
       Refused("deposited, the CDC's verdict not received yet; correct it once its accusé de "
               "traitement accepts it",
               S::kDeposited)},
      {"WithdrawalQueued_WithdrawalRequested", Withdrawal(WQ), kWithdraw,
       Refused("withdrawal_queued" + kAlreadyWithdrawing, WQ)},
      {"WithdrawalInDeposit_CorrectionRequested", Correcting(WI), kCorrect,
       Refused("withdrawal_in_deposit" + kAlreadyWithdrawing + " (a correction)", WI)},
      {"WithdrawalDeposited_WithdrawalRequested", Withdrawal(WD), kWithdraw,
       Refused("withdrawal_deposited" + kAlreadyWithdrawing, WD)},
      {"Withdrawn_WithdrawalRequested", Withdrawal(WN), kWithdraw,
       Refused("withdrawn already: the CDC no longer holds it", WN)},

      // ---- Observed: the CDC holds the accepted content until the SUPPRESSION is accepted.
      {"WithdrawalQueued_ObservedSame", Withdrawal(WQ), Valid("h1"), {.status = WQ}},
      {"WithdrawalInDeposit_ObservedChanged",
       Withdrawal(WI),
       Valid("h2"),
       {.change = C::kChangedAfterWithdrawal,
        .status = WI,
        .history = {{"changed_during_withdrawal", ""}},
        .write = W::kUpdate,
        .flags = "keep_content",
        .quarantine = Q::kClear,
        .first_seen_change = true}},
      // Seen before: recorded once, nothing written; the quarantine follows the observation.
      {"WithdrawalDepositedCorrecting_ObservedAgain",
       Correcting(WD),
       Valid("h2"),
       {.change = C::kChangedAfterWithdrawal, .status = WD, .quarantine = Q::kClear}},
      {"Withdrawn_ObservedChanged",
       Withdrawal(WN),
       Valid("h2"),
       {.change = C::kChangedAfterWithdrawal,
        .status = WN,
        .history = {{"changed_after_withdrawal", ""}},
        .write = W::kUpdate,
        .flags = "keep_content",
        .quarantine = Q::kClear,
        .first_seen_change = true}},
      {"Absent_XsdRefused", Absent(), kXsd, Refused("not pending")},
      {"WithdrawalQueued_XsdRefused", Withdrawal(WQ), kXsd, Refused("not pending", WQ)},
      {"WithdrawalInDeposit_XsdRefused", Withdrawal(WI), kXsd, Refused("not pending", WI)},
      {"WithdrawalDeposited_XsdRefused", Withdrawal(WD), kXsd, Refused("not pending", WD)},
      {"Withdrawn_XsdRefused", Withdrawal(WN), kXsd, Refused("not pending", WN)},

      // ---- Into a SUPPRESSION file: only a queued withdrawal; a CREATION file never takes one.
      {"WithdrawalQueued_SuppressionBegun",
       Withdrawal(WQ),
       kBegunSuppression,
       {.status = WI,
        .history = {{"withdrawal_in_deposit", "s.xml"}},
        .write = W::kStatus,
        .flags = "withdrawal_deposit_set"}},
      {"WithdrawalQueued_CreationBegun", Withdrawal(WQ), kBegun, Refused("not pending", WQ)},
      {"Absent_SuppressionBegun", Absent(), kBegunSuppression,
       Refused("not queued for withdrawal")},
      {"Accepted_SuppressionBegun", Known(S::kAccepted), kBegunSuppression,
       Refused("not queued for withdrawal", S::kAccepted)},
      {"Pending_SuppressionBegun", Known(S::kPending), kBegunSuppression,
       Refused("not queued for withdrawal", S::kPending)},
      {"WithdrawalInDeposit_SuppressionBegun", Withdrawal(WI), kBegunSuppression,
       Refused("not queued for withdrawal", WI)},
      {"WithdrawalDeposited_SuppressionBegun", Withdrawal(WD), kBegunSuppression,
       Refused("not queued for withdrawal", WD)},
      {"Withdrawn_SuppressionBegun", Withdrawal(WN), kBegunSuppression,
       Refused("not queued for withdrawal", WN)},

      // ---- Its SUPPRESSION file never reached the outbox: queued again.
      {"WithdrawalInDeposit_SuppressionAbandoned",
       Withdrawal(WI),
       kAbandonedSuppression,
       {.status = WQ,
        .history = {{"deposit_abandoned", "s.xml"}},
        .write = W::kStatus,
        .flags = "withdrawal_deposit_clear"}},
      {"WithdrawalQueued_SuppressionAbandoned",
       Withdrawal(WQ),
       kAbandonedSuppression,
       {.status = WQ, .history = {{"deposit_abandoned", "s.xml"}}}},
      {"WithdrawalDeposited_SuppressionAbandoned",
       Withdrawal(WD),
       kAbandonedSuppression,
       {.status = WD, .history = {{"deposit_abandoned", "s.xml"}}}},
      {"Withdrawn_SuppressionAbandoned",
       Withdrawal(WN),
       kAbandonedSuppression,
       {.status = WN, .history = {{"deposit_abandoned", "s.xml"}}}},

      // ---- Uploaded.
      {"WithdrawalInDeposit_SuppressionUploaded",
       Withdrawal(WI),
       kUploadedSuppression,
       {.status = WD, .history = {{"withdrawal_deposited", "s.xml"}}, .write = W::kStatus}},
      {"WithdrawalQueued_SuppressionUploaded", Withdrawal(WQ), kUploadedSuppression,
       Refused("not in_deposit in this file", WQ)},
      {"WithdrawalDeposited_SuppressionUploaded", Withdrawal(WD), kUploadedSuppression,
       Refused("not in_deposit in this file", WD)},
      {"Withdrawn_SuppressionUploaded", Withdrawal(WN), kUploadedSuppression,
       Refused("not in_deposit in this file", WN)},

      // ---- The SUPPRESSION's verdict: accepted -> withdrawn (a correction: its corrected
      // content pending); refused -> accepted again, the CDC's message kept.
      {"WithdrawalDeposited_WithdrawalAccepted",
       Withdrawal(WD),
       kWithdrawalAccepted,
       {.status = WN,
        .history = {{"withdrawn", ""}},
        .write = W::kStatus,
        .flags = "withdrawal_clear clear_withdrawal_message"}},
      {"WithdrawalInDeposit_WithdrawalAccepted",
       Withdrawal(WI),
       kWithdrawalAccepted,
       {.status = WN,
        .history = {{"withdrawn", ""}},
        .write = W::kStatus,
        .flags = "withdrawal_clear clear_withdrawal_message"}},
      {"WithdrawalDepositedCorrecting_WithdrawalAccepted",
       Correcting(WD),
       kWithdrawalAccepted,
       {.status = S::kPending,
        .history = {{"correction_withdrawn", ""}, {"correction_pending", ""}},
        .write = W::kStatus,
        .flags = "content_from_source clear_xsd_refused withdrawal_corrected "
                 "clear_withdrawal_message"}},
      {"WithdrawalDepositedCorrectingInvalid_WithdrawalAccepted",
       WithQuarantineRows(Correcting(WD)),
       kWithdrawalAccepted,
       {.status = S::kQuarantined,
        .history = {{"correction_withdrawn", ""}, {"correction_pending", ""}, {"quarantined", ""}},
        .write = W::kStatus,
        .flags = "content_from_source clear_xsd_refused withdrawal_corrected "
                 "clear_withdrawal_message"}},
      {"WithdrawalDeposited_WithdrawalRefused",
       Withdrawal(WD),
       kWithdrawalRefused,
       {.status = S::kAccepted,
        .history = {{"withdrawal_refused", "Passage inconnu"}},
        .write = W::kStatus,
        .flags = "withdrawal_clear set_withdrawal_message"}},
      {"WithdrawalDepositedCorrecting_WithdrawalRefused",
       Correcting(WD),
       kWithdrawalRefused,
       {.status = S::kAccepted,
        .history = {{"withdrawal_refused", "Passage inconnu"}},
        .write = W::kStatus,
        .flags = "withdrawal_clear set_withdrawal_message"}},
      {"WithdrawalQueued_WithdrawalAccepted", Withdrawal(WQ), kWithdrawalAccepted,
       Refused("not waiting for this file's verdict", WQ)},
      {"WithdrawalQueued_WithdrawalRefused", Withdrawal(WQ), kWithdrawalRefused,
       Refused("not waiting for this file's verdict", WQ)},
      {"Withdrawn_WithdrawalAccepted", Withdrawal(WN), kWithdrawalAccepted,
       Refused("not waiting for this file's verdict", WN)},
      {"Withdrawn_WithdrawalRefused", Withdrawal(WN), kWithdrawalRefused,
       Refused("not waiting for this file's verdict", WN)},
      {"WithdrawalInDeposit_WithdrawalRefused",
       Withdrawal(WI),
       kWithdrawalRefused,
       {.status = S::kAccepted,
        .history = {{"withdrawal_refused", "Passage inconnu"}},
        .write = W::kStatus,
        .flags = "withdrawal_clear set_withdrawal_message"}},
      // The CREATION deposit's verdict (deposit_id) does not reach a withdrawing passage.
      {"WithdrawalDeposited_CreationVerdict", Withdrawal(WD), kAccepted,
       Refused("not waiting for this file's verdict", WD)},
      {"Absent_WithdrawalAccepted", Absent(), kWithdrawalAccepted,
       Refused("not waiting for this file's verdict")},

      // ---- The SUPPRESSION file refused whole: queued again for the next cut.
      {"WithdrawalDeposited_SuppressionFileRejected",
       Withdrawal(WD),
       kSuppressionRejected,
       {.status = WQ, .history = {{"withdrawal_file_rejected", "s.xml"}}, .write = W::kStatus}},
      {"WithdrawalInDeposit_SuppressionFileRejected",
       Withdrawal(WI),
       kSuppressionRejected,
       {.status = WQ, .history = {{"withdrawal_file_rejected", "s.xml"}}, .write = W::kStatus}},
      {"WithdrawalQueued_SuppressionFileRejected", Withdrawal(WQ), kSuppressionRejected,
       Refused("not waiting in this file", WQ)},
      {"Withdrawn_SuppressionFileRejected", Withdrawal(WN), kSuppressionRejected,
       Refused("not waiting in this file", WN)},

      // ---- Not mentioned by its SUPPRESSION's receipt: still waiting.
      {"WithdrawalInDeposit_AbsentFromReceipt",
       Withdrawal(WI),
       kAbsentSuppression,
       {.status = WD, .history = {{"missing_from_receipt", "s.xml"}}, .write = W::kStatus}},
      {"WithdrawalDeposited_AbsentFromReceipt",
       Withdrawal(WD),
       kAbsentSuppression,
       {.status = WD, .history = {{"missing_from_receipt", "s.xml"}}}},
      {"WithdrawalQueued_AbsentFromReceipt", Withdrawal(WQ), kAbsentSuppression,
       Refused("not waiting in this file", WQ)},
      {"Withdrawn_AbsentFromReceipt", Withdrawal(WN), kAbsentSuppression,
       Refused("not waiting in this file", WN)},

      // ---- Retry: only rejected passages.
      {"WithdrawalQueued_RetryRequested", Withdrawal(WQ), kRetry,
       Refused("withdrawal_queued" + kNotRetried, WQ)},
      {"WithdrawalInDeposit_RetryRequested", Withdrawal(WI), kRetry,
       Refused("withdrawal_in_deposit" + kNotRetried, WI)},
      {"WithdrawalDeposited_RetryRequested", Withdrawal(WD), kRetry,
       Refused("withdrawal_deposited" + kNotRetried, WD)},
      {"Withdrawn_RetryRequested", Withdrawal(WN), kRetry, Refused("withdrawn" + kNotRetried, WN)},
      // ---- Withdrawals and rows that disappear: a passage gone from the source can still be
      // withdrawn (that is what the missing alert tells people to do); one withdrawn may go
      // without a report; a missing one was never at the CDC.
      {"Missing_WithdrawalRequested", Known(S::kMissing), kWithdraw,
       Refused("missing" + kNothingToWithdraw + "withdraw", S::kMissing)},
      {"AcceptedFlaggedMissing_WithdrawalRequested",
       MissingFlagged(Known(S::kAccepted)),
       kWithdraw,
       {.status = WQ,
        .history = {{"withdrawal_requested", "doublon"}},
        .write = W::kStatus,
        .flags = "withdrawal_queue clear_withdrawal_message"}},
      {"WithdrawalQueued_SourceMissing",
       Withdrawal(WQ),
       kGone,
       {.status = WQ,
        .history = {{"missing", "missing_after=2"}},
        .write = W::kStatus,
        .flags = "set_missing_from_source"}},
      {"WithdrawalInDeposit_SourceMissing",
       Withdrawal(WI),
       kGone,
       {.status = WI,
        .history = {{"missing", "missing_after=2"}},
        .write = W::kStatus,
        .flags = "set_missing_from_source"}},
      {"WithdrawalDeposited_SourceMissing",
       Correcting(WD),
       kGone,
       {.status = WD,
        .history = {{"missing", "missing_after=2"}},
        .write = W::kStatus,
        .flags = "set_missing_from_source"}},
      {"Withdrawn_SourceMissing", Withdrawal(WN), kGone,
       Refused("withdrawn: the CDC no longer holds it", WN)},
  };
}

class WithdrawalTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(WithdrawalTableTest, DecidesAsTheStoreDoes) {
  const Case& c = GetParam();
  const LifecycleDecision d = Decide(c.facts, c.event);
  EXPECT_EQ(d.refused.value_or(""), c.want.refused);
  EXPECT_EQ(ObservedChangeName(d.change), ObservedChangeName(c.want.change));
  EXPECT_EQ(StatusName(d.status), StatusName(c.want.status));
  EXPECT_EQ(d.history, c.want.history);
  EXPECT_EQ(WriteName(d.write), WriteName(c.want.write));
  EXPECT_EQ(WithdrawalFlags(d), c.want.flags);
  EXPECT_EQ(QuarantineName(d.quarantine), QuarantineName(c.want.quarantine));
  EXPECT_EQ(d.first_seen_change, c.want.first_seen_change);
}

INSTANTIATE_TEST_SUITE_P(WithdrawalStatusesAndEvents, WithdrawalTableTest,
                         ::testing::ValuesIn(WithdrawalCases()),
                         [](const ::testing::TestParamInfo<Case>& row) { return row.param.name; });

TEST(LifecycleTest, TheWithdrawalTableCoversItsStatusesAndEvents) {
  std::set<std::pair<std::string, std::string>> covered;
  for (const Case& c : WithdrawalCases()) {
    covered.emplace(StateOf(c.facts), EventOf(c.event));
  }
  const std::vector<std::string> events = {"observed",
                                           "xsd_refused",
                                           "deposit_begun",
                                           "deposit_abandoned",
                                           "uploaded",
                                           "verdict_accepted",
                                           "verdict_rejected",
                                           "file_rejected",
                                           "absent_from_receipt",
                                           "retry_requested",
                                           "withdrawal_requested",
                                           "source_missing"};
  for (const char* s :
       {"withdrawal_queued", "withdrawal_in_deposit", "withdrawal_deposited", "withdrawn"}) {
    for (const std::string& e : events) {
      EXPECT_TRUE(covered.contains({s, e})) << s << " × " << e << " has no row";
    }
  }
  for (const char* s : {"absent", "pending", "quarantined", "in_deposit", "deposited", "accepted",
                        "rejected", "missing"}) {
    EXPECT_TRUE(covered.contains({s, "withdrawal_requested"}))
        << s << " × withdrawal_requested has no row";
  }
}

TEST(LifecycleTest, WithdrawalStatusNamesParseBack) {
  for (S s :
       {S::kWithdrawalQueued, S::kWithdrawalInDeposit, S::kWithdrawalDeposited, S::kWithdrawn}) {
    EXPECT_EQ(ParseStatus(StatusName(s)), s) << StatusName(s);
    EXPECT_EQ(Withdrawing(s), s != S::kWithdrawn);
  }
  EXPECT_FALSE(Withdrawing(S::kAccepted));
}

// QuietWhenUnchanged, against Decide itself: for every status and every combination of the
// facts it reads, when it says an unchanged valid observation is quiet, Decide (with and without
// a cursor value) writes nothing but the cursor it already holds, records no history, leaves the
// quarantine rows, reports no change and asks for nothing; and it says so exactly for the
// statuses after the deposit, with nothing else pending on the passage.
TEST(LifecycleTest, QuietWhenUnchangedIsWhatDecideDoesWithTheContentLastSeen) {
  const std::vector<S> statuses = {S::kPending,
                                   S::kQuarantined,
                                   S::kInDeposit,
                                   S::kDeposited,
                                   S::kAccepted,
                                   S::kRejected,
                                   S::kWithdrawalQueued,
                                   S::kWithdrawalInDeposit,
                                   S::kWithdrawalDeposited,
                                   S::kWithdrawn,
                                   S::kMissing};
  const std::set<S> settled = {S::kInDeposit,          S::kDeposited,           S::kAccepted,
                               S::kRejected,           S::kWithdrawalQueued,    S::kWithdrawalInDeposit,
                               S::kWithdrawalDeposited, S::kWithdrawn};
  EXPECT_FALSE(QuietWhenUnchanged(Absent()));
  int quiet = 0;
  for (S status : statuses) {
    for (int bits = 0; bits < 64; ++bits) {
      PassageFacts f = Known(status);
      const bool deposited_differs = (bits & 1) != 0;
      f.retry_requested = (bits & 2) != 0;
      f.missing_from_source = (bits & 4) != 0;
      f.missed_reads = (bits & 8) != 0 ? 1 : 0;
      f.xsd_refused = (bits & 16) != 0;
      f.changed_after_acceptance = (bits & 32) != 0;
      if (deposited_differs) f.content_hash = "h0";
      const bool expected = settled.count(status) != 0 && !deposited_differs &&
                            !f.retry_requested && !f.missing_from_source && f.missed_reads == 0;
      SCOPED_TRACE(std::string(StatusName(status)) + " bits " + std::to_string(bits));
      ASSERT_EQ(QuietWhenUnchanged(f), expected);
      if (!expected) continue;
      ++quiet;
      for (bool cursor : {false, true}) {
        Observed o;
        o.content_hash = f.source_hash;
        o.has_cursor = cursor;
        const LifecycleDecision d = Decide(f, o);
        EXPECT_FALSE(d.refused);
        EXPECT_EQ(d.change, C::kUnchanged);
        EXPECT_EQ(d.status, status);
        EXPECT_TRUE(d.history.empty());
        EXPECT_EQ(d.write, cursor ? W::kTouchCursor : W::kNothing);
        EXPECT_EQ(d.quarantine, Q::kKeep);
        EXPECT_FALSE(d.first_seen_change);
        EXPECT_FALSE(d.set_missing_from_source);
        EXPECT_FALSE(d.clear_missing);
      }
    }
  }
  EXPECT_EQ(quiet, 8 * 4);  // each settled status, with xsd_refused and the flag either way
}

}  // namespace
}  // namespace accrochd::mappings
