// The alert of passages gone from the source (issue 11, item 3): rendered from the built-in
// templates alert-missing-* with a real configuration and a real state store, handed to a
// recording sender. One message of kind "missing", French, identifiers only, the withdraw
// command for an accepted passage, urgent then; each passage announced once per disappearance.
#include <filesystem>
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
#include "tests/support/json_reader.h"
#include "tests/support/mapping_fixtures.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kBcr = "DEMO0001";

store::Observation Obs(const std::string& id) {
  store::Observation o;
  o.certifier = kBcr;
  o.id_technique = id;
  o.mapping = "m";
  o.certification_type = "RNCP";
  o.certification_code = "RNCP35830";
  o.delivery = Date{std::chrono::year(2026), std::chrono::month(1), std::chrono::day(15)};
  o.content_hash = "h-" + id;
  return o;
}

class MissingAlertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("missing_alert_test");
    testing::WriteFile(dir_ + "/m.yaml", testing::MinimalMapping("ecole", "SELECT id FROM t"));
    testing::WriteFile(
        dir_ + "/accrochd.yaml",
        "state_directory: " + dir_ +
            "/state\n"
            "alerts:\n  webhooks:\n    equipe:\n      url: \"http://127.0.0.1:9/hook\"\n"
            "      format: json\n    chat:\n      url: \"http://127.0.0.1:9/chat\"\n"
            "      format: slack\n  daily_summary: \"off\"\n"
            "sources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=" +
            dir_ +
            "/none.db;\"\n"
            "certifiers:\n  ecole:\n    id_client: \"" +
            kBcr +
            "\"\n"
            "    id_contrat: \"MCFCER009999\"\n    mappings: [m.yaml]\n"
            "    alerts:\n      - {webhook: equipe, severity: info}\n"
            "      - {webhook: chat, severity: info}\n");
    auto loaded = LoadConfig(dir_ + "/accrochd.yaml", Environment{});
    ASSERT_TRUE(loaded.has_value()) << FormatDiagnostics(loaded.error());
    config_ = std::make_unique<Config>(std::move(*loaded));
    std::filesystem::create_directories(config_->state_directory);
    auto opened = store::StateStore::Open(config_->state_directory, clock_, testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->passages().Observe({Obs("1001"), Obs("1002"), Obs("1003")}));
    // 1003 is accepted by the CDC.
    auto id = store_->deposits().Begin(kBcr, "F.xml", "flux-1", {"1003"});
    ASSERT_TRUE(id.has_value());
    ASSERT_TRUE(store_->deposits().MarkPublished(*id, "00"));
    ASSERT_TRUE(store_->deposits().MarkUploaded("F.xml"));
    ASSERT_TRUE(store_->deposits().RecordVerdicts(
        "F.xml", "traite",
        {{"1003", true,
          "Le passage certification avec le bcr émetteur DEMO0001 et l'id technique "
          "partenaire 1003 existe déjà en base"}}));
  }

  // Plans and delivers the alerts; returns what the webhook was handed.
  std::vector<store::QueuedAlert> Alert() {
    std::vector<store::QueuedAlert> sent;
    Alerter alerter(*config_, *store_, logger_, clock_,
                    [&](const Config&, const store::QueuedAlert& q) {
                      sent.push_back(q);
                      return alert::DeliveryOutcome{alert::DeliveryOutcome::Kind::kDelivered, ""};
                    });
    EXPECT_TRUE(alerter.Plan().has_value());
    EXPECT_TRUE(alerter.Deliver().has_value());
    std::vector<store::QueuedAlert> missing;
    for (const store::QueuedAlert& q : sent) {
      if (q.kind == "missing") missing.push_back(q);
    }
    return missing;
  }

  // A read of mapping m that saw only 1001.
  void ReadOnly1001() {
    ASSERT_TRUE(store_->missing().BeginRead(kBcr));
    ASSERT_TRUE(store_->missing().NoteRead(kBcr, {"1001"}));
    ASSERT_TRUE(store_->missing().MarkUnread(kBcr, "m", 1));
  }

  testing::FakeClock clock_{
      std::chrono::sys_days(
          Date{std::chrono::year(2026), std::chrono::month(3), std::chrono::day(2)}) +
      std::chrono::hours(9)};
  testing::CaptureLogger logger_;
  std::string dir_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<store::StateStore> store_;
};

TEST_F(MissingAlertTest, OneMessagePerDisappearanceWithTheWithdrawCommandForAnAcceptedOne) {
  EXPECT_TRUE(Alert().empty());  // nothing gone yet
  ReadOnly1001();
  std::vector<store::QueuedAlert> sent = Alert();
  ASSERT_EQ(sent.size(), 2u);
  // The Slack form carries the text part, as e-mail would.
  const store::QueuedAlert& chat = sent[0].channel == "webhook:chat" ? sent[0] : sent[1];
  EXPECT_THAT(chat.payload, HasSubstr("ne sont plus lus dans la base du certificateur"));
  EXPECT_THAT(chat.payload, HasSubstr("1002  RNCP RNCP35830  échéance 15/04/2026"));
  EXPECT_THAT(chat.payload, HasSubstr("1003  RNCP RNCP35830  →  accrochd passages withdraw 1003"));
  EXPECT_THAT(chat.payload, Not(HasSubstr("\\n\\n\\n")));  // no empty section left behind
  const store::QueuedAlert& q = sent[0].channel == "webhook:equipe" ? sent[0] : sent[1];
  EXPECT_EQ(q.channel, "webhook:equipe");
  EXPECT_EQ(q.severity, "urgent");  // an accepted one: only an operator withdraws it
  EXPECT_THAT(q.subject, HasSubstr("2 passage(s) disparu(s) de la source"));
  testing::JsonReader reader(q.payload);
  std::optional<testing::Json> doc = reader.Document();
  ASSERT_TRUE(doc.has_value()) << reader.error() << "\n" << q.payload;
  const testing::Json& j = *doc;
  EXPECT_EQ(j["kind"].text, "missing");
  EXPECT_EQ(j["missing_count"].Int(), 2);
  ASSERT_EQ(j["missing"].items.size(), 1u);
  EXPECT_EQ(j["missing"].items[0]["id_technique"].text, "1002");
  ASSERT_EQ(j["missing_from_source"].items.size(), 1u);
  EXPECT_EQ(j["missing_from_source"].items[0]["id_technique"].text, "1003");
  EXPECT_EQ(j["missing_from_source"].items[0]["status"].text, "accepted");
  EXPECT_EQ(j["missing_from_source"].items[0]["withdraw"].text, "accrochd passages withdraw 1003");
  EXPECT_THAT(q.payload, Not(HasSubstr("1001")));  // still read: not gone

  // Once: the next rounds say nothing more.
  EXPECT_TRUE(Alert().empty());
  // Back, then gone again: announced again.
  ASSERT_TRUE(store_->passages().Observe({Obs("1002")}));
  clock_.Advance(std::chrono::hours(1));
  ReadOnly1001();
  sent = Alert();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_THAT(sent[0].subject, HasSubstr("1 passage(s) disparu(s)"));
  EXPECT_EQ(sent[0].severity, "info");
}

}  // namespace
}  // namespace accrochd::daemon
