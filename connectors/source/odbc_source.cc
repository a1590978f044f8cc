#include "connectors/source/odbc_source.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <odbcinst.h>
#include <sys/stat.h>

#include <soci/odbc/soci-odbc.h>
#include <soci/soci.h>
#include <soci/version.h>
#include <sql.h>
#include <sqlext.h>

#include "connectors/source/connection_string.h"
#include "core/text.h"

namespace accrochd::source {
namespace {

// Seconds a connection attempt may take before the driver gives up (SQL_ATTR_LOGIN_TIMEOUT).
constexpr std::uintptr_t kLoginTimeoutSeconds = 30;

SQLPOINTER IntegerAttribute(std::uintptr_t value) { return reinterpret_cast<SQLPOINTER>(value); }

// Owns one ODBC handle (style.md §7).
class OdbcHandle {
 public:
  OdbcHandle(SQLSMALLINT type, SQLHANDLE parent) : type_(type) {
    if (!SQL_SUCCEEDED(SQLAllocHandle(type, parent, &handle_))) handle_ = SQL_NULL_HANDLE;
  }
  ~OdbcHandle() {
    if (handle_ != SQL_NULL_HANDLE) SQLFreeHandle(type_, handle_);
  }
  OdbcHandle(const OdbcHandle&) = delete;
  OdbcHandle& operator=(const OdbcHandle&) = delete;

  SQLHANDLE get() const { return handle_; }

 private:
  SQLSMALLINT type_;
  SQLHANDLE handle_ = SQL_NULL_HANDLE;
};

struct OdbcDiagnostic {
  std::string sqlstate;  // of the first record
  std::string text;      // "[SQLSTATE] message" for each record, joined
};

OdbcDiagnostic ReadDiagnostics(SQLSMALLINT type, SQLHANDLE handle) {
  OdbcDiagnostic out;
  for (SQLSMALLINT i = 1; i <= 4; ++i) {
    SQLCHAR state[SQL_SQLSTATE_SIZE + 1] = {};
    SQLINTEGER native = 0;
    SQLCHAR message[SQL_MAX_MESSAGE_LENGTH + 1] = {};
    SQLSMALLINT length = 0;
    SQLRETURN rc = SQLGetDiagRec(type, handle, i, state, &native, message,
                                 static_cast<SQLSMALLINT>(sizeof(message)), &length);
    if (!SQL_SUCCEEDED(rc)) break;
    std::string s(reinterpret_cast<const char*>(state));
    if (out.sqlstate.empty()) out.sqlstate = s;
    if (!out.text.empty()) out.text += "; ";
    out.text += "[" + s + "] " + reinterpret_cast<const char*>(message);
  }
  if (out.text.empty()) out.text = "the driver gave no diagnostic";
  return out;
}

std::string GetInfoString(SQLHDBC dbc, SQLUSMALLINT what) {
  SQLCHAR buffer[256] = {};
  SQLSMALLINT length = 0;
  if (!SQL_SUCCEEDED(
          SQLGetInfo(dbc, what, buffer, static_cast<SQLSMALLINT>(sizeof(buffer)), &length))) {
    return "unknown";
  }
  return reinterpret_cast<const char*>(buffer);
}

// Connects with plain ODBC handles, reads what the driver says about itself, disconnects.
Result<SourceInfo> ProbeConnection(const std::string& connection_string) {
  OdbcHandle env(SQL_HANDLE_ENV, SQL_NULL_HANDLE);
  if (env.get() == SQL_NULL_HANDLE) {
    return Fail(ErrorKind::kInternal, "cannot allocate an ODBC environment handle");
  }
  SQLSetEnvAttr(env.get(), SQL_ATTR_ODBC_VERSION, IntegerAttribute(SQL_OV_ODBC3), 0);
  OdbcHandle dbc(SQL_HANDLE_DBC, env.get());
  if (dbc.get() == SQL_NULL_HANDLE) {
    return Fail(ErrorKind::kInternal, "cannot allocate an ODBC connection handle");
  }
  SQLSetConnectAttr(dbc.get(), SQL_ATTR_LOGIN_TIMEOUT, IntegerAttribute(kLoginTimeoutSeconds), 0);
  std::string cs = connection_string;
  SQLRETURN rc = SQLDriverConnect(dbc.get(), nullptr, reinterpret_cast<SQLCHAR*>(cs.data()),
                                  SQL_NTS, nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT);
  if (!SQL_SUCCEEDED(rc)) {
    OdbcDiagnostic d = ReadDiagnostics(SQL_HANDLE_DBC, dbc.get());
    // Problems that do not fix themselves by waiting, so are not retried: the driver manager
    // cannot find or load the driver or DSN (IM*, or unixODBC's "Can't open lib" under 01000),
    // or the credentials are refused (28*, which psqlODBC reports as 08001 with the server's
    // message).
    if (d.sqlstate.starts_with("IM") || d.text.find("Can't open lib") != std::string::npos) {
      return Fail(ErrorKind::kConfig,
                  d.text +
                      " (is the ODBC driver installed? `odbcinst -q -d` lists the drivers "
                      "unixODBC knows, `odbcinst -q -s` the DSNs)");
    }
    if (d.sqlstate.starts_with("28") || d.text.find("authentication failed") != std::string::npos) {
      return Fail(ErrorKind::kConfig, d.text + " (check the user name and the password)");
    }
    return Fail(ErrorKind::kSourceUnavailable, d.text);
  }
  SourceInfo info;
  info.dbms_name = GetInfoString(dbc.get(), SQL_DBMS_NAME);
  info.dbms_version = GetInfoString(dbc.get(), SQL_DBMS_VER);
  info.driver_name = GetInfoString(dbc.get(), SQL_DRIVER_NAME);
  info.driver_version = GetInfoString(dbc.get(), SQL_DRIVER_VER);
  SQLDisconnect(dbc.get());
  return info;
}

// An entry of odbc.ini or odbcinst.ini (`file` "ODBC.INI" or "ODBCINST.INI"), read as the driver
// manager reads it (the user's file, then the system's); "" when absent.
std::string ProfileString(const std::string& section, const char* entry, const char* file) {
  char buffer[1024] = {};
  if (SQLGetPrivateProfileString(section.c_str(), entry, "", buffer,
                                 static_cast<int>(sizeof(buffer)), file) <= 0) {
    return "";
  }
  return buffer;
}

// The base name of the library the driver manager loads for `connection`, found before
// connecting: Driver= names a library or an odbcinst.ini section; DSN= an odbc.ini section
// naming either. "" when it cannot be told.
std::string DriverLibrary(const std::string& connection) {
  std::string driver = FindAttribute(connection, "Driver").value_or("");
  if (driver.empty()) {
    if (auto dsn = FindAttribute(connection, "DSN"))
      driver = ProfileString(*dsn, "Driver", "ODBC.INI");
  }
  if (driver.empty()) return "";
  if (driver.find('/') == std::string::npos && !driver.ends_with(".so")) {
    driver = ProfileString(driver, "Driver", "ODBCINST.INI");
  }
  const std::size_t slash = driver.rfind('/');
  return slash == std::string::npos ? driver : driver.substr(slash + 1);
}

// Debian's libsqliteodbc: libsqlite3odbc.so for SQLite 3 (libsqliteodbc.so, SQLite 2, has no
// NoCreat and is not recognised).
bool IsSqlite3OdbcLibrary(const std::string& library) {
  return library.starts_with("libsqlite3odbc");
}

// The file a SQLite 3 connection opens: Database= in the connection string, else the DSN's.
// None for an in-memory database or a URI, which accrochd does not follow.
std::optional<std::string> SqliteDatabaseFile(const std::string& connection) {
  std::string path = FindAttribute(connection, "Database").value_or("");
  if (path.empty()) {
    if (auto dsn = FindAttribute(connection, "DSN"))
      path = ProfileString(*dsn, "Database", "ODBC.INI");
  }
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) return std::nullopt;
  return path;
}

// Which file a path names. While a connection holds the old file open, its inode cannot be
// reused, so a different (st_dev, st_ino) always means another file.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

// The identity of `path`, or the errno of stat().
std::expected<FileIdentity, int> IdentifyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::unexpected(errno);
  return FileIdentity{st.st_dev, st.st_ino};
}

