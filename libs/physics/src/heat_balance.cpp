#include "ems/physics/heat_balance.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "ems/physics/cigre601.hpp"
#include "ems/physics/ieee738.hpp"

namespace ems::physics {

std::string_view to_string(Method method) {
  return method == Method::ieee738 ? "ieee738" : "cigre601";
}

std::string_view to_string(ConvectionRegime regime) {
  switch (regime) {
    case ConvectionRegime::natural:
      return "natural";
    case ConvectionRegime::forced_low_wind:
      return "forced_low_wind";
    case ConvectionRegime::forced_high_wind:
      return "forced_high_wind";
    case ConvectionRegime::forced:
      return "forced";
    case ConvectionRegime::forced_low_speed:
      return "forced_low_speed";
  }
  return "natural";
}

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

bool finite(double v) {
  return std::isfinite(v);
}

void validate(Method method, const Conductor& c, const Conditions& k) {
  require(finite(c.diameter_m) && c.diameter_m > 0.0, "conductor.diameter_m must be > 0");
  require(finite(c.emissivity) && c.emissivity >= 0.0 && c.emissivity <= 1.0,
          "conductor.emissivity must be in 0..1");
  require(finite(c.absorptivity) && c.absorptivity >= 0.0 && c.absorptivity <= 1.0,
          "conductor.absorptivity must be in 0..1");
  require(finite(c.resistance_low.temperature_c) && finite(c.resistance_high.temperature_c) &&
              c.resistance_low.temperature_c != c.resistance_high.temperature_c,
          "conductor.resistance_ohm_per_m needs two points at different temperatures");
  require(finite(c.resistance_low.ohm_per_m) && finite(c.resistance_high.ohm_per_m) &&
              c.resistance_low.ohm_per_m > 0.0 && c.resistance_high.ohm_per_m > 0.0,
          "conductor.resistance_ohm_per_m values must be > 0");
  if (method == Method::cigre601)
    require(finite(c.outer_strand_diameter_m) && c.outer_strand_diameter_m > 0.0 &&
                c.outer_strand_diameter_m < c.diameter_m,
            "conductor.outer_strand_diameter_m must be in 0..diameter_m (CIGRE roughness)");
  const Weather& w = k.weather;
  require(finite(w.ambient_c) && w.ambient_c > -90.0 && w.ambient_c < 80.0,
          "weather.ambient_c must be in -90..80");
  require(finite(w.wind_speed_mps) && w.wind_speed_mps >= 0.0 && w.wind_speed_mps < 100.0,
          "weather.wind_speed_mps must be in 0..100");
  require(finite(w.wind_angle_deg), "weather.wind_angle_deg must be finite");
  require(
      !w.solar_flux_w_per_m2 || (finite(*w.solar_flux_w_per_m2) && *w.solar_flux_w_per_m2 >= 0.0),
      "weather.solar_flux_w_per_m2 must be >= 0");
  require(finite(w.clearness_ratio) && w.clearness_ratio >= 0.0 && w.clearness_ratio <= 1.5,
          "weather.clearness_ratio must be in 0..1.5");
  require(finite(w.albedo) && w.albedo >= 0.0 && w.albedo <= 1.0, "weather.albedo must be in 0..1");
  require(finite(k.site.latitude_deg) && std::abs(k.site.latitude_deg) <= 90.0,
          "site.latitude_deg must be in -90..90");
  require(finite(k.site.elevation_m) && k.site.elevation_m > -500.0 && k.site.elevation_m < 6000.0,
          "site.elevation_m must be in -500..6000");
  require(finite(k.site.line_azimuth_deg), "site.line_azimuth_deg must be finite");
  require(k.time.day_of_year >= 1 && k.time.day_of_year <= 366,
          "time.day_of_year must be in 1..366");
  require(finite(k.time.solar_hour) && k.time.solar_hour >= 0.0 && k.time.solar_hour <= 24.0,
          "time.solar_hour must be in 0..24");
}

HeatBalance balance_unchecked(Method method, const Conductor& c, const Conditions& k,
                              double conductor_c) {
  const Weather& w = k.weather;
  const double film = 0.5 * (conductor_c + w.ambient_c);
  HeatBalance b;
  b.conductor_c = conductor_c;
  b.resistance_ohm_per_m = resistance_at(c, conductor_c);
  if (method == Method::ieee738) {
    const auto conv = ieee738::convection(c.diameter_m, conductor_c, w.ambient_c, w.wind_speed_mps,
                                          w.wind_angle_deg, k.site.elevation_m);
    const auto sun = ieee738::solar_heat_gain(c, k);
    b.convection_w_per_m = conv.w_per_m;
    b.regime = conv.regime;
    b.radiation_w_per_m = ieee738::radiation(c.diameter_m, c.emissivity, conductor_c, w.ambient_c);
    b.solar_w_per_m = sun.w_per_m;
    b.sun = sun.sun;
    b.air_density_kg_per_m3 = ieee738::air_properties(film, k.site.elevation_m).density_kg_per_m3;
  } else {
    const auto conv = cigre601::convection(c, conductor_c, w.ambient_c, w.wind_speed_mps,
                                           w.wind_angle_deg, k.site.elevation_m);
    const auto sun = cigre601::solar_heat_gain(c, k);
    b.convection_w_per_m = conv.w_per_m;
    b.regime = conv.regime;
    b.radiation_w_per_m = cigre601::radiation(c.diameter_m, c.emissivity, conductor_c, w.ambient_c);
    b.solar_w_per_m = sun.w_per_m;
    b.sun = sun.sun;
    b.air_density_kg_per_m3 = cigre601::air_properties(film, k.site.elevation_m).density_kg_per_m3;
  }
  return b;
}

// I^2 R(T) + q_s - q_c(T) - q_r(T): positive while the conductor still heats up.
double net_heating(Method method, const Conductor& c, const Conditions& k, double conductor_c,
                   double current_a) {
  const HeatBalance b = balance_unchecked(method, c, k, conductor_c);
  return current_a * current_a * b.resistance_ohm_per_m - b.headroom_w_per_m();
}

}  // namespace

