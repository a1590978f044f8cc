// Alerts at scale (issue #13): 120 simulated days with far more passages than alerts.list_limit,
// asserting that every passage is named as new in an alert at every threshold it crosses and when
// it becomes overdue -- in the e-mail and in the webhook payload -- and never twice for the same
// threshold.
//
// As in simulated_alerts_test.cc: a fake clock, a real SQLite database read through the real
// SQLite ODBC driver, a configuration loaded from files, a real state store, the real daemon and,
// after each cycle, Alerter::Plan() then Alerter::Deliver() as daemon/runner.cc does, through the
// real channels to a real SMTP server (tests/support/smtp_server.py) and a real webhook receiver
// (tests/support/http_receiver.py, format json).
//
// The story: one certifier, three certifications, alerts.list_limit 25, deadlines.thresholds 30,
// 14, 7, 1, one cycle a day at 07:00 in Paris from 5 January 2026 (the change to summer time on
// day 83). On day 0 a backfill of 1500 passages delivered from 200 days before up to day 0 --
// 829 already overdue, hundreds inside the bands, the rest later; then every day 6 to 12 new
// rows, delivered today, or weeks ago (entering inside a band), or more than 100 days ago
// (entering overdue): 2,574 passages, up to 2,000 overdue at once. The mappings read
// incrementally (cursor on the key), so a cycle reads only the new rows. The rows come from a
// deterministic generator (SplitMix64, seeded). Two modes: the deposit files are never uploaded
// (the passages stay in the outbox), or each is marked uploaded the day after it appears and no
// accusé de traitement ever comes back (the passages stay deposited). In both, one file in six is
// accepted three days after it appears: its passages are never named again.
//
// 120 days and not a year: every digest lists every passage at stake (complete JSON arrays, the
// attachment), so a cycle costs in proportion to what is overdue; a year (3,300 passages, 2,800
// overdue at the end) took minutes per mode, and adds nothing the first 120 days do not exercise.
//
// The test's model computes each deadline from the rule (three calendar months later, clamped to
// the end of the month), never from core/deadline.h, and what each cycle must announce: a passage
// in band b (the smallest threshold at or above its days left) is new at b on the first cycle it
// is in b; overdue, new on the first cycle it is overdue; after that, an overdue passage is a
// repeat. Every message is read back and compared with the model; what differs is collected by
// kind (a count and the first examples, identifiers only) and reported at the end, with the
// tally of every passage's announcements per channel.
//
// DailySummaryListsEverything, shorter, turns alerts.daily_summary on (08:00, cycles at 07:00 and
// 09:00, some rows arriving at 08:30): every daily summary's JSON arrays and attachment list
// everything at stake, complete.
#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
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
using testing::Json;
using testing::JsonReader;
using testing::ReadMail;
using testing::ReadRequest;
using testing::ReceivedMail;
using testing::ReceivedRequest;
using testing::RecordedEntries;

constexpr const char* kBcr = "ECHL0013";
constexpr const char* kCertifier = "institut";
constexpr const char* kAddress = "scolarite@organisme.example";
constexpr int kListLimit = 25;
constexpr int kUrgentDays = 14;
constexpr int kReceiptAfterDays = 5;
constexpr const char* kIdPrefix = "AS-";

struct Certification {
  const char* type;
  const char* code;
};
constexpr Certification kCertifications[] = {
    {"RS", "RS6521"}, {"RNCP", "RNCP34567"}, {"RNCP", "RNCP35830"}};
constexpr int kCertificationCount = 3;

// "RS RS6521": how the alerts write a certification.
std::string CertificationName(int c) {
  return std::string(kCertifications[c].type) + " " + kCertifications[c].code;
}

// --- The calendar --------------------------------------------------------------------------------

Date Ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

constexpr Date kFirstDay{std::chrono::year(2026), std::chrono::January, std::chrono::day(5)};

Date DayDate(int day) { return Date(std::chrono::sys_days(kFirstDay) + std::chrono::days(day)); }

int DayOf(Date date) {
  return static_cast<int>((std::chrono::sys_days(date) - std::chrono::sys_days(kFirstDay)).count());
}

// The legal deadline, from the rule itself (not from core/deadline.h): the same day three
// calendar months later, or the last day of that month when it has no such day.
Date ExpectedDeadline(Date delivery) {
  int y = static_cast<int>(delivery.year());
  unsigned m = static_cast<unsigned>(delivery.month()) + 3;
  if (m > 12) {
    m -= 12;
    ++y;
  }
  static constexpr unsigned kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const unsigned last = kDaysIn[m - 1] + (m == 2 && leap ? 1 : 0);
  return Ymd(y, m, std::min(static_cast<unsigned>(delivery.day()), last));
}

// Paris: UTC+2 from the last Sunday of March to the last Sunday of October, UTC+1 otherwise. The
// change is at 01:00 UTC, before any time of day this test uses.
int ParisOffsetHours(int day) {
  const Date d = DayDate(day);
  using std::chrono::last;
  using std::chrono::Sunday;
  const std::chrono::sys_days summer{d.year() / std::chrono::March / Sunday[last]};
  const std::chrono::sys_days winter{d.year() / std::chrono::October / Sunday[last]};
  const std::chrono::sys_days t{d};
  return t >= summer && t < winter ? 2 : 1;
}

TimePoint At(int day, int hour, int minute = 0) {
  return std::chrono::sys_days(DayDate(day)) + std::chrono::hours(hour - ParisOffsetHours(day)) +
         std::chrono::minutes(minute);
}

// "05/01/2026 07:00", Paris time: a message's generated_at, as the templates write it.
std::string FrenchStamp(int day, int hour) {
  const Date d = DayDate(day);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%02u/%02u/%04d %02d:00", static_cast<unsigned>(d.day()),
                static_cast<unsigned>(d.month()), static_cast<int>(d.year()), hour);
  return buffer;
}

// "2026-01-05T07:00:00+01:00", Paris time: a webhook payload's generated_at (version 3).
std::string IsoStamp(int day, int hour) {
  const Date d = DayDate(day);
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:00:00+%02d:00",
                static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()), hour, ParisOffsetHours(day));
  return buffer;
}

// "accrochd-ECHL0013-20260105-0700.txt": the attachment of a message generated then.
std::string AttachmentName(int day, int hour) {
  const Date d = DayDate(day);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "accrochd-%s-%04d%02u%02u-%02d00.txt", kBcr,
                static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()), hour);
  return buffer;
}

// --- Sections: where a passage stands, by its days left ------------------------------------------

enum Section { kOverdue = 0, kWithin1, kWithin7, kWithin14, kWithin30, kSectionCount };
constexpr int kBandDays[kSectionCount] = {0, 1, 7, 14, 30};  // deadlines.thresholds

// overdue, within:1, ... (the attachment's names)
std::string SectionName(int s) {
  return s == kOverdue ? "overdue" : "within:" + std::to_string(kBandDays[s]);
}

// Overdue when left < 0; else the smallest threshold at or above `left`; -1 beyond 30 days.
int SectionOfLeft(int left) {
  if (left < 0) return kOverdue;
  for (int s = kWithin1; s < kSectionCount; ++s) {
    if (left <= kBandDays[s]) return s;
  }
  return -1;
}

int SectionOfBand(int days) {
  for (int s = kWithin1; s < kSectionCount; ++s) {
    if (kBandDays[s] == days) return s;
  }
  return -1;
}

// --- The scenario --------------------------------------------------------------------------------

// SplitMix64: the same rows on every platform (std:: distributions are not portable).
class Prng {
 public:
  explicit Prng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<std::uint64_t>(n)); }
  int Between(int lo, int hi) { return lo + Below(hi - lo + 1); }

 private:
  std::uint64_t state_;
};

struct Scenario {
  int days = 120;
  int backfill = 1500;      // rows recorded before day 0's first cycle
  int backfill_span = 200;  // ... delivered 0 to this many days before day 0
  int per_day_min = 6, per_day_max = 12;
  bool upload = false;    // each file marked uploaded the day after it appears; no receipt ever
  int accept_one_in = 6;  // a file after day 0's is accepted 3 days after it appears, 1 in N
  std::vector<int> cycle_hours = {7};
  bool daily_summary = false;  // at 08:00; some rows then arrive at 08:30, before 09:00's cycle
  std::uint64_t seed = 13;
};

struct Passage {
  int id = 0;  // the source's key; idTechnique AS-<id>
  int certification = 0;
  Date delivery{};
  Date deadline{};
  int deadline_day = 0;
  int entry_day = 0, entry_cycle = 0;  // the first cycle that can see it
  std::string file;                    // the deposit file it went into
  int published_day = -1, uploaded_day = -1, accepted_day = -1;
  unsigned announced = 0;  // the model: a bit per section announced so far
};

