// Logging interface: one event, a severity, a message in English, and structured fields.
//
// Under systemd the daemon writes events to the journal with their fields, so an administrator
// can run `journalctl -u accrochd CERTIFICATEUR=03VML243` or `MESSAGE_ID=<id>`; on a terminal
// they go to stderr. Messages and fields carry identifiers and counts only -- never a name, a
// birth date or a NIR (design.md, "Security and privacy").
#ifndef ACCROCHD_CORE_LOG_H_
#define ACCROCHD_CORE_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace accrochd {

// The values are syslog priorities, which the journal uses too.
enum class LogLevel { kCritical = 2, kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

std::string_view LogLevelName(LogLevel level);

// A journal field. Names are upper case ASCII letters, digits and '_' (systemd.journal-fields(7)).
struct LogField {
  std::string name;
  std::string value;
};

struct LogEvent {
  LogLevel level = LogLevel::kInfo;
  std::string message;
  std::string_view message_id;  // one of the kMessageId* constants below, or empty
  std::vector<LogField> fields;
};

// Implementations must be thread-safe.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Write(const LogEvent& event) = 0;

  void Log(LogLevel level, std::string message, std::initializer_list<LogField> fields = {},
           std::string_view message_id = {});
  void Error(std::string message, std::initializer_list<LogField> fields = {},
             std::string_view message_id = {}) {
    Log(LogLevel::kError, std::move(message), fields, message_id);
  }
  void Warning(std::string message, std::initializer_list<LogField> fields = {},
               std::string_view message_id = {}) {
    Log(LogLevel::kWarning, std::move(message), fields, message_id);
  }
  void Info(std::string message, std::initializer_list<LogField> fields = {},
            std::string_view message_id = {}) {
    Log(LogLevel::kInfo, std::move(message), fields, message_id);
  }
  void Debug(std::string message, std::initializer_list<LogField> fields = {},
             std::string_view message_id = {}) {
    Log(LogLevel::kDebug, std::move(message), fields, message_id);
  }
};

// A logger that drops everything, for commands whose output is their report.
class NullLogger final : public Logger {
 public:
  void Write(const LogEvent&) override {}
};

// Journal MESSAGE_IDs, one per kind of event (`journalctl MESSAGE_ID=...`). Documented in
// accrochd(8); never change a published value.
inline constexpr std::string_view kMessageIdSourceUnavailable = "12b395af1c0f4e35ad9e986d40869f8e";
inline constexpr std::string_view kMessageIdSourceRecovered = "f14a8b434104486f817f958cb21b53b3";
inline constexpr std::string_view kMessageIdExtractionDone = "9f21417320d54db79e6da90970f7fd22";
inline constexpr std::string_view kMessageIdConfigInvalid = "03bff9a2aa9f4f9cb544689dbef9e169";
inline constexpr std::string_view kMessageIdDepositPublished = "da2de95affe249e98607aec37bfd80d9";
inline constexpr std::string_view kMessageIdPassageChangedAfterAcceptance =
    "574ea6a69d304476b23d8a7494e26177";
inline constexpr std::string_view kMessageIdDepositRecovered = "0c96da78498348c38c2f4d33e43cfb46";
inline constexpr std::string_view kMessageIdDaemonStarted = "d810537d508a4b548ac6d851400a0fe2";
inline constexpr std::string_view kMessageIdDaemonStopping = "d903b50f5d7b40b6886b1f0f5c352657";
inline constexpr std::string_view kMessageIdConfigReloaded = "7ebc1232bfc84ee8902a649371e6979e";
inline constexpr std::string_view kMessageIdConfigReloadRefused =
    "53d62f7a2c0541d6907d1a9cacac842e";
inline constexpr std::string_view kMessageIdCycleFailed = "50b38fb3972043b2a700fba4a570d7cc";
inline constexpr std::string_view kMessageIdDepositPlanned = "1272eb7008c944349c74ec4b3023b063";
inline constexpr std::string_view kMessageIdDepositUploaded = "ed5c51c96e9c44d6b877953c42d33686";
inline constexpr std::string_view kMessageIdAlertQueued = "fa98dc8d5afeac7b73bbc10ae1a68e05";
inline constexpr std::string_view kMessageIdAlertDelivered = "a323f4bb6fdb1b850a4a65b35bffffce";
inline constexpr std::string_view kMessageIdAlertFailed = "629369c2683f734f5d61392344f5773a";
inline constexpr std::string_view kMessageIdReceiptImported = "a3f16a2a786ab374320c522a030afa7e";
inline constexpr std::string_view kMessageIdReceiptRefused = "0a440a7fab0d0a26137a023a08596dc6";
inline constexpr std::string_view kMessageIdHookSucceeded = "8a0376dd45844aedbbe37a717a9ca0e0";
inline constexpr std::string_view kMessageIdHookFailed = "eff05a63ef81457899f50317206ac48c";
inline constexpr std::string_view kMessageIdPassagesMissing = "b629b963419c471bb24fb663f0bf8a4c";

// Field names used across modules.
inline constexpr std::string_view kFieldSource = "SOURCE";
inline constexpr std::string_view kFieldCertificateur = "CERTIFICATEUR";
inline constexpr std::string_view kFieldMapping = "MAPPING";
inline constexpr std::string_view kFieldDeposit = "DEPOSIT";
inline constexpr std::string_view kFieldIdTechnique = "ID_TECHNIQUE";

}  // namespace accrochd

#endif  // ACCROCHD_CORE_LOG_H_
