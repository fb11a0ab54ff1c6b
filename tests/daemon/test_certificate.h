// Self-signed certificates for TLS tests, made by the openssl CLI.
#pragma once

#include <string>

namespace ndrlink::test {

struct CertificateFiles {
  std::string cert_file;  // PEM certificate (also the CA file that trusts it)
  std::string key_file;   // PEM private key, unencrypted
};

// An EC P-256 certificate for CN=localhost with subjectAltName IP:127.0.0.1
// and DNS:localhost, valid two days, written to <dir>/cert.pem and
// <dir>/key.pem. Throws std::runtime_error with openssl's output on failure.
CertificateFiles make_self_signed_certificate(const std::string& dir);

}  // namespace ndrlink::test
