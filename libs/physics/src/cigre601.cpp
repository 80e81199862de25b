#include "ems/physics/cigre601.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "ems/physics/ieee738.hpp"

namespace ems::physics::cigre601 {

namespace {
constexpr double kPi = std::numbers::pi;
constexpr double kRad = kPi / 180.0;
constexpr double kGravity = 9.807;           // m/s^2
constexpr double kAirSpecificHeat = 1005.0;  // c_f, J/(kg K), for the Prandtl number
constexpr double kStefanBoltzmann = 5.6697e-8;
constexpr double kLowWindMps = 0.5;
}  // namespace

AirProperties air_properties(double film_c, double elevation_m) {
  AirProperties air;
  const double y = elevation_m;
  const double t = film_c;
  air.density_kg_per_m3 = (1.293 - 1.525e-4 * y + 6.379e-9 * y * y) / (1.0 + 0.00367 * t);
  air.dynamic_viscosity_kg_per_m_s = (17.239 + 4.635e-2 * t - 2.03e-5 * t * t) * 1e-6;
  air.kinematic_viscosity_m2_per_s = air.dynamic_viscosity_kg_per_m_s / air.density_kg_per_m3;
  air.conductivity_w_per_m_c = 2.368e-2 + 7.23e-5 * t - 2.763e-8 * t * t;
  return air;
}

double roughness(double diameter_m, double outer_strand_diameter_m) {
  return outer_strand_diameter_m / (2.0 * (diameter_m - outer_strand_diameter_m));
}

double nusselt_perpendicular(double reynolds, double rs) {
  if (reynolds <= 0.0) return 0.0;
  if (reynolds < 2650.0) return 0.641 * std::pow(reynolds, 0.471);
  if (rs <= 0.05) return 0.178 * std::pow(reynolds, 0.633);
  return 0.048 * std::pow(reynolds, 0.800);
}

double wind_direction_factor(double wind_angle_deg) {
  const double delta_deg = ieee738::fold_wind_angle_deg(wind_angle_deg);
  const double s = std::sin(delta_deg * kRad);
  if (delta_deg <= 24.0) return 0.42 + 0.68 * std::pow(s, 1.08);
  return 0.42 + 0.58 * std::pow(s, 0.90);
}

double nusselt_natural(double gr_pr) {
  if (gr_pr < 0.1) return 0.0;  // below the table: negligible (and dT = 0 gives 0)
  if (gr_pr < 1e2) return 1.02 * std::pow(gr_pr, 0.148);
  if (gr_pr < 1e4) return 0.850 * std::pow(gr_pr, 0.188);
  if (gr_pr < 1e7) return 0.480 * std::pow(gr_pr, 0.250);
  return 0.125 * std::pow(gr_pr, 0.333);
}

Convection convection(const Conductor& conductor, double conductor_c, double ambient_c,
                      double wind_speed_mps, double wind_angle_deg, double elevation_m) {
  Convection c;
  const double d = conductor.diameter_m;
  const double film = 0.5 * (conductor_c + ambient_c);
  const AirProperties air = air_properties(film, elevation_m);
  const double dt = std::max(0.0, conductor_c - ambient_c);
  const double speed = std::max(0.0, wind_speed_mps);
  const double rs = roughness(d, conductor.outer_strand_diameter_m);
  c.reynolds = speed * d / air.kinematic_viscosity_m2_per_s;
  const double nu90 = nusselt_perpendicular(c.reynolds, rs);

  double forced = 0.0;
  ConvectionRegime forced_regime = ConvectionRegime::forced;
  if (speed < kLowWindMps) {
    forced = std::max(nu90 * wind_direction_factor(45.0), 0.55 * nu90);
    forced_regime = ConvectionRegime::forced_low_speed;
  } else {
    forced = nu90 * wind_direction_factor(wind_angle_deg);
  }

  const double nu_air = air.kinematic_viscosity_m2_per_s;
  const double grashof = d * d * d * dt * kGravity / ((film + 273.0) * nu_air * nu_air);
  const double prandtl =
      kAirSpecificHeat * air.dynamic_viscosity_kg_per_m_s / air.conductivity_w_per_m_c;
  const double natural = nusselt_natural(grashof * prandtl);

  c.nusselt = std::max(forced, natural);
  c.regime = forced >= natural && forced > 0.0 ? forced_regime : ConvectionRegime::natural;
  c.w_per_m = kPi * air.conductivity_w_per_m_c * dt * c.nusselt;
  return c;
}

double radiation(double diameter_m, double emissivity, double conductor_c, double ambient_c) {
  const double ts = conductor_c + 273.0;
  const double ta = ambient_c + 273.0;
  return kPi * diameter_m * kStefanBoltzmann * emissivity * (ts * ts * ts * ts - ta * ta * ta * ta);
}

Solar solar_heat_gain(const Conductor& conductor, const Conditions& conditions) {
  Solar s;
  const Weather& w = conditions.weather;
  s.sun = solar_position(conditions.site.latitude_deg,
                         cigre601_declination_deg(conditions.time.day_of_year),
                         conditions.time.solar_hour);
  if (w.solar_flux_w_per_m2) {
    s.global_w_per_m2 = std::max(0.0, *w.solar_flux_w_per_m2);
  } else if (s.sun.altitude_deg > 0.0) {
    const double sin_h = std::sin(s.sun.altitude_deg * kRad);
    const double y = conditions.site.elevation_m;
    const double ib0 = w.clearness_ratio * 1280.0 * sin_h / (sin_h + 0.314);
    // I_B(0) (1 + 1.4e-4 y (1367 / I_B(0) - 1)), written without the division by I_B(0).
    s.direct_w_per_m2 = ib0 * (1.0 - 1.4e-4 * y) + 1367.0 * 1.4e-4 * y;
    s.diffuse_w_per_m2 = std::max(0.0, 430.5 - 0.3288 * s.direct_w_per_m2) * sin_h;
    const double eta = incidence_angle_deg(s.sun, conditions.site.line_azimuth_deg);
    const double f_half_pi = 0.5 * kPi * w.albedo;
    s.global_w_per_m2 = s.direct_w_per_m2 * (std::sin(eta * kRad) + f_half_pi * sin_h) +
                        s.diffuse_w_per_m2 * (1.0 + f_half_pi);
  }
  s.w_per_m = conductor.absorptivity * s.global_w_per_m2 * conductor.diameter_m;
  return s;
}

}  // namespace ems::physics::cigre601
