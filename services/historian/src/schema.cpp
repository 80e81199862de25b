#include "schema.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "ems/contract/time.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/pg.hpp"

namespace ems::historian {

namespace {

const std::vector<runtime::pg::Migration>& migrations() {
  static const std::vector<runtime::pg::Migration> list = {
      {1, R"sql(
CREATE TABLE ts.series (
  id serial PRIMARY KEY,
  site_id text NOT NULL,
  device_id text NOT NULL,
  measurement text NOT NULL,
  unit text NOT NULL,
  value_type text NOT NULL CHECK (value_type IN ('float', 'bool', 'enum')),
  from_topology boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (site_id, device_id, measurement, unit)
);
CREATE INDEX series_device ON ts.series (device_id, measurement);
CREATE TABLE ts.labels (
  id serial PRIMARY KEY,
  label text NOT NULL UNIQUE
);
CREATE TABLE ts.samples (
  series_id integer NOT NULL,
  ts timestamptz NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (series_id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE ts.rollup_1m (
  series_id integer NOT NULL,
  bucket timestamptz NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  sum double precision NOT NULL,
  count bigint NOT NULL,
  last double precision NOT NULL,
  last_ts timestamptz NOT NULL,
  PRIMARY KEY (series_id, bucket)
);
CREATE TABLE ts.rollup_1h (LIKE ts.rollup_1m INCLUDING ALL);
CREATE TABLE ts.commands (
  command_id uuid PRIMARY KEY,
  site_id text NOT NULL,
  device_id text NOT NULL,
  verb text NOT NULL,
  target text NOT NULL,
  unit text NOT NULL,
  value jsonb,
  ts timestamptz NOT NULL
);
CREATE INDEX commands_device_ts ON ts.commands (device_id, ts DESC);
CREATE TABLE ts.acks (
  command_id uuid NOT NULL,
  state text NOT NULL,
  ts timestamptz NOT NULL,
  reason text,
  site_id text NOT NULL,
  device_id text NOT NULL,
  PRIMARY KEY (command_id, state, ts)
);
)sql"},
  };
  return list;
}

std::string day_literal(std::int64_t day) {
  const auto d = contract::civil_from_days(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02u", static_cast<long long>(d.year), d.month,
                d.day);
  return text;
}

std::int64_t today() {
  using namespace std::chrono;
  return floor<days>(system_clock::now()).time_since_epoch().count();
}

}  // namespace

void prepare_session(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  tx.exec("SET TIME ZONE 'UTC'");
}

void migrate(pqxx::connection& conn) {
  runtime::pg::run_migrations(conn, "ts", migrations());
  prepare_session(conn);
}

std::string partition_name(std::int64_t day) {
  const auto d = contract::civil_from_days(day);
  char text[32];
  std::snprintf(text, sizeof text, "samples_p%04lld%02u%02u", static_cast<long long>(d.year),
                d.month, d.day);
  return text;
}

std::optional<PartitionManager> parse_partition_manager(std::string_view s) {
  if (s == "auto") return PartitionManager::automatic;
  if (s == "partman") return PartitionManager::partman;
  if (s == "native") return PartitionManager::native;
  return std::nullopt;
}

void Partitions::setup(pqxx::connection& conn, PartitionManager wanted, int ahead_days,
                       const Retention& retention) {
  partman_ = false;
  if (wanted == PartitionManager::native) return;
  try {
    pqxx::work tx(conn);
    // Several instances may start at once: one sets partman up, the others find it done.
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('ems.ts.partman'))");
    tx.exec("CREATE SCHEMA IF NOT EXISTS partman");
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman");
    const bool managed =
        !tx.exec("SELECT 1 FROM partman.part_config WHERE parent_table = 'ts.samples'").empty();
    if (!managed) {
      const auto children =
          tx.exec("SELECT count(*) FROM pg_inherits WHERE inhparent = 'ts.samples'::regclass")[0][0]
              .as<int>();
      if (children > 0) {
        // Partitions made by the service before partman was there: keep managing them.
        tx.abort();
        runtime::log::info("ts.samples keeps its native partitions (made before pg_partman)");
        if (wanted == PartitionManager::partman) {
          throw std::runtime_error(
              "EMS_HISTORIAN_PARTITIONING=partman: ts.samples already has "
              "partitions not made by pg_partman");
        }
        return;
      }
      tx.exec("SELECT partman.create_parent('ts.samples', 'ts', 'native', 'daily', p_premake := " +
              std::to_string(std::max(1, ahead_days)) +
              ", p_start_partition := " + tx.quote(day_literal(today())) + ")");
    }
    tx.exec("UPDATE partman.part_config SET infinite_time_partitions = true, premake = " +
            std::to_string(std::max(1, ahead_days)) + ", retention = " +
            (retention.raw.count() > 0 ? tx.quote(std::to_string(retention.raw.count()) + " hours")
                                       : std::string("NULL")) +
            ", retention_keep_table = false WHERE parent_table = 'ts.samples'");
    tx.commit();
    partman_ = true;
    runtime::log::info("ts.samples partitions managed by pg_partman");
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& e) {
    if (wanted == PartitionManager::partman) throw;
    runtime::log::info("pg_partman not available, the service manages the partitions",
                       {{"reason", std::string(e.what()).substr(0, 200)}});
  }
}

void Partitions::ensure_days(pqxx::connection& conn, const std::set<std::int64_t>& days) {
  std::vector<std::int64_t> missing;
  {
    std::lock_guard lock(mutex_);
    for (auto d : days) {
      if (!known_.count(d)) missing.push_back(d);
    }
  }
  for (auto d : missing) {
    if (partman_) {
      pqxx::nontransaction tx(conn);
      tx.exec("SELECT partman.create_partition_time('ts.samples', ARRAY[" +
              tx.quote(day_literal(d) + " 00:00:00+00") + "]::timestamptz[])");
      std::lock_guard lock(mutex_);
      known_.insert(d);
      continue;
    }
    const auto sql = "CREATE TABLE IF NOT EXISTS ts." + partition_name(d) +
                     " PARTITION OF ts.samples FOR VALUES FROM ('" + day_literal(d) +
                     " 00:00:00+00') TO ('" + day_literal(d + 1) + " 00:00:00+00')";
    try {
      pqxx::nontransaction tx(conn);
      tx.exec(sql);
    } catch (const pqxx::sql_error& e) {
      // Another instance created it between IF NOT EXISTS and the attach: it is there.
      pqxx::nontransaction tx(conn);
      const auto r = tx.exec("SELECT to_regclass('ts." + partition_name(d) + "') IS NOT NULL");
      if (!r[0][0].as<bool>()) throw;
    }
    std::lock_guard lock(mutex_);
    known_.insert(d);
  }
}

int Partitions::maintain(pqxx::connection& conn, int ahead_days, const Retention& retention) {
  if (partman_) {
    // premake and the raw retention (part_config, set by setup()).
    pqxx::nontransaction tx(conn);
    tx.exec("SELECT partman.run_maintenance('ts.samples')");
    forget();  // retention may have dropped days this process had seen
  }
  const auto now_day = today();
  std::set<std::int64_t> ahead;
  for (int i = 0; i <= ahead_days; ++i) ahead.insert(now_day + i);
  ensure_days(conn, ahead);
  int dropped = 0;
  if (!partman_ && retention.raw.count() > 0) {
    // A partition goes when its whole day is older than the retention.
    const auto cutoff_day =
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() - retention.raw)
            .time_since_epoch()
            .count();
    pqxx::nontransaction tx(conn);
    const auto r = tx.exec(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'ts.samples'::regclass");
    for (const auto& row : r) {
      const auto name = row[0].as<std::string>();
      if (name.size() != 17 || name.rfind("samples_p", 0) != 0) continue;
      const int y = std::stoi(name.substr(9, 4));
      const unsigned m = static_cast<unsigned>(std::stoi(name.substr(13, 2)));
      const unsigned d = static_cast<unsigned>(std::stoi(name.substr(15, 2)));
      const auto day = contract::days_from_civil(y, m, d);
      if (day + 1 <= cutoff_day) {
        tx.exec("DROP TABLE IF EXISTS ts." + name);
        std::lock_guard lock(mutex_);
        known_.erase(day);
        ++dropped;
        runtime::log::info("raw partition dropped (retention)", {{"partition", name}});
      }
    }
  }
  pqxx::nontransaction tx(conn);
  if (retention.rollup_1m.count() > 0) {
    tx.exec("DELETE FROM ts.rollup_1m WHERE bucket < now() - interval '" +
            std::to_string(retention.rollup_1m.count()) + " hours'");
  }
  if (retention.rollup_1h.count() > 0) {
    tx.exec("DELETE FROM ts.rollup_1h WHERE bucket < now() - interval '" +
            std::to_string(retention.rollup_1h.count()) + " hours'");
  }
  return dropped;
}

}  // namespace ems::historian
