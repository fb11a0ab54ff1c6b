#include "config.h"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

namespace ndrlink::daemon {

std::string ConfigError::one_line(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c == '\n') out += "\\n";
    else if (c < 0x20 || c == 0x7f) out += '?';
    else out.push_back(static_cast<char>(c));
  }
  return out;
}

namespace {

// Reads one table with a fixed set of keys: every key must be consumed by
// a getter; what remains is unknown and reported with its line.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, const std::string& file)
      : table_(table), prefix_(std::move(prefix)), file_(file) {}

  [[noreturn]] void fail(const toml::node& node, std::string_view key, const std::string& why) const {
    throw ConfigError(file_ + ":" + std::to_string(node.source().begin.line) + ": " + prefix_ + std::string(key) +
                      ": " + why);
  }

  template <typename T>
  bool get(std::string_view key, T& out) {
    used_.insert(std::string(key));
    const toml::node* node = table_.get(key);
    if (!node) return false;
    if constexpr (std::is_same_v<T, bool>) {
      if (!node->is_boolean()) fail(*node, key, "expected true or false");
      out = node->as_boolean()->get();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!node->is_string()) fail(*node, key, "expected a string");
      out = node->as_string()->get();
    } else {
      if (!node->is_integer()) fail(*node, key, "expected an integer");
      out = static_cast<T>(node->as_integer()->get());
    }
    return true;
  }

  // An integer in [lo, hi].
  template <typename T>
  void get_range(std::string_view key, T& out, long long lo, long long hi) {
    long long v = static_cast<long long>(out);
    if (!get(key, v)) return;
    if (v < lo || v > hi)
      fail(*table_.get(key), key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    out = static_cast<T>(v);
  }

  template <typename Rep, typename Period>
  void get_duration(std::string_view key, std::chrono::duration<Rep, Period>& out, long long lo, long long hi) {
    long long v = out.count();
    get_range(key, v, lo, hi);
    out = std::chrono::duration<Rep, Period>(v);
  }

  // One of `choices`.
  void get_choice(std::string_view key, std::string& out, std::initializer_list<std::string_view> choices) {
    if (!get(key, out)) return;
    for (auto c : choices)
      if (out == c) return;
    std::string list;
    for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
    fail(*table_.get(key), key, "must be one of " + list + " (got \"" + out + "\")");
  }

  void require(std::string_view key, const std::string& value) const {
    if (value.empty())
      throw ConfigError(file_ + ":" + std::to_string(table_.source().begin.line) + ": " + prefix_ + std::string(key) +
                        ": required");
  }

  // Declares a key handled elsewhere (sub-tables, arrays of tables).
  void known(std::string_view key) { used_.insert(std::string(key)); }

  // Every key of the table was read by a getter. An unknown key's error
  // lists the keys of its table (tests/docs/check_man_pages.py reads this
  // list to check that the man pages name every key).
  void finish() const {
    for (const auto& [key, node] : table_) {
      if (used_.count(std::string(key.str()))) continue;
      std::string known;
      for (const auto& k : used_) known += (known.empty() ? "" : ", ") + k;
      fail(node, key.str(), "unknown key (known: " + known + ")");
    }
  }

 private:
  const toml::table& table_;
  std::string prefix_;
  const std::string& file_;
  std::set<std::string> used_;
};

const toml::table* sub_table(TableReader& top, const toml::table& root, std::string_view key) {
  top.known(key);
  const toml::node* node = root.get(key);
  if (!node) return nullptr;
  if (!node->is_table()) top.fail(*node, key, "expected a table [" + std::string(key) + "]");
  return node->as_table();
}

std::vector<const toml::table*> table_array(const toml::table& root, std::string_view key, TableReader& top) {
  std::vector<const toml::table*> out;
  const toml::node* node = root.get(key);
  if (!node) return out;
  const auto* arr = node->as_array();
  if (!arr || !arr->is_array_of_tables()) top.fail(*node, key, "expected [[" + std::string(key) + "]] tables");
  for (const auto& item : *arr) out.push_back(item.as_table());
  return out;
}

void read_maildir(const toml::table& t, const std::string& file, std::size_t index, Config& c) {
  TableReader r(t, "maildir[" + std::to_string(index) + "].", file);
  MaildirConfig m;
  m.name = "maildir" + std::to_string(index);
  r.get("name", m.name);
  r.get("path", m.path);
  r.get("done_folder", m.done_folder);
  r.require("path", m.path);
  if (!m.done_folder.empty() && (m.done_folder.find('/') != std::string::npos || m.done_folder[0] != '.'))
    throw ConfigError(file + ": maildir[" + std::to_string(index) +
                      "].done_folder: a Maildir++ folder name starting with '.', e.g. \".Processed\"");
  r.finish();
  c.maildirs.push_back(std::move(m));
}

