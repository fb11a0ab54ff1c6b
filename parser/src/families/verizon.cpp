// Verizon Wireless gateways: vtext.com ("Error: ... / 550 - ... /
// RCPT TO: addr") and the vzwpix.com MMS center ("Message could not be
// delivered to mobile. / Error: ... / To: addr").
#include "common.h"
#include "family.h"
#include "../status.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

bool via_vtext(const Evidence& ev) {
  for (auto received : ev.mime.headers.all("Received"))
    if (text::icontains(received, ".vtext.com")) return true;
  return false;
}

// vtext.com: the reply line "550 - text" and "RCPT TO: addr" lines.
void read_vtext(std::string_view body, Report& report) {
  std::string reply;
  for (auto line : text::lines(body)) {
    const auto trimmed = text::trim(line);
    if (trimmed.size() > 6 && trimmed.substr(3, 3) == " - " && !status::find_reply_code(trimmed).empty()) reply = trimmed;
    if (!text::istarts_with(trimmed, "RCPT TO:")) continue;
    const auto addr = text::find_address(trimmed);
    if (addr.empty()) continue;
    auto& r = recipient_for(report, addr);
    r.diagnostic = reply;
    if (text::icontains(reply, "no such user here")) r.reason = "userunknown";
  }
}

// vzwpix.com MMS: "Error: text" then the original's "To: addr".
void read_mms(std::string_view body, Report& report) {
  const auto start = text::ifind(body, "Message could not be delivered to mobile");
  if (start == std::string_view::npos) return;
  std::string error;
  for (auto line : text::lines(body.substr(start))) {
    const auto trimmed = text::trim(line);
    if (text::istarts_with(trimmed, "Error:")) error = text::trim(trimmed.substr(6));
    if (!text::istarts_with(trimmed, "To:")) continue;
    const auto addr = text::find_address(trimmed);
    if (addr.empty()) continue;
    auto& r = recipient_for(report, addr);
    r.diagnostic = error;
    if (text::icontains(error, "no valid recipients for this mm")) r.reason = "userunknown";
  }
}

// The report text, plus multipart bodies the MIME reader could not split
// (vtext.com writes an unfolded "boundary=" line that readers miss).
std::string report_text(const Evidence& ev) {
  std::string all = ev.text;
  for (const auto& part : ev.mime.parts)
    if (!part.in_attached_message && part.type.starts_with("multipart/")) all += "\n" + part.body;
  return all;
}

bool parse_verizon(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !via_vtext(ev)) return false;
  if (ev.from_address == "post_master@vtext.com") read_vtext(report_text(ev), report);
  else if (text::matches(ev.from_address, "sysadmin@*vzwpix.com")) read_mms(report_text(ev), report);
  for (auto& r : report.recipients) r.action = "failed";
  return !report.recipients.empty();
}

}  // namespace

extern const Family kVerizonFamily{"verizon", parse_verizon};

}  // namespace ndrlink::parser::family
