#include "http_api.hpp"

#include <charconv>
#include <chrono>
#include <set>

#include "ems/contract/time.hpp"
#include "ems/contract/vocabulary.hpp"

#include <pqxx/except>

namespace ems::historian {

namespace {

using runtime::ProblemException;

[[noreturn]] void bad(std::string_view name, const std::string& message) {
  throw ProblemException(400, "Bad Parameter", std::string(name) + ": " + message);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void only_params(const httplib::Request& req, const std::set<std::string_view>& allowed) {
  for (const auto& [name, value] : req.params) {
    if (!allowed.count(name)) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      bad(name, "unknown parameter (known: " + list + ")");
    }
    if (req.get_param_value_count(name) > 1) bad(name, "given more than once");
  }
}

std::optional<std::string> param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

std::string slug_param(const httplib::Request& req, const char* name, bool required) {
  auto v = param(req, name);
  if (!v) {
    if (required) bad(name, "required");
    return {};
  }
  if (!contract::is_slug(*v)) {
    bad(name, "'" + v->substr(0, 80) + "' is not a slug (^[a-z][a-z0-9_]{0,62}[a-z0-9]$)");
  }
  return *v;
}

std::string iso(std::int64_t ms) {
  return contract::format_timestamp(contract::Timestamp(std::chrono::milliseconds(ms)));
}

bool wants_csv(const httplib::Request& req) {
  if (auto f = param(req, "format")) {
    if (*f == "csv") return true;
    if (*f == "json") return false;
    bad("format", "'" + f->substr(0, 40) + "' is not csv or json");
  }
  return req.get_header_value("Accept").find("text/csv") != std::string::npos;
}

std::pair<std::int64_t, std::int64_t> range(const httplib::Request& req, std::int64_t default_span,
                                            std::int64_t now) {
  const auto to = req.has_param("to") ? parse_time_param("to", req.get_param_value("to")) : now;
  const auto from = req.has_param("from") ? parse_time_param("from", req.get_param_value("from"))
                                          : to - default_span;
  if (from >= to) bad("from", "must be before to (" + iso(from) + " >= " + iso(to) + ")");
  return {from, to};
}

std::size_t limit_param(const httplib::Request& req, std::size_t max_points) {
  auto v = param(req, "limit");
  if (!v) return max_points;
  std::int64_t n = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size() || n <= 0) {
    bad("limit", "'" + v->substr(0, 40) + "' is not a positive integer");
  }
  if (static_cast<std::size_t>(n) > max_points) {
    bad("limit",
        std::to_string(n) + " is above the service's limit of " + std::to_string(max_points));
  }
  return static_cast<std::size_t>(n);
}

std::string csv_cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  }
  return v.dump();
}

void json_answer(httplib::Response& res, const nlohmann::json& body) {
  res.set_content(body.dump(), "application/json");
}

}  // namespace

std::int64_t parse_time_param(std::string_view name, std::string_view text) {
  std::string t(text);
  if (t.empty()) bad(name, "empty (expected an RFC 3339 time such as 2026-11-26T07:05:11.123Z)");
  std::int64_t offset_ms = 0;
  if (t.back() != 'Z') {
    if (t.size() < 7)
      bad(name, "'" + t + "' is not an RFC 3339 time (e.g. 2026-11-26T07:05:11.123Z)");
    std::string off = t.substr(t.size() - 6);
    if (off[0] == ' ') off[0] = '+';
    const bool digits = std::isdigit(static_cast<unsigned char>(off[1])) &&
                        std::isdigit(static_cast<unsigned char>(off[2])) && off[3] == ':' &&
                        std::isdigit(static_cast<unsigned char>(off[4])) &&
                        std::isdigit(static_cast<unsigned char>(off[5]));
    if ((off[0] != '+' && off[0] != '-') || !digits) {
      bad(name, "'" + t.substr(0, 60) +
                    "' is not an RFC 3339 time with an offset (e.g. 2026-11-26T07:05:11.123Z or "
                    "2026-11-26T08:05:11+01:00)");
    }
    const int hours = (off[1] - '0') * 10 + (off[2] - '0');
    const int minutes = (off[4] - '0') * 10 + (off[5] - '0');
    if (hours > 23 || minutes > 59) bad(name, "offset " + off + " is out of range");
    offset_ms = (hours * 60 + minutes) * 60000LL * (off[0] == '+' ? 1 : -1);
    t = t.substr(0, t.size() - 6) + "Z";
  }
  try {
    return contract::parse_timestamp(t).time_since_epoch().count() - offset_ms;
  } catch (const std::exception& e) {
    bad(name, "'" + std::string(text.substr(0, 60)) + "' is not an RFC 3339 time: " + e.what());
  }
}

