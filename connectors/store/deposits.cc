#include "connectors/store/deposits.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <utility>

#include <soci/soci.h>

#include "connectors/store/passage_rows.h"
#include "connectors/store/presence.h"
#include "connectors/store/sqlite_statement.h"

namespace accrochd::store {

DepositStore::DepositStore(Database& db) : db_(db) {}

DepositStore::~DepositStore() = default;

namespace {

// A passage of a deposit, as listed by a query: certifier, idTechnique.
using Member = std::pair<std::string, std::string>;

std::vector<Member> Members(soci::session& sql, const std::string& query, long long id) {
  std::vector<Member> out;
  auto collect = [&out](soci::rowset<soci::row>& rows) {
    for (const soci::row& r : rows) {
      out.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
    }
  };
  if (query.find(":id2") != std::string::npos) {  // a query naming the deposit twice
    long long id2 = id;
    soci::rowset<soci::row> rows = (sql.prepare << query, soci::use(id), soci::use(id2));
    collect(rows);
  } else {
    soci::rowset<soci::row> rows = (sql.prepare << query, soci::use(id));
    collect(rows);
  }
  return out;
}

// Decides `event` for each member and persists the decisions not refused; returns how many.
int ApplyToEach(PassageRows& rows, const std::vector<Member>& members,
                const mappings::LifecycleEvent& event, TimePoint now) {
  int applied = 0;
  for (const auto& [certifier, passage] : members) {
    const mappings::LifecycleDecision d = mappings::Decide(rows.Facts(certifier, passage), event);
    if (d.refused) continue;
    rows.Apply(certifier, passage, d, {}, now);
    ++applied;
  }
  return applied;
}

// Applies the CDC's verdicts on deposit `id`'s passages, inside the caller's transaction. Only a
// passage still waiting in this deposit takes its verdict (the lifecycle refuses the others):
// one sent again since (after a correction) waits for its own. Counts what changed.
void ApplyVerdicts(PassageRows& rows, soci::session& sql, long long id,
                   const std::string& certifier, const std::vector<Verdict>& verdicts,
                   TimePoint now, ReceiptOutcome& outcome) {
  for (const Verdict& v : verdicts) {
    // The receipt names the idTechnique written in the file: the passage's own, or the one a
    // correction deposited it under.
    std::string passage = v.id_technique;
    {
      std::string key;
      soci::indicator ind = soci::i_null;
      sql << "SELECT id_technique FROM deposit_passages WHERE deposit_id = :d AND "
             "certifier = :c AND cdc_id_technique = :i",
          soci::into(key, ind), soci::use(id), soci::use(certifier), soci::use(v.id_technique);
      if (sql.got_data() && ind != soci::i_null) passage = key;
    }
    const mappings::LifecycleDecision d =
        mappings::Decide(rows.Facts(certifier, passage, /*with_quarantine=*/true),
                         mappings::VerdictReceived{id, v.accepted, v.message});
    if (d.refused) {
      // Not in this deposit (unknown to it), or sent again since, or already judged.
      int known = 0;
      sql << "SELECT COUNT(*) FROM deposit_passages dp JOIN passages p ON p.certifier = "
             "dp.certifier AND p.id_technique = dp.id_technique WHERE dp.deposit_id = :d AND "
             "dp.id_technique = :i",
          soci::into(known), soci::use(id), soci::use(passage);
      if (known == 0) ++outcome.unknown;
      continue;
    }
    ++(v.accepted ? outcome.accepted : outcome.rejected);
    rows.Apply(certifier, passage, d, PassageRows::Context::Message(v.message), now);
  }
}

// A new deposit row, state 'publishing', for a file of `passages` passages whose cpf:action is
// `action` (CREATION or SUPPRESSION); its id. Its memberships are its passages' "in_deposit" (or
// "withdrawal_in_deposit") history entries, placed after the events written so far.
std::int64_t InsertDeposit(soci::session& sql, const std::string& certifier,
                           const std::string& file_name, const std::string& id_flux,
                           std::size_t passages, const std::string& at, const std::string& action) {
  const long long count = static_cast<long long>(passages);
  sql << "INSERT INTO deposits (certifier, file_name, id_flux, passages, state, created_at, "
         "action, history_mark) VALUES (:c, :f, :x, :n, 'publishing', :now, :a, " +
             std::string(kLastEvent) + ")",
      soci::use(certifier), soci::use(file_name), soci::use(id_flux), soci::use(count),
      soci::use(at), soci::use(action);
  long long id = 0;
  sql << "SELECT last_insert_rowid()", soci::into(id);
  return id;
}

}  // namespace

PassageRows& DepositStore::Rows() {
  if (!rows_) rows_ = std::make_unique<PassageRows>(db_.handle());
  return *rows_;
}

Result<bool> DepositStore::NameRecorded(const std::string& file_name) {
  // Asked as each file is begun, while the previous file's record may hold the lock.
  if (Presence* reader = db_.reader()) {
    if (const std::optional<bool> recorded = reader->NameRecorded(file_name)) return *recorded;
  }
  return db_.Guarded([&](soci::session& sql) {
    long long found = 0;
    sql << "SELECT COUNT(*) FROM deposits WHERE file_name = :f", soci::use(file_name),
        soci::into(found);
    return found > 0;
  });
}

Result<std::int64_t> DepositStore::Begin(const std::string& certifier, const std::string& file_name,
                                         const std::string& id_flux,
                                         const std::vector<std::string>& id_techniques) {
  return db_.Guarded([&](soci::session& sql) -> Result<std::int64_t> {
    const TimePoint now = db_.Now();
    const std::string at = IsoUtc(now);
    PassageRows& rows = Rows();
    StagedPassages& staged = db_.staged();
    // The passages observed this cycle whose row waits for this record (staged_passages.h).
    std::vector<std::optional<std::uint64_t>> held(id_techniques.size());
    std::size_t how_many_held = 0;
    {
      auto staging = db_.LockStaged();  // taken briefly: the record stage holds passages meanwhile
      if (!staged.empty()) {
        for (std::size_t i = 0; i < id_techniques.size(); ++i) {
          held[i] = staged.Find(certifier, id_techniques[i]);
          if (held[i]) ++how_many_held;
        }
      }
    }
    // A held passage's observation, read under that lock.
    auto read_held = [&](std::uint64_t order, Observation& into) {
      auto staging = db_.LockStaged();
      return staged.Read(order, into);
    };
    soci::transaction tr(sql);
    const std::int64_t id =
        InsertDeposit(sql, certifier, file_name, id_flux, id_techniques.size(), at, "CREATION");
    // The session puts only pending passages in a file: the lifecycle's decision for a pending
    // passage is taken once, and each write checks that the passage is pending indeed. One that
    // is not gets its own decision -- a refusal -- and the whole file is refused.
    const mappings::DepositBegun event{id, file_name};
    mappings::PassageFacts pending;
    pending.exists = true;
    pending.status = Status::kPending;
    const mappings::LifecycleDecision decided = mappings::Decide(pending, event);
    const auto refused = [&](const std::string& each) -> Result<std::int64_t> {
      const mappings::LifecycleDecision d = mappings::Decide(rows.Facts(certifier, each), event);
      // The transaction is rolled back: nothing of the file is recorded.
      return Fail(ErrorKind::kInternal, "passage " + each + " of " + certifier + " is " +
                                            d.refused.value_or("not pending") +
                                            "; it cannot go into " + file_name);
    };
    Observation o;
    if (how_many_held > 0 && how_many_held == id_techniques.size()) {
      // Every passage new this cycle: each row written once, in_deposit, one after the other in
      // the file's order; then their memberships, set-based, by rowid (the rows are consecutive:
      // nothing else writes while the store's lock is held). Their history mark is read once:
      // these rows write no event.
      long long mark = 0;
      sql << "SELECT " << kLastEvent, soci::into(mark);
      std::vector<std::int64_t> rowids;
      rowids.reserve(id_techniques.size());
      bool consecutive = true;
      // Read a chunk at a time under the held passages' lock (the record stage puts more
      // meanwhile), rather than taking it for each passage.
      constexpr std::size_t kChunk = 64;
      std::vector<Observation> chunk(kChunk);
      std::vector<TimePoint> seen(kChunk);
      for (std::size_t i = 0; i < id_techniques.size(); ++i) {
        const std::size_t at_chunk = i % kChunk;
        if (at_chunk == 0) {
          auto staging = db_.LockStaged();
          for (std::size_t j = i; j < std::min(i + kChunk, id_techniques.size()); ++j) {
            seen[j - i] = staged.Read(*held[j], chunk[j - i]);
          }
        }
        if (!rows.InsertInDeposit(chunk[at_chunk], seen[at_chunk], decided, id, now,
                                  /*membership_later=*/true, mark)) {
          // The transaction is rolled back; the passages stay held, inserted pending at the end
          // of the cycle.
          return Fail(ErrorKind::kInternal, "passage " + id_techniques[i] + " of " + certifier +
                                                ", new in this cycle, cannot be recorded in " +
                                                file_name + " at once");
        }
        rowids.push_back(rows.LastInsertedRowid());
        if (i > 0 && rowids[i] != rowids[i - 1] + 1) consecutive = false;
      }
      int linked = 0;
      if (consecutive) {
        linked = rows.LinkRows(id, rowids.front(), rowids.back());
      } else {
        for (const std::int64_t rowid : rowids) linked += rows.LinkRows(id, rowid, rowid);
      }
      if (linked != static_cast<int>(id_techniques.size())) {
        throw std::runtime_error("deposit " + file_name + ": " + std::to_string(linked) +
                                 " memberships written for " +
                                 std::to_string(id_techniques.size()) + " passages");
      }
    } else if (how_many_held > 0) {
      // Some: one by one, in the file's order, a held passage's row written once, in_deposit;
      // any other as below.
      for (std::size_t i = 0; i < id_techniques.size(); ++i) {
        if (held[i]) {
          const TimePoint seen_at = read_held(*held[i], o);
          if (rows.InsertInDeposit(o, seen_at, decided, id, now)) continue;
          rows.InsertObserved(o, seen_at, now);
        }
        if (!rows.Apply(certifier, id_techniques[i], decided, PassageRows::Context::Deposit(id),
                        now, Status::kPending)) {
          return refused(id_techniques[i]);
        }
      }
    } else if (!rows.ApplyToAll(certifier, id_techniques, decided,
                                PassageRows::Context::Deposit(id), now, Status::kPending)) {
      // Refused, nothing written: one by one, up to the passage that tells why.
      for (const std::string& each : id_techniques) {
        if (!rows.Apply(certifier, each, decided, PassageRows::Context::Deposit(id), now,
                        Status::kPending)) {
          return refused(each);
        }
      }
    }
    // Synchronous=FULL: durable before the file is announced.
    tr.commit();
    auto staging = db_.LockStaged();
    for (const std::optional<std::uint64_t>& order : held) {
      if (order) staged.Erase(*order);
    }
    return static_cast<std::int64_t>(id);
  });
}

Result<std::int64_t> DepositStore::BeginWithdrawal(const std::string& certifier,
                                                   const std::string& file_name,
                                                   const std::string& id_flux,
                                                   const std::vector<std::string>& id_techniques) {
  return db_.Transact([&](soci::session& sql) -> Result<std::int64_t> {
    const TimePoint now = db_.Now();
    const std::string at = IsoUtc(now);
    PassageRows& rows = Rows();
    const std::int64_t id =
        InsertDeposit(sql, certifier, file_name, id_flux, id_techniques.size(), at, "SUPPRESSION");
    const mappings::DepositBegun event{id, file_name, /*suppression=*/true};
    for (const std::string& each : id_techniques) {
      const mappings::LifecycleDecision d = mappings::Decide(rows.Facts(certifier, each), event);
      if (d.refused) {
        // The transaction is rolled back: nothing of the file is recorded.
        return Fail(ErrorKind::kInternal, "passage " + each + " of " + certifier + " is " +
                                              *d.refused + "; it cannot go into " + file_name);
      }
      rows.Apply(certifier, each, d, PassageRows::Context::Deposit(id), now);
    }
    // Committed on return, synchronous=FULL: durable before the file is announced.
    return static_cast<std::int64_t>(id);
  });
}

Result<void> DepositStore::MarkPublished(std::int64_t deposit_id, const std::string& sha256) {
  return db_.Guarded([&](soci::session& sql) -> Result<void> {
    const std::string now = IsoUtc(db_.Now());
    const long long id = deposit_id;
    soci::statement update =
        (sql.prepare << "UPDATE deposits SET state = 'published', sha256 = :s, "
                        "published_at = :now WHERE id = :id AND state = 'publishing'",
         soci::use(sha256), soci::use(now), soci::use(id));
    update.execute(true);
    if (update.get_affected_rows() != 1) {
      return Fail(ErrorKind::kInternal,
                  "deposit " + std::to_string(id) + " is not being published; nothing recorded");
    }
    return {};
  });
}

Result<void> DepositStore::Abandon(std::int64_t deposit_id, const std::string& /*why*/) {
  return db_.Transact([&](soci::session& sql) -> Result<void> {
    const TimePoint now = db_.Now();
    const long long id = deposit_id;
    PassageRows& rows = Rows();
    // Only a file that never reached the outbox is abandoned: a published one stays published.
    soci::statement abandon =
        (sql.prepare << "UPDATE deposits SET state = 'abandoned' WHERE id = :id AND "
                        "state = 'publishing'",
         soci::use(id));
    abandon.execute(true);
    if (abandon.get_affected_rows() != 1) {
      return Fail(ErrorKind::kInternal,
                  "deposit " + std::to_string(id) + " is not being published; not abandoned");
    }
    std::string file_name;
    sql << "SELECT file_name FROM deposits WHERE id = :id", soci::into(file_name), soci::use(id);
    // The memberships go: the history entries they held become events first, with the time and
    // file they tell of (a deposit recorded before migration 12 has them as events already).
    sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) SELECT d.created_at, "
           "m.certifier, m.id_technique, " +
               std::string(kMembershipEntry) +
               ", d.file_name FROM deposits d JOIN deposit_passages m ON m.deposit_id = d.id "
               "WHERE d.id = :id AND d.history_mark IS NOT NULL ORDER BY m.rowid",
        soci::use(id);
    const mappings::DepositAbandoned event{id, file_name};
    ApplyToEach(rows,
                Members(sql,
                        "SELECT certifier, id_technique FROM deposit_passages WHERE deposit_id = "
                        ":id ORDER BY rowid",
                        id),
                event, now);
    sql << "DELETE FROM deposit_passages WHERE deposit_id = :id", soci::use(id);
    return {};
  });
}

