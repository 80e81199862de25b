#include <atomic>
#include <condition_variable>
#include <mutex>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ems/runtime/mqtt.hpp"
#include "ems/testing/servers.hpp"

namespace ems::runtime {
namespace {

using namespace std::chrono_literals;
using ems::testing::MosquittoServer;

// Collects messages from a subscription callback; waits are bounded.
class Inbox {
 public:
  MessageCallback callback() {
    return [this](const MqttMessage& m) {
      {
        std::lock_guard lock(mutex_);
        messages_.push_back(m);
      }
      cv_.notify_all();
    };
  }

  // Waits until some message satisfies `pred`; returns it.
  std::optional<MqttMessage> wait_for(const std::function<bool(const MqttMessage&)>& pred,
                                      std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    std::optional<MqttMessage> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& m : messages_) {
        if (pred(m)) {
          found = m;
          return true;
        }
      }
      return false;
    });
    return found;
  }

  std::size_t count_on(const std::string& topic) {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(messages_.begin(), messages_.end(),
                                                  [&](const auto& m) { return m.topic == topic; }));
  }

  bool wait_count(const std::string& topic, std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] {
      return static_cast<std::size_t>(
                 std::count_if(messages_.begin(), messages_.end(),
                               [&](const auto& m) { return m.topic == topic; })) >= n;
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<MqttMessage> messages_;
};

MqttOptions options_for(const std::string& url, const std::string& service) {
  MqttOptions o;
  o.url = url;
  o.service_id = service;
  o.min_reconnect_delay = 100ms;
  o.max_reconnect_delay = 500ms;
  return o;
}

std::string status_value(const MqttMessage& m) {
  return nlohmann::json::parse(m.payload).at("value").get<std::string>();
}

TEST(MqttUnits, PahoUri) {
  EXPECT_EQ(to_paho_uri("mqtt://127.0.0.1:1883"), "tcp://127.0.0.1:1883");
  EXPECT_EQ(to_paho_uri("mqtt://broker"), "tcp://broker:1883");
  EXPECT_EQ(to_paho_uri("mqtts://broker"), "ssl://broker:8883");
  EXPECT_EQ(to_paho_uri("tcp://[::1]:1884"), "tcp://[::1]:1884");
  EXPECT_EQ(to_paho_uri("mqtt://[::1]"), "tcp://[::1]:1883");
  EXPECT_EQ(to_paho_uri("ws://h:9001/mqtt"), "ws://h:9001/mqtt");
  EXPECT_THROW(to_paho_uri("127.0.0.1:1883"), std::invalid_argument);
  EXPECT_THROW(to_paho_uri("http://h"), std::invalid_argument);
  EXPECT_THROW(to_paho_uri("mqtt://:1883"), std::invalid_argument);
}

TEST(MqttUnits, TopicMatching) {
  EXPECT_TRUE(topic_matches("a/b/c", "a/b/c"));
  EXPECT_FALSE(topic_matches("a/b/c", "a/b"));
  EXPECT_FALSE(topic_matches("a/b", "a/b/c"));
  EXPECT_TRUE(topic_matches("a/+/c", "a/x/c"));
  EXPECT_FALSE(topic_matches("a/+/c", "a/x/y/c"));
  EXPECT_TRUE(topic_matches("a/#", "a/x/y"));
  EXPECT_TRUE(topic_matches("a/#", "a"));
  EXPECT_TRUE(topic_matches("#", "a/b"));
  EXPECT_TRUE(topic_matches("+/+", "a/"));
  EXPECT_FALSE(topic_matches("#", "$SYS/x"));
  EXPECT_TRUE(topic_matches("sites/+/devices/+/measurements/#",
                            "sites/s1/devices/d1/measurements/p/watts"));
  EXPECT_TRUE(topic_matches("$share/g1/sites/+/devices/+/measurements/#",
                            "sites/s1/devices/d1/measurements/p/watts"));
  EXPECT_FALSE(topic_matches("$share/g1/sites/+/devices/+/acks/#",
                             "sites/s1/devices/d1/measurements/p/watts"));
  EXPECT_FALSE(topic_matches("$share/g1", "g1"));
}

