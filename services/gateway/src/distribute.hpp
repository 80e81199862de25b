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

}  // namespace ems::gateway
