#include "google.h"

#include "../text.h"

namespace ndrlink::parser::family {
namespace {

struct GoogleText {
  std::string_view phrase;  // lower case
  std::string_view reason;
};

// More specific texts first: the DNS errors of today's DSNs carry the old
// "Domain name not found" after the NXDOMAIN answer.
constexpr GoogleText kTexts[] = {
    {"responded with code nxdomain", "networkerror"},
    {"had no relevant answers", "networkerror"},
    {"returned null mx", "notaccept"},
    {"doesn't receive email according to the administrator", "notaccept"},
    {"did not accept our requests to connect", "expired"},
    {"dns error: could not contact dns servers", "expired"},
    {"dns error: domain name not found", "hostunknown"},
    {"dns error: dns server returned answer with no data", "hostunknown"},
    {"because the address couldn't be found", "userunknown"},
    {"email account that you tried to reach does not exist", "userunknown"},
    {"email account that you tried to reach is disabled", "suspend"},
    {"email account that you tried to reach is inactive", "suspend"},
    {"email account that you tried to reach is over quota", "mailboxfull"},
    {"inbox is out of storage space", "mailboxfull"},
    {"storage quota exceeded", "mailboxfull"},
    {"message is likely unsolicited mail", "spamdetected"},
    {"this message is not rfc 5322 compliant", "notcompliantrfc"},
    {"because the sender is unauthenticated", "authfailure"},
};

}  // namespace

std::string_view google_reason(std::string_view t) {
  for (const auto& g : kTexts)
    if (text::icontains(t, g.phrase)) return g.reason;
  return {};
}

}  // namespace ndrlink::parser::family