SamplesRequest parse_samples_request(const httplib::Request& req, std::size_t max_points,
                                     std::int64_t now) {
  only_params(req,
              {"device", "measurement", "from", "to", "bucket", "agg", "join", "limit", "format"});
  SamplesRequest q;
  q.device_id = slug_param(req, "device", true);
  q.measurement = slug_param(req, "measurement", true);
  std::tie(q.from_ms, q.to_ms) = range(req, 3600000, now);
  if (auto b = param(req, "bucket")) {
    q.bucket_ms = bucket_ms(*b);
    if (q.bucket_ms == 0)
      bad("bucket", "'" + b->substr(0, 40) + "' is not one of 1m, 5m, 15m, 1h, 1d");
    q.bucket = *b;
    if (auto a = param(req, "agg")) {
      auto agg = parse_agg(*a);
      if (!agg) bad("agg", "'" + a->substr(0, 40) + "' is not one of avg, min, max, last, count");
      q.agg = *agg;
    }
  } else if (req.has_param("agg")) {
    bad("agg", "needs a bucket (bucket=1m|5m|15m|1h|1d)");
  }
  if (auto j = param(req, "join")) {
    if (*j != "comm_status") bad("join", "'" + j->substr(0, 40) + "' is not comm_status");
    q.join_comm_status = true;
  }
  q.limit = limit_param(req, max_points);
  return q;
}

nlohmann::json samples_json(const SamplesAnswer& a, const SamplesRequest& q) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : a.points) {
    nlohmann::json point = {{"ts", iso(p.ts_ms)}, {"value", p.value}};
    if (q.join_comm_status) point["comm_status"] = p.comm_status;
    points.push_back(std::move(point));
  }
  return {{"device_id", a.series.device_id},
          {"measurement", a.series.measurement},
          {"unit", a.series.unit},
          {"value_type", a.series.value_type},
          {"from", iso(q.from_ms)},
          {"to", iso(q.to_ms)},
          {"bucket", q.bucket_ms ? nlohmann::json(q.bucket) : nlohmann::json(nullptr)},
          {"agg",
           q.bucket_ms ? nlohmann::json(std::string(to_string(q.agg))) : nlohmann::json(nullptr)},
          {"tier", a.tier},
          {"points", std::move(points)}};
}

std::string samples_csv(const SamplesAnswer& a, bool with_comm_status) {
  std::string out = with_comm_status ? "ts,value,comm_status\n" : "ts,value\n";
  for (const auto& p : a.points) {
    out += iso(p.ts_ms);
    out += ',';
    out += csv_cell(p.value);
    if (with_comm_status) {
      out += ',';
      out += csv_cell(p.comm_status);
    }
    out += '\n';
  }
  return out;
}

void install_routes(runtime::HttpServer& server, QueryService& queries) {
  // A query while PostgreSQL is unreachable is the database's outage, not a bug: 503.
  server.set_exception_mapper([](const std::exception& e, httplib::Response& res) {
    if (dynamic_cast<const pqxx::broken_connection*>(&e) == nullptr) return false;
    runtime::problem(res, 503, "Database Unavailable",
                     "PostgreSQL is not reachable; samples keep being received and spooled");
    return true;
  });
  server.get("/series", [&](const httplib::Request& req, httplib::Response& res) {
    only_params(req, {"device", "measurement", "unit"});
    std::optional<std::string> device, measurement, unit;
    if (req.has_param("device")) device = slug_param(req, "device", true);
    if (req.has_param("measurement")) measurement = slug_param(req, "measurement", true);
    if (auto u = param(req, "unit")) {
      if (!contract::parse_unit(*u))
        bad("unit", "'" + u->substr(0, 40) + "' is not a unit of the contract");
      unit = *u;
    }
    json_answer(res, queries.series(device, measurement, unit));
  });
  server.get("/samples", [&](const httplib::Request& req, httplib::Response& res) {
    const auto q = parse_samples_request(req, queries.max_points(), now_ms());
    const bool csv = wants_csv(req);
    const auto answer = queries.samples(q);
    if (csv) {
      res.set_content(samples_csv(answer, q.join_comm_status), "text/csv");
    } else {
      json_answer(res, samples_json(answer, q));
    }
  });
  server.get("/latest", [&](const httplib::Request& req, httplib::Response& res) {
    only_params(req, {"device"});
    json_answer(res, queries.latest(slug_param(req, "device", true)));
  });
  server.get("/commands", [&](const httplib::Request& req, httplib::Response& res) {
    only_params(req, {"device", "from", "to", "limit"});
    const auto device = slug_param(req, "device", true);
    const auto [from, to] = range(req, 7 * 24 * 3600000LL, now_ms());
    json_answer(res, queries.commands(device, from, to, limit_param(req, queries.max_points())));
  });
}

}  // namespace ems::historian
