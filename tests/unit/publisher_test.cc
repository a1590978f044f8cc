// The publisher: file names, durable renames, SHA-256, publication into the outbox with its
// archive and manifest, modes with and without a group, and the archive's retention. Time comes
// from a FakeClock; file ages are set with utimes().
#include "connectors/deposit/publisher.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/capture_logger.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::deposit {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::accrochd::testing::ModeOf;
using ::accrochd::testing::ReadAll;
using ::testing::HasSubstr;

// 2026-11-27T01:30:12Z
const TimePoint kNow = std::chrono::sys_days{std::chrono::year(2026) / 11 / 27} + 1h + 30min + 12s;

constexpr const char* kAbcSha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::string TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return testing::MakeTempDir(std::string("publisher_test/") + info->test_suite_name() + "." +
                              info->name());
}

gid_t GroupOf(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_gid;
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

void SetMtime(const std::string& path, TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  const timeval times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimes(path.c_str(), times), 0) << path;
}

// Files under `dir` whose name starts with '.' and ends with ".partial".
std::vector<std::string> PartialFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".") && name.ends_with(".partial")) out.push_back(e.path().string());
  }
  return out;
}

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override { state_ = TestDir() + "/state"; }

  Publisher Make(std::optional<gid_t> group = std::nullopt,
                 std::optional<Duration> retention = std::nullopt) {
    return Publisher(PublisherSettings{state_, group, retention, {}}, clock_, logger_,
                     ::accrochd::testing::RealFiles());
  }

  // A file to publish: the publisher's next name for certifier E564ACB0, with this idFlux, its
  // partial file written (`content`, mode `mode`).
  static PublishedFile FileToPublish(Publisher& publisher, std::string id_flux,
                                     std::uint64_t passages, const std::string& content,
                                     mode_t mode = 0600) {
    PublishedFile file;
    file.name = publisher.NameFor("E564ACB0");
    file.id_flux = std::move(id_flux);
    file.passages = passages;
    file.certificateur = "E564ACB0";
    testing::WriteFile(publisher.PartialPath(file.name), content, mode);
    return file;
  }

  std::string state_;
  testing::FakeClock clock_{kNow};
  testing::CaptureLogger logger_;
};

// ---------------------------------------------------------------------------------------------
// Names

// The XSD check hashes the file as it reads it (Sha256Reader): a reader that stops before the
// end still gets the SHA-256 of the whole file, the same as Sha256OfFile's.
TEST(Sha256ReaderTest, HashesWhatIsReadThenTheRest) {
  const std::string dir = testing::MakeTempDir("publisher_test/Sha256Reader");
  std::string bytes;
  for (int i = 0; bytes.size() < 300000; ++i) bytes += std::to_string(i) + ";";
  testing::WriteFile(dir + "/f", bytes, 0600);
  PosixFileSystem files;
  auto file = files.OpenForReading(dir + "/f");
  ASSERT_TRUE(file);
  Sha256Reader hashed(**file);
  char buffer[4000];
  auto n = hashed.Read(buffer, sizeof buffer);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buffer, *n), bytes.substr(0, *n));  // read through, unchanged
  auto sha = hashed.Finish();
  ASSERT_TRUE(sha) << sha.error().message();
  EXPECT_EQ(*sha, Sha256Hex(bytes));
  EXPECT_EQ(*sha, Sha256OfFile(files, dir + "/f"));
}

// The XSD check compresses the file as it reads it (ZstdReader, over a Sha256Reader): a reader
// that stops before the end still gets the whole file compressed, and hashed, in one read.
TEST(ZstdReaderTest, CompressesWhatIsReadThenTheRestAndTheHashSeesItAll) {
  const std::string dir = testing::MakeTempDir("publisher_test/ZstdReader");
  std::string bytes;
  for (int i = 0; bytes.size() < 700000; ++i)
    bytes += "<passage>" + std::to_string(i) + "</passage>\n";
  testing::WriteFile(dir + "/f", bytes, 0600);
  PosixFileSystem files;
  auto file = files.OpenForReading(dir + "/f", Caching::kUncached);
  ASSERT_TRUE(file);
  auto out = files.NewFile(dir + "/f.zst", CreateMode::kTruncate, FileMode{0600, std::nullopt});
  ASSERT_TRUE(out);
  Sha256Reader hashed(**file);
  ZstdReader compressed(hashed, **out);
  std::string read(262144, '\0');
  auto n = compressed.Read(read.data(), read.size());
  ASSERT_TRUE(n);
  EXPECT_EQ(read.substr(0, *n), bytes.substr(0, *n));  // read through, unchanged
  ASSERT_TRUE(compressed.Finish());
  ASSERT_TRUE((*out)->Sync());
  out->reset();
  EXPECT_EQ(hashed.Finish(), Sha256Hex(bytes));
  EXPECT_LT(fs::file_size(dir + "/f.zst"), bytes.size() / 4);
  auto [unzipped, status] = RunCommand("zstd -dcq '" + dir + "/f.zst'");
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(unzipped == bytes) << "the copy differs from the file";
}

