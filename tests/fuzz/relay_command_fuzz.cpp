// libFuzzer target (issue 7, "SMTP relay commands"): any bytes as what a
// relay client sends, fed in chunks through the session's input side
// without sockets: line framing with its length limit, command parsing
// and parameter checks, and after DATA the message collection up to "."
// with its size limit and the Message-ID lookup.
// Contract: replies or errors only; never a crash, an escape, or memory
// beyond the limits.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "relay_command.h"
#include "relay_input.h"
#include "relay_message.h"

namespace relay = ndrlink::daemon::relay;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the read size, as a network would cut the stream.
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  relay::LineFramer framer(512);
  std::optional<relay::DataCollector> message;
  while (!input.empty()) {
    const auto piece = input.substr(0, chunk);
    input.remove_prefix(piece.size());
    framer.feed(piece);
    while (auto line = framer.next()) {
      if (message) {
        if (message->add(*line)) {
          (void)relay::find_message_id(message->take());
          message.reset();
        }
        continue;
      }
      if (line->too_long) continue;
      auto parsed = relay::parse_command(line->text);
      auto* cmd = std::get_if<relay::Command>(&parsed);
      if (!cmd) continue;
      if (cmd->verb == relay::Verb::mail) (void)relay::check_mail_params(*cmd);
      if (cmd->verb == relay::Verb::rcpt) (void)relay::check_rcpt_params(*cmd);
      if (cmd->verb == relay::Verb::data) message.emplace(4096);
    }
  }
  return 0;
}
