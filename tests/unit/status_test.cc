// The deadline dashboard and the STATUS line, from a real state store and the built-in
// templates: the counts by status and by deadline band, the certifier's own "today", and the
// absence of anything personal.

#include "daemon/status.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/store/state_store.h"
#include "daemon/config.h"
#include "tests/support/fake_clock.h"
#include "tests/support/observations.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using store::Observation;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono;

constexpr const char* kBcr = "DEMO0001";

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

// 22:30 UTC on 1 March 2026: 23:30 in Paris, still the 1st; in Nouméa (UTC+11), the 2nd.
const TimePoint kNow = sys_days(D(2026, 3, 1)) + hours(22) + minutes(30);

class StatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = testing::MakeTempDir(std::string("status_test/") + info->name());
  }

  // A configuration with the demo's mappings, the state in dir_/state, and `extra` keys.
  Config Load(const std::string& extra = "") {
    const std::string demo = std::string(ACCROCHD_SOURCE_DIR) + "/demo/mappings/";
    const fs::path path = fs::path(dir_) / "accrochd.yaml";
    std::ofstream(path)
        << "state_directory: state\n"
        << extra
        << "sources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=/x.db;\"\n"
           "certifiers:\n  institut-exemple:\n    id_client: \""
        << kBcr << "\"\n    id_contrat: \"MCFCER009999\"\n    mappings:\n      - " << demo
        << "accueil-handicap.yaml\n";
    auto config = LoadConfig(path.string(), Environment{});
    EXPECT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
    return config.has_value() ? std::move(*config) : Config{};
  }

  void OpenStore() {
    fs::create_directories(dir_ + "/state");
    auto opened =
        store::StateStore::Open(dir_ + "/state", clock_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
  }

  void See(const std::string& id, Date delivery, bool quarantined = false) {
    Observation o =
        ::accrochd::testing::RsObservation(kBcr, id, "accueil-handicap", "h-" + id, delivery);
    o.quarantined = quarantined;
    if (quarantined) o.reasons.push_back({"sexe", "required", "sexe : champ obligatoire"});
    auto r = store_->passages().Observe({o});
    ASSERT_TRUE(r.has_value()) << r.error().message();
  }

  std::string dir_;
  testing::FakeClock clock_{kNow};
  std::unique_ptr<store::StateStore> store_;
};

TEST_F(StatusTest, CountsByStatusAndDeadlineBand) {
  Config config = Load();
  OpenStore();
  See("OVERDUE", D(2025, 11, 20));                            // deadline 20/02/2026: passed
  See("URGENT", D(2025, 12, 5));                              // deadline 05/03/2026: 4 days left
  See("SOON", D(2025, 12, 20));                               // 20/03/2026: 19 days
  See("LATER", D(2026, 2, 1));                                // 01/05/2026: 61 days
  See("QUARANTINED", D(2025, 12, 10), /*quarantined=*/true);  // 10/03/2026: 9 days
  See("FUTURE", D(2026, 3, 10));                              // not delivered yet
  See("SENT", D(2025, 12, 1));                                // deposited: the CDC has it
  ASSERT_TRUE(store_->deposits().Begin(kBcr, "f.xml", "flux", {"SENT"}).has_value());
  ASSERT_TRUE(store_->deposits().MarkPublished(1, std::string(64, 'a')).has_value());
  ASSERT_TRUE(store_->deposits().MarkUploaded("f.xml").has_value());

  auto summary = Summarize(config, *store_, clock_);
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  EXPECT_EQ(summary->pending, 5);  // all but the quarantined and the deposited
  EXPECT_EQ(summary->quarantined, 1);
  EXPECT_EQ(summary->overdue, 1);
  EXPECT_EQ(summary->urgent, 3);  // 14 days or fewer, the overdue one included
  EXPECT_EQ(summary->outbox, 0);  // uploaded: no longer waiting in the outbox

  auto line = StatusLine(config, *summary, kNow + minutes(15), "");
  ASSERT_TRUE(line.has_value()) << line.error().message();
  // 22:45 UTC is 23:45 in Paris.
  EXPECT_EQ(*line, "5 en attente, 3 à échéance < 14 j, 1 en quarantaine, prochain cycle 23:45");
  auto failing = StatusLine(config, *summary, kNow, "institut-exemple");
  EXPECT_THAT(failing.value_or(""), HasSubstr("ÉCHEC : institut-exemple"));

  auto data = DashboardData(config, *store_, clock_);
  ASSERT_TRUE(data.has_value()) << data.error().message();
  auto text = config.templates->Render("status", *data);
  ASSERT_TRUE(text.has_value()) << text.error().message();
  EXPECT_THAT(*text, HasSubstr("accrochd — état de l'accrochage au 01/03/2026 23:30"));
  EXPECT_THAT(*text, HasSubstr("Certificateur institut-exemple (BCR DEMO0001)"));
  EXPECT_THAT(*text, HasSubstr("RS RS6521 : 7 passage(s)"));
  EXPECT_THAT(*text, HasSubstr("5 en attente de dépôt (dont 1 délivré(s) à une date future), "
                               "1 en quarantaine, 0 dans un fichier à déposer"));
  EXPECT_THAT(*text, HasSubstr("1 déposé(s) en attente d'accusé de traitement"));
  EXPECT_THAT(*text, HasSubstr("1 dépassée(s), 2 à 14 jour(s) ou moins, 1 à 30 jours ou moins"));
  // The nearest deadline first, with the days passed.
  EXPECT_THAT(*text, HasSubstr("OVERDUE  RS6521  en attente de dépôt  délivré le 20/11/2025  "
                               "échéance 20/02/2026  dépassée de 9 jour(s)"));
  EXPECT_LT(text->find("OVERDUE"), text->find("URGENT"));
  EXPECT_LT(text->find("URGENT"), text->find("QUARANTINED"));
}

