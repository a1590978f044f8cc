#include "connectors/store/alert_queue.h"

#include <soci/soci.h>

namespace accrochd::store {

Result<std::vector<bool>> AlertQueue::MarksRecorded(const std::string& certifier,
                                                    const std::vector<AlertMark>& marks) {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<bool> out;
    out.reserve(marks.size());
    std::string subject, kind, day;
    int found = 0;
    soci::statement st = (sql.prepare << "SELECT COUNT(*) FROM alert_marks WHERE certifier = :c "
                                         "AND subject = :s AND kind = :k AND day = :d",
                          soci::into(found), soci::use(certifier), soci::use(subject),
                          soci::use(kind), soci::use(day));
    for (const AlertMark& m : marks) {
      subject = m.subject;
      kind = m.kind;
      day = m.day;
      st.execute(true);
      out.push_back(found != 0);
    }
    return out;
  });
}

Result<void> AlertQueue::Queue(const std::string& certifier, const std::vector<AlertMark>& marks,
                               const std::vector<QueuedAlert>& messages) {
  return db_.Transact([&](soci::session& sql) {
    const std::string now = IsoUtc(db_.Now());
    std::string subject, kind, day;
    soci::statement mark =
        (sql.prepare << "INSERT OR IGNORE INTO alert_marks (certifier, subject, kind, day, at) "
                        "VALUES (:c, :s, :k, :d, :a)",
         soci::use(certifier), soci::use(subject), soci::use(kind), soci::use(day), soci::use(now));
    for (const AlertMark& m : marks) {
      subject = m.subject;
      kind = m.kind;
      day = m.day;
      mark.execute(true);
    }
    for (const QueuedAlert& q : messages) {
      sql << "INSERT INTO alert_queue (created_at, certifier, kind, severity, channel, "
             "recipients, subject, body_text, body_html, payload, attachment_name, attachment, "
             "next_attempt_at) VALUES (:a, :c, :k, :sv, :ch, :r, :s, :t, :h, :p, :an, :at, :n)",
          soci::use(now), soci::use(certifier), soci::use(q.kind), soci::use(q.severity),
          soci::use(q.channel), soci::use(q.recipients), soci::use(q.subject), soci::use(q.text),
          soci::use(q.html), soci::use(q.payload), soci::use(q.attachment_name),
          soci::use(q.attachment), soci::use(now);
    }
  });
}

namespace {

constexpr const char* kAlertColumns =
    "SELECT id, created_at, certifier, kind, severity, channel, recipients, subject, body_text, "
    "body_html, payload, state, attempts, next_attempt_at, last_detail, attachment_name, "
    "attachment "
    "FROM alert_queue ";

QueuedAlert AlertFrom(const soci::row& r) {
  QueuedAlert q;
  q.id = Integer(r, 0);
  q.created_at = StoredTime(r.get<std::string>(1));
  q.certifier = r.get<std::string>(2);
  q.kind = r.get<std::string>(3);
  q.severity = r.get<std::string>(4);
  q.channel = r.get<std::string>(5);
  q.recipients = r.get<std::string>(6);
  q.subject = r.get<std::string>(7);
  q.text = r.get<std::string>(8);
  q.html = r.get<std::string>(9);
  q.payload = r.get<std::string>(10);
  q.state = r.get<std::string>(11);
  q.attempts = static_cast<int>(Integer(r, 12));
  q.next_attempt_at = StoredTime(r.get<std::string>(13));
  q.last_detail = r.get<std::string>(14);
  q.attachment_name = r.get<std::string>(15);
  q.attachment = r.get<std::string>(16);
  return q;
}

}  // namespace

Result<std::vector<QueuedAlert>> AlertQueue::Due() {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<QueuedAlert> out;
    const std::string now = IsoUtc(db_.Now());
    soci::rowset<soci::row> rows =
        (sql.prepare << std::string(kAlertColumns) +
                            "WHERE state = 'queued' AND next_attempt_at <= :n ORDER BY id",
         soci::use(now));
    for (const soci::row& r : rows) out.push_back(AlertFrom(r));
    return out;
  });
}

Result<std::vector<QueuedAlert>> AlertQueue::All() {
  return db_.Guarded([&](soci::session& sql) {
    std::vector<QueuedAlert> out;
    soci::rowset<soci::row> rows = (sql.prepare << std::string(kAlertColumns) + "ORDER BY id");
    for (const soci::row& r : rows) out.push_back(AlertFrom(r));
    return out;
  });
}

Result<AlertCounts> AlertQueue::Counts() {
  return db_.Guarded([&](soci::session& sql) {
    AlertCounts counts;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT state, COUNT(*) FROM alert_queue GROUP BY state");
    for (const soci::row& r : rows) {
      const std::string state = r.get<std::string>(0);
      const std::int64_t n = Integer(r, 1);
      if (state == "queued") counts.queued = n;
      if (state == "delivered") counts.delivered = n;
      if (state == "failed") counts.failed = n;
    }
    return counts;
  });
}

Result<void> AlertQueue::RecordAttempt(std::int64_t id, const std::string& state,
                                       const std::string& detail,
                                       std::optional<TimePoint> next_attempt) {
  return db_.Guarded([&](soci::session& sql) {
    const std::string now = IsoUtc(db_.Now());
    const std::string next = next_attempt ? IsoUtc(*next_attempt) : now;
    const long long key = id;
    sql << "UPDATE alert_queue SET state = :s, attempts = attempts + 1, last_detail = :d, "
           "next_attempt_at = :n, done_at = CASE WHEN :s2 = 'queued' THEN NULL ELSE :now "
           "END WHERE id = :id",
        soci::use(state), soci::use(detail), soci::use(next), soci::use(state), soci::use(now),
        soci::use(key);
  });
}

Result<int> AlertQueue::PruneBodies(TimePoint before) {
  return db_.Guarded([&](soci::session& sql) {
    const std::string t = IsoUtc(before);
    soci::statement st =
        (sql.prepare << "UPDATE alert_queue SET body_text = '', body_html = '', "
                        "payload = '', attachment = '' WHERE state != 'queued' AND "
                        "done_at < :t AND (body_text != '' OR body_html != '' OR "
                        "payload != '' OR attachment != '')",
         soci::use(t));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  });
}

Result<std::optional<TimePoint>> AlertQueue::LastQueuedAt(const std::string& certifier,
                                                          const std::string& kind) {
  return db_.Guarded([&](soci::session& sql) {
    std::string at;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(created_at) FROM alert_queue WHERE certifier = :c AND kind = :k",
        soci::into(at, ind), soci::use(certifier), soci::use(kind);
    if (ind == soci::i_null) return std::optional<TimePoint>();
    return std::optional<TimePoint>(StoredTime(at));
  });
}

}  // namespace accrochd::store
