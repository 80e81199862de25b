// MqttBatchPublisher against a real mosquitto: order, retain flags, large payloads, buffering
// before the first connect and across a broker restart, the buffer limit, and bad options.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "ems/runtime/mqtt.hpp"
#include "ems/runtime/mqtt_batch.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"

namespace ems::runtime {
namespace {

using namespace std::chrono_literals;
using ems::testing::MosquittoServer;

MqttBatchOptions batch_options(const std::string& url, const std::string& id) {
  MqttBatchOptions o;
  o.url = url;
  o.client_id = id + "-" + std::to_string(::getpid());
  o.min_reconnect_delay = 100ms;
  o.max_reconnect_delay = 500ms;
  return o;
}

// Every message on batch/#, in arrival order.
class Subscriber {
 public:
  Subscriber(const std::string& url, metrics::Registry& registry) {
    MqttOptions o;
    o.url = url;
    o.service_id = "batch-subscriber";
    o.min_reconnect_delay = 100ms;
    o.max_reconnect_delay = 500ms;
    client_ = std::make_unique<MqttClient>(o, registry);
    client_->subscribe("batch/#", 0, [this](const MqttMessage& m) {
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(m);
      }
      cv_.notify_all();
    });
    client_->start();
    EXPECT_TRUE(client_->wait_connected(10s));
  }
  ~Subscriber() { client_.reset(); }
  bool wait(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return seen_.size() >= n; });
  }
  std::vector<MqttMessage> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  MqttClient& client() { return *client_; }

 private:
  std::unique_ptr<MqttClient> client_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<MqttMessage> seen_;
};

double metric(metrics::Registry& r, const std::string& series) {
  const std::string text = r.render();
  const auto at = text.find(series + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 1));
}

TEST(MqttBatchUnits, RejectsWhatItCannotServe) {
  metrics::Registry r;
  EXPECT_THROW(MqttBatchPublisher(batch_options("mqtts://h", "x"), r), std::invalid_argument);
  EXPECT_THROW(MqttBatchPublisher(batch_options("ws://h:9001/mqtt", "x"), r),
               std::invalid_argument);
  EXPECT_THROW(MqttBatchPublisher(batch_options("nope", "x"), r), std::invalid_argument);
  auto o = batch_options("mqtt://127.0.0.1:1883", "x");
  o.client_id.clear();
  EXPECT_THROW(MqttBatchPublisher(o, r), std::invalid_argument);
  MqttOptions client;
  client.url = "mqtt://h:1884";
  client.service_id = "gateway";
  client.client_id = "gateway-7";
  EXPECT_EQ(MqttBatchOptions::from(client).client_id, "gateway-7-batch");
  EXPECT_EQ(MqttBatchOptions::from(client).url, "mqtt://h:1884");
}

TEST(MqttBatchIntegration, PublishesInOrderAcrossABrokerRestart) {
  MosquittoServer broker;
  metrics::Registry registry;
  Subscriber sub(broker.url(), registry);
  MqttBatchPublisher pub(batch_options(broker.url(), "batch-test"), registry);
  // Published before start(): buffered and sent after the first connect.
  const std::string big(70000, 'x');  // a remaining length of 3 bytes
  ASSERT_TRUE(pub.publish("batch/big", big, false));
  pub.start();
  ASSERT_TRUE(pub.wait_connected(10s));
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(pub.publish("batch/n", std::to_string(i), false));
  ASSERT_TRUE(pub.publish("batch/retained", "kept", true));
  ASSERT_TRUE(sub.wait(2002, 10s));
  auto seen = sub.seen();
  ASSERT_EQ(seen.size(), 2002u);
  EXPECT_EQ(seen[0].topic, "batch/big");
  EXPECT_EQ(seen[0].payload, big);
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(seen[1 + i].payload, std::to_string(i)) << i;
  EXPECT_EQ(seen[2001].payload, "kept");
  EXPECT_EQ(metric(registry,
                   "ems_mqtt_messages_published_total{client=\"" + pub.options().client_id + "\"}"),
            2002);
  {  // retained: a late subscriber gets it
    metrics::Registry r2;
    Subscriber late(broker.url(), r2);
    ASSERT_TRUE(late.wait(1, 5s));
    EXPECT_EQ(late.seen()[0].payload, "kept");
    EXPECT_TRUE(late.seen()[0].retained);
  }

  // The broker restarts: the publisher reconnects on its own and delivers what follows.
  broker.restart();
  ASSERT_TRUE(sub.client().wait_connected(15s));
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  bool delivered = false;
  for (int i = 0; !delivered && std::chrono::steady_clock::now() < deadline; ++i) {
    pub.publish("batch/after", std::to_string(i), false);
    std::this_thread::sleep_for(200ms);
    for (const auto& m : sub.seen()) delivered = delivered || m.topic == "batch/after";
  }
  EXPECT_TRUE(delivered) << "nothing delivered after the broker restart";
  EXPECT_GE(metric(registry, "ems_mqtt_connects_total{client=\"" + pub.options().client_id + "\"}"),
            2);
  pub.stop();
  EXPECT_FALSE(pub.publish("batch/n", "late", false));
}

TEST(MqttBatchIntegration, DropsBeyondTheBufferWhileTheBrokerIsAway) {
  metrics::Registry registry;
  auto o = batch_options("mqtt://127.0.0.1:" + std::to_string(ems::testing::free_loopback_port()),
                         "batch-nobroker");
  o.max_buffered_bytes = 1000;
  MqttBatchPublisher pub(o, registry);
  pub.start();
  int accepted = 0;
  for (int i = 0; i < 100; ++i) accepted += pub.publish("batch/x", "0123456789", false);
  EXPECT_GT(accepted, 10);
  EXPECT_LT(accepted, 100);
  EXPECT_EQ(metric(registry, "ems_mqtt_messages_dropped_total{client=\"" + o.client_id + "\"}"),
            100 - accepted);
  EXPECT_FALSE(pub.is_connected());
}

}  // namespace
}  // namespace ems::runtime
