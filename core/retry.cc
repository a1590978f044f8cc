#include "core/retry.h"

#include <algorithm>

namespace accrochd {

Duration RetryPolicy::DelayAfter(int attempt) const {
  Duration delay = initial_delay;
  for (int i = 1; i < attempt && delay < max_delay; ++i) delay *= 2;
  return std::min(delay, max_delay);
}

}  // namespace accrochd
