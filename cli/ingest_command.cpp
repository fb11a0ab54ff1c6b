#include <iostream>
#include <memory>

#include "commands.h"
#include "context.h"
#include "message_files.h"
#include "ndrlink/parser/parser.h"
#include "output.h"

namespace ndrlink::cli {
namespace {

struct IngestArgs {
  std::vector<std::string> paths;
  std::size_t max_bytes = parser::ParseOptions{}.max_message_bytes;
  std::string format = "text";
  bool keep_raw = false;
};

correlator::CorrelatorOptions correlator_options(bool keep_raw, int grace_hours = 0) {
  correlator::CorrelatorOptions o;
  o.keep_raw = keep_raw;
  if (grace_hours > 0) o.grace = std::chrono::hours(grace_hours);
  return o;
}

int run_ingest(const IngestArgs& args) {
  auto store = open_store();
  const auto signer = load_signer(false);
  correlator::Correlator correlator(*store, signer ? &*signer : nullptr, correlator_options(args.keep_raw),
                                    cli_clock());
  int status = 0;
  const auto files = expand_paths(args.paths, [&](const std::string& p, const std::string& why) {
    std::cerr << "ndrlink ingest: " << p << ": " << why << '\n';
    status = 1;
  });
  parser::ParseOptions options;
  options.verp_prefix = global_options().verp_prefix;
  options.max_message_bytes = args.max_bytes;
  std::string data, error;
  std::vector<Row> rows;
  for (const auto& file : files) {
    if (!read_message(file, options.max_message_bytes, data, error)) {
      std::cerr << "ndrlink ingest: " << file.string() << ": " << error << '\n';
      status = 1;
      continue;
    }
    const auto report = parser::parse_message(data, options);
    const auto key = correlator::Correlator::content_key(data);
    const auto outcome = correlator.ingest(key, report, data);
    const auto name = file.filename().string();
    auto base = [&] {
      Row row;
      row["file"] = name;
      row["kind"] = std::string(parser::to_string(outcome.kind));
      row["duplicate"] = outcome.duplicate;
      row["report_id"] = outcome.duplicate ? Row() : Row(outcome.report_id);
      return row;
    };
    if (outcome.recipients.empty()) {
      Row row = base();
      row["recipient"] = nullptr;
      rows.push_back(std::move(row));
    }
    for (const auto& r : outcome.recipients) {
      Row row = base();
      row["recipient"] = r.recipient;
      row["action"] = r.action;
      row["status"] = r.status.empty() ? Row() : Row(r.status);
      row["reason"] = r.reason;
      row["hard"] = r.hard;
      row["acceptance_id"] = r.acceptance_id ? Row(*r.acceptance_id) : Row();
      row["link_method"] = r.link_method.empty() ? Row() : Row(r.link_method);
      row["confidence"] = r.acceptance_id ? Row(r.confidence) : Row();
      row["from_state"] = r.from_state.empty() ? Row() : Row(r.from_state);
      row["to_state"] = r.to_state.empty() ? Row() : Row(r.to_state);
      row["suspicious"] = r.suspicious.empty() ? Row() : Row(r.suspicious);
      rows.push_back(std::move(row));
    }
  }
  if (args.format == "text") {
    for (const auto& r : rows) {
      std::cout << r["file"].get<std::string>() << ": " << r["kind"].get<std::string>();
      if (r["duplicate"].get<bool>()) {
        std::cout << " duplicate (already ingested)\n";
        continue;
      }
      if (r["recipient"].is_null()) {
        std::cout << '\n';
        continue;
      }
      std::cout << ' ' << r["recipient"].get<std::string>() << ' ' << r["reason"].get<std::string>();
      if (r["acceptance_id"].is_null()) std::cout << " unmatched";
      else
        std::cout << " -> acceptance " << r["acceptance_id"].get<std::int64_t>() << " via "
                  << r["link_method"].get<std::string>();
      if (!r["to_state"].is_null())
        std::cout << " (" << r["from_state"].get<std::string>() << " -> " << r["to_state"].get<std::string>() << ")";
      if (!r["suspicious"].is_null()) std::cout << " SUSPICIOUS: " << r["suspicious"].get<std::string>();
      std::cout << '\n';
    }
  } else {
    print_rows(rows, args.format, std::cout);
  }
  return status;
}

struct SweepArgs {
  int grace_hours = 0;
};

int run_sweep(const SweepArgs& args) {
  auto store = open_store();
  correlator::Correlator correlator(*store, nullptr, correlator_options(false, args.grace_hours), cli_clock());
  const auto outcome = correlator.sweep();
  std::cout << outcome.presumed_delivered << " acceptance(s) presumed delivered\n";
  return 0;
}

}  // namespace

void add_ingest_commands(CLI::App& app, Action& run) {
  auto ingest = std::make_shared<IngestArgs>();
  auto* cmd = app.add_subcommand("ingest", "Parse, store and correlate bounce messages (each stored once)");
  cmd->add_option("paths", ingest->paths, "Message files or directories")->required();
  cmd->add_option("--format", ingest->format, "Output format")->check(CLI::IsMember({"text", "json", "csv", "table"}));
  cmd->add_flag("--keep-raw", ingest->keep_raw, "Store a copy of each message in the database");
  cmd->add_option("--max-bytes", ingest->max_bytes, "Read at most this many bytes of each message")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 31));
  cmd->callback([&run, ingest] { run = [ingest] { return run_ingest(*ingest); }; });

  auto sweep = std::make_shared<SweepArgs>();
  auto* sw = app.add_subcommand("sweep", "Mark acceptances with no NDR within the grace period presumed delivered");
  sw->add_option("--grace-hours", sweep->grace_hours, "Grace period in hours (default 120 = 5 days)")
      ->check(CLI::Range(1, 24 * 365));
  sw->callback([&run, sweep] { run = [sweep] { return run_sweep(*sweep); }; });
}

}  // namespace ndrlink::cli
