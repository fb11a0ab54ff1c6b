#include "dsn.h"

#include "dates.h"
#include "fields.h"
#include "status.h"
#include "text.h"

namespace ndrlink::parser {

std::string strip_type(std::string_view value, std::string* type) {
  value = text::trim(value);
  const std::size_t semi = value.find(';');
  // A type is a short atom ("rfc822", "smtp", "x-unix", "dns").
  if (semi != std::string_view::npos && semi > 0 && semi < 24 &&
      value.substr(0, semi).find_first_of(" @<\"") == std::string_view::npos) {
    if (type) *type = text::lower(text::trim(value.substr(0, semi)));
    return std::string(text::trim(value.substr(semi + 1)));
  }
  if (type) type->clear();
  return std::string(value);
}

namespace {

std::string normalise_action(std::string_view action) {
  auto a = text::lower(text::trim(action));
  if (auto p = a.find_first_of(" ;("); p != std::string::npos) a.resize(p);
  if (a == "failure" || a == "fail") return "failed";
  if (a == "delay") return "delayed";
  if (a == "deliverable" || a == "success") return "delivered";
  return a;
}

bool is_recipient_field(std::string_view name) {
  return text::iequals(name, "Final-Recipient") || text::iequals(name, "X-Actual-Recipient") ||
         text::iequals(name, "Original-Recipient");
}

void apply_per_message(const Field& f, Report& report) {
  if (text::iequals(f.name, "Reporting-MTA")) {
    if (report.reporting_mta.empty()) report.reporting_mta = strip_type(f.value);
  } else if (text::iequals(f.name, "Received-From-MTA")) {
    if (report.received_from_mta.empty()) report.received_from_mta = strip_type(f.value);
  } else if (text::iequals(f.name, "Arrival-Date")) {
    if (report.arrival_date.empty()) report.arrival_date = rfc5322_to_iso8601(f.value);
  } else if (text::iequals(f.name, "Original-Envelope-Id")) {
    if (report.envid.empty()) report.envid = std::string(text::trim(f.value));
  }
}

bool is_per_recipient_field(std::string_view name) {
  for (auto n : {"Action", "Status", "Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date", "Will-Retry-Until"})
    if (text::iequals(name, n)) return true;
  return false;
}

bool group_names_recipient(const Fields& group) {
  for (const Field& f : group.list())
    if (is_recipient_field(f.name)) return true;
  return false;
}

// Per-recipient fields cut off from their recipient's group by a line that
// is not a field (MessageLabs' multi-line Diagnostic-Code): moved to the
// front of the next group, which names the recipient.
void join_stray_fields(std::vector<Fields>& groups) {
  for (std::size_t i = 0; i + 1 < groups.size(); ++i) {
    if (group_names_recipient(groups[i]) || !group_names_recipient(groups[i + 1])) continue;
    auto& from = groups[i].list();
    auto& to = groups[i + 1].list();
    std::vector<Field> moved;
    std::erase_if(from, [&](Field& f) {
      if (!is_per_recipient_field(f.name)) return false;
      moved.push_back(std::move(f));
      return true;
    });
    to.insert(to.begin(), std::make_move_iterator(moved.begin()), std::make_move_iterator(moved.end()));
  }
}

}  // namespace

std::size_t read_delivery_status(std::string_view body, Report& report) {
  std::size_t added = 0;
  std::vector<Fields> groups = parse_field_groups(body);
  join_stray_fields(groups);
  for (const Fields& group : groups) {
    RecipientResult* current = nullptr;
    bool current_has_final = false;
    const bool names_recipient = group_names_recipient(group);
    for (const Field& f : group.list()) {
      if (is_recipient_field(f.name)) {
        // X-Actual-Recipient (sendmail) beside a Final-Recipient is the same entry.
        const bool final = text::iequals(f.name, "Final-Recipient");
        const bool original = text::iequals(f.name, "Original-Recipient");
        // A second Final-Recipient in one group: the blank line was lost.
        if (!current || (final && current_has_final) || (original && !current->original_recipient.empty())) {
          report.recipients.emplace_back();
          current = &report.recipients.back();
          current_has_final = false;
          ++added;
        }
        const std::string addr = text::clean_address(strip_type(f.value));
        if (text::iequals(f.name, "Original-Recipient")) {
          current->original_recipient = addr;
        } else if (text::iequals(f.name, "Final-Recipient") || current->recipient.empty()) {
          current->recipient = addr;
          current_has_final = current_has_final || final;
        }
        continue;
      }
      if (!current && names_recipient && is_per_recipient_field(f.name)) {
        // Per-recipient fields written before the address (MessageLabs,
        // Facebook): the entry starts here and the address fills it in.
        report.recipients.emplace_back();
        current = &report.recipients.back();
        ++added;
      }
      if (!current) {
        apply_per_message(f, report);
        continue;
      }
      if (text::iequals(f.name, "Action")) {
        current->action = normalise_action(f.value);
      } else if (text::iequals(f.name, "Status")) {
        const auto code = status::find_enhanced(f.value);
        if (!code.empty()) current->status = code;
      } else if (text::iequals(f.name, "Remote-MTA")) {
        current->remote_mta = strip_type(f.value);
      } else if (text::iequals(f.name, "Diagnostic-Code")) {
        std::string type;
        std::string diag = strip_type(f.value, &type);
        if (!current->diagnostic.empty()) current->diagnostic += " ";
        current->diagnostic += diag;
        current->diagnostic_type = type;
      } else if (text::iequals(f.name, "Last-Attempt-Date")) {
        current->last_attempt_date = rfc5322_to_iso8601(f.value);
      } else if (text::iequals(f.name, "Will-Retry-Until")) {
        current->will_retry_until = rfc5322_to_iso8601(f.value);
      } else {
        apply_per_message(f, report);  // per-message fields misplaced in a recipient group
      }
    }
  }
  // Recipient groups with only an Original-Recipient: use it as the recipient.
  for (auto& r : report.recipients)
    if (r.recipient.empty()) r.recipient = r.original_recipient;
  return added;
}

}  // namespace ndrlink::parser
