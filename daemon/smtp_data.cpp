#include "smtp_data.h"

namespace ndrlink::smtp {

void LineEncoder::feed(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() + (stuff_ ? in.size() / 32 + 8 : 2));
  for (const char c : in) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // the LF of a CRLF whose CR ended the previous piece
    }
    if (c == '\r' || c == '\n') {
      out += "\r\n";
      line_start_ = true;
      after_cr_ = c == '\r';
      continue;
    }
    if (stuff_ && line_start_ && c == '.') out += '.';
    out += c;
    line_start_ = false;
  }
}

void LineEncoder::finish(std::string& out) {
  if (!line_start_) out += "\r\n";
  if (stuff_) out += ".\r\n";
  line_start_ = true;
  after_cr_ = false;
}

namespace {
std::string encode(std::string_view message, bool stuff) {
  LineEncoder encoder(stuff);
  std::string out;
  encoder.feed(message, out);
  encoder.finish(out);
  return out;
}
}  // namespace

std::string dot_stuff(std::string_view message) { return encode(message, true); }

std::string crlf_lines(std::string_view message) { return encode(message, false); }

bool is_crlf_lines(std::string_view message) {
  if (message.empty()) return true;
  if (message.size() < 2 || message.substr(message.size() - 2) != "\r\n") return false;
  for (std::size_t i = message.find_first_of("\r\n"); i != std::string_view::npos;
       i = message.find_first_of("\r\n", i + 2)) {
    if (message[i] != '\r' || i + 1 >= message.size() || message[i + 1] != '\n') return false;
  }
  return true;
}

std::string dot_unstuff(std::string_view payload) {
  std::string out;
  out.reserve(payload.size());
  bool line_start = true;
  for (char c : payload) {
    if (line_start && c == '.') {
      line_start = false;
      continue;
    }
    out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string xtext_encode(std::string_view raw) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : raw) {
    if (c >= 33 && c <= 126 && c != '+' && c != '=') {
      out += static_cast<char>(c);
    } else {
      out += '+';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> xtext_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '+') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = value(text[i + 1]), lo = value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c >= 33 && c <= 126 && c != '=') {
      out += static_cast<char>(c);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace ndrlink::smtp
