#include "options.hpp"

#include <stdexcept>

#include "ems/runtime/config.hpp"

namespace ems::historian {

std::chrono::hours parse_retention(const std::string& name, const std::string& text) {
  if (text == "forever" || text == "0") return std::chrono::hours(0);
  if (!text.empty() && text.back() == 'd') {
    const auto days = runtime::parse_int(name, text.substr(0, text.size() - 1));
    if (days <= 0) throw std::runtime_error(name + ": retention must be positive, got " + text);
    return std::chrono::hours(days * 24);
  }
  const auto ms = runtime::parse_duration_ms(name, text);
  if (ms.count() <= 0) throw std::runtime_error(name + ": retention must be positive, got " + text);
  return std::chrono::ceil<std::chrono::hours>(ms);
}

namespace {

std::size_t positive(std::string_view name, std::int64_t value) {
  if (value <= 0) throw std::runtime_error(std::string(name) + " must be positive");
  return static_cast<std::size_t>(value);
}

}  // namespace

HistorianOptions HistorianOptions::from_env() {
  using namespace runtime;
  HistorianOptions o;
  o.database_url = require_string("EMS_DATABASE_URL");
  o.group = env_string("EMS_HISTORIAN_GROUP", "");
  if (!o.group.empty() && o.group.find_first_of("/+#") != std::string::npos) {
    throw std::runtime_error("EMS_HISTORIAN_GROUP must not contain '/', '+' or '#': " + o.group);
  }
  const auto state = env_string("EMS_STATE_DIR", "");
  o.spool_dir = env_string("EMS_HISTORIAN_SPOOL_DIR",
                           state.empty() ? o.spool_dir : state + "/historian-spool");
  o.spool_max_bytes = positive(
      "EMS_HISTORIAN_SPOOL_MAX_BYTES",
      env_int("EMS_HISTORIAN_SPOOL_MAX_BYTES", static_cast<std::int64_t>(o.spool_max_bytes)));
  o.buffer_records = positive(
      "EMS_HISTORIAN_BUFFER_RECORDS",
      env_int("EMS_HISTORIAN_BUFFER_RECORDS", static_cast<std::int64_t>(o.buffer_records)));
  o.batch_records =
      positive("EMS_HISTORIAN_BATCH_RECORDS",
               env_int("EMS_HISTORIAN_BATCH_RECORDS", static_cast<std::int64_t>(o.batch_records)));
  o.flush_interval = env_duration_ms("EMS_HISTORIAN_FLUSH_INTERVAL", o.flush_interval);
  o.fsync_interval = env_duration_ms("EMS_HISTORIAN_FSYNC_INTERVAL", o.fsync_interval);
  o.shutdown_timeout = env_duration_ms("EMS_HISTORIAN_SHUTDOWN_TIMEOUT", o.shutdown_timeout);
  o.max_points =
      positive("EMS_HISTORIAN_MAX_POINTS",
               env_int("EMS_HISTORIAN_MAX_POINTS", static_cast<std::int64_t>(o.max_points)));
  if (auto v = env_optional("EMS_HISTORIAN_RAW_RETENTION")) {
    o.raw_retention = parse_retention("EMS_HISTORIAN_RAW_RETENTION", *v);
  }
  if (auto v = env_optional("EMS_HISTORIAN_1M_RETENTION")) {
    o.rollup_1m_retention = parse_retention("EMS_HISTORIAN_1M_RETENTION", *v);
  }
  if (auto v = env_optional("EMS_HISTORIAN_1H_RETENTION")) {
    o.rollup_1h_retention = parse_retention("EMS_HISTORIAN_1H_RETENTION", *v);
  }
  o.partitions_ahead_days =
      static_cast<int>(env_int("EMS_HISTORIAN_PARTITIONS_AHEAD", o.partitions_ahead_days));
  o.partitioning = env_string("EMS_HISTORIAN_PARTITIONING", o.partitioning);
  if (o.partitioning != "auto" && o.partitioning != "partman" && o.partitioning != "native") {
    throw std::runtime_error("EMS_HISTORIAN_PARTITIONING must be auto, partman or native, got " +
                             o.partitioning);
  }
  o.query_connections = positive(
      "EMS_HISTORIAN_QUERY_CONNECTIONS",
      env_int("EMS_HISTORIAN_QUERY_CONNECTIONS", static_cast<std::int64_t>(o.query_connections)));
  return o;
}

}  // namespace ems::historian
