#include "connectors/source/connection_string.h"

#include <array>

#include "core/text.h"

namespace accrochd::source {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::vector<ConnectionAttribute>> ParseConnectionString(std::string_view text) {
  std::vector<ConnectionAttribute> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ';' || text[i] == ' ' || text[i] == '\t' || text[i] == '\n') {
      ++i;
      continue;
    }
    // A key ends at '='; an attribute without one ends at the next ';' and is an error (it must
    // not swallow the next attribute: "PWD secret;Database=x" would hide the secret from
    // Redact()).
    std::size_t eq = text.find('=', i);
    std::size_t semicolon = text.find(';', i);
    if (eq == std::string_view::npos || (semicolon != std::string_view::npos && semicolon < eq)) {
      return Fail(ErrorKind::kConfig, "connection string: attribute at offset " +
                                          std::to_string(i) + " has no '=' (expected key=value;)");
    }
    std::string key(Trim(text.substr(i, eq - i)));
    if (key.empty()) {
      return Fail(ErrorKind::kConfig,
                  "connection string: empty key at offset " + std::to_string(i));
    }
    i = eq + 1;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::string value;
    if (i < text.size() && text[i] == '{') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '}') {
          if (i + 1 < text.size() && text[i + 1] == '}') {
            value += '}';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        value += text[i++];
      }
      if (!closed) {
        return Fail(ErrorKind::kConfig, "connection string: the value of " + Excerpt(key) +
                                            " opens '{' without closing it");
      }
      while (i < text.size() && text[i] != ';') {
        if (text[i] != ' ' && text[i] != '\t') {
          return Fail(
              ErrorKind::kConfig,
              "connection string: unexpected text after the braced value of " + Excerpt(key));
        }
        ++i;
      }
    } else {
      std::size_t end = text.find(';', i);
      if (end == std::string_view::npos) end = text.size();
      value = std::string(Trim(text.substr(i, end - i)));
      i = end;
    }
    out.push_back({std::move(key), std::move(value)});
  }
  return out;
}

bool IsSecretKey(std::string_view key) {
  static constexpr std::array<std::string_view, 6> kSecretKeys = {"PWD",  "PASSWORD", "PASSWD",
                                                                  "PASS", "SECRET",   "TOKEN"};
  for (std::string_view k : kSecretKeys) {
    if (EqualsIgnoreAsciiCase(key, k)) return true;
  }
  return false;
}

std::optional<std::string> FindAttribute(std::string_view text, std::string_view key) {
  auto attributes = ParseConnectionString(text);
  if (!attributes) return std::nullopt;
  for (const ConnectionAttribute& a : *attributes) {
    if (EqualsIgnoreAsciiCase(a.key, key)) return a.value;
  }
  return std::nullopt;
}

std::string Redact(std::string_view text) {
  auto attributes = ParseConnectionString(text);
  if (!attributes) return "<connection string not shown: it cannot be parsed>";
  std::string out;
  for (const ConnectionAttribute& a : *attributes) {
    out = AppendAttribute(std::move(out), a.key, IsSecretKey(a.key) ? "***" : a.value);
  }
  return out;
}

std::string AppendAttribute(std::string text, std::string_view key, std::string_view value) {
  if (!text.empty() && text.back() != ';') text += ';';
  text += key;
  text += '=';
  // Braces only when the value could not be read back without them: a ';' or a brace inside,
  // or blanks at either end (which drivers would trim).
  bool needs_braces = value.find_first_of(";{}") != std::string_view::npos ||
                      (!value.empty() && (value.front() == ' ' || value.back() == ' ' ||
                                          value.front() == '\t' || value.back() == '\t'));
  if (needs_braces) {
    text += '{';
    for (char c : value) {
      text += c;
      if (c == '}') text += '}';
    }
    text += '}';
  } else {
    text += value;
  }
  text += ';';  // FreeTDS 1.3 fails on a string that does not end with ';' (FreeTDS#504)
  return text;
}

}  // namespace accrochd::source
