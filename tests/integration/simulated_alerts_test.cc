// A simulated 100 days of `accrochd run`, asserting which alerts went out on which day. A fake
// clock drives three cycles a day (07:00, 09:00 and 15:00 in Paris, 1 April to 9 July 2026: summer
// time throughout) on a real SQLite database read through the real SQLite ODBC driver, with a
// configuration loaded from files like an installation's, a real state store, the real daemon
// and, after each cycle, Alerter::Plan() then Alerter::Deliver() as daemon/runner.cc does. The
// alerts go through the real channels (the default AlertSender) to real servers the test starts:
// a webhook (format json) on tests/support/http_receiver.py, and e-mail to two recipients -- one
// for everything, one for urgent messages only -- on tests/support/smtp_server.py (plain SMTP,
// starttls: false). What the servers recorded is read back after every cycle: the day a message
// arrived is the day the test found it there; the day it was generated is its generated_at.
//
// The story (step by step in Story() below), a handful of passages of one certification
// (idTechnique SIM-<name>), each alone in its deposit file (F:<name>, F:<name>#2 for its second):
//
//   SEUILS    delivered 20/01, deadline 20/04 (day 19); seen on day 0, 19 days left: band 30,
//             then 14 (day 5), 7 (day 12), 1 (day 18); its file uploaded on its deadline day,
//             overdue on days 20 and 21 while its accusé de traitement is awaited, accepted on
//             day 22.
//   ECHUE     delivered 15/02, deadline 15/05 (day 44); seen on day 2; its file stays in the
//             outbox: bands 30 (day 14), 14 (day 30), 7 (day 37), 1 (day 43, and nothing new on
//             the deadline itself), then overdue every day from day 45 -- once a day -- until its
//             file is uploaded on day 80; no accusé de traitement for 5 days (receipt_after) on
//             day 85; accepted on day 90.
//   ACCEPTE   uploaded the day after its deposit, accepted two days later: only its file is ever
//             announced.
//   ACCUSE    uploaded on day 21, no accusé de traitement on day 26 (announced once), accepted on
//             day 34.
//   REJET     rejected on day 33 ("Aucun titulaire ne correspond aux critères obligatoires":
//             holder-not-found, with what to do), corrected in the source on day 36 and sent
//             again in F:REJET#2, accepted on day 39.
//   QUARANT   born on 31 April: quarantined on day 50, fixed on day 53 and deposited.
//   DIFFERE   delivered in the future (day 62), seen on day 58: nothing until its day.
//   URGENTE   seen on day 70 with 10 days left: band 14 at once (not 30), deposited at once;
//             at stake until accepted on day 73.
//
// The webhook receiver is down on days 60 to 62 and the SMTP server on days 61 to 63 (stopped:
// connections refused, their ports held), then started again and the configuration reloaded with
// their new ports: every message queued meanwhile arrives at the first cycle after, once, in
// order. The state store is reopened (a restart) on day 61 between two cycles while messages
// wait in the queue, and on day 70 between Plan() and Deliver(): nothing is lost or repeated.
//
// The expectations are two hand-written tables: the digests, day by day (a day not listed sends
// none), and what is at stake on which days, which the daily summary (alerts.daily_summary 08:00,
// so in the 09:00 cycle) lists in full. Deadlines come from the rule (three calendar months),
// written out, never from the code under test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/store/state_store.h"
#include "core/calendar.h"
#include "daemon/alerts.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "tests/support/alert_records.h"
#include "tests/support/alert_servers.h"
#include "tests/support/capture_logger.h"
#include "tests/support/fake_clock.h"
#include "tests/support/json_reader.h"
#include "tests/support/odbc_admin.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using testing::FieldValues;
using ::testing::HasSubstr;
using testing::HeldPort;
using testing::Json;
using testing::JsonReader;
using testing::ReadMail;
using testing::ReadRequest;
using testing::ReceivedMail;
using testing::ReceivedRequest;
using testing::RecordedEntries;

constexpr const char* kBcr = "SIMU0002";
constexpr const char* kCertifier = "institut";
constexpr const char* kInfoAddress = "scolarite@organisme.example";
constexpr const char* kUrgentAddress = "direction@organisme.example";
constexpr const char* kRejection = "Aucun titulaire ne correspond aux critères obligatoires";
constexpr int kDays = 100;
constexpr int kCycleHours[] = {7, 9, 15};  // local time
constexpr int kCyclesPerDay = 3;
constexpr int kDigestCycle = 0;  // 07:00: before the daily summary
constexpr int kDailyCycle = 1;   // 09:00: the first cycle after 08:00
constexpr int kUtcOffset = 2;    // Paris from April to July (summer time)
constexpr int kThresholds[] = {1, 7, 14, 30};
constexpr int kUrgentDays = 14;

// The days the receivers are down (inclusive); they are back before the first cycle of the next.
constexpr int kWebhookDown = 60, kWebhookBack = 63;
constexpr int kSmtpDown = 61, kSmtpBack = 64;
constexpr int kRestartBetweenCycles = 61;   // after the 07:00 cycle, messages waiting
constexpr int kRestartBeforeDelivery = 70;  // at 07:00, between Plan() and Deliver()

Date Ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

constexpr Date kFirstDay{std::chrono::year(2026), std::chrono::April, std::chrono::day(1)};

Date DayDate(int day) { return Date(std::chrono::sys_days(kFirstDay) + std::chrono::days(day)); }

int DayOf(Date date) {
  return static_cast<int>((std::chrono::sys_days(date) - std::chrono::sys_days(kFirstDay)).count());
}

TimePoint At(int day, int hour, int minute = 0) {
  return std::chrono::sys_days(DayDate(day)) + std::chrono::hours(hour - kUtcOffset) +
         std::chrono::minutes(minute);
}

TimePoint CycleTime(int day, int cycle) { return At(day, kCycleHours[cycle]); }

