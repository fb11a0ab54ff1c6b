// ndrlink report: the period's acceptances, what became of them, and the
// reports received, as text, JSON, CSV or HTML (docs/report.md).
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "context.h"
#include "report_model.h"
#include "report_period.h"

namespace ndrlink::cli {
namespace {

struct ReportArgs {
  PeriodOptions period;
  std::string tz = "UTC", format = "text", output;
  int domains = 20;
};

int run_report(const ReportArgs& args) {
  const Zone zone(args.tz);
  const auto now = cli_clock()();
  const auto periods = choose_periods(args.period, zone, now);
  auto store = open_store(true);
  ReportDocument doc;
  doc.data = storage::read_report(*store, periods.current, periods.previous);
  doc.current = periods.current_label;
  doc.previous = periods.previous_label;
  doc.time_zone = zone.name();
  doc.generated_at = correlator::to_iso(now);
  doc.domain_limit = args.domains;
  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output, std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error("--output: cannot write " + args.output);
  }
  std::ostream& out = args.output.empty() ? std::cout : file;
  if (args.format == "json") render_json(doc, out);
  else if (args.format == "csv") render_csv(doc, out);
  else if (args.format == "html") render_html(doc, out);
  else render_text(doc, out);
  out.flush();
  if (!out) throw std::runtime_error("cannot write the report" + (args.output.empty() ? "" : " to " + args.output));
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, Action& run) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Report a period's acceptances and what became of them");
  auto* date = cmd->add_option("--date", args->period.date, "The local day YYYY-MM-DD");
  auto* yesterday = cmd->add_flag("--yesterday", args->period.yesterday, "The local day before today (default)");
  auto* since = cmd->add_option("--since", args->period.since, "Start: local date or ISO 8601 time");
  auto* until = cmd->add_option("--until", args->period.until, "End (excluded): local date or ISO 8601 time");
  date->excludes(yesterday)->excludes(since)->excludes(until);
  yesterday->excludes(since)->excludes(until);
  cmd->add_option("--tz", args->tz, "IANA time zone of the day boundaries (default UTC)");
  cmd->add_option("--format", args->format, "text, json, csv or html")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}));
  cmd->add_option("--output", args->output, "Write to this file instead of standard output");
  cmd->add_option("--domains", args->domains, "Domain rows (default 20; 0 = all)")->check(CLI::Range(0, 100000000));
  cmd->callback([&run, args] { run = [args] { return run_report(*args); }; });
}

}  // namespace ndrlink::cli
