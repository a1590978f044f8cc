// What the alert tests' servers recorded (tests/support/smtp_server.py and http_receiver.py; see
// the scripts' docstrings), read back: one e-mail, one webhook request.
#ifndef ACCROCHD_TESTS_SUPPORT_ALERT_RECORDS_H_
#define ACCROCHD_TESTS_SUPPORT_ALERT_RECORDS_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace accrochd::testing {

// One leaf part of an e-mail, as Python's email package decoded it.
struct MailPart {
  std::string type;      // text/plain, text/html, ...
  std::string charset;   // utf-8; "None" when the part has none
  std::string encoding;  // its Content-Transfer-Encoding
  std::string filename;  // an attachment's file name; empty when it has none
  std::string content;   // decoded, UTF-8
};

// One e-mail as smtp_server.py recorded it.
struct ReceivedMail {
  std::filesystem::path dir;
  std::multimap<std::string, std::string> envelope;  // mail_from, rcpt_to, tls
  std::multimap<std::string, std::string> decoded;   // subject, ... as Python's email reads it
  std::vector<MailPart> parts;                       // the leaf parts, in order: text, HTML, ...
};

ReceivedMail ReadMail(const std::filesystem::path& dir);

// One request as http_receiver.py recorded it.
struct ReceivedRequest {
  std::filesystem::path dir;
  std::multimap<std::string, std::string> head;  // method, path, header
  std::string body;
};

ReceivedRequest ReadRequest(const std::filesystem::path& dir);

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_ALERT_RECORDS_H_
