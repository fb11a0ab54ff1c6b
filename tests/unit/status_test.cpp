#include "status.h"

#include <gtest/gtest.h>

#include "classifier.h"

namespace ndrlink::parser {
namespace {

TEST(Status, FindsEnhancedCodesButNotAddressesOrVersions) {
  EXPECT_EQ(status::find_enhanced("550 5.1.1 <a@b>: User unknown"), "5.1.1");
  EXPECT_EQ(status::find_enhanced("host 192.0.2.1 said: 4.7.0 try later"), "4.7.0");
  EXPECT_EQ(status::find_enhanced("Postfix 3.4.13 here"), "");
  EXPECT_EQ(status::find_enhanced("nothing"), "");
  EXPECT_EQ(status::find_enhanced("(#5.4.4)"), "5.4.4");
}

TEST(Status, FindsReplyCodesOnlyWhereTheyStand) {
  EXPECT_EQ(status::find_reply_code("550 5.1.1 User unknown"), "550");
  EXPECT_EQ(status::find_reply_code("host mx said: 452 4.2.2 over quota"), "452");
  EXPECT_EQ(status::find_reply_code("connect to 192.0.2.250:25: refused"), "");
  EXPECT_EQ(status::find_reply_code("on 2014-06-19 at 13:06"), "");
  EXPECT_EQ(status::find_reply_code("999 no such class"), "");
}

TEST(Status, ClassOfReply) {
  EXPECT_EQ(status::class_of_reply("550"), "5.0.0");
  EXPECT_EQ(status::class_of_reply("421"), "4.0.0");
  EXPECT_TRUE(status::is_enhanced("5.7.26"));
  EXPECT_FALSE(status::is_enhanced("5.7"));
}

TEST(Classifier, ReasonFromStatusCodes) {
  EXPECT_EQ(reason_from_status("5.1.1"), "userunknown");
  EXPECT_EQ(reason_from_status("5.2.2"), "mailboxfull");
  EXPECT_EQ(reason_from_status("5.1.2"), "hostunknown");
  EXPECT_EQ(reason_from_status("5.7.26"), "authfailure");
  EXPECT_EQ(reason_from_status("2.0.0"), "delivered");
  EXPECT_EQ(reason_from_status("5.0.0"), "");
}

TEST(Classifier, TextBeatsAGenericCode) {
  ClassifyInput in;
  in.status = "5.0.0";
  in.reply_code = "550";
  in.diagnostic = "550 Mailbox quota exceeded";
  in.action = "failed";
  EXPECT_EQ(classify_reason(in), "mailboxfull");
}

TEST(Classifier, DelayedWithoutEvidenceIsExpired) {
  ClassifyInput in;
  in.action = "delayed";
  EXPECT_EQ(classify_reason(in), "expired");
}

TEST(Classifier, DetectsTheCommandAnswered) {
  EXPECT_EQ(detect_command("said: 550 no (in reply to RCPT TO command)"), "RCPT");
  EXPECT_EQ(detect_command("SMTP error from remote mail server after end of data: 554"), "DATA");
  EXPECT_EQ(detect_command("nothing here"), "");
}

TEST(Classifier, HardRule) {
  EXPECT_TRUE(is_hard("userunknown", "5.1.1", "550"));
  EXPECT_TRUE(is_hard("hostunknown", "5.1.2", ""));
  EXPECT_TRUE(is_hard("notaccept", "5.3.2", "521"));
  EXPECT_FALSE(is_hard("notaccept", "4.3.2", "421"));
  EXPECT_FALSE(is_hard("mailboxfull", "5.2.2", "552"));
}

}  // namespace
}  // namespace ndrlink::parser
