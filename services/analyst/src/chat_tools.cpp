#include "chat_tools.hpp"

#include <chrono>
#include <cmath>
#include <set>

#include "ems/runtime/http_client.hpp"
#include "ems/runtime/problem.hpp"
#include "rfc3339.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;

json schema(std::initializer_list<std::pair<const char*, const char*>> props,
            std::initializer_list<const char*> required) {
  json p = json::object();
  for (const auto& [name, description] : props)
    p[name] = {
        {"type", std::string(name) == "k" || std::string(name) == "depth" ? "integer" : "string"},
        {"description", description}};
  json r = json::array();
  for (const char* name : required) r.push_back(name);
  return {{"type", "object"}, {"properties", p}, {"required", r}};
}

json tool(const char* name, const char* description, json parameters) {
  return {{"type", "function"},
          {"function", {{"name", name}, {"description", description}, {"parameters", parameters}}}};
}

const std::set<std::string>& mcp_tools() {
  static const std::set<std::string> kNames = {
      "search_knowledge", "graph_neighbors",  "graph_path",        "upstream", "entity_chunks",
      "topology",         "latest_telemetry", "telemetry_history", "forecast"};
  return kNames;
}

std::string arg(const json& args, const char* key) {
  return args.is_object() && args.contains(key) && args[key].is_string()
             ? args[key].get<std::string>()
             : std::string();
}

}  // namespace

