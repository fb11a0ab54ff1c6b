// ndrlink report: the period's acceptances, what became of them, and the
// reports received, as text, JSON, CSV or HTML (docs/report.md).
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "config.h"
#include "context.h"
#include "report_delivery.h"
#include "report_model.h"
#include "report_period.h"

namespace ndrlink::cli {
namespace {

struct ReportArgs {
  PeriodOptions period;
  std::string tz, format = "text", output, config_file, archive_dir, sendmail;
  std::vector<std::string> mail_to;
  int domains = 20;
};

// The report rendered in one format, as a string.
std::string rendered(const ReportDocument& doc, const std::string& format) {
  std::ostringstream out;
  if (format == "json") render_json(doc, out);
  else if (format == "csv") render_csv(doc, out);
  else if (format == "html") render_html(doc, out);
  else render_text(doc, out);
  return out.str();
}

// --config FILE: the [report] section gives the defaults, [store] the
// database unless --db or NDRLINK_DB names one.
void apply_config(ReportArgs& args, std::string& mail_from) {
  if (args.config_file.empty()) return;
  const auto config = daemon::load_config(args.config_file);
  if (args.tz.empty()) args.tz = config.report.time_zone;
  if (args.archive_dir.empty()) args.archive_dir = config.report.archive_dir;
  if (args.mail_to.empty()) args.mail_to = config.report.mail_to;
  if (args.sendmail.empty()) args.sendmail = config.report.sendmail;
  mail_from = config.report.mail_from;
  auto& g = global_options();
  if (g.db == GlobalOptions{}.db && !std::getenv("NDRLINK_DB")) g.db = config.db_path;
}

int run_report(ReportArgs args) {
  std::string mail_from;
  apply_config(args, mail_from);
  if (args.tz.empty()) args.tz = "UTC";
  if (args.sendmail.empty()) args.sendmail = "/usr/sbin/sendmail";
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
  const bool delivering = !args.archive_dir.empty() || !args.mail_to.empty();
  if (!args.archive_dir.empty()) {
    const std::string base = args.archive_dir + "/" + archive_name(doc.current.label);
    write_file_atomically(base + ".html", rendered(doc, "html"));
    write_file_atomically(base + ".json", rendered(doc, "json"));
    std::cerr << "ndrlink report: wrote " << base << ".html and .json\n";
  }
  if (!args.mail_to.empty()) {
    ReportMail mail{args.mail_to, mail_from, "ndrlink report " + doc.current.label, rendered(doc, "text"),
                    rendered(doc, "html")};
    send_with_sendmail(args.sendmail, compose_report_mail(mail));
    std::cerr << "ndrlink report: mailed to " << args.mail_to.size() << " recipient(s)\n";
  }
  // With an archive or mail (the timer's case), standard output only on request.
  if (delivering && args.output.empty()) return 0;
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
  cmd->add_option("--tz", args->tz, "IANA time zone of the day boundaries (default UTC, or [report] time_zone)");
  cmd->add_option("--format", args->format, "text, json, csv or html")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}));
  cmd->add_option("--output", args->output, "Write to this file instead of standard output");
  cmd->add_option("--domains", args->domains, "Domain rows (default 20; 0 = all)")->check(CLI::Range(0, 100000000));
  cmd->add_option("--config", args->config_file, "ndrlinkd's TOML file: [report] defaults and [store] path");
  cmd->add_option("--archive", args->archive_dir, "Also write DIR/<period>.html and DIR/<period>.json");
  cmd->add_option("--mail-to", args->mail_to, "Mail the report (text and HTML) to this address (repeatable)");
  cmd->add_option("--sendmail", args->sendmail, "sendmail(1) program (default /usr/sbin/sendmail)");
  cmd->callback([&run, args] { run = [args] { return run_report(*args); }; });
}

}  // namespace ndrlink::cli
