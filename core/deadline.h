// The legal deadline of a passage: three calendar months after its date of delivery (Code du
// travail R. 6113-17-2; décret n° 2019-1490), counted in the certifier's calendar. When the day
// does not exist in the third month, the deadline is that month's last day: 30 November -> 28 or
// 29 February, 31 August -> 30 November.
#ifndef ACCROCHD_CORE_DEADLINE_H_
#define ACCROCHD_CORE_DEADLINE_H_

#include <string_view>
#include <vector>

#include "core/calendar.h"

namespace accrochd {

Date DeadlineFor(Date delivery);

// Days from `today` to `deadline`: 0 on the deadline itself, negative once it has passed.
int DaysLeft(Date deadline, Date today);

enum class Urgency {
  kOverdue,  // the deadline has passed
  kUrgent,   // `urgent` days left or fewer: deposited at once
  kSoon,     // within the largest threshold
  kOnTime,
};

std::string_view UrgencyName(Urgency u);  // overdue, urgent, soon, on-time

// How close deadlines are reported: `days` are the thresholds of the alerts (each passage is
// reported once per threshold it crosses), `urgent` the days left from which a pending passage
// is deposited at once and counted in the STATUS line.
struct UrgencyThresholds {
  std::vector<int> days = {30, 14, 7, 1};
  int urgent = 14;

  Urgency Classify(int days_left) const;
  // The threshold band a passage is in: the smallest threshold >= days_left; -1 when overdue;
  // 0 when beyond every threshold.
  int Band(int days_left) const;
};

}  // namespace accrochd

#endif  // ACCROCHD_CORE_DEADLINE_H_
