// The deposit session: files cut at the passage and size limits (each complete, valid, with its
// own idFlux, certifications grouped and never empty), the manifest and the archive, modes,
// partial files, and passages the XSD refuses -- taken out, quarantined in French without the
// value, the file rewritten and published with the others. Time is a FakeClock; the time zone
// is the real Europe/Paris.
#include "connectors/deposit/deposit_session.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/xml/xsd_validator.h"
#include "core/thread_priority.h"
#include "mappings/xsd_schema.h"
#include "tests/support/capture_logger.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::deposit {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mappings::Certification;
using mappings::Field;
using mappings::FieldValue;
using mappings::Mapping;
using mappings::Passage;
using mappings::SchemaVersion;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// 2026-11-27T01:30:12Z, 02:30:12 in Paris.
const TimePoint kNow = std::chrono::sys_days{std::chrono::year(2026) / 11 / 27} + 1h + 30min + 12s;

std::string TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return testing::MakeTempDir(std::string("deposit_session_test/") + info->test_suite_name() + "." +
                              info->name());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::string Id(int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "P%03d", i);
  return buffer;
}

// A valid 1.1.5 titulaire passage.
Passage MakePassage(const Mapping& mapping, int i, const std::string& nom = "DUPONT",
                    const std::string& verbatim = "") {
  Passage p;
  p.mapping = &mapping;
  if (mapping.certification.constant) p.certification = *mapping.certification.constant;
  p.id_technique = Id(i);
  p.source_key = "id=" + std::to_string(i);
  auto set = [&](Field f, std::string v) {
    p[f] = FieldValue{FieldValue::State::kValue, std::move(v)};
  };
  auto nil = [&](Field f) { p[f] = FieldValue{FieldValue::State::kNil, ""}; };
  nil(Field::modaliteAcces);
  set(Field::nomNaissance, nom);
  nil(Field::nomUsage);
  set(Field::prenom1, "Jean");
  set(Field::anneeNaissance, "1990");
  nil(Field::moisNaissance);
  nil(Field::jourNaissance);
  set(Field::sexe, "M");
  set(Field::codeInsee, "75056");
  if (!verbatim.empty()) set(Field::verbatim, verbatim);
  return p;
}

// What a deposit file holds, read from its lines: its certifications in order, each with the
// idTechniques of its passages.
struct FileContent {
  std::string id_flux;
  std::string horodatage;
  std::vector<std::pair<std::string, std::vector<std::string>>> certifications;
  std::vector<std::string> ids;  // every passage, in order
};

FileContent Parse(const std::string& path) {
  static const std::regex kIdFlux("<cpf:idFlux>([^<]*)</cpf:idFlux>");
  static const std::regex kHorodatage("<cpf:horodatage>([^<]*)</cpf:horodatage>");
  static const std::regex kCode("^ *<cpf:code>([^<]*)</cpf:code>$");
  static const std::regex kPassage(
      "^ {21}<cpf:passageCertification><cpf:idTechnique>([^<]*)</cpf:idTechnique>.*"
      "</cpf:passageCertification>$");
  FileContent content;
  for (const std::string& line : Lines(ReadAll(path))) {
    std::smatch m;
    if (std::regex_search(line, m, kIdFlux)) content.id_flux = m[1];
    if (std::regex_search(line, m, kHorodatage)) content.horodatage = m[1];
    if (line == "               <cpf:certification>") content.certifications.emplace_back();
    if (std::regex_match(line, m, kCode)) content.certifications.back().first = m[1];
    if (std::regex_match(line, m, kPassage)) {
      content.certifications.back().second.push_back(m[1]);
      content.ids.push_back(m[1]);
    }
  }
  return content;
}

// What `command` prints on its standard output, and its exit status.
std::pair<std::string, int> RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", -1};
  std::array<char, 4096> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    out.append(buffer.data(), n);
  }
  return {out, ::pclose(pipe)};
}

std::vector<std::string> PartialFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".") && name.ends_with(".partial")) out.push_back(e.path().string());
  }
  return out;
}

std::vector<std::string> OutboxFiles(const std::string& outbox) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(outbox)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The schema the daemon checks its files against: accrochd's own, in the writer's order.
std::string DaemonXsd(SchemaVersion version) {
  return mappings::GenerateXsd(version, mappings::XsdOrder::kWriters);
}

// The daemon's XSD, with nomNaissance limited to 10 characters instead of 60: stricter than
// what the session was given passages for, so that a long name is refused.
std::string StrictXsd(SchemaVersion version) {
  std::string xsd = DaemonXsd(version);
  const std::string from =
      "<xsd:element name=\"nomNaissance\"><xsd:simpleType><xsd:restriction base=\"xsd:string\">"
      "<xsd:minLength value=\"1\"/><xsd:maxLength value=\"60\"/>";
  std::string to = from;
  to.replace(to.find("\"60\""), 4, "\"10\"");
  int replaced = 0;
  for (std::size_t at = xsd.find(from); at != std::string::npos; at = xsd.find(from, at)) {
    xsd.replace(at, from.size(), to);
    ++replaced;
  }
  EXPECT_EQ(replaced, version == SchemaVersion::k115 ? 2 : 1);
  return xsd;
}

