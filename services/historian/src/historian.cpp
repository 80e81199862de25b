#include "historian.hpp"

#include <algorithm>

#include "ems/contract/sources.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/pg.hpp"

namespace ems::historian {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view family_name(const Record& r) {
  switch (r.index()) {
    case 0:
      return "measurements";
    case 1:
      return "commands";
    default:
      return "acks";
  }
}

}  // namespace

std::vector<SeriesDefinition> series_from_asyncapi(const nlohmann::json& document) {
  std::vector<SeriesDefinition> out;
  const auto site = document.value("x-site-id", std::string());
  if (site.empty()) return out;
  for (const auto& [device_id, sources] : contract::read_sources(document)) {
    for (const auto& p : sources.points) {
      out.push_back({site, device_id, p.name, p.unit, p.value_type});
    }
    for (const auto& p : sources.synthetic) {
      out.push_back({site, device_id, p.name, p.unit, p.value_type});
    }
    if (!sources.connections.empty()) {
      out.push_back({site, device_id, std::string(contract::kCommStatus), contract::Unit::none,
                     contract::ValueType::Enum});
    }
  }
  return out;
}

std::vector<std::string> subscription_filters(const std::string& group) {
  std::vector<std::string> filters = {"sites/+/devices/+/measurements/#",
                                      "sites/+/devices/+/commands/#", "sites/+/devices/+/acks/#"};
  if (!group.empty()) {
    for (auto& f : filters) f = "$share/" + group + "/" + f;
  }
  return filters;
}

Historian::Historian(HistorianOptions options, runtime::metrics::Registry& registry)
    : options_(std::move(options)),
      spool_(options_.spool_dir, options_.spool_segment_bytes, options_.spool_max_bytes),
      queue_(spool_, options_.buffer_records),
      store_(partitions_),
      messages_(registry.counter("ems_historian_messages_total",
                                 "Messages accepted (parsed), by family", {"family"})),
      rejected_(registry.counter("ems_historian_rejected_total",
                                 "Messages or samples not stored, by reason", {"reason"})),
      samples_written_(
          registry
              .counter("ems_historian_samples_written_total", "Samples inserted into ts.samples")
              .with()),
      duplicates_(registry
                      .counter("ems_historian_duplicates_total",
                               "Samples already stored (same series and ts)")
                      .with()),
      commands_written_(
          registry
              .counter("ems_historian_commands_written_total", "Commands inserted into ts.commands")
              .with()),
      acks_written_(
          registry.counter("ems_historian_acks_written_total", "Acks inserted into ts.acks")
              .with()),
      write_errors_(
          registry
              .counter("ems_historian_write_errors_total", "Batches that failed and were retried")
              .with()),
      lost_(registry
                .counter("ems_historian_lost_total",
                         "Accepted messages dropped because the spool was full")
                .with()),
      batch_seconds_(
          registry.histogram("ems_historian_batch_seconds", "Time to write one batch to PostgreSQL")
              .with()),
      buffered_(registry.gauge("ems_historian_buffered", "Records buffered in memory").with()),
      spool_bytes_(registry.gauge("ems_historian_spool_bytes", "Bytes held in the spool").with()),
      spilling_(
          registry
              .gauge("ems_historian_spilling", "1 while records go to the spool only (memory full)")
              .with()),
      lag_(registry
               .gauge("ems_historian_lag_seconds",
                      "Now minus the newest sample timestamp of the last batch written")
               .with()),
      database_gauge_(registry
                          .gauge("ems_historian_database_up",
                                 "1 while the writer's PostgreSQL connection works")
                          .with()) {}

Historian::~Historian() {
  stop();
}

void Historian::start(runtime::MqttClient& mqtt) {
  for (const auto& filter : subscription_filters(options_.group)) {
    mqtt.subscribe(filter, 1, [this](const runtime::MqttMessage& m) { on_message(m); });
  }
  writer_ = std::thread([this] { run(); });
}

void Historian::on_message(const runtime::MqttMessage& message) {
  RejectReason reason;
  auto record = parse_record(message.topic, message.payload, &reason);
  if (!record) {
    rejected_.with({reason.kind}).inc();
    // One line per second at most: a flood of bad messages must not become a flood of logs.
    const auto now = now_ms();
    auto last = last_reject_log_ms_.load();
    if (now - last >= 1000 && last_reject_log_ms_.compare_exchange_strong(last, now)) {
      runtime::log::warn("message rejected", {{"topic", message.topic.substr(0, 200)},
                                              {"reason", reason.kind},
                                              {"error", reason.message.substr(0, 300)}});
    }
    return;
  }
  messages_.with({std::string(family_name(*record))}).inc();
  if (!queue_.push(message.topic, message.payload, std::move(*record))) {
    lost_.inc();
    rejected_.with({"spool_full"}).inc();
  }
}

void Historian::apply_topology(const nlohmann::json& asyncapi) {
  auto defs = series_from_asyncapi(asyncapi);
  runtime::log::info("topology received", {{"series", defs.size()}});
  store_.define_series(std::move(defs));
}

