#include "relay_command.h"

#include <algorithm>
#include <cctype>

namespace ndrlink::daemon::relay {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return upper(a) == upper(b); }

CommandError error(int code, const char* enhanced, std::string text) { return {code, enhanced, std::move(text)}; }

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool is_keyword(std::string_view k) {
  if (k.empty() || !std::isalnum(static_cast<unsigned char>(k[0]))) return false;
  return std::all_of(k.begin(), k.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

// esmtp-value = 1*(%d33-60 / %d62-126), and UTF-8 (RFC 6531 3.3)
bool is_value(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c >= 33 && c <= 126 && c != '=') || c >= 0x80;
  });
}

// Mailbox = Local-part "@" ( Domain / address-literal ); the local part
// may be a quoted string. UTF-8 is allowed (SMTPUTF8); controls, spaces
// outside quotes and <> never.
std::optional<CommandError> check_mailbox(std::string_view a, const CommandLimits& limits, bool recipient) {
  const char* enhanced = recipient ? "5.1.3" : "5.1.7";
  const auto bad = [&](std::string why) {
    return error(501, enhanced, std::string(recipient ? "Bad recipient address syntax: " : "Bad sender address syntax: ") + why);
  };
  if (recipient && iequals(a, "postmaster")) return std::nullopt;  // RFC 5321 4.1.1.3
  std::size_t at = std::string_view::npos;
  bool quoted = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto c = static_cast<unsigned char>(a[i]);
    if (c < 0x20 || c == 0x7f) return bad("control character");
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"' && (i == 0 || a[i - 1] == '.')) quoted = true;
    else if (c == ' ' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';') return bad("bad character");
    else if (c == '@') at = i;
  }
  if (quoted) return bad("unterminated quoted string");
  if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return bad("expected local-part@domain");
  if (at > limits.max_local) return bad("local part longer than " + std::to_string(limits.max_local) + " octets");
  const auto domain = a.substr(at + 1);
  if (domain.size() > limits.max_domain) return bad("domain longer than " + std::to_string(limits.max_domain) + " octets");
  if (domain.front() == '[') {
    if (domain.back() != ']') return bad("bad address literal");
  } else if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos ||
             domain.find('"') != std::string_view::npos) {
    return bad("bad domain");
  }
  return std::nullopt;
}

// "FROM:<path> params" / "TO:<path> params" -> path and params.
std::optional<CommandError> parse_path_command(std::string_view rest, std::string_view prefix, Command& cmd,
                                               const CommandLimits& limits) {
  const bool recipient = prefix == "TO:";
  if (rest.size() < prefix.size() || !iequals(rest.substr(0, prefix.size()), prefix))
    return error(501, "5.5.4", std::string("Syntax: ") + (recipient ? "RCPT TO:<address>" : "MAIL FROM:<address>"));
  rest.remove_prefix(prefix.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // tolerated, as most MTAs do
  if (rest.empty() || rest.front() != '<')
    return error(501, "5.5.4", std::string("Syntax: ") + (recipient ? "RCPT TO:<address>" : "MAIL FROM:<address>"));
  // The closing '>' outside a quoted local part.
  std::size_t close = std::string_view::npos;
  bool quoted = false;
  for (std::size_t i = 1; i < rest.size(); ++i) {
    if (quoted && rest[i] == '\\') { ++i; continue; }
    if (rest[i] == '"') quoted = !quoted;
    else if (!quoted && rest[i] == '>') { close = i; break; }
  }
  if (close == std::string_view::npos) return error(501, "5.5.4", "Syntax: unterminated <path>");
  if (close + 1 > limits.max_path) return error(501, recipient ? "5.1.3" : "5.1.7", "Path longer than " +
                                                                                   std::to_string(limits.max_path) + " octets");
  std::string_view path = rest.substr(1, close - 1);
  // A source route "@a,@b:user@d" (RFC 5321 4.1.2): accepted, ignored.
  if (!path.empty() && path.front() == '@') {
    const auto colon = path.find(':');
    if (colon == std::string_view::npos) return error(501, "5.5.4", "Syntax: bad source route");
    path.remove_prefix(colon + 1);
  }
  if (path.empty()) {
    if (recipient) return error(501, "5.1.3", "Bad recipient address syntax: empty");
  } else if (auto bad = check_mailbox(path, limits, recipient)) {
    return bad;
  }
  cmd.path = std::string(path);
  std::string_view params = rest.substr(close + 1);
  if (!params.empty() && params.front() != ' ') return error(501, "5.5.4", "Syntax: expected a space after >");
  while (!params.empty()) {
    while (!params.empty() && params.front() == ' ') params.remove_prefix(1);
    if (params.empty()) break;
    const auto end = params.find(' ');
    const std::string_view p = params.substr(0, end);
    params = end == std::string_view::npos ? std::string_view() : params.substr(end);
    Param param;
    const auto eq = p.find('=');
    param.keyword = upper(p.substr(0, eq));
    if (!is_keyword(param.keyword)) return error(501, "5.5.4", "Syntax: bad parameter");
    if (eq != std::string_view::npos) {
      param.value = std::string(p.substr(eq + 1));
      param.has_value = true;
      if (!is_value(param.value)) return error(501, "5.5.4", "Syntax: bad value of " + param.keyword);
    }
    if (cmd.param(param.keyword)) return error(501, "5.5.4", "Parameter " + param.keyword + " given twice");
    if (cmd.params.size() >= limits.max_params) return error(501, "5.5.4", "Too many parameters");
    cmd.params.push_back(std::move(param));
  }
  return std::nullopt;
}

struct VerbInfo {
  std::string_view name;
  Verb verb;
  enum { none, optional, required } argument;
};

constexpr VerbInfo kVerbs[] = {
    {"EHLO", Verb::ehlo, VerbInfo::required},     {"HELO", Verb::helo, VerbInfo::required},
    {"MAIL", Verb::mail, VerbInfo::required},     {"RCPT", Verb::rcpt, VerbInfo::required},
    {"DATA", Verb::data, VerbInfo::none},         {"RSET", Verb::rset, VerbInfo::none},
    {"NOOP", Verb::noop, VerbInfo::optional},     {"QUIT", Verb::quit, VerbInfo::none},
    {"VRFY", Verb::vrfy, VerbInfo::required},     {"EXPN", Verb::expn, VerbInfo::required},
    {"HELP", Verb::help, VerbInfo::optional},     {"STARTTLS", Verb::starttls, VerbInfo::none},
    {"AUTH", Verb::not_implemented, VerbInfo::optional}, {"BDAT", Verb::not_implemented, VerbInfo::optional},
    {"ETRN", Verb::not_implemented, VerbInfo::optional}, {"TURN", Verb::not_implemented, VerbInfo::optional},
    {"ATRN", Verb::not_implemented, VerbInfo::optional}, {"SEND", Verb::not_implemented, VerbInfo::optional},
    {"SOML", Verb::not_implemented, VerbInfo::optional}, {"SAML", Verb::not_implemented, VerbInfo::optional},
};

}  // namespace

