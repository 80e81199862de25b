#pragma once
// device-api wired in-process exactly as main() wires it, against a fresh database on the
// shared real PostgreSQL and the shared real mosquitto, plus an MQTT subscriber that records
// every system/topology_changed event.

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
    const std::string mqtt_url = ems::testing::MosquittoServer::shared().url();

    runtime::MqttOptions sub_options;
    sub_options.url = mqtt_url;
    sub_options.service_id =
        "device-api-test-subscriber-" + std::to_string(::getpid()) + "-" + std::to_string(n);
    subscriber_ = std::make_unique<runtime::MqttClient>(sub_options, registry_);
    subscriber_->subscribe("system/topology_changed", 1, [this](const runtime::MqttMessage& m) {
      std::lock_guard lock(events_mutex_);
      events_.push_back(contract::decode_topology_changed(m.payload).version);
    });
    subscriber_->start();
    ASSERT_TRUE(subscriber_->wait_connected(std::chrono::seconds(10)));

    runtime::MqttOptions pub_options;
    pub_options.url = mqtt_url;
    pub_options.service_id =
        "device-api-test-" + std::to_string(::getpid()) + "-" + std::to_string(n);
    publisher_ = std::make_unique<runtime::MqttClient>(pub_options, registry_);
    publisher_->start();
    ASSERT_TRUE(publisher_->wait_connected(std::chrono::seconds(10)));
    start_service();
  }

  void start_service(std::optional<std::string> token = std::string(kToken)) {
    api_.reset();
    server_.reset();
    service_.reset();
    store_ = std::make_unique<TopologyStore>(database_url_);
    store_->open();
    service_ = std::make_unique<TopologyService>(
        *store_, testdata::catalog(), "site", [this](const std::string& version) {
          publisher_->publish(
              "system/topology_changed",
              contract::encode(contract::TopologyChanged{
                  contract::to_timestamp(std::chrono::system_clock::now()), version}),
              1, false);
        });
    service_->load();
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

  void TearDown() override {
    if (server_) server_->stop();
    if (publisher_) publisher_->stop();
    if (subscriber_) subscriber_->stop();
  }

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

  // Waits until `n` events arrived, then a little longer so that extra events would show.
  std::vector<std::string> events_after(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
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

  std::string database_url_;
  runtime::metrics::Registry registry_;
  std::unique_ptr<runtime::MqttClient> subscriber_, publisher_;
  std::unique_ptr<TopologyStore> store_;
  std::unique_ptr<TopologyService> service_;
  std::unique_ptr<runtime::HttpServer> server_;
  std::unique_ptr<HttpApi> api_;
  std::mutex events_mutex_;
  std::vector<std::string> events_;
};

}  // namespace ems::device_api::testing
