#include "connectors/store/passages.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include <soci/soci.h>

#include "connectors/store/cursors.h"
#include "connectors/store/cycle_index.h"
#include "connectors/store/passage_rows.h"
#include "connectors/store/presence.h"
#include "connectors/store/sqlite_statement.h"

namespace accrochd::store {
namespace {

// The certifiers the store holds passages of, as a CTE named `certifiers` (column c): one seek
// each, skipping from one to the next along an index led by the certifier, so that a query by
// idTechnique alone can go through the primary key, `certifier IN (SELECT c FROM certifiers) AND
// id_technique = ...`, with no index on the idTechnique alone (migration 11).
constexpr const char* kCertifiers =
    "WITH RECURSIVE certifiers(c) AS (SELECT MIN(certifier) FROM passages UNION ALL "
    "SELECT (SELECT MIN(certifier) FROM passages WHERE certifier > c) FROM certifiers "
    "WHERE c IS NOT NULL) ";
constexpr const char* kById = "p.certifier IN (SELECT c FROM certifiers) AND p.id_technique = :i ";

}  // namespace

PassageStore::PassageStore(Database& db) : db_(db) {}

PassageStore::~PassageStore() = default;

PassageRows& PassageStore::Rows() {
  if (!rows_) rows_ = std::make_unique<PassageRows>(db_.handle());
  return *rows_;
}

std::string PassageStore::ContentHash(const mappings::Passage& p) const {
  // The bytes hashed never change (every passage's stored hash is compared with them): each
  // text as its length in decimal, ':' and the text; each number in decimal. Made in one
  // buffer, sized once for a usual passage, the numbers written in place (it is done for every
  // row mapped).
  std::string data;
  data.reserve(512);
  auto number = [&](std::size_t n) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    data.append(digits, end);
  };
  auto add = [&](std::string_view s) {
    number(s.size());
    data += ':';
    data += s;
  };
  add(p.id_technique);
  // The passage's own certification: a row that moves to another certification has changed.
  add(p.certification.type);
  add(p.certification.code);
  if (p.mapping != nullptr) add(p.mapping->nature_deposant.value_or(""));
  number(static_cast<std::size_t>(p.identification));
  for (const mappings::FieldValue& v : p.values) {
    number(static_cast<std::size_t>(v.state));
    add(v.text);
  }
  for (const mappings::Resultat& r : p.resultats) {
    add(r.domaine_competence_id);
    add(r.competence_id);
    add(r.niveau);
  }
  return db_.Keyed(data);
}

namespace {

// Inserts the passages staged for `certifier` (staged_passages.h) pending, as their observation
// decided, inside the caller's transaction, in the order they were observed; returns their
// places, to be let go once the transaction is committed. One the store holds already writes
// nothing.
std::vector<std::uint64_t> FlushStagedIn(PassageRows& rows, StagedPassages& staged,
                                         const std::string& certifier, TimePoint now) {
  std::vector<std::uint64_t> flushed = staged.Of(certifier);
  Observation o;
  for (const std::uint64_t order : flushed) {
    const TimePoint seen_at = staged.Read(order, o);
    rows.InsertObserved(o, seen_at, now);
  }
  return flushed;
}

// Whether the decision on a passage new to the store lets it be held for its deposit file: the
// plain insert, pending and nothing else (what PassageRows::InsertInDeposit composes).
bool MayBeHeld(const mappings::LifecycleDecision& d) {
  return d.write == mappings::PassageWrite::kInsert && d.status == Status::kPending &&
         d.quarantine == mappings::QuarantineAction::kKeep;
}

Outcome OutcomeOf(const mappings::LifecycleDecision& d, std::int64_t corrections = 0) {
  return {d.change, d.status, d.retry_requested, d.first_seen_change, corrections};
}

}  // namespace

