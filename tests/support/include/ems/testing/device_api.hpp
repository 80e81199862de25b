#pragma once
// The real ems-device-api binary as a child process, for the tests of its consumers (the
// topology follower, services that follow the topology): its own fresh database on the shared
// real PostgreSQL, a real broker, a free loopback port chosen up front so a consumer can be
// pointed at it before it runs.
//
//   DeviceApiOptions o;
//   o.binary = EMS_DEVICE_API_BINARY;             // from CMake: $<TARGET_FILE:ems-device-api>
//   o.boot_dtm_path = EMS_SOURCE_ROOT "/deploy/demo/dtm.json";
//   DeviceApiProcess api(o);                      // picks the port, creates the database
//   api.start();                                  // spawns, waits for /healthz (bounded)
//   auto r = api.post("/topology", dtm_text);     // with the bearer token; r.status == 201
//
// Spawn from the test's main thread: the child is killed when the spawning thread exits
// (ChildProcess's die_with_parent). Every wait is bounded; start() throws std::runtime_error
// with the tail of the service's log when it does not come up.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ems/testing/process.hpp"

namespace ems::testing {

struct DeviceApiOptions {
  std::string binary;                        // path of ems-device-api (required)
  std::string mqtt_url;                      // "": MosquittoServer::shared().url()
  std::string database_url;                  // "": PostgresServer::shared().create_database()
  std::optional<std::string> boot_dtm_path;  // BOOT_DTM_PATH; none: the store starts empty
  std::string api_token = "test-token-0123456789";
  std::vector<std::string> extra_env;  // more "NAME=value" entries
};

struct HttpAnswer {
  int status = 0;  // 0 when there was no answer at all
  std::string body;
};

class DeviceApiProcess {
 public:
  explicit DeviceApiProcess(DeviceApiOptions options);
  ~DeviceApiProcess();  // stop()s and removes the log
  DeviceApiProcess(const DeviceApiProcess&) = delete;
  DeviceApiProcess& operator=(const DeviceApiProcess&) = delete;

  // Spawns the binary (same port and database every time) and waits for /healthz.
  void start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM, SIGKILL after 5 s. No-op when not running.
  void stop();
  bool running() { return process_.running(); }

  // http://127.0.0.1:PORT
  std::string base_url() const;
  int port() const { return port_; }
  const std::string& database_url() const { return options_.database_url; }
  const std::string& log_path() const { return log_path_; }

  // GET path / POST (application/json, bearer token) path / DELETE path (bearer token); bounded
  // by a 30 s read timeout.
  HttpAnswer get(const std::string& path) const;
  HttpAnswer post(const std::string& path, const std::string& json_body) const;
  HttpAnswer del(const std::string& path) const;

 private:
  DeviceApiOptions options_;
  int port_ = 0;
  std::string log_path_;
  ChildProcess process_;
};

}  // namespace ems::testing
