#include "site_tools.hpp"

#include <httplib.h>

#include "ems/runtime/config.hpp"
#include "ems/runtime/http_client.hpp"

namespace ems::mcp {

namespace {

using knowledge::GraphNode;

Json string_prop(const std::string& description) {
  return {{"type", "string"}, {"minLength", 1}, {"description", description}};
}

Json schema(Json properties, std::vector<std::string> required) {
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

Json nodes_json(const std::vector<GraphNode>& nodes) {
  Json out = Json::array();
  for (const auto& n : nodes)
    out.push_back({{"id", n.id}, {"kind", n.kind}, {"label", n.label}, {"distance", n.distance}});
  return out;
}

// GET base + path_and_query; the JSON answer, or a ToolError naming the service and its detail.
Json get_json(const std::string& service, const std::string& base, const std::string& path) {
  auto [origin, prefix] = runtime::split_http_url(base);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();  // "http://h:p" gives "/"
  httplib::Client client(origin);
  client.set_connection_timeout(2);
  client.set_read_timeout(10);
  auto res = client.Get(prefix + path);
  if (!res)
    throw ToolError(service + " is not reachable at " + base + " (" +
                    httplib::to_string(res.error()) + ")");
  Json body = Json::parse(res->body, nullptr, false);
  if (res->status != 200) {
    std::string detail = res->body.substr(0, 300);
    if (body.is_object() && body.contains("detail") && body["detail"].is_string())
      detail = body["detail"].get<std::string>();
    throw ToolError(service + " answered " + std::to_string(res->status) + " to GET " + path +
                    ": " + detail);
  }
  if (body.is_discarded())
    throw ToolError(service + " answered GET " + path + " with a body that is not JSON");
  return body;
}

std::string arg(const Json& args, const char* name, const std::string& fallback = {}) {
  return args.contains(name) ? args[name].get<std::string>() : fallback;
}

}  // namespace

UpstreamUrls UpstreamUrls::from_env() {
  UpstreamUrls u;
  u.device_api = runtime::env_string("EMS_DEVICE_API_URL", u.device_api);
  u.historian = runtime::env_string("EMS_HISTORIAN_URL", u.historian);
  u.analyst = runtime::env_string("EMS_ANALYST_URL", u.analyst);
  return u;
}

std::string url_encode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::vector<Tool> site_tools(const knowledge::KnowledgeStore& store,
                             const knowledge::GraphStore& graph, UpstreamUrls urls) {
  std::vector<Tool> tools;
  tools.push_back(Tool{
      "search_knowledge", "Search site documents",
      "Searches the site's documents (operator runbooks, the contract, device templates, READMEs) "
      "by full-text and vector similarity fused with reciprocal rank fusion. Returns the best "
      "chunks with their document, title, section and text.",
      schema({{"query", string_prop("what to look for, in plain words")},
              {"k",
               {{"type", "integer"},
                {"minimum", 1},
                {"maximum", 50},
                {"default", 5},
                {"description", "how many chunks (default 5)"}}}},
             {"query"}),
      [&store](const Json& args) {
        const auto k = static_cast<std::size_t>(args.value("k", 5));
        Json chunks = Json::array();
        for (const auto& h : store.search(args["query"].get<std::string>(), k))
          chunks.push_back({{"chunk_id", h.chunk_id},
                            {"document", h.document},
                            {"title", h.title},
                            {"section", h.section},
                            {"text", h.text},
                            {"score", h.score}});
        return Json{{"chunks", chunks}};
      }});
  tools.push_back(Tool{
      "graph_neighbors", "Neighbours in the site graph",
      "Nodes within `depth` hops of a node of the site graph (devices, buses, the site, equipment "
      "types, measurements, standards) and the edges between them (part_of, located_at, "
      "instance_of, connected_to, measures, has_measurement).",
      schema(
          {{"node", string_prop("a node id (device:bess_rack_1) or name (bess_rack_1, site_bus)")},
           {"depth", {{"type", "integer"}, {"minimum", 1}, {"maximum", 4}, {"default", 1}}}},
          {"node"}),
      [&graph](const Json& args) {
        const auto n = graph.neighbors(args["node"].get<std::string>(), args.value("depth", 1));
        Json edges = Json::array();
        for (const auto& e : n.edges)
          edges.push_back({{"src", e.src}, {"dst", e.dst}, {"kind", e.kind}});
        return Json{{"nodes", nodes_json(n.nodes)}, {"edges", edges}};
      }});
  tools.push_back(Tool{
      "graph_path", "Path between two nodes",
      "The shortest path (at most 8 hops, through devices, buses and the site) between two nodes "
      "of the site graph.",
      schema({{"from", string_prop("start node id or name")},
              {"to", string_prop("end node id or name")}},
             {"from", "to"}),
      [&graph](const Json& args) {
        const auto p = graph.path(args["from"].get<std::string>(), args["to"].get<std::string>());
        return Json{{"found", !p.empty()}, {"path", nodes_json(p)}};
      }});
  tools.push_back(Tool{
      "upstream", "What is upstream of a device",
      "The parent chain of a device up to the site, and the electrical buses the device and its "
      "parents are connected to.",
      schema({{"device", string_prop("device id, e.g. bess_rack_2")}}, {"device"}),
      [&graph](const Json& args) {
        const std::string device = graph.resolve(args["device"].get<std::string>());
        return Json{{"device", device}, {"upstream", nodes_json(graph.upstream(device))}};
      }});
  tools.push_back(Tool{
      "entity_chunks", "Documents about an entity",
      "Document chunks that name an entity of the graph: a device (and its equipment type), an "
      "equipment type (template), a measurement or a standard (e.g. IEEE 738).",
      schema({{"entity", string_prop("entity id or name, e.g. pst, state_of_charge, IEEE 738")}},
             {"entity"}),
      [&graph](const Json& args) {
        const std::string entity = graph.resolve(args["entity"].get<std::string>());
        Json chunks = Json::array();
        for (const auto& c : graph.entity_chunks(entity, 10))
          chunks.push_back({{"chunk_id", c.chunk_id},
                            {"document", c.document},
                            {"title", c.title},
                            {"section", c.section},
                            {"text", c.text},
                            {"via", c.via}});
        return Json{{"entity", entity}, {"chunks", chunks}};
      }});
  tools.push_back(Tool{
      "topology", "Site topology",
      "The sanitized topology view of the site from device-api (devices, parents, measurements, "
      "buses); with `device`, only that device's entry.",
      schema({{"device", string_prop("optional device id")}}, {}), [urls](const Json& args) {
        Json view = get_json("device-api", urls.device_api, "/topology/view");
        if (!args.contains("device")) return view;
        const std::string id = args["device"].get<std::string>();
        if (view.contains("devices")) {
          const Json& devices = view["devices"];
          if (devices.is_object() && devices.contains(id)) return Json{{"device", devices[id]}};
          if (devices.is_array())
            for (const auto& d : devices)
              if (d.is_object() && d.value("device_id", "") == id) return Json{{"device", d}};
        }
        throw ToolError("device '" + id + "' is not in the topology");
      }});
  tools.push_back(
      Tool{"latest_telemetry", "Latest values of a device",
           "The latest stored value of every measurement of a device (historian GET /latest).",
           schema({{"device", string_prop("device id, e.g. bess_rack_1")}}, {"device"}),
           [urls](const Json& args) {
             return get_json("historian", urls.historian,
                             "/latest?device=" + url_encode(arg(args, "device")));
           }});
  tools.push_back(Tool{
      "telemetry_history", "History of a measurement",
      "Stored samples of one measurement of a device (historian GET /samples), raw or bucketed. "
      "Times are RFC 3339; default the last hour.",
      schema({{"device", string_prop("device id")},
              {"measurement", string_prop("measurement name, e.g. state_of_charge")},
              {"from", string_prop("start, RFC 3339 (default: to - 1 h)")},
              {"to", string_prop("end, RFC 3339 (default: now)")},
              {"bucket", {{"type", "string"}, {"enum", {"1m", "5m", "15m", "1h", "1d"}}}},
              {"agg", {{"type", "string"}, {"enum", {"avg", "min", "max", "last", "count"}}}}},
             {"device", "measurement"}),
      [urls](const Json& args) {
        std::string path = "/samples?device=" + url_encode(arg(args, "device")) +
                           "&measurement=" + url_encode(arg(args, "measurement"));
        for (const char* p : {"from", "to", "bucket", "agg"})
          if (args.contains(p))
            path += std::string("&") + p + "=" + url_encode(args[p].get<std::string>());
        return get_json("historian", urls.historian, path);
      }});
  tools.push_back(Tool{
      "forecast", "Forecast of a target",
      "A forecast from the analyst (GET /forecast): points with ts, value and, where the model "
      "gives them, lower/upper bounds.",
      schema({{"target", string_prop("forecast target, e.g. solar_system or system_load")},
              {"from", string_prop("start, RFC 3339")},
              {"to", string_prop("end, RFC 3339")}},
             {"target"}),
      [urls](const Json& args) {
        std::string path = "/forecast?target=" + url_encode(arg(args, "target"));
        for (const char* p : {"from", "to"})
          if (args.contains(p))
            path += std::string("&") + p + "=" + url_encode(args[p].get<std::string>());
        return get_json("analyst", urls.analyst, path);
      }});
  return tools;
}

ResourceProvider document_resources(const knowledge::KnowledgeStore& store) {
  ResourceProvider p;
  p.list = [&store] {
    std::vector<Resource> out;
    for (const auto& d : store.documents())
      out.push_back(Resource{kDocumentUriPrefix + d.uri, d.uri, d.title, "text/markdown",
                             d.kind + " document, " + std::to_string(d.chunks) + " chunks"});
    return out;
  };
  p.read = [&store](const std::string& uri) -> std::optional<std::pair<Resource, std::string>> {
    const std::string prefix = kDocumentUriPrefix;
    if (uri.rfind(prefix, 0) != 0) return std::nullopt;
    auto doc = store.document(uri.substr(prefix.size()));
    if (!doc) return std::nullopt;
    return std::make_pair(Resource{uri, doc->info.uri, doc->info.title, "text/markdown", ""},
                          doc->text);
  };
  return p;
}

}  // namespace ems::mcp