const std::string kLongName = "MARTIN-DUBOISSY";  // 15 characters

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir();
    state_ = dir_ + "/state";
    auto zone = TimeZone::Named("Europe/Paris");
    ASSERT_TRUE(zone) << zone.error().message();
    zone_ = *zone;
    publisher_ =
        std::make_unique<Publisher>(PublisherSettings{state_, std::nullopt, std::nullopt, {}},
                                    clock_, logger_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(publisher_->Prepare());
    rncp_.name = "bts-rncp";
    rncp_.certification.constant = Certification{"RNCP", "RNCP35830"};
    rncp_.nature_deposant = "CERTIFICATEUR";
    rs_.name = "tosa-rs";
    rs_.certification.constant = Certification{"RS", "RS5875"};
    auto own = xml::XsdSchema::FromText(DaemonXsd(SchemaVersion::k115), "accrochd 1.1.5");
    ASSERT_TRUE(own) << own.error().message();
    own_ = *own;
    auto strict = xml::XsdSchema::FromText(StrictXsd(SchemaVersion::k115), "strict 1.1.5");
    ASSERT_TRUE(strict) << strict.error().message();
    strict_ = *strict;
  }

  SessionSettings Settings(std::shared_ptr<const xml::XsdSchema> schema,
                           std::uint64_t max_passages = 50'000,
                           std::uint64_t max_bytes = 100'000'000) const {
    SessionSettings s;
    s.version = SchemaVersion::k115;
    s.schema = std::move(schema);
    s.max_passages = max_passages;
    s.max_bytes = max_bytes;
    s.emetteur = "AB123CDE";
    s.certificateur = "E564ACB0";
    s.id_contrat = "MCFCER000209";
    return s;
  }

  // Runs a session over `passages` and returns its outcome.
  Result<DepositOutcome> Deposit(const SessionSettings& settings,
                                 const std::vector<Passage>& passages) {
    DepositSession session(settings, *publisher_, *zone_, clock_, logger_);
    for (const Passage& p : passages) {
      if (auto r = session.Add(p); !r) return std::unexpected(r.error());
    }
    EXPECT_EQ(session.passages_added(), passages.size());
    return session.Finish();
  }

  // The errors of `path` against `schema`.
  static std::vector<xml::XsdError> Errors(const xml::XsdSchema& schema, const std::string& path) {
    auto errors = schema.Validate(path);
    EXPECT_TRUE(errors) << errors.error().message();
    return errors ? *errors : std::vector<xml::XsdError>{};
  }

  std::string dir_, state_;
  testing::FakeClock clock_{kNow};
  testing::CaptureLogger logger_;
  std::optional<TimeZone> zone_;
  std::unique_ptr<Publisher> publisher_;
  Mapping rncp_, rs_;
  std::shared_ptr<const xml::XsdSchema> own_, strict_;
};

// ---------------------------------------------------------------------------------------------
// Splitting

TEST_F(SessionTest, SplitsByCountIntoCompleteValidFilesEachWithItsOwnIdFlux) {
  std::vector<Passage> passages;
  for (int i = 0; i < 25; ++i) passages.push_back(MakePassage(i < 15 ? rncp_ : rs_, i));
  auto outcome = Deposit(Settings(own_, 10), passages);
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(outcome->rejections.empty());
  ASSERT_EQ(outcome->files.size(), 3u);

  auto ids = [](int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) out.push_back(Id(i));
    return out;
  };
  using Certifications = std::vector<std::pair<std::string, std::vector<std::string>>>;
  const std::vector<Certifications> expected = {
      {{"RNCP35830", ids(0, 10)}},
      {{"RNCP35830", ids(10, 15)}, {"RS5875", ids(15, 20)}},
      {{"RS5875", ids(20, 25)}},
  };
  const std::vector<std::uint64_t> counts = {10, 10, 5};
  static const std::regex kUuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> id_fluxes;
  for (std::size_t i = 0; i < 3; ++i) {
    const PublishedFile& f = outcome->files[i];
    EXPECT_EQ(f.name, "E564ACB0_20261127T013012Z_00" + std::to_string(i + 1) + ".xml");
    EXPECT_EQ(f.path, state_ + "/outbox/" + f.name);
    EXPECT_EQ(f.passages, counts[i]);
    EXPECT_EQ(f.certificateur, "E564ACB0");
    EXPECT_EQ(f.bytes, fs::file_size(f.path));
    const FileContent content = Parse(f.path);
    EXPECT_EQ(content.certifications, expected[i]) << f.name;
    EXPECT_EQ(content.id_flux, f.id_flux);
    EXPECT_TRUE(std::regex_match(f.id_flux, kUuid)) << f.id_flux;
    EXPECT_EQ(content.horodatage, "2026-11-27T02:30:12+01:00");
    EXPECT_TRUE(ReadAll(f.path).ends_with("</cpf:flux>\n"));
    const std::vector<xml::XsdError> errors = Errors(*own_, f.path);
    EXPECT_TRUE(errors.empty()) << f.name << ":" << errors.front().line << ": "
                                << errors.front().message;
    id_fluxes.insert(f.id_flux);
  }
  EXPECT_EQ(id_fluxes.size(), 3u);
  EXPECT_EQ(OutboxFiles(publisher_->outbox()),
            (std::vector<std::string>{"E564ACB0_20261127T013012Z_001.xml",
                                      "E564ACB0_20261127T013012Z_002.xml",
                                      "E564ACB0_20261127T013012Z_003.xml"}));
}

TEST_F(SessionTest, ACertificationThatComesBackJoinsItsGroupInTheSameFile) {
  std::vector<Passage> passages = {MakePassage(rncp_, 0), MakePassage(rs_, 1),
                                   MakePassage(rncp_, 2)};
  auto outcome = Deposit(Settings(own_), passages);
  ASSERT_TRUE(outcome) << outcome.error().message();
  ASSERT_EQ(outcome->files.size(), 1u);
  using Certifications = std::vector<std::pair<std::string, std::vector<std::string>>>;
  EXPECT_EQ(Parse(outcome->files[0].path).certifications,
            (Certifications{{"RNCP35830", {"P000", "P002"}}, {"RS5875", {"P001"}}}));
  EXPECT_TRUE(Errors(*own_, outcome->files[0].path).empty());
  EXPECT_TRUE(PartialFiles(state_).empty());  // nor any spool
}

