#pragma once
// The gateway in process, on the demo site served by FixtureSite (free ports, demo secrets) and
// a real mosquitto broker; a recorder client that sees what the gateway publishes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ems/contract/asyncapi.hpp"
#include "ems/contract/payload.hpp"
#include "ems/contract/topic.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/testing/servers.hpp"
#include "gateway.hpp"
#include "site_fixture.hpp"

namespace ems::gateway::testing {

using contract::Json;
using namespace std::chrono_literals;
inline constexpr const char* kSite = "demo_site";

// Every message on sites/# as received, by topic.
class Recorder {
 public:
  struct Seen {
    std::string payload;
    bool retained = false;
    std::chrono::steady_clock::time_point at;
  };

  Recorder(const std::string& url, runtime::metrics::Registry& registry,
           std::string id = "recorder")
      : client_(std::make_unique<runtime::MqttClient>(options(url, std::move(id)), registry)) {
    client_->subscribe("sites/#", 1, [this](const runtime::MqttMessage& m) {
      {
        std::lock_guard lock(mutex_);
        seen_[m.topic].push_back({m.payload, m.retained, std::chrono::steady_clock::now()});
      }
      cv_.notify_all();
    });
    client_->start();
    EXPECT_TRUE(client_->wait_connected(10s));
  }
  // The client goes first: its delivery thread must not write into a map already destroyed.
  ~Recorder() { client_.reset(); }

  runtime::MqttClient& client() { return *client_; }

  // Waits until `pred` (called under the lock with the map) holds or `timeout` passes.
  bool wait(std::function<bool(const std::map<std::string, std::vector<Seen>>&)> pred,
            std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return pred(seen_); });
  }
  std::vector<Seen> of(const std::string& topic) {
    std::lock_guard lock(mutex_);
    const auto it = seen_.find(topic);
    return it == seen_.end() ? std::vector<Seen>{} : it->second;
  }
  // For wait() predicates (the lock is held there: do not call last()/of() inside them).
  static std::string last_in(const std::map<std::string, std::vector<Seen>>& seen,
                             const std::string& topic) {
    const auto it = seen.find(topic);
    return it == seen.end() || it->second.empty() ? "" : it->second.back().payload;
  }
  static std::size_t count_in(const std::map<std::string, std::vector<Seen>>& seen,
                              const std::string& topic) {
    const auto it = seen.find(topic);
    return it == seen.end() ? 0 : it->second.size();
  }
  std::optional<std::string> last(const std::string& topic) {
    auto v = of(topic);
    if (v.empty()) return std::nullopt;
    return v.back().payload;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    seen_.clear();
  }
  // The states acked for one command, in order.
  std::vector<std::string> ack_states(const std::string& ack_topic, const std::string& id) {
    std::vector<std::string> out;
    for (const auto& s : of(ack_topic)) {
      const auto a = contract::decode_ack(s.payload);
      if (a.command_id == id) out.emplace_back(contract::to_string(a.state));
    }
    return out;
  }
  bool wait_terminal(const std::string& ack_topic, const std::string& id,
                     std::chrono::milliseconds timeout) {
    return wait(
        [&](const auto& seen) {
          const auto it = seen.find(ack_topic);
          if (it == seen.end()) return false;
          for (const auto& s : it->second) {
            const auto a = contract::decode_ack(s.payload);
            if (a.command_id == id && contract::is_terminal(a.state)) return true;
          }
          return false;
        },
        timeout);
  }

 private:
  static runtime::MqttOptions options(const std::string& url, std::string id) {
    runtime::MqttOptions o;
    o.url = url;
    o.service_id = std::move(id);
    o.min_reconnect_delay = 200ms;
    o.max_reconnect_delay = 1000ms;
    return o;
  }
  std::unique_ptr<runtime::MqttClient> client_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<Seen>> seen_;
};

inline runtime::MqttOptions gateway_mqtt(const std::string& url, const Shard& shard = {}) {
  runtime::MqttOptions o;
  o.url = url;
  o.service_id = shard.service_id();
  o.min_reconnect_delay = 200ms;
  o.max_reconnect_delay = 1000ms;
  return o;
}

inline GatewayOptions fast_options() {
  GatewayOptions o;
  o.driver_options.timeout = 500ms;
  o.driver_options.connect_timeout = 500ms;
  o.max_backoff = 1000ms;
  o.command_timeout = 5000ms;
  return o;
}

inline std::string command_payload(const contract::CommandValue& v,
                                   std::string id = contract::random_uuid()) {
  return contract::encode(contract::CommandPayload{
      contract::to_timestamp(std::chrono::system_clock::now()), std::move(id), v});
}

// The demo site on free ports, stepping in the background (step(0) keeps the model still while
// CAN frames keep flowing; step(1) moves time), a private broker per test, the document.
class GatewayTest : public fixtures::testing::SiteTest {
 protected:
  void SetUp() override {
    fixtures::testing::SiteTest::SetUp();
    broker_ = std::make_unique<ems::testing::MosquittoServer>();
    dtm_ = contract::parse_dtm(doc_);
    asyncapi_ = contract::generate_asyncapi(dtm_, {"1.0.0", kSite});
    stepping_ = std::thread([this] {
      while (running_) {
        site_->step(advance_ ? 1 : 0);
        std::this_thread::sleep_for(50ms);
      }
    });
  }
  void TearDown() override {
    running_ = false;
    if (stepping_.joinable()) stepping_.join();
    fixtures::testing::SiteTest::TearDown();
  }

  std::string topic(const std::string& device, const std::string& m, contract::Unit u) const {
    return contract::measurement_topic(kSite, device, m, u);
  }
  std::string comm_topic(const std::string& device) const {
    return topic(device, std::string(contract::kCommStatus), contract::Unit::none);
  }
  static std::string comm_value(const std::optional<std::string>& payload) {
    if (!payload || payload->empty()) return "";
    return contract::decode_enum_sample(*payload).value;
  }

  std::unique_ptr<ems::testing::MosquittoServer> broker_;
  contract::Dtm dtm_;
  Json asyncapi_;
  std::atomic<bool> running_{true};
  std::atomic<bool> advance_{false};
  std::thread stepping_;
};

// A gateway with its own MQTT client and batch publisher for samples (as main() wires it),
// started on `doc`.
struct RunningGateway {
  runtime::metrics::Registry registry;
  runtime::MqttClient mqtt;
  runtime::MqttBatchPublisher samples;
  Gateway gateway;
  RunningGateway(const std::string& url, const Json& doc, GatewayOptions o = fast_options(),
                 runtime::Secrets secrets = fixtures::testing::demo_secrets())
      : mqtt(gateway_mqtt(url, o.shard), registry),
        samples(runtime::MqttBatchOptions::from(mqtt.options()), registry),
        gateway(o, mqtt, std::move(secrets), registry, &samples) {
    gateway.start();
    mqtt.start();
    samples.start();
    EXPECT_TRUE(mqtt.wait_connected(10s));
    EXPECT_TRUE(samples.wait_connected(10s));
    gateway.apply(doc);
  }
  ~RunningGateway() {
    gateway.stop();
    samples.stop();
    mqtt.stop();
  }
  double metric(const std::string& needle) {
    const std::string text = registry.render();
    const auto at = text.find(needle);
    if (at == std::string::npos) return 0;
    const auto sp = text.find(' ', at);
    return std::stod(text.substr(sp + 1, text.find('\n', sp) - sp - 1));
  }
};

}  // namespace ems::gateway::testing