// Why the SQLite driver could not open `path`, when stat() says so: the driver itself only says
// "connect failed".
Error MissingDatabaseFile(const std::string& path, int error) {
  if (error == ENOENT) {
    return Error(ErrorKind::kConfig,
                 "the SQLite database file " + path +
                     " does not exist (accrochd only reads: it opens the file with NoCreat=1 "
                     "and never creates it). Check Database= in the connection string, or put "
                     "the file back: a running accrochd reads it again at its next cycle");
  }
  return Error(ErrorKind::kConfig, "the SQLite database file " + path +
                                       " cannot be opened: " + std::strerror(error) +
                                       " (check the path and the permissions of the file and "
                                       "its directories for the user accrochd runs as)");
}

bool IsPsqlOdbc(const SourceInfo& info) { return info.driver_name.starts_with("psqlodbc"); }

bool BuffersWholeResult(const SourceInfo& info) {
  return info.driver_name.find("maodbc") != std::string::npos ||
         info.driver_name.find("myodbc") != std::string::npos;
}

// Cancels the statement in flight when it overruns the timeout, or at once on a stop request.
// One thread per source, asleep between calls. The statement handle is only touched under the
// mutex, and Disarm() takes the mutex, so a cancel never races with the statement's release.
class CancelWatchdog {
 public:
  enum class Reason { kNone, kTimeout, kStop };

  CancelWatchdog() : thread_([this] { Run(); }) {}
  ~CancelWatchdog() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  CancelWatchdog(const CancelWatchdog&) = delete;
  CancelWatchdog& operator=(const CancelWatchdog&) = delete;

  void Arm(SQLHSTMT statement, Duration timeout) {
    {
      std::lock_guard lock(mutex_);
      statement_ = statement;
      deadline_ = std::chrono::steady_clock::now() + timeout;
      reason_ = Reason::kNone;
      ++generation_;
    }
    cv_.notify_all();
  }

  Reason Disarm() {
    std::lock_guard lock(mutex_);
    statement_ = SQL_NULL_HSTMT;
    return reason_;
  }

