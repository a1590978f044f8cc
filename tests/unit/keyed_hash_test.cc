// The store's keyed digest: HMAC-SHA-256 from pads hashed once, byte for byte OpenSSL's HMAC.
#include "connectors/store/keyed_hash.h"

#include <string>
#include <thread>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <gtest/gtest.h>

namespace accrochd::store {
namespace {

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (char byte : bytes) {
    const auto c = static_cast<unsigned char>(byte);
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

// OpenSSL's one-shot HMAC: what the store computed before, and what every digest it holds is.
std::string Reference(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

// Bytes of every value, from a seed.
std::string Bytes(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7 + 3) & 0xff);
  return s;
}

TEST(KeyedHashTest, GivesRfc4231TestCaseTwo) {
  const KeyedHash hash("Jefe");
  EXPECT_EQ(Hex(hash.Digest("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(KeyedHashTest, AgreesWithOpensslHmacForKeysAndMessagesAroundTheBlock) {
  // Keys shorter than a block, a block, longer (hashed first); messages across the padding's
  // edges (55, 56, 64 bytes) and long ones.
  for (std::size_t key_size : {0u, 1u, 32u, 63u, 64u, 65u, 200u}) {
    const std::string key = Bytes(key_size, 1);
    const KeyedHash hash(key);
    for (std::size_t size = 0; size <= 200; ++size) {
      const std::string data = Bytes(size, static_cast<unsigned>(size));
      ASSERT_EQ(hash.Digest(data), Reference(key, data)) << "key " << key_size << ", data " << size;
    }
    const std::string long_data = Bytes(100000, 9);
    EXPECT_EQ(hash.Digest(long_data), Reference(key, long_data)) << "key " << key_size;
  }
}

TEST(KeyedHashTest, WritesIntoABufferTheSameBytes) {
  const std::string key = Bytes(32, 5), data = std::string("certifier\x1f") + "12345";
  const KeyedHash hash(key);
  unsigned char out[KeyedHash::kSize];
  hash.Digest(data, out);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out), sizeof(out)), Reference(key, data));
}

TEST(KeyedHashTest, DigestsFromSeveralThreadsAtOnceAgree) {
  // The record stage, map+validate and the deposit thread digest with one store's hash.
  const std::string key = Bytes(32, 11);
  const KeyedHash hash(key);
  std::vector<std::string> expected;
  for (unsigned i = 0; i < 500; ++i) expected.push_back(Reference(key, Bytes(i % 97, i)));
  std::vector<int> wrong(4, 0);  // per thread
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (unsigned i = 0; i < 500; ++i) {
          if (hash.Digest(Bytes(i % 97, i)) != expected[i]) ++wrong[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace accrochd::store
