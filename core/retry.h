// Capped exponential backoff, shared by everything that retries (the ODBC source now; alert
// channels later). Deterministic on purpose: one daemon retrying its own certifier's database
// gains nothing from jitter, and tests can assert the exact waits.
#ifndef ACCROCHD_CORE_RETRY_H_
#define ACCROCHD_CORE_RETRY_H_

#include "core/duration.h"

namespace accrochd {

struct RetryPolicy {
  Duration initial_delay = std::chrono::seconds(1);
  Duration max_delay = std::chrono::minutes(1);
  int max_attempts = 5;  // attempts in all, the first one included

  // Delay to wait after failed attempt number `attempt` (1-based): initial_delay * 2^(attempt-1),
  // capped at max_delay.
  Duration DelayAfter(int attempt) const;
};

}  // namespace accrochd

#endif  // ACCROCHD_CORE_RETRY_H_
