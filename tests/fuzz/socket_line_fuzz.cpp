// libFuzzer target: any bytes as an ingest-socket request line, through
// the request parser and the acceptance validation the worker applies.
// Contract: a Fields list or an error string; never a crash or an escape.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "socket_request.h"
#include "ndrlink/correlator/acceptance_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = ndrlink::daemon::parse_request(line);
  if (auto* fields = std::get_if<ndrlink::correlator::Fields>(&parsed)) {
    const auto now = ndrlink::correlator::TimePoint(std::chrono::seconds(1764806400));
    (void)ndrlink::correlator::acceptance_from_fields(*fields, now, "fuzz");
  }
  return 0;
}