// "04/05/2026 07:00", Paris time: a message's generated_at, as the templates write it.
std::string FrenchStamp(TimePoint t) {
  const auto local = std::chrono::floor<std::chrono::minutes>(t) + std::chrono::hours(kUtcOffset);
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day d(day);
  const std::chrono::hh_mm_ss hms(local - day);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%02u/%02u/%04d %02d:%02d", static_cast<unsigned>(d.day()),
                static_cast<unsigned>(d.month()), static_cast<int>(d.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
  return buffer;
}

std::string FrenchStamp(int day, int cycle) { return FrenchStamp(CycleTime(day, cycle)); }

// "2026-05-04T05:00:00Z": the store's created_at of a message queued in that cycle.
std::string IsoUtc(TimePoint t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::hh_mm_ss hms(seconds - day);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%sT%02d:%02d:%02dZ", FormatIsoDate(Date(day)).c_str(),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buffer;
}

std::string Label(int day, int cycle) {
  return "day " + std::to_string(day) + " (" + FrenchStamp(day, cycle) + ")";
}

// The smallest threshold at or above `days_left` (0 <= days_left <= 30).
int BandOf(int days_left) {
  for (int t : kThresholds) {
    if (days_left <= t) return t;
  }
  return 0;
}

// --- The scenario --------------------------------------------------------------------------------

struct ScenarioPassage {
  std::string name;  // idTechnique SIM-<name>; the source's key
  Date delivery;
  Date deadline;  // three calendar months later, written out
  int birth = 0;  // distinct holders: born on (1 + birth)/(1 + birth)/(1980 + birth)
};

const std::vector<ScenarioPassage>& Passages() {
  static const std::vector<ScenarioPassage> kPassages = {
      {"SEUILS", Ymd(2026, 1, 20), Ymd(2026, 4, 20), 0},   // deadline day 19
      {"ECHUE", Ymd(2026, 2, 15), Ymd(2026, 5, 15), 1},    // day 44
      {"ACCEPTE", Ymd(2026, 3, 25), Ymd(2026, 6, 25), 2},  // day 85
      {"ACCUSE", Ymd(2026, 4, 15), Ymd(2026, 7, 15), 3},   // day 105
      {"REJET", Ymd(2026, 4, 28), Ymd(2026, 7, 28), 4},    // day 118
      {"QUARANT", Ymd(2026, 5, 18), Ymd(2026, 8, 18), 5},  // day 139
      {"DIFFERE", Ymd(2026, 6, 2), Ymd(2026, 9, 2), 6},    // delivered on day 62
      {"URGENTE", Ymd(2026, 3, 20), Ymd(2026, 6, 20), 7},  // day 80
  };
  return kPassages;
}

const ScenarioPassage& PassageNamed(const std::string& name) {
  for (const ScenarioPassage& p : Passages()) {
    if (p.name == name) return p;
  }
  throw std::logic_error("no scenario passage " + name);
}

std::string Id(const std::string& name) { return "SIM-" + name; }

// The story, step by step: what happens in the morning (06:30, before the first cycle).
enum class Act {
  kArrive,         // the registrar records a passage in the source
  kArriveInvalid,  // ... with a birth date on 31 April: quarantined
  kCorrect,        // the registrar corrects the row (another first name, a real birth date)
  kUpload,         // the staff upload a file to the CDC portal (StateStore::MarkUploaded)
  kAccepted,       // the CDC's verdict on the file's passage (StateStore::RecordVerdicts)
  kRejected,       // ... rejected: kRejection
  kStopWebhook,    // the receiver goes down: connections refused
  kStartWebhook,   // back, on another port: the configuration is reloaded
  kStopSmtp,
  kStartSmtp,
};

struct Step {
  int day;
  Act act;
  std::string subject = "";  // a passage's name, or a file's alias (F:<name>, F:<name>#2)
};

const std::vector<Step>& Story() {
  static const std::vector<Step> kStory = {
      {0, Act::kArrive, "SEUILS"},           // 19 days left: band 30; the first deposit
      {2, Act::kArrive, "ECHUE"},            // 42 days left: beyond every threshold
      {7, Act::kArrive, "ACCEPTE"},          // 78 days left
      {8, Act::kUpload, "F:ACCEPTE"},        // the next day
      {10, Act::kAccepted, "F:ACCEPTE"},     // two days later: no receipt alert
      {19, Act::kUpload, "F:SEUILS"},        // on its deadline day: never overdue
      {20, Act::kArrive, "ACCUSE"},          // 85 days left
      {21, Act::kUpload, "F:ACCUSE"},        // without receipt for 5 days on day 26
      {22, Act::kAccepted, "F:SEUILS"},      // 3 days after its upload
      {30, Act::kArrive, "REJET"},           // 88 days left
      {31, Act::kUpload, "F:REJET"},         // the next day
      {33, Act::kRejected, "F:REJET"},       // holder not found
      {34, Act::kAccepted, "F:ACCUSE"},      // 13 days after its upload
      {36, Act::kCorrect, "REJET"},          // goes out again in F:REJET#2
      {37, Act::kUpload, "F:REJET#2"},       // the next day
      {39, Act::kAccepted, "F:REJET#2"},     // two days later
      {50, Act::kArriveInvalid, "QUARANT"},  // 89 days left, born on 31 April
      {53, Act::kCorrect, "QUARANT"},        // valid: deposited
      {54, Act::kUpload, "F:QUARANT"},       // the next day
      {56, Act::kAccepted, "F:QUARANT"},     // two days later
      {58, Act::kArrive, "DIFFERE"},         // delivered on day 62: held until then
      {kWebhookDown, Act::kStopWebhook},     // day 60
      {kSmtpDown, Act::kStopSmtp},           // day 61
      {kWebhookBack, Act::kStartWebhook},    // day 63
      {63, Act::kUpload, "F:DIFFERE"},       // the day after its deposit
      {kSmtpBack, Act::kStartSmtp},          // day 64
      {65, Act::kAccepted, "F:DIFFERE"},     // two days later
      {70, Act::kArrive, "URGENTE"},         // 10 days left: band 14, deposited at once
      {71, Act::kUpload, "F:URGENTE"},       // the next day
      {73, Act::kAccepted, "F:URGENTE"},     // two days later
      {80, Act::kUpload, "F:ECHUE"},         // 36 days after its deadline
      {90, Act::kAccepted, "F:ECHUE"},       // 10 days after its upload
  };
  return kStory;
}

// What a message announces, one item a line: "overdue SIM-ECHUE", "band:14 SIM-SEUILS",
// "outbox F:ECHUE", "no_receipt F:ACCUSE", "rejected SIM-REJET", "quarantined SIM-QUARANT".
using Items = std::set<std::string>;

// The digests (07:00), day by day. A day not listed sends no digest.
std::map<int, Items> ExpectedDigests() {
  std::map<int, Items> d = {
      {0, {"band:30 SIM-SEUILS", "outbox F:SEUILS"}},
      {2, {"outbox F:ECHUE"}},
      {5, {"band:14 SIM-SEUILS"}},
      {7, {"outbox F:ACCEPTE"}},
      {12, {"band:7 SIM-SEUILS"}},
      {14, {"band:30 SIM-ECHUE"}},
      {18, {"band:1 SIM-SEUILS"}},
      {20, {"outbox F:ACCUSE"}},
      {26, {"no_receipt F:ACCUSE"}},
      {30, {"band:14 SIM-ECHUE", "outbox F:REJET"}},
      {33, {"rejected SIM-REJET"}},
      {36, {"outbox F:REJET#2"}},
      {37, {"band:7 SIM-ECHUE"}},
      {43, {"band:1 SIM-ECHUE"}},
      // 44: ECHUE's deadline, still band 1, already announced: nothing.
      {50, {"quarantined SIM-QUARANT"}},
      {53, {"outbox F:QUARANT"}},
      {62, {"outbox F:DIFFERE"}},
      {70, {"band:14 SIM-URGENTE", "outbox F:URGENTE"}},
      {85, {"no_receipt F:ECHUE"}},
  };
  // Overdue: every day, from the day after the deadline until the CDC accepts it -- uploaded
  // or not, a passage is watched until its accusé de traitement accepts it.
  for (int day = 20; day <= 21; ++day) d[day].insert("overdue SIM-SEUILS");  // uploaded on 19
  for (int day = 45; day <= 89; ++day) d[day].insert("overdue SIM-ECHUE");   // uploaded on 80
  return d;
}

// What is at stake, and on which days (inclusive): what the daily summary lists.
struct AtStake {
  std::string item;
  int from, to;
};

const std::vector<AtStake>& ExpectedAtStake() {
  static const std::vector<AtStake> kAtStake = {
      {"band:30 SIM-SEUILS", 0, 4},        {"band:14 SIM-SEUILS", 5, 11},
      {"band:7 SIM-SEUILS", 12, 17},       {"band:1 SIM-SEUILS", 18, 19},
      {"overdue SIM-SEUILS", 20, 21},      {"outbox F:SEUILS", 0, 18},
      {"outbox F:ECHUE", 2, 79},           {"outbox F:ACCEPTE", 7, 7},
      {"band:30 SIM-ECHUE", 14, 29},       {"band:14 SIM-ECHUE", 30, 36},
      {"band:7 SIM-ECHUE", 37, 42},        {"band:1 SIM-ECHUE", 43, 44},
      {"overdue SIM-ECHUE", 45, 89},       {"outbox F:ACCUSE", 20, 20},
      {"no_receipt F:ACCUSE", 26, 33},     {"outbox F:REJET", 30, 30},
      {"rejected SIM-REJET", 33, 35},      {"outbox F:REJET#2", 36, 36},
      {"quarantined SIM-QUARANT", 50, 52}, {"outbox F:QUARANT", 53, 53},
      {"outbox F:DIFFERE", 62, 62},        {"band:14 SIM-URGENTE", 70, 72},
      {"outbox F:URGENTE", 70, 70},        {"no_receipt F:ECHUE", 85, 89},
  };
  return kAtStake;
}

// The status of a passage announced on `day` near or past its deadline: in its file in the
// outbox, or deposited once the story uploaded its file (06:30, before that day's cycles).
std::string StatusOn(const std::string& id, int day) {
  for (const Step& step : Story()) {
    if (step.act == Act::kUpload && step.day <= day && "SIM-" + step.subject.substr(2) == id) {
      return "deposited";
    }
  }
  return "in_deposit";
}

// Overdue, within deadlines.urgent, a deposit without receipt, a rejection.
bool Urgent(const Items& items) {
  for (const std::string& item : items) {
    if (item.starts_with("overdue ") || item.starts_with("no_receipt ") ||
        item.starts_with("rejected ")) {
      return true;
    }
    if (item.starts_with("band:") && std::atoi(item.c_str() + 5) <= kUrgentDays) return true;
  }
  return false;
}

// One message, as the test expects it or as a receiver got it.
struct Message {
  int day = -1, cycle = -1;  // generated
  std::string kind;          // digest, daily
  bool urgent = false;
  Items items;
};

std::vector<Message> ExpectedMessages() {
  std::vector<Message> out;
  const std::map<int, Items> digests = ExpectedDigests();
  for (int day = 0; day < kDays; ++day) {
    if (auto it = digests.find(day); it != digests.end()) {
      out.push_back({day, kDigestCycle, "digest", Urgent(it->second), it->second});
    }
    Items daily;
    for (const AtStake& s : ExpectedAtStake()) {
      if (s.from <= day && day <= s.to) daily.insert(s.item);
    }
    if (!daily.empty()) out.push_back({day, kDailyCycle, "daily", Urgent(daily), daily});
  }
  return out;
}

// A channel's outage: messages generated in it arrive at the first cycle of `back`.
struct Outage {
  int down, back;
};
constexpr Outage kWebhookOutage{kWebhookDown, kWebhookBack};
constexpr Outage kSmtpOutage{kSmtpDown, kSmtpBack};

std::pair<int, int> ExpectedArrival(const Message& m, Outage outage) {
  if (m.day >= outage.down && m.day < outage.back) return {outage.back, 0};
  return {m.day, m.cycle};
}

int CycleIndex(int day, int cycle) { return day * kCyclesPerDay + cycle; }

// What a receiver got, and when the test found it (the end of that cycle).
template <typename T>
struct Arrival {
  TimePoint at;
  T received;
};

// --- The fixture ---------------------------------------------------------------------------------

std::string MappingText() {
  return "certification: {type: RNCP, code: RNCP35830}\n"
         "source: ecole\n"
         "query: SELECT id, nom, prenom, annee, mois, jour, sexe, delivre FROM resultat\n"
         "key: id\n"
         "id_technique: \"SIM-{id}\"\n"
         "fields:\n"
         "  dateDebutValidite: delivre\n"
         "  dateFinValidite: nil\n"
         "  obtentionCertification: {constant: PAR_ADMISSION}\n"
         "  donneeCertifiee: {constant: true}\n"
         "  presenceNiveauLangueEuro: {constant: false}\n"
         "  presenceNiveauNumeriqueEuro: {constant: false}\n"
         "  scoring: nil\n"
         "  mentionValidee: nil\n"
         "  modaliteAcces: nil\n"
         "  nomNaissance: nom\n"
         "  nomUsage: nil\n"
         "  prenom1: prenom\n"
         "  anneeNaissance: annee\n"
         "  moisNaissance: mois\n"
         "  jourNaissance: jour\n"
         "  sexe: sexe\n"
         "  codePostal: nil\n";
}

// Digits as letters (0 -> a): a first name per version of a row.
std::string Letters(int n) {
  std::string out;
  for (char c : std::to_string(n)) out += static_cast<char>('a' + (c - '0'));
  return out;
}

class SimulatedAlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The servers are on 127.0.0.1: a proxy from the environment would stand in between.
    for (const char* name :
         {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
      unsetenv(name);
    }
    const std::string name =
        "simulated-alerts." +
        std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    dir_ = testing::MakeTempDir(name);
    // The database and the state on tmpfs when there is one (see simulated_year_test.cc): their
    // durability is not under test, and 300 cycles of fsyncs would be slow on a busy disk.
    data_ = testing::FastScratchDir(name, dir_);
    db_ = data_ + "/ecole.db";
    state_ = data_ + "/state";
    fs::create_directories(state_);
    fs::create_directories(dir_ + "/mappings");
    admin_ = std::make_unique<testing::OdbcAdmin>("Driver=SQLite3;Database=" + db_ + ";");
    admin_->Query("PRAGMA journal_mode=WAL");
    admin_->Exec("PRAGMA synchronous=OFF");
    admin_->Exec(
        "CREATE TABLE resultat (id TEXT PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, mois "
        "INTEGER, jour INTEGER, sexe TEXT, delivre TEXT)");
    testing::WriteFile(dir_ + "/mappings/passages.yaml", MappingText());

    StartWebhook();
    StartSmtp();
    clock_ = std::make_unique<testing::FakeClock>(At(0, 6, 30));
    ASSERT_NO_FATAL_FAILURE(Reconfigure());
    ASSERT_EQ(config_->alerts.daily_summary_at, 8 * 60);
    ASSERT_EQ(config_->alerts.receipt_after, std::chrono::hours(24 * 5));
    ASSERT_EQ(config_->certifiers.size(), 1u);
    ASSERT_EQ(config_->certifiers[0].alerts.size(), 3u);
    ASSERT_NO_FATAL_FAILURE(OpenState());
  }

  void TearDown() override {
    daemon_.reset();
    store_.reset();
    admin_.reset();
    http_.reset();
    smtp_.reset();
    if (data_ != dir_) fs::remove_all(data_);
  }

  // --- The receivers and the configuration -------------------------------------------------------

  void StartWebhook() {
    const std::string dir = dir_ + "/http-" + std::to_string(++http_runs_);
    http_ = std::make_unique<testing::ServerProcess>(
        std::vector<std::string>{ACCROCHD_PYTHON3, ACCROCHD_HTTP_RECEIVER, "--dir", dir},
        dir + ".log");
    http_port_ = http_->port();
    http_dirs_.push_back(dir);
  }

  void StartSmtp() {
    const std::string dir = dir_ + "/mail-" + std::to_string(++smtp_runs_);
    smtp_ = std::make_unique<testing::ServerProcess>(
        std::vector<std::string>{ACCROCHD_PYTHON3, ACCROCHD_SMTP_SERVER, "--dir", dir},
        dir + ".log");
    smtp_port_ = smtp_->port();
    mail_dirs_.push_back(dir);
  }

  // Stops a server; its port stays bound, not listening: connections are refused.
  void StopWebhook() {
    http_.reset();
    held_.push_back(std::make_unique<HeldPort>(http_port_));
  }
  void StopSmtp() {
    smtp_.reset();
    held_.push_back(std::make_unique<HeldPort>(smtp_port_));
  }

  // Writes accrochd.yaml for the receivers' current ports and loads it; a new daemon takes it,
  // as a reload (SIGHUP) does in daemon/runner.cc. The old daemon goes before the old
  // configuration it refers to.
  void Reconfigure() {
    std::string yaml;
    yaml += "state_directory: " + state_ + "\n";
    yaml += "timezone: Europe/Paris\n";
    yaml += "deposit:\n  every: 1d\n";
    yaml +=
        "deadlines:\n  thresholds: [30, 14, 7, 1]\n  urgent: " + std::to_string(kUrgentDays) + "\n";
    yaml += "alerts:\n";
    yaml += "  email:\n";
    yaml += "    server: \"smtp://127.0.0.1:" + std::to_string(smtp_port_) + "\"\n";
    yaml += "    from: accrochd@organisme.example\n";
    yaml += "    starttls: false\n";
    yaml += "    timeout: 5s\n";
    yaml += "  webhooks:\n";
    yaml += "    equipe:\n";
    yaml += "      url: \"http://127.0.0.1:" + std::to_string(http_port_) + "/hooks/accrochd\"\n";
    yaml += "      format: json\n";
    yaml += "      timeout: 5s\n";
    yaml += "  daily_summary: \"08:00\"\n";
    yaml += "  receipt_after: 5d\n";
    yaml += "  retry: {initial_delay: 1min, max_delay: 1h, give_up_after: 7d}\n";
    yaml += "sources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=" + db_ + ";\"\n";
    yaml += "certifiers:\n";
    yaml += std::string("  ") + kCertifier + ":\n";
    yaml += std::string("    id_client: \"") + kBcr + "\"\n";
    yaml += "    id_contrat: \"MCFCER000042\"\n";
    yaml += "    mappings:\n      - mappings/passages.yaml\n";
    yaml += "    alerts:\n";
    yaml += std::string("      - {email: ") + kInfoAddress + "}\n";
    yaml += std::string("      - {email: ") + kUrgentAddress + ", severity: urgent}\n";
    yaml += "      - {webhook: equipe}\n";
    testing::WriteFile(dir_ + "/accrochd.yaml", yaml);
    auto loaded = LoadConfig(dir_ + "/accrochd.yaml", Environment{});
    ASSERT_TRUE(loaded.has_value()) << FormatDiagnostics(loaded.error());
    auto fresh = std::make_unique<Config>(std::move(*loaded));
    if (store_ != nullptr) {
      auto daemon = std::make_unique<Daemon>(*fresh, logger_, *clock_,
                                             ::accrochd::testing::RealFiles(), store_.get());
      auto started = daemon->Start();
      ASSERT_TRUE(started.has_value()) << started.error().message();
      daemon_ = std::move(daemon);
    }
    config_ = std::move(fresh);
  }

  // Opens the state store and starts a daemon on it: at the start, and for a restart.
  void OpenState() {
    daemon_.reset();
    store_.reset();
    auto opened = store::StateStore::Open(state_, *clock_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
    daemon_ = std::make_unique<Daemon>(*config_, logger_, *clock_, ::accrochd::testing::RealFiles(),
                                       store_.get());
    auto started = daemon_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().message();
  }

  void SetClock(TimePoint t) {
    ASSERT_GE(t, clock_->Now());
    clock_->Advance(std::chrono::duration_cast<Duration>(t - clock_->Now()));
  }

  // --- The registrar, the staff and the CDC ------------------------------------------------------

  void WriteRow(const std::string& name, bool insert) {
    const ScenarioPassage& p = PassageNamed(name);
    const bool birth_ok = birth_ok_[name];
    const std::string values =
        "nom = 'Nom" + name + "', prenom = 'Prenom" + Letters(versions_[name]) +
        "', annee = " + std::to_string(1980 + p.birth) +
        ", mois = " + (birth_ok ? std::to_string(1 + p.birth) : "4") +
        ", jour = " + (birth_ok ? std::to_string(1 + p.birth) : "31") + ", sexe = '" +
        (p.birth % 2 == 0 ? "F" : "M") + "', delivre = '" + FormatIsoDate(p.delivery) + "'";
    if (insert) admin_->Exec("INSERT INTO resultat (id) VALUES ('" + name + "')");
    admin_->Exec("UPDATE resultat SET " + values + " WHERE id = '" + name + "'");
  }

  void Arrive(const std::string& name, bool birth_ok = true) {
    birth_ok_[name] = birth_ok;
    WriteRow(name, true);
  }

  // The registrar corrects the row: another first name, a real birth date.
  void Correct(const std::string& name) {
    ++versions_[name];
    birth_ok_[name] = true;
    WriteRow(name, false);
  }

  // The staff upload a file to the CDC portal and take it out of the outbox.
  void Upload(const std::string& alias) {
    ASSERT_TRUE(files_.contains(alias)) << alias << " was never published";
    auto marked = store_->deposits().MarkUploaded(files_.at(alias));
    ASSERT_TRUE(marked.has_value()) << marked.error().message();
    uploaded_at_[alias] = clock_->Now();
    fs::remove(fs::path(state_) / "outbox" / files_.at(alias));
  }

  // The CDC's accusé de traitement for a file of one passage.
  void Verdict(const std::string& alias, bool accepted) {
    ASSERT_TRUE(files_.contains(alias)) << alias << " was never published";
    const std::string name = PassageOfFile(alias);
    auto recorded = store_->deposits().RecordVerdicts(files_.at(alias),
                                           accepted ? "Traité avec succès" : "Traité avec erreurs",
                                           {{Id(name), accepted, accepted ? "" : kRejection}});
    ASSERT_TRUE(recorded.has_value()) << recorded.error().message();
  }

  static std::string PassageOfFile(const std::string& alias) {
    const std::string name = alias.substr(2);  // "F:REJET#2" -> "REJET"
    return name.substr(0, name.find('#'));
  }

  // 06:30, before the first cycle of the day: the day's steps of the story.
  void Morning(int day) {
    for (const Step& step : Story()) {
      if (step.day != day) continue;
      SCOPED_TRACE("day " + std::to_string(day) + ": " + step.subject);
      switch (step.act) {
        case Act::kArrive:
          Arrive(step.subject);
          break;
        case Act::kArriveInvalid:
          Arrive(step.subject, /*birth_ok=*/false);
          break;
        case Act::kCorrect:
          Correct(step.subject);
          break;
        case Act::kUpload:
          ASSERT_NO_FATAL_FAILURE(Upload(step.subject));
          break;
        case Act::kAccepted:
        case Act::kRejected:
          ASSERT_NO_FATAL_FAILURE(Verdict(step.subject, step.act == Act::kAccepted));
          break;
        case Act::kStopWebhook:
          StopWebhook();
          break;
        case Act::kStartWebhook:
          StartWebhook();
          ASSERT_NO_FATAL_FAILURE(Reconfigure());
          break;
        case Act::kStopSmtp:
          StopSmtp();
          break;
        case Act::kStartSmtp:
          StartSmtp();
          ASSERT_NO_FATAL_FAILURE(Reconfigure());
          break;
      }
    }
  }

  // --- One cycle, as daemon/runner.cc runs it ----------------------------------------------------

  // A cycle at `t`, then its alerts: planned, and the queue sent. With `restart_before_delivery`,
  // the daemon stops after the messages are queued, before they are sent, and starts again.
  void CycleAt(TimePoint t, bool restart_before_delivery = false) {
    SCOPED_TRACE(FrenchStamp(t));
    ASSERT_NO_FATAL_FAILURE(SetClock(t));
    auto report = daemon_->RunCycle(DepositPolicy::kPlanned, {});
    ASSERT_TRUE(report.has_value()) << report.error().message();
    ASSERT_TRUE(report->failures.empty()) << report->failures[0].error.message();
    for (const deposit::PublishedFile& f : report->files) {
      ASSERT_NO_FATAL_FAILURE(Published(f, t));
    }
    auto alerter = std::make_unique<Alerter>(*config_, *store_, logger_, *clock_);
    auto planned = alerter->Plan();
    ASSERT_TRUE(planned.has_value()) << planned.error().message();
    if (restart_before_delivery) {
      alerter.reset();
      ASSERT_NO_FATAL_FAILURE(OpenState());
      alerter = std::make_unique<Alerter>(*config_, *store_, logger_, *clock_);
    }
    auto delivered = alerter->Deliver();
    ASSERT_TRUE(delivered.has_value()) << delivered.error().message();
    Collect(t);
  }

  void Cycle(int day, int cycle) {
    const bool first = cycle == kDigestCycle;
    ASSERT_NO_FATAL_FAILURE(CycleAt(CycleTime(day, cycle), first && day == kRestartBeforeDelivery));
    if (first && day == kRestartBetweenCycles) {
      ASSERT_NO_FATAL_FAILURE(OpenState());
    }
  }

  void Published(const deposit::PublishedFile& f, TimePoint t) {
    EXPECT_EQ(FrenchStamp(t).substr(11), "07:00")
        << f.name << ": deposits are cut in the first cycle of a day";
    const int day = static_cast<int>(
        (std::chrono::floor<std::chrono::days>(t) - std::chrono::sys_days(kFirstDay)).count());
    EXPECT_EQ(f.passages, 1u) << f.name;
    std::string holder;
    for (const ScenarioPassage& p : Passages()) {
      auto found = store_->passages().PassagesWithId(Id(p.name));
      ASSERT_TRUE(found.has_value()) << found.error().message();
      if (!found->empty() && (*found)[0].deposit_file == f.name) holder = p.name;
    }
    ASSERT_FALSE(holder.empty()) << f.name << " holds none of the scenario's passages";
    const int n = ++file_count_[holder];
    const std::string alias = "F:" + holder + (n > 1 ? "#" + std::to_string(n) : "");
    files_[alias] = f.name;
    file_alias_[f.name] = alias;
    published_on_[alias] = day;
  }

  // What the receivers recorded since the last cycle.
  void Collect(TimePoint at) {
    for (const std::string& dir : http_dirs_) {
      for (const fs::path& entry : RecordedEntries(dir, "request-")) {
        if (seen_.insert(entry.string()).second) {
          requests_.push_back({at, ReadRequest(entry)});
        }
      }
    }
    for (const std::string& dir : mail_dirs_) {
      for (const fs::path& entry : RecordedEntries(dir, "message-")) {
        if (seen_.insert(entry.string()).second) {
          mails_.push_back({at, ReadMail(entry)});
        }
      }
    }
  }

  void RunDays() {
    for (int day = 0; day < kDays; ++day) {
      ASSERT_NO_FATAL_FAILURE(SetClock(At(day, 6, 30)));
      ASSERT_NO_FATAL_FAILURE(Morning(day));
      for (int cycle = 0; cycle < kCyclesPerDay; ++cycle) {
        ASSERT_NO_FATAL_FAILURE(Cycle(day, cycle));
      }
    }
  }

  // --- Reading what arrived ----------------------------------------------------------------------

  // "04/05/2026 07:00" -> day 33, cycle 0; {-1, -1} when it is no cycle of the simulation.
  // The cycle of a message generated at `day`, `hour`:`minute` local time; {-1, -1} for none.
  static std::pair<int, int> CycleAt(int y, unsigned m, unsigned d, int hour, int minute) {
    const int day = DayOf(Ymd(y, m, d));
    for (int c = 0; c < kCyclesPerDay; ++c) {
      if (kCycleHours[c] == hour && minute == 0 && day >= 0 && day < kDays) return {day, c};
    }
    return {-1, -1};
  }

  // "01/04/2026 07:00": an e-mail subject's time, as people read it.
  static std::pair<int, int> GeneratedCycle(const std::string& stamp) {
    unsigned d = 0, m = 0;
    int y = 0, hour = 0, minute = 0;
    if (std::sscanf(stamp.c_str(), "%2u/%2u/%4d %2d:%2d", &d, &m, &y, &hour, &minute) != 5) {
      return {-1, -1};
    }
    return CycleAt(y, m, d, hour, minute);
  }

  // "2026-04-01T07:00:00+02:00": the webhook payload's generated_at (version 3), ISO 8601 with
  // Paris's summer offset.
  static std::pair<int, int> GeneratedCycleIso(const std::string& stamp) {
    unsigned d = 0, m = 0;
    int y = 0, hour = 0, minute = 0, second = -1, offset_hours = -1, offset_minutes = -1;
    if (std::sscanf(stamp.c_str(), "%4d-%2u-%2uT%2d:%2d:%2d+%2d:%2d", &y, &m, &d, &hour, &minute,
                    &second, &offset_hours, &offset_minutes) != 8 ||
        stamp.size() != 25 || offset_hours != kUtcOffset || offset_minutes != 0 || second != 0) {
      return {-1, -1};
    }
    return CycleAt(y, m, d, hour, minute);
  }

  std::string Alias(const std::string& file) const {
    auto it = file_alias_.find(file);
    return it == file_alias_.end() ? "unknown file " + file : it->second;
  }

  // A webhook payload as a Message; the details that are not items (days left, deadlines, the
  // CDC's message, the action) are checked here against the scenario.
  Message ReadPayload(const std::string& body) {
    Message m;
    JsonReader reader(body);
    std::optional<Json> doc = reader.Document();
    if (!doc) {
      ADD_FAILURE() << "the webhook payload is not JSON (" << reader.error() << "):\n" << body;
      return m;
    }
    const Json& j = *doc;
    std::tie(m.day, m.cycle) = GeneratedCycleIso(j["generated_at"].text);
    SCOPED_TRACE("payload generated at " + j["generated_at"].text);
    EXPECT_GE(m.day, 0) << "generated_at is no cycle of the simulation";
    m.kind = j["kind"].text;
    m.urgent = j["urgent"].boolean;
    EXPECT_EQ(j["type"].text, "accrochd.alert");
    EXPECT_EQ(j["certifier"]["bcr"].text, kBcr);
    EXPECT_EQ(j["certifier"]["name"].text, kCertifier);
    EXPECT_EQ(j["version"].Int(), 3);
    // The subject, for people, says the same time in French.
    if (m.day >= 0) {
      EXPECT_THAT(j["subject"].text, HasSubstr(FrenchStamp(m.day, m.cycle)));
    }
    const Date today = DayDate(std::max(m.day, 0));
    auto deadline_of = [](const std::string& id) {
      return id.starts_with("SIM-") ? PassageNamed(id.substr(4)).deadline : Date{};
    };
    for (const Json& o : j["overdue"].items) {
      const std::string id = o["id_technique"].text;
      m.items.insert("overdue " + id);
      EXPECT_EQ(o["deadline"].text, FormatIsoDate(deadline_of(id))) << id;
      EXPECT_EQ(o["days_overdue"].Int(), DayOf(today) - DayOf(deadline_of(id))) << id;
      EXPECT_EQ(o["status"].text, StatusOn(id, m.day)) << id;
    }
    EXPECT_EQ(j["version"].Int(), 3);
    for (const Json& band : j["near_deadline"].items) {
      const int within = band["within_days"].Int();
      for (const Json& p : band["passages"].items) {
        const std::string id = p["id_technique"].text;
        m.items.insert("band:" + std::to_string(within) + " " + id);
        const int left = DayOf(deadline_of(id)) - DayOf(today);
        EXPECT_EQ(p["deadline"].text, FormatIsoDate(deadline_of(id))) << id;
        EXPECT_EQ(p["days_left"].Int(), left) << id;
        EXPECT_EQ(within, BandOf(left)) << id << " with " << left << " days left";
        EXPECT_EQ(p["certification"].text, "RNCP RNCP35830") << id;
        EXPECT_EQ(p["status"].text, StatusOn(id, m.day)) << id;
      }
    }
    for (const Json& f : j["outbox"].items) {
      m.items.insert("outbox " + Alias(f["file"].text));
      EXPECT_EQ(f["passages"].Int(), 1) << f["file"].text;
    }
    for (const Json& f : j["without_receipt"].items) {
      const std::string alias = Alias(f["file"].text);
      m.items.insert("no_receipt " + alias);
      if (m.day >= 0 && uploaded_at_.contains(alias)) {
        const auto waited = CycleTime(m.day, m.cycle) - uploaded_at_.at(alias);
        EXPECT_EQ(f["days"].Int(), std::chrono::floor<std::chrono::days>(waited).count()) << alias;
      }
    }
    for (const Json& r : j["rejected"].items) {
      const std::string id = r["id_technique"].text;
      m.items.insert("rejected " + id);
      EXPECT_EQ(r["message"].text, kRejection) << id;
      EXPECT_EQ(r["action"].text, "holder_not_found") << id;
      EXPECT_EQ(Alias(r["file"].text), "F:" + id.substr(4))
          << id << ": the file it was rejected in";
      EXPECT_EQ(r["deadline"].text, FormatIsoDate(deadline_of(id))) << id;
    }
    for (const Json& q : j["quarantined"].items) {
      const std::string id = q["id_technique"].text;
      m.items.insert("quarantined " + id);
      const std::vector<Json>& reasons = q["reasons"].items;
      EXPECT_EQ(reasons.size(), 1u) << id;
      if (!reasons.empty()) {
        EXPECT_EQ(reasons[0]["field"].text, "jourNaissance") << id;
        EXPECT_EQ(reasons[0]["rule"].text, "birth-date") << id;
      }
      EXPECT_EQ(q["deadline"].text, FormatIsoDate(deadline_of(id))) << id;
    }
    // The counts by certification and band: everything at stake, the one certification here.
    // In a daily summary (which lists everything), they add up to what the lists hold.
    int counted = 0;
    for (const Json& row : j["by_certification"].items) {
      EXPECT_EQ(row["certification"].text, "RNCP RNCP35830");
      counted += row["overdue"].Int();
      for (const Json& band : row["within"].items) counted += band["passages"].Int();
    }
    if (m.kind == "daily") {
      const auto at_stake = std::count_if(m.items.begin(), m.items.end(), [](const std::string& i) {
        return i.starts_with("overdue ") || i.starts_with("band:");
      });
      EXPECT_EQ(counted, at_stake);
    }
    // A section this test does not know of (a newer payload) must be empty: its entries count as
    // unexpected items.
    static const std::set<std::string> kKnown = {"overdue",         "near_deadline", "outbox",
                                                 "without_receipt", "rejected",      "quarantined",
                                                 "by_certification"};
    for (const auto& [key, value] : j.members) {
      if (value.type != Json::Type::kArray || kKnown.contains(key)) continue;
      for (const Json& entry : value.items) {
        m.items.insert(key + " " +
                       (entry["id_technique"].text.empty() ? Alias(entry["file"].text)
                                                           : entry["id_technique"].text));
      }
    }
    return m;
  }

  // Compares what a channel got with the expected messages: each once, generated in its cycle,
  // arrived when the channel could take it, in the order generated.
  template <typename T>
  void CheckChannel(
      const std::string& channel, const std::vector<Arrival<T>>& got,
      const std::vector<Message>& read, Outage outage,
      const std::type_identity_t<std::function<void(const Message&, const Message&, const T&)>>&
          details) {
    SCOPED_TRACE(channel);
    std::map<std::pair<int, int>, std::vector<std::size_t>> by_cycle;
    for (std::size_t i = 0; i < read.size(); ++i) {
      by_cycle[{read[i].day, read[i].cycle}].push_back(i);
    }
    const std::vector<Message> expected = ExpectedMessages();
    std::set<std::pair<int, int>> expected_cycles;
    for (const Message& e : expected) {
      expected_cycles.insert({e.day, e.cycle});
      SCOPED_TRACE("the " + e.kind + " of " + Label(e.day, e.cycle));
      auto it = by_cycle.find({e.day, e.cycle});
      if (it == by_cycle.end()) {
        ADD_FAILURE() << "never arrived; it announces: " << ::testing::PrintToString(e.items);
        continue;
      }
      EXPECT_EQ(it->second.size(), 1u) << "arrived " << it->second.size() << " times";
      const std::size_t i = it->second[0];
      const Message& m = read[i];
      EXPECT_EQ(m.kind, e.kind);
      EXPECT_EQ(m.urgent, e.urgent);
      EXPECT_EQ(m.items, e.items);
      const auto [day, cycle] = ExpectedArrival(e, outage);
      EXPECT_EQ(FrenchStamp(got[i].at), FrenchStamp(day, cycle)) << "when it arrived";
      details(e, m, got[i].received);
    }
    for (const auto& [at, indexes] : by_cycle) {
      if (!expected_cycles.contains(at)) {
        for (std::size_t i : indexes) {
          ADD_FAILURE() << "unexpected " << read[i].kind << " generated on "
                        << (at.first < 0 ? "an unknown day" : Label(at.first, at.second)) << ": "
                        << ::testing::PrintToString(read[i].items);
        }
      }
    }
    for (std::size_t i = 1; i < read.size(); ++i) {
      EXPECT_LT(CycleIndex(read[i - 1].day, read[i - 1].cycle),
                CycleIndex(read[i].day, read[i].cycle))
          << "arrival " << i << " came after a later message";
    }
  }

  std::string dir_, data_, db_, state_;
  std::unique_ptr<testing::OdbcAdmin> admin_;
  std::unique_ptr<testing::FakeClock> clock_;
  testing::CaptureLogger logger_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<Daemon> daemon_;

  std::unique_ptr<testing::ServerProcess> http_, smtp_;
  int http_port_ = 0, smtp_port_ = 0, http_runs_ = 0, smtp_runs_ = 0;
  std::vector<std::unique_ptr<HeldPort>> held_;
  std::vector<std::string> http_dirs_, mail_dirs_;
  std::set<std::string> seen_;
  std::vector<Arrival<ReceivedRequest>> requests_;
  std::vector<Arrival<ReceivedMail>> mails_;

  std::map<std::string, int> versions_;
  std::map<std::string, bool> birth_ok_;
  std::map<std::string, int> file_count_;
  std::map<std::string, std::string> files_;       // alias -> file name
  std::map<std::string, std::string> file_alias_;  // file name -> alias
  std::map<std::string, int> published_on_;
  std::map<std::string, TimePoint> uploaded_at_;
};

TEST_F(SimulatedAlertsTest, WhichAlertsWentOutOnWhichDayOverAHundredDays) {
  const auto started = std::chrono::steady_clock::now();
  RunDays();
  ASSERT_FALSE(HasFailure());
  for (const auto& held : held_) {
    EXPECT_TRUE(held->bound()) << "a stopped receiver's port could not be held";
  }

  // The files, each published on the day its passage was deposited.
  const std::map<std::string, int> published = {
      {"F:SEUILS", 0},   {"F:ECHUE", 2},    {"F:ACCEPTE", 7},  {"F:ACCUSE", 20}, {"F:REJET", 30},
      {"F:REJET#2", 36}, {"F:QUARANT", 53}, {"F:DIFFERE", 62}, {"F:URGENTE", 70}};
  EXPECT_EQ(published_on_, published);

  // The webhook: every message, with its content read from the JSON payload.
  const std::vector<Message> expected = ExpectedMessages();
  EXPECT_EQ(requests_.size(), expected.size());
  EXPECT_EQ(mails_.size(), expected.size());
  std::vector<Message> hooks;
  for (const auto& r : requests_) {
    SCOPED_TRACE(r.received.dir.string());
    EXPECT_EQ(FieldValues(r.received.head, "path"), std::vector<std::string>{"/hooks/accrochd"});
    hooks.push_back(ReadPayload(r.received.body));
  }
  CheckChannel<ReceivedRequest>("webhook equipe", requests_, hooks, kWebhookOutage,
                                [](const Message&, const Message&, const ReceivedRequest&) {});

  // Spelt out: the days around the deadline of ECHUE, and the quiet days.
  auto hook_on = [&](int day, int cycle) -> const Message* {
    for (const Message& m : hooks) {
      if (m.day == day && m.cycle == cycle) return &m;
    }
    return nullptr;
  };
  ASSERT_NE(hook_on(43, kDigestCycle), nullptr);
  EXPECT_EQ(hook_on(43, kDigestCycle)->items, Items{"band:1 SIM-ECHUE"});
  EXPECT_EQ(hook_on(44, kDigestCycle), nullptr) << "the deadline day: band 1 was announced";
  ASSERT_NE(hook_on(45, kDigestCycle), nullptr);
  EXPECT_EQ(hook_on(45, kDigestCycle)->items, Items{"overdue SIM-ECHUE"});
  // Its file uploaded on day 80: still overdue, still named, until the CDC accepts it (day 90).
  ASSERT_NE(hook_on(81, kDigestCycle), nullptr);
  EXPECT_EQ(hook_on(81, kDigestCycle)->items, Items{"overdue SIM-ECHUE"});
  for (int day : {1, 3, 4, 6, 8, 9, 10, 11, 19, 22, 34, 39, 44, 90, 99}) {
    EXPECT_EQ(hook_on(day, kDigestCycle), nullptr) << "no digest on quiet day " << day;
  }
  for (int day = 0; day < kDays; ++day) {
    EXPECT_EQ(hook_on(day, 2), nullptr) << "nothing at 15:00 on day " << day;
  }
  for (int day : {90, 99}) {
    EXPECT_EQ(hook_on(day, kDailyCycle), nullptr) << "nothing at stake on day " << day;
  }

  // E-mail: the same messages, to the info recipient, and to the urgent one when urgent; the text
  // names what the payload lists, and nothing else of the scenario.
  std::vector<Message> mails;
  for (const auto& a : mails_) {
    const ReceivedMail& mail = a.received;
    Message m;
    const std::string subject =
        FieldValues(mail.decoded, "subject").empty() ? "" : FieldValues(mail.decoded, "subject")[0];
    const std::size_t open = subject.rfind('('), close = subject.rfind(')');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      std::tie(m.day, m.cycle) = GeneratedCycle(subject.substr(open + 1, close - open - 1));
    }
    m.kind = subject.find("résumé du jour") != std::string::npos      ? "daily"
             : subject.find("nouvelles alertes") != std::string::npos ? "digest"
                                                                      : subject;
    m.urgent = subject.find("— URGENT —") != std::string::npos;
    mails.push_back(m);
  }
  for (std::size_t i = 0; i < mails.size(); ++i) {
    // The items come from the webhook's message of the same cycle, checked above.
    if (const Message* hook = hook_on(mails[i].day, mails[i].cycle)) mails[i].items = hook->items;
  }
  std::set<std::string> needles;  // every idTechnique and file of the scenario
  for (const ScenarioPassage& p : Passages()) needles.insert(Id(p.name));
  for (const auto& [alias, file] : files_) needles.insert(file);
  CheckChannel<ReceivedMail>(
      "e-mail", mails_, mails, kSmtpOutage,
      [&](const Message& e, const Message&, const ReceivedMail& mail) {
        const std::vector<std::string> to = FieldValues(mail.envelope, "rcpt_to");
        if (e.urgent) {
          EXPECT_EQ(to, (std::vector<std::string>{kInfoAddress, kUrgentAddress}));
        } else {
          EXPECT_EQ(to, std::vector<std::string>{kInfoAddress});
        }
        EXPECT_EQ(FieldValues(mail.envelope, "tls"), std::vector<std::string>{"no"});
        ASSERT_GE(mail.parts.size(), 2u) << "text and HTML";
        const std::string& text = mail.parts[0].content;
        std::set<std::string> named;
        for (const std::string& item : e.items) {
          const std::string what = item.substr(item.find(' ') + 1);
          named.insert(what.starts_with("F:") ? files_.at(what) : what);
        }
        for (const std::string& needle : needles) {
          EXPECT_EQ(text.find("  " + needle + "  ") != std::string::npos, named.contains(needle))
              << needle << " in the text:\n"
              << text;
        }
        auto has = [&](const std::string& prefix) {
          return std::any_of(e.items.begin(), e.items.end(),
                             [&](const std::string& i) { return i.starts_with(prefix); });
        };
        EXPECT_EQ(text.find("ÉCHÉANCE DÉPASSÉE") != std::string::npos, has("overdue "));
        for (int t : kThresholds) {
          EXPECT_EQ(text.find("Échéance dans " + std::to_string(t) + " jour(s) ou moins") !=
                        std::string::npos,
                    has("band:" + std::to_string(t) + " "))
              << t;
        }
        EXPECT_EQ(text.find("Fichiers prêts") != std::string::npos, has("outbox "));
        EXPECT_EQ(text.find("Dépôts sans accusé de traitement depuis plus de 5 jour(s)") !=
                      std::string::npos,
                  has("no_receipt "));
        EXPECT_EQ(text.find("Rejetés par la CDC") != std::string::npos, has("rejected "));
        EXPECT_EQ(text.find("En quarantaine") != std::string::npos, has("quarantined "));
        if (has("rejected ")) {
          EXPECT_THAT(text, HasSubstr(std::string("Message de la CDC : « ") + kRejection + " »"));
          EXPECT_THAT(text, HasSubstr("À faire : vérifier dans la base l'identité du titulaire"));
        }
      });

  // The queue: every message delivered, after one attempt per cycle it waited.
  auto queued = store_->alerts().All();
  ASSERT_TRUE(queued.has_value()) << queued.error().message();
  EXPECT_EQ(queued->size(), 2 * expected.size()) << "one e-mail and one webhook per message";
  std::map<std::string, std::pair<int, int>> cycle_at;  // created_at -> (day, cycle)
  for (int day = 0; day < kDays; ++day) {
    for (int c = 0; c < kCyclesPerDay; ++c) cycle_at[IsoUtc(CycleTime(day, c))] = {day, c};
  }
  int retried = 0;
  for (const store::QueuedAlert& q : *queued) {
    SCOPED_TRACE("alert #" + std::to_string(q.id) + " via " + q.channel + " queued " +
                 IsoUtc(q.created_at));
    EXPECT_EQ(q.state, "delivered") << q.last_detail;
    ASSERT_TRUE(cycle_at.contains(IsoUtc(q.created_at)));
    Message m;
    std::tie(m.day, m.cycle) = cycle_at.at(IsoUtc(q.created_at));
    const Outage outage = q.channel == "email" ? kSmtpOutage : kWebhookOutage;
    const auto [day, cycle] = ExpectedArrival(m, outage);
    EXPECT_EQ(q.attempts, CycleIndex(day, cycle) - CycleIndex(m.day, m.cycle) + 1);
    if (q.attempts > 1) ++retried;
  }
  // Webhook: 2 messages a day on days 60 to 62; e-mail: on days 61 to 63.
  EXPECT_EQ(retried, 12);
  EXPECT_THAT(logger_.Text(), ::testing::Not(HasSubstr("given up")));

  int digests = 0, dailies = 0;
  for (const Message& m : expected) (m.kind == "digest" ? digests : dailies)++;
  std::printf(
      "simulated alerts: %d days, %d digests and %d daily summaries by webhook and e-mail, "
      "%lld ms\n",
      kDays, digests, dailies,
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count()));
}