struct DepositFile {
  std::string name;
  int published_day = -1;
  std::vector<int> ids;
  std::optional<TimePoint> uploaded_at;
  int uploaded_day = -1;
  int accept_on = -1;  // the day its accusé de traitement accepts every passage
  int accepted_day = -1;
  bool announced_outbox = false, announced_no_receipt = false;
};

std::string IdTechnique(int id) { return kIdPrefix + std::to_string(id); }

// AS-123 -> 123; 0 when it is not one of ours.
int IdOf(const std::string& id_technique) {
  if (!id_technique.starts_with(kIdPrefix)) return 0;
  const std::string digits = id_technique.substr(std::string(kIdPrefix).size());
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return 0;
  }
  return std::atoi(digits.c_str());
}

// Every AS-<digits> token of a line, in order.
std::vector<int> IdsIn(const std::string& line) {
  std::vector<int> ids;
  const std::string prefix = kIdPrefix;
  for (std::size_t at = line.find(prefix); at != std::string::npos;
       at = line.find(prefix, at + 1)) {
    if (at > 0 && std::isalnum(static_cast<unsigned char>(line[at - 1]))) continue;
    std::size_t end = at + prefix.size();
    while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end]))) ++end;
    if (end > at + prefix.size()) ids.push_back(IdOf(line.substr(at, end - at)));
  }
  return ids;
}

// Digits as letters (0 -> a), so that names stay names: every holder is a different person.
std::string Letters(int n) {
  std::string out;
  for (char c : std::to_string(n)) out += static_cast<char>('a' + (c - '0'));
  return out;
}

