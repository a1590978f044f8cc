#include "connectors/store/passage_rows.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "connectors/store/database.h"
#include "core/deadline.h"

namespace accrochd::store {

namespace {

const std::string kFacts = std::string("SELECT ") + kFactsColumns +
                           ", row_digest, holder_record FROM passages "
                           "WHERE certifier = ?1 AND id_technique = ?2";
const std::string kFactsQuarantine =
    std::string("SELECT ") + kFactsColumns +
    ", EXISTS (SELECT 1 FROM quarantine q WHERE q.certifier = ?1 AND q.id_technique = ?2) "
    "FROM passages WHERE certifier = ?1 AND id_technique = ?2";

// A digest as a BLOB (NULL when empty).
// With `view`, without a copy (SqliteStatement::BindView): `digest` stays until the statement
// runs.
void BindDigest(SqliteStatement& st, int index, const std::string& digest, bool view = false) {
  if (digest.empty()) {
    st.BindNull(index);
  } else if (view) {
    st.BindBlobView(index, digest);
  } else {
    st.BindBlob(index, digest);
  }
}

// A BLOB column's bytes as a string ("" for NULL).
std::string Blob(SqliteStatement& st, int column) {
  return st.IsNull(column) ? "" : st.Text(column);
}

// A status write (kStatus) of decision `d`, without its verb ("UPDATE", or ApplyToAll's "UPDATE OR
// FAIL") nor its WHERE clause: the status and its time, and only the columns the decision
// changes. One text for every decision served a row through a CASE per flag, bound as
// parameters: SQLite then evaluated twenty expressions a row where a deposit's write changes
// three columns (bench/README.md, 2026-12-05, morning). Each shape of decision now has its own
// statement (StatusWriteKey); its parameters are those of the shared numbering it uses: ?3 the
// status, ?4 the time, ?11 the verdict's message, ?13 the deposit.
std::string StatusWriteSet(const mappings::LifecycleDecision& d) {
  using mappings::DepositLink;
  using mappings::WithdrawalWrite;
  std::string set = "passages SET status = ?3, updated_at = ?4";
  if (d.content_from_source) {
    set +=
        ", content_hash = CASE WHEN source_hash != '' THEN source_hash ELSE content_hash END"
        ", source_hash = ''";
  }
  if (d.clear_xsd_refused) {
    set += ", xsd_refused = 0";
  } else if (d.set_xsd_refused) {
    set += ", xsd_refused = 1";
  }
  if (d.withdrawal == WithdrawalWrite::kCorrected) {
    set +=
        ", changed_after_acceptance = 0, corrections = corrections + 1"
        ", cdc_id_technique = NULL";
  } else if (d.flag_changed_after_acceptance) {
    set += ", changed_after_acceptance = 1";
  }
  if (d.clear_retry_requested) set += ", retry_requested = 0";
  if (d.set_cdc_message) set += ", cdc_message = ?11";
  if (d.deposit == DepositLink::kSet) {
    set += ", deposit_id = ?13";
  } else if (d.deposit == DepositLink::kClear) {
    set += ", deposit_id = NULL";
  }
  if (d.withdrawal_deposit == DepositLink::kSet) {
    set += ", withdrawal_deposit_id = ?13";
  } else if (d.withdrawal_deposit == DepositLink::kClear) {
    set += ", withdrawal_deposit_id = NULL";
  }
  if (d.withdrawal == WithdrawalWrite::kQueue) {
    set += d.correction ? ", correcting = 1" : ", correcting = 0";
  } else if (d.withdrawal != WithdrawalWrite::kKeep) {
    set += ", correcting = 0";
  }
  if (d.set_withdrawal_message) {
    set += ", withdrawal_message = ?11";
  } else if (d.clear_withdrawal_message) {
    set += ", withdrawal_message = ''";
  }
  return set + " ";
}

// What tells two decisions' status writes apart (StatusWriteSet), and the form of the statement
// (one passage or a list; guarded by a status or not): the key of its prepared statement.
std::uint32_t StatusWriteKey(const mappings::LifecycleDecision& d, bool list, bool guarded) {
  std::uint32_t key = 0;
  auto add = [&key](std::uint32_t value, int bits) { key = (key << bits) | value; };
  add(d.content_from_source, 1);
  add(d.clear_xsd_refused, 1);
  add(d.set_xsd_refused, 1);
  add(d.flag_changed_after_acceptance, 1);
  add(d.clear_retry_requested, 1);
  add(d.set_cdc_message, 1);
  add(static_cast<std::uint32_t>(d.deposit), 2);
  add(static_cast<std::uint32_t>(d.withdrawal_deposit), 2);
  add(static_cast<std::uint32_t>(d.withdrawal), 2);
  add(d.correction, 1);
  add(d.set_withdrawal_message, 1);
  add(d.clear_withdrawal_message, 1);
  add(list, 1);
  add(guarded, 1);
  return key;
}
constexpr const char* kOnePassage = "WHERE certifier = ?1 AND id_technique = ?2";
// ApplyToAll's list, each passage found once, when listed (?1 and ?2 unnamed): by its rowid, which
// the status write and the membership then share rather than look the key up twice.
constexpr const char* kListedPassages = "WHERE rowid IN (SELECT rid FROM temp.apply_ids)";
constexpr const char* kOnlyIf = " AND status = ?14";
// The same guard for a list, kept off the status index ("+"): through it, SQLite would scan every
// passage in that status -- all those not yet deposited, in a backfill -- rather than look up
// the listed ones by their key.
constexpr const char* kListedOnlyIf = " AND +status = ?14";
// What a deposit's membership records of the passage, as the status write left it: returned by
// that write, so that the membership row needs no second look-up of the passage.
constexpr const char* kReturning =
    " RETURNING content_hash, COALESCE(cdc_id_technique, id_technique)";

std::int64_t Flag(bool b) { return b ? 1 : 0; }

// Whether history entry `h` of decision `d` is held by a row the decision writes anyway, and so
// is not written as an event (migration 12): a new passage's row is its "seen", a deposit's
// membership its "in_deposit" or "withdrawal_in_deposit" (PassageStore::History reads them).
bool HeldByTheRows(const mappings::LifecycleDecision& d, const mappings::HistoryEntry& h) {
  using mappings::DepositLink;
  if (h.kind == "seen") return d.write == mappings::PassageWrite::kInsert;
  if (h.kind == "in_deposit") return d.deposit == DepositLink::kSet;
  if (h.kind == "withdrawal_in_deposit") return d.withdrawal_deposit == DepositLink::kSet;
  return false;
}

// Whether a status write puts the passage in its deposit's membership (a CREATION or a
// SUPPRESSION file).
bool Links(const mappings::LifecycleDecision& d) {
  return d.deposit == mappings::DepositLink::kSet ||
         d.withdrawal_deposit == mappings::DepositLink::kSet;
}

// Binds a status write (StatusWriteSet) of decision `d`: the parameters its statement names;
// `id` is ?2 (not named by ApplyToAll's).
SqliteStatement& BindStatus(SqliteStatement& st, const std::string& certifier,
                            const std::string& id, const mappings::LifecycleDecision& d,
                            const PassageRows::Context& context, const std::string& at,
                            std::optional<Status> only_if) {
  if (only_if) st.Bind(14, StatusName(*only_if));
  if (st.Uses(1)) st.Bind(1, certifier);
  if (st.Uses(2)) st.Bind(2, id);
  st.Bind(3, StatusName(d.status)).Bind(4, at);
  if (st.Uses(11)) st.Bind(11, context.cdc_message);
  if (st.Uses(13)) st.Bind(13, context.deposit_id.value_or(0));
  return st;
}

}  // namespace

// content_hash is the content the passage was (or will be) deposited with; source_hash the
// content last seen in the source. They differ while a passage waits in a file, or after the CDC
// accepted it, when the source changes: the change is recorded once, and the deposited content
// stays what a rejection or an acceptance is compared with. source_hash is '' when it is the
// content_hash (most passages, nearly always): 64 bytes less a row, which every passage's
// record and its deposit write (bench/README.md, 2026-12-04, evening); rows written before hold
// it whole, which reads the same.
// The temporary table is made again for each list: made inside a transaction rolled back, it
// would be gone (the statements, prepared against it, are prepared again by SQLite).
// rid is NULL for a passage not in the store: the list's check then finds fewer passages than
// listed.
constexpr const char* kListTable =
    "CREATE TEMP TABLE IF NOT EXISTS apply_ids (pos INTEGER PRIMARY KEY, id TEXT NOT NULL, "
    "rid INTEGER)";

// A listed passage's rowid is found by a walk from the first one's (ApplyToAll): past this many
// rows in a row that are not listed, or kWalkRowsPerListed times the list's rows read in all,
// the rest are looked up by key.
constexpr int kWalkMissesAllowed = 1024;
constexpr std::size_t kWalkRowsPerListed = 4;

// ApplyToAll's statements over a list are "OR FAIL": inside a transaction, a statement that may
// change many rows with the default ABORT has SQLite copy each page it changes to a statement
// journal (past 64 KiB, a temporary file) so that it can undo itself alone -- with the savepoint
// that used to hold the list, about 1,900 pages for each file of 50,000 passages, 160 MB written
// to $TMPDIR in a backfill of 1,000,000 (bench/README.md, 2026-12-04). FAIL needs no such copy; a
// statement that fails throws, and the transaction it is part of is rolled back whole.
struct PassageRows::ForAll {
  explicit ForAll(sqlite3* db)
      : clear(db, "DELETE FROM temp.apply_ids"),
        add(db,
            "INSERT INTO temp.apply_ids (pos, id, rid) VALUES (?1, ?2, (SELECT rowid FROM "
            "passages WHERE certifier = ?3 AND id_technique = ?2))"),
        add_found(db, "INSERT INTO temp.apply_ids (pos, id, rid) VALUES (?1, ?2, ?3)"),
        find(db, "SELECT rowid FROM passages WHERE certifier = ?1 AND id_technique = ?2"),
        walk(db,
             // "+": kept off the primary key's index, through which SQLite would read every
             // passage of the certifier and sort them, rather than step from ?1 in rowid order.
             "SELECT rowid, id_technique FROM passages WHERE rowid > ?1 AND +certifier = ?2 "
             "ORDER BY rowid"),
        listed(db,
               "SELECT count(*) FROM temp.apply_ids b CROSS JOIN passages p ON p.rowid = b.rid "
               "WHERE ?1 IS NULL OR +p.status = ?1"),
        // In the list's order, as Apply one by one would (CROSS JOIN: the list drives the loop).
        // Written before the status write (ApplyToAll says why), which leaves the two columns it
        // copies as they are.
        link(db,
             "INSERT OR FAIL INTO deposit_passages (deposit_id, certifier, id_technique, "
             "content_hash, cdc_id_technique) SELECT ?1, p.certifier, p.id_technique, "
             "p.content_hash, NULLIF(p.cdc_id_technique, p.id_technique) FROM temp.apply_ids b "
             "CROSS JOIN passages p ON p.rowid = b.rid ORDER BY b.pos"),
        event(db,
              "INSERT OR FAIL INTO events (at, certifier, id_technique, kind, detail) "
              "SELECT ?1, ?2, id, ?3, ?4 FROM temp.apply_ids ORDER BY pos") {}
  SqliteStatement clear, add, add_found, find, walk, listed, link, event;
};

PassageRows::~PassageRows() = default;

const std::string& PassageRows::At(TimePoint now) {
  if (now != at_time_ || at_.empty()) {
    at_time_ = now;
    at_ = IsoUtc(now);
  }
  return at_;
}

SqliteStatement& PassageRows::StatusWrite(const mappings::LifecycleDecision& d, bool list,
                                          bool guarded) {
  std::unique_ptr<SqliteStatement>& st = status_writes_[StatusWriteKey(d, list, guarded)];
  if (!st) {
    std::string sql = list ? "UPDATE OR FAIL " : "UPDATE ";
    sql += StatusWriteSet(d);
    if (list) {
      sql += kListedPassages;
      if (guarded) sql += kListedOnlyIf;
    } else {
      sql += kOnePassage;
      if (guarded) sql += kOnlyIf;
      sql += kReturning;
    }
    st = std::make_unique<SqliteStatement>(db_, sql);
  }
  return *st;
}

PassageRows::PassageRows(sqlite3* db)
    : db_(db),
      facts_(db, kFacts),
      facts_quarantine_(db, kFactsQuarantine),
      insert_(db,
              "INSERT INTO passages (certifier, id_technique, mapping, certification_type, "
              "certification_code, delivery, deadline, content_hash, source_hash, cursor_value, "
              "status, first_seen, updated_at, row_digest, holder_record, history_mark) VALUES "
              "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', ?9, ?10, ?18, ?11, ?16, ?17, " +
                  std::string(kLastEvent) + ") ON CONFLICT (certifier, id_technique) DO NOTHING"),
      // The same, for a passage recorded with its deposit file (InsertInDeposit): its status
      // and its deposit (?13) those of the file's record.
      insert_in_deposit_(db,
                         "INSERT INTO passages (certifier, id_technique, mapping, "
                         "certification_type, certification_code, delivery, deadline, "
                         "content_hash, source_hash, cursor_value, status, first_seen, "
                         "updated_at, row_digest, holder_record, history_mark, deposit_id) VALUES "
                         "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', ?9, ?10, ?18, ?11, ?16, ?17, "
                         "coalesce(?19, " +
                             std::string(kLastEvent) +
                             "), ?13) ON CONFLICT (certifier, id_technique) DO NOTHING"),
      update_(db,
              "UPDATE passages SET mapping = ?3, certification_type = ?4, "
              "certification_code = ?5, delivery = ?6, deadline = ?7, "
              "content_hash = CASE WHEN ?12 = 1 THEN content_hash ELSE ?8 END, "
              "source_hash = CASE WHEN ?12 = 1 AND content_hash != ?8 THEN ?8 ELSE '' END, "
              "cursor_value = ?9, status = ?10, "
              "xsd_refused = CASE WHEN ?13 = 1 THEN 0 ELSE xsd_refused END, "
              "changed_after_acceptance = MAX(changed_after_acceptance, ?14), "
              "retry_requested = CASE WHEN ?15 = 1 THEN 0 ELSE retry_requested END, "
              "updated_at = ?11, row_digest = ?16, holder_record = ?17 "
              "WHERE certifier = ?1 AND id_technique = ?2"),
      touch_cursor_(db,
                    "UPDATE passages SET cursor_value = ?3 WHERE certifier = ?1 AND "
                    "id_technique = ?2 AND cursor_value IS NOT ?3"),
      event_(db,
             "INSERT INTO events (at, certifier, id_technique, kind, detail) "
             "VALUES (?1, ?2, ?3, ?4, ?5)"),
      unquarantine_(db, "DELETE FROM quarantine WHERE certifier = ?1 AND id_technique = ?2"),
      quarantine_(db,
                  "INSERT INTO quarantine (certifier, id_technique, field, rule, message, since) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
      link_(db,
            "INSERT INTO deposit_passages (deposit_id, certifier, id_technique, content_hash, "
            "cdc_id_technique) VALUES (?3, ?1, ?2, ?4, NULLIF(?5, ?2))"),
      // In rowid order: a file's passages, inserted one after the other (InsertInDeposit).
      link_rows_(db,
                 "INSERT OR FAIL INTO deposit_passages (deposit_id, certifier, id_technique, "
                 "content_hash, cdc_id_technique) SELECT ?1, certifier, id_technique, "
                 "content_hash, NULLIF(cdc_id_technique, id_technique) FROM passages "
                 "WHERE rowid BETWEEN ?2 AND ?3 ORDER BY rowid"),
      missing_(db,
               "UPDATE passages SET missing_from_source = ?3, missed_reads = 0, "
               "missing_since = CASE WHEN ?3 = 1 THEN ?4 ELSE '' END "
               "WHERE certifier = ?1 AND id_technique = ?2"),
      digests_(db,
               "UPDATE passages SET row_digest = ?3, holder_record = ?4 "
               "WHERE certifier = ?1 AND id_technique = ?2") {}

std::string StatusIn(std::initializer_list<mappings::PassageStatus> except) {
  std::string in = "status IN (";
  bool first = true;
  for (const mappings::PassageStatus s : mappings::kAllStatuses) {
    if (std::find(except.begin(), except.end(), s) != except.end()) continue;
    if (!first) in += ", ";
    first = false;
    in += '\'';
    in += mappings::StatusName(s);
    in += '\'';
  }
  return in + ")";
}

mappings::PassageFacts ReadFacts(SqliteStatement& st) {
  mappings::PassageFacts f;
  ReadFacts(st, f);
  return f;
}

void ReadFacts(SqliteStatement& st, mappings::PassageFacts& f) {
  f.exists = true;
  f.status = ParseStatus(st.View(0)).value_or(Status::kPending);
  f.content_hash.assign(st.View(1));
  f.source_hash.assign(st.View(2));
  if (f.source_hash.empty()) f.source_hash.assign(f.content_hash);  // '': the same
  f.retry_requested = st.Integer(3) != 0;
  f.xsd_refused = st.Integer(4) != 0;
  f.changed_after_acceptance = st.Integer(5) != 0;
  f.deposit_id.reset();
  if (!st.IsNull(6)) f.deposit_id = st.Integer(6);
  f.has_quarantine_reasons = false;
  f.withdrawal_deposit_id.reset();
  if (!st.IsNull(7)) f.withdrawal_deposit_id = st.Integer(7);
  f.correcting = st.Integer(8) != 0;
  f.corrections = st.Integer(9);
  f.missing_from_source = st.Integer(10) != 0;
  f.missed_reads = st.Integer(11);
}

mappings::PassageFacts PassageRows::Facts(const std::string& certifier,
                                          const std::string& id_technique, bool with_quarantine,
                                          Digests* digests) {
  SqliteStatement& st = with_quarantine ? facts_quarantine_ : facts_;
  st.Bind(1, certifier).Bind(2, id_technique);
  if (digests != nullptr) *digests = {};
  if (!st.Next()) return {};
  mappings::PassageFacts f = ReadFacts(st);
  if (with_quarantine) {
    f.has_quarantine_reasons = st.Integer(12) != 0;
  } else if (digests != nullptr) {
    digests->row = Blob(st, 12);
    digests->holder = Blob(st, 13);
  }
  st.Reset();
  return f;
}

void PassageRows::KeepDigests(const std::string& certifier, const std::string& id_technique,
                              const Observation& o) {
  digests_.Bind(1, certifier).Bind(2, id_technique);
  BindDigest(digests_, 3, o.row_digest);
  BindDigest(digests_, 4, o.holder_record);
  digests_.Run();
}

void PassageRows::Record(const std::string& certifier, const std::string& id_technique,
                         std::string_view kind, std::string_view detail, const std::string& at) {
  event_.Bind(1, at).Bind(2, certifier).Bind(3, id_technique).Bind(4, kind).Bind(5, detail).Run();
}

bool PassageRows::Apply(const std::string& certifier, const std::string& id,
                        const mappings::LifecycleDecision& d, const Context& context, TimePoint now,
                        std::optional<Status> only_if) {
  using mappings::PassageWrite;
  const std::string& at = At(now);
  const Observation* o = context.observation;
  // Every statement bound here runs before Apply returns: what lives until then is bound without
  // a copy (a backfill binds some twenty million values).
  auto bind_observation = [&](SqliteStatement& s) -> SqliteStatement& {
    const std::optional<std::string> delivery =
        o->delivery ? std::optional<std::string>(FormatIsoDate(*o->delivery)) : std::nullopt;
    const std::optional<std::string> deadline =
        o->delivery ? std::optional<std::string>(FormatIsoDate(DeadlineFor(*o->delivery)))
                    : std::nullopt;
    s.BindView(1, certifier)
        .BindView(2, id)
        .BindView(3, o->mapping)
        .BindView(4, o->certification_type)
        .BindView(5, o->certification_code)
        .Bind(6, delivery)
        .Bind(7, deadline)
        .BindView(8, o->content_hash)
        .BindView(9, o->cursor_value)
        .BindView(10, StatusName(d.status))
        .BindView(11, at);
    BindDigest(s, 16, o->row_digest, /*view=*/true);
    BindDigest(s, 17, o->holder_record, /*view=*/true);
    return s;
  };
  // An insert's first_seen: when the passage was observed (a held one's, staged_passages.h).
  auto bind_first_seen = [&](SqliteStatement& s) -> SqliteStatement& {
    if (!context.first_seen || *context.first_seen == now) return s.BindView(18, at);
    if (*context.first_seen != seen_time_ || seen_.empty()) {
      seen_time_ = *context.first_seen;
      seen_ = IsoUtc(seen_time_);
    }
    return s.BindView(18, seen_);
  };
  switch (d.write) {
    case PassageWrite::kNothing:
      break;
    case PassageWrite::kInsert:
      if (context.deposit_id) {  // with its deposit (InsertInDeposit), and its membership
        if (context.history_mark) {
          insert_in_deposit_.Bind(19, *context.history_mark);
        } else {
          insert_in_deposit_.BindNull(19);
        }
        if (bind_first_seen(bind_observation(insert_in_deposit_))
                .Bind(13, *context.deposit_id)
                .Run() == 0) {
          return false;  // in the store already
        }
        if (!context.membership_later) {
          link_.Bind(1, certifier)
              .Bind(2, id)
              .Bind(3, *context.deposit_id)
              .Bind(4, o->content_hash)
              .Bind(5, id)
              .Run();
        }
      } else if (bind_first_seen(bind_observation(insert_)).Run() == 0) {
        return false;  // in the store already
      }
      break;
    case PassageWrite::kUpdate:
      bind_observation(update_)
          .Bind(12, Flag(d.keep_content))
          .Bind(13, Flag(d.clear_xsd_refused))
          .Bind(14, Flag(d.flag_changed_after_acceptance))
          .Bind(15, Flag(d.clear_retry_requested))
          .Run();
      break;
    case PassageWrite::kTouchCursor:
      if (o != nullptr && o->cursor_value) {
        touch_cursor_.Bind(1, certifier).Bind(2, id).Bind(3, *o->cursor_value).Run();
      }
      break;
    case PassageWrite::kStatus: {
      SqliteStatement& st = BindStatus(StatusWrite(d, false, only_if.has_value()), certifier, id, d,
                                       context, at, only_if);
      if (!st.Next()) return false;  // not in the status `only_if` names: nothing written
      const std::string content_hash = st.Text(0);
      const std::string cdc_id_technique = st.Text(1);
      st.Reset();
      if (Links(d)) {
        link_.Bind(1, certifier)
            .Bind(2, id)
            .Bind(3, *context.deposit_id)
            .Bind(4, content_hash)
            .Bind(5, cdc_id_technique)
            .Run();
      }
      break;
    }
  }
  if (d.set_missing_from_source || d.clear_missing) {
    missing_.Bind(1, certifier)
        .Bind(2, id)
        .Bind(3, Flag(d.set_missing_from_source))
        .Bind(4, at)
        .Run();
  }
  using mappings::QuarantineAction;
  if (d.quarantine != QuarantineAction::kKeep) {
    unquarantine_.Bind(1, certifier).Bind(2, id).Run();
    const std::vector<Observation::Reason>* reasons =
        context.reasons != nullptr ? context.reasons : (o != nullptr ? &o->reasons : nullptr);
    if (d.quarantine == QuarantineAction::kReplace && reasons != nullptr) {
      for (const Observation::Reason& r : *reasons) {
        quarantine_.Bind(1, certifier)
            .Bind(2, id)
            .Bind(3, r.field)
            .Bind(4, r.rule)
            .Bind(5, r.message)
            .Bind(6, at)
            .Run();
      }
    }
  }
  for (const mappings::HistoryEntry& h : d.history) {
    if (!HeldByTheRows(d, h)) Record(certifier, id, h.kind, h.detail, at);
  }
  return true;
}

void ObservedOf(const Observation& o, mappings::Observed& seen) {
  seen.content_hash = o.content_hash;
  seen.quarantined = o.quarantined;
  seen.has_cursor = o.cursor_value.has_value();
  seen.rules.clear();
  for (const Observation::Reason& r : o.reasons) seen.rules.push_back(r.rule);
}

mappings::Observed ObservedOf(const Observation& o) {
  mappings::Observed seen;
  ObservedOf(o, seen);
  return seen;
}

bool PassageRows::InsertObserved(const Observation& o, TimePoint seen_at, TimePoint now) {
  Context context = Context::Of(o);
  context.first_seen = seen_at;
  return Apply(o.certifier, o.id_technique,
               mappings::Decide(mappings::PassageFacts{}, ObservedOf(o)), context, now);
}

bool PassageRows::InsertInDeposit(const Observation& o, TimePoint seen_at,
                                  const mappings::LifecycleDecision& begun, std::int64_t deposit_id,
                                  TimePoint now, bool membership_later,
                                  std::optional<std::int64_t> history_mark) {
  using mappings::DepositLink;
  using mappings::PassageWrite;
  mappings::LifecycleDecision d = mappings::Decide(mappings::PassageFacts{}, ObservedOf(o));
  // The two decisions make one insert only when each is the plain one: a new passage, pending
  // and nothing else; put into a CREATION file, with nothing to write but its status, its
  // deposit and its membership. Otherwise, nothing is written: the caller inserts it pending
  // first (Apply) and records the file as for any passage.
  if (d.write != PassageWrite::kInsert || d.status != Status::kPending ||
      d.quarantine != mappings::QuarantineAction::kKeep || begun.refused ||
      begun.write != PassageWrite::kStatus || begun.deposit != DepositLink::kSet ||
      begun.withdrawal_deposit != DepositLink::kKeep ||
      begun.withdrawal != mappings::WithdrawalWrite::kKeep || begun.content_from_source ||
      begun.set_xsd_refused || begun.flag_changed_after_acceptance || begun.set_cdc_message ||
      begun.set_withdrawal_message || begun.set_missing_from_source ||
      begun.quarantine != mappings::QuarantineAction::kKeep) {
    return false;
  }
  d.status = begun.status;
  d.deposit = begun.deposit;
  d.history.insert(d.history.end(), begun.history.begin(), begun.history.end());
  // A given mark holds only while no row writes an event.
  if (history_mark && !std::all_of(d.history.begin(), d.history.end(),
                                   [&](const auto& h) { return HeldByTheRows(d, h); })) {
    return false;
  }
  Context context = Context::Of(o);
  context.deposit_id = deposit_id;
  context.membership_later = membership_later;
  context.first_seen = seen_at;
  context.history_mark = history_mark;
  return Apply(o.certifier, o.id_technique, d, context, now);
}

std::int64_t PassageRows::LastInsertedRowid() const { return sqlite3_last_insert_rowid(db_); }

int PassageRows::LinkRows(std::int64_t deposit_id, std::int64_t first, std::int64_t last) {
  return link_rows_.Bind(1, deposit_id).Bind(2, first).Bind(3, last).Run();
}

bool PassageRows::ApplyToAll(const std::string& certifier, const std::vector<std::string>& ids,
                             const mappings::LifecycleDecision& d, const Context& context,
                             TimePoint now, std::optional<Status> only_if) {
  if (ids.empty()) return true;
  // Set-based: a status write that leaves the content hash and the CDC's idTechnique as they are
  // (the membership, written first, copies them), with history and nothing else.
  if (d.write != mappings::PassageWrite::kStatus || d.set_missing_from_source || d.clear_missing ||
      d.quarantine != mappings::QuarantineAction::kKeep || d.content_from_source ||
      d.withdrawal == mappings::WithdrawalWrite::kCorrected) {
    ExecSql(db_, "SAVEPOINT apply_all", "");
    bool written = true;
    for (const std::string& id : ids) {
      if (!Apply(certifier, id, d, context, now, only_if)) {
        written = false;
        break;
      }
    }
    ExecSql(db_, written ? "RELEASE apply_all" : "ROLLBACK TO apply_all; RELEASE apply_all", "");
    return written;
  }
  // The list is checked before anything is written, so that no savepoint is needed (one would
  // copy every page the writes change to the statement journal, as ABORT does): a passage
  // listed twice, missing from the store or not in the status `only_if` names refuses it.
  std::unordered_map<std::string_view, std::size_t> position;  // in `ids`
  position.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!position.emplace(ids[i], i).second) return false;
  }
  ExecSql(db_, kListTable, "");
  if (!for_all_) for_all_ = std::make_unique<ForAll>(db_);
  ForAll& all = *for_all_;
  const std::string& at = At(now);
  all.clear.Run();
  // Each passage's rowid. A file lists passages mostly recorded one after the other: from the
  // first one's row, the rows that follow are read in rowid order and matched by key (a step a
  // row, where a look-up by key descends the primary key's index: 47 ms of the list's 53 for a
  // file of 50,000, bench/README.md, 2026-12-05, night). The walk stops once every passage is
  // found, after kWalkMissesAllowed rows in a row not listed, or when it has read
  // kWalkRowsPerListed rows a passage listed (a list scattered thinly over the store); the rest
  // are looked up by key.
  std::vector<std::int64_t> rowids(ids.size(), 0);  // 0: not found yet (rowids start at 1)
  all.find.Bind(1, certifier).Bind(2, ids.front());
  if (all.find.Next()) {
    rowids.front() = all.find.Integer(0);
    std::size_t found = 1;
    int misses = 0;
    std::size_t read = 0;
    const std::size_t most = kWalkRowsPerListed * ids.size() + kWalkMissesAllowed;
    all.walk.Bind(1, rowids.front()).Bind(2, certifier);
    while (found < ids.size() && misses < kWalkMissesAllowed && read++ < most && all.walk.Next()) {
      const auto it = position.find(all.walk.View(1));
      if (it == position.end() || rowids[it->second] != 0) {
        ++misses;
        continue;
      }
      rowids[it->second] = all.walk.Integer(0);
      ++found;
      misses = 0;
    }
    all.walk.Reset();
  }
  all.find.Reset();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto pos = static_cast<std::int64_t>(i + 1);
    if (rowids[i] != 0) {
      all.add_found.Bind(1, pos).Bind(2, ids[i]).Bind(3, rowids[i]).Run();
    } else {
      all.add.Bind(1, pos).Bind(2, ids[i]).Bind(3, certifier).Run();
    }
  }
  all.listed.Bind(1, only_if ? std::optional<std::string>(StatusName(*only_if)) : std::nullopt);
  const bool listable =
      all.listed.Next() && all.listed.Integer(0) == static_cast<std::int64_t>(ids.size());
  all.listed.Reset();
  if (listable) {
    // The membership first: its foreign key (the deposit) makes SQLite keep a statement journal
    // for it even under OR FAIL, into which every page the status write had left dirty in the
    // cache would be copied as the cache spills. Before the status write, it has nearly nothing
    // to copy (bench/README.md, 2026-12-04).
    if (Links(d)) all.link.Bind(1, context.deposit_id.value_or(0)).Run();
    const int changed = BindStatus(StatusWrite(d, true, only_if.has_value()), certifier, "", d,
                                   context, at, only_if)
                            .Run();
    if (changed != static_cast<int>(ids.size())) {
      // Checked above, in the same transaction: the store changed under its writer.
      throw std::runtime_error("a deposit's status write changed " + std::to_string(changed) +
                               " passages of " + std::to_string(ids.size()) + " listed");
    }
    for (const mappings::HistoryEntry& h : d.history) {
      if (HeldByTheRows(d, h)) continue;
      all.event.Bind(1, at).Bind(2, certifier).Bind(3, h.kind).Bind(4, h.detail).Run();
    }
  }
  all.clear.Run();
  return listable;
}

}  // namespace accrochd::store
