// A throwaway Postfix 3.7 for tests (../shared/notes/test-services.md):
// its own config_directory, queue_directory and data_directory in a temp
// dir, smtpd on 127.0.0.1:<port> only, no DNS (next hops are
// [127.0.0.1]:port in transport_maps), no chroot, log in DIR/maillog.
// Virtual users deliver through virtual(8) with texthash: maps (no
// postmap). The destructor stops the instance (postfix stop, then waits
// for the master and its children) and removes the directory, whatever
// state the test left.
//
// The two roles of the relay tests:
//   front  relay_domain("back.test", back.port()): accepts every recipient
//          of the domain (backup MX / catch-all) and relays it; its own
//          bounces go to add_maildir_user("bounces@verp.test", MAILDIR),
//          and recipient_delimiter "+" delivers bounces+TOKEN@verp.test
//          there too.
//   back   add_maildir_user("alice@back.test"): rejects unknown users at
//          RCPT (550 5.1.1), delivers real ones, and sends its DSNs for
//          verp.test back through the front (route()).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ndrlink::test {

class Postfix {
 public:
  // Empty when Postfix can run here; otherwise why not (not installed, or
  // not root: `postfix start` is reserved for the superuser).
  static std::string missing();

  // `name` makes the host name (name.test); `port` 0 picks a free one now,
  // so that other instances can be configured with it before start().
  explicit Postfix(const std::string& name, int port = 0);
  ~Postfix();
  Postfix(const Postfix&) = delete;
  Postfix& operator=(const Postfix&) = delete;

  // --- knobs: call before start() -----------------------------------------
  // Accept any recipient of `domain` and relay it to [127.0.0.1]:port.
  void relay_domain(const std::string& domain, int port);
  // Send mail for `domain` to [127.0.0.1]:port without relaying for it.
  void route(const std::string& domain, int port);
  // A virtual user delivering into a Maildir: `maildir` (created if
  // missing and handed to the mail user) or DIR/mail/<local part>/.
  // Returns the Maildir path. Unknown users of the domain get 550 5.1.1.
  std::string add_maildir_user(const std::string& address, const std::string& maildir = "");
  // A virtual user delivering into an mbox file already holding about
  // `fill_bytes`; with set_mailbox_limit() it plays a mailbox over quota.
  std::string add_mbox_user(const std::string& address, std::size_t fill_bytes);
  // virtual_mailbox_limit (and message_size_limit, which must not exceed it).
  void set_mailbox_limit(std::size_t bytes);
  // Queue lifetimes in seconds: delay warning after `warn`, bounce after
  // `lifetime`, retries every second.
  void expire_after(std::chrono::seconds warn, std::chrono::seconds lifetime);
  // Any other main.cf parameter.
  void set(const std::string& key, const std::string& value);

  // --- running -------------------------------------------------------------
  void start();  // returns once smtpd accepts connections
  void stop();   // returns once the master and its children are gone
  void flush();  // postqueue -f: deliver the deferred mail now
  // Messages in the queue (postqueue -j).
  std::size_t queued();

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string maillog() const;
  const std::string& name() const { return name_; }

 private:
  void run(const std::string& command);
  void write_config();
  void chown_to_mail_user(const std::string& path);
  std::string dir_, name_;
  int port_ = 0;
  unsigned uid_ = 0, gid_ = 0;
  long master_pid_ = 0;
  std::map<std::string, std::string> params_;
  std::vector<std::string> relay_domains_, virtual_domains_;
  std::map<std::string, std::string> transport_, mailboxes_;
};

}  // namespace ndrlink::test
