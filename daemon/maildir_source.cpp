#include "maildir_source.h"

#include "outcome_log.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>
#include <system_error>

namespace ndrlink::daemon {
namespace fs = std::filesystem;

namespace {

void ensure_maildir(const fs::path& dir) {
  for (const char* sub : {"new", "cur", "tmp"}) {
    std::error_code ec;
    fs::create_directories(dir / sub, ec);
    if (ec) throw std::runtime_error("cannot create Maildir directory " + (dir / sub).string() + ": " + ec.message());
  }
}

// Reads a whole file; false with errno-style text when it cannot.
bool read_file(const std::string& path, std::size_t limit, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  out.resize(ec ? limit : std::min<std::size_t>(size, limit));
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    error = "read error";
    return false;
  }
  return true;
}

// cur/ name with flag S added to whatever info the name carries.
std::string seen_name(const std::string& file_name) {
  const auto colon = file_name.find(":2,");
  if (colon == std::string::npos) return file_name.substr(0, file_name.find(':')) + ":2,S";
  std::string flags = file_name.substr(colon + 3);
  if (flags.find('S') == std::string::npos) {
    flags.push_back('S');
    std::sort(flags.begin(), flags.end());
  }
  return file_name.substr(0, colon) + ":2," + flags;
}

}  // namespace

MaildirSource::MaildirSource(boost::asio::io_context& io, Pipeline& pipeline, Stats& stats, MaildirConfig config)
    : io_(io), pipeline_(pipeline), stats_(stats), config_(std::move(config)), retry_timer_(io) {}

std::string MaildirSource::source_key(const std::string& file_name) {
  return "maildir:" + file_name.substr(0, file_name.find(':'));
}

void MaildirSource::start() {
  const fs::path root(config_.path);
  ensure_maildir(root);
  fs::path done = root;
  if (!config_.done_folder.empty()) {
    done = root / config_.done_folder;
    ensure_maildir(done);
  }
  new_dir_ = (root / "new").string();
  done_cur_dir_ = (done / "cur").string();
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) throw std::runtime_error(std::string("inotify_init1: ") + std::strerror(errno));
  // Maildir writers put complete files into new/ by rename (IN_MOVED_TO)
  // or link (IN_CREATE); a file is never written in place there.
  if (inotify_add_watch(inotify_fd_, new_dir_.c_str(), IN_MOVED_TO | IN_CREATE) < 0) {
    const std::string why = std::strerror(errno);
    ::close(inotify_fd_);
    throw std::runtime_error("cannot watch " + new_dir_ + ": " + why);
  }
  events_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, inotify_fd_);
  stopped_ = false;
  spdlog::info("maildir {}: watching {}", config_.name, new_dir_);
  // Watch first, then scan: a file arriving in between is seen twice at
  // worst, and known_ drops the second sighting.
  read_events();
  scan();
}

void MaildirSource::stop() {
  stopped_ = true;
  retry_timer_.cancel();
  if (events_) {
    boost::system::error_code ec;
    events_->close(ec);  // closes the inotify fd too
    events_.reset();
  }
  pending_.clear();
}

void MaildirSource::scan() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(new_dir_, ec))
    if (e.is_regular_file(ec)) names.push_back(e.path().filename().string());
  if (ec) spdlog::error("maildir {}: cannot list {}: {}", config_.name, new_dir_, ec.message());
  std::sort(names.begin(), names.end());  // oldest first: names start with the delivery time
  if (!names.empty()) spdlog::info("maildir {}: {} message(s) waiting in new/", config_.name, names.size());
  for (const auto& n : names) enqueue(n);
  pump();
}

void MaildirSource::read_events() {
  auto self = shared_from_this();
  events_->async_read_some(boost::asio::buffer(event_buffer_), [this, self](boost::system::error_code ec,
                                                                            std::size_t n) {
    if (stopped_ || ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      spdlog::error("maildir {}: inotify read failed: {}; rescanning", config_.name, ec.message());
      retry_later(std::chrono::seconds(1));
      return;
    }
    bool overflow = false;
    for (std::size_t off = 0; off + sizeof(inotify_event) <= n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(event_buffer_.data() + off);
      if (ev->mask & IN_Q_OVERFLOW) overflow = true;
      if (ev->len > 0 && !(ev->mask & IN_ISDIR)) enqueue(ev->name);
      off += sizeof(inotify_event) + ev->len;
    }
    if (overflow) scan();  // events were lost: the directory is the truth
    pump();
    read_events();
  });
}

void MaildirSource::enqueue(const std::string& file_name) {
  if (file_name.empty() || file_name[0] == '.') return;
  if (known_.insert(file_name).second) pending_.push_back(file_name);
}

void MaildirSource::pump() {
  while (!stopped_ && !pending_.empty()) {
    const std::string name = pending_.front();
    auto self = shared_from_this();
    Pipeline::Job job = [this, self, name](Processor& processor) {
      const std::string path = new_dir_ + "/" + name;
      const std::string key = source_key(name);
      std::string raw, error;
      bool ok = true;
      if (!read_file(path, processor.max_message_bytes() + 1, raw, error)) {
        // Gone: another process (or our own earlier run) moved it.
        if (!fs::exists(path)) {
          boost::asio::post(io_, [this, self, name] { finished(name, true); });
          return;
        }
        spdlog::error("maildir {}: cannot read {}: {}", config_.name, path, error);
        ok = false;
      }
      if (ok) {
        try {
          const auto out = processor.ingest(key, raw);
          log_outcome(key, out);
          count_outcome(stats_, out);
          const std::string dest = done_cur_dir_ + "/" + seen_name(name);
          if (::rename(path.c_str(), dest.c_str()) != 0 && errno != ENOENT) {
            spdlog::error("maildir {}: stored {} but cannot move it to {}: {}", config_.name, key, dest,
                          std::strerror(errno));
            ok = false;  // stored: the retry finds the key and only moves the file
          }
        } catch (const std::exception& e) {
          ++stats_.errors;
          spdlog::error("maildir {}: {} not stored, will retry: {}", config_.name, key, e.what());
          ok = false;
        }
      }
      boost::asio::post(io_, [this, self, name, ok] { finished(name, ok); });
    };
    if (!pipeline_.try_submit(job)) {
      retry_later(std::chrono::milliseconds(20));  // queue full: back-pressure
      return;
    }
    pending_.pop_front();
  }
}

void MaildirSource::finished(const std::string& file_name, bool ok) {
  known_.erase(file_name);
  if (ok) {
    failures_in_a_row_ = 0;
    return;
  }
  // Leave it in new/ and come back: disk full, locked database, ...
  ++failures_in_a_row_;
  if (!stopped_ && known_.insert(file_name).second) pending_.push_back(file_name);
  retry_later(std::chrono::milliseconds(std::min(60000, 250 << std::min(failures_in_a_row_, 8))));
}

void MaildirSource::retry_later(std::chrono::milliseconds delay) {
  if (stopped_ || retry_armed_) return;
  retry_armed_ = true;
  retry_timer_.expires_after(delay);
  auto self = shared_from_this();
  retry_timer_.async_wait([this, self](boost::system::error_code ec) {
    retry_armed_ = false;
    if (ec || stopped_) return;
    pump();
  });
}

}  // namespace ndrlink::daemon
