#include "ndrlink/parser/parser.h"

#include <exception>

#include "classifier.h"
#include "codec.h"
#include "dsn.h"
#include "evidence.h"
#include "families/family.h"
#include "feedback.h"
#include "identity.h"
#include "mime.h"
#include "status.h"
#include "text.h"

namespace ndrlink::parser {

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::dsn: return "dsn";
    case Kind::ndr: return "ndr";
    case Kind::arf: return "arf";
    case Kind::autoreply: return "autoreply";
    case Kind::none: return "none";
    case Kind::unparsable: return "unparsable";
  }
  return "none";
}

namespace {

// Completes one recipient: codes found in the diagnostic, reason, hard.
void finish_recipient(RecipientResult& r, const Evidence& ev) {
  r.recipient = text::clean_address(r.recipient);
  r.original_recipient = text::clean_address(r.original_recipient);
  r.diagnostic = codec::sanitize_utf8(text::squeeze_spaces(r.diagnostic));
  if (r.reason == "feedback" || r.reason == "vacation") return;
  if (r.action.empty()) r.action = "failed";
  const std::string diag_status = status::find_enhanced(r.diagnostic);
  // A generic X.0.0 Status with a specific code in the diagnostic: the
  // diagnostic knows more (Postfix, Exim and others write 5.0.0).
  if (r.status.empty() || (r.status.size() == 5 && r.status.substr(1) == ".0.0" && !diag_status.empty() &&
                           diag_status[0] == r.status[0]))
    if (!diag_status.empty()) r.status = diag_status;
  if (r.reply_code.empty()) r.reply_code = status::find_reply_code(r.diagnostic);
  // The remote server's own code beats the one the reporting MTA chose
  // (Sendmail writes 4.4.7 for a "450 4.7.1" reply it gave up on).
  if (!diag_status.empty() && diag_status != r.status && diag_status.substr(1) != ".0.0" &&
      (r.reply_code.empty() || r.reply_code[0] == diag_status[0]))
    r.status = diag_status;
  if (r.status.empty() && !r.reply_code.empty() && r.action != "delivered") r.status = status::class_of_reply(r.reply_code);
  std::string command = detect_command(r.diagnostic.empty() ? std::string_view(ev.text) : r.diagnostic);
  if (command.empty()) command = r.smtp_command;
  ClassifyInput in;
  in.status = r.status;
  in.reply_code = r.reply_code;
  in.diagnostic = r.diagnostic;
  in.diagnostic_type = r.diagnostic_type;
  in.action = r.action;
  in.command = command;
  in.remote_mta = r.remote_mta;
  in.preset = r.reason;
  const bool tentative = reason_is_tentative(r.reason);
  r.reason = classify_reason(in);
  // The receiving provider's own codes decide unless the format's family did.
  if (tentative) refine_by_provider(ev, r);
  r.hard = is_hard(r.reason, r.status, r.reply_code);
}

void parse_into(std::string_view raw, const ParseOptions& options, Report& report) {
  const MimeMessage mime = read_mime(raw, MimeLimits{options.max_mime_depth, options.max_line_bytes});
  if (!mime.error.empty()) report.error = mime.error;
  if (mime.headers.empty() && mime.parts.size() <= 1) {
    report.kind = Kind::unparsable;
    if (report.error.empty()) report.error = "no RFC 5322 header found";
    return;
  }
  const Evidence ev = build_evidence(mime);
  report.subject = ev.subject;
  report.from = ev.from_address;

  if (read_feedback_report(ev, report)) {
    extract_identity(ev, options.verp_prefix, report);
    for (auto& r : report.recipients) finish_recipient(r, ev);
    return;
  }
  if (ev.delivery_status && read_delivery_status(ev.delivery_status->body, report) > 0) {
    report.kind = Kind::dsn;
    report.family = "rfc3464";
  }
  for (const auto& fam : families()) {
    if (fam.parse(ev, report)) {
      if (report.kind != Kind::dsn) report.kind = Kind::ndr;
      report.family = std::string(fam.name);
      break;
    }
  }
  if (report.recipients.empty() && read_autoreply(ev, report)) {
    extract_identity(ev, options.verp_prefix, report);
    return;
  }
  // Drop entries a heuristic could not give an address.
  std::erase_if(report.recipients, [](const RecipientResult& r) { return text::clean_address(r.recipient).empty(); });
  if (report.recipients.empty()) {
    report.kind = mime.error.empty() ? Kind::none : Kind::unparsable;
    return;
  }
  if (report.kind == Kind::none) report.kind = Kind::ndr;
  extract_identity(ev, options.verp_prefix, report);
  for (auto& r : report.recipients) finish_recipient(r, ev);
}

}  // namespace

Report parse_message(std::string_view raw, const ParseOptions& options) {
  Report report;
  const bool truncated = raw.size() > options.max_message_bytes;
  if (truncated) raw = raw.substr(0, options.max_message_bytes);
  try {
    parse_into(raw, options, report);
  } catch (const std::exception& e) {
    report = Report{};
    report.kind = Kind::unparsable;
    report.error = std::string("parser failure: ") + e.what();
  }
  report.truncated = truncated;
  if (truncated && report.error.empty())
    report.error = "input truncated at " + std::to_string(options.max_message_bytes) + " bytes";
  return report;
}

}  // namespace ndrlink::parser
