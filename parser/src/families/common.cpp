#include "common.h"

#include "../status.h"
#include "../dsn.h"
#include "../text.h"

namespace ndrlink::parser::family {

RecipientResult& recipient_for(Report& report, std::string_view address) {
  for (auto& r : report.recipients)
    if (text::iequals(r.recipient, address)) return r;
  report.recipients.emplace_back();
  report.recipients.back().recipient = std::string(address);
  return report.recipients.back();
}

namespace {
constexpr std::string_view kReturnedMarkers[] = {
    "--- below this line is a copy of the message",
    "------ this is a copy of the message",
    "------ this is a copy of your message",
    "--- original message follows",
    "original message follows",
    "----- original message -----",
    "------ original message ------",
    "----- the header of the original message is following",
    "------ original message headers",
    "original message headers:",
    "--- the header of the original message is following",
    "----- unsent message follows -----",
    "----- message header follows -----",
    "------ a copy of the message",
};
}  // namespace

std::string_view prose(const Evidence& ev) {
  std::string_view t = ev.text;
  if (!ev.prose_end) {
    std::size_t cut = t.size();
    for (auto m : kReturnedMarkers) {
      const auto at = text::ifind(t.substr(0, cut), m);
      if (at != std::string::npos && at < cut) cut = at;
    }
    ev.prose_end = cut;
  }
  return t.substr(0, *ev.prose_end);
}

Fields quoted_headers(std::string_view t) {
  const std::string lowered = text::lower(t);
  std::size_t best = std::string::npos;
  for (auto m : kReturnedMarkers) {
    const auto at = lowered.find(m);
    if (at != std::string::npos && (best == std::string::npos || at < best)) best = at;
  }
  std::size_t start = best;
  if (start == std::string::npos) {
    // No marker: look for a Message-ID-bearing header block anywhere.
    const auto at = lowered.find("\nmessage-id:");
    if (at == std::string::npos) return {};
    start = lowered.rfind("\n\n", at);
    start = start == std::string::npos ? 0 : start + 2;
  } else {
    start = lowered.find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  // Skip blank lines and non-field lines until a header block begins.
  for (int tries = 0; tries < 40 && start < t.size(); ++tries) {
    std::size_t used = 0;
    Fields f = parse_fields(t.substr(start), &used);
    if (f.list().size() >= 2 || f.has("Message-ID")) return f;
    const auto nl = t.find('\n', start);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return {};
}

bool looks_like_bounce(const Evidence& ev) {
  const auto from = text::lower(ev.from);
  const auto subject = text::lower(ev.subject);
  return text::matches_any(from, {"mailer-daemon", "postmaster", "mail delivery", "mail.delivery", "mdaemon",
                                  "mail administrator", "mailerdaemon", "nobody@"}) ||
         text::matches_any(subject, {"undeliver", "undelivered", "delivery fail", "delivery status notification",
                                     "failure notice", "returned mail", "mail delivery", "non-delivery",
                                     "nondelivery", "not delivered", "delivery problem", "could not be delivered",
                                     "delivery error", "rejected", "bounce", "unzustellbar", "no se puede entregar",
                                     "non remis", "notification", "warning: could not send"});
}

void append_diagnostic(std::string& diag, std::string_view line) {
  line = text::trim(line);
  if (line.empty()) return;
  if (!diag.empty()) diag.push_back(' ');
  diag.append(line);
}

bool host_within(std::string_view host, std::initializer_list<std::string_view> domains) {
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  for (auto d : domains) {
    if (host.size() < d.size() || !text::iequals(host.substr(host.size() - d.size()), d)) continue;
    if (host.size() == d.size() || host[host.size() - d.size() - 1] == '.') return true;
  }
  return false;
}

namespace {
// "host NAME[" / "host NAME [" / "host: NAME (" in a diagnostic; empty if none.
std::string_view host_named_in(std::string_view diag) {
  const auto at = text::ifind(diag, "host");
  if (at == std::string_view::npos) return {};
  std::string_view rest = diag.substr(at + 4);
  if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);
  rest = text::trim(rest);
  const auto end = rest.find_first_of(" [(:;,\t");
  return rest.substr(0, end);
}
}  // namespace

bool received_by(const RecipientResult& r, std::initializer_list<std::string_view> domains) {
  std::string_view mta = text::trim(r.remote_mta);
  mta = mta.substr(0, mta.find_first_of(" [("));
  if (!mta.empty() && host_within(mta, domains)) return true;
  if (host_within(host_named_in(r.diagnostic), domains)) return true;
  const auto at = r.recipient.rfind('@');
  return at != std::string::npos && host_within(std::string_view(r.recipient).substr(at + 1), domains);
}

std::string provider_text(const Evidence& ev, const RecipientResult& r, std::string_view marker) {
  if (!r.diagnostic.empty() && (marker.empty() || text::icontains(r.diagnostic, marker))) return r.diagnostic;
  return text::squeeze_spaces(prose(ev));
}

std::string_view reason_of_phrases(std::string_view lowered, std::span<const PhraseReason> table) {
  for (const auto& e : table)
    if (lowered.find(e.phrase) != std::string_view::npos) return e.reason;
  return {};
}

}  // namespace ndrlink::parser::family

namespace ndrlink::parser::family {
namespace {
// Length of a "550-5.7.26 " / "550 " reply prefix with code `code`, or 0.
std::size_t reply_prefix(std::string_view line, std::string_view code) {
  if (code.size() != 3 || !line.starts_with(code) || line.size() < 4 || (line[3] != '-' && line[3] != ' ')) return 0;
  std::size_t p = 4;
  const auto rest = line.substr(p);
  const auto enhanced = status::find_enhanced(rest.substr(0, rest.find(' ')));
  if (!enhanced.empty() && rest.starts_with(enhanced)) p += enhanced.size();
  while (p < line.size() && line[p] == ' ') ++p;
  return p;
}
}  // namespace

std::string join_reply_lines(const std::vector<std::string_view>& lines) {
  std::string out;
  std::string code;
  for (auto line : lines) {
    line = text::trim(line);
    if (!code.empty()) {
      line.remove_prefix(reply_prefix(line, code));
    } else if (line.size() >= 4 && (line[3] == '-' || line[3] == ' ') && status::find_reply_code(line.substr(0, 4)) == line.substr(0, 3)) {
      code = std::string(line.substr(0, 3));
    }
    append_diagnostic(out, line);
  }
  return out;
}

}  // namespace ndrlink::parser::family

namespace ndrlink::parser::family {

std::size_t read_inline_delivery_status(std::string_view t, Report& report) {
  std::size_t at = text::ifind(t, "\nReporting-MTA:");
  if (at == std::string_view::npos) at = text::ifind(t, "\nFinal-Recipient:");
  if (at == std::string_view::npos) return 0;
  const std::size_t end = t.find("\n--", at + 1);
  return read_delivery_status(t.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at),
                              report);
}

}  // namespace ndrlink::parser::family
