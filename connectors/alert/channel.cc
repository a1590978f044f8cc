#include "connectors/alert/channel.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <utility>
#include <vector>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/random_id.h"
#include "core/text.h"

namespace accrochd::alert {
namespace {

using Kind = DeliveryOutcome::Kind;

// Owners of libcurl's handles (style.md §7).
struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;
using MimePtr = std::unique_ptr<curl_mime, MimeDeleter>;

// A server's words in a log line: one line, bounded.
constexpr std::size_t kMaxReplyLength = 300;

DeliveryOutcome Outcome(Kind kind, std::string detail) { return {kind, std::move(detail)}; }

// curl_global_init is not thread-safe and must run before the first easy handle; the channels
// may be called from several threads, hence once, on first use (no static initialisation).
std::optional<DeliveryOutcome> EnsureCurlInitialised() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result == CURLE_OK) return std::nullopt;
  return Outcome(Kind::kRetryLater,
                 std::string("cannot initialise libcurl: ") + curl_easy_strerror(result));
}

bool HasLineBreak(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// Appends to a curl list, which keeps its head once it has one.
bool Append(SlistPtr& list, const std::string& item) {
  curl_slist* head = curl_slist_append(list.get(), item.c_str());
  if (head == nullptr) return false;
  if (!list) list.reset(head);
  return true;
}

std::string_view TrimLineEnd(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// What the server said. SMTP replies (libcurl passes their lines as headers) and the HTTP
// status line; the HTTP response body is discarded: it may echo the request.
struct Replies {
  std::vector<std::string> lines;  // SMTP: the latest reply lines, oldest first
  std::string status_line;         // HTTP: "HTTP/1.1 503 Service Unavailable"

  // The last line of the last reply with this code: after a refusal libcurl still says QUIT,
  // and "221 Bye" is not what the log should show.
  std::string FinalLine(long code) const {
    const std::string prefix = std::to_string(code);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
      if (it->starts_with(prefix) && (it->size() == prefix.size() || (*it)[prefix.size()] == ' ')) {
        return *it;
      }
    }
    return "";
  }
};

constexpr std::size_t kKeptReplyLines = 32;

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* replies = static_cast<Replies*>(user);
  std::string_view line = TrimLineEnd(std::string_view(data, size * count));
  if (!line.empty()) {
    if (replies->lines.size() == kKeptReplyLines) replies->lines.erase(replies->lines.begin());
    replies->lines.emplace_back(line.substr(0, kMaxReplyLength));
    if (line.starts_with("HTTP/")) replies->status_line = replies->lines.back();
  }
  return size * count;
}

std::size_t Discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

// The options every transfer shares. `errors` must outlive the transfer.
CURLcode SetCommonOptions(CURL* h, const std::string& url, const char* protocols,
                          const std::optional<std::string>& ca_file,
                          std::chrono::milliseconds timeout, char* errors, Replies* replies) {
  // curl reads 0 as "no timeout": a limit is always set.
  const long timeout_ms =
      static_cast<long>(std::max<std::chrono::milliseconds::rep>(timeout.count(), 1));
  CURLcode rc = CURLE_OK;
  auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errors));
  set(curl_easy_setopt(h, CURLOPT_URL, url.c_str()));
  set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols));
  set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));  // no SIGALRM in a threaded daemon
  set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms));
  set(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader));
  set(curl_easy_setopt(h, CURLOPT_HEADERDATA, replies));
  set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Discard));
  if (ca_file) set(curl_easy_setopt(h, CURLOPT_CAINFO, ca_file->c_str()));
  return rc;
}

// Errors that say the settings are wrong, whatever the server: trying again cannot help.
bool IsConfigurationError(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:  // the certificate does not verify against the CA
    case CURLE_SSL_CACERT_BADFILE:        // ca_file cannot be read
      return true;
    default:
      return false;
  }
}

