#pragma once
// HistorianOptions: every EMS_HISTORIAN_* variable of the historian, read once at start (README
// "historian" lists them with their defaults).
#include <chrono>
#include <cstddef>
#include <string>

namespace ems::historian {

struct HistorianOptions {
  std::string database_url;  // EMS_DATABASE_URL (required)
  // EMS_HISTORIAN_GROUP: when set, subscriptions are `$share/<group>/...` so several instances
  // split one stream (each needs its own EMS_MQTT_CLIENT_ID).
  std::string group;
  std::string spool_dir = "historian-spool";  // EMS_HISTORIAN_SPOOL_DIR
  std::size_t spool_segment_bytes = 16u << 20;
  std::size_t spool_max_bytes = 8ull << 30;           // EMS_HISTORIAN_SPOOL_MAX_BYTES
  std::size_t buffer_records = 200000;                // EMS_HISTORIAN_BUFFER_RECORDS
  std::size_t batch_records = 10000;                  // EMS_HISTORIAN_BATCH_RECORDS
  std::chrono::milliseconds flush_interval{250};      // EMS_HISTORIAN_FLUSH_INTERVAL
  std::chrono::milliseconds fsync_interval{200};      // EMS_HISTORIAN_FSYNC_INTERVAL
  std::chrono::milliseconds shutdown_timeout{10000};  // EMS_HISTORIAN_SHUTDOWN_TIMEOUT
  std::size_t max_points = 100000;                    // EMS_HISTORIAN_MAX_POINTS
  // Retention per tier; zero = forever (EMS_HISTORIAN_RAW_RETENTION, _1M_RETENTION,
  // _1H_RETENTION: "30d", "12h", "forever").
  std::chrono::hours raw_retention{24 * 30};
  std::chrono::hours rollup_1m_retention{24 * 365};
  std::chrono::hours rollup_1h_retention{0};
  int partitions_ahead_days = 3;  // EMS_HISTORIAN_PARTITIONS_AHEAD
  // EMS_HISTORIAN_PARTITIONING: auto (pg_partman when it can be set up, else the service's
  // own), partman (required), native (the service's own).
  std::string partitioning = "auto";
  std::size_t query_connections = 4;  // EMS_HISTORIAN_QUERY_CONNECTIONS

  // Throws std::runtime_error naming a malformed variable.
  static HistorianOptions from_env();
};

// "30d", "12h", "90m" (whole hours only below a day are rounded up), "forever" or "0" = zero.
// Throws std::runtime_error naming `name`.
std::chrono::hours parse_retention(const std::string& name, const std::string& text);

}  // namespace ems::historian
