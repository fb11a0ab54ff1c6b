#include <iostream>
#include <memory>

#include "commands.h"
#include "context.h"
#include "ndrlink/correlator/acceptance_input.h"
#include "output.h"

namespace ndrlink::cli {
namespace {

bool final_state(const std::string& s) {
  return s == storage::kBounced || s == storage::kDelivered || s == storage::kPresumedDelivered;
}

Row nullable(const std::string& s) { return s.empty() ? Row() : Row(s); }

Row acceptance_row(storage::Store& store, const storage::Acceptance& a) {
  Row row;
  row["id"] = a.id;
  row["recipient"] = a.recipient;
  row["state"] = a.state;
  row["reason"] = nullable(a.reason);
  row["hard"] = a.hard ? Row(*a.hard) : Row();
  row["reply_code"] = a.reply_code;
  row["accepted_at"] = a.accepted_at;
  row["resolved_at"] = final_state(a.state) ? Row(a.state_at) : Row();
  std::optional<storage::ReportRecipientRow> link;
  if (a.resolved_by) link = store.report_recipient(*a.resolved_by);
  row["link_method"] = link ? nullable(link->link_method) : Row();
  row["confidence"] = link ? Row(link->link_confidence) : Row();
  row["message_id"] = nullable(a.message_id);
  row["report_id"] = link ? Row(link->report_id) : Row();
  return row;
}

struct QueryArgs {
  std::string format = "table";
  std::string address, message_id, state, domain, since, until;
  int code = 0, limit = 0;
  bool events = false;
};

std::string iso_or_throw(const std::string& flag, const std::string& value) {
  if (value.empty()) return {};
  const auto t = correlator::parse_iso(value);
  if (!t) throw std::runtime_error(flag + ": not an ISO 8601 time: " + value);
  return correlator::to_iso(*t);
}

// "at from -> to: why" for the text formats.
std::string event_text(const Row& e) {
  return e["at"].get<std::string>() + " " + (e["from"].is_null() ? std::string("-") : e["from"].get<std::string>()) +
         " -> " + e["to"].get<std::string>() + ": " + e["why"].get<std::string>();
}

int print_acceptances(storage::Store& store, const std::vector<storage::Acceptance>& list, const QueryArgs& args) {
  std::vector<Row> rows;
  std::string history;  // table format: printed after the table
  for (const auto& a : list) {
    Row row = acceptance_row(store, a);
    if (args.events) {
      Row events = Row::array();
      for (const auto& e : store.events_for(a.id))
        events.push_back(Row{{"at", e.at}, {"from", nullable(e.from_state)}, {"to", e.to_state}, {"why", e.why}});
      if (args.format == "json") {
        row["events"] = events;
      } else if (args.format == "csv") {
        std::string cell;
        for (const auto& e : events) cell += (cell.empty() ? "" : " | ") + event_text(e);
        row["events"] = cell;
      } else {
        for (const auto& e : events) history += "# acceptance " + std::to_string(a.id) + " " + event_text(e) + "\n";
      }
    }
    rows.push_back(std::move(row));
  }
  print_rows(rows, args.format, std::cout);
  std::cout << history;
  return 0;
}

int run_status(const QueryArgs& args) {
  auto store = open_store(true);
  storage::AcceptanceFilter f;
  f.recipient_key = args.address;
  const auto list = store->list_acceptances(f);
  if (list.empty()) {
    std::cerr << "ndrlink status: no acceptance recorded for " << args.address << '\n';
    return 3;
  }
  return print_acceptances(*store, list, args);
}

int run_show(const QueryArgs& args) {
  auto store = open_store(true);
  storage::AcceptanceFilter f;
  f.message_id = correlator::normalise_message_id(args.message_id);
  const auto list = store->list_acceptances(f);
  if (list.empty()) {
    std::cerr << "ndrlink show: no acceptance recorded for message " << f.message_id << '\n';
    return 3;
  }
  return print_acceptances(*store, list, args);
}

int run_list(const QueryArgs& args) {
  if (!args.state.empty() && !storage::is_valid_state(args.state))
    throw std::runtime_error("--state: unknown state " + args.state);
  auto store = open_store(true);
  storage::AcceptanceFilter f;
  f.state = args.state;
  f.domain = args.domain;
  f.reply_code = args.code;
  f.since = iso_or_throw("--since", args.since);
  f.until = iso_or_throw("--until", args.until);
  f.limit = args.limit;
  return print_acceptances(*store, store->list_acceptances(f), args);
}

int run_unmatched(const QueryArgs& args) {
  auto store = open_store(true);
  std::vector<Row> rows;
  for (const auto& u : store->unmatched(args.limit > 0 ? args.limit : 1000000)) {
    Row row;
    row["report_id"] = u.report_id;
    row["source_key"] = u.source_key;
    row["kind"] = u.kind;
    row["received_at"] = u.received_at;
    row["recipient"] = nullable(u.recipient);
    row["action"] = nullable(u.action);
    row["status"] = nullable(u.status);
    row["reason"] = nullable(u.reason);
    row["original_message_id"] = nullable(u.original_message_id);
    row["suspicious"] = nullable(u.suspicious);
    rows.push_back(std::move(row));
  }
  print_rows(rows, args.format, std::cout);
  return 0;
}

CLI::App* query_subcommand(CLI::App& app, const char* name, const char* help, std::shared_ptr<QueryArgs> args) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"table", "json", "csv"}));
  return cmd;
}

}  // namespace

void add_query_commands(CLI::App& app, Action& run) {
  auto status = std::make_shared<QueryArgs>();
  auto* st = query_subcommand(app, "status", "Show every acceptance of an address and what became of it", status);
  st->add_option("address", status->address, "Recipient address")->required();
  st->add_flag("--events", status->events, "Include the history of each acceptance");
  st->callback([&run, status] { run = [status] { return run_status(*status); }; });

  auto show = std::make_shared<QueryArgs>();
  auto* sh = query_subcommand(app, "show", "Show the acceptances of one message, with their history", show);
  sh->add_option("--message-id", show->message_id, "Message-ID of the accepted message")->required();
  show->events = true;
  sh->callback([&run, show] { run = [show] { return run_show(*show); }; });

  auto list = std::make_shared<QueryArgs>();
  auto* ls = query_subcommand(app, "list", "List acceptances, filtered", list);
  ls->add_option("--state", list->state, "pending, delayed, bounced, delivered or presumed_delivered");
  ls->add_option("--domain", list->domain, "Recipient domain");
  ls->add_option("--code", list->code, "Reply code (250, 251, 252)")->check(CLI::Range(200, 299));
  ls->add_option("--since", list->since, "Accepted at or after (ISO 8601)");
  ls->add_option("--until", list->until, "Accepted before (ISO 8601)");
  ls->add_option("--limit", list->limit, "At most this many rows")->check(CLI::Range(1, 100000000));
  ls->callback([&run, list] { run = [list] { return run_list(*list); }; });

  auto unmatched = std::make_shared<QueryArgs>();
  auto* um = query_subcommand(app, "unmatched", "List report results linked to no acceptance", unmatched);
  um->add_option("--limit", unmatched->limit, "At most this many rows")->check(CLI::Range(1, 100000000));
  um->callback([&run, unmatched] { run = [unmatched] { return run_unmatched(*unmatched); }; });
}

}  // namespace ndrlink::cli
