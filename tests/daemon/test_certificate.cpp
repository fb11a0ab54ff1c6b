#include "test_certificate.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ndrlink::test {

CertificateFiles make_self_signed_certificate(const std::string& dir) {
  CertificateFiles files{dir + "/cert.pem", dir + "/key.pem"};
  const std::string log = dir + "/openssl.log";
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost "
      "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      files.key_file + " -out " + files.cert_file + " </dev/null >" + log + " 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    throw std::runtime_error("openssl could not make a test certificate: " + ss.str());
  }
  return files;
}

}  // namespace ndrlink::test
