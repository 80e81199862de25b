#pragma once
// Historian: the ingest side of the service - MQTT messages in, PostgreSQL rows out.
//
//   on_message()  (Paho's thread) parses strictly (record.hpp); a malformed topic or payload is
//                 counted (ems_historian_rejected_total{reason}) and logged (rate-limited),
//                 never stored and never blocks the stream. An accepted message is spooled,
//                 then buffered in memory (IngestQueue).
//   writer thread takes batches (by size and by time), writes them with SampleStore, and on
//                 a database error keeps the batch, reconnects with backoff and retries it -
//                 meanwhile memory fills to its bound and the spool takes the rest.
//   maintenance   on the writer thread: partitions ahead and retention, at start and hourly.
//   apply_topology() (the follower's thread) registers every measurement of the AsyncAPI
//                 document (x-protocol-source points, synthetic roll-ups, comm_status).
//   stop()        called after the MQTT client stopped: writes what is buffered until done or
//                 `shutdown_timeout`; what is not written stays in the spool for the next start.
//
// Metrics: ems_historian_messages_total{family}, ems_historian_rejected_total{reason},
// ems_historian_samples_written_total, ems_historian_duplicates_total,
// ems_historian_commands_written_total, ems_historian_acks_written_total,
// ems_historian_batch_seconds, ems_historian_write_errors_total, ems_historian_buffered,
// ems_historian_spool_bytes, ems_historian_spilling, ems_historian_lost_total (spool full),
// ems_historian_lag_seconds (age of the oldest record not yet written),
// ems_historian_database_up.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "ems/runtime/metrics.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ingest_queue.hpp"
#include "options.hpp"
#include "sample_store.hpp"
#include "schema.hpp"
#include "spool.hpp"

namespace ems::historian {

// The measurements an AsyncAPI document declares (site from x-site-id). Throws ContractError
// for a malformed x-protocol-source.
std::vector<SeriesDefinition> series_from_asyncapi(const nlohmann::json& document);

// The subscription filters: measurements, commands and acks of every site and device, with
// `$share/<group>/` in front when group is set.
std::vector<std::string> subscription_filters(const std::string& group);

class Historian {
 public:
  // Opens the spool (throws std::runtime_error when it cannot). Does not connect yet.
  Historian(HistorianOptions options,
            runtime::metrics::Registry& registry = runtime::metrics::Registry::global());
  ~Historian();  // stop()s

  // Subscribes on `mqtt` (QoS 1) before it starts; starts the writer thread.
  void start(runtime::MqttClient& mqtt);
  void on_message(const runtime::MqttMessage& message);
  void apply_topology(const nlohmann::json& asyncapi);
  void stop();

  bool database_up() const { return database_up_.load(); }
  std::size_t buffered() const { return queue_.buffered(); }

 private:
  void run();
  std::unique_ptr<pqxx::connection> connect();

  HistorianOptions options_;
  Spool spool_;
  IngestQueue queue_;
  Partitions partitions_;
  SampleStore store_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> database_up_{false};
  std::chrono::steady_clock::time_point stop_deadline_{};
  std::thread writer_;

  runtime::metrics::CounterFamily& messages_;
  runtime::metrics::CounterFamily& rejected_;
  runtime::metrics::Counter& samples_written_;
  runtime::metrics::Counter& duplicates_;
  runtime::metrics::Counter& commands_written_;
  runtime::metrics::Counter& acks_written_;
  runtime::metrics::Counter& write_errors_;
  runtime::metrics::Counter& lost_;
  runtime::metrics::Histogram& batch_seconds_;
  runtime::metrics::Gauge& buffered_;
  runtime::metrics::Gauge& spool_bytes_;
  runtime::metrics::Gauge& spilling_;
  runtime::metrics::Gauge& lag_;
  runtime::metrics::Gauge& database_gauge_;
  std::atomic<std::int64_t> last_reject_log_ms_{0};
};

}  // namespace ems::historian