Result<std::vector<Outcome>> PassageStore::Observe(const std::vector<Observation>& observations,
                                                   const std::optional<Bookmark>& bookmark) {
  std::vector<Outcome> outcomes(observations.size());
  std::vector<bool> decided(observations.size(), false);
  bool all_decided = true;
  const TimePoint now = db_.Now();
  mappings::Observed seen;
  const mappings::PassageFacts absent;
  // First, without the store's lock (which a deposit file's record holds for its whole
  // transaction): a new valid passage going into a deposit file is only held, its absence read
  // on a connection of its own (presence.h). Whatever is not held is observed below.
  bool bookmark_waits = false;  // for the passages held for its certifier (staged_passages.h)
  if (Presence* reader = db_.reader()) {
    Presence::Batch snapshot(*reader);
    auto staging = db_.LockStaged();
    StagedPassages& staged = db_.staged();
    for (std::size_t i = 0; i < observations.size(); ++i) {
      const Observation& o = observations[i];
      // One held already (observed again before its file's record, never within one cycle) is
      // refused by Put below, and observed with the store's lock.
      if (!o.to_deposit || !staged.HasRoom()) {
        all_decided = false;
        continue;
      }
      const std::optional<bool> held_by_store = reader->Holds(o.certifier, o.id_technique);
      ObservedOf(o, seen);
      const mappings::LifecycleDecision d = mappings::Decide(absent, seen);
      if (held_by_store == false && MayBeHeld(d) && staged.Put(o, now)) {
        outcomes[i] = OutcomeOf(d);
        decided[i] = true;
      } else {
        all_decided = false;
      }
    }
    if (all_decided && bookmark && staged.Holds(bookmark->certifier)) {
      staged.Defer(*bookmark);
      bookmark_waits = true;
    }
  } else {
    all_decided = observations.empty();
  }
  if (all_decided && (!bookmark || bookmark_waits)) return outcomes;
  return db_.Guarded([&](soci::session& sql) {
    PassageRows& rows = Rows();
    auto staging = db_.LockStaged();
    StagedPassages& staged = db_.staged();
    RelaxedSync relaxed(sql);
    soci::transaction tr(sql);
    PassageRows::Digests kept;
    // Each passage is first taken for a new one, its insert written without a look-up: it
    // writes nothing when the passage is in the store, whose facts are then read and decided on,
    // as for the rest of the batch. A backfill's passages are all new; a later cycle's batch pays
    // one insert attempt for the known passages it observes. (The store's look-up was 9 % of
    // the record stage in a backfill, bench/README.md.) A passage going into a deposit file is
    // looked up instead: when new, its row waits for the file's record (staged_passages.h).
    bool new_so_far = true;
    std::vector<std::uint64_t> recorded;  // held passages written: let go once committed
    for (std::size_t i = 0; i < observations.size(); ++i) {
      if (decided[i]) continue;
      const Observation& o = observations[i];
      ObservedOf(o, seen);
      if (const std::optional<std::uint64_t> held = staged.Find(o.certifier, o.id_technique)) {
        // Observed again before its file's record (never within one cycle): recorded as it was
        // first, then observed as any passage the store holds.
        Observation first;
        const TimePoint seen_at = staged.Read(*held, first);
        rows.InsertObserved(first, seen_at, now);
        recorded.push_back(*held);
        new_so_far = false;
      }
      const bool stage = o.to_deposit && staged.HasRoom();
      if (new_so_far && !stage) {
        const mappings::LifecycleDecision d = mappings::Decide(absent, seen);
        if (rows.Apply(o.certifier, o.id_technique, d, PassageRows::Context::Of(o), now)) {
          outcomes[i] = OutcomeOf(d);
          continue;
        }
        new_so_far = false;
      }
      const mappings::PassageFacts facts = rows.Facts(o.certifier, o.id_technique, false, &kept);
      const mappings::LifecycleDecision d = mappings::Decide(facts, seen);
      if (stage && MayBeHeld(d) && staged.Put(o, now)) {
        outcomes[i] = OutcomeOf(d);
        continue;
      }
      rows.Apply(o.certifier, o.id_technique, d, PassageRows::Context::Of(o), now);
      // An insert and an update write the digests; an observation that changed nothing else
      // keeps them when they differ (another row form, another mapping, a valid row that was not).
      if (d.write != mappings::PassageWrite::kInsert &&
          d.write != mappings::PassageWrite::kUpdate &&
          (kept.row != o.row_digest || kept.holder != o.holder_record)) {
        rows.KeepDigests(o.certifier, o.id_technique, o);
      }
      outcomes[i] = OutcomeOf(d, facts.corrections);
    }
    // The bookmark passes the rows read: never the passages they gave. While some are held, it
    // waits for them (FlushStaged).
    if (bookmark) {
      if (staged.Holds(bookmark->certifier)) {
        staged.Defer(*bookmark);
      } else {
        SaveBookmark(sql, *bookmark, now);
      }
    }
    tr.commit();
    for (const std::uint64_t order : recorded) staged.Erase(order);
    return outcomes;
  });
}