// "curl: <what>: <curl's message>", without repeating what curl says twice.
std::string CurlError(CURLcode rc, const char* errors) {
  std::string out = std::string("curl: ") + curl_easy_strerror(rc);
  std::string_view message = TrimLineEnd(errors);
  if (!message.empty() && message != curl_easy_strerror(rc)) {
    out += ": ";
    out += message.substr(0, kMaxReplyLength);
  }
  return out;
}

// ---- E-mail ----

constexpr std::array<const char*, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// RFC 5322 §3.3 date-time, in UTC: "Tue, 04 Mar 2025 09:05:00 +0000". Written by hand, not with
// strftime, whose day and month names follow the locale.
std::string MailDate(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd(day);
  const hh_mm_ss hms(secs - day);
  char out[64];
  std::snprintf(out, sizeof(out), "%s, %02u %s %04d %02d:%02d:%02d +0000",
                kWeekdays[weekday(day).c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return out;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, in.size() - i);
    std::uint32_t v = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      v = (v << 8) | (j < n ? static_cast<unsigned char>(in[i + j]) : 0u);
    }
    for (std::size_t j = 0; j < 4; ++j) {
      out += j <= n ? kAlphabet[(v >> (18 - 6 * j)) & 0x3F] : '=';
    }
  }
  return out;
}

