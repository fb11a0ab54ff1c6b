#include "relay_input.h"

namespace ndrlink::daemon::relay {

void LineFramer::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto lf = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, lf);
    // The limit counts CR LF: content plus a CR may take max_line_ - 1.
    if (!overflow_ && partial_.size() + piece.size() + 1 > max_line_) {
      overflow_ = true;
      partial_.clear();
      partial_.shrink_to_fit();
    }
    if (!overflow_) partial_.append(piece);
    if (lf == std::string_view::npos) return;
    bytes.remove_prefix(lf + 1);
    const bool crlf = !partial_.empty() && partial_.back() == '\r';
    if (crlf) partial_.pop_back();
    if (partial_.size() + 2 > max_line_) overflow_ = true;  // a bare LF line of max_line_ - 1
    ready_.push_back(InputLine{overflow_ ? std::string() : std::move(partial_), overflow_, overflow_ || crlf});
    partial_.clear();
    overflow_ = false;
  }
}

std::optional<InputLine> LineFramer::next() {
  if (ready_.empty()) return std::nullopt;
  InputLine l = std::move(ready_.front());
  ready_.pop_front();
  return l;
}

void LineFramer::clear() {
  ready_.clear();
  partial_.clear();
  overflow_ = false;
}

bool DataCollector::add(const InputLine& line) {
  const bool after_crlf = previous_crlf_;
  previous_crlf_ = line.crlf;
  if (line.too_long) {
    line_too_long_ = true;
    return false;
  }
  if (line.text == "." && line.crlf && after_crlf) return true;
  std::string_view text = line.text;
  if (!text.empty() && text.front() == '.') text.remove_prefix(1);  // RFC 5321 4.5.2
  size_ += text.size() + 2;
  if (size_ > max_size_ || line_too_long_) {
    message_.clear();
    message_.shrink_to_fit();
    return false;
  }
  message_.append(text);
  message_.append("\r\n");
  return false;
}

}  // namespace ndrlink::daemon::relay
