// Oracle/Sun Java System Messaging Server reports: "This report relates to
// a message you sent with the following header fields:" then one block per
// recipient ("Recipient address:", "Reason:", "Diagnostic code: smtp;...").
// The Reason line names the refused command ("Server rejected MAIL FROM
// address"); some copies carry only this text, without a DSN part.
#include <algorithm>
#include <vector>

#include "common.h"
#include "family.h"
#include "../dsn.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

struct Block {
  std::string address, reason, diagnostic, type;
};

std::string_view value_after(std::string_view line, std::string_view label) {
  return text::istarts_with(line, label) ? text::trim(line.substr(label.size())) : std::string_view{};
}

std::vector<Block> blocks(std::string_view t) {
  std::vector<Block> found;
  for (const auto raw : text::lines(t)) {
    const auto line = text::trim(raw);
    if (const auto a = value_after(line, "Recipient address:"); !a.empty()) {
      if (found.size() >= 256) break;
      found.push_back(Block{text::clean_address(a), {}, {}, {}});
    } else if (found.empty()) {
      continue;
    } else if (const auto r = value_after(line, "Reason:"); !r.empty()) {
      found.back().reason = std::string(r);
    } else if (const auto d = value_after(line, "Diagnostic code:"); !d.empty()) {
      found.back().diagnostic = strip_type(d, &found.back().type);
    }
  }
  return found;
}

bool parse_messagingserver(const Evidence& ev, Report& report) {
  const std::string_view head = std::string_view(ev.text).substr(0, std::min<std::size_t>(ev.text.size(), 4096));
  if (!text::icontains(head, "This report relates to a message you sent with the following header fields"))
    return false;
  const auto bs = blocks(prose(ev));
  if (report.recipients.empty()) {
    for (const auto& b : bs) {
      auto& r = recipient_for(report, b.address);
      r.diagnostic = b.diagnostic;
      r.diagnostic_type = b.type;
    }
  }
  for (auto& r : report.recipients) {
    for (const auto& b : bs) {
      if (!text::iequals(b.address, r.recipient)) continue;
      if (r.diagnostic.empty()) r.diagnostic = b.diagnostic;
      if (text::icontains(b.reason, "MAIL FROM")) r.smtp_command = "MAIL";
    }
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kMessagingServerFamily{"messagingserver", parse_messagingserver};

}  // namespace ndrlink::parser::family
