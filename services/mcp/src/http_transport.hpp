#pragma once
// The MCP Streamable HTTP transport (2025-06-18) on the runtime HttpServer, at one endpoint path:
//   POST   a JSON-RPC message; a request gets 200 application/json with its response, a
//          notification or client response 202 with no body. The answer to `initialize` carries
//          an `Mcp-Session-Id` header; later requests with an unknown session id get 404 (the
//          client then starts a new session), requests without one are served (sessions are
//          optional here: the server keeps no per-session state beyond the id).
//          An `MCP-Protocol-Version` header naming a revision not supported -> 400.
//          A parse error / invalid request answers 400 with the JSON-RPC error as body.
//   GET    405 (this server opens no server-to-client SSE stream)
//   DELETE ends the session named by Mcp-Session-Id (200; 404 when unknown)
// Origin check (DNS rebinding, a MUST of the spec): a request with an Origin header is refused
// (403) unless the origin is a loopback one (http(s)://localhost|127.0.0.1|[::1][:port]) or
// listed in `allowed_origins` ("*" allows any).
//
// Threading: requests are served by the HttpServer's pool; the session table has its own mutex.
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ems/runtime/http.hpp"
#include "mcp_protocol.hpp"

namespace ems::mcp {

class HttpTransport {
 public:
  HttpTransport(const McpServer& server, std::vector<std::string> allowed_origins);
  void install(runtime::HttpServer& http, const std::string& path = "/mcp");

 private:
  bool origin_allowed(const std::string& origin) const;
  const McpServer& server_;
  std::vector<std::string> allowed_origins_;
  std::mutex mutex_;
  std::set<std::string> sessions_;
};

}  // namespace ems::mcp
