#include "core/text.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace accrochd {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not well-formed
// (Unicode 15, table 3-7 "Well-Formed UTF-8 Byte Sequences").
std::size_t SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) -> std::uint8_t { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t len;
  std::uint8_t lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

namespace {
// Base letters of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), generated
// from the Unicode decompositions, with ligatures and stroked letters spelt out. An empty entry
// (x and / signs) keeps the character.
constexpr std::string_view kFoldTable[0x180 - 0xC0] = {
    "A", "A", "A",  "A",  "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I",  "I",   // U+00C0
    "D", "N", "O",  "O",  "O", "O", "O",  "",  "O", "U", "U", "U", "U", "Y", "TH", "ss",  // U+00D0
    "a", "a", "a",  "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // U+00E0
    "d", "n", "o",  "o",  "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",   // U+00F0
    "A", "a", "A",  "a",  "A", "a", "C",  "c", "C", "c", "C", "c", "C", "c", "D",  "d",   // U+0100
    "D", "d", "E",  "e",  "E", "e", "E",  "e", "E", "e", "E", "e", "G", "g", "G",  "g",   // U+0110
    "G", "g", "G",  "g",  "H", "h", "H",  "h", "I", "i", "I", "i", "I", "i", "I",  "i",   // U+0120
    "I", "i", "IJ", "ij", "J", "j", "K",  "k", "k", "L", "l", "L", "l", "L", "l",  "L",   // U+0130
    "l", "L", "l",  "N",  "n", "N", "n",  "N", "n", "n", "N", "n", "O", "o", "O",  "o",   // U+0140
    "O", "o", "OE", "oe", "R", "r", "R",  "r", "R", "r", "S", "s", "S", "s", "S",  "s",   // U+0150
    "S", "s", "T",  "t",  "T", "t", "T",  "t", "U", "u", "U", "u", "U", "u", "U",  "u",   // U+0160
    "U", "u", "U",  "u",  "W", "w", "Y",  "y", "Y", "Z", "z", "Z", "z", "Z", "z",  "s",   // U+0170
};

// Decodes the code point at s[i] of well-formed UTF-8 and its length; returns length 0 on a
// malformed sequence.
std::pair<char32_t, std::size_t> Decode(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const std::size_t len = SequenceLength(s, i);
  if (len == 0) return {0, 0};
  char32_t cp = 0;
  switch (len) {
    case 1:
      cp = b(i);
      break;
    case 2:
      cp = ((b(i) & 0x1Fu) << 6) | (b(i + 1) & 0x3Fu);
      break;
    case 3:
      cp = ((b(i) & 0x0Fu) << 12) | ((b(i + 1) & 0x3Fu) << 6) | (b(i + 2) & 0x3Fu);
      break;
    default:
      cp = ((b(i) & 0x07u) << 18) | ((b(i + 1) & 0x3Fu) << 12) | ((b(i + 2) & 0x3Fu) << 6) |
           (b(i + 3) & 0x3Fu);
  }
  return {cp, len};
}
}  // namespace

namespace {

// The other-case partner of a letter of U+00C0..U+017F, or 0 when it has none.
char32_t CasePartner(char32_t c, bool upper) {
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return upper ? c : c + 0x20;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return upper ? c - 0x20 : c;
  if (c == 0xFF) return upper ? 0x178 : c;
  if (c == 0x178) return upper ? c : 0xFF;
  // Dotless ı and dotted İ are not a pair: ı upper-cases to I, İ lower-cases to i.
  if (c == 0x131) return upper ? U'I' : c;
  if (c == 0x130) return upper ? c : U'i';
  // Latin Extended-A pairs: even upper / odd lower, except 0139-0148 and 0179-017E (odd upper).
  const bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
  const bool paired = (c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) ||
                      (c >= 0x14A && c <= 0x177) || odd_upper;
  if (!paired) return 0;
  const bool is_upper = odd_upper ? (c % 2 == 1) : (c % 2 == 0);
  if (upper == is_upper) return c;
  return upper ? c - 1 : c + 1;
}

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool IsBlankAt(std::string_view s, std::size_t i, std::size_t& len) {
  if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
    len = 1;
    return true;
  }
  if (i + 1 < s.size() && static_cast<unsigned char>(s[i]) == 0xC2 &&
      static_cast<unsigned char>(s[i + 1]) == 0xA0) {
    len = 2;
    return true;
  }
  return false;
}

}  // namespace

std::string FoldForComparison(std::string_view s, bool ignore_accents, bool ignore_case) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto [cp, len] = Decode(s, i);
    if (len == 0) {  // malformed: keep the byte, it can only compare equal to itself
      out += s[i++];
      continue;
    }
    std::string_view piece = s.substr(i, len);
    if (ignore_accents && cp >= 0xC0 && cp < 0x180 && !kFoldTable[cp - 0xC0].empty()) {
      piece = kFoldTable[cp - 0xC0];
    } else if (ignore_case && cp >= 0xC0) {
      // Accented capitals too: "PRÉSENTIEL" and "présentiel" compare equal.
      if (char32_t lower = CasePartner(cp, false); lower != 0 && lower != cp) {
        AppendUtf8(out, lower);
        i += len;
        continue;
      }
    }
    for (char c : piece) out += ignore_case ? AsciiLower(c) : c;
    i += len;
  }
  return out;
}

