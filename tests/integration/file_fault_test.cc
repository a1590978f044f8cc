// A full or failing disk at every write point (style.md §3, after LevelDB's fault injection
// test). A deposit cycle -- the real daemon reading a SQLite database through the SQLite ODBC
// driver, a real state store, the real deposit writer, and a copy of the official 1.1.5 XSD made
// stricter on nomNaissance so that one passage is refused and its file rewritten -- and a receipt
// import are each run once to list their write points through a FaultInjectingFileSystem; then,
// for ENOSPC and for EIO, each point in turn is made to fail. For every point:
//   - the run reports an error naming the path and the system's reason (only the best-effort
//     removal of a partial file may fail silently: the next start removes what it left);
//   - nothing is half-published: every file in outbox/ is recorded published in the store, and no
//     deposit is left "publishing";
//   - the next run, without faults, completes: no partial file is left anywhere, each valid
//     passage is in exactly one published file (valid against the official XSD, archived and in
//     the manifest), the refused one is quarantined.
// The receipt walk checks the same of an accusé de traitement: imported once, archived once.
// Finally, under umask 000, the modes of every file and directory accrochd makes.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/deposit/publisher.h"
#include "connectors/store/state_store.h"
#include "connectors/xml/xsd_validator.h"
#include "core/file_system.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/receipts.h"
#include "daemon/state_lock.h"
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
using ::accrochd::testing::ModeOf;
using ::accrochd::testing::ReadAll;
using ::testing::HasSubstr;

constexpr const char* kBcr = "E564ACB0";
const std::set<std::string> kValid = {"FLT-1", "FLT-2"};
constexpr const char* kRefused = "FLT-3";  // nomNaissance over the stricter XSD's 10 characters

// Every .NAME.partial file under `dir`.
std::vector<std::string> Partials(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(".") && name.ends_with(".partial")) out.push_back(it->path().string());
  }
  return out;
}

// The files of `dir` whose name ends with `suffix`, recursively.
std::vector<std::string> FilesEndingWith(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file() && !name.starts_with(".") && name.ends_with(suffix)) {
      out.push_back(it->path().string());
    }
  }
  return out;
}

std::vector<std::string> IdsIn(const std::string& path) {
  static const std::regex kId("<cpf:passageCertification><cpf:idTechnique>([^<]*)<");
  std::vector<std::string> ids;
  const std::string text = ReadAll(path);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kId); it != std::sregex_iterator();
       ++it) {
    ids.push_back((*it)[1]);
  }
  return ids;
}

// The official XSD with nomNaissance limited to 10 characters instead of 60.
std::string StricterXsd(const std::string& official) {
  std::string xsd = ReadAll(official);
  const std::size_t element = xsd.find("<xsd:element name=\"nomNaissance\">");
  const std::size_t limit = xsd.find("<xsd:maxLength value=\"60\"/>", element);
  if (element == std::string::npos || limit == std::string::npos) return "";
  xsd.replace(limit, std::string("<xsd:maxLength value=\"60\"/>").size(),
              "<xsd:maxLength value=\"10\"/>");
  return xsd;
}

std::string Receipt(const std::string& name, const std::string& id_flux) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rapport>\n  <nomFichier>" + name +
         "</nomFichier>\n  <idFlux>" + id_flux +
         "</idFlux>\n  <idTraitement>67598</idTraitement>\n  <PassagesKO>\n    <passage>\n"
         "      <idTechnique>FLT-2</idTechnique>\n      <messageErreur>Le code postal est "
         "invalide</messageErreur>\n    </passage>\n  </PassagesKO>\n  <PassagesOK>\n"
         "    <idTechnique>FLT-1</idTechnique>\n  </PassagesOK>\n</rapport>\n";
}

class FileFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ACCROCHD_REQUIRE_OFFICIAL_XSD(official, "1.1.5");
    official_ = official;
    const std::string name = std::string("file-fault.") +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = testing::MakeTempDir(name);
    // On tmpfs when there is one: the walks are a few hundred runs, each with its fsyncs.
    data_ = testing::FastScratchDir(name, dir_);
    const std::string xsd = StricterXsd(official_);
    ASSERT_FALSE(xsd.empty()) << "nomNaissance's maxLength not found in " << official_;
    testing::WriteFile(dir_ + "/strict.xsd", xsd);
    const std::string db = data_ + "/ecole.db";
    admin_ = std::make_unique<testing::OdbcAdmin>("Driver=SQLite3;Database=" + db + ";");
    admin_->Exec(
        "CREATE TABLE resultat (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, "
        "sexe TEXT, delivre TEXT)");
    admin_->Exec(
        "INSERT INTO resultat VALUES (1, 'DUPONT', 'Jean', 1990, 'M', '2026-11-20'), "
        "(2, 'MARTIN', 'Anne', 1985, 'F', '2026-11-21'), "
        "(3, 'MARTIN-DUBOISSY', 'Paul', 1979, 'M', '2026-11-22')");
    fs::create_directories(dir_ + "/mappings");
    testing::WriteFile(dir_ + "/mappings/bts.yaml",
                       "certification: {type: RNCP, code: RNCP35830}\n"
                       "source: ecole\n"
                       "query: SELECT id, nom, prenom, annee, sexe, delivre FROM resultat\n"
                       "key: id\n"
                       "id_technique: \"FLT-{id}\"\n"
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
                       "  moisNaissance: nil\n"
                       "  jourNaissance: nil\n"
                       "  sexe: sexe\n"
                       "  codePostal: nil\n");
    testing::WriteFile(dir_ + "/accrochd.yaml", "state_directory: " + data_ +
                                                    "/state\n"
                                                    "timezone: Europe/Paris\n"
                                                    "deposit:\n"
                                                    "  schema: strict.xsd\n"
                                                    "sources:\n"
                                                    "  ecole:\n"
                                                    "    connection: \"Driver=SQLite3;Database=" +
                                                    db +
                                                    ";\"\n"
                                                    "certifiers:\n"
                                                    "  ecole:\n"
                                                    "    id_client: \"" +
                                                    std::string(kBcr) +
                                                    "\"\n"
                                                    "    id_contrat: \"MCFCER000042\"\n"
                                                    "    mappings:\n"
                                                    "      - mappings/bts.yaml\n");
    auto config = LoadConfig(dir_ + "/accrochd.yaml", Environment{});
    ASSERT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
    config_ = std::make_unique<Config>(std::move(*config));
  }

  void TearDown() override {
    admin_.reset();
    if (data_ != dir_) fs::remove_all(data_);
  }

  Config ConfigFor(const std::string& state) const {
    Config config = *config_;
    config.state_directory = state;
    return config;
  }

  // What `accrochd once` does, without the inbox: the state directory and the store opened, the
  // daemon started (outbox prepared, a killed run's deposits settled), one cycle. The first
  // error of any step or certifier, if any.
  std::optional<Error> Once(FileSystem& files, const std::string& state,
                            CycleReport* out = nullptr) {
    clock_.Advance(1min);
    const Config config = ConfigFor(state);
    if (auto r = EnsureStateDirectory(files, state); !r) return r.error();
    auto store = store::StateStore::Open(state, clock_, files);
    if (!store) return store.error();
    Daemon daemon(config, logger_, clock_, files, store->get());
    if (auto r = daemon.Start(); !r) return r.error();
    auto report = daemon.RunCycle(DepositPolicy::kAlways, {});
    if (!report) return report.error();
    if (out != nullptr) *out = *report;
    if (!report->failures.empty()) return report->failures.front().error;
    return std::nullopt;
  }

  std::unique_ptr<store::StateStore> OpenStore(const std::string& state) {
    auto store = store::StateStore::Open(state, clock_, testing::RealFiles());
    EXPECT_TRUE(store.has_value()) << store.error().message();
    return store ? std::move(*store) : nullptr;
  }

  // Nothing half-published: every file in the outbox is recorded published, no deposit is left
  // "publishing".
  void ExpectNothingHalfPublished(const std::string& state, const std::string& context) {
    if (!fs::exists(state + "/state.db")) {  // the run stopped before the store was made
      EXPECT_FALSE(fs::exists(state + "/outbox")) << context;
      return;
    }
    auto store = OpenStore(state);
    ASSERT_TRUE(store);
    auto deposits = store->deposits().List();
    ASSERT_TRUE(deposits.has_value()) << deposits.error().message();
    std::map<std::string, std::string> by_file;
    for (const store::DepositRecord& d : *deposits) {
      by_file[d.file_name] = d.state;
      EXPECT_NE(d.state, "publishing") << context << ": " << d.file_name;
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(state + "/outbox", ec)) {
      const std::string name = e.path().filename().string();
      if (name.starts_with(".")) continue;
      EXPECT_EQ(by_file[name], "published") << context << ": " << name << " is in the outbox";
    }
  }

  // After a run without faults: no partial file, each valid passage in exactly one published
  // file (valid against the official XSD, archived, in the manifest), the refused one
  // quarantined.
  void ExpectComplete(const std::string& state, const std::string& context) {
    EXPECT_THAT(Partials(state), ::testing::IsEmpty()) << context;
    auto official = xml::XsdSchema::FromFile(official_);
    ASSERT_TRUE(official.has_value()) << official.error().message();
    std::multiset<std::string> ids;
    const std::string manifest = ReadAll(state + "/archive/manifest.tsv");
    for (const std::string& file : FilesEndingWith(state + "/outbox", ".xml")) {
      auto errors = (*official)->Validate(file);
      ASSERT_TRUE(errors.has_value()) << errors.error().message();
      EXPECT_THAT(*errors, ::testing::IsEmpty()) << context << ": " << file;
      for (const std::string& id : IdsIn(file)) ids.insert(id);
      const std::string name = fs::path(file).filename().string();
      EXPECT_TRUE(fs::exists(deposit::ArchiveDirectoryFor(state, name) + "/" + name + ".zst"))
          << context << ": " << name << " not archived";
      EXPECT_THAT(manifest, HasSubstr("\t" + name + "\t")) << context;
    }
    EXPECT_EQ(ids, std::multiset<std::string>(kValid.begin(), kValid.end())) << context;
    ExpectNothingHalfPublished(state, context);
    auto store = OpenStore(state);
    ASSERT_TRUE(store);
    auto passages = store->passages().Passages();
    ASSERT_TRUE(passages.has_value()) << passages.error().message();
    for (const store::PassageRecord& p : *passages) {
      if (p.id_technique == kRefused) {
        EXPECT_EQ(p.status, store::Status::kQuarantined) << context;
      } else {
        EXPECT_EQ(p.status, store::Status::kInDeposit) << context << ": " << p.id_technique;
      }
    }
    EXPECT_EQ(passages->size(), 3u) << context;
  }

  std::string official_;
  std::string dir_;
  std::string data_;
  std::unique_ptr<testing::OdbcAdmin> admin_;
  std::unique_ptr<Config> config_;
  testing::CaptureLogger logger_;
  // 2026-11-27T08:00:00Z
  testing::FakeClock clock_{std::chrono::sys_days{std::chrono::year(2026) / 11 / 27} + 8h};
};

