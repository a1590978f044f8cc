#include "core/deadline.h"

namespace accrochd {

Date DeadlineFor(Date delivery) {
  using namespace std::chrono;
  const year_month target = year_month(delivery.year(), delivery.month()) + months(3);
  const day last = year_month_day_last(target.year(), month_day_last(target.month())).day();
  return Date{target.year(), target.month(), delivery.day() <= last ? delivery.day() : last};
}

int DaysLeft(Date deadline, Date today) { return DaysBetween(today, deadline); }

std::string_view UrgencyName(Urgency u) {
  switch (u) {
    case Urgency::kOverdue: return "overdue";
    case Urgency::kUrgent: return "urgent";
    case Urgency::kSoon: return "soon";
    case Urgency::kOnTime: return "on-time";
  }
  return "on-time";
}

Urgency UrgencyThresholds::Classify(int days_left) const {
  if (days_left < 0) return Urgency::kOverdue;
  if (days_left <= urgent) return Urgency::kUrgent;
  for (int d : days) {
    if (days_left <= d) return Urgency::kSoon;
  }
  return Urgency::kOnTime;
}

int UrgencyThresholds::Band(int days_left) const {
  if (days_left < 0) return -1;
  int band = 0;
  for (int d : days) {
    if (days_left <= d && (band == 0 || d < band)) band = d;
  }
  return band;
}

}  // namespace accrochd
