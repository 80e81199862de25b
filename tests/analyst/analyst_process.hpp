#pragma once
// The real ems-analyst binary as a child process on a fresh database of the shared real
// PostgreSQL and a free loopback port, with an HTTP client for its API.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "ems/testing/device_api.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"

namespace ems::testing {

inline constexpr const char* kAnalystToken = "analyst-test-token-42";

#ifdef EMS_DEVICE_API_BINARY
// The real ems-device-api serving the demo site, started (fresh database, shared broker).
inline std::unique_ptr<DeviceApiProcess> start_demo_device_api() {
  DeviceApiOptions o;
  o.binary = EMS_DEVICE_API_BINARY;
  o.boot_dtm_path = std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json";
  auto api = std::make_unique<DeviceApiProcess>(o);
  api->start();
  return api;
}
#endif

// Polls `url` until it answers 200 while `process` runs (bounded by `timeout`); "" once it
// does, else why not, with the tail of `log`.
inline std::string wait_until_ready(ChildProcess& process, const std::string& url,
                                    std::chrono::seconds timeout, const std::string& log) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (process.running() && std::chrono::steady_clock::now() < deadline)
    if (wait_for_http_ok(url, std::chrono::milliseconds(500))) return "";
  return std::string(process.running() ? "did not become ready: " : "exited: ") + tail_file(log);
}

struct AnalystAnswer {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string www_authenticate;
  std::string conversation_id;
};

class AnalystProcess {
 public:
  explicit AnalystProcess(std::vector<std::string> extra_env = {})
      : extra_env_(std::move(extra_env)),
        database_url_(PostgresServer::shared().create_database()),
        port_(free_loopback_port()),
        log_path_("/tmp/ems-analyst-" + std::to_string(::getpid()) + "-" + std::to_string(port_) +
                  ".log") {}
  ~AnalystProcess() {
    process_.terminate();
    std::remove(log_path_.c_str());
  }

  void start() {
    std::vector<std::string> argv = {
        "/usr/bin/env", "EMS_DATABASE_URL=" + database_url_, "EMS_ANALYST_HOST=127.0.0.1",
        "EMS_ANALYST_PORT=" + std::to_string(port_), "EMS_API_TOKEN=" + std::string(kAnalystToken),
        // Nothing trains unless a test asks (no schedule).
        "EMS_ANALYST_TRAIN_INTERVAL=0",
        // A historian that is not there (port 9 discards).
        "EMS_HISTORIAN_URL=http://127.0.0.1:9"};
    argv.insert(argv.end(), extra_env_.begin(), extra_env_.end());
    argv.push_back(EMS_ANALYST_BINARY);
    process_.spawn(argv, log_path_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (process_.running() && std::chrono::steady_clock::now() < deadline)
      if (wait_for_http_ok(base_url() + "/readyz", std::chrono::milliseconds(200))) return;
    throw std::runtime_error("ems-analyst did not come up: " + tail_file(log_path_));
  }

  // SIGTERM (SIGKILL after 5 s); the exit code (0 = a clean shutdown).
  int stop() {
    process_.terminate();
    return process_.exit_code();
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& database_url() const { return database_url_; }
  std::string log() const { return tail_file(log_path_); }

  AnalystAnswer get(const std::string& path) const { return call("GET", path, "", ""); }
  int port() const { return port_; }
  // POST with a JSON body; `token` "" sends no Authorization header.
  AnalystAnswer post(const std::string& path, const std::string& body,
                     const std::string& token = kAnalystToken,
                     const httplib::Headers& extra = {}) const {
    return call("POST", path, body, token, extra);
  }

 private:
  AnalystAnswer call(const std::string& method, const std::string& path, const std::string& body,
                     const std::string& token, const httplib::Headers& extra = {}) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(std::chrono::seconds(300));
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    headers.insert(extra.begin(), extra.end());
    auto r = method == "GET" ? client.Get(path.c_str(), headers)
                             : client.Post(path.c_str(), headers, body, "application/json");
    if (!r) return {};
    return {r->status, r->body, r->get_header_value("Content-Type"),
            r->get_header_value("WWW-Authenticate"), r->get_header_value("X-EMS-Conversation-Id")};
  }

  std::vector<std::string> extra_env_;
  std::string database_url_;
  int port_ = 0;
  std::string log_path_;
  ChildProcess process_;
};

}  // namespace ems::testing
