// Non-bounce reports: RFC 5965 ARF feedback and RFC 3834 auto-replies.
#pragma once

#include "evidence.h"
#include "ndrlink/parser/report.h"

namespace ndrlink::parser {

// True (and fills `report`, kind arf) for a feedback report:
// multipart/report; report-type=feedback-report, or a message/feedback-report
// part, or the non-MIME variants some providers send.
bool read_feedback_report(const Evidence& ev, Report& report);

// True (and fills `report`, kind autoreply) for a vacation / out-of-office
// reply. A bounce is never taken for one: Postfix and Exim bounces carry
// "Auto-Submitted: auto-replied" too, so bounce signals veto.
bool read_autoreply(const Evidence& ev, Report& report);

}  // namespace ndrlink::parser
