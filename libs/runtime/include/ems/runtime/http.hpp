#pragma once
// HttpServer: the suite's HTTP front door, a cpp-httplib server with the quality bars built in.
//
// Every server gets:
//   GET /healthz  200 {"status":"ok"} while running (liveness)
//   GET /readyz   200 when the readiness callback says ready, else 503 problem+json whose detail
//                 is the reason (e.g. "database not connected")
//   GET /metrics  Prometheus text format 0.0.4 of the registry
//   per request   ems_http_requests_total{method,route,status} and
//                 ems_http_request_duration_seconds{method,route,status}; `route` is the
//                 registered pattern (bounded cardinality), "unmatched" for 404s
//   errors        bodies over payload_limit -> 413 problem+json; unknown routes -> 404
//                 problem+json; ProblemException -> its problem; other exceptions go to the
//                 exception mapper, then 500 problem+json (and an error log line)
//   CORS          origins from `cors_origins` ("*" = any) get Access-Control-Allow-Origin on
//                 every answer and a 204 preflight answer to OPTIONS; with "*" every
//                 answer carries `Access-Control-Allow-Origin: *`, Origin header or not
//   transport     TCP_NODELAY, a thread pool of `threads` workers
//
// Usage:
//   HttpServer server(http_options_from_env("EMS_DEVICE_API", 8400));
//   server.set_readiness([&] { return db.ok() ? Readiness::ok() : Readiness::not_ready("db"); });
//   server.get("/topology", [&](const httplib::Request& req, httplib::Response& res) { ... });
//   server.start();            // binds (throws on failure) and serves on a background thread
//   wait_for_shutdown();
//   server.stop();             // stops accepting, finishes in-flight requests
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>

#include "ems/runtime/metrics.hpp"
#include "ems/runtime/problem.hpp"

namespace ems::runtime {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;  // 0 = any free port (see HttpServer::port())
  std::size_t threads = 8;
  std::size_t payload_limit_bytes = 8 * 1024 * 1024;
  std::vector<std::string> cors_origins;  // exact origins, or "*"
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
};

// Reads {prefix}_HOST (default 0.0.0.0), {prefix}_PORT (default `default_port`),
// {prefix}_HTTP_THREADS (8), {prefix}_MAX_BODY_BYTES (8 MiB) and EMS_CORS_ORIGINS (comma list,
// default none). Example prefix: "EMS_DEVICE_API".
HttpServerOptions http_options_from_env(std::string_view prefix, int default_port);

struct Readiness {
  bool ready = true;
  std::string reason;  // why not ready (shown in the 503 problem detail)

  static Readiness ok() { return {true, {}}; }
  static Readiness not_ready(std::string reason) { return {false, std::move(reason)}; }
};

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

// Maps a handler's exception onto a response (e.g. ContractError -> 422 problem with errors);
// returns false to fall through to the generic 500.
using ExceptionMapper = std::function<bool(const std::exception&, httplib::Response&)>;

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options,
                      metrics::Registry& registry = metrics::Registry::global());
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Route registration (before or after start()). Patterns are cpp-httplib's regex patterns,
  // e.g. R"(/devices/([^/]+))"; captures are in req.matches.
  void get(const std::string& pattern, Handler handler);
  void post(const std::string& pattern, Handler handler);
  void put(const std::string& pattern, Handler handler);
  void patch(const std::string& pattern, Handler handler);
  void del(const std::string& pattern, Handler handler);

  void set_readiness(std::function<Readiness()> check);
  void set_exception_mapper(ExceptionMapper mapper);

  // Binds host:port and starts serving on a background thread. Throws std::runtime_error when
  // the address cannot be bound.
  void start();
  // Idempotent; returns once the listener thread has ended.
  void stop();
  bool running() const { return running_.load(); }

  // The bound port (useful with port 0); valid after start().
  int port() const { return bound_port_; }

  // For what the wrapper does not cover (streaming responses); routes added here get no
  // per-route metrics or exception mapping.
  httplib::Server& raw() { return *server_; }

 private:
  Handler wrap(std::string method, std::string route, Handler handler);
  void install_builtin_routes();
  void install_cors();
  void record(const std::string& method, const std::string& route, int status, double seconds);
  bool origin_allowed(const std::string& origin) const;

  HttpServerOptions options_;
  metrics::Registry& registry_;
  metrics::CounterFamily& requests_;
  metrics::HistogramFamily& latency_;
  std::unique_ptr<httplib::Server> server_;
  mutable std::mutex hooks_mutex_;  // guards readiness_ and exception_mapper_
  std::function<Readiness()> readiness_;
  ExceptionMapper exception_mapper_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  int bound_port_ = 0;
};

}  // namespace ems::runtime
