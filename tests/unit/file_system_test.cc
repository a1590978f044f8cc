// The file system seam: the real implementation's modes (whatever the umask) and errors, the
// atomic write helper, and the fault-injecting file system the fault tests walk with.
#include "core/file_system.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/run_binary.h"

namespace accrochd {
namespace {

namespace fs = std::filesystem;
using ::accrochd::testing::ModeOf;
using ::accrochd::testing::ReadAll;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string TestDir() {
  return testing::MakeTempDir(std::string("file_system_test.") +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

// Runs the test body under umask 000, where every mode must be the one asked for.
class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir();
    saved_ = ::umask(0);
  }
  void TearDown() override { ::umask(saved_); }

  std::string dir_;
  mode_t saved_ = 0;
  PosixFileSystem files_;
};

TEST_F(FileSystemTest, NewFilesAndDirectoriesHaveTheirModeWhateverTheUmask) {
  auto file = files_.NewFile(dir_ + "/a", CreateMode::kExclusive, FileMode{0600, std::nullopt});
  ASSERT_TRUE(file.has_value()) << file.error().message();
  ASSERT_TRUE((*file)->Append("abc").has_value());
  ASSERT_TRUE((*file)->Sync().has_value());
  file->reset();
  EXPECT_EQ(ReadAll(dir_ + "/a"), "abc");
  EXPECT_EQ(ModeOf(dir_ + "/a"), 0600u);
  ASSERT_TRUE(files_.MakeDirectory(dir_ + "/d", FileMode{0700, std::nullopt}).has_value());
  EXPECT_EQ(ModeOf(dir_ + "/d"), 0700u);
  // An existing directory has its mode fixed.
  fs::permissions(dir_ + "/d", fs::perms::all);
  ASSERT_TRUE(files_.MakeDirectory(dir_ + "/d", FileMode{0750, std::nullopt}).has_value());
  EXPECT_EQ(ModeOf(dir_ + "/d"), 0750u);
}

// Bytes that show where each one is: a piece misplaced or repeated does not compare equal.
std::string Numbered(std::size_t size) {
  std::string bytes;
  bytes.reserve(size + 16);
  for (std::size_t i = 0; bytes.size() < size; ++i) bytes += std::to_string(i) + ',';
  bytes.resize(size);
  return bytes;
}

// Writes `bytes` into `path` in pieces of the sizes given in turn, then reads it back through
// the seam in pieces of other sizes: what comes back, `caching` either way.
std::string WriteAndReadBack(FileSystem& files, const std::string& path, const std::string& bytes,
                             Caching write, Caching read) {
  auto file = files.NewFile(path, CreateMode::kExclusive, FileMode{0600, std::nullopt}, write);
  EXPECT_TRUE(file.has_value()) << file.error().message();
  if (!file) return "";
  const std::size_t pieces[] = {1, 7, 4096, 65536, 300000, 3};
  std::size_t at = 0;
  for (std::size_t i = 0; at < bytes.size(); ++i) {
    const std::size_t n = std::min(pieces[i % std::size(pieces)], bytes.size() - at);
    EXPECT_TRUE((*file)->Append(std::string_view(bytes).substr(at, n)).has_value());
    at += n;
  }
  EXPECT_TRUE((*file)->Sync().has_value());
  file->reset();
  auto in = files.OpenForReading(path, read);
  EXPECT_TRUE(in.has_value()) << in.error().message();
  if (!in) return "";
  std::string back;
  std::vector<char> buffer(200000);
  const std::size_t sizes[] = {4000, 1, 131072, 200000};
  for (std::size_t i = 0;; ++i) {
    auto n = (*in)->Read(buffer.data(), sizes[i % std::size(sizes)]);
    EXPECT_TRUE(n.has_value()) << n.error().message();
    if (!n || *n == 0) break;
    back.append(buffer.data(), *n);
  }
  return back;
}

// Deposit files go around the page cache (Caching::kUncached): whole aligned blocks with O_DIRECT,
// the tail through the cache, reads a block ahead. Whatever the size -- around a block's edge,
// the alignment's, several blocks -- and the pieces, the bytes read are the bytes written, each
// way read or written.
TEST_F(FileSystemTest, UncachedFilesHoldTheSameBytesAsCachedOnes) {
  const std::size_t block = kUncachedBlock;
  int n = 0;
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{4096}, std::size_t{4097},
        block - 1, block, block + 1, 3 * block + 12345}) {
    const std::string bytes = Numbered(size);
    for (const Caching write : {Caching::kUncached, Caching::kCached}) {
      for (const Caching read : {Caching::kUncached, Caching::kCached}) {
        const std::string path = dir_ + "/f" + std::to_string(++n);
        EXPECT_EQ(WriteAndReadBack(files_, path, bytes, write, read), bytes)
            << size << " bytes, written " << (write == Caching::kUncached ? "uncached" : "cached")
            << ", read " << (read == Caching::kUncached ? "uncached" : "cached");
        EXPECT_EQ(ReadAll(path), bytes) << size;
        EXPECT_EQ(ModeOf(path), 0600u);
      }
    }
  }
}

