#include "dovecot_harness.h"
#include "test_certificate.h"

#include "service_support.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ndrlink::test {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string Dovecot::missing() {
  for (const char* p : {"dovecot", "doveadm", "openssl"})
    if (!on_path(p)) return std::string(p) + " is not installed (Debian: dovecot-imapd, openssl)";
  return "";
}

Dovecot::Dovecot(const std::string& imap_capability) {
  char tmpl[] = "/tmp/ndrlink-dovecot-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  try {
    setup(imap_capability);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir_, ec);  // no destructor runs for a throwing constructor
    throw;
  }
}

void Dovecot::setup(const std::string& imap_capability) {
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  conf_ = dir_ + "/dovecot.conf";
  cert_ = dir_ + "/cert.pem";
  mail_ = dir_ + "/mail/" + user;
  for (const char* d : {"/run", "/state"}) fs::create_directories(dir_ + d);
  for (const char* d : {"/cur", "/new", "/tmp"}) fs::create_directories(mail_ + d);

  std::string internal;  // settings for running as an ordinary user
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("nobody");
    if (!pw) throw std::runtime_error("no user 'nobody' for Dovecot's mail processes");
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    for (const auto& p : {fs::path(dir_ + "/mail"), fs::path(mail_), fs::path(mail_ + "/cur"),
                          fs::path(mail_ + "/new"), fs::path(mail_ + "/tmp")})
      if (::chown(p.c_str(), uid_, gid_) != 0) throw std::runtime_error("chown " + p.string() + " failed");
  } else {
    uid_ = ::getuid();
    gid_ = ::getgid();
    const passwd* pw = ::getpwuid(uid_);
    const std::string me = pw ? pw->pw_name : "nobody";
    internal = "default_internal_user = " + me + "\ndefault_internal_group = " + std::to_string(gid_) +
               "\ndefault_login_user = " + me + "\nservice anvil {\n  chroot =\n}\n";
  }
  cert_ = make_self_signed_certificate(dir_).cert_file;  // and dir_/key.pem
  std::ofstream(dir_ + "/passwd") << user << ":{PLAIN}" << password << ":" << uid_ << ":" << gid_ << "::" << mail_
                                  << "::\n";
  capability_ = imap_capability;
  internal_ = internal;
  write_conf();
}

void Dovecot::write_conf() {
  imap_port_ = free_port();
  imaps_port_ = free_port();
  std::ofstream conf(conf_);
  conf << "base_dir = " << dir_ << "/run\n"
       << "state_dir = " << dir_ << "/state\n"
       << "log_path = " << dir_ << "/dovecot.log\n"
       << "protocols = imap\nlisten = 127.0.0.1\n"
       << "ssl = yes\nssl_cert = <" << cert_ << "\nssl_key = <" << dir_ << "/key.pem\n"
       << "disable_plaintext_auth = no\nauth_mechanisms = plain login\n"
       << "mail_location = maildir:" << dir_ << "/mail/%n\n"
       << "first_valid_uid = 1\n"
       << "passdb {\n  driver = passwd-file\n  args = " << dir_ << "/passwd\n}\n"
       << "userdb {\n  driver = passwd-file\n  args = " << dir_ << "/passwd\n}\n"
       << "service imap-login {\n"
       << (internal_.empty() ? "" : "  chroot =\n")
       << "  inet_listener imap {\n    address = 127.0.0.1\n    port = " << imap_port_ << "\n  }\n"
       << "  inet_listener imaps {\n    address = 127.0.0.1\n    port = " << imaps_port_ << "\n    ssl = yes\n  }\n}\n"
       << "service stats {\n  unix_listener stats-reader {\n    mode = 0666\n  }\n"
       << "  unix_listener stats-writer {\n    mode = 0666\n  }\n}\n"
       << internal_;
  if (!capability_.empty()) conf << "imap_capability = " << capability_ << "\n";
}

