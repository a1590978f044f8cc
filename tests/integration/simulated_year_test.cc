// A simulated year of `accrochd run`: a fake clock drives 365 days of daily cycles (and a few
// intra-day ones) from 2026-01-01 08:00 Europe/Paris, on a real SQLite database read through the
// real SQLite ODBC driver, with a configuration loaded from files like an installation's, a real
// state store and the real planner. Every day the certifier's database changes the way a
// registrar's does -- passages delivered today, weeks ago (arriving late, near or past their
// deadline) or in the future (held until their day), invalid ones (quarantined, corrected some
// days later), data changed while pending, while in a file, after acceptance -- and the staff
// upload the deposit files a day or two after they appear and record the CDC's verdicts two days
// later (mostly accepted, some rejected, then corrected in the source so they go out again).
//
// The test keeps its own model of what each passage's status, deadline and file must be, and
// after every cycle compares the store, the planner's decision, the files published in the outbox
// (XSD-valid, read back passage by passage) and the status summary with it. Deadlines are
// computed here from the rule (three calendar months, clamped to the end of the month), never by
// the code under test.
//
// Receipts (accusés de traitement) are not parsed yet: the staff's upload and the CDC's verdicts
// go through StateStore::MarkUploaded and StateStore::RecordVerdicts.
//
// IncrementalChangeInFileTest, at the end, tells one story of the year on each kind of mapping;
// its DISABLED_ tests show what the store misses when the mapping is incremental.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/store/state_store.h"
#include "connectors/xml/deposit_reader.h"
#include "connectors/xml/xsd_validator.h"
#include "core/calendar.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/status.h"
#include "mappings/dictionary.h"
#include "mappings/xsd_schema.h"
#include "tests/support/capture_logger.h"
#include "tests/support/cdc_files.h"
#include "tests/support/fake_clock.h"
#include "tests/support/odbc_admin.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using store::Status;
using ::testing::HasSubstr;

constexpr const char* kBcr = "SIMU0001";
constexpr const char* kCertifier = "institut";
constexpr int kUrgentDays = 14;
constexpr std::size_t kMaxPassagesPerFile = 4;
constexpr const char* kRejection = "Aucun titulaire ne correspond aux critères obligatoires";

Date Ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

Date AddDays(Date d, int n) { return Date(std::chrono::sys_days(d) + std::chrono::days(n)); }

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

// "YYYY-MM-DD HH:MM:SS", UTC: the source's modifie_le.
std::string Stamp(TimePoint t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::hh_mm_ss hms(seconds - day);
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), " %02d:%02d:%02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return FormatIsoDate(Date(day)) + buffer;
}

// Digits as letters (0 -> a), so that names stay names: every holder is a different person.
std::string Letters(int n) {
  std::string out;
  for (char c : std::to_string(n)) out += static_cast<char>('a' + (c - '0'));
  return out;
}

// --- The certifier's database and the configuration -------------------------------------------

