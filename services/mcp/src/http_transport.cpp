#include "http_transport.hpp"

#include <algorithm>
#include <random>
#include <regex>

namespace ems::mcp {

namespace {

constexpr const char* kJson = "application/json";

std::string new_session_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) id.push_back(kHex[rng() & 15]);
  return id;
}

void send_error(httplib::Response& res, int status, int code, const std::string& message,
                const std::string& detail) {
  res.status = status;
  res.set_content(Json{{"jsonrpc", "2.0"},
                       {"id", nullptr},
                       {"error", {{"code", code}, {"message", message}, {"data", detail}}}}
                      .dump(),
                  kJson);
}

}  // namespace

HttpTransport::HttpTransport(const McpServer& server, std::vector<std::string> allowed_origins)
    : server_(server), allowed_origins_(std::move(allowed_origins)) {}

bool HttpTransport::origin_allowed(const std::string& origin) const {
  static const std::regex kLoopback(R"(^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$)");
  if (std::regex_match(origin, kLoopback)) return true;
  return std::any_of(allowed_origins_.begin(), allowed_origins_.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

void HttpTransport::install(runtime::HttpServer& http, const std::string& path) {
  http.post(path, [this](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Origin") && !origin_allowed(req.get_header_value("Origin")))
      return send_error(res, 403, -32600, "Forbidden origin", req.get_header_value("Origin"));
    if (req.has_header("MCP-Protocol-Version")) {
      const auto version = req.get_header_value("MCP-Protocol-Version");
      const auto& ok = supported_protocol_versions();
      if (std::find(ok.begin(), ok.end(), version) == ok.end())
        return send_error(res, 400, -32600, "Unsupported protocol version",
                          "MCP-Protocol-Version " + version + " is not supported");
    }
    const std::string session = req.get_header_value("Mcp-Session-Id");
    if (!session.empty()) {
      std::scoped_lock lock(mutex_);
      if (!sessions_.count(session))
        return send_error(res, 404, -32001, "Session not found", "unknown Mcp-Session-Id");
    }
    const Json message = Json::parse(req.body, nullptr, false);
    if (message.is_discarded())
      return send_error(res, 400, -32700, "Parse error", "the body is not valid JSON");
    auto answer = server_.handle_message(message);
    if (!answer) {
      res.status = 202;
      return;
    }
    const bool bad_request = answer->contains("error") && (*answer)["id"].is_null();
    if (!bad_request && message.is_object() && message.value("method", Json()) == "initialize" &&
        answer->contains("result")) {
      const std::string id = new_session_id();
      {
        std::scoped_lock lock(mutex_);
        sessions_.insert(id);
      }
      res.set_header("Mcp-Session-Id", id);
    }
    res.status = bad_request ? 400 : 200;
    res.set_content(answer->dump(), kJson);
  });
  http.get(path, [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "POST, DELETE");
    res.set_content(R"({"error":"this server offers no SSE stream; POST JSON-RPC messages"})",
                    kJson);
  });
  http.del(path, [this](const httplib::Request& req, httplib::Response& res) {
    const std::string session = req.get_header_value("Mcp-Session-Id");
    std::scoped_lock lock(mutex_);
    res.status = sessions_.erase(session) ? 200 : 404;
  });
}

}  // namespace ems::mcp
