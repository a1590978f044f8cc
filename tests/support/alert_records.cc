#include "tests/support/alert_records.h"

#include <algorithm>

#include "tests/support/alert_servers.h"

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;

// "text/plain; utf-8; base64; filename=NAME" (the file name only for an attachment).
MailPart PartHead(const std::string& line) {
  MailPart part;
  std::string rest = line;
  const std::string marker = "; filename=";
  if (const std::size_t at = rest.find(marker); at != std::string::npos) {
    part.filename = rest.substr(at + marker.size());
    rest.resize(at);
  }
  std::string* fields[] = {&part.type, &part.charset, &part.encoding};
  std::size_t start = 0;
  for (std::string* field : fields) {
    const std::size_t end = std::min(rest.find("; ", start), rest.size());
    if (start <= rest.size()) *field = rest.substr(start, end - start);
    start = end + 2;
  }
  return part;
}

}  // namespace

ReceivedMail ReadMail(const fs::path& dir) {
  ReceivedMail mail{
      dir, ReadFieldLines(dir / "envelope.txt"), ReadFieldLines(dir / "decoded.txt"), {}};
  for (int n = 1; fs::exists(dir / ("part-" + std::to_string(n) + ".txt")); ++n) {
    const std::vector<std::string> head = FieldValues(mail.decoded, "part-" + std::to_string(n));
    MailPart part = head.empty() ? MailPart{} : PartHead(head[0]);
    part.content = ReadWholeFile(dir / ("part-" + std::to_string(n) + ".txt"));
    mail.parts.push_back(std::move(part));
  }
  return mail;
}

ReceivedRequest ReadRequest(const fs::path& dir) {
  return {dir, ReadFieldLines(dir / "head.txt"), ReadWholeFile(dir / "body")};
}

}  // namespace accrochd::testing
