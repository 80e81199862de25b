#pragma once
// MqttClient: the suite's MQTT connection (Paho C++ async client underneath).
//
// What it guarantees:
//   - liveness: last will `services/{service_id}/status` = {"ts":T,"value":"OFFLINE"}, QoS 1,
//     retained; {"ts":T,"value":"ONLINE"} QoS 1 retained published on every (re)connect;
//     stop() publishes OFFLINE itself (a clean disconnect does not fire the will).
//   - reconnects forever with exponential backoff (1 s .. 30 s), including when the broker is
//     down at start; clean session by default, and every subscription is re-sent after each
//     connect either way.
//   - publish() never blocks: while disconnected, messages are buffered by Paho (up to
//     `max_buffered_messages`, default 10000 - Paho's own default is 100); a message that
//     cannot be accepted is dropped and counted, and publish() returns false.
//   - publish_confirmed() is the at-least-once path: it publishes only while connected and
//     waits for the broker's acknowledgment, so a caller can retry until one arrives.
//   - metrics in the registry: ems_mqtt_messages_published_total, ems_mqtt_messages_dropped_total,
//     ems_mqtt_messages_received_total, ems_mqtt_connects_total, ems_mqtt_connected (gauge),
//     each labelled {client}.
//
//   MqttClient mqtt(MqttOptions::from_env("historian"));
//   mqtt.subscribe("sites/+/devices/+/measurements/#", 0, [](const MqttMessage& m) { ... });
//   mqtt.start();
//   mqtt.publish("system/topology_changed", R"({"ts":"...","version":"1.2.0"})", 1, false);
//
// Message callbacks run on Paho's delivery thread, one at a time: keep them short (hand off to
// a queue) and do not call stop() from them.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ems/runtime/metrics.hpp"

namespace mqtt {
class async_client;
}

namespace ems::runtime {

struct MqttOptions {
  std::string url = "mqtt://127.0.0.1:1883";  // mqtt://, tcp://, mqtts://, ssl://, ws://, wss://
  // The contract's service id (CONTRACT.md section 2, ems/contract/service_id.hpp):
  // ^[a-z][a-z0-9-]*$, e.g. "device-api", "gateway-1-of-2". Status topic
  // services/{service_id}/status.
  std::string service_id;
  std::string client_id;  // default: {service_id}-{pid}
  std::string username;
  std::string password;
  std::chrono::seconds keep_alive{10};
  std::chrono::milliseconds min_reconnect_delay{1000};
  std::chrono::milliseconds max_reconnect_delay{30000};
  std::chrono::milliseconds connect_timeout{5000};
  int max_buffered_messages = 10000;
  int max_inflight = 1000;  // unacknowledged QoS>0 messages before publish() drops
  // false: a persistent session (MQTT clean session 0) under a stable client_id, so the broker
  // queues QoS 1/2 messages for this client's subscriptions while it is disconnected. For a
  // subscriber that must not miss events across its own or the broker's restarts (a broker
  // keeps sessions across restarts only with persistence enabled).
  bool clean_session = true;

  // url from EMS_MQTT_URL (default mqtt://127.0.0.1:1883), EMS_MQTT_USERNAME,
  // EMS_MQTT_PASSWORD, EMS_MQTT_CLIENT_ID (default {service_id}-{pid}).
  static MqttOptions from_env(std::string service_id);
};

struct MqttMessage {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retained = false;
};

using MessageCallback = std::function<void(const MqttMessage&)>;

// "mqtt://h:p" -> "tcp://h:p", "mqtts://" -> "ssl://", default port 1883 (8883 for TLS);
// tcp/ssl/ws/wss pass through. Throws std::invalid_argument on other schemes or no host.
std::string to_paho_uri(std::string_view url);

// MQTT filter matching with + and # wildcards ("a/+/c", "a/#"). A shared subscription
// "$share/<group>/<filter>" (MQTT 5; mosquitto also for 3.1.1 clients) matches what <filter>
// matches, so subscribe() may be given one: the broker then hands each message to one member of
// the group.
bool topic_matches(std::string_view filter, std::string_view topic);

// {"ts":"<utc ms>","value":"ONLINE"} - the ServiceStatus payload of the contract.
std::string service_status_payload(std::string_view value);

class MqttClient {
 public:
  // Throws std::invalid_argument for a malformed URL or a service_id that is not a service id
  // (contract::is_service_id). Messages published before
  // start() are buffered and sent after the first connect.
  explicit MqttClient(MqttOptions options,
                      metrics::Registry& registry = metrics::Registry::global());
  ~MqttClient();  // stop()s
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Starts connecting in the background; returns at once.
  void start();

  // Publishes OFFLINE (waiting up to `timeout` for it), disconnects and stops reconnecting.
  // Idempotent.
  void stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

  // Waits until connected (true) or `timeout` passes (false). "Connected" means the session is
  // fully set up: ONLINE and the subscriptions were sent and the on_connected hooks have run.
  bool wait_connected(std::chrono::milliseconds timeout);
  bool is_connected() const { return connected_.load(); }

  // Queues a message; never blocks. False when dropped (offline buffer or in-flight window
  // full, or stopped). "published" counts messages accepted for delivery.
  bool publish(const std::string& topic, const std::string& payload, int qos = 0,
               bool retain = false);

  // Publishes and waits up to `timeout` for the broker to acknowledge the message (PUBACK for
  // QoS 1, PUBCOMP for QoS 2; for QoS 0 only that it was written). True once acknowledged.
  // False, without queueing anything, while disconnected or stopped; false too when the
  // connection is lost before the acknowledgment or `timeout` passes - the message may or may
  // not have reached the broker, so a caller that retries delivers at least once (and may
  // deliver twice). Unlike publish() it does not fill the offline buffer while disconnected
  // (only a message handed over just as the connection drops may still go out after the next
  // connect, besides the caller's retry). Blocks the calling thread: never call it
  // from a message callback or an on_connected hook (they run on Paho's thread, which delivers
  // the acknowledgment). Thread-safe.
  bool publish_confirmed(const std::string& topic, const std::string& payload, int qos, bool retain,
                         std::chrono::milliseconds timeout);

  // Registers `callback` for messages matching `filter` and subscribes now if connected; the
  // subscription is renewed after every reconnect. Callbacks may be added before start().
  void subscribe(const std::string& filter, int qos, MessageCallback callback);

  // Called (on Paho's thread) after each successful connect, after ONLINE and the
  // re-subscriptions are sent.
  void on_connected(std::function<void()> hook);

  const std::string& status_topic() const { return status_topic_; }
  const MqttOptions& options() const { return options_; }

 private:
  class Callback;
  struct Subscription {
    std::string filter;
    int qos;
    MessageCallback callback;
  };

  void supervise();
  bool try_connect();
  void handle_connected();
  void handle_connection_lost();
  void handle_message(MqttMessage message);

  MqttOptions options_;
  std::string status_topic_;
  std::unique_ptr<mqtt::async_client> client_;
  std::unique_ptr<Callback> callback_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Subscription> subscriptions_;
  std::vector<std::function<void()>> connected_hooks_;
  bool started_ = false;
  bool stopping_ = false;
  bool need_connect_ = true;
  std::uint64_t losses_ = 0;  // connection losses seen; lets supervise() spot a lost session
  std::thread supervisor_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> stopping_flag_{false};  // publish() refuses once set (lock-free check)

  metrics::Counter& published_;
  metrics::Counter& dropped_;
  metrics::Counter& received_;
  metrics::Counter& connects_;
  metrics::Gauge& connected_gauge_;
};

}  // namespace ems::runtime
