// VERP tokens: a compact, local-part-safe, HMAC-SHA256-authenticated
// encoding of an acceptance id. A token that fails verification is never
// trusted: forged bounces must not mark addresses bad.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_mac_ctx_st;

namespace ndrlink::correlator {

class VerpSigner {
 public:
  // `secret` must be at least 16 bytes (throws std::invalid_argument).
  explicit VerpSigner(std::string secret);

  // Reads the secret from a file (trailing newline dropped). Throws
  // std::runtime_error naming the file when unreadable or too short.
  static VerpSigner from_file(const std::string& path);

  // "<id base32>-<16 chars of base32 HMAC>", lower case, e.g. "b-k3m9...".
  std::string token_for(std::int64_t acceptance_id) const;

  // The acceptance id when `token` is authentic (case-insensitive: MTAs may
  // change the case of a local part); nullopt for altered or forged ones.
  std::optional<std::int64_t> verify(std::string_view token) const;

  // prefix + token + "@" + domain, e.g. "bounces+b-k3m9...@example.org".
  std::string address_for(std::int64_t acceptance_id, std::string_view prefix, std::string_view domain) const;

 private:
  std::string mac_for(std::string_view id_part) const;
  std::string secret_;
  // HMAC-SHA256 keyed with secret_, set up once; each call works on a copy
  // (so one signer may be shared by threads).
  std::shared_ptr<evp_mac_ctx_st> keyed_;
};

}  // namespace ndrlink::correlator