// The archive copy a caller wrote while checking the file is renamed into the archive; without
// one the file is compressed; one that cannot be renamed is an error.
TEST_F(PublisherTest, PublishRenamesTheCopyItsCallerWroteIntoTheArchive) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  PublishedFile file = FileToPublish(publisher, "f-1", 1, "abc");
  const std::string partial = publisher.PartialPath(file.name);
  auto copy = publisher.NewArchiveCopy(file.name);
  ASSERT_TRUE(copy) << copy.error().message();
  const std::string copy_path = (*copy)->path();
  EXPECT_EQ(copy_path, state_ + "/archive/2026/11/.E564ACB0_20261127T013012Z_001.xml.zst.partial");
  EXPECT_EQ(ModeOf(state_ + "/archive/2026/11"), 0700u);
  ASSERT_TRUE((*copy)->Append("the caller's copy"));  // told apart from a compression of "abc"
  ASSERT_TRUE((*copy)->Sync());
  copy->reset();
  EXPECT_EQ(ModeOf(copy_path), 0600u);
  file.archive_copy = copy_path;
  ASSERT_TRUE(publisher.Publish(partial, file));
  EXPECT_EQ(ReadAll(file.archive_path), "the caller's copy");
  EXPECT_TRUE(file.archive_copy.empty());
  EXPECT_FALSE(fs::exists(copy_path));
  EXPECT_THAT(ReadAll(state_ + "/archive/manifest.tsv"), HasSubstr("\t" + file.name + "\t"));

  // A copy that cannot be renamed (here, gone): the error names it, as any failed write; the
  // file is published all the same, and its archive copy made at the next start (Complete).
  PublishedFile second = FileToPublish(publisher, "f-2", 1, "abc");
  second.archive_copy = state_ + "/archive/2026/11/.gone.xml.zst.partial";
  auto failed = publisher.Publish(publisher.PartialPath(second.name), second);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind(), ErrorKind::kIo);
  EXPECT_THAT(failed.error().message(), HasSubstr(".gone.xml.zst.partial"));
  EXPECT_TRUE(second.in_outbox);
  EXPECT_EQ(second.archive_copy, state_ + "/archive/2026/11/.gone.xml.zst.partial");
  EXPECT_FALSE(fs::exists(second.archive_path));
  second.archive_copy.clear();
  ASSERT_TRUE(publisher.Complete(second));
  auto [unzipped, status] = RunCommand("zstd -dcq '" + second.archive_path + "'");
  EXPECT_EQ(status, 0);
  EXPECT_EQ(unzipped, "abc");
  EXPECT_TRUE(PartialFiles(state_).empty());
}

TEST_F(PublisherTest, NameForIsTheCertifierUtcStampAndASequenceWithinTheSameSecond) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  EXPECT_EQ(publisher.NameFor("E564ACB0"), "E564ACB0_20261127T013012Z_001.xml");
  EXPECT_EQ(publisher.NameFor("E564ACB0"), "E564ACB0_20261127T013012Z_002.xml");
  clock_.Advance(999ms);  // still 01:30:12
  EXPECT_EQ(publisher.NameFor("E564ACB0"), "E564ACB0_20261127T013012Z_003.xml");
  clock_.Advance(1ms);  // 01:30:13: the sequence starts again
  EXPECT_EQ(publisher.NameFor("E564ACB0"), "E564ACB0_20261127T013013Z_001.xml");
}

TEST_F(PublisherTest, NameForIsAsciiWithoutSpacesWhateverTheCertifier) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  const std::string name = publisher.NameFor("AB 12/é");
  // Every byte that is not an ASCII letter or digit becomes '-' (é is two bytes).
  EXPECT_EQ(name, "AB-12---_20261127T013012Z_001.xml");
  EXPECT_TRUE(
      std::regex_match(name, std::regex(R"([A-Za-z0-9-]+_[0-9]{8}T[0-9]{6}Z_[0-9]{3}\.xml)")))
      << name;
}

