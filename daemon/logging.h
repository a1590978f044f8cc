// Where the process's log events go: the journal, with their fields, when stderr is connected to
// it (systemd sets $JOURNAL_STREAM); stderr otherwise.
#ifndef ACCROCHD_DAEMON_LOGGING_H_
#define ACCROCHD_DAEMON_LOGGING_H_

#include <cstdio>
#include <memory>
#include <mutex>

#include "core/log.h"

namespace accrochd::daemon {

// Writes "accrochd: warning: message [FIELD=value ...]" lines to a stdio stream.
class StreamLogger final : public Logger {
 public:
  StreamLogger(std::FILE* stream, LogLevel threshold) : stream_(stream), threshold_(threshold) {}
  void Write(const LogEvent& event) override;

 private:
  std::mutex mutex_;
  std::FILE* stream_;
  LogLevel threshold_;
};

// Sends events to the journal with MESSAGE, PRIORITY, MESSAGE_ID and the event's fields.
class JournalLogger final : public Logger {
 public:
  explicit JournalLogger(LogLevel threshold) : threshold_(threshold) {}
  void Write(const LogEvent& event) override;

 private:
  LogLevel threshold_;
};

// True when stderr is the journal stream systemd gave the service.
bool StderrIsJournal();

std::unique_ptr<Logger> MakeProcessLogger(LogLevel threshold);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_LOGGING_H_