std::string MappingText(int c) {
  const Certification& cert = kCertifications[c];
  return std::string("certification: {type: ") + cert.type + ", code: " + cert.code +
         "}\n"
         "source: ecole\n"
         "query: SELECT id, nom, prenom, annee, mois, jour, sexe, delivre FROM resultat WHERE "
         "code = '" +
         cert.code +
         "'\n"
         "key: id\n"
         "id_technique: \"" +
         kIdPrefix +
         "{id}\"\n"
         "cursor: {column: id}\n"
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

// What is wrong, by kind: how many times, and the first examples (identifiers only). Thousands
// of passages must not make thousands of failure messages.
class Problems {
 public:
  // Returns true for the first examples of a kind.
  bool Add(const std::string& kind, const std::string& example) {
    Kind& k = kinds_[kind];
    ++k.count;
    if (k.examples.size() >= kExamples) return false;
    k.examples.push_back(example);
    return true;
  }
  bool empty() const { return kinds_.empty(); }
  void Report() const {
    for (const auto& [kind, k] : kinds_) {
      std::string text;
      for (const std::string& e : k.examples) text += "\n    " + e;
      ADD_FAILURE() << kind << ": " << k.count << " time(s); the first:" << text;
    }
  }

 private:
  static constexpr std::size_t kExamples = 6;
  struct Kind {
    int count = 0;
    std::vector<std::string> examples;
  };
  std::map<std::string, Kind> kinds_;
};

// What one cycle must announce, from the model.
struct Expectation {
  int day = 0, cycle = 0, hour = 0;
  std::array<std::set<int>, kSectionCount> current;  // where each passage stands now
  std::array<std::set<int>, kSectionCount> fresh;    // ... for the first time: new
  std::set<std::string> outbox, outbox_new, no_receipt, no_receipt_new;
  bool daily = false;         // the daily summary is due in this cycle
  bool first_digest = false;  // no digest yet today: overdue passages are repeated
  bool AnythingNew() const {
    return !outbox_new.empty() || !no_receipt_new.empty() ||
           std::any_of(fresh.begin(), fresh.end(), [](const auto& s) { return !s.empty(); });
  }
  bool AnythingAtStake() const {
    return !outbox.empty() || !no_receipt.empty() ||
           std::any_of(current.begin(), current.end(), [](const auto& s) { return !s.empty(); });
  }
  std::size_t Others(int s) const {
    const auto us = static_cast<std::size_t>(s);
    return current[us].size() - fresh[us].size();
  }
};

// A list section of the e-mail's text part, as read: new identifiers first (one a line, or
// grouped by certification), then "  Déjà signalé(s) :" and the repeats, then "  … et N".
struct TextSection {
  std::vector<int> fresh, repeats;
  int more = 0;
  bool grouped = false;
  bool cut = false;
};

enum Channel { kWebhook = 0, kEmail = 1 };
const char* ChannelName(int c) { return c == kWebhook ? "webhook" : "e-mail"; }

// --- The fixture ---------------------------------------------------------------------------------

class AlertsAtScaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The servers are on 127.0.0.1: a proxy from the environment would stand in between.
    for (const char* name :
         {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
      unsetenv(name);
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("alerts-at-scale.") + info->name();
    std::replace(name.begin(), name.end(), '/', '.');
    dir_ = testing::MakeTempDir(name);
    // The database, the state and what the receivers record on tmpfs when there is one: their
    // durability is not under test, and a year of cycles would be slow on a busy disk.
    data_ = testing::FastScratchDir(name, dir_);
    db_ = data_ + "/ecole.db";
    state_ = data_ + "/state";
    fs::create_directories(state_);
    fs::create_directories(dir_ + "/mappings");
    fs::create_directories(dir_ + "/kept");
    admin_ = std::make_unique<testing::OdbcAdmin>("Driver=SQLite3;Database=" + db_ + ";");
    admin_->Query("PRAGMA journal_mode=WAL");
    admin_->Exec("PRAGMA synchronous=OFF");
    admin_->Exec(
        "CREATE TABLE resultat (id INTEGER PRIMARY KEY, code TEXT, nom TEXT, prenom TEXT, annee "
        "INTEGER, mois INTEGER, jour INTEGER, sexe TEXT, delivre TEXT)");
    for (int c = 0; c < kCertificationCount; ++c) {
      testing::WriteFile(dir_ + "/mappings/" + kCertifications[c].code + ".yaml", MappingText(c));
    }
    http_dir_ = data_ + "/http";
    mail_dir_ = data_ + "/mail";
    http_ = std::make_unique<testing::ServerProcess>(
        std::vector<std::string>{ACCROCHD_PYTHON3, ACCROCHD_HTTP_RECEIVER, "--dir", http_dir_},
        dir_ + "/http.log");
    smtp_ = std::make_unique<testing::ServerProcess>(
        std::vector<std::string>{ACCROCHD_PYTHON3, ACCROCHD_SMTP_SERVER, "--dir", mail_dir_},
        dir_ + "/smtp.log");
  }

  void TearDown() override {
    daemon_.reset();
    store_.reset();
    admin_.reset();
    http_.reset();
    smtp_.reset();
    if (data_ != dir_) fs::remove_all(data_);
  }

  void Start(const Scenario& scenario) {
    s_ = scenario;
    Generate();
    clock_ = std::make_unique<testing::FakeClock>(At(0, 6, 0));
    std::string yaml;
    yaml += "state_directory: " + state_ + "\n";
    yaml += "timezone: Europe/Paris\n";
    yaml += "deposit:\n  every: 1d\n";
    yaml +=
        "deadlines:\n  thresholds: [30, 14, 7, 1]\n  urgent: " + std::to_string(kUrgentDays) + "\n";
    yaml += "alerts:\n";
    yaml += "  email:\n";
    yaml += "    server: \"smtp://127.0.0.1:" + std::to_string(smtp_->port()) + "\"\n";
    yaml += "    from: accrochd@organisme.example\n";
    yaml += "    starttls: false\n";
    yaml += "    timeout: 20s\n";
    yaml += "  webhooks:\n";
    yaml += "    equipe:\n";
    yaml +=
        "      url: \"http://127.0.0.1:" + std::to_string(http_->port()) + "/hooks/accrochd\"\n";
    yaml += "      format: json\n";
    yaml += "      timeout: 20s\n";
    yaml += std::string("  daily_summary: ") + (s_.daily_summary ? "\"08:00\"" : "\"off\"") + "\n";
    yaml += "  receipt_after: " + std::to_string(kReceiptAfterDays) + "d\n";
    yaml += "  list_limit: " + std::to_string(kListLimit) + "\n";
    yaml += "sources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=" + db_ + ";\"\n";
    yaml += "certifiers:\n";
    yaml += std::string("  ") + kCertifier + ":\n";
    yaml += std::string("    id_client: \"") + kBcr + "\"\n";
    yaml += "    id_contrat: \"MCFCER000013\"\n";
    yaml += "    mappings:\n";
    for (int c = 0; c < kCertificationCount; ++c) {
      yaml += std::string("      - mappings/") + kCertifications[c].code + ".yaml\n";
    }
    yaml += "    alerts:\n";
    yaml += std::string("      - {email: ") + kAddress + ", severity: info}\n";
    yaml += "      - {webhook: equipe, severity: info}\n";
    testing::WriteFile(dir_ + "/accrochd.yaml", yaml);
    auto loaded = LoadConfig(dir_ + "/accrochd.yaml", Environment{});
    ASSERT_TRUE(loaded.has_value()) << FormatDiagnostics(loaded.error());
    config_ = std::make_unique<Config>(std::move(*loaded));
    ASSERT_EQ(config_->alerts.list_limit, static_cast<std::size_t>(kListLimit));
    ASSERT_EQ(config_->alerts.daily_summary_at.has_value(), s_.daily_summary);
    auto opened = store::StateStore::Open(state_, *clock_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
    daemon_ = std::make_unique<Daemon>(*config_, logger_, *clock_, ::accrochd::testing::RealFiles(),
                                       store_.get());
    auto started = daemon_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().message();
  }

  // --- The rows ----------------------------------------------------------------------------------

  void Generate() {
    Prng prng(s_.seed);
    const int cycles = static_cast<int>(s_.cycle_hours.size());
    auto add = [&](int day, int cycle, int days_ago) {
      Passage p;
      p.id = static_cast<int>(passages_.size()) + 1;
      p.certification = prng.Below(kCertificationCount);
      p.delivery = Date(std::chrono::sys_days(DayDate(day)) - std::chrono::days(days_ago));
      p.deadline = ExpectedDeadline(p.delivery);
      p.deadline_day = DayOf(p.deadline);
      p.entry_day = day;
      p.entry_cycle = cycle;
      passages_.push_back(p);
    };
    for (int i = 0; i < s_.backfill; ++i) add(0, 0, prng.Between(0, s_.backfill_span));
    for (int day = 1; day < s_.days; ++day) {
      const int n = prng.Between(s_.per_day_min, s_.per_day_max);
      for (int k = 0; k < n; ++k) {
        const int kind = prng.Below(20);
        const int days_ago = kind < 8    ? 0                       // delivered today
                             : kind < 14 ? prng.Between(58, 92)    // entering inside a band
                             : kind < 17 ? prng.Between(100, 160)  // entering overdue
                                         : prng.Between(1, 55);    // weeks ago, before any band
        const int cycle = cycles > 1 && prng.Below(2) == 0 ? 1 : 0;
        add(day, cycle, days_ago);
      }
    }
    std::stable_sort(passages_.begin(), passages_.end(), [](const Passage& a, const Passage& b) {
      return std::pair(a.entry_day, a.entry_cycle) < std::pair(b.entry_day, b.entry_cycle);
    });
    for (std::size_t i = 0; i < passages_.size(); ++i) passages_[i].id = static_cast<int>(i) + 1;
  }

  Passage& P(int id) { return passages_[static_cast<std::size_t>(id - 1)]; }
  bool Known(int id) const { return id >= 1 && id <= static_cast<int>(passages_.size()); }

  // The registrar records the rows that appear before (day, cycle): a few statements of many rows.
  void Record(int day, int cycle) {
    std::string values;
    int in_batch = 0;
    auto flush = [&] {
      if (in_batch == 0) return;
      admin_->Exec(
          "INSERT INTO resultat (id, code, nom, prenom, annee, mois, jour, sexe, delivre) VALUES " +
          values);
      values.clear();
      in_batch = 0;
    };
    for (const Passage& p : passages_) {
      if (p.entry_day != day || p.entry_cycle != cycle) continue;
      values += std::string(in_batch == 0 ? "" : ",") + "(" + std::to_string(p.id) + ", '" +
                kCertifications[p.certification].code + "', 'Nom" + Letters(p.id) + "', 'Prenom" +
                Letters(p.id) + "', " + std::to_string(1970 + p.id % 30) + ", " +
                std::to_string(1 + p.id % 12) + ", " + std::to_string(1 + p.id % 28) + ", '" +
                (p.id % 2 == 0 ? "F" : "M") + "', '" + FormatIsoDate(p.delivery) + "')";
      if (++in_batch == 200) flush();
    }
    flush();
  }

  // --- The staff and the CDC ---------------------------------------------------------------------

  // 06:30: the staff upload yesterday's files (mode B); the CDC's verdicts come back.
  void Morning(int day) {
    for (DepositFile& f : files_) {
      if (s_.upload && f.published_day == day - 1 && f.accepted_day < 0) {
        auto marked = store_->deposits().MarkUploaded(f.name);
        ASSERT_TRUE(marked.has_value()) << marked.error().message();
        f.uploaded_at = clock_->Now();
        f.uploaded_day = day;
        for (int id : f.ids) P(id).uploaded_day = day;
        fs::remove(fs::path(state_) / "outbox" / f.name);
      }
      if (f.accept_on == day) {
        std::vector<store::Verdict> verdicts;
        for (int id : f.ids) verdicts.push_back({IdTechnique(id), true, ""});
        auto recorded = store_->deposits().RecordVerdicts(f.name, "Traité avec succès", verdicts);
        ASSERT_TRUE(recorded.has_value()) << recorded.error().message();
        f.accepted_day = day;
        for (int id : f.ids) P(id).accepted_day = day;
        fs::remove(fs::path(state_) / "outbox" / f.name);
      }
    }
  }

  void SetClock(TimePoint t) {
    ASSERT_GE(t, clock_->Now());
    clock_->Advance(std::chrono::duration_cast<Duration>(t - clock_->Now()));
  }

  // --- One cycle, as daemon/runner.cc runs it, and what came of it -------------------------------

  void Run() {
    const auto started = std::chrono::steady_clock::now();
    const int cycles = static_cast<int>(s_.cycle_hours.size());
    for (int day = 0; day < s_.days; ++day) {
      for (int c = 0; c < cycles; ++c) {
        const int hour = s_.cycle_hours[static_cast<std::size_t>(c)];
        ASSERT_NO_FATAL_FAILURE(SetClock(At(day, hour - 1, 30)));
        if (c == 0) {
          ASSERT_NO_FATAL_FAILURE(Morning(day));
        }
        Record(day, c);
        ASSERT_NO_FATAL_FAILURE(Cycle(day, c, hour));
      }
    }
    elapsed_ = std::chrono::steady_clock::now() - started;
  }

  void Cycle(int day, int c, int hour) {
    SCOPED_TRACE("day " + std::to_string(day) + " " + FrenchStamp(day, hour));
    ASSERT_NO_FATAL_FAILURE(SetClock(At(day, hour)));
    auto t0 = std::chrono::steady_clock::now();
    auto report = daemon_->RunCycle(DepositPolicy::kPlanned, {});
    ASSERT_TRUE(report.has_value()) << report.error().message();
    ASSERT_TRUE(report->failures.empty()) << report->failures[0].error.message();
    for (const MappingReport& m : report->mappings) {
      rows_read_ += m.rows;
      seen_ += m.fresh;
      quarantined_ += m.quarantined;
      if (day > 0 && !m.incremental) {
        problems_.Add("a mapping read whole, not from its bookmark", m.mapping);
      }
    }
    if (!report->files.empty()) {
      ASSERT_NO_FATAL_FAILURE(Published(*report, day));
    }
    auto t1 = std::chrono::steady_clock::now();
    Alerter alerter(*config_, *store_, logger_, *clock_);
    auto planned = alerter.Plan();
    ASSERT_TRUE(planned.has_value()) << planned.error().message();
    auto t2 = std::chrono::steady_clock::now();
    auto delivered = alerter.Deliver();
    ASSERT_TRUE(delivered.has_value()) << delivered.error().message();
    auto t3 = std::chrono::steady_clock::now();
    const Expectation e = Expect(day, c, hour);
    Check(e);
    auto t4 = std::chrono::steady_clock::now();
    spent_[0] += t1 - t0;
    spent_[1] += t2 - t1;
    spent_[2] += t3 - t2;
    spent_[3] += t4 - t3;
  }

  // Which passages each new file holds, from the store.
  void Published(const CycleReport& report, int day) {
    std::map<std::string, std::size_t> fresh;
    for (const deposit::PublishedFile& f : report.files) {
      DepositFile file;
      file.name = f.name;
      file.published_day = day;
      if (s_.accept_one_in > 0 && day > 0 && accept_prng_.Below(s_.accept_one_in) == 0 &&
          day + 3 < s_.days) {
        file.accept_on = day + 3;
      }
      fresh[f.name] = files_.size();
      file_index_[f.name] = files_.size();
      files_.push_back(std::move(file));
    }
    auto records = store_->passages().Passages();
    ASSERT_TRUE(records.has_value()) << records.error().message();
    for (const store::PassageRecord& r : *records) {
      auto it = fresh.find(r.deposit_file);
      if (it == fresh.end()) continue;
      const int id = IdOf(r.id_technique);
      if (!Known(id)) {
        problems_.Add("a passage in a file that this test never wrote", r.id_technique);
        continue;
      }
      Passage& p = P(id);
      if (!p.file.empty()) continue;
      p.file = r.deposit_file;
      p.published_day = day;
      files_[it->second].ids.push_back(id);
      if (!r.deadline || *r.deadline != p.deadline) {
        problems_.Add("the store's deadline differs from the rule",
                      r.id_technique + " delivered " + FormatIsoDate(p.delivery) + ": store " +
                          (r.deadline ? FormatIsoDate(*r.deadline) : "none") + ", rule " +
                          FormatIsoDate(p.deadline));
      }
    }
    for (const deposit::PublishedFile& f : report.files) {
      const DepositFile& file = files_[fresh.at(f.name)];
      if (file.ids.size() != f.passages) {
        problems_.Add("a file's passages in the store differ from the file",
                      f.name + ": " + std::to_string(f.passages) + " in the file, " +
                          std::to_string(file.ids.size()) + " found in the store");
      }
    }
  }

  // The status a passage has in the cycle of `day`, after the cycle's deposit.
  std::string StatusOf(const Passage& p, int day) const {
    if (p.published_day < 0 || p.published_day > day) return "pending";
    if (p.uploaded_day >= 0 && p.uploaded_day <= day) return "deposited";
    return "in_deposit";
  }

  // What the model says this cycle must announce; records the announcements as made.
  Expectation Expect(int day, int c, int hour) {
    Expectation e;
    e.day = day;
    e.cycle = c;
    e.hour = hour;
    const int index = CycleIndex(day, c);
    for (Passage& p : passages_) {
      if (std::pair(p.entry_day, p.entry_cycle) > std::pair(day, c)) break;  // sorted by entry
      if (p.accepted_day >= 0 && p.accepted_day <= day) continue;
      // Every passage here is watched: pending (delivered on or before today), in a file, or
      // deposited without its accusé de traitement.
      const int s = SectionOfLeft(p.deadline_day - day);
      if (s < 0) continue;
      e.current[static_cast<std::size_t>(s)].insert(p.id);
      if ((p.announced & (1u << s)) == 0) {
        p.announced |= 1u << s;
        e.fresh[static_cast<std::size_t>(s)].insert(p.id);
        expected_[{p.id, s}] = index;
      }
    }
    for (DepositFile& f : files_) {
      if (f.accepted_day >= 0 && f.accepted_day <= day) continue;
      if (f.uploaded_day < 0 || f.uploaded_day > day) {
        e.outbox.insert(f.name);
        if (!f.announced_outbox) {
          f.announced_outbox = true;
          e.outbox_new.insert(f.name);
        }
      } else if (clock_->Now() - *f.uploaded_at >= std::chrono::days(kReceiptAfterDays)) {
        e.no_receipt.insert(f.name);
        if (!f.announced_no_receipt) {
          f.announced_no_receipt = true;
          e.no_receipt_new.insert(f.name);
        }
      }
    }
    e.daily = s_.daily_summary && hour >= 8 && daily_day_ != day;
    if (e.daily) daily_day_ = day;
    e.first_digest = !e.daily && digest_day_ != day;
    return e;
  }

  int CycleIndex(int day, int c) const { return day * static_cast<int>(s_.cycle_hours.size()) + c; }
  std::string Where(const Expectation& e) const { return FrenchStamp(e.day, e.hour); }

  // What the receivers got in this cycle, compared with the model.
  void Check(const Expectation& e) {
    std::vector<fs::path> requests = RecordedEntries(http_dir_, "request-");
    std::vector<fs::path> mails = RecordedEntries(mail_dir_, "message-");
    const bool expected = e.daily || e.AnythingNew();
    if (requests.size() > 1 || mails.size() > 1) {
      problems_.Add("more than one message in a cycle",
                    Where(e) + ": " + std::to_string(requests.size()) + " webhook(s), " +
                        std::to_string(mails.size()) + " e-mail(s)");
    }
    if (expected && (requests.empty() || mails.empty())) {
      problems_.Add("no message in a cycle with something new",
                    Where(e) + ": " + std::to_string(requests.size()) + " webhook(s), " +
                        std::to_string(mails.size()) + " e-mail(s)");
    }
    if (!expected && (!requests.empty() || !mails.empty())) ++quiet_cycle_messages_;
    if (!requests.empty() || !mails.empty()) {
      if (!e.daily) digest_day_ = e.day;
      UpdateStats(e);
    }
    named_now_[kWebhook].clear();
    named_now_[kEmail].clear();
    for (const fs::path& r : requests) {
      ++webhooks_;
      const int before = Total();
      CheckPayload(ReadRequest(r), e);
      Keep(r, before);
    }
    for (const fs::path& m : mails) {
      ++emails_;
      const int before = Total();
      CheckMail(ReadMail(m), e);
      Keep(m, before);
    }
    // Spelt out, though the tally at the end says it too: the backfill's overdue passages, and
    // the newly overdue ones among more than list_limit repeats, all named in this cycle.
    for (int ch : {kWebhook, kEmail}) {
      const std::set<int>& named = named_now_[ch];
      if (e.day == 0 && e.cycle == 0) backfill_named_overdue_[ch] = named.size();
      if (e.first_digest && e.Others(kOverdue) > static_cast<std::size_t>(kListLimit) &&
          !e.fresh[kOverdue].empty()) {
        if (named == e.fresh[kOverdue]) {
          ++days_all_new_overdue_named_[ch];
        } else {
          Add(std::string(ChannelName(ch)) +
                  ": the newly overdue passages among more than list_limit repeats, not all named",
              Where(e) + ": " + Difference(named, e.fresh[kOverdue]));
        }
      }
    }
  }

  // A recorded message goes once read, unless it showed a problem: those are kept for a human
  // (copied: the recordings may be on tmpfs).
  void Keep(const fs::path& recorded, int problems_before) {
    if (Total() != problems_before && kept_ < 20) {
      std::error_code ec;
      fs::copy(
          recorded,
          fs::path(dir_) / "kept" /
              (recorded.parent_path().filename().string() + "-" + recorded.filename().string()),
          fs::copy_options::recursive, ec);
      if (!ec) ++kept_;
    }
    fs::remove_all(recorded);
  }

  bool Add(const std::string& kind, const std::string& example) {
    ++total_;
    return problems_.Add(kind, example);
  }
  int Total() const { return total_; }

  void UpdateStats(const Expectation& e) {
    std::size_t fresh = 0;
    for (const auto& s : e.fresh) fresh += s.size();
    max_fresh_ = std::max(max_fresh_, fresh);
    max_fresh_overdue_ = std::max(max_fresh_overdue_, e.fresh[kOverdue].size());
    if (e.first_digest) {
      max_repeats_ = std::max(max_repeats_, e.Others(kOverdue));
      if (e.Others(kOverdue) > static_cast<std::size_t>(kListLimit) && !e.fresh[kOverdue].empty()) {
        ++days_new_overdue_among_many_repeats_;
      }
    }
    if (e.day == 0 && e.cycle == 0) backfill_fresh_overdue_ = e.fresh[kOverdue].size();
  }

  void Named(int channel, int id, int section, const Expectation& e) {
    named_[channel][{id, section}].push_back(CycleIndex(e.day, e.cycle));
    if (section == kOverdue) named_now_[channel].insert(id);
  }

  // The fields of one passage entry of the payload.
  void CheckEntry(const Json& entry, const Passage& p, const Expectation& e, const char* list) {
    const std::string id = IdTechnique(p.id);
    const std::string where = Where(e) + " " + id;
    if (entry["certification"].text != CertificationName(p.certification)) {
      Add(std::string("webhook: ") + list + ": wrong certification",
          where + ": " + entry["certification"].text);
    }
    if (entry["deadline"].text != FormatIsoDate(p.deadline)) {
      Add(std::string("webhook: ") + list + ": wrong deadline",
          where + ": " + entry["deadline"].text + ", rule " + FormatIsoDate(p.deadline));
    }
    if (entry["status"].text != StatusOf(p, e.day)) {
      Add(std::string("webhook: ") + list + ": wrong status",
          where + ": " + entry["status"].text + ", expected " + StatusOf(p, e.day));
    }
    if (entry["state"].type != Json::Type::kString || entry["state"].text.empty()) {
      Add(std::string("webhook: ") + list + ": no state", where);
    } else if (StatusOf(p, e.day) == "deposited") {
      // The words: « déposé le …, accusé de traitement attendu ».
      const std::string state = "déposé le " + FrenchStamp(p.uploaded_day, 0).substr(0, 10) +
                                ", accusé de traitement attendu";
      if (entry["state"].text != state) {
        Add(std::string("webhook: ") + list + ": a deposited passage's state",
            where + ": \"" + entry["state"].text + "\", expected \"" + state + "\"");
      }
    }
    if (entry["new"].type != Json::Type::kBool) {
      Add(std::string("webhook: ") + list + ": no \"new\" flag", where);
    }
  }

  void CheckPayload(const ReceivedRequest& request, const Expectation& e) {
    JsonReader reader(request.body);
    std::optional<Json> doc = reader.Document();
    if (!doc) {
      Add("webhook: not JSON", Where(e) + ": " + reader.error());
      return;
    }
    const Json& j = *doc;
    if (FieldValues(request.head, "path") != std::vector<std::string>{"/hooks/accrochd"}) {
      Add("webhook: wrong path", Where(e));
    }
    if (j["type"].text != "accrochd.alert" || j["version"].Int() != 3) {
      Add("webhook: not an accrochd.alert of version 3",
          Where(e) + ": " + j["type"].text + " " + std::to_string(j["version"].Int()));
    }
    if (j["generated_at"].text != IsoStamp(e.day, e.hour)) {
      Add("webhook: generated in another cycle", Where(e) + ": " + j["generated_at"].text);
      return;
    }
    if (j["kind"].text != (e.daily ? "daily" : "digest")) {
      Add("webhook: wrong kind", Where(e) + ": " + j["kind"].text);
    }
    if (j["certifier"]["bcr"].text != kBcr || j["certifier"]["name"].text != kCertifier) {
      Add("webhook: wrong certifier", Where(e));
    }
    const Json& not_listed = j["not_listed"];
    if (not_listed.type != Json::Type::kObject) Add("webhook: no not_listed object", Where(e));

    // Overdue: complete, every new one and every repeat of the message.
    std::set<int> seen;
    std::size_t repeats = 0;
    for (const Json& o : j["overdue"].items) {
      const int id = IdOf(o["id_technique"].text);
      if (!Known(id)) {
        Add("webhook: overdue: unknown idTechnique", Where(e) + ": " + o["id_technique"].text);
        continue;
      }
      if (!seen.insert(id).second) {
        Add("webhook: overdue: listed twice in one message", Where(e) + " " + IdTechnique(id));
      }
      const Passage& p = P(id);
      CheckEntry(o, p, e, "overdue");
      if (o["days_overdue"].Int() != e.day - p.deadline_day) {
        Add("webhook: overdue: wrong days_overdue",
            Where(e) + " " + IdTechnique(id) + ": " + std::to_string(o["days_overdue"].Int()) +
                ", expected " + std::to_string(e.day - p.deadline_day));
      }
      if (o["new"].boolean) {
        Named(kWebhook, id, kOverdue, e);
      } else {
        ++repeats;
        if (!e.current[kOverdue].contains(id) || e.fresh[kOverdue].contains(id)) {
          Add("webhook: overdue: a repeat that is no overdue passage already announced",
              Where(e) + " " + IdTechnique(id));
        }
      }
    }
    CheckCount(e, "overdue", repeats, not_listed["overdue"], e.Others(kOverdue));

    // Near the deadline: one object per band, complete.
    std::size_t band_repeats = 0, band_others = 0;
    std::set<int> bands_seen;
    for (int s = kWithin1; s < kSectionCount; ++s) band_others += e.Others(s);
    for (const Json& band : j["near_deadline"].items) {
      const int within = band["within_days"].Int();
      const int s = SectionOfBand(within);
      if (s < 0) {
        Add("webhook: near_deadline: not a threshold", Where(e) + ": " + std::to_string(within));
        continue;
      }
      if (!bands_seen.insert(s).second) {
        Add("webhook: near_deadline: a band twice", Where(e) + ": " + std::to_string(within));
      }
      for (const Json& n : band["passages"].items) {
        const int id = IdOf(n["id_technique"].text);
        if (!Known(id)) {
          Add("webhook: near_deadline: unknown idTechnique",
              Where(e) + ": " + n["id_technique"].text);
          continue;
        }
        if (!seen.insert(id).second) {
          Add("webhook: a passage listed twice in one message",
              Where(e) + " " + IdTechnique(id) + " (within " + std::to_string(within) + ")");
        }
        const Passage& p = P(id);
        CheckEntry(n, p, e, "near_deadline");
        const int left = p.deadline_day - e.day;
        if (n["days_left"].Int() != left) {
          Add("webhook: near_deadline: wrong days_left", Where(e) + " " + IdTechnique(id) + ": " +
                                                             std::to_string(n["days_left"].Int()) +
                                                             ", expected " + std::to_string(left));
        }
        if (SectionOfLeft(left) != s) {
          Add("webhook: near_deadline: in the wrong band",
              Where(e) + " " + IdTechnique(id) + ": within " + std::to_string(within) + ", " +
                  std::to_string(left) + " days left");
        }
        if (n["new"].boolean) {
          Named(kWebhook, id, s, e);
        } else {
          ++band_repeats;
          if (!e.current[static_cast<std::size_t>(s)].contains(id) ||
              e.fresh[static_cast<std::size_t>(s)].contains(id)) {
            Add("webhook: near_deadline: a repeat that is not in the band already announced",
                Where(e) + " " + IdTechnique(id));
          }
        }
      }
    }
    CheckCount(e, "near_deadline", band_repeats, not_listed["near_deadline"], band_others);

    // The files: the outbox, and (uploaded) without receipt.
    CheckFiles(e, j["outbox"], not_listed["outbox"], "outbox", e.outbox, e.outbox_new);
    CheckFiles(e, j["without_receipt"], not_listed["without_receipt"], "without_receipt",
               e.no_receipt, e.no_receipt_new);
    for (const char* name :
         {"rejected", "quarantined", "without_verdict", "file_rejected", "cycle_failed"}) {
      if (j[name].type != Json::Type::kArray) {
        Add(std::string("webhook: no array ") + name, Where(e));
      } else if (!j[name].items.empty()) {
        Add(std::string("webhook: entries in ") + name + ", which this story never fills",
            Where(e) + ": " + std::to_string(j[name].items.size()));
      }
    }

    // The counts per certification and band: everything at stake.
    std::map<std::string, std::map<int, int>> counts;  // certification -> section -> passages
    for (int s = 0; s < kSectionCount; ++s) {
      for (int id : e.current[static_cast<std::size_t>(s)]) {
        ++counts[CertificationName(P(id).certification)][s];
      }
    }
    std::map<std::string, std::map<int, int>> got;
    for (const Json& row : j["by_certification"].items) {
      auto& c = got[row["certification"].text];
      if (row["overdue"].Int() != 0) c[kOverdue] = row["overdue"].Int();
      for (const Json& w : row["within"].items) {
        const int s = SectionOfBand(w["days"].Int());
        if (w["passages"].Int() != 0) c[s] = w["passages"].Int();
      }
    }
    std::erase_if(got, [](const auto& kv) { return kv.second.empty(); });
    if (got != counts) {
      std::string text;
      for (const auto& [cert, by] : got) {
        text += " " + cert + ":";
        for (const auto& [s, n] : by) text += " " + SectionName(s) + "=" + std::to_string(n);
      }
      text += "; expected";
      for (const auto& [cert, by] : counts) {
        text += " " + cert + ":";
        for (const auto& [s, n] : by) text += " " + SectionName(s) + "=" + std::to_string(n);
      }
      Add("webhook: by_certification differs from what is at stake", Where(e) + ":" + text);
    }
    const int to_upload = static_cast<int>(e.outbox.size());
    if (j["actions"]["files_to_upload"].Int() != to_upload) {
      Add("webhook: actions.files_to_upload differs from the files in the outbox",
          Where(e) + ": " + std::to_string(j["actions"]["files_to_upload"].Int()) + ", expected " +
              std::to_string(to_upload));
    }
    if (j["actions"]["receipts_to_bring_back"].Int() != static_cast<int>(e.no_receipt.size())) {
      Add("webhook: actions.receipts_to_bring_back differs from the files without receipt",
          Where(e) + ": " + std::to_string(j["actions"]["receipts_to_bring_back"].Int()) +
              ", expected " + std::to_string(e.no_receipt.size()));
    }
    if (j["actions"]["passages_to_correct"].Int() != 0) {
      Add("webhook: actions.passages_to_correct, with nothing to correct", Where(e));
    }
  }

  // A list's items already announced: in a daily summary, all listed; in a digest, listed (the
  // repeats) or counted in not_listed.
  void CheckCount(const Expectation& e, const std::string& list, std::size_t listed,
                  const Json& not_listed, std::size_t others) {
    const std::size_t counted =
        not_listed.type == Json::Type::kNumber ? static_cast<std::size_t>(not_listed.Int()) : 0;
    if (not_listed.type != Json::Type::kNumber) {
      Add("webhook: not_listed has no " + list, Where(e));
    }
    if (e.daily) {
      if (listed != others || counted != 0) {
        Add("webhook: a daily summary's " + list + " is not complete",
            Where(e) + ": " + std::to_string(listed) + " already announced listed, " +
                std::to_string(counted) + " not listed, of " + std::to_string(others));
      }
    } else if (listed + counted != others) {
      Add("webhook: " + list +
              ": listed and not_listed do not add up to the ones already "
              "announced",
          Where(e) + ": " + std::to_string(listed) + " listed + " + std::to_string(counted) +
              " not listed, " + std::to_string(others) + " already announced");
    }
  }

  void CheckFiles(const Expectation& e, const Json& list, const Json& not_listed,
                  const std::string& name, const std::set<std::string>& current,
                  const std::set<std::string>& fresh) {
    if (list.type != Json::Type::kArray) {
      Add("webhook: no array " + name, Where(e));
      return;
    }
    std::set<std::string> got_new, got_old;
    for (const Json& f : list.items) {
      const std::string file = f["file"].text;
      if (!current.contains(file)) {
        Add("webhook: " + name + ": a file that is not " + name, Where(e) + ": " + file);
      }
      if (f["new"].type != Json::Type::kBool) Add("webhook: " + name + ": no \"new\" flag", file);
      if (!(f["new"].boolean ? got_new : got_old).insert(file).second) {
        Add("webhook: " + name + ": a file listed twice", Where(e) + ": " + file);
      }
      auto known = file_index_.find(file);
      if (known != file_index_.end() &&
          f["passages"].Int() != static_cast<int>(files_[known->second].ids.size())) {
        Add("webhook: " + name + ": wrong passages", Where(e) + ": " + file);
      }
    }
    if (got_new != fresh) {
      Add("webhook: " + name + ": the new files differ",
          Where(e) + ": " + std::to_string(got_new.size()) + " named new, " +
              std::to_string(fresh.size()) + " expected");
    }
    CheckCount(e, name, got_old.size(), not_listed, current.size() - fresh.size());
  }

  // --- The e-mail --------------------------------------------------------------------------------

  // The passage sections of the text part, by section.
  std::map<int, TextSection> ReadText(const std::string& text, const Expectation& e) {
    std::map<int, TextSection> sections;
    std::istringstream in(text);
    std::string line;
    TextSection* current = nullptr;
    bool repeats = false;
    int group = -1;          // the certification of the group being read
    int group_expected = 0;  // its announced count
    int group_read = 0;
    auto end_group = [&] {
      if (group >= 0 && group_read != group_expected) {
        Add("e-mail: a group's count differs from its identifiers",
            Where(e) + ": " + CertificationName(group) + " says " + std::to_string(group_expected) +
                ", lists " + std::to_string(group_read));
      }
      group = -1;
    };
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) {
        end_group();
        current = nullptr;
        continue;
      }
      if (line[0] != ' ') {
        end_group();
        current = nullptr;
        repeats = false;
        int s = -1;
        int days = 0;
        if (line.starts_with("ÉCHÉANCE DÉPASSÉE — ")) {
          s = kOverdue;
        } else if (std::sscanf(line.c_str(), "Échéance dans %d jour(s) ou moins — ", &days) == 1 &&
                   line.find(" ou moins — ") != std::string::npos) {
          s = SectionOfBand(days);
        }
        if (s >= 0) {
          if (sections.contains(s)) {
            Add("e-mail: a section twice", Where(e) + ": " + SectionName(s));
          }
          current = &sections[s];
        }
        continue;
      }
      if (current == nullptr) continue;
      if (line == "  Déjà signalé(s) :") {
        end_group();
        repeats = true;
        continue;
      }
      if (line.starts_with("  … et ")) {
        end_group();
        current->more = std::atoi(line.c_str() + std::string("  … et ").size());
        current->cut = true;
        continue;
      }
      bool header = false;
      for (int c = 0; c < kCertificationCount; ++c) {
        const std::string prefix = "  " + CertificationName(c) + " — ";
        if (line.starts_with(prefix) && line.ends_with(" passage(s) :")) {
          end_group();
          group = c;
          group_expected = std::atoi(line.c_str() + prefix.size());
          group_read = 0;
          header = true;
          current->grouped = true;
        }
      }
      if (header) continue;
      for (int id : IdsIn(line)) {
        if (!Known(id)) {
          Add("e-mail: unknown idTechnique", Where(e) + ": " + line.substr(0, 60));
          continue;
        }
        if (group >= 0) {
          ++group_read;
          if (P(id).certification != group) {
            Add("e-mail: an identifier in another certification's group",
                Where(e) + " " + IdTechnique(id) + " under " + CertificationName(group));
          }
        }
        (repeats ? current->repeats : current->fresh).push_back(id);
      }
    }
    end_group();
    return sections;
  }

  void CheckMail(const ReceivedMail& mail, const Expectation& e) {
    if (FieldValues(mail.envelope, "rcpt_to") != std::vector<std::string>{kAddress}) {
      Add("e-mail: wrong recipients", Where(e));
    }
    const std::vector<std::string> subjects = FieldValues(mail.decoded, "subject");
    const std::string subject = subjects.empty() ? "" : subjects[0];
    if (subject.find(Where(e)) == std::string::npos) {
      Add("e-mail: generated in another cycle", Where(e) + ": " + subject);
      return;
    }
    if (subject.find(e.daily ? "résumé du jour" : "nouvelles alertes") == std::string::npos) {
      Add("e-mail: wrong kind", Where(e) + ": " + subject);
    }
    if (mail.parts.size() < 2 || mail.parts[0].type != "text/plain" ||
        mail.parts[1].type != "text/html") {
      Add("e-mail: not text then HTML", Where(e));
      return;
    }
    const std::string& text = mail.parts[0].content;
    std::map<int, TextSection> sections = ReadText(text, e);
    bool grouped_or_cut = text.find("\n  … et ") != std::string::npos;
    for (int s = 0; s < kSectionCount; ++s) {
      const auto us = static_cast<std::size_t>(s);
      auto it = sections.find(s);
      if (it == sections.end()) {
        if (!e.fresh[us].empty()) {
          Add("e-mail: no section for new passages", Where(e) + ": " + SectionName(s) + ", " +
                                                         std::to_string(e.fresh[us].size()) +
                                                         " new");
        }
        continue;
      }
      const TextSection& t = it->second;
      grouped_or_cut = grouped_or_cut || t.grouped || t.cut;
      std::set<int> fresh;
      for (int id : t.fresh) {
        if (!fresh.insert(id).second) {
          Add("e-mail: a passage named twice as new in one section",
              Where(e) + " " + IdTechnique(id) + " in " + SectionName(s));
        }
        Named(kEmail, id, s, e);
      }
      if (t.grouped && t.fresh.size() <= static_cast<std::size_t>(kListLimit)) {
        Add("e-mail: grouped though within list_limit",
            Where(e) + ": " + SectionName(s) + ", " + std::to_string(t.fresh.size()) + " new");
      }
      std::set<int> repeated;
      for (int id : t.repeats) {
        if (!repeated.insert(id).second || fresh.contains(id)) {
          Add("e-mail: a passage repeated twice in one section",
              Where(e) + " " + IdTechnique(id) + " in " + SectionName(s));
        }
        if (!e.current[us].contains(id) || e.fresh[us].contains(id)) {
          Add("e-mail: a repeat that is not in the section already announced",
              Where(e) + " " + IdTechnique(id) + " in " + SectionName(s));
        }
      }
      if (t.repeats.size() > static_cast<std::size_t>(kListLimit)) {
        Add("e-mail: more repeats than list_limit",
            Where(e) + ": " + SectionName(s) + ", " + std::to_string(t.repeats.size()));
      }
      // Every list says how many it left out: the repeats and "… et N" are all the passages of
      // the section already announced (overdue ones are repeated in the day's first digest).
      if ((s != kOverdue || e.daily || e.first_digest) &&
          t.repeats.size() + static_cast<std::size_t>(t.more) != e.Others(s)) {
        Add("e-mail: repeats and \"… et N\" do not add up to the ones already announced",
            Where(e) + ": " + SectionName(s) + ", " + std::to_string(t.repeats.size()) +
                " repeated + " + std::to_string(t.more) + ", " + std::to_string(e.Others(s)) +
                " already announced");
      }
    }
    // The HTML part names every new passage too.
    const std::vector<int> in_html = IdsIn(mail.parts[1].content);
    const std::set<int> html(in_html.begin(), in_html.end());
    for (int s = 0; s < kSectionCount; ++s) {
      for (int id : e.fresh[static_cast<std::size_t>(s)]) {
        if (!html.contains(id)) {
          Add("e-mail: a new passage missing from the HTML part",
              Where(e) + " " + IdTechnique(id) + " " + SectionName(s));
        }
      }
    }
    const bool attached = mail.parts.size() >= 3;
    if ((grouped_or_cut || (e.daily && e.AnythingAtStake())) && !attached) {
      Add("e-mail: no attachment though a list was grouped or cut (or a daily summary)", Where(e));
    }
    if (attached) {
      ++attachments_;
      CheckAttachment(mail.parts[2], e);
    }
    if (mail.parts.size() > 3) Add("e-mail: more than one attachment", Where(e));
  }

  // Every item of the message, one a line, tab-separated: section, subject, certification,
  // status, deadline, nouveau or rappel.
  void CheckAttachment(const testing::MailPart& part, const Expectation& e) {
    if (part.filename != AttachmentName(e.day, e.hour)) {
      Add("e-mail: the attachment's name", Where(e) + ": \"" + part.filename + "\"");
    }
    if (part.type != "text/plain" || part.charset != "utf-8") {
      Add("e-mail: the attachment is not text/plain; charset=utf-8",
          Where(e) + ": " + part.type + "; " + part.charset);
    }
    std::array<std::set<int>, kSectionCount> listed, fresh;
    std::set<std::string> outbox, outbox_new, no_receipt, no_receipt_new;
    std::istringstream in(part.content);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> f;
      std::size_t start = 0;
      while (true) {
        const std::size_t tab = line.find('\t', start);
        f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
      }
      if (f.size() != 6 || (f[5] != "nouveau" && f[5] != "rappel")) {
        Add("attachment: a line is not 6 tab-separated fields ending nouveau or rappel",
            Where(e) + ": " + line.substr(0, 80));
        continue;
      }
      const bool is_new = f[5] == "nouveau";
      if (f[0] == "outbox" || f[0] == "without_receipt") {
        auto& all = f[0] == "outbox" ? outbox : no_receipt;
        auto& news = f[0] == "outbox" ? outbox_new : no_receipt_new;
        if (!all.insert(f[1]).second) Add("attachment: a file twice", Where(e) + ": " + f[1]);
        if (is_new) news.insert(f[1]);
        continue;
      }
      int s = -1;
      for (int k = 0; k < kSectionCount; ++k) {
        if (f[0] == SectionName(k)) s = k;
      }
      if (s < 0) {
        Add("attachment: a section this story never fills", Where(e) + ": " + line.substr(0, 80));
        continue;
      }
      const int id = IdOf(f[1]);
      if (!Known(id)) {
        Add("attachment: unknown idTechnique", Where(e) + ": " + f[1]);
        continue;
      }
      const Passage& p = P(id);
      const auto us = static_cast<std::size_t>(s);
      if (!listed[us].insert(id).second) {
        Add("attachment: a passage twice in a section", Where(e) + " " + f[1]);
      }
      if (is_new) fresh[us].insert(id);
      if (f[2] != CertificationName(p.certification)) {
        Add("attachment: wrong certification", Where(e) + " " + f[1] + ": " + f[2]);
      }
      if (f[3] != StatusOf(p, e.day)) {
        Add("attachment: wrong status",
            Where(e) + " " + f[1] + ": " + f[3] + ", expected " + StatusOf(p, e.day));
      }
      if (f[4] != FormatIsoDate(p.deadline)) {
        Add("attachment: wrong deadline", Where(e) + " " + f[1] + ": " + f[4]);
      }
    }
    for (int s = 0; s < kSectionCount; ++s) {
      const auto us = static_cast<std::size_t>(s);
      if (listed[us] != e.current[us]) {
        Add("attachment: " + SectionName(s) + " is not complete",
            Where(e) + ": " + Difference(listed[us], e.current[us]));
      }
      if (fresh[us] != e.fresh[us]) {
        Add("attachment: " + SectionName(s) + "'s \"nouveau\" differ from the new ones",
            Where(e) + ": " + Difference(fresh[us], e.fresh[us]));
      }
    }
    if (outbox != e.outbox || outbox_new != e.outbox_new) {
      Add("attachment: outbox differs", Where(e) + ": " + std::to_string(outbox.size()) +
                                            " files (" + std::to_string(outbox_new.size()) +
                                            " new), expected " + std::to_string(e.outbox.size()) +
                                            " (" + std::to_string(e.outbox_new.size()) + ")");
    }
    if (no_receipt != e.no_receipt || no_receipt_new != e.no_receipt_new) {
      Add("attachment: without_receipt differs",
          Where(e) + ": " + std::to_string(no_receipt.size()) + " files (" +
              std::to_string(no_receipt_new.size()) + " new), expected " +
              std::to_string(e.no_receipt.size()) + " (" + std::to_string(e.no_receipt_new.size()) +
              ")");
    }
  }

  static std::string Difference(const std::set<int>& got, const std::set<int>& want) {
    std::string missing, extra;
    int n_missing = 0, n_extra = 0;
    for (int id : want) {
      if (!got.contains(id) && ++n_missing <= 5) missing += " " + IdTechnique(id);
    }
    for (int id : got) {
      if (!want.contains(id) && ++n_extra <= 5) extra += " " + IdTechnique(id);
    }
    return std::to_string(n_missing) + " missing" + (missing.empty() ? "" : " (" + missing + " )") +
           ", " + std::to_string(n_extra) + " not expected" +
           (extra.empty() ? "" : " (" + extra + " )");
  }

  static long long Ms(std::chrono::steady_clock::duration d) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  }

  // --- The tally: every passage, every announcement, each channel --------------------------------

  struct Tally {
    int events = 0;       // expected (passage, section) announcements
    int never = 0;        // ... never named as new
    int twice = 0;        // named as new more than once
    int wrong_cycle = 0;  // named, but not in the cycle it was due
    int unexpected = 0;   // named as new in a section it should not be in
    std::set<int> passages_wrong;
  };

  Tally Count(int channel) {
    Tally t;
    t.events = static_cast<int>(expected_.size());
    const auto& named = named_[channel];
    const std::string ch = ChannelName(channel);
    auto label = [&](const std::pair<int, int>& key) {
      return IdTechnique(key.first) + " " + SectionName(key.second) + " (deadline " +
             FormatIsoDate(P(key.first).deadline) + ", entered on day " +
             std::to_string(P(key.first).entry_day) + ")";
    };
    auto cycles = [&](const std::vector<int>& list) {
      std::string out;
      for (std::size_t i = 0; i < list.size() && i < 4; ++i) {
        const int n = static_cast<int>(s_.cycle_hours.size());
        out +=
            " " + FrenchStamp(list[i] / n, s_.cycle_hours[static_cast<std::size_t>(list[i] % n)]);
      }
      if (list.size() > 4) out += " … (" + std::to_string(list.size()) + " times)";
      return out;
    };
    for (const auto& [key, due] : expected_) {
      auto it = named.find(key);
      if (it == named.end()) {
        ++t.never;
        t.passages_wrong.insert(key.first);
        problems_.Add(ch + ": never named as new", label(key) + ", due" + cycles({due}));
        continue;
      }
      if (it->second.size() > 1) {
        ++t.twice;
        t.passages_wrong.insert(key.first);
        problems_.Add(ch + ": named as new more than once", label(key) + ":" + cycles(it->second));
      } else if (it->second[0] != due) {
        ++t.wrong_cycle;
        t.passages_wrong.insert(key.first);
        problems_.Add(ch + ": named as new in the wrong cycle",
                      label(key) + ":" + cycles(it->second) + ", due" + cycles({due}));
      }
    }
    for (const auto& [key, list] : named) {
      if (!expected_.contains(key)) {
        ++t.unexpected;
        t.passages_wrong.insert(key.first);
        problems_.Add(ch + ": named as new in a section it never entered",
                      label(key) + ":" + cycles(list));
      }
    }
    return t;
  }

  // The end: the tallies, the queue, the log, and what the year exercised.
  void Finish(const std::string& title) {
    const Tally webhook = Count(kWebhook);
    const Tally email = Count(kEmail);
    auto due = store_->alerts().Due();
    ASSERT_TRUE(due.has_value()) << due.error().message();
    if (!due->empty()) {
      problems_.Add("messages left in the queue", std::to_string(due->size()) + " due");
    }
    for (const auto& event : logger_.events()) {
      if (event.level == LogLevel::kError) problems_.Add("an error in the log", event.message);
    }
    // Incremental reads: each row at most twice (once new, once more when the deposit that takes
    // it is cut) and the bookmark's row at every cycle -- not every row at every cycle.
    const auto cycles = static_cast<std::uint64_t>(s_.days) * s_.cycle_hours.size();
    if (seen_ != passages_.size() || quarantined_ != 0 ||
        rows_read_ > 2 * passages_.size() + 2 * kCertificationCount * cycles) {
      problems_.Add("what the mappings read",
                    std::to_string(rows_read_) + " rows read, " + std::to_string(seen_) +
                        " passages seen, " + std::to_string(quarantined_) + " quarantined, of " +
                        std::to_string(passages_.size()) + " rows written");
    }
    int events_per_section[kSectionCount] = {};
    for (const auto& [key, cycle] : expected_) ++events_per_section[key.second];
    std::string per_section;
    for (int s = 0; s < kSectionCount; ++s) {
      per_section += " " + SectionName(s) + "=" + std::to_string(events_per_section[s]);
    }
    std::uintmax_t db_size = 0;
    std::error_code ec;
    db_size = fs::file_size(fs::path(state_) / "state.db", ec);
    std::printf(
        "%s: %d days, %zu passages (%d on day 0; %ju rows read), %zu files, %d announcements "
        "expected (%s );\n"
        "  messages: %d webhook(s), %d e-mail(s), %d attachment(s), %d in cycles with nothing "
        "new;\n"
        "  new overdue on day 0: %zu; most new in one message: %zu (overdue: %zu); most overdue "
        "repeats in a digest: %zu; digests with new overdue among more than %d repeats: %d;\n"
        "  webhook: %d never named, %d named twice, %d in the wrong cycle, %d unexpected (%zu "
        "passages);\n"
        "  e-mail: %d never named, %d named twice, %d in the wrong cycle, %d unexpected (%zu "
        "passages);\n"
        "  state.db %ju KiB; %lld ms (cycles %lld, Plan %lld, Deliver %lld, checks %lld)\n",
        title.c_str(), s_.days, passages_.size(), s_.backfill,
        static_cast<std::uintmax_t>(rows_read_), files_.size(), static_cast<int>(expected_.size()),
        per_section.c_str(), webhooks_, emails_, attachments_, quiet_cycle_messages_,
        backfill_fresh_overdue_, max_fresh_, max_fresh_overdue_, max_repeats_, kListLimit,
        days_new_overdue_among_many_repeats_, webhook.never, webhook.twice, webhook.wrong_cycle,
        webhook.unexpected, webhook.passages_wrong.size(), email.never, email.twice,
        email.wrong_cycle, email.unexpected, email.passages_wrong.size(), db_size / 1024,
        Ms(elapsed_), Ms(spent_[0]), Ms(spent_[1]), Ms(spent_[2]), Ms(spent_[3]));
    std::fflush(stdout);
    problems_.Report();
    if (kept_ > 0) {
      std::printf("  messages that showed a problem are kept in %s/kept\n", dir_.c_str());
    }
  }

  Scenario s_;
  std::string dir_, data_, db_, state_, http_dir_, mail_dir_;
  std::unique_ptr<testing::OdbcAdmin> admin_;
  std::unique_ptr<testing::FakeClock> clock_;
  testing::CaptureLogger logger_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<testing::ServerProcess> http_, smtp_;

  std::vector<Passage> passages_;  // by id - 1, sorted by entry
  std::vector<DepositFile> files_;
  std::map<std::string, std::size_t> file_index_;  // name -> files_
  Prng accept_prng_{0x13};
  int daily_day_ = -1, digest_day_ = -1;

  // (id, section) -> the cycle it is due; and, per channel, the cycles it was named as new.
  std::map<std::pair<int, int>, int> expected_;
  std::map<std::pair<int, int>, std::vector<int>> named_[2];
  std::set<int> named_now_[2];  // named as newly overdue in this cycle, per channel
  std::size_t backfill_named_overdue_[2] = {};
  int days_all_new_overdue_named_[2] = {};

  Problems problems_;
  int total_ = 0, kept_ = 0;
  int webhooks_ = 0, emails_ = 0, attachments_ = 0, quiet_cycle_messages_ = 0;
  std::size_t max_fresh_ = 0, max_fresh_overdue_ = 0, max_repeats_ = 0, backfill_fresh_overdue_ = 0;
  int days_new_overdue_among_many_repeats_ = 0;
  std::uint64_t rows_read_ = 0, seen_ = 0, quarantined_ = 0;  // by the mappings, every cycle
  std::chrono::steady_clock::duration elapsed_{};
  // Time spent in the daemon's cycle, Plan(), Deliver() and this test's checks.
  std::chrono::steady_clock::duration spent_[4] = {};
};

