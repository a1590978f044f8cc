#include "core/sql_text.h"

#include <cctype>

#include "core/text.h"

namespace accrochd::source {
namespace {

// `sql`, same length, with every quoted literal and quoted identifier masked with '_' and every
// comment blanked with spaces, so that what remains can be searched for syntax without being
// fooled by text inside quotes, and a literal still counts as code.
std::string CodeOnly(std::string_view sql) {
  std::string out(sql);
  std::size_t i = 0;
  auto mask = [&](std::size_t from, std::size_t to, char filler) {
    for (std::size_t k = from; k < to && k < out.size(); ++k) {
      if (out[k] != '\n') out[k] = filler;
    }
  };
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      std::size_t start = i++;
      while (i < sql.size()) {
        if (sql[i] == c) {
          if (i + 1 < sql.size() && sql[i + 1] == c) {
            i += 2;  // a doubled quote inside the literal
            continue;
          }
          break;
        }
        ++i;
      }
      mask(start, ++i, '_');
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      std::size_t start = i;
      while (i < sql.size() && sql[i] != '\n') ++i;
      mask(start, i, ' ');
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      std::size_t close = sql.find("*/", i + 2);
      std::size_t stop = close == std::string_view::npos ? sql.size() : close + 2;
      mask(i, stop, ' ');
      i = stop;
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> CheckQueryText(std::string_view sql) {
  const std::string code = CodeOnly(sql);
  std::size_t begin = 0;
  while (begin < code.size() && std::isspace(static_cast<unsigned char>(code[begin]))) ++begin;
  if (begin == code.size()) return "the query is empty";
  std::string first_word;
  for (std::size_t i = begin; i < code.size() && std::isalpha(static_cast<unsigned char>(code[i]));
       ++i) {
    first_word += static_cast<char>(std::toupper(static_cast<unsigned char>(code[i])));
  }
  if (first_word != "SELECT" && first_word != "WITH") {
    return "the query must be a single SELECT (or WITH ... SELECT): accrochd only reads";
  }
  std::size_t semicolon = code.find(';');
  if (semicolon != std::string::npos &&
      code.find_first_not_of(" \t\r\n;", semicolon) != std::string::npos) {
    return "the query holds more than one statement; give a single SELECT";
  }
  if (code.find('?') != std::string::npos) {
    return "the query contains a '?' parameter marker outside quotes; extraction queries take no "
           "parameters (accrochd binds its own when it reads by pages)";
  }
  return std::nullopt;
}

std::string StripTrailingTerminator(std::string_view sql) {
  // Cut after the last character of code, so that terminators and trailing comments go (a
  // "; -- end" inside the parentheses of a page query would be a syntax error).
  const std::string code = CodeOnly(sql);
  std::size_t end = code.size();
  while (end > 0 &&
         (code[end - 1] == ';' || std::isspace(static_cast<unsigned char>(code[end - 1])))) {
    --end;
  }
  return std::string(sql.substr(0, end));
}

std::string BuildPageQuery(std::string_view sql, const std::vector<std::string>& keys,
                           std::size_t page_size, PageSyntax syntax, bool after_previous) {
  std::string out = "SELECT * FROM (\n";
  out += StripTrailingTerminator(sql);
  out += "\n) accrochd_page";
  if (after_previous && !keys.empty()) {
    out += " WHERE ";
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (k > 0) out += " OR ";
      out += '(';
      for (std::size_t j = 0; j < k; ++j) {
        out += keys[j];
        out += " = ? AND ";
      }
      out += keys[k];
      out += " > ?)";
    }
  }
  out += " ORDER BY ";
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (k > 0) out += ", ";
    out += keys[k];
  }
  switch (syntax) {
    case PageSyntax::kLimit:
      out += " LIMIT " + std::to_string(page_size);
      break;
    case PageSyntax::kOffsetFetch:
      out += " OFFSET 0 ROWS FETCH NEXT " + std::to_string(page_size) + " ROWS ONLY";
      break;
  }
  return out;
}

std::string BuildSinceQuery(std::string_view sql, const std::string& column) {
  return "SELECT * FROM (\n" + StripTrailingTerminator(sql) + "\n) accrochd_since WHERE " + column +
         " >= ?";
}

std::vector<std::size_t> PageParameterOrder(std::size_t key_count) {
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < key_count; ++k) {
    for (std::size_t j = 0; j <= k; ++j) order.push_back(j);
  }
  return order;
}

}  // namespace accrochd::source
