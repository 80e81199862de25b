#pragma once
// McpClient: calls tools of an MCP server over Streamable HTTP (JSON-RPC 2.0 POSTed to one URL,
// e.g. http://127.0.0.1:8430/mcp; the answer is application/json or a text/event-stream whose
// `data:` lines carry the JSON-RPC response). The session is initialized on first use
// (`initialize`, then `notifications/initialized`), and its `Mcp-Session-Id` is sent on every
// later request; an expired session (404) is initialized again once.
//
// Errors: std::runtime_error naming the URL for transport failures, HTTP errors and JSON-RPC
// errors (with the server's code and message). A tool result with `isError: true` is returned,
// not thrown (the caller feeds it back to the model). Threading: calls are serialized.
#include <chrono>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace ems::analyst {

class McpClient {
 public:
  explicit McpClient(std::string url, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // tools/call -> the `result` object ({content, structuredContent?, isError?}).
  nlohmann::json call_tool(const std::string& name, const nlohmann::json& arguments);
  const std::string& url() const { return url_; }

 private:
  nlohmann::json rpc(const std::string& method, const nlohmann::json& params, bool notification);
  void ensure_session();

  std::string url_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::string session_id_;
  bool initialized_ = false;
  int next_id_ = 1;
};

}  // namespace ems::analyst