Result<void> PassageStore::FlushStaged(const std::string& certifier) {
  return db_.Guarded([&](soci::session& sql) {
    auto staging = db_.LockStaged();
    StagedPassages& staged = db_.staged();
    const std::vector<Bookmark> bookmarks = staged.Deferred(certifier);
    // Let go whatever happens below: a bookmark not written is read again at the next cycle.
    staged.Forget(certifier);
    if (staged.empty() && bookmarks.empty()) return;
    const TimePoint now = db_.Now();
    RelaxedSync relaxed(sql);
    soci::transaction tr(sql);
    const auto flushed = FlushStagedIn(Rows(), staged, certifier, now);
    // Every passage its rows gave is now written: by its file's record or just above.
    for (const Bookmark& b : bookmarks) SaveBookmark(sql, b, now);
    tr.commit();
    for (const std::uint64_t order : flushed) staged.Erase(order);
  });
}

Result<void> PassageStore::QuarantineRefused(
    const std::string& certifier,
    const std::vector<std::pair<std::string, Observation::Reason>>& refused) {
  // The reasons of each passage, in the order the passages come.
  std::vector<std::string> order;
  std::map<std::string, std::vector<Observation::Reason>> reasons;
  for (const auto& [id, reason] : refused) {
    auto [it, added] = reasons.try_emplace(id);
    if (added) order.push_back(id);
    it->second.push_back(reason);
  }
  return db_.Transact([&](soci::session&) {
    PassageRows& rows = Rows();
    const TimePoint now = db_.Now();
    for (const std::string& id : order) {
      mappings::XsdRefused event;
      for (const Observation::Reason& r : reasons[id]) event.rules.push_back(r.rule);
      const mappings::LifecycleDecision d = mappings::Decide(rows.Facts(certifier, id), event);
      if (d.refused) continue;  // not pending (any more): nothing to quarantine
      rows.Apply(certifier, id, d, PassageRows::Context::Reasons(reasons[id]), now);
    }
  });
}

Result<std::vector<std::string>> PassageStore::RequestRetry(const std::vector<std::string>& ids) {
  return db_.Transact([&](soci::session& sql) {
    std::vector<std::string> problems;
    PassageRows& rows = Rows();
    const TimePoint now = db_.Now();
    for (const std::string& id : ids) {
      // The passages with this idTechnique, whatever their certifier.
      std::vector<std::string> certifiers;
      soci::rowset<std::string> found =
          (sql.prepare << std::string(kCertifiers) + "SELECT p.certifier FROM passages p WHERE " +
                              kById + "ORDER BY p.rowid",
           soci::use(id));
      for (const std::string& c : found) certifiers.push_back(c);
      std::optional<std::string> refusal = "no such passage";
      bool retried = false;
      for (const std::string& certifier : certifiers) {
        const mappings::LifecycleDecision d =
            mappings::Decide(rows.Facts(certifier, id), mappings::RetryRequested{});
        if (d.refused) {
          if (!retried && refusal == "no such passage") refusal = d.refused;
          continue;
        }
        rows.Apply(certifier, id, d, {}, now);
        retried = true;
      }
      if (!retried) problems.push_back(id + ": " + *refusal);
    }
    return problems;
  });
}

