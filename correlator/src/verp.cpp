#include "ndrlink/correlator/verp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace ndrlink::correlator {
namespace {

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";  // RFC 4648 base32, lower case
constexpr std::size_t kMacChars = 16;                                     // 80 bits

std::string base32_of_id(std::uint64_t v) {
  std::string out;
  do {
    out.insert(out.begin(), kAlphabet[v & 31]);
    v >>= 5;
  } while (v);
  return out;
}

std::optional<std::uint64_t> id_of_base32(std::string_view s) {
  if (s.empty() || s.size() > 13) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    const auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    if (v > (UINT64_MAX >> 5)) return std::nullopt;
    v = (v << 5) | pos;
  }
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

}  // namespace

VerpSigner::VerpSigner(std::string secret) : secret_(std::move(secret)) {
  if (secret_.size() < 16) throw std::invalid_argument("VERP secret must be at least 16 bytes");
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!mac) throw std::runtime_error("OpenSSL has no HMAC");
  keyed_.reset(EVP_MAC_CTX_new(mac), EVP_MAC_CTX_free);
  EVP_MAC_free(mac);
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0), OSSL_PARAM_construct_end()};
  if (!keyed_ || !EVP_MAC_init(keyed_.get(), reinterpret_cast<const unsigned char*>(secret_.data()), secret_.size(),
                               params))
    throw std::runtime_error("cannot set up HMAC-SHA256");
}

VerpSigner VerpSigner::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read VERP secret file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string secret = ss.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() < 16) throw std::runtime_error("VERP secret file " + path + " holds fewer than 16 bytes");
  return VerpSigner(std::move(secret));
}

std::string VerpSigner::mac_for(std::string_view id_part) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  const std::string message = "ndrlink-verp-v1:" + std::string(id_part);
  const std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(keyed_.get()), EVP_MAC_CTX_free);
  if (!ctx || !EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(message.data()), message.size()) ||
      !EVP_MAC_final(ctx.get(), digest, &len, sizeof digest))
    throw std::runtime_error("HMAC-SHA256 failed");
  // First 80 bits, base32.
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned i = 0; i < len && out.size() < kMacChars; ++i) {
    buffer = (buffer << 8) | digest[i];
    bits += 8;
    while (bits >= 5 && out.size() < kMacChars) {
      bits -= 5;
      out.push_back(kAlphabet[(buffer >> bits) & 31]);
    }
  }
  return out;
}

std::string VerpSigner::token_for(std::int64_t acceptance_id) const {
  const std::string id = base32_of_id(static_cast<std::uint64_t>(acceptance_id));
  return id + "-" + mac_for(id);
}

std::optional<std::int64_t> VerpSigner::verify(std::string_view token) const {
  if (token.size() > 64) return std::nullopt;
  const std::string t = lower(token);
  const auto dash = t.find('-');
  if (dash == std::string::npos) return std::nullopt;
  const std::string id_part = t.substr(0, dash), mac = t.substr(dash + 1);
  const auto id = id_of_base32(id_part);
  if (!id || mac.size() != kMacChars || *id > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  // Canonical form only: no leading zero digits ('a').
  if (base32_of_id(*id) != id_part) return std::nullopt;
  const std::string expected = mac_for(id_part);
  if (CRYPTO_memcmp(expected.data(), mac.data(), kMacChars) != 0) return std::nullopt;
  return static_cast<std::int64_t>(*id);
}

std::string VerpSigner::address_for(std::int64_t acceptance_id, std::string_view prefix,
                                    std::string_view domain) const {
  return std::string(prefix) + token_for(acceptance_id) + "@" + std::string(domain);
}

}  // namespace ndrlink::correlator
