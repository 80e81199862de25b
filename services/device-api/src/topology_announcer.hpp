#pragma once
// TopologyAnnouncer: `system/topology_changed {ts, version}` for every stored version, at least
// once and in version order (CONTRACT.md section 7).
//
// The store's outbox is the source of truth: every version above the announced watermark
// (TopologyStore::unannounced) is owed an event. One background thread takes the owed versions
// oldest first and, for each, publishes the event with QoS 1, not retained, while the MQTT
// client is connected, then waits for the broker's acknowledgment
// (MqttClient::publish_confirmed). Without one - broker down, connection lost in flight, no
// PUBACK within `ack_timeout` - it retries with backoff once the client is connected again.
// Only an acknowledged version is marked announced and followed by the next one, so events
// keep commit order. A retry after a lost acknowledgment delivers an event twice; the contract
// makes a repeated event harmless. The event's `ts` is the version's `created_at`, so a
// repeated event is the same message byte for byte.
//
// kick() after each commit wakes the thread and returns at once: an HTTP request never waits
// for the broker. start() also publishes what an earlier process committed but never had
// acknowledged (a crash or a stop between commit and acknowledgment). A store that cannot be
// read is retried with the same backoff.
//
// Threading: kick() is thread-safe and never blocks. start() and stop() are called from one
// thread. The MqttClient and the store must outlive the announcer; the client must be started
// for events to flow.
//
// Metrics: ems_device_api_topology_events_total{outcome="acknowledged"|"unacknowledged"} (an
// unacknowledged attempt is retried) and ems_device_api_topology_events_owed (versions waiting
// for their event, as last read from the outbox).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "ems/runtime/metrics.hpp"
#include "ems/runtime/mqtt.hpp"
#include "topology_store.hpp"

namespace ems::device_api {

struct AnnouncerOptions {
  std::chrono::milliseconds ack_timeout{5000};  // wait for PUBACK before retrying
  std::chrono::milliseconds min_retry{200};     // backoff between attempts ...
  std::chrono::milliseconds max_retry{10000};   // ... doubling up to this
};

class TopologyAnnouncer {
 public:
  TopologyAnnouncer(runtime::MqttClient& mqtt, TopologyStore& store,
                    runtime::metrics::Registry& registry, AnnouncerOptions options = {});
  ~TopologyAnnouncer();  // stop()s
  TopologyAnnouncer(const TopologyAnnouncer&) = delete;
  TopologyAnnouncer& operator=(const TopologyAnnouncer&) = delete;

  // Starts the thread, which first publishes whatever the outbox already owes. Idempotent.
  void start();
  // A version was committed: look at the outbox again. Never blocks.
  void kick();
  // Stops the thread (waiting at most for an acknowledgment wait in progress, <= ack_timeout).
  // Versions still owed stay in the outbox for the next start. Idempotent.
  void stop();

 private:
  void run();
  // Publishes every owed version in order; false when the store could not be read or written.
  bool drain();
  // Retries until the broker acknowledged `record`'s event; false when stopping first.
  bool publish_until_acknowledged(const VersionRecord& record);
  // Sleeps `delay` unless stop() comes first; false when stopping.
  bool pause(std::chrono::milliseconds delay);
  bool stopping() const;

  runtime::MqttClient& mqtt_;
  TopologyStore& store_;
  AnnouncerOptions options_;
  runtime::metrics::Counter& acknowledged_;
  runtime::metrics::Counter& unacknowledged_;
  runtime::metrics::Gauge& owed_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool kicked_ = true;  // the first pass reads the outbox
  bool stopping_ = false;
  std::thread thread_;
  std::string last_acknowledged_;  // this process's watermark, for a mark that did not stick
};

}  // namespace ems::device_api
