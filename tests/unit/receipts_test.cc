// Importing an accusé de traitement (daemon/receipts.h): the verdict of every class of the CDC's
// messages, into a real state store, and what the alerts then say of the rejected passages.
// Only the passage-level duplicate is an acceptance; « Le titulaire existe déjà en base », an
// unknown message and an empty one are rejections, alerted with their action.
#include "daemon/receipts.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/store/state_store.h"
#include "daemon/alerts.h"
#include "daemon/config.h"
#include "tests/support/capture_logger.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono;
using store::Status;

constexpr const char* kBcr = "DEMO0001";
// tests/data/receipts/ok-every-cdc-message.xml answers this deposit.
constexpr const char* kDepositFile = "DEMO0001_20260302T060000Z_001.xml";
constexpr const char* kIdFlux = "6b0d3c1e-4f2a-4d8b-9a61-0c7e5f3b2a19";

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

const TimePoint kStart = sys_days(D(2026, 3, 2)) + hours(6);

class ReceiptImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = testing::MakeTempDir(std::string("receipts_test/") + info->name());
    fs::create_directories(dir_ + "/state/archive");  // made by the publisher
    const std::string demo = std::string(ACCROCHD_SOURCE_DIR) + "/demo/mappings/";
    const fs::path path = fs::path(dir_) / "accrochd.yaml";
    std::ofstream(path)
        << "state_directory: state\n"
        << "alerts:\n  daily_summary: \"off\"\n  email: {server: "
           "\"smtp://127.0.0.1:1\", from: accrochd@exemple.fr}\n  webhooks:\n"
           "    equipe: {url: \"http://127.0.0.1:1/hook\"}\n"
        << "sources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=/x.db;\"\n"
           "certifiers:\n  institut-exemple:\n    id_client: \""
        << kBcr << "\"\n    id_contrat: \"MCFCER009999\"\n    mappings:\n      - " << demo
        << "accueil-handicap.yaml\n    alerts:\n"
        << "      - {email: scolarite@exemple.fr}\n      - {webhook: equipe}\n";
    auto config = LoadConfig(path.string(), Environment{});
    ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
    config_ = std::move(*config);
    auto opened =
        store::StateStore::Open(dir_ + "/state", clock_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
  }

  // Passages P-01 .. P-`n`, delivered in January (deadlines in April: beyond every threshold),
  // in one deposit uploaded to the CDC.
  void Deposit(int n) {
    std::vector<store::Observation> seen;
    std::vector<std::string> ids;
    for (int i = 1; i <= n; ++i) {
      store::Observation o;
      o.certifier = kBcr;
      o.id_technique = std::string("P-") + (i < 10 ? "0" : "") + std::to_string(i);
      o.mapping = "accueil-handicap";
      o.certification_type = "RS";
      o.certification_code = "RS6521";
      o.delivery = D(2026, 1, 15);
      o.content_hash = "h-" + o.id_technique;
      ids.push_back(o.id_technique);
      seen.push_back(std::move(o));
    }
    ASSERT_TRUE(store_->passages().Observe(seen).has_value());
    auto deposit = store_->deposits().Begin(kBcr, kDepositFile, kIdFlux, ids);
    ASSERT_TRUE(deposit.has_value()) << deposit.error().message();
    ASSERT_TRUE(store_->deposits().MarkPublished(*deposit, std::string(64, 'a')).has_value());
    ASSERT_TRUE(store_->deposits().MarkUploaded(kDepositFile).has_value());
  }

  // `xml` written into a file, then imported.
  ReceiptImport Import(const std::string& xml) {
    const std::string path = dir_ + "/accuse-" + std::to_string(++imported_) + ".xml";
    std::ofstream(path) << xml;
    return ImportReceipt(config_, *store_, ::accrochd::testing::RealFiles(), path);
  }

  std::map<std::string, store::PassageRecord> Passages() {
    std::map<std::string, store::PassageRecord> out;
    auto all = store_->passages().Passages();
    EXPECT_TRUE(all.has_value()) << all.error().message();
    if (all) {
      for (store::PassageRecord& p : *all) out[p.id_technique] = std::move(p);
    }
    return out;
  }

  // One cycle's alerts, planned and handed to a sender that records them: the e-mail, then the
  // webhook.
  std::vector<store::QueuedAlert> Alerts() {
    std::vector<store::QueuedAlert> sent;
    Alerter alerter(
        config_, *store_, logger_, clock_, [&sent](const Config&, const store::QueuedAlert& q) {
          sent.push_back(q);
          return alert::DeliveryOutcome{alert::DeliveryOutcome::Kind::kDelivered, "200 OK"};
        });
    auto planned = alerter.Plan({});
    EXPECT_TRUE(planned.has_value()) << planned.error().message();
    auto delivered = alerter.Deliver();
    EXPECT_TRUE(delivered.has_value()) << delivered.error().message();
    return sent;
  }

  // A receipt for the deposit with one KO passage.
  static std::string OneKo(const std::string& id, const std::string& message) {
    return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rapport>\n  <nomFichier>") +
           kDepositFile + "</nomFichier>\n  <idFlux>" + kIdFlux +
           "</idFlux>\n  <idTraitement>1</idTraitement>\n  <PassagesKO>\n    <passage>"
           "<idTechnique>" +
           id + "</idTechnique><messageErreur>" + message +
           "</messageErreur></passage>\n  </PassagesKO>\n  <PassagesOK/>\n</rapport>\n";
  }

  std::string dir_;
  testing::FakeClock clock_{kStart};
  Config config_;
  std::unique_ptr<store::StateStore> store_;
  testing::CaptureLogger logger_;
  int imported_ = 0;
};