Result<std::vector<DepositRecord>> DepositStore::List(const std::optional<std::string>& state) {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<DepositRecord> out;
    const std::string wanted = state.value_or("");
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT id, certifier, file_name, id_flux, sha256, passages, state, "
                        "created_at, published_at, uploaded_at, receipt_status, receipt_at, "
                        "receipt_detail, action FROM deposits WHERE (:s = '' OR state = :s2) "
                        "ORDER BY id",
         soci::use(wanted), soci::use(wanted));
    for (const soci::row& r : rows) {
      DepositRecord d;
      d.id = Integer(r, 0);
      d.certifier = r.get<std::string>(1);
      d.file_name = r.get<std::string>(2);
      d.id_flux = r.get<std::string>(3);
      d.sha256 = r.get<std::string>(4);
      d.passages = Integer(r, 5);
      d.state = r.get<std::string>(6);
      d.created_at = StoredTime(r.get<std::string>(7));
      d.published_at = StoredOptionalTime(r.get<std::string>(8));
      d.uploaded_at = StoredOptionalTime(r.get<std::string>(9));
      d.receipt_status = r.get<std::string>(10);
      d.receipt_at = StoredOptionalTime(r.get<std::string>(11));
      d.receipt_detail = r.get<std::string>(12);
      d.action = r.get<std::string>(13);
      out.push_back(std::move(d));
    }
    return out;
  });
}

