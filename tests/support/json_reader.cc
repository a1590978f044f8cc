#include "tests/support/json_reader.h"

#include <cstdlib>

namespace accrochd::testing {

const Json& Json::operator[](const std::string& key) const {
  static const Json kNull;
  for (const auto& [k, v] : members) {
    if (k == key) return v;
  }
  return kNull;
}

bool Json::Has(const std::string& key) const {
  for (const auto& member : members) {
    if (member.first == key) return true;
  }
  return false;
}

std::optional<Json> JsonReader::Document() {
  Json v;
  if (!Value(v, 0)) return std::nullopt;
  Space();
  if (i_ != s_.size()) {
    Fail("text after the document");
    return std::nullopt;
  }
  return v;
}

bool JsonReader::Fail(const std::string& why) {
  if (error_.empty()) error_ = why + " at offset " + std::to_string(i_);
  return false;
}

void JsonReader::Space() {
  while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) {
    ++i_;
  }
}

bool JsonReader::Take(char c) {
  Space();
  if (i_ < s_.size() && s_[i_] == c) {
    ++i_;
    return true;
  }
  return false;
}

bool JsonReader::Expect(char c) { return Take(c) || Fail(std::string("expected '") + c + "'"); }

bool JsonReader::Word(std::string_view word) {
  if (std::string_view(s_).substr(i_, word.size()) != word) {
    return Fail("expected " + std::string(word));
  }
  i_ += word.size();
  return true;
}

bool JsonReader::Value(Json& v, int depth) {
  if (depth > 32) return Fail("nested too deep");
  Space();
  if (i_ >= s_.size()) return Fail("unexpected end");
  const char c = s_[i_];
  if (c == '{') {
    ++i_;
    v.type = Json::Type::kObject;
    if (Take('}')) return true;
    do {
      std::string key;
      Space();
      if (!String(key) || !Expect(':')) return false;
      Json member;
      if (!Value(member, depth + 1)) return false;
      v.members.emplace_back(std::move(key), std::move(member));
    } while (Take(','));
    return Expect('}');
  }
  if (c == '[') {
    ++i_;
    v.type = Json::Type::kArray;
    if (Take(']')) return true;
    do {
      Json item;
      if (!Value(item, depth + 1)) return false;
      v.items.push_back(std::move(item));
    } while (Take(','));
    return Expect(']');
  }
  if (c == '"') {
    v.type = Json::Type::kString;
    return String(v.text);
  }
  if (c == 't' || c == 'f') {
    v.type = Json::Type::kBool;
    v.boolean = c == 't';
    return Word(v.boolean ? "true" : "false");
  }
  if (c == 'n') return Word("null");
  const char* begin = s_.c_str() + i_;
  char* end = nullptr;
  v.number = std::strtod(begin, &end);
  if (end == begin) return Fail(std::string("unexpected '") + c + "'");
  v.type = Json::Type::kNumber;
  i_ += static_cast<std::size_t>(end - begin);
  return true;
}

bool JsonReader::Hex4(unsigned& out) {
  if (i_ + 4 > s_.size()) return Fail("short \\u escape");
  out = 0;
  for (int k = 0; k < 4; ++k) {
    const char h = s_[i_++];
    out <<= 4;
    if (h >= '0' && h <= '9') {
      out |= static_cast<unsigned>(h - '0');
    } else if (h >= 'a' && h <= 'f') {
      out |= static_cast<unsigned>(h - 'a' + 10);
    } else if (h >= 'A' && h <= 'F') {
      out |= static_cast<unsigned>(h - 'A' + 10);
    } else {
      return Fail("bad \\u escape");
    }
  }
  return true;
}

void JsonReader::Utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool JsonReader::String(std::string& out) {
  if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a string");
  ++i_;
  while (i_ < s_.size()) {
    char c = s_[i_++];
    if (c == '"') return true;
    if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in a string");
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i_ >= s_.size()) break;
    c = s_[i_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        unsigned cp = 0;
        if (!Hex4(cp)) return false;
        if (cp >= 0xD800 && cp < 0xDC00) {
          unsigned low = 0;
          if (!Word("\\u") || !Hex4(low) || low < 0xDC00 || low >= 0xE000) {
            return Fail("lone surrogate");
          }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        Utf8(out, cp);
        break;
      }
      default:
        return Fail(std::string("bad escape \\") + c);
    }
  }
  return Fail("unterminated string");
}

}  // namespace accrochd::testing
