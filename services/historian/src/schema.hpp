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
// Partitions are native (declarative), one per UTC day, managed by pg_partman when the server
// has it and the role may create the extension (schema `partman`; partitions
// ts.samples_pYYYY_MM_DD, premade and dropped by partman.run_maintenance() with the raw
// retention), else by the service itself (ts.samples_pYYYYMMDD). Either way a day a batch
// touches gets its partition first (ensure_days(): partman.create_partition_time() or CREATE
// TABLE ... PARTITION OF), so replayed or back-filled samples of any day are stored. Roll-up
// rows older than their tier's retention are deleted by maintain().
//
// Every function runs on the caller's connection and throws the pqxx error on failure.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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

enum class PartitionManager { automatic, partman, native };
// "auto" | "partman" | "native"; nullopt otherwise.
std::optional<PartitionManager> parse_partition_manager(std::string_view s);

class Partitions {
 public:
  struct Retention {
    std::chrono::hours raw{0}, rollup_1m{0}, rollup_1h{0};  // zero = forever
  };

  // Chooses the manager for ts.samples: pg_partman when asked or (automatic) when it can be
  // set up - a table already managed natively stays native. Throws when `partman` was asked
  // and cannot be had. Call once per connection before the first ensure_days().
  void setup(pqxx::connection& conn, PartitionManager wanted, int ahead_days,
             const Retention& retention);
  bool partman() const { return partman_; }

  // Creates the partitions of the given UTC days that this process has not seen yet (another
  // instance racing to create the same one is fine). Days are days since the epoch.
  void ensure_days(pqxx::connection& conn, const std::set<std::int64_t>& days);

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
  bool partman_ = false;
};

}  // namespace ems::historian
