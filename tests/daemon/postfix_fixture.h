// Two real Postfix instances and the real ndrlinkd, as a sender's world
// looks from the outside (postfix_harness.h):
//
//   client --SMTP--> front (backup MX: accepts anything @back.test and
//                    @dead.test, relays to back / to a closed port)
//                    back  (alice@back.test: Maildir; full@back.test: an
//                    mbox over its quota; others: 550 5.1.1 at RCPT)
//   bounces and DSNs --> bounces+TOKEN@verp.test on the front --> the
//                    Maildir ndrlinkd watches
//
// Every test gets its own instances, ports and temp dirs; the destructors
// stop them whatever happened.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "daemon_fixture.h"
#include "daemon_process.h"
#include "line_client.h"
#include "ndrlink/storage/store.h"
#include "postfix_harness.h"
#include "service_support.h"
#include "smtp_test_data.h"

namespace ndrlink::testing {

class PostfixWorld : public ::testing::Test {
 protected:
  static constexpr const char* kVerpDomain = "verp.test";

  enum class Relay { off, smarthost, static_mx };

  // The two Postfix instances and ndrlinkd; with a relay, ndrlinkd also
  // relays on 127.0.0.1:relay_port_ to the front (as its smarthost, or as
  // the MX of back.test and dead.test), with `relay_keys` added to [relay].
  // `front_xverp`: the front offers XVERP to loopback clients (the relay).
  void start_world(Relay relay = Relay::off, const std::string& relay_keys = "", bool front_xverp = false) {
    if (const auto why = test::Postfix::missing(); !why.empty()) GTEST_SKIP() << why;
    back_ = std::make_unique<test::Postfix>("back");
    front_ = std::make_unique<test::Postfix>("front");
    std::string toml;
    if (relay != Relay::off) {
      relay_port_ = test::free_port();
      const std::string front = "127.0.0.1:" + std::to_string(front_->port());
      toml = std::string("[verp]\ndomain = \"") + kVerpDomain + "\"\n[relay]\nenabled = true\nlisten = \"127.0.0.1:" +
             std::to_string(relay_port_) + "\"\nhostname = \"relay.test\"\nupstream_tls = \"none\"\n" +
             "upstream_connect_timeout_seconds = 5\nupstream_timeout_seconds = 30\n" + relay_keys +
             (relay == Relay::smarthost
                  ? "upstream = \"smarthost\"\nsmarthost = \"" + front + "\"\n"
                  : "upstream = \"mx\"\n[relay.static_mx]\n\"back.test\" = \"" + front + "\"\n\"dead.test\" = \"" + front +
                        "\"\n");
    }
    fixture_ = std::make_unique<DaemonFixture>(toml);
    back_->add_maildir_user("alice@back.test");
    back_->add_maildir_user("bob@back.test");
    back_->add_mbox_user("full@back.test", 45000);
    back_->set_mailbox_limit(51200);
    back_->route(kVerpDomain, front_->port());
    front_->relay_domain("back.test", back_->port());
    front_->relay_domain("dead.test", test::free_port());  // nothing listens there
    front_->expire_after(std::chrono::seconds(1), std::chrono::seconds(5));
    front_->add_maildir_user(std::string("bounces@") + kVerpDomain, fixture_->maildir());
    if (front_xverp) front_->set("smtpd_authorized_verp_clients", "127.0.0.0/8");
    back_->start();
    front_->start();
    daemon_ = std::make_unique<DaemonProcess>(fixture_->config_path(), fixture_->log_path());
    daemon_->start();
  }

  void TearDown() override {
    // Show what the servers did when something failed.
    if (HasFailure()) {
      if (front_) std::cerr << "--- front maillog:\n" << test::tail(front_->maillog(), 4000) << "\n";
      if (back_) std::cerr << "--- back maillog:\n" << test::tail(back_->maillog(), 4000) << "\n";
      if (daemon_) std::cerr << "--- ndrlinkd log:\n" << test::tail(daemon_->log(), 4000) << "\n";
    }
    daemon_.reset();
    front_.reset();
    back_.reset();
    fixture_.reset();
  }

  struct Recorded {
    std::int64_t id = 0;
    std::string token;
    std::string verp_address() const { return "bounces+" + token + "@" + kVerpDomain; }
  };

  // Records an acceptance through the daemon's ingest socket.
  Recorded record(const std::string& rcpt, const std::string& message_id) {
    LineClient c(fixture_->socket_path());
    c.send(nlohmann::json{{"rcpt", rcpt}, {"code", 250}, {"status", "2.1.5"}, {"text", "Ok"},
                          {"mx", "127.0.0.1"}, {"sender", "sender@client.test"}, {"message_id", message_id}}
               .dump() +
           "\n");
    const auto reply = nlohmann::json::parse(c.read_line());
    if (!reply.value("ok", false)) throw std::runtime_error("record failed: " + reply.dump());
    return {reply.at("id").get<std::int64_t>(), reply.at("verp_token").get<std::string>()};
  }

  static std::string message(const std::string& message_id, const std::string& to, const std::string& body = "hello\n") {
    return "From: sender@client.test\nTo: " + to + "\nSubject: ndrlink test\nMessage-ID: " + message_id + "\n\n" + body;
  }

  std::unique_ptr<storage::Store> store() const {
    storage::StoreOptions o;
    o.read_only = true;
    o.create = false;
    return storage::Store::open(fixture_->db_path(), o);
  }

  // The acceptances recorded for `recipient`, oldest first.
  std::vector<storage::Acceptance> acceptances_for(const std::string& recipient) const {
    storage::AcceptanceFilter f;
    f.recipient_key = recipient;
    return store()->list_acceptances(f);
  }

  // The messages in a Maildir's new/.
  static std::vector<std::string> maildir_messages(const std::string& maildir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(maildir + "/new")) out.push_back(read_file(e.path()));
    return out;
  }

  // Waits (up to `limit`) until the acceptance is in `state`.
  bool reaches(std::int64_t id, const std::string& state, std::chrono::milliseconds limit) {
    return eventually(
        [&] {
          const auto a = store()->acceptance(id);
          return a && a->state == state;
        },
        limit);
  }

  // For mail to the unreachable dead.test: waits, flushing the front's
  // queue so Postfix retries at once, until the acceptance has left
  // `pending` (the delay warning) and then until it is bounced (the
  // expiry). The state seen after the first wait, or "" on timeout.
  std::string expire(std::int64_t id) {
    const auto state = [&] {
      const auto a = store()->acceptance(id);
      return a ? a->state : std::string();
    };
    if (!eventually([&] { return front_->flush(), state() != "pending"; }, std::chrono::seconds(15))) return "";
    const std::string first = state();
    if (!eventually([&] { return front_->flush(), state() == "bounced"; }, std::chrono::seconds(20))) return "";
    return first;
  }

  // "pending->delayed,delayed->bounced": the state changes, in order.
  std::string transitions(std::int64_t id) const {
    std::string s;
    for (const auto& e : store()->events_for(id))
      if (e.from_state != e.to_state) s += (s.empty() ? "" : ",") + e.from_state + "->" + e.to_state;
    return s;
  }

  std::unique_ptr<DaemonFixture> fixture_;
  std::unique_ptr<test::Postfix> back_, front_;
  std::unique_ptr<DaemonProcess> daemon_;
  int relay_port_ = 0;
};

}  // namespace ndrlink::testing
