// Alerts: after each cycle of `accrochd run`, each certifier's people hear, in French, what needs
// them -- passages close to or past their deadline, files waiting to be uploaded, deposits
// without their accusé de traitement, the CDC's rejections with what to do, the quarantine.
//
// A digest goes out only when something is new: each passage is announced once per threshold it
// crosses (deadlines.thresholds), an overdue one once a day, a file, a rejection, a quarantine
// once. A daily summary of everything at alerts.daily_summary (08:00 by default). At most one
// message per certifier per cycle. Identifiers and counts only: no names.
//
// Messages are rendered and queued in the state store in the same transaction as the marks of
// what they announce, then sent; "retry later" outcomes are sent again with backoff from the
// queue. So a restart neither loses nor repeats an alert. The journal always gets a line.
#ifndef ACCROCHD_DAEMON_ALERTS_H_
#define ACCROCHD_DAEMON_ALERTS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "connectors/alert/channel.h"
#include "connectors/store/state_store.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "daemon/commands.h"
#include "daemon/config.h"

namespace accrochd::daemon {

// Sends one queued message through the channel it names (the real e-mail and webhook channels
// by default).
using AlertSender = std::function<alert::DeliveryOutcome(const Config&, const store::QueuedAlert&)>;
alert::DeliveryOutcome SendQueuedAlert(const Config& config, const store::QueuedAlert& message);

class Alerter {
 public:
  Alerter(const Config& config, store::StateStore& store, Logger& logger, Clock& clock,
          AlertSender sender = SendQueuedAlert)
      : config_(config),
        store_(store),
        logger_(logger),
        clock_(clock),
        sender_(std::move(sender)) {}

  // Queues each certifier's message when something is new (or its daily summary is due).
  // `failing`: the certifiers (by name) whose last cycle failed, with why -- announced once a
  // day while it lasts. Returns how many messages were queued.
  Result<int> Plan(const std::map<std::string, std::string>& failing = {});

  // Sends the queued messages that are due; records each outcome. Returns how many were
  // delivered.
  Result<int> Deliver();

 private:
  Result<int> PlanFor(const CertifierConfig& certifier, const std::string* failing);
  Result<int> PlanWithdrawalRefusals(const CertifierConfig& certifier);
  // Passages newly gone from the source (issue 11, item 3): one message of kind "missing", its
  // own templates (alert-missing-*), each passage announced once per disappearance.
  Result<int> PlanMissingFor(const CertifierConfig& certifier);

  const Config& config_;
  store::StateStore& store_;
  Logger& logger_;
  Clock& clock_;
  AlertSender sender_;
};

// After a cycle of `accrochd run` or `accrochd once --alerts`: queues what is new for people
// (`failing`: the certifiers whose cycle failed, with why), then sends what is due, earlier
// messages' retries included. A failure is logged, never thrown: the caller's loop goes on.
struct AlertRound {
  int queued = 0;
  int delivered = 0;
  bool failed = false;  // planning or delivery stopped on an error (logged)
};
AlertRound AlertAfterCycle(const Config& config, store::StateStore& store, Logger& logger,
                           Clock& clock, const std::map<std::string, std::string>& failing);

// `accrochd alerts test`: one test message through every configured channel, at once (not
// queued, nothing recorded). Each channel with its outcome.
std::vector<std::pair<std::string, alert::DeliveryOutcome>> SendTestAlerts(
    const Config& config, Clock& clock, const AlertSender& sender = SendQueuedAlert);

int RunAlerts(const CommandContext& ctx);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_ALERTS_H_