// The error of a failed point names its path and the system's reason.
void ExpectNames(const Error& error, const std::string& point, int code, const std::string& ctx) {
  const std::string path = point.substr(point.find(' ') + 1);
  EXPECT_EQ(error.kind(), ErrorKind::kIo) << ctx;
  EXPECT_THAT(error.message(), HasSubstr(path)) << ctx;
  EXPECT_THAT(error.message(), HasSubstr(std::strerror(code))) << ctx;
}

// A failure at `point` is reported by the run, with a message naming it -- except the removal of
// a partial file, which is best effort (the next start removes what it left).
void ExpectReported(const std::optional<Error>& error, const std::string& point, int code,
                    const std::string& ctx) {
  if (error) {
    ExpectNames(*error, point, code, ctx);
    return;
  }
  EXPECT_TRUE(point.starts_with("remove ") && point.ends_with(".partial"))
      << ctx << ": the failure of " << point << " went unreported";
}

TEST_F(FileFaultTest, EveryWritePointOfADepositCycle) {
  PosixFileSystem real;
  FaultInjectingFileSystem faulty(real);
  // A first start and cycle, to list the write points.
  const std::string counted = data_ + "/counted";
  const std::optional<Error> first = Once(faulty, counted);
  ASSERT_FALSE(first.has_value()) << first->message();
  ExpectComplete(counted, "without faults");
  const std::vector<std::string> points = faulty.points();
  // The points a cycle must pass, by kind: the hash key, the deposit file, its rewrite without
  // the refused passage, the rename into the outbox, the archive and the manifest.
  auto has = [&](const std::string& prefix, const std::string& end) {
    return std::any_of(points.begin(), points.end(), [&](const std::string& p) {
      return p.starts_with(prefix) && p.ends_with(end);
    });
  };
  EXPECT_TRUE(has("rename " + counted + "/hash.key", ""));
  EXPECT_TRUE(has("create " + counted + "/outbox/.", ".xml.partial"));
  EXPECT_TRUE(has("create " + counted + "/outbox/.", ".xml.1.partial"));  // the rewrite
  EXPECT_TRUE(has("append " + counted + "/outbox/.", ".xml.partial"));
  EXPECT_TRUE(has("sync " + counted + "/outbox/.", ".xml.1.partial"));
  EXPECT_TRUE(has("rename " + counted + "/outbox/", ".xml"));
  EXPECT_TRUE(has("syncdir " + counted + "/outbox", ""));
  EXPECT_TRUE(has("rename " + counted + "/archive/2026/11/", ".xml.zst"));
  EXPECT_TRUE(has("append " + counted + "/archive/manifest.tsv", ""));
  EXPECT_TRUE(has("sync " + counted + "/archive/manifest.tsv", ""));
  EXPECT_TRUE(has("mkdir " + counted + "/archive/2026/11", ""));
  ASSERT_GE(points.size(), 25u);

  std::size_t walked = 0;
  for (int code : {ENOSPC, EIO}) {
    for (std::uint64_t n = 1; n <= points.size(); ++n) {
      const std::string state = data_ + "/state-" + std::to_string(code) + "-" + std::to_string(n);
      faulty.Reset();
      faulty.FailAt(n, code);
      const std::optional<Error> error = Once(faulty, state);
      const std::optional<std::string> failed = faulty.failed();
      const std::string ctx = std::string(std::strerror(code)) + " at point " + std::to_string(n) +
                              " (" + points[n - 1] + ")";
      ASSERT_TRUE(failed.has_value()) << ctx << ": the run passed fewer points";
      ExpectReported(error, *failed, code, ctx);
      ExpectNothingHalfPublished(state, ctx);
      // The next run, without faults.
      faulty.Reset();
      const std::optional<Error> next = Once(faulty, state);
      EXPECT_FALSE(next.has_value()) << ctx << ": " << next->message();
      ExpectComplete(state, ctx + ", then a run without faults");
      fs::remove_all(state);
      if (::testing::Test::HasFailure()) return;  // one story is enough to read
      ++walked;
    }
  }
  EXPECT_EQ(walked, 2 * points.size());
}

