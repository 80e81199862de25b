#pragma once
// The AsyncAPI 3.0.0 document of one deployment (CONTRACT.md section 6), generated from its DTM.
//
// Written from the device's side: `send` = what a device publishes (measurements, acks),
// `receive` = what it subscribes to (commands, system/topology_changed). The channels are the
// topic templates of CONTRACT.md section 2 and are the same for every deployment; what a DTM adds
// is one concrete message per template measurement/command (enum labels, bounds) and the
// extensions below, so the document grows linearly with the number of devices:
//
//   x-protocol-source  {templates: {slug: {measurement: entry}}, devices: {device_id: {template?,
//                      connections: {protocol: connection}, measurements?: {name: entry}}}}
//       How a reader polls each value; the full shape and its typed read side (read_sources)
//       are in sources.hpp. A template's device-protocol entries (every binding field with its
//       default explicit, unit, value_type, poll_rate_hz, value_map for enums) are written
//       once; a polled device refers to them and adds its connection per protocol (defaults
//       explicit, `credentials` by name). Devices whose connection is null or
//       PROVISIONED_AT_COMMISSIONING get no device-protocol entries.
//       synthetic (a device's own entries): {protocol, operation, unit, value_type,
//         poll_rate_hz} + inputs: [concrete topics] ({site_id} {device_id}
//         {poi_meter_device_id} expanded) or, for a source_measurement roll-up over the children
//         (narrowed by child_template), inputs: [child topics] or pairs: [{topic, weight =
//         child capacity_kwh}] for weighted_mean. Omitted when an input names a device the DTM
//         lacks (e.g. no poi_meter) or no child matches.
//   x-command-source   the same shape with "commands": how a reader writes each command.
//       device protocol: binding fields + {unit, verb, target, payload} + bounds {min, max} of
//         the target and value_map (label <-> code) for enum targets.
//       distribute (a device's own entry): binding fields + children: [{device_id,
//         command_topic, operating_state_topic, state_of_charge_topic, power_min, power_max}];
//         with guard fields and an operating_envelope device also power_min/power_max (sums),
//         import_limit_topic, export_limit_topic, active_power_topic; with
//         sizing_params.bess_reserve_floor_mwh > 0 state_of_charge_floor_percent.
//       power_cap: ramp/hysteresis fields + children: [{device_id, target, command_topic,
//         min_w?, max_w?}] for each child of child_template x each child command.
//       executed by another service (the template's fanout; a device's own entry): {executor:
//         <fanout service, e.g. line_controller>, unit, verb, target, payload} + bounds and
//         value_map of the target. A reader that is not the executor leaves such a command
//         and its acks to the executor; a verb/target listed nowhere is an unknown target.
//   comm_status        every polled device's reader publishes it: the concrete message
//                      CommStatus (enum ONLINE DEGRADED OFFLINE, unit none) on the enum
//                      measurement channel, "comm_status" in x-enum-values and in the device's
//                      x-display-name measurements.
//   x-enum-values      {"<template>.<measurement>": [labels in code order]} and
//                      {"devices.<device_id>.<measurement>": [...]} for extra measurements.
//   x-display-name     {device_id: {display_name, measurements: {name: label}}}, resolved.
//   x-alarms           {device_id: alarms[]} for devices whose template declares alarms.
//   x-site-id          the site the document describes.
//
// Hosts, ports, registers, OIDs and URIs appear only inside x-protocol-source and
// x-command-source (and alarm condition sources in x-alarms), never in channels or schemas.

#include <string>

#include "ems/contract/dtm.hpp"

namespace ems::contract {

struct AsyncApiOptions {
  std::string version = "1.0.0";  // topology version (semver) -> info.version
  std::string default_site_id;    // used when the DTM carries no site_id
};

// Pure function of the DTM. Throws ContractError (with the JSON Pointer of the offending DTM
// value) when the DTM cannot be expressed: no site id, a command whose target is not a
// measurement of its template, a synthetic input placeholder other than {site_id} {device_id}
// {poi_meter_device_id}, a roll-up child lacking the source measurement, a weighted_mean child
// without capacity_kwh, a distribute child lacking the command or its state topics, two
// concrete schema names that collide, a connection a reader cannot use (a Modbus unit_id that
// is not 0..255, a DNP3 outstation address beyond 65519).
Json generate_asyncapi(const Dtm& dtm, const AsyncApiOptions& options);

// The same document as JSON text: byte for byte generate_asyncapi(dtm, options).dump(), written
// without building the per-device sections as a Json tree (a 10,000-device document is ~28 MB;
// the tree costs several times the text in allocation, dumping and freeing). What device-api
// serves. Throws like generate_asyncapi.
std::string generate_asyncapi_text(const Dtm& dtm, const AsyncApiOptions& options);

// "bess_rack" -> "BessRack", "gpu_1_power" -> "Gpu1Power": the naming of concrete schemas.
std::string pascal_case(const std::string& slug);

}  // namespace ems::contract