const Param* Command::param(std::string_view keyword) const {
  for (const auto& p : params)
    if (p.keyword == keyword) return &p;
  return nullptr;
}

std::variant<Command, CommandError> parse_command(std::string_view line, const CommandLimits& limits) {
  for (unsigned char c : line)
    if (c == 0 || c == '\r' || c == '\n') return error(500, "5.5.2", "Syntax error: bad character in command");
  const auto space = line.find(' ');
  const std::string name = upper(line.substr(0, std::min(space, std::size_t{16})));
  const VerbInfo* info = nullptr;
  for (const auto& v : kVerbs)
    if (v.name == name && (space == std::string_view::npos || space == v.name.size())) info = &v;
  if (!info) return error(500, "5.5.1", "Command unrecognized");
  Command cmd;
  cmd.verb = info->verb;
  cmd.name = name;
  std::string_view rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);  // trailing spaces (seen in the wild)
  cmd.argument = std::string(rest);
  if (info->verb == Verb::not_implemented) return error(502, "5.5.1", "Command not implemented");
  if (info->argument == VerbInfo::none && !rest.empty())
    return error(501, "5.5.4", "Syntax: " + name + " takes no parameters");
  if (info->argument == VerbInfo::required && rest.empty()) {
    if (info->verb == Verb::ehlo || info->verb == Verb::helo)
      return error(501, "5.5.4", "Syntax: " + name + " hostname");
    return error(501, "5.5.4", "Syntax: " + name + " needs an argument");
  }
  if (info->verb == Verb::mail) {
    if (auto e = parse_path_command(rest, "FROM:", cmd, limits)) return *e;
  } else if (info->verb == Verb::rcpt) {
    if (auto e = parse_path_command(rest, "TO:", cmd, limits)) return *e;
  } else if ((info->verb == Verb::ehlo || info->verb == Verb::helo) &&
             (rest.find(' ') != std::string_view::npos || rest.size() > limits.max_domain)) {
    return error(501, "5.5.4", "Syntax: " + name + " hostname");
  }
  return cmd;
}

std::optional<CommandError> check_mail_params(const Command& mail) {
  for (const auto& p : mail.params) {
    const auto bad = [&] { return error(501, "5.5.4", "Bad value of " + p.keyword); };
    if (p.keyword == "SIZE") {
      if (p.value.empty() || p.value.size() > 20 ||
          !std::all_of(p.value.begin(), p.value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return bad();
    } else if (p.keyword == "BODY") {
      if (upper(p.value) != "7BIT" && upper(p.value) != "8BITMIME") return bad();
    } else if (p.keyword == "SMTPUTF8") {
      if (p.has_value) return bad();
    } else if (p.keyword == "RET") {
      if (upper(p.value) != "FULL" && upper(p.value) != "HDRS") return bad();
    } else if (p.keyword == "ENVID") {
      if (p.value.empty() || p.value.size() > 100) return bad();
    } else {
      return error(555, "5.5.4", "MAIL FROM parameter " + p.keyword + " not recognized");
    }
  }
  return std::nullopt;
}

std::optional<CommandError> check_rcpt_params(const Command& rcpt) {
  for (const auto& p : rcpt.params) {
    const auto bad = [&] { return error(501, "5.5.4", "Bad value of " + p.keyword); };
    if (p.keyword == "NOTIFY") {
      const std::string v = upper(p.value);
      if (v != "NEVER") {
        std::string_view rest = v;
        while (!rest.empty()) {
          const auto comma = rest.find(',');
          const auto item = rest.substr(0, comma);
          if (item != "SUCCESS" && item != "FAILURE" && item != "DELAY") return bad();
          rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
          if (comma != std::string_view::npos && rest.empty()) return bad();
        }
      }
      if (v.empty()) return bad();
    } else if (p.keyword == "ORCPT") {
      if (p.value.find(';') == std::string::npos || p.value.size() > 500) return bad();
    } else {
      return error(555, "5.5.4", "RCPT TO parameter " + p.keyword + " not recognized");
    }
  }
  return std::nullopt;
}

}  // namespace ndrlink::daemon::relay
