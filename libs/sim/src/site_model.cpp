#include "ems/sim/site_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "ems/physics/heat_balance.hpp"
#include "ems/sim/solar.hpp"

namespace ems::sim {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kSqrt3 = 1.7320508075688772;

// Slot index by name. Called with string literals only, so the literal's address is a stable
// cache key (the step loop would otherwise compare strings for every quantity of every device).
std::size_t s(Role role, const char* name) {
  static thread_local std::unordered_map<const void*, std::size_t> cache[32];
  auto& m = cache[static_cast<int>(role)];
  if (auto it = m.find(name); it != m.end()) return it->second;
  auto i = quantity_slot(role, name);
  if (!i) throw std::logic_error(std::string("sim: role has no quantity ") + name);
  m.emplace(name, *i);
  return *i;
}

// gpu_node slots of GPU k (1-based): power, power_limit, clock, throttle_reason.
struct GpuSlots {
  std::size_t power, limit, clock, throttle;
};
const GpuSlots& gpu_slots(int k) {
  static const std::vector<GpuSlots> table = [] {
    std::vector<GpuSlots> t;
    for (int g = 1; g <= kGpusPerNode; ++g) {
      const std::string p = "gpu_" + std::to_string(g) + "_";
      t.push_back({*quantity_slot(Role::gpu_node, p + "power"),
                   *quantity_slot(Role::gpu_node, p + "power_limit"),
                   *quantity_slot(Role::gpu_node, p + "clock"),
                   *quantity_slot(Role::gpu_node, p + "throttle_reason")});
    }
    return t;
  }();
  return table[std::size_t(k - 1)];
}

double rating(const ComponentSpec& spec, const char* key, double fallback) {
  auto it = spec.ratings.find(key);
  return it != spec.ratings.end() && std::isfinite(it->second) && it->second > 0 ? it->second
                                                                                 : fallback;
}

// Local mean solar hour (0..24) at a longitude, from UTC seconds.
double solar_hour(double unix_s, double lon_deg) {
  return physics::solar_time_utc(unix_s, lon_deg).solar_hour;
}

}  // namespace

SiteModel::SiteModel(SiteParams params, std::vector<ComponentSpec> specs)
    : p_(params), rng_(params.seed), t_(params.start_unix_s) {
  if (!(p_.dt_s > 0) || !std::isfinite(p_.dt_s)) throw std::invalid_argument("sim: dt must be > 0");
  conductor_ = physics::find_conductor(p_.conductor);
  if (!conductor_)
    throw std::invalid_argument("sim: conductor \"" + p_.conductor + "\" is not in the library");
  components_.reserve(specs.size());
  for (const auto& spec : specs) {
    Component c{spec.device_id, spec.role, std::vector<double>(role_quantities(spec.role).size()),
                -1};
    components_.push_back(std::move(c));
  }
  utilisation_override_.resize(components_.size());
  ou_.resize(components_.size());
  gpu_offset_.resize(components_.size());
  tap_elapsed_.resize(components_.size());
  // Initial state: ratings, setpoints and stored energy.
  for (std::size_t i = 0; i < components_.size(); ++i) {
    auto& c = components_[i];
    const auto& spec = specs[i];
    switch (c.role) {
      case Role::pv_inverter:
        slot(c, "rating") = rating(spec, "rating", 3125000.0);
        slot(c, "ac_voltage_ab") = rating(spec, "ac_voltage", 600.0);
        slot(c, "active_power_limit_pct") = 100.0;
        slot(c, "active_power_limit_enabled") = 0.0;
        break;
      case Role::bess_rack: {
        const double cap = rating(spec, "capacity", 3854000.0);
        slot(c, "capacity") = cap;
        slot(c, "rated_power") = rating(spec, "rated_power", 1927000.0);
        slot(c, "energy_stored") = cap * 0.5;
        slot(c, "state_of_charge") = 50.0;
        break;
      }
      case Role::gpu_node:
        for (int k = 1; k <= kGpusPerNode; ++k) {
          c.q[gpu_slots(k).limit] = p_.gpu_tdp_w;
          gpu_offset_[i].push_back(rng_.uniform(-0.05, 0.05));
        }
        ou_[i].value = p_.mean_utilisation;
        break;
      case Role::pst:
        slot(c, "control_mode") = 1;
        break;  // REMOTE
      case Role::bess_bms:
        if (spec.parent)
          for (std::size_t r = 0; r < components_.size(); ++r)
            if (components_[r].device_id == *spec.parent && components_[r].role == Role::bess_rack)
              c.link = static_cast<int>(r);
        break;
      default:
        break;
    }
  }
  temp_noise_.value = 0;
  wind_.value = p_.mean_wind_mps;
  wind_dir_.value = 225.0;
  cloud_.value = p_.mean_cloud;
  frequency_hz_ = p_.grid_frequency_hz;
  ambient_c_ = p_.mean_ambient_c;
  conductor_temp_c_ = NAN;  // the first step_line() starts it at the steady state
  pst_oil_c_ = p_.mean_ambient_c + 20.0;
  step_weather();  // the state before the first step is already consistent
  step_datacenter();
  step_pv();
  step_bess();
  step_grid();
  step_line();
  step_bms();
}