TEST_F(PublisherTest, NameForSkipsNamesTakenInTheOutboxOrByAPartialFile) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  testing::WriteFile(publisher.outbox() + "/E564ACB0_20261127T013012Z_001.xml", "x", 0600);
  testing::WriteFile(publisher.PartialPath("E564ACB0_20261127T013012Z_002.xml"), "x", 0600);
  EXPECT_EQ(publisher.NameFor("E564ACB0"), "E564ACB0_20261127T013012Z_003.xml");
}

// A process killed after its file was recorded in the store and before it was published leaves
// no file, only the record (abandoned at the next start): a process started in the same second
// must not hand out that name again (found by the kill -9 system test, about one run in twenty).
// An archived copy, of this version (zstd) or of an earlier one (gzip), keeps its name taken
// after its file left the outbox.
TEST_F(PublisherTest, NameForSkipsNamesOfArchivedCopiesOfEitherKind) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  fs::create_directories(publisher.archive() + "/2026/11");
  testing::WriteFile(publisher.archive() + "/2026/11/E564ACB0_20261127T013012Z_001.xml.zst", "x",
                     0600);
  testing::WriteFile(publisher.archive() + "/2026/11/E564ACB0_20261127T013012Z_002.xml.gz", "x",
                     0600);
  EXPECT_EQ(publisher.NameFor("E564ACB0"), "E564ACB0_20261127T013012Z_003.xml");
}

TEST_F(PublisherTest, NameForSkipsNamesTheStoreRecorded) {
  std::vector<std::string> asked;
  PublisherSettings settings{state_, std::nullopt, std::nullopt, {}};
  settings.name_recorded = [&asked](const std::string& name) {
    asked.push_back(name);
    return name == "E564ACB0_20261127T013012Z_001.xml";
  };
  Publisher publisher(settings, clock_, logger_, ::accrochd::testing::RealFiles());
  ASSERT_TRUE(publisher.Prepare());
  EXPECT_EQ(publisher.NameFor("E564ACB0"), "E564ACB0_20261127T013012Z_002.xml");
  EXPECT_EQ(asked, (std::vector<std::string>{"E564ACB0_20261127T013012Z_001.xml",
                                             "E564ACB0_20261127T013012Z_002.xml"}));
}

// With 1,000 names of one second taken, NameFor() moves to the next second's stamp instead of
// looping. Run in a child process so that a regression fails instead of hanging.
TEST_F(PublisherTest, NameForReturnsWhenAThousandNamesOfTheSameSecondAreTaken) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  for (int i = 0; i < 1000; ++i) {
    char name[64];
    std::snprintf(name, sizeof(name), "E564ACB0_20261127T013012Z_%03d.xml", i);
    testing::WriteFile(publisher.outbox() + "/" + name, "x", 0600);
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string name = publisher.NameFor("E564ACB0");
    ::_exit(fs::exists(publisher.outbox() + "/" + name) ? 2 : 0);
  }
  int status = 0;
  pid_t done = 0;
  for (int tenth = 0; tenth < 50 && done == 0; ++tenth) {
    done = ::waitpid(child, &status, WNOHANG);
    if (done == 0) ::usleep(100'000);
  }
  if (done == 0) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    FAIL() << "NameFor() did not return within 5 seconds";
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "NameFor() gave a taken name";
}

TEST_F(PublisherTest, PartialPathIsAHiddenFileInTheOutbox) {
  Publisher publisher = Make();
  EXPECT_EQ(publisher.outbox(), state_ + "/outbox");
  EXPECT_EQ(publisher.archive(), state_ + "/archive");
  EXPECT_EQ(publisher.PartialPath("N_1.xml"), state_ + "/outbox/.N_1.xml.partial");
}

// ---------------------------------------------------------------------------------------------
// Directories and publication

TEST_F(PublisherTest, PrepareCreatesTheDirectoriesWithMode0700AndFixesExistingOnes) {
  ASSERT_TRUE(fs::create_directories(state_ + "/outbox"));
  ASSERT_EQ(::chmod((state_ + "/outbox").c_str(), 0755), 0);
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  EXPECT_EQ(ModeOf(state_), 0700u);
  EXPECT_EQ(ModeOf(state_ + "/outbox"), 0700u);
  EXPECT_EQ(ModeOf(state_ + "/archive"), 0700u);
}

