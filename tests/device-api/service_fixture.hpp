#pragma once
// device-api wired in-process exactly as main() wires it (store, announcer, service, HTTP API),
// against a fresh database on the shared real PostgreSQL and a real mosquitto (the shared one,
// or the fixture's own when a test needs to stop it), plus an MQTT subscriber that records every
// system/topology_changed event.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

#include "demo.hpp"
#include "ems/contract/payload.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/testing/servers.hpp"
#include "http_api.hpp"
#include "topology_announcer.hpp"
#include "topology_service.hpp"
#include "topology_store.hpp"

namespace ems::device_api::testing {

inline constexpr const char* kToken = "test-token-0123456789";

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const int n = counter++;
    database_url_ = ems::testing::PostgresServer::shared().create_database();
    const std::string mqtt_url = broker_url();

    runtime::MqttOptions sub_options;
    sub_options.url = mqtt_url;
    sub_options.service_id =
        "device-api-test-subscriber-" + std::to_string(::getpid()) + "-" + std::to_string(n);
    sub_options.min_reconnect_delay = std::chrono::milliseconds(100);
    sub_options.max_reconnect_delay = std::chrono::milliseconds(500);
    sub_options.clean_session = subscriber_clean_session();
    subscriber_ = std::make_unique<runtime::MqttClient>(sub_options, registry_);
    subscriber_->subscribe("system/topology_changed", 1, [this](const runtime::MqttMessage& m) {
      std::lock_guard lock(events_mutex_);
      events_.push_back(contract::decode_topology_changed(m.payload).version);
    });
    subscriber_->start();
    ASSERT_TRUE(subscriber_->wait_connected(std::chrono::seconds(10)));

    // device-api's own client, as main() makes it (service id "device-api" plus a suffix so
    // that parallel fixtures do not share a client id).
    runtime::MqttOptions options;
    options.url = mqtt_url;
    options.service_id = "device-api-" + std::to_string(::getpid()) + "-" + std::to_string(n);
    options.min_reconnect_delay = std::chrono::milliseconds(100);
    options.max_reconnect_delay = std::chrono::milliseconds(500);
    mqtt_ = std::make_unique<runtime::MqttClient>(options, registry_);
    mqtt_->start();
    ASSERT_TRUE(mqtt_->wait_connected(std::chrono::seconds(10)));
    start_service();
  }

  // The broker every client of the test uses; a test that stops it overrides this.
  virtual std::string broker_url() { return ems::testing::MosquittoServer::shared().url(); }
  // false: the subscriber keeps its session (and its queued events) across broker restarts.
  virtual bool subscriber_clean_session() { return true; }

  // (Re)starts device-api on the same database and MQTT client, as a process restart would:
  // a new store, announcer, service and HTTP server.
  void start_service(std::optional<std::string> token = std::string(kToken)) {
    stop_service();
    store_ = std::make_unique<TopologyStore>(database_url_);
    store_->open();
    AnnouncerOptions announcer_options;
    announcer_options.ack_timeout = std::chrono::seconds(2);
    announcer_options.min_retry = std::chrono::milliseconds(50);
    announcer_options.max_retry = std::chrono::milliseconds(500);
    announcer_ = std::make_unique<TopologyAnnouncer>(*mqtt_, *store_, registry_, announcer_options);
    service_ = std::make_unique<TopologyService>(
        *store_, testdata::catalog(), "site", [this](const std::string&) { announcer_->kick(); });
    service_->load();
    announcer_->start();
    runtime::HttpServerOptions http;
    http.host = "127.0.0.1";
    http.port = 0;
    http.payload_limit_bytes = 4 * 1024 * 1024;
    server_ = std::make_unique<runtime::HttpServer>(http, registry_);
    HttpApiOptions options;
    options.api_token = token;
    api_ = std::make_unique<HttpApi>(*service_, *store_, options, registry_);
    api_->install(*server_);
    server_->start();
  }

  // Stops device-api as a crash would leave it for its events: whatever the broker has not
  // acknowledged stays owed in the store's outbox.
  void stop_service() {
    if (server_) server_->stop();
    api_.reset();
    server_.reset();
    if (announcer_) announcer_->stop();
    service_.reset();
    announcer_.reset();
    store_.reset();
  }

  void TearDown() override {
    stop_service();
    if (mqtt_) mqtt_->stop();
    if (subscriber_) subscriber_->stop();
  }

  // Request helpers, public so that test tables can drive a fixture.
 public:
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30, 0);
    return c;
  }

  static httplib::Headers auth(httplib::Headers extra = {}) {
    extra.emplace("Authorization", std::string("Bearer ") + kToken);
    return extra;
  }

  httplib::Result post_json(const std::string& path, const nlohmann::json& body,
                            httplib::Headers headers = auth()) {
    return client().Post(path.c_str(), headers, body.dump(), "application/json");
  }

  // Waits until `n` events arrived (at most `timeout`), then a little longer so that extra
  // events would show.
  std::vector<std::string> events_after(std::size_t n,
                                        std::chrono::seconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(events_mutex_);
        if (events_.size() >= n) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    std::lock_guard lock(events_mutex_);
    return events_;
  }

 protected:
  std::string database_url_;
  runtime::metrics::Registry registry_;
  std::unique_ptr<runtime::MqttClient> subscriber_, mqtt_;
  std::unique_ptr<TopologyStore> store_;
  std::unique_ptr<TopologyAnnouncer> announcer_;
  std::unique_ptr<TopologyService> service_;
  std::unique_ptr<runtime::HttpServer> server_;
  std::unique_ptr<HttpApi> api_;
  std::mutex events_mutex_;
  std::vector<std::string> events_;
};

}  // namespace ems::device_api::testing
