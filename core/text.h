// Small text helpers shared by every module. Text is UTF-8 everywhere inside accrochd.
#ifndef ACCROCHD_CORE_TEXT_H_
#define ACCROCHD_CORE_TEXT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace accrochd {

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in well-formed UTF-8 `s`: the CDC's lengths count characters, not bytes.
std::size_t Utf8Length(std::string_view s);

// The code points of `s`, or nullopt when it is not well-formed UTF-8.
std::optional<std::u32string> CodePoints(std::string_view s);

// Byte offset of the first invalid sequence, or nullopt when `s` is well-formed.
std::optional<std::size_t> FirstInvalidUtf8(std::string_view s);

// What keeps `s` out of an XML 1.0 deposit, or nullopt when nothing does: bytes that are not
// well-formed UTF-8 ("invalid UTF-8 at byte 5 (\xE9)") or a character outside XML 1.0's Char
// production, which allows tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD and U+10000..U+10FFFF
// ("character U+0001 at position 3 is not allowed in XML").
std::optional<std::string> XmlTextProblem(std::string_view s);

// `s` quoted for an error message: in double quotes, with `"` and `\` escaped, control
// characters and bytes that are not well-formed UTF-8 written \xNN, and cut after `max_chars`
// characters (then "..." and the whole length follow). Every message that quotes what a user
// wrote goes through here, so that none repeats more than a short excerpt of its input.
std::string Excerpt(std::string_view s, std::size_t max_chars = 40);

// `s` itself when it has at most `max_chars` characters and nothing Excerpt would escape, else
// Excerpt(s, max_chars): for names and paths that messages show unquoted, so that a value pasted
// by mistake does not come back whole.
std::string Shown(std::string_view s, std::size_t max_chars = 300);

// "a text of 15 characters" (bytes when `s` is not UTF-8): what a message says of a value it
// must not quote, such as a scalar found where a mapping was expected.
std::string DescribeText(std::string_view s);

// ASCII case-insensitive equality, for keywords such as ODBC connection string keys.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// `s` folded for comparisons that ignore accents and/or case, as the CDC's holder matching does
// ("accents are ignored, hyphens matter"): Latin letters with diacritics lose them (é -> e,
// Ç -> C), ligatures are spelt out (œ -> oe, Æ -> AE, ß -> ss), and with `ignore_case` letters
// are lower-cased (ASCII and the accented Latin letters: É -> é). Other characters are kept as they
// are. Covers the Latin-1 Supplement and Latin Extended-A blocks -- the letters of French and of
// the names French registers hold -- which is why it is a table here rather than ICU.
std::string FoldForComparison(std::string_view s, bool ignore_accents, bool ignore_case);

// `s` in upper or lower case, for ASCII and for the Latin letters of U+00C0..U+017F (é <-> É,
// œ <-> Œ, ÿ <-> Ÿ); other characters, ß among them, are kept.
std::string ChangeCase(std::string_view s, bool upper);

// `s` without blanks (space, tab, CR, LF, no-break space U+00A0) at either end.
std::string_view TrimBlanks(std::string_view s);

// `s` with every run of blanks replaced by one space.
std::string FoldBlanks(std::string_view s);

// Replaces every occurrence of `secret` in `text` by "***" (no-op for an empty secret). Used on
// messages that come back from drivers, as a last line of defence: a password must never reach
// a log line even if a driver echoes it.
std::string ScrubSecret(std::string text, std::string_view secret);

// A stable 64-bit hash of `data` (FNV-1a), as 16 hex digits: to notice that a text changed,
// not to protect it.
std::string StableHash(std::string_view data);

// `bytes` in lower-case hexadecimal, two digits a byte, appended to `out`.
void AppendHex(std::string& out, std::string_view bytes);
std::string Hex(std::string_view bytes);

// The bytes written `hex` (lower-case hexadecimal, two digits a byte) appended to `out`; false,
// `out` unchanged, when `hex` is not that.
bool AppendUnhex(std::string& out, std::string_view hex);

// `s` escaped for the inside of a JSON string (quotes, backslashes, control characters); UTF-8
// passes through.
std::string JsonEscape(std::string_view s);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_TEXT_H_