double& SiteModel::slot(Component& c, const char* name) {
  return c.q[s(c.role, name)];
}

std::optional<std::size_t> SiteModel::find(const std::string& device_id) const {
  for (std::size_t i = 0; i < components_.size(); ++i)
    if (components_[i].device_id == device_id) return i;
  return std::nullopt;
}

std::optional<double> SiteModel::value(const std::string& device_id,
                                       const std::string& quantity) const {
  auto c = find(device_id);
  if (!c) return std::nullopt;
  auto q = quantity_slot(components_[*c].role, quantity);
  if (!q) return std::nullopt;
  return components_[*c].q[*q];
}

std::optional<std::string> SiteModel::label(std::size_t component, std::size_t slot_index) const {
  const auto& spec = role_quantities(components_[component].role)[slot_index];
  if (spec.labels.empty()) return std::nullopt;
  const double v = components_[component].q[slot_index];
  const auto i = static_cast<std::size_t>(std::clamp(v, 0.0, double(spec.labels.size() - 1)));
  return spec.labels[i];
}

void SiteModel::step() {
  t_ += p_.dt_s;
  ++steps_;
  step_weather();
  step_datacenter();
  step_pv();
  step_bess();
  step_grid();
  step_line();
  step_bms();
}

std::uint64_t SiteModel::advance(double seconds, std::uint64_t max_steps) {
  if (!(seconds > 0)) return 0;
  const auto n =
      std::min<std::uint64_t>(max_steps, std::uint64_t(std::ceil(seconds / p_.dt_s - 1e-9)));
  for (std::uint64_t i = 0; i < n; ++i) step();
  return n;
}

// Weather: ambient temperature = mean + swing * cos(2 pi (h - 15) / 24) + OU noise (h = local
// solar hour, peak at 15:00); wind speed OU around the mean (>= 0); direction OU around 225
// degrees; cloud cover OU in [0, 1]; GHI = Haurwitz clear sky * Kasten-Czeplak attenuation.
void SiteModel::step_weather() {
  const double dt = p_.dt_s;
  const double h = solar_hour(t_, p_.longitude_deg);
  ambient_c_ = p_.mean_ambient_c + p_.ambient_swing_c * std::cos(2 * kPi * (h - 15.0) / 24.0) +
               temp_noise_.step(rng_, 0.0, 0.8, 1800.0, dt);
  wind_mps_ = std::max(0.0, wind_.step(rng_, p_.mean_wind_mps, 1.5, 600.0, dt));
  double dir = std::fmod(wind_dir_.step(rng_, 225.0, 30.0, 1800.0, dt), 360.0);
  wind_dir_deg_ = dir < 0 ? dir + 360.0 : dir;
  cloud_cover_ = std::clamp(cloud_.step(rng_, p_.mean_cloud, 0.25, 1200.0, dt), 0.0, 1.0);
  humidity_ = std::clamp(60.0 - 2.0 * (ambient_c_ - p_.mean_ambient_c) +
                             humidity_noise_.step(rng_, 0.0, 5.0, 1800.0, dt),
                         5.0, 100.0);
  const auto sun = sun_position(p_.latitude_deg, p_.longitude_deg, t_);
  ghi_ = clear_sky_ghi(sun.zenith_deg) * cloud_attenuation(cloud_cover_);
  frequency_hz_ = p_.grid_frequency_hz + freq_noise_.step(rng_, 0.0, 0.01, 30.0, dt);
  for (auto& c : components_) {
    if (c.role != Role::weather_station) continue;
    slot(c, "ambient_temperature") = ambient_c_;
    slot(c, "relative_humidity") = humidity_;
    slot(c, "wind_speed") = wind_mps_;
    slot(c, "wind_direction") = wind_dir_deg_;
    slot(c, "solar_irradiance") = ghi_;
    slot(c, "rain") = cloud_cover_ > 0.9 ? 1.0 : 0.0;
  }
}

