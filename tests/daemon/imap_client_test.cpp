// The IMAP client against a scripted, misbehaving server on loopback
// (plaintext): every failure must be one clear ImapError, never a hang,
// a crash or a password sent where it should not go.
#include <utility>  // before Asio (Boost 1.74)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "imap_client.h"

namespace ndrlink::daemon::imap {
namespace {
using namespace std::chrono_literals;

// One connection, one script: each step sends bytes or waits for a line
// starting with a prefix. Everything received is kept for assertions.
class FakeServer {
 public:
  struct Step {
    std::string send;    // bytes to send
    std::string expect;  // or: read lines until one contains this
  };
  explicit FakeServer(std::initializer_list<Step> script) : script_(script) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_, 1) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("fake server: cannot listen");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeServer() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::string received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void serve() {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    if (script_.empty()) {  // hang up at once
      ::close(fd);
      return;
    }
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string pending;
    for (const auto& step : script_) {
      if (!step.send.empty()) {
        if (::send(fd, step.send.data(), step.send.size(), MSG_NOSIGNAL) < 0) break;
        continue;
      }
      bool found = false;
      while (!found) {
        const auto nl = pending.find('\n');
        if (nl != std::string::npos) {
          found = pending.substr(0, nl).find(step.expect) != std::string::npos;
          pending.erase(0, nl + 1);
          continue;
        }
        char buf[4096];
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        pending.append(buf, static_cast<std::size_t>(n));
        std::lock_guard lock(mu_);
        received_.append(buf, static_cast<std::size_t>(n));
      }
      if (!found) break;
    }
    // Hold the connection until the client closes it.
    char buf[256];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
      std::lock_guard lock(mu_);
      received_.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
  }

  std::vector<Step> script_;
  int listener_ = -1, port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::string received_;
};

FakeServer::Step Send(std::string bytes) { return {std::move(bytes), ""}; }
FakeServer::Step Expect(std::string text) { return {"", std::move(text)}; }

ImapConfig config_for(int port, TlsMode tls) {
  ImapConfig c;
  c.name = "fake";
  c.host = "127.0.0.1";
  c.port = port;
  c.tls = tls;
  c.username = "bob";
  c.auth = "plain";
  return c;
}

// Runs open() (and SELECT when `select`) and returns the error text, or
// "" when it succeeded.
std::string open_error(const ImapConfig& c, bool select = false, std::chrono::seconds timeout = 2s) {
  boost::asio::io_context io;
  auto tls = make_tls_context({"", false});
  Limits limits;
  limits.max_line = 1024;
  auto conn = std::make_shared<Connection>(io.get_executor(), tls, limits);
  Client client(conn, timeout);
  std::string error = "not finished";
  const std::string password = "pa55word";
  const std::string mailbox = "INBOX";
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        co_await client.open(c, password);
        if (select) co_await client.select(mailbox);
      },
      [&](std::exception_ptr e) {
        error.clear();
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          error = ex.what();
        }
      });
  io.run_for(10s);
  conn->close();
  return error;
}

const std::string kGreeting = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n";

TEST(ImapClient, LogsInWithSaslIrAndSelects) {
  FakeServer server{Send(kGreeting),
                     Expect("AUTHENTICATE PLAIN"),
                     Send("N1 OK [CAPABILITY IMAP4rev1 IDLE MOVE] in\r\n"),
                     Expect("SELECT"),
                     Send("* 2 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 3] n\r\nN2 OK [READ-WRITE] done\r\n")};
  EXPECT_EQ(open_error(config_for(server.port(), TlsMode::none), true), "");
  // "\0bob\0pa55word" in base64.
  EXPECT_NE(server.received().find("N1 AUTHENTICATE PLAIN AGJvYgBwYTU1d29yZA==\r\n"), std::string::npos);
}

TEST(ImapClient, StartTlsRequiredButNotOfferedSendsNoPassword) {
  FakeServer server{Send(kGreeting)};
  const auto error = open_error(config_for(server.port(), TlsMode::starttls));
  EXPECT_NE(error.find("does not offer STARTTLS"), std::string::npos) << error;
  EXPECT_EQ(server.received().find("AUTHENTICATE"), std::string::npos);
  EXPECT_EQ(server.received().find("LOGIN"), std::string::npos);
}

TEST(ImapClient, StartTlsResponseInjectionIsRefused) {
  FakeServer server{Send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"),
                     Expect("STARTTLS"),
                     Send("N1 OK go ahead\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n")};
  const auto error = open_error(config_for(server.port(), TlsMode::starttls));
  EXPECT_NE(error.find("before the TLS handshake"), std::string::npos) << error;
  EXPECT_EQ(server.received().find("pa55"), std::string::npos);
}

TEST(ImapClient, PreauthCannotSkipStartTls) {
  FakeServer server{Send("* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n")};
  const auto error = open_error(config_for(server.port(), TlsMode::starttls));
  EXPECT_NE(error.find("STARTTLS"), std::string::npos) << error;
}

TEST(ImapClient, SilentServerTimesOut) {
  FakeServer server{Expect("never sent")};
  const auto started = std::chrono::steady_clock::now();
  const auto error = open_error(config_for(server.port(), TlsMode::none), false, 1s);
  EXPECT_NE(error.find("timed out after 1 s"), std::string::npos) << error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(ImapClient, EndlessLineIsAnErrorNotAnAllocation) {
  FakeServer server{Send("* OK " + std::string(4096, 'a'))};
  const auto error = open_error(config_for(server.port(), TlsMode::none));
  EXPECT_NE(error.find("longer than 1024 bytes"), std::string::npos) << error;
}

TEST(ImapClient, ByeGreetingAndWrongPassword) {
  {
    FakeServer server{Send("* BYE too many connections\r\n")};
    EXPECT_NE(open_error(config_for(server.port(), TlsMode::none)).find("refused the connection: too many"),
              std::string::npos);
  }
  FakeServer server{Send(kGreeting),
                     Expect("AUTHENTICATE"),
                     Send("N1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")};
  const auto error = open_error(config_for(server.port(), TlsMode::none));
  EXPECT_EQ(error, "login as bob refused: [AUTHENTICATIONFAILED] Authentication failed.");
}

TEST(ImapClient, ClosedConnectionAndGarbage) {
  {
    FakeServer server{};
    const auto error = open_error(config_for(server.port(), TlsMode::none));
    EXPECT_NE(error.find("closed the connection"), std::string::npos) << error;
  }
  FakeServer server{Send("\x01\x02 garbage\r\n")};
  const auto error = open_error(config_for(server.port(), TlsMode::none));
  EXPECT_NE(error.find("malformed server response"), std::string::npos) << error;
}

TEST(ImapClient, SelectWithoutUidValidityIsRefused) {
  FakeServer server{Send(kGreeting),
                     Expect("AUTHENTICATE"),
                     Send("N1 OK in\r\n"),
                     Expect("CAPABILITY"),
                     Send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nN2 OK\r\n"),
                     Expect("SELECT"),
                     Send("* 1 EXISTS\r\nN3 OK done\r\n")};
  const auto error = open_error(config_for(server.port(), TlsMode::none), true);
  EXPECT_NE(error.find("gave no UIDVALIDITY"), std::string::npos) << error;
}

}  // namespace
}  // namespace ndrlink::daemon::imap