Result<DepositRecord> DepositStore::MarkUploaded(const std::string& file_name) {
  // The check and the change in one transaction: a receipt recorded meanwhile is not undone.
  return db_.Transact([&](soci::session& sql) -> Result<DepositRecord> {
    const TimePoint now = db_.Now();
    PassageRows& rows = Rows();
    DepositRecord d;
    long long id = 0, passages = 0;
    std::string created_at, published_at;
    soci::indicator found = soci::i_null;
    sql << "SELECT id, certifier, id_flux, sha256, passages, state, created_at, published_at "
           "FROM deposits WHERE file_name = :f AND state != 'abandoned'",
        soci::into(id, found), soci::into(d.certifier), soci::into(d.id_flux), soci::into(d.sha256),
        soci::into(passages), soci::into(d.state), soci::into(created_at), soci::into(published_at),
        soci::use(file_name);
    if (!sql.got_data() || found == soci::i_null) {
      return Fail(ErrorKind::kUsage,
                  "no deposit file named " + file_name + " (accrochd deposits list shows them)");
    }
    if (d.state != "published") {
      return Fail(ErrorKind::kUsage, file_name + " is " + d.state +
                                         (d.state == "uploaded" ? " already" : "") +
                                         "; only a published file can be marked uploaded");
    }
    MarkUploadedIn(sql, rows, id, file_name, now);
    d.id = id;
    d.passages = passages;
    d.file_name = file_name;
    d.state = "uploaded";
    d.created_at = StoredTime(created_at);
    d.published_at = StoredOptionalTime(published_at);
    d.uploaded_at = now;
    return d;
  });
}

