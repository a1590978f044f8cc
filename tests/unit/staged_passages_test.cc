// StagedPassages: the new passages whose row waits for their deposit file's record, each held in
// chunks of packed values. What is put is read back the same (every field, bytes that are not
// text, content hashes that are hexadecimal and others, the time it was observed), found by
// certifier and idTechnique, listed in order per certifier, and let go, with the memory that
// held it; what it must not or cannot hold it refuses.
#include "connectors/store/staged_passages.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/observations.h"

namespace accrochd::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const TimePoint kSeen = std::chrono::sys_days(std::chrono::year(2026) / 3 / 2) +
                        std::chrono::hours(9) + std::chrono::nanoseconds(123456789);

Observation Obs(const std::string& certifier, const std::string& id) {
  Observation o = ::accrochd::testing::RsObservation(certifier, id, "rs6521", std::string(64, 'c'),
                                                     std::chrono::year(2026) / 1 / 15);
  o.row_digest = std::string("\0\x01\xff row", 7);
  o.holder_record = std::string(96, '\0') + "h";
  o.cursor_value = "2026-01-15 10:00:00";
  o.to_deposit = true;
  return o;
}

// Lets go the `count` passages put first, then holds one of `certifier` whose certification's
// code is `code`, and reads it back: names are numbered afresh once nothing is held.
void EmptyThenPutAnew(StagedPassages& staged, int count, const std::string& certifier,
                      const std::string& code) {
  for (int i = 0; i < count; ++i) staged.Erase(static_cast<std::uint64_t>(i));
  ASSERT_TRUE(staged.empty());
  Observation anew = Obs(certifier, "anew");
  anew.certification_code = code;
  ASSERT_TRUE(staged.Put(anew, kSeen));
  Observation read;
  staged.Read(*staged.Find(certifier, "anew"), read);
  EXPECT_EQ(read.certifier, certifier);
  EXPECT_EQ(read.certification_code, code);
}

TEST(StagedPassagesTest, WhatIsPutIsReadBackTheSame) {
  StagedPassages staged;
  EXPECT_TRUE(staged.empty());
  const Observation put = Obs("BCR00001", "1017");
  ASSERT_TRUE(staged.Put(put, kSeen));
  EXPECT_EQ(staged.size(), 1u);
  const std::optional<std::uint64_t> at = staged.Find("BCR00001", "1017");
  ASSERT_TRUE(at.has_value());

  Observation read;
  read.reasons.push_back({"f", "r", "m"});  // what was in `read` before goes
  read.quarantined = true;
  EXPECT_EQ(staged.Read(*at, read), kSeen);
  EXPECT_EQ(read.certifier, put.certifier);
  EXPECT_EQ(read.id_technique, put.id_technique);
  EXPECT_EQ(read.mapping, put.mapping);
  EXPECT_EQ(read.certification_type, put.certification_type);
  EXPECT_EQ(read.certification_code, put.certification_code);
  EXPECT_EQ(read.delivery, put.delivery);
  EXPECT_EQ(read.content_hash, put.content_hash);
  EXPECT_EQ(read.row_digest, put.row_digest);
  EXPECT_EQ(read.holder_record, put.holder_record);
  EXPECT_EQ(read.cursor_value, put.cursor_value);
  EXPECT_FALSE(read.quarantined);
  EXPECT_TRUE(read.to_deposit);
  EXPECT_THAT(read.reasons, IsEmpty());

  // Without a date, a cursor or digests; read into the same observation.
  Observation bare = Obs("BCR00001", "1018");
  bare.delivery.reset();
  bare.cursor_value.reset();
  bare.row_digest.clear();
  bare.holder_record.clear();
  ASSERT_TRUE(staged.Put(bare, kSeen + std::chrono::hours(1)));
  EXPECT_EQ(staged.Read(*staged.Find("BCR00001", "1018"), read), kSeen + std::chrono::hours(1));
  EXPECT_EQ(read.id_technique, "1018");
  EXPECT_EQ(read.delivery, std::nullopt);
  EXPECT_EQ(read.cursor_value, std::nullopt);
  EXPECT_EQ(read.row_digest, "");
  EXPECT_EQ(read.holder_record, "");

  // Content hashes that are not lower-case hexadecimal (kept as they are, as those that are are
  // kept as the bytes they write).
  for (const std::string hash : {"ABCDEF01", "abc", "0g", "", "00ff"}) {
    Observation o = Obs("BCR00001", "h" + hash);
    o.content_hash = hash;
    ASSERT_TRUE(staged.Put(o, kSeen));
    staged.Read(*staged.Find("BCR00001", "h" + hash), read);
    EXPECT_EQ(read.content_hash, hash);
  }
}