// The seed receipt holds one passage per class of message, and the duplicate twice (as the
// guide prints it, over three lines; and in capitals with a typographic apostrophe).
TEST_F(ReceiptImportTest, OnlyThePassageLevelDuplicateIsAcceptedEveryOtherMessageRejects) {
  Deposit(12);
  const std::string seed =
      std::string(ACCROCHD_SOURCE_DIR) + "/tests/data/receipts/ok-every-cdc-message.xml";
  ReceiptImport r = ImportReceipt(config_, *store_, ::accrochd::testing::RealFiles(), seed);
  ASSERT_EQ(r.result, ReceiptImport::Result::kApplied) << r.message;
  EXPECT_EQ(r.outcome.accepted, 3);  // P-01 (PassagesOK), P-02 and P-11 (duplicates)
  EXPECT_EQ(r.outcome.rejected, 9);  // P-03 .. P-10, P-12
  EXPECT_EQ(r.outcome.missing, 0);
  EXPECT_EQ(r.outcome.unknown, 0);

  auto passages = Passages();
  for (const char* id : {"P-01", "P-02", "P-11"}) {
    EXPECT_EQ(passages[id].status, Status::kAccepted) << id;
  }
  for (const char* id : {"P-03", "P-04", "P-05", "P-06", "P-07", "P-08", "P-09", "P-10", "P-12"}) {
    EXPECT_EQ(passages[id].status, Status::kRejected) << id;
  }
  // The CDC's words, verbatim.
  EXPECT_EQ(passages["P-03"].cdc_message, "Le titulaire existe déjà en base");
  EXPECT_EQ(passages["P-04"].cdc_message, "Erreur technique lors de l'enregistrement du passage");

  // Every rejected one is a candidate of the alerts, as rejected, and the webhook names each
  // with its action; the accepted ones are not.
  auto candidates = store_->passages().AlertCandidates(kBcr, D(2026, 3, 2), D(2026, 4, 1));
  ASSERT_TRUE(candidates.has_value()) << candidates.error().message();
  std::map<std::string, Status> candidate;
  for (const store::PassageRecord& p : *candidates) candidate[p.id_technique] = p.status;
  EXPECT_EQ(candidate.count("P-01") + candidate.count("P-02") + candidate.count("P-11"), 0u);
  EXPECT_EQ(candidate["P-03"], Status::kRejected);
  EXPECT_EQ(candidate["P-04"], Status::kRejected);
  EXPECT_EQ(candidate["P-12"], Status::kRejected);

  const std::vector<store::QueuedAlert> sent = Alerts();
  ASSERT_EQ(sent.size(), 2u);
  ASSERT_EQ(sent[1].channel, "webhook:equipe");
  const std::string& payload = sent[1].payload;
  // The action of `id`'s entry in the webhook's "rejected" array.
  auto action_of = [&payload](const std::string& id) {
    const std::size_t at = payload.find("\"id_technique\": \"" + id + "\"");
    if (at == std::string::npos) return std::string("(not in the payload)");
    const std::size_t start = payload.find("\"action\": \"", at);
    const std::size_t end = payload.find('"', start + 11);
    return payload.substr(start + 11, end - start - 11);
  };
  EXPECT_EQ(action_of("P-03"), "unknown");
  EXPECT_EQ(action_of("P-04"), "unknown");
  EXPECT_EQ(action_of("P-12"), "unknown");
  EXPECT_EQ(action_of("P-05"), "certification_ko");
  EXPECT_EQ(action_of("P-06"), "holder_not_found");
  EXPECT_EQ(action_of("P-07"), "holder_not_found_birth");
  EXPECT_EQ(action_of("P-08"), "holder_not_reconciled");
  EXPECT_EQ(action_of("P-09"), "several_holders");
  EXPECT_EQ(action_of("P-10"), "inconsistent_dates");
  EXPECT_EQ(action_of("P-01"), "(not in the payload)");
  EXPECT_EQ(action_of("P-02"), "(not in the payload)");
  EXPECT_EQ(action_of("P-11"), "(not in the payload)");
  EXPECT_THAT(payload, HasSubstr("\"message\": \"Le titulaire existe déjà en base\""));
}

