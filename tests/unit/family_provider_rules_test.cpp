// Receiving providers' rules: the provider's own codes decide the reason
// of a plain RFC 3464 report whose Remote-MTA (or recipient domain) is theirs.
#include <gtest/gtest.h>

#include "family_test_util.h"

using ndrlink::parser::parse_message;
using family_test::dsn;
using family_test::only;

TEST(FamilyFrancePtt, CauseCodeDecides) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "someone@orange.fr", "5.5.0", "smtp-in.orange.fr",
                                        "550 5.5.0 Boite du destinataire archivee. Archived recipient. LPN007_420")));
  EXPECT_EQ(r.recipient, "someone@orange.fr");
  EXPECT_EQ(r.status, "5.5.0");
  EXPECT_EQ(r.reply_code, "550");
  EXPECT_EQ(r.reason, "suspend");
  EXPECT_FALSE(r.hard);
  const auto u = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "x@wanadoo.fr", "5.1.1", "smtp-in.orange.fr",
                                        "550 5.1.1 Adresse d au moins un destinataire invalide. OFR_416 [416]")));
  EXPECT_EQ(u.reason, "userunknown");
  EXPECT_TRUE(u.hard);
}

TEST(FamilyFrancePtt, TextDecidesWhenCodeIsSilent) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@laposte.net", "5.5.0", "smtpz4.laposte.net",
                                        "550 5.5.0 Service refuse. Veuillez essayer plus tard. LPN001_108")));
  EXPECT_EQ(r.reason, "blocked");
}

TEST(FamilyFrancePtt, OtherProvidersAreNotTouched) {
  // The same code from a host that is not Orange/La Poste means nothing.
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@example.com", "5.5.0", "mx.example.com",
                                        "550 5.5.0 Rejected. LPN007_416")));
  EXPECT_NE(r.reason, "userunknown");
}

TEST(FamilyFacebook, ResponseCode) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@facebook.com", "5.1.1", "",
                                        "550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes#rcp")));
  EXPECT_EQ(r.reason, "filtered");
  EXPECT_FALSE(r.hard);
}

TEST(FamilyGoDaddy, IbCodeAndSpamhausLink) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@example.com", "5.1.1", "smtp.secureserver.net",
                                        "550 5.1.1 <a@example.com> - 192.0.2.1 has sent to too many recipients this hour. IB607")));
  EXPECT_EQ(r.reason, "speeding");
  EXPECT_FALSE(r.hard);
  const auto b = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@example.com", "5.1.3", "smtp.secureserver.net",
                                        "553 http://www.spamhaus.org/query/bl?ip=192.0.2.1")));
  EXPECT_EQ(b.reason, "blocked");
}

TEST(FamilyTencent, FrequencyLimit) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@qq.com", "5.0.0", "mx3.qq.com",
                                        "550 Ip frequency limited")));
  EXPECT_EQ(r.reason, "toomanyconn");
}

TEST(FamilyNttDocomo, DataRejectionIsRejected) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@docomo.ne.jp", "5.0.0", "mfsmax.docomo.ne.jp",
                                        "550 Unknown user a@docomo.ne.jp",
                                        "<a@docomo.ne.jp>: host mfsmax.docomo.ne.jp said: 550 Unknown user "
                                        "(in reply to end of DATA command)")));
  EXPECT_EQ(r.reason, "rejected");
}

TEST(FamilyMimecast, ReplyCodeAndPhrase) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@example.com", "5.0.0",
                                        "us-smtp-inbound-1.mimecast.com", "554 Host network not allowed - see docs")));
  EXPECT_EQ(r.reply_code, "554");
  EXPECT_EQ(r.reason, "policyviolation");
}

TEST(FamilyMicrosoft, BannedSendingIpRange) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@example.com", "5.7.606",
                                        "example-com.mail.protection.outlook.com",
                                        "550 5.7.606 Access denied, banned sending IP [192.0.2.1].")));
  EXPECT_EQ(r.reason, "blocked");
}

TEST(FamilyYahooInc, DdTextIsUserUnknown) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@mx.example.org", "a@yahoo.com", "5.0.0", "mta6.am0.yahoodns.net",
                                        "554 delivery error: dd This user doesn't have a yahoo.com account (a@yahoo.com) [0]")));
  EXPECT_EQ(r.reason, "userunknown");
  EXPECT_TRUE(r.hard);
}

TEST(FamilyAol, RelayDnsErrors) {
  const auto r = only(parse_message(dsn("MAILER-DAEMON@aol.com", "a@example.org", "5.4.4", "",
                                        "Host or domain name not found. Name service error for name=example.org type=A")));
  EXPECT_EQ(r.reason, "hostunknown");
  EXPECT_TRUE(r.hard);
}
