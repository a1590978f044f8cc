#include "tests/support/odbc_admin.h"

#include <stdexcept>

#include <sql.h>
#include <sqlext.h>

namespace accrochd::testing {
namespace {

std::string Diagnostics(SQLSMALLINT type, SQLHANDLE handle) {
  std::string out;
  for (SQLSMALLINT i = 1; i <= 3; ++i) {
    SQLCHAR state[6] = {};
    SQLCHAR message[1024] = {};
    SQLINTEGER native = 0;
    SQLSMALLINT length = 0;
    if (!SQL_SUCCEEDED(
            SQLGetDiagRec(type, handle, i, state, &native, message, sizeof(message), &length))) {
      break;
    }
    out += "[" + std::string(reinterpret_cast<char*>(state)) + "] " +
           reinterpret_cast<char*>(message) + " ";
  }
  return out;
}

}  // namespace

OdbcAdmin::OdbcAdmin(const std::string& connection_string) {
  SQLHENV env = SQL_NULL_HENV;
  SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLHDBC dbc = SQL_NULL_HDBC;
  SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
  env_ = env;
  dbc_ = dbc;
  std::string cs = connection_string;
  SQLRETURN rc = SQLDriverConnect(dbc, nullptr, reinterpret_cast<SQLCHAR*>(cs.data()), SQL_NTS,
                                  nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT);
  if (!SQL_SUCCEEDED(rc)) {
    std::string diag = Diagnostics(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    dbc_ = env_ = nullptr;
    throw std::runtime_error("test admin connection failed: " + diag);
  }
}

OdbcAdmin::~OdbcAdmin() {
  if (dbc_ != nullptr) {
    SQLDisconnect(static_cast<SQLHDBC>(dbc_));
    SQLFreeHandle(SQL_HANDLE_DBC, static_cast<SQLHDBC>(dbc_));
  }
  if (env_ != nullptr) SQLFreeHandle(SQL_HANDLE_ENV, static_cast<SQLHENV>(env_));
}

void OdbcAdmin::Exec(const std::string& sql) { Query(sql); }

std::vector<std::vector<std::optional<std::string>>> OdbcAdmin::Query(const std::string& sql) {
  SQLHSTMT st = SQL_NULL_HSTMT;
  SQLAllocHandle(SQL_HANDLE_STMT, static_cast<SQLHDBC>(dbc_), &st);
  std::string text = sql;
  SQLRETURN rc = SQLExecDirect(st, reinterpret_cast<SQLCHAR*>(text.data()), SQL_NTS);
  if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
    std::string diag = Diagnostics(SQL_HANDLE_STMT, st);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    throw std::runtime_error("test SQL failed: " + diag + "in: " + sql);
  }
  std::vector<std::vector<std::optional<std::string>>> rows;
  SQLSMALLINT columns = 0;
  SQLNumResultCols(st, &columns);
  while (columns > 0 && SQL_SUCCEEDED(SQLFetch(st))) {
    auto& row = rows.emplace_back();
    for (SQLUSMALLINT c = 1; c <= static_cast<SQLUSMALLINT>(columns); ++c) {
      std::string value;
      char buffer[4096];
      SQLLEN indicator = 0;
      bool null = false;
      for (;;) {
        SQLRETURN g = SQLGetData(st, c, SQL_C_CHAR, buffer, sizeof(buffer), &indicator);
        if (g == SQL_NO_DATA) break;
        if (indicator == SQL_NULL_DATA) {
          null = true;
          break;
        }
        if (g == SQL_SUCCESS_WITH_INFO) {
          value.append(buffer, sizeof(buffer) - 1);
          continue;
        }
        value.append(buffer, static_cast<std::size_t>(indicator));
        break;
      }
      row.push_back(null ? std::nullopt : std::optional<std::string>(value));
    }
  }
  SQLFreeHandle(SQL_HANDLE_STMT, st);
  return rows;
}

std::optional<std::string> OdbcAdmin::Scalar(const std::string& sql) {
  auto rows = Query(sql);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value from: " + sql);
  return rows[0][0];
}

}  // namespace accrochd::testing
