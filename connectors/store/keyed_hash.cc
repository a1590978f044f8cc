#include "connectors/store/keyed_hash.h"

#include <array>
#include <cstring>

// SHA256_Init, SHA256_Update and SHA256_Final are deprecated in OpenSSL 3 in favour of EVP_Digest,
// whose contexts cannot be copied without an allocation through the provider -- the very cost
// this class exists to avoid (keyed_hash.h). They remain in OpenSSL 3's libcrypto, on the same
// assembly as the provider's SHA-256.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace accrochd::store {

struct KeyedHash::Pads {
  SHA256_CTX inner;
  SHA256_CTX outer;
};

KeyedHash::KeyedHash(std::string_view key) {
  constexpr std::size_t kBlock = SHA256_CBLOCK;  // 64
  std::array<unsigned char, kBlock> block{};
  if (key.size() > kBlock) {
    // A key longer than a block is hashed first (RFC 2104, section 2).
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block.data());
  } else if (!key.empty()) {
    std::memcpy(block.data(), key.data(), key.size());
  }
  auto pads = std::make_unique<Pads>();
  std::array<unsigned char, kBlock> pad{};
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(&pads->inner);
  SHA256_Update(&pads->inner, pad.data(), pad.size());
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(&pads->outer);
  SHA256_Update(&pads->outer, pad.data(), pad.size());
  pads_ = std::move(pads);
}

KeyedHash::~KeyedHash() = default;

void KeyedHash::Digest(std::string_view data, unsigned char* out) const {
  SHA256_CTX ctx = pads_->inner;
  SHA256_Update(&ctx, data.data(), data.size());
  unsigned char inner[SHA256_DIGEST_LENGTH];
  SHA256_Final(inner, &ctx);
  ctx = pads_->outer;
  SHA256_Update(&ctx, inner, sizeof(inner));
  SHA256_Final(out, &ctx);
}

std::string KeyedHash::Digest(std::string_view data) const {
  std::string digest(kSize, '\0');
  Digest(data, reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

}  // namespace accrochd::store