std::unique_ptr<pqxx::connection> Historian::connect() {
  auto conn = std::make_unique<pqxx::connection>(options_.database_url);
  migrate(*conn);
  return conn;
}

void Historian::run() {
  std::unique_ptr<pqxx::connection> conn;
  std::optional<Batch> pending;
  auto backoff = std::chrono::milliseconds(100);
  auto next_maintenance = Clock::now();
  auto next_sync = Clock::now() + options_.fsync_interval;
  int failures_of_batch = 0;
  const Partitions::Retention retention{options_.raw_retention, options_.rollup_1m_retention,
                                        options_.rollup_1h_retention};

  auto fail = [&](const char* what, const std::exception& e) {
    write_errors_.inc();
    if (database_up_.exchange(false) || failures_of_batch == 1) {
      runtime::log::error(what, {{"error", e.what()}});
    }
    database_gauge_.set(0);
    conn.reset();
    store_.reset_cache();
    partitions_.forget();
    const auto wait = stopping_.load() ? std::chrono::milliseconds(200) : backoff;
    std::this_thread::sleep_for(wait);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  };

  for (;;) {
    if (stopping_.load()) {
      const bool done = !pending && queue_.drained();
      if (done || Clock::now() >= stop_deadline_) break;
    }
    buffered_.set(static_cast<double>(queue_.buffered()));
    spool_bytes_.set(static_cast<double>(spool_.bytes()));
    spilling_.set(queue_.spilling() ? 1 : 0);
    if (Clock::now() >= next_sync) {
      spool_.sync();
      next_sync = Clock::now() + options_.fsync_interval;
    }
    if (!conn) {
      try {
        conn = connect();
        partitions_.setup(
            *conn,
            parse_partition_manager(options_.partitioning).value_or(PartitionManager::automatic),
            options_.partitions_ahead_days, retention);
        database_up_ = true;
        database_gauge_.set(1);
        backoff = std::chrono::milliseconds(100);
        runtime::log::info("database connected",
                           {{"url", runtime::pg::redact_url(options_.database_url)}});
      } catch (const std::exception& e) {
        fail("database connection failed", e);
        continue;
      }
    }
    if (Clock::now() >= next_maintenance) {
      try {
        partitions_.maintain(*conn, options_.partitions_ahead_days, retention);
        next_maintenance = Clock::now() + std::chrono::hours(1);
      } catch (const std::exception& e) {
        fail("partition maintenance failed", e);
        continue;
      }
    }
    if (!pending) {
      pending = queue_.take(options_.batch_records, options_.flush_interval);
      failures_of_batch = 0;
    }
    if (pending->records.empty() && pending->spool_frames == 0) {
      pending.reset();
      try {
        store_.write(*conn, Batch{});  // applies pending topology definitions
      } catch (const std::exception& e) {
        fail("series registration failed", e);
      }
      continue;
    }
    const auto started = Clock::now();
    try {
      const auto result = store_.write(*conn, *pending);
      batch_seconds_.observe(std::chrono::duration<double>(Clock::now() - started).count());
      samples_written_.inc(static_cast<double>(result.samples_inserted));
      duplicates_.inc(static_cast<double>(result.samples_duplicate));
      commands_written_.inc(static_cast<double>(result.commands));
      acks_written_.inc(static_cast<double>(result.acks));
      if (result.type_mismatches > 0) {
        rejected_.with({"type_mismatch"}).inc(static_cast<double>(result.type_mismatches));
        runtime::log::warn("samples of the wrong value type not stored",
                           {{"count", result.type_mismatches}});
      }
      std::int64_t newest = 0;
      for (const auto& r : pending->records) {
        if (const auto* s = std::get_if<SampleRecord>(&r))
          newest = std::max(newest, epoch_ms(s->ts));
      }
      if (newest > 0) lag_.set(static_cast<double>(now_ms() - newest) / 1000.0);
      queue_.committed(*pending);
      pending.reset();
    } catch (const std::exception& e) {
      ++failures_of_batch;
      // A batch the database refuses on a working connection would block the stream forever:
      // after 5 attempts it is logged and dropped (it stays counted).
      if (failures_of_batch >= 5 && conn && conn->is_open()) {
        runtime::log::error("batch refused by the database, dropped",
                            {{"records", pending->records.size()}, {"error", e.what()}});
        rejected_.with({"database_refused"}).inc(static_cast<double>(pending->records.size()));
        queue_.committed(*pending);
        pending.reset();
        continue;
      }
      fail("batch write failed, retrying", e);
    }
  }
  spool_.sync();
  runtime::log::info("writer stopped", {{"buffered", queue_.buffered()},
                                        {"spool_bytes", spool_.bytes()},
                                        {"drained", queue_.drained()}});
}

void Historian::stop() {
  if (!writer_.joinable()) return;
  stop_deadline_ = Clock::now() + options_.shutdown_timeout;
  stopping_ = true;
  queue_.close();
  writer_.join();
}

}  // namespace ems::historian
