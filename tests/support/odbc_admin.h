// A plain ODBC connection for test set-up and fault injection: create tables, insert fixtures,
// kill the connections of the code under test. Never used by accrochd itself.
#ifndef ACCROCHD_TESTS_SUPPORT_ODBC_ADMIN_H_
#define ACCROCHD_TESTS_SUPPORT_ODBC_ADMIN_H_

#include <optional>
#include <string>
#include <vector>

namespace accrochd::testing {

class OdbcAdmin {
 public:
  // Throws std::runtime_error with the driver's diagnostics when it cannot connect.
  explicit OdbcAdmin(const std::string& connection_string);
  ~OdbcAdmin();
  OdbcAdmin(const OdbcAdmin&) = delete;
  OdbcAdmin& operator=(const OdbcAdmin&) = delete;

  // Runs a statement; throws std::runtime_error on failure.
  void Exec(const std::string& sql);

  // Runs a query and returns every row, every value as text (nullopt for NULL).
  std::vector<std::vector<std::optional<std::string>>> Query(const std::string& sql);

  // The single value of a one-row, one-column query.
  std::optional<std::string> Scalar(const std::string& sql);

 private:
  void* env_ = nullptr;
  void* dbc_ = nullptr;
};

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_ODBC_ADMIN_H_
