// Apache James (AbstractNotify mailet): "Error message below:" with the
// remote reply on the following lines, then "Message details:" naming the
// envelope ("  RCPT TO: addr"). James writes Message-IDs ending in
// ".JavaMail.<user>@host" and the Subject "[BOUNCE]" or "Re:<subject>".
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::size_t kMaxErrorLines = 8;

bool sent_by_james(const Evidence& ev) {
  if (text::icontains(ev.header("Message-ID"), ".JavaMail.") || ev.subject.starts_with("[BOUNCE]")) return true;
  for (auto received : ev.mime.headers.all("Received"))
    if (text::icontains(received, "JAMES SMTP Server")) return true;
  return false;
}

// The lines after "Error message below:" up to the first blank line.
std::string error_text(const std::vector<std::string_view>& ls, std::size_t from) {
  std::vector<std::string_view> error;
  for (std::size_t i = from; i < ls.size() && error.size() < kMaxErrorLines; ++i) {
    const auto line = text::trim(ls[i]);
    if (line.empty()) break;
    error.push_back(line);
  }
  return join_reply_lines(error);
}

bool parse_apachejames(const Evidence& ev, Report& report) {
  if (!report.recipients.empty() || !sent_by_james(ev)) return false;
  if (!text::icontains(ev.text, "Message details:")) return false;
  const auto ls = text::lines(ev.text);
  std::string error;
  bool in_details = false;
  for (std::size_t i = 0; i < ls.size(); ++i) {
    const auto line = text::trim(ls[i]);
    if (line == "Error message below:") error = error_text(ls, i + 1);
    else if (line == "Message details:") in_details = true;
    else if (in_details && text::istarts_with(line, "RCPT TO:")) {
      for (const auto& addr : text::find_addresses(line.substr(8))) {
        auto& r = recipient_for(report, addr);
        r.diagnostic = error;
        r.action = "failed";
      }
    }
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kApacheJamesFamily{"apachejames", parse_apachejames};

}  // namespace ndrlink::parser::family
