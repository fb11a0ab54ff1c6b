// IBM/Lotus Domino (Subject "DELIVERY FAILURE: ..."): "Your message ... was
// not delivered to:" the address, then "because:" and Domino's own error
// text. Domino may also attach an RFC 3464 part; its entries then get the
// reason Domino's text names.
#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

constexpr std::size_t kMaxLines = 32;

// Domino's own error texts (Sisimai's Lhost::Domino table).
constexpr PhraseReason kTexts[] = {
    {"not listed in domino directory", "userunknown"},
    {"not listed in public name & address book", "userunknown"},
    {"no se encuentra en el directorio de domino", "userunknown"},
    {"cannot route mail to user", "filtered"},
    {"several matches found in domino directory", "systemerror"},
};

// The non-empty lines after the line `label` up to the next blank line
// following them.
std::vector<std::string_view> section(const std::vector<std::string_view>& ls, std::string_view label) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < ls.size() && !text::iequals(text::trim(ls[i]), label)) ++i;
  for (++i; i < ls.size() && out.size() < kMaxLines; ++i) {
    const auto line = text::trim(ls[i]);
    if (line.empty() && !out.empty()) break;
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

bool parse_domino(const Evidence& ev, Report& report) {
  if (!text::istarts_with(ev.subject, "DELIVERY FAILURE:") && !text::istarts_with(ev.subject, "DELIVERY_FAILURE:"))
    return false;
  const auto ls = text::lines(prose(ev));
  std::string error;
  for (auto line : section(ls, "because:")) append_diagnostic(error, line);
  if (report.recipients.empty()) {
    for (auto line : section(ls, "was not delivered to:")) {
      const auto addr = text::find_address(line);
      if (addr.empty()) continue;
      auto& r = recipient_for(report, addr);
      r.action = "failed";
      r.diagnostic = error;
    }
  }
  const auto reason = reason_of_phrases(text::lower(text::squeeze_spaces(error)), kTexts);
  for (auto& r : report.recipients) {
    if (r.diagnostic.empty()) r.diagnostic = error;
    if (!reason.empty()) r.reason = std::string(reason);
  }
  return !report.recipients.empty();
}

}  // namespace

extern const Family kDominoFamily{"domino", parse_domino};

}  // namespace ndrlink::parser::family