  void CancelForStop() {
    std::lock_guard lock(mutex_);
    if (statement_ != SQL_NULL_HSTMT && reason_ == Reason::kNone) {
      reason_ = Reason::kStop;
      SQLCancel(statement_);
    }
  }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    while (!quit_) {
      if (statement_ == SQL_NULL_HSTMT || reason_ != Reason::kNone) {
        std::uint64_t seen = generation_;
        cv_.wait(lock, [&] { return quit_ || generation_ != seen; });
        continue;
      }
      if (cv_.wait_until(lock, deadline_) == std::cv_status::timeout &&
          statement_ != SQL_NULL_HSTMT && reason_ == Reason::kNone &&
          std::chrono::steady_clock::now() >= deadline_) {
        reason_ = Reason::kTimeout;
        SQLCancel(statement_);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  SQLHSTMT statement_ = SQL_NULL_HSTMT;
  std::chrono::steady_clock::time_point deadline_;
  Reason reason_ = Reason::kNone;
  std::uint64_t generation_ = 0;
  bool quit_ = false;
  std::thread thread_;  // last: started once the members it reads exist
};

bool IsIntegerType(SQLSMALLINT type) {
  switch (type) {
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT:
      return true;
    default:
      return false;
  }
}

ValueKind KindOf(SQLSMALLINT type) {
  if (IsIntegerType(type)) return ValueKind::kInteger;
  switch (type) {
    case SQL_TYPE_DATE:
    case SQL_DATE:
      return ValueKind::kDate;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP:
      return ValueKind::kTimestamp;
    case SQL_CHAR:
    case SQL_VARCHAR:
    case SQL_LONGVARCHAR:
    case SQL_WCHAR:
    case SQL_WVARCHAR:
    case SQL_WLONGVARCHAR:
      return ValueKind::kText;
    default:
      return ValueKind::kOther;
  }
}

bool IsCharacterType(SQLSMALLINT type) {
  switch (type) {
    case SQL_CHAR:
    case SQL_VARCHAR:
    case SQL_LONGVARCHAR:
    case SQL_WCHAR:
    case SQL_WVARCHAR:
    case SQL_WLONGVARCHAR:
      return true;
    default:
      return false;
  }
}

// A typed parameter for the next page's key comparison.
struct KeyValue {
  bool integer = false;
  std::string text;
  SQLSMALLINT sql_type = SQL_VARCHAR;  // for text: the type the driver converts it to
};

// The parameter that compares a cursor column with its bookmark.
KeyValue SinceParameter(const CursorFilter& since) {
  KeyValue v;
  v.integer = since.type.kind == ValueKind::kInteger;
  v.text = since.from;
  switch (since.type.kind) {
    case ValueKind::kDate: v.sql_type = SQL_TYPE_DATE; break;
    case ValueKind::kTimestamp: v.sql_type = SQL_TYPE_TIMESTAMP; break;
    default: v.sql_type = SQL_VARCHAR; break;
  }
  return v;
}

// An ODBC call on a statement failed; carries the driver's diagnostics. Thrown and caught
// inside this file only.
struct StatementError {
  OdbcDiagnostic diagnostic;
};

// Bytes asked of the driver per SQLGetData call. Longer values come in several calls. Kept
// small on purpose: the SQLite ODBC driver pads the whole buffer on every call.
constexpr SQLLEN kChunkBytes = 2048;

// One statement on the source's connection, read row by row with SQLFetch and SQLGetData.
//
// Why not SOCI's bulk vectors: SOCI 4.0.3 sizes string buffers from the column size the driver
// reports, gives 100 MiB to every column reported at 8000 or more (every TEXT column of SQLite,
// reported as 65536) and falls back to one row per fetch, so that with the SQLite ODBC driver,
// which pads the buffer it fills, 189 rows of the demo took 31 s; its row API cuts strings at
// 255. Reading each value with SQLGetData in chunks cannot truncate, keeps NULL apart from the
// empty string, reads NUMERIC as the driver's exact text, and measured as fast as SOCI's bulk
// path on psqlODBC (200,000 rows: 0.34 s against 0.40 s). The network side stays in bulk:
// psqlODBC fetches `Fetch` rows per round trip.
class StatementReader {
 public:
  StatementReader(std::shared_ptr<soci::session> session, std::size_t fetch_size)
      : session_(std::move(session)), fetch_size_(fetch_size) {}

  SQLHSTMT handle() const { return statement_ ? statement_->get() : SQL_NULL_HSTMT; }

  // Allocates the statement handle; call before handle() and Prepare().
  void Alloc() {
    auto* backend = static_cast<soci::odbc_session_backend*>(session_->get_backend());
    statement_ = std::make_unique<OdbcHandle>(SQL_HANDLE_STMT, backend->hdbc_);
    if (statement_->get() == SQL_NULL_HANDLE) {
      throw StatementError{ReadDiagnostics(SQL_HANDLE_DBC, backend->hdbc_)};
    }
  }

  // Prepares; afterwards column names and types are known.
  void Prepare(const std::string& sql) {
    std::string text = sql;
    Check(SQLPrepare(handle(), reinterpret_cast<SQLCHAR*>(text.data()), SQL_NTS));
    SQLSMALLINT count = 0;
    Check(SQLNumResultCols(handle(), &count));
    std::vector<std::string> names;
    for (SQLUSMALLINT i = 1; i <= static_cast<SQLUSMALLINT>(count); ++i) {
      SQLCHAR name[512] = {};
      SQLSMALLINT name_length = 0, type = 0, decimals = 0, nullable = 0;
      SQLULEN size = 0;
      Check(SQLDescribeCol(handle(), i, name, static_cast<SQLSMALLINT>(sizeof(name)), &name_length,
                           &type, &size, &decimals, &nullable));
      names.emplace_back(reinterpret_cast<const char*>(name));
      types_.push_back(type);
    }
    columns_ = std::make_shared<const Columns>(std::move(names));
  }

  const std::shared_ptr<const Columns>& columns() const { return columns_; }
  SQLSMALLINT type(std::size_t column) const { return types_[column]; }

  // Binds the parameters, in order, and executes.
  void Execute(const std::vector<KeyValue>& parameters) {
    SQLUSMALLINT number = 1;
    for (const KeyValue& p : parameters) {
      if (p.integer) {
        integer_parameters_.push_back(std::stoll(p.text));
        Check(SQLBindParameter(handle(), number++, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 0, 0,
                               &integer_parameters_.back(), 0, nullptr));
      } else {
        text_parameters_.push_back(p.text);
        text_lengths_.push_back(static_cast<SQLLEN>(p.text.size()));
        Check(SQLBindParameter(handle(), number++, SQL_PARAM_INPUT, SQL_C_CHAR, p.sql_type,
                               std::max<SQLULEN>(1, p.text.size()), 0,
                               text_parameters_.back().data(), text_lengths_.back(),
                               &text_lengths_.back()));
      }
    }
    SQLRETURN rc = SQLExecute(handle());
    if (rc != SQL_NO_DATA) Check(rc);  // SQL_NO_DATA: a statement that yields no result set
  }

  // Replaces batch.rows with up to fetch_size rows; false at the end of the result.
  bool Fetch(RowBatch& batch) {
    batch.columns = columns_;
    batch.rows.clear();
    if (at_end_) return false;
    while (batch.rows.size() < fetch_size_) {
      SQLRETURN rc = SQLFetch(handle());
      if (rc == SQL_NO_DATA) {
        at_end_ = true;
        break;
      }
      Check(rc);
      SourceRow& row = batch.rows.emplace_back();
      row.values.resize(columns_->size());
      for (std::size_t c = 0; c < columns_->size(); ++c) {
        row.values[c] = ReadValue(static_cast<SQLUSMALLINT>(c + 1));
      }
    }
    return !batch.rows.empty();
  }

 private:
  void Check(SQLRETURN rc) const {
    if (!SQL_SUCCEEDED(rc)) throw StatementError{ReadDiagnostics(SQL_HANDLE_STMT, handle())};
  }

  Value ReadValue(SQLUSMALLINT column) {
    std::string value;
    for (;;) {
      SQLLEN indicator = 0;
      SQLRETURN rc = SQLGetData(handle(), column, SQL_C_CHAR, chunk_, kChunkBytes, &indicator);
      Check(rc);
      if (indicator == SQL_NULL_DATA) return std::nullopt;
      if (rc == SQL_SUCCESS_WITH_INFO && (indicator == SQL_NO_TOTAL || indicator >= kChunkBytes)) {
        // Truncated (01004): the buffer holds kChunkBytes - 1 bytes and a terminator; the
        // rest comes with the next call.
        value.append(chunk_, static_cast<std::size_t>(kChunkBytes - 1));
        continue;
      }
      value.append(chunk_, static_cast<std::size_t>(indicator));
      return value;
    }
  }

  std::shared_ptr<soci::session> session_;  // keeps the connection alive as long as the handle
  std::unique_ptr<OdbcHandle> statement_;
  std::size_t fetch_size_;
  std::shared_ptr<const Columns> columns_;
  std::vector<SQLSMALLINT> types_;
  bool at_end_ = false;
  char chunk_[kChunkBytes];
  std::deque<long long> integer_parameters_;  // deques: bound addresses must not move
  std::deque<std::string> text_parameters_;
  std::deque<SQLLEN> text_lengths_;
};

class OdbcSource;

// What went wrong with one call to the database, once translated.
struct CallFailure {
  Error error;
  bool connection_lost = false;
};

class OdbcSource final : public Source {
 public:
  OdbcSource(OdbcSourceSettings settings, Logger& logger, Clock& clock)
      : settings_(std::move(settings)),
        logger_(logger),
        clock_(clock),
        connection_(settings_.connection) {}

  const std::string& name() const override { return settings_.name; }

  Result<SourceInfo> Probe(std::stop_token stop) override {
    ReconnectIfFileReplaced();
    if (auto r = EnsureConnected(stop); !r) return std::unexpected(r.error());
    return info_;
  }

  void Disconnect() override { session_.reset(); }

  Result<std::vector<std::string>> DescribeColumns(const std::string& sql,
                                                   std::stop_token stop) override;
  Result<ColumnType> DescribeColumnType(const std::string& sql, const std::string& column,
                                        std::stop_token stop) override;

  Result<std::unique_ptr<RowStream>> Query(const QuerySpec& spec, std::stop_token stop) override;

  // --- used by the streams ---

  const OdbcSourceSettings& settings() const { return settings_; }
  Logger& logger() { return logger_; }

  Result<void> EnsureConnected(std::stop_token stop);

  // Runs `call` (which talks to the database through `reader`) under the cancel watchdog and
  // translates whatever it throws.
  CallFailure Translate(bool armed, std::stop_token stop, const std::string& sqlstate,
                        const std::string& message);
  template <typename F>
  std::optional<CallFailure> Guarded(StatementReader* reader, std::stop_token stop, F&& call);

  // After a lost connection: forget the session, wait, and count the attempt. Returns an error
  // when the retry budget is spent or a stop was requested.
  Result<void> BackOffAfterLoss(int attempt, const Error& cause, std::stop_token stop);

  const std::shared_ptr<soci::session>& session() { return session_; }

  std::string Scrub(std::string text) const {
    return ScrubSecret(std::move(text), settings_.password.value_or(""));
  }

  std::string Named(std::string_view what) const {
    return "source \"" + settings_.name + "\": " + std::string(what);
  }

 private:
  Result<void> ConnectOnce();
  bool SessionLooksConnected();
  void ReconnectIfFileReplaced();

  OdbcSourceSettings settings_;
  Logger& logger_;
  Clock& clock_;
  std::string connection_;  // the configured string plus options we add; no password
  bool options_decided_ = false;
  bool driver_known_ = false;                 // the driver was looked up before connecting
  std::optional<std::string> database_file_;  // SQLite: the file the driver opens
  std::optional<FileIdentity> opened_file_;   // ... and which file that was at connection time
  std::shared_ptr<soci::session> session_;  // shared with the statements reading from it
  SourceInfo info_;
  int failed_connects_ = 0;  // consecutive, for the "reachable again" message
  CancelWatchdog watchdog_;
};

Result<void> OdbcSource::ConnectOnce() {
  auto with_password = [&](const std::string& cs) {
    return settings_.password ? AppendAttribute(cs, "PWD", *settings_.password) : cs;
  };
  if (!driver_known_) {
    // Decided before the first connection, which would already create the file.
    driver_known_ = true;
    if (IsSqlite3OdbcLibrary(DriverLibrary(settings_.connection))) {
      database_file_ = SqliteDatabaseFile(settings_.connection);
      if (!FindAttribute(settings_.connection, "NoCreat")) {
        // Without it the driver creates an empty database at a path that does not exist, and
        // every later query fails with "no such table", even once the real file is back.
        connection_ = AppendAttribute(connection_, "NoCreat", "1");
      }
    }
  }
  // Taken before connecting: if the file is replaced meanwhile, the next check reconnects.
  std::optional<FileIdentity> file;
  int file_error = 0;
  if (database_file_) {
    auto identity = IdentifyFile(*database_file_);
    if (identity) {
      file = *identity;
    } else {
      file_error = identity.error();
    }
  }
  Result<SourceInfo> info = ProbeConnection(with_password(connection_));
  if (!info) {
    if (database_file_ && !file)
      return std::unexpected(MissingDatabaseFile(*database_file_, file_error));
    return Fail(info.error().kind(), Scrub(info.error().message()));
  }
  if (!options_decided_) {
    options_decided_ = true;
    if (IsPsqlOdbc(*info) && !FindAttribute(settings_.connection, "UseDeclareFetch")) {
      // Without it psqlODBC reads the whole result into memory at execute time.
      connection_ = AppendAttribute(connection_, "UseDeclareFetch", "1");
      connection_ = AppendAttribute(connection_, "Fetch", std::to_string(settings_.fetch_size));
    }
  }
  try {
    soci::connection_parameters parameters(soci::odbc, with_password(connection_));
    parameters.set_option(soci::odbc_option_driver_complete, "0");  // never prompt
    session_ = std::make_shared<soci::session>(parameters);
  } catch (const std::exception& e) {
    session_.reset();
    return Fail(ErrorKind::kSourceUnavailable, Scrub(e.what()));
  }
  // Advisory: the daemon only reads. Drivers that do not support it ignore it.
  auto* backend = static_cast<soci::odbc_session_backend*>(session_->get_backend());
  SQLSetConnectAttr(backend->hdbc_, SQL_ATTR_ACCESS_MODE, IntegerAttribute(SQL_MODE_READ_ONLY), 0);
  info_ = *info;
  opened_file_ = file;
  return {};
}

// Tools refresh a file by writing a new one and renaming it over the old: a connection kept
// open would read the old, deleted file for ever. One stat() per call tells; a file rewritten in
// place keeps its identity and SQLite itself sees the change.
void OdbcSource::ReconnectIfFileReplaced() {
  if (!session_ || !database_file_) return;
  auto now = IdentifyFile(*database_file_);
  if (now && opened_file_ && *now == *opened_file_) return;
  logger_.Info(Named("the database file " + *database_file_ + (now ? " was replaced" : " is gone") +
                     "; reconnecting"),
               {{std::string(kFieldSource), settings_.name}});
  session_.reset();
}

Result<void> OdbcSource::EnsureConnected(std::stop_token stop) {
  if (session_) return {};
  const RetryPolicy& policy = settings_.retry;
  Duration waited{0};
  for (int attempt = 1;; ++attempt) {
    Result<void> r = ConnectOnce();
    if (r) {
      if (failed_connects_ > 0) {
        logger_.Info(Named("reachable again after " + std::to_string(failed_connects_) +
                           " failed connection attempt(s)"),
                     {{std::string(kFieldSource), settings_.name}}, kMessageIdSourceRecovered);
      }
      failed_connects_ = 0;
      return {};
    }
    ++failed_connects_;
    const Error& e = r.error();
    if (e.kind() != ErrorKind::kSourceUnavailable) {
      return Fail(e.kind(), Named("cannot connect: " + e.message()));
    }
    if (attempt >= policy.max_attempts) {
      return Fail(ErrorKind::kSourceUnavailable,
                  Named("unreachable after " + std::to_string(attempt) + " attempt(s) over " +
                        FormatDuration(waited) + "; last error: " + e.message() +
                        ". Check that the database server is running and reachable; test the "
                        "connection with: isql -v -k \"" +
                        Redact(connection_) + "\""));
    }
    Duration delay = policy.DelayAfter(attempt);
    logger_.Warning(Named("connection attempt " + std::to_string(attempt) + "/" +
                          std::to_string(policy.max_attempts) + " failed: " + e.message() +
                          "; retrying in " + FormatDuration(delay)),
                    {{std::string(kFieldSource), settings_.name}}, kMessageIdSourceUnavailable);
    if (!clock_.SleepFor(delay, stop)) {
      return Fail(ErrorKind::kCancelled, Named("stop requested while waiting to reconnect"));
    }
    waited += delay;
  }
}

bool OdbcSource::SessionLooksConnected() {
  try {
    return session_ && session_->is_connected();
  } catch (const std::exception&) {
    return false;
  }
}

template <typename F>
std::optional<CallFailure> OdbcSource::Guarded(StatementReader* reader, std::stop_token stop,
                                               F&& call) {
  std::stop_callback on_stop(stop, [this] { watchdog_.CancelForStop(); });
  bool armed = false;
  try {
    if (reader != nullptr && stop.stop_requested()) {
      return CallFailure{Error(ErrorKind::kCancelled, Named("stop requested")), false};
    }
    auto arm = [&](StatementReader& r) {
      watchdog_.Arm(r.handle(), settings_.query_timeout);
      armed = true;
    };
    call(arm);
    if (armed) watchdog_.Disarm();
    return std::nullopt;
  } catch (const StatementError& e) {
    return Translate(armed, stop, e.diagnostic.sqlstate, e.diagnostic.text);
  } catch (const std::exception& e) {
    std::string sqlstate;
    std::string message = e.what();
    if (const auto* odbc = dynamic_cast<const soci::odbc_soci_error*>(&e)) {
      sqlstate = reinterpret_cast<const char*>(odbc->odbc_error_code());
      message = "[" + sqlstate + "] " + reinterpret_cast<const char*>(odbc->odbc_error_message());
    }
    return Translate(armed, stop, sqlstate, message);
  }
}

CallFailure OdbcSource::Translate(bool armed, std::stop_token stop, const std::string& sqlstate,
                                  const std::string& message) {
  CancelWatchdog::Reason reason = armed ? watchdog_.Disarm() : CancelWatchdog::Reason::kNone;
  if (reason == CancelWatchdog::Reason::kTimeout) {
    return CallFailure{
        Error(ErrorKind::kTimeout,
              Named("the query ran longer than query_timeout (" +
                    FormatDuration(settings_.query_timeout) + ") and was cancelled")),
        false};
  }
  if (reason == CancelWatchdog::Reason::kStop || stop.stop_requested()) {
    return CallFailure{Error(ErrorKind::kCancelled, Named("query cancelled: stop requested")),
                       false};
  }
  // 08*: connection exceptions; 57P01-03: PostgreSQL server shutting down or restarting. Other
  // drivers report a dead link with a generic state, so ask the session too.
  bool lost = sqlstate.starts_with("08") || sqlstate.starts_with("57P0") || sqlstate == "HYT01" ||
              !SessionLooksConnected();
  std::string text = Scrub(message);
  struct stat st {};
  if (!lost && database_file_ && ::stat(database_file_->c_str(), &st) == 0 && st.st_size == 0) {
    // What the driver left where the file was missing, before NoCreat=1 (issue 14).
    text += " (the SQLite database file " + *database_file_ +
            " is empty: an earlier accrochd may have created it while the file was missing; put "
            "the real file in its place)";
  }
  return CallFailure{
      Error(lost ? ErrorKind::kSourceUnavailable : ErrorKind::kSourceQuery, Named(text)), lost};
}

Result<void> OdbcSource::BackOffAfterLoss(int attempt, const Error& cause, std::stop_token stop) {
  session_.reset();
  const RetryPolicy& policy = settings_.retry;
  if (attempt >= policy.max_attempts) {
    return Fail(ErrorKind::kSourceUnavailable, cause.message() + " (connection lost " +
                                                   std::to_string(attempt) +
                                                   " times in a row; giving up)");
  }
  Duration delay = policy.DelayAfter(attempt);
  logger_.Warning(cause.message() + "; connection lost, reconnecting in " + FormatDuration(delay),
                  {{std::string(kFieldSource), settings_.name}}, kMessageIdSourceUnavailable);
  if (!clock_.SleepFor(delay, stop)) {
    return Fail(ErrorKind::kCancelled, Named("stop requested while waiting to reconnect"));
  }
  return EnsureConnected(stop);
}

Result<std::vector<std::string>> OdbcSource::DescribeColumns(const std::string& sql,
                                                             std::stop_token stop) {
  if (auto problem = CheckQueryText(sql)) return Fail(ErrorKind::kConfig, Named(*problem));
  ReconnectIfFileReplaced();
  for (int attempt = 1;; ++attempt) {
    if (auto r = EnsureConnected(stop); !r) return std::unexpected(r.error());
    StatementReader reader(session_, 1);
    auto failure = Guarded(&reader, stop, [&](auto&& arm) {
      reader.Alloc();
      arm(reader);  // preparing may already wait on the server
      reader.Prepare(StripTrailingTerminator(sql));
    });
    if (!failure) return reader.columns()->names();
    if (!failure->connection_lost) return std::unexpected(failure->error);
    if (auto r = BackOffAfterLoss(attempt, failure->error, stop); !r)
      return std::unexpected(r.error());
  }
}

Result<ColumnType> OdbcSource::DescribeColumnType(const std::string& sql,
                                                 const std::string& column, std::stop_token stop) {
  if (auto problem = CheckQueryText(sql)) return Fail(ErrorKind::kConfig, Named(*problem));
  ReconnectIfFileReplaced();
  for (int attempt = 1;; ++attempt) {
    if (auto r = EnsureConnected(stop); !r) return std::unexpected(r.error());
    StatementReader reader(session_, 1);
    auto failure = Guarded(&reader, stop, [&](auto&& arm) {
      reader.Alloc();
      arm(reader);
      reader.Prepare(StripTrailingTerminator(sql));
    });
    if (!failure) {
      auto index = reader.columns()->Find(column);
      if (!index) {
        return Fail(ErrorKind::kConfig, Named("\"" + column + "\" is not a column of the query"));
      }
      const SQLSMALLINT type = reader.type(*index);
      return ColumnType{KindOf(type), type};
    }
    if (!failure->connection_lost) return std::unexpected(failure->error);
    if (auto r = BackOffAfterLoss(attempt, failure->error, stop); !r)
      return std::unexpected(r.error());
  }
}

// A query read in one statement. Losing the connection before the first row is delivered is
// retried (Query() reads the first batch itself); after that it is an error.
class PlainStream final : public RowStream {
 public:
  PlainStream(OdbcSource& source, std::unique_ptr<StatementReader> reader, RowBatch first,
              std::stop_token stop)
      : source_(source), reader_(std::move(reader)), pending_(std::move(first)), stop_(stop) {
    at_end_ = pending_.rows.empty();
  }

  Result<bool> Next(RowBatch& batch) override {
    if (have_pending_) {
      have_pending_ = false;
      batch = std::move(pending_);
      rows_ += batch.rows.size();
      return !at_end_;
    }
    if (at_end_) {
      batch.rows.clear();
      return false;
    }
    bool got = false;
    auto failure = source_.Guarded(reader_.get(), stop_, [&](auto&& arm) {
      arm(*reader_);
      got = reader_->Fetch(batch);
    });
    if (failure) {
      if (failure->connection_lost) {
        return Fail(ErrorKind::kSourceUnavailable,
                    failure->error.message() + " -- the connection was lost after " +
                        std::to_string(rows_) +
                        " rows; this extraction is abandoned and will be retried. Declaring "
                        "page_by for the query lets accrochd resume instead");
      }
      return std::unexpected(failure->error);
    }
    if (!got) at_end_ = true;
    rows_ += batch.rows.size();
    return got;
  }

  std::uint64_t rows_read() const override { return rows_; }

 private:
  OdbcSource& source_;
  std::unique_ptr<StatementReader> reader_;
  RowBatch pending_;
  bool have_pending_ = true;
  bool at_end_ = false;
  std::uint64_t rows_ = 0;
  std::stop_token stop_;
};

// A query read page by page in key order. A lost connection restarts the current page after the
// last delivered key, so nothing is read twice or skipped.
class PagedStream final : public RowStream {
 public:
  PagedStream(OdbcSource& source, QuerySpec spec, std::stop_token stop)
      : source_(source), spec_(std::move(spec)), stop_(stop) {}

  Result<bool> Next(RowBatch& batch) override {
    int losses = 0;
    for (;;) {
      Result<bool> r = TryNext(batch);
      if (r || !lost_) return r;
      ++losses;
      reader_.reset();
      if (auto b = source_.BackOffAfterLoss(losses, r.error(), stop_); !b) {
        return std::unexpected(b.error());
      }
    }
  }

  std::uint64_t rows_read() const override { return rows_; }

 private:
  Result<bool> TryNext(RowBatch& batch) {
    lost_ = false;
    for (;;) {
      if (done_) {
        batch.rows.clear();
        return false;
      }
      if (auto c = source_.EnsureConnected(stop_); !c) return std::unexpected(c.error());
      if (!reader_) {
        if (auto s = StartPage(); !s) return std::unexpected(s.error());
      }
      bool got = false;
      auto failure = source_.Guarded(reader_.get(), stop_, [&](auto&& arm) {
        arm(*reader_);
        got = reader_->Fetch(batch);
      });
      if (failure) {
        lost_ = failure->connection_lost;
        return std::unexpected(failure->error);
      }
      if (!got) {
        reader_.reset();
        if (page_rows_ < spec_.page_size) done_ = true;
        continue;  // the next page, or the end
      }
      if (auto k = RecordKeys(batch); !k) return std::unexpected(k.error());
      page_rows_ += batch.rows.size();
      rows_ += batch.rows.size();
      return true;
    }
  }

  Result<void> StartPage() {
    const bool after = !last_key_.empty();
    const std::string base =
        spec_.since ? BuildSinceQuery(spec_.sql, spec_.since->column) : spec_.sql;
    std::string sql =
        BuildPageQuery(base, spec_.page_by, spec_.page_size, source_.settings().page_syntax, after);
    std::vector<KeyValue> parameters;
    if (spec_.since) parameters.push_back(SinceParameter(*spec_.since));
    if (after) {
      for (std::size_t k : PageParameterOrder(spec_.page_by.size())) {
        parameters.push_back(last_key_[k]);
      }
    }
    if (key_index_.empty()) {
      if (auto k = ResolveKeys(); !k) return k;
    }
    auto reader =
        std::make_unique<StatementReader>(source_.session(), source_.settings().fetch_size);
    auto failure = source_.Guarded(reader.get(), stop_, [&](auto&& arm) {
      reader->Alloc();
      arm(*reader);
      reader->Prepare(sql);
      reader->Execute(parameters);
    });
    if (failure) {
      lost_ = failure->connection_lost;
      return std::unexpected(failure->error);
    }
    reader_ = std::move(reader);
    page_rows_ = 0;
    return {};
  }

  // Finds the page_by columns in the administrator's query, prepared alone, and their types.
  Result<void> ResolveKeys() {
    StatementReader probe(source_.session(), 1);
    auto failure = source_.Guarded(&probe, stop_, [&](auto&& arm) {
      probe.Alloc();
      arm(probe);
      probe.Prepare(StripTrailingTerminator(spec_.sql));
    });
    if (failure) {
      lost_ = failure->connection_lost;
      return std::unexpected(failure->error);
    }
    for (const std::string& key : spec_.page_by) {
      auto index = probe.columns()->Find(key);
      if (!index) {
        return Fail(ErrorKind::kConfig,
                    source_.Named("page_by column \"" + key + "\" is not a column of the query"));
      }
      SQLSMALLINT type = probe.type(*index);
      if (!IsIntegerType(type) && !IsCharacterType(type)) {
        return Fail(
            ErrorKind::kConfig,
            source_.Named("page_by column \"" + key + "\" has SQL type " + std::to_string(type) +
                          "; keyset paging needs integer or text columns (a primary key "
                          "is best)"));
      }
      key_index_.push_back(*index);
      key_integer_.push_back(IsIntegerType(type));
    }
    return {};
  }

  // Keeps the last row's key for the next page, and refuses keys that are NULL or that do not
  // strictly increase: either would make pages skip or repeat rows.
  Result<void> RecordKeys(const RowBatch& batch) {
    for (std::size_t r = 0; r < batch.rows.size(); ++r) {
      std::vector<KeyValue> key;
      for (std::size_t k = 0; k < key_index_.size(); ++k) {
        const Value& v = batch.rows[r].values[key_index_[k]];
        if (!v) {
          return Fail(ErrorKind::kInvalidData,
                      source_.Named("row " + std::to_string(rows_ + r + 1) +
                                    " has NULL in page_by column \"" + spec_.page_by[k] +
                                    "\"; page_by columns must never be NULL"));
        }
        key.push_back({key_integer_[k], *v});
      }
      if (!last_key_.empty() && SameKey(key, last_key_)) {
        return Fail(ErrorKind::kInvalidData,
                    source_.Named("two rows share the same page_by key (row " +
                                  std::to_string(rows_ + r + 1) +
                                  "); page_by columns must identify rows uniquely"));
      }
      last_key_ = std::move(key);
    }
    return {};
  }

  static bool SameKey(const std::vector<KeyValue>& a, const std::vector<KeyValue>& b) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i].text != b[i].text) return false;
    }
    return true;
  }

  OdbcSource& source_;
  QuerySpec spec_;
  std::stop_token stop_;
  std::unique_ptr<StatementReader> reader_;
  std::vector<std::size_t> key_index_;
  std::vector<bool> key_integer_;
  std::vector<KeyValue> last_key_;
  std::size_t page_rows_ = 0;
  std::uint64_t rows_ = 0;
  bool done_ = false;
  bool lost_ = false;
};

