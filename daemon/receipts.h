// The CDC's accusés de traitement, read back: from <state>/inbox/ at each cycle of `accrochd run`
// (and `once`), or by hand with `accrochd receipts import FILE...`.
//
// A receipt is matched to its deposit by idFlux, else by the deposited file's name; one that
// matches no deposit is set aside and reported, never guessed. Its verdicts are applied in one
// transaction (connectors/store): the passage-level duplicate « Le passage certification … existe
// déjà en base » counts as accepted (mappings/cdc_message.h); any other message, known or not,
// rejects the passage with the CDC's words kept verbatim; a file rejected whole sends its
// passages back to pending. A receipt is imported once (by its SHA-256): importing it again
// changes nothing. Its bytes are archived beside its deposit, in archive/YYYY/MM/ (written whole or
// not at all, 0600 -- 0640 with the deposit group). Every file operation goes through the
// FileSystem seam.
#ifndef ACCROCHD_DAEMON_RECEIPTS_H_
#define ACCROCHD_DAEMON_RECEIPTS_H_

#include <string>
#include <vector>

#include "connectors/store/state_store.h"
#include "core/file_system.h"
#include "core/log.h"
#include "daemon/commands.h"
#include "daemon/config.h"

namespace accrochd::daemon {

struct ReceiptImport {
  enum class Result {
    kApplied,          // verdicts recorded (or the file's rejection)
    kAlreadyImported,  // the same bytes were imported before: nothing changed
    kUnmatched,        // no deposit has its idFlux or file name: set aside
    kInvalid,          // not a readable accusé de traitement: set aside
    kFailed,           // the state or the archive could not be written: try again
  };
  std::string path;
  Result result = Result::kFailed;
  store::ReceiptOutcome outcome;
  std::string message;  // why, for kUnmatched, kInvalid, kFailed (English, no personal data)
};

// The exit status a command gives for an import: 0 when applied or already imported, 1 when the
// file is set aside (not a receipt, or for no deposit of ours: nothing to retry), 2 when it could
// not be applied (to try again). `receipts import` and `once` give the same.
int ReceiptExitCode(const ReceiptImport& import);

// Imports one receipt file. Logs nothing; the caller reports.
ReceiptImport ImportReceipt(const Config& config, store::StateStore& store, FileSystem& files,
                            const std::string& path);

// Imports every file of <state>/inbox/ (made 0700 when missing): an imported one (or one already
// imported) is removed from the inbox, an invalid or unmatched one moved to inbox/refused/ (0700,
// 0750 with the deposit group); a failure leaves it for the next cycle. Each logged.
std::vector<ReceiptImport> ScanInbox(const Config& config, store::StateStore& store, Logger& logger,
                                     FileSystem& files);

int RunReceipts(const CommandContext& ctx);
int RunPassages(const CommandContext& ctx);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_RECEIPTS_H_
