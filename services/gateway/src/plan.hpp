#pragma once
// GatewayPlan: what one gateway instance runs, read from the AsyncAPI document - the devices of
// its shard with their connections, typed points, commands and roll-ups, and a fingerprint per
// device so a new topology version re-plans only the devices whose entries changed.
//
// Pure value type; thread-compatible (built on the follower's thread, then shared read-only).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ems/contract/sources.hpp"
#include "shard.hpp"

namespace ems::gateway {

struct PlannedDevice {
  contract::DeviceSources sources;
  // The device's x-protocol-source and x-command-source entries (its template's included), as
  // text: equal fingerprints mean nothing a reader uses changed.
  std::string fingerprint;
  // Every topic this gateway publishes for the device (points, roll-ups, comm_status when
  // polled): what is cleared when the device is removed.
  std::vector<std::string> topics;
  bool polled() const { return !sources.connections.empty(); }
};

struct GatewayPlan {
  std::string version;
  std::string site_id;
  std::map<std::string, PlannedDevice> devices;  // this shard's devices only
  // Every device of the document (all shards): commands to another shard's device are left to
  // it, commands to a device no shard has are rejected.
  std::map<std::string, bool> all_devices;  // device_id -> owned by this shard
  // Poll period (seconds) of every measurement topic the document names, any shard: how old a
  // roll-up input may get (3 periods).
  std::map<std::string, double> topic_period_s;
};

// Throws contract::ContractError for a malformed document or one without x-site-id.
GatewayPlan make_plan(const contract::Json& asyncapi, const Shard& shard);

}  // namespace ems::gateway