// One mapping whose certification comes from columns: each passage carries its own, and the
// file groups them -- the certification it starts with first, then the others by type and code.
TEST_F(SessionTest, PassagesOfOneMappingWithSeveralCertificationsAreGroupedInTheFile) {
  Mapping catalogue;
  catalogue.name = "catalogue";
  catalogue.nature_deposant = "CERTIFICATEUR";
  const std::vector<Certification> order = {
      {"RS", "RS5875"}, {"RNCP", "RNCP35830"}, {"RS", "RS6521"},     {"RNCP", "RNCP35830"},
      {"RS", "RS5875"}, {"RNCP", "RNCP36141"}, {"RNCP", "RNCP35830"}};
  std::vector<Passage> passages;
  for (std::size_t i = 0; i < order.size(); ++i) {
    passages.push_back(MakePassage(catalogue, static_cast<int>(i)));
    passages.back().certification = order[i];
  }
  using Certifications = std::vector<std::pair<std::string, std::vector<std::string>>>;
  auto outcome = Deposit(Settings(strict_), passages);
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(outcome->rejections.empty());
  ASSERT_EQ(outcome->files.size(), 1u);
  EXPECT_EQ(outcome->files[0].passages, 7u);
  EXPECT_EQ(Parse(outcome->files[0].path).certifications,
            (Certifications{{"RS5875", {"P000", "P004"}},
                            {"RNCP35830", {"P001", "P003", "P006"}},
                            {"RNCP36141", {"P005"}},
                            {"RS6521", {"P002"}}}));
  const std::string xml = ReadAll(outcome->files[0].path);
  EXPECT_THAT(xml, HasSubstr("<cpf:type>RNCP</cpf:type>"));
  std::size_t natures = 0;
  for (std::size_t at = xml.find("<cpf:natureDeposant>CERTIFICATEUR<"); at != std::string::npos;
       at = xml.find("<cpf:natureDeposant>CERTIFICATEUR<", at + 1)) {
    ++natures;
  }
  EXPECT_EQ(natures, 4u);  // one per certification
  EXPECT_TRUE(Errors(*strict_, outcome->files[0].path).empty());
  EXPECT_TRUE(PartialFiles(state_).empty());

  // Cut by count, each file is grouped on its own.
  clock_.Advance(1s);
  outcome = Deposit(Settings(strict_, 4), passages);
  ASSERT_TRUE(outcome) << outcome.error().message();
  ASSERT_EQ(outcome->files.size(), 2u);
  EXPECT_EQ(Parse(outcome->files[0].path).certifications,
            (Certifications{
                {"RS5875", {"P000"}}, {"RNCP35830", {"P001", "P003"}}, {"RS6521", {"P002"}}}));
  EXPECT_EQ(
      Parse(outcome->files[1].path).certifications,
      (Certifications{{"RS5875", {"P004"}}, {"RNCP35830", {"P006"}}, {"RNCP36141", {"P005"}}}));
  for (const PublishedFile& f : outcome->files) EXPECT_TRUE(Errors(*strict_, f.path).empty());
  EXPECT_TRUE(PartialFiles(state_).empty());
}

// A session abandoned part-way leaves no spool behind.
TEST_F(SessionTest, AbandonRemovesTheSpools) {
  DepositSession session(Settings(own_), *publisher_, *zone_, clock_, logger_);
  ASSERT_TRUE(session.Add(MakePassage(rncp_, 0)));
  ASSERT_TRUE(session.Add(MakePassage(rs_, 1)));
  EXPECT_EQ(PartialFiles(state_).size(), 2u);  // the file and the RS spool
  DepositOutcome outcome = session.Abandon();
  EXPECT_TRUE(outcome.files.empty());
  EXPECT_TRUE(PartialFiles(state_).empty());
}

TEST_F(SessionTest, SplitsBySizeBeforeTheLimitAndNotLongBeforeIt) {
  std::vector<Passage> passages;
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 40; ++i) {
    passages.push_back(MakePassage(i % 7 < 4 ? rncp_ : rs_, i, "DUPONT",
                                   std::string(static_cast<std::size_t>(1 + i * 37 % 200), 'v')));
    sizes.push_back(xml::SerializePassage(passages.back(), SchemaVersion::k115).size());
  }
  for (std::uint64_t max : {2'500u, 3'000u, 3'333u, 4'096u, 6'000u, 10'000u}) {
    SCOPED_TRACE("max_bytes " + std::to_string(max));
    auto outcome = Deposit(Settings(own_, 50'000, max), passages);
    ASSERT_TRUE(outcome) << outcome.error().message();
    ASSERT_GE(outcome->files.size(), 2u);
    std::vector<std::string> all;
    std::size_t next = 0;  // index of the first passage of the next file
    for (std::size_t k = 0; k < outcome->files.size(); ++k) {
      const PublishedFile& f = outcome->files[k];
      EXPECT_EQ(f.bytes, fs::file_size(f.path));
      EXPECT_LE(f.bytes, max) << f.name;
      const FileContent content = Parse(f.path);
      EXPECT_EQ(content.ids.size(), f.passages);
      EXPECT_GE(f.passages, 1u);
      for (const auto& [code, ids] : content.certifications) EXPECT_FALSE(ids.empty()) << code;
      all.insert(all.end(), content.ids.begin(), content.ids.end());
      next += f.passages;
      if (k + 1 < outcome->files.size()) {
        // Cut because the next passage, with its margins, would not have fitted.
        EXPECT_GT(f.bytes + sizes[next] + xml::DepositWriter::kPassageOverhead +
                      xml::DepositWriter::kMaxTailBytes + 512,
                  max)
            << f.name << " was cut too early";
      }
      EXPECT_TRUE(Errors(*own_, f.path).empty()) << f.name;
    }
    // Every passage once; each file holds the next ones in order, grouped by certification.
    std::vector<std::string> expected;
    for (int i = 0; i < 40; ++i) expected.push_back(Id(i));
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, expected);
  }
}

