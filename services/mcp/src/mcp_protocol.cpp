#include "mcp_protocol.hpp"

#include <algorithm>

#include "ems/runtime/log.hpp"

namespace ems::mcp {

namespace {

Json error_response(const Json& id, int code, const std::string& message,
                    const Json& data = nullptr) {
  Json error = {{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = data;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", error}};
}

std::string type_of(const Json& v) {
  if (v.is_string()) return "string";
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "boolean";
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  return "null";
}

}  // namespace

const std::vector<std::string>& supported_protocol_versions() {
  static const std::vector<std::string> kVersions = {"2025-06-18", "2025-03-26", "2024-11-05"};
  return kVersions;
}

std::string validate_arguments(const Json& schema, const Json& arguments, std::string& path) {
  path.clear();
  if (!arguments.is_object()) return "arguments must be an object";
  const Json properties = schema.value("properties", Json::object());
  for (const auto& name : schema.value("required", Json::array())) {
    if (!arguments.contains(name.get<std::string>())) {
      path = "/" + name.get<std::string>();
      return "missing required argument '" + name.get<std::string>() + "'";
    }
  }
  for (const auto& [name, value] : arguments.items()) {
    path = "/" + name;
    if (!properties.contains(name)) {
      std::string known;
      for (const auto& [p, s] : properties.items()) {
        (void)s;
        known += (known.empty() ? "" : ", ") + p;
      }
      return "unknown argument '" + name + "' (expected: " + known + ")";
    }
    const Json& spec = properties[name];
    const std::string want = spec.value("type", "string");
    const std::string have = type_of(value);
    const bool ok = want == have || (want == "number" && have == "integer");
    if (!ok) return "argument '" + name + "' must be " + want + ", got " + have;
    if (value.is_string() && value.get<std::string>().empty() && spec.value("minLength", 0) > 0)
      return "argument '" + name + "' must not be empty";
    if (value.is_number()) {
      const double x = value.get<double>();
      if (spec.contains("minimum") && x < spec["minimum"].get<double>())
        return "argument '" + name + "' must be >= " + spec["minimum"].dump();
      if (spec.contains("maximum") && x > spec["maximum"].get<double>())
        return "argument '" + name + "' must be <= " + spec["maximum"].dump();
    }
    if (spec.contains("enum") &&
        std::find(spec["enum"].begin(), spec["enum"].end(), value) == spec["enum"].end())
      return "argument '" + name + "' must be one of " + spec["enum"].dump();
  }
  path.clear();
  return {};
}

McpServer::McpServer(ServerInfo info, std::vector<Tool> tools, ResourceProvider resources,
                     runtime::metrics::Registry& registry)
    : info_(std::move(info)),
      tools_(std::move(tools)),
      resources_(std::move(resources)),
      requests_(registry.counter("ems_mcp_requests_total",
                                 "MCP JSON-RPC messages by method and outcome",
                                 {"method", "outcome"})),
      tool_calls_(registry.counter("ems_mcp_tool_calls_total", "MCP tool calls by tool and outcome",
                                   {"tool", "outcome"})) {}

std::optional<std::string> McpServer::handle(const std::string& text) const {
  Json message = Json::parse(text, nullptr, false);
  if (message.is_discarded()) {
    requests_.with({"", "parse_error"}).inc();
    return error_response(nullptr, -32700, "Parse error", "the message is not valid JSON").dump();
  }
  auto response = handle_message(message);
  if (!response) return std::nullopt;
  return response->dump();
}

std::optional<Json> McpServer::handle_message(const Json& message) const {
  if (message.is_array()) {
    requests_.with({"", "invalid_request"}).inc();
    return error_response(nullptr, -32600, "Invalid Request",
                          "JSON-RPC batches are not supported (MCP 2025-06-18 removed batching)");
  }
  if (!message.is_object() || message.value("jsonrpc", Json()) != "2.0") {
    requests_.with({"", "invalid_request"}).inc();
    return error_response(nullptr, -32600, "Invalid Request",
                          "expected an object with \"jsonrpc\": \"2.0\"");
  }
  const bool has_id = message.contains("id");
  const Json id = has_id ? message["id"] : Json(nullptr);
  if (!message.contains("method")) {
    // A response from the client (we never send requests) - or nonsense.
    if (has_id && (message.contains("result") || message.contains("error"))) return std::nullopt;
    requests_.with({"", "invalid_request"}).inc();
    return error_response(id.is_string() || id.is_number() ? id : Json(nullptr), -32600,
                          "Invalid Request", "missing \"method\"");
  }
  if (!message["method"].is_string()) {
    requests_.with({"", "invalid_request"}).inc();
    return error_response(nullptr, -32600, "Invalid Request", "\"method\" must be a string");
  }
  if (has_id && !(id.is_string() || id.is_number_integer() || id.is_number_unsigned())) {
    requests_.with({"", "invalid_request"}).inc();
    return error_response(nullptr, -32600, "Invalid Request",
                          "\"id\" must be a string or an integer (MCP forbids null)");
  }
  const std::string method = message["method"].get<std::string>();
  if (!has_id) {
    requests_.with({"notification", "ok"}).inc();
    return std::nullopt;  // notifications need no answer; unknown ones are ignored
  }
  const Json params = message.contains("params") ? message["params"] : Json::object();
  static const std::vector<std::string> kKnown = {"initialize",
                                                  "ping",
                                                  "tools/list",
                                                  "tools/call",
                                                  "resources/list",
                                                  "resources/read",
                                                  "resources/templates/list"};
  const std::string label =
      std::find(kKnown.begin(), kKnown.end(), method) != kKnown.end() ? method : "other";
  try {
    if (!params.is_object())
      throw RpcError{-32602, "Invalid params", "\"params\" must be an object"};
    Json result = dispatch(method, params);
    requests_.with({label, "ok"}).inc();
    return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
  } catch (const RpcError& e) {
    requests_.with({label, "error"}).inc();
    return error_response(id, e.code, e.message, e.data);
  } catch (const std::exception& e) {
    requests_.with({label, "internal_error"}).inc();
    runtime::log::error("mcp request failed", {{"method", method}, {"error", e.what()}});
    return error_response(id, -32603, "Internal error", e.what());
  }
}

Json McpServer::dispatch(const std::string& method, const Json& params) const {
  if (method == "initialize") {
    std::string version = kProtocolVersion;
    if (params.contains("protocolVersion") && params["protocolVersion"].is_string()) {
      const auto asked = params["protocolVersion"].get<std::string>();
      const auto& ok = supported_protocol_versions();
      if (std::find(ok.begin(), ok.end(), asked) != ok.end()) version = asked;
    }
    Json result = {
        {"protocolVersion", version},
        {"capabilities",
         {{"tools", {{"listChanged", false}}},
          {"resources", {{"listChanged", false}, {"subscribe", false}}}}},
        {"serverInfo", {{"name", info_.name}, {"title", info_.title}, {"version", info_.version}}}};
    if (!info_.instructions.empty()) result["instructions"] = info_.instructions;
    return result;
  }
  if (method == "ping") return Json::object();
  if (method == "tools/list") {
    Json tools = Json::array();
    for (const auto& t : tools_)
      tools.push_back({{"name", t.name},
                       {"title", t.title},
                       {"description", t.description},
                       {"inputSchema", t.input_schema}});
    return {{"tools", tools}};
  }
  if (method == "tools/call") return call_tool(params);
  if (method == "resources/list") {
    Json list = Json::array();
    if (resources_.list)
      for (const auto& r : resources_.list()) {
        Json item = {
            {"uri", r.uri}, {"name", r.name}, {"title", r.title}, {"mimeType", r.mime_type}};
        if (!r.description.empty()) item["description"] = r.description;
        list.push_back(item);
      }
    return {{"resources", list}};
  }
  if (method == "resources/templates/list") return {{"resourceTemplates", Json::array()}};
  if (method == "resources/read") {
    if (!params.contains("uri") || !params["uri"].is_string())
      throw RpcError{-32602, "Invalid params", "resources/read needs \"uri\" (a string)"};
    const std::string uri = params["uri"].get<std::string>();
    auto found = resources_.read ? resources_.read(uri) : std::nullopt;
    if (!found) throw RpcError{-32002, "Resource not found", Json{{"uri", uri}}};
    return {{"contents", Json::array({{{"uri", found->first.uri},
                                       {"mimeType", found->first.mime_type},
                                       {"text", found->second}}})}};
  }
  throw RpcError{-32601, "Method not found", Json{{"method", method}}};
}

Json McpServer::call_tool(const Json& params) const {
  if (!params.contains("name") || !params["name"].is_string())
    throw RpcError{-32602, "Invalid params", "tools/call needs \"name\" (a string)"};
  const std::string name = params["name"].get<std::string>();
  const auto tool =
      std::find_if(tools_.begin(), tools_.end(), [&](const Tool& t) { return t.name == name; });
  if (tool == tools_.end()) throw RpcError{-32602, "Invalid params", "Unknown tool: " + name};
  const Json arguments = params.contains("arguments") && !params["arguments"].is_null()
                             ? params["arguments"]
                             : Json::object();
  std::string path;
  const std::string problem = validate_arguments(tool->input_schema, arguments, path);
  if (!problem.empty()) {
    tool_calls_.with({name, "invalid_params"}).inc();
    throw RpcError{-32602, "Invalid params",
                   Json{{"tool", name}, {"path", path}, {"detail", problem}}};
  }
  try {
    Json structured = tool->run(arguments);
    tool_calls_.with({name, "ok"}).inc();
    return {{"content", Json::array({{{"type", "text"}, {"text", structured.dump()}}})},
            {"structuredContent", structured},
            {"isError", false}};
  } catch (const std::exception& e) {
    tool_calls_.with({name, "error"}).inc();
    return {{"content", Json::array({{{"type", "text"}, {"text", std::string(e.what())}}})},
            {"isError", true}};
  }
}

}  // namespace ems::mcp
