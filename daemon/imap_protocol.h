// IMAP server responses (RFC 9051 / RFC 3501), framed and parsed. Pure: no
// I/O, no globals. Every input is hostile: the framer never holds more than
// Limits allow (a line longer than max_line or too many literals is a
// ProtocolError; a literal longer than max_literal is cut, not stored
// whole), and the parser rejects what it cannot read instead of guessing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ndrlink::daemon::imap {

class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Limits {
  std::size_t max_line = 256 * 1024;        // text of one response, literals excluded
  std::size_t max_literal = 8 * 1024 * 1024 + 1;  // bytes kept of one literal; the rest is dropped
  std::size_t max_literals = 16;            // literals in one response
};

// One complete response as it came off the wire: its lines joined without
// CRLF, each literal left in the text as its "{n}" announcement and its
// bytes (at most max_literal of them) in `literals`, in order.
struct RawResponse {
  std::string text;
  std::vector<std::string> literals;
  std::vector<std::uint64_t> literal_sizes;  // announced sizes (> literals[i].size() when cut)
  std::vector<std::size_t> literal_ends;     // offset in text just past each "{n}"
};

// Splits a byte stream into responses, incrementally.
class ResponseFramer {
 public:
  explicit ResponseFramer(Limits limits = {}) : limits_(limits) {}
  // Consumes bytes of `data` up to the end of the next complete response
  // (or all of it). Returns how many were consumed; when ready(), take()
  // the response before feeding the rest. Throws ProtocolError.
  std::size_t feed(std::string_view data);
  bool ready() const { return ready_; }
  RawResponse take();
  // True when nothing of a next response has been received yet.
  bool idle() const { return !ready_ && !in_literal_ && line_.empty() && current_.text.empty(); }

 private:
  void end_of_line();

  Limits limits_;
  RawResponse current_;
  std::string line_;
  bool ready_ = false;
  bool in_literal_ = false;
  std::uint64_t literal_left_ = 0;
};

enum class Status { none, ok, no, bad, bye, preauth };

struct FetchData {
  std::optional<std::uint32_t> uid;
  std::optional<std::vector<std::string>> flags;  // as sent (e.g. "\Seen")
  std::optional<std::string> body;                // BODY[] (NIL: absent)
  std::uint64_t body_size = 0;                    // announced size of BODY[]
  bool body_truncated = false;                    // body holds only the first max_literal bytes
  std::optional<std::uint64_t> rfc822_size;
  bool seen() const;
};

struct Response {
  enum class Kind { tagged, untagged, continuation };
  Kind kind = Kind::untagged;
  std::string tag;          // tagged only
  Status status = Status::none;  // tagged, or untagged OK/NO/BAD/BYE/PREAUTH
  std::string code;         // response code atom, upper case ("UIDVALIDITY", "CAPABILITY", ...)
  std::string code_args;    // the rest inside the brackets
  std::string text;         // human-readable text (continuation: the base64 challenge)
  // Untagged data: "* CAPABILITY ...", "* 3 EXISTS", "* 2 FETCH (...)", ...
  std::string keyword;      // upper case; empty for status responses
  std::uint32_t number = 0; // message number for EXISTS, EXPUNGE, FETCH, RECENT
  std::vector<std::string> capabilities;  // upper case, from CAPABILITY data or a [CAPABILITY ...] code
  std::optional<FetchData> fetch;

  // The numeric argument of the response code (UIDVALIDITY, UIDNEXT), if any.
  std::optional<std::uint32_t> code_number() const;
};

// Parses a framed response. Throws ProtocolError on malformed input.
Response parse_response(RawResponse raw);

// "OK" -> Status::ok, ...; case-insensitive. Status::none otherwise.
Status status_from(std::string_view word);
std::string_view to_string(Status s);

// An IMAP quoted string for `s`; nullopt when s cannot be quoted (CR, LF,
// NUL or 8-bit bytes): send it as a literal instead.
std::optional<std::string> quote(std::string_view s);

// A UTF-8 mailbox name in IMAP's modified UTF-7 (RFC 3501 5.1.3): printable
// ASCII as is ("&" as "&-"), anything else as "&" + base64 of UTF-16 with
// "," for "/" + "-". Throws ProtocolError for invalid UTF-8.
std::string modified_utf7(std::string_view utf8);

// Whether `name` is modified UTF-7 already: printable ASCII whose every
// "&" starts "&-" or a base64 run of whole UTF-16 units ended by "-".
bool is_modified_utf7(std::string_view name);

// A UTF-8 mailbox name as a quoted string, in modified UTF-7; a name with
// "&" that is modified UTF-7 already goes as it is. Throws ProtocolError
// for an empty name or invalid UTF-8.
std::string mailbox_arg(std::string_view name);

// "1,3,5:9" for sorted ascending UIDs.
std::string uid_set(const std::vector<std::uint32_t>& uids);

// Base64 without line breaks (for SASL).
std::string base64(std::string_view bytes);

}  // namespace ndrlink::daemon::imap
