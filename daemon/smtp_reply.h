// SMTP replies (RFC 5321 4.2) and EHLO extensions (RFC 5321 4.1.1.1), as
// read by an SMTP client: the wire format only, no I/O. Malformed or
// over-long input is an SmtpProtocolError with a one-line message, never
// a crash or unbounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ndrlink::smtp {

class SmtpProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReplyLimits {
  std::size_t max_line = 2048;  // octets of one reply line, CRLF included
  std::size_t max_lines = 100;  // lines of one multi-line reply
};

struct SmtpReply {
  int code = 0;          // 200..599 (a first digit of 1 is malformed)
  std::string enhanced;  // RFC 3463 "5.1.1" when the first line carried one whose class
                         // matches the code's, else empty
  // Text of each line after "NNN " / "NNN-" and, when `enhanced` is set,
  // after that status (stripped from every line that repeats it). Never empty
  // after parsing: a bare "250" gives one empty line. No CR/LF inside.
  std::vector<std::string> lines;

  bool positive() const { return code >= 200 && code < 300; }
  bool intermediate() const { return code >= 300 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500 && code < 600; }
  // The lines joined by single spaces.
  std::string text() const;
  // "550 5.1.1 No such user here" (the text() form): one line for logs,
  // errors and the store.
  std::string summary() const;
};

// Frames replies from a byte stream: feed() what arrived, take() each
// complete reply. Accepts CRLF and bare LF line ends. Throws
// SmtpProtocolError on a malformed line, a code that changes within a
// multi-line reply, a line longer than limits.max_line, or more than
// limits.max_lines lines.
class ReplyReader {
 public:
  explicit ReplyReader(ReplyLimits limits = {}) : limits_(limits) {}
  // Consumes bytes up to and including the end of the first complete
  // reply (or all of `data` when none completes); returns how many.
  std::size_t feed(std::string_view data);
  bool ready() const { return ready_; }
  SmtpReply take();  // the complete reply; ready() must be true
  // True when no partial reply is buffered (nothing between replies).
  bool idle() const { return !ready_ && partial_.empty() && reply_.lines.empty(); }

 private:
  void line(std::string_view l);
  ReplyLimits limits_;
  std::string partial_;  // the current line, not yet terminated
  SmtpReply reply_;      // lines so far of the current reply
  bool ready_ = false;
};

// Parses text holding exactly one complete reply (tests, fuzzing, logs).
// Throws SmtpProtocolError when it is malformed, incomplete or followed by
// more bytes.
SmtpReply parse_reply(std::string_view text, ReplyLimits limits = {});

// What a server's EHLO reply advertises. Keywords are matched case
// insensitively; unknown ones are kept in `keywords` with their params.
struct EhloExtensions {
  std::string server_name;  // the first line's first word (the server's domain)
  bool pipelining = false, eightbitmime = false, smtputf8 = false, starttls = false, dsn = false,
       enhancedstatuscodes = false, chunking = false;
  std::optional<std::uint64_t> size;  // SIZE: its limit (0 = no fixed limit); nullopt when absent
  std::set<std::string> auth;         // AUTH mechanisms, upper case ("PLAIN", "LOGIN" ...)
  std::map<std::string, std::string> keywords;  // every keyword (upper case) -> its params

  bool has(std::string_view keyword) const;
  // The keywords as advertised, with params ("SIZE 10240000"), in order of
  // keyword: for reports.
  std::vector<std::string> list() const;
};

// The extensions of a 250 EHLO reply (a non-2xx reply has none). Lines that
// are not "keyword [params]" (RFC 5321 4.1.1.1 ehlo-line) are skipped, as
// real clients do, not an error.
EhloExtensions parse_ehlo(const SmtpReply& reply);

}  // namespace ndrlink::smtp