Result<std::unique_ptr<RowStream>> OdbcSource::Query(const QuerySpec& spec, std::stop_token stop) {
  if (auto problem = CheckQueryText(spec.sql)) return Fail(ErrorKind::kConfig, Named(*problem));
  ReconnectIfFileReplaced();
  if (!spec.page_by.empty()) {
    if (spec.page_size == 0) return Fail(ErrorKind::kConfig, Named("page_size must be positive"));
    if (auto r = EnsureConnected(stop); !r) return std::unexpected(r.error());
    return std::make_unique<PagedStream>(*this, spec, stop);
  }
  const std::string sql =
      spec.since ? BuildSinceQuery(spec.sql, spec.since->column) : StripTrailingTerminator(spec.sql);
  std::vector<KeyValue> parameters;
  if (spec.since) parameters.push_back(SinceParameter(*spec.since));
  for (int attempt = 1;; ++attempt) {
    if (auto r = EnsureConnected(stop); !r) return std::unexpected(r.error());
    if (attempt == 1 && BuffersWholeResult(info_)) {
      logger_.Warning(Named(info_.driver_name + " holds a whole result in memory; declare page_by "
                                                "on this query to keep memory bounded"),
                      {{std::string(kFieldSource), settings_.name}});
    }
    auto reader = std::make_unique<StatementReader>(session_, settings_.fetch_size);
    RowBatch first;
    auto failure = Guarded(reader.get(), stop, [&](auto&& arm) {
      reader->Alloc();
      arm(*reader);
      reader->Prepare(sql);
      reader->Execute(parameters);
      reader->Fetch(first);
    });
    if (!failure) {
      if (reader->columns()->size() == 0) {
        return Fail(ErrorKind::kConfig, Named("the query returns no columns"));
      }
      return std::make_unique<PlainStream>(*this, std::move(reader), std::move(first), stop);
    }
    if (!failure->connection_lost) return std::unexpected(failure->error);
    reader.reset();
    if (auto r = BackOffAfterLoss(attempt, failure->error, stop); !r) {
      return std::unexpected(r.error());
    }
  }
}

}  // namespace

std::unique_ptr<Source> OpenOdbcSource(OdbcSourceSettings settings, Logger& logger, Clock& clock) {
  return std::make_unique<OdbcSource>(std::move(settings), logger, clock);
}

OdbcLibraryVersions GetOdbcLibraryVersions() {
  OdbcLibraryVersions v;
  v.soci = std::to_string(SOCI_VERSION / 100000) + "." + std::to_string(SOCI_VERSION / 100 % 1000) +
           "." + std::to_string(SOCI_VERSION % 100);
  OdbcHandle env(SQL_HANDLE_ENV, SQL_NULL_HANDLE);
  char buffer[64] = {};
  SQLINTEGER length = 0;
  if (env.get() != SQL_NULL_HANDLE &&
      SQL_SUCCEEDED(SQLGetEnvAttr(env.get(), SQL_ATTR_UNIXODBC_VERSION, buffer,
                                  static_cast<SQLINTEGER>(sizeof(buffer)), &length))) {
    v.unixodbc = buffer;
  } else {
    v.unixodbc = "unknown";
  }
  return v;
}

}  // namespace accrochd::source
