// Scores the parser on the DEV corpus against dev-truth.jsonl, with the
// pairing rules of ../shared/corpus/score.py (multiset per file: exact
// reason+status, then reason, then order).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ndrlink/parser/parser.h"

namespace {

namespace fs = std::filesystem;
using ndrlink::parser::Kind;

struct Truth {
  std::string status, reason, reply_code, feedback_type;
  bool hard = false;
};
struct Pred {
  std::string recipient, status, reason, reply_code, feedback_type;
  bool hard = false;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool pseudo_code(const std::string& s) {
  // Sisimai-internal X.0.9NN codes are not real RFC 3463 codes.
  return s.size() >= 6 && s.substr(1, 3) == ".0." && s[4] == '9';
}

struct Score {
  int entries = 0, reason_ok = 0, extra = 0, paired = 0, paired_with_address = 0;
  int status_n = 0, status_ok = 0, hard_ok = 0, feedback_ok = 0, feedback_n = 0;
  std::vector<std::string> wrong;
  double reason_accuracy() const { return entries ? double(reason_ok) / (entries + extra) : 0; }
  double status_accuracy() const { return status_n ? double(status_ok) / status_n : 0; }
  double recipient_recall() const { return entries ? double(paired_with_address) / entries : 0; }
  double hard_accuracy() const { return paired ? double(hard_ok) / paired : 0; }
};

void score_file(const std::string& file, const std::vector<Truth>& truth, std::vector<Pred> preds, Score& s) {
  std::vector<int> pairing(truth.size(), -1);
  std::vector<bool> used(preds.size(), false);
  for (int pass = 0; pass < 3; ++pass) {
    for (std::size_t t = 0; t < truth.size(); ++t) {
      if (pairing[t] >= 0) continue;
      for (std::size_t p = 0; p < preds.size(); ++p) {
        if (used[p]) continue;
        const bool ok = pass == 0   ? preds[p].reason == truth[t].reason && preds[p].status == truth[t].status
                        : pass == 1 ? preds[p].reason == truth[t].reason
                                    : true;
        if (ok) {
          pairing[t] = static_cast<int>(p);
          used[p] = true;
          break;
        }
      }
    }
  }
  for (std::size_t t = 0; t < truth.size(); ++t) {
    ++s.entries;
    const Truth& tr = truth[t];
    if (!pseudo_code(tr.status)) ++s.status_n;
    if (!tr.feedback_type.empty()) ++s.feedback_n;
    if (pairing[t] < 0) {
      s.wrong.push_back(file + " #" + std::to_string(t + 1) + " truth=" + tr.reason + " pred=<none>");
      continue;
    }
    const Pred& p = preds[pairing[t]];
    ++s.paired;
    if (!p.recipient.empty()) ++s.paired_with_address;
    if (p.reason == tr.reason) ++s.reason_ok;
    else s.wrong.push_back(file + " #" + std::to_string(t + 1) + " truth=" + tr.reason + "/" + tr.status +
                           " pred=" + p.reason + "/" + p.status);
    if (!pseudo_code(tr.status) && p.status == tr.status) ++s.status_ok;
    if (p.hard == tr.hard) ++s.hard_ok;
    if (!tr.feedback_type.empty() && p.feedback_type == tr.feedback_type) ++s.feedback_ok;
  }
  s.extra += static_cast<int>(std::count(used.begin(), used.end(), false));
}

TEST(Corpus, DevSetMeetsAccuracyTargets) {
  const fs::path corpus(NDRLINK_CORPUS_DIR);
  if (!fs::exists(corpus / "dev-truth.jsonl")) GTEST_SKIP() << "corpus not found at " << corpus;
  std::map<std::string, std::vector<Truth>> truth;
  std::ifstream in(corpus / "dev-truth.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line);
    Truth t{j.value("status", ""), j.value("reason", ""), j.value("reply_code", ""), j.value("feedback_type", ""),
            j.value("hard_bounce", false)};
    truth[j.at("file").get<std::string>()].push_back(t);  // file order = truth index order
  }
  ASSERT_GT(truth.size(), 300u);
  Score s;
  for (const auto& [file, expected] : truth) {
    const auto report = ndrlink::parser::parse_message(slurp(corpus / "dev" / file));
    std::vector<Pred> preds;
    for (const auto& r : report.recipients)
      preds.push_back(Pred{r.recipient, r.status, r.reason, r.reply_code, r.feedback_type, r.hard});
    score_file(file, expected, preds, s);
  }
  for (const auto& w : s.wrong) std::cout << "  WRONG " << w << '\n';
  std::cout << "reason_accuracy=" << s.reason_accuracy() << " status_accuracy=" << s.status_accuracy()
            << " recipient_recall=" << s.recipient_recall() << " hard_accuracy=" << s.hard_accuracy()
            << " extra=" << s.extra << " feedback_type=" << s.feedback_ok << "/" << s.feedback_n << '\n';
  EXPECT_GE(s.reason_accuracy(), 0.97);
  EXPECT_GE(s.recipient_recall(), 0.99);
  EXPECT_GE(s.status_accuracy(), 0.97);
  EXPECT_EQ(s.feedback_ok, s.feedback_n);
}

// Every file of the corpus parses to a report (no crash, no exception,
// never unparsable) and every bounced recipient is a clean address (or a
// local delivery target such as a "|program" pipe). A complaint may name
// no recipient: the original was sent to "Undisclosed Recipients".
TEST(Corpus, EveryDevMessageParses) {
  const fs::path dev = fs::path(NDRLINK_CORPUS_DIR) / "dev";
  if (!fs::exists(dev)) GTEST_SKIP() << "corpus not found at " << dev;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dev)) {
    ++files;
    const auto report = ndrlink::parser::parse_message(slurp(entry.path()));
    EXPECT_NE(report.kind, Kind::unparsable) << entry.path() << ": " << report.error;
    for (const auto& r : report.recipients) {
      EXPECT_FALSE(r.reason.empty()) << entry.path();
      if (report.kind == Kind::arf) continue;
      EXPECT_FALSE(r.recipient.empty()) << entry.path();
      EXPECT_EQ(r.recipient.find_first_of("\t<>\r\n"), std::string::npos) << entry.path() << ": " << r.recipient;
      if (!r.recipient.starts_with("|") && !r.recipient.starts_with("/")) {
        EXPECT_NE(r.recipient.find('@'), std::string::npos) << entry.path() << ": " << r.recipient;
      }
    }
  }
  EXPECT_GE(files, 300);
}

}  // namespace