// Datacenter. Per node utilisation u = OU around mean * (0.85 + 0.15 sin(2 pi (h - 8) / 24));
// per GPU demand d = idle + clamp(u + offset) * (tdp - idle), power = min(d, limit), clock =
// 1980 MHz * (power / d)^(1/3), throttle SW_POWER_CAP when d > limit. Node power = sum GPU +
// overhead * (0.6 + 0.4 u). PDUs share the IT load (nodes + switches) equally; per phase
// P_i = w_i P (w fixed per PDU, sum 1), I_i = P_i / (V_i * PF), so sum V_i I_i PF = P exactly.
// CDUs share the nodes' heat Q; pump speed follows Q / Q_design; flow = 2 L/min per % speed;
// return = supply + Q / (m_dot * cp) with water (1 kg/L, cp 4186 J/kgK); pump power
// 1500 (speed/100)^3 + 200 W. With the breaker open the site is de-energised: all zero.
void SiteModel::step_datacenter() {
  const double dt = p_.dt_s;
  const double h = solar_hour(t_, p_.longitude_deg);
  const double profile = p_.mean_utilisation * (0.85 + 0.15 * std::sin(2 * kPi * (h - 8.0) / 24.0));
  const bool on = breaker_closed_;
  double nodes_w = 0, nodes_limit_w = 0, switches_w = 0, cdus_w = 0;
  std::size_t n_pdu = 0, n_cdu = 0;
  for (std::size_t i = 0; i < components_.size(); ++i) {
    auto& c = components_[i];
    if (c.role == Role::pdu) ++n_pdu;
    if (c.role == Role::cdu) ++n_cdu;
    if (c.role == Role::network_switch) {
      const double w = on ? p_.switch_power_w * (1.0 + 0.02 * std::sin(t_ / 60.0)) : 0.0;
      slot(c, "power") = w;
      slot(c, "port_link_status") = on ? 0 : 1;
      slot(c, "inlet_temp") = 24.0 + 0.2 * std::sin(t_ / 300.0);
      slot(c, "asic_temp") = slot(c, "inlet_temp") + (on ? 32.0 : 0.0);
      switches_w += w;
    }
    if (c.role != Role::gpu_node) continue;
    double u = ou_[i].step(rng_, profile, 0.08, 120.0, dt);
    if (utilisation_override_[i]) u = *utilisation_override_[i];
    u = on ? std::clamp(u, 0.0, 1.0) : 0.0;
    slot(c, "utilisation") = u;
    double gpus_w = 0, limits_w = 0;
    for (int k = 1; k <= kGpusPerNode; ++k) {
      const GpuSlots& g = gpu_slots(k);
      const double limit = c.q[g.limit];
      const double uk = std::clamp(u + gpu_offset_[i][k - 1], 0.0, 1.0);
      const double demand = on ? p_.gpu_idle_w + uk * (p_.gpu_tdp_w - p_.gpu_idle_w) : 0.0;
      const double power = std::min(demand, limit);
      c.q[g.power] = power;
      c.q[g.clock] = demand > 0 ? 1980e6 * std::cbrt(power / demand) : 0.0;
      c.q[g.throttle] = demand > limit ? 1.0 : 0.0;
      gpus_w += power;
      limits_w += limit;
    }
    const double node_w = on ? gpus_w + p_.node_overhead_w * (0.6 + 0.4 * u) : 0.0;
    slot(c, "gpu_power_watts") = gpus_w;
    slot(c, "power_consumed") = node_w;
    slot(c, "power_limit") = limits_w + p_.node_overhead_w;
    slot(c, "fan_speed") = on ? 30.0 + 60.0 * u : 0.0;
    nodes_w += node_w;
    nodes_limit_w += limits_w + p_.node_overhead_w;
  }
  double supply_c = p_.coolant_setpoint_c;
  for (auto& c : components_) {
    if (c.role != Role::cdu) continue;
    const double q = nodes_w / double(n_cdu);
    const double q_design = std::max(1.0, nodes_limit_w / double(n_cdu));
    const double speed = on ? std::clamp(40.0 + 50.0 * q / q_design, 0.0, 100.0) : 0.0;
    const double flow_lpm = 2.0 * speed;
    const double m_dot = flow_lpm / 60.0;  // kg/s
    slot(c, "pump_speed") = speed;
    slot(c, "pump_flow_rate") = flow_lpm;
    slot(c, "pump_state") = on ? 0 : 1;
    slot(c, "thermal_load") = q;
    slot(c, "supply_temp") = supply_c;
    slot(c, "return_temp") = supply_c + (m_dot > 0 ? q / (m_dot * 4186.0) : 0.0);
    const double w = on ? 1500.0 * std::pow(speed / 100.0, 3) + 200.0 : 0.0;
    slot(c, "power") = w;
    cdus_w += w;
  }
  for (auto& c : components_)
    if (c.role == Role::gpu_node)
      slot(c, "inlet_temp") = (n_cdu > 0 ? supply_c : 25.0) + 2.0 + 3.0 * slot(c, "utilisation");
  const double it_w = nodes_w + switches_w;
  for (std::size_t i = 0; i < components_.size(); ++i) {
    auto& c = components_[i];
    if (c.role != Role::pdu) continue;
    const double p = it_w / double(n_pdu);
    const double pf = 0.98;
    const double w[3] = {0.34, 0.335, 0.325};
    const char* cur[3] = {"input_current_l1", "input_current_l2", "input_current_l3"};
    const char* vol[3] = {"input_voltage_l1", "input_voltage_l2", "input_voltage_l3"};
    const double dv = ou_[i].step(rng_, 0.0, 0.8, 60.0, dt);
    for (int ph = 0; ph < 3; ++ph) {
      const double v = on ? 230.0 + dv + 0.5 * ph : 0.0;
      slot(c, vol[ph]) = v;
      slot(c, cur[ph]) = v > 0 ? p * w[ph] / (v * pf) : 0.0;
    }
    slot(c, "input_power") = p;
    slot(c, "power_factor") = pf;
  }
  balance_.load_w = on ? nodes_w + switches_w + cdus_w + p_.aux_load_w + extra_load_w_ : 0.0;
}