void read_imap(const toml::table& t, const std::string& file, std::size_t index, Config& c) {
  TableReader r(t, "imap[" + std::to_string(index) + "].", file);
  ImapConfig m;
  m.name = "imap" + std::to_string(index);
  r.get("name", m.name);
  r.get("host", m.host);
  std::string tls = "implicit", after = "seen";
  r.get_choice("tls", tls, {"implicit", "starttls", "none"});
  m.tls = tls == "implicit" ? TlsMode::implicit : tls == "starttls" ? TlsMode::starttls : TlsMode::none;
  m.port = m.tls == TlsMode::implicit ? 993 : 143;
  r.get_range("port", m.port, 1, 65535);
  r.get("ca_file", m.ca_file);
  r.get("verify_certificate", m.verify_certificate);
  r.get("username", m.username);
  r.get("password_file", m.password_file);
  r.get_choice("auth", m.auth, {"plain", "login"});
  r.get("mailbox", m.mailbox);
  r.get_choice("after", after, {"seen", "move", "keep"});
  m.after = after == "seen" ? ImapAfter::seen : after == "move" ? ImapAfter::move : ImapAfter::keep;
  r.get("move_to", m.move_to);
  r.get_duration("poll_seconds", m.poll_interval, 1, 86400);
  r.get_duration("idle_restart_seconds", m.idle_restart, 10, 29 * 60);
  r.get_duration("connect_timeout_seconds", m.connect_timeout, 1, 600);
  r.get_duration("max_backoff_seconds", m.max_backoff, 1, 3600);
  r.require("host", m.host);
  r.require("username", m.username);
  r.require("password_file", m.password_file);
  if (m.after == ImapAfter::move) r.require("move_to", m.move_to);
  r.finish();
  c.imaps.push_back(std::move(m));
}

// "host", "host:port" or "[v6]:port".
// `min_port` 0 lets listen pick a free port (tests).
void host_port(TableReader& r, const toml::table& t, std::string_view key, std::string& host, std::uint16_t& port,
               long long min_port = 1) {
  std::string text;
  if (!r.get(key, text)) return;
  std::string h = text, p;
  if (!h.empty() && h[0] == '[') {
    const auto close = h.find(']');
    if (close == std::string::npos) r.fail(*t.get(key), key, "expected host:port (got \"" + text + "\")");
    p = close + 1 < h.size() && h[close + 1] == ':' ? h.substr(close + 2) : "";
    h = h.substr(1, close - 1);
  } else if (const auto colon = h.rfind(':'); colon != std::string::npos && h.find(':') == colon) {
    p = h.substr(colon + 1);
    h = h.substr(0, colon);
  }
  if (!p.empty()) {
    long long n = 0;
    for (char ch : p) n = (ch >= '0' && ch <= '9' && n < 100000) ? n * 10 + (ch - '0') : 100000;
    if (n < min_port || n > 65535) r.fail(*t.get(key), key, "bad port in \"" + text + "\"");
    port = static_cast<std::uint16_t>(n);
  }
  if (h.empty() || h.find_first_of(" \t/@") != std::string::npos)
    r.fail(*t.get(key), key, "expected host:port (got \"" + text + "\")");
  host = h;
}

