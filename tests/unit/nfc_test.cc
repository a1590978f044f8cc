// Unicode NFC (core/unicode/nfc.h): decomposed text is composed, composed text is left as it is,
// the byte test that spares the library call is exact where it says yes, and text that is not
// UTF-8 is never touched.
#include "core/unicode/nfc.h"

#include <string>

#include <gtest/gtest.h>

#include "core/text.h"

namespace accrochd {
namespace {

// 'Éléonore-Bérénice de Saint-Éloi-Prévôt-Château-Thierry-Œuvée', 60 letters, composed and
// decomposed (69 code points).
const std::string kComposed60 = "Éléonore-Bérénice de Saint-Éloi-Prévôt-Château-Thierry-Œuvée";
const std::string kDecomposed60 =
    "E\u0301le\u0301onore-Be\u0301re\u0301nice de Saint-E\u0301loi-Pre\u0301vo\u0302t-"
    "Cha\u0302teau-Thierry-\u0152uve\u0301e";

TEST(NfcTest, DecomposedLatinIsComposed) {
  EXPECT_EQ(ToNfc("C\u0327a"), "Ça");
  EXPECT_EQ(ToNfc("Franc\u0327ois"), "François");
  EXPECT_EQ(ToNfc("Mu\u0308ller"), "Müller");
  EXPECT_EQ(ToNfc("Łukasz Z\u0307o\u0301\u0142w"), "Łukasz Żółw");
  EXPECT_EQ(ToNfc(kDecomposed60), kComposed60);
}

TEST(NfcTest, LengthIsCountedOnTheComposedForm) {
  EXPECT_EQ(Utf8Length(kDecomposed60), 69u);
  EXPECT_EQ(Utf8Length(ToNfc(kDecomposed60)), 60u);
}

TEST(NfcTest, ComposedTextIsUnchanged) {
  for (const std::string& s :
       {std::string(""), std::string("DUPONT"), kComposed60, std::string("N’Diaye"),
        std::string("Ελένη Παπαδοπούλου"), std::string("Жанна"), std::string("김한상"),
        std::string("Nguyễn Thị Ánh"), std::string("emoji 🎓 ok")}) {
    std::string copy = s;
    EXPECT_FALSE(NormalizeNfc(copy)) << s;
    EXPECT_EQ(copy, s);
    EXPECT_EQ(ToNfc(s), s);
  }
}

TEST(NfcTest, HangulJamoComposeIntoSyllables) {
  EXPECT_EQ(ToNfc("\u1100\u1161"), "\uAC00");        // ᄀ + ᅡ -> 가
  EXPECT_EQ(ToNfc("\u1100\u1175\u11B7"), "\uAE40");  // 김
  EXPECT_EQ(ToNfc("\u1112\u1161\u11AB \u1109\u1161\u11BC"), "한 상");
  EXPECT_EQ(ToNfc("\uAC00\u11A8"), "\uAC01");  // a syllable takes its final
}

TEST(NfcTest, MarksAreReorderedThenComposed) {
  // a + dot below (class 220) + circumflex (230), in either order: ậ (U+1EAD).
  EXPECT_EQ(ToNfc("a\u0323\u0302"), "\u1EAD");
  EXPECT_EQ(ToNfc("a\u0302\u0323"), "\u1EAD");
  // Vietnamese: e + circumflex + acute -> ế.
  EXPECT_EQ(ToNfc("Nguye\u0302\u0303n"), "Nguyễn");
}

TEST(NfcTest, SingletonsAndExclusions) {
  EXPECT_EQ(ToNfc("\u212B"), "\u00C5");  // ANGSTROM SIGN -> Å
  EXPECT_EQ(ToNfc("\u2126"), "\u03A9");  // OHM SIGN -> Ω
  EXPECT_EQ(ToNfc("\u212A"), "K");       // KELVIN SIGN -> K
  // A composition exclusion stays decomposed: DEVANAGARI LETTER QA is KA + NUKTA in NFC.
  EXPECT_EQ(ToNfc("\u0958"), "\u0915\u093C");
  EXPECT_EQ(ToNfc("\u0915\u093C"), "\u0915\u093C");
  // Compatibility characters are NFKC's business, not NFC's: the ligature ﬁ stays.
  EXPECT_EQ(ToNfc("\uFB01"), "\uFB01");
}

TEST(NfcTest, NormalizeInPlaceSaysWhetherItChanged) {
  std::string s = "Jose\u0301";
  EXPECT_TRUE(NormalizeNfc(s));
  EXPECT_EQ(s, "José");
  EXPECT_FALSE(NormalizeNfc(s));
}

TEST(NfcTest, ANulCharacterIsACharacterNotTheEnd) {
  const std::string in("e\u0301\0e\u0301", 7);
  EXPECT_EQ(ToNfc(in), std::string("é\0é", 5));
}

TEST(NfcTest, TextThatIsNotUtf8IsLeftAsItIs) {
  // Latin-1, a truncated mark, a stray byte, a surrogate, an overlong NUL, a truncated end.
  for (const std::string& s :
       {std::string("Jos\xE9"), std::string("e\xCC"), std::string("e\xCC\x81\xFF"),
        std::string("\xED\xA0\x80"), std::string("\xC0\x80"), std::string("e\xCD\x81\xC3")}) {
    std::string copy = s;
    EXPECT_FALSE(NormalizeNfc(copy));
    EXPECT_EQ(copy, s);
  }
}

TEST(NfcTest, ByteTestSaysYesOnlyBelowU0300) {
  EXPECT_TRUE(NfcByBytes(""));
  EXPECT_TRUE(NfcByBytes("DUPONT Jean-Pierre O'Neil 1990"));
  EXPECT_TRUE(NfcByBytes(kComposed60));
  EXPECT_TRUE(NfcByBytes("Łukasz ŒUVRE ÿ \u02FF"));  // U+02FF, the last below the marks
  EXPECT_FALSE(NfcByBytes("e\u0301"));               // U+0301: 0xCC 0x81
  EXPECT_FALSE(NfcByBytes("\u0300"));                // the first combining mark
  EXPECT_FALSE(NfcByBytes("N’Diaye"));               // U+2019 is composed, but looked up
  EXPECT_FALSE(NfcByBytes("\u1100\u1161"));
}

TEST(NfcTest, EveryCharacterBelowU0300IsNfcAndNeverCombines) {
  // What NfcByBytes relies on, checked against the library: each character below U+0300, alone
  // and after a letter, is unchanged by NFC.
  for (char32_t c = 1; c < 0x300; ++c) {
    std::string s;
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else {
      s += static_cast<char>(0xC0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3F));
    }
    EXPECT_TRUE(NfcByBytes(s));
    for (const std::string& text : {s, "a" + s, s + "a", "A" + s + "e"}) {
      std::string copy = text;
      // NormalizeNfc itself would take the byte path: ask the library through a text it must
      // look up (a trailing U+0300 on a space never composes).
      copy += " \u0300";
      EXPECT_EQ(ToNfc(copy), copy) << "U+" << std::hex << static_cast<unsigned>(c);
    }
  }
}

}  // namespace
}  // namespace accrochd