TEST(MqttUnits, StatusPayloadAndBadOptions) {
  const auto j = nlohmann::json::parse(service_status_payload("ONLINE"));
  EXPECT_EQ(j["value"], "ONLINE");
  EXPECT_EQ(j["ts"].get<std::string>().size(), 24u);
  metrics::Registry r;
  EXPECT_THROW(MqttClient(options_for("mqtt://h", "a/b"), r), std::invalid_argument);
  EXPECT_THROW(MqttClient(options_for("nope", "svc"), r), std::invalid_argument);
}

// The contract's service id (CONTRACT.md section 2), the same rule the topic parser applies:
// the status topic and last will of every accepted id parse as services/{service_id}/status.
TEST(MqttUnits, ServiceIdFollowsTheContract) {
  metrics::Registry r;
  for (const char* ok : {"device-api", "gateway", "line-controller", "gateway-1-of-2"}) {
    MqttClient client(options_for("mqtt://127.0.0.1:1", ok), r);
    EXPECT_EQ(client.status_topic(), "services/" + std::string(ok) + "/status");
  }
  for (const char* bad :
       {"", "device_api", "Gateway", "1gateway", "-gw", "a/b", "gw+", "gw#", "gw 1"}) {
    try {
      MqttClient client(options_for("mqtt://127.0.0.1:1", bad), r);
      ADD_FAILURE() << "accepted service id '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr("is not a service id (^[a-z][a-z0-9-]*$")) << bad;
    }
  }
}

TEST(MqttIntegration, OnlineRetainedAndPublishSubscribe) {
  auto& broker = MosquittoServer::shared();
  metrics::Registry registry;
  MqttClient service(options_for(broker.url(), "svc-a"), registry);
  std::atomic<int> hook_calls{0};
  service.on_connected([&] { ++hook_calls; });
  service.start();
  ASSERT_TRUE(service.wait_connected(10s));
  EXPECT_TRUE(service.is_connected());

  // A later subscriber sees the retained ONLINE status.
  MqttClient observer(options_for(broker.url(), "observer-a"), registry);
  Inbox inbox;
  observer.subscribe("services/svc-a/status", 1, inbox.callback());
  observer.subscribe("test/a/#", 1, inbox.callback());
  observer.start();
  ASSERT_TRUE(observer.wait_connected(10s));
  const auto online = inbox.wait_for([](const MqttMessage& m) {
    return m.topic == "services/svc-a/status" && status_value(m) == "ONLINE";
  });
  ASSERT_TRUE(online);
  EXPECT_TRUE(online->retained);
  EXPECT_EQ(hook_calls.load(), 1);

  // Subscriptions are active once the retained status arrived (same SUBSCRIBE batch).
  ASSERT_TRUE(inbox.wait_for([](const MqttMessage&) { return true; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(service.publish("test/a/x", R"({"ts":"t","value":1})", 1, false));
  const auto got = inbox.wait_for([](const MqttMessage& m) { return m.topic == "test/a/x"; });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->payload, R"({"ts":"t","value":1})");
  EXPECT_FALSE(got->retained);
  EXPECT_THAT(registry.render(),
              ::testing::HasSubstr("ems_mqtt_messages_received_total{client=\"observer-a-"));

  // A graceful stop says OFFLINE itself (the will is not fired by a clean disconnect).
  service.stop();
  EXPECT_FALSE(service.is_connected());
  EXPECT_TRUE(inbox.wait_for([](const MqttMessage& m) {
    return m.topic == "services/svc-a/status" && status_value(m) == "OFFLINE";
  }));
  EXPECT_FALSE(service.publish("test/a/y", "{}", 0, false));
  observer.stop();
}

TEST(MqttIntegration, LastWillAnnouncesAnAbruptDeath) {
  auto& broker = MosquittoServer::shared();
  metrics::Registry registry;
  MqttClient observer(options_for(broker.url(), "observer-b"), registry);
  Inbox inbox;
  observer.subscribe("services/victim/status", 1, inbox.callback());
  observer.start();
  ASSERT_TRUE(observer.wait_connected(10s));

  ems::testing::ChildProcess child;
  const std::string log = ::testing::TempDir() + "/mqtt_child.log";
  child.spawn({EMS_RUNTIME_MQTT_CHILD, broker.url(), "victim"}, log);
  ASSERT_TRUE(inbox.wait_for([](const MqttMessage& m) { return status_value(m) == "ONLINE"; }))
      << ems::testing::tail_file(log);
  child.kill();  // SIGKILL: no clean disconnect, the broker must publish the will
  const auto offline =
      inbox.wait_for([](const MqttMessage& m) { return status_value(m) == "OFFLINE"; }, 15s);
  ASSERT_TRUE(offline);
  EXPECT_EQ(nlohmann::json::parse(offline->payload)["ts"].get<std::string>().size(), 24u);
  observer.stop();
}

TEST(MqttIntegration, BuffersBeforeConnectAndCountsDrops) {
  auto& broker = MosquittoServer::shared();
  metrics::Registry registry;
  MqttClient observer(options_for(broker.url(), "observer-c"), registry);
  Inbox inbox;
  observer.subscribe("test/c/#", 1, inbox.callback());
  observer.start();
  ASSERT_TRUE(observer.wait_connected(10s));
  std::this_thread::sleep_for(200ms);  // let the SUBSCRIBE settle

  auto opts = options_for(broker.url(), "svc-c");
  opts.max_buffered_messages = 3;
  MqttClient publisher(opts, registry);
  int accepted = 0;
  for (int i = 0; i < 5; ++i)
    accepted += publisher.publish("test/c/n", std::to_string(i), 1, false);
  EXPECT_EQ(accepted, 3);
  EXPECT_THAT(registry.render(),
              ::testing::HasSubstr("ems_mqtt_messages_dropped_total{client=\"svc-c-"));
  publisher.start();
  ASSERT_TRUE(publisher.wait_connected(10s));
  EXPECT_TRUE(inbox.wait_count("test/c/n", 3, 10s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(inbox.count_on("test/c/n"), 3u);
  publisher.stop();
  observer.stop();
}

TEST(MqttIntegration, ReconnectsAndResubscribesAfterBrokerRestart) {
  MosquittoServer broker;  // private: this test restarts it
  metrics::Registry registry;
  MqttClient client(options_for(broker.url(), "svc-d"), registry);
  Inbox inbox;
  client.subscribe("test/d/#", 1, inbox.callback());
  std::atomic<int> connects{0};  // hooks run on Paho's thread
  client.on_connected([&] { ++connects; });
  client.start();
  ASSERT_TRUE(client.wait_connected(10s));

  broker.stop();
  for (int i = 0; i < 100 && client.is_connected(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(client.is_connected());
  broker.start();
  ASSERT_TRUE(client.wait_connected(15s));
  // The hook runs just after the connected flag is set; give it a bounded moment.
  for (int i = 0; i < 100 && connects.load() < 2; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(connects.load(), 2);

  // Our own publish comes back only if the subscription was renewed after the reconnect.
  bool delivered = false;
  for (int attempt = 0; attempt < 20 && !delivered; ++attempt) {
    client.publish("test/d/ping", std::to_string(attempt), 1, false);
    delivered = inbox.wait_count("test/d/ping", 1, 500ms);
  }
  EXPECT_TRUE(delivered);
  client.stop();
}

TEST(MqttIntegration, ConnectsWhenTheBrokerComesUpLater) {
  MosquittoServer broker;
  broker.stop();
  metrics::Registry registry;
  MqttClient client(options_for(broker.url(), "svc-e"), registry);
  client.start();
  EXPECT_FALSE(client.wait_connected(300ms));
  broker.start();
  EXPECT_TRUE(client.wait_connected(15s));
  client.stop();
}

// publish_confirmed: true only once the broker acknowledged; while offline it refuses at once
// and leaves nothing behind in the offline buffer, so a caller's retry is the only copy.
TEST(MqttIntegration, PublishConfirmedIsAcknowledgedOrRefusedNeverBuffered) {
  MosquittoServer broker;  // private: this test stops it
  metrics::Registry registry;
  MqttClient observer(options_for(broker.url(), "observer-f"), registry);
  Inbox inbox;
  observer.subscribe("test/f/#", 1, inbox.callback());
  observer.start();
  ASSERT_TRUE(observer.wait_connected(10s));
  std::this_thread::sleep_for(200ms);  // let the SUBSCRIBE settle

  MqttClient client(options_for(broker.url(), "svc-f"), registry);
  EXPECT_FALSE(client.publish_confirmed("test/f/x", "before-start", 1, false, 500ms));
  client.start();
  ASSERT_TRUE(client.wait_connected(10s));
  EXPECT_TRUE(client.publish_confirmed("test/f/x", "online", 1, false, 5s));
  EXPECT_TRUE(inbox.wait_count("test/f/x", 1, 10s));

  broker.stop();
  for (int i = 0; i < 200 && client.is_connected(); ++i) std::this_thread::sleep_for(25ms);
  ASSERT_FALSE(client.is_connected());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(client.publish_confirmed("test/f/x", "offline", 1, false, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s) << "waited although offline";

  broker.start();
  ASSERT_TRUE(client.wait_connected(15s));
  ASSERT_TRUE(observer.wait_connected(15s));
  // Our own confirmed publish comes through once the observer is subscribed again...
  bool delivered = false;
  for (int attempt = 0; attempt < 20 && !delivered; ++attempt) {
    EXPECT_TRUE(client.publish_confirmed("test/f/y", std::to_string(attempt), 1, false, 5s));
    delivered = inbox.wait_count("test/f/y", 1, 500ms);
  }
  EXPECT_TRUE(delivered);
  // ... and the refused ones (before start, while offline) never went out.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(inbox.count_on("test/f/x"), 1u);
  client.stop();
  observer.stop();
}

// clean_session = false: the broker queues QoS 1 messages for the subscriber while it is away,
// across its own restart and the broker's (persistence on).
TEST(MqttIntegration, PersistentSessionReceivesWhatWasPublishedWhileAway) {
  MosquittoServer broker(ems::testing::MosquittoOptions{.persistence = true});
  metrics::Registry registry;
  auto sub_options = options_for(broker.url(), "observer-g");
  sub_options.clean_session = false;
  sub_options.client_id = "observer-g-" + std::to_string(::getpid());
  MqttClient publisher(options_for(broker.url(), "svc-g"), registry);
  publisher.start();
  ASSERT_TRUE(publisher.wait_connected(10s));
  {
    MqttClient subscriber(sub_options, registry);
    Inbox first;
    subscriber.subscribe("test/g/#", 1, first.callback());
    subscriber.start();
    ASSERT_TRUE(subscriber.wait_connected(10s));
    std::this_thread::sleep_for(200ms);  // let the SUBSCRIBE settle
    subscriber.stop();
  }
  EXPECT_TRUE(publisher.publish_confirmed("test/g/n", "while-away", 1, false, 5s));
  broker.restart();
  ASSERT_TRUE(publisher.wait_connected(15s));
  EXPECT_TRUE(publisher.publish_confirmed("test/g/n", "after-restart", 1, false, 5s));

  MqttClient subscriber(sub_options, registry);
  Inbox inbox;
  subscriber.subscribe("test/g/#", 1, inbox.callback());
  subscriber.start();
  ASSERT_TRUE(subscriber.wait_connected(15s));
  EXPECT_TRUE(inbox.wait_for([](const MqttMessage& m) { return m.payload == "while-away"; }));
  EXPECT_TRUE(inbox.wait_for([](const MqttMessage& m) { return m.payload == "after-restart"; }));
  subscriber.stop();
  publisher.stop();
}

}  // namespace
}  // namespace ems::runtime
