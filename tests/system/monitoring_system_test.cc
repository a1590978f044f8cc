// The metrics file and the HTML report, through the real binary on the demo: written by `once`
// (after a failed cycle too), checked with tools that are not accrochd's -- Prometheus's promtool
// for the exposition format, a strict XML parser for the page (tests/support/html_tables.py) --
// and their figures compared with `status --json`'s. Nothing personal from the demo database
// appears in either.
#include <cmath>
#include <csignal>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/daemon_process.h"
#include "tests/support/json_reader.h"
#include "tests/support/run_binary.h"
#include "tests/system/deposit_checks.h"
#include "tests/system/deposit_ledger.h"

namespace accrochd::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kPromtool = ACCROCHD_PROMTOOL;
const std::string kPython = ACCROCHD_PYTHON3;
const std::string kHtmlTables = ACCROCHD_HTML_TABLES;
const std::string kSqlite3 = ACCROCHD_SQLITE3;
const char* const kStatuses[] = {"pending",   "quarantined", "in_deposit",
                                 "deposited", "accepted",    "rejected"};
const char* const kBands[] = {"overdue", "urgent", "soon", "later", "unknown"};

Json ParseJson(const std::string& text) {
  JsonReader reader(text);
  auto document = reader.Document();
  EXPECT_TRUE(document.has_value()) << reader.error() << " in:\n" << text;
  return document.value_or(Json{});
}