// « Le titulaire existe déjà en base »: the holder, not the passage. The passage is rejected,
// and the alert's text says what to do.
TEST_F(ReceiptImportTest, TheHolderAlreadyRecordedIsARejectionWithItsAlert) {
  Deposit(1);
  ReceiptImport r = Import(OneKo("P-01", "Le titulaire existe déjà en base"));
  ASSERT_EQ(r.result, ReceiptImport::Result::kApplied) << r.message;
  EXPECT_EQ(r.outcome.accepted, 0);
  EXPECT_EQ(r.outcome.rejected, 1);
  EXPECT_EQ(Passages()["P-01"].status, Status::kRejected);
  const std::vector<store::QueuedAlert> sent = Alerts();
  ASSERT_EQ(sent.size(), 2u);
  ASSERT_EQ(sent[0].channel, "email");
  EXPECT_THAT(sent[0].text, HasSubstr("Rejetés par la CDC — 1 passage(s)"));
  EXPECT_THAT(sent[0].text, HasSubstr("P-01"));
  EXPECT_THAT(sent[0].text, HasSubstr("« Le titulaire existe déjà en base »"));
  EXPECT_THAT(sent[0].text, HasSubstr("lire le message de la CDC et corriger la donnée en cause"));
  EXPECT_THAT(sent[0].text, Not(HasSubstr("la CDC a déjà ce passage")));
}

// A message no guide lists: rejected, and alerted.
TEST_F(ReceiptImportTest, AnUnknownMessageIsARejectionWithItsAlert) {
  Deposit(1);
  ReceiptImport r = Import(OneKo("P-01", "Le SI CPF est indisponible, réessayez plus tard"));
  ASSERT_EQ(r.result, ReceiptImport::Result::kApplied) << r.message;
  EXPECT_EQ(r.outcome.accepted, 0);
  EXPECT_EQ(r.outcome.rejected, 1);
  EXPECT_EQ(Passages()["P-01"].status, Status::kRejected);
  auto candidates = store_->passages().AlertCandidates(kBcr, D(2026, 3, 2), D(2026, 3, 2));
  ASSERT_TRUE(candidates.has_value()) << candidates.error().message();
  ASSERT_EQ(candidates->size(), 1u);
  EXPECT_EQ((*candidates)[0].id_technique, "P-01");
  EXPECT_EQ((*candidates)[0].status, Status::kRejected);
  const std::vector<store::QueuedAlert> sent = Alerts();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_THAT(sent[1].payload, HasSubstr("\"action\": \"unknown\""));
  EXPECT_THAT(sent[0].text, HasSubstr("« Le SI CPF est indisponible, réessayez plus tard »"));
}

// The duplicate of another wording (a full stop, no-break spaces, a decomposed accent) is still
// the duplicate; with a word changed, it is not.
TEST_F(ReceiptImportTest, TheDuplicateIsReadRobustlyButNeverWidened) {
  Deposit(2);
  const std::string variants =
      std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rapport>\n  <nomFichier>") +
      kDepositFile + "</nomFichier>\n  <idFlux>" + kIdFlux +
      "</idFlux>\n  <PassagesKO>\n"
      "    <passage><idTechnique>P-01</idTechnique><messageErreur>Le passage certification "
      "avec le bcr e\u0301metteur DEMO0001\u00a0et l\u2019id technique partenaire P-01 existe "
      "déjà en base.</messageErreur></passage>\n"
      "    <passage><idTechnique>P-02</idTechnique><messageErreur>Le passage certification "
      "avec le bcr émetteur DEMO0001 et l'id technique partenaire P-02 existe déjà en base "
      "sous un autre titulaire</messageErreur></passage>\n"
      "  </PassagesKO>\n  <PassagesOK/>\n</rapport>\n";
  ReceiptImport r = Import(variants);
  ASSERT_EQ(r.result, ReceiptImport::Result::kApplied) << r.message;
  EXPECT_EQ(r.outcome.accepted, 1);
  EXPECT_EQ(r.outcome.rejected, 1);
  auto passages = Passages();
  EXPECT_EQ(passages["P-01"].status, Status::kAccepted);
  EXPECT_EQ(passages["P-02"].status, Status::kRejected);
}

}  // namespace
}  // namespace accrochd::daemon