TEST(StagedPassagesTest, EachPassageKeepsItsOwnNamesAmongMany) {
  StagedPassages staged;
  // Certifications, mappings and certifiers interleaved: each passage reads back its own.
  for (int i = 0; i < 300; ++i) {
    Observation o = Obs("BCR0000" + std::to_string(i % 3), std::to_string(i));
    o.mapping = "mapping-" + std::to_string(i % 7) + ".yaml";
    o.certification_type = i % 2 ? "RS" : "RNCP";
    o.certification_code = std::to_string(i % 11);
    ASSERT_TRUE(staged.Put(o, kSeen));
  }
  Observation read;
  for (int i = 0; i < 300; ++i) {
    const std::string certifier = "BCR0000" + std::to_string(i % 3);
    staged.Read(*staged.Find(certifier, std::to_string(i)), read);
    EXPECT_EQ(read.certifier, certifier);
    EXPECT_EQ(read.mapping, "mapping-" + std::to_string(i % 7) + ".yaml");
    EXPECT_EQ(read.certification_type, i % 2 ? "RS" : "RNCP");
    EXPECT_EQ(read.certification_code, std::to_string(i % 11));
  }
  EXPECT_EQ(staged.Of("BCR00001").size(), 100u);
  // Everything let go, then other names: read back as they are now.
  EmptyThenPutAnew(staged, 300, "BCR00009", "RS9999");
  EXPECT_EQ(staged.Find("BCR00001", "1"), std::nullopt);
}

TEST(StagedPassagesTest, RefusesWhatItMustNotHold) {
  StagedPassages staged;
  ASSERT_TRUE(staged.Put(Obs("BCR00001", "1017"), kSeen));
  // The same passage again: the first stays.
  Observation again = Obs("BCR00001", "1017");
  again.content_hash = "other";
  EXPECT_FALSE(staged.Put(again, kSeen));
  Observation read;
  staged.Read(*staged.Find("BCR00001", "1017"), read);
  EXPECT_EQ(read.content_hash, std::string(64, 'c'));
  // An observation with reasons (a quarantined row) is inserted at once, never held.
  Observation refused = Obs("BCR00001", "1018");
  refused.quarantined = true;
  refused.reasons.push_back({"sexe", "requis", "sexe manquant"});
  EXPECT_FALSE(staged.Put(refused, kSeen));
  EXPECT_EQ(staged.Find("BCR00001", "1018"), std::nullopt);
  EXPECT_EQ(staged.size(), 1u);
}

TEST(StagedPassagesTest, FindsByCertifierAndIdAndListsEachCertifiersInOrder) {
  StagedPassages staged;
  // "BCR0000" is a prefix of the others' BCR: it lists only its own.
  for (const auto& [certifier, id] :
       std::vector<std::pair<std::string, std::string>>{{"BCR00001", "3"},
                                                        {"BCR00002", "3"},
                                                        {"BCR00001", "1"},
                                                        {"BCR0000", "13"},
                                                        {"BCR00001", "2"}}) {
    ASSERT_TRUE(staged.Put(Obs(certifier, id), kSeen));
  }
  EXPECT_EQ(staged.Find("BCR00002", "1"), std::nullopt);
  EXPECT_EQ(staged.Find("BCR0000", "13").has_value(), true);
  EXPECT_EQ(staged.Find("BCR00001", "3"), std::optional<std::uint64_t>(0));
  EXPECT_EQ(staged.Find("BCR00002", "3"), std::optional<std::uint64_t>(1));

  auto ids = [&](const std::string& certifier) {
    std::vector<std::string> out;
    Observation o;
    for (const std::uint64_t at : staged.Of(certifier)) {
      staged.Read(at, o);
      out.push_back(o.certifier + "/" + o.id_technique);
    }
    return out;
  };
  EXPECT_THAT(ids("BCR00001"), ElementsAre("BCR00001/3", "BCR00001/1", "BCR00001/2"));
  EXPECT_THAT(ids("BCR0000"), ElementsAre("BCR0000/13"));
  EXPECT_THAT(ids("BCR00003"), IsEmpty());
}