// The samples of an exposition, by "name{labels}" as written; comments left out.
std::map<std::string, double> Samples(const std::string& exposition) {
  std::map<std::string, double> samples;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

double Sample(const std::map<std::string, double>& samples, const std::string& key) {
  auto it = samples.find(key);
  EXPECT_NE(it, samples.end()) << "no sample " << key;
  return it == samples.end() ? -1 : it->second;
}

// The metrics file says what `status --json` says.
void ExpectMetricsMatch(const std::string& exposition, const Json& status) {
  const auto samples = Samples(exposition);
  for (const Json& c : status["certifiers"].items) {
    const std::string bcr = c["bcr"].text;
    const std::string certifier = "certifier=\"" + bcr + "\"";
    for (const Json& t : c["certifications"].items) {
      const std::string type = t["code"].text.empty() ? "" : t["type"].text;
      for (const char* s : kStatuses) {
        EXPECT_EQ(Sample(samples, "accrochd_passages{" + certifier + ",certification_type=\"" +
                                      type + "\",certification_code=\"" + t["code"].text +
                                      "\",status=\"" + s + "\"}"),
                  t[s].number)
            << bcr << " " << t["code"].text << " " << s;
      }
    }
    for (const char* band : kBands) {
      EXPECT_EQ(
          Sample(samples, "accrochd_deadline_passages{" + certifier + ",band=\"" + band + "\"}"),
          c[band].number)
          << band;
    }
    EXPECT_EQ(Sample(samples, "accrochd_quarantined_passages{" + certifier + "}"),
              c["quarantined"].number);
    double outbox = 0, awaiting = 0;
    for (const Json& f : status["outbox"].items) outbox += f["certifier"].text == bcr;
    for (const Json& f : status["awaiting"].items) awaiting += f["certifier"].text == bcr;
    EXPECT_EQ(Sample(samples, "accrochd_outbox_files{" + certifier + "}"), outbox);
    EXPECT_EQ(Sample(samples, "accrochd_receipt_awaiting_deposits{" + certifier + "}"), awaiting);
  }
  EXPECT_EQ(Sample(samples, "accrochd_deadline_band_limit_seconds{band=\"urgent\"}"),
            status["urgent_days"].number * 86400);
  EXPECT_EQ(Sample(samples, "accrochd_alerts_queued"), status["alerts"]["queued"].number);
  EXPECT_EQ(Sample(samples, "accrochd_alerts_delivered_total"),
            status["alerts"]["delivered"].number);
  EXPECT_EQ(Sample(samples, "accrochd_alerts_failed_total"), status["alerts"]["failed"].number);
  const Json& last = status["last_cycle"];
  ASSERT_TRUE(status["has_last_cycle"].boolean);
  EXPECT_EQ(Sample(samples, "accrochd_last_cycle_result{result=\"" + last["result"].text + "\"}"),
            1);
  EXPECT_NEAR(Sample(samples, "accrochd_last_cycle_duration_seconds"),
              last["duration_ms"].number / 1000, 0.0005);
  EXPECT_EQ(Sample(samples, "accrochd_last_cycle_timestamp_seconds"), last["ended_at_unix"].number);
  EXPECT_EQ(
      Sample(samples, "accrochd_last_success_timestamp_seconds"),
      status["has_last_success"].boolean ? status["last_success"]["ended_at_unix"].number : 0);
}

// The page parsed strictly (html_tables.py): well-formed, self-contained, and its tables say
// what `status --all --json` says.
void ExpectReportMatches(const std::string& page_path, const Json& status) {
  ShellResult parsed = Shell(Quote(kPython) + " " + Quote(kHtmlTables) + " " + Quote(page_path));
  ASSERT_EQ(parsed.exit_code, 0) << parsed.out;
  const Json page = ParseJson(parsed.out);
  EXPECT_EQ(page["lang"].text, "fr");
  const Json& tables = page["tables"];
  for (const Json& c : status["certifiers"].items) {
    const std::string bcr = c["bcr"].text;
    const Json& statuses = tables["statuts-" + bcr];
    EXPECT_EQ(statuses["caption"].text, "Passages par certification et par statut");
    ASSERT_EQ(statuses["rows"].items.size(), c["certifications"].items.size()) << bcr;
    for (std::size_t i = 0; i < statuses["rows"].items.size(); ++i) {
      const Json& row = statuses["rows"].items[i];
      const Json& t = c["certifications"].items[i];
      EXPECT_EQ(statuses["row_headers"].items[i].text, "row");
      ASSERT_EQ(row.items.size(), 10u);
      EXPECT_EQ(row.items[0].text, t["type"].text + " " + t["code"].text);
      const char* columns[] = {"total",     "pending",  "held",     "quarantined", "in_deposit",
                               "deposited", "accepted", "rejected", "missing"};
      for (std::size_t k = 0; k < 9; ++k) {
        EXPECT_EQ(row.items[k + 1].text, std::to_string(t[columns[k]].Int()))
            << t["code"].text << " " << columns[k];
      }
    }
    // Passages gone from the source: a table when there are some, none otherwise.
    const bool missing = c["missing"].Int() + c["missing_from_source"].Int() > 0;
    EXPECT_EQ(tables["disparus-" + bcr].type != Json::Type::kNull, missing) << bcr;
    if (missing) {
      const Json& gone = tables["disparus-" + bcr];
      EXPECT_THAT(gone["caption"].text, HasSubstr("Passages disparus de la source"));
      ASSERT_EQ(gone["rows"].items.size(), 3u);
      const char* figures[] = {"missing", "missing_from_source", "missing_accepted"};
      const char* labels[] = {"En attente ou en quarantaine (plus déposés)",
                              "Déjà dans un fichier ou à la CDC", "dont acceptés par la CDC"};
      for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(gone["rows"].items[i].items[0].text, labels[i]);
        EXPECT_EQ(gone["rows"].items[i].items[1].text, std::to_string(c[figures[i]].Int()))
            << figures[i];
      }
    }
    // Withdrawals: one row per certification that has some, none when none has.
    std::vector<const Json*> withdrawing;
    for (const Json& t : c["certifications"].items) {
      if (t["has_withdrawals"].boolean) withdrawing.push_back(&t);
    }
    const Json& withdrawals = tables["retraits-" + bcr];
    EXPECT_EQ(withdrawals.type != Json::Type::kNull, !withdrawing.empty()) << bcr;
    if (!withdrawing.empty()) {
      EXPECT_EQ(withdrawals["caption"].text, "Retraits (suppression) par certification");
      ASSERT_EQ(withdrawals["rows"].items.size(), withdrawing.size());
      for (std::size_t i = 0; i < withdrawing.size(); ++i) {
        const Json& row = withdrawals["rows"].items[i];
        const Json& t = *withdrawing[i];
        ASSERT_EQ(row.items.size(), 5u);
        EXPECT_EQ(row.items[0].text, t["type"].text + " " + t["code"].text);
        const char* columns[] = {"withdrawal_queued", "withdrawal_in_deposit",
                                 "withdrawal_deposited", "withdrawn"};
        for (std::size_t k = 0; k < 4; ++k) {
          EXPECT_EQ(row.items[k + 1].text, std::to_string(t[columns[k]].Int())) << columns[k];
        }
      }
    }
    const std::string corrections =
        "Corrections en cours : " + std::to_string(c["corrections"].Int()) +
        " passage(s) (une suppression, puis une création";
    EXPECT_EQ(page["text"].text.find(corrections) != std::string::npos, c["corrections"].Int() > 0)
        << bcr;
    const Json& bands = tables["echeances-" + bcr];
    ASSERT_EQ(bands["rows"].items.size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(bands["rows"].items[i].items[1].text, std::to_string(c[kBands[i]].Int()))
          << kBands[i];
    }
    EXPECT_EQ(bands["rows"].items[0].items[0].text, "⚠ Dépassée");  // a word, not a colour
  }
  const Json& deadlines = tables["toutes-echeances"];
  std::vector<std::string> listed, expected;
  for (const Json& row : deadlines["rows"].items) listed.push_back(row.items[0].text);
  for (const Json& p : status["nearest"].items) expected.push_back(p["id"].text);
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(static_cast<int>(listed.size()), status["nearest_count"].Int());
  for (std::size_t i = 0; i < deadlines["rows"].items.size(); ++i) {
    const Json& row = deadlines["rows"].items[i];
    const Json& p = status["nearest"].items[i];
    EXPECT_EQ(row.items[1].text, p["certifier"].text);
    EXPECT_EQ(row.items[3].text, p["status"].text);
    if (p["overdue"].boolean) {
      EXPECT_EQ(row.items[6].text,
                "⚠ dépassée de " + std::to_string(p["days_overdue"].Int()) + " jour(s)");
    }
  }
  std::vector<std::string> files, expected_files;
  for (const Json& row : tables["fichiers-a-deposer"]["rows"].items) {
    if (row.items.size() == 4) files.push_back(row.items[0].text);
  }
  for (const Json& f : status["outbox"].items) expected_files.push_back(f["file"].text);
  EXPECT_EQ(files, expected_files);
}