TEST_F(StatusTest, AllListsEveryPassageNotYetAccepted) {
  Config config = Load();
  OpenStore();
  for (unsigned d = 1; d <= 25; ++d) See("P" + std::to_string(100 + d), D(2026, 1, d));
  auto text = [&](std::size_t n) {
    auto data = DashboardData(config, *store_, clock_, n);
    EXPECT_TRUE(data.has_value());
    return config.templates->Render("status", data.value_or(TemplateValue())).value_or("");
  };
  const std::string nearest = text(kNearestDeadlines), all = text(kEveryDeadline);
  EXPECT_THAT(nearest, HasSubstr("Les 20 échéances les plus proches"));
  EXPECT_THAT(nearest, HasSubstr("P120  RS6521"));
  EXPECT_THAT(nearest, Not(HasSubstr("P121  RS6521")));
  EXPECT_THAT(all, HasSubstr("Toutes les échéances (25 passage(s) pas encore accepté(s)) :"));
  EXPECT_THAT(all, HasSubstr("P125  RS6521  en attente de dépôt  délivré le 25/01/2026  "
                             "échéance 25/04/2026  55 jour(s)"));
}

TEST_F(StatusTest, TheCertifiersTimeZoneDecidesWhichDayItIs) {
  // At 22:30 UTC on 1 March it is 2 March in Nouméa: one day fewer left.
  Config config = Load("timezone: Pacific/Noumea\n");
  OpenStore();
  See("EDGE", D(2025, 12, 2));  // deadline 02/03/2026: today there, tomorrow in Paris
  See("PAST", D(2025, 12, 1));  // deadline 01/03/2026: passed there, today in Paris
  auto summary = Summarize(config, *store_, clock_);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->overdue, 1);

  Config paris = Load();
  auto in_paris = Summarize(paris, *store_, clock_);
  ASSERT_TRUE(in_paris.has_value());
  EXPECT_EQ(in_paris->overdue, 0);
}

TEST_F(StatusTest, AnEmptyStoreSaysSo) {
  Config config = Load();
  OpenStore();
  auto data = DashboardData(config, *store_, clock_);
  ASSERT_TRUE(data.has_value());
  auto text = config.templates->Render("status", *data);
  ASSERT_TRUE(text.has_value());
  EXPECT_THAT(*text, HasSubstr("Aucun passage connu pour l'instant."));
  EXPECT_THAT(*text, Not(HasSubstr("{{")));
}

}  // namespace
}  // namespace accrochd::daemon