// The same walk in `accrochd run`: one daemon, started once, whose cycle fails at each point in
// turn; its next cycle completes what the failure left (a file renamed into the outbox whose
// archive copy or manifest line is missing), without a restart.
TEST_F(FileFaultTest, EveryWritePointOfACycleOfTheService) {
  PosixFileSystem real;
  FaultInjectingFileSystem faulty(real);
  struct Service {
    std::unique_ptr<store::StateStore> store;
    std::unique_ptr<Config> config;
    std::unique_ptr<Daemon> daemon;
  };
  auto start = [&](const std::string& state) {
    Service s;
    EXPECT_TRUE(EnsureStateDirectory(real, state).has_value());
    auto store = store::StateStore::Open(state, clock_, faulty);
    EXPECT_TRUE(store.has_value()) << store.error().message();
    s.store = std::move(*store);
    s.config = std::make_unique<Config>(ConfigFor(state));
    s.daemon = std::make_unique<Daemon>(*s.config, logger_, clock_, faulty, s.store.get());
    EXPECT_TRUE(s.daemon->Start().has_value());
    return s;
  };
  auto cycle = [&](Service& s) -> std::optional<Error> {
    clock_.Advance(1min);
    auto report = s.daemon->RunCycle(DepositPolicy::kAlways, {});
    if (!report) return report.error();
    if (!report->failures.empty()) return report->failures.front().error;
    return std::nullopt;
  };
  const std::string counted = data_ + "/counted";
  std::vector<std::string> points;
  {
    faulty.Reset();
    Service s = start(counted);
    faulty.Reset();
    const std::optional<Error> first = cycle(s);
    ASSERT_FALSE(first.has_value()) << first->message();
    points = faulty.points();
  }
  ExpectComplete(counted, "without faults");
  ASSERT_GE(points.size(), 20u);
  std::size_t walked = 0;
  for (int code : {ENOSPC, EIO}) {
    for (std::uint64_t n = 1; n <= points.size(); ++n) {
      const std::string state =
          data_ + "/service-" + std::to_string(code) + "-" + std::to_string(n);
      const std::string ctx = std::string(std::strerror(code)) + " at point " + std::to_string(n) +
                              " (" + points[n - 1] + ") of the service's cycle";
      {
        faulty.Reset();
        Service s = start(state);
        faulty.Reset();
        faulty.FailAt(n, code);
        const std::optional<Error> error = cycle(s);
        const std::optional<std::string> failed = faulty.failed();
        ASSERT_TRUE(failed.has_value()) << ctx << ": the cycle passed fewer points";
        ExpectReported(error, *failed, code, ctx);
        ExpectNothingHalfPublished(state, ctx);
        faulty.Reset();
        const std::optional<Error> next = cycle(s);
        EXPECT_FALSE(next.has_value()) << ctx << ": " << next->message();
      }
      // A partial file left by a failed removal goes at the next start (Publisher::Prepare).
      if (!Partials(state).empty()) {
        faulty.Reset();
        Service s = start(state);
      }
      ExpectComplete(state, ctx + ", then a cycle without faults");
      fs::remove_all(state);
      if (::testing::Test::HasFailure()) return;
      ++walked;
    }
  }
  EXPECT_EQ(walked, 2 * points.size());
}