// PV: no tilt (plane irradiance = GHI), cell temperature T_amb + GHI (45 - 20) / 800 (NOCT),
// P_dc = 1.25 P_rated GHI / 1000 (1 - 0.0035 (T_cell - 25)), available AC = min(0.98 P_dc,
// P_rated), delivered = min(available, pct / 100 P_rated when the limit is enabled).
void SiteModel::step_pv() {
  double pv_w = 0;
  for (auto& c : components_) {
    if (c.role != Role::pv_inverter) continue;
    const double rated = slot(c, "rating");
    const double t_cell = ambient_c_ + ghi_ * 25.0 / 800.0;
    const double p_dc =
        std::max(0.0, 1.25 * rated * ghi_ / 1000.0 * (1.0 - 0.0035 * (t_cell - 25.0)));
    const double avail = breaker_closed_ ? std::min(0.98 * p_dc, rated) : 0.0;
    const bool limited = slot(c, "active_power_limit_enabled") > 0.5;
    const double cap =
        limited ? std::clamp(slot(c, "active_power_limit_pct"), 0.0, 100.0) / 100.0 * rated : rated;
    const double p = std::min(avail, cap);
    const double v = slot(c, "ac_voltage_ab");
    slot(c, "available_power") = avail;
    slot(c, "active_power") = p;
    slot(c, "reactive_power") = 0.0;
    slot(c, "apparent_power") = p;
    slot(c, "ac_current") = v > 0 ? p / (kSqrt3 * v) : 0.0;
    slot(c, "ac_voltage_bc") = v;
    slot(c, "ac_voltage_ca") = v;
    slot(c, "frequency") = frequency_hz_;
    slot(c, "energy_exported") += p * p_.dt_s / 3600.0;
    slot(c, "dc_power") = p > 0 ? p / 0.98 : 0.0;
    slot(c, "dc_voltage") = ghi_ > 5 ? 1100.0 * (1.0 - 0.002 * (t_cell - 25.0)) : 0.0;
    slot(c, "cabinet_temperature") = ambient_c_ + 5.0 + 10.0 * p / rated;
    slot(c, "operating_state") = !breaker_closed_ ? 0 : ghi_ < 5 ? 1 : (p < avail - 1.0) ? 4 : 3;
    pv_w += p;
  }
  balance_.pv_w = pv_w;
}

