#pragma once
// MqttBatchPublisher: a second, publish-only MQTT 3.1.1 connection for a high rate of QoS 0
// messages (the gateway's samples), written in batches.
//
// Why: through MqttClient (Paho) every message costs a message and a token object, copies, a
// wake-up of Paho's send thread and one socket write: ~20 us of CPU per message, most of a
// gateway's time (services/gateway/README.md). Here publish() encodes the PUBLISH packet straight
// into one shared buffer (no allocation once the buffer has grown) and wakes the writer thread
// only when the buffer was empty; the writer waits `linger`, then sends everything buffered with
// one send(). Messages keep their publish() order on the wire.
//
// What it guarantees:
//   - QoS 0 only (at most once, as Paho's QoS 0): a batch whose send() fails is lost whole (it
//     is counted as dropped); the retain flag is per message.
//   - reconnects forever with exponential backoff (min_reconnect_delay .. max_reconnect_delay),
//     also when the broker is down at start(); clean session; no last will (the service's
//     MqttClient carries its status).
//   - publish() never blocks on the network: while disconnected, messages are buffered up to
//     `max_buffered_bytes` (encoded size) and sent after the next connect; beyond that a message
//     is dropped, counted, and publish() returns false.
//   - keep alive: PINGREQ when nothing was sent for half of `keep_alive`; a connection the
//     broker closed is noticed at the next send or ping and reconnected.
//   - metrics in the registry, labelled {client}: ems_mqtt_messages_published_total,
//     ems_mqtt_messages_dropped_total, ems_mqtt_connects_total, ems_mqtt_connected (the
//     MqttClient families) and ems_mqtt_send_buffer_bytes (encoded bytes waiting: the queue
//     depth).
//
// Only plain TCP (mqtt:// or tcp:// URLs): the constructor throws std::invalid_argument for
// mqtts/ssl/ws/wss, for which a service keeps publishing through MqttClient.
//
// Threading: publish() and every other public method are thread-safe. One thread of its own
// connects and writes.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ems/runtime/metrics.hpp"
#include "ems/runtime/mqtt.hpp"

namespace ems::runtime {

struct MqttBatchOptions {
  std::string url = "mqtt://127.0.0.1:1883";  // mqtt:// or tcp:// only
  std::string client_id;                      // required, unique on the broker
  std::string username;
  std::string password;
  std::chrono::seconds keep_alive{30};
  std::chrono::milliseconds min_reconnect_delay{200};
  std::chrono::milliseconds max_reconnect_delay{10000};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::microseconds linger{2000};  // how long the writer gathers a batch after a wake
  std::size_t max_buffered_bytes = 16 << 20;

  // The batch connection of a service's MqttClient: its URL, credentials, reconnect delays,
  // client id + "-batch".
  static MqttBatchOptions from(const MqttOptions& client);
};

class MqttBatchPublisher {
 public:
  // Throws std::invalid_argument for a URL that is not mqtt:// or tcp:// (or malformed), or an
  // empty client id.
  explicit MqttBatchPublisher(MqttBatchOptions options,
                              metrics::Registry& registry = metrics::Registry::global());
  ~MqttBatchPublisher();  // stop()s
  MqttBatchPublisher(const MqttBatchPublisher&) = delete;
  MqttBatchPublisher& operator=(const MqttBatchPublisher&) = delete;

  // Starts the writer thread (connecting in the background); returns at once.
  void start();
  // Sends what is buffered if connected (bounded by the socket's 2 s send timeout), sends
  // DISCONNECT and ends the thread. Idempotent.
  void stop();

  // Queues one QoS 0 PUBLISH. False when dropped (buffer full, stopped, or a topic longer than
  // 65,535 bytes). Never blocks on the network.
  bool publish(std::string_view topic, std::string_view payload, bool retain);

  bool is_connected() const { return connected_.load(); }
  bool wait_connected(std::chrono::milliseconds timeout);
  const MqttBatchOptions& options() const { return options_; }

 private:
  void run();
  int connect_once();  // a connected socket that got CONNACK 0, or -1
  bool send_all(int fd, const std::uint8_t* data, std::size_t size);

  MqttBatchOptions options_;
  std::string host_;
  std::string port_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable connected_cv_;
  std::vector<std::uint8_t> buffer_;  // encoded packets, in publish() order
  std::size_t buffered_messages_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<bool> connected_{false};

  metrics::Counter& published_;
  metrics::Counter& dropped_;
  metrics::Counter& connects_;
  metrics::Gauge& connected_gauge_;
  metrics::Gauge& buffer_gauge_;
};

}  // namespace ems::runtime
