// A throwaway Dovecot IMAP server for tests (../shared/notes/test-services.md):
// its own dovecot.conf, passwd-file user, Maildir and self-signed
// certificate in a temp dir, listening on loopback ports picked at start.
// The destructor stops the server and removes the directory, whatever
// state the test left.
#pragma once

#include <string>

namespace ndrlink::test {

class Dovecot {
 public:
  // Empty when dovecot, doveadm and openssl are installed; otherwise why not.
  static std::string missing();

  // Writes the configuration (imap_capability, if non-empty, replaces
  // the advertised capabilities: e.g. one without IDLE).
  explicit Dovecot(const std::string& imap_capability = "");
  ~Dovecot();
  Dovecot(const Dovecot&) = delete;
  Dovecot& operator=(const Dovecot&) = delete;

  void start();  // returns once both ports accept connections
  void stop();   // returns once the master process is gone

  // Delivers a message file through Dovecot's storage (doveadm save);
  // the server must run.
  void deliver(const std::string& file, const std::string& mailbox = "INBOX");
  void create_mailbox(const std::string& mailbox);  // the server must run
  // Writes a message file straight into the Maildir's new/ (works while
  // the server is stopped).
  void deliver_offline(const std::string& file);
  // "messages", "unseen", "uidvalidity" ... of a mailbox (doveadm mailbox status).
  long status(const std::string& field, const std::string& mailbox = "INBOX");
  // Deletes the uidlist, index and uidvalidity files: the next start gives
  // the mailbox a new UIDVALIDITY. The server must be stopped.
  void forget_uids();

  const std::string& dir() const { return dir_; }
  const std::string& cert_file() const { return cert_; }
  int imap_port() const { return imap_port_; }
  int imaps_port() const { return imaps_port_; }
  static constexpr const char* user = "bounce";
  static constexpr const char* password = "s3cret-pw";

 private:
  // Runs a shell command (stdout to `output`, or the command log); throws
  // with the logs' tails on failure.
  void run(const std::string& command, const std::string& output = "");
  void setup(const std::string& imap_capability);
  void write_conf();  // picks the ports
  void start_once();
  std::string dir_, conf_, cert_, mail_, capability_, internal_;
  bool started_once_ = false;
  int imap_port_ = 0, imaps_port_ = 0;
  unsigned uid_ = 0, gid_ = 0;
  long master_pid_ = 0;
  int offline_seq_ = 0;
};

}  // namespace ndrlink::test
