#include <chrono>
#include <stdexcept>
#include <thread>

#include <sys/socket.h>

#include "ems/runtime/config.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/log.hpp"

namespace ems::runtime {
namespace {

constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kUnrouted = "unrouted";

}  // namespace

HttpServerOptions http_options_from_env(std::string_view prefix, int default_port) {
  const std::string p(prefix);
  HttpServerOptions o;
  o.host = env_string(p + "_HOST", "0.0.0.0");
  const auto port = env_int(p + "_PORT", default_port);
  if (port < 0 || port > 65535) {
    throw std::runtime_error(p + "_PORT=" + std::to_string(port) +
                             " is invalid: expected a TCP port 0..65535");
  }
  o.port = static_cast<int>(port);
  const auto threads = env_int(p + "_HTTP_THREADS", 8);
  if (threads < 1 || threads > 1024) {
    throw std::runtime_error(p + "_HTTP_THREADS=" + std::to_string(threads) +
                             " is invalid: expected 1..1024");
  }
  o.threads = static_cast<std::size_t>(threads);
  const auto limit = env_int(p + "_MAX_BODY_BYTES", 8 * 1024 * 1024);
  if (limit < 1) {
    throw std::runtime_error(p + "_MAX_BODY_BYTES=" + std::to_string(limit) +
                             " is invalid: expected a positive byte count");
  }
  o.payload_limit_bytes = static_cast<std::size_t>(limit);
  o.cors_origins = env_list("EMS_CORS_ORIGINS", {});
  return o;
}

HttpServer::HttpServer(HttpServerOptions options, metrics::Registry& registry)
    : options_(std::move(options)),
      registry_(registry),
      requests_(registry_.counter("ems_http_requests_total", "HTTP requests answered",
                                  {"method", "route", "status"})),
      latency_(registry_.histogram("ems_http_request_duration_seconds",
                                   "HTTP request handling time in seconds",
                                   {"method", "route", "status"})),
      server_(std::make_unique<httplib::Server>()) {
  const auto threads = options_.threads == 0 ? std::size_t{1} : options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which lets a second instance bind the same port
  // and silently share the traffic; a port clash must fail at start instead.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
  server_->set_payload_max_length(options_.payload_limit_bytes);
  server_->set_read_timeout(options_.read_timeout);
  server_->set_write_timeout(options_.write_timeout);

  // Answers httplib produced itself (404 for unknown routes, 413 for oversized bodies, 400 for
  // malformed requests) carry no body; give them a problem body and count them. Answers from
  // wrapped handlers always have a body by now and are left alone.
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string detail;
        if (res.status == 413) {
          detail =
              "request body exceeds " + std::to_string(options_.payload_limit_bytes) + " bytes";
        } else if (res.status == 404) {
          detail = "no route for " + req.method + " " + req.path;
        }
        problem(res, res.status, status_title(res.status), detail);
        record(req.method, kUnrouted, res.status, 0.0);
        return httplib::Server::HandlerResponse::Handled;
      }));
  // Routes added through raw() still never leak an exception as an empty 500.
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        problem(res, 500, status_title(500), "unexpected error; see the service log");
      });
  install_cors();
  install_builtin_routes();
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::get(const std::string& pattern, Handler handler) {
  server_->Get(pattern, wrap("GET", pattern, std::move(handler)));
}
void HttpServer::post(const std::string& pattern, Handler handler) {
  server_->Post(pattern, wrap("POST", pattern, std::move(handler)));
}
void HttpServer::put(const std::string& pattern, Handler handler) {
  server_->Put(pattern, wrap("PUT", pattern, std::move(handler)));
}
void HttpServer::patch(const std::string& pattern, Handler handler) {
  server_->Patch(pattern, wrap("PATCH", pattern, std::move(handler)));
}
void HttpServer::del(const std::string& pattern, Handler handler) {
  server_->Delete(pattern, wrap("DELETE", pattern, std::move(handler)));
}

void HttpServer::set_readiness(std::function<Readiness()> check) {
  std::lock_guard lock(hooks_mutex_);
  readiness_ = std::move(check);
}

void HttpServer::set_exception_mapper(ExceptionMapper mapper) {
  std::lock_guard lock(hooks_mutex_);
  exception_mapper_ = std::move(mapper);
}

