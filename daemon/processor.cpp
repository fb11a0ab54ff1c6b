#include "processor.h"

#include <sys/stat.h>

#include "ndrlink/correlator/clock.h"
#include "ndrlink/correlator/secret.h"
#include "smtp_records.h"

namespace ndrlink::daemon {
namespace {

std::unique_ptr<storage::Store> open_store(const Config& config) {
  storage::StoreOptions options;
  options.busy_timeout_ms = config.busy_timeout_ms;
  auto store = storage::Store::open(config.db_path, options);
  return store;
}

correlator::CorrelatorOptions correlator_options(const Config& c) {
  correlator::CorrelatorOptions o;
  o.grace = c.grace;
  o.window = c.window;
  o.keep_raw = c.keep_raw;
  return o;
}

}  // namespace

Processor::Processor(const Config& config, correlator::Clock clock)
    : clock_(std::move(clock)),
      store_(open_store(config)),
      signer_(*correlator::load_signer(config.verp_secret_file, config.db_path, true)) {
  reconfigure(config);
}

void Processor::reconfigure(const Config& config) {
  parse_options_.max_message_bytes = config.max_message_bytes;
  parse_options_.verp_prefix = config.verp_prefix;
  correlator_ = std::make_unique<correlator::Correlator>(*store_, &signer_, correlator_options(config), clock_);
}

correlator::IngestOutcome Processor::ingest(std::string_view source_key, std::string_view raw) {
  if (store_->has_report(source_key)) {
    correlator::IngestOutcome dup;
    dup.duplicate = true;
    return dup;
  }
  const auto report = parser::parse_message(raw, parse_options_);
  return correlator_->ingest(source_key, report, raw);
}

std::variant<Recorded, std::string> Processor::record(const correlator::Fields& fields, std::string_view source) {
  auto parsed = correlator::acceptance_from_fields(fields, clock_(), source);
  if (auto* error = std::get_if<std::string>(&parsed)) return *error;
  const auto outcome = store_->record_acceptance(std::get<storage::NewAcceptance>(parsed),
                                                 [this](std::int64_t id) { return signer_.token_for(id); });
  return Recorded{outcome.id, outcome.created, signer_.token_for(outcome.id)};
}

std::optional<storage::SourceCursor> Processor::cursor(std::string_view source) { return store_->cursor(source); }

void Processor::save_cursor(std::string_view source, std::int64_t uidvalidity, std::int64_t last_uid) {
  store_->save_cursor(storage::SourceCursor{std::string(source), uidvalidity, last_uid, correlator::to_iso(clock_())});
}

std::vector<Recorded> Processor::reserve_acceptances(int count) {
  const auto first = store_->reserve_acceptance_ids(count);
  std::vector<Recorded> out;
  for (std::int64_t id = first; id < first + count; ++id) out.push_back(Recorded{id, false, signer_.token_for(id)});
  return out;
}

std::vector<RelayWriteResult> Processor::record_relay_writes(const std::vector<RelayWrite>& writes) {
  std::vector<RelayWriteResult> out(writes.size());
  const auto token_for = [this](std::int64_t id) { return signer_.token_for(id); };
  storage::Transaction tx(*store_);
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const auto& w = writes[i];
    try {
      storage::Savepoint unit(*store_);
      std::vector<std::int64_t> ids;
      for (const auto& a : w.acceptances) {
        const auto outcome = store_->record_acceptance(a, token_for);
        ids.push_back(outcome.id);
        out[i].recorded.push_back(Recorded{outcome.id, outcome.created, signer_.token_for(outcome.id)});
      }
      if (!w.message_id.empty()) store_->set_message_id(ids, w.message_id);
      if (w.not_sent) mark_not_sent_in(ids, w.code, w.enhanced, w.text);
      unit.release();
    } catch (const std::exception&) {
      // A full disk or an I/O error makes SQLite roll the whole transaction
      // back: then every write of the batch failed, not this one alone.
      if (!store_->in_transaction()) throw;
      out[i].recorded.clear();
      out[i].error = std::current_exception();
    }
  }
  tx.commit();
  return out;
}

std::int64_t Processor::record_refusal(const storage::NewRefusal& r) { return store_->record_refusal(r); }

int Processor::mark_not_sent(const std::vector<std::int64_t>& ids, int code, const std::string& enhanced,
                             const std::string& text) {
  storage::Transaction tx(*store_);
  const int marked = mark_not_sent_in(ids, code, enhanced, text);
  tx.commit();
  return marked;
}

int Processor::mark_not_sent_in(const std::vector<std::int64_t>& ids, int code, const std::string& enhanced,
                                const std::string& text) {
  auto n = smtp::not_sent_mark(code, enhanced, text, now_iso());
  int marked = 0;
  for (const auto id : ids) {
    n.acceptance_id = id;
    marked += store_->mark_not_sent(n);
  }
  return marked;
}

std::string Processor::now_iso() const { return correlator::to_iso(clock_()); }

correlator::SweepOutcome Processor::sweep_batch(int batch) { return correlator_->sweep(batch, 1); }

void Processor::checkpoint() { store_->checkpoint(); }

}  // namespace ndrlink::daemon
