// Builders for the small synthetic bounces the family tests parse.
#pragma once

#include <string>
#include <string_view>

#include "ndrlink/parser/parser.h"

namespace family_test {

// An RFC 3464 report from `from` with one recipient group.
inline std::string dsn(std::string_view from, std::string_view recipient, std::string_view status,
                       std::string_view remote_mta, std::string_view diagnostic, std::string_view prose = "") {
  std::string m = "From: " + std::string(from) + "\r\nTo: sender@example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n"
                  "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
                  "--B\r\nContent-Type: text/plain\r\n\r\n" + std::string(prose) + "\r\n\r\n"
                  "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
                  "Final-Recipient: rfc822; " + std::string(recipient) + "\r\nAction: failed\r\nStatus: " + std::string(status) + "\r\n";
  if (!remote_mta.empty()) m += "Remote-MTA: dns; " + std::string(remote_mta) + "\r\n";
  m += "Diagnostic-Code: smtp; " + std::string(diagnostic) + "\r\n\r\n--B--\r\n";
  return m;
}

// A single-part message with extra header lines and a plain body.
inline std::string plain(std::string_view headers, std::string_view body) {
  return std::string(headers) + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + std::string(body);
}

inline const ndrlink::parser::RecipientResult& only(const ndrlink::parser::Report& r) {
  static const ndrlink::parser::RecipientResult none;
  return r.recipients.size() == 1 ? r.recipients[0] : none;
}

}  // namespace family_test