// The same daemon at the cadence of a real one -- a cycle every 15 minutes, run.interval's default
// -- with alerts.retry's defaults (1 min doubling up to 1 h, given up after 7 days): a receiver
// down from one morning to the next day's noon gets the first day's digest and daily summary when
// it is back. (Found by this simulation: messages used to be given up after 24 attempts, some 19
// hours at this cadence.)
TEST_F(SimulatedAlertsTest, AtTheRealCadenceAReceiverDownForADayGetsItsAlertsWhenBack) {
  ASSERT_NO_FATAL_FAILURE(Morning(0));  // SEUILS: band 30, and its file
  StopWebhook();
  const TimePoint back = At(1, 12);
  for (TimePoint t = CycleTime(0, kDigestCycle); t < back; t += std::chrono::minutes(15)) {
    ASSERT_NO_FATAL_FAILURE(CycleAt(t));
  }
  StartWebhook();
  ASSERT_NO_FATAL_FAILURE(Reconfigure());
  for (TimePoint t = back; t <= At(1, 14); t += std::chrono::minutes(15)) {  // 1 h max_delay
    ASSERT_NO_FATAL_FAILURE(CycleAt(t));
  }

  // Every message queued for the webhook, once, after it was back.
  std::multiset<std::string> got;
  for (const auto& r : requests_) {
    JsonReader reader(r.received.body);
    std::optional<Json> doc = reader.Document();
    ASSERT_TRUE(doc.has_value()) << reader.error();
    got.insert((*doc)["kind"].text + " " + (*doc)["generated_at"].text);
    EXPECT_GE(r.at, back);
  }
  EXPECT_EQ(got, (std::multiset<std::string>{"digest 2026-04-01T07:00:00+02:00",
                                             "daily 2026-04-01T08:00:00+02:00",
                                             "daily 2026-04-02T08:00:00+02:00"}));
  auto queued = store_->alerts().All();
  ASSERT_TRUE(queued.has_value()) << queued.error().message();
  for (const store::QueuedAlert& q : *queued) {
    EXPECT_EQ(q.state, "delivered") << q.kind << " queued " << IsoUtc(q.created_at) << " via " << q.channel
                                    << ", " << q.attempts << " attempt(s): " << q.last_detail;
  }
}

}  // namespace
}  // namespace accrochd::daemon