// The Subject: as is when printable ASCII, otherwise as RFC 2047 encoded-words
// (=?UTF-8?B?...?=), each at most 42 bytes of UTF-8 cut between characters so that every word
// decodes on its own (§5), folded onto continuation lines to stay under 78 characters.
std::string EncodeSubject(std::string_view subject) {
  std::string flat;  // a line break in a header would end it: folded to spaces
  for (char c : subject) flat += (c == '\r' || c == '\n') ? ' ' : c;
  const bool ascii = std::all_of(flat.begin(), flat.end(),
                                 [](char c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; });
  if (ascii) return flat;
  constexpr std::size_t kChunk = 42;
  std::string out;
  std::size_t start = 0;
  while (start < flat.size()) {
    std::size_t end = std::min(start + kChunk, flat.size());
    // Back up to the start of a character: continuation bytes are 10xxxxxx.
    while (end < flat.size() && end > start + 1 &&
           (static_cast<unsigned char>(flat[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(std::string_view(flat).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// The mailbox inside "Name <local@domain>", or the whole text when there are no brackets.
std::string EnvelopeAddress(std::string_view from) {
  const std::size_t open = from.rfind('<');
  const std::size_t close = from.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    return std::string(from.substr(open + 1, close - open - 1));
  }
  return std::string(TrimBlanks(from));
}

// Text parts travel with CRLF line ends (RFC 2046 §4.1.1), whatever the template used.
std::string CrlfLines(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 32);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += "\r\n";
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if (s[i] == '\n') {
      out += "\r\n";
    } else {
      out += s[i];
    }
  }
  return out;
}

bool IsSmtpUrl(std::string_view url) {
  return url.size() > 7 && (EqualsIgnoreAsciiCase(url.substr(0, 7), "smtp://") ||
                            EqualsIgnoreAsciiCase(url.substr(0, 8), "smtps://"));
}

// What is wrong with the settings or the message before anything is sent, if anything.
std::optional<std::string> CheckEmail(const SmtpSettings& smtp, const EmailMessage& message) {
  if (!IsSmtpUrl(smtp.url)) return "the SMTP url must start with smtp:// or smtps://";
  if (EnvelopeAddress(smtp.from).empty()) return "no sender address (from)";
  if (HasLineBreak(smtp.from)) return "the sender address contains a line break";
  if (message.to.empty()) return "no recipient";
  for (const std::string& to : message.to) {
    if (TrimBlanks(to).empty() || HasLineBreak(to)) {
      return "a recipient address is empty or contains a line break";
    }
  }
  if ((smtp.username && HasLineBreak(*smtp.username)) ||
      (smtp.password && HasLineBreak(*smtp.password))) {
    return "the SMTP user name or password contains a line break";
  }
  if (message.attachment) {
    const std::string& name = message.attachment->name;
    const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.';
    });
    if (!plain) return "the attachment's file name must be ASCII letters, digits, '-', '_', '.'";
  }
  return std::nullopt;
}

// multipart/mixed holding one multipart/alternative part (text, then HTML: the last is the
// preferred one, RFC 2046 §5.1.4). libcurl names the top level's type itself and gives it its
// boundary; a Content-Type of ours there would lose the boundary, hence the nesting, as in
// libcurl's smtp-mime example.
CURLcode BuildBody(CURL* h, const EmailMessage& message, MimePtr& mime) {
  MimePtr alternative(curl_mime_init(h));
  mime.reset(curl_mime_init(h));
  if (!alternative || !mime) return CURLE_OUT_OF_MEMORY;
  CURLcode rc = CURLE_OK;
  auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  const std::pair<std::string, const char*> parts[] = {
      {CrlfLines(message.text), "text/plain; charset=utf-8"},
      {CrlfLines(message.html), "text/html; charset=utf-8"},
  };
  for (const auto& [content, type] : parts) {
    curl_mimepart* part = curl_mime_addpart(alternative.get());
    if (part == nullptr) return CURLE_OUT_OF_MEMORY;
    set(curl_mime_data(part, content.data(), content.size()));
    set(curl_mime_type(part, type));
    // Quoted-printable keeps French text readable in the raw message and 7-bit safe.
    set(curl_mime_encoder(part, "quoted-printable"));
  }
  curl_mimepart* holder = curl_mime_addpart(mime.get());
  if (holder == nullptr) return CURLE_OUT_OF_MEMORY;
  set(curl_mime_type(holder, "multipart/alternative"));
  if (rc != CURLE_OK) return rc;
  rc = curl_mime_subparts(holder, alternative.get());
  if (rc == CURLE_OK) alternative.release();  // now owned by `mime`
  if (rc != CURLE_OK || !message.attachment) return rc;
  // The attachment, after the alternative: base64, so that its lines (tab-separated, possibly
  // long) reach the reader byte for byte.
  curl_mimepart* attached = curl_mime_addpart(mime.get());
  if (attached == nullptr) return CURLE_OUT_OF_MEMORY;
  const std::string content = CrlfLines(message.attachment->content);
  set(curl_mime_data(attached, content.data(), content.size()));
  set(curl_mime_type(attached, "text/plain; charset=utf-8"));
  set(curl_mime_filename(attached, message.attachment->name.c_str()));
  set(curl_mime_encoder(attached, "base64"));
  return rc;
}

// Retry semantics of an SMTP exchange that did not end in 250 after DATA.
Kind ClassifySmtp(CURLcode rc, long reply_code) {
  switch (rc) {
    case CURLE_USE_SSL_FAILED:  // STARTTLS required but not offered, or refused
    case CURLE_LOGIN_DENIED:    // 535: the credentials are wrong
      return Kind::kPermanentFailure;
    default:
      break;
  }
  if (IsConfigurationError(rc)) return Kind::kPermanentFailure;
  // A refused RCPT comes back as CURLE_SEND_ERROR and a refused DATA as
  // CURLE_WEIRD_SERVER_REPLY: the reply code, when there is one, tells which (RFC 5321 §4.2.1).
  if (reply_code >= 500 && reply_code < 600) return Kind::kPermanentFailure;
  if (reply_code >= 400 && reply_code < 500) return Kind::kRetryLater;
  // Connection refused, name not resolved, timeouts, TLS handshake failures, cut connections and
  // anything unknown: the next attempt may get through.
  return Kind::kRetryLater;
}

// ---- Webhook ----

bool IsHttpUrl(std::string_view url) {
  return url.size() > 7 && (EqualsIgnoreAsciiCase(url.substr(0, 7), "http://") ||
                            EqualsIgnoreAsciiCase(url.substr(0, 8), "https://"));
}

bool IsHeaderName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return c > 0x20 && c < 0x7F && c != ':' && c != ';'; });
}

