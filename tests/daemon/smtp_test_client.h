// A blocking SMTP client for relay tests: raw bytes out, one (multi-line)
// reply in, with a receive timeout so a silent server fails the test
// instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace ndrlink::testing {

class SmtpTestClient {
 public:
  explicit SmtpTestClient(int port, int timeout_seconds = 20) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_seconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect to relay failed");
    }
  }
  ~SmtpTestClient() { close(); }
  SmtpTestClient(const SmtpTestClient&) = delete;
  SmtpTestClient& operator=(const SmtpTestClient&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // False when the peer is gone.
  bool send(const std::string& data) {
    for (std::size_t off = 0; off < data.size();) {
      const auto n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  // One reply, all its lines joined with "\n" (without CRLF); "" when the
  // connection closed or timed out first.
  std::string reply() {
    std::string out;
    while (true) {
      const std::string line = read_line();
      if (line.empty()) return out;
      out += (out.empty() ? "" : "\n") + line;
      if (line.size() < 4 || line[3] != '-') return out;
    }
  }
  // Sends `command` + CRLF and returns the reply.
  std::string command(const std::string& command) {
    send(command + "\r\n");
    return reply();
  }
  // True when the server closed the connection (EOF) within the timeout.
  bool closed() {
    char c;
    return buffer_.empty() && ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  std::string read_line() {
    while (true) {
      const auto nl = buffer_.find("\r\n");
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 2);
        return line;
      }
      char chunk[4096];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return {};
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace ndrlink::testing