// Every name and birth date of the demo database: none may appear in what accrochd publishes.
std::vector<std::string> PersonalValues() {
  static const std::regex kDatabase(R"(Database=([^;"]*);)");
  std::smatch m;
  const std::string config = ReadFile(kDemoConfigPath);
  EXPECT_TRUE(std::regex_search(config, m, kDatabase));
  ShellResult rows = Shell(Quote(kSqlite3) + " " + Quote(m[1].str()) +
                           " \"SELECT nom_naissance FROM candidat UNION SELECT prenoms FROM "
                           "candidat UNION SELECT nom_usage FROM candidat WHERE nom_usage "
                           "IS NOT NULL UNION SELECT date_naissance FROM candidat WHERE "
                           "date_naissance IS NOT NULL\"");
  EXPECT_EQ(rows.exit_code, 0) << rows.out;
  std::vector<std::string> values;
  std::istringstream in(rows.out);
  std::string line;
  while (std::getline(in, line)) {
    // Each first name of "Marie Claire" on its own, if long enough not to be a common word.
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      if (word.size() >= 4) values.push_back(word);
    }
    if (line.size() >= 4) values.push_back(line);
  }
  EXPECT_GT(values.size(), 100u);
  return values;
}

void ExpectNothingPersonal(std::string text, const std::string& what) {
  static const std::vector<std::string> kPersonal = PersonalValues();
  // The time zone the page names is the configuration's, not a holder's town or name ("Paris").
  static const std::regex kZone("Europe/Paris");
  text = std::regex_replace(text, kZone, "<zone>");
  for (const std::string& value : kPersonal) {
    EXPECT_THAT(text, Not(HasSubstr(value))) << what << " holds « " << value << " »";
  }
}