void MarkUploadedIn(soci::session& sql, PassageRows& rows, std::int64_t deposit_id,
                    const std::string& file_name, TimePoint now) {
  const std::string at = IsoUtc(now);
  const long long id = deposit_id;
  sql << "UPDATE deposits SET state = 'uploaded', uploaded_at = :now WHERE id = :id", soci::use(at),
      soci::use(id);
  const mappings::Uploaded event{id, file_name};
  ApplyToEach(rows,
              Members(sql,
                      "SELECT certifier, id_technique FROM passages WHERE (deposit_id = :id AND "
                      "status = 'in_deposit') OR (withdrawal_deposit_id = :id2 AND "
                      "status = 'withdrawal_in_deposit') ORDER BY rowid",
                      id),
              event, now);
}

Result<std::optional<TimePoint>> DepositStore::LastCutAt(const std::string& certifier) {
  return db_.Guarded([&](soci::session& sql) {
    std::string at;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(created_at) FROM deposits WHERE certifier = :c AND state != "
           "'abandoned'",
        soci::into(at, ind), soci::use(certifier);
    if (ind == soci::i_null) return std::optional<TimePoint>();
    return std::optional<TimePoint>(StoredTime(at));
  });
}

Result<void> DepositStore::RecordVerdicts(const std::string& file_name,
                                          const std::string& receipt_status,
                                          const std::vector<Verdict>& verdicts) {
  return db_.Transact([&](soci::session& sql) -> Result<void> {
    const std::string now = IsoUtc(db_.Now());
    long long id = 0;
    std::string certifier;
    soci::indicator ind = soci::i_null;
    sql << "SELECT id, certifier FROM deposits WHERE file_name = :f AND state != 'abandoned'",
        soci::into(id, ind), soci::into(certifier), soci::use(file_name);
    if (!sql.got_data() || ind == soci::i_null) {
      return Fail(ErrorKind::kInvalidData, "no deposit file named " + file_name);
    }
    sql << "UPDATE deposits SET state = 'receipt', receipt_status = :s, receipt_at = :now, "
           "uploaded_at = CASE WHEN uploaded_at = '' THEN :now2 ELSE uploaded_at END "
           "WHERE id = :id",
        soci::use(receipt_status), soci::use(now), soci::use(now), soci::use(id);
    ReceiptOutcome ignored;
    ApplyVerdicts(Rows(), sql, id, certifier, verdicts, db_.Now(), ignored);
    return {};
  });
}

