#include "ndrlink/correlator/acceptance_input.h"

#include <charconv>

namespace ndrlink::correlator {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool plausible_address(std::string_view a) {
  const auto at = a.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.size() > 320) return false;
  for (char c : a)
    if (c <= ' ' || c == '<' || c == '>' || c == ',' || c == '"' || c == 127) return false;
  return true;
}

const char* canonical_name(std::string_view name) {
  struct Alias { std::string_view name; const char* canonical; };
  static constexpr Alias aliases[] = {
      {"rcpt", "rcpt"}, {"recipient", "rcpt"}, {"code", "code"}, {"reply_code", "code"}, {"text", "text"},
      {"reply_text", "text"}, {"status", "status"}, {"enhanced_status", "status"}, {"mx", "mx"},
      {"mx_host", "mx"}, {"sender", "sender"}, {"message_id", "message_id"}, {"message-id", "message_id"},
      {"envid", "envid"}, {"at", "at"}, {"accepted_at", "at"}, {"state", "state"}, {"source", "source"}};
  for (const auto& a : aliases)
    if (a.name == name) return a.canonical;
  return nullptr;
}

}  // namespace

std::string normalise_message_id(std::string_view id) {
  id = trim(id);
  if (id.empty()) return {};
  if (id.front() == '<' && id.back() == '>') return std::string(id);
  return "<" + std::string(id) + ">";
}

std::variant<storage::NewAcceptance, std::string> acceptance_from_fields(const Fields& fields, TimePoint now,
                                                                         std::string_view source) {
  storage::NewAcceptance a;
  a.source = std::string(source);
  bool have_rcpt = false, have_code = false, have_at = false;
  for (const auto& [raw_name, raw_value] : fields) {
    const char* name = canonical_name(raw_name);
    if (!name) return "unknown field \"" + raw_name + "\"";
    const std::string value(trim(raw_value));
    const std::string_view n(name);
    if (value.size() > 4096) return "field \"" + raw_name + "\" is longer than 4096 bytes";
    if (n == "rcpt") {
      if (!plausible_address(value)) return "rcpt: not an e-mail address: \"" + value + "\"";
      a.recipient = value;
      have_rcpt = true;
    } else if (n == "code") {
      int code = 0;
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), code);
      if (ec != std::errc() || p != value.data() + value.size() || code < 200 || code > 299)
        return "code: expected a 2xx reply code (250, 251, 252), got \"" + value + "\"";
      a.reply_code = code;
      have_code = true;
    } else if (n == "text") {
      a.reply_text = value;
    } else if (n == "status") {
      a.enhanced_status = value;
    } else if (n == "mx") {
      a.mx_host = value;
    } else if (n == "sender") {
      if (!value.empty() && !plausible_address(value)) return "sender: not an e-mail address: \"" + value + "\"";
      a.sender = value;
    } else if (n == "message_id") {
      a.message_id = normalise_message_id(value);
    } else if (n == "envid") {
      a.envid = value;
    } else if (n == "at") {
      const auto t = parse_iso(value);
      if (!t) return "at: not an ISO 8601 time: \"" + value + "\"";
      a.accepted_at = to_iso(*t);
      have_at = true;
    } else if (n == "state") {
      if (!storage::is_valid_state(value)) return "state: unknown state \"" + value + "\"";
      a.state = value;
    } else if (n == "source") {
      if (!value.empty()) a.source = value;
    }
  }
  if (!have_rcpt) return std::string("missing field \"rcpt\"");
  if (!have_code) return std::string("missing field \"code\"");
  if (!have_at) a.accepted_at = to_iso(now);
  return a;
}

}  // namespace ndrlink::correlator
