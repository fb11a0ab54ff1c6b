// What a relay client sends, framed without I/O: command lines with a
// length limit (a longer line is dropped as it arrives, so a 10 MB line
// costs at most the limit in memory) and the DATA payload up to "."
// (dot-unstuffed, CRLF line ends, a size limit past which bytes are
// counted but not kept).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace ndrlink::daemon::relay {

struct InputLine {
  std::string text;       // without CR LF; empty when too_long
  bool too_long = false;  // longer than the limit: its bytes were dropped
  bool crlf = true;       // ended in CR LF (false: a bare LF)
};

class LineFramer {
 public:
  // `max_line`: octets of a line including its CRLF.
  explicit LineFramer(std::size_t max_line) : max_line_(max_line) {}
  void set_limit(std::size_t max_line) { max_line_ = max_line; }
  // Takes bytes; complete lines become available to next().
  void feed(std::string_view bytes);
  std::optional<InputLine> next();
  bool has_line() const { return !ready_.empty(); }
  // The line next() would return, left in place; nullptr when none.
  const InputLine* peek() const { return ready_.empty() ? nullptr : &ready_.front(); }
  // True when nothing is buffered (no line, no partial line).
  bool empty() const { return ready_.empty() && partial_.empty() && !overflow_; }
  // Drops everything buffered (STARTTLS: nothing may carry over).
  void clear();

 private:
  std::size_t max_line_;
  std::deque<InputLine> ready_;
  std::string partial_;
  bool overflow_ = false;
};

// The message of one DATA command, fed line by line until the "." line.
// Only CR LF "." CR LF ends it (RFC 5321 4.1.1.4): a "." line with a bare
// LF on either side is message text, so a client cannot smuggle a second
// transaction past an upstream that frames differently (CVE-2023-51764
// class). Bare LF line ends are normalised to CR LF, as Postfix does.
class DataCollector {
 public:
  explicit DataCollector(std::uint64_t max_size) : max_size_(max_size) {}
  // Adds one line; true when it was the terminating ".".
  bool add(const InputLine& line);
  bool too_big() const { return size_ > max_size_; }
  bool line_too_long() const { return line_too_long_; }
  std::uint64_t size() const { return size_; }
  // The message (CRLF line ends, unstuffed); empty when too big.
  std::string take() { return std::move(message_); }

 private:
  std::uint64_t max_size_;
  std::uint64_t size_ = 0;
  bool line_too_long_ = false;
  bool previous_crlf_ = true;  // DATA's own line ended the previous line
  std::string message_;
};

}  // namespace ndrlink::daemon::relay
