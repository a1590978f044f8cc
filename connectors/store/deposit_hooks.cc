#include "connectors/store/deposit_hooks.h"

#include <soci/soci.h>

#include "connectors/store/deposits.h"
#include "connectors/store/passage_rows.h"

namespace accrochd::store {
namespace {

constexpr const char* kHookColumns =
    "SELECT h.deposit_id, d.certifier, d.file_name, d.id_flux, d.sha256, d.passages, "
    "d.published_at, d.state, h.state, h.attempts, h.failures, h.last_result, h.last_code, "
    "h.last_detail, h.last_attempt_at, h.next_attempt_at, h.done_at, h.marked_uploaded "
    "FROM deposit_hooks h JOIN deposits d ON d.id = h.deposit_id ";

HookRecord HookFrom(const soci::row& r) {
  HookRecord h;
  h.deposit_id = Integer(r, 0);
  h.certifier = r.get<std::string>(1);
  h.file_name = r.get<std::string>(2);
  h.id_flux = r.get<std::string>(3);
  h.sha256 = r.get<std::string>(4);
  h.passages = Integer(r, 5);
  h.published_at = StoredOptionalTime(r.get<std::string>(6));
  h.deposit_state = r.get<std::string>(7);
  h.state = r.get<std::string>(8);
  h.attempts = static_cast<int>(Integer(r, 9));
  h.failures = static_cast<int>(Integer(r, 10));
  h.last_result = r.get<std::string>(11);
  h.last_code = static_cast<int>(Integer(r, 12));
  h.last_detail = r.get<std::string>(13);
  h.last_attempt_at = StoredOptionalTime(r.get<std::string>(14));
  h.next_attempt_at = StoredTime(r.get<std::string>(15));
  h.done_at = StoredOptionalTime(r.get<std::string>(16));
  h.marked_uploaded = Integer(r, 17) != 0;
  return h;
}

std::vector<HookRecord> Select(soci::session& sql, const std::string& where) {
  std::vector<HookRecord> out;
  soci::rowset<soci::row> rows = sql.prepare << (kHookColumns + where + " ORDER BY d.id");
  for (const soci::row& r : rows) out.push_back(HookFrom(r));
  return out;
}

// Changes one record in `states`; false when there is none in those states.
bool Update(soci::statement&& st) {
  st.execute(true);
  return st.get_affected_rows() == 1;
}

Result<void> NoRecord(std::int64_t id, const char* what) {
  return Fail(ErrorKind::kInternal, "the upload hook of deposit " + std::to_string(id) + " is " +
                                        what + "; nothing recorded");
}

}  // namespace

HookStore::HookStore(Database& db) : db_(db) {}

HookStore::~HookStore() = default;

PassageRows& HookStore::Rows() {
  if (!rows_) rows_ = std::make_unique<PassageRows>(db_.handle());
  return *rows_;
}

Result<std::vector<HookRecord>> HookStore::Unfinished() {
  return db_.Transact([&](soci::session& sql) {
    const std::string now = IsoUtc(db_.Now());
    sql << "INSERT INTO deposit_hooks (deposit_id, state, next_attempt_at) "
           "SELECT id, 'waiting', :now FROM deposits WHERE state = 'published' "
           "AND id NOT IN (SELECT deposit_id FROM deposit_hooks)",
        soci::use(now);
    std::vector<HookRecord> out = Select(sql, "WHERE h.state IN ('waiting', 'running')");
    return out;
  });
}

Result<std::vector<HookRecord>> HookStore::List() {
  return db_.Guarded([&](soci::session& sql) { return Select(sql, ""); });
}

Result<void> HookStore::Begin(std::int64_t deposit_id) {
  return db_.Guarded([&](soci::session& sql) -> Result<void> {
    const std::string now = IsoUtc(db_.Now());
    const long long id = deposit_id;
    // An autocommit under synchronous=FULL: durable before the program starts.
    if (!Update((sql.prepare << "UPDATE deposit_hooks SET state = 'running', "
                                "attempts = attempts + 1, last_attempt_at = :now "
                                "WHERE deposit_id = :id AND state IN ('waiting', 'running')",
                 soci::use(now), soci::use(id)))) {
      return NoRecord(deposit_id, "not waiting");
    }
    return {};
  });
}

Result<bool> HookStore::Succeeded(std::int64_t deposit_id, const HookResult& result,
                                  bool mark_uploaded) {
  return db_.Transact([&](soci::session& sql) -> Result<bool> {
    const TimePoint now = db_.Now();
    const std::string at = IsoUtc(now);
    const long long id = deposit_id;
    PassageRows& rows = Rows();
    std::string state, file_name;
    soci::indicator found = soci::i_null;
    sql << "SELECT state, file_name FROM deposits WHERE id = :id", soci::into(state, found),
        soci::into(file_name), soci::use(id);
    if (!sql.got_data() || found == soci::i_null) {
      return Fail(ErrorKind::kInternal, "no deposit " + std::to_string(deposit_id));
    }
    // Marked uploaded by hand, or answered, while the program ran: nothing more to mark.
    const bool marks = mark_uploaded && state == "published";
    const int marked = marks ? 1 : 0;
    if (!Update((sql.prepare << "UPDATE deposit_hooks SET state = 'done', last_result = :r, "
                                "last_code = :c, last_detail = :d, done_at = :now, "
                                "marked_uploaded = :m WHERE deposit_id = :id AND state = 'running'",
                 soci::use(result.result), soci::use(result.code), soci::use(result.detail),
                 soci::use(at), soci::use(marked), soci::use(id)))) {
      return std::unexpected(NoRecord(deposit_id, "not running").error());
    }
    if (marks) MarkUploadedIn(sql, rows, deposit_id, file_name, now);
    return marks;
  });
}

Result<int> HookStore::Failed(std::int64_t deposit_id, const HookResult& result,
                              TimePoint next_attempt) {
  return db_.Transact([&](soci::session& sql) -> Result<int> {
    const std::string next = IsoUtc(next_attempt);
    const long long id = deposit_id;
    if (!Update((sql.prepare << "UPDATE deposit_hooks SET state = 'waiting', "
                                "failures = failures + 1, last_result = :r, last_code = :c, "
                                "last_detail = :d, next_attempt_at = :n "
                                "WHERE deposit_id = :id AND state = 'running'",
                 soci::use(result.result), soci::use(result.code), soci::use(result.detail),
                 soci::use(next), soci::use(id)))) {
      return std::unexpected(NoRecord(deposit_id, "not running").error());
    }
    int failures = 0;
    sql << "SELECT failures FROM deposit_hooks WHERE deposit_id = :id", soci::into(failures),
        soci::use(id);
    return failures;
  });
}

Result<void> HookStore::Close(std::int64_t deposit_id) {
  return db_.Guarded([&](soci::session& sql) -> Result<void> {
    const long long id = deposit_id;
    if (!Update((sql.prepare << "UPDATE deposit_hooks SET state = 'closed' "
                                "WHERE deposit_id = :id AND state IN ('waiting', 'running')",
                 soci::use(id)))) {
      return NoRecord(deposit_id, "finished already");
    }
    return {};
  });
}

}  // namespace accrochd::store