Handler HttpServer::wrap(std::string method, std::string route, Handler handler) {
  return [this, method = std::move(method), route = std::move(route), handler = std::move(handler)](
             const httplib::Request& req, httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    try {
      handler(req, res);
    } catch (const ProblemException& e) {
      res = httplib::Response();
      problem(res, e.problem());
    } catch (const std::exception& e) {
      res = httplib::Response();
      ExceptionMapper mapper;
      {
        std::lock_guard lock(hooks_mutex_);
        mapper = exception_mapper_;
      }
      bool mapped = false;
      try {
        mapped = mapper && mapper(e, res);
      } catch (...) {
        mapped = false;
      }
      if (!mapped) {
        res = httplib::Response();
        log::error("unhandled exception in HTTP handler",
                   {{"method", method}, {"route", route}, {"path", req.path}, {"error", e.what()}});
        problem(res, 500, status_title(500), "unexpected error; see the service log");
      }
    } catch (...) {
      res = httplib::Response();
      log::error("unhandled non-standard exception in HTTP handler",
                 {{"method", method}, {"route", route}, {"path", req.path}});
      problem(res, 500, status_title(500), "unexpected error; see the service log");
    }
    if (res.status == -1) res.status = 200;
    // A handler that set an error status without a body still answers with a problem.
    if (res.status >= 400 && res.body.empty() && !res.content_provider_) {
      problem(res, res.status, status_title(res.status));
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    record(method, route, res.status, elapsed.count());
  };
}

void HttpServer::record(const std::string& method, const std::string& route, int status,
                        double seconds) {
  const std::vector<std::string> labels = {method, route, std::to_string(status)};
  requests_.with(labels).inc();
  latency_.with(labels).observe(seconds);
}

void HttpServer::install_builtin_routes() {
  get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    std::function<Readiness()> check;
    {
      std::lock_guard lock(hooks_mutex_);
      check = readiness_;
    }
    Readiness r = check ? check() : Readiness::ok();
    if (r.ready) {
      res.set_content(R"({"status":"ready"})", "application/json");
    } else {
      problem(res, 503, "Not Ready", r.reason.empty() ? "not ready" : r.reason);
    }
  });
  get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_.render(), kMetricsContentType);
  });
}

bool HttpServer::origin_allowed(const std::string& origin) const {
  if (origin.empty()) return false;
  for (const auto& allowed : options_.cors_origins) {
    if (allowed == "*" || allowed == origin) return true;
  }
  return false;
}

void HttpServer::install_cors() {
  if (options_.cors_origins.empty()) return;
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "OPTIONS" || !req.has_header("Access-Control-Request-Method")) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    const auto origin = req.get_header_value("Origin");
    if (!origin_allowed(origin)) {
      problem(res, 403, status_title(403), "origin not allowed: " + origin);
      record("OPTIONS", "preflight", 403, 0.0);
      return httplib::Server::HandlerResponse::Handled;
    }
    res.status = 204;
    res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    const auto requested = req.get_header_value("Access-Control-Request-Headers");
    res.set_header("Access-Control-Allow-Headers",
                   requested.empty() ? std::string("Content-Type, Authorization") : requested);
    res.set_header("Access-Control-Max-Age", "600");
    record("OPTIONS", "preflight", 204, 0.0);
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // "*" allows every origin: answer "*" itself, on every response (no credentials are
    // involved), so a client that sends no Origin sees it too.
    for (const auto& allowed : options_.cors_origins) {
      if (allowed == "*") {
        res.set_header("Access-Control-Allow-Origin", "*");
        return;
      }
    }
    const auto origin = req.get_header_value("Origin");
    if (!origin_allowed(origin)) return;
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Vary", "Origin");
  });
}

void HttpServer::start() {
  if (running_.load()) return;
  if (options_.port == 0) {
    bound_port_ = server_->bind_to_any_port(options_.host);
    if (bound_port_ <= 0) {
      throw std::runtime_error("cannot bind an HTTP port on " + options_.host);
    }
  } else {
    if (!server_->bind_to_port(options_.host, options_.port)) {
      throw std::runtime_error("cannot bind HTTP " + options_.host + ":" +
                               std::to_string(options_.port) + " (in use or not permitted)");
    }
    bound_port_ = options_.port;
  }
  running_.store(true);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() is a no-op until the listener thread has marked itself running; a stop()
  // right after start() would then leave accept() blocked forever. Return only once it runs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      server_->stop();
      running_.store(false);
      thread_.join();
      throw std::runtime_error("HTTP listener on port " + std::to_string(bound_port_) +
                               " did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  log::info("http server listening", {{"host", options_.host}, {"port", bound_port_}});
}

void HttpServer::stop() {
  if (!running_.exchange(false)) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  log::info("http server stopped", {{"port", bound_port_}});
}

}  // namespace ems::runtime
