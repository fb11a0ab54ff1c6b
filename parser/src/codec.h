// Content decoding the parser does itself rather than through mimetic
// (whose base64 decoder reads past its table): transfer encodings, RFC 2047
// encoded words, and charset conversion to UTF-8 via iconv.
#pragma once

#include <string>
#include <string_view>

namespace ndrlink::parser::codec {

// Base64 with whitespace and stray characters skipped; stops at '='.
std::string decode_base64(std::string_view in);
// Quoted-printable (RFC 2045 6.7); malformed escapes are kept literally.
std::string decode_quoted_printable(std::string_view in);
// Decodes by Content-Transfer-Encoding name (base64, quoted-printable,
// anything else is identity).
std::string decode_transfer(std::string_view in, std::string_view encoding);

// Converts `in` from `charset` to UTF-8. Unknown charsets and invalid bytes
// never fail: bad sequences become U+FFFD.
std::string to_utf8(std::string_view in, std::string_view charset);
// Replaces invalid UTF-8 sequences (and NUL) with U+FFFD.
std::string sanitize_utf8(std::string_view in);

// Decodes RFC 2047 encoded words ("=?UTF-8?B?...?=") in a header value.
std::string decode_header_words(std::string_view value);

}  // namespace ndrlink::parser::codec
