// The passages and their history: what every extraction saw, what the lifecycle
// (mappings/lifecycle.h) made of it, the quarantine, the cycle's uniqueness index, and the
// questions status, history, the planner and the alerts ask.
#ifndef ACCROCHD_CONNECTORS_STORE_PASSAGES_H_
#define ACCROCHD_CONNECTORS_STORE_PASSAGES_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/store/database.h"
#include "connectors/store/known_rows.h"
#include "connectors/store/records.h"
#include "mappings/passage.h"
#include "mappings/validator.h"

namespace accrochd::store {

class PassageRows;

class PassageStore {
 public:
  explicit PassageStore(Database& db);
  ~PassageStore();
  PassageStore(const PassageStore&) = delete;
  PassageStore& operator=(const PassageStore&) = delete;

  // The keyed hash of a passage's content: every value, the certification and the
  // identification branch. Thread-safe.
  std::string ContentHash(const mappings::Passage& passage) const;

  // Records what an extraction saw (a batch of rows), in one transaction; with `bookmark`,
  // stores the mapping's new incremental bookmark in the same transaction, so it is never ahead
  // of what it produced. Committed with a relaxed sync (database.h, RelaxedSync).
  // A new valid passage observed `to_deposit` may be held rather than inserted, until its file
  // is recorded (staged_passages.h); while passages of the bookmark's certifier are held, the
  // bookmark waits for FlushStaged.
  Result<std::vector<Outcome>> Observe(const std::vector<Observation>& observations,
                                       const std::optional<Bookmark>& bookmark = std::nullopt);
  // Inserts the passages of `certifier` held for their deposit file's record (pending, as
  // observed), and the bookmarks that waited for them, in one transaction: at the end of the
  // certifier's cycle, whatever became of its files.
  Result<void> FlushStaged(const std::string& certifier);

  // A SeenIndex on disk, for one cycle's uniqueness checks (mappings::CycleChecks): see
  // cycle_index.h. Holder identities are kept only as keyed hashes. Each index is independent.
  // Its Bloom filters are sized at once for as many keys as the store holds passages: a cycle
  // that reads them all again asks one filter a look-up, not one per doubling.
  Result<std::unique_ptr<mappings::SeenIndex>> NewCycleIndex();
  // A reader of what the store holds of `certifier`'s rows of `mapping`, for one cycle's
  // map+validate stage: see known_rows.h. `salt` as KnownRows::Open.
  Result<std::unique_ptr<KnownRows>> OpenKnownRows(const std::string& certifier,
                                                   const std::string& mapping,
                                                   const std::string& salt);

  // Passages the XSD refused when their file was checked: quarantined with these reasons until
  // their content changes.
  Result<void> QuarantineRefused(
      const std::string& certifier,
      const std::vector<std::pair<std::string, Observation::Reason>>& refused);

  // `accrochd passages retry`: rejected passages go back to pending, to be deposited again as
  // they are. Returns a problem per id that could not be (unknown, not rejected).
  Result<std::vector<std::string>> RequestRetry(const std::vector<std::string>& ids);

  // `accrochd passages withdraw` and `passages correct` (mappings::WithdrawalRequested): each
  // accepted passage with one of these idTechniques is queued for the SUPPRESSION file of the
  // next cut, unless `check` (called on the passage as it is, inside the transaction) returns
  // why not. Returns a problem per id that could not be queued.
  Result<std::vector<std::string>> RequestWithdrawal(
      const std::vector<std::string>& ids, const mappings::WithdrawalRequested& request,
      const std::function<std::optional<std::string>(const PassageRecord&)>& check = {});
  // Per certifier (BCR), the passages whose correction is under way: its SUPPRESSION (queued, in
  // a file, deposited), or its CREATION after the SUPPRESSION was accepted, not yet accepted.
  Result<std::map<std::string, std::int64_t>> CorrectionsUnderWay();
  // A certifier's accepted passages whose last withdrawal the CDC refused (withdrawal_message
  // set), by idTechnique.
  Result<std::vector<PassageRecord>> RefusedWithdrawals(const std::string& certifier);
  // Records the idTechnique a corrected passage is about to be deposited under (derived by the
  // mapping's id_technique_after_correction), with a history entry when it is new; before the
  // file is recorded, so that the file's membership and its receipt name it.
  Result<void> SetCdcIdTechnique(const std::string& certifier, const std::string& id_technique,
                                 const std::string& cdc_id_technique);
  // A certifier's passages queued for withdrawal, by certification then idTechnique.
  Result<std::vector<WithdrawalRecord>> QueuedWithdrawals(const std::string& certifier);

  Result<void> AddEvent(const std::string& certifier, const std::string& id_technique,
                        const std::string& kind, const std::string& detail);

  // --- Reading, for status, history and the planner.
  Result<std::vector<PassageRecord>> Passages();
  Result<std::vector<Count>> Counts();
  // The `limit` passages not yet accepted with the nearest deadlines.
  Result<std::vector<PassageRecord>> NearestDeadlines(std::size_t limit);
  Result<std::vector<PassageRecord>> PassagesWithId(const std::string& id_technique);
  // The passages the CDC knows by this idTechnique: their own, or a correction's derived one.
  Result<std::vector<PassageRecord>> PassagesKnownAs(const std::string& cdc_id_technique);
  Result<std::vector<Event>> History(const std::string& id_technique);
  Result<std::vector<QuarantineRecord>> Quarantine();
  // A certifier's pending passages due by `today` (delivered on or before it), and how many of
  // them have their deadline on or before `urgent_by`.
  Result<PendingFacts> Pending(const std::string& certifier, Date today, Date urgent_by);
  // A certifier's passages an alert may speak of: rejected and quarantined ones, those the CDC
  // has not accepted yet (pending and due, in a file, deposited and waiting for their accusé de
  // traitement) with a deadline on or before `horizon`, and deposited ones whose file's receipt
  // did not mention them.
  Result<std::vector<PassageRecord>> AlertCandidates(const std::string& certifier, Date today,
                                                     Date horizon);

 private:
  PassageRows& Rows();  // prepared once, under the lock

  Database& db_;
  std::unique_ptr<PassageRows> rows_;
};

}  // namespace accrochd::store

#endif  // ACCROCHD_CONNECTORS_STORE_PASSAGES_H_
