// Hostile input: whatever the bytes, parse_message returns (no crash, no
// hang, memory bounded) and a bad message is `none` or `unparsable` with an
// error. Every output must also serialise to valid JSON.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "ndrlink/parser/json.h"
#include "ndrlink/parser/parser.h"

namespace ndrlink::parser {
namespace {

constexpr std::string_view kDsnHead =
    "From: MAILER-DAEMON@mx.example.org\r\n"
    "To: sender@example.org\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "I'm sorry to have to inform you that your message could not be delivered.\r\n"
    "--B1\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mx.example.org\r\n"
    "\r\n"
    "Final-Recipient: rfc822; user@example.jp\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <user@example.jp>: Recipient address rejected: User unknown\r\n"
    "\r\n";

// Every line of the JSON output parses and has the contract's "kind".
void expect_valid_json(const Report& report) {
  std::string out;
  append_json_lines(report, "hostile.eml", out);
  ASSERT_FALSE(out.empty());
  std::size_t start = 0;
  while (start < out.size()) {
    const auto nl = out.find('\n', start);
    ASSERT_NE(nl, std::string::npos);
    const auto line = out.substr(start, nl - start);
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << line.substr(0, 200);
    EXPECT_TRUE(j.contains("kind"));
    start = nl + 1;
  }
}

bool is_failure_kind(Kind k) { return k == Kind::none || k == Kind::unparsable; }

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

TEST(HostileInput, EmptyInputIsUnparsable) {
  const auto r = parse_message("");
  EXPECT_EQ(r.kind, Kind::unparsable);
  EXPECT_FALSE(r.error.empty());
  expect_valid_json(r);
}

TEST(HostileInput, BinaryGarbageIsNotAReport) {
  std::mt19937 rng(20261204);
  for (int round = 0; round < 50; ++round) {
    std::string junk(4096 + round * 997, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    const auto r = parse_message(junk);
    EXPECT_TRUE(is_failure_kind(r.kind)) << "round " << round;
    EXPECT_TRUE(r.recipients.empty());
    expect_valid_json(r);
  }
}

TEST(HostileInput, HundredMegabyteMessageIsCutAndFlagged) {
  std::string big(kDsnHead);
  big += "--B1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  const std::string line(76, 'A');
  while (big.size() < 100u * 1024 * 1024) (big += line) += "\r\n";
  const long before = peak_rss_kib();
  const auto r = parse_message(big);
  const long grown_mib = (peak_rss_kib() - before) / 1024;
  EXPECT_TRUE(r.truncated);
  EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
  // The evidence comes first, so the cut costs nothing.
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
  // Bounded by the 8 MiB input limit, not by the 100 MB message.
  EXPECT_LT(grown_mib, 96) << "peak RSS grew by " << grown_mib << " MiB";
  expect_valid_json(r);
}

TEST(HostileInput, UnterminatedAndMissingBoundaries) {
  // No closing boundary at all: the DSN is still read.
  const auto open = parse_message(kDsnHead);
  ASSERT_EQ(open.recipients.size(), 1u);
  EXPECT_EQ(open.recipients[0].status, "5.1.1");
  // A multipart with no boundary parameter and one that never appears.
  for (std::string_view ct : {"multipart/mixed", "multipart/mixed; boundary=\"never-used\"",
                              "multipart/mixed; boundary=\"\""}) {
    std::string m = "From: a@b.example\r\nContent-Type: " + std::string(ct) + "\r\n\r\n--x\r\n\r\nbody\r\n--";
    const auto r = parse_message(m);
    EXPECT_TRUE(is_failure_kind(r.kind)) << ct;
    expect_valid_json(r);
  }
}

TEST(HostileInput, ThousandDeepNestingIsRefusedWithAnError) {
  std::string m = "From: MAILER-DAEMON@example.org\r\nSubject: nest\r\n";
  for (int i = 0; i < 1000; ++i)
    m += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\r\n\r\n--b" + std::to_string(i) +
         "\r\n";
  m += "Content-Type: text/plain\r\n\r\nhello\r\n";
  const auto r = parse_message(m);
  EXPECT_TRUE(is_failure_kind(r.kind));
  EXPECT_NE(r.error.find("nesting"), std::string::npos) << r.error;
  expect_valid_json(r);
}

TEST(HostileInput, DeepMessageRfc822NestingIsRefused) {
  std::string m;
  for (int i = 0; i < 1000; ++i) m += "From: x@example.org\r\nContent-Type: message/rfc822\r\n\r\n";
  m += "Subject: inner\r\n\r\nbody\r\n";
  const auto r = parse_message(m);
  EXPECT_TRUE(is_failure_kind(r.kind));
  EXPECT_FALSE(r.error.empty());
}

TEST(HostileInput, InvalidUtf8AndNulBytesGiveValidJson) {
  std::string m(kDsnHead);
  const std::string bad = "\xff\xfe\xc3\x28 \xe2\x82 \xf0\x28\x8c\x28";
  const auto at = m.find("User unknown");
  m.insert(at, bad + std::string("\0\0", 2));
  m.insert(m.find("Subject:") + 9, std::string("\0\xc0\xaf", 3));
  const auto r = parse_message(m);
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.recipients[0].reason, "userunknown");
  EXPECT_EQ(r.recipients[0].diagnostic.find('\0'), std::string::npos);
  expect_valid_json(r);
}

TEST(HostileInput, MegabyteHeaderLineIsCut) {
  std::string m = "From: MAILER-DAEMON@example.org\r\nX-Long: " + std::string(1024 * 1024, 'x') + "\r\n";
  m += "Subject: " + std::string(1024 * 1024, 's') + "\r\n\r\nbody\r\n";
  const auto r = parse_message(m);
  EXPECT_TRUE(is_failure_kind(r.kind));
  EXPECT_LE(r.subject.size(), ParseOptions{}.max_line_bytes);
  expect_valid_json(r);
}

TEST(HostileInput, MimeticBoundaryAfterCrlfDefectIsSurvived) {
  // dependencies.md defect 2: mimetic's string constructor throws here.
  const auto r = parse_message("Content-Type: multipart/mixed; boundary=b\n\n\r\n--b\n\nx\n--b--\n");
  expect_valid_json(r);
}

TEST(HostileInput, Base64WithInvalidCharactersIsNotMisdecoded) {
  // dependencies.md defect 1: mimetic decodes '|' to NUL. Ours skips it.
  std::string m(kDsnHead);
  m += "--B1\r\nContent-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += "TWVzc2FnZS1JRDog|PGFiY0BleGFtcGxlLm9yZz4NCg==\r\n--B1--\r\n";
  const auto r = parse_message(m);
  ASSERT_EQ(r.recipients.size(), 1u);
  EXPECT_EQ(r.original_message_id, "<abc@example.org>");
  expect_valid_json(r);
}

TEST(HostileInput, EveryPrefixOfADsnParses) {
  // A truncated file at every cut point: never a crash, always valid output.
  const std::string full = std::string(kDsnHead) + "--B1--\r\n";
  for (std::size_t n = 0; n <= full.size(); n += 7) {
    const auto r = parse_message(std::string_view(full).substr(0, n));
    expect_valid_json(r);
  }
}

TEST(HostileInput, HugeRecipientCountStaysBounded) {
  // 20,000 per-recipient blocks: results are produced, time stays linear.
  std::string m(kDsnHead);
  const auto cut = m.find("Final-Recipient");
  m.resize(cut);
  for (int i = 0; i < 20000; ++i)
    m += "Final-Recipient: rfc822; u" + std::to_string(i) + "@example.jp\r\nAction: failed\r\nStatus: 5.2.2\r\n\r\n";
  const auto r = parse_message(m);
  EXPECT_GT(r.recipients.size(), 0u);
  for (const auto& rr : r.recipients) EXPECT_EQ(rr.reason, "mailboxfull");
}

}  // namespace
}  // namespace ndrlink::parser