TEST_F(SessionTest, APassageLargerThanTheLimitAloneIsAConfigurationError) {
  const Passage p = MakePassage(rncp_, 0);
  const std::size_t size = xml::SerializePassage(p, SchemaVersion::k115).size();
  DepositSession session(Settings(own_, 50'000, 1'000), *publisher_, *zone_, clock_, logger_);
  auto added = session.Add(p);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(added.error().message(), "passage P000 alone (" + std::to_string(size) +
                                         " bytes) does not fit in max_file_size");
  auto outcome = session.Finish();
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(outcome->files.empty());
  EXPECT_TRUE(OutboxFiles(publisher_->outbox()).empty());
}

TEST_F(SessionTest, APassageThatCannotBeWrittenInTheVersionIsAnInternalError) {
  Passage nir = MakePassage(rncp_, 0);
  nir.identification = mappings::Group::kIdentifiantNational;  // not in 1.1.2
  nir[Field::nir] = FieldValue{FieldValue::State::kValue, "1850775123456"};
  SessionSettings settings = Settings(own_);
  settings.version = SchemaVersion::k112;
  DepositSession session(settings, *publisher_, *zone_, clock_, logger_);
  auto added = session.Add(nir);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(added.error().message(), "passage P000 cannot be serialized");
  EXPECT_EQ(session.passages_added(), 0u);
  auto outcome = session.Finish();
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(outcome->files.empty());
}

TEST_F(SessionTest, FinishWithoutPassagesPublishesNothing) {
  auto outcome = Deposit(Settings(own_), {});
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(outcome->files.empty());
  EXPECT_TRUE(OutboxFiles(publisher_->outbox()).empty());
  EXPECT_FALSE(fs::exists(publisher_->archive() + "/manifest.tsv"));
}

TEST_F(SessionTest, AnAbandonedSessionLeavesNoPartialFile) {
  {
    DepositSession session(Settings(own_, 2), *publisher_, *zone_, clock_, logger_);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(session.Add(MakePassage(rncp_, i)));
  }  // destroyed without Finish()
  EXPECT_TRUE(PartialFiles(state_).empty());
}

TEST_F(SessionTest, HorodatageIsParisLocalTimeWithItsSummerOffsetAndNamesAreUtc) {
  clock_.Advance(std::chrono::duration_cast<Duration>(
      std::chrono::sys_days{std::chrono::year(2027) / 7 / 1} + 10h - kNow));
  auto outcome = Deposit(Settings(own_), {MakePassage(rncp_, 0)});
  ASSERT_TRUE(outcome) << outcome.error().message();
  ASSERT_EQ(outcome->files.size(), 1u);
  EXPECT_EQ(outcome->files[0].name, "E564ACB0_20270701T100000Z_001.xml");
  EXPECT_EQ(outcome->files[0].published_at, "2027-07-01T10:00:00Z");
  EXPECT_EQ(Parse(outcome->files[0].path).horodatage, "2027-07-01T12:00:00+02:00");
}

// The check and the file's record run on threads of their own, named so that `top -H` and perf
// tell them apart; the caller's thread keeps its name.
TEST_F(SessionTest, TheCheckAndTheFilesRecordRunOnNamedThreads) {
  std::mutex mutex;
  std::string before_on, after_on;
  SessionSettings settings = Settings(own_);
  settings.hooks.before = [&](const std::string&, const std::string&,
                              const std::vector<std::string>&) -> Result<std::int64_t> {
    std::lock_guard lock(mutex);
    before_on = ThreadName();
    return 1;
  };
  settings.hooks.after = [&](std::int64_t, const PublishedFile&) -> Result<void> {
    std::lock_guard lock(mutex);
    after_on = ThreadName();
    return {};
  };
  const std::string caller = ThreadName();
  auto outcome = Deposit(settings, {MakePassage(rncp_, 0)});
  ASSERT_TRUE(outcome) << outcome.error().message();
  ASSERT_EQ(outcome->files.size(), 1u);
  EXPECT_EQ(before_on, "acc-file-record");
  EXPECT_EQ(after_on, "acc-check");
  EXPECT_EQ(ThreadName(), caller);
}

// An exception on the check's thread (here a hook's, as the state store's library could throw)
// fails the file and the session -- the process goes on, the file is told if it reached the
// outbox, nothing partial stays.
TEST_F(SessionTest, AnExceptionOnTheChecksThreadFailsTheSessionNotTheProcess) {
  SessionSettings settings = Settings(own_, 2);
  std::atomic<int> abandoned = 0;
  settings.hooks.before = [](const std::string&, const std::string&,
                             const std::vector<std::string>&) -> Result<std::int64_t> { return 7; };
  settings.hooks.after = [](std::int64_t, const PublishedFile&) -> Result<void> {
    throw std::runtime_error("database is locked");
  };
  settings.hooks.abandoned = [&abandoned](std::int64_t, const std::string&) { ++abandoned; };
  DepositSession session(settings, *publisher_, *zone_, clock_, logger_);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(session.Add(MakePassage(rncp_, i)));
  auto outcome = session.Finish();
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(outcome.error().message(),
            "deposit file E564ACB0_20261127T013012Z_001.xml: database is locked");
  // The first file reached the outbox before its hook threw; the second was not published.
  EXPECT_EQ(OutboxFiles(publisher_->outbox()).size(), 1u);
  EXPECT_EQ(abandoned, 0);  // its record is completed at the next start (Publisher::Complete)
  EXPECT_TRUE(PartialFiles(state_).empty());
}