// --- 120 days, in two modes ----------------------------------------------------------------------

enum class Mode { kNeverUploaded, kUploadedNoReceipt };

class AlertsAtScaleModesTest : public AlertsAtScaleTest,
                               public ::testing::WithParamInterface<Mode> {};

TEST_P(AlertsAtScaleModesTest, EveryPassageNamedAtEachThresholdAndWhenOverdueOnce) {
  Scenario scenario;
  scenario.upload = GetParam() == Mode::kUploadedNoReceipt;
  ASSERT_NO_FATAL_FAILURE(Start(scenario));
  ASSERT_NO_FATAL_FAILURE(Run());
  ASSERT_NO_FATAL_FAILURE(Finish(scenario.upload ? "uploaded, no receipt" : "never uploaded"));

  // What the year must have exercised: more than list_limit of everything at once.
  EXPECT_GE(passages_.size(), 2500u);
  EXPECT_GT(backfill_fresh_overdue_, static_cast<std::size_t>(kListLimit))
      << "the backfill day announces hundreds of new overdue passages";
  EXPECT_GT(max_repeats_, static_cast<std::size_t>(kListLimit));
  EXPECT_GT(days_new_overdue_among_many_repeats_, 100)
      << "days with newly overdue passages among more than list_limit repeats";
  for (int ch : {kWebhook, kEmail}) {
    EXPECT_EQ(backfill_named_overdue_[ch], backfill_fresh_overdue_)
        << ChannelName(ch) << ": the backfill's overdue passages named on day 0";
    EXPECT_EQ(days_all_new_overdue_named_[ch], days_new_overdue_among_many_repeats_)
        << ChannelName(ch) << ": days every newly overdue passage was named among many repeats";
  }
  int entered_overdue = 0, entered_in_band = 0;
  for (const Passage& p : passages_) {
    const int s = SectionOfLeft(p.deadline_day - p.entry_day);
    if (p.entry_day > 0 && s == kOverdue) ++entered_overdue;
    if (p.entry_day > 0 && s > kOverdue) ++entered_in_band;
  }
  EXPECT_GT(entered_overdue, 100) << "passages entering already overdue after day 0";
  EXPECT_GT(entered_in_band, 100) << "passages entering inside a band after day 0";
  int accepted = 0;
  for (const DepositFile& f : files_) accepted += f.accepted_day >= 0 ? 1 : 0;
  EXPECT_GT(accepted, 10) << "files accepted on the way";
  EXPECT_EQ(webhooks_, emails_);
}

