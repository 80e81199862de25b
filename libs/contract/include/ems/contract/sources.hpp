#pragma once
// The read side of the AsyncAPI document's x-protocol-source and x-command-source (CONTRACT.md
// section 6): what a reader (the gateway, a test, a tool) needs to poll every device and write
// every command, typed, with nothing left implicit.
//
// Document shape (both sections alike; "measurements" becomes "commands" in x-command-source):
//
//   "x-protocol-source": {
//     "templates": {"<slug>": {"<measurement>": ENTRY, ...}, ...},   one per template, shared
//     "devices": {"<device_id>": {
//         "template": "<slug>",            optional: every entry of templates[slug] applies
//         "connections": {"<protocol>": CONNECTION, ...},   one per device protocol it uses
//         "measurements": {"<name>": ENTRY, ...}            the device's own entries (synthetic
//       }, ...}                                             roll-ups, extra measurements); never
//   }                                                       a name that templates[slug] has
//
//   ENTRY (device protocol) = every field of the typed binding, defaults explicit
//     (explicit_fields(), e.g. Modbus data_type/word_order, Redfish full resource path) +
//     {"unit", "value_type": "float|bool|enum", "poll_rate_hz"} (+ "value_map" for enums;
//     x-command-source adds "verb", "target", "payload" and "bounds" {min, max} of the target).
//   x-command-source ENTRY (executed by another service, a device's own entry) =
//     {"executor": "<fanout service>", "unit", "verb", "target", "payload"} (+ "bounds",
//     "value_map" of the target).
//   ENTRY (synthetic) = {"protocol": "synthetic", "operation", "unit", "value_type",
//     "poll_rate_hz", "inputs": [topics]} or "pairs": [{"topic", "weight"}] (weighted_mean).
//   CONNECTION = {"host", "port"} + what the protocol needs, defaults explicit:
//     modbus_tcp {"unit_id": 1..255 (default 1)}; dnp3_tcp {"outstation_address" (the DTM's
//     unit_id, default 1024), "master_address": 1}; snmp {"version": "v2c", "read_community":
//     "public", "write_community": "private"} without credentials; redfish {"scheme": "http" (https
//     on port 443), "root": "/redfish/v1"}; can {"channel" (the DTM's unit_id, default "vcan0")}.
//     "credentials": "<name>" when the DTM's connection names a secrets entry; the reader then
//     takes the SNMP version/community/USM user and the Redfish user/password from that entry.
//
// Pure functions; thread-compatible.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ems/contract/binding.hpp"
#include "ems/contract/dtm.hpp"

namespace ems::contract {

// How to reach one device over one protocol.
struct DeviceConnection {
  Protocol protocol = Protocol::modbus_tcp;
  std::string host;
  std::uint16_t port = 0;
  std::optional<std::string> credentials;  // secrets entry name; never a secret
  // modbus_tcp
  std::uint8_t unit_id = 1;
  // dnp3_tcp
  std::uint16_t outstation_address = 1024;
  std::uint16_t master_address = 1;
  // snmp (without credentials; with them the secrets entry decides)
  std::string snmp_version = "v2c";
  std::string read_community = "public";
  std::string write_community = "private";
  // redfish
  std::string scheme = "http";
  std::string root = std::string(kRedfishRoot);
  // can
  std::string channel = "vcan0";
  bool operator==(const DeviceConnection&) const = default;
};

// The explicit connection of a DTM device for one device protocol (the defaults above applied
// to host, port, unit_id and credentials). Throws ContractError when the connection cannot be
// used (no port, a Modbus unit_id that is not 0..255, a DNP3 address that is not 0..65519).
DeviceConnection device_connection(const Connection& c, Protocol protocol,
                                   const std::string& path = "");
Json to_json(const DeviceConnection& c);
DeviceConnection parse_device_connection(const Json& j, Protocol protocol,
                                         const std::string& path = "");

// One measurement read over a device protocol.
struct SourcePoint {
  std::string name;
  Binding binding;
  Unit unit = Unit::none;
  ValueType value_type = ValueType::Float;
  double poll_rate_hz = 1.0;
  EnumCodec codec;  // enums: raw code <-> label
};

// One measurement the reader computes from other topics.
struct SyntheticPoint {
  std::string name;
  SyntheticOperation operation = SyntheticOperation::sum;
  Unit unit = Unit::none;
  ValueType value_type = ValueType::Float;
  double poll_rate_hz = 1.0;
  std::vector<std::string> inputs;                    // topics (all but weighted_mean)
  std::vector<std::pair<std::string, double>> pairs;  // (topic, weight) for weighted_mean
};

// One command written over a device protocol.
struct CommandPoint {
  std::string name;
  Binding binding;
  Unit unit = Unit::none;
  Verb verb = Verb::set;
  std::string target;
  PayloadType payload = PayloadType::Float;
  std::optional<double> min, max;  // bounds of the target
  EnumCodec codec;
};

// A command of the device that another service executes (x-command-source entry with
// "executor"): a reader that is not `executor` leaves it, and its acks, to that service.
struct ExecutedCommand {
  std::string name;
  std::string executor;  // the template's fanout service: "line_controller", "analyst", ...
  Verb verb = Verb::set;
  std::string target;
  Unit unit = Unit::none;
  PayloadType payload = PayloadType::Float;
};

// Everything the document says about reading and writing one device.
struct DeviceSources {
  std::string device_id;
  std::map<Protocol, DeviceConnection> connections;
  std::vector<SourcePoint> points;                  // name order
  std::vector<SyntheticPoint> synthetic;            // name order
  std::vector<CommandPoint> commands;               // name order (device protocols)
  std::map<std::string, Json> computed_commands;    // distribute / power_cap entries, as written
  std::vector<ExecutedCommand> executed_elsewhere;  // name order (fanout commands)
};

// Every device of x-protocol-source and x-command-source, by device_id. Throws ContractError
// (JSON Pointer into the document) for a malformed section or entry; a document without the
// sections yields an empty map.
std::map<std::string, DeviceSources> read_sources(const Json& asyncapi);

// The topic of comm_status, the enum every reader publishes per polled device.
inline constexpr std::string_view kCommStatus = "comm_status";
inline constexpr std::array<std::string_view, 3> kCommStatusValues = {"ONLINE", "DEGRADED",
                                                                      "OFFLINE"};

}  // namespace ems::contract
