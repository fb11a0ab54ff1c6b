// Where a finished report goes besides standard output: an archive
// directory (DIR/<period>.html and .json, for the daily timer) and mail
// through the local sendmail(1) (text and HTML alternatives).
#pragma once

#include <string>
#include <vector>

namespace ndrlink::cli {

// A file-name-safe form of a period label ("2026-12-03", or
// "2026-12-01T00:00:00Z .. 2026-12-02T00:00:00Z" -> "2026-12-01T000000Z_2026-12-02T000000Z").
std::string archive_name(const std::string& label);

// Writes `content` to `path` via a temporary file and rename: a reader
// never sees half a report. Throws std::runtime_error naming the path.
void write_file_atomically(const std::string& path, const std::string& content);

struct ReportMail {
  std::vector<std::string> to;
  std::string from, subject, text, html;
};

// The RFC 5322 message (multipart/alternative, UTF-8, quoted-printable).
std::string compose_report_mail(const ReportMail& mail);

// Pipes the message to `sendmail -oi -t` (recipients from its header).
// Throws std::runtime_error with sendmail's exit status on failure.
void send_with_sendmail(const std::string& sendmail, const std::string& message);

}  // namespace ndrlink::cli