namespace {

PassageRecord PassageFrom(const soci::row& r) {
  PassageRecord p;
  p.certifier = r.get<std::string>(0);
  p.id_technique = r.get<std::string>(1);
  p.mapping = r.get<std::string>(2);
  p.certification_type = r.get<std::string>(3);
  p.certification_code = r.get<std::string>(4);
  if (r.get_indicator(5) != soci::i_null) p.delivery = DateOf(r.get<std::string>(5));
  if (r.get_indicator(6) != soci::i_null) p.deadline = DateOf(r.get<std::string>(6));
  p.status = ParseStatus(r.get<std::string>(7)).value_or(Status::kPending);
  if (r.get_indicator(8) != soci::i_null) p.deposit_id = Integer(r, 8);
  p.cdc_message = r.get<std::string>(9);
  p.changed_after_acceptance = Integer(r, 10) != 0;
  p.first_seen = StoredTime(r.get<std::string>(11));
  p.updated_at = StoredTime(r.get<std::string>(12));
  if (r.get_indicator(13) != soci::i_null) p.deposit_file = r.get<std::string>(13);
  p.cdc_id_technique = r.get<std::string>(14);
  if (r.get_indicator(15) != soci::i_null) p.withdrawal_deposit_id = Integer(r, 15);
  if (r.get_indicator(16) != soci::i_null) p.withdrawal_file = r.get<std::string>(16);
  p.correcting = Integer(r, 17) != 0;
  p.corrections = Integer(r, 18);
  p.withdrawal_message = r.get<std::string>(19);
  return p;
}

constexpr const char* kPassageColumns =
    "SELECT p.certifier, p.id_technique, p.mapping, p.certification_type, p.certification_code, "
    "p.delivery, p.deadline, p.status, p.deposit_id, p.cdc_message, p.changed_after_acceptance, "
    "p.first_seen, p.updated_at, d.file_name, COALESCE(p.cdc_id_technique, p.id_technique), "
    "p.withdrawal_deposit_id, w.file_name, p.correcting, p.corrections, p.withdrawal_message "
    "FROM passages p LEFT JOIN deposits d ON d.id = p.deposit_id "
    "LEFT JOIN deposits w ON w.id = p.withdrawal_deposit_id ";

}  // namespace

Result<std::vector<PassageRecord>> PassageStore::Passages() {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<PassageRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << std::string(kPassageColumns) + "ORDER BY p.deadline, p.id_technique");
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
    return out;
  });
}

Result<std::vector<PassageRecord>> PassageStore::PassagesWithId(const std::string& id_technique) {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<PassageRecord> out;
    soci::rowset<soci::row> rows = (sql.prepare << std::string(kCertifiers) + kPassageColumns +
                                                       "WHERE " + kById + "ORDER BY p.rowid",
                                    soci::use(id_technique));
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
    return out;
  });
}

Result<std::vector<Event>> PassageStore::History(const std::string& id_technique) {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<Event> out;
    // The events, and the entries rows hold (migration 12): a passage's row its "seen", each of
    // its deposits' memberships its "in_deposit" or "withdrawal_in_deposit". A row's entries come
    // after the event its history_mark names (2 * id + 1), a passage's row before its
    // memberships; deposits by id. The memberships are looked up by key, deposit by deposit.
    soci::rowset<soci::row> rows =
        (sql.prepare << std::string(kCertifiers) +
                            "SELECT at, certifier, id_technique, kind, detail FROM ("
                            "SELECT at, certifier, id_technique, kind, detail, 2 * id AS place, "
                            "0 AS sub, 0 AS deposit FROM events WHERE id_technique = :i "
                            "UNION ALL SELECT p.first_seen, p.certifier, p.id_technique, 'seen', "
                            "'', 2 * p.history_mark + 1, 0, 0 FROM passages p WHERE " +
                            kById +
                            "AND p.history_mark IS NOT NULL "
                            "UNION ALL SELECT d.created_at, m.certifier, m.id_technique, " +
                            kMembershipEntry +
                            ", d.file_name, 2 * d.history_mark + 1, 1, d.id "
                            "FROM passages p CROSS JOIN deposits d CROSS JOIN deposit_passages m "
                            "ON m.deposit_id = d.id AND m.certifier = p.certifier AND "
                            "m.id_technique = p.id_technique WHERE " +
                            kById +
                            "AND d.certifier = p.certifier AND d.history_mark IS NOT NULL) "
                            "ORDER BY place, sub, deposit, certifier",
         soci::use(id_technique));
    for (const soci::row& r : rows) {
      out.push_back({StoredTime(r.get<std::string>(0)), r.get<std::string>(1),
                     r.get<std::string>(2), r.get<std::string>(3), r.get<std::string>(4)});
    }
    return out;
  });
}

