#include "mappings/value_rules.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>

#include "core/calendar.h"
#include "core/text.h"

namespace accrochd::mappings {
namespace {

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool IsXmlChar(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// First character XML 1.0 cannot carry in well-formed UTF-8 `s`, with its 1-based position.
std::optional<std::pair<std::size_t, char32_t>> FirstNonXmlChar(std::string_view s) {
  std::size_t position = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    char32_t c;
    std::size_t len;
    if (b(i) < 0x80) {
      c = b(i);
      len = 1;
    } else if (b(i) < 0xE0) {
      c = ((b(i) & 0x1Fu) << 6) | (b(i + 1) & 0x3Fu);
      len = 2;
    } else if (b(i) < 0xF0) {
      c = ((b(i) & 0x0Fu) << 12) | ((b(i + 1) & 0x3Fu) << 6) | (b(i + 2) & 0x3Fu);
      len = 3;
    } else {
      c = ((b(i) & 0x07u) << 18) | ((b(i + 1) & 0x3Fu) << 12) | ((b(i + 2) & 0x3Fu) << 6) |
          (b(i + 3) & 0x3Fu);
      len = 4;
    }
    ++position;
    if (!IsXmlChar(c)) return std::make_pair(position, c);
    i += len;
  }
  return std::nullopt;
}

std::optional<std::int64_t> ParseInt(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) return std::nullopt;  // "+-5"
  }
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool MatchesNir(std::string_view s) {
  // [12][0-9]{4}(2[abAB]|[0-9]{2})[0-9]{6}, anchored: 13 characters.
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.size() != 13) return false;
  if (s[0] != '1' && s[0] != '2') return false;
  for (std::size_t i = 1; i < 5; ++i) {
    if (!digit(s[i])) return false;
  }
  bool corsica = s[5] == '2' && (s[6] == 'a' || s[6] == 'b' || s[6] == 'A' || s[6] == 'B');
  if (!corsica && !(digit(s[5]) && digit(s[6]))) return false;
  for (std::size_t i = 7; i < 13; ++i) {
    if (!digit(s[i])) return false;
  }
  return true;
}

std::string Join(std::span<const std::string_view> values) {
  std::string out;
  for (std::string_view v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

// Whether every byte of `s` is printable ASCII, a tab, a line feed or a carriage return: then it
// is valid UTF-8, holds no character XML forbids and has as many characters as bytes -- three
// checks in one pass, for nearly every value a source holds (a backfill checks some fifty values
// a row).
bool PlainAscii(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) return false;
  }
  return true;
}

}  // namespace

std::string_view RuleName(Rule rule) {
  switch (rule) {
    case Rule::kRequired:
      return "required";
    case Rule::kNilNotAllowed:
      return "nil-not-allowed";
    case Rule::kLength:
      return "length";
    case Rule::kEnumeration:
      return "enumeration";
    case Rule::kInteger:
      return "integer";
    case Rule::kRange:
      return "range";
    case Rule::kDateFormat:
      return "date-format";
    case Rule::kCalendarDate:
      return "calendar-date";
    case Rule::kYearRange:
      return "year-range";
    case Rule::kBoolean:
      return "boolean";
    case Rule::kNirPattern:
      return "nir-pattern";
    case Rule::kXmlChar:
      return "xml-char";
    case Rule::kUtf8:
      return "utf-8";
    case Rule::kResultatsFormat:
      return "resultats-format";
    case Rule::kNotInMap:
      return "not-in-map";
    case Rule::kDateUnreadable:
      return "date-unreadable";
    case Rule::kPattern:
      return "pattern";
    case Rule::kConditional:
      return "conditional";
    case Rule::kDateOrder:
      return "date-order";
    case Rule::kBirthDate:
      return "birth-date";
    case Rule::kBirthAfterToday:
      return "birth-after-today";
    case Rule::kBirthAfterDelivery:
      return "birth-after-delivery";
    case Rule::kDateRange:
      return "date-range";
    case Rule::kMissingKey:
      return "missing-key";
    case Rule::kRepeatedIdTechnique:
      return "repeated-idtechnique";
    case Rule::kIdentification:
      return "identification";
    case Rule::kProbableDuplicate:
      return "probable-duplicate";
    case Rule::kCertification:
      return "certification";
    case Rule::kXsd:
      return "xsd";
    case Rule::kMappingRule:
      return "mapping-rule";
    case Rule::kBirthplaceFrance:
      return "birthplace-france";
  }
  return "unknown";
}