TEST_F(PublisherTest, PublishRenamesArchivesAndAppendsToTheManifest) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  PublishedFile file =
      FileToPublish(publisher, "0b9e6c5e-3f7a-4d2b-9c1e-5a6f7b8c9d0e", 3, "abc", 0644);
  const std::string partial = publisher.PartialPath(file.name);
  ASSERT_TRUE(publisher.Publish(partial, file));

  EXPECT_EQ(file.path, state_ + "/outbox/E564ACB0_20261127T013012Z_001.xml");
  EXPECT_EQ(file.archive_path, state_ + "/archive/2026/11/E564ACB0_20261127T013012Z_001.xml.zst");
  EXPECT_EQ(file.sha256, kAbcSha256);
  EXPECT_EQ(file.bytes, 3u);
  EXPECT_EQ(file.published_at, "2026-11-27T01:30:12Z");
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_EQ(ReadAll(file.path), "abc");
  // The copy is what zstd(1) reads back, with the frame's checksum it verifies.
  auto [unzipped, status] = RunCommand("zstd -dcq '" + file.archive_path + "'");
  EXPECT_EQ(status, 0);
  EXPECT_EQ(unzipped, "abc");
  auto [listing, listed] = RunCommand("zstd -lv '" + file.archive_path + "' 2>&1");
  EXPECT_EQ(listed, 0);
  EXPECT_THAT(listing, HasSubstr("XXH64")) << listing;
  EXPECT_EQ(ReadAll(state_ + "/archive/manifest.tsv"),
            "# published_at\tfile\tidFlux\tsha256\tpassages\tcertificateur\n"
            "2026-11-27T01:30:12Z\tE564ACB0_20261127T013012Z_001.xml\t"
            "0b9e6c5e-3f7a-4d2b-9c1e-5a6f7b8c9d0e\t" +
                std::string(kAbcSha256) + "\t3\tE564ACB0\n");

  // Modes: 0600 for every file, 0700 for every directory, whatever the partial's mode was.
  EXPECT_EQ(ModeOf(file.path), 0600u);
  EXPECT_EQ(ModeOf(file.archive_path), 0600u);
  EXPECT_EQ(ModeOf(state_ + "/archive/manifest.tsv"), 0600u);
  EXPECT_EQ(ModeOf(state_ + "/archive/2026"), 0700u);
  EXPECT_EQ(ModeOf(state_ + "/archive/2026/11"), 0700u);
  EXPECT_TRUE(PartialFiles(state_).empty());

  // A second file: one more line, no second header.
  clock_.Advance(2s);
  PublishedFile second = FileToPublish(publisher, "f-2", 1, "");
  ASSERT_TRUE(publisher.Publish(publisher.PartialPath(second.name), second));
  const std::string manifest = ReadAll(state_ + "/archive/manifest.tsv");
  EXPECT_EQ(std::count(manifest.begin(), manifest.end(), '\n'), 3);
  EXPECT_TRUE(manifest.ends_with(
      "2026-11-27T01:30:14Z\tE564ACB0_20261127T013014Z_001.xml\tf-2\t"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\t1\tE564ACB0\n"))
      << manifest;
}

// A file published by an earlier version, which archived it with gzip before a crash stopped it
// short of its manifest line: Complete() keeps that copy (the withdrawals read it) and writes no
// second one.
TEST_F(PublisherTest, CompleteKeepsTheGzipCopyAnEarlierVersionArchived) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  PublishedFile file;
  file.name = "E564ACB0_20261127T013012Z_001.xml";
  file.id_flux = "f-1";
  file.passages = 3;
  file.certificateur = "E564ACB0";
  testing::WriteFile(publisher.outbox() + "/" + file.name, "abc", 0600);
  const std::string month = publisher.archive() + "/2026/11/";
  fs::create_directories(month);
  testing::WriteFile(month + file.name + ".gz", "gzip copy", 0600);
  ASSERT_TRUE(publisher.Complete(file));
  EXPECT_EQ(file.archive_path, month + file.name + ".gz");
  EXPECT_EQ(ReadAll(month + file.name + ".gz"), "gzip copy");
  EXPECT_FALSE(fs::exists(month + file.name + ".zst"));
  EXPECT_EQ(ArchivedCopyPath(::accrochd::testing::RealFiles(), state_, file.name),
            month + file.name + ".gz");
  EXPECT_THAT(ReadAll(publisher.archive() + "/manifest.tsv"), HasSubstr("\t" + file.name));
  // Neither copy: the path of this version's, where it would be written.
  const std::string other = "X_20261001T000000Z_001.xml";
  EXPECT_EQ(ArchivedCopyPath(::accrochd::testing::RealFiles(), state_, other),
            publisher.archive() + "/2026/10/" + other + ".zst");
}

