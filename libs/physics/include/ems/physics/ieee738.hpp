#pragma once
// IEEE Std 738-2012 (SI form) steady-state terms, one function per equation so that each can be
// tested against the standard's worked example (Drake 26/7 ACSR; clause 4.6.1.7 of the 2023
// edition). The rating itself is physics::rate(Method::ieee738, ...) in heat_balance.hpp.
//
// Conventions: temperatures in C, lengths in m, angles in degrees, heat in W per metre of
// conductor. T_film = (T_s + T_a) / 2. Pure functions, any thread, no exceptions (inputs are
// checked by heat_balance()).
#include "ems/physics/conditions.hpp"
#include "ems/physics/conductor.hpp"
#include "ems/physics/heat_balance.hpp"
#include "ems/physics/solar.hpp"

namespace ems::physics::ieee738 {

struct AirProperties {
  double density_kg_per_m3 = 0.0;       // rho_f, eq. (14a), with the elevation H_e
  double viscosity_kg_per_m_s = 0.0;    // mu_f, eq. (13a)
  double conductivity_w_per_m_c = 0.0;  // k_f, eq. (15a)
};
AirProperties air_properties(double film_c, double elevation_m);

// K_angle = 1.194 - cos(phi) + 0.194 cos(2 phi) + 0.368 sin(2 phi), eq. (4a); phi folded onto
// 0..90 (0.388 parallel, 1.0 perpendicular).
double wind_angle_factor(double wind_angle_deg);

// Folds any angle between wind and line onto 0..90 degrees.
double fold_wind_angle_deg(double wind_angle_deg);

struct Convection {
  double natural_w_per_m = 0.0;           // q_cn, eq. (5a)
  double forced_low_wind_w_per_m = 0.0;   // q_c1, eq. (3a), with K_angle
  double forced_high_wind_w_per_m = 0.0;  // q_c2, eq. (3b), with K_angle
  double w_per_m = 0.0;                   // the largest of the three
  ConvectionRegime regime = ConvectionRegime::natural;
  double reynolds = 0.0;  // N_Re = D rho_f V_w / mu_f, eq. (2c)
};
Convection convection(double diameter_m, double conductor_c, double ambient_c,
                      double wind_speed_mps, double wind_angle_deg, double elevation_m);

// q_r = 17.8 D eps [((T_s + 273)/100)^4 - ((T_a + 273)/100)^4], eq. (7a).
double radiation(double diameter_m, double emissivity, double conductor_c, double ambient_c);

// Q_s, the total heat flux on a surface normal to the sun at sea level, from the altitude by the
// standard's 6th-order polynomials (eq. (18), Table 3, clear or industrial atmosphere); 0 with
// the sun at or below the horizon, never negative.
double solar_flux_sea_level(double altitude_deg, Atmosphere atmosphere);
// K_solar = 1 + 1.148e-4 H_e - 1.108e-8 H_e^2, eqs. (19)-(20).
double elevation_factor(double elevation_m);

struct Solar {
  double w_per_m = 0.0;        // q_s = alpha Q_se sin(theta) D, eq. (8)
  double flux_w_per_m2 = 0.0;  // Q_se used (measured or modelled)
  double incidence_deg = 0.0;  // theta, eq. (9)
  SolarPosition sun;
};
Solar solar_heat_gain(const Conductor& conductor, const Conditions& conditions);

}  // namespace ems::physics::ieee738
