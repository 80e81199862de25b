#include "mcp_client.hpp"

#include <httplib.h>

#include <sstream>
#include <stdexcept>

#include "ems/runtime/http_client.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;

constexpr const char* kProtocolVersion = "2025-06-18";

// The JSON-RPC message with `id` from an SSE body (the last matching `data:` event).
json from_event_stream(const std::string& body, int id) {
  std::istringstream in(body);
  std::string line, data;
  json found;
  const auto flush = [&] {
    if (data.empty()) return;
    const auto j = json::parse(data, nullptr, false);
    if (j.is_object() && j.contains("id") && j["id"] == id) found = j;
    data.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      flush();
    } else if (line.rfind("data:", 0) == 0) {
      data += line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
    }
  }
  flush();
  return found;
}

}  // namespace

McpClient::McpClient(std::string url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

json McpClient::rpc(const std::string& method, const json& params, bool notification) {
  const auto [base, path] = runtime::split_http_url(url_);
  httplib::Client client(base);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(timeout_);
  httplib::Headers headers = {{"Accept", "application/json, text/event-stream"},
                              {"MCP-Protocol-Version", kProtocolVersion}};
  if (!session_id_.empty()) headers.emplace("Mcp-Session-Id", session_id_);
  json request = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) request["params"] = params;
  const int id = next_id_++;
  if (!notification) request["id"] = id;
  auto res = client.Post(path.empty() ? "/" : path, headers, request.dump(), "application/json");
  if (!res)
    throw std::runtime_error("MCP server " + url_ +
                             " cannot be reached: " + httplib::to_string(res.error()));
  if (res->status == 404 && !session_id_.empty()) throw std::out_of_range("session expired");
  if (notification) return nullptr;
  if (res->status != 200)
    throw std::runtime_error("MCP server " + url_ + " answered HTTP " +
                             std::to_string(res->status) + " to " + method + ": " +
                             res->body.substr(0, 300));
  if (res->has_header("Mcp-Session-Id")) session_id_ = res->get_header_value("Mcp-Session-Id");
  const std::string type = res->get_header_value("Content-Type");
  json answer = type.rfind("text/event-stream", 0) == 0 ? from_event_stream(res->body, id)
                                                        : json::parse(res->body, nullptr, false);
  if (!answer.is_object())
    throw std::runtime_error("MCP server " + url_ + " sent no JSON-RPC answer to " + method);
  if (answer.contains("error")) {
    const json& e = answer["error"];
    std::string text = "MCP " + method + " failed: " + e.value("message", std::string("error")) +
                       " (code " + std::to_string(e.value("code", 0)) + ")";
    if (e.contains("data"))
      text += ": " + (e["data"].is_string() ? e["data"].get<std::string>() : e["data"].dump());
    throw std::runtime_error(text);
  }
  return answer.value("result", json::object());
}

void McpClient::ensure_session() {
  if (initialized_) return;
  session_id_.clear();
  rpc("initialize",
      {{"protocolVersion", kProtocolVersion},
       {"capabilities", json::object()},
       {"clientInfo", {{"name", "ems-analyst"}, {"version", "1.0.0"}}}},
      false);
  rpc("notifications/initialized", nullptr, true);
  initialized_ = true;
}

json McpClient::call_tool(const std::string& name, const json& arguments) {
  std::lock_guard lock(mutex_);
  for (int attempt = 0;; ++attempt) {
    try {
      ensure_session();
      return rpc("tools/call", {{"name", name}, {"arguments", arguments}}, false);
    } catch (const std::out_of_range&) {
      initialized_ = false;  // the server forgot the session: start a new one, once
      if (attempt > 0) throw std::runtime_error("MCP server " + url_ + " keeps losing the session");
    } catch (...) {
      initialized_ = false;
      throw;
    }
  }
}

}  // namespace ems::analyst