Result<std::optional<DepositRecord>> DepositStore::Find(
    const std::optional<std::string>& id_flux, const std::optional<std::string>& file_name) {
  auto deposits = List();
  if (!deposits) return std::unexpected(deposits.error());
  // An abandoned deposit never reached the outbox: no receipt is about it. (A file the XSD check
  // took passages out of is recorded again under its name and idFlux, its first record
  // abandoned.)
  if (id_flux && !id_flux->empty()) {
    for (const DepositRecord& d : *deposits) {
      if (d.state != "abandoned" && d.id_flux == *id_flux) return std::optional<DepositRecord>(d);
    }
  }
  if (file_name && !file_name->empty()) {
    for (const DepositRecord& d : *deposits) {
      if (d.state != "abandoned" && d.file_name == *file_name) {
        return std::optional<DepositRecord>(d);
      }
    }
  }
  return std::optional<DepositRecord>();
}

Result<std::optional<ReceiptOutcome>> DepositStore::ReceiptImported(const std::string& sha256) {
  return db_.Guarded([&](soci::session& sql) {
    ReceiptOutcome r;
    std::string imported_at;
    long long deposit_id = 0;
    int rejected_file = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT r.deposit_id, d.file_name, r.imported_at, r.file_rejected, r.accepted, "
           "r.rejected, r.missing, r.unknown, r.archived_as FROM receipts r "
           "JOIN deposits d ON d.id = r.deposit_id WHERE r.sha256 = :s",
        soci::into(deposit_id, ind), soci::into(r.deposit_file), soci::into(imported_at),
        soci::into(rejected_file), soci::into(r.accepted), soci::into(r.rejected),
        soci::into(r.missing), soci::into(r.unknown), soci::into(r.archived_as), soci::use(sha256);
    if (!sql.got_data() || ind == soci::i_null) return std::optional<ReceiptOutcome>();
    r.file_rejected = rejected_file != 0;
    r.imported_at = StoredTime(imported_at);
    return std::optional<ReceiptOutcome>(r);
  });
}

