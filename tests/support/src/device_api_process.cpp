#include <cstdio>
#include <stdexcept>

#include <httplib.h>
#include <unistd.h>

#include "ems/testing/device_api.hpp"
#include "ems/testing/servers.hpp"

namespace ems::testing {

DeviceApiProcess::DeviceApiProcess(DeviceApiOptions options) : options_(std::move(options)) {
  if (options_.binary.empty()) throw std::invalid_argument("DeviceApiOptions::binary is empty");
  if (options_.mqtt_url.empty()) options_.mqtt_url = MosquittoServer::shared().url();
  if (options_.database_url.empty()) {
    options_.database_url = PostgresServer::shared().create_database();
  }
  port_ = free_loopback_port();
  log_path_ =
      "/tmp/ems-device-api-" + std::to_string(::getpid()) + "-" + std::to_string(port_) + ".log";
}

DeviceApiProcess::~DeviceApiProcess() {
  stop();
  std::remove(log_path_.c_str());
}

void DeviceApiProcess::start(std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {"/usr/bin/env",
                                   "EMS_DATABASE_URL=" + options_.database_url,
                                   "EMS_MQTT_URL=" + options_.mqtt_url,
                                   "EMS_DEVICE_API_HOST=127.0.0.1",
                                   "EMS_DEVICE_API_PORT=" + std::to_string(port_),
                                   "EMS_API_TOKEN=" + options_.api_token};
  // An empty BOOT_DTM_PATH counts as unset (runtime::env_optional).
  argv.push_back("BOOT_DTM_PATH=" + options_.boot_dtm_path.value_or(""));
  argv.insert(argv.end(), options_.extra_env.begin(), options_.extra_env.end());
  argv.push_back(options_.binary);
  process_.spawn(argv, log_path_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (process_.running() && std::chrono::steady_clock::now() < deadline) {
    if (wait_for_http_ok(base_url() + "/healthz", std::chrono::milliseconds(200))) return;
  }
  const bool exited = !process_.running();
  process_.terminate();
  throw std::runtime_error(std::string("ems-device-api ") +
                           (exited ? "exited" : "did not answer /healthz") + " (port " +
                           std::to_string(port_) + "): " + tail_file(log_path_));
}

void DeviceApiProcess::stop() {
  process_.terminate();
}

std::string DeviceApiProcess::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

HttpAnswer DeviceApiProcess::get(const std::string& path) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(std::chrono::seconds(30));
  auto r = client.Get(path);
  return r ? HttpAnswer{r->status, r->body} : HttpAnswer{};
}

HttpAnswer DeviceApiProcess::post(const std::string& path, const std::string& json_body) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(std::chrono::seconds(30));
  httplib::Headers headers{{"Authorization", "Bearer " + options_.api_token}};
  auto r = client.Post(path, headers, json_body, "application/json");
  return r ? HttpAnswer{r->status, r->body} : HttpAnswer{};
}

HttpAnswer DeviceApiProcess::del(const std::string& path) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(std::chrono::seconds(30));
  httplib::Headers headers{{"Authorization", "Bearer " + options_.api_token}};
  auto r = client.Delete(path, headers);
  return r ? HttpAnswer{r->status, r->body} : HttpAnswer{};
}

}  // namespace ems::testing
