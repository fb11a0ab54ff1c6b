// A blocking SMTP client for tests and benchmarks: one command, one reply;
// no TLS, no pipelining. It sends what the test says (ESMTP parameters
// such as NOTIFY=SUCCESS included) and returns the server's reply as is.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace ndrlink::testing {

struct SmtpTestReply {
  int code = 0;
  std::string text;  // the lines after the code, joined by '\n'
  std::string line() const { return std::to_string(code) + " " + text; }
};

class SmtpTestClient {
 public:
  // Connects to 127.0.0.1:port and reads the greeting (throws on failure
  // or after `timeout_s` without an answer).
  explicit SmtpTestClient(int port, int timeout_s = 30) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_s, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      throw std::runtime_error("connect 127.0.0.1:" + std::to_string(port) + ": " + why);
    }
    greeting_ = read_reply();
  }
  ~SmtpTestClient() { ::close(fd_); }
  SmtpTestClient(const SmtpTestClient&) = delete;
  SmtpTestClient& operator=(const SmtpTestClient&) = delete;

  const SmtpTestReply& greeting() const { return greeting_; }

  // Sends `line` + CRLF and returns the reply.
  SmtpTestReply command(const std::string& line) {
    send(line + "\r\n");
    return read_reply();
  }

  // DATA, then `message` (LF or CRLF lines) dot-stuffed and ended by
  // CRLF.CRLF: the reply to DATA when it is not 354, else the final one.
  SmtpTestReply data(const std::string& message) {
    const auto go = command("DATA");
    if (go.code != 354) return go;
    std::string wire;
    wire.reserve(message.size() + message.size() / 32 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
      const char c = message[i];
      if (line_start && c == '.') wire += '.';
      if (c == '\n' && (i == 0 || message[i - 1] != '\r')) wire += '\r';
      wire += c;
      line_start = c == '\n';
    }
    if (!line_start) wire += "\r\n";
    send(wire + ".\r\n");
    return read_reply();
  }

  // Raw bytes (for misbehaving clients).
  void send(const std::string& bytes) {
    for (std::size_t off = 0; off < bytes.size();) {
      const auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error(std::string("SMTP write failed: ") + std::strerror(errno));
      off += static_cast<std::size_t>(n);
    }
  }

  SmtpTestReply read_reply() {
    SmtpTestReply reply;
    while (true) {
      const std::string line = read_line();
      if (line.size() < 3) throw std::runtime_error("SMTP reply too short: " + line);
      reply.code = std::atoi(line.substr(0, 3).c_str());
      if (!reply.text.empty()) reply.text += '\n';
      reply.text += line.size() > 4 ? line.substr(4) : "";
      if (line.size() == 3 || line[3] != '-') return reply;
    }
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
      if (n == 0) throw std::runtime_error("SMTP connection closed by the server");
      if (n < 0) throw std::runtime_error(std::string("SMTP read failed: ") + std::strerror(errno));
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  int fd_ = -1;
  std::string buffer_;
  SmtpTestReply greeting_;
};

}  // namespace ndrlink::testing
