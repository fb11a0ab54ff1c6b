#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "context.h"
#include "import_reader.h"
#include "work_queue.h"
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
  // Parsing and validating lines (JSON, CSV, times) runs on its own thread
  // while this one writes: the two overlap on two cores.
  daemon::BoundedQueue<std::vector<ParsedLine>> chunks(4);
  std::exception_ptr reader_failure;
  std::thread reader([&] {
    try {
      ImportReader lines(*in, args.format, cli_clock()());
      for (auto chunk = lines.next(2000); !chunk.empty(); chunk = lines.next(2000))
        if (!chunks.push(std::move(chunk))) break;
    } catch (...) {
      reader_failure = std::current_exception();
    }
    chunks.close();
  });
  long created = 0, existing = 0, errors = 0, in_batch = 0;
  try {
    auto tx = std::make_unique<storage::Transaction>(*store);
    while (auto chunk = chunks.pop()) {
      for (auto& line : *chunk) {
        if (!line.acceptance) {
          ++errors;
          std::cerr << "ndrlink import: " << args.file << ":" << line.line_no << ": " << line.error << '\n';
          continue;
        }
        const auto outcome =
            store->record_acceptance(*line.acceptance, [&](std::int64_t id) { return signer->token_for(id); });
        ++(outcome.created ? created : existing);
        if (++in_batch >= args.batch) {
          tx->commit();
          tx = std::make_unique<storage::Transaction>(*store);
          in_batch = 0;
        }
      }
    }
    tx->commit();
  } catch (...) {
    chunks.close();
    reader.join();
    throw;
  }
  reader.join();
  if (reader_failure) std::rethrow_exception(reader_failure);
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
