// The ODBC source: a certifier's database reached through unixODBC and SOCI's ODBC backend.
//
// What it takes care of, from measurements on Debian 12 (reference/ecosystem.md §1c):
//  * rows are fetched in bulk, every column as text with its NULL indicator, so NUMERIC stays
//    exact and nothing goes through SOCI's row API (which cuts strings at 255 characters);
//  * psqlODBC buffers a whole result unless UseDeclareFetch=1: the connector adds it (with
//    Fetch=<fetch_size>) when the connection string does not say otherwise;
//  * MariaDB Connector/ODBC 3.1.15 always buffers the whole result: queries on it should use
//    keyset paging (QuerySpec::page_by), and the connector warns when they do not;
//  * query timeout and stop requests cancel the running statement with SQLCancel from a
//    watchdog thread -- the one mechanism all three Debian drivers honour (MariaDB's refuses
//    SQL_ATTR_QUERY_TIMEOUT, SQLite's ignores it);
//  * a lost connection (SQLSTATE 08*, PostgreSQL's 57P0x, or an error after which the session is
//    no longer connected) is retried with capped exponential backoff where that cannot change
//    the result: before the first row, or between pages; otherwise it is reported;
//  * the SQLite ODBC driver creates an empty database where the file is missing: the connector
//    adds NoCreat=1 (unless the connection string sets NoCreat), reports a missing file as a
//    configuration error naming the path, and reconnects when the path names another file than
//    the one opened (a file replaced by rename, or removed), checked at each query;
//  * each connection is first tried with plain ODBC handles that are always freed (SOCI 4.0.3
//    leaks its handles when a connection attempt fails), which also reads the driver's identity.
#ifndef ACCROCHD_CONNECTORS_SOURCE_ODBC_SOURCE_H_
#define ACCROCHD_CONNECTORS_SOURCE_ODBC_SOURCE_H_

#include <memory>
#include <optional>
#include <string>

#include "connectors/source/source.h"
#include "core/sql_text.h"
#include "core/clock.h"
#include "core/duration.h"
#include "core/log.h"
#include "core/retry.h"

namespace accrochd::source {

struct OdbcSourceSettings {
  std::string name;                     // as in the configuration; named in every message
  std::string connection;               // ODBC connection string, without the password
  std::optional<std::string> password;  // added as PWD={...} in memory, never shown
  std::size_t fetch_size = 1000;        // rows per round trip
  Duration query_timeout = std::chrono::minutes(5);  // per blocking call (execute, one fetch)
  RetryPolicy retry;
  PageSyntax page_syntax = PageSyntax::kLimit;
};

// `logger` and `clock` must outlive the source.
std::unique_ptr<Source> OpenOdbcSource(OdbcSourceSettings settings, Logger& logger, Clock& clock);

struct OdbcLibraryVersions {
  std::string soci;      // e.g. "4.0.3"
  std::string unixodbc;  // e.g. "2.3.11", from the driver manager actually loaded
};

OdbcLibraryVersions GetOdbcLibraryVersions();

}  // namespace accrochd::source

#endif  // ACCROCHD_CONNECTORS_SOURCE_ODBC_SOURCE_H_
