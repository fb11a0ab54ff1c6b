#include "postfix_harness.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "service_support.h"

namespace ndrlink::test {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// The services a relay and a virtual mailbox host need, none chrooted
// (no copies of /etc in the queue directory). smtpd is added per port.
constexpr const char* kMasterServices =
    "pickup    unix  n       -       n       60      1       pickup\n"
    "cleanup   unix  n       -       n       -       0       cleanup\n"
    "qmgr      unix  n       -       n       300     1       qmgr\n"
    "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
    "bounce    unix  -       -       n       -       0       bounce\n"
    "defer     unix  -       -       n       -       0       bounce\n"
    "trace     unix  -       -       n       -       0       bounce\n"
    "verify    unix  -       -       n       -       1       verify\n"
    "flush     unix  n       -       n       1000?   0       flush\n"
    "proxymap  unix  -       -       n       -       -       proxymap\n"
    "smtp      unix  -       -       n       -       -       smtp\n"
    "relay     unix  -       -       n       -       -       smtp\n"
    "showq     unix  n       -       n       -       -       showq\n"
    "error     unix  -       -       n       -       -       error\n"
    "retry     unix  -       -       n       -       -       error\n"
    "discard   unix  -       -       n       -       -       discard\n"
    "virtual   unix  -       n       n       -       -       virtual\n"
    "anvil     unix  -       -       n       -       1       anvil\n"
    "scache    unix  -       -       n       -       1       scache\n"
    "postlog   unix-dgram n  -       n       -       1       postlogd\n";

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  if (at == std::string::npos) throw std::invalid_argument("not an address: " + address);
  return address.substr(at + 1);
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

void add_unique(std::vector<std::string>& v, const std::string& x) {
  for (const auto& y : v)
    if (y == x) return;
  v.push_back(x);
}

}  // namespace

std::string Postfix::missing() {
  for (const char* p : {"postfix", "postqueue"})
    if (!on_path(p)) return std::string(p) + " is not installed (Debian: postfix)";
  if (::access("/usr/lib/postfix/sbin/virtual", X_OK) != 0) return "/usr/lib/postfix/sbin/virtual is missing";
  if (::geteuid() != 0) return "Postfix needs root: `postfix start` is reserved for the superuser";
  if (!::getpwnam("postfix")) return "no user 'postfix' (Postfix's mail_owner)";
  return "";
}

Postfix::Postfix(const std::string& name, int port) : name_(name), port_(port > 0 ? port : free_port()) {
  char tmpl[] = "/tmp/ndrlink-postfix-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  try {
    const passwd* nobody = ::getpwnam("nobody");
    if (!nobody) throw std::runtime_error("no user 'nobody' for virtual(8) deliveries");
    uid_ = nobody->pw_uid;
    gid_ = nobody->pw_gid;
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    for (const char* d : {"/etc", "/queue", "/data", "/mail"}) fs::create_directories(dir_ + d);
    const passwd* owner = ::getpwnam("postfix");
    if (owner && ::chown((dir_ + "/data").c_str(), owner->pw_uid, owner->pw_gid) != 0)
      throw std::runtime_error("chown " + dir_ + "/data failed");
    chown_to_mail_user(dir_ + "/mail");
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir_, ec);  // no destructor runs for a throwing constructor
    throw;
  }
}

Postfix::~Postfix() {
  try {
    stop();
  } catch (...) {
    if (master_pid_ > 0) ::kill(static_cast<pid_t>(master_pid_), SIGKILL);
    kill_processes_under(dir_);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void Postfix::chown_to_mail_user(const std::string& path) {
  if (::chown(path.c_str(), uid_, gid_) != 0) throw std::runtime_error("chown " + path + " failed");
}

void Postfix::relay_domain(const std::string& domain, int port) {
  add_unique(relay_domains_, domain);
  route(domain, port);
}

void Postfix::route(const std::string& domain, int port) {
  transport_[domain] = "smtp:[127.0.0.1]:" + std::to_string(port);
}

std::string Postfix::add_maildir_user(const std::string& address, const std::string& maildir) {
  const std::string path = maildir.empty() ? dir_ + "/mail/" + address.substr(0, address.find('@')) : maildir;
  for (const char* sub : {"", "/new", "/cur", "/tmp"}) {
    fs::create_directories(path + sub);
    chown_to_mail_user(path + sub);
  }
  // virtual(8) runs as the mail user: it must reach a Maildir that lives
  // in another test's private temp dir.
  for (fs::path p = fs::path(path).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH))
      fs::permissions(p, fs::perms::others_exec, fs::perm_options::add);
  }
  add_unique(virtual_domains_, domain_of(address));
  mailboxes_[address] = path + "/";
  return path;
}

std::string Postfix::add_mbox_user(const std::string& address, std::size_t fill_bytes) {
  const std::string path = dir_ + "/mail/" + address.substr(0, address.find('@')) + ".mbox";
  std::ofstream mbox(path, std::ios::binary);
  mbox << "From filler@" << name_ << ".test Thu Dec  3 00:00:00 2026\n\n";
  const std::string line(70, 'x');
  for (std::size_t n = 0; n < fill_bytes; n += line.size() + 1) mbox << line << '\n';
  mbox << '\n';
  mbox.close();
  chown_to_mail_user(path);
  add_unique(virtual_domains_, domain_of(address));
  mailboxes_[address] = path;  // no trailing slash: an mbox file
  return path;
}