class ReceiptFaultTest : public FileFaultTest {
 protected:
  // A state where one file was deposited and its receipt, and a file that is no receipt, wait
  // in the inbox.
  void Prepare(const std::string& state) {
    CycleReport report;
    const std::optional<Error> error = Once(testing::RealFiles(), state, &report);
    ASSERT_FALSE(error.has_value()) << error->message();
    ASSERT_EQ(report.files.size(), 1u);
    fs::create_directory(state + "/inbox");
    receipt_ = Receipt(report.files[0].name, report.files[0].id_flux);
    testing::WriteFile(state + "/inbox/accuse.xml", receipt_, 0600);
    testing::WriteFile(state + "/inbox/junk.xml", "not a receipt", 0600);
  }

  std::string receipt_;
};

TEST_F(ReceiptFaultTest, EveryWritePointOfAReceiptImport) {
  PosixFileSystem real;
  FaultInjectingFileSystem faulty(real);
  const std::string counted = data_ + "/counted";
  Prepare(counted);
  {
    auto store = OpenStore(counted);
    ASSERT_TRUE(store);
    ScanInbox(ConfigFor(counted), *store, logger_, faulty);
  }
  const std::vector<std::string> points = faulty.points();
  EXPECT_THAT(points, ::testing::Contains(HasSubstr("rename " + counted + "/inbox/refused/junk")));
  EXPECT_THAT(points, ::testing::Contains(HasSubstr(".receipt.xml")));
  EXPECT_THAT(points, ::testing::Contains("remove " + counted + "/inbox/accuse.xml"));
  ASSERT_GE(points.size(), 10u);
  std::size_t walked = 0;

  for (int code : {ENOSPC, EIO}) {
    for (std::uint64_t n = 1; n <= points.size(); ++n) {
      const std::string state = data_ + "/state-" + std::to_string(code) + "-" + std::to_string(n);
      Prepare(state);
      const std::string sha = deposit::Sha256Hex(receipt_);  // each deposit has its own idFlux
      const std::string ctx = std::string(std::strerror(code)) + " at point " + std::to_string(n) +
                              " (" + points[n - 1] + ")";
      auto store = OpenStore(state);
      ASSERT_TRUE(store);
      faulty.Reset();
      faulty.FailAt(n, code);
      const std::size_t logged = logger_.events().size();
      const std::vector<ReceiptImport> imports =
          ScanInbox(ConfigFor(state), *store, logger_, faulty);
      const std::optional<std::string> failed = faulty.failed();
      ASSERT_TRUE(failed.has_value()) << ctx;
      // Said where and why: in the import's message, or in the log.
      std::string said;
      for (const ReceiptImport& r : imports) said += r.message + "\n";
      const auto events = logger_.events();
      for (std::size_t i = logged; i < events.size(); ++i) said += events[i].message + "\n";
      EXPECT_THAT(said, HasSubstr(failed->substr(failed->find(' ') + 1))) << ctx;
      EXPECT_THAT(said, HasSubstr(std::strerror(code))) << ctx;
      // The receipt is recorded if and only if its copy is archived, and archived once.
      auto imported = store->deposits().ReceiptImported(sha);
      ASSERT_TRUE(imported.has_value()) << imported.error().message();
      const auto copies = FilesEndingWith(state + "/archive", ".receipt.xml");
      EXPECT_EQ(copies.size(), imported->has_value() ? 1u : 0u) << ctx;
      // The next cycle, without faults.
      faulty.Reset();
      const std::vector<ReceiptImport> again = ScanInbox(ConfigFor(state), *store, logger_, faulty);
      auto after = store->deposits().ReceiptImported(sha);
      ASSERT_TRUE(after.has_value() && after->has_value())
          << ctx << ": " << (again.empty() ? "nothing imported" : again.front().message);
      EXPECT_EQ((*after)->accepted, 1) << ctx;
      EXPECT_EQ((*after)->rejected, 1) << ctx;
      EXPECT_EQ(FilesEndingWith(state + "/archive", ".receipt.xml").size(), 1u) << ctx;
      EXPECT_FALSE(fs::exists(state + "/inbox/accuse.xml")) << ctx;
      EXPECT_FALSE(fs::exists(state + "/inbox/junk.xml")) << ctx;
      EXPECT_TRUE(fs::exists(state + "/inbox/refused/junk.xml")) << ctx;
      EXPECT_THAT(Partials(state + "/archive"), ::testing::IsEmpty()) << ctx;
      store.reset();
      fs::remove_all(state);
      if (::testing::Test::HasFailure()) return;
      ++walked;
    }
  }
  EXPECT_EQ(walked, 2 * points.size());
}

