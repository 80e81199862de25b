#pragma once
// MQTT topics of the contract (CONTRACT.md section 2) as value types, with a strict parser, a
// formatter, subscription filters and the QoS/retain rule of each family (section 4).
//
//   sites/{site_id}/devices/{device_id}/measurements/{measurement}/{unit}      7 segments
//   sites/{site_id}/devices/{device_id}/commands/{verb}/{target}/{unit}        8 segments
//   sites/{site_id}/devices/{device_id}/acks/{verb}/{target}/{unit}            8 segments
//   system/{event}                                                             2 segments
//   services/{service_id}/status                                               3 segments
//
// Every id segment is a slug (CONTRACT.md section 1) except {service_id}, which is a service id
// (service_id.hpp: `^[a-z][a-z0-9-]*$`, e.g. "device-api", "gateway-1-of-2").
// Segments are numbered from 0 as in the contract's "slot 4 is the family": error messages name
// the offending segment as "segment 6 (unit) 'kilowatts' is not a unit".
//
// parse_topic runs on every MQTT message, so it splits a string_view once and compares; no
// regex, and only the returned value allocates.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ems/contract/service_id.hpp"
#include "ems/contract/vocabulary.hpp"

namespace ems::contract {

struct MeasurementTopic {
  std::string site_id;
  std::string device_id;
  std::string measurement;
  Unit unit = Unit::none;
  bool operator==(const MeasurementTopic&) const = default;
};

// A command sent to a device; its acks travel on the same path with family "acks".
struct CommandTopic {
  std::string site_id;
  std::string device_id;
  Verb verb = Verb::set;
  std::string target;  // a measurement of the device's template
  Unit unit = Unit::none;
  bool operator==(const CommandTopic&) const = default;
};

struct AckTopic {
  std::string site_id;
  std::string device_id;
  Verb verb = Verb::set;
  std::string target;
  Unit unit = Unit::none;
  bool operator==(const AckTopic&) const = default;
};

struct SystemTopic {
  std::string event;  // e.g. "topology_changed"
  bool operator==(const SystemTopic&) const = default;
};

struct ServiceStatusTopic {
  std::string service_id;  // a service id (is_service_id), not a slug: "device-api"
  bool operator==(const ServiceStatusTopic&) const = default;
};

using Topic =
    std::variant<MeasurementTopic, CommandTopic, AckTopic, SystemTopic, ServiceStatusTopic>;

// The segment that stands for "any site" in topic templates (AsyncAPI channels, synthetic
// inputs in templates): "sites/{site_id}/devices/x/measurements/y/watts".
inline constexpr std::string_view kSiteIdPlaceholder = "{site_id}";

// Strict parse. Throws ContractError (path "", message naming the segment) for a wrong depth, an
// unknown root or family, a bad verb or unit, a non-slug id (a service id that is not
// ^[a-z][a-z0-9-]*$), an empty segment (leading, trailing or doubled '/') and for MQTT wildcards.
// The placeholder "{site_id}" is rejected here.
Topic parse_topic(std::string_view topic);

// As parse_topic, but the site segment may also be the literal kSiteIdPlaceholder (then site_id
// holds "{site_id}"). Every other segment is as strict as in parse_topic.
Topic parse_topic_template(std::string_view topic);

// Why a topic was rejected, without throwing: for the hot path, where a malformed message is
// counted and dropped. `segment` is the index of the offending segment (or npos for the whole
// topic, e.g. a wrong depth).
struct TopicError {
  std::size_t segment = std::string_view::npos;
  std::string message;
};
// Returns the topic, or nullopt and fills *error (when not null).
std::optional<Topic> try_parse_topic(std::string_view topic, TopicError* error = nullptr,
                                     bool allow_site_placeholder = false);

// Formats a topic. Validates like parse_topic (ids must be slugs, the service id a service id)
// and throws ContractError otherwise, so a malformed topic is never published;
// parse_topic(format_topic(t)) == t.
std::string format_topic(const Topic& topic);
// As format_topic, allowing site_id == kSiteIdPlaceholder; inverse of parse_topic_template.
std::string format_topic_template(const Topic& topic);

// Convenience formatters (validating, like format_topic).
std::string measurement_topic(std::string_view site_id, std::string_view device_id,
                              std::string_view measurement, Unit unit);
std::string command_topic(std::string_view site_id, std::string_view device_id, Verb verb,
                          std::string_view target, Unit unit);
std::string ack_topic(std::string_view site_id, std::string_view device_id, Verb verb,
                      std::string_view target, Unit unit);
std::string system_topic(std::string_view event);
std::string service_status_topic(std::string_view service_id);

// The ack topic that answers a command topic (same path, family "acks").
AckTopic ack_for(const CommandTopic& command);

// ---- families, QoS and retain (CONTRACT.md section 4) ----

enum class TopicFamily { measurements, commands, acks, system, service_status };
TopicFamily family_of(const Topic& topic) noexcept;
std::string_view to_string(TopicFamily f) noexcept;

struct Delivery {
  int qos = 0;
  bool retain = false;
  bool operator==(const Delivery&) const = default;
};
// measurements: QoS 0 retained; commands, acks, system: QoS 1 not retained (a replayed setpoint
// or an old event on a new connection is a hazard); service status: QoS 1 retained (last will).
Delivery delivery_for(TopicFamily family) noexcept;
inline Delivery delivery_for(const Topic& topic) noexcept {
  return delivery_for(family_of(topic));
}

// ---- MQTT subscription filters ----
// Each argument is a slug or "+" (any). The filters match exactly the topics of one family (no
// '#', so a subscriber never receives a topic of another depth). Throws ContractError for an
// argument that is neither.
std::string measurements_filter(std::string_view site_id = "+", std::string_view device_id = "+");
std::string commands_filter(std::string_view site_id = "+", std::string_view device_id = "+");
std::string acks_filter(std::string_view site_id = "+", std::string_view device_id = "+");
inline constexpr std::string_view kSystemFilter = "system/+";
inline constexpr std::string_view kServiceStatusFilter = "services/+/status";

// MQTT 3.1.1 section 4.7 matching of a topic name against a filter ('+' one level, '#' the rest
// including the parent level; wildcards at the first level never match topics starting with '$').
// For in-process dispatch of messages received on a shared connection.
bool topic_matches(std::string_view filter, std::string_view topic) noexcept;

}  // namespace ems::contract