Result<ReceiptOutcome> DepositStore::ApplyReceipt(const ReceiptFacts& receipt) {
  return db_.Transact([&](soci::session& sql) -> Result<ReceiptOutcome> {
    const TimePoint now = db_.Now();
    const std::string at = IsoUtc(now);
    ReceiptOutcome outcome;
    outcome.imported_at = now;
    outcome.archived_as = receipt.archived_as;
    PassageRows& rows = Rows();
    long long id = receipt.deposit_id;
    std::string certifier, file_name, state;
    soci::indicator ind = soci::i_null;
    sql << "SELECT certifier, file_name, state, action FROM deposits WHERE id = :id",
        soci::into(certifier, ind), soci::into(file_name), soci::into(state),
        soci::into(outcome.action), soci::use(id);
    if (!sql.got_data() || ind == soci::i_null) {
      return Fail(ErrorKind::kInvalidData, "no deposit #" + std::to_string(id));
    }
    outcome.deposit_file = file_name;
    int seen = 0;
    sql << "SELECT COUNT(*) FROM receipts WHERE sha256 = :s", soci::into(seen),
        soci::use(receipt.sha256);
    if (seen != 0) return Fail(ErrorKind::kInvalidData, "this receipt was already imported");
    // The passages still waiting in this file, in the order they were recorded.
    auto waiting = [&] {
      return Members(sql,
                     "SELECT certifier, id_technique FROM passages WHERE (deposit_id = :id "
                     "AND status IN ('in_deposit', 'deposited')) OR (withdrawal_deposit_id = "
                     ":id2 AND status IN ('withdrawal_in_deposit', 'withdrawal_deposited')) "
                     "ORDER BY rowid",
                     id);
    };
    if (receipt.file_rejected) {
      // The whole file was refused: its passages go out again, with the next deposit.
      outcome.file_rejected = true;
      sql << "UPDATE deposits SET state = 'receipt', receipt_status = 'file_rejected', "
             "receipt_detail = :d, receipt_at = :now, "
             "uploaded_at = CASE WHEN uploaded_at = '' THEN :now2 ELSE uploaded_at END "
             "WHERE id = :id",
          soci::use(receipt.file_error), soci::use(at), soci::use(at), soci::use(id);
      const mappings::FileRejected event{id, file_name};
      outcome.back_to_pending = ApplyToEach(rows, waiting(), event, now);
    } else {
      sql << "UPDATE deposits SET state = 'receipt', receipt_status = :s, receipt_at = :now, "
             "uploaded_at = CASE WHEN uploaded_at = '' THEN :now2 ELSE uploaded_at END "
             "WHERE id = :id",
          soci::use(receipt.status), soci::use(at), soci::use(at), soci::use(id);
      ApplyVerdicts(rows, sql, id, certifier, receipt.verdicts, now, outcome);
      // Passages of the deposit the receipt does not mention: still deposited, reported.
      const mappings::AbsentFromReceipt event{id, file_name};
      outcome.missing = ApplyToEach(rows, waiting(), event, now);
    }
    const int file_rejected = outcome.file_rejected ? 1 : 0;
    sql << "INSERT INTO receipts (sha256, name, deposit_id, id_traitement, imported_at, "
           "file_rejected, accepted, rejected, missing, unknown, archived_as) "
           "VALUES (:s, :n, :d, :t, :now, :fr, :a, :r, :m, :u, :ar)",
        soci::use(receipt.sha256), soci::use(receipt.name), soci::use(id),
        soci::use(receipt.id_traitement), soci::use(at), soci::use(file_rejected),
        soci::use(outcome.accepted), soci::use(outcome.rejected), soci::use(outcome.missing),
        soci::use(outcome.unknown), soci::use(receipt.archived_as);
    return outcome;
  });
}

}  // namespace accrochd::store
