#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "context.h"
#include "ndrlink/correlator/acceptance_input.h"
#include "output.h"

namespace ndrlink::cli {
namespace {

using correlator::Fields;

struct RecordArgs {
  Fields fields;
  std::string format = "text";
};

std::string verp_domain_for(const storage::NewAcceptance& a) {
  if (!global_options().verp_domain.empty()) return global_options().verp_domain;
  const auto at = a.sender.rfind('@');
  return at == std::string::npos ? std::string() : a.sender.substr(at + 1);
}

// Records one acceptance and gives it its VERP token, in one transaction.
Row record_one(storage::Store& store, const correlator::VerpSigner& signer, const storage::NewAcceptance& a) {
  storage::Transaction tx(store);
  const auto outcome = store.record_acceptance(a, [&](std::int64_t id) { return signer.token_for(id); });
  const std::string token = signer.token_for(outcome.id);
  tx.commit();
  Row row;
  row["id"] = outcome.id;
  row["created"] = outcome.created;
  row["recipient"] = a.recipient;
  row["verp_token"] = token;
  const auto domain = verp_domain_for(a);
  row["verp_address"] = domain.empty() ? Row() : Row(global_options().verp_prefix + token + "@" + domain);
  return row;
}

int run_record(const RecordArgs& args) {
  const auto now = cli_clock()();
  auto parsed = correlator::acceptance_from_fields(args.fields, now, "cli");
  if (auto* error = std::get_if<std::string>(&parsed)) {
    std::cerr << "ndrlink record: " << *error << '\n';
    return 2;
  }
  auto store = open_store();
  const auto signer = load_signer(true);
  const Row row = record_one(*store, *signer, std::get<storage::NewAcceptance>(parsed));
  if (args.format == "text") {
    std::cout << row["id"].get<std::int64_t>();
    if (!row["verp_address"].is_null()) std::cout << ' ' << row["verp_address"].get<std::string>();
    else std::cout << ' ' << row["verp_token"].get<std::string>();
    std::cout << (row["created"].get<bool>() ? "" : " (already recorded)") << '\n';
  } else {
    print_rows({row}, args.format, std::cout);
  }
  return 0;
}

// --- import ------------------------------------------------------------

// RFC 4180 fields of one CSV record; false when a quote is unterminated.
bool split_csv(const std::string& line, std::vector<std::string>& out) {
  out.clear();
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c != '\r' || i + 1 != line.size()) {
      field += c;
    }
  }
  if (quoted) return false;
  out.push_back(std::move(field));
  return true;
}

struct ImportArgs {
  std::string file;
  std::string format = "auto";  // auto | jsonl | csv
  int batch = 10000;
};

int run_import(const ImportArgs& args) {
  std::ifstream file_in;
  std::istream* in = &std::cin;
  if (args.file != "-") {
    file_in.open(args.file, std::ios::binary);
    if (!file_in) {
      std::cerr << "ndrlink import: cannot open " << args.file << '\n';
      return 1;
    }
    in = &file_in;
  }
  auto store = open_store();
  const auto signer = load_signer(true);
  const auto now = cli_clock()();
  std::string format = args.format;
  std::vector<std::string> header, cells;
  std::string line;
  long line_no = 0, created = 0, existing = 0, errors = 0, in_batch = 0;
  auto tx = std::make_unique<storage::Transaction>(*store);
  auto fail = [&](const std::string& what) {
    ++errors;
    std::cerr << "ndrlink import: " << args.file << ":" << line_no << ": " << what << '\n';
  };
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    if (format == "auto") format = line.front() == '{' ? "jsonl" : "csv";
    Fields fields;
    if (format == "csv") {
      if (!split_csv(line, cells)) {
        fail("unterminated quote");
        continue;
      }
      if (header.empty()) {
        header = cells;
        continue;
      }
      if (cells.size() != header.size()) {
        fail("expected " + std::to_string(header.size()) + " fields, found " + std::to_string(cells.size()));
        continue;
      }
      for (std::size_t i = 0; i < cells.size(); ++i)
        if (!cells[i].empty()) fields.emplace_back(header[i], cells[i]);
    } else {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        fail("not a JSON object");
        continue;
      }
      bool bad = false;
      for (const auto& [k, v] : j.items()) {
        if (v.is_null()) continue;
        if (v.is_string()) fields.emplace_back(k, v.get<std::string>());
        else if (v.is_number_integer()) fields.emplace_back(k, std::to_string(v.get<long long>()));
        else bad = true;
      }
      if (bad) {
        fail("field values must be strings or integers");
        continue;
      }
    }
    auto parsed = correlator::acceptance_from_fields(fields, now, "import");
    if (auto* error = std::get_if<std::string>(&parsed)) {
      fail(*error);
      continue;
    }
    const auto outcome = store->record_acceptance(std::get<storage::NewAcceptance>(parsed),
                                                  [&](std::int64_t id) { return signer->token_for(id); });
    if (outcome.created) {
      ++created;
    } else {
      ++existing;
    }
    if (++in_batch >= args.batch) {
      tx->commit();
      tx = std::make_unique<storage::Transaction>(*store);
      in_batch = 0;
    }
  }
  tx->commit();
  std::cerr << "ndrlink import: " << created << " recorded, " << existing << " already present, " << errors
            << " rejected\n";
  return errors ? 1 : 0;
}

}  // namespace

void add_record_commands(CLI::App& app, Action& run) {
  auto record = std::make_shared<RecordArgs>();
  auto values = std::make_shared<std::map<std::string, std::string>>();
  auto* cmd = app.add_subcommand("record", "Record one accepted recipient; prints its id and VERP address");
  for (const auto& [flag, field, help] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--rcpt", "rcpt", "Recipient address (required)"},
           {"--code", "code", "RCPT reply code: 250, 251 or 252 (required)"},
           {"--text", "text", "Reply text"},
           {"--status", "status", "Enhanced status code of the reply"},
           {"--mx", "mx", "MX host that answered"},
           {"--sender", "sender", "Envelope sender"},
           {"--message-id", "message_id", "Message-ID of the accepted message"},
           {"--envid", "envid", "ENVID sent with MAIL FROM"},
           {"--at", "at", "Time of acceptance, ISO 8601 (default: now)"}}) {
    auto* opt = cmd->add_option(flag, (*values)[field], help);
    if (field == "rcpt" || field == "code") opt->required();
  }
  cmd->add_option("--format", record->format, "Output format")->check(CLI::IsMember({"text", "json", "csv"}));
  cmd->callback([&run, record, values] {
    for (const auto& [k, v] : *values)
      if (!v.empty()) record->fields.emplace_back(k, v);
    run = [record] { return run_record(*record); };
  });

  auto import = std::make_shared<ImportArgs>();
  auto* imp = app.add_subcommand("import", "Record acceptances from a JSON Lines or CSV file (- for stdin)");
  imp->add_option("file", import->file, "File of acceptances, one per line (CSV: header row first)")->required();
  imp->add_option("--input-format", import->format, "Input format")->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  imp->add_option("--batch", import->batch, "Rows per transaction")->check(CLI::Range(1, 1000000));
  imp->callback([&run, import] { run = [import] { return run_import(*import); }; });
}

}  // namespace ndrlink::cli