void read_relay(const toml::table& t, const std::string& file, Config& c) {
  TableReader r(t, "relay.", file);
  RelayConfig& x = c.relay;
  r.get("enabled", x.enabled);
  host_port(r, t, "listen", x.listen_host, x.listen_port, 0);
  r.get("hostname", x.hostname);
  r.get_range("max_connections", x.max_connections, 1, 100000);
  r.get_range("max_message_size", x.max_message_size, 1024, 1LL << 34);
  r.get_range("max_recipients", x.max_recipients, 1, 10000);
  r.get_range("max_line_length", x.max_line_length, 1000, 1 << 20);
  r.get_duration("client_timeout_seconds", x.client_timeout, 1, 3600);
  std::string upstream = "mx";
  r.get_choice("upstream", upstream, {"mx", "smarthost"});
  x.upstream = upstream == "mx" ? RelayConfig::Upstream::mx : RelayConfig::Upstream::smarthost;
  host_port(r, t, "smarthost", x.smarthost_host, x.smarthost_port);
  r.get_range("mx_port", x.mx_port, 1, 65535);
  r.get("address_literals", x.address_literals);
  r.get("smarthost_user", x.smarthost_user);
  r.get("smarthost_password_file", x.smarthost_password_file);
  r.get_choice("upstream_tls", x.upstream_tls, {"none", "opportunistic", "required"});
  r.get("upstream_tls_ca", x.upstream_tls_ca);
  r.get("upstream_tls_verify", x.upstream_tls_verify);
  r.get_duration("upstream_connect_timeout_seconds", x.upstream_connect_timeout, 1, 3600);
  r.get_duration("upstream_timeout_seconds", x.upstream_timeout, 1, 3600);
  r.get_duration("upstream_data_timeout_seconds", x.upstream_data_timeout, 1, 3600);
  r.get_duration("upstream_data_end_timeout_seconds", x.upstream_data_end_timeout, 1, 3600);
  r.get_duration("upstream_keep_idle_seconds", x.upstream_keep_idle, 1, 300);
  r.get_range("upstream_keep_per_host", x.upstream_keep_per_host, 0, 1000);
  r.get_range("upstream_max_per_host", x.upstream_max_per_host, 1, 10000);
  r.get_duration("upstream_reuse_time_seconds", x.upstream_reuse_time, 1, 86400);
  r.get_duration("mx_cache_seconds", x.mx_cache, 1, 86400);
  std::string dns_host;
  std::uint16_t dns_port = 53;
  host_port(r, t, "dns_server", dns_host, dns_port);
  if (!dns_host.empty()) {
    in_addr ignored{};
    if (::inet_pton(AF_INET, dns_host.c_str(), &ignored) != 1)
      r.fail(*t.get("dns_server"), "dns_server", "expected an IPv4 address[:port] (got \"" + dns_host + "\")");
    x.dns_server = dns_host + ":" + std::to_string(dns_port);
  }
  r.get("cert_file", x.cert_file);
  r.get("key_file", x.key_file);
  r.get("verp", x.verp);
  std::string verp_scope = "recipient";
  r.get_choice("verp_scope", verp_scope, {"recipient", "message"});
  x.verp_scope = verp_scope == "message" ? RelayConfig::VerpScope::message : RelayConfig::VerpScope::recipient;
  r.get("envid", x.envid);
  r.get("header", x.header);
  const bool xverp_set = r.get("xverp", x.xverp);
  if (const auto* m = sub_table(r, t, "static_mx")) {
    for (const auto& [domain, node] : *m) {
      if (!node.is_string() || node.as_string()->get().empty())
        r.fail(node, "static_mx." + std::string(domain.str()), "expected \"host:port\"");
      x.static_mx[std::string(domain.str())] = node.as_string()->get();
    }
  }
  r.finish();
  if (!x.enabled) return;
  if (x.upstream == RelayConfig::Upstream::smarthost) r.require("smarthost", x.smarthost_host);
  if (x.smarthost_user.empty() != x.smarthost_password_file.empty())
    throw ConfigError(file + ": relay.smarthost_user and relay.smarthost_password_file go together");
  if (x.cert_file.empty() != x.key_file.empty())
    throw ConfigError(file + ": relay.cert_file and relay.key_file go together");
  if (x.verp && c.verp_domain.empty())
    throw ConfigError(file + ": relay.verp = true needs [verp] domain (the domain of the watched bounce mailbox)");
  // XVERP's first delimiter is the prefix's last character (Postfix's
  // verp_delimiter_filter allows "-=+").
  if (x.xverp && !xverp_prefix_ok(c.verp_prefix)) {
    if (xverp_set && x.transaction_per_recipient())
      throw ConfigError(file + ": relay.xverp = true needs a [verp] prefix ending in '+', '-' or '=' (got \"" +
                        c.verp_prefix + "\")");
    x.xverp = false;
  }
}

}  // namespace

bool xverp_prefix_ok(std::string_view prefix) {
  return prefix.size() > 1 && std::string_view("+-=").find(prefix.back()) != std::string_view::npos;
}

Config default_config() {
  Config c;
  c.maildirs.push_back(MaildirConfig{"maildir", "./var/Maildir", ""});
  c.socket.path = "./var/ndrlink.sock";
  return c;
}

Config load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