// BESS rack (active power + discharge / - charge). Limits: discharge <= P_r clamp((SOC - 5) /
// 10, 0, 1) and <= E eta_d / dt; charge <= P_r clamp((95 - SOC) / 10, 0, 1) and <= (C - E) /
// (eta_c dt). The power ramps toward the limited setpoint at ramp_fraction * P_r per second.
// Energy (Wh, dt in hours): E -= P / eta_d dt (discharge), E += |P| eta_c dt (charge);
// SOC = 100 E / C.
void SiteModel::step_bess() {
  const double dt = p_.dt_s;
  double ch = 0, dis = 0;
  for (auto& c : components_) {
    if (c.role != Role::bess_rack) continue;
    const double rated = slot(c, "rated_power");
    const double cap = slot(c, "capacity");
    double& e = slot(c, "energy_stored");
    const double soc = 100.0 * e / cap;
    const double hours = dt / 3600.0;
    const double max_dis = std::min(rated * std::clamp((soc - 5.0) / 10.0, 0.0, 1.0),
                                    e * p_.bess_discharge_efficiency / hours);
    const double max_ch = std::min(rated * std::clamp((95.0 - soc) / 10.0, 0.0, 1.0),
                                   (cap - e) / (p_.bess_charge_efficiency * hours));
    const double target = breaker_closed_ ? std::clamp(slot(c, "setpoint"), -max_ch, max_dis) : 0.0;
    const double prev = slot(c, "active_power");
    const double ramp = p_.bess_ramp_fraction_per_s * rated * dt;
    const double p = std::clamp(std::clamp(target, prev - ramp, prev + ramp), -max_ch, max_dis);
    if (p >= 0) {
      e = std::max(0.0, e - p / p_.bess_discharge_efficiency * hours);
      slot(c, "energy_discharged") += p * hours;
      dis += p;
    } else {
      e = std::min(cap, e - p * p_.bess_charge_efficiency * hours);
      slot(c, "energy_charged") += -p * hours;
      ch += -p;
    }
    slot(c, "active_power") = p;
    slot(c, "state_of_charge") = 100.0 * e / cap;
    slot(c, "max_charge_power") = max_ch;
    slot(c, "max_discharge_power") = max_dis;
    slot(c, "reactive_power") = 0.0;
    slot(c, "ac_voltage") = breaker_closed_ ? 480.0 : 0.0;
    slot(c, "frequency") = frequency_hz_;
    slot(c, "operating_state") = std::abs(p) < 1.0 ? 0 : p < 0 ? 1 : 2;
  }
  balance_.bess_charge_w = ch;
  balance_.bess_discharge_w = dis;
}

