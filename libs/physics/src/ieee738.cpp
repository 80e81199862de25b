#include "ems/physics/ieee738.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ems::physics::ieee738 {

namespace {
constexpr double kRad = std::numbers::pi / 180.0;
}  // namespace

AirProperties air_properties(double film_c, double elevation_m) {
  AirProperties air;
  const double h = elevation_m;
  air.density_kg_per_m3 = (1.293 - 1.525e-4 * h + 6.379e-9 * h * h) / (1.0 + 0.00367 * film_c);
  air.viscosity_kg_per_m_s = 1.458e-6 * std::pow(film_c + 273.0, 1.5) / (film_c + 383.4);
  air.conductivity_w_per_m_c = 2.424e-2 + 7.477e-5 * film_c - 4.407e-9 * film_c * film_c;
  return air;
}

double fold_wind_angle_deg(double wind_angle_deg) {
  double a = std::fmod(std::abs(wind_angle_deg), 180.0);  // 0..180
  return a > 90.0 ? 180.0 - a : a;
}

double wind_angle_factor(double wind_angle_deg) {
  const double phi = fold_wind_angle_deg(wind_angle_deg) * kRad;
  return 1.194 - std::cos(phi) + 0.194 * std::cos(2.0 * phi) + 0.368 * std::sin(2.0 * phi);
}

Convection convection(double diameter_m, double conductor_c, double ambient_c,
                      double wind_speed_mps, double wind_angle_deg, double elevation_m) {
  Convection c;
  const double film = 0.5 * (conductor_c + ambient_c);
  const AirProperties air = air_properties(film, elevation_m);
  const double dt = std::max(0.0, conductor_c - ambient_c);
  const double speed = std::max(0.0, wind_speed_mps);
  c.reynolds = diameter_m * air.density_kg_per_m3 * speed / air.viscosity_kg_per_m_s;
  const double k_angle = wind_angle_factor(wind_angle_deg);
  const double kf_dt = air.conductivity_w_per_m_c * dt;
  c.forced_low_wind_w_per_m = k_angle * (1.01 + 1.35 * std::pow(c.reynolds, 0.52)) * kf_dt;
  c.forced_high_wind_w_per_m = k_angle * 0.754 * std::pow(c.reynolds, 0.6) * kf_dt;
  c.natural_w_per_m =
      3.645 * std::sqrt(air.density_kg_per_m3) * std::pow(diameter_m, 0.75) * std::pow(dt, 1.25);
  c.w_per_m = c.natural_w_per_m;
  c.regime = ConvectionRegime::natural;
  if (c.forced_low_wind_w_per_m > c.w_per_m) {
    c.w_per_m = c.forced_low_wind_w_per_m;
    c.regime = ConvectionRegime::forced_low_wind;
  }
  if (c.forced_high_wind_w_per_m > c.w_per_m) {
    c.w_per_m = c.forced_high_wind_w_per_m;
    c.regime = ConvectionRegime::forced_high_wind;
  }
  return c;
}

double radiation(double diameter_m, double emissivity, double conductor_c, double ambient_c) {
  const double ts = (conductor_c + 273.0) / 100.0;
  const double ta = (ambient_c + 273.0) / 100.0;
  return 17.8 * diameter_m * emissivity * (ts * ts * ts * ts - ta * ta * ta * ta);
}

double solar_flux_sea_level(double altitude_deg, Atmosphere atmosphere) {
  if (altitude_deg <= 0.0) return 0.0;
  // Table 3 (SI): A + B Hc + C Hc^2 + ... + G Hc^6, Hc in degrees.
  static constexpr double kClear[7] = {-42.2391,    63.8044,    -1.9220,    3.46921e-2,
                                       -3.61118e-4, 1.94318e-6, -4.07608e-9};
  static constexpr double kIndustrial[7] = {53.1821,   14.2110,    6.6138e-1, -3.1658e-2,
                                            5.4654e-4, -4.3446e-6, 1.3236e-8};
  const double* k = atmosphere == Atmosphere::clear ? kClear : kIndustrial;
  const double h = std::min(altitude_deg, 90.0);
  double q = 0.0;
  for (int i = 6; i >= 0; --i) q = q * h + k[i];  // Horner
  return std::max(0.0, q);
}

double elevation_factor(double elevation_m) {
  return 1.0 + 1.148e-4 * elevation_m - 1.108e-8 * elevation_m * elevation_m;
}

Solar solar_heat_gain(const Conductor& conductor, const Conditions& conditions) {
  Solar s;
  s.sun = solar_position(conditions.site.latitude_deg,
                         ieee738_declination_deg(conditions.time.day_of_year),
                         conditions.time.solar_hour);
  if (s.sun.altitude_deg <= 0.0) return s;  // night: no direct beam to project
  s.incidence_deg = incidence_angle_deg(s.sun, conditions.site.line_azimuth_deg);
  s.flux_w_per_m2 =
      conditions.weather.solar_flux_w_per_m2
          ? std::max(0.0, *conditions.weather.solar_flux_w_per_m2)
          : elevation_factor(conditions.site.elevation_m) *
                solar_flux_sea_level(s.sun.altitude_deg, conditions.weather.atmosphere);
  s.w_per_m = conductor.absorptivity * s.flux_w_per_m2 * std::sin(s.incidence_deg * kRad) *
              conductor.diameter_m;
  return s;
}

}  // namespace ems::physics::ieee738
