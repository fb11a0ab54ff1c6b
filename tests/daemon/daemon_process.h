// Runs the real ndrlinkd binary for a test: a config file in a temp dir,
// stderr captured to a log, readiness by the "ndrlinkd ready" line, and
// SIGTERM or SIGKILL to stop it.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <thread>

#include "../integration/test_support.h"

namespace ndrlink::testing {

class DaemonProcess {
 public:
  DaemonProcess(std::string config_path, std::string log_path)
      : config_(std::move(config_path)), log_(std::move(log_path)) {}
  ~DaemonProcess() {
    if (pid_ > 0) kill9();
  }

  void start() {
    const auto log_before = log_size();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 2);
      ::dup2(fd, 1);
      execl(NDRLINKD_BINARY, NDRLINKD_BINARY, "--config", config_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string log = read_file_or_empty(log_);
      if (log.find("ndrlinkd ready", log_before) != std::string::npos) return;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("ndrlinkd exited during start-up:\n" + log.substr(log_before));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("ndrlinkd not ready within 15 s");
  }

  // SIGTERM and wait; returns the exit status.
  int terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  pid_t pid() const { return pid_; }
  std::string log() const { return read_file_or_empty(log_); }

 private:
  static std::string read_file_or_empty(const std::string& p) {
    try {
      return read_file(p);
    } catch (const std::exception&) {
      return {};
    }
  }
  std::size_t log_size() const { return read_file_or_empty(log_).size(); }

  std::string config_, log_;
  pid_t pid_ = -1;
};

}  // namespace ndrlink::testing
