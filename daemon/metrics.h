// The metrics file: the dashboard's figures in Prometheus's text exposition format (0.0.4), for
// node_exporter's textfile collector -- accrochd opens no socket. Names follow Prometheus's
// conventions: the accrochd_ prefix, base units (seconds), _total only on counters, HELP and TYPE
// before each family. Labels hold identifiers only (BCR, certification type and code, status).
#ifndef ACCROCHD_DAEMON_METRICS_H_
#define ACCROCHD_DAEMON_METRICS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/dashboard.h"

namespace accrochd::daemon {

// A label value as the exposition format writes it between quotes: backslash, double quote and
// line feed escaped; bytes that are not UTF-8 replaced by U+FFFD (the format is UTF-8).
std::string EscapeLabelValue(std::string_view value);
// A HELP text: backslash and line feed escaped.
std::string EscapeHelp(std::string_view text);

// Builds an exposition, one metric family at a time.
class Exposition {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // Starts a family: its HELP and TYPE lines. `type` is gauge or counter; a counter's name ends
  // in _total. Programmer errors (a bad name, a family started twice) are asserted.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // One sample of the family started last.
  void Sample(const Labels& labels, std::int64_t value);
  void Sample(const Labels& labels, double value);

  const std::string& text() const { return text_; }

 private:
  void Line(const Labels& labels, const std::string& value);

  std::string text_;
  std::string family_;
  std::vector<std::string> families_;
};

// The metrics file's text for `dashboard` (nearest deadlines are not used).
std::string MetricsText(const Dashboard& dashboard);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_METRICS_H_