TEST_F(FileSystemTest, AnUncachedFileWritesWhatWasNotSyncedWhenClosedAndGoesOnAfterASync) {
  const std::string bytes = Numbered(3 * kUncachedBlock + 777);
  auto file = files_.NewFile(dir_ + "/a", CreateMode::kExclusive, FileMode{0600, std::nullopt},
                             Caching::kUncached);
  ASSERT_TRUE(file.has_value()) << file.error().message();
  // A tail through the cache at Sync, then whole blocks again after it.
  ASSERT_TRUE((*file)->Append(std::string_view(bytes).substr(0, 5000)).has_value());
  ASSERT_TRUE((*file)->Sync().has_value());
  EXPECT_EQ(ReadAll(dir_ + "/a"), bytes.substr(0, 5000));
  ASSERT_TRUE((*file)->Append(std::string_view(bytes).substr(5000)).has_value());
  file->reset();  // closed without a Sync: the rest is written all the same
  EXPECT_EQ(ReadAll(dir_ + "/a"), bytes);
}

// On tmpfs, an uncached file holds its bytes the same: a cached one where the kernel refuses
// O_DIRECT there (before Linux 6.6), an uncached one where it takes it.
TEST_F(FileSystemTest, AnUncachedFileOnTmpfsHoldsItsBytes) {
  if (!fs::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm (tmpfs) on this machine";
  const std::string dir = testing::FastScratchDir("file-system-test", dir_);
  const std::string bytes = Numbered(kUncachedBlock + 4097);
  EXPECT_EQ(WriteAndReadBack(files_, dir + "/a", bytes, Caching::kUncached, Caching::kUncached),
            bytes);
  fs::remove_all(dir);
}

TEST_F(FileSystemTest, ErrorsNameTheOperationThePathAndTheReason) {
  ASSERT_TRUE(WriteFileAtomically(files_, dir_ + "/a", FileMode{}, "x").has_value());
  auto exists = files_.NewFile(dir_ + "/a", CreateMode::kExclusive, FileMode{});
  ASSERT_FALSE(exists.has_value());
  EXPECT_EQ(exists.error().kind(), ErrorKind::kIo);
  EXPECT_EQ(exists.error().message(), "cannot create " + dir_ + "/a: File exists");
  auto missing = files_.ReadFile(dir_ + "/none");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(), "cannot read " + dir_ + "/none: No such file or directory");
  auto nowhere = files_.MakeDirectory(dir_ + "/no/d", FileMode{0700, std::nullopt});
  ASSERT_FALSE(nowhere.has_value());
  EXPECT_EQ(nowhere.error().message(),
            "cannot create directory " + dir_ + "/no/d: No such file or directory");
  auto big = files_.ReadFile(dir_ + "/a", 0);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().kind(), ErrorKind::kInvalidData);
  // Removing what is not there is not an error; looking at it says it is not there.
  EXPECT_TRUE(files_.Remove(dir_ + "/none").has_value());
  auto info = files_.Stat(dir_ + "/none");
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->exists);
}

TEST_F(FileSystemTest, ListsADirectorySortedWithoutDots) {
  for (const char* name : {"c", "a", ".b"}) {
    ASSERT_TRUE(WriteFileAtomically(files_, dir_ + "/" + name, FileMode{}, "").has_value());
  }
  ASSERT_TRUE(files_.MakeDirectory(dir_ + "/sub", FileMode{0700, std::nullopt}).has_value());
  auto entries = files_.ListDirectory(dir_);
  ASSERT_TRUE(entries.has_value()) << entries.error().message();
  std::vector<std::string> names;
  for (const DirectoryEntry& e : *entries) names.push_back(e.name + (e.is_directory ? "/" : ""));
  EXPECT_THAT(names, ElementsAre(".b", "a", "c", "sub/"));
}

