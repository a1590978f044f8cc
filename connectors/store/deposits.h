// Deposit files and the CDC's accusés de traitement: which passages each file holds, how far it
// went (publishing, published, uploaded, receipt), and what its receipt said of each passage.
#ifndef ACCROCHD_CONNECTORS_STORE_DEPOSITS_H_
#define ACCROCHD_CONNECTORS_STORE_DEPOSITS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/store/database.h"
#include "connectors/store/records.h"

namespace accrochd::store {

class PassageRows;

class DepositStore {
 public:
  explicit DepositStore(Database& db);
  ~DepositStore();
  DepositStore(const DepositStore&) = delete;
  DepositStore& operator=(const DepositStore&) = delete;

  // A file is recorded BEFORE it is renamed into the outbox ("publishing", its passages
  // in_deposit), and marked published after; a deposit left publishing by a crash is confirmed
  // or rolled back at the next start. So every passage is in exactly one published file or still
  // pending. Committed with a full sync: durable before the file is announced.
  // Fails, changing nothing, when a passage is not pending (a passage sits in one open deposit).
  Result<std::int64_t> Begin(const std::string& certifier, const std::string& file_name,
                             const std::string& id_flux,
                             const std::vector<std::string>& id_techniques);
  // The same for a SUPPRESSION file (action SUPPRESSION): its passages, queued for withdrawal,
  // go withdrawal_in_deposit. Fails, changing nothing, when one is not queued for withdrawal.
  Result<std::int64_t> BeginWithdrawal(const std::string& certifier, const std::string& file_name,
                                       const std::string& id_flux,
                                       const std::vector<std::string>& id_techniques);
  Result<void> MarkPublished(std::int64_t deposit_id, const std::string& sha256);
  // The file did not reach the outbox: its passages are pending again. `why` is for the caller's
  // log; the history records the file's name.
  Result<void> Abandon(std::int64_t deposit_id, const std::string& why);
  Result<std::vector<DepositRecord>> List(const std::optional<std::string>& state = std::nullopt);
  // Records that a published file was uploaded to the CDC portal. Its passages become deposited.
  Result<DepositRecord> MarkUploaded(const std::string& file_name);
  // The time of the last deposit cut for a certifier, if any.
  Result<std::optional<TimePoint>> LastCutAt(const std::string& certifier);

  // --- Accusés de traitement.
  // The CDC's verdicts on a deposited file's passages: accepted passages are final, rejected ones
  // keep the CDC's message and wait for a correction.
  Result<void> RecordVerdicts(const std::string& file_name, const std::string& receipt_status,
                              const std::vector<Verdict>& verdicts);
  // The deposit a receipt is about: by idFlux, else by the deposited file's name.
  // Whether a deposit of that file name was ever recorded, abandoned ones included.
  Result<bool> NameRecorded(const std::string& file_name);

  Result<std::optional<DepositRecord>> Find(const std::optional<std::string>& id_flux,
                                            const std::optional<std::string>& file_name);
  // What an earlier import of the receipt with this SHA-256 did; nullopt if never imported.
  Result<std::optional<ReceiptOutcome>> ReceiptImported(const std::string& sha256);
  // In one transaction: the verdicts (or, for a rejected file, its passages back to pending),
  // the passages the receipt does not mention recorded as missing, and the receipt itself.
  Result<ReceiptOutcome> ApplyReceipt(const ReceiptFacts& receipt);

 private:
  PassageRows& Rows();  // prepared once, under the lock
  Database& db_;
  std::unique_ptr<PassageRows> rows_;
};

// Marks a published deposit uploaded: its state and time, and its passages deposited (the
// lifecycle's Uploaded event). Inside the caller's transaction, under the database's lock; the
// caller has checked that the deposit is published. The one path of `accrochd deposits
// mark-uploaded` (MarkUploaded above) and of the upload hook (deposit_hooks.h).
void MarkUploadedIn(soci::session& sql, PassageRows& rows, std::int64_t deposit_id,
                    const std::string& file_name, TimePoint now);

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_DEPOSITS_H_
