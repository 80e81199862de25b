#include "schema.hpp"

#include <cstdio>

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

void Partitions::ensure_days(pqxx::connection& conn, const std::set<std::int64_t>& days) {
  std::vector<std::int64_t> missing;
  {
    std::lock_guard lock(mutex_);
    for (auto d : days) {
      if (!known_.count(d)) missing.push_back(d);
    }
  }
  for (auto d : missing) {
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
  const auto now_day = today();
  std::set<std::int64_t> ahead;
  for (int i = 0; i <= ahead_days; ++i) ahead.insert(now_day + i);
  ensure_days(conn, ahead);
  int dropped = 0;
  if (retention.raw.count() > 0) {
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
