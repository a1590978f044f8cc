#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace accrochd::store {

// HMAC-SHA-256 (RFC 2104) under one key: the store's keyed digests of a passage's content, of its
// source row and of a holder's identity and traits -- several for each row a cycle reads.
//
// The key's inner and outer pads are hashed once, here; a digest copies the two SHA-256 states
// (plain structures) and hashes the data and the inner digest on. OpenSSL 3's HMAC, one-shot or
// through a re-initialised EVP_MAC context, duplicates its digest contexts through the provider
// for every message (two allocations and copies, and the parameter machinery), which cost
// several times the two or three SHA-256 blocks of a short message (bench/README.md,
// 2026-12-05). The hashing itself is OpenSSL's (its SHA-NI or AVX2 code); the same bytes as
// HMAC(EVP_sha256(), ...), which the tests compare. Thread-safe: a digest only reads the pads.
class KeyedHash {
 public:
  explicit KeyedHash(std::string_view key);
  ~KeyedHash();
  KeyedHash(const KeyedHash&) = delete;
  KeyedHash& operator=(const KeyedHash&) = delete;

  static constexpr std::size_t kSize = 32;

  // HMAC-SHA-256(key, data), its 32 raw bytes.
  std::string Digest(std::string_view data) const;
  // The same into `out`, which holds kSize bytes.
  void Digest(std::string_view data, unsigned char* out) const;

 private:
  struct Pads;
  std::unique_ptr<const Pads> pads_;
};

}  // namespace accrochd::store