// ---------------------------------------------------------------------------------------------
// Manifest, archive, modes, partial files

TEST_F(SessionTest, ManifestArchiveAndModesOfEveryPublishedFile) {
  std::vector<Passage> passages;
  for (int i = 0; i < 25; ++i) passages.push_back(MakePassage(i < 15 ? rncp_ : rs_, i));
  auto outcome = Deposit(Settings(own_, 10), passages);
  ASSERT_TRUE(outcome) << outcome.error().message();
  ASSERT_EQ(outcome->files.size(), 3u);

  const std::vector<std::string> manifest = Lines(ReadAll(state_ + "/archive/manifest.tsv"));
  ASSERT_EQ(manifest.size(), 4u);
  EXPECT_EQ(manifest[0], "# published_at\tfile\tidFlux\tsha256\tpassages\tcertificateur");
  for (std::size_t i = 0; i < 3; ++i) {
    const PublishedFile& f = outcome->files[i];
    auto sha = Sha256OfFile(::accrochd::testing::RealFiles(), f.path);
    ASSERT_TRUE(sha) << sha.error().message();
    EXPECT_EQ(f.sha256, *sha);
    EXPECT_EQ(manifest[i + 1], "2026-11-27T01:30:12Z\t" + f.name + "\t" + f.id_flux + "\t" + *sha +
                                   "\t" + std::to_string(f.passages) + "\tE564ACB0");
    EXPECT_EQ(f.archive_path, state_ + "/archive/2026/11/" + f.name + ".zst");
    auto [unzipped, status] = RunCommand("zstd -dcq '" + f.archive_path + "'");
    EXPECT_EQ(status, 0);
    EXPECT_TRUE(unzipped == ReadAll(f.path)) << f.name << ": the archive differs";
    EXPECT_EQ(ModeOf(f.path), 0600u);
    EXPECT_EQ(ModeOf(f.archive_path), 0600u);
  }
  EXPECT_EQ(ModeOf(state_ + "/archive/manifest.tsv"), 0600u);
  for (const std::string& d : {state_, state_ + "/outbox", state_ + "/archive",
                               state_ + "/archive/2026", state_ + "/archive/2026/11"}) {
    EXPECT_EQ(ModeOf(d), 0700u) << d;
  }
  EXPECT_TRUE(PartialFiles(state_).empty());
  EXPECT_THAT(logger_.Text(), HasSubstr("deposit file E564ACB0_20261127T013012Z_003.xml "
                                        "published: 5 passage(s), idFlux " +
                                        outcome->files[2].id_flux));
}

TEST_F(SessionTest, PrepareRemovesPartialFilesLeftByAKilledProcessAndNothingElse) {
  const std::string outbox = publisher_->outbox();
  fs::create_directories(publisher_->archive() + "/2026/11");
  const std::vector<std::string> partial = {
      outbox + "/.E564ACB0_20261127T013012Z_001.xml.partial",
      outbox + "/.E564ACB0_20261127T013012Z_001.xml.1.partial",
      publisher_->archive() + "/2026/11/.E564ACB0_20261127T013012Z_001.xml.zst.partial"};
  const std::vector<std::string> kept = {outbox + "/E564ACB0_20261127T013012Z_002.xml",
                                         outbox + "/visible.partial", outbox + "/.hidden.xml",
                                         publisher_->archive() + "/2026/11/A.xml.zst"};
  for (const std::string& f : partial) testing::WriteFile(f, "<cpf:flux", 0600);
  for (const std::string& f : kept) testing::WriteFile(f, "x", 0600);

  Publisher restarted(PublisherSettings{state_, std::nullopt, std::nullopt, {}}, clock_, logger_,
                      ::accrochd::testing::RealFiles());
  ASSERT_TRUE(restarted.Prepare());
  for (const std::string& f : partial) EXPECT_FALSE(fs::exists(f)) << f;
  for (const std::string& f : kept) EXPECT_TRUE(fs::exists(f)) << f;
  EXPECT_THAT(logger_.Text(),
              HasSubstr("removed 3 partial deposit file(s) left by an interrupted run"));
}

// ---------------------------------------------------------------------------------------------
// Passages the XSD refuses