TEST_F(PublisherTest, WithAGroupDirectoriesAre0750AndFiles0640OwnedByTheGroup) {
  const gid_t group = ::getgid();
  Publisher publisher = Make(group);
  ASSERT_TRUE(publisher.Prepare());
  PublishedFile file = FileToPublish(publisher, "f", 1, "abc");
  ASSERT_TRUE(publisher.Publish(publisher.PartialPath(file.name), file));
  // And a copy written by the caller while it checked its file (the deposit session's way).
  PublishedFile second = FileToPublish(publisher, "f-2", 1, "abc");
  auto copy = publisher.NewArchiveCopy(second.name);
  ASSERT_TRUE(copy) << copy.error().message();
  second.archive_copy = (*copy)->path();
  copy->reset();
  ASSERT_TRUE(publisher.Publish(publisher.PartialPath(second.name), second));
  ASSERT_TRUE(second.archive_copy.empty());
  // The state directory is only passed through: 0711, its group left alone.
  EXPECT_EQ(ModeOf(state_), 0711u);
  for (const std::string& dir : {state_ + "/outbox", state_ + "/archive", state_ + "/archive/2026",
                                 state_ + "/archive/2026/11"}) {
    EXPECT_EQ(ModeOf(dir), 0750u) << dir;
    EXPECT_EQ(GroupOf(dir), group) << dir;
  }
  for (const std::string& f :
       {file.path, file.archive_path, second.archive_path, state_ + "/archive/manifest.tsv"}) {
    EXPECT_EQ(ModeOf(f), 0640u) << f;
    EXPECT_EQ(GroupOf(f), group) << f;
  }
}

TEST_F(PublisherTest, PublishOfAMissingPartialFailsAndWritesNoManifest) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  PublishedFile file;
  file.name = "E564ACB0_20261127T013012Z_001.xml";
  const std::string partial = publisher.PartialPath(file.name);
  auto r = publisher.Publish(partial, file);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(r.error().message(), "cannot open " + partial + ": No such file or directory");
  EXPECT_FALSE(fs::exists(state_ + "/archive/manifest.tsv"));
}

// ---------------------------------------------------------------------------------------------
// DurableRename and Sha256OfFile

TEST(DurableRenameTest, MovesTheFileAndItsContent) {
  const std::string dir = TestDir();
  testing::WriteFile(dir + "/a", "contenu", 0600);
  ASSERT_TRUE(DurableRename(::accrochd::testing::RealFiles(), dir + "/a", dir + "/b"));
  EXPECT_FALSE(fs::exists(dir + "/a"));
  EXPECT_EQ(ReadAll(dir + "/b"), "contenu");
  EXPECT_EQ(ModeOf(dir + "/b"), 0600u);
}

TEST(DurableRenameTest, ReplacesAnExistingTarget) {
  const std::string dir = TestDir();
  testing::WriteFile(dir + "/a", "new", 0600);
  testing::WriteFile(dir + "/b", "old", 0600);
  ASSERT_TRUE(DurableRename(::accrochd::testing::RealFiles(), dir + "/a", dir + "/b"));
  EXPECT_EQ(ReadAll(dir + "/b"), "new");
}

TEST(DurableRenameTest, ReportsAMissingSourceOrTargetDirectory) {
  const std::string dir = TestDir();
  auto missing = DurableRename(::accrochd::testing::RealFiles(), dir + "/nothing", dir + "/b");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(missing.error().message(),
            "cannot open " + dir + "/nothing: No such file or directory");

  testing::WriteFile(dir + "/a", "x", 0600);
  auto nowhere = DurableRename(::accrochd::testing::RealFiles(), dir + "/a", dir + "/no/b");
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(nowhere.error().message(),
            "cannot rename " + dir + "/a to " + dir + "/no/b: No such file or directory");
  EXPECT_TRUE(fs::exists(dir + "/a"));
}

