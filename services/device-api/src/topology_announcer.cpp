#include "topology_announcer.hpp"

#include <algorithm>

#include "ems/contract/payload.hpp"
#include "ems/contract/semver.hpp"
#include "ems/contract/topic.hpp"
#include "ems/runtime/backoff.hpp"
#include "ems/runtime/log.hpp"

namespace ems::device_api {
namespace {

constexpr int kBatch = 100;  // owed versions read per outbox query
// How often an offline client is looked at again.
constexpr std::chrono::milliseconds kPoll{50};

runtime::metrics::CounterFamily& events(runtime::metrics::Registry& registry) {
  return registry.counter(
      "ems_device_api_topology_events_total",
      "system/topology_changed publish attempts by outcome (unacknowledged ones are retried)",
      {"outcome"});
}

std::string event_payload(const VersionRecord& record) {
  contract::Timestamp ts;
  try {
    ts = contract::parse_timestamp(record.created_at);
  } catch (const std::exception&) {
    ts = contract::to_timestamp(std::chrono::system_clock::now());
  }
  return contract::encode(contract::TopologyChanged{ts, record.version});
}

}  // namespace

TopologyAnnouncer::TopologyAnnouncer(runtime::MqttClient& mqtt, TopologyStore& store,
                                     runtime::metrics::Registry& registry, AnnouncerOptions options)
    : mqtt_(mqtt),
      store_(store),
      options_(options),
      acknowledged_(events(registry).with({"acknowledged"})),
      unacknowledged_(events(registry).with({"unacknowledged"})),
      owed_(registry
                .gauge("ems_device_api_topology_events_owed",
                       "Stored versions whose system/topology_changed the broker has not "
                       "acknowledged yet")
                .with()) {}

TopologyAnnouncer::~TopologyAnnouncer() {
  stop();
}

void TopologyAnnouncer::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  kicked_ = true;
  thread_ = std::thread([this] { run(); });
}

void TopologyAnnouncer::kick() {
  {
    std::lock_guard lock(mutex_);
    kicked_ = true;
  }
  wake_.notify_all();
}

void TopologyAnnouncer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool TopologyAnnouncer::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool TopologyAnnouncer::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [&] { return stopping_; });
}

void TopologyAnnouncer::run() {
  runtime::Backoff backoff(options_.min_retry, options_.max_retry);
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || kicked_; });
      if (stopping_) return;
      kicked_ = false;
    }
    if (drain()) {
      backoff.reset();
      continue;
    }
    // The store failed: look again after a pause, kicked or not.
    if (!pause(backoff.next())) return;
    kick();
  }
}

bool TopologyAnnouncer::drain() {
  while (!stopping()) {
    std::vector<VersionRecord> owed;
    try {
      owed = store_.unannounced(kBatch);
      // A version this process had acknowledged but could not mark is not owed again.
      if (!last_acknowledged_.empty()) {
        const auto done = contract::parse_semver(last_acknowledged_);
        std::erase_if(owed, [&](const VersionRecord& r) {
          return !(contract::parse_semver(r.version) > done);
        });
        if (owed.empty()) {
          store_.mark_announced(last_acknowledged_);
          owed = store_.unannounced(kBatch);
        }
      }
    } catch (const std::exception& e) {
      runtime::log::warn("topology outbox not readable; retrying", {{"error", e.what()}});
      return false;
    }
    owed_.set(static_cast<double>(owed.size()));
    if (owed.empty()) return true;
    for (const auto& record : owed) {
      if (!publish_until_acknowledged(record)) return true;  // stopping
      last_acknowledged_ = record.version;
      try {
        store_.mark_announced(record.version);
      } catch (const std::exception& e) {
        runtime::log::warn("topology event acknowledged but not marked; retrying the mark",
                           {{"version", record.version}, {"error", e.what()}});
        return false;
      }
    }
  }
  return true;
}

bool TopologyAnnouncer::publish_until_acknowledged(const VersionRecord& record) {
  static const std::string topic = contract::system_topic("topology_changed");
  const auto delivery = contract::delivery_for(contract::TopicFamily::system);
  const std::string payload = event_payload(record);
  runtime::Backoff backoff(options_.min_retry, options_.max_retry);
  while (!stopping()) {
    if (!mqtt_.is_connected()) {
      // Nothing is handed to the client while it is offline: the retry after the next connect
      // is the only copy.
      if (!pause(kPoll)) return false;
      continue;
    }
    if (mqtt_.publish_confirmed(topic, payload, delivery.qos, delivery.retain,
                                options_.ack_timeout)) {
      acknowledged_.inc();
      runtime::log::info("topology change announced", {{"version", record.version}});
      return true;
    }
    unacknowledged_.inc();
    const auto delay = backoff.next();
    runtime::log::warn("topology change not acknowledged by the broker; retrying",
                       {{"version", record.version}, {"retry_in_ms", delay.count()}});
    if (!pause(delay)) return false;
  }
  return false;
}

}  // namespace ems::device_api
