// ndrlinkd's configuration: a TOML file (docs/configuration.md lists every
// key). Reading is strict: an unknown key, a wrong type or a bad value is
// a ConfigError naming the file, line and key. Secrets are never in the
// file itself, only paths to files holding them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ndrlink::daemon {

// Always one line: control characters (from a TOML parser message or a
// quoted key) are shown escaped.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& what) : std::runtime_error(one_line(what)) {}

 private:
  static std::string one_line(const std::string& s);
};

struct MaildirConfig {
  std::string name;        // source name in logs and source keys
  std::string path;        // the Maildir (with new/, cur/, tmp/)
  // Empty: move to cur/ with flag S. Otherwise a Maildir++ folder name
  // (".Processed") created under `path`.
  std::string done_folder;
};

enum class TlsMode { implicit, starttls, none };
enum class ImapAfter { seen, move, keep };

struct ImapConfig {
  std::string name;
  std::string host;
  int port = 993;
  TlsMode tls = TlsMode::implicit;
  std::string ca_file;            // empty: the system trust store
  bool verify_certificate = true; // false only for tests
  std::string username;
  std::string password_file;      // or a systemd credential name via $CREDENTIALS_DIRECTORY
  std::string auth = "plain";     // plain (AUTHENTICATE PLAIN) | login (LOGIN)
  std::string mailbox = "INBOX";
  ImapAfter after = ImapAfter::seen;
  std::string move_to;            // for after = move
  std::chrono::seconds poll_interval{60};   // without IDLE
  std::chrono::seconds idle_restart{25 * 60};  // re-issue IDLE before the 29-minute limit
  std::chrono::seconds connect_timeout{30};
  std::chrono::seconds max_backoff{300};
};

struct SocketConfig {
  bool enabled = true;
  std::string path;              // default $RUNTIME_DIRECTORY/ingest.sock or ./var/ndrlink.sock
  unsigned mode = 0660;
  std::size_t max_line_bytes = 64 * 1024;
  std::size_t max_clients = 256;
};

// [report]: what the daily report (`ndrlink report --config FILE`, the
// ndrlink-report.timer) does by default.
struct ReportConfig {
  std::string time_zone = "UTC";          // day boundaries
  std::string archive_dir;                // writes DIR/<day>.html and DIR/<day>.json
  std::vector<std::string> mail_to;       // mailed when non-empty
  std::string mail_from;                  // default: the sendmail default sender
  std::string sendmail = "/usr/sbin/sendmail";
};

// [relay]: the SMTP relay (docs/relay.md). Off unless enabled.
struct RelayConfig {
  bool enabled = false;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 10025;
  std::string hostname;  // greeting/EHLO name; empty: the system host name
  std::size_t max_connections = 100;
  std::uint64_t max_message_size = 25ull << 20;  // SIZE
  std::size_t max_recipients = 100;
  // Longest command/text line (CRLF included) taken from a client; RFC
  // 5321 asks for 512/1000 at least. Longer: 500 5.5.2.
  std::size_t max_line_length = 8192;
  std::chrono::seconds client_timeout{300};  // wait for a client's command or data
  enum class Upstream { mx, smarthost } upstream = Upstream::mx;
  std::string smarthost_host;
  std::uint16_t smarthost_port = 25;
  std::uint16_t mx_port = 25;        // port of MX hosts found in DNS
  bool address_literals = false;     // relay to user@[ip] with DNS MX routing
  std::string smarthost_user;
  std::string smarthost_password_file;  // the secret, in a file (never logged)
  std::string upstream_tls = "opportunistic";  // none | opportunistic | required
  std::string upstream_tls_ca;                 // empty: the system trust store
  bool upstream_tls_verify = true;             // false: tests only
  std::chrono::seconds upstream_connect_timeout{60};
  std::chrono::seconds upstream_timeout{300};           // greeting, EHLO, MAIL, RCPT, RSET, QUIT
  std::chrono::seconds upstream_data_timeout{180};      // DATA 354 and each data block
  std::chrono::seconds upstream_data_end_timeout{600};  // the reply after the final "."
  // Upstream connections kept between transactions (any session's): how
  // long an idle one is kept, and how many idle per upstream host.
  std::chrono::seconds upstream_keep_idle{10};
  std::size_t upstream_keep_per_host = 16;
  std::size_t upstream_max_per_host = 50;         // connections to one upstream host at once (in use or kept)
  std::chrono::seconds upstream_reuse_time{300};  // no connection is kept once this old
  std::chrono::seconds mx_cache{300};             // the longest a DNS MX answer is kept (else its TTL)
  std::string dns_server;                         // "ipv4:port": the only DNS server asked (empty: resolv.conf's)
  std::string cert_file, key_file;  // STARTTLS toward clients when both are set
  bool verp = true, envid = true, header = true;  // tagging (docs/relay.md)
  // What one VERP return path names: a recipient (one upstream transaction
  // each) or a message (one per upstream host; the bounce's recipient
  // picks the acceptance).
  enum class VerpScope { recipient, message } verp_scope = VerpScope::recipient;
  bool transaction_per_recipient() const { return verp && verp_scope == VerpScope::recipient; }
  // VERP by recipient: an upstream that offers XVERP (Postfix, to its
  // smtpd_authorized_verp_clients) gets one transaction per message with a
  // fixed return path and gives each recipient its VERP address itself.
  bool xverp = true;
  std::map<std::string, std::string> static_mx;   // [relay.static_mx]: domain -> host:port

  bool operator==(const RelayConfig&) const = default;  // SIGHUP: any change waits for a restart
};

// Whether XVERP can make VERP addresses that start with `prefix`: it must
// end in a delimiter Postfix accepts ('+', '-' or '=').
bool xverp_prefix_ok(std::string_view prefix);

struct Config {
  std::string file;  // where it was read from (empty: built-in default)

  // [store]
  std::string db_path = "./var/ndrlink.db";
  int busy_timeout_ms = 10000;

  // [verp]
  std::string verp_secret_file;  // default: verp.secret beside the database
  std::string verp_prefix = "bounces+";
  std::string verp_domain;  // domain of VERP addresses (the watched bounce mailbox); the relay needs it

  // [correlator]
  std::chrono::minutes grace{std::chrono::hours(120)};  // grace_hours, or grace_minutes
  std::chrono::hours window{168};
  bool keep_raw = false;

  // [parser]
  std::size_t max_message_bytes = 8 * 1024 * 1024;

  // [daemon]
  unsigned workers = 2;
  std::size_t queue_size = 256;
  std::chrono::seconds sweep_interval{300};
  std::chrono::seconds checkpoint_interval{600};
  // Tests and soaks only: the daemon's clock (acceptance and report times,
  // the grace period) and its sweep/checkpoint timers run this many times
  // faster than real time. Network timeouts and backoff stay real.
  unsigned clock_scale = 1;

  // [log]
  std::string log_level = "info";

  ReportConfig report;

  std::vector<MaildirConfig> maildirs;
  std::vector<ImapConfig> imaps;
  SocketConfig socket;
  RelayConfig relay;
};

// Reads and validates `path`. Relative paths inside the file are taken
// relative to the current directory, as written.
Config load_config(const std::string& path);

// The same for a file's text; `path` names it in errors.
Config parse_config(std::string_view text, const std::string& path);

// The embedded default: store under ./var, a Maildir at ./var/Maildir,
// the ingest socket at ./var/ndrlink.sock.
Config default_config();

}  // namespace ndrlink::daemon