TEST(Sha256OfFileTest, KnownVectors) {
  const std::string dir = TestDir();
  testing::WriteFile(dir + "/abc", "abc");
  testing::WriteFile(dir + "/empty", "");
  testing::WriteFile(dir + "/fox", "The quick brown fox jumps over the lazy dog");
  testing::WriteFile(dir + "/million", std::string(1'000'000, 'a'));  // several reads
  EXPECT_EQ(Sha256OfFile(::accrochd::testing::RealFiles(), dir + "/abc"), kAbcSha256);
  EXPECT_EQ(Sha256OfFile(::accrochd::testing::RealFiles(), dir + "/empty"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256OfFile(::accrochd::testing::RealFiles(), dir + "/fox"),
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
  EXPECT_EQ(Sha256OfFile(::accrochd::testing::RealFiles(), dir + "/million"),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256OfFileTest, AMissingFileIsAnIoError) {
  const std::string dir = TestDir();
  auto sha = Sha256OfFile(::accrochd::testing::RealFiles(), dir + "/none");
  ASSERT_FALSE(sha);
  EXPECT_EQ(sha.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(sha.error().message(), "cannot read " + dir + "/none: No such file or directory");
}

// ---------------------------------------------------------------------------------------------
// Retention

TEST_F(PublisherTest, ApplyRetentionRemovesOnlyCompressedFilesOlderThanTheRetention) {
  Publisher publisher = Make(std::nullopt, std::chrono::days(30));
  ASSERT_TRUE(publisher.Prepare());
  const std::string archive = publisher.archive();
  fs::create_directories(archive + "/2026/10");
  fs::create_directories(archive + "/2026/11");
  const std::string old_zst = archive + "/2026/10/old.xml.zst";
  const std::string old_gz = archive + "/2026/10/older.xml.gz";  // an earlier version's copy
  const std::string boundary_zst = archive + "/2026/10/boundary.xml.zst";
  const std::string recent_zst = archive + "/2026/11/recent.xml.zst";
  const std::string old_xml = archive + "/2026/10/old.xml";
  const std::string old_receipt = archive + "/2026/10/old.receipt.xml";
  const std::string manifest = archive + "/manifest.tsv";
  for (const std::string& f :
       {old_zst, old_gz, boundary_zst, recent_zst, old_xml, old_receipt, manifest}) {
    testing::WriteFile(f, "x", 0600);
  }
  SetMtime(old_zst, kNow - std::chrono::days(30) - 1s);
  SetMtime(old_gz, kNow - std::chrono::days(300));
  SetMtime(boundary_zst, kNow - std::chrono::days(30));  // exactly the retention: kept
  SetMtime(recent_zst, kNow - std::chrono::days(29));
  SetMtime(old_xml, kNow - std::chrono::days(400));
  SetMtime(old_receipt, kNow - std::chrono::days(400));
  SetMtime(manifest, kNow - std::chrono::days(400));

  auto removed = publisher.ApplyRetention();
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(*removed, 2u);
  EXPECT_FALSE(fs::exists(old_zst));
  EXPECT_FALSE(fs::exists(old_gz));
  EXPECT_TRUE(fs::exists(boundary_zst));
  EXPECT_TRUE(fs::exists(recent_zst));
  EXPECT_TRUE(fs::exists(old_xml));
  EXPECT_TRUE(fs::exists(old_receipt));
  EXPECT_TRUE(fs::exists(manifest));
  EXPECT_THAT(logger_.Text(),
              HasSubstr("archive: removed 2 deposit file(s) older than the retention of 30d"));

  // Nothing more to remove: nothing said.
  const std::size_t events = logger_.events().size();
  EXPECT_EQ(publisher.ApplyRetention(), 0u);
  EXPECT_EQ(logger_.events().size(), events);
}

TEST_F(PublisherTest, WithoutRetentionNothingIsRemoved) {
  Publisher publisher = Make();
  ASSERT_TRUE(publisher.Prepare());
  const std::string ancient = publisher.archive() + "/ancient.xml.zst";
  testing::WriteFile(ancient, "x", 0600);
  SetMtime(ancient, kNow - std::chrono::days(3650));
  EXPECT_EQ(publisher.ApplyRetention(), 0u);
  EXPECT_TRUE(fs::exists(ancient));
}

}  // namespace
}  // namespace accrochd::deposit