Result<std::vector<QuarantineRecord>> PassageStore::Quarantine() {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<QuarantineRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare
         << "SELECT q.certifier, q.id_technique, p.mapping, q.field, q.rule, q.message, p.deadline "
            "FROM quarantine q JOIN passages p ON p.certifier = q.certifier AND "
            "p.id_technique = q.id_technique WHERE p.status = 'quarantined' "
            "ORDER BY p.deadline, q.id_technique");
    for (const soci::row& r : rows) {
      QuarantineRecord q;
      q.certifier = r.get<std::string>(0);
      q.id_technique = r.get<std::string>(1);
      q.mapping = r.get<std::string>(2);
      q.field = r.get<std::string>(3);
      q.rule = r.get<std::string>(4);
      q.message = r.get<std::string>(5);
      if (r.get_indicator(6) != soci::i_null) q.deadline = DateOf(r.get<std::string>(6));
      out.push_back(std::move(q));
    }
    return out;
  });
}

Result<void> PassageStore::AddEvent(const std::string& certifier, const std::string& id_technique,
                                    const std::string& kind, const std::string& detail) {
  return db_.Guarded([&](soci::session& sql) {
    const std::string now = IsoUtc(db_.Now());
    sql << "INSERT INTO events (at, certifier, id_technique, kind, detail) "
           "VALUES (:a, :c, :i, :k, :d)",
        soci::use(now), soci::use(certifier), soci::use(id_technique), soci::use(kind),
        soci::use(detail);
  });
}

Result<std::vector<Count>> PassageStore::Counts() {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<Count> out;
    soci::rowset<soci::row> rows =
        (sql.prepare
         << "SELECT certifier, certification_type, certification_code, status, deadline, "
            "CASE WHEN status = 'pending' THEN delivery END, COUNT(*) FROM passages "
            "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5");
    for (const soci::row& r : rows) {
      Count c;
      c.certifier = r.get<std::string>(0);
      c.certification_type = r.get<std::string>(1);
      c.certification_code = r.get<std::string>(2);
      c.status = ParseStatus(r.get<std::string>(3)).value_or(Status::kPending);
      if (r.get_indicator(4) != soci::i_null) c.deadline = DateOf(r.get<std::string>(4));
      if (r.get_indicator(5) != soci::i_null) c.delivery = DateOf(r.get<std::string>(5));
      c.count = Integer(r, 6);
      out.push_back(std::move(c));
    }
    return out;
  });
}

Result<std::vector<PassageRecord>> PassageStore::NearestDeadlines(std::size_t limit) {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<PassageRecord> out;
    const long long n = static_cast<long long>(limit);
    soci::rowset<soci::row> rows =
        (sql.prepare << std::string(kPassageColumns) +
                            "WHERE p.status NOT IN ('accepted', 'withdrawal_queued', "
                            "'withdrawal_in_deposit', 'withdrawal_deposited', 'withdrawn') "
                            "AND p.deadline IS NOT NULL "
                            "ORDER BY p.deadline, p.id_technique LIMIT :n",
         soci::use(n));
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
    return out;
  });
}

