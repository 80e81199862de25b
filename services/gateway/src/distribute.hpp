#pragma once
// The split of a module's `distribute` setpoint over its children (x-command-source entry of
// protocol "distribute", see ems/contract/sources.hpp). Pure; thread-safe.
//
// Policies ("allocation_policy"): "equal_split" (equal weights) and "soc_weighted": a discharge
// (value > 0) is weighted by each child's state of charge above the floor
// ("state_of_charge_floor_percent", 0 without one), a charge (value < 0) by its room below 100 %.
// Every share is clamped to the child's [power_min, power_max]; what a clamped child cannot take
// is spread again over the others (a few rounds), so the total is met whenever the children's
// bounds allow it. Unavailable children get nothing and receive no command.
#include <optional>
#include <string>
#include <vector>

namespace ems::gateway {

struct ChildState {
  std::string device_id;
  double power_min = 0, power_max = 0;
  bool available = false;     // operating_state known, fresh and not FAULT/OFFLINE
  std::optional<double> soc;  // percent, when known and fresh
};

struct Share {
  std::string device_id;
  double value = 0;
};

// Throws std::invalid_argument for an unknown policy, or when no child is available (or, for
// soc_weighted, no available child has a known state of charge).
std::vector<Share> split(const std::string& policy, double value,
                         const std::vector<ChildState>& children, double floor_percent = 0);

// The operating envelope at the point of interconnection (POI), as last sampled. Signs: the POI
// power is positive when the site imports; the module's power is positive when it discharges
// (what its setpoint means). Limits are magnitudes in watts (>= 0).
struct Envelope {
  std::optional<double> import_limit, export_limit;
  std::optional<double> poi_power;     // the POI meter's active power
  std::optional<double> module_power;  // the module's own active power now
};

struct SetpointRange {
  double min = -1e300, max = 1e300;
};

// The module setpoints that keep the POI inside the envelope. With the POI and the module's
// power known, moving the module from P_m to P changes the POI by -(P - P_m), so
// P in [P_m + P_poi - import_limit, P_m + P_poi + export_limit]; without them the limits bound
// the module's own power: P in [-import_limit, export_limit]. At the POI the range always
// includes P_m: when the POI is already outside the envelope (e.g. PV exporting past a zero
// export limit), a setpoint that moves it back, or keeps it where it is, is not refused. An
// unknown limit leaves its side open (the caller decides whether an unknown limit may be
// ignored).
SetpointRange envelope_range(const Envelope& e);

}  // namespace ems::gateway
