#include "core/log.h"

#include <utility>

namespace accrochd {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kCritical:
      return "critical";
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kNotice:
      return "notice";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "info";
}

void Logger::Log(LogLevel level, std::string message, std::initializer_list<LogField> fields,
                 std::string_view message_id) {
  LogEvent event;
  event.level = level;
  event.message = std::move(message);
  event.message_id = message_id;
  event.fields.assign(fields.begin(), fields.end());
  Write(event);
}

}  // namespace accrochd
