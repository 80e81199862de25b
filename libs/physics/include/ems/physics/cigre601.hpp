#pragma once
// CIGRE Technical Brochure 601 (2014), "Guide for thermal rating calculations of overhead
// lines", steady-state terms for a horizontal stranded conductor: Morgan's forced convection with
// the wind-direction correction, natural convection, radiation, and solar heating from the
// brochure's own irradiance model. The rating itself is physics::rate(Method::cigre601, ...).
//
// Conventions as in ieee738.hpp. Pure functions, any thread. The conductor must give its outer
// strand diameter (surface roughness); physics::rate() and heat_balance() throw
// std::invalid_argument otherwise.
#include "ems/physics/conditions.hpp"
#include "ems/physics/conductor.hpp"
#include "ems/physics/heat_balance.hpp"
#include "ems/physics/solar.hpp"

namespace ems::physics::cigre601 {

struct AirProperties {
  double density_kg_per_m3 = 0.0;             // gamma, same form as IEEE 738 eq. (14a)
  double dynamic_viscosity_kg_per_m_s = 0.0;  // mu_f = (17.239 + 4.635e-2 T_f - 2.03e-5 T_f^2) 1e-6
  double kinematic_viscosity_m2_per_s = 0.0;  // nu_f = mu_f / gamma
  double conductivity_w_per_m_c = 0.0;        // lambda_f = 2.368e-2 + 7.23e-5 T_f - 2.763e-8 T_f^2
};
AirProperties air_properties(double film_c, double elevation_m);

// Rs = d / (2 (D - d)).
double roughness(double diameter_m, double outer_strand_diameter_m);

// Nu_90 = B Re^n for a stranded conductor: B, n = 0.641, 0.471 below Re 2650; above it 0.178,
// 0.633 (Rs <= 0.05) or 0.048, 0.800 (Rs > 0.05). The low-Re form is also used below Re 100.
double nusselt_perpendicular(double reynolds, double roughness);

// Nu_delta / Nu_90 for the angle of attack delta (folded onto 0..90):
// 0.42 + 0.68 sin(delta)^1.08 up to 24 degrees, 0.42 + 0.58 sin(delta)^0.90 above.
double wind_direction_factor(double wind_angle_deg);

// Nu_nat = A (Gr Pr)^m, Morgan's table (A, m = 1.02, 0.148 / 0.850, 0.188 / 0.480, 0.250 /
// 0.125, 0.333 from Gr Pr 0.1 / 1e2 / 1e4 / 1e7).
double nusselt_natural(double grashof_prandtl);

struct Convection {
  double w_per_m = 0.0;  // P_c = pi lambda_f (T_s - T_a) Nu
  ConvectionRegime regime = ConvectionRegime::natural;
  double nusselt = 0.0;  // the Nu used
  double reynolds = 0.0;
};
// Below 0.5 m/s the direction is treated as unknown: the forced Nu is the larger of Nu_delta at
// 45 degrees and 0.55 Nu_90 (CIGRE TB 207's low-wind rule; README). The larger of forced and
// natural is used.
Convection convection(const Conductor& conductor, double conductor_c, double ambient_c,
                      double wind_speed_mps, double wind_angle_deg, double elevation_m);

// P_r = pi D sigma eps [(T_s + 273)^4 - (T_a + 273)^4], sigma = 5.6697e-8.
double radiation(double diameter_m, double emissivity, double conductor_c, double ambient_c);

struct Solar {
  double w_per_m = 0.0;           // P_s = alpha_s I_T D
  double global_w_per_m2 = 0.0;   // I_T (measured or modelled)
  double direct_w_per_m2 = 0.0;   // I_B at the elevation
  double diffuse_w_per_m2 = 0.0;  // I_d
  SolarPosition sun;
};
// I_B(0) = N_s 1280 sin H_s / (sin H_s + 0.314); I_B = I_B(0) (1 + 1.4e-4 y (1367 / I_B(0) - 1));
// I_d = (430.5 - 0.3288 I_B) sin H_s; I_T = I_B (sin eta + F pi/2 sin H_s) + I_d (1 + F pi/2).
Solar solar_heat_gain(const Conductor& conductor, const Conditions& conditions);

}  // namespace ems::physics::cigre601
