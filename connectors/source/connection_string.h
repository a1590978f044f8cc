// ODBC connection strings ("Driver=PostgreSQL Unicode;Server=db;Database=scol;Uid=accrochd;").
//
// The configuration holds the connection string without its password; the password is added in
// memory, from a credential, just before connecting. Everything that shows a connection string
// to a person goes through Redact().
#ifndef ACCROCHD_CONNECTORS_SOURCE_CONNECTION_STRING_H_
#define ACCROCHD_CONNECTORS_SOURCE_CONNECTION_STRING_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace accrochd::source {

struct ConnectionAttribute {
  std::string key;
  std::string value;
};

// Splits a connection string into its attributes, following the ODBC grammar: `key=value`
// pairs separated by ';', where a value in braces may contain ';' and a doubled '}'.
Result<std::vector<ConnectionAttribute>> ParseConnectionString(std::string_view text);

// True for the keys drivers read a secret from (PWD, Password, ...), compared without case.
bool IsSecretKey(std::string_view key);

// The value of `key` (case-insensitive), if present.
std::optional<std::string> FindAttribute(std::string_view text, std::string_view key);

// `text` with every secret value replaced by "***"; an unparsable string is not shown at all.
std::string Redact(std::string_view text);

// Appends `key=value;`, quoting the value in braces when it needs to be.
std::string AppendAttribute(std::string text, std::string_view key, std::string_view value);

}  // namespace accrochd::source

#endif  // ACCROCHD_CONNECTORS_SOURCE_CONNECTION_STRING_H_