// Under umask 000, what accrochd makes has the modes it asks for: nothing group- or
// world-writable, nothing readable beyond the deposit group.
class ModesTest : public FileFaultTest {
 protected:
  void SetUp() override {
    FileFaultTest::SetUp();
    saved_ = ::umask(0);
  }
  void TearDown() override {
    ::umask(saved_);
    FileFaultTest::TearDown();
  }

  // One cycle and an inbox scan with a refused file, on `config`.
  void Run(const Config& config) {
    const std::string& state = config.state_directory;
    auto store_dir = EnsureStateDirectory(testing::RealFiles(), state);
    ASSERT_TRUE(store_dir.has_value()) << store_dir.error().message();
    auto store = store::StateStore::Open(state, clock_, testing::RealFiles());
    ASSERT_TRUE(store.has_value()) << store.error().message();
    Daemon daemon(config, logger_, clock_, testing::RealFiles(), store->get());
    ASSERT_TRUE(daemon.Start().has_value());
    auto report = daemon.RunCycle(DepositPolicy::kAlways, {});
    ASSERT_TRUE(report.has_value()) << report.error().message();
    ASSERT_EQ(report->files.size(), 1u);
    ScanInbox(config, **store, logger_, testing::RealFiles());  // makes the inbox
    testing::WriteFile(state + "/inbox/accuse.xml",
                       Receipt(report->files[0].name, report->files[0].id_flux), 0600);
    testing::WriteFile(state + "/inbox/junk.xml", "not a receipt", 0600);
    ScanInbox(config, **store, logger_, testing::RealFiles());
    file_ = report->files[0].name;
  }

