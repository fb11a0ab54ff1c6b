#include "ndrlink/correlator/correlator.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

namespace ndrlink::correlator {
namespace {

using storage::Acceptance;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

// `address` with the xtext escapes of '+', '=' and space decoded (RFC 3461
// 4: an MTA that echoes the ORCPT as it came puts "user+2Btag@" in
// Original-Recipient); only those, since a '+' tag like "+AB" is
// otherwise ambiguous.
std::string xtext_decoded(std::string_view address) {
  std::string out;
  for (std::size_t i = 0; i < address.size(); ++i) {
    if (address[i] == '+' && i + 2 < address.size()) {
      const auto hex = address.substr(i + 1, 2);
      const char c = hex == "2b" || hex == "2B" ? '+' : hex == "3d" || hex == "3D" ? '=' : hex == "20" ? ' ' : '\0';
      if (c) {
        out += c;
        i += 2;
        continue;
      }
    }
    out += address[i];
  }
  return out;
}

bool is_open(const std::string& state) { return state == storage::kPending || state == storage::kDelayed; }

// One acceptance when the candidates name exactly one, preferring those
// still open; ambiguous matches stay unmatched.
std::optional<std::int64_t> unique_candidate(const std::vector<Acceptance>& candidates) {
  if (candidates.size() == 1) return candidates.front().id;
  std::optional<std::int64_t> open;
  for (const auto& a : candidates) {
    if (!is_open(a.state)) continue;
    if (open) return std::nullopt;
    open = a.id;
  }
  return open;
}

void append_unique(std::vector<Acceptance>& to, std::vector<Acceptance> from) {
  for (auto& a : from)
    if (std::none_of(to.begin(), to.end(), [&](const Acceptance& b) { return b.id == a.id; })) to.push_back(std::move(a));
}

struct Target {
  std::string state;  // wanted state
  std::string why;
  bool resolve = false;
};

Target target_for(const parser::Report& report, const storage::ReportRecipientRow& row) {
  using parser::Kind;
  if (report.kind == Kind::arf)
    return {"", "complaint (feedback-type " + (row.feedback_type.empty() ? std::string("abuse") : row.feedback_type) + ")",
            false};
  if (report.kind == Kind::autoreply) return {storage::kDelivered, "auto-reply from the recipient", true};
  if (row.action == "delivered") return {storage::kDelivered, "success DSN", true};
  // Relayed to an MTA without DSN support, or expanded to a list: the DSN
  // trail ends there, delivery is not confirmed; a later NDR may follow.
  if (row.action == "relayed" || row.action == "expanded") return {"", "DSN action " + row.action, false};
  if (row.action == "delayed")
    return {storage::kDelayed, "delay notice" + (row.status.empty() ? std::string() : " " + row.status), false};
  std::string why = "bounce: " + (row.reason.empty() ? std::string("undefined") : row.reason);
  if (!row.status.empty()) why += " " + row.status;
  why += row.hard ? " (hard)" : " (soft)";
  return {storage::kBounced, why, true};
}

// DESIGN.md "States": pending -> delayed -> bounced | delivered |
// presumed_delivered; a late NDR turns presumed_delivered into bounced;
// nothing else moves backwards.
bool allowed(const std::string& from, const std::string& to) {
  if (to == storage::kDelayed) return from == storage::kPending;
  if (to == storage::kBounced || to == storage::kDelivered)
    return from == storage::kPending || from == storage::kDelayed || from == storage::kPresumedDelivered;
  if (to == storage::kPresumedDelivered) return is_open(from);
  return false;
}

}  // namespace

Correlator::Correlator(storage::Store& store, const VerpSigner* signer, CorrelatorOptions options, Clock clock)
    : store_(store), signer_(signer), options_(options), clock_(std::move(clock)) {}

std::string Correlator::content_key(std::string_view raw) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(raw.data(), raw.size(), digest, &len, EVP_sha256(), nullptr);
  std::string out = "sha256:";
  char hex[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

std::optional<Correlator::Link> Correlator::find_link(const parser::Report& report, const parser::RecipientResult& r,
                                                      std::string& suspicious) {
  const std::string key = lower(r.recipient), okey = lower(r.original_recipient), xkey = xtext_decoded(okey);
  // An XVERP return path names the address the mail was relayed to, one
  // recipient per bounce (the upstream sends one per VERP address): that
  // report's recipient, before any rewriting the report's fields show.
  const std::string vkey = report.recipients.size() == 1 ? lower(report.verp_recipient) : std::string();
  // Other keys the report's recipient may go by.
  std::vector<std::string> more_keys;
  for (const auto* k : {&okey, &xkey, &vkey})
    if (!k->empty() && *k != key && std::find(more_keys.begin(), more_keys.end(), *k) == more_keys.end())
      more_keys.push_back(*k);
  auto same_recipient = [&](const Acceptance& a) {
    return a.recipient_key == key ||
           std::find(more_keys.begin(), more_keys.end(), a.recipient_key) != more_keys.end();
  };

  // 1 and 2: authenticated tokens. A token that fails is forged or altered:
  // the whole report is distrusted, weaker evidence included.
  const std::pair<std::string_view, std::string_view> tokens[] = {{report.verp_token, kLinkVerp},
                                                                  {report.ndrlink_id, kLinkHeader}};
  for (const auto& [token, method] : tokens) {
    if (token.empty() || !signer_) continue;
    const auto id = signer_->verify(token);
    if (!id) {
      suspicious = std::string(method) + " token fails verification";
      return std::nullopt;
    }
    const auto a = store_.acceptance(*id);
    if (!a) {
      suspicious = std::string(method) + " token names no acceptance";
      return std::nullopt;
    }
    if (same_recipient(*a)) return Link{a->id, method, 1.0};
    // A relayed copy with several recipients carries its first one's token
    // (relay.verp_scope = message, or no VERP): the recipient picks the
    // acceptance among the copy's, looked up by the stored token (the
    // bounce's may differ in case).
    const auto copy =
        a->copy_token.empty() ? std::vector<Acceptance>{} : store_.acceptances_by_copy_token(a->copy_token);
    std::vector<Acceptance> same;
    for (const auto& c : copy)
      if (same_recipient(c)) same.push_back(c);
    if (const auto id = unique_candidate(same)) return Link{*id, method, 1.0};
    // A token that names one recipient: a one-recipient report is about it
    // whatever its (rewritten, forwarded) recipient says.
    if (report.recipients.size() == 1 && copy.size() <= 1) return Link{a->id, method, 1.0};
  }

  // 3 and 4: the original message's identity plus the recipient.
  if (!report.envid.empty()) {
    auto c = store_.acceptances_by_envid(report.envid, key);
    for (const auto& k : more_keys) append_unique(c, store_.acceptances_by_envid(report.envid, k));
    if (const auto id = unique_candidate(c)) return Link{*id, kLinkEnvid, 0.9};
  }
  if (!report.original_message_id.empty()) {
    auto c = store_.acceptances_by_message_id(report.original_message_id, key);
    for (const auto& k : more_keys)
      append_unique(c, store_.acceptances_by_message_id(report.original_message_id, k));
    if (const auto id = unique_candidate(c)) return Link{*id, kLinkMessageId, 0.8};
  }
  // A report that names its message but matched nothing is about other
  // mail: the recipient alone must not resolve an acceptance.
  if (!report.envid.empty() || !report.original_message_id.empty() || !report.verp_token.empty() ||
      !report.ndrlink_id.empty())
    return std::nullopt;

  // 5: the recipient alone, only when exactly one open acceptance matches:
  // the XVERP one (the address that was relayed), or the report's when no
  // acceptance has the XVERP one at all (an upstream told not to keep
  // original recipients encodes the rewritten one). An XVERP recipient
  // with several open acceptances, or only closed ones, is not passed over.
  TimePoint at = clock_();
  if (const auto arrival = parse_iso(report.arrival_date); arrival && *arrival < at) at = *arrival;
  const auto since = to_iso(at - options_.window), until = to_iso(clock_());
  auto found = vkey.empty() ? std::vector<Acceptance>{} : store_.acceptances_by_recipient(vkey, since, until);
  if (found.empty() && !key.empty()) found = store_.acceptances_by_recipient(key, since, until);
  std::vector<Acceptance> candidates;
  for (auto& a : found)
    if (is_open(a.state) || a.state == storage::kPresumedDelivered) candidates.push_back(std::move(a));
  if (candidates.size() == 1) return Link{candidates.front().id, kLinkRecipient, 0.5};
  return std::nullopt;
}

void Correlator::apply(const parser::Report& report, const storage::ReportRecipientRow& row, const Link& link,
                       RecipientOutcome& out) {
  const auto a = store_.acceptance(link.acceptance_id);
  if (!a) return;
  store_.link_recipient(row.id, a->id, link.method, link.confidence);
  out.acceptance_id = a->id;
  out.link_method = std::string(link.method);
  out.confidence = link.confidence;

  const Target target = target_for(report, row);
  storage::StateChange change;
  change.acceptance_id = a->id;
  change.from_state = a->state;
  change.at = to_iso(clock_());
  change.why = target.why + " via " + std::string(link.method);
  change.report_recipient_id = row.id;
  // A hard bounce after a soft one: the address is now known bad.
  const bool hardens = a->state == storage::kBounced && target.state == storage::kBounced && row.hard &&
                       !a->hard.value_or(false);
  if (!target.state.empty() && (allowed(a->state, target.state) || hardens)) {
    change.to_state = target.state;
    change.resolve = target.resolve;
    change.reason = row.reason;
    if (target.state == storage::kBounced) change.hard = row.hard;
    if (store_.change_state(change)) {
      out.from_state = a->state;
      out.to_state = target.state;
    }
    return;
  }
  // Out of order or informational (late delay notice, complaint): history only.
  change.to_state = a->state;
  change.event_only = true;
  if (!target.state.empty()) change.why += " (kept " + a->state + ")";
  store_.change_state(change);
}

IngestOutcome Correlator::ingest(std::string_view source_key, const parser::Report& report, std::string_view raw) {
  IngestOutcome outcome;
  outcome.kind = report.kind;
  // The same bytes under another key (a mailbox rescanned after a
  // UIDVALIDITY change, a file copied) are the same report. Without the
  // bytes (a report made by hand): by key only.
  const std::string content = raw.empty() ? std::string() : content_key(raw);
  storage::Transaction tx(store_);
  if (store_.has_report(source_key)) {
    outcome.duplicate = true;
    return outcome;
  }
  if (!content.empty() && store_.has_report_content(content)) {
    outcome.duplicate = outcome.same_content = true;
    return outcome;
  }
  storage::StoredReport stored;
  stored.source_key = std::string(source_key);
  stored.content_sha256 = content;
  stored.kind = std::string(parser::to_string(report.kind));
  stored.family = report.family;
  stored.reporting_mta = report.reporting_mta;
  stored.original_message_id = report.original_message_id;
  stored.envid = report.envid;
  stored.verp_token = report.verp_token;
  stored.verp_recipient = report.verp_recipient;
  stored.ndrlink_id = report.ndrlink_id;
  stored.subject = report.subject;
  stored.from_address = report.from;
  stored.arrival_date = report.arrival_date;
  stored.received_at = to_iso(clock_());
  stored.parse_error = report.error;
  if (options_.keep_raw) stored.raw = std::string(raw);
  int position = 0;
  for (const auto& r : report.recipients) {
    storage::ReportRecipientRow row;
    row.position = position++;
    row.recipient = r.recipient;
    row.original_recipient = r.original_recipient;
    row.action = r.action;
    row.status = r.status;
    row.reply_code = r.reply_code;
    row.reason = r.reason;
    row.hard = r.hard;
    row.diagnostic = r.diagnostic;
    row.remote_mta = r.remote_mta;
    row.feedback_type = r.feedback_type;
    stored.recipients.push_back(std::move(row));
  }
  if (!store_.insert_report(stored)) {
    outcome.duplicate = true;
    return outcome;
  }
  outcome.report_id = stored.id;
  for (std::size_t i = 0; i < report.recipients.size(); ++i) {
    const auto& r = report.recipients[i];
    const auto& row = stored.recipients[i];
    RecipientOutcome out;
    out.recipient = r.recipient;
    out.action = r.action;
    out.status = r.status;
    out.reason = r.reason;
    out.hard = r.hard;
    if (const auto link = find_link(report, r, out.suspicious)) apply(report, row, *link, out);
    if (!out.suspicious.empty()) store_.mark_suspicious(row.id, out.suspicious);
    outcome.recipients.push_back(std::move(out));
  }
  tx.commit();
  return outcome;
}

SweepOutcome Correlator::sweep(int batch, int max_batches) {
  SweepOutcome outcome;
  const TimePoint now = clock_();
  const std::string cutoff = to_iso(now - options_.grace);
  const auto grace_min = std::chrono::duration_cast<std::chrono::minutes>(options_.grace).count();
  const std::string why = "no NDR within the grace period (" +
                          (grace_min % 60 == 0 ? std::to_string(grace_min / 60) + " h)" : std::to_string(grace_min) + " min)");
  for (;;) {
    const int before = outcome.presumed_delivered;
    storage::Transaction tx(store_);
    const auto ids = store_.overdue_acceptances(cutoff, batch);
    for (const auto id : ids) {
      const auto a = store_.acceptance(id);
      if (!a || !allowed(a->state, storage::kPresumedDelivered)) continue;
      storage::StateChange change;
      change.acceptance_id = id;
      change.from_state = a->state;
      change.to_state = storage::kPresumedDelivered;
      change.at = to_iso(now);
      change.why = why;
      if (store_.change_state(change)) ++outcome.presumed_delivered;
    }
    tx.commit();
    // Stop when the last batch was short, or made no progress (cannot loop).
    if (static_cast<int>(ids.size()) < batch || outcome.presumed_delivered == before) break;
    if (max_batches > 0 && --max_batches == 0) {
      outcome.more = true;
      break;
    }
  }
  return outcome;
}

}  // namespace ndrlink::correlator
