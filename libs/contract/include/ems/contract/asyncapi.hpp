#pragma once
// The AsyncAPI 3.0.0 document of one deployment (CONTRACT.md section 6), generated from its DTM.
//
// Written from the device's side: `send` = what a device publishes (measurements, acks),
// `receive` = what it subscribes to (commands, system/topology_changed). The channels are the
// topic templates of CONTRACT.md section 2 and are the same for every deployment; what a DTM adds
// is one concrete message per template measurement/command (enum labels, bounds) and the
// extensions below, so the document grows linearly with the number of devices:
//
//   x-protocol-source  {device_id: {measurement: entry}}  how the gateway reads each value:
//                      connection (host, port, unit_id) merged with the binding fields, plus
//                      unit and poll_rate_hz; synthetic inputs resolved to concrete topics.
//   x-command-source   {device_id: {command: entry}}      how the gateway writes each command
//                      (verb, target, unit, bounds), distribute/power_cap resolved to children.
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
// concrete schema names that collide.
Json generate_asyncapi(const Dtm& dtm, const AsyncApiOptions& options);

// "bess_rack" -> "BessRack", "gpu_1_power" -> "Gpu1Power": the naming of concrete schemas.
std::string pascal_case(const std::string& slug);

}  // namespace ems::contract