  mode_t saved_ = 0;
  std::string file_;
};

TEST_F(ModesTest, WithoutAGroupEverythingIsTheServiceUsersOnly) {
  const Config config = ConfigFor(data_ + "/state");
  Run(config);
  const std::string s = config.state_directory;
  const std::string month = deposit::ArchiveDirectoryFor(s, file_);
  for (const std::string& d : {s, s + "/outbox", s + "/archive", s + "/archive/2026", month,
                               s + "/inbox", s + "/inbox/refused"}) {
    EXPECT_EQ(ModeOf(d), 0700u) << d;
  }
  const std::string stem = fs::path(file_).stem().string();
  for (const std::string& f :
       {s + "/outbox/" + file_, month + "/" + file_ + ".zst", month + "/" + stem + ".receipt.xml",
        s + "/archive/manifest.tsv", s + "/hash.key", s + "/state.db"}) {
    EXPECT_EQ(ModeOf(f), 0600u) << f;
  }
}

TEST_F(ModesTest, WithADepositGroupItsStaffReadTheOutboxAndArchive) {
  Config config = ConfigFor(data_ + "/state");
  config.deposit.group = "staff";
  config.deposit.gid = static_cast<unsigned>(::getgid());
  Run(config);
  const std::string s = config.state_directory;
  const std::string month = deposit::ArchiveDirectoryFor(s, file_);
  EXPECT_EQ(ModeOf(s), 0711u);
  for (const std::string& d :
       {s + "/outbox", s + "/archive", s + "/archive/2026", month, s + "/inbox/refused"}) {
    EXPECT_EQ(ModeOf(d), 0750u) << d;
  }
  EXPECT_EQ(ModeOf(s + "/inbox"), 0700u);  // where the administrator drops receipts
  const std::string stem = fs::path(file_).stem().string();
  for (const std::string& f : {s + "/outbox/" + file_, month + "/" + file_ + ".zst",
                               month + "/" + stem + ".receipt.xml", s + "/archive/manifest.tsv"}) {
    EXPECT_EQ(ModeOf(f), 0640u) << f;
  }
  EXPECT_EQ(ModeOf(s + "/hash.key"), 0600u);
  EXPECT_EQ(ModeOf(s + "/state.db"), 0600u);
}

}  // namespace
}  // namespace accrochd::daemon
