#include "ingest_socket.h"

#include "socket_request.h"

#include <sys/stat.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace ndrlink::daemon {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;


// One client: reads a line, has a worker record it, writes the reply, and
// only then reads the next line (so replies stay in request order and a
// client can have at most one request in the queue).
class IngestSocket::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(IngestSocket& owner, stream::socket socket)
      : owner_(owner), socket_(std::move(socket)), buffer_(owner.config_.max_line_bytes + 1),
        retry_(socket_.get_executor()) {}

  void start() { read_line(); }
  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
    retry_.cancel();
  }

 private:
  void read_line() {
    auto self = shared_from_this();
    asio::async_read_until(socket_, buffer_, '\n', [this, self](boost::system::error_code ec, std::size_t n) {
      if (ec == asio::error::not_found) {  // line longer than the limit: drop it up to its newline
        buffer_.consume(buffer_.size());
        discarding_ = true;
        read_line();
        return;
      }
      if (ec) return finish();
      std::string line(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + n);
      buffer_.consume(n);
      if (discarding_) {
        discarding_ = false;
        return reply(error_reply("line longer than " + std::to_string(owner_.config_.max_line_bytes) + " bytes"));
      }
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line.empty()) return read_line();
      auto parsed = parse_request(line);
      if (auto* error = std::get_if<std::string>(&parsed)) return reply(error_reply(*error));
      submit(std::move(std::get<correlator::Fields>(parsed)));
    });
  }

  void submit(correlator::Fields fields) {
    auto self = shared_from_this();
    auto& io = owner_.io_;
    Stats& stats = owner_.stats_;
    Pipeline::Job job = [self, fields, &io, &stats](Processor& processor) {
      std::string answer;
      try {
        auto result = processor.record(fields, "socket");
        if (auto* error = std::get_if<std::string>(&result)) {
          answer = error_reply(*error);
        } else {
          const auto& r = std::get<Recorded>(result);
          stats.acceptances += r.created;
          nlohmann::ordered_json j = {{"ok", true}, {"id", r.id}, {"created", r.created}, {"verp_token", r.verp_token}};
          answer = j.dump();
        }
      } catch (const std::exception& e) {
        ++stats.errors;
        spdlog::error("socket: record failed: {}", e.what());
        answer = error_reply(std::string("store error: ") + e.what());
      }
      asio::post(io, [self, answer] { self->reply(answer); });
    };
    if (!owner_.pipeline_.try_submit(job)) {
      // Queue full: hold this client (back-pressure) and try again shortly.
      retry_.expires_after(std::chrono::milliseconds(10));
      retry_.async_wait([this, self, fields = std::move(fields)](boost::system::error_code ec) mutable {
        if (!ec) submit(std::move(fields));
      });
    }
  }

  static std::string error_reply(const std::string& why) {
    return nlohmann::ordered_json{{"ok", false}, {"error", why}}.dump(-1, ' ', false,
                                                              nlohmann::json::error_handler_t::replace);
  }

  void reply(std::string answer) {
    out_ = std::move(answer);
    out_.push_back('\n');
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(out_), [this, self](boost::system::error_code ec, std::size_t) {
      if (ec) return finish();
      read_line();
    });
  }

  void finish() {
    if (done_) return;
    done_ = true;
    --owner_.clients_;
    close();
  }

  IngestSocket& owner_;
  stream::socket socket_;
  asio::streambuf buffer_;
  asio::steady_timer retry_;
  std::string out_;
  bool discarding_ = false;
  bool done_ = false;
};

IngestSocket::IngestSocket(asio::io_context& io, Pipeline& pipeline, Stats& stats, SocketConfig config)
    : io_(io), pipeline_(pipeline), stats_(stats), config_(std::move(config)) {}

void IngestSocket::start() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::symlink_status(config_.path, ec);
  if (!ec && fs::exists(st)) {
    if (!fs::is_socket(st)) throw std::runtime_error("ingest socket " + config_.path + " exists and is not a socket");
    fs::remove(config_.path, ec);  // stale, from an earlier run
  }
  if (const auto dir = fs::path(config_.path).parent_path(); !dir.empty() && !fs::is_directory(dir, ec))
    throw std::runtime_error("ingest socket directory " + dir.string() + " does not exist");
  acceptor_ = std::make_unique<stream::acceptor>(io_);
  boost::system::error_code bec;
  acceptor_->open(stream(), bec);
  if (!bec) acceptor_->bind(stream::endpoint(config_.path), bec);
  if (!bec) acceptor_->listen(asio::socket_base::max_listen_connections, bec);
  if (bec) throw std::runtime_error("ingest socket " + config_.path + ": " + bec.message());
  ::chmod(config_.path.c_str(), config_.mode);
  stopped_ = false;
  spdlog::info("socket: listening on {} (mode {:o})", config_.path, config_.mode);
  accept();
}

void IngestSocket::stop() {
  stopped_ = true;
  if (acceptor_) {
    boost::system::error_code ec;
    acceptor_->close(ec);
    std::error_code rm;
    std::filesystem::remove(config_.path, rm);
  }
  for (auto& w : sessions_)
    if (auto s = w.lock()) s->close();
  sessions_.clear();
}

void IngestSocket::accept() {
  auto self = shared_from_this();
  acceptor_->async_accept([this, self](boost::system::error_code ec, stream::socket socket) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (clients_ >= config_.max_clients) {
        spdlog::warn("socket: {} clients connected, refusing another", clients_);
      } else {
        ++clients_;
        auto session = std::make_shared<Session>(*this, std::move(socket));
        std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
        sessions_.push_back(session);
        session->start();
      }
    }
    accept();
  });
}

}  // namespace ndrlink::daemon
