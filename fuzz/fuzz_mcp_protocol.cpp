// The MCP server's JSON-RPC 2.0 handling on arbitrary bytes: McpServer::handle() (what the stdio
// and Streamable HTTP transports call for every message) with tools whose input schemas are
// those of ems-mcp (string with minLength, bounded integer, enum; required; no extra arguments)
// and a resource provider. The tools run only on validated arguments and never touch a database
// or the network. Invariants: handle() never throws, and an answer is a JSON-RPC 2.0 response
// object with exactly one of result/error (error code an integer, message a string).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mcp_protocol.hpp"

namespace {

using ems::mcp::Json;

Json string_prop() {
  return {{"type", "string"}, {"minLength", 1}};
}

Json schema(Json properties, Json required) {
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

const ems::mcp::McpServer& server() {
  static ems::runtime::metrics::Registry registry;
  static const ems::mcp::McpServer instance(
      ems::mcp::ServerInfo{},
      {ems::mcp::Tool{"search_knowledge", "Search", "fuzz",
                      schema({{"query", string_prop()},
                              {"k", {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}}}},
                             {"query"}),
                      [](const Json& args) {
                        // Validation must have let only these shapes through.
                        const auto query = args.at("query").get<std::string>();
                        if (query.empty()) std::abort();
                        const auto k = args.value("k", 5);
                        if (k < 1 || k > 50) std::abort();
                        if (query == "fail") throw ems::mcp::ToolError("tool failed");
                        return Json{{"query", query}, {"k", k}};
                      }},
       ems::mcp::Tool{"telemetry_history", "History", "fuzz",
                      schema({{"device", string_prop()},
                              {"measurement", string_prop()},
                              {"from", string_prop()},
                              {"bucket", {{"type", "string"}, {"enum", {"1m", "1h", "1d"}}}},
                              {"ratio", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
                              {"raw", {{"type", "boolean"}}}},
                             {"device", "measurement"}),
                      [](const Json& args) { return args; }}},
      ems::mcp::ResourceProvider{
          [] {
            return std::vector<ems::mcp::Resource>{
                {"ems://documents/readme", "readme", "README", "text/markdown", ""}};
          },
          [](const std::string& uri) -> std::optional<std::pair<ems::mcp::Resource, std::string>> {
            if (uri != "ems://documents/readme") return std::nullopt;
            return std::pair{ems::mcp::Resource{uri, "readme", "README", "text/markdown", ""},
                             std::string("# README")};
          }},
      registry);
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto answer = server().handle(text);
  if (!answer) return 0;
  const Json response = Json::parse(*answer, nullptr, false);
  if (!response.is_object() || response.value("jsonrpc", "") != "2.0" || !response.contains("id"))
    std::abort();
  if (response.contains("result") == response.contains("error")) std::abort();
  if (response.contains("error")) {
    const Json& error = response["error"];
    if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer() ||
        !error.contains("message") || !error["message"].is_string())
      std::abort();
  }
  return 0;
}
