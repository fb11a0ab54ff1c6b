// Zoho Mail (X-ZohoMail header): after "This message was created
// automatically by mail delivery ..." each recipient is a line "addr text"
// or "[Status: Error, Address: <addr>, ResponseCode 421, , text]"; the
// original message follows from "Received:from mail.zoho.com".
#include "common.h"
#include "family.h"
#include "../status.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::string_view kStart = "This message was created automatically by mail delivery";

// The recipient a line names, or empty.
std::string line_recipient(std::string_view line) {
  if (line.starts_with("[Status: ")) {
    const auto lt = line.find('<');
    return lt == std::string_view::npos ? std::string{} : text::find_address(line.substr(lt));
  }
  const auto space = line.find_first_of(" \t");
  if (space == std::string_view::npos || line.substr(0, space).find('@') == std::string_view::npos) return {};
  return text::find_address(line.substr(0, space));
}

// The reply code after "ERROR_CODE :" or "ResponseCode ", or empty.
std::string zoho_reply_code(std::string_view line) {
  for (std::string_view label : {"ERROR_CODE :", "ResponseCode "}) {
    const auto at = text::ifind(line, label);
    if (at == std::string_view::npos) continue;
    const auto code = status::find_reply_code(line.substr(at + label.size(), 3));
    if (!code.empty()) return code;
  }
  return {};
}

bool parse_zoho(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !ev.mime.headers.has("X-ZohoMail")) return false;
  const std::string_view body = ev.text;
  const auto start = text::ifind(body, kStart);
  if (start == std::string_view::npos) return false;
  for (auto line : text::lines(body.substr(start))) {
    line = text::trim(line);
    if (text::istarts_with(line, "Received:")) break;
    const auto addr = line_recipient(line);
    if (addr.empty()) continue;
    auto& r = recipient_for(report, addr);
    r.action = "failed";
    r.diagnostic = std::string(line);
    r.reply_code = zoho_reply_code(line);
    // Zoho keeps retrying an unreachable host until the message expires.
    if (text::icontains(line, "Host not reachable")) r.reason = "expired";
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kZohoFamily{"zoho", parse_zoho};

}  // namespace ndrlink::parser::family
