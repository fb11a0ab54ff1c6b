// Encodings of the SMTP wire that are not replies: the DATA payload
// (RFC 5321 4.5.2 transparency, 2.3.8 line ends) and xtext (RFC 3461 4,
// for ENVID and ORCPT). No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ndrlink::smtp {

// The bytes to send after a 354: `message` with every line end made CRLF
// (a bare LF or a bare CR becomes CRLF), a '.' doubled at the start of each
// line, a final CRLF added when the message lacks one, then ".\r\n".
// An empty message gives ".\r\n".
std::string dot_stuff(std::string_view message);

// `message` with every line end made CRLF (a bare LF or a bare CR becomes
// CRLF) and a final CRLF added when it lacks one: dot_stuff without the
// transparency and the final "." — what a BDAT chunk carries (RFC 3030 2:
// the message in canonical form, never dot-stuffed). "" stays "".
std::string crlf_lines(std::string_view message);
// True when crlf_lines(message) == message (nothing to copy).
bool is_crlf_lines(std::string_view message);

// dot_stuff / crlf_lines in pieces, so that a message can go out block by
// block without a whole encoded copy in memory: feed() appends the
// encoding of the next piece to `out` (a CR at the end of one piece and an
// LF at the start of the next are one line end); finish() ends the last
// line with CRLF when it lacks one and, with `stuff`, appends ".\r\n".
class LineEncoder {
 public:
  explicit LineEncoder(bool stuff) : stuff_(stuff) {}
  void feed(std::string_view in, std::string& out);
  void finish(std::string& out);

 private:
  bool stuff_;
  bool line_start_ = true;
  bool after_cr_ = false;  // the last byte fed was a CR (already written as CRLF)
};

// Reverses dot_stuff's transparency on a received payload that ends before
// the terminating "." line (the lines as sent, CRLF kept): each line's
// leading '.' is removed. Used by test servers.
std::string dot_unstuff(std::string_view payload);

// xtext: printable ASCII except '+' and '=' as is, everything else "+HH".
std::string xtext_encode(std::string_view raw);
// nullopt when `text` is not valid xtext.
std::optional<std::string> xtext_decode(std::string_view text);

}  // namespace ndrlink::smtp
