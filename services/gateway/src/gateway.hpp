#pragma once
// Gateway: the running plan of one gateway instance. apply() takes each new AsyncAPI document
// (from the topology follower) and reconciles: per device, workers whose entries did not change
// keep running untouched (no gap, no second publisher), changed ones are stopped and restarted
// with the new plan, new ones started, removed ones stopped and their retained topics cleared
// (an empty retained message on every topic the gateway published for them).
//
// Publishing (CONTRACT.md sections 3-4): measurements QoS 0 retained as FloatSample /
// BooleanSample / EnumSample with millisecond `Z` timestamps; comm_status (ONLINE / DEGRADED /
// OFFLINE, combined over the device's connections) retained, when first known and on change;
// through the batch publisher when one is given (see the constructor).
//
// Commands (`sites/{site}/devices/+/commands/#`, QoS 1), checked in this order:
//   topic not of the contract, other site          -> dropped (metric, log)
//   device of another shard                        -> left to that shard, no answer
//   verb/target executed by another service        -> left to it, no answer (x-command-source
//     (an "executor" entry, e.g. line_controller)       "executor": that service acks it)
//   payload without a UUID command_id              -> dropped (metric, log): nothing to ack
//   command_id already seen (last 10,000)          -> dropped (metric): answered once
//   device or verb/target unknown                  -> rejected "unknown target"
//   unit in the topic not the command's            -> rejected
//   payload not of the command's type / malformed  -> rejected
//   -> received; value outside the target's bounds -> rejected; device OFFLINE -> rejected
//   -> accepted; written on the device's worker    -> done / failed / timeout (device_worker.hpp)
// A module's `distribute` command is first held inside the operating envelope (the entry's
// import/export limit topics, with the POI and the module's own power when the document names
// them; see distribute.hpp envelope_range) - outside it, or with the envelope unknown, it is
// `rejected`. It is then split over the children it lists (children whose operating_state is
// not usable, whose samples are stale or whose comm_status is OFFLINE are excluded; equal split
// or weighted by state of charge above the floor; each child clamped to its bounds), each child
// gets its own command over MQTT with a fresh command_id, and the module is acked `done` when
// every child is done, `failed` naming the child when one is not, `timeout` naming the silent
// children when some sent no final ack within command_timeout + 2 s.
//
// Threading: apply() runs on the follower's thread; MQTT callbacks on Paho's thread; workers on
// their own. Every public method is thread-safe.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>

#include "device_worker.hpp"
#include "ems/runtime/metrics.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/runtime/mqtt_batch.hpp"
#include "plan.hpp"
#include "rollups.hpp"

namespace ems::gateway {

struct GatewayOptions {
  Shard shard;
  drivers::DriverOptions driver_options;  // per request timeouts
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds command_timeout{5000};  // received -> done
  std::size_t dedup_window = 10000;                 // command_ids remembered

  // EMS_GATEWAY_SHARD, EMS_GATEWAY_TIMEOUT (a device's answer, default 1s),
  // EMS_GATEWAY_MAX_BACKOFF (default 10s), EMS_GATEWAY_COMMAND_TIMEOUT (default 5s).
  static GatewayOptions from_env();
};

class Gateway : private WorkerSink {
 public:
  // `samples`: where measurement samples, comm_status and the clearing of a removed device's
  // topics go (QoS 0 retained, in order on one connection); nullptr: through `mqtt`. Commands,
  // acks and subscriptions always use `mqtt`. Both must outlive the gateway.
  Gateway(GatewayOptions options, runtime::MqttClient& mqtt, runtime::Secrets secrets,
          runtime::metrics::Registry& registry = runtime::metrics::Registry::global(),
          runtime::MqttBatchPublisher* samples = nullptr);
  ~Gateway() override;  // stop()s
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Starts the roll-ups and the thread that times out distribute commands; commands are
  // subscribed once the first plan names the site.
  void start();
  // Stops every worker and the roll-ups. Idempotent.
  void stop();

  // Reconciles with a new document. Throws contract::ContractError for a document it cannot
  // plan (the running plan is then kept).
  void apply(const contract::Json& asyncapi);

  // The comm_status last published for a device (nullopt: not polled or not known yet).
  std::optional<CommState> comm_state(const std::string& device_id) const;
  std::string version() const;
  std::size_t worker_count() const;

 private:
  struct DeviceRun {
    std::string fingerprint;
    std::vector<std::unique_ptr<DeviceWorker>> workers;
    std::map<contract::Protocol, CommState> states;
    std::optional<CommState> published;
  };
  struct Pending;  // a distribute command waiting for its children
  using Clock = std::chrono::steady_clock;
  // What MQTT callbacks reach: the gateway while it lives, nothing after (the client may
  // outlive it).
  struct Life {
    std::mutex mutex;
    Gateway* gateway = nullptr;
  };

  void publish_sample(const std::string& topic, const std::string& payload);
  void publish_value(const std::string& topic, const drivers::Value& value,
                     contract::Timestamp ts) override;
  void connection_state(const std::string& device_id, contract::Protocol protocol,
                        CommState state) override;

  void start_device(const std::string& id, const PlannedDevice& d, DeviceRun& run);
  void on_command(const runtime::MqttMessage& m);
  void on_child_ack(const runtime::MqttMessage& m);
  void on_state_sample(const runtime::MqttMessage& m);
  void on_rollup_input(const runtime::MqttMessage& m);
  void subscribe(const std::string& filter, int qos,
                 void (Gateway::*handler)(const runtime::MqttMessage&));
  // Publishes an ack; a final one counts in ems_gateway_commands_total{protocol,outcome}.
  void ack(const std::string& topic, const std::string& command_id, contract::AckState state,
           std::optional<std::string> reason = std::nullopt, const std::string& protocol = "none");
  void bad_command(const std::string& reason, const std::string& topic, const std::string& detail);
  bool remember(const std::string& command_id);
  void distribute(const std::string& ack_topic, const std::string& command_id,
                  const PlannedDevice& module, const contract::Json& entry, double value);
  // A topic's latest sample when younger than 3 of its poll periods (30 s when the document
  // gives none). Caller holds mutex_.
  std::optional<std::string> fresh_sample(const std::string& topic,
                                          std::chrono::system_clock::time_point now) const;
  void sweep_pending();  // the timeout thread

  GatewayOptions options_;
  runtime::MqttClient& mqtt_;
  runtime::MqttBatchPublisher* samples_;
  runtime::Secrets secrets_;
  runtime::metrics::Registry& registry_;
  std::shared_ptr<Life> life_ = std::make_shared<Life>();
  Rollups rollups_;

  mutable std::mutex mutex_;  // guards everything below
  std::shared_ptr<const GatewayPlan> plan_;
  std::map<std::string, DeviceRun> running_;
  std::set<std::string> subscribed_sites_;
  std::unordered_set<std::string> seen_ids_;
  std::deque<std::string> seen_order_;
  std::map<std::string, std::pair<std::string, contract::Timestamp>> state_samples_;  // topic ->
  std::map<std::string, std::shared_ptr<Pending>> pending_children_;  // child command_id ->
  bool stopped_ = false;
  std::condition_variable sweep_wake_;
  std::thread sweeper_;

  runtime::metrics::CounterFamily& commands_;      // {protocol,outcome}
  runtime::metrics::CounterFamily& bad_commands_;  // {reason}
  runtime::metrics::Counter& reconciles_;
  runtime::metrics::Gauge& workers_gauge_;
  runtime::metrics::Gauge& pending_gauge_;  // distribute commands waiting (every 200 ms)
};

}  // namespace ems::gateway
