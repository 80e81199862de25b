#include "query.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "ems/contract/time.hpp"
#include "ems/runtime/problem.hpp"
#include "schema.hpp"

namespace ems::historian {

namespace {

constexpr std::int64_t kMinute = 60000;
constexpr std::int64_t kHour = 3600000;

constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kBuckets = {
    {{"1m", kMinute},
     {"5m", 5 * kMinute},
     {"15m", 15 * kMinute},
     {"1h", kHour},
     {"1d", 24 * kHour}}};

std::string ts_expr(const std::string& param) {
  return "('epoch'::timestamptz + " + param + "::bigint * interval '1 millisecond')";
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

std::string iso(std::int64_t ms) {
  return contract::format_timestamp(contract::Timestamp(std::chrono::milliseconds(ms)));
}

}  // namespace

std::int64_t bucket_ms(std::string_view name) {
  for (const auto& [n, ms] : kBuckets) {
    if (n == name) return ms;
  }
  return 0;
}

std::optional<Agg> parse_agg(std::string_view s) {
  if (s == "avg") return Agg::avg;
  if (s == "min") return Agg::min;
  if (s == "max") return Agg::max;
  if (s == "last") return Agg::last;
  if (s == "count") return Agg::count;
  return std::nullopt;
}

std::string_view to_string(Agg a) {
  switch (a) {
    case Agg::avg:
      return "avg";
    case Agg::min:
      return "min";
    case Agg::max:
      return "max";
    case Agg::last:
      return "last";
    case Agg::count:
      return "count";
  }
  return "avg";
}

// A pooled connection, returned on destruction unless it broke (then a fresh one is opened
// next time).
class QueryService::Lease {
 public:
  explicit Lease(QueryService& owner) : owner_(owner), conn_(owner.acquire()) {}
  ~Lease() {
    if (conn_ && conn_->is_open()) {
      owner_.release(std::move(conn_));
    }
  }
  pqxx::connection& operator*() { return *conn_; }

 private:
  QueryService& owner_;
  std::unique_ptr<pqxx::connection> conn_;
};

QueryService::QueryService(std::string database_url, std::size_t connections,
                           std::size_t max_points, std::chrono::hours raw_retention)
    : url_(std::move(database_url)),
      max_points_(max_points),
      raw_retention_(raw_retention),
      capacity_(connections) {}

QueryService::~QueryService() = default;

std::unique_ptr<pqxx::connection> QueryService::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
  }
  auto conn = std::make_unique<pqxx::connection>(url_);
  prepare_session(*conn);
  return conn;
}

void QueryService::release(std::unique_ptr<pqxx::connection> conn) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < capacity_) idle_.push_back(std::move(conn));
}