TEST_F(FileSystemTest, AnAtomicWriteReplacesWholeAndLeavesNoPartial) {
  const std::string key = dir_ + "/hash.key";
  ASSERT_TRUE(WriteFileAtomically(files_, key, FileMode{0600, std::nullopt}, "old").has_value());
  ASSERT_TRUE(WriteFileAtomically(files_, key, FileMode{0600, std::nullopt}, "new").has_value());
  EXPECT_EQ(ReadAll(key), "new");
  EXPECT_EQ(ModeOf(key), 0600u);
  EXPECT_FALSE(fs::exists(dir_ + "/.hash.key.partial"));
  EXPECT_EQ(PartialPathFor("/x/y/NAME.xml"), "/x/y/.NAME.xml.partial");
  EXPECT_EQ(ParentDirectory("/x/y/NAME.xml"), "/x/y");
  EXPECT_EQ(ParentDirectory("NAME.xml"), ".");
}

// Each write point of an atomic write, failed in turn: the target keeps its old content whole
// (or, when only the directory's fsync failed, has the new one whole), and no partial file stays.
TEST_F(FileSystemTest, AnAtomicWriteFailedAtEachPointLeavesTheOldFileWhole) {
  const std::string key = dir_ + "/hash.key";
  FaultInjectingFileSystem faulty(files_);
  ASSERT_TRUE(WriteFileAtomically(faulty, key, FileMode{}, "old").has_value());
  const std::string partial = dir_ + "/.hash.key.partial";
  EXPECT_THAT(faulty.points(), ElementsAre("create " + partial, "append " + partial,
                                           "sync " + partial, "rename " + key, "syncdir " + dir_));
  const std::vector<std::string> expected = {
      "cannot create " + partial + ": No space left on device",
      "cannot write " + partial + ": No space left on device",
      "cannot sync " + partial + ": No space left on device",
      "cannot rename " + partial + " to " + key + ": No space left on device",
      "cannot sync directory " + dir_ + ": No space left on device",
  };
  for (std::uint64_t n = 1; n <= expected.size(); ++n) {
    faulty.Reset();
    faulty.FailAt(n, ENOSPC);
    auto r = WriteFileAtomically(faulty, key, FileMode{}, "new");
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_EQ(r.error().kind(), ErrorKind::kIo);
    EXPECT_EQ(r.error().message(), expected[n - 1]);
    EXPECT_EQ(ReadAll(key), n == 5 ? "new" : "old") << n;
    EXPECT_FALSE(fs::exists(partial)) << n;
    EXPECT_EQ(faulty.failed(), faulty.points()[n - 1]);
    ASSERT_TRUE(WriteFileAtomically(files_, key, FileMode{}, "old").has_value());
  }
}

TEST_F(FileSystemTest, FaultsCountOnlyWritesAndFailOnePoint) {
  FaultInjectingFileSystem faulty(files_);
  faulty.FailAt(2, EIO);
  ASSERT_TRUE(faulty.MakeDirectory(dir_ + "/d", FileMode{0700, std::nullopt}).has_value());
  EXPECT_TRUE(faulty.Stat(dir_ + "/d").has_value());  // reads are not write points
  EXPECT_TRUE(faulty.ListDirectory(dir_).has_value());
  auto r = faulty.Remove(dir_ + "/d/x");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "cannot remove " + dir_ + "/d/x: Input/output error");
  EXPECT_TRUE(faulty.SyncDirectory(dir_ + "/d").has_value());  // the third passes
  EXPECT_THAT(faulty.points(), ElementsAre("mkdir " + dir_ + "/d", "remove " + dir_ + "/d/x",
                                           "syncdir " + dir_ + "/d"));
  faulty.Reset();
  EXPECT_THAT(faulty.points(), IsEmpty());
  EXPECT_EQ(faulty.failed(), std::nullopt);
}

}  // namespace
}  // namespace accrochd
