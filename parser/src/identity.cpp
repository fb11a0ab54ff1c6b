#include "identity.h"

#include "families/common.h"
#include "text.h"

namespace ndrlink::parser {

std::string first_message_id(std::string_view value) {
  const auto lt = value.find('<');
  if (lt == std::string_view::npos) {
    const auto v = text::trim(value);
    if (v.find('@') != std::string_view::npos && v.find(' ') == std::string_view::npos && v.size() < 512)
      return "<" + std::string(v) + ">";
    return {};
  }
  const auto gt = value.find('>', lt);
  if (gt == std::string_view::npos || gt - lt > 512) return {};
  const auto id = value.substr(lt, gt - lt + 1);
  if (id.find('@') == std::string_view::npos || id.find_first_of(" \t") != std::string_view::npos) return {};
  return std::string(id);
}

namespace {
std::string last_message_id(std::string_view value) {
  std::string last;
  std::size_t pos = 0;
  while ((pos = value.find('<', pos)) != std::string_view::npos) {
    auto id = first_message_id(value.substr(pos));
    if (!id.empty()) last = id;
    ++pos;
  }
  return last;
}
}  // namespace

namespace {
// What follows `prefix` in the local part of `address`, or empty.
std::string verp_part_of(std::string_view address, std::string_view prefix) {
  if (prefix.empty()) return {};
  const std::string addr = text::clean_address(address);
  const auto at = addr.rfind('@');
  if (at == std::string::npos || !text::istarts_with(addr, prefix)) return {};
  std::string part = addr.substr(prefix.size(), at - prefix.size());
  if (part.size() > 320) return {};
  return part;
}
}  // namespace

std::string verp_token_of(std::string_view address, std::string_view prefix) {
  auto token = verp_part_of(address, prefix);
  // A token never holds '=': that is an XVERP recipient.
  if (token.size() > 128 || token.find('=') != std::string::npos) return {};
  return token;
}

std::string xverp_recipient_of(std::string_view address, std::string_view prefix) {
  const auto part = verp_part_of(address, prefix);
  // The recipient's '@' became the last '=' (a domain holds none).
  const auto eq = part.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == part.size()) return {};
  const auto domain = std::string_view(part).substr(eq + 1);
  if (domain.find_first_of("@+") != std::string_view::npos) return {};
  return part.substr(0, eq) + "@" + std::string(domain);
}

void extract_identity(const Evidence& ev, std::string_view verp_prefix, Report& report) {
  const Fields* returned = ev.has_returned_message ? &ev.returned_headers : nullptr;
  Fields quoted;
  if (!returned || !returned->has("Message-ID")) {
    quoted = family::quoted_headers(ev.text);
    if (quoted.has("Message-ID") || !returned) returned = &quoted;
  }
  if (returned) {
    if (report.original_message_id.empty()) report.original_message_id = first_message_id(returned->get("Message-ID"));
    if (report.ndrlink_id.empty()) report.ndrlink_id = std::string(text::trim(returned->get("X-Ndrlink-Id")));
  }
  if (report.ndrlink_id.empty()) {
    // Bounces that quote only part of the header still often keep this line.
    const auto at = text::ifind(ev.text, "x-ndrlink-id:");
    if (at != std::string_view::npos) {
      auto rest = std::string_view(ev.text).substr(at + 13);
      report.ndrlink_id = std::string(text::trim(rest.substr(0, rest.find('\n'))));
    }
  }
  if (report.original_message_id.empty())
    report.original_message_id = first_message_id(ev.header("In-Reply-To"));
  if (report.original_message_id.empty()) report.original_message_id = last_message_id(ev.header("References"));

  for (auto name : {"Delivered-To", "X-Original-To", "To", "Envelope-To", "X-Envelope-To"}) {
    for (auto value : ev.mime.headers.all(name)) {
      if (auto token = verp_token_of(value, verp_prefix); !token.empty()) {
        report.verp_token = std::move(token);
        return;
      }
      if (auto rcpt = xverp_recipient_of(value, verp_prefix); !rcpt.empty()) {
        report.verp_recipient = std::move(rcpt);
        return;
      }
    }
  }
}

}  // namespace ndrlink::parser
