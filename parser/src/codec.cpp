#include "codec.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "text.h"

namespace ndrlink::parser::codec {
namespace {

constexpr std::array<signed char, 256> make_base64_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  return t;
}
constexpr auto kBase64 = make_base64_table();

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return c == 0 ? 0 : 1;
  std::size_t n;
  unsigned min;
  if ((c & 0xE0) == 0xC0) { n = 2; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { n = 4; min = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  unsigned cp = c & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool is_utf8_name(std::string_view charset) {
  return text::iequals(charset, "utf-8") || text::iequals(charset, "utf8") || text::iequals(charset, "us-ascii") ||
         text::iequals(charset, "ascii") || charset.empty();
}

}  // namespace

std::string decode_base64(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char ch : in) {
    if (ch == '=') break;
    const int v = kBase64[static_cast<unsigned char>(ch)];
    if (v < 0) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string decode_quoted_printable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c != '=') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < in.size() && (in[i + 1] == '\n' || in[i + 1] == '\r')) {  // soft line break
      ++i;
      if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') ++i;
      continue;
    }
    if (i + 2 < in.size()) {
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

std::string decode_transfer(std::string_view in, std::string_view encoding) {
  const auto enc = text::trim(encoding);
  if (text::iequals(enc, "base64")) return decode_base64(in);
  if (text::iequals(enc, "quoted-printable")) return decode_quoted_printable(in);
  return std::string(in);
}

std::string sanitize_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    // Runs of 0x01..0x7F are valid as they are: append them whole.
    std::size_t run = i;
    while (run < in.size() && static_cast<unsigned char>(in[run]) - 1u < 0x7Fu) ++run;
    out.append(in.data() + i, run - i);
    i = run;
    if (i >= in.size()) break;
    const std::size_t n = utf8_sequence_length(in, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(in.substr(i, n));
      i += n;
    }
  }
  return out;
}

namespace {

// 7-bit text in an ASCII-compatible charset is already UTF-8: skip iconv.
// ISO-2022 (ESC sequences), UTF-7 ('+' runs) and the wide encodings are not
// ASCII-compatible in that sense.
bool ascii_passthrough(std::string_view in, std::string_view charset) {
  for (auto wide : {"utf-16", "utf-32", "ucs-", "ucs2", "ucs4", "utf-7", "utf7", "unicode"})
    if (text::istarts_with(charset, wide)) return false;
  return std::all_of(in.begin(), in.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80 && c != 0x1B; });
}

// iconv_open loads a converter module each time; keep a few per thread.
class ConverterCache {
 public:
  ~ConverterCache() {
    for (auto& [name, cd] : entries_) iconv_close(cd);
  }
  // A reset converter from `name` to UTF-8, or nullopt if iconv lacks it.
  std::optional<iconv_t> get(const std::string& name) {
    for (auto& [n, cd] : entries_)
      if (n == name) {
        iconv(cd, nullptr, nullptr, nullptr, nullptr);
        return cd;
      }
    iconv_t cd = iconv_open("UTF-8", name.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
    if (entries_.size() >= kMax) {
      iconv_close(entries_.front().second);
      entries_.erase(entries_.begin());
    }
    entries_.emplace_back(name, cd);
    return cd;
  }

 private:
  static constexpr std::size_t kMax = 8;
  std::vector<std::pair<std::string, iconv_t>> entries_;
};

}  // namespace

std::string to_utf8(std::string_view in, std::string_view charset) {
  charset = text::trim(charset);
  if (is_utf8_name(charset) || ascii_passthrough(in, charset)) return sanitize_utf8(in);
  std::string name(charset);
  // Common mislabels: treat ks_c_5601-1987 as CP949, shift-jis variants as CP932.
  if (text::iequals(name, "ks_c_5601-1987")) name = "CP949";
  else if (text::iequals(name, "shift_jis") || text::iequals(name, "x-sjis") || text::iequals(name, "sjis")) name = "CP932";
  thread_local ConverterCache converters;
  const auto converter = converters.get(name);
  if (!converter) return sanitize_utf8(in);
  iconv_t cd = *converter;
  std::string out;
  out.resize(in.size() * 4 + 16);
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  while (src_left > 0) {
    if (iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) break;  // cannot happen with 4x room; stop rather than loop
    // EILSEQ / EINVAL: skip one input byte, emit a replacement character.
    ++src;
    --src_left;
    if (dst_left >= 3) {
      std::memcpy(dst, "\xEF\xBF\xBD", 3);
      dst += 3;
      dst_left -= 3;
    }
  }
  iconv(cd, nullptr, nullptr, &dst, &dst_left);  // flush shift state
  out.resize(out.size() - dst_left);
  return sanitize_utf8(out);
}

std::string decode_header_words(std::string_view value) {
  if (value.find("=?") == std::string_view::npos) return sanitize_utf8(value);
  std::string out;
  std::size_t pos = 0;
  bool last_was_word = false;
  while (pos < value.size()) {
    const std::size_t start = value.find("=?", pos);
    if (start == std::string_view::npos) {
      out.append(value.substr(pos));
      break;
    }
    const std::size_t q1 = value.find('?', start + 2);
    const std::size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const std::size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos) {
      out.append(value.substr(pos));
      break;
    }
    const std::string_view between = value.substr(pos, start - pos);
    // Whitespace between two adjacent encoded words is dropped (RFC 2047 6.2).
    if (!(last_was_word && text::trim(between).empty())) out.append(between);
    std::string_view charset = value.substr(start + 2, q1 - start - 2);
    if (const auto star = charset.find('*'); star != std::string_view::npos) charset = charset.substr(0, star);
    const std::string_view encoding = value.substr(q1 + 1, q2 - q1 - 1);
    const std::string_view payload = value.substr(q2 + 1, end - q2 - 1);
    std::string decoded;
    if (text::iequals(encoding, "B")) {
      decoded = decode_base64(payload);
    } else {
      std::string p(payload);
      for (auto& c : p)
        if (c == '_') c = ' ';
      decoded = decode_quoted_printable(p);
    }
    out += to_utf8(decoded, charset);
    pos = end + 2;
    last_was_word = true;
  }
  return sanitize_utf8(out);
}

}  // namespace ndrlink::parser::codec
