#include "ems/sim/roles.hpp"

#include <map>
#include <utility>

namespace ems::sim {
namespace {

QuantitySpec f(std::string name) {
  return {std::move(name), {}, false};
}
QuantitySpec b(std::string name) {
  return {std::move(name), {}, true};
}
QuantitySpec e(std::string name, std::vector<std::string> labels) {
  return {std::move(name), std::move(labels), false};
}

std::vector<QuantitySpec> gpu_node_quantities() {
  std::vector<QuantitySpec> q = {f("power_consumed"), f("power_limit"), f("inlet_temp"),
                                 f("fan_speed"),      f("utilisation"), f("gpu_power_watts")};
  for (int k = 1; k <= kGpusPerNode; ++k) {
    const std::string p = "gpu_" + std::to_string(k) + "_";
    q.push_back(f(p + "power"));
    q.push_back(f(p + "power_limit"));
    q.push_back(f(p + "clock"));
    q.push_back(e(p + "throttle_reason", {"NA", "SW_POWER_CAP"}));
  }
  return q;
}

const std::map<Role, std::vector<QuantitySpec>>& table() {
  static const std::map<Role, std::vector<QuantitySpec>> t = {
      {Role::none, {}},
      {Role::pv_inverter,
       {f("active_power"), f("reactive_power"), f("apparent_power"), f("ac_current"),
        f("ac_voltage_ab"), f("ac_voltage_bc"), f("ac_voltage_ca"), f("frequency"),
        f("energy_exported"), f("dc_voltage"), f("dc_power"), f("cabinet_temperature"),
        e("operating_state", {"OFF", "SLEEPING", "STARTING", "MPPT", "THROTTLED", "SHUTTING_DOWN",
                              "FAULT", "STANDBY"}),
        f("active_power_limit_pct"), b("active_power_limit_enabled"), f("available_power"),
        f("rating")}},
      {Role::bess_rack,
       {f("state_of_charge"), f("active_power"), f("reactive_power"), f("max_charge_power"),
        f("max_discharge_power"), f("ac_voltage"), f("frequency"), f("energy_discharged"),
        f("energy_charged"),
        e("operating_state", {"STANDBY", "CHARGING", "DISCHARGING", "FAULT", "OFFLINE"}),
        f("setpoint"), f("energy_stored"), f("capacity"), f("rated_power")}},
      {Role::bess_bms,
       {f("min_cell_voltage"), f("max_cell_voltage"), f("min_cell_temperature"),
        f("max_cell_temperature"), f("pack_voltage"), f("pack_current"), f("state_of_health"),
        e("contactor_state", {"OPEN", "PRECHARGING", "CLOSED", "FAULT"}), b("bms_fault")}},
      {Role::gpu_node, gpu_node_quantities()},
      {Role::pdu,
       {f("input_current_l1"), f("input_current_l2"), f("input_current_l3"), f("input_voltage_l1"),
        f("input_voltage_l2"), f("input_voltage_l3"), f("input_power"), f("power_factor")}},
      {Role::cdu,
       {f("supply_temp"), f("return_temp"), f("pump_flow_rate"), f("pump_speed"),
        e("pump_state", {"ENABLED", "DISABLED"}), f("thermal_load"), f("power")}},
      {Role::network_switch,
       {e("port_link_status", {"UP", "DOWN"}), f("inlet_temp"), f("asic_temp"), f("power")}},
      {Role::poi_meter,
       {f("active_power"), f("reactive_power"), f("apparent_power"), f("voltage_ab"),
        f("voltage_bc"), f("voltage_ca"), f("current_a"), f("current_b"), f("current_c"),
        f("frequency"), f("kwh_delivered"), f("kwh_received"), f("power_factor"),
        f("thd_voltage_a"), f("thd_voltage_b"), f("thd_voltage_c")}},
      {Role::switchgear,
       {e("breaker_state", {"OPEN", "CLOSED", "TRIPPED", "UNKNOWN"}), f("bus_voltage_a"),
        f("bus_voltage_b"), f("bus_voltage_c"), f("bus_current_a"), f("bus_current_b"),
        f("bus_current_c")}},
      {Role::protective_relay,
       {f("phase_a_current"), f("phase_b_current"), f("phase_c_current"), f("phase_voltage_a"),
        f("phase_voltage_b"), f("phase_voltage_c"), b("breaker_closed"), b("trip_status"),
        b("ground_fault"), b("anti_islanding_armed"), b("ride_through_enabled")}},
      {Role::pst,
       {f("tap_position"), f("phase_angle"), f("active_power"), f("reactive_power"),
        f("line_current"), f("oil_temperature"), f("winding_temperature"),
        e("tap_changer_state", {"IDLE", "MOVING", "BLOCKED", "FAULT"}),
        e("control_mode", {"LOCAL", "REMOTE"}), f("tap_operations"), f("tap_target"),
        f("parallel_path_power"), f("parallel_path_current")}},
      {Role::line_meter,
       {f("line_current"), f("voltage_ab"), f("active_power"), f("reactive_power"),
        f("frequency")}},
      {Role::conductor_sensor,
       {f("conductor_temperature"), f("line_current"), f("sag"), f("clearance"),
        b("sensor_fault")}},
      {Role::weather_station,
       {f("ambient_temperature"), f("relative_humidity"), f("wind_speed"), f("wind_direction"),
        f("solar_irradiance"), b("rain")}},
      {Role::operating_envelope,
       {f("import_limit"), f("export_limit"),
        e("status", {"OK", "STALE", "INVALID", "COMM_FAIL"})}},
  };
  return t;
}

// Template slug -> role. A new template that behaves like a known device only needs a row here.
const std::map<std::string, Role, std::less<>>& roles_by_template() {
  static const std::map<std::string, Role, std::less<>> t = {
      {"pv_inverter", Role::pv_inverter},
      {"bess_rack", Role::bess_rack},
      {"bess_bms", Role::bess_bms},
      {"gpu_node", Role::gpu_node},
      {"pdu", Role::pdu},
      {"cdu", Role::cdu},
      {"network_switch", Role::network_switch},
      {"poi_meter", Role::poi_meter},
      {"revenue_meter", Role::poi_meter},
      {"switchgear", Role::switchgear},
      {"protective_relay", Role::protective_relay},
      {"pst", Role::pst},
      {"line_meter", Role::line_meter},
      {"conductor_sensor", Role::conductor_sensor},
      {"dlr_weather_station", Role::weather_station},
      {"operating_envelope", Role::operating_envelope},
  };
  return t;
}

// Measurement names that differ from the slot name of their role.
const std::map<std::pair<Role, std::string>, std::string, std::less<>>& aliases() {
  static const std::map<std::pair<Role, std::string>, std::string, std::less<>> t = {
      {{Role::network_switch, "switch_power"}, "power"},
      {{Role::cdu, "power_consumed"}, "power"},
  };
  return t;
}

}  // namespace

std::string_view to_string(Role role) noexcept {
  switch (role) {
    case Role::none:
      return "none";
    case Role::pv_inverter:
      return "pv_inverter";
    case Role::bess_rack:
      return "bess_rack";
    case Role::bess_bms:
      return "bess_bms";
    case Role::gpu_node:
      return "gpu_node";
    case Role::pdu:
      return "pdu";
    case Role::cdu:
      return "cdu";
    case Role::network_switch:
      return "network_switch";
    case Role::poi_meter:
      return "poi_meter";
    case Role::switchgear:
      return "switchgear";
    case Role::protective_relay:
      return "protective_relay";
    case Role::pst:
      return "pst";
    case Role::line_meter:
      return "line_meter";
    case Role::conductor_sensor:
      return "conductor_sensor";
    case Role::weather_station:
      return "weather_station";
    case Role::operating_envelope:
      return "operating_envelope";
  }
  return "none";
}

const std::vector<QuantitySpec>& role_quantities(Role role) {
  return table().at(role);
}

std::optional<std::size_t> quantity_slot(Role role, std::string_view name) {
  std::string key(name);
  if (auto a = aliases().find(std::pair{role, key}); a != aliases().end()) key = a->second;
  const auto& q = role_quantities(role);
  for (std::size_t i = 0; i < q.size(); ++i)
    if (q[i].name == key) return i;
  return std::nullopt;
}

Role template_role(std::string_view template_slug) {
  const auto& t = roles_by_template();
  if (auto it = t.find(template_slug); it != t.end()) return it->second;
  return Role::none;
}

}  // namespace ems::sim
