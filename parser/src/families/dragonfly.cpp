// DragonFly Mail Agent (dma): "This is the DragonFly Mail Agent vX at H.",
// then per recipient "There was an error delivering your mail to <addr>."
// and the error text (e.g. "host [ip] did not like our RCPT TO:" followed
// by the remote reply lines), ending at "Message headers follow." or
// "Original message follows.".
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::string_view kErrorLead = "there was an error delivering your mail to ";

bool ends_error_block(std::string_view line) {
  return text::istarts_with(line, "Message headers follow") || text::istarts_with(line, "Original message follows") ||
         text::istarts_with(line, "There was an error delivering your mail to ");
}

// The error text after the lead line: its non-empty lines up to the end
// marker, multi-line replies joined into one.
std::string error_text(const std::vector<std::string_view>& ls, std::size_t from) {
  std::vector<std::string_view> block;
  for (std::size_t j = from; j < ls.size() && j < from + 64; ++j) {
    const auto l = text::trim(ls[j]);
    if (ends_error_block(l)) break;
    if (!l.empty()) block.push_back(l);
  }
  return join_reply_lines(block);
}

bool parse_dragonfly(const Evidence& ev, Report& report) {
  if (!text::icontains(ev.text, "This is the DragonFly Mail Agent") &&
      !text::icontains(ev.header("Received"), "DragonFly Mail Agent"))
    return false;
  const auto ls = text::lines(ev.text);
  bool found = false;
  for (std::size_t i = 0; i < ls.size(); ++i) {
    const auto line = text::trim(ls[i]);
    if (!text::istarts_with(line, kErrorLead)) continue;
    const auto addr = text::find_address(line.substr(kErrorLead.size()));
    if (addr.empty()) continue;
    auto& r = recipient_for(report, addr);
    r.action = "failed";
    r.diagnostic = error_text(ls, i + 1);
    found = true;
  }
  return found;
}

}  // namespace

extern const Family kDragonFlyFamily{"dragonfly", parse_dragonfly};

}  // namespace ndrlink::parser::family
