// The multimap under the cycle's uniqueness index: what it finds, whatever the runs it spilled.
#include "connectors/store/spill_multimap.h"

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/run_binary.h"

namespace accrochd::store {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> All(SpillMultimap& map, const std::string& key) {
  std::vector<std::string> found;
  map.Find(key, [&](std::string_view v) {
    found.emplace_back(v);
    return false;
  });
  return found;
}

std::unique_ptr<SpillMultimap> Open(const std::string& dir, SpillMultimap::Options options) {
  auto map = SpillMultimap::Open(dir, options);
  EXPECT_TRUE(map.has_value()) << map.error().message();
  return map ? std::move(*map) : nullptr;
}

// Keys of varied lengths and bytes (NUL, high bytes), many repeated, against std::multimap: every
// key's values in the order they were added, across runs, generations and the buffer, for a buffer
// of a few entries and a sparse index of one key in 1, 3 or 7, filter generations of 256 keys
// and more.
TEST(SpillMultimapTest, FindsEveryValueInTheOrderAddedWhateverTheRuns) {
  const std::string dir = testing::MakeTempDir("spill");
  // Filters in generations from 256 keys, or one sized at once for a million (as a cycle's index
  // on a store that holds a million passages: PassageStore::NewCycleIndex).
  for (std::size_t first_filter : {std::size_t{256}, std::size_t{1} << 20}) {
    for (std::size_t stride : {std::size_t{1}, std::size_t{3}, std::size_t{7}}) {
      for (std::size_t buffer : {std::size_t{2000}, std::size_t{20000}, std::size_t{1} << 20}) {
        auto map = Open(dir, {buffer, stride, first_filter});
        ASSERT_NE(map, nullptr);
        std::mt19937 random(static_cast<unsigned>(stride * 1000 + buffer));
        std::map<std::string, std::vector<std::string>> expected;
        std::vector<std::string> keys;
        // Several filter generations (256, 512, 1,024, 2,048 keys).
        for (int i = 0; i < 3000; ++i) {
          std::string key;
          if (!keys.empty() && random() % 5 == 0) {
            key = keys[random() % keys.size()];  // a key seen before
          } else {
            const std::size_t size = 1 + random() % 20;
            for (std::size_t c = 0; c < size; ++c) key += static_cast<char>(random() % 7 * 40);
            keys.push_back(key);
          }
          const std::string value = "v" + std::to_string(i) + std::string(random() % 3, '\0');
          map->Add(key, value);
          expected[key].push_back(value);
          if (i % 97 == 0) {  // looked for while the map grows
            ASSERT_EQ(All(*map, key), expected[key])
                << "stride " << stride << ", buffer " << buffer << ", filter " << first_filter;
          }
        }
        if (buffer < (std::size_t{1} << 20)) {
          EXPECT_GT(map->runs(), 5u);
        } else {
          EXPECT_EQ(map->runs(), 0u);
        }
        for (const auto& [key, values] : expected) {
          ASSERT_EQ(All(*map, key), values)
              << "stride " << stride << ", buffer " << buffer << ", filter " << first_filter;
        }
        for (const std::string& absent :
             {std::string(), std::string("absent"), std::string(3, '\xff')}) {
          if (expected.count(absent) == 0) {
            EXPECT_THAT(All(*map, absent), ElementsAre());
          }
        }
      }
    }
  }
}

TEST(SpillMultimapTest, StopsAtTheFirstValueItsVisitorTakes) {
  const std::string dir = testing::MakeTempDir("spill");
  auto map = Open(dir, {64, 2, 64});
  ASSERT_NE(map, nullptr);
  for (const char* v : {"a", "b", "c", "d", "e", "f"}) map->Add("k", v);
  map->Add("other", "x");
  ASSERT_GT(map->runs(), 1u);
  std::vector<std::string> seen;
  EXPECT_TRUE(map->Find("k", [&](std::string_view v) {
    seen.emplace_back(v);
    return v == "c";
  }));
  EXPECT_THAT(seen, ElementsAre("a", "b", "c"));
  EXPECT_FALSE(map->Find("k", [](std::string_view) { return false; }));
  EXPECT_FALSE(map->Find("nothing", [](std::string_view) { return true; }));
}

// An entry larger than the whole buffer is kept alone, then spilled like any other.
TEST(SpillMultimapTest, KeepsAnEntryLargerThanItsBuffer) {
  const std::string dir = testing::MakeTempDir("spill");
  auto map = Open(dir, {128, 4, 64});
  ASSERT_NE(map, nullptr);
  const std::string large(10000, 'L');
  map->Add("small", "1");
  map->Add("large", large);
  map->Add("small", "2");
  EXPECT_THAT(All(*map, "large"), ElementsAre(large));
  EXPECT_THAT(All(*map, "small"), ElementsAre("1", "2"));
}

// The file is unlinked from the start: nothing is left in the directory, during or after.
TEST(SpillMultimapTest, LeavesNoFileInItsDirectory) {
  const std::string dir = testing::MakeTempDir("spill");
  {
    auto map = Open(dir, {64, 2, 64});
    ASSERT_NE(map, nullptr);
    for (int i = 0; i < 100; ++i) map->Add("key" + std::to_string(i), "value");
    ASSERT_GT(map->runs(), 0u);
    EXPECT_TRUE(fs::is_empty(dir));
    EXPECT_THAT(All(*map, "key7"), ElementsAre("value"));
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(SpillMultimapTest, NamesTheDirectoryItCannotUse) {
  auto map = SpillMultimap::Open("/nonexistent/accrochd-spill", {});
  ASSERT_FALSE(map.has_value());
  EXPECT_THAT(map.error().message(), HasSubstr("/nonexistent/accrochd-spill"));
  EXPECT_THAT(map.error().message(), HasSubstr("uniqueness index"));
}

}  // namespace
}  // namespace accrochd::store
