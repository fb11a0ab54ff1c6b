// Orange / Wanadoo and La Poste (Sisimai's rhost FrancePTT): their replies
// carry a code such as "OFR_416", "OFR004_405", "LPN007_426", "ofr_506"
// whose last three digits name the cause; texts are bilingual French/English.
#include <cctype>

#include "common.h"
#include "family.h"
#include "../text.h"

namespace ndrlink::parser::family {
namespace {

struct CodeReason { std::string_view code, reason; };
// Empty reason: the code alone does not say (the text decides).
constexpr CodeReason kCodes[] = {
    {"101", "blocked"},       {"102", "blocked"},       {"103", "blocked"},     {"104", "toomanyconn"},
    {"105", ""},              {"107", ""},              {"108", ""},            {"109", ""},
    {"201", ""},              {"305", "securityerror"}, {"401", "blocked"},     {"402", "securityerror"},
    {"403", "rejected"},      {"405", "rejected"},      {"415", "rejected"},    {"416", "userunknown"},
    {"417", "mailboxfull"},   {"418", "userunknown"},   {"420", "suspend"},     {"421", "rejected"},
    {"423", ""},              {"424", ""},              {"426", "suspend"},     {"505", "systemerror"},
    {"506", "spamdetected"},  {"510", "blocked"},       {"513", ""},            {"514", "mesgtoobig"},
    {"517", "policyviolation"}, {"630", "policyviolation"}, {"999", "blocked"},
};

struct TextReason { std::string_view phrase, reason; };
constexpr TextReason kTexts[] = {
    {"spf/dns de votre nom de domaine", "authfailure"},
    {"trop de connexions", "toomanyconn"},
    {"adresse ip source bloquee", "blocked"},
    {"service refuse", "blocked"},
    {"mail rejete", "spamdetected"},
    {"boite du destinataire pleine", "mailboxfull"},
    {"destinataire invalide", "userunknown"},
    {"compte du destinataire est bloque", "suspend"},
    {"boite du destinataire archivee", "suspend"},
    {"emetteur invalide", "rejected"},
    {"authentification requise", "securityerror"},
    {"taille limite du message atteinte", "mesgtoobig"},
    {"verification dmarc en echec", "policyviolation"},
};

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// The three-digit cause of the first LPN/LPNAAA/OFR/OUK code, or empty.
std::string_view cause_code(std::string_view text) {
  for (std::size_t at = 0; at + 7 <= text.size(); ++at) {
    std::string_view rest = text.substr(at);
    if (at > 0 && std::isalnum(static_cast<unsigned char>(text[at - 1]))) continue;
    std::size_t n = 0;
    for (auto p : {"lpnaaa", "lpn", "ofr", "ouk"})
      if (text::istarts_with(rest, p)) { n = std::string_view(p).size(); break; }
    if (n == 0) continue;
    rest.remove_prefix(n);
    std::size_t len = 0;  // "_123" or "123_456" / "123-456"
    if (rest.size() >= 4 && rest[0] == '_' && is_digit(rest[1]) && is_digit(rest[2]) && is_digit(rest[3])) len = 4;
    else if (rest.size() >= 7 && is_digit(rest[0]) && is_digit(rest[1]) && is_digit(rest[2]) &&
             (rest[3] == '_' || rest[3] == '-') && is_digit(rest[4]) && is_digit(rest[5]) && is_digit(rest[6]))
      len = 7;
    if (len == 0 || (rest.size() > len && std::isalnum(static_cast<unsigned char>(rest[len])))) continue;
    return rest.substr(len - 3, 3);
  }
  return {};
}

std::string_view reason_for(const Evidence& ev, const RecipientResult& r) {
  if (!received_by(r, {"orange.fr", "wanadoo.fr", "laposte.net"})) return {};
  const std::string said = text::lower(provider_text(ev, r, ""));
  const std::string text = cause_code(said).empty() ? text::lower(prose(ev)) + " " + said : said;
  if (const auto code = cause_code(text); !code.empty())
    for (const auto& c : kCodes)
      if (c.code == code && !c.reason.empty()) return c.reason;
  for (const auto& t : kTexts)
    if (text.find(t.phrase) != std::string::npos) return t.reason;
  return {};
}

}  // namespace

extern const ProviderRule kFrancePttRule{"franceptt", reason_for};

}  // namespace ndrlink::parser::family
