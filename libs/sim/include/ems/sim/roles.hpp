#pragma once
// Roles: what a device *is* to the physics model, and the named quantities (slots) the model
// computes for each role. The slot names are the catalog templates' measurement names, so a
// template measurement finds its model quantity by name; the data-driven table
// (template_role / measurement aliases in roles.cpp) is the only place that knows which template
// plays which role. Enum quantities carry labels: the model stores the label's index, protocol
// encoders turn the label into whatever raw code the binding's value_map uses.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ems::sim {

enum class Role {
  none,  // no physics: every measurement serves its bounds.nominal (or a default)
  pv_inverter,
  bess_rack,
  bess_bms,
  gpu_node,
  pdu,
  cdu,
  network_switch,
  poi_meter,
  switchgear,
  protective_relay,
  pst,
  line_meter,
  conductor_sensor,
  weather_station,
  operating_envelope,
};

std::string_view to_string(Role role) noexcept;

struct QuantitySpec {
  std::string name;
  std::vector<std::string> labels;  // non-empty = enum (value is an index into labels)
  bool boolean = false;
};

// Slots of a role, in slot order (stable: SiteModel indexes them by position).
const std::vector<QuantitySpec>& role_quantities(Role role);
// Slot index of `name` in the role (after aliases), nullopt when the model does not compute it.
std::optional<std::size_t> quantity_slot(Role role, std::string_view name);

// Data-driven table: template slug -> role. Unknown slugs are Role::none.
Role template_role(std::string_view template_slug);

// GPUs per node the gpu_node role models (slots gpu_1_* .. gpu_N_*).
inline constexpr int kGpusPerNode = 8;

}  // namespace ems::sim
