#pragma once
// The historian's PostgreSQL schema `ts` (migrations, partitions, retention).
//
//   ts.series     id, site_id, device_id, measurement, unit, value_type (float|bool|enum);
//                 one row per measurement topic, from the AsyncAPI document or first seen
//   ts.labels     id, label: the enum labels; an enum sample stores its label's id
//   ts.samples    (series_id, ts, value float8) PRIMARY KEY (series_id, ts), partitioned by
//                 range of ts, one partition per UTC day (ts.samples_pYYYYMMDD); bool as 0/1
//   ts.rollup_1m  (series_id, bucket) -> min, max, sum, count, last, last_ts; ts.rollup_1h alike
//   ts.commands   one row per command_id; ts.acks one row per (command_id, state, ts)
//
// Partitions are native (declarative) and created by the service: `partitions_ahead` days
// ahead by maintain(), and on demand for any day a batch touches (ensure_days()). Retention
// drops whole raw partitions and deletes roll-up rows older than their tier's retention.
//
// Every function runs on the caller's connection and throws the pqxx error on failure.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace ems::historian {

// Applies the `ts` migrations and sets the session's time zone to UTC (date_trunc and date_bin
// on timestamptz follow the session time zone; every bucket of the API is UTC).
void migrate(pqxx::connection& conn);

// Sets TimeZone to UTC on a connection that reads or writes buckets.
void prepare_session(pqxx::connection& conn);

// Name of the raw partition holding UTC day `day` (days since the epoch): "samples_p20261204".
std::string partition_name(std::int64_t day);

class Partitions {
 public:
  // Creates the partitions of the given UTC days that this process has not seen yet (another
  // instance racing to create the same one is fine). Days are days since the epoch.
  void ensure_days(pqxx::connection& conn, const std::set<std::int64_t>& days);

  struct Retention {
    std::chrono::hours raw{0}, rollup_1m{0}, rollup_1h{0};  // zero = forever
  };
  // Creates today .. today + ahead days, drops raw partitions entirely older than the raw
  // retention, deletes roll-up rows older than theirs. Returns the partitions dropped.
  int maintain(pqxx::connection& conn, int ahead_days, const Retention& retention);

  void forget() {
    std::lock_guard lock(mutex_);
    known_.clear();
  }

 private:
  std::mutex mutex_;
  std::set<std::int64_t> known_;
};

}  // namespace ems::historian
