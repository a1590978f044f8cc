// The metrics file's exposition format (names, HELP and TYPE, escaping) and the HTML report's
// escaping, from dashboards made by hand; then both from a real state store after a cycle is
// recorded, written atomically where the configuration says.
#include "daemon/monitoring.h"

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/config.h"
#include "daemon/dashboard.h"
#include "daemon/metrics.h"
#include "daemon/status.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using store::Status;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono;

const TimePoint kNow = sys_days(year(2026) / 3 / 1) + hours(9);

TEST(ExpositionTest, LabelValuesEscapeBackslashQuoteAndLineFeed) {
  EXPECT_EQ(EscapeLabelValue("RNCP35830"), "RNCP35830");
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeLabelValue("école"), "école");
  // Not UTF-8: each bad byte becomes U+FFFD, the rest kept.
  EXPECT_EQ(EscapeLabelValue("a\xff"
                             "b\xc3"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

TEST(ExpositionTest, HelpEscapesBackslashAndLineFeedOnly) {
  EXPECT_EQ(EscapeHelp("say \"x\"\\n\nnext"), "say \"x\"\\\\n\\nnext");
}

TEST(ExpositionTest, FamiliesHaveHelpThenTypeThenSamples) {
  Exposition e;
  e.Family("accrochd_things", "gauge", "Things.");
  e.Sample({}, std::int64_t{3});
  e.Family("accrochd_events_total", "counter", "Events.");
  e.Sample({{"kind", "a\"b"}, {"certifier", "X"}}, std::int64_t{7});
  e.Family("accrochd_wait_seconds", "gauge", "Wait.");
  e.Sample({}, 1.5);
  EXPECT_EQ(e.text(),
            "# HELP accrochd_things Things.\n"
            "# TYPE accrochd_things gauge\n"
            "accrochd_things 3\n"
            "# HELP accrochd_events_total Events.\n"
            "# TYPE accrochd_events_total counter\n"
            "accrochd_events_total{kind=\"a\\\"b\",certifier=\"X\"} 7\n"
            "# HELP accrochd_wait_seconds Wait.\n"
            "# TYPE accrochd_wait_seconds gauge\n"
            "accrochd_wait_seconds 1.500\n");
}

// A dashboard with one certifier, one plain certification and one whose code needs escaping.
Dashboard SampleDashboard() {
  Dashboard d;
  d.generated_at = kNow;
  d.urgent_days = 14;
  d.soon_days = 30;
  CertifierFigures c;
  c.bcr = "DEMO0001";
  CertificationFigures plain{"RNCP", "RNCP35830", {{Status::kPending, 4}, {Status::kAccepted, 2}}};
  CertificationFigures odd{"RS", "R\"S\\1\n", {{Status::kQuarantined, 1}}};
  c.certifications = {plain, odd};
  c.overdue = 1;
  c.urgent = 2;
  c.soon = 1;
  c.later = 1;
  c.outbox_files = 1;
  c.awaiting_receipt = 3;
  d.certifiers.push_back(c);
  d.alerts = {2, 5, 1};
  d.last_cycle = store::CycleRecord{store::CycleResult::kPartial, kNow, milliseconds(1234)};
  d.last_success =
      store::CycleRecord{store::CycleResult::kSuccess, kNow - minutes(15), milliseconds(900)};
  return d;
}

TEST(MetricsTextTest, EveryFamilyFollowsTheNamingConventions) {
  const std::string text = MetricsText(SampleDashboard());
  std::set<std::string> families;
  static const std::regex kType(R"(# TYPE (\S+) (gauge|counter)\n)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kType);
       it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    EXPECT_TRUE(name.starts_with("accrochd_")) << name;
    EXPECT_EQ(name.ends_with("_total"), (*it)[2] == "counter") << name;
    EXPECT_THAT(text, HasSubstr("# HELP " + name + " ")) << name;
    families.insert(name);
  }
  EXPECT_EQ(
      families,
      (std::set<std::string>{
          "accrochd_certifier_info", "accrochd_passages", "accrochd_deadline_passages",
          "accrochd_deadline_band_limit_seconds", "accrochd_quarantined_passages",
          "accrochd_missing_from_source_passages", "accrochd_outbox_files",
          "accrochd_receipt_awaiting_deposits", "accrochd_alerts_queued",
          "accrochd_alerts_delivered_total", "accrochd_alerts_failed_total",
          "accrochd_last_cycle_result", "accrochd_last_cycle_duration_seconds",
          "accrochd_last_cycle_timestamp_seconds", "accrochd_last_success_timestamp_seconds"}));
  // Every status of every certification, zeros included, so that series never vanish.
  EXPECT_THAT(text, HasSubstr("accrochd_passages{certifier=\"DEMO0001\",certification_type="
                              "\"RNCP\",certification_code=\"RNCP35830\",status=\"pending\"} 4\n"));
  EXPECT_THAT(text,
              HasSubstr("accrochd_passages{certifier=\"DEMO0001\",certification_type="
                        "\"RNCP\",certification_code=\"RNCP35830\",status=\"rejected\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("certification_code=\"R\\\"S\\\\1\\n\",status=\"quarantined\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("accrochd_deadline_passages{certifier=\"DEMO0001\",band=\"overdue\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("accrochd_deadline_band_limit_seconds{band=\"soon\"} 2592000\n"));
  EXPECT_THAT(text, HasSubstr("accrochd_quarantined_passages{certifier=\"DEMO0001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("accrochd_receipt_awaiting_deposits{certifier=\"DEMO0001\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("accrochd_alerts_failed_total 1\n"));
  EXPECT_THAT(text, HasSubstr("accrochd_last_cycle_result{result=\"partial\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("accrochd_last_cycle_result{result=\"success\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("accrochd_last_cycle_duration_seconds 1.234\n"));
  const auto seconds = duration_cast<std::chrono::seconds>(kNow.time_since_epoch()).count();
  EXPECT_THAT(text, HasSubstr("accrochd_last_success_timestamp_seconds " +
                              std::to_string(seconds - 900) + "\n"));
  EXPECT_TRUE(text.ends_with("\n"));
}

TEST(MetricsTextTest, BeforeTheFirstCycleTimesAreZero) {
  Dashboard d;
  const std::string text = MetricsText(d);
  EXPECT_THAT(text, HasSubstr("accrochd_last_success_timestamp_seconds 0\n"));
  EXPECT_THAT(text, HasSubstr("accrochd_last_cycle_result{result=\"failure\"} 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("accrochd_passages{")));
}

class MonitoringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = testing::MakeTempDir(std::string("monitoring_test/") + info->name());
  }

  // The demo's accueil-handicap mapping, the state in dir_/state, and `extra` keys.
  Config Load(const std::string& extra = "") {
    const std::string demo = std::string(ACCROCHD_SOURCE_DIR) + "/demo/mappings/";
    const fs::path path = fs::path(dir_) / "accrochd.yaml";
    std::ofstream(path)
        << "state_directory: state\n"
        << extra
        << "sources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=/x.db;\"\n"
           "certifiers:\n  \"institut <b>&amp; co\":\n    id_client: \"DEMO0001\"\n"
           "    id_contrat: \"MCFCER009999\"\n    mappings:\n      - "
        << demo << "accueil-handicap.yaml\n";
    auto config = LoadConfig(path.string(), Environment{});
    EXPECT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
    return config.has_value() ? std::move(*config) : Config{};
  }

  std::string dir_;
  testing::FakeClock clock_{kNow};
};

// Everything the page shows from the outside is HTML-escaped: a certifier's name, an
// idTechnique, a certification code, a file name.
TEST_F(MonitoringTest, TheReportEscapesEveryValue) {
  Config config = Load();
  Dashboard d = SampleDashboard();
  d.certifiers[0].configured = &config.certifiers[0];
  d.certifiers[0].certifications[1].code = "<script>alert('x')</script>";
  store::PassageRecord p;
  p.certifier = "DEMO0001";
  p.id_technique = "ID\"<1>&2";
  p.certification_type = "RS";
  p.certification_code = "RS<6521>";
  p.status = Status::kPending;
  p.delivery = year(2025) / 11 / 20;
  p.deadline = year(2026) / 2 / 20;
  d.nearest.push_back({p, -9});
  store::DepositRecord file;
  file.file_name = "F&<.xml";
  file.certifier = "DEMO0001";
  file.passages = 4;
  d.outbox.push_back(file);
  auto page = ReportPage(config, d);
  ASSERT_TRUE(page.has_value()) << page.error().message();
  EXPECT_THAT(*page, HasSubstr("<html lang=\"fr\">"));
  EXPECT_THAT(*page, HasSubstr("Certificateur institut &lt;b&gt;&amp;amp; co (BCR DEMO0001)"));
  EXPECT_THAT(*page, HasSubstr("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;"));
  EXPECT_THAT(*page, HasSubstr("<th scope=\"row\">ID&quot;&lt;1&gt;&amp;2</th>"));
  EXPECT_THAT(*page, HasSubstr("RS&lt;6521&gt;"));
  EXPECT_THAT(*page, HasSubstr("<th scope=\"row\">F&amp;&lt;.xml</th>"));
  EXPECT_THAT(*page, Not(HasSubstr("<script")));
  EXPECT_THAT(*page, Not(HasSubstr("<b>")));
  // Overdue: said in words and with a symbol, not by colour alone.
  EXPECT_THAT(*page, HasSubstr("⚠ dépassée de 9 jour(s)"));
  EXPECT_THAT(*page, HasSubstr("⚠ Échéance dépassée pour 1 passage(s)"));
  EXPECT_THAT(*page, HasSubstr("Dernière lecture des bases de données : le 01/03/2026 10:00, "
                               "⚠ incomplète"));
}

// After a cycle, both files are replaced atomically with the store's figures, readable by the
// collector and the web server, and no partial file is left beside them.
TEST_F(MonitoringTest, AfterACycleBothFilesAreWrittenFromTheStore) {
  Config config = Load("monitoring:\n  metrics_file: accrochd.prom\n  report_file: index.html\n");
  fs::create_directories(dir_ + "/state");
  auto store = store::StateStore::Open(dir_ + "/state", clock_, testing::RealFiles());
  ASSERT_TRUE(store.has_value()) << store.error().message();
  store::Observation o;
  o.certifier = "DEMO0001";
  o.id_technique = "IEF-1";
  o.mapping = "accueil-handicap";
  o.certification_type = "RS";
  o.certification_code = "RS6521";
  o.delivery = year(2025) / 11 / 20;
  o.content_hash = "h";
  ASSERT_TRUE((*store)->passages().Observe({o}).has_value());
  testing::WriteFile(dir_ + "/accrochd.prom", "old\n");

  auto r = AfterCycle(config, **store, clock_, testing::RealFiles(), store::CycleResult::kSuccess,
                      milliseconds(2500));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const std::string metrics = testing::ReadAll(dir_ + "/accrochd.prom");
  EXPECT_THAT(metrics, HasSubstr("status=\"pending\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("accrochd_deadline_passages{certifier=\"DEMO0001\",band="
                                 "\"overdue\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("accrochd_last_cycle_duration_seconds 2.500\n"));
  EXPECT_THAT(metrics, HasSubstr("accrochd_last_cycle_result{result=\"success\"} 1\n"));
  const std::string page = testing::ReadAll(dir_ + "/index.html");
  EXPECT_THAT(page, HasSubstr("<th scope=\"row\">IEF-1</th>"));
  EXPECT_EQ(testing::ModeOf(dir_ + "/accrochd.prom"), 0644u);
  EXPECT_EQ(testing::ModeOf(dir_ + "/index.html"), 0644u);
  EXPECT_FALSE(fs::exists(dir_ + "/.accrochd.prom.partial"));
  EXPECT_FALSE(fs::exists(dir_ + "/.index.html.partial"));

  // A failed cycle: the success stays where it was.
  clock_.Advance(minutes(15));
  r = AfterCycle(config, **store, clock_, testing::RealFiles(), store::CycleResult::kFailure,
                 milliseconds(10));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const std::string after = testing::ReadAll(dir_ + "/accrochd.prom");
  EXPECT_THAT(after, HasSubstr("accrochd_last_cycle_result{result=\"failure\"} 1\n"));
  const auto seconds = duration_cast<std::chrono::seconds>(kNow.time_since_epoch()).count();
  EXPECT_THAT(after, HasSubstr("accrochd_last_success_timestamp_seconds " +
                               std::to_string(seconds) + "\n"));
  EXPECT_THAT(after, HasSubstr("accrochd_last_cycle_timestamp_seconds " +
                               std::to_string(seconds + 900) + "\n"));
}

// A file that cannot be written is an error naming its key and path; the store keeps the cycle.
TEST_F(MonitoringTest, AFileThatCannotBeWrittenIsReportedWithItsKey) {
  fs::create_directories(dir_ + "/ro");
  Config config = Load("monitoring:\n  metrics_file: ro/accrochd.prom\n");
  fs::create_directories(dir_ + "/state");
  auto store = store::StateStore::Open(dir_ + "/state", clock_, testing::RealFiles());
  ASSERT_TRUE(store.has_value()) << store.error().message();
  FaultInjectingFileSystem files(testing::RealFiles());
  files.FailAt(1, ENOSPC);  // the first write: the partial file's creation
  auto r =
      AfterCycle(config, **store, clock_, files, store::CycleResult::kSuccess, milliseconds(1));
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("monitoring.metrics_file"));
  EXPECT_THAT(r.error().message(), HasSubstr(dir_ + "/ro/.accrochd.prom.partial"));
  EXPECT_THAT(r.error().message(), HasSubstr("No space left on device"));
  auto cycles = (*store)->cycles().Last();
  ASSERT_TRUE(cycles.has_value());
  EXPECT_EQ(cycles->size(), 1u);
}

}  // namespace
}  // namespace accrochd::daemon
