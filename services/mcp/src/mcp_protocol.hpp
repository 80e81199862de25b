#pragma once
// McpServer: the Model Context Protocol (revision 2025-06-18) as a transport-free JSON-RPC 2.0
// dispatcher. Transports (stdio in main.cpp, Streamable HTTP in http_transport.hpp) hand it one
// message's text and write back what it returns.
//
// Methods: initialize, ping, tools/list, tools/call, resources/list, resources/read;
// notifications (notifications/initialized, notifications/cancelled, ...) are accepted silently.
// Errors (JSON-RPC error objects, `data` says more where useful):
//   -32700 parse error       the text is not JSON
//   -32600 invalid request   not a JSON-RPC 2.0 request object (a batch array included: batching
//                            was removed in 2025-06-18), bad id, missing method
//   -32601 method not found  any other method
//   -32602 invalid params    params not an object, unknown tool, arguments that do not match the
//                            tool's inputSchema (data.path names the argument)
//   -32002 resource not found  resources/read of an unknown uri
//   -32603 internal error    an unexpected exception (logged)
// A tool that runs but fails (an unknown device, an upstream service down) is a tool result with
// isError: true and the reason as text, so the model can read it (MCP "tool execution errors").
//
// Threading: handle() may be called from several threads at once (tools and resources must be
// thread-safe themselves; the dispatcher holds no mutable state).
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ems/runtime/metrics.hpp"

namespace ems::mcp {

using Json = nlohmann::json;

inline constexpr const char* kProtocolVersion = "2025-06-18";
// The revisions a client may ask for; initialize answers with the client's when listed here.
const std::vector<std::string>& supported_protocol_versions();

// Thrown by a tool for a failure the caller should see as a tool error (isError: true).
class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  Json input_schema;  // JSON Schema: type object, properties of type string/integer, required
  // Returns the structured result (a JSON object). Throws ToolError (or any std::exception) for a
  // tool execution error.
  std::function<Json(const Json& arguments)> run;
};

struct Resource {
  std::string uri, name, title, mime_type, description;
};

struct ResourceProvider {
  std::function<std::vector<Resource>()> list;
  // nullopt: no such resource. Returns the text.
  std::function<std::optional<std::pair<Resource, std::string>>(const std::string& uri)> read;
};

struct ServerInfo {
  std::string name = "ems-mcp";
  std::string title = "EMS site knowledge and telemetry";
  std::string version = "0.1.0";
  std::string instructions;
};

// Validates `arguments` against a tool's input schema (the subset our tools use: object,
// properties with type string|integer|number|boolean, minimum/maximum, enum, required, no
// additional properties). Returns the error message ("" when valid); `path` gets the JSON
// pointer of the offending argument.
std::string validate_arguments(const Json& schema, const Json& arguments, std::string& path);

class McpServer {
 public:
  McpServer(ServerInfo info, std::vector<Tool> tools, ResourceProvider resources,
            runtime::metrics::Registry& registry = runtime::metrics::Registry::global());

  // One message's text -> the response text, or nullopt when nothing is to be sent (a
  // notification or a response from the client).
  std::optional<std::string> handle(const std::string& text) const;
  // The same on parsed JSON.
  std::optional<Json> handle_message(const Json& message) const;

  const std::vector<Tool>& tools() const { return tools_; }

 private:
  Json dispatch(const std::string& method, const Json& params) const;
  Json call_tool(const Json& params) const;

  ServerInfo info_;
  std::vector<Tool> tools_;
  ResourceProvider resources_;
  runtime::metrics::CounterFamily& requests_;
  runtime::metrics::CounterFamily& tool_calls_;
};

// A JSON-RPC error object as thrown inside the dispatcher.
struct RpcError {
  int code;
  std::string message;
  Json data;
};

}  // namespace ems::mcp
