// Character classes over all of Unicode (core/unicode/characters.h): the blanks RemoveBlanks
// removes, and the fingerprint of a map key -- case, accents, punctuation and spacing folded,
// letters of every script kept.
#include "core/unicode/characters.h"

#include <string>

#include <gtest/gtest.h>

namespace accrochd {
namespace {

TEST(CharactersTest, BlanksOfEveryKind) {
  for (char32_t c :
       {U' ', U'\t', U'\n', U'\v', U'\f', U'\r', char32_t{0x85}, char32_t{0xA0}, char32_t{0x1680},
        char32_t{0x2000}, char32_t{0x2007}, char32_t{0x200A}, char32_t{0x2028}, char32_t{0x2029},
        char32_t{0x202F}, char32_t{0x205F}, char32_t{0x3000}}) {
    EXPECT_TRUE(IsUnicodeBlank(c)) << static_cast<unsigned>(c);
  }
  // Not blanks: letters, punctuation, the zero-width space and joiner (format characters).
  for (char32_t c : {U'a', U'-', U'_', U'.', char32_t{0x200B}, char32_t{0x200D}, char32_t{0xFEFF},
                     char32_t{0x110000}}) {
    EXPECT_FALSE(IsUnicodeBlank(c)) << static_cast<unsigned>(c);
  }
}

TEST(CharactersTest, RemoveBlanksAnywhere) {
  EXPECT_EQ(RemoveBlanks("75 001"), "75001");
  EXPECT_EQ(RemoveBlanks("RNCP\u00A034\u202F567"), "RNCP34567");
  EXPECT_EQ(RemoveBlanks(" 06\t12\r\n34\u2007 "), "061234");
  EXPECT_EQ(RemoveBlanks("Jean-Luc N’Diaye"), "Jean-LucN’Diaye");
  EXPECT_EQ(RemoveBlanks(""), "");
  EXPECT_EQ(RemoveBlanks("\u3000"), "");
  // Bytes that are not UTF-8 stay where they are, for validation to name them.
  EXPECT_EQ(RemoveBlanks("a \xE9 b"),
            "a\xE9"
            "b");
}

TEST(CharactersTest, FingerprintFoldsCaseAccentsPunctuationAndSpacing) {
  EXPECT_EQ(Fingerprint("Très-Bien"), "tresbien");
  EXPECT_EQ(Fingerprint("tres bien"), "tresbien");
  EXPECT_EQ(Fingerprint("TRÈS BIEN."), "tresbien");
  EXPECT_EQ(Fingerprint("  très\u00A0 bien !"), "tresbien");
  EXPECT_EQ(Fingerprint("A.B."), "ab");
  EXPECT_EQ(Fingerprint("N’Diaye"), "ndiaye");
  EXPECT_EQ(Fingerprint("Œuvre"), "oeuvre");  // ligatures spelt out, as FoldForComparison
  EXPECT_EQ(Fingerprint("Łódź"), "lodz");     // Latin letters with strokes
  EXPECT_EQ(Fingerprint("Straße"), "strasse");
  EXPECT_EQ(Fingerprint("Niveau 2 (B1)"), "niveau2b1");
  EXPECT_EQ(Fingerprint("..."), "");
  EXPECT_EQ(Fingerprint(""), "");
}

TEST(CharactersTest, FingerprintKeepsTheLettersOfOtherScripts) {
  EXPECT_EQ(Fingerprint("Жанна"), "жанна");
  EXPECT_EQ(Fingerprint("ЖАННА"), "жанна");
  EXPECT_EQ(Fingerprint("Ελένη"), "ελενη");  // the tonos is an accent
  EXPECT_EQ(Fingerprint("김 한상"), Fingerprint("김한상"));
  EXPECT_FALSE(Fingerprint("김한상").empty());
  EXPECT_EQ(Fingerprint("Nguyễn Thị"), "nguyenthi");
  EXPECT_EQ(Fingerprint("王 小明"), "王小明");
  // Compatibility forms: full-width letters and digits, the ligature ﬁ.
  EXPECT_EQ(Fingerprint("ＡＢ１"), "ab1");
  EXPECT_EQ(Fingerprint("ﬁn"), "fin");
}

TEST(CharactersTest, FingerprintOfTextThatIsNotUtf8IsTheTextItself) {
  EXPECT_EQ(Fingerprint("Tr\xE8s bien"), "Tr\xE8s bien");
}

}  // namespace
}  // namespace accrochd
