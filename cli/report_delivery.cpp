#include "report_delivery.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace ndrlink::cli {

std::string archive_name(const std::string& label) {
  std::string out;
  for (char c : label) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == 'T' || c == 'Z') out.push_back(c);
    else if (c == '.' && !out.empty() && out.back() != '_') out.push_back('_');
  }
  return out;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
}

namespace {

// Quoted-printable (RFC 2045 6.7) with CRLF line ends: safe for any MTA.
std::string quoted_printable(const std::string& in) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t line = 0;
  auto put = [&](const std::string& piece) {
    if (line + piece.size() > 75) {
      out += "=\r\n";
      line = 0;
    }
    out += piece;
    line += piece.size();
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '\n') {
      out += "\r\n";
      line = 0;
    } else if (c == '\r') {
      continue;
    } else if ((c >= 33 && c <= 126 && c != '=') || (c == ' ' && i + 1 < in.size() && in[i + 1] != '\n')) {
      put(std::string(1, static_cast<char>(c)));
    } else {
      put(std::string{'=', hex[c >> 4], hex[c & 15]});
    }
  }
  return out;
}

}  // namespace

std::string compose_report_mail(const ReportMail& mail) {
  std::mt19937_64 rng(std::random_device{}());
  const std::string boundary = "ndrlink-" + std::to_string(rng());
  std::string to;
  for (const auto& a : mail.to) to += (to.empty() ? "" : ", ") + a;
  std::string m;
  if (!mail.from.empty()) m += "From: " + mail.from + "\r\n";
  m += "To: " + to + "\r\n";
  m += "Subject: " + mail.subject + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  m += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  m += quoted_printable(mail.text) + "\r\n";
  m += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  m += quoted_printable(mail.html) + "\r\n";
  m += "--" + boundary + "--\r\n";
  return m;
}

void send_with_sendmail(const std::string& sendmail, const std::string& message) {
  std::signal(SIGPIPE, SIG_IGN);  // a sendmail that exits early is an error, not a crash
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(fds[0], 0);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execl(sendmail.c_str(), sendmail.c_str(), "-oi", "-t", static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(fds[0]);
  bool written = true;
  for (std::size_t off = 0; off < message.size();) {
    const auto n = ::write(fds[1], message.data() + off, message.size() - off);
    if (n <= 0) {
      written = false;
      break;
    }
    off += static_cast<std::size_t>(n);
  }
  ::close(fds[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !written)
    throw std::runtime_error(sendmail + " failed (exit status " +
                             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) + ")");
}

}  // namespace ndrlink::cli