// Two certifications in one table: RNCP35830 read incrementally (cursor on modifie_le), RNCP36141
// read whole at every cycle.
std::string MappingText(const std::string& code, const std::string& prefix, bool cursor) {
  return "certification: {type: RNCP, code: " + code +
         "}\n"
         "source: ecole\n"
         "query: SELECT id, nom, prenom, annee, mois, jour, sexe, delivre, modifie_le FROM "
         "resultat WHERE code = '" +
         code +
         "'\n"
         "key: id\n"
         "id_technique: \"" +
         prefix + "-{id}\"\n" + (cursor ? "cursor: {column: modifie_le, look_back: 1h}\n" : "") +
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

// One row of the source, as the test last wrote it.
struct Row {
  int id = 0;
  bool paie = true;  // RNCP35830 (incremental) or RNCP36141 (read whole)
  Date delivery{};
  bool birth_ok = true;  // false: born on 31 April
  int version = 0;       // bumped by every change; written into prenom
  TimePoint modified{};
};

std::string IdTechnique(const Row& r) { return (r.paie ? "PAIE-" : "PME-") + std::to_string(r.id); }
std::string Prenom(int version) { return "Prenom" + Letters(version); }

// What a passage must be in the store, and what the test plans for it.
struct Expected {
  Status status = Status::kPending;
  std::string file;  // the last file it went into; the store keeps it after a rejection
  std::string cdc_message;
  bool changed_after_acceptance = false;
  bool changed_in_file = false;  // its data changed while its file waited (see below)
  int reference = 0;             // the version the store compares the source with
  int files = 0;                 // how many files it went into
  int fix_day = -1;              // the day the source corrects it (quarantine or rejection)
  bool never_corrected = false;  // a rejection nobody corrects: stays rejected
};

struct Passage {
  Row row;
  Expected e;
  bool known = false;         // observed by a cycle: in the store
  bool dirty = false;         // written since the last cycle: the next cycle observes it
  bool held_changed = false;  // changed while pending, before any file
};

struct FileModel {
  std::string name;
  std::vector<std::string> ids;
  int upload_day = 0;
  int verdict_day = 0;
  bool uploaded = false;
  bool receipted = false;
  bool any_rejected = false;
};

struct Decision {
  bool cut = false;
  std::string why;  // nothing, recent, urgent, first, schedule
};

// What the year went through, so that the test can prove each situation was met.
struct Coverage {
  int urgent_cuts_off_schedule = 0;  // urgent passages deposited before the schedule allowed
  int deferred_by_schedule = 0;      // due passages kept for the next scheduled deposit
  int intra_day_cuts = 0;
  int held_deposited_on_their_day = 0;
  int held_changed = 0;
  int quarantines_fixed_and_sent = 0;
  int quarantine_changed_still_invalid = 0;
  int rejected_sent_again = 0;
  int changed_after_acceptance = 0;
  int changed_in_file = 0;
  int corrected_in_file_sent_again = 0;  // rejected, but corrected while its file waited
  int changed_while_pending_sent_new = 0;
  int split_deposits = 0;
  int overdue_days = 0;
  int cut_without_file = 0;
  int max_urgent = 0;
};

class SimulatedYearTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name =
        "simulated-year." +
        std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    dir_ = testing::MakeTempDir(name);
    // The database and the state on tmpfs when there is one: a year of cycles is thousands of
    // fsyncs (the store's commits, the published files), which only the kill -9 tests need to
    // be real; on a busy disk they would take most of a minute.
    data_ = testing::FastScratchDir(name, dir_);
    db_ = data_ + "/ecole.db";
    state_ = data_ + "/state";
    fs::create_directories(state_);
    fs::create_directories(dir_ + "/mappings");
    admin_ = std::make_unique<testing::OdbcAdmin>("Driver=SQLite3;Database=" + db_ + ";");
    // The certifier's database is the test's fixture: its durability is not under test, and
    // a year of commits each waiting for the disk would make the test slow.
    admin_->Query("PRAGMA journal_mode=WAL");
    admin_->Exec("PRAGMA synchronous=OFF");
    admin_->Exec(
        "CREATE TABLE resultat (id INTEGER PRIMARY KEY, code TEXT NOT NULL, nom TEXT, prenom "
        "TEXT, annee INTEGER, mois INTEGER, jour INTEGER, sexe TEXT, delivre TEXT, modifie_le "
        "TIMESTAMP NOT NULL)");
    testing::WriteFile(dir_ + "/mappings/paie.yaml", MappingText("RNCP35830", "PAIE", true));
    testing::WriteFile(dir_ + "/mappings/pme.yaml", MappingText("RNCP36141", "PME", false));
    std::string yaml;
    yaml += "state_directory: " + state_ + "\n";
    yaml += "timezone: Europe/Paris\n";
    yaml += "deposit:\n";
    yaml += "  every: 1d\n";
    yaml += "  max_passages_per_file: " + std::to_string(kMaxPassagesPerFile) + "\n";
    yaml += "deadlines:\n";
    yaml += "  urgent: " + std::to_string(kUrgentDays) + "\n";
    yaml += "sources:\n";
    yaml += "  ecole:\n";
    yaml += "    connection: \"Driver=SQLite3;Database=" + db_ + ";\"\n";
    yaml += "certifiers:\n";
    yaml += std::string("  ") + kCertifier + ":\n";
    yaml += std::string("    id_client: \"") + kBcr + "\"\n";
    yaml += "    id_contrat: \"MCFCER000042\"\n";
    yaml += "    mappings:\n";
    yaml += "      - mappings/paie.yaml\n";
    yaml += "      - mappings/pme.yaml\n";
    testing::WriteFile(dir_ + "/accrochd.yaml", yaml);
    auto config = LoadConfig(dir_ + "/accrochd.yaml", Environment{});
    ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
    config_ = std::make_unique<Config>(std::move(*config));
    ASSERT_EQ(config_->state_directory, state_);
    ASSERT_EQ(config_->deposit.every, std::chrono::hours(24));
    ASSERT_EQ(config_->deadlines.urgent, kUrgentDays);

    // 2026-01-01 08:00 in Paris (UTC+1); the cycles then come every 24 hours, at 08:00 in winter
    // and 09:00 in summer -- the same calendar day in Paris either way.
    clock_ = std::make_unique<testing::FakeClock>(std::chrono::sys_days(kFirstDay) + 7h);
    auto opened = store::StateStore::Open(state_, *clock_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
    daemon_ = std::make_unique<Daemon>(*config_, logger_, *clock_, ::accrochd::testing::RealFiles(),
                                       store_.get());
    auto started = daemon_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().message();

    auto own = xml::XsdSchema::FromText(mappings::GenerateXsd(mappings::SchemaVersion::k115),
                                        "accrochd 1.1.5");
    ASSERT_TRUE(own.has_value()) << own.error().message();
    schemas_.push_back(*own);
    std::string why;
    if (auto official = testing::OfficialXsd("1.1.5", why)) {
      auto compiled = xml::XsdSchema::FromFile(*official);
      ASSERT_TRUE(compiled.has_value()) << compiled.error().message();
      schemas_.push_back(*compiled);
    } else {
      std::printf("NOTE: deposit files checked against accrochd's own XSD only: %s\n", why.c_str());
    }
  }

  void TearDown() override {
    daemon_.reset();
    store_.reset();
    admin_.reset();
    if (data_ != dir_) fs::remove_all(data_);
  }

  static constexpr Date kFirstDay{std::chrono::year(2026), std::chrono::January,
                                  std::chrono::day(1)};

  Date Today() const { return AddDays(kFirstDay, day_); }

  // --- The certifier's database -----------------------------------------------------------------

  void Write(Passage& p, bool insert) {
    Row& r = p.row;
    r.modified = clock_->Now() - 5min;
    const std::string values[] = {std::to_string(r.id),
                                  std::string("'") + (r.paie ? "RNCP35830" : "RNCP36141") + "'",
                                  "'Nom" + Letters(r.id) + "'",
                                  "'" + Prenom(r.version) + "'",
                                  std::to_string(1970 + r.id % 30),
                                  r.birth_ok ? std::to_string(1 + r.id % 12) : "4",
                                  r.birth_ok ? std::to_string(1 + r.id % 28) : "31",
                                  r.id % 2 == 0 ? "'F'" : "'M'",
                                  "'" + FormatIsoDate(r.delivery) + "'",
                                  "'" + Stamp(r.modified) + "'"};
    static constexpr const char* kColumns[] = {"id",   "code", "nom",  "prenom",  "annee",
                                               "mois", "jour", "sexe", "delivre", "modifie_le"};
    std::string sql;
    if (insert) {
      sql = "INSERT INTO resultat (";
      for (std::size_t i = 0; i < std::size(kColumns); ++i) {
        sql += (i ? ", " : "") + std::string(kColumns[i]);
      }
      sql += ") VALUES (";
      for (std::size_t i = 0; i < std::size(values); ++i) sql += (i ? ", " : "") + values[i];
      sql += ")";
    } else {
      sql = "UPDATE resultat SET ";
      for (std::size_t i = 1; i < std::size(kColumns); ++i) {
        sql += (i > 1 ? ", " : "") + std::string(kColumns[i]) + " = " + values[i];
      }
      sql += " WHERE id = " + values[0];
    }
    admin_->Exec(sql);
    p.dirty = true;
  }

  // A new row; even ids belong to the incremental mapping unless `paie` says otherwise.
  Passage& Arrive(Date delivery, bool birth_ok = true, std::optional<bool> paie = std::nullopt) {
    Passage p;
    p.row.id = next_id_++;
    p.row.paie = paie.value_or(p.row.id % 2 == 0);
    p.row.delivery = delivery;
    p.row.birth_ok = birth_ok;
    const std::string id = IdTechnique(p.row);
    auto [it, inserted] = passages_.emplace(id, p);
    Write(it->second, true);
    return it->second;
  }

  void Change(Passage& p) {
    ++p.row.version;
    Write(p, false);
  }

  // --- The model ----------------------------------------------------------------------------

  // What the store makes of a row a cycle reads (StateStore::Observe). The store compares the
  // row with the content the passage was deposited with (or is to be deposited with): a change
  // made while its file waits counts against what the CDC received, when its verdict comes.
  void Read(Passage& p) {
    Expected& e = p.e;
    const Status valid = p.row.birth_ok ? Status::kPending : Status::kQuarantined;
    const bool fresh = p.dirty;  // a content the store has not seen yet
    p.dirty = false;
    if (!p.known) {
      p.known = true;
      e.status = valid;
      e.reference = p.row.version;
      return;
    }
    const bool changed = p.row.version != e.reference;
    switch (e.status) {
      case Status::kPending:
      case Status::kQuarantined:
      case Status::kMissing:  // rows are never deleted here; one read again is known again
        e.status = valid;
        e.reference = p.row.version;
        break;
      case Status::kInDeposit:
      case Status::kDeposited:
        // The file keeps the data it was written with.
        if (changed && fresh) {
          e.changed_in_file = true;
          ++coverage_.changed_in_file;
        }
        break;
      case Status::kAccepted:
        // Final at the CDC: flagged, never sent again on its own; reported in the journal when
        // the change is seen for the first time (a change made while in the file was reported
        // then, as changed_in_deposit).
        if (changed) {
          if (!e.changed_after_acceptance) ++coverage_.changed_after_acceptance;
          e.changed_after_acceptance = true;
        }
        if (changed && fresh) ++changed_after_acceptance_events_;
        break;
      case Status::kRejected:
        if (changed) {  // corrected -- maybe while its file waited: it goes out again
          e.status = valid;
          e.never_corrected = false;
          e.reference = p.row.version;
          if (!fresh) ++coverage_.corrected_in_file_sent_again;
        }
        break;
      case Status::kWithdrawalQueued:
      case Status::kWithdrawalInDeposit:
      case Status::kWithdrawalDeposited:
      case Status::kWithdrawn:
        break;  // this simulated year never withdraws a passage
    }
  }

  Decision Decide(TimePoint now) const {
    const Date today = Today();
    const Date urgent_by = AddDays(today, kUrgentDays);
    int due = 0, urgent = 0;
    for (const auto& [id, p] : passages_) {
      if (!p.known || p.e.status != Status::kPending || p.row.delivery > today) continue;
      ++due;
      if (ExpectedDeadline(p.row.delivery) <= urgent_by) ++urgent;
    }
    if (due == 0) return {false, "nothing"};
    if (urgent > 0) return {true, "urgent"};
    if (!last_cut_) return {true, "first"};
    if (now - *last_cut_ >= config_->deposit.every) return {true, "schedule"};
    return {false, "recent"};
  }

  // --- One cycle ----------------------------------------------------------------------------

  void Cycle(const std::string& when) {
    SCOPED_TRACE(FormatIsoDate(Today()) + " " + when);
    const TimePoint now = clock_->Now();
    const Date today = Today();

    // The planner decides on what the store knew before the extraction and, if that says no,
    // again after it.
    Decision decision = Decide(now);
    const bool paie_whole = !paie_bookmark_;
    for (auto& [id, p] : passages_) {
      // The second mapping is read whole at every cycle; the first, incremental, reads what
      // changed (rows it reads again unchanged change nothing in this year's scenarios: only
      // rows of the second mapping change while in a file).
      if (p.dirty || !p.row.paie) Read(p);
    }
    if (!decision.cut) {
      const Decision again = Decide(now);
      if (again.cut) decision = again;
    }
    std::set<std::string> expected_out;
    if (decision.cut) {
      for (const auto& [id, p] : passages_) {
        if (p.e.status == Status::kPending && p.row.delivery <= today) expected_out.insert(id);
      }
    }

    auto report = daemon_->RunCycle(DepositPolicy::kPlanned, {});
    ASSERT_TRUE(report.has_value()) << report.error().message();
    ASSERT_TRUE(report->failures.empty()) << report->failures[0].error.message();
    ASSERT_EQ(report->decisions.count(kCertifier), 1u);
    const DepositDecision& got = report->decisions.at(kCertifier);
    EXPECT_EQ(got.cut, decision.cut) << "planner: " << got.reason << "; model: " << decision.why;
    if (decision.why == "urgent") {
      EXPECT_THAT(got.reason, HasSubstr("within " + std::to_string(kUrgentDays) + " days"));
    } else {
      const std::map<std::string, std::string> reasons = {
          {"nothing", "nothing pending is due"},
          {"recent", "the last deposit is recent (deposit.every)"},
          {"first", "first deposit"},
          {"schedule", "schedule"}};
      EXPECT_EQ(got.reason, reasons.at(decision.why));
    }

    // The incremental mapping read only what changed since its bookmark (less the look-back),
    // when no deposit made it read the pending passages again.
    if (!decision.cut) {
      std::size_t expected_rows = 0;
      for (const auto& [id, p] : passages_) {
        if (p.row.paie && (paie_whole || p.row.modified >= *paie_bookmark_ - 1h)) ++expected_rows;
      }
      for (const MappingReport& m : report->mappings) {
        if (m.mapping != "paie") continue;
        EXPECT_EQ(m.incremental, !paie_whole);
        EXPECT_EQ(m.rows, expected_rows) << "rows read by the incremental mapping";
      }
    }
    for (const auto& [id, p] : passages_) {
      if (p.row.paie && (!paie_bookmark_ || p.row.modified > *paie_bookmark_)) {
        paie_bookmark_ = p.row.modified;
      }
    }
    if (decision.why == "urgent" && last_cut_ && now - *last_cut_ < config_->deposit.every) {
      ++coverage_.urgent_cuts_off_schedule;
    }
    if (decision.why == "recent") ++coverage_.deferred_by_schedule;

    // The files: valid, each passage expected, in one file only, with the data of today.
    std::set<std::string> out;
    EXPECT_EQ(report->files.empty(), expected_out.empty());
    if (decision.cut && expected_out.empty()) ++coverage_.cut_without_file;
    if (report->files.size() > 1) ++coverage_.split_deposits;
    for (const deposit::PublishedFile& f : report->files) {
      CheckFile(f, today, expected_out, out);
    }
    EXPECT_EQ(out, expected_out) << "the passages deposited";
    for (const std::string& id : out) {
      Passage& p = passages_.at(id);
      if (p.e.files > 0) ++coverage_.rejected_sent_again;
      if (p.row.delivery == today && p.row.id < first_id_today_) {
        ++coverage_.held_deposited_on_their_day;
      }
      if (p.row.version > 0 && p.e.files == 0 && p.row.birth_ok && p.e.fix_day >= 0) {
        ++coverage_.quarantines_fixed_and_sent;
      }
      p.e.status = Status::kInDeposit;
      ++p.e.files;
    }
    if (!report->files.empty()) last_cut_ = now;

    Verify();
  }

  void CheckFile(const deposit::PublishedFile& f, Date today, const std::set<std::string>& expected,
                 std::set<std::string>& out) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(f.certificateur, kBcr);
    EXPECT_TRUE(fs::exists(f.path));
    for (const auto& schema : schemas_) {
      auto errors = schema->Validate(f.path);
      ASSERT_TRUE(errors.has_value()) << errors.error().message();
      EXPECT_TRUE(errors->empty()) << schema->name() << ": " << (*errors)[0].message;
    }
    auto reader = xml::DepositReader::Open(f.path);
    ASSERT_TRUE(reader.has_value()) << reader.error().message();
    FileModel file;
    file.name = f.name;
    file.upload_day = day_ + 1 + static_cast<int>(files_.size() % 2);
    file.verdict_day = file.upload_day + 2;
    xml::ReadPassage read;
    for (;;) {
      auto more = (*reader)->Next(read);
      ASSERT_TRUE(more.has_value()) << more.error().message();
      if (!*more) break;
      const mappings::Passage& got = read.passage;
      const std::string& id = got.id_technique;
      EXPECT_TRUE(expected.contains(id)) << id << " was not to be deposited today";
      EXPECT_TRUE(out.insert(id).second) << id << " is in two files of the same deposit";
      file.ids.push_back(id);
      auto it = passages_.find(id);
      if (it == passages_.end()) {
        ADD_FAILURE() << "unknown passage " << id;
        continue;
      }
      const Passage& p = it->second;
      // Never in two deposits, unless the CDC rejected the first and the source corrected it.
      for (const std::string& earlier : sent_in_[id]) {
        EXPECT_TRUE(p.e.status == Status::kPending && p.e.file == earlier &&
                    p.e.cdc_message == kRejection)
            << id << " was already in " << earlier;
      }
      sent_in_[id].push_back(f.name);
      EXPECT_EQ(got[mappings::Field::prenom1].text, Prenom(p.row.version))
          << id << ": the file must carry the source's current data";
      EXPECT_EQ(got[mappings::Field::dateDebutValidite].text, FormatIsoDate(p.row.delivery));
      EXPECT_LE(FormatIsoDate(p.row.delivery), FormatIsoDate(today))
          << id << " deposited before its day of delivery";
      ASSERT_NE(got.mapping, nullptr);
      EXPECT_EQ(got.certification.code, p.row.paie ? "RNCP35830" : "RNCP36141");
      if (p.held_changed && p.row.version > 0) ++coverage_.changed_while_pending_sent_new;
    }
    EXPECT_EQ(file.ids.size(), f.passages);
    EXPECT_GE(file.ids.size(), 1u);
    EXPECT_LE(file.ids.size(), kMaxPassagesPerFile);
    for (const std::string& id : file.ids) {
      if (passages_.contains(id)) passages_.at(id).e.file = f.name;
    }
    files_.push_back(std::move(file));
  }

  // --- The staff and the CDC ------------------------------------------------------------------

  void UploadsAndReceipts() {
    for (FileModel& f : files_) {
      if (f.upload_day == day_ && !f.uploaded) {
        auto marked = store_->deposits().MarkUploaded(f.name);
        ASSERT_TRUE(marked.has_value()) << marked.error().message();
        EXPECT_EQ(marked->passages, static_cast<std::int64_t>(f.ids.size()));
        f.uploaded = true;
        for (const std::string& id : f.ids) {
          Expected& e = passages_.at(id).e;
          if (e.status == Status::kInDeposit && e.file == f.name) e.status = Status::kDeposited;
        }
        // The staff take the file out of the outbox once it is on the portal.
        fs::remove(fs::path(state_) / "outbox" / f.name);
      }
      if (f.verdict_day == day_ && !f.receipted) {
        std::vector<store::Verdict> verdicts;
        for (const std::string& id : f.ids) {
          Passage& p = passages_.at(id);
          // Some holders are not found by the CDC the first time; the registrar corrects them.
          const bool rejected = p.e.files == 1 && p.row.id % 7 == 3;
          verdicts.push_back({id, !rejected, rejected ? kRejection : ""});
          if (!(p.e.file == f.name &&
                (p.e.status == Status::kDeposited || p.e.status == Status::kInDeposit))) {
            continue;
          }
          if (rejected) {
            f.any_rejected = true;
            p.e.status = Status::kRejected;
            p.e.cdc_message = kRejection;
            p.e.never_corrected = p.row.id % 35 == 3;
            if (!p.e.never_corrected) p.e.fix_day = day_ + 2;
          } else {
            p.e.status = Status::kAccepted;
            p.e.cdc_message.clear();
            // A passage whose data changed while its file waited was accepted with the old
            // data: the next cycle that reads its row flags it (Read).
          }
        }
        auto recorded = store_->deposits().RecordVerdicts(
            f.name, f.any_rejected ? "Traité avec erreurs" : "Traité avec succès", verdicts);
        ASSERT_TRUE(recorded.has_value()) << recorded.error().message();
        f.receipted = true;
      }
    }
  }

  // --- The registrar ---------------------------------------------------------------------------

  // Corrections planned for today: quarantined rows fixed, rejected passages corrected.
  void Corrections() {
    for (auto& [id, p] : passages_) {
      if (p.e.fix_day != day_) continue;
      if (p.e.status == Status::kQuarantined) {
        p.row.birth_ok = true;
        Change(p);
      } else if (p.e.status == Status::kRejected) {
        Change(p);
      }
    }
  }

  Passage* First(const std::function<bool(const Passage&)>& wanted) {
    for (auto& [id, p] : passages_) {
      if (wanted(p)) return &p;
    }
    return nullptr;
  }

  void Changes() {
    const Date today = Today();
    const int d = day_;
    if (d % 7 == 3) {
      // A held passage's data change before its day; every other time its delivery moves too
      // (and so does its deadline).
      if (Passage* p = First([&](const Passage& q) {
            return q.e.status == Status::kPending && q.row.delivery > AddDays(today, 1) &&
                   q.e.files == 0;
          })) {
        if (d % 14 == 3) p->row.delivery = AddDays(p->row.delivery, -1);
        p->held_changed = true;
        ++coverage_.held_changed;
        Change(*p);
      }
    }
    if (d % 9 == 2 || d % 9 == 6) {
      // While in a file: published and waiting for the upload, or uploaded and waiting for the
      // receipt. The file keeps the data it was written with. Only rows of the mapping read
      // whole: an incremental mapping does not read the row again when the verdict comes (see
      // IncrementalChangeInFileTest below).
      const Status in = d % 9 == 2 ? Status::kInDeposit : Status::kDeposited;
      if (Passage* p = First([&](const Passage& q) {
            return !q.row.paie && q.e.status == in && !q.e.changed_in_file;
          })) {
        Change(*p);
      }
    }
    if (d % 6 == 4) {
      // A quarantined row changes but stays invalid: still quarantined, same deadline.
      if (Passage* p = First([&](const Passage& q) {
            return q.e.status == Status::kQuarantined && !q.dirty && q.e.fix_day > d;
          })) {
        ++coverage_.quarantine_changed_still_invalid;
        Change(*p);
      }
    }
    if (d % 11 == 5) {
      if (Passage* p = First([&](const Passage& q) {
            return q.e.status == Status::kAccepted && !q.e.changed_after_acceptance &&
                   !q.e.changed_in_file;
          })) {
        Change(*p);
      }
    }
    if (d % 20 == 15 && intra_day_pending_) {
      // Yesterday afternoon's arrival, still pending this morning: its data change (every other
      // time it becomes invalid, and the registrar fixes it two days later).
      Passage& p = passages_.at(*intra_day_pending_);
      if (p.e.status == Status::kPending) {
        p.held_changed = true;
        if (d % 40 == 35) {
          p.row.birth_ok = false;
          p.e.fix_day = d + 2;
        }
        Change(p);
      }
      intra_day_pending_.reset();
    }
  }

  void Arrivals() {
    const Date today = Today();
    const int d = day_;
    first_id_today_ = next_id_;
    // Two passages delivered in the last three weeks, but for a quiet morning every forty days.
    if (d % 40 != 35) {
      Arrive(AddDays(today, -(next_id_ % 21)));
      Arrive(AddDays(today, -(next_id_ % 21)));
    }
    if (d % 5 == 2) Arrive(AddDays(today, -(70 + (d * 7) % 30)));  // late: near or past deadline
    if (d % 4 == 1) Arrive(AddDays(today, 1 + (d * 3) % 20));      // delivered in the future
    if (d % 6 == 2) {
      Passage& p = Arrive(AddDays(today, -(d % 15)), false);  // born on 31 April
      p.e.fix_day = d + 3 + d % 4;
    }
    if (d % 30 == 8) {
      Passage& p = Arrive(AddDays(today, -100), false);  // invalid and already overdue
      p.e.fix_day = d + 5;
    }
    if (d % 40 == 5) Arrive(AddDays(today, -80));  // urgent, the morning after an intra-day cut
    // Month ends: deadlines clamped to the end of the third month.
    for (const auto& [on, delivery] : kMonthEnds) {
      if (on == today) special_.emplace_back(IdTechnique(Arrive(delivery).row), delivery);
    }
  }

  void AfternoonArrivals() {
    first_id_today_ = next_id_;
    if (day_ % 20 == 4) Arrive(AddDays(Today(), -80));  // urgent: deposited at once
    if (day_ % 20 == 14) {
      intra_day_pending_ = IdTechnique(Arrive(AddDays(Today(), -3)).row);
    }
  }

  // --- The checks after every cycle -----------------------------------------------------------

  // A passage's events, for failure messages.
  std::string HistoryOf(const std::string& id) {
    auto history = store_->passages().History(id);
    if (!history) return history.error().message();
    std::string out = "history of " + id + ":";
    for (const store::Event& e : *history) out += " " + store::IsoUtc(e.at) + " " + e.kind + ";";
    return out;
  }

  void Verify() {
    const Date today = Today();
    auto records = store_->passages().Passages();
    ASSERT_TRUE(records.has_value()) << records.error().message();
    ASSERT_EQ(records->size(), passages_.size());
    StatusSummary expected_summary;
    std::set<std::string> expected_quarantine;
    for (const store::PassageRecord& r : *records) {
      SCOPED_TRACE(r.id_technique);
      auto it = passages_.find(r.id_technique);
      ASSERT_NE(it, passages_.end());
      const Passage& p = it->second;
      const Expected& e = p.e;
      EXPECT_EQ(r.certifier, kBcr);
      EXPECT_EQ(r.mapping, p.row.paie ? "paie" : "pme");
      EXPECT_EQ(r.certification_code, p.row.paie ? "RNCP35830" : "RNCP36141");
      EXPECT_EQ(store::StatusName(r.status), store::StatusName(e.status));
      ASSERT_TRUE(r.delivery.has_value());
      EXPECT_EQ(FormatIsoDate(*r.delivery), FormatIsoDate(p.row.delivery));
      ASSERT_TRUE(r.deadline.has_value()) << "every passage has a deadline, quarantined included";
      const Date deadline = ExpectedDeadline(p.row.delivery);
      EXPECT_EQ(FormatIsoDate(*r.deadline), FormatIsoDate(deadline));
      EXPECT_EQ(r.changed_after_acceptance, e.changed_after_acceptance)
          << HistoryOf(r.id_technique);
      EXPECT_EQ(r.cdc_message, e.cdc_message);
      EXPECT_EQ(r.deposit_file, e.file);
      if (r.status == Status::kPending && p.row.delivery > today) {
        EXPECT_EQ(e.files, 0) << "a passage held until its day was deposited";
      }

      switch (e.status) {
        case Status::kPending:
          ++expected_summary.pending;
          break;
        case Status::kQuarantined:
          ++expected_summary.quarantined;
          expected_quarantine.insert(r.id_technique);
          break;
        default:
          break;
      }
      const bool at_risk = e.status == Status::kPending || e.status == Status::kQuarantined ||
                           e.status == Status::kInDeposit || e.status == Status::kRejected;
      const int left = DaysBetween(today, deadline);
      if (at_risk && left < 0) ++expected_summary.overdue;
      if (at_risk && left <= kUrgentDays) ++expected_summary.urgent;
    }
    for (const FileModel& f : files_) {
      if (!f.uploaded) ++expected_summary.outbox;
    }
    if (expected_summary.overdue > 0) ++coverage_.overdue_days;
    coverage_.max_urgent =
        std::max(coverage_.max_urgent, static_cast<int>(expected_summary.urgent));

    auto summary = Summarize(*config_, *store_, *clock_);
    ASSERT_TRUE(summary.has_value()) << summary.error().message();
    EXPECT_EQ(summary->pending, expected_summary.pending);
    EXPECT_EQ(summary->quarantined, expected_summary.quarantined);
    EXPECT_EQ(summary->urgent, expected_summary.urgent);
    EXPECT_EQ(summary->overdue, expected_summary.overdue);
    EXPECT_EQ(summary->outbox, expected_summary.outbox);

    // The quarantine: the model's quarantined passages, each with its reason and its deadline.
    auto quarantine = store_->passages().Quarantine();
    ASSERT_TRUE(quarantine.has_value()) << quarantine.error().message();
    std::set<std::string> quarantined;
    for (const store::QuarantineRecord& q : *quarantine) {
      quarantined.insert(q.id_technique);
      EXPECT_EQ(q.field, "jourNaissance") << q.id_technique;
      EXPECT_EQ(q.rule, "birth-date") << q.id_technique;
      ASSERT_TRUE(q.deadline.has_value()) << q.id_technique;
      EXPECT_EQ(FormatIsoDate(*q.deadline),
                FormatIsoDate(ExpectedDeadline(passages_.at(q.id_technique).row.delivery)));
    }
    EXPECT_EQ(quarantined, expected_quarantine);

    // The deposits: published until uploaded, then uploaded until the receipt; the outbox holds
    // exactly the files not yet uploaded.
    auto deposits = store_->deposits().List();
    ASSERT_TRUE(deposits.has_value()) << deposits.error().message();
    ASSERT_EQ(deposits->size(), files_.size());
    std::set<std::string> outbox_expected, outbox;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      const FileModel& f = files_[i];
      const store::DepositRecord& d = (*deposits)[i];
      EXPECT_EQ(d.file_name, f.name);
      EXPECT_EQ(d.passages, static_cast<std::int64_t>(f.ids.size()));
      EXPECT_EQ(d.state, f.receipted ? "receipt" : f.uploaded ? "uploaded" : "published");
      if (!f.uploaded) outbox_expected.insert(f.name);
    }
    for (const auto& entry : fs::directory_iterator(fs::path(state_) / "outbox")) {
      outbox.insert(entry.path().filename().string());
    }
    EXPECT_EQ(outbox, outbox_expected) << "the outbox, no partial file left";
  }

  void RunYear() {
    for (day_ = 0; day_ < 365; ++day_) {
      ASSERT_EQ(FormatIsoDate(Today()), FormatIsoDate(AddDays(kFirstDay, day_)));
      UploadsAndReceipts();
      Corrections();
      Changes();
      Arrivals();
      Cycle("morning");
      if (HasFailure()) return;  // one day's failures say enough
      if (day_ % 10 == 4) {
        clock_->Advance(6h);
        AfternoonArrivals();
        const auto cut_before = last_cut_;
        Cycle("afternoon");
        if (last_cut_ != cut_before) ++coverage_.intra_day_cuts;
        if (HasFailure()) return;
        clock_->Advance(18h);
      } else {
        clock_->Advance(24h);
      }
    }
  }

  // Deliveries whose third month is shorter: (the day the row appears, the date of delivery).
  inline static const std::vector<std::pair<Date, Date>> kMonthEnds = {
      {Ymd(2026, 1, 20), Ymd(2026, 1, 31)},    // -> 30 April
      {Ymd(2026, 3, 5), Ymd(2025, 11, 30)},    // -> 28 February 2026: overdue on arrival
      {Ymd(2026, 3, 5), Ymd(2025, 12, 31)},    // -> 31 March 2026
      {Ymd(2026, 3, 20), Ymd(2026, 3, 31)},    // -> 30 June
      {Ymd(2026, 5, 25), Ymd(2026, 5, 31)},    // -> 31 August
      {Ymd(2026, 8, 20), Ymd(2026, 8, 31)},    // -> 30 November
      {Ymd(2026, 11, 20), Ymd(2026, 11, 30)},  // -> 28 February 2027
      {Ymd(2026, 12, 20), Ymd(2026, 12, 31)},  // -> 31 March 2027
      {Ymd(2026, 12, 28), Ymd(2027, 1, 15)},   // held over the new year
  };

  std::string dir_, data_, db_, state_;
  std::unique_ptr<testing::OdbcAdmin> admin_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<testing::FakeClock> clock_;
  testing::CaptureLogger logger_;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<Daemon> daemon_;
  std::vector<std::shared_ptr<const xml::XsdSchema>> schemas_;

  int day_ = 0;
  int next_id_ = 1;
  int first_id_today_ = 1;
  std::map<std::string, Passage> passages_;
  std::vector<FileModel> files_;
  std::map<std::string, std::vector<std::string>> sent_in_;
  std::optional<TimePoint> last_cut_;
  std::optional<TimePoint> paie_bookmark_;
  std::optional<std::string> intra_day_pending_;
  std::vector<std::pair<std::string, Date>> special_;
  int changed_after_acceptance_events_ = 0;
  Coverage coverage_;
};

