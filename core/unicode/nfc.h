// Unicode Normalization Form C. The same name can reach accrochd composed ("Ç", U+00C7) or
// decomposed ("C" + U+0327, as macOS file names and some input tools store it); the XSD counts
// characters as code points, so the two forms have different lengths, and a value map or a
// holder comparison would see two different texts. Every text value a mapping reads is put in
// NFC before any rule (mappings/mapper.h), so rules, lengths and deposit files all see one form.
//
// Backed by utf8proc (Debian's libutf8proc2): a small C library that does exactly the Unicode
// normalization forms, with no data files and no locale, rather than ICU, whose 30 MB of data and
// C++ API would be mostly unused here.
#ifndef ACCROCHD_CORE_UNICODE_NFC_H_
#define ACCROCHD_CORE_UNICODE_NFC_H_

#include <string>
#include <string_view>

namespace accrochd {

// True when NFC leaves `s` as it is, decided without looking anything up: every byte is below
// 0xCC, so every character is below U+0300. No character below U+0300 is changed by NFC or
// combines with a neighbour (the first combining mark is U+0300; the first character NFC
// replaces is U+0340), so ASCII and the Latin-1 and Latin Extended letters of French names, when
// already composed, take this path. A false answer only means "look it up".
bool NfcByBytes(std::string_view s);

// `s` in NFC. Text that is not well-formed UTF-8 is returned unchanged: normalization is no
// place to lose the evidence, and validation quarantines it naming the bad byte.
std::string ToNfc(std::string_view s);

// Puts `s` in NFC in place (as ToNfc); true when it changed. Costs one pass over the bytes when
// NfcByBytes(s).
bool NormalizeNfc(std::string& s);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_UNICODE_NFC_H_
