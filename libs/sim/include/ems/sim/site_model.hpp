#pragma once
// SiteModel: one deterministic physics model of the whole site, stepped at a fixed dt.
//
// Components are the site's devices, each with a Role (roles.hpp) and one double per quantity
// slot of that role. step() advances simulated time by dt and recomputes every slot from the
// previous state, the setpoints and the seeded noise (one Rng, consumed in component order), so
// the same components, parameters, seed and setpoint sequence give bit-identical traces.
// No I/O, no wall clock, not thread-safe (the fixtures' stepping thread owns it).
//
// Sign convention (CONTRACT: POI import positive): every step
//     P_poi = P_load + P_bess_charge - P_pv - P_bess_discharge          (exact)
// with P_load the datacenter (GPU nodes + network switches + CDUs + auxiliary), P_pv >= 0, and a
// BESS rack's active_power positive when discharging, negative when charging.
// The equations of every role are listed in libs/sim/README.md.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ems/physics/conductor.hpp"
#include "ems/sim/rng.hpp"
#include "ems/sim/roles.hpp"

namespace ems::sim {

struct SiteParams {
  std::uint64_t seed = 1;
  double dt_s = 0.1;
  double start_unix_s = 1781949600.0;  // 2026-06-20T10:00:00Z
  double latitude_deg = 37.77;
  double longitude_deg = -122.42;
  // Grid at the POI.
  double poi_voltage_v = 13800.0;  // line-to-line
  double grid_frequency_hz = 60.0;
  double load_reactive_ratio = 0.05;  // Q_load = ratio * P_load
  // Line corridor with the PST (two parallel paths, DC power-flow model).
  double line_voltage_v = 13800.0;
  double x_line1_ohm = 1.6;             // monitored line
  double x_pst_ohm = 0.4;               // PST series reactance, in series with line 1
  double x_line2_ohm = 2.0;             // parallel path
  double background_transfer_w = 25e6;  // regional flow through the corridor besides the site
  int tap_min = -16, tap_max = 16;
  double tap_step_deg = 1.875;
  // One tap step takes this long (the reference's 3..10 s); below the gateway's default command
  // timeout (5 s), so a one-step command's read-back confirms it.
  double tap_change_s = 3.0;
  double pst_rated_current_a = 1255.0;
  // The monitored line's conductor (libs/physics library name) and direction (clockwise from
  // north): its temperature is the IEEE 738 transient under the site's weather.
  std::string conductor = "drake";
  double line_azimuth_deg = 90.0;
  // Weather.
  double mean_ambient_c = 22.0, ambient_swing_c = 6.0, mean_wind_mps = 4.0, mean_cloud = 0.3;
  // Datacenter.
  double mean_utilisation = 0.7;
  double aux_load_w = 0.0;
  double coolant_setpoint_c = 30.0;
  double gpu_tdp_w = 1000.0, gpu_idle_w = 90.0, node_overhead_w = 2500.0;
  double switch_power_w = 400.0;
  // BESS.
  double bess_charge_efficiency = 0.95, bess_discharge_efficiency = 0.95;
  double bess_ramp_fraction_per_s = 1.0;  // of rated power per second
  // Utility envelope.
  double import_limit_w = 5e6, export_limit_w = 0.0;
};

struct ComponentSpec {
  std::string device_id;
  Role role = Role::none;
  // Ratings from the DTM (missing = model default): pv_inverter "rating" (W) and "ac_voltage"
  // (V); bess_rack "capacity" (Wh) and "rated_power" (W); gpu_node "gpu_count".
  std::map<std::string, double> ratings;
  std::optional<std::string> parent;  // bess_bms -> its rack
};

struct Component {
  std::string device_id;
  Role role = Role::none;
  std::vector<double> q;  // one per role_quantities(role)
  int link = -1;          // bess_bms: index of its rack
};

struct Balance {
  double load_w = 0, pv_w = 0, bess_charge_w = 0, bess_discharge_w = 0, poi_w = 0;
};

enum class CommandResult { applied, unknown_device, unknown_target, out_of_range };

class SiteModel {
 public:
  SiteModel(SiteParams params, std::vector<ComponentSpec> components);

  void step();
  // Steps ceil(seconds / dt) times (at most max_steps); returns the steps taken.
  std::uint64_t advance(double seconds, std::uint64_t max_steps = 10'000'000);

  double time_s() const noexcept { return t_; }
  std::uint64_t steps() const noexcept { return steps_; }
  const SiteParams& params() const noexcept { return p_; }
  const Balance& balance() const noexcept { return balance_; }
  bool breaker_closed() const noexcept { return breaker_closed_; }

  const std::vector<Component>& components() const noexcept { return components_; }
  std::optional<std::size_t> find(const std::string& device_id) const;
  double value(std::size_t component, std::size_t slot) const {
    return components_[component].q[slot];
  }
  // Value by names; nullopt for an unknown device or a quantity its role does not compute.
  std::optional<double> value(const std::string& device_id, const std::string& quantity) const;
  // Enum slots as their label, others as nullopt.
  std::optional<std::string> label(std::size_t component, std::size_t slot) const;

  // Setpoints (take effect at the next step).
  CommandResult set_bess_setpoint(const std::string& device_id, double watts);  // + discharge
  CommandResult set_pv_limit(const std::string& device_id, double percent);
  CommandResult set_pv_limit_enabled(const std::string& device_id, bool enabled);
  CommandResult set_pst_tap(const std::string& device_id, int tap);
  CommandResult set_gpu_power_limit(const std::string& device_id, int gpu, double watts);
  CommandResult set_utilisation(const std::string& device_id, std::optional<double> fraction);
  void set_breaker(bool closed);
  // Extra datacenter load (W, >= 0) on top of the modelled IT and cooling load, e.g. a new
  // training job: it flows through the POI and so over the monitored line.
  CommandResult set_extra_load(double watts);
  double extra_load_w() const noexcept { return extra_load_w_; }
  // A write to a measurement `target` of a device, routed by role (the data-driven command
  // table in site_commands.cpp). unknown_target = the model has no actuator for it.
  CommandResult command(const std::string& device_id, const std::string& target, double value);

 private:
  void step_weather();
  void step_datacenter();
  void step_pv();
  void step_bess();
  void step_grid();
  void step_line();
  void step_bms();
  double& slot(Component& c, const char* name);
  double& slot(std::size_t c, const char* name) { return slot(components_[c], name); }

  SiteParams p_;
  Rng rng_;
  double t_ = 0;
  std::uint64_t steps_ = 0;
  std::vector<Component> components_;
  std::vector<std::optional<double>> utilisation_override_;  // per component
  std::vector<OuProcess> ou_;                                // per component (load, voltage)
  std::vector<std::vector<double>> gpu_offset_;              // per gpu_node, per gpu
  std::vector<double> tap_elapsed_;                          // per pst: time in the running step
  bool breaker_closed_ = true;
  double extra_load_w_ = 0.0;
  const physics::Conductor* conductor_ = nullptr;
  Balance balance_;
  // Weather state.
  OuProcess temp_noise_, wind_, wind_dir_, cloud_, humidity_noise_, freq_noise_, transfer_noise_;
  double ambient_c_ = 0, wind_mps_ = 0, wind_dir_deg_ = 0, humidity_ = 0, ghi_ = 0,
         cloud_cover_ = 0;
  double frequency_hz_ = 60;
  // Line state.
  double conductor_temp_c_ = 0, pst_oil_c_ = 0, line_current_a_ = 0;
};

}  // namespace ems::sim
