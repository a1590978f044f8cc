// One certifier's deposit files for one cycle: passages go in, complete and XSD-valid files come
// out in the outbox.
//
// Passages are written as they come (memory stays flat), grouped by certification, in files cut
// before the passage or size limit. Passages of the certification a file starts with go straight
// into it; those of other certifications (a mapping reading its certification from columns, or
// several mappings) wait in one spool file per certification beside it, and are appended when
// the file is sealed, in order of type and code. The daemon reads the mappings of constant
// certifications in that order too, so their files are as before: one group per certification,
// in order. Each file, once sealed, is validated against the XSD on a
// second thread while the next one is written (both cores busy); a passage the XSD refuses is
// taken out of the file, which is validated again, and quarantined with the validator's reason;
// only then is the file published.
#ifndef ACCROCHD_CONNECTORS_DEPOSIT_DEPOSIT_SESSION_H_
#define ACCROCHD_CONNECTORS_DEPOSIT_DEPOSIT_SESSION_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "connectors/deposit/publisher.h"
#include "connectors/xml/deposit_writer.h"
#include "connectors/xml/xsd_validator.h"
#include "core/error.h"
#include "core/file_system.h"
#include "core/stage_meter.h"
#include "core/tz/timezone.h"
#include "mappings/passage.h"

namespace accrochd::deposit {

// What the caller learns of each file, on the validation thread: `before` just before the file
// is renamed into the outbox (with the idTechniques it holds; an error abandons the file),
// `after` once it is there, `abandoned` when it did not get there after `before` succeeded.
struct PublishHooks {
  std::function<Result<std::int64_t>(const std::string& name, const std::string& id_flux,
                                     const std::vector<std::string>& id_techniques)>
      before;
  std::function<Result<void>(std::int64_t token, const PublishedFile& file)> after;
  std::function<void(std::int64_t token, const std::string& why)> abandoned;
};

struct SessionSettings {
  mappings::SchemaVersion version = mappings::SchemaVersion::k115;
  std::shared_ptr<const xml::XsdSchema> schema;  // the XSD every file is checked against
  std::uint64_t max_passages = 50'000;           // per file
  std::uint64_t max_bytes = 100'000'000;         // per file
  std::string emetteur;                          // the depositor's BCR (2.1)
  std::string certificateur;                     // the certifier's BCR (3.1)
  std::string id_contrat;                        // 3.2
  std::string certifier;                         // its name in the configuration, for messages
  PublishHooks hooks;                            // none: nothing to tell
  // The files' cpf:action (1.1.5): CREATION, or SUPPRESSION for withdrawals (AddSerialized).
  std::string action = "CREATION";
};

struct DepositOutcome {
  std::vector<PublishedFile> files;
  std::vector<mappings::Rejection> rejections;  // passages the XSD refused
};

// Not thread-safe: one thread adds passages; the session owns its validation thread.
class DepositSession {
 public:
  // `publisher`, `zone`, `clock` and `logger` must outlive the session. Files are written through
  // the publisher's FileSystem.
  DepositSession(SessionSettings settings, Publisher& publisher, const TimeZone& zone, Clock& clock,
                 Logger& logger);
  ~DepositSession();  // abandons what is not finished: partial files are removed
  DepositSession(const DepositSession&) = delete;
  DepositSession& operator=(const DepositSession&) = delete;

  // Adds a valid passage, under its own certification (and its mapping's natureDeposant).
  Result<void> Add(const mappings::Passage& passage);

  // Adds a passage already serialized on one line (a SUPPRESSION's: its idTechnique and
  // identificationTitulaire), under `certification` and `nature`; `id_technique` is what the
  // hooks and the refusals name, `mapping` and `source_key` where a refusal points.
  Result<void> AddSerialized(const mappings::Certification& certification,
                             const std::optional<std::string>& nature,
                             const std::string& id_technique, const std::string& serialized,
                             const std::string& mapping, const std::string& source_key);

  // Seals the last file, waits for every file to be checked and published.
  Result<DepositOutcome> Finish();

  // Instead of Finish(), when the passages stopped coming part-way (a source failed): the file
  // being written is dropped (its passages stay pending), the files already sealed are still
  // checked and published. Returns what was published and refused.
  DepositOutcome Abandon();

  // What was published and refused so far: after Finish() failed, the files that reached the
  // outbox before the failure (they are deposited whatever came after).
  DepositOutcome Outcome();

  std::uint64_t passages_added() const { return added_; }

  // Where the check-and-publish thread's time went (XSD validation, publication, the archive
  // copy, the store's records through the hooks): read after Finish() or Abandon().
  const StageFigures& checker_figures() const { return checker_.figures(); }

 private:
  // A file written and closed, waiting to be checked and published.
  struct Sealed {
    std::string name;
    std::string partial;
    std::string id_flux;
    xml::FileLayout layout;
    std::vector<std::pair<std::string, std::string>> origins;  // mapping, source key per passage
  };

  // A certification in a file: type, code, natureDeposant ("" when not set).
  using GroupKey = std::tuple<std::string, std::string, std::string>;
  // The passages of a certification that wait for the file to be sealed.
  struct Spool {
    std::string path;
    std::unique_ptr<WritableFile> file;
    std::optional<std::string> nature_deposant;
    std::vector<std::string> id_techniques;
    std::vector<std::pair<std::string, std::string>> origins;
  };

  Result<void> StartFile();
  Result<void> Seal();
  // Appends the spooled certifications to writer_, in key order, and removes their files.
  Result<void> DrainSpools();
  void RemoveSpools();
  void Work(std::stop_token stop);
  // `reached_outbox` is set as soon as the file is in the outbox, even if what follows fails.
  Result<std::optional<PublishedFile>> CheckAndPublish(
      Sealed& sealed, std::optional<PublishedFile>& reached_outbox);

  SessionSettings settings_;
  Publisher& publisher_;
  const TimeZone& timezone_;
  Clock& clock_;
  Logger& logger_;

  std::unique_ptr<xml::DepositWriter> writer_;
  Sealed current_;
  std::optional<GroupKey> open_;  // the certification written directly into writer_
  std::map<GroupKey, Spool> spools_;
  std::uint64_t spooled_passages_ = 0;
  std::uint64_t spooled_bytes_ = 0;  // an upper bound of what the spools add to the file
  std::uint64_t added_ = 0;

  std::mutex mutex_;
  std::condition_variable_any cv_;
  std::deque<Sealed> queue_;
  bool closing_ = false;
  std::optional<Error> error_;
  DepositOutcome outcome_;
  StageMeter checker_{"check+publish"};  // the worker's, read once it is joined
  std::jthread worker_;                  // last: started once everything it reads exists
};

// Writes `from` without the given lines into `to` (a new file, 0600), fsynced, through `files`;
// returns the layout of the new file. Certifications left without passages are dropped whole. On
// failure `to` is removed.
Result<xml::FileLayout> RewriteWithout(FileSystem& files, const std::string& from,
                                       const std::string& to, const xml::FileLayout& layout,
                                       const std::vector<std::uint64_t>& passage_lines);

}  // namespace accrochd::deposit

#endif  // ACCROCHD_CONNECTORS_DEPOSIT_DEPOSIT_SESSION_H_