HeatBalance heat_balance(Method method, const Conductor& conductor, const Conditions& conditions,
                         double conductor_c) {
  validate(method, conductor, conditions);
  require(finite(conductor_c), "conductor_c must be finite");
  return balance_unchecked(method, conductor, conditions, conductor_c);
}

Rating rate(Method method, const Conductor& conductor, const Conditions& conditions,
            double max_conductor_c) {
  validate(method, conductor, conditions);
  require(finite(max_conductor_c) && max_conductor_c > conditions.weather.ambient_c &&
              max_conductor_c <= 400.0,
          "max_conductor_c must be above weather.ambient_c and at most 400");
  Rating r;
  r.balance = balance_unchecked(method, conductor, conditions, max_conductor_c);
  const double headroom = r.balance.headroom_w_per_m();
  r.amps = headroom > 0.0 ? std::sqrt(headroom / r.balance.resistance_ohm_per_m) : 0.0;
  return r;
}

double steady_state_temperature(Method method, const Conductor& conductor,
                                const Conditions& conditions, double current_a) {
  validate(method, conductor, conditions);
  require(finite(current_a) && current_a >= 0.0, "current_a must be >= 0");
  double lo = conditions.weather.ambient_c;
  double hi = lo + 500.0;
  require(net_heating(method, conductor, conditions, hi, current_a) < 0.0,
          "current_a heats the conductor more than 500 C above the ambient");
  // Net heating falls with temperature (cooling grows faster than I^2 R): bisect its root.
  if (net_heating(method, conductor, conditions, lo, current_a) <= 0.0) return lo;
  while (hi - lo > 1e-6) {
    const double mid = 0.5 * (lo + hi);
    if (net_heating(method, conductor, conditions, mid, current_a) > 0.0)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

std::vector<TemperaturePoint> transient(Method method, const Conductor& conductor,
                                        const Conditions& conditions, double initial_c,
                                        double current_a, double duration_s, double step_s) {
  validate(method, conductor, conditions);
  require(finite(conductor.heat_capacity_j_per_m_c) && conductor.heat_capacity_j_per_m_c > 0.0,
          "conductor.heat_capacity_j_per_m_c must be > 0");
  require(finite(initial_c), "initial_conductor_c must be finite");
  require(finite(current_a) && current_a >= 0.0, "current_a must be >= 0");
  require(finite(duration_s) && duration_s >= 0.0 && duration_s <= 7 * 86400.0,
          "duration_s must be in 0..604800");
  require(finite(step_s) && step_s > 0.0, "step_s must be > 0");
  require(duration_s / step_s <= 1e6, "duration_s / step_s must be at most 1e6 steps");

  std::vector<TemperaturePoint> out;
  out.reserve(static_cast<std::size_t>(std::ceil(duration_s / step_s)) + 1);
  double t = 0.0;
  double temperature = initial_c;
  out.push_back({t, temperature});
  while (t < duration_s - 1e-9) {
    const double dt = std::min(step_s, duration_s - t);
    temperature += dt * net_heating(method, conductor, conditions, temperature, current_a) /
                   conductor.heat_capacity_j_per_m_c;
    t += dt;
    out.push_back({t, temperature});
  }
  return out;
}

}  // namespace ems::physics