TEST_F(SimulatedYearTest, EveryStatusAndDeadlineThroughAYearOfDailyCycles) {
  const auto started = std::chrono::steady_clock::now();
  RunYear();
  ASSERT_FALSE(HasFailure()) << "stopped on " << FormatIsoDate(Today());

  // The month ends, spelt out.
  const std::map<std::string, std::string> clamped = {
      {"2026-01-31", "2026-04-30"}, {"2025-11-30", "2026-02-28"}, {"2025-12-31", "2026-03-31"},
      {"2026-03-31", "2026-06-30"}, {"2026-05-31", "2026-08-31"}, {"2026-08-31", "2026-11-30"},
      {"2026-11-30", "2027-02-28"}, {"2026-12-31", "2027-03-31"}, {"2027-01-15", "2027-04-15"}};
  ASSERT_EQ(special_.size(), clamped.size());
  for (const auto& [id, delivery] : special_) {
    auto found = store_->passages().PassagesWithId(id);
    ASSERT_TRUE(found.has_value() && found->size() == 1u) << id;
    ASSERT_TRUE((*found)[0].deadline.has_value());
    EXPECT_EQ(FormatIsoDate(*(*found)[0].deadline), clamped.at(FormatIsoDate(delivery))) << id;
  }

  // Every change after acceptance was reported, once.
  int warnings = 0;
  for (const auto& event : logger_.events()) {
    if (event.message_id == kMessageIdPassageChangedAfterAcceptance) ++warnings;
  }
  EXPECT_EQ(warnings, changed_after_acceptance_events_);

  // A passage rejected, corrected and accepted: its history tells it in order.
  const Passage* resent = First([](const Passage& p) {
    return p.e.files == 2 && p.e.status == Status::kAccepted && !p.e.changed_after_acceptance &&
           !p.e.changed_in_file;
  });
  ASSERT_NE(resent, nullptr);
  auto history = store_->passages().History(IdTechnique(resent->row));
  ASSERT_TRUE(history.has_value());
  std::vector<std::string> kinds;
  for (const store::Event& e : *history) kinds.push_back(e.kind);
  EXPECT_THAT(kinds, ::testing::ElementsAre("seen", "in_deposit", "deposited", "rejected",
                                            "corrected", "in_deposit", "deposited", "accepted"));

  // The year met every situation the test is about.
  const Coverage& c = coverage_;
  EXPECT_GT(c.urgent_cuts_off_schedule, 0);
  EXPECT_GT(c.deferred_by_schedule, 0);
  EXPECT_GT(c.intra_day_cuts, 0);
  EXPECT_GT(c.held_deposited_on_their_day, 0);
  EXPECT_GT(c.held_changed, 0);
  EXPECT_GT(c.quarantines_fixed_and_sent, 0);
  EXPECT_GT(c.quarantine_changed_still_invalid, 0);
  EXPECT_GT(c.rejected_sent_again, 0);
  EXPECT_GT(c.changed_after_acceptance, 0);
  EXPECT_GT(c.changed_in_file, 0);
  EXPECT_GT(c.corrected_in_file_sent_again, 0);
  EXPECT_GT(c.changed_while_pending_sent_new, 0);
  EXPECT_GT(c.split_deposits, 0);
  EXPECT_GT(c.overdue_days, 0);
  EXPECT_GT(c.cut_without_file, 0);
  EXPECT_GT(c.max_urgent, 0);
  int never_corrected = 0, accepted = 0;
  for (const auto& [id, p] : passages_) {
    if (p.e.never_corrected) {  // rejected, never corrected: never sent again
      ++never_corrected;
      EXPECT_EQ(p.e.files, 1) << id;
      EXPECT_EQ(store::StatusName(p.e.status), store::StatusName(Status::kRejected)) << id;
    }
    if (p.e.status == Status::kAccepted) ++accepted;
    EXPECT_LE(p.e.files, 2) << id;
  }
  EXPECT_GT(never_corrected, 0);
  EXPECT_GT(accepted, static_cast<int>(passages_.size()) * 8 / 10);
  std::printf("simulated year: %zu passages, %zu files, %d accepted, %lld ms\n", passages_.size(),
              files_.size(), accepted,
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - started)
                                         .count()));
  std::printf(
      "  urgent off schedule %d, deferred %d, intra-day cuts %d, held on their day %d, held "
      "changed %d, quarantines fixed %d, sent again %d, changed after acceptance %d, changed in "
      "file %d (corrected there %d), split deposits %d, cut without file %d, never corrected %d\n",
      c.urgent_cuts_off_schedule, c.deferred_by_schedule, c.intra_day_cuts,
      c.held_deposited_on_their_day, c.held_changed, c.quarantines_fixed_and_sent,
      c.rejected_sent_again, c.changed_after_acceptance, c.changed_in_file,
      c.corrected_in_file_sent_again, c.split_deposits, c.cut_without_file, never_corrected);
}

