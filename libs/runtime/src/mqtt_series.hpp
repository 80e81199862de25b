#pragma once
// The ems_mqtt_* series of one MQTT connection, labelled {client}: one place for their names and
// help texts, shared by MqttClient and MqttBatchPublisher.
#include <string>

#include "ems/runtime/metrics.hpp"

namespace ems::runtime::detail {

inline metrics::Counter& mqtt_published(metrics::Registry& r, const std::string& client) {
  return r
      .counter("ems_mqtt_messages_published_total", "MQTT messages accepted for delivery",
               {"client"})
      .with({client});
}

inline metrics::Counter& mqtt_dropped(metrics::Registry& r, const std::string& client) {
  return r
      .counter("ems_mqtt_messages_dropped_total",
               "MQTT messages dropped (offline buffer full, in-flight window full or client "
               "stopped)",
               {"client"})
      .with({client});
}

inline metrics::Counter& mqtt_connects(metrics::Registry& r, const std::string& client) {
  return r.counter("ems_mqtt_connects_total", "Successful MQTT (re)connects", {"client"})
      .with({client});
}

inline metrics::Gauge& mqtt_connected(metrics::Registry& r, const std::string& client) {
  return r.gauge("ems_mqtt_connected", "1 while connected to the broker", {"client"})
      .with({client});
}

}  // namespace ems::runtime::detail
