#include "daemon/logging.h"

#include <cstdlib>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/uio.h>

#include <systemd/sd-journal.h>

namespace accrochd::daemon {

void StreamLogger::Write(const LogEvent& event) {
  if (static_cast<int>(event.level) > static_cast<int>(threshold_)) return;
  std::string line = "accrochd: ";
  line += LogLevelName(event.level);
  line += ": ";
  line += event.message;
  line += '\n';
  std::lock_guard lock(mutex_);
  std::fputs(line.c_str(), stream_);
  std::fflush(stream_);
}

void JournalLogger::Write(const LogEvent& event) {
  if (static_cast<int>(event.level) > static_cast<int>(threshold_)) return;
  std::vector<std::string> fields;
  fields.reserve(event.fields.size() + 4);
  fields.push_back("MESSAGE=" + event.message);
  fields.push_back("PRIORITY=" + std::to_string(static_cast<int>(event.level)));
  fields.push_back("SYSLOG_IDENTIFIER=accrochd");
  if (!event.message_id.empty()) fields.push_back("MESSAGE_ID=" + std::string(event.message_id));
  for (const LogField& f : event.fields) fields.push_back(f.name + "=" + f.value);
  std::vector<iovec> iov(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    iov[i].iov_base = fields[i].data();
    iov[i].iov_len = fields[i].size();
  }
  sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

bool StderrIsJournal() {
  // $JOURNAL_STREAM is "device:inode" of the stream systemd connected; compare with stderr's,
  // as sd_journal_stream_fd(3) recommends, so a redirected stderr is honoured.
  const char* value = std::getenv("JOURNAL_STREAM");
  if (value == nullptr) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(value, "%llu:%llu", &device, &inode) != 2) return false;
  return device == st.st_dev && inode == st.st_ino;
}

std::unique_ptr<Logger> MakeProcessLogger(LogLevel threshold) {
  if (StderrIsJournal()) return std::make_unique<JournalLogger>(threshold);
  return std::make_unique<StreamLogger>(stderr, threshold);
}

}  // namespace accrochd::daemon
