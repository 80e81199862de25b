#include "sample_store.hpp"

#include <charconv>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "ems/runtime/log.hpp"

// pqxx 6.4 offers no public way to send COPY data in bulk but the deprecated tablewriter's
// write_raw_line(); stream_to converts field by field (through a stringstream for doubles).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablewriter>
#pragma GCC diagnostic pop

namespace ems::historian {

namespace {

contract::ValueType type_of(const contract::SampleValue& v) {
  switch (v.index()) {
    case 1:
      return contract::ValueType::Bool;
    case 2:
      return contract::ValueType::Enum;
    default:
      return contract::ValueType::Float;
  }
}

void append_number(std::string& out, double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

std::string json_value(const contract::SampleValue& v) {
  switch (v.index()) {
    case 0:
      return nlohmann::json(std::get<double>(v)).dump();
    case 1:
      return std::get<bool>(v) ? "true" : "false";
    case 2:
      return nlohmann::json(std::get<std::string>(v)).dump();
    default:
      return "null";
  }
}

// The merge of a roll-up row into the stored one (both hold min, max, sum, count, last).
constexpr const char* kRollupMerge =
    " ON CONFLICT (series_id, bucket) DO UPDATE SET"
    " min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),"
    " sum = r.sum + excluded.sum, count = r.count + excluded.count,"
    " last = CASE WHEN excluded.last_ts >= r.last_ts THEN excluded.last ELSE r.last END,"
    " last_ts = greatest(r.last_ts, excluded.last_ts)";

// The upsert of one roll-up tier from the CTE `ins` (the rows this batch really inserted).
std::string rollup_upsert(const std::string& cte, const std::string& tier,
                          const std::string& unit) {
  return cte + " AS (\n  INSERT INTO ts.rollup_" + tier +
         " AS r (series_id, bucket, min, max, sum, count, last, last_ts)\n"
         "  SELECT series_id, date_trunc('" +
         unit +
         "', ts), min(value), max(value), sum(value), "
         "count(*), (array_agg(value ORDER BY ts DESC))[1], max(ts)\n"
         "  FROM ins GROUP BY 1, 2 ORDER BY 1, 2\n" +
         std::string(kRollupMerge) + "\n  RETURNING 1)";
}

constexpr const char* kPlainInsert =
    "INSERT INTO ts.samples (series_id, ts, value) SELECT series_id, 'epoch'::timestamptz + "
    "ts_ms * interval '1 millisecond', value FROM historian_staging";

struct RollupCell {
  double min, max, sum;
  std::int64_t count;
  double last;
  std::int64_t last_ms;
};
using RollupCells = std::map<std::pair<int, std::int64_t>, RollupCell>;  // (series, bucket ms)

void add_to(RollupCells& cells, int series, std::int64_t bucket_ms, std::int64_t ms, double v) {
  auto [it, fresh] = cells.try_emplace({series, bucket_ms}, RollupCell{v, v, 0, 0, v, ms});
  auto& c = it->second;
  c.min = std::min(c.min, v);
  c.max = std::max(c.max, v);
  c.sum += v;
  ++c.count;
  if (ms >= c.last_ms) {
    c.last = v;
    c.last_ms = ms;
  }
  (void)fresh;
}

std::int64_t floor_to(std::int64_t ms, std::int64_t step) {
  return (ms >= 0 ? ms / step : (ms - step + 1) / step) * step;
}

// Merges cells (aggregates of rows all inserted by this transaction) into ts.rollup_<tier>.
void upsert_cells(pqxx::work& tx, const RollupCells& cells, const std::string& tier) {
  auto ts = [](std::string& out, std::int64_t ms) {
    out += "'epoch'::timestamptz + ";
    append_int(out, ms);
    out += " * interval '1 millisecond'";
  };
  auto it = cells.begin();
  while (it != cells.end()) {
    std::string sql = "INSERT INTO ts.rollup_" + tier +
                      " AS r (series_id, bucket, min, max, sum, count, last, last_ts) VALUES ";
    for (int n = 0; n < 1000 && it != cells.end(); ++n, ++it) {
      const auto& [key, c] = *it;
      if (n) sql += ',';
      sql += '(';
      append_int(sql, key.first);
      sql += ',';
      ts(sql, key.second);
      for (double v : {c.min, c.max, c.sum}) {
        sql += ",";
        append_number(sql, v);
        sql += "::float8";
      }
      sql += ',';
      append_int(sql, c.count);
      sql += ',';
      append_number(sql, c.last);
      sql += "::float8,";
      ts(sql, c.last_ms);
      sql += ')';
    }
    tx.exec(sql + kRollupMerge);
  }
}

const std::string& upsert_sql() {
  static const std::string sql =
      "WITH ins AS (\n"
      "  INSERT INTO ts.samples (series_id, ts, value)\n"
      "  SELECT series_id, 'epoch'::timestamptz + ts_ms * interval '1 millisecond', value\n"
      "  FROM historian_staging\n"
      "  ON CONFLICT DO NOTHING\n"
      "  RETURNING series_id, ts, value),\n" +
      rollup_upsert("m", "1m", "minute") + ",\n" + rollup_upsert("h", "1h", "hour") +
      "\nSELECT count(*) FROM ins";
  return sql;
}

}  // namespace

std::string series_key(std::string_view site, std::string_view device, std::string_view measurement,
                       contract::Unit unit) {
  std::string key;
  key.reserve(site.size() + device.size() + measurement.size() + 16);
  key.append(site).append("/").append(device).append("/").append(measurement).append("/");
  key.append(contract::to_string(unit));
  return key;
}

void SampleStore::define_series(std::vector<SeriesDefinition> definitions) {
  std::lock_guard lock(definitions_mutex_);
  pending_ = std::make_unique<std::vector<SeriesDefinition>>(std::move(definitions));
}

void SampleStore::reset_cache() {
  series_.clear();
  labels_.clear();
}

void SampleStore::apply_definitions(pqxx::connection& conn) {
  std::unique_ptr<std::vector<SeriesDefinition>> defs;
  {
    std::lock_guard lock(definitions_mutex_);
    defs = std::move(pending_);
  }
  if (!defs || defs->empty()) return;
  try {
    pqxx::work tx(conn);
    for (std::size_t i = 0; i < defs->size(); i += 500) {
      std::string sql =
          "INSERT INTO ts.series (site_id, device_id, measurement, unit, value_type, "
          "from_topology) VALUES ";
      for (std::size_t j = i; j < std::min(defs->size(), i + 500); ++j) {
        const auto& d = (*defs)[j];
        if (j > i) sql += ",";
        sql += "(" + tx.quote(d.site_id) + "," + tx.quote(d.device_id) + "," +
               tx.quote(d.measurement) + "," + tx.quote(std::string(contract::to_string(d.unit))) +
               "," + tx.quote(std::string(contract::to_string(d.value_type))) + ",true)";
      }
      sql +=
          " ON CONFLICT (site_id, device_id, measurement, unit) DO UPDATE SET "
          "value_type = excluded.value_type, from_topology = true";
      tx.exec(sql);
    }
    tx.commit();
  } catch (...) {
    std::lock_guard lock(definitions_mutex_);
    if (!pending_) pending_ = std::move(defs);
    throw;
  }
  series_.clear();  // value types may have changed
  runtime::log::info("series registered from the topology", {{"series", defs->size()}});
}

void SampleStore::resolve_series(pqxx::work& tx, const std::vector<const SampleRecord*>& samples) {
  std::vector<const SampleRecord*> missing;
  std::set<std::string> seen;
  for (const auto* s : samples) {
    auto key =
        series_key(s->topic.site_id, s->topic.device_id, s->topic.measurement, s->topic.unit);
    if (series_.count(key) || !seen.insert(key).second) continue;
    missing.push_back(s);
  }
  for (std::size_t i = 0; i < missing.size(); i += 500) {
    std::string sql =
        "INSERT INTO ts.series (site_id, device_id, measurement, unit, value_type) VALUES ";
    for (std::size_t j = i; j < std::min(missing.size(), i + 500); ++j) {
      const auto& t = missing[j]->topic;
      if (j > i) sql += ",";
      sql += "(" + tx.quote(t.site_id) + "," + tx.quote(t.device_id) + "," +
             tx.quote(t.measurement) + "," + tx.quote(std::string(contract::to_string(t.unit))) +
             "," + tx.quote(std::string(contract::to_string(type_of(missing[j]->value)))) + ")";
    }
    // DO UPDATE (a no-op) so that RETURNING also yields the rows that existed already.
    sql +=
        " ON CONFLICT (site_id, device_id, measurement, unit) DO UPDATE SET site_id = "
        "excluded.site_id RETURNING id, site_id, device_id, measurement, unit, value_type";
    for (const auto& row : tx.exec(sql)) {
      const auto unit = contract::parse_unit(row[4].c_str()).value_or(contract::Unit::none);
      const auto type =
          contract::parse_value_type(row[5].c_str()).value_or(contract::ValueType::Float);
      series_[series_key(row[1].c_str(), row[2].c_str(), row[3].c_str(), unit)] =
          SeriesInfo{row[0].as<int>(), type};
    }
  }
}

void SampleStore::resolve_labels(pqxx::work& tx, const std::vector<const SampleRecord*>& samples) {
  std::set<std::string> missing;
  for (const auto* s : samples) {
    if (const auto* label = std::get_if<std::string>(&s->value)) {
      if (!labels_.count(*label)) missing.insert(*label);
    }
  }
  if (missing.empty()) return;
  std::string sql = "INSERT INTO ts.labels (label) VALUES ";
  bool first = true;
  for (const auto& l : missing) {
    sql += (first ? "(" : ",(") + tx.quote(l) + ")";
    first = false;
  }
  sql += " ON CONFLICT (label) DO UPDATE SET label = excluded.label RETURNING id, label";
  for (const auto& row : tx.exec(sql)) labels_[row[1].as<std::string>()] = row[0].as<int>();
}

WriteResult SampleStore::write(pqxx::connection& conn, const Batch& batch) {
  apply_definitions(conn);
  WriteResult result;
  if (batch.records.empty()) return result;
  std::vector<const SampleRecord*> samples;
  std::vector<const CommandRecord*> commands;
  std::vector<const AckRecord*> acks;
  for (const auto& r : batch.records) {
    if (const auto* s = std::get_if<SampleRecord>(&r))
      samples.push_back(s);
    else if (const auto* c = std::get_if<CommandRecord>(&r))
      commands.push_back(c);
    else if (const auto* a = std::get_if<AckRecord>(&r))
      acks.push_back(a);
  }

  std::set<std::int64_t> days;
  for (const auto* s : samples) {
    const auto ms = epoch_ms(s->ts);
    days.insert(ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000);
  }
  partitions_.ensure_days(conn, days);

  pqxx::work tx(conn);
  if (!samples.empty()) {
    resolve_series(tx, samples);
    resolve_labels(tx, samples);
    tx.exec(
        "CREATE TEMP TABLE IF NOT EXISTS historian_staging (series_id integer, ts_ms bigint, "
        "value double precision) ON COMMIT DELETE ROWS");
    std::size_t rows = 0;
    RollupCells minutes, hours;
    {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      pqxx::tablewriter copy(tx, "historian_staging");
#pragma GCC diagnostic pop
      std::string chunk;
      chunk.reserve(1 << 20);
      for (const auto* s : samples) {
        const auto& info = series_.at(
            series_key(s->topic.site_id, s->topic.device_id, s->topic.measurement, s->topic.unit));
        if (info.type != type_of(s->value)) {
          ++result.type_mismatches;
          continue;
        }
        double value = 0;
        switch (s->value.index()) {
          case 0:
            value = std::get<double>(s->value);
            break;
          case 1:
            value = std::get<bool>(s->value) ? 1 : 0;
            break;
          default:
            value = labels_.at(std::get<std::string>(s->value));
        }
        if (!chunk.empty()) chunk += '\n';
        append_int(chunk, info.id);
        chunk += '\t';
        append_int(chunk, epoch_ms(s->ts));
        chunk += '\t';
        append_number(chunk, value);
        ++rows;
        add_to(minutes, info.id, floor_to(epoch_ms(s->ts), 60000), epoch_ms(s->ts), value);
        add_to(hours, info.id, floor_to(epoch_ms(s->ts), 3600000), epoch_ms(s->ts), value);
        if (chunk.size() > (1 << 20) - 64) {
          copy.write_raw_line(chunk);  // appends the final newline itself
          chunk.clear();
        }
      }
      if (!chunk.empty()) copy.write_raw_line(chunk);
      copy.complete();
    }
    if (rows > 0) {
      // Fast path: a plain INSERT (half the cost of ON CONFLICT's speculative insertion) under a
      // savepoint, roll-ups merged from the cells computed here. A duplicate (a redelivery, a
      // retained value after a reconnect, a spool replay) fails it with unique_violation: the
      // batch then takes the idempotent path, which only counts the rows it really inserts.
      bool plain = false;
      try {
        pqxx::subtransaction sub(tx, "plain_insert");
        sub.exec(kPlainInsert);
        sub.commit();
        plain = true;
      } catch (const pqxx::unique_violation&) {
      }
      if (plain) {
        upsert_cells(tx, minutes, "1m");
        upsert_cells(tx, hours, "1h");
        result.samples_inserted = rows;
      } else {
        const auto inserted = tx.exec(upsert_sql())[0][0].as<std::size_t>();
        result.samples_inserted = inserted;
        result.samples_duplicate = rows - inserted;
      }
    }
  }
  for (std::size_t i = 0; i < commands.size(); i += 500) {
    std::string sql =
        "INSERT INTO ts.commands (command_id, site_id, device_id, verb, target, unit, value, ts) "
        "VALUES ";
    for (std::size_t j = i; j < std::min(commands.size(), i + 500); ++j) {
      const auto& c = *commands[j];
      if (j > i) sql += ",";
      sql += "(" + tx.quote(c.payload.command_id) + "," + tx.quote(c.topic.site_id) + "," +
             tx.quote(c.topic.device_id) + "," +
             tx.quote(std::string(contract::to_string(c.topic.verb))) + "," +
             tx.quote(c.topic.target) + "," +
             tx.quote(std::string(contract::to_string(c.topic.unit))) + "," +
             tx.quote(json_value(c.payload.value)) + "::jsonb, 'epoch'::timestamptz + " +
             std::to_string(epoch_ms(c.payload.ts)) + " * interval '1 millisecond')";
    }
    sql += " ON CONFLICT (command_id) DO NOTHING";
    result.commands += tx.exec(sql).affected_rows();
  }
  for (std::size_t i = 0; i < acks.size(); i += 500) {
    std::string sql =
        "INSERT INTO ts.acks (command_id, state, ts, reason, site_id, device_id) VALUES ";
    for (std::size_t j = i; j < std::min(acks.size(), i + 500); ++j) {
      const auto& a = *acks[j];
      if (j > i) sql += ",";
      sql += "(" + tx.quote(a.ack.command_id) + "," +
             tx.quote(std::string(contract::to_string(a.ack.state))) + ", 'epoch'::timestamptz + " +
             std::to_string(epoch_ms(a.ack.ts)) + " * interval '1 millisecond'," +
             (a.ack.reason ? tx.quote(*a.ack.reason) : "NULL") + "," + tx.quote(a.topic.site_id) +
             "," + tx.quote(a.topic.device_id) + ")";
    }
    sql += " ON CONFLICT (command_id, state, ts) DO NOTHING";
    result.acks += tx.exec(sql).affected_rows();
  }
  tx.commit();
  return result;
}

}  // namespace ems::historian