TEST(StagedPassagesTest, LetsGoWhatItHeldInAnyOrder) {
  StagedPassages staged;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(staged.Put(Obs("BCR00001", std::to_string(i)), kSeen));
  staged.Erase(*staged.Find("BCR00001", "2"));
  staged.Erase(*staged.Find("BCR00001", "0"));
  staged.Erase(99);  // none there: nothing
  EXPECT_EQ(staged.size(), 3u);
  EXPECT_EQ(staged.Find("BCR00001", "2"), std::nullopt);
  EXPECT_EQ(staged.Find("BCR00001", "0"), std::nullopt);
  // Places stay those given when put; what follows is found and read as before.
  EXPECT_EQ(staged.Find("BCR00001", "4"), std::optional<std::uint64_t>(4));
  Observation o;
  staged.Read(4, o);
  EXPECT_EQ(o.id_technique, "4");
  EXPECT_EQ(staged.Of("BCR00001"), (std::vector<std::uint64_t>{1, 3, 4}));
  // Put again once let go.
  ASSERT_TRUE(staged.Put(Obs("BCR00001", "0"), kSeen));
  EXPECT_EQ(staged.Find("BCR00001", "0"), std::optional<std::uint64_t>(5));
  for (const std::uint64_t at : staged.Of("BCR00001")) staged.Erase(at);
  EXPECT_TRUE(staged.empty());
  ASSERT_TRUE(staged.Put(Obs("BCR00001", "9"), kSeen));
  EXPECT_EQ(staged.Find("BCR00001", "9"), std::optional<std::uint64_t>(6));
}

TEST(StagedPassagesTest, LetsGoTheMemoryOfWhatItLetGo) {
  StagedPassages staged;
  constexpr int kPassages = 3000;  // some 200 bytes each: several chunks
  for (int i = 0; i < kPassages; ++i) {
    ASSERT_TRUE(staged.Put(Obs("BCR00001", std::to_string(i)), kSeen));
  }
  const std::size_t full = staged.bytes();
  EXPECT_GE(full, kPassages * std::size_t{150});
  // Every other one let go: each chunk still holds some.
  for (int i = 0; i < kPassages; i += 2) staged.Erase(static_cast<std::uint64_t>(i));
  EXPECT_EQ(staged.bytes(), full);
  // All but the last: only the chunk that holds it is left.
  for (int i = 1; i < kPassages - 1; i += 2) staged.Erase(static_cast<std::uint64_t>(i));
  EXPECT_EQ(staged.size(), 1u);
  EXPECT_LE(staged.bytes(), std::size_t{64} << 10);
  EXPECT_LT(staged.bytes(), full / 4);
  Observation o;
  staged.Read(kPassages - 1, o);
  EXPECT_EQ(o.id_technique, std::to_string(kPassages - 1));
}