// POI: P = load + charge - pv - discharge; Q = ratio * P_load; S = sqrt(P^2 + Q^2);
// I = S / (sqrt(3) V_LL) per phase (balanced); energy registers integrate import (delivered)
// and export (received). Switchgear (LV side, 480 V) and relay (POI CTs/PTs) mirror it.
void SiteModel::step_grid() {
  auto& b = balance_;
  b.poi_w = b.load_w + b.bess_charge_w - b.pv_w - b.bess_discharge_w;
  const double q = p_.load_reactive_ratio * b.load_w;
  const double sva = std::hypot(b.poi_w, q);
  const double v = breaker_closed_ ? p_.poi_voltage_v * (1.0 - 0.002 * b.poi_w / 1e7) : 0.0;
  const double i = v > 0 ? sva / (kSqrt3 * v) : 0.0;
  const double i_lv = breaker_closed_ ? sva / (kSqrt3 * 480.0) : 0.0;
  for (auto& c : components_) {
    switch (c.role) {
      case Role::poi_meter:
        slot(c, "active_power") = b.poi_w;
        slot(c, "reactive_power") = q;
        slot(c, "apparent_power") = sva;
        slot(c, "voltage_ab") = v;
        slot(c, "voltage_bc") = v * 0.999;
        slot(c, "voltage_ca") = v * 1.001;
        slot(c, "current_a") = i;
        slot(c, "current_b") = i;
        slot(c, "current_c") = i;
        slot(c, "frequency") = breaker_closed_ ? frequency_hz_ : 0.0;
        slot(c, "kwh_delivered") += std::max(b.poi_w, 0.0) * p_.dt_s / 3600.0;
        slot(c, "kwh_received") += std::max(-b.poi_w, 0.0) * p_.dt_s / 3600.0;
        slot(c, "power_factor") = sva > 0 ? std::abs(b.poi_w) / sva : 1.0;
        slot(c, "thd_voltage_a") = 1.5 + 1.0 * std::min(1.0, b.load_w / 1e6);
        slot(c, "thd_voltage_b") = slot(c, "thd_voltage_a") + 0.05;
        slot(c, "thd_voltage_c") = slot(c, "thd_voltage_a") - 0.05;
        break;
      case Role::switchgear:
        slot(c, "breaker_state") = breaker_closed_ ? 1 : 0;
        for (const char* n : {"bus_voltage_a", "bus_voltage_b", "bus_voltage_c"})
          slot(c, n) = breaker_closed_ ? 480.0 / kSqrt3 : 0.0;
        for (const char* n : {"bus_current_a", "bus_current_b", "bus_current_c"}) slot(c, n) = i_lv;
        break;
      case Role::protective_relay:
        for (const char* n : {"phase_a_current", "phase_b_current", "phase_c_current"})
          slot(c, n) = i;
        for (const char* n : {"phase_voltage_a", "phase_voltage_b", "phase_voltage_c"})
          slot(c, n) = v / kSqrt3;
        slot(c, "breaker_closed") = breaker_closed_ ? 1 : 0;
        slot(c, "trip_status") = 0;
        slot(c, "ground_fault") = 0;
        slot(c, "anti_islanding_armed") = 1;
        slot(c, "ride_through_enabled") = 1;
        break;
      case Role::operating_envelope:
        if (steps_ == 0) {
          slot(c, "import_limit") = p_.import_limit_w;
          slot(c, "export_limit") = p_.export_limit_w;
        }
        slot(c, "status") = 0;
        break;
      default:
        break;
    }
  }
}

