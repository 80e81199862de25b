#pragma once
// MQTT payloads of the contract (CONTRACT.md section 3) as value types with JSON codecs.
//
//   FloatSample      {"ts": T, "value": number}
//   BooleanSample    {"ts": T, "value": bool}
//   EnumSample       {"ts": T, "value": "LABEL"}
//   TriggerSample    {"ts": T}
//   CommandPayload   one of the above plus "command_id": "<uuid>" (the contract's "Command";
//                    ems::contract::Command is the DTM's command definition, dtm.hpp)
//   Ack              {"ts": T, "command_id": "<uuid>", "state": S, "reason"?: "text"}
//   TopologyChanged  {"ts": T, "version": "M.m.p"}
//   ServiceStatus    {"ts": T, "value": "ONLINE" | "OFFLINE"}
//
// encode() writes compact JSON with the keys in the order above. It validates first (finite
// numbers, a UUID command_id, a semver version, non-empty labels) and throws ContractError
// rather than publish something a strict decoder would reject.
//
// decode_*() are strict: the payload must be one JSON object with exactly the keys of its
// schema (unknown, missing and duplicate keys are errors; null is not a value), values of the
// right JSON type, finite numbers, and a timestamp as parse_timestamp accepts it. All problems
// are collected and thrown as one ContractError whose issues carry JSON Pointer paths, e.g.
// {"/value", "expected a number, got string"}.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ems/contract/time.hpp"
#include "ems/contract/vocabulary.hpp"

namespace ems::contract {

struct FloatSample {
  Timestamp ts;
  double value = 0;
  bool operator==(const FloatSample&) const = default;
};

struct BooleanSample {
  Timestamp ts;
  bool value = false;
  bool operator==(const BooleanSample&) const = default;
};

// An enum measurement publishes the label, never the raw code.
struct EnumSample {
  Timestamp ts;
  std::string value;
  bool operator==(const EnumSample&) const = default;
};

struct TriggerSample {
  Timestamp ts;
  bool operator==(const TriggerSample&) const = default;
};

// The value of a trigger command (reset, clear): there is none.
struct Trigger {
  bool operator==(const Trigger&) const = default;
};
// A value of any payload type. Alternatives in PayloadType order: Float, Bool, Enum (label),
// Trigger.
using SampleValue = std::variant<double, bool, std::string, Trigger>;
using CommandValue = SampleValue;

// A sample whose type is only known at run time: for consumers that take whatever a measurement
// topic carries (historian, bridges). Encodes exactly like the typed sample of its type.
struct Sample {
  Timestamp ts;
  SampleValue value;
  PayloadType type() const noexcept { return static_cast<PayloadType>(value.index()); }
  bool operator==(const Sample&) const = default;
};

struct CommandPayload {
  Timestamp ts;
  std::string command_id;  // UUID, echoed by every ack of this command
  CommandValue value;
  PayloadType payload_type() const noexcept { return static_cast<PayloadType>(value.index()); }
  bool operator==(const CommandPayload&) const = default;
};

// received -> accepted -> done, or rejected / failed / timeout (CONTRACT.md section 3).
enum class AckState { received, accepted, done, failed, rejected, timeout };
std::optional<AckState> parse_ack_state(std::string_view s) noexcept;
std::string_view to_string(AckState s) noexcept;
// True for the states that end a command's life: done, failed, rejected, timeout.
bool is_terminal(AckState s) noexcept;

struct Ack {
  Timestamp ts;
  std::string command_id;
  AckState state = AckState::received;
  std::optional<std::string> reason;  // why it was rejected / failed / timed out
  bool operator==(const Ack&) const = default;
};

// Published once per new topology version on system/topology_changed.
struct TopologyChanged {
  Timestamp ts;
  std::string version;  // "M.m.p" as parse_semver (semver.hpp) accepts it
  bool operator==(const TopologyChanged&) const = default;
};

enum class ServiceState { online, offline };  // "ONLINE" | "OFFLINE"
std::optional<ServiceState> parse_service_state(std::string_view s) noexcept;
std::string_view to_string(ServiceState s) noexcept;

// Published retained on services/{id}/status; OFFLINE is the MQTT last will.
struct ServiceStatus {
  Timestamp ts;
  ServiceState value = ServiceState::online;
  bool operator==(const ServiceStatus&) const = default;
};

// 8-4-4-4-12 hexadecimal digits (either case), no braces or prefix; any version.
bool is_uuid(std::string_view s) noexcept;
// A random (version 4) UUID in lowercase, for a new command_id. Thread-safe.
std::string random_uuid();

std::string encode(const FloatSample& s);
std::string encode(const BooleanSample& s);
std::string encode(const EnumSample& s);
std::string encode(const TriggerSample& s);
std::string encode(const Sample& s);
std::string encode(const CommandPayload& c);
std::string encode(const Ack& a);
std::string encode(const TopologyChanged& t);
std::string encode(const ServiceStatus& s);

FloatSample decode_float_sample(std::string_view json);
BooleanSample decode_boolean_sample(std::string_view json);
EnumSample decode_enum_sample(std::string_view json);
TriggerSample decode_trigger_sample(std::string_view json);
// Infers the type from "value": number, boolean, string, or absent (trigger). The second form
// also requires the type that the measurement or command declares.
Sample decode_sample(std::string_view json);
Sample decode_sample(std::string_view json, PayloadType expected);
// Same inference as decode_sample.
CommandPayload decode_command(std::string_view json);
// As above, and the payload must be of the type the target's command declares.
CommandPayload decode_command(std::string_view json, PayloadType expected);
Ack decode_ack(std::string_view json);
TopologyChanged decode_topology_changed(std::string_view json);
ServiceStatus decode_service_status(std::string_view json);

}  // namespace ems::contract
