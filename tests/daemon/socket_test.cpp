// The ingest socket against the real ndrlinkd: concurrent clients, every
// record stored once, bad lines answered with errors on a connection that
// stays usable.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "daemon_fixture.h"

namespace ndrlink::testing {
namespace {

// A blocking line client for the Unix socket.
class LineClient {
 public:
  explicit LineClient(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect " + path + ": " + std::strerror(errno));
  }
  ~LineClient() { ::close(fd_); }
  void send(const std::string& data) {
    for (std::size_t off = 0; off < data.size();) {
      const auto n = ::write(fd_, data.data() + off, data.size() - off);
      if (n <= 0) throw std::runtime_error("write failed");
      off += static_cast<std::size_t>(n);
    }
  }
  std::string read_line() {
    while (true) {
      const auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      char chunk[4096];
      const auto n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) throw std::runtime_error("connection closed");
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::string buffer_;
};

TEST(IngestSocket, TenClientsTimesTenThousandRecordsAreStoredOnce) {
  DaemonFixture fx;
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  struct stat st {};
  ASSERT_EQ(::stat(fx.socket_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  constexpr int kClients = 10, kRecords = 10000;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0}, created{0}, failed{0};
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      try {
        LineClient client(fx.socket_path());
        // Pipelined: send in chunks of 100 lines, then read 100 replies.
        for (int base = 0; base < kRecords; base += 100) {
          std::string batch;
          for (int i = base; i < base + 100; ++i)
            batch += R"({"rcpt":"user)" + std::to_string(i) + R"(@example.jp","code":252,"message_id":"<m)" +
                     std::to_string(c) + "-" + std::to_string(i) + R"(@sender.example>","mx":"mx.example.jp"})" + "\n";
          client.send(batch);
          for (int i = 0; i < 100; ++i) {
            const auto reply = client.read_line();
            if (reply.rfind(R"({"ok":true,"id":)", 0) == 0) ++ok;
            else ++failed;
            if (reply.find(R"("created":true)") != std::string::npos) ++created;
          }
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "client " << c << ": " << e.what();
      }
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRecords);
  EXPECT_EQ(created.load(), kClients * kRecords);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM acceptances"), kClients * kRecords);
  // The same records again: no new rows.
  LineClient again(fx.socket_path());
  again.send(R"({"rcpt":"user7@example.jp","code":252,"message_id":"<m3-7@sender.example>"})" "\n");
  EXPECT_NE(again.read_line().find(R"("created":false)"), std::string::npos);
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM acceptances"), kClients * kRecords);
  EXPECT_EQ(daemon.terminate(), 0);
}

TEST(IngestSocket, BadLinesGetErrorsAndTheConnectionStaysUsable) {
  DaemonFixture fx("");
  std::ofstream(fx.config_path(), std::ios::app) << "";
  DaemonProcess daemon(fx.config_path(), fx.log_path());
  daemon.start();
  LineClient client(fx.socket_path());
  const std::pair<std::string, std::string> cases[] = {
      {"this is not json", "malformed JSON"},
      {"[1,2,3]", "expected a JSON object"},
      {R"({"code":252})", "rcpt"},
      {R"({"rcpt":"a@example.jp","code":550})", "2xx"},
      {R"({"rcpt":"a@example.jp","code":252,"state":"exploded"})", "state"},
      {R"({"rcpt":"a@example.jp","code":252,"at":"yesterday"})", "at"},
      {R"({"rcpt":"a@example.jp","code":{"x":1}})", "code"},
      {std::string(100 * 1024, 'x'), "longer than"},
  };
  for (const auto& [line, why] : cases) {
    client.send(line + "\n");
    const auto reply = client.read_line();
    EXPECT_EQ(reply.rfind(R"({"ok":false,"error":)", 0), 0u) << line.substr(0, 60) << " -> " << reply;
    EXPECT_NE(reply.find(why), std::string::npos) << line.substr(0, 60) << " -> " << reply;
  }
  client.send(R"({"rcpt":"good@example.jp","code":"252","text":"2.1.5 Cannot VRFY user"})" "\n");
  EXPECT_EQ(client.read_line().rfind(R"({"ok":true,"id":1,"created":true,"verp_token":")", 0), 0u);
  EXPECT_EQ(fx.scalar("SELECT count(*) FROM acceptances"), 1);
  EXPECT_EQ(daemon.terminate(), 0);
}

}  // namespace
}  // namespace ndrlink::testing