void Postfix::set_mailbox_limit(std::size_t bytes) {
  // virtual(8) refuses to start when a message may be larger than a mailbox.
  set("virtual_mailbox_limit", std::to_string(bytes));
  set("message_size_limit", std::to_string(bytes * 4 / 5));
}

void Postfix::expire_after(std::chrono::seconds warn, std::chrono::seconds lifetime) {
  set("delay_warning_time", std::to_string(warn.count()) + "s");
  set("maximal_queue_lifetime", std::to_string(lifetime.count()) + "s");
  set("bounce_queue_lifetime", std::to_string(lifetime.count()) + "s");
}

void Postfix::set(const std::string& key, const std::string& value) { params_[key] = value; }

void Postfix::write_config() {
  std::ofstream(dir_ + "/etc/master.cf") << "127.0.0.1:" << port_ << " inet n - n - - smtpd\n" << kMasterServices;
  std::map<std::string, std::string> p = {
      {"compatibility_level", "3.6"},
      {"queue_directory", dir_ + "/queue"},
      {"data_directory", dir_ + "/data"},
      {"myhostname", name_ + ".test"},
      {"mydomain", name_ + ".test"},
      {"myorigin", name_ + ".test"},
      {"mydestination", ""},
      {"alias_maps", ""},
      {"alias_database", ""},
      {"local_recipient_maps", ""},
      {"inet_interfaces", "127.0.0.1"},
      {"inet_protocols", "ipv4"},
      // Nobody relays by address: relaying is by relay_domains only, so a
      // foreign domain gets "454 4.7.1 Relay access denied" from loopback.
      {"mynetworks", "192.0.2.1/32"},
      {"maillog_file_prefixes", "/tmp"},
      {"maillog_file", dir_ + "/maillog"},
      {"disable_dns_lookups", "yes"},
      {"smtp_host_lookup", "native"},
      {"smtp_dns_support_level", "disabled"},
      {"smtp_connect_timeout", "2s"},
      {"recipient_delimiter", "+"},
      {"virtual_mailbox_base", "/"},
      {"virtual_uid_maps", "static:" + std::to_string(uid_)},
      {"virtual_gid_maps", "static:" + std::to_string(gid_)},
      {"virtual_minimum_uid", "1"},
      // Retries within seconds, for the expiry tests and after a flush.
      {"queue_run_delay", "1s"},
      {"minimal_backoff_time", "1s"},
      {"maximal_backoff_time", "2s"},
      {"smtpd_client_connection_count_limit", "0"},
      {"smtpd_client_connection_rate_limit", "0"},
      {"default_process_limit", "200"},
  };
  if (!relay_domains_.empty()) p["relay_domains"] = joined(relay_domains_);
  if (!virtual_domains_.empty()) {
    p["virtual_mailbox_domains"] = joined(virtual_domains_);
    p["virtual_mailbox_maps"] = "texthash:" + dir_ + "/etc/vmailbox";
    std::ofstream maps(dir_ + "/etc/vmailbox");
    for (const auto& [address, path] : mailboxes_) maps << address << ' ' << path << '\n';
  }
  if (!transport_.empty()) {
    p["transport_maps"] = "texthash:" + dir_ + "/etc/transport";
    std::ofstream maps(dir_ + "/etc/transport");
    for (const auto& [domain, next_hop] : transport_) maps << domain << ' ' << next_hop << '\n';
  }
  for (const auto& [key, value] : params_) p[key] = value;
  {
    std::ofstream main(dir_ + "/etc/main.cf");
    for (const auto& [key, value] : p) main << key << " = " << value << '\n';
  }
  // Postfix rereads a file changed in the last second or two until it is
  // older (300 ms naps, 2 s per start): date the files back.
  for (const auto& e : fs::directory_iterator(dir_ + "/etc"))
    fs::last_write_time(e.path(), fs::file_time_type::clock::now() - 1min);
}

void Postfix::run(const std::string& command) {
  const std::string log = dir_ + "/commands.log";
  const std::string full = "{ " + command + "; } </dev/null >>" + log + " 2>&1";
  if (std::system(full.c_str()) != 0)
    throw std::runtime_error("failed: " + command + "\n" + tail(slurp(log)) + "\n" + tail(maillog()));
}

std::string Postfix::maillog() const { return slurp(dir_ + "/maillog"); }

void Postfix::start() {
  if (master_pid_ > 0) return;
  write_config();
  run("postfix -c " + dir_ + "/etc start");
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while ((master_pid_ = std::atol(slurp(dir_ + "/queue/pid/master.pid").c_str())) <= 0 || !accepts(port_)) {
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw std::runtime_error("postfix " + name_ + " did not start within 15 s:\n" + tail(maillog()));
    }
    std::this_thread::sleep_for(20ms);
  }
}

void Postfix::stop() {
  if (master_pid_ > 0) {
    const long pid = master_pid_;
    try {
      run("postfix -c " + dir_ + "/etc stop");
    } catch (const std::exception&) {
      ::kill(static_cast<pid_t>(pid), SIGTERM);
    }
    wait_gone(pid);
    master_pid_ = 0;
  }
  // The master ends its children, but one busy in a delivery may outlive
  // it for a moment; they all run in the queue directory.
  kill_processes_under(dir_);
}

void Postfix::flush() { run("postqueue -c " + dir_ + "/etc -f"); }

std::size_t Postfix::queued() {
  const std::string out = dir_ + "/queue.json";
  run("postqueue -c " + dir_ + "/etc -j >" + out);
  std::size_t n = 0;
  for (char c : slurp(out)) n += c == '\n';
  return n;
}

}  // namespace ndrlink::test