// A header line for libcurl: "Name: value"; "Name;" sends a header with an empty value
// ("Name:" would remove it).
std::string HeaderLine(std::string_view name, std::string_view value) {
  if (value.empty()) return std::string(name) + ";";
  return std::string(name) + ": " + std::string(value);
}

Kind ClassifyHttpStatus(long status) {
  if (status >= 200 && status < 300) return Kind::kDelivered;
  if (status == 408 || status == 429 || (status >= 500 && status < 600)) return Kind::kRetryLater;
  if (status == 0) return Kind::kRetryLater;  // no status line: a broken exchange
  return Kind::kPermanentFailure;
}

}  // namespace

std::string_view OutcomeName(DeliveryOutcome::Kind kind) {
  switch (kind) {
    case Kind::kDelivered:
      return "delivered";
    case Kind::kRetryLater:
      return "retry";
    case Kind::kPermanentFailure:
      return "failed";
  }
  return "unknown";
}

DeliveryOutcome SendEmail(const SmtpSettings& smtp, const EmailMessage& message) {
  if (auto problem = CheckEmail(smtp, message)) {
    return Outcome(Kind::kPermanentFailure, "e-mail not sent: " + *problem);
  }
  if (auto failed = EnsureCurlInitialised()) return *failed;

  // Declared before the handle, destroyed after it, as libcurl's examples do.
  SlistPtr recipients;
  SlistPtr headers;
  MimePtr mime;
  EasyPtr easy(curl_easy_init());
  if (!easy) return Outcome(Kind::kRetryLater, "cannot create a curl handle");
  CURL* h = easy.get();

  char errors[CURL_ERROR_SIZE] = {};
  Replies replies;
  CURLcode rc =
      SetCommonOptions(h, smtp.url, "smtp,smtps", smtp.ca_file, smtp.timeout, errors, &replies);
  auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  // On smtp://, STARTTLS is either mandatory or not attempted: CURLUSESSL_TRY would fall back to
  // clear text without a word. smtps:// is TLS from the first byte whatever this says.
  set(curl_easy_setopt(h, CURLOPT_USE_SSL,
                       static_cast<long>(smtp.require_tls ? CURLUSESSL_ALL : CURLUSESSL_NONE)));
  const std::string envelope_from = EnvelopeAddress(smtp.from);
  set(curl_easy_setopt(h, CURLOPT_MAIL_FROM, envelope_from.c_str()));
  if (smtp.username) set(curl_easy_setopt(h, CURLOPT_USERNAME, smtp.username->c_str()));
  if (smtp.password) set(curl_easy_setopt(h, CURLOPT_PASSWORD, smtp.password->c_str()));

  bool listed = true;
  std::string to_header = "To: ";
  for (std::size_t i = 0; i < message.to.size(); ++i) {
    listed = listed && Append(recipients, EnvelopeAddress(message.to[i]));
    to_header += (i > 0 ? ", " : "") + std::string(TrimBlanks(message.to[i]));
  }
  const auto date = message.date ? *message.date : SystemClock().Now();
  listed = listed && Append(headers, "From: " + smtp.from) && Append(headers, to_header) &&
           Append(headers, "Subject: " + EncodeSubject(message.subject)) &&
           Append(headers, "Date: " + MailDate(date)) &&
           Append(headers, "Message-ID: <" + NewUuid() + "@accrochd>") &&
           // RFC 3834: an automatic message, that auto-responders must not answer.
           Append(headers, "Auto-Submitted: auto-generated");
  if (!listed) return Outcome(Kind::kRetryLater, "out of memory building the e-mail");
  set(curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get()));
  set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()));  // the mail's header fields
  set(BuildBody(h, message, mime));
  set(curl_easy_setopt(h, CURLOPT_MIMEPOST, mime.get()));
  if (rc != CURLE_OK) {
    return Outcome(Kind::kRetryLater, "cannot prepare the e-mail: " + CurlError(rc, errors));
  }

  rc = curl_easy_perform(h);
  long reply_code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply_code);

  const Kind kind = rc == CURLE_OK ? Kind::kDelivered : ClassifySmtp(rc, reply_code);
  // The server's reply when it decided (its 250, or the 4xx/5xx refusal), then curl's error.
  std::string detail;
  if (rc == CURLE_OK || reply_code >= 400) {
    detail = replies.FinalLine(reply_code);
    if (detail.empty()) detail = "reply " + std::to_string(reply_code);
  }
  if (rc != CURLE_OK) detail += (detail.empty() ? "" : "; ") + CurlError(rc, errors);
  // A last line of defence: a server or libcurl echoing the password must not reach the log.
  if (smtp.password) detail = ScrubSecret(std::move(detail), *smtp.password);
  return Outcome(kind, std::move(detail));
}

