#include "codec.h"

#include <gtest/gtest.h>

namespace ndrlink::parser::codec {
namespace {

TEST(Codec, Base64SkipsWhitespaceAndStrayCharacters) {
  EXPECT_EQ(decode_base64("SGVs\r\nbG8="), "Hello");
  EXPECT_EQ(decode_base64("QUJD|REVG"), "ABCDEF");  // mimetic would give "ABC\0.."
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_EQ(decode_base64("QQ=="), "A");
}

TEST(Codec, QuotedPrintableKeepsMalformedEscapes) {
  EXPECT_EQ(decode_quoted_printable("caf=C3=A9 =3D ok"), "caf\xC3\xA9 = ok");
  EXPECT_EQ(decode_quoted_printable("soft=\r\nbreak"), "softbreak");
  EXPECT_EQ(decode_quoted_printable("bad =ZZ end="), "bad =ZZ end=");
}

TEST(Codec, DecodeTransferByName) {
  EXPECT_EQ(decode_transfer("SGk=", "BASE64"), "Hi");
  EXPECT_EQ(decode_transfer("a=3Db", "Quoted-Printable"), "a=b");
  EXPECT_EQ(decode_transfer("plain", "8bit"), "plain");
}

TEST(Codec, CharsetConversionNeverFails) {
  EXPECT_EQ(to_utf8("caf\xE9", "iso-8859-1"), "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("\x82\xA0", "shift_jis"), "\xE3\x81\x82");  // HIRAGANA A
  EXPECT_EQ(to_utf8("abc", "no-such-charset"), "abc");
  const auto bad = to_utf8("a\xFF" "b", "utf-8");
  EXPECT_EQ(bad, "a\xEF\xBF\xBD" "b");
}

TEST(Codec, SanitizeReplacesInvalidSequencesAndNul) {
  EXPECT_EQ(sanitize_utf8(std::string("a\0b", 3)), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(sanitize_utf8("\xC3\x28"), "\xEF\xBF\xBD(");
  EXPECT_EQ(sanitize_utf8("ok \xE2\x82\xAC"), "ok \xE2\x82\xAC");
}

TEST(Codec, Rfc2047EncodedWords) {
  EXPECT_EQ(decode_header_words("=?UTF-8?B?VW5kZWxpdmVyZWQ=?= Mail"), "Undelivered Mail");
  EXPECT_EQ(decode_header_words("=?iso-8859-1?Q?Unzustellbar:_caf=E9?="), "Unzustellbar: caf\xC3\xA9");
  // Whitespace between adjacent encoded words is dropped (RFC 2047 6.2).
  EXPECT_EQ(decode_header_words("=?UTF-8?Q?a?= =?UTF-8?Q?b?="), "ab");
  EXPECT_EQ(decode_header_words("no words here"), "no words here");
  EXPECT_EQ(decode_header_words("=?broken"), "=?broken");
}

}  // namespace
}  // namespace ndrlink::parser::codec
