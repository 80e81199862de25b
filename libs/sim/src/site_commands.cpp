// SiteModel setpoints and the command table: which model actuator a write to a measurement of a
// device reaches, by role. A template's command binding names its target measurement; the
// fixtures route protocol writes here with that target.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "ems/sim/site_model.hpp"

namespace ems::sim {

CommandResult SiteModel::set_bess_setpoint(const std::string& device_id, double watts) {
  auto c = find(device_id);
  if (!c || components_[*c].role != Role::bess_rack) return CommandResult::unknown_device;
  const double rated = slot(*c, "rated_power");
  if (!std::isfinite(watts) || std::abs(watts) > rated * (1 + 1e-9))
    return CommandResult::out_of_range;
  slot(*c, "setpoint") = watts;
  return CommandResult::applied;
}

CommandResult SiteModel::set_pv_limit(const std::string& device_id, double percent) {
  auto c = find(device_id);
  if (!c || components_[*c].role != Role::pv_inverter) return CommandResult::unknown_device;
  if (!std::isfinite(percent) || percent < 0 || percent > 100) return CommandResult::out_of_range;
  slot(*c, "active_power_limit_pct") = percent;
  return CommandResult::applied;
}

CommandResult SiteModel::set_pv_limit_enabled(const std::string& device_id, bool enabled) {
  auto c = find(device_id);
  if (!c || components_[*c].role != Role::pv_inverter) return CommandResult::unknown_device;
  slot(*c, "active_power_limit_enabled") = enabled ? 1 : 0;
  return CommandResult::applied;
}

CommandResult SiteModel::set_pst_tap(const std::string& device_id, int tap) {
  auto c = find(device_id);
  if (!c || components_[*c].role != Role::pst) return CommandResult::unknown_device;
  if (tap < p_.tap_min || tap > p_.tap_max) return CommandResult::out_of_range;
  slot(*c, "tap_target") = tap;
  return CommandResult::applied;
}

CommandResult SiteModel::set_gpu_power_limit(const std::string& device_id, int gpu, double watts) {
  auto c = find(device_id);
  if (!c || components_[*c].role != Role::gpu_node) return CommandResult::unknown_device;
  if (gpu < 1 || gpu > kGpusPerNode) return CommandResult::unknown_target;
  if (!std::isfinite(watts) || watts < 0 || watts > p_.gpu_tdp_w)
    return CommandResult::out_of_range;
  const std::string name = "gpu_" + std::to_string(gpu) + "_power_limit";
  components_[*c].q[*quantity_slot(Role::gpu_node, name)] = watts;
  return CommandResult::applied;
}

CommandResult SiteModel::set_utilisation(const std::string& device_id,
                                         std::optional<double> fraction) {
  auto c = find(device_id);
  if (!c || components_[*c].role != Role::gpu_node) return CommandResult::unknown_device;
  if (fraction && (!std::isfinite(*fraction) || *fraction < 0 || *fraction > 1))
    return CommandResult::out_of_range;
  utilisation_override_[*c] = fraction;
  return CommandResult::applied;
}

CommandResult SiteModel::set_extra_load(double watts) {
  if (!std::isfinite(watts) || watts < 0 || watts > 1e9) return CommandResult::out_of_range;
  extra_load_w_ = watts;
  return CommandResult::applied;
}

void SiteModel::set_breaker(bool closed) {
  breaker_closed_ = closed;
}

CommandResult SiteModel::command(const std::string& device_id, const std::string& target,
                                 double value) {
  auto c = find(device_id);
  if (!c) return CommandResult::unknown_device;
  const Role role = components_[*c].role;
  if (!std::isfinite(value)) return CommandResult::out_of_range;
  switch (role) {
    case Role::bess_rack:
      if (target == "active_power" || target == "setpoint")
        return set_bess_setpoint(device_id, value);
      break;
    case Role::pv_inverter:
      if (target == "active_power_limit_pct") return set_pv_limit(device_id, value);
      if (target == "active_power_limit_enabled")
        return set_pv_limit_enabled(device_id, value != 0);
      break;
    case Role::pst:
      if (target == "tap_position" || target == "tap_target") {
        if (value != std::round(value)) return CommandResult::out_of_range;
        return set_pst_tap(device_id, int(value));
      }
      break;
    case Role::switchgear:
      if (target == "breaker_state") {
        if (value != 0 && value != 1) return CommandResult::out_of_range;
        set_breaker(value == 1);
        return CommandResult::applied;
      }
      break;
    case Role::protective_relay:
      if (target == "breaker_closed") {
        set_breaker(value != 0);
        return CommandResult::applied;
      }
      break;
    case Role::gpu_node:
      if (target == "utilisation") return set_utilisation(device_id, value);
      if (target == "power_limit") {
        // A chassis limit is spread evenly over the GPUs after the node overhead.
        const double per_gpu = (value - p_.node_overhead_w) / kGpusPerNode;
        if (per_gpu < 0 || per_gpu > p_.gpu_tdp_w) return CommandResult::out_of_range;
        for (int k = 1; k <= kGpusPerNode; ++k) set_gpu_power_limit(device_id, k, per_gpu);
        return CommandResult::applied;
      }
      if (target.rfind("gpu_", 0) == 0 && target.size() > 16 &&
          target.compare(target.size() - 12, 12, "_power_limit") == 0) {
        const std::string digits = target.substr(4, target.size() - 16);
        if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit))
          return CommandResult::unknown_target;
        return set_gpu_power_limit(device_id, std::stoi(digits), value);
      }
      break;
    case Role::operating_envelope:
      if (target == "import_limit" || target == "export_limit") {
        components_[*c].q[*quantity_slot(role, target)] = value;
        return CommandResult::applied;
      }
      break;
    default:
      break;
  }
  return CommandResult::unknown_target;
}

}  // namespace ems::sim
