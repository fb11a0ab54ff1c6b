// A fake DNS server for tests: UDP on 127.0.0.1, a port of its own.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ndrlink::testing {

// A UDP DNS server on 127.0.0.1 answering MX queries from a table:
// name -> MX records (preference, exchange; "" is the root, a null MX), or
// an rcode for names listed in `rcodes`. Unknown names get NOERROR with no
// answer (NODATA).
class FakeDns {
 public:
  std::map<std::string, std::vector<std::pair<int, std::string>>> mx;
  std::map<std::string, int> rcodes;
  std::uint32_t ttl = 60;                          // of every MX record but those in record_ttl
  std::map<std::string, std::uint32_t> record_ttl;  // exchange -> TTL of its record
  std::map<std::string, std::chrono::milliseconds> delay;  // name -> wait before each answer (one query at a time)

  FakeDns() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("fake DNS: cannot bind");
    port_ = ntohs(a.sin_port);
  }
  ~FakeDns() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  void start() { thread_ = std::thread([this] { serve(); }); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Queries answered so far for `name`.
  int queries(const std::string& name) const {
    std::lock_guard lock(mu_);
    return counts_.count(name) ? counts_.at(name) : 0;
  }

 private:
  static void put16(std::string& out, int v) {
    out += static_cast<char>((v >> 8) & 0xff);
    out += static_cast<char>(v & 0xff);
  }
  static std::string encode_name(const std::string& name) {
    std::string out;
    std::size_t start = 0;
    while (start < name.size()) {
      const auto dot = name.find('.', start);
      const auto label = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      out += static_cast<char>(label.size());
      out += label;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return out + '\0';
  }
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      unsigned char q[512];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const auto n = ::recvfrom(fd_, q, sizeof q, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 17) continue;
      // The question: labels from offset 12, then type and class.
      std::string name;
      std::size_t i = 12;
      while (i < static_cast<std::size_t>(n) && q[i] != 0) {
        const std::size_t l = q[i];
        if (!name.empty()) name += '.';
        name.append(reinterpret_cast<const char*>(q + i + 1), l);
        i += l + 1;
      }
      const std::size_t question_end = i + 5;  // root byte, type, class
      {
        std::lock_guard lock(mu_);
        ++counts_[name];
      }
      if (delay.count(name)) std::this_thread::sleep_for(delay.at(name));
      std::string out(reinterpret_cast<const char*>(q), 2);  // id
      const auto rc = rcodes.count(name) ? rcodes.at(name) : 0;
      const auto& records = mx.count(name) ? mx.at(name) : std::vector<std::pair<int, std::string>>{};
      put16(out, 0x8180 | rc);  // response, recursion desired + available
      put16(out, 1);
      put16(out, rc ? 0 : static_cast<int>(records.size()));
      put16(out, 0);
      put16(out, 0);
      out.append(reinterpret_cast<const char*>(q + 12), question_end - 12);
      if (!rc)
        for (const auto& [pref, exchange] : records) {
          put16(out, 0xc00c);  // the question's name
          put16(out, 15);      // MX
          put16(out, 1);       // IN
          const std::uint32_t t = record_ttl.count(exchange) ? record_ttl.at(exchange) : ttl;
          put16(out, static_cast<int>(t >> 16));
          put16(out, static_cast<int>(t & 0xffff));
          const std::string target = exchange.empty() ? std::string(1, '\0') : encode_name(exchange);
          put16(out, static_cast<int>(target.size() + 2));
          put16(out, pref);
          out += target;
        }
      ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, int> counts_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ndrlink::testing