std::optional<Violation> CheckValue(const FieldSpec& spec, std::string_view value) {
  const bool plain = PlainAscii(value);
  if (!plain) {
    if (auto bad = FirstInvalidUtf8(value)) return Violation{Rule::kUtf8, 0, *bad, 0};
    if (auto bad = FirstNonXmlChar(value)) {
      return Violation{Rule::kXmlChar, 0, bad->first, bad->second};
    }
  }
  switch (spec.type) {
    case ValueType::kString: {
      const std::size_t n = plain ? value.size() : Utf8Length(value);
      if (n < static_cast<std::size_t>(spec.min_length) ||
          n > static_cast<std::size_t>(spec.max_length)) {
        return Violation{Rule::kLength, n, 0, 0};
      }
      return std::nullopt;
    }
    case ValueType::kEnum:
      if (std::find(spec.enumeration.begin(), spec.enumeration.end(), value) ==
          spec.enumeration.end()) {
        return Violation{Rule::kEnumeration};
      }
      return std::nullopt;
    case ValueType::kInt: {
      auto v = ParseInt(value);
      if (!v) return Violation{Rule::kInteger};
      if (*v < spec.min_value || *v > spec.max_value) return Violation{Rule::kRange};
      return std::nullopt;
    }
    case ValueType::kDate: {
      if (value.size() != 10 || value[4] != '-' || value[7] != '-' ||
          !std::all_of(value.begin(), value.end(),
                       [](char c) { return c == '-' || (c >= '0' && c <= '9'); })) {
        return Violation{Rule::kDateFormat};
      }
      auto d = ParseIsoDate(value);
      if (!d) return Violation{Rule::kCalendarDate};
      int year = static_cast<int>(d->year());
      if (year < 1900 || year > 2099) return Violation{Rule::kYearRange};
      return std::nullopt;
    }
    case ValueType::kBoolean:
      if (value == "true" || value == "false" || value == "1" || value == "0") return std::nullopt;
      return Violation{Rule::kBoolean};
    case ValueType::kNir:
      if (MatchesNir(value)) return std::nullopt;
      return Violation{Rule::kNirPattern};
    case ValueType::kResultats:
      if (ParseResultats(value)) return std::nullopt;
      return Violation{Rule::kResultatsFormat};
  }
  return std::nullopt;
}

std::string CanonicalValue(const FieldSpec& spec, std::string_view value) {
  if (spec.type == ValueType::kInt) {
    if (auto v = ParseInt(value)) return std::to_string(*v);
  }
  if (spec.type == ValueType::kBoolean) {
    if (value == "1") return "true";
    if (value == "0") return "false";
  }
  return std::string(value);
}

std::string DescribeViolationForAdministrator(const FieldSpec& spec, std::string_view value,
                                              const Violation& v) {
  const std::string quoted = Excerpt(value);
  switch (v.rule) {
    case Rule::kLength:
      if (spec.min_length == spec.max_length) {
        return quoted + " has " + std::to_string(v.length) + " characters; " +
               std::string(spec.name) + " has exactly " + std::to_string(spec.max_length);
      }
      return quoted + " has " + std::to_string(v.length) + " characters; " +
             std::string(spec.name) + " takes " + std::to_string(spec.min_length) + " to " +
             std::to_string(spec.max_length);
    case Rule::kEnumeration:
      return quoted + " is not a value of " + std::string(spec.name) + " (" +
             Join(spec.enumeration) + ")";
    case Rule::kInteger:
      return quoted + " is not a whole number";
    case Rule::kRange:
      return quoted + " is outside " + std::to_string(spec.min_value) + " to " +
             std::to_string(spec.max_value);
    case Rule::kDateFormat:
      return quoted + " is not a date written YYYY-MM-DD";
    case Rule::kCalendarDate:
      return quoted + " is not a day of the calendar";
    case Rule::kYearRange:
      return quoted + " is outside the years 1900 to 2099";
    case Rule::kBoolean:
      return quoted + " is not true or false";
    case Rule::kNirPattern:
      return quoted + " is not a NIR of 13 characters without its key";
    case Rule::kXmlChar: {
      char buffer[16];
      std::snprintf(buffer, sizeof(buffer), "U+%04X", static_cast<unsigned>(v.code_point));
      return "character " + std::string(buffer) + " at position " + std::to_string(v.offset) +
             " cannot be written in XML 1.0";
    }
    case Rule::kUtf8:
      return "the text is not valid UTF-8 (byte " + std::to_string(v.offset) + ")";
    case Rule::kResultatsFormat:
      return quoted +
             " is not a list of DigComp results written \"domain.competence:level;...\" "
             "(e.g. \"1.1:3;2.4:5\", levels 1 to 8)";
    default:
      return quoted + " breaks rule " + std::string(RuleName(v.rule));
  }
}

std::optional<std::vector<Resultat>> ParseResultats(std::string_view text) {
  std::vector<Resultat> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      // D.C:N -- one character each for domain and competence, a level of 1 to 8.
      std::size_t dot = item.find('.');
      std::size_t colon = item.find(':');
      if (dot != 1 || colon != 3) return std::nullopt;
      std::string_view level = item.substr(4);
      auto n = ParseInt(level);
      if (!n || *n < kNiveauMin || *n > kNiveauMax) return std::nullopt;
      if (item[0] < '1' || item[0] > '5') return std::nullopt;
      out.push_back({std::string(1, item[0]), std::string(1, item[2]), std::to_string(*n)});
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace accrochd::mappings