std::string WithoutTimes(const std::string& text) {
  static const std::regex kTime(R"([0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2})");
  return std::regex_replace(text, kTime, "<time>");
}

TEST(MonitoringSystemTest, OnceWritesMetricsAndReportThatSayWhatStatusJsonSays) {
  const std::string dir = MakeTempDir("monitoring-once");
  std::filesystem::create_directories(dir + "/textfile");
  std::filesystem::create_directories(dir + "/www");
  WriteFile(dir + "/accrochd.yaml",
            DemoConfigWith(dir + "/state",
                           "monitoring:\n  metrics_file: textfile/accrochd.prom\n"
                           "  report_file: www/index.html\n"));
  const std::string config = dir + "/accrochd.yaml";
  RunResult once = RunAccrochd({"once", "--config", config});
  ASSERT_EQ(once.exit_code, 0) << once.err;

  const std::string metrics_path = dir + "/textfile/accrochd.prom";
  const std::string page_path = dir + "/www/index.html";
  ShellResult promtool = Shell(Quote(kPromtool) + " check metrics < " + Quote(metrics_path));
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out;
  EXPECT_EQ(promtool.out, "");  // no lint problem either
  EXPECT_EQ(ModeOf(metrics_path), 0644u);
  EXPECT_EQ(ModeOf(page_path), 0644u);
  EXPECT_FALSE(std::filesystem::exists(dir + "/textfile/.accrochd.prom.partial"));

  RunResult json = RunAccrochd({"status", "--all", "--json", "--config", config});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json status = ParseJson(json.out);
  EXPECT_EQ(status["last_cycle"]["result"].text, "success");
  ASSERT_FALSE(status["certifiers"].items.empty());
  ASSERT_EQ(status["nearest_count"].Int(), 189);  // the demo: every passage, none accepted
  const std::string metrics = ReadFile(metrics_path);
  ExpectMetricsMatch(metrics, status);
  // The demo's figures, as written.
  EXPECT_THAT(metrics, HasSubstr("accrochd_passages{certifier=\"DEMO0001\",certification_type="
                                 "\"RS\",certification_code=\"RS6521\",status=\"quarantined\"} "));
  EXPECT_THAT(metrics, HasSubstr("accrochd_outbox_files{certifier=\"DEMO0001\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("accrochd_last_cycle_result{result=\"success\"} 1\n"));

  ExpectReportMatches(page_path, status);
  // `status --html` prints the same page (but for the time it was made).
  RunResult html = RunAccrochd({"status", "--html", "--config", config});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  const std::string page = ReadFile(page_path);
  EXPECT_EQ(WithoutTimes(html.out), WithoutTimes(page));
  WriteFile(dir + "/printed.html", html.out);
  ExpectReportMatches(dir + "/printed.html", status);

  ExpectNothingPersonal(metrics, "the metrics file");
  ExpectNothingPersonal(page, "the report");
}

// Passages gone from the source, withdrawals and corrections under way: the page shows them per
// certifier as `status` does, and its tables say what `status --json` says. On a copy of the
// demo: the first file accepted by a receipt, one passage withdrawn, one corrected (their
// SUPPRESSION file written), an accepted passage's row and a quarantined one's deleted.
TEST(MonitoringSystemTest, TheReportShowsMissingPassagesWithdrawalsAndCorrections) {
  const std::string dir = MakeTempDir("monitoring-missing");
  const std::string database = dir + "/demo.db";
  std::filesystem::copy_file(std::string(ACCROCHD_BINARY_DIR) + "/demo/demo.db", database);
  const std::string config = dir + "/accrochd.yaml";
  WriteFile(config, DemoConfigWith(dir + "/state", "", database));
  RunResult first = RunAccrochd({"once", "--config", config});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::vector<ListedFile> files = ListedFiles(first.out);
  ASSERT_EQ(files.size(), 1u) << first.out;
  const std::string xml = ReadFile(files[0].path);
  const std::vector<std::string> ids = IdTechniquesOf(xml);
  ASSERT_GE(ids.size(), 3u);
  std::string receipt = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rapport>\n  <nomFichier>" +
                        std::filesystem::path(files[0].path).filename().string() +
                        "</nomFichier>\n  <idFlux>" + ElementText(xml, "idFlux") +
                        "</idFlux>\n  <idTraitement>7001</idTraitement>\n  <PassagesKO>\n"
                        "  </PassagesKO>\n  <PassagesOK>\n";
  for (const std::string& id : ids) receipt += "    <idTechnique>" + id + "</idTechnique>\n";
  WriteFile(dir + "/AT.xml", receipt + "  </PassagesOK>\n</rapport>\n");
  RunResult imported = RunAccrochd({"receipts", "import", "--config", config, dir + "/AT.xml"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  // ids[1]'s mention changes (a correction needs changed data); ids[2] (accepted) and IEF-1042
  // (quarantined) leave the database: resultat.id after "IEF-".
  ASSERT_EQ(ids[1].rfind("IEF-", 0), 0u);
  ASSERT_EQ(ids[2].rfind("IEF-", 0), 0u);
  ShellResult changed = Shell(
      Quote(kSqlite3) + " " + Quote(database) +
      " \"UPDATE resultat SET mention = CASE WHEN mention = 'Bien' THEN 'Très bien' ELSE 'Bien' "
      "END WHERE id = " +
      ids[1].substr(4) + "; DELETE FROM resultat WHERE id IN (" + ids[2].substr(4) + ", 1042)\"");
  ASSERT_EQ(changed.exit_code, 0) << changed.out;
  RunResult seen = RunAccrochd({"once", "--config", config});  // the change seen, a first miss
  ASSERT_EQ(seen.exit_code, 0) << seen.err;
  for (const auto& [command, id] : {std::pair{"withdraw", ids[0]}, std::pair{"correct", ids[1]}}) {
    RunResult asked = RunAccrochd({"passages", "--config", config, command, id});
    ASSERT_EQ(asked.exit_code, 0) << command << " " << id << ": " << asked.err;
  }
  // The second miss (missing_after: 2); the SUPPRESSION file of the withdrawal and correction.
  RunResult second = RunAccrochd({"once", "--config", config});
  ASSERT_EQ(second.exit_code, 0) << second.err;

  RunResult json = RunAccrochd({"status", "--all", "--json", "--config", config});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json status = ParseJson(json.out);
  ASSERT_EQ(status["certifiers"].items.size(), 1u);
  const Json& c = status["certifiers"].items[0];
  EXPECT_EQ(c["missing"].Int(), 1);
  EXPECT_EQ(c["missing_from_source"].Int(), 1);
  EXPECT_EQ(c["missing_accepted"].Int(), 1);
  EXPECT_EQ(c["corrections"].Int(), 1);
  int in_deposit = 0;
  for (const Json& t : c["certifications"].items) in_deposit += t["withdrawal_in_deposit"].Int();
  EXPECT_EQ(in_deposit, 2);  // the withdrawal and the correction, in their SUPPRESSION file

  RunResult html = RunAccrochd({"status", "--html", "--config", config});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  WriteFile(dir + "/report.html", html.out);
  ExpectReportMatches(dir + "/report.html", status);
  EXPECT_THAT(html.out, HasSubstr("Passages disparus de la source"));
  EXPECT_THAT(html.out, HasSubstr("Retraits (suppression) par certification"));
  EXPECT_THAT(html.out, HasSubstr("Corrections en cours : <strong>1</strong> passage(s)"));
  ExpectNothingPersonal(html.out, "the report");
}

// A cycle that could not read its source still replaces the metrics file, with its result; the
// last success stays 0 until one succeeds, and the report is written all the same.
TEST(MonitoringSystemTest, AFailedCycleWritesTheMetricsWithItsResult) {
  const std::string dir = MakeTempDir("monitoring-failed");
  WriteFile(dir + "/accrochd.yaml",
            DemoConfigWith(dir + "/state",
                           "monitoring:\n  metrics_file: accrochd.prom\n  report_file: r.html\n",
                           dir + "/absent.db"));
  const std::string config = dir + "/accrochd.yaml";
  RunResult once = RunAccrochd({"once", "--config", config});
  ASSERT_EQ(once.exit_code, 2) << once.out << once.err;
  ShellResult promtool =
      Shell(Quote(kPromtool) + " check metrics < " + Quote(dir + "/accrochd.prom"));
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out;
  const std::string metrics = ReadFile(dir + "/accrochd.prom");
  EXPECT_THAT(metrics, HasSubstr("accrochd_last_cycle_result{result=\"partial\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("accrochd_last_cycle_result{result=\"success\"} 0\n"));
  EXPECT_THAT(metrics, HasSubstr("accrochd_last_success_timestamp_seconds 0\n"));
  RunResult json = RunAccrochd({"status", "--json", "--config", config});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  ExpectMetricsMatch(metrics, ParseJson(json.out));
  EXPECT_THAT(ReadFile(dir + "/r.html"), HasSubstr("⚠ incomplète (une base n'a pas pu "
                                                   "être lue)"));
}

// `run` replaces both files after every cycle: the second cycle's timestamp follows the first's,
// and the page and the metrics still say what `status --json` says, the daemon running.
TEST(MonitoringSystemTest, RunReplacesTheFilesAfterEveryCycle) {
  const std::string dir = MakeTempDir("monitoring-run");
  const std::string config = dir + "/accrochd.yaml";
  WriteFile(config, DemoConfigWith(dir + "/state",
                                   "run: {interval: 10s}\nmonitoring:\n  metrics_file: "
                                   "accrochd.prom\n  report_file: index.html\n"));
  const std::string metrics_path = dir + "/accrochd.prom";
  AccrochdProcess run({"run", "--config", config}, {}, dir + "/run");
  auto cycle_end = [&]() {
    const auto samples = Samples(ReadAll(metrics_path));
    auto it = samples.find("accrochd_last_cycle_timestamp_seconds");
    return it == samples.end() ? 0.0 : it->second;
  };
  ASSERT_TRUE(WaitUntil([&] { return cycle_end() > 0; }, milliseconds(60000))) << run.Err();
  const double first = cycle_end();
  ASSERT_TRUE(WaitUntil([&] { return cycle_end() >= first + 10; }, milliseconds(60000)))
      << run.Err();
  ShellResult promtool = Shell(Quote(kPromtool) + " check metrics < " + Quote(metrics_path));
  EXPECT_EQ(promtool.exit_code, 0) << promtool.out;
  RunResult json = RunAccrochd({"status", "--all", "--json", "--config", config});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json status = ParseJson(json.out);
  const std::string metrics = ReadAll(metrics_path);
  // A cycle may end between the two reads: compare when the metrics are of the same cycle.
  if (Samples(metrics)["accrochd_last_cycle_timestamp_seconds"] ==
      status["last_cycle"]["ended_at_unix"].number) {
    ExpectMetricsMatch(metrics, status);
  }
  EXPECT_THAT(metrics, HasSubstr("accrochd_last_cycle_result{result=\"success\"} 1\n"));
  ShellResult parsed =
      Shell(Quote(kPython) + " " + Quote(kHtmlTables) + " " + Quote(dir + "/index.html"));
  EXPECT_EQ(parsed.exit_code, 0) << parsed.out;
  ASSERT_TRUE(run.Signal(SIGTERM));
  auto status_code = run.Wait(milliseconds(60000));
  ASSERT_TRUE(status_code.has_value());
  EXPECT_TRUE(WIFEXITED(*status_code) && WEXITSTATUS(*status_code) == 0) << run.Err();
}

TEST(MonitoringSystemTest, ABadMonitoringValueIsReportedAtItsLine) {
  const std::string dir = MakeTempDir("monitoring-bad-key");
  WriteFile(dir + "/accrochd.yaml",
            DemoConfigWith(dir + "/state",
                           "monitoring:\n  metrics_file: /nonexistent-dir/accrochd.prom\n"));
  RunResult check = RunAccrochd({"check", "--no-connect", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.err, HasSubstr(dir + "/accrochd.yaml:2:17: monitoring.metrics_file: the "
                                         "directory /nonexistent-dir does not exist"));
  RunResult both = RunAccrochd({"status", "--html", "--json", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.err, HasSubstr("accrochd status: --html and --json: choose one"));
}

}  // namespace
}  // namespace accrochd::testing
