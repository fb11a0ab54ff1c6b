// libFuzzer target: any bytes through parse_message and the JSON writer.
// The contract checked is the parser's: it returns (no crash, no hang, no
// sanitizer report) and every output line is one JSON object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ndrlink/parser/json.h"
#include "ndrlink/parser/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ndrlink::parser;
  ParseOptions options;
  options.max_message_bytes = 1024 * 1024;  // keeps each run fast; the cut path is exercised too
  const Report report = parse_message(std::string_view(reinterpret_cast<const char*>(data), size), options);
  std::string out;
  append_json_lines(report, "fuzz.eml", out);
  append_text_lines(report, "fuzz.eml", out);
  if (out.empty() || out.back() != '\n') std::abort();
  return 0;
}
