#include "connectors/store/cursors.h"

#include <soci/soci.h>

namespace accrochd::store {

Result<std::optional<Bookmark>> CursorStore::Get(const std::string& certifier,
                                                 const std::string& mapping) {
  return db_.Guarded([&](soci::session& sql) {
    Bookmark b{certifier, mapping, "", ""};
    soci::indicator ind = soci::i_null;
    sql << "SELECT value, fingerprint FROM cursors WHERE certifier = :c AND mapping = :m",
        soci::into(b.value, ind), soci::into(b.fingerprint), soci::use(certifier),
        soci::use(mapping);
    if (!sql.got_data() || ind == soci::i_null) return std::optional<Bookmark>();
    return std::optional<Bookmark>(std::move(b));
  });
}

Result<std::optional<std::string>> CursorStore::PendingFloor(const std::string& certifier,
                                                             const std::string& mapping,
                                                             bool numeric) {
  return db_.Guarded([&](soci::session& sql) {
    long long pending = 0, without = 0;
    sql << "SELECT COUNT(*), COALESCE(SUM(cursor_value IS NULL), 0) FROM passages "
           "WHERE certifier = :c AND mapping = :m AND status = 'pending'",
        soci::into(pending), soci::into(without), soci::use(certifier), soci::use(mapping);
    if (pending == 0) return std::optional<std::string>();
    if (without > 0) return std::optional<std::string>("");
    std::string floor;
    sql << (numeric ? "SELECT CAST(MIN(CAST(cursor_value AS INTEGER)) AS TEXT) FROM "
                      "passages WHERE certifier = :c AND mapping = :m AND status = 'pending'"
                    : "SELECT MIN(cursor_value) FROM passages WHERE certifier = :c AND "
                      "mapping = :m AND status = 'pending'"),
        soci::into(floor), soci::use(certifier), soci::use(mapping);
    return std::optional<std::string>(floor);
  });
}

void SaveBookmark(soci::session& sql, const Bookmark& bookmark, TimePoint now) {
  const std::string at = IsoUtc(now);
  sql << "INSERT INTO cursors (certifier, mapping, value, fingerprint, updated_at) "
         "VALUES (:c, :m, :v, :f, :n) ON CONFLICT (certifier, mapping) DO UPDATE SET "
         "value = excluded.value, fingerprint = excluded.fingerprint, "
         "updated_at = excluded.updated_at",
      soci::use(bookmark.certifier), soci::use(bookmark.mapping), soci::use(bookmark.value),
      soci::use(bookmark.fingerprint), soci::use(at);
}

}  // namespace accrochd::store