Result<PendingFacts> PassageStore::Pending(const std::string& certifier, Date today,
                                           Date urgent_by) {
  return db_.Guarded([&](soci::session& sql) {
    PendingFacts facts;
    const std::string day = FormatIsoDate(today), urgent = FormatIsoDate(urgent_by);
    long long due = 0, near = 0;
    sql << "SELECT COUNT(*), COALESCE(SUM(deadline IS NOT NULL AND deadline <= :u), 0) "
           "FROM passages WHERE certifier = :c AND status = 'pending' AND "
           "(delivery IS NULL OR delivery <= :t)",
        soci::into(due), soci::into(near), soci::use(urgent), soci::use(certifier), soci::use(day);
    facts.due = due;
    facts.urgent = near;
    return facts;
  });
}

Result<std::vector<PassageRecord>> PassageStore::AlertCandidates(const std::string& certifier,
                                                                 Date today, Date horizon) {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<PassageRecord> out;
    const std::string t = FormatIsoDate(today), h = FormatIsoDate(horizon);
    soci::rowset<soci::row> rows =
        (sql.prepare
             << std::string(kPassageColumns) +
                    "WHERE p.certifier = :c AND (p.status IN ('rejected', 'quarantined') OR "
                    "(p.status = 'deposited' AND d.state = 'receipt') OR "
                    "(p.status IN ('pending', 'in_deposit', 'deposited') AND p.deadline <= :h AND "
                    "(p.status != 'pending' OR p.delivery <= :t))) "
                    "ORDER BY p.deadline, p.id_technique",
         soci::use(certifier), soci::use(h), soci::use(t));
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
    return out;
  });
}

Result<std::unique_ptr<mappings::SeenIndex>> PassageStore::NewCycleIndex() {
  // The passages ever recorded, of every certifier (rowids are dense: none is deleted), read from
  // the end of the table's tree; at most 8,000,000 (12 MB a filter). At least 1,048,576 (1.5 MB
  // a filter, resident only where keys land): a first backfill, which the store cannot foresee,
  // then asks one filter a look-up up to a million passages, where filters of 65,536 keys
  // doubling each time had it ask five (bench/README.md, 2026-12-05, night).
  constexpr long long kMostForeseen = 8'000'000;
  constexpr std::size_t kLeastForeseen = std::size_t{1} << 20;
  SpillMultimap::Options spill;
  spill.first_filter = std::max(spill.first_filter, kLeastForeseen);
  auto recorded = db_.Guarded([](soci::session& sql) {
    long long n = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT max(rowid) FROM passages", soci::into(n, ind);
    return ind == soci::i_ok ? n : 0LL;
  });
  if (recorded && *recorded > 0) {
    spill.first_filter = std::max<std::size_t>(
        spill.first_filter, static_cast<std::size_t>(std::min(*recorded, kMostForeseen)));
  }
  auto index =
      CycleIndex::Open([this](std::string_view data) { return db_.KeyedDigest(data); }, spill);
  if (!index) return std::unexpected(index.error());
  return std::unique_ptr<mappings::SeenIndex>(std::move(*index));
}

Result<std::unique_ptr<KnownRows>> PassageStore::OpenKnownRows(const std::string& certifier,
                                                               const std::string& mapping,
                                                               const std::string& salt) {
  return KnownRows::Open(
      db_.path(), [this](std::string_view data) { return db_.KeyedDigest(data); }, certifier,
      mapping, salt);
}

Result<std::vector<std::string>> PassageStore::RequestWithdrawal(
    const std::vector<std::string>& ids, const mappings::WithdrawalRequested& request,
    const std::function<std::optional<std::string>(const PassageRecord&)>& check) {
  return db_.Transact([&](soci::session& sql) {
    std::vector<std::string> problems;
    PassageRows& rows = Rows();
    const TimePoint now = db_.Now();
    for (const std::string& id : ids) {
      std::vector<PassageRecord> found;
      soci::rowset<soci::row> matches = (sql.prepare << std::string(kCertifiers) + kPassageColumns +
                                                            "WHERE " + kById + "ORDER BY p.rowid",
                                         soci::use(id));
      for (const soci::row& r : matches) found.push_back(PassageFrom(r));
      std::optional<std::string> refusal = "no such passage";
      bool queued = false;
      for (const PassageRecord& p : found) {
        const mappings::LifecycleDecision d =
            mappings::Decide(rows.Facts(p.certifier, id), request);
        if (d.refused) {
          if (!queued && refusal == "no such passage") refusal = d.refused;
          continue;
        }
        if (check) {
          if (auto problem = check(p)) {
            if (!queued) refusal = *problem;
            continue;
          }
        }
        rows.Apply(p.certifier, id, d, {}, now);
        queued = true;
      }
      if (!queued) problems.push_back(id + ": " + *refusal);
    }
    return problems;
  });
}