Config parse_config(std::string_view text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    throw ConfigError(path + ":" + std::to_string(src.begin.line) + ": " + std::string(e.description()));
  }
  Config c;
  c.file = path;
  TableReader top(root, "", path);
  if (const auto* t = sub_table(top, root, "store")) {
    TableReader r(*t, "store.", path);
    r.get("path", c.db_path);
    r.get_range("busy_timeout_ms", c.busy_timeout_ms, 0, 600000);
    r.finish();
  }
  if (const auto* t = sub_table(top, root, "verp")) {
    TableReader r(*t, "verp.", path);
    r.get("secret_file", c.verp_secret_file);
    r.get("prefix", c.verp_prefix);
    if (c.verp_prefix.empty() || c.verp_prefix.find('@') != std::string::npos)
      r.fail(*t->get("prefix"), "prefix", "must be a non-empty local-part prefix");
    if (r.get("domain", c.verp_domain) &&
        (c.verp_domain.empty() || c.verp_domain.find_first_of("@<> \t") != std::string::npos))
      r.fail(*t->get("domain"), "domain", "must be a domain name like \"bounces.example.org\"");
    r.finish();
  }
  if (const auto* t = sub_table(top, root, "correlator")) {
    TableReader r(*t, "correlator.", path);
    auto hours = std::chrono::duration_cast<std::chrono::hours>(c.grace);
    std::chrono::minutes minutes{0};
    r.get_duration("grace_hours", hours, 1, 24 * 365);
    r.get_duration("grace_minutes", minutes, 1, 60 * 24 * 365);
    if (t->get("grace_hours") && t->get("grace_minutes"))
      r.fail(*t->get("grace_minutes"), "grace_minutes", "give grace_hours or grace_minutes, not both");
    c.grace = minutes.count() > 0 ? minutes : std::chrono::minutes(hours);
    r.get_duration("window_hours", c.window, 1, 24 * 365);
    r.get("keep_raw", c.keep_raw);
    r.finish();
  }
  if (const auto* t = sub_table(top, root, "parser")) {
    TableReader r(*t, "parser.", path);
    r.get_range("max_message_bytes", c.max_message_bytes, 4096, 1LL << 30);
    r.finish();
  }
  if (const auto* t = sub_table(top, root, "daemon")) {
    TableReader r(*t, "daemon.", path);
    r.get_range("workers", c.workers, 1, 64);
    r.get_range("queue_size", c.queue_size, 1, 1 << 20);
    r.get_duration("sweep_interval_seconds", c.sweep_interval, 1, 86400);
    r.get_duration("checkpoint_interval_seconds", c.checkpoint_interval, 1, 86400);
    r.get_range("clock_scale", c.clock_scale, 1, 3600);
    r.finish();
  }
  if (const auto* t = sub_table(top, root, "log")) {
    TableReader r(*t, "log.", path);
    r.get_choice("level", c.log_level, {"trace", "debug", "info", "warn", "error"});
    r.finish();
  }
  if (const auto* t = sub_table(top, root, "report")) {
    TableReader r(*t, "report.", path);
    r.get("time_zone", c.report.time_zone);
    r.get("archive_dir", c.report.archive_dir);
    r.get("mail_from", c.report.mail_from);
    r.get("sendmail", c.report.sendmail);
    r.known("mail_to");
    if (const toml::node* node = t->get("mail_to")) {
      const auto* list = node->as_array();
      if (!list) r.fail(*node, "mail_to", "expected an array of addresses");
      for (const auto& item : *list) {
        if (!item.is_string() || item.as_string()->get().find('@') == std::string::npos)
          r.fail(item, "mail_to", "expected an array of addresses");
        c.report.mail_to.push_back(item.as_string()->get());
      }
    }
    r.finish();
  }
  if (const auto* t = sub_table(top, root, "socket")) {
    TableReader r(*t, "socket.", path);
    r.get("enabled", c.socket.enabled);
    r.get("path", c.socket.path);
    std::string mode;
    if (r.get("mode", mode)) {
      std::size_t used = 0;
      unsigned long m = 0;
      try {
        m = std::stoul(mode, &used, 8);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != mode.size() || m > 0777) r.fail(*t->get("mode"), "mode", "expected an octal mode like \"0660\"");
      c.socket.mode = static_cast<unsigned>(m);
    }
    r.get_range("max_line_bytes", c.socket.max_line_bytes, 256, 16 << 20);
    r.get_range("max_clients", c.socket.max_clients, 1, 65536);
    r.finish();
  }
  if (const auto* t = sub_table(top, root, "relay")) read_relay(*t, path, c);
  top.known("maildir");
  top.known("imap");
  const auto maildirs = table_array(root, "maildir", top);
  for (std::size_t i = 0; i < maildirs.size(); ++i) read_maildir(*maildirs[i], path, i, c);
  const auto imaps = table_array(root, "imap", top);
  for (std::size_t i = 0; i < imaps.size(); ++i) read_imap(*imaps[i], path, i, c);
  top.finish();
  if (c.maildirs.empty() && c.imaps.empty())
    throw ConfigError(path + ": no report source: add a [[maildir]] or an [[imap]] table");
  return c;
}

}  // namespace ndrlink::daemon
