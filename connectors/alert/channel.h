// Alert channels: how a rendered alert reaches people. E-mail over SMTP and webhooks (HTTP POST
// of JSON), both through libcurl, which stays inside this module. Every send ends in a
// DeliveryOutcome: delivered, retry later (the receiving side is down or says "later"), or a
// permanent failure (it refused the message: trying again would not help). The caller keeps the
// queue and the retries (connectors/store); a channel sends once and says how it went.
#ifndef ACCROCHD_CONNECTORS_ALERT_CHANNEL_H_
#define ACCROCHD_CONNECTORS_ALERT_CHANNEL_H_

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accrochd::alert {

struct DeliveryOutcome {
  enum class Kind { kDelivered, kRetryLater, kPermanentFailure };
  Kind kind = Kind::kDelivered;
  // What the other side said, for the log: the SMTP reply or HTTP status line and curl's error.
  // Never a secret, never the message body.
  std::string detail;

  bool delivered() const { return kind == Kind::kDelivered; }
};

std::string_view OutcomeName(DeliveryOutcome::Kind kind);  // "delivered", "retry", "failed"

// A plain-text file sent with an e-mail (text/plain; charset=utf-8, base64).
struct EmailAttachment {
  std::string name;  // the file name the reader sees: ASCII letters, digits, '-', '_', '.'
  std::string content;
};

// An e-mail: a text part and an HTML part (multipart/alternative, within the multipart/mixed
// that libcurl writes at the top), UTF-8, quoted-printable; then, optionally, one attachment.
struct EmailMessage {
  std::vector<std::string> to;
  std::string subject;  // UTF-8; encoded as RFC 2047 when not ASCII
  std::string text;
  std::string html;
  std::optional<EmailAttachment> attachment;
  // The Date: header. The caller takes it from its Clock (style.md §3: the only door to "now");
  // unset, SystemClock's now is used.
  std::optional<std::chrono::system_clock::time_point> date;
};

struct SmtpSettings {
  std::string url;   // smtp://host:port (STARTTLS) or smtps://host:port (TLS from the start)
  std::string from;  // envelope and header sender
  // STARTTLS is required on smtp:// unless explicitly disabled (a local relay on 127.0.0.1):
  // a server that does not offer it is a permanent failure, never a silent clear-text send.
  bool require_tls = true;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<std::string> ca_file;  // CA bundle for the server's certificate; system's default
  std::chrono::milliseconds timeout{30000};
};

struct WebhookSettings {
  std::string url;
  std::map<std::string, std::string> headers;  // sent as given, besides Content-Type
  std::optional<std::string> bearer_token;     // Authorization: Bearer <token>
  std::optional<std::string> ca_file;
  std::chrono::milliseconds timeout{30000};
};

// Sends one e-mail. Outcomes: delivered on 250 after DATA; retry later on connection errors,
// timeouts and 4xx replies; permanent failure on 5xx replies, TLS required but not offered,
// authentication refused, a server certificate that does not verify against the CA bundle, and
// a message or settings that cannot be sent as they are (no recipient, CR/LF in an address).
// Thread-safe: each call has its own curl handle.
DeliveryOutcome SendEmail(const SmtpSettings& smtp, const EmailMessage& message);

// POSTs `json` (Content-Type: application/json; charset=utf-8, unless `hook.headers` sets its
// own Content-Type). Redirects are not followed. Outcomes: delivered on 2xx; retry later on
// connection errors, timeouts, 5xx, 408 and 429; permanent failure on any other status (3xx
// included), a server certificate that does not verify, and invalid settings (a header name or
// value with CR/LF). Thread-safe: each call has its own curl handle.
DeliveryOutcome PostWebhook(const WebhookSettings& hook, const std::string& json);

}  // namespace accrochd::alert

#endif  // ACCROCHD_CONNECTORS_ALERT_CHANNEL_H_