// Line corridor (DC power flow, ../shared/reference/dlr.md section 3.1): transfer
// P = P_background(t) + P_poi splits over line 1 (X1' = X_line1 + X_pst, carries the PST) and
// line 2 (X2): P1 = (X2 P + alpha V^2) / (X1' + X2), P2 = P - P1, alpha = tap * step (rad),
// I = |P| / (sqrt(3) V). The tap moves one step per tap_change_s toward its target (the angle
// changes at the end of the step). Conductor temperature: libs/physics' IEEE 738 transient (one
// forward-Euler step of dt) for the configured conductor under the site's weather (ambient, wind
// speed, wind direction against the line azimuth, GHI as the measured solar flux) - the model
// the line controller rates with; it starts at the steady state of the first current. Sag = 6 +
// 0.04 (T - 60) m, clearance = 15 - sag. PST oil: first order (tau 1800 s) toward T_amb + 10 + 25
// (I/I_r)^2.
void SiteModel::step_line() {
  const double dt = p_.dt_s;
  const double h = solar_hour(t_, p_.longitude_deg);
  const double transfer =
      p_.background_transfer_w * (0.8 + 0.2 * std::sin(2 * kPi * (h - 6.0) / 24.0)) +
      transfer_noise_.step(rng_, 0.0, 0.02 * p_.background_transfer_w, 300.0, dt) + balance_.poi_w;
  const double v = p_.line_voltage_v;
  const double x1 = p_.x_line1_ohm + p_.x_pst_ohm, x2 = p_.x_line2_ohm;
  double tap = 0;
  for (auto& c : components_) {
    if (c.role != Role::pst) continue;
    double& pos = slot(c, "tap_position");
    double& target = slot(c, "tap_target");
    double& state = slot(c, "tap_changer_state");
    if (pos != target) {
      double& elapsed = tap_elapsed_[std::size_t(&c - components_.data())];
      if (state != 1) {
        state = 1;
        elapsed = 0;
      }
      elapsed += dt;
      if (elapsed >= p_.tap_change_s - 1e-9) {
        pos += target > pos ? 1 : -1;
        slot(c, "tap_operations") += 1;
        elapsed = 0;
        if (pos == target) state = 0;
      }
    } else {
      state = 0;
    }
    tap = pos;
  }
  const double alpha = tap * p_.tap_step_deg * kPi / 180.0;
  const double p1 = (x2 * transfer + alpha * v * v) / (x1 + x2);
  const double p2 = transfer - p1;
  const double i1 = std::abs(p1) / (kSqrt3 * v);
  const double i2 = std::abs(p2) / (kSqrt3 * v);
  line_current_a_ = i1;
  physics::Conditions line_weather;
  line_weather.weather.ambient_c = ambient_c_;
  line_weather.weather.wind_speed_mps = wind_mps_;
  line_weather.weather.wind_angle_deg = wind_dir_deg_ - p_.line_azimuth_deg;
  line_weather.weather.solar_flux_w_per_m2 = ghi_;
  line_weather.site = {p_.latitude_deg, 0.0, p_.line_azimuth_deg};
  line_weather.time = physics::solar_time_utc(t_, p_.longitude_deg);
  if (!std::isfinite(conductor_temp_c_)) {
    try {
      conductor_temp_c_ = physics::steady_state_temperature(physics::Method::ieee738, *conductor_,
                                                            line_weather, i1);
    } catch (const std::invalid_argument&) {
      conductor_temp_c_ = ambient_c_;  // beyond any steady state: heat up from the ambient
    }
  }
  conductor_temp_c_ = physics::transient(physics::Method::ieee738, *conductor_, line_weather,
                                         conductor_temp_c_, i1, dt, dt)
                          .back()
                          .conductor_c;
  const double load = i1 / p_.pst_rated_current_a;
  const double oil_ss = ambient_c_ + 10.0 + 25.0 * load * load;
  pst_oil_c_ += (oil_ss - pst_oil_c_) * (1.0 - std::exp(-dt / 1800.0));
  for (auto& c : components_) {
    switch (c.role) {
      case Role::pst:
        slot(c, "phase_angle") = tap * p_.tap_step_deg;
        slot(c, "active_power") = p1;
        slot(c, "reactive_power") = 0.02 * p1;
        slot(c, "line_current") = i1;
        slot(c, "oil_temperature") = pst_oil_c_;
        slot(c, "winding_temperature") = pst_oil_c_ + 15.0 * load * load;
        slot(c, "parallel_path_power") = p2;
        slot(c, "parallel_path_current") = i2;
        break;
      case Role::line_meter:
        slot(c, "line_current") = i1;
        slot(c, "voltage_ab") = v;
        slot(c, "active_power") = p1;
        slot(c, "reactive_power") = 0.02 * p1;
        slot(c, "frequency") = frequency_hz_;
        break;
      case Role::conductor_sensor: {
        const double sag = std::max(1.0, 6.0 + 0.04 * (conductor_temp_c_ - 60.0));
        slot(c, "conductor_temperature") = conductor_temp_c_;
        slot(c, "line_current") = i1;
        slot(c, "sag") = sag;
        slot(c, "clearance") = 15.0 - sag;
        slot(c, "sensor_fault") = 0;
        break;
      }
      default:
        break;
    }
  }
}

// BMS of a rack: pack voltage 1331 V scaled by SOC (+-5 %), pack current = P_rack / V_pack,
// cells 3.2..3.4 V by SOC, temperatures follow ambient plus I^2 heating.
void SiteModel::step_bms() {
  for (auto& c : components_) {
    if (c.role != Role::bess_bms) continue;
    double soc = 50, p = 0;
    if (c.link >= 0) {
      soc = value(std::size_t(c.link), s(Role::bess_rack, "state_of_charge"));
      p = value(std::size_t(c.link), s(Role::bess_rack, "active_power"));
    }
    const double vpack = 1331.0 * (0.95 + 0.1 * soc / 100.0);
    const double cell = 3.2 + 0.2 * soc / 100.0;
    const double heat = 10.0 * std::pow(std::abs(p) / 1.927e6, 2);
    slot(c, "pack_voltage") = vpack;
    slot(c, "pack_current") = p / vpack;
    slot(c, "min_cell_voltage") = cell - 0.01;
    slot(c, "max_cell_voltage") = cell + 0.01;
    slot(c, "min_cell_temperature") = 24.0 + heat;
    slot(c, "max_cell_temperature") = 26.0 + heat;
    slot(c, "state_of_health") = 98.0;
    slot(c, "contactor_state") = breaker_closed_ ? 2 : 0;
    slot(c, "bms_fault") = 0;
  }
}

}  // namespace ems::sim