bool QueryService::ping() {
  try {
    Lease lease(*this);
    pqxx::nontransaction tx(*lease);
    tx.exec("SELECT 1");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string QueryService::label(pqxx::transaction_base& tx, int id) {
  {
    std::lock_guard lock(labels_mutex_);
    if (auto it = labels_.find(id); it != labels_.end()) return it->second;
  }
  std::lock_guard lock(labels_mutex_);
  for (const auto& row : tx.exec("SELECT id, label FROM ts.labels")) {
    labels_[row[0].as<int>()] = row[1].as<std::string>();
  }
  if (auto it = labels_.find(id); it != labels_.end()) return it->second;
  return {};
}

nlohmann::json QueryService::series(const std::optional<std::string>& device,
                                    const std::optional<std::string>& measurement,
                                    const std::optional<std::string>& unit) {
  Lease lease(*this);
  pqxx::nontransaction tx(*lease);
  std::string sql =
      "SELECT site_id, device_id, measurement, unit, value_type FROM ts.series WHERE true";
  if (device) sql += " AND device_id = " + tx.quote(*device);
  if (measurement) sql += " AND measurement = " + tx.quote(*measurement);
  if (unit) sql += " AND unit = " + tx.quote(*unit);
  sql += " ORDER BY device_id, measurement, unit, site_id";
  nlohmann::json list = nlohmann::json::array();
  for (const auto& row : tx.exec(sql)) {
    list.push_back({{"site_id", row[0].c_str()},
                    {"device_id", row[1].c_str()},
                    {"measurement", row[2].c_str()},
                    {"unit", row[3].c_str()},
                    {"value_type", row[4].c_str()}});
  }
  return {{"series", std::move(list)}};
}

SamplesAnswer QueryService::samples(const SamplesRequest& q) {
  Lease lease(*this);
  auto& conn = *lease;
  SamplesAnswer answer;
  {
    pqxx::nontransaction tx(conn);
    const auto r = tx.exec_params(
        "SELECT id, site_id, device_id, measurement, unit, value_type FROM ts.series "
        "WHERE device_id = $1 AND measurement = $2 ORDER BY from_topology DESC, id LIMIT 1",
        q.device_id, q.measurement);
    if (r.empty()) {
      throw runtime::ProblemException(404, "Unknown Series",
                                      "no measurement '" + q.measurement + "' of device '" +
                                          q.device_id + "' has been stored or declared");
    }
    answer.series =
        SeriesInfo{r[0][0].as<int>(),         r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                   r[0][3].as<std::string>(), r[0][4].as<std::string>(), r[0][5].as<std::string>()};
  }
  const auto& s = answer.series;
  const bool is_enum = s.value_type == "enum";
  const bool is_bool = s.value_type == "bool";
  if (q.bucket_ms > 0 && is_enum && (q.agg == Agg::avg || q.agg == Agg::min || q.agg == Agg::max)) {
    throw runtime::ProblemException(400, "Bad Parameter",
                                    "agg: '" + std::string(to_string(q.agg)) +
                                        "' is not defined for the enum measurement '" +
                                        s.measurement + "'; use agg=last or agg=count");
  }
  pqxx::nontransaction tx(conn);
  // How a stored double reads back for this series and aggregate.
  auto render = [&](double v, bool raw_value) -> nlohmann::json {
    if (raw_value && is_enum) return label(tx, static_cast<int>(v));
    if (raw_value && is_bool) return v != 0;
    return v;
  };

  if (q.bucket_ms == 0) {
    answer.tier = "raw";
    const auto r = tx.exec_params(
        "SELECT (extract(epoch FROM ts) * 1000)::bigint, value FROM ts.samples WHERE series_id = "
        "$1 AND ts >= " +
            ts_expr("$2") + " AND ts <= " + ts_expr("$3") + " ORDER BY ts LIMIT $4",
        s.id, q.from_ms, q.to_ms, static_cast<std::int64_t>(q.limit) + 1);
    if (r.size() > q.limit) {
      const auto total =
          tx.exec_params("SELECT count(*) FROM ts.samples WHERE series_id = $1 AND ts >= " +
                             ts_expr("$2") + " AND ts <= " + ts_expr("$3"),
                         s.id, q.from_ms, q.to_ms)[0][0]
              .as<std::int64_t>();
      std::string suggestion;
      for (const auto& [name, ms] : kBuckets) {
        if ((q.to_ms - q.from_ms) / ms + 1 <= static_cast<std::int64_t>(q.limit)) {
          suggestion = "; ask for buckets, e.g. bucket=" + std::string(name) + "&agg=avg";
          break;
        }
      }
      throw runtime::ProblemException(
          400, "Too Many Points",
          "the range holds " + std::to_string(total) + " points, more than the limit of " +
              std::to_string(q.limit) + suggestion + ", or a shorter range");
    }
    answer.points.reserve(r.size());
    for (const auto& row : r) {
      answer.points.push_back({row[0].as<std::int64_t>(), render(row[1].as<double>(), true), {}});
    }
  } else {
    const auto start = floor_div(q.from_ms, q.bucket_ms) * q.bucket_ms;
    const auto n = q.to_ms > start ? (q.to_ms - start + q.bucket_ms - 1) / q.bucket_ms : 0;
    if (n > static_cast<std::int64_t>(q.limit)) {
      std::string suggestion;
      for (const auto& [name, ms] : kBuckets) {
        if (ms > q.bucket_ms && (q.to_ms - start) / ms + 1 <= static_cast<std::int64_t>(q.limit)) {
          suggestion = "; use a larger bucket, e.g. bucket=" + std::string(name);
          break;
        }
      }
      throw runtime::ProblemException(400, "Too Many Points",
                                      "the range holds " + std::to_string(n) + " buckets of " +
                                          q.bucket + ", more than the limit of " +
                                          std::to_string(q.limit) + suggestion +
                                          ", or a shorter range");
    }
    const auto end = start + n * q.bucket_ms;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const bool before_raw =
        raw_retention_.count() > 0 &&
        start < now - std::chrono::duration_cast<std::chrono::milliseconds>(raw_retention_).count();
    const auto range = end - start;
    if (q.bucket_ms % kHour == 0 && (range > 48 * kHour || before_raw)) {
      answer.tier = "1h";
    } else if (range > 6 * kHour || before_raw) {
      answer.tier = "1m";
    } else {
      answer.tier = "raw";
    }
    std::string agg;
    std::string from_where;
    const std::string bin =
        "(extract(epoch FROM date_bin($4::bigint * interval '1 millisecond', %T, "
        "'epoch'::timestamptz)) * 1000)::bigint";
    std::string bucket_expr;
    if (answer.tier == "raw") {
      switch (q.agg) {
        case Agg::avg:
          agg = "avg(value)";
          break;
        case Agg::min:
          agg = "min(value)";
          break;
        case Agg::max:
          agg = "max(value)";
          break;
        case Agg::count:
          agg = "count(*)::double precision";
          break;
        case Agg::last:
          agg = "(array_agg(value ORDER BY ts DESC))[1]";
          break;
      }
      bucket_expr = bin;
      bucket_expr.replace(bucket_expr.find("%T"), 2, "ts");
      from_where = "FROM ts.samples WHERE series_id = $1 AND ts >= " + ts_expr("$2") +
                   " AND ts < " + ts_expr("$3");
    } else {
      switch (q.agg) {
        case Agg::avg:
          agg = "sum(sum) / sum(count)";
          break;
        case Agg::min:
          agg = "min(min)";
          break;
        case Agg::max:
          agg = "max(max)";
          break;
        case Agg::count:
          agg = "sum(count)::double precision";
          break;
        case Agg::last:
          agg = "(array_agg(last ORDER BY last_ts DESC))[1]";
          break;
      }
      bucket_expr = bin;
      bucket_expr.replace(bucket_expr.find("%T"), 2, "bucket");
      from_where = "FROM ts.rollup_" + answer.tier +
                   " WHERE series_id = $1 AND bucket >= " + ts_expr("$2") + " AND bucket < " +
                   ts_expr("$3");
    }
    const auto r =
        tx.exec_params("SELECT " + bucket_expr + " AS b, " + agg + " " + from_where + " GROUP BY 1",
                       s.id, start, end, q.bucket_ms);
    std::unordered_map<std::int64_t, double> values;
    for (const auto& row : r) values[row[0].as<std::int64_t>()] = row[1].as<double>();
    const bool value_like = q.agg == Agg::last || q.agg == Agg::min || q.agg == Agg::max;
    answer.points.reserve(static_cast<std::size_t>(n));
    for (std::int64_t b = start; b < end; b += q.bucket_ms) {
      auto it = values.find(b);
      answer.points.push_back(
          {b, it == values.end() ? nlohmann::json(nullptr) : render(it->second, value_like), {}});
    }
  }

  if (q.join_comm_status && !answer.points.empty()) {
    const auto cs = tx.exec_params(
        "SELECT id FROM ts.series WHERE site_id = $1 AND device_id = $2 AND measurement = "
        "'comm_status' LIMIT 1",
        s.site_id, s.device_id);
    if (cs.empty()) {
      for (auto& p : answer.points) p.comm_status = nullptr;
    } else {
      std::string array = "{";
      for (std::size_t i = 0; i < answer.points.size(); ++i) {
        if (i) array += ',';
        array += std::to_string(answer.points[i].ts_ms);
      }
      array += '}';
      const auto r = tx.exec_params(
          "SELECT (SELECT value FROM ts.samples x WHERE x.series_id = $1 AND x.ts <= "
          "'epoch'::timestamptz + p.t * interval '1 millisecond' ORDER BY x.ts DESC LIMIT 1) "
          "FROM unnest($2::bigint[]) WITH ORDINALITY AS p(t, i) ORDER BY p.i",
          cs[0][0].as<int>(), array);
      for (std::size_t i = 0; i < answer.points.size() && i < r.size(); ++i) {
        answer.points[i].comm_status =
            r[i][0].is_null() ? nlohmann::json(nullptr)
                              : nlohmann::json(label(tx, static_cast<int>(r[i][0].as<double>())));
      }
    }
  }
  return answer;
}

nlohmann::json QueryService::latest(const std::string& device) {
  Lease lease(*this);
  auto& conn = *lease;
  pqxx::nontransaction tx(conn);
  const auto known = tx.exec_params("SELECT 1 FROM ts.series WHERE device_id = $1 LIMIT 1", device);
  if (known.empty()) {
    throw runtime::ProblemException(404, "Unknown Device",
                                    "device '" + device + "' has no stored or declared series");
  }
  const auto r = tx.exec_params(
      "SELECT s.measurement, s.unit, s.value_type, (extract(epoch FROM l.ts) * 1000)::bigint, "
      "l.value FROM ts.series s CROSS JOIN LATERAL (SELECT ts, value FROM ts.samples x WHERE "
      "x.series_id = s.id ORDER BY ts DESC LIMIT 1) l WHERE s.device_id = $1 "
      "ORDER BY s.measurement, s.unit",
      device);
  nlohmann::json values = nlohmann::json::array();
  for (const auto& row : r) {
    const std::string type = row[2].c_str();
    const double v = row[4].as<double>();
    nlohmann::json value = v;
    if (type == "bool") value = v != 0;
    if (type == "enum") value = label(tx, static_cast<int>(v));
    values.push_back({{"measurement", row[0].c_str()},
                      {"unit", row[1].c_str()},
                      {"ts", iso(row[3].as<std::int64_t>())},
                      {"value", std::move(value)}});
  }
  return {{"device_id", device}, {"values", std::move(values)}};
}

nlohmann::json QueryService::commands(const std::string& device, std::int64_t from_ms,
                                      std::int64_t to_ms, std::size_t limit) {
  Lease lease(*this);
  pqxx::nontransaction tx(*lease);
  const auto r = tx.exec_params(
      "SELECT command_id::text, device_id, verb, target, unit, coalesce(value::text, 'null'), "
      "(extract(epoch FROM ts) * 1000)::bigint FROM ts.commands WHERE device_id = $1 AND ts >= " +
          ts_expr("$2") + " AND ts <= " + ts_expr("$3") + " ORDER BY ts DESC, command_id LIMIT $4",
      device, from_ms, to_ms, static_cast<std::int64_t>(limit));
  nlohmann::json list = nlohmann::json::array();
  if (r.empty()) return {{"commands", std::move(list)}};
  std::string ids = "{";
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (i) ids += ',';
    ids += r[i][0].c_str();
  }
  ids += '}';
  // Acks in time order; at equal times in the order of the life of a command.
  const auto acks = tx.exec_params(
      "SELECT command_id::text, state, (extract(epoch FROM ts) * 1000)::bigint, reason FROM "
      "ts.acks WHERE command_id = ANY($1::uuid[]) ORDER BY command_id, ts, "
      "array_position(ARRAY['received','accepted','done','failed','rejected','timeout'], state)",
      ids);
  std::unordered_map<std::string, nlohmann::json> by_command;
  for (const auto& row : acks) {
    nlohmann::json a = {{"state", row[1].c_str()}, {"ts", iso(row[2].as<std::int64_t>())}};
    if (!row[3].is_null()) a["reason"] = row[3].c_str();
    by_command[row[0].c_str()].push_back(std::move(a));
  }
  for (const auto& row : r) {
    const std::string id = row[0].c_str();
    auto acks_of = by_command.count(id) ? by_command[id] : nlohmann::json::array();
    nlohmann::json state = acks_of.empty() ? nlohmann::json(nullptr) : acks_of.back()["state"];
    list.push_back({{"command_id", id},
                    {"device_id", row[1].c_str()},
                    {"verb", row[2].c_str()},
                    {"target", row[3].c_str()},
                    {"unit", row[4].c_str()},
                    {"value", nlohmann::json::parse(row[5].c_str())},
                    {"ts", iso(row[6].as<std::int64_t>())},
                    {"state", std::move(state)},
                    {"acks", std::move(acks_of)}});
  }
  return {{"commands", std::move(list)}};
}

}  // namespace ems::historian
