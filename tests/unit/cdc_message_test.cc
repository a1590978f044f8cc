// The CDC's messages of an accusé de traitement (GUIDE-AT V3), classified: one class per
// normalised message, and only the passage-level duplicate, whole, counts as acceptance.
#include "mappings/cdc_message.h"

#include <string>

#include <gtest/gtest.h>

namespace accrochd::mappings {
namespace {

constexpr const char* kDuplicate =
    "Le passage certification avec le bcr émetteur 03VML243 et l'id technique partenaire "
    "1559735 existe déjà en base";

TEST(CdcMessageTest, ThePassageLevelDuplicateIsTheOnlyAcceptance) {
  EXPECT_EQ(ClassifyCdcMessage(kDuplicate), CdcMessage::kAlreadyRecorded);
  EXPECT_TRUE(IsAcceptance(ClassifyCdcMessage(kDuplicate)));
  EXPECT_EQ(CdcMessageName(CdcMessage::kAlreadyRecorded), "already-recorded");
  // An idTechnique of ours, with a prefix and a dash.
  EXPECT_EQ(ClassifyCdcMessage("Le passage certification avec le bcr émetteur DEMO0001 et l'id "
                               "technique partenaire IEF-1042 existe déjà en base"),
            CdcMessage::kAlreadyRecorded);
  for (CdcMessage m :
       {CdcMessage::kCertificationKo, CdcMessage::kHolderNotFound, CdcMessage::kHolderNotFoundBirth,
        CdcMessage::kHolderNotReconciled, CdcMessage::kSeveralHolders,
        CdcMessage::kInconsistentDates, CdcMessage::kUnknown}) {
    EXPECT_FALSE(IsAcceptance(m)) << CdcMessageName(m);
  }
}

// As the guide prints it (cut over three lines, indented), in capitals, with a typographic
// apostrophe, no-break spaces, decomposed accents (e + U+0301), a final full stop.
TEST(CdcMessageTest, TheDuplicateIsRecognisedHoweverItIsSpaced) {
  EXPECT_EQ(ClassifyCdcMessage("Le passage certification avec le bcr émetteur 1234ABCDE\n"
                               "                 et l'id technique partenaire xxxxxxx existe "
                               "déjà en\n                 base"),
            CdcMessage::kAlreadyRecorded);
  EXPECT_EQ(ClassifyCdcMessage("LE PASSAGE CERTIFICATION AVEC LE BCR ÉMETTEUR 03VML243 ET L'ID "
                               "TECHNIQUE PARTENAIRE 1559735 EXISTE DÉJÀ EN BASE"),
            CdcMessage::kAlreadyRecorded);
  EXPECT_EQ(ClassifyCdcMessage("Le passage certification avec le bcr émetteur 03VML243 et "
                               "l\u2019id technique partenaire 1559735 existe déjà en base"),
            CdcMessage::kAlreadyRecorded);
  EXPECT_EQ(ClassifyCdcMessage("  Le\u00a0passage certification avec le bcr\u202fe\u0301metteur "
                               "03VML243 et l'id technique partenaire 1559735 existe\tde\u0301ja"
                               "\u0300 en base.  "),
            CdcMessage::kAlreadyRecorded);
  EXPECT_EQ(ClassifyCdcMessage("Le passage certification avec le bcr emetteur 03VML243 et l'id "
                               "technique partenaire 1559735 existe deja en base"),
            CdcMessage::kAlreadyRecorded);
}

// « existe déjà en base » alone is not enough: the holder, a bare fragment, the duplicate with
// words added before or after, or without its BCR or idTechnique are rejections.
TEST(CdcMessageTest, OtherMessagesSayingExisteDejaEnBaseAreRejections) {
  for (const char* message : {
           "Le titulaire existe déjà en base",
           "LE TITULAIRE EXISTE DÉJÀ EN BASE",
           "existe déjà en base",
           "Le passage existe déjà en base",
           "Le passage certification existe déjà en base",
           "Le passage certification avec le bcr émetteur 03VML243 existe déjà en base",
           "Le passage certification avec le bcr émetteur et l'id technique partenaire 1559735 "
           "existe déjà en base",
           "Le passage certification avec le bcr émetteur 03VML243 et l'id technique partenaire "
           "existe déjà en base",
           "Le passage certification avec le bcr émetteur 03 VML243 et l'id technique "
           "partenaire 1559735 existe déjà en base",
           "Le titulaire du passage certification avec le bcr émetteur 03VML243 et l'id "
           "technique partenaire 1559735 existe déjà en base",
           "Le passage certification avec le bcr émetteur 03VML243 et l'id technique partenaire "
           "1559735 existe déjà en base pour un autre titulaire",
           "Le passage certification avec le bcr émetteur 03VML243 et l'id technique partenaire "
           "1559735 n'existe pas en base",
           "Erreur : le passage certification avec le bcr émetteur 03VML243 et l'id technique "
           "partenaire 1559735 existe déjà en base",
       }) {
    EXPECT_EQ(ClassifyCdcMessage(message), CdcMessage::kUnknown) << message;
    EXPECT_FALSE(IsAcceptance(ClassifyCdcMessage(message))) << message;
  }
}

TEST(CdcMessageTest, CertificationKo) {
  EXPECT_EQ(ClassifyCdcMessage("Le statut de la certification avec le bcr émetteur xxAAAxxx, l'id "
                               "technique partenaire xxxxxx et l'index 0 est KO"),
            CdcMessage::kCertificationKo);
  EXPECT_EQ(CdcMessageName(CdcMessage::kCertificationKo), "certification-ko");
}

TEST(CdcMessageTest, HolderNotFound) {
  EXPECT_EQ(ClassifyCdcMessage("Aucun titulaire ne correspond aux critères obligatoires"),
            CdcMessage::kHolderNotFound);
  EXPECT_EQ(ClassifyCdcMessage("Aucun titulaire ne correspond aux critères\n  obligatoires"),
            CdcMessage::kHolderNotFound);
  EXPECT_EQ(CdcMessageName(CdcMessage::kHolderNotFound), "holder-not-found");
}

TEST(CdcMessageTest, HolderNotFoundWithDayAndMonthOfBirth) {
  EXPECT_EQ(ClassifyCdcMessage("Aucun titulaire ne correspond aux critères obligatoires enrichis "
                               "du jour et du mois de naissance"),
            CdcMessage::kHolderNotFoundBirth);
  EXPECT_EQ(CdcMessageName(CdcMessage::kHolderNotFoundBirth), "holder-not-found-birth");
}

TEST(CdcMessageTest, HolderNotReconciledWithOrWithoutTheAccent) {
  EXPECT_EQ(ClassifyCdcMessage("Aucun titulaire ne correspond aux critères de reconciliation"),
            CdcMessage::kHolderNotReconciled);
  EXPECT_EQ(ClassifyCdcMessage("Aucun titulaire ne correspond aux critères de réconciliation"),
            CdcMessage::kHolderNotReconciled);
  EXPECT_EQ(CdcMessageName(CdcMessage::kHolderNotReconciled), "holder-not-reconciled");
}

TEST(CdcMessageTest, SeveralHolders) {
  EXPECT_EQ(ClassifyCdcMessage("Plusieurs titulaires ont été identifiés"),
            CdcMessage::kSeveralHolders);
  EXPECT_EQ(CdcMessageName(CdcMessage::kSeveralHolders), "several-holders");
}

TEST(CdcMessageTest, InconsistentDates) {
  EXPECT_EQ(ClassifyCdcMessage("La date de fin de validité est inférieure à date de début de "
                               "validité pour le passage certification avec le bcr émetteur "
                               "1234ABCD et l'id technique partenaire xxxxxxx "),
            CdcMessage::kInconsistentDates);
  EXPECT_EQ(CdcMessageName(CdcMessage::kInconsistentDates), "inconsistent-dates");
}

TEST(CdcMessageTest, AnyOtherMessageIsUnknown) {
  for (const char* message : {"", "   ", "Erreur technique", "KO", "Le titulaire est décédé"}) {
    EXPECT_EQ(ClassifyCdcMessage(message), CdcMessage::kUnknown) << message;
  }
  EXPECT_EQ(CdcMessageName(CdcMessage::kUnknown), "unknown");
}

// A receipt's text is outside input: malformed or cut UTF-8 is kept byte for byte, compared
// to nothing, and never read past its end.
TEST(CdcMessageTest, MalformedUtf8IsUnknown) {
  for (const std::string& message :
       {std::string("\xe2\x80"), std::string("\xcc"), std::string("\xef\xbb"),
        std::string("Le titulaire existe d\xe9j\xe0 en base"), std::string("\xc2"),
        std::string("a\0b", 3)}) {
    EXPECT_EQ(ClassifyCdcMessage(message), CdcMessage::kUnknown);
  }
  EXPECT_EQ(NormalizeCdcMessage("\xe2\x80"), "\xe2\x80");
}

TEST(CdcMessageTest, TheNormalFormFoldsCaseAccentsApostrophesAndBlanks) {
  EXPECT_EQ(NormalizeCdcMessage("  L\u2019ÉTÉ\u00a0\u00a0à\n\tPARIS\u200b  "), "l'ete a paris");
  EXPECT_EQ(NormalizeCdcMessage("l\u02bcid l\u2018id l`id l\u00b4id l\u2032id"),
            "l'id l'id l'id l'id l'id");
  EXPECT_EQ(NormalizeCdcMessage("re\u0301concilie\u0301e"), "reconciliee");
  EXPECT_EQ(NormalizeCdcMessage("\xef\xbb\xbf"
                                "base"),
            "base");
  EXPECT_EQ(NormalizeCdcMessage(""), "");
}

}  // namespace
}  // namespace accrochd::mappings