// --- A change while the file waits, on an incremental mapping --------------------------------
//
// A passage whose data change while its file waits keeps, in the store, the content it was
// deposited with (content_hash) beside the content last seen (source_hash). An incremental
// mapping reads only the rows changed since its bookmark: the row changed before the verdict is
// never read again. So the verdict itself acts on the difference
// (StateStore::RecordVerdicts): an accepted passage is flagged changed_after_acceptance, a
// rejected one goes back to pending with the corrected content, and its row is read again (the
// pending passages' cursor floor) and deposited. Found by this simulation; the year itself has
// its in-file changes on the mapping read whole.

class IncrementalChangeInFileTest : public SimulatedYearTest {
 protected:
  // One day: a new row of the incremental mapping (so that its bookmark moves on, as in any
  // active database), one cycle, then 24 hours.
  void Day() {
    Arrive(AddDays(Today(), -1), true, true);
    auto report = daemon_->RunCycle(DepositPolicy::kPlanned, {});
    ASSERT_TRUE(report.has_value()) << report.error().message();
    ASSERT_TRUE(report->failures.empty()) << report->failures[0].error.message();
    for (const deposit::PublishedFile& f : report->files) published_.push_back(f.name);
    clock_->Advance(24h);
    ++day_;
  }

  store::PassageRecord Record(const std::string& id) {
    auto found = store_->passages().PassagesWithId(id);
    EXPECT_TRUE(found.has_value() && found->size() == 1u) << id;
    return found.has_value() && !found->empty() ? (*found)[0] : store::PassageRecord{};
  }