std::string url_encode(const std::string& value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

ToolBox::ToolBox(ToolBoxOptions options, Forecaster& forecaster, ModelRegistry& registry)
    : options_(std::move(options)),
      forecaster_(forecaster),
      registry_(registry),
      mcp_(options_.mcp_url) {}

json ToolBox::openai_tools() const {
  return json::array(
      {tool("site_status",
            "The site's devices (tree, names, templates, measurements) and, for one device, its "
            "latest values from the historian",
            schema({{"device", "device_id, e.g. bess_module_1 (optional)"}}, {})),
       tool("site_history",
            "Summary (min, max, mean, last) and hourly points of one measurement of a device "
            "from the historian; default the last 24 hours",
            schema({{"device", "device_id"},
                    {"measurement", "measurement name, e.g. state_of_charge"},
                    {"from", "RFC 3339 start (optional)"},
                    {"to", "RFC 3339 end (optional)"},
                    {"bucket", "1m|5m|15m|1h|1d (default 1h)"},
                    {"agg", "avg|min|max|last|count (default avg)"}},
                   {"device", "measurement"})),
       tool("site_forecast",
            "Forecast of a target by its champion model: site_pv, site_load (today intraday and "
            "tomorrow day-ahead) or an ERCOT column such as solar_system or system_load",
            schema({{"target", "site_pv, site_load, solar_system, system_load, ..."},
                    {"from", "YYYY-MM-DD (optional)"},
                    {"to", "YYYY-MM-DD (optional)"}},
                   {"target"})),
       tool("forecast_models", "The champion forecasting models with their backtest MAE and skill",
            schema({{"target", "target name (optional)"}}, {})),
       tool("search_knowledge", "Search the site's documents (runbooks, contract, templates)",
            schema({{"query", "what to look for"}, {"k", "number of chunks (default 5)"}},
                   {"query"})),
       tool("graph_neighbors", "Neighbours of a node in the site and knowledge graph",
            schema({{"node", "node id"}, {"depth", "hops (default 1)"}}, {"node"})),
       tool("graph_path", "Path between two nodes of the graph",
            schema({{"from", "node id"}, {"to", "node id"}}, {"from", "to"})),
       tool("upstream", "What is electrically upstream of a device",
            schema({{"device", "device_id"}}, {"device"})),
       tool("entity_chunks", "Document chunks about an entity",
            schema({{"entity", "entity name"}}, {"entity"})),
       tool("topology", "The site topology view (device-api), through the MCP server",
            schema({{"device", "device_id (optional)"}}, {})),
       tool("latest_telemetry", "Latest values of a device, through the MCP server",
            schema({{"device", "device_id"}}, {"device"})),
       tool("telemetry_history", "History of a measurement, through the MCP server",
            schema({{"device", "device_id"},
                    {"measurement", "measurement"},
                    {"from", "RFC 3339"},
                    {"to", "RFC 3339"},
                    {"bucket", "1m|5m|15m|1h|1d"},
                    {"agg", "avg|min|max|last|count"}},
                   {"device", "measurement"})),
       tool("forecast", "A forecast, through the MCP server",
            schema({{"target", "target"}, {"from", "start"}, {"to", "end"}}, {"target"}))});
}

bool ToolBox::has(const std::string& name) const {
  return name == "site_status" || name == "site_history" || name == "site_forecast" ||
         name == "forecast_models" || mcp_tools().count(name) > 0;
}

json ToolBox::http_json(const std::string& url, json& source) {
  source["read"].push_back(url);
  runtime::FetchOptions fetch;
  fetch.max_attempts = 1;
  fetch.read_timeout = std::chrono::seconds(10);
  runtime::FetchResult r;
  try {
    r = runtime::fetch_with_backoff(url, fetch);
  } catch (const std::exception& e) {
    throw std::runtime_error(url + " cannot be read: " + e.what());
  }
  const auto body = json::parse(r.body, nullptr, false);
  if (r.status != 200) {
    const std::string detail = body.is_object() ? body.value("detail", r.body) : r.body;
    throw std::runtime_error(url + " answered " + std::to_string(r.status) + ": " +
                             detail.substr(0, 300));
  }
  if (body.is_discarded()) throw std::runtime_error(url + " answered something that is not JSON");
  return body;
}

json ToolBox::topology_view() {
  std::lock_guard lock(view_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!view_.is_null() && now - view_at_ < std::chrono::seconds(30)) return view_;
  json ignored = {{"read", json::array()}};
  try {
    view_ = http_json(options_.device_api_url + "/topology/view", ignored);
    view_at_ = now;
  } catch (const std::exception&) {
    view_ = nullptr;
  }
  return view_;
}

json ToolBox::site_status(const json& args, json& source) {
  const std::string device = arg(args, "device");
  source["read"].push_back(options_.device_api_url + "/topology/view");
  const json view = topology_view();
  if (view.is_null())
    throw std::runtime_error("device-api " + options_.device_api_url +
                             "/topology/view cannot be read");
  if (device.empty()) {
    json devices = json::array();
    for (const auto& [id, d] : view["devices"].items())
      devices.push_back({{"device_id", id},
                         {"display_name", d.value("display_name", id)},
                         {"template", d.value("template", "")},
                         {"parent", d.value("parent", json(nullptr))},
                         {"children", d.value("children", json::array())}});
    return {{"site_id", view.value("site_id", "")},
            {"site_display_name", view.value("site_display_name", json(nullptr))},
            {"devices", devices}};
  }
  if (!view["devices"].contains(device))
    throw std::runtime_error("no device '" + device + "' in the site topology");
  const auto& d = view["devices"][device];
  json out = {{"device_id", device},
              {"display_name", d.value("display_name", device)},
              {"template", d.value("template", "")},
              {"parent", d.value("parent", json(nullptr))},
              {"children", d.value("children", json::array())}};
  const std::string tmpl = d.value("template", "");
  if (view["templates_used"].contains(tmpl)) {
    json measurements = json::object();
    for (const auto& [name, m] : view["templates_used"][tmpl]["measurements"].items())
      measurements[name] = {{"unit", m.value("unit", "")},
                            {"display_name", m.value("display_name", name)}};
    out["measurements"] = measurements;
    out["description"] = view["templates_used"][tmpl].value("description", json(nullptr));
  }
  try {
    out["latest"] = http_json(options_.historian_url + "/latest?device=" + url_encode(device),
                              source)["values"];
  } catch (const std::exception& e) {
    out["latest_error"] = e.what();
  }
  return out;
}

json ToolBox::site_history(const json& args, json& source) {
  const std::string device = arg(args, "device"), measurement = arg(args, "measurement");
  if (device.empty() || measurement.empty())
    throw std::invalid_argument("site_history needs 'device' and 'measurement'");
  std::string url = options_.historian_url + "/samples?device=" + url_encode(device) +
                    "&measurement=" + url_encode(measurement);
  const std::string bucket = arg(args, "bucket").empty() ? "1h" : arg(args, "bucket");
  const std::string agg = arg(args, "agg").empty() ? "avg" : arg(args, "agg");
  url += "&bucket=" + url_encode(bucket) + "&agg=" + url_encode(agg);
  if (!arg(args, "from").empty())
    url += "&from=" + url_encode(arg(args, "from"));
  else {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    url += "&from=" + url_encode(format_rfc3339(now - 86400));
  }
  if (!arg(args, "to").empty()) url += "&to=" + url_encode(arg(args, "to"));
  source["series"] = device + "/" + measurement;
  const json body = http_json(url, source);
  double mn = NAN, mx = NAN, sum = 0, first = NAN, last = NAN;
  std::string min_ts, max_ts;
  int n = 0;
  for (const auto& p : body.value("points", json::array())) {
    if (!p["value"].is_number()) continue;
    const double v = p["value"].get<double>();
    if (n == 0) first = v;
    last = v;
    if (n == 0 || v < mn) mn = v, min_ts = p.value("ts", "");
    if (n == 0 || v > mx) mx = v, max_ts = p.value("ts", "");
    sum += v;
    ++n;
  }
  json summary = {{"count", n}, {"unit", body.value("unit", "")}};
  if (n > 0) {
    summary["min"] = mn;
    summary["min_ts"] = min_ts;
    summary["max"] = mx;
    summary["max_ts"] = max_ts;
    summary["mean"] = sum / n;
    summary["first"] = first;
    summary["last"] = last;
  }
  return {{"device", device},
          {"measurement", measurement},
          {"from", body.value("from", "")},
          {"to", body.value("to", "")},
          {"bucket", bucket},
          {"agg", agg},
          {"summary", summary},
          {"points", body.value("points", json::array())}};
}

json ToolBox::site_forecast(const json& args, json& source) {
  ForecastQuery q;
  q.target = arg(args, "target");
  if (!arg(args, "from").empty()) q.from = arg(args, "from");
  if (!arg(args, "to").empty()) q.to = arg(args, "to");
  source["series"] = "forecast/" + q.target;
  json f;
  try {
    f = forecaster_.forecast(q);
  } catch (const runtime::ProblemException& e) {
    throw std::runtime_error(e.problem().title + ": " + e.problem().detail);
  }
  double peak = NAN, total = 0;
  std::string peak_ts;
  for (const auto& p : f["points"]) {
    if (!p["value"].is_number()) continue;
    const double v = p["value"].get<double>();
    total += v;
    if (std::isnan(peak) || v > peak) peak = v, peak_ts = p["ts"].get<std::string>();
  }
  f["summary"] = {{"peak", std::isnan(peak) ? json(nullptr) : json(peak)},
                  {"peak_ts", peak_ts},
                  {"sum", total},
                  {"hours", f["points"].size()}};
  source["model"] = f["model"];
  return f;
}

json ToolBox::forecast_models(const json& args, json& source) {
  const std::string target = arg(args, "target");
  source["read"].push_back("analyst.champions");
  json out = json::array();
  for (const auto& c : registry_.champions()) {
    if (!target.empty() && c.target != target) continue;
    out.push_back({{"target", c.target},
                   {"id", c.id},
                   {"name", c.name},
                   {"version", c.version},
                   {"mae", c.metrics.value("mae", json(nullptr))},
                   {"persistence_mae", c.metrics.value("persistence_mae", json(nullptr))},
                   {"skill", c.metrics.value("skill", json(nullptr))},
                   {"trained_at", c.trained_at},
                   {"data_to", c.data_to}});
  }
  return {{"champions", out}};
}

json ToolBox::mcp_tool(const std::string& name, const json& args, json& source) {
  source["read"].push_back(mcp_.url());
  json result = mcp_.call_tool(name, args);
  if (result.value("isError", false)) {
    std::string text;
    for (const auto& c : result.value("content", json::array())) text += c.value("text", "");
    throw std::runtime_error("MCP tool " + name + " failed: " + text.substr(0, 500));
  }
  json structured = result.value("structuredContent", json(nullptr));
  if (structured.is_null()) {
    for (const auto& c : result.value("content", json::array()))
      if (c.value("type", "") == "text") {
        structured = json::parse(c.value("text", ""), nullptr, false);
        if (structured.is_discarded()) structured = c.value("text", "");
        break;
      }
  }
  // Knowledge chunks are cited by id.
  const json& chunks = structured.is_object() && structured.contains("chunks")
                           ? structured["chunks"]
                           : (structured.is_array() ? structured : json());
  if (chunks.is_array())
    for (const auto& c : chunks)
      if (c.is_object() && c.contains("chunk_id")) source["chunk_ids"].push_back(c["chunk_id"]);
  return structured;
}

ToolOutcome ToolBox::call(const std::string& name, const json& arguments) {
  ToolOutcome out;
  out.source = {{"tool", name}, {"arguments", arguments}, {"read", json::array()}};
  try {
    if (!arguments.is_object()) throw std::invalid_argument("arguments must be a JSON object");
    if (name == "site_status")
      out.result = site_status(arguments, out.source);
    else if (name == "site_history")
      out.result = site_history(arguments, out.source);
    else if (name == "site_forecast")
      out.result = site_forecast(arguments, out.source);
    else if (name == "forecast_models")
      out.result = forecast_models(arguments, out.source);
    else if (mcp_tools().count(name))
      out.result = mcp_tool(name, arguments, out.source);
    else
      throw std::invalid_argument("unknown tool '" + name + "'");
    out.ok = true;
  } catch (const std::exception& e) {
    out.ok = false;
    out.error = e.what();
  }
  out.source["ok"] = out.ok;
  if (!out.ok) out.source["error"] = out.error;
  return out;
}

}  // namespace ems::analyst