TEST_F(SessionTest, APassageTheXsdRefusesIsQuarantinedAndTheFileRewrittenAndPublished) {
  std::vector<Passage> passages;
  for (int i = 0; i < 12; ++i)
    passages.push_back(MakePassage(rncp_, i, i == 4 ? kLongName : "DUPONT"));
  auto outcome = Deposit(Settings(strict_, 5), passages);
  ASSERT_TRUE(outcome) << outcome.error().message();

  ASSERT_EQ(outcome->rejections.size(), 1u);
  const mappings::Rejection& r = outcome->rejections[0];
  EXPECT_EQ(r.mapping, "bts-rncp");
  EXPECT_EQ(r.id_technique, "P004");
  EXPECT_EQ(r.source_key, "id=4");
  EXPECT_EQ(r.field, "nomNaissance");
  EXPECT_EQ(r.rule, mappings::Rule::kXsd);
  EXPECT_EQ(r.message, "refusé par le schéma XSD : nomNaissance : 15 caractères, 10 au plus");
  EXPECT_THAT(r.message, Not(HasSubstr("MARTIN")));

  // Published, all three, the first without the refused passage.
  ASSERT_EQ(outcome->files.size(), 3u);
  EXPECT_EQ(outcome->files[0].passages, 4u);
  EXPECT_EQ(outcome->files[1].passages, 5u);
  EXPECT_EQ(outcome->files[2].passages, 2u);
  const FileContent first = Parse(outcome->files[0].path);
  EXPECT_EQ(first.ids, (std::vector<std::string>{"P000", "P001", "P002", "P003"}));
  EXPECT_EQ(first.id_flux, outcome->files[0].id_flux);
  const std::string text = ReadAll(outcome->files[0].path);
  EXPECT_THAT(text, Not(HasSubstr("MARTIN")));
  EXPECT_EQ(Lines(text).size(), 12u + 5 + 4 + 2 + 5);  // no hole where the passage was
  for (const PublishedFile& f : outcome->files) {
    EXPECT_TRUE(Errors(*strict_, f.path).empty()) << f.name;
    EXPECT_EQ(Sha256OfFile(::accrochd::testing::RealFiles(), f.path), f.sha256);
    EXPECT_EQ(f.bytes, fs::file_size(f.path));
    // The archive holds the file as published, not the one the XSD refused.
    auto [unzipped, status] = RunCommand("zstd -dcq '" + f.archive_path + "'");
    EXPECT_EQ(status, 0);
    EXPECT_TRUE(unzipped == ReadAll(f.path)) << f.name << ": the archive differs";
  }
  const std::vector<std::string> manifest = Lines(ReadAll(state_ + "/archive/manifest.tsv"));
  ASSERT_EQ(manifest.size(), 4u);
  EXPECT_TRUE(manifest[1].ends_with("\t" + outcome->files[0].sha256 + "\t4\tE564ACB0"))
      << manifest[1];
  EXPECT_EQ(OutboxFiles(publisher_->outbox()).size(), 3u);
  EXPECT_TRUE(PartialFiles(state_).empty());
  EXPECT_THAT(logger_.Text(),
              HasSubstr("deposit file E564ACB0_20261127T013012Z_001.xml: the XSD refused 1 "
                        "passage(s); they are quarantined and the file is written again"));
  EXPECT_THAT(logger_.Text(), Not(HasSubstr("MARTIN")));
}

TEST_F(SessionTest, SeveralRefusedPassagesOfOneFileAreAllTakenOut) {
  std::vector<Passage> passages;
  const std::set<int> refused = {0, 3, 7, 9};
  for (int i = 0; i < 10; ++i) {
    passages.push_back(MakePassage(rncp_, i, refused.contains(i) ? kLongName : "DUPONT"));
  }
  auto outcome = Deposit(Settings(strict_), passages);
  ASSERT_TRUE(outcome) << outcome.error().message();
  std::vector<std::string> rejected;
  for (const mappings::Rejection& r : outcome->rejections) rejected.push_back(r.id_technique);
  EXPECT_THAT(rejected, ElementsAre("P000", "P003", "P007", "P009"));
  ASSERT_EQ(outcome->files.size(), 1u);
  EXPECT_EQ(outcome->files[0].passages, 6u);
  EXPECT_EQ(Parse(outcome->files[0].path).ids,
            (std::vector<std::string>{"P001", "P002", "P004", "P005", "P006", "P008"}));
  EXPECT_TRUE(Errors(*strict_, outcome->files[0].path).empty());
}

TEST_F(SessionTest, ACertificationLeftEmptyByARefusalIsDroppedFromTheFile) {
  std::vector<Passage> passages = {MakePassage(rncp_, 0), MakePassage(rs_, 1, kLongName),
                                   MakePassage(rncp_, 2)};
  auto outcome = Deposit(Settings(strict_), passages);
  ASSERT_TRUE(outcome) << outcome.error().message();
  ASSERT_EQ(outcome->rejections.size(), 1u);
  EXPECT_EQ(outcome->rejections[0].mapping, "tosa-rs");
  ASSERT_EQ(outcome->files.size(), 1u);
  using Certifications = std::vector<std::pair<std::string, std::vector<std::string>>>;
  EXPECT_EQ(Parse(outcome->files[0].path).certifications,
            (Certifications{{"RNCP35830", {"P000", "P002"}}}));
  EXPECT_THAT(ReadAll(outcome->files[0].path), Not(HasSubstr("RS5875")));
  EXPECT_TRUE(Errors(*strict_, outcome->files[0].path).empty());
}

TEST_F(SessionTest, WhenEveryPassageIsRefusedNoFileIsPublished) {
  std::vector<Passage> passages;
  for (int i = 0; i < 3; ++i) passages.push_back(MakePassage(i == 1 ? rs_ : rncp_, i, kLongName));
  auto outcome = Deposit(Settings(strict_), passages);
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(outcome->files.empty());
  ASSERT_EQ(outcome->rejections.size(), 3u);
  for (const mappings::Rejection& r : outcome->rejections) EXPECT_EQ(r.rule, mappings::Rule::kXsd);
  EXPECT_TRUE(OutboxFiles(publisher_->outbox()).empty());
  EXPECT_FALSE(fs::exists(state_ + "/archive/manifest.tsv"));
  EXPECT_TRUE(PartialFiles(state_).empty());
}