  // A passage of the incremental mapping deposited on day 0, changed on day 1 while its file
  // waits, uploaded on day 2; the CDC's verdict comes on day 4.
  std::string DepositThenChangeInFile(bool accepted) {
    Passage& p = Arrive(AddDays(Today(), -2), true, true);
    const std::string id = IdTechnique(p.row);
    Day();  // the first deposit
    EXPECT_EQ(published_.size(), 1u);
    const std::string file = published_.empty() ? "" : published_[0];
    Change(p);
    Day();
    EXPECT_EQ(store::StatusName(Record(id).status), store::StatusName(Status::kInDeposit));
    EXPECT_TRUE(store_->deposits().MarkUploaded(file).has_value());
    Day();
    Day();
    EXPECT_TRUE(store_->deposits()
                    .RecordVerdicts(file, accepted ? "Traité avec succès" : "Traité avec erreurs",
                                    {{id, accepted, accepted ? "" : kRejection}})
                    .has_value());
    Day();
    Day();
    return id;
  }

  std::vector<std::string> published_;
};

TEST_F(IncrementalChangeInFileTest, AcceptedWithOldDataIsFlaggedChangedAfterAcceptance) {
  const std::string id = DepositThenChangeInFile(true);
  const store::PassageRecord r = Record(id);
  EXPECT_EQ(store::StatusName(r.status), store::StatusName(Status::kAccepted));
  EXPECT_TRUE(r.changed_after_acceptance)
      << "the CDC accepted the data of the file; the source changed since: " << HistoryOf(id);
}

