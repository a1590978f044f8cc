// Character classes over all of Unicode, from its own data (utf8proc, as for NFC): what the
// mapping steps need beyond the Latin tables of core/text.h -- the blanks of every script, and
// the letters and digits of every script for the fingerprint of a map key.
#ifndef ACCROCHD_CORE_UNICODE_CHARACTERS_H_
#define ACCROCHD_CORE_UNICODE_CHARACTERS_H_

#include <string>
#include <string_view>

namespace accrochd {

// True for a blank: space, tab, the line ends (LF, VT, FF, CR, U+0085, U+2028, U+2029) and every
// space separator of Unicode (category Zs: U+00A0 no-break space, U+2007 figure space, U+202F
// narrow no-break space, U+3000 ideographic space, ...).
bool IsUnicodeBlank(char32_t c);

// `s` without any blank (IsUnicodeBlank), wherever it is: "75 001" -> "75001", "RNCP 34 567"
// with no-break spaces -> "RNCP34567". Bytes that are not well-formed UTF-8 are kept as they
// are, for validation to name them.
std::string RemoveBlanks(std::string_view s);

// The fingerprint of `s` (which should be in NFC), the key under which data-cleaning tools
// group spellings of one value: "Très-Bien", "tres bien" and "TRÈS BIEN." all give "tresbien".
// Accents and case are folded -- the Latin letters by FoldForComparison (core/text.h), so that
// œ gives oe and ł gives l, then every script by Unicode's compatibility decomposition and case
// folding (Ω -> ω, ﬁ -> fi, full-width Ａ -> a) -- and every character that is not a letter or a
// number (categories L and N) is removed: blanks, punctuation, symbols, combining marks. A
// letter of another script is kept as a letter ("Жанна" -> "жанна"). Text that is not
// well-formed UTF-8 is returned as it is: it can only equal itself, never a fingerprint.
std::string Fingerprint(std::string_view s);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_UNICODE_CHARACTERS_H_