TEST_F(SessionTest, ARefusalOutsideAnyPassageFailsAndPublishesNothing) {
  Mapping long_code = rncp_;
  long_code.certification.constant->code = "RNCP" + std::string(100, '9');  // 104 > 100 characters
  auto outcome = Deposit(Settings(own_), {MakePassage(long_code, 0)});
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind(), ErrorKind::kInternal);
  EXPECT_THAT(outcome.error().message(),
              StartsWith("deposit file E564ACB0_20261127T013012Z_001.xml is refused by accrochd "
                         "1.1.5 outside any passage, line 15 (the certification's code, from "
                         "certification.code in a mapping): Element "
                         "'{urn:cdc:cpf:pc5:schema:1.0.0}code': [facet 'maxLength']"));
  EXPECT_TRUE(OutboxFiles(publisher_->outbox()).empty());
  EXPECT_TRUE(PartialFiles(state_).empty());  // nor the archive copy the check began
}

// A header value the XSD refuses names the setting behind it: the administrator corrects the
// configuration, not the deposit file.
TEST_F(SessionTest, ARefusedHeaderValueNamesItsConfigurationKey) {
  SessionSettings settings = Settings(own_);
  settings.certifier = "institut";
  settings.id_contrat = std::string(21, 'C');  // idContrat: 1 to 20 characters
  auto outcome = Deposit(settings, {MakePassage(rncp_, 0)});
  ASSERT_FALSE(outcome);
  EXPECT_THAT(outcome.error().message(),
              StartsWith("deposit file E564ACB0_20261127T013012Z_001.xml is refused by accrochd "
                         "1.1.5 outside any passage, line 11 (idContrat, from "
                         "certifiers.institut.id_contrat in the configuration): Element "
                         "'{urn:cdc:cpf:pc5:schema:1.0.0}idContrat': [facet 'maxLength']"));
  EXPECT_THAT(outcome.error().message(), Not(HasSubstr(settings.id_contrat)));
  settings = Settings(own_);
  settings.certifier = "institut";
  settings.certificateur = "E564ACB";  // a BCR has 8 characters
  outcome = Deposit(settings, {MakePassage(rncp_, 0)});
  ASSERT_FALSE(outcome);
  EXPECT_THAT(outcome.error().message(),
              HasSubstr(" outside any passage, line 10 (the certifier's idClient, from "
                        "certifiers.institut.id_client in the configuration): "));
}