TEST_F(IncrementalChangeInFileTest, RejectedButAlreadyCorrectedGoesOutAgain) {
  const std::string id = DepositThenChangeInFile(false);
  const store::PassageRecord r = Record(id);
  EXPECT_EQ(store::StatusName(r.status), store::StatusName(Status::kInDeposit)) << HistoryOf(id);
  EXPECT_NE(r.deposit_file, published_.empty() ? "" : published_[0]);
}

// The same story on the mapping read whole passes: what the year checks every day, spelt out.
TEST_F(IncrementalChangeInFileTest, OnAMappingReadWholeBothAreActedOn) {
  Passage& a = Arrive(AddDays(Today(), -2), true, false);
  Passage& b = Arrive(AddDays(Today(), -2), true, false);
  const std::string accepted = IdTechnique(a.row), rejected = IdTechnique(b.row);
  Day();
  ASSERT_EQ(published_.size(), 1u);
  const std::string file = published_[0];
  Change(a);
  Change(b);
  Day();
  ASSERT_TRUE(store_->deposits().MarkUploaded(file).has_value());
  Day();
  Day();
  ASSERT_TRUE(store_->deposits()
                  .RecordVerdicts(file, "Traité avec erreurs",
                                  {{accepted, true, ""}, {rejected, false, kRejection}})
                  .has_value());
  Day();
  const store::PassageRecord ra = Record(accepted), rb = Record(rejected);
  EXPECT_EQ(store::StatusName(ra.status), store::StatusName(Status::kAccepted));
  EXPECT_TRUE(ra.changed_after_acceptance) << HistoryOf(accepted);
  EXPECT_EQ(store::StatusName(rb.status), store::StatusName(Status::kInDeposit))
      << HistoryOf(rejected);
  EXPECT_NE(rb.deposit_file, file);
}

}  // namespace
}  // namespace accrochd::daemon
