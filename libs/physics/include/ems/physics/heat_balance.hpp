#pragma once
// The conductor heat balance per metre, q_c + q_r = q_s + I^2 R(T), and what follows from it:
// the steady-state rating at a maximum conductor temperature, the steady temperature for a
// current, and the transient temperature after a current step. The method (IEEE 738-2012 or
// CIGRE TB 601) supplies the convection, radiation and solar terms; see ieee738.hpp and
// cigre601.hpp for the equations.
//
//   Rating r = rate(Method::ieee738, *find_conductor("drake"), conditions, 100.0);
//   // r.amps 1025.4, r.balance.convection_w_per_m 82.08, ...
//
// Pure functions on values: safe from any thread. Errors: std::invalid_argument for inputs no
// model can use (non-finite numbers, a non-positive diameter or heat capacity, resistance points
// at one temperature, a non-positive step). The message starts with the offending member's path
// as the structs spell it ("weather.wind_speed_mps must be in 0..100", "conductor.diameter_m
// must be > 0"), which is also the field name of the line controller's JSON input.
#include <string_view>
#include <vector>

#include "ems/physics/conditions.hpp"
#include "ems/physics/conductor.hpp"
#include "ems/physics/solar.hpp"

namespace ems::physics {

enum class Method { ieee738, cigre601 };

// Which convection term was the larger one.
//   IEEE 738: natural (eq. 5a), forced_low_wind (eq. 3a), forced_high_wind (eq. 3b).
//   CIGRE TB 601: natural, forced (Nu_delta), forced_low_speed (the low-wind rule below 0.5 m/s).
enum class ConvectionRegime {
  natural,
  forced_low_wind,
  forced_high_wind,
  forced,
  forced_low_speed
};

std::string_view to_string(Method method);
std::string_view to_string(ConvectionRegime regime);

// Every term of the balance at one conductor temperature (W/m unless stated).
struct HeatBalance {
  double conductor_c = 0.0;
  double convection_w_per_m = 0.0;
  ConvectionRegime regime = ConvectionRegime::natural;
  double radiation_w_per_m = 0.0;
  double solar_w_per_m = 0.0;
  double resistance_ohm_per_m = 0.0;
  double air_density_kg_per_m3 = 0.0;  // at the film temperature and elevation
  SolarPosition sun;                   // sun position used (also when a measured flux is given)

  // q_c + q_r - q_s: what the current may add at this temperature.
  double headroom_w_per_m() const { return convection_w_per_m + radiation_w_per_m - solar_w_per_m; }
};

// The balance at `conductor_c` by the chosen method.
HeatBalance heat_balance(Method method, const Conductor& conductor, const Conditions& conditions,
                         double conductor_c);

struct Rating {
  double amps = 0.0;  // sqrt((q_c + q_r - q_s) / R(T_max)); 0 when the sun alone heats it that far
  HeatBalance balance;  // at max_conductor_c
};

// The steady-state ampacity that holds the conductor at `max_conductor_c`.
Rating rate(Method method, const Conductor& conductor, const Conditions& conditions,
            double max_conductor_c);

// The conductor temperature at which `current_a` is in steady state (bisection to 1e-6 C
// between the ambient and ambient + 500 C). Throws std::invalid_argument when the current would
// heat the conductor beyond that range.
double steady_state_temperature(Method method, const Conductor& conductor,
                                const Conditions& conditions, double current_a);

struct TemperaturePoint {
  double t_s = 0.0;
  double conductor_c = 0.0;
};

// The IEEE 738-2012 transient heat balance: m Cp dT/dt = I^2 R(T) + q_s - q_c(T) - q_r(T), the
// current stepped to `current_a` at t = 0 from a conductor at `initial_c`, integrated with the
// explicit (forward Euler) step `step_s` for `duration_s`. The weather and sun stay as given.
// Returns the temperature at t = 0 and after every step (the last step shortened to end exactly
// at duration_s). Requires heat_capacity_j_per_m_c > 0, 0 < step_s, 0 <= duration_s.
std::vector<TemperaturePoint> transient(Method method, const Conductor& conductor,
                                        const Conditions& conditions, double initial_c,
                                        double current_a, double duration_s, double step_s);

}  // namespace ems::physics