TEST(StagedPassagesTest, RefusesWhatIsTooLargeToHoldAndHoldsALargeOneWhole) {
  StagedPassages staged;
  Observation large = Obs("BCR00001", "large");
  large.row_digest = std::string(60000, 'r');
  large.holder_record = std::string(60000, 'h');  // together, more than a chunk
  ASSERT_TRUE(staged.Put(large, kSeen));
  ASSERT_TRUE(staged.Put(Obs("BCR00001", "after"), kSeen));
  Observation read;
  staged.Read(*staged.Find("BCR00001", "large"), read);
  EXPECT_EQ(read.row_digest, large.row_digest);
  EXPECT_EQ(read.holder_record, large.holder_record);
  staged.Read(*staged.Find("BCR00001", "after"), read);
  EXPECT_EQ(read.id_technique, "after");

  Observation too_large = Obs("BCR00001", "too large");
  too_large.cursor_value = std::string(70000, 'c');
  EXPECT_FALSE(staged.Put(too_large, kSeen));
  too_large = Obs("BCR00001", std::string(70000, 'i'));
  EXPECT_FALSE(staged.Put(too_large, kSeen));
  EXPECT_EQ(staged.size(), 2u);

  // More names than it can number (65,535): the one past them is refused.
  StagedPassages named;
  int held = 0;
  for (int i = 0; i < 70000; ++i) {
    Observation o = Obs("BCR00001", std::to_string(i));
    o.certification_code = "RS" + std::to_string(i);
    if (!named.Put(o, kSeen)) break;
    ++held;
  }
  EXPECT_EQ(held, 65535 - 3);  // the certifier, the mapping and the type have theirs
  Observation read_back;
  named.Read(*named.Find("BCR00001", "65531"), read_back);
  EXPECT_EQ(read_back.certification_code, "RS65531");
  // Once they are let go, names are numbered afresh.
  EmptyThenPutAnew(named, held, "BCR00001", "RS70000");
}

// The index by key is an open addressing table whose entries move back when one before them
// goes: at its capacity, passages let go in a shuffled order and put again, every one still held
// is found at its place, none let go is, and it empties whole.
TEST(StagedPassagesTest, FindsEveryPassageHeldThroughPutsAndErasesInAnyOrder) {
  StagedPassages staged;
  std::mt19937 random(20261206);
  std::vector<std::uint64_t> held;  // places
  std::vector<std::string> ids;     // by place
  auto put = [&](const std::string& certifier) {
    const std::string id = "P" + std::to_string(ids.size());
    ASSERT_TRUE(staged.Put(Obs(certifier, id), kSeen));
    held.push_back(ids.size());
    ids.push_back(certifier + "/" + id);
  };
  auto check = [&](const std::vector<std::uint64_t>& gone) {
    for (const std::uint64_t place : held) {
      const std::string& key = ids[place];
      const std::size_t slash = key.find('/');
      ASSERT_EQ(staged.Find(key.substr(0, slash), key.substr(slash + 1)),
                std::optional<std::uint64_t>(place))
          << key;
    }
    for (const std::uint64_t place : gone) {
      const std::string& key = ids[place];
      const std::size_t slash = key.find('/');
      ASSERT_EQ(staged.Find(key.substr(0, slash), key.substr(slash + 1)), std::nullopt) << key;
    }
  };
  for (std::size_t i = 0; i < StagedPassages::kMost; ++i) put(i % 3 == 0 ? "BCR00002" : "BCR00001");
  ASSERT_FALSE(staged.HasRoom());
  for (int round = 0; round < 3; ++round) {
    std::shuffle(held.begin(), held.end(), random);
    std::vector<std::uint64_t> gone(held.end() - static_cast<std::ptrdiff_t>(held.size() / 2),
                                    held.end());
    held.resize(held.size() - gone.size());
    for (const std::uint64_t place : gone) staged.Erase(place);
    EXPECT_EQ(staged.size(), held.size());
    check(gone);
    while (staged.HasRoom()) put("BCR00001");
    check(gone);
  }
  std::shuffle(held.begin(), held.end(), random);
  const std::vector<std::uint64_t> all = std::move(held);
  held.clear();
  for (const std::uint64_t place : all) staged.Erase(place);
  EXPECT_TRUE(staged.empty());
  check(all);
  put("BCR00003");
  check({});
}

TEST(StagedPassagesTest, HoldsAtMostItsCapacity) {
  StagedPassages staged;
  for (std::size_t i = 0; i < StagedPassages::kMost; ++i) {
    ASSERT_TRUE(staged.HasRoom());
    ASSERT_TRUE(staged.Put(Obs("BCR00001", std::to_string(i)), kSeen));
  }
  EXPECT_FALSE(staged.HasRoom());
  staged.Erase(0);
  EXPECT_TRUE(staged.HasRoom());
}

}  // namespace
}  // namespace accrochd::store