std::string ChangeCase(std::string_view s, bool upper) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto [cp, len] = Decode(s, i);
    if (len == 0) {
      out += s[i++];
      continue;
    }
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      out += c;
    } else if (char32_t partner = CasePartner(cp, upper); partner != 0) {
      AppendUtf8(out, partner);
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string_view TrimBlanks(std::string_view s) {
  std::size_t len = 0;
  while (!s.empty() && IsBlankAt(s, 0, len)) s.remove_prefix(len);
  while (!s.empty()) {
    if (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n') {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && static_cast<unsigned char>(s[s.size() - 2]) == 0xC2 &&
               static_cast<unsigned char>(s.back()) == 0xA0) {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

std::string FoldBlanks(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_blank = false;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 0;
    if (IsBlankAt(s, i, len)) {
      if (!in_blank) out += ' ';
      in_blank = true;
      i += len;
    } else {
      out += s[i++];
      in_blank = false;
    }
  }
  return out;
}

std::optional<std::size_t> FirstInvalidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = SequenceLength(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::nullopt;
}

bool IsValidUtf8(std::string_view s) { return !FirstInvalidUtf8(s).has_value(); }

std::optional<std::u32string> CodePoints(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto [c, len] = Decode(s, i);
    if (len == 0) return std::nullopt;
    out += c;
    i += len;
  }
  return out;
}

namespace {

std::string HexByte(unsigned char b) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "\\x%02X", static_cast<unsigned>(b));
  return buffer;
}

// "15 characters", or "11 bytes, not UTF-8".
std::string LengthText(std::string_view s) {
  if (IsValidUtf8(s)) {
    const std::size_t n = Utf8Length(s);
    return std::to_string(n) + (n == 1 ? " character" : " characters");
  }
  return std::to_string(s.size()) + (s.size() == 1 ? " byte" : " bytes") + ", not UTF-8";
}

bool IsXmlChar(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

}  // namespace

std::optional<std::string> XmlTextProblem(std::string_view s) {
  std::size_t position = 0;  // in characters, 1-based when reported
  for (std::size_t i = 0; i < s.size(); ++position) {
    auto [c, len] = Decode(s, i);
    if (len == 0) {
      return "invalid UTF-8 at byte " + std::to_string(i + 1) + " (" +
             HexByte(static_cast<unsigned char>(s[i])) + ")";
    }
    if (!IsXmlChar(c)) {
      char buffer[16];
      std::snprintf(buffer, sizeof(buffer), "U+%04X", static_cast<unsigned>(c));
      return std::string("character ") + buffer + " at position " + std::to_string(position + 1) +
             " is not allowed in XML";
    }
    i += len;
  }
  return std::nullopt;
}

std::string Excerpt(std::string_view s, std::size_t max_chars) {
  std::string out = "\"";
  std::size_t chars = 0;
  std::size_t i = 0;
  for (; i < s.size() && chars < max_chars; ++chars) {
    const std::size_t len = SequenceLength(s, i);
    const auto b = static_cast<unsigned char>(s[i]);
    if (len == 0 || b < 0x20 || b == 0x7F) {
      out += HexByte(b);
      ++i;
      continue;
    }
    if (b == '"' || b == '\\') out += '\\';
    out.append(s.substr(i, len));
    i += len;
  }
  out += '"';
  if (i < s.size()) {
    out += "... (" + LengthText(s) + ")";
  }
  return out;
}

std::string Shown(std::string_view s, std::size_t max_chars) {
  const bool plain = !XmlTextProblem(s) && Utf8Length(s) <= max_chars &&
                     s.find_first_of("\"\\\t\r\n") == std::string_view::npos;
  return plain ? std::string(s) : Excerpt(s, max_chars);
}

std::string DescribeText(std::string_view s) { return "a text of " + LengthText(s); }

std::size_t Utf8Length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<std::uint8_t>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string ScrubSecret(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  std::size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return text;
}

std::string StableHash(std::string_view data) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[h & 0xF];
    h >>= 4;
  }
  return out;
}

void AppendHex(std::string& out, std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t at = out.size();
  out.resize(at + 2 * bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[at + 2 * i] = kDigits[b >> 4];
    out[at + 2 * i + 1] = kDigits[b & 0xF];
  }
}

std::string Hex(std::string_view bytes) {
  std::string out;
  AppendHex(out, bytes);
  return out;
}

bool AppendUnhex(std::string& out, std::string_view hex) {
  // Each byte's value as a lower-case hexadecimal digit, 16 for none: a look-up rather than
  // comparisons (every held passage's content hash goes through here, staged_passages.cc).
  static constexpr std::array<unsigned char, 256> kValues = [] {
    std::array<unsigned char, 256> values{};
    values.fill(16);
    for (int c = '0'; c <= '9'; ++c)
      values[static_cast<std::size_t>(c)] = static_cast<unsigned char>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c)
      values[static_cast<std::size_t>(c)] = static_cast<unsigned char>(c - 'a' + 10);
    return values;
  }();
  if (hex.size() % 2 != 0) return false;
  const std::size_t at = out.size();
  out.resize(at + hex.size() / 2);
  unsigned char bad = 0;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const unsigned char high = kValues[static_cast<unsigned char>(hex[i])];
    const unsigned char low = kValues[static_cast<unsigned char>(hex[i + 1])];
    bad |= (high | low) & 16;
    out[at + i / 2] = static_cast<char>(high << 4 | (low & 15));
  }
  if (bad != 0) out.resize(at);
  return bad == 0;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace accrochd
