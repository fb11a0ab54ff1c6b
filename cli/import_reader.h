// Lines of an import file (JSON Lines or CSV with a header) turned into
// acceptances or line-numbered errors. Pure: no store.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "ndrlink/correlator/clock.h"
#include "ndrlink/storage/records.h"

namespace ndrlink::cli {

struct ParsedLine {
  long line_no = 0;
  std::optional<storage::NewAcceptance> acceptance;  // or, when empty, why not:
  std::string error;
};

class ImportReader {
 public:
  // `format`: auto (JSON when the first line starts with '{'), jsonl or csv.
  // Records without `at` are accepted `now`.
  ImportReader(std::istream& in, std::string format, correlator::TimePoint now);
  // The next up to `max` records or errors (blank lines and the CSV header
  // are skipped); empty at the end of the input.
  std::vector<ParsedLine> next(std::size_t max);

 private:
  ParsedLine parse(const std::string& line);
  std::istream& in_;
  std::string format_;
  correlator::TimePoint now_;
  std::vector<std::string> header_, cells_;
  long line_no_ = 0;
};

// RFC 4180 fields of one CSV record; false when a quote is unterminated.
bool split_csv(const std::string& line, std::vector<std::string>& out);

}  // namespace ndrlink::cli
