// libFuzzer target: any bytes as what an SMTP server sends, framed by the
// client's ReplyReader in chunks (the first byte picks the chunk size, so
// replies split across reads are covered), each reply through the EHLO
// parser; also as a DATA payload (dot-stuffing) and xtext.
// Contract: replies or SmtpProtocolError; never a crash, a hang or an
// unbounded buffer; xtext and dot-stuffing round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "smtp_data.h"
#include "smtp_reply.h"

using namespace ndrlink::smtp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  ReplyLimits limits;
  limits.max_line = 512;
  limits.max_lines = 20;
  ReplyReader reader(limits);
  try {
    for (std::size_t at = 0; at < bytes.size();) {
      std::string_view piece = bytes.substr(at, chunk);
      while (!piece.empty()) {
        const std::size_t used = reader.feed(piece);
        if (used == 0 || used > piece.size()) std::abort();  // must make progress, within bounds
        piece.remove_prefix(used);
        at += used;
        if (reader.ready()) {
          const SmtpReply r = reader.take();
          if (r.code < 200 || r.code > 599 || r.lines.empty() || r.lines.size() > limits.max_lines) std::abort();
          (void)r.summary();
          (void)parse_ehlo(r).list();
        }
      }
    }
  } catch (const SmtpProtocolError&) {
  }
  try {
    (void)parse_reply(bytes);
  } catch (const SmtpProtocolError&) {
  }

  // DATA: the stuffed payload ends with the terminator and never contains
  // it earlier; unstuffing gives the CRLF-normalised message back.
  const std::string stuffed = dot_stuff(bytes);
  const auto end = ("\r\n" + stuffed).find("\r\n.\r\n");
  if (end != stuffed.size() - 3) std::abort();
  (void)dot_unstuff(std::string_view(stuffed).substr(0, stuffed.size() - 3));

  if (xtext_decode(xtext_encode(bytes)) != std::string(bytes)) std::abort();
  return 0;
}