std::string ModeName(const ::testing::TestParamInfo<Mode>& mode) {
  return mode.param == Mode::kNeverUploaded ? "NeverUploaded" : "UploadedNoReceipt";
}

INSTANTIATE_TEST_SUITE_P(Modes, AlertsAtScaleModesTest,
                         ::testing::Values(Mode::kNeverUploaded, Mode::kUploadedNoReceipt),
                         ModeName);

// The daily summary (08:00, cycles at 07:00 and 09:00, rows arriving before both): its arrays
// and its attachment list everything at stake; "new" only what no message announced before.
TEST_F(AlertsAtScaleTest, DailySummaryListsEverything) {
  Scenario scenario;
  scenario.days = 30;
  scenario.backfill = 400;
  scenario.per_day_min = 3;
  scenario.per_day_max = 7;
  scenario.upload = true;
  scenario.accept_one_in = 4;
  scenario.cycle_hours = {7, 9};
  scenario.daily_summary = true;
  scenario.seed = 1313;
  ASSERT_NO_FATAL_FAILURE(Start(scenario));
  ASSERT_NO_FATAL_FAILURE(Run());
  ASSERT_NO_FATAL_FAILURE(Finish("daily summary"));
  EXPECT_GT(backfill_fresh_overdue_, static_cast<std::size_t>(kListLimit));
  EXPECT_GE(attachments_, scenario.days) << "every daily summary has its attachment";
}

}  // namespace
}  // namespace accrochd::daemon