Result<std::vector<WithdrawalRecord>> PassageStore::QueuedWithdrawals(
    const std::string& certifier) {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<WithdrawalRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT p.id_technique, COALESCE(p.cdc_id_technique, p.id_technique), "
                        "COALESCE(d.file_name, ''), p.certification_type, p.certification_code, "
                        "p.correcting FROM passages p LEFT JOIN deposits d ON d.id = p.deposit_id "
                        "WHERE p.certifier = :c AND p.status = 'withdrawal_queued' "
                        "ORDER BY p.certification_type, p.certification_code, p.id_technique",
         soci::use(certifier));
    for (const soci::row& r : rows) {
      WithdrawalRecord w;
      w.id_technique = r.get<std::string>(0);
      w.cdc_id_technique = r.get<std::string>(1);
      w.creation_file = r.get<std::string>(2);
      w.certification_type = r.get<std::string>(3);
      w.certification_code = r.get<std::string>(4);
      w.correcting = Integer(r, 5) != 0;
      out.push_back(std::move(w));
    }
    return out;
  });
}

Result<std::map<std::string, std::int64_t>> PassageStore::CorrectionsUnderWay() {
  return db_.Guarded([&](soci::session& sql) {
    std::map<std::string, std::int64_t> out;
    soci::rowset<soci::row> rows =
        (sql.prepare
         << "SELECT certifier, COUNT(*) FROM passages WHERE correcting = 1 OR (corrections > 0 "
            "AND status IN ('pending', 'quarantined', 'in_deposit', 'deposited', 'rejected')) "
            "GROUP BY certifier");
    for (const soci::row& r : rows) out[r.get<std::string>(0)] = Integer(r, 1);
    return out;
  });
}

Result<std::vector<PassageRecord>> PassageStore::RefusedWithdrawals(const std::string& certifier) {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<PassageRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << std::string(kPassageColumns) +
                            "WHERE p.certifier = :c AND p.status = 'accepted' AND "
                            "p.withdrawal_message != '' ORDER BY p.id_technique",
         soci::use(certifier));
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
    return out;
  });
}

Result<void> PassageStore::SetCdcIdTechnique(const std::string& certifier,
                                             const std::string& id_technique,
                                             const std::string& cdc_id_technique) {
  return db_.Transact([&](soci::session& sql) -> Result<void> {
    std::string known;
    soci::indicator ind = soci::i_null;
    sql << "SELECT cdc_id_technique FROM passages WHERE certifier = :c AND id_technique = :i",
        soci::into(known, ind), soci::use(certifier), soci::use(id_technique);
    if (!sql.got_data() || (ind != soci::i_null && known == cdc_id_technique)) return {};
    const std::string at = IsoUtc(db_.Now());
    sql << "UPDATE passages SET cdc_id_technique = :x WHERE certifier = :c AND id_technique = :i",
        soci::use(cdc_id_technique), soci::use(certifier), soci::use(id_technique);
    Rows().Record(certifier, id_technique, "correction_id", cdc_id_technique, at);
    return {};
  });
}

Result<std::vector<PassageRecord>> PassageStore::PassagesKnownAs(
    const std::string& cdc_id_technique) {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<PassageRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << std::string(kPassageColumns) +
                            "WHERE COALESCE(p.cdc_id_technique, p.id_technique) = :i",
         soci::use(cdc_id_technique));
    for (const soci::row& r : rows) out.push_back(PassageFrom(r));
    return out;
  });
}

}  // namespace accrochd::store