Dovecot::~Dovecot() {
  try {
    stop();
  } catch (...) {
    if (master_pid_ > 0) ::kill(static_cast<pid_t>(master_pid_), SIGKILL);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void Dovecot::run(const std::string& command, const std::string& output) {
  const std::string log = dir_ + "/commands.log";
  const std::string full = "{ " + command + "; } </dev/null >" + (output.empty() ? ">" + log : output) + " 2>>" + log;
  if (std::system(full.c_str()) != 0)
    throw std::runtime_error("failed: " + command + "\n" + tail(slurp(log)) + "\n" + tail(slurp(dir_ + "/dovecot.log")));
}

void Dovecot::start() {
  // A port picked free may be taken by another test before Dovecot binds
  // it: then pick new ones (the first start only; restarts keep theirs).
  for (int attempt = 0;; ++attempt) {
    try {
      start_once();
      return;
    } catch (const std::exception&) {
      if (attempt >= 2 || started_once_) throw;
      write_conf();
    }
  }
}

void Dovecot::start_once() {
  run("dovecot -c " + conf_);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  // master.pid is written after the listeners open: wait for both.
  while ((master_pid_ = std::atol(slurp(dir_ + "/run/master.pid").c_str())) <= 0 ||
         !(accepts(imap_port_) && accepts(imaps_port_))) {
    if (std::chrono::steady_clock::now() > deadline) {
      if (master_pid_ > 0) ::kill(static_cast<pid_t>(master_pid_), SIGKILL);
      master_pid_ = 0;
      throw std::runtime_error("dovecot did not start within 10 s:\n" + tail(slurp(dir_ + "/dovecot.log")));
    }
    std::this_thread::sleep_for(20ms);
  }
  started_once_ = true;
}

void Dovecot::stop() {
  if (master_pid_ <= 0) return;
  const long pid = master_pid_;
  run("doveadm -c " + conf_ + " stop");
  wait_gone(pid);
  master_pid_ = 0;
  // Mail processes may outlive the master (they finish their session):
  // end them too, so that clients see the server go away. They run in
  // the mail directory, which tells them from any other Dovecot.
  kill_processes_under(dir_);
}

void Dovecot::deliver(const std::string& file, const std::string& mailbox) {
  run("doveadm -c " + conf_ + " save -u " + user + " -m '" + mailbox + "' < '" + file + "'");
}

void Dovecot::create_mailbox(const std::string& mailbox) {
  run("doveadm -c " + conf_ + " mailbox create -u " + user + " '" + mailbox + "'");
}

void Dovecot::deliver_offline(const std::string& file) {
  const std::string name = std::to_string(std::time(nullptr)) + ".ndrlinktest" + std::to_string(++offline_seq_) + "." +
                           std::to_string(::getpid()) + ".localhost";
  const std::string tmp = mail_ + "/tmp/" + name;
  fs::copy_file(file, tmp);
  if (::chown(tmp.c_str(), uid_, gid_) != 0) throw std::runtime_error("chown " + tmp + " failed");
  fs::rename(tmp, mail_ + "/new/" + name);
}

long Dovecot::status(const std::string& field, const std::string& mailbox) {
  const std::string out = dir_ + "/status.out";
  run("doveadm -c " + conf_ + " -f flow mailbox status -u " + user + " " + field + " '" + mailbox + "'", out);
  const std::string text = slurp(out);
  const auto eq = text.find(field + "=");
  if (eq == std::string::npos) throw std::runtime_error("doveadm mailbox status: no " + field + " in: " + text);
  return std::atol(text.c_str() + eq + field.size() + 1);
}

void Dovecot::forget_uids() {
  if (master_pid_ > 0) throw std::logic_error("forget_uids: stop the server first");
  for (const auto& e : fs::directory_iterator(mail_)) {
    const auto name = e.path().filename().string();
    if (name.rfind("dovecot", 0) == 0 && e.is_regular_file()) fs::remove(e.path());
  }
}

}  // namespace ndrlink::test