// A new certification element costs what its type and code take (up to 255 and 100 characters):
// a fixed allowance once let files with long ones end up over max_bytes.
TEST_F(SessionTest, SizeLimitHoldsWithLongCertificationTypeAndCode) {
  Mapping a = rncp_, b = rs_;
  a.certification.constant = Certification{std::string(250, 'T'), std::string(100, 'C')};
  b.certification.constant = Certification{std::string(250, 'U'), std::string(100, 'D')};
  std::vector<Passage> passages;
  for (int i = 0; i < 20; ++i) passages.push_back(MakePassage(i % 3 == 0 ? b : a, i));
  for (std::uint64_t max = 2'000; max < 2'100; max += 7) {
    clock_.Advance(1s);  // file names of a new second for each run
    auto outcome = Deposit(Settings(own_, 50'000, max), passages);
    if (!outcome) continue;  // a passage alone does not fit: not this test's concern
    for (const PublishedFile& f : outcome->files) {
      EXPECT_LE(f.bytes, max) << f.name << " with max_bytes " << max;
    }
  }
}

// Validate() keeps 1,000 errors per pass: the file is rewritten as often as it takes, so
// thousands of refused passages are all quarantined, and no message quotes a value.
TEST_F(SessionTest, ThousandsOfRefusedPassagesAreQuarantinedNotFatal) {
  std::string xsd = DaemonXsd(SchemaVersion::k115);
  const std::string from =
      "<xsd:element name=\"nomNaissance\"><xsd:simpleType><xsd:restriction base=\"xsd:string\">"
      "<xsd:minLength value=\"1\"/><xsd:maxLength value=\"60\"/>";
  const std::size_t at = xsd.find(from);
  ASSERT_NE(at, std::string::npos);
  xsd.replace(at, from.size(),
              "<xsd:element name=\"nomNaissance\"><xsd:simpleType><xsd:restriction "
              "base=\"xsd:string\"><xsd:pattern value=\"[A-Z]{1,10}\"/>");
  auto schema = xml::XsdSchema::FromText(xsd, "pattern");
  ASSERT_TRUE(schema) << schema.error().message();
  std::vector<Passage> passages;
  for (int i = 0; i < 4'500; ++i) {
    passages.push_back(MakePassage(rncp_, i, i % 10 == 0 ? "DUPONT" : kLongName));
  }
  auto outcome = Deposit(Settings(*schema), passages);
  if (!outcome) {
    EXPECT_THAT(outcome.error().message(), Not(HasSubstr(kLongName)));
    FAIL() << outcome.error().message();
  }
  EXPECT_EQ(outcome->rejections.size(), 4'050u);
  ASSERT_EQ(outcome->files.size(), 1u);
  const PublishedFile& f = outcome->files[0];
  EXPECT_EQ(f.passages, 450u);
  // Written four times, checked and compressed at each pass (megabytes, beyond zstd's buffer):
  // the archive holds the last.
  auto [unzipped, status] = RunCommand("zstd -dcq '" + f.archive_path + "'");
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(unzipped == ReadAll(f.path)) << "the archive differs from the file";
  EXPECT_EQ(Sha256OfFile(::accrochd::testing::RealFiles(), f.path), f.sha256);
  EXPECT_TRUE(PartialFiles(state_).empty());
}

// ---------------------------------------------------------------------------------------------
// RewriteWithout

class RewriteWithoutTest : public ::testing::Test {
 protected:
  // Header 1-12; RNCP open 13-17, A-1 on 18, close 19-20; RS open 21-24, B-1 on 25, B-2 on 26,
  // close 27-28; end 29-33.
  void SetUp() override {
    dir_ = TestDir();
    from_ = dir_ + "/from.xml";
    xml::FluxHeader h;
    h.id_flux = "f";
    h.horodatage = "2026-11-27T02:30:12+01:00";
    h.emetteur = "AB123CDE";
    h.certificateur = "E564ACB0";
    h.id_contrat = "C1";
    auto writer = xml::DepositWriter::Create(::accrochd::testing::RealFiles(), from_, h);
    ASSERT_TRUE(writer) << writer.error().message();
    Mapping m;
    ASSERT_TRUE((*writer)->OpenCertification({"RNCP", "RNCP35830"}, std::string("CERTIFICATEUR")));
    ASSERT_TRUE((*writer)->AppendPassage(
        xml::SerializePassage(MakePassage(m, 1), SchemaVersion::k115), "A-1"));
    ASSERT_TRUE((*writer)->CloseCertification());
    ASSERT_TRUE((*writer)->OpenCertification({"RS", "RS5875"}, std::nullopt));
    for (int i : {2, 3}) {
      ASSERT_TRUE((*writer)->AppendPassage(
          xml::SerializePassage(MakePassage(m, i), SchemaVersion::k115), i == 2 ? "B-1" : "B-2"));
    }
    ASSERT_TRUE((*writer)->Finish());
    layout_ = (*writer)->layout();
    ASSERT_EQ(layout_.passage_lines, (std::vector<std::uint64_t>{18, 25, 26}));
    auto schema = xml::XsdSchema::FromText(mappings::GenerateXsd(SchemaVersion::k115), "own");
    ASSERT_TRUE(schema);
    schema_ = *schema;
  }

  // The lines of `from_` without those numbered `dropped` (1-based).
  std::vector<std::string> LinesWithout(const std::set<std::uint64_t>& dropped) const {
    std::vector<std::string> out;
    const std::vector<std::string> lines = Lines(ReadAll(from_));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (!dropped.contains(i + 1)) out.push_back(lines[i]);
    }
    return out;
  }

  std::string dir_, from_;
  xml::FileLayout layout_;
  std::shared_ptr<const xml::XsdSchema> schema_;
};

TEST_F(RewriteWithoutTest, DropsACertificationLeftEmptyAndRenumbersTheLayout) {
  const std::string to = dir_ + "/to.xml";
  auto layout = RewriteWithout(::accrochd::testing::RealFiles(), from_, to, layout_, {18});
  ASSERT_TRUE(layout) << layout.error().message();
  ASSERT_EQ(layout->certifications.size(), 1u);
  const xml::FileLayout::Certification& c = layout->certifications[0];
  EXPECT_EQ(c.open_first, 13u);
  EXPECT_EQ(c.open_last, 16u);
  EXPECT_EQ(c.passage_lines, (std::vector<std::uint64_t>{17, 18}));
  EXPECT_EQ(c.close_first, 19u);
  EXPECT_EQ(c.close_last, 20u);
  EXPECT_EQ(layout->passage_lines, (std::vector<std::uint64_t>{17, 18}));
  EXPECT_EQ(layout->id_techniques, (std::vector<std::string>{"B-1", "B-2"}));

  const std::string text = ReadAll(to);
  EXPECT_EQ(Lines(text), LinesWithout({13, 14, 15, 16, 17, 18, 19, 20}));
  EXPECT_TRUE(text.ends_with("</cpf:flux>\n"));
  EXPECT_EQ(ModeOf(to), 0600u);
  auto errors = schema_->Validate(to);
  ASSERT_TRUE(errors);
  EXPECT_TRUE(errors->empty());
}

TEST_F(RewriteWithoutTest, KeepsACertificationThatStillHasPassages) {
  const std::string to = dir_ + "/to.xml";
  auto layout = RewriteWithout(::accrochd::testing::RealFiles(), from_, to, layout_, {26});
  ASSERT_TRUE(layout) << layout.error().message();
  ASSERT_EQ(layout->certifications.size(), 2u);
  EXPECT_EQ(layout->certifications[0].passage_lines, (std::vector<std::uint64_t>{18}));
  EXPECT_EQ(layout->certifications[1].open_first, 21u);
  EXPECT_EQ(layout->certifications[1].open_last, 24u);
  EXPECT_EQ(layout->certifications[1].passage_lines, (std::vector<std::uint64_t>{25}));
  EXPECT_EQ(layout->certifications[1].close_first, 26u);
  EXPECT_EQ(layout->certifications[1].close_last, 27u);
  EXPECT_EQ(layout->id_techniques, (std::vector<std::string>{"A-1", "B-1"}));
  EXPECT_EQ(Lines(ReadAll(to)), LinesWithout({26}));
  auto errors = schema_->Validate(to);
  ASSERT_TRUE(errors);
  EXPECT_TRUE(errors->empty());
}

TEST_F(RewriteWithoutTest, RefusesAnExistingTargetOrAMissingSource) {
  const std::string to = dir_ + "/taken.xml";
  testing::WriteFile(to, "x", 0600);
  auto taken = RewriteWithout(::accrochd::testing::RealFiles(), from_, to, layout_, {18});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(taken.error().message(), "cannot create " + to + ": File exists");
  EXPECT_EQ(ReadAll(to), "x");

  auto missing = RewriteWithout(::accrochd::testing::RealFiles(), dir_ + "/none.xml",
                                dir_ + "/to.xml", layout_, {18});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(missing.error().message(),
            "cannot read " + dir_ + "/none.xml: No such file or directory");
  EXPECT_FALSE(fs::exists(dir_ + "/to.xml"));
}

}  // namespace
}  // namespace accrochd::deposit
