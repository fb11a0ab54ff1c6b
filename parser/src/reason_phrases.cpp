#include "reason_phrases.h"

#include <array>

namespace ndrlink::parser {
namespace {
using P = std::string_view;

constexpr P kMailboxFull[] = {
    "mailbox full", "mailbox is full", "mailbox is over quota", "mailbox quota exceeded", "mailbox size limit exceeded",
    "mailbox has exceeded", "over quota", "overquota", "quota exceeded", "quota full", "exceeded storage allocation",
    "exceeds its quota", "exceed the quota", "insufficient disk space", "mailbox * full", "mail box full",
    "mailfolder is full", "mail quota exceeded", "not enough storage space", "not sufficient disk space",
    "recipient's mailbox is full", "user has exceeded", "user is over quota", "user is over the quota",
    "user's mailbox is full", "user mailbox exceeds allowed size", "the user has not enough space",
    "account is over quota", "account is full", "exceeded their storage quota", "disk quota exceeded",
    "maildir over quota", "maildir quota exceeded", "mailbox would exceed", "over the allowed quota",
    "out of disk quota", "the email account that you tried to reach is over quota", "user's disk quota exceeded",
    "too much mail data", "mailbox for user is full", "is over its storage limit", "exceeding its mailbox quota",
    "inbox is full", "recipient is over quota", "unable to deliver: mailbox full", "message would exceed quota",
    "delivery failed: over quota", "has exceeded the max emails per hour", "quota violation", "no space left on device",
    "the recipient mailbox is full", "status: mailbox full", "mailbox exceeds", "exceeded quota"};

constexpr P kMesgTooBig[] = {
    "message too big", "message too large", "message is too big", "message is too large", "message size exceeds",
    "message exceeds maximum", "message size limit", "exceeds the maximum message size", "size limit exceeded",
    "message length exceeds", "mail is too large", "email is too large", "message file too big",
    "exceeded maximum allowed size", "exceeds size limit", "size of message exceeds", "message exceeded",
    "exceeds maximum allowed message size", "line too long", "message is larger than", "line limit exceeded"};

constexpr P kExceedLimit[] = {"message too large for this recipient", "exceeds the size limit for the recipient",
                              "message size exceeds the recipient's", "message would exceed the mailbox size limit"};

constexpr P kSuspend[] = {
    "account disabled", "account has been disabled", "account is disabled", "account has been suspended",
    "account is suspended", "account suspended", "account is inactive", "account inactive", "account is locked",
    "account expired", "account has expired", "mailbox disabled", "mailbox is disabled", "mailbox has been disabled",
    "mailbox is inactive", "mailbox unavailable or inactive", "mailbox currently suspended", "mailbox has been suspended",
    "mailbox is frozen", "recipient suspended", "recipient address suspended", "user suspended",
    "user account disabled", "user account is expired", "user is inactive", "is no longer active",
    "has been temporarily disabled", "currently suspended", "addressee is disabled", "address is disabled",
    "is a deactivated mailbox", "this account has been disabled or discontinued", "receiving mail has been stopped",
    "recipient mailbox is disabled", "account is temporarily unavailable", "boite du destinataire archivee",
    "email account that you tried to reach is disabled", "email account that you tried to reach is inactive", "dormant", "is not active", "service not available for user",
    "is not accepting any mail", "mailbox disabled for this recipient", "the mailbox is inactive",
    "temporary locked", "temporarily locked"};

constexpr P kHasMoved[] = {" has been replaced by ", "address has changed", "user has moved", "has moved to",
                           "mailbox has moved"};

constexpr P kNoRelaying[] = {
    "relay access denied", "relaying denied", "relay denied", "relaying not allowed", "relay not permitted",
    "relaying mail to * is not allowed", "not permitted to relay", "we do not relay", "unable to relay",
    "relay not allowed", "no relaying allowed", "relaying is prohibited", "is not a gateway",
    "not a local domain", "not local host", "relay prohibited", "relaying to * denied", "relay rejected",
    "that domain isn't in my list of allowed rcpthosts", "not allowed to relay", "relay is not permitted",
    "mail server requires authentication when attempting to send to a non-local e-mail address",
    "attempt to relay", "no relaying", "unauthorized relay", "relay access not allowed", "not configured to relay",
    "insecure mail relay", "email address is not verified"};

constexpr P kAuthFailure[] = {
    "spf check failed", "spf validation failed", "spf fail", "spf: fail", "failed spf", "spf record",
    "sender policy framework", "dkim verification failed", "dkim signature", "dkim check failed",
    "dkim failure", "dmarc policy", "dmarc validation", "dmarc check failed", "dmarc verification failed",
    "dmarc reject", "unauthenticated email", "authentication failure for domain", "is not authorized to send",
    "not authorized to send mail on behalf", "sender domain failed", "does not designate * as permitted sender",
    "domain of * does not designate", "sender is not authorized", "authentication not enabled",
    "email authentication", "not pass authentication checks", "message does not pass", "spf_fail", "dmarc_fail",
    "sender address is not authorized", "domain's dmarc", "due to dmarc", "dmarc) policy",
    "does not have authentication information"};

constexpr P kRequirePtr[] = {
    "no ptr record", "no reverse dns", "reverse dns lookup", "reverse dns failed", "reverse lookup failed",
    "cannot find your hostname", "cannot resolve your address", "can't resolve your address",
    "client host rejected: cannot find your hostname", "ptr record", "rdns", "reverse dns entry",
    "does not have a reverse dns", "unresolvable address", "unable to resolve", "no reverse",
    "cannot resolve pc address", "ip name lookup failed", "domain name of ip address not found",
    "host name does not match ip", "invalid reverse", "reverse mapping", "please setup matching dns",
    "fix reverse dns", "service permits * unverifyable sending ips",
    "forward-confirmed reverse dns", "fcrdns", "dns hostname checks", "hostname not found", "mismatches client ip"};

constexpr P kNotCompliantRfc[] = {
    "this message is not rfc 5322 compliant", "not rfc 5322 compliant", "not rfc5322 compliant",
    "rfc 5322 compliant", "duplicate header", "multiple addresses in from", "message contains multiple",
    "there are multiple", "header * is not rfc", "headers are not rfc", "does not comply with rfc",
    "not compliant with rfc", "message is not formatted correctly", "invalid message-id", "missing message-id",
    "non-compliant with rfc", "violates rfc"};

constexpr P kBadReputation[] = {
    "ip/domain reputation problems", "sender reputation", "poor reputation", "bad reputation", "low reputation",
    "reputation is too low", "has a poor reputation", "due to ip reputation", "sender score",
    "likely unsolicited mail", "has been temporarily rate limited due to ip reputation",
    "unusual rate of unsolicited mail originating from your ip", "unusual rate of unsolicited mail",
    "temporarily deferred due to unexpected volume or user complaints"};

constexpr P kSpeeding[] = {"rate limit", "rate-limit", "ratelimit", "too many messages", "too many emails",
                           "receiving mail at a rate that", "exceeded the rate", "throttled", "try again later (rate",
                           "sending too fast", "messages per", "mail flood", "temporarily deferred due to user complaints",
                           "exceeded the number of", "rate of incoming mail"};

constexpr P kTooManyConn[] = {"too many connections", "too many concurrent", "too many smtp sessions",
                              "too many simultaneous", "connection limit", "exceeded the maximum number of connections",
                              "maximum number of connections", "too many hosts", "no more connections",
                              "too many sessions", "connection refused: too many", "max connections",
                              "too many open connections", "server busy", "too busy",
                              "connection rate limit", "too many recipients"};

constexpr P kVirusDetected[] = {"virus", "malware", "infected", "harmful", "trojan", "worm detected",
                                "attachment contains", "potentially dangerous content", "message contains unacceptable",
                                "message was identified as containing", "executable content"};

constexpr P kSpamDetected[] = {
    "spam", "junk mail", "bulk mail", "unsolicited", "message content rejected", "content filter",
    "message filtered", "message rejected due to content", "appears to be unsolicited", "rejected as spam",
    "classified as spam", "detected as spam", "considered spam", "looks like spam", "message looks suspicious",
    "scored too high", "score too high", "blocked for abuse", "high probability of", "message refused by ",
    "suspicious content", "uribl", "surbl", "phishing", "message content is not acceptable", "your message has been blocked",
    "your message was rejected by", "contains prohibited content", "this message has been rejected because it",
    "content rejected", "message rejected as junk", "bayes", "your email has been rejected"};

constexpr P kPolicyViolation[] = {
    "policy violation", "violates our policy", "violation of policy", "policy reasons", "local policy",
    "by policy", "administrative prohibition", "prohibited by administrator", "email not accepted for policy reasons",
    "security policies", "sender is on a block list", "restricted by policy", "policy restriction", "the message was rejected by organization policy",
    "denied by policy", "message rejected due to local policy", "due to policy", "per policy",
    "is not allowed to send", "refused by policy", "this message was rejected by policy", "was blocked by policy",
    "ip is not allowed by policy", "content policy", "mail policy", "header error", "protocol violation",
    "not accepted for policy reasons"};

constexpr P kSystemFull[] = {"mail system full", "requested mail action aborted: exceeded storage allocation",
                             "insufficient system storage", "disk full", "file system full", "filesystem full",
                             "not enough space on the disk", "system is full", "out of disk space", "storage full",
                             "mail receiving disabled due to insufficient"};

constexpr P kNotAccept[] = {
    "does not accept mail", "doesn't accept mail", "does not receive mail", "accepts no mail", "null mx",
    "nullmx", "domain does not accept mail", "this domain does not accept", "host does not accept mail",
    "not accepting mail", "does not accept e-mail", "no mx for", "mail for * is not accepted",
    "name server: .: host not found", "mail receiving is disabled", "domain is not accepting mail",
    "not accept any messages", "i don't accept mail", "this address does not receive mail"};

constexpr P kExpired[] = {
    "delivery time expired", "retry time exceeded", "retry timeout exceeded", "message expired", "has expired",
    "queue lifetime", "too long in queue", "was not delivered within", "could not be delivered within",
    "giving up on", "gave up", "unable to deliver for", "message timed out", "delivery period expired",
    "have not been able to deliver", "retry limit", "delivery attempts will continue", "message has been in the queue too long",
    "time limit exceeded", "expired", "connection timed out", "deferred for too long", "was delayed", "undeliverable for",
    "retry period", "maximum retry", "could not deliver for", "mail could not be delivered for",
    "message could not be delivered within", "will be retried", "still trying", "not yet been delivered",
    "delivery to the following recipients has been delayed", "this is a warning message only",
    "delivery is delayed", "delivery to the following recipient has been delayed", "delivery has been delayed"};

constexpr P kNetworkError[] = {
    "could not connect", "couldn't connect", "connection refused", "connection reset",
    "connection closed", "lost connection", "connection dropped", "no route to host", "network is unreachable",
    "host is unreachable", "unreachable", "timeout", "dns lookup failed", "dns error",
    "dns failure", "temporary lookup failure", "name lookup failed", "no valid mx", "mail loop",
    "mail for * loops back to myself", "loops back to myself", "too many hops", "routing loop",
    "malformed or unexpected name server reply", "name service error", "connection to * failed",
    "unable to connect", "failed to connect", "error in processing", "network error", "unrouteable",
    "mx points to", "no mx host", "host not reachable", "an mx or srv record indicated no smtp service",
    "all relevant mx records point to non-existent hosts", "broken pipe", "remote host closed connection"};

constexpr P kHostUnknown[] = {
    "host unknown", "unknown host", "host not found", "domain not found", "domain does not exist",
    "domain doesn't exist", "no such domain", "unrouteable address", "unroutable address",
    "host or domain name not found", "name or service not known", "nxdomain", "domain is invalid",
    "invalid domain", "unknown domain", "recipient domain", "domain name not found", "does not exist in dns",
    "no mx record", "no such host", "dns name not found", "could not find the host", "domain could not be found",
    "name server error", "unresolvable domain", "hostname lookup failed", "domain is not valid",
    "recipient address rejected: domain not found", "not a valid domain", "illegal host/domain name found",
    "domain must exist", "could not resolve the host", "no data record of requested type", "mx lookup failed",
    "because the domain is not reachable"};

constexpr P kUserUnknown[] = {
    "user unknown", "unknown user", "no such user", "no such mailbox", "no such recipient", "no such account",
    "no such person", "no such address", "no such local user", "no such e-mail address", "user not found",
    "user doesn't exist", "user does not exist", "user doesn't have", "user not exist", "unknown recipient",
    "unknown address", "unknown local part", "unknown mailbox", "unknown or illegal alias", "address unknown",
    "address does not exist", "address doesn't exist", "address not found", "address not present",
    "addressee unknown", "recipient unknown", "recipient not found", "recipient does not exist",
    "recipient address rejected: user unknown", "recipient address rejected: undeliverable address",
    "recipient address rejected: unknown user", "recipient address rejected: access denied",
    "recipient rejected", "recipient is not local", "mailbox not found", "mailbox unavailable",
    "mailbox does not exist", "mailbox doesn't exist", "mailbox is unavailable", "mailbox not available",
    "mailbox unknown", "mailbox name not allowed", "invalid mailbox", "invalid recipient", "invalid address",
    "is not a valid mailbox", "isn't a valid mailbox", "not a valid recipient", "not a valid user",
    "is not a known user", "no mailbox here by that name", "no mailbox by that name", "not our customer",
    "sorry, no mailbox here", "account does not exist", "account doesn't exist", "account not found",
    "account is unavailable", "email account that you tried to reach does not exist", "does not have an account",
    "there is no one at this address", "this user doesn't have a", "user is unknown", "user not local",
    "unknown email address", "undeliverable address", "in local recipient table", "unrouteable address for",
    "destination address rejected", "email address could not be found", "e-mail address does not exist",
    "no existe", "n'existe pas", "utilisateur inconnu", "invalid user", "bad destination mailbox address",
    "user invalid", "recipient no longer on server", "this address no longer accepts mail",
    "not listed in domino directory", "not listed in public name & address book", "mailbox is not valid",
    "said: 550 5.1.1", "user reject", "rcpt to: denied", "could not be delivered to the mailbox",
    "no valid recipients", "user lookup failed", "address lookup failed", "recipient not recognized",
    "is not a valid e-mail address", "no such mailbox or user", "mailbox inactive"};

constexpr P kFiltered[] = {
    "due to extended inactivity new mail is not currently being accepted",
    "message filtered", "message rejected by recipient's filter",
    "has restricted sms e-mail", "this account is protected by", "rejected by user's mail filter",
    "user refuses to receive", "recipient refused", "rejected by recipient", "rejected per recipient's request",
    "blocked by the recipient", "the recipient has chosen not to receive", "not accepting messages from",
    "does not accept messages from", "not authorized to receive", "you are not authorized to send to",
    "does not want to receive", "recipient does not accept"};

constexpr P kRejected[] = {
    "sender rejected", "sender address rejected", "sender denied", "sender not allowed", "sender is blocked",
    "sender blocked", "address not allowed", "bad sender", "sender verify failed", "sender verification failed",
    "domain of sender address", "sender domain must exist", "sender domain does not exist", "envelope blocked",
    "envelope sender", "from address rejected", "mail from rejected", "you are not allowed to send",
    "your email address has been blacklisted", "sender is in my blacklist",
    "rejected by the sender blacklist", "invalid sender", "null sender", "return path",
    "sender address domain", "sender's address", "not allowed to send from", "unverified sender",
    "sender not recognized", "sender email address", "sender is unknown",
    "address that has been blacklisted", "unroutable sender address"};

constexpr P kBlocked[] = {
    "blacklist", "blocklist", "block list", "black list", "listed in", "blocked using", "rbl", "dnsbl",
    "spamhaus", "spamcop", "sorbs", "barracuda", "client host rejected", "connection refused by",
    "access denied", "your ip", "ip address", "ip blocked", "host blocked", "client blocked", "blocked by",
    "is blocked", "has been blocked", "were blocked", "not allowed to connect", "service unavailable", "not accepting connections",
    "no access from mail server", "connection reset by peer",
    "rejected because", "connection rejected", "not welcome", "dynamic ip", "dial-up", "dialup",
    "residential", "too many invalid recipients", "banned", "poor reputation", "mail server at your ip",
    "refused connection", "no smtp service here", "connection not authorized", "host refused", "blocked for",
    "connecting host", "your host", "your server", "helo command rejected", "invalid helo", "helo name",
    "bad helo", "ehlo command rejected", "you are not allowed", "access denied",
    "your network", "this ip", "ip is", "sending ip", "source ip", "refused by antispam", "abuse",
    "invalid ip for sending mail of domain", "please use the smtp server of your isp",
    "smtp error from remote mail server after initial connection"};

constexpr P kContentError[] = {"improper use of 8-bit data", "message header size exceeds", "header too long",
                               "content error", "improper content", "message contains invalid header",
                               "illegal attachment", "message content", "invalid content", "malformed",
                               "message body contains", "contains an invalid", "mime error", "bad content"};

constexpr P kSecurityError[] = {
    "authentication required", "authentication failed", "auth failed", "must authenticate", "must be authenticated",
    "tls required", "tls is required", "must issue a starttls command first", "encryption required",
    "certificate", "security", "not secure", "insecure", "sender verification required", "user not authenticated",
    "submission requires authentication", "smtp auth", "smtp authentication", "login failed", "invalid credentials",
    "authorization required", "requires secure connection", "account not authorized", "unauthorized",
    "unauthenticated senders not allowed"};

constexpr P kSystemError[] = {
    "system error", "server error", "internal error", "temporary error", "local error",
    "problem with the server", "resources temporarily unavailable", "service temporarily unavailable",
    "too many errors", "mail system problem", "server configuration error", "unknown error",
    "database error", "processing error", "out of memory", "system not accepting network messages",
    "system failure", "local configuration error", "cannot process", "try again later", "please try again",
    "temporarily unavailable", "misconfigured", "configuration error", "internal server error",
    "undeliverable mail due to system", "error writing message", "queue file write error", "could not load drd for domain", "service currently unavailable",
    "transaction failed"};

constexpr P kMailerError[] = {"x-unix", "command failed", "mailer error", "exit status", "exited with",
                              "procmail", "pipe to |", "program error", "command died", "delivery to program",
                              "local mailer", "unable to execute", "process exited", "script failed"};

constexpr P kSyntaxError[] = {"syntax error", "command unrecognized", "unrecognized command", "command not recognized",
                              "bad sequence of commands", "line too long", "invalid command", "parameter not implemented",
                              "syntax error in parameters"};



constexpr std::array kTable = {
    ReasonPhrases{"mailboxfull", kMailboxFull},   ReasonPhrases{"exceedlimit", kExceedLimit},
    ReasonPhrases{"mesgtoobig", kMesgTooBig},     ReasonPhrases{"suspend", kSuspend},
    ReasonPhrases{"hasmoved", kHasMoved},         ReasonPhrases{"norelaying", kNoRelaying},
    ReasonPhrases{"authfailure", kAuthFailure},   ReasonPhrases{"requireptr", kRequirePtr},
    ReasonPhrases{"notcompliantrfc", kNotCompliantRfc}, ReasonPhrases{"badreputation", kBadReputation},
    ReasonPhrases{"filtered", kFiltered},         ReasonPhrases{"userunknown", kUserUnknown},
    ReasonPhrases{"hostunknown", kHostUnknown},   ReasonPhrases{"notaccept", kNotAccept},
    ReasonPhrases{"rejected", kRejected},         ReasonPhrases{"virusdetected", kVirusDetected},
    ReasonPhrases{"spamdetected", kSpamDetected}, ReasonPhrases{"policyviolation", kPolicyViolation},
    ReasonPhrases{"speeding", kSpeeding},         ReasonPhrases{"toomanyconn", kTooManyConn},
    ReasonPhrases{"blocked", kBlocked},           ReasonPhrases{"systemfull", kSystemFull},
    ReasonPhrases{"contenterror", kContentError}, ReasonPhrases{"securityerror", kSecurityError},
    ReasonPhrases{"mailererror", kMailerError},   ReasonPhrases{"expired", kExpired},
    ReasonPhrases{"networkerror", kNetworkError}, ReasonPhrases{"systemerror", kSystemError},
    ReasonPhrases{"syntaxerror", kSyntaxError},
};
}  // namespace

std::span<const ReasonPhrases> reason_phrase_table() { return kTable; }

std::span<const std::string_view> phrases_for(std::string_view reason) {
  for (const auto& r : kTable)
    if (r.reason == reason) return r.patterns;
  return {};
}

}  // namespace ndrlink::parser