DeliveryOutcome PostWebhook(const WebhookSettings& hook, const std::string& json) {
  const auto scrub = [&hook](std::string text) {
    return hook.bearer_token ? ScrubSecret(std::move(text), *hook.bearer_token) : text;
  };
  if (!IsHttpUrl(hook.url)) {
    return Outcome(Kind::kPermanentFailure,
                   "webhook not sent: the url must start with http:// or https://");
  }
  if (hook.bearer_token && HasLineBreak(*hook.bearer_token)) {
    return Outcome(Kind::kPermanentFailure, "webhook not sent: the bearer token has a line break");
  }
  bool own_content_type = false;
  for (const auto& [name, value] : hook.headers) {
    if (!IsHeaderName(name) || HasLineBreak(value)) {
      return Outcome(Kind::kPermanentFailure,
                     scrub("webhook not sent: invalid header name or value for '" + name + "'"));
    }
    own_content_type = own_content_type || EqualsIgnoreAsciiCase(name, "Content-Type");
  }
  if (auto failed = EnsureCurlInitialised()) return *failed;

  SlistPtr headers;
  EasyPtr easy(curl_easy_init());
  if (!easy) return Outcome(Kind::kRetryLater, "cannot create a curl handle");
  CURL* h = easy.get();

  bool listed =
      own_content_type || Append(headers, "Content-Type: application/json; charset=utf-8");
  // No "Expect: 100-continue" round trip on large bodies: some receivers do not answer it.
  listed = listed && Append(headers, "Expect:");
  for (const auto& [name, value] : hook.headers) {
    listed = listed && Append(headers, HeaderLine(name, value));
  }
  if (hook.bearer_token) {
    listed = listed && Append(headers, "Authorization: Bearer " + *hook.bearer_token);
  }
  if (!listed) return Outcome(Kind::kRetryLater, "out of memory building the webhook request");

  char errors[CURL_ERROR_SIZE] = {};
  Replies replies;
  CURLcode rc =
      SetCommonOptions(h, hook.url, "http,https", hook.ca_file, hook.timeout, errors, &replies);
  auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  set(curl_easy_setopt(h, CURLOPT_POST, 1L));
  set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, json.data()));
  set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size())));
  set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()));
  // A redirect is a wrong URL to fix, not a hop to take: following it would resend the token to
  // wherever the Location points.
  set(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(h, CURLOPT_USERAGENT, ACCROCHD_USER_AGENT));
  if (rc != CURLE_OK) {
    return Outcome(Kind::kRetryLater,
                   "cannot prepare the webhook request: " + CurlError(rc, errors));
  }

  rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    // Nothing usable came back: the connection, TLS or the timeout failed.
    const Kind kind = IsConfigurationError(rc) ? Kind::kPermanentFailure : Kind::kRetryLater;
    return Outcome(kind, scrub(CurlError(rc, errors)));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  std::string detail =
      replies.status_line.empty() ? "HTTP status " + std::to_string(status) : replies.status_line;
  if (status >= 300 && status < 400) detail += "; redirect not followed: fix the webhook url";
  return Outcome(ClassifyHttpStatus(status), scrub(std::move(detail)));
}

}  // namespace accrochd::alert
