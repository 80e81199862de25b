#pragma once
// LineRating: one cycle's rating of the line from a snapshot of its inputs - the dynamic rating
// (libs/physics steady state at the maximum conductor temperature), capped at a multiple of the
// static rating, or the static rating itself when the weather is stale or missing; the loading
// of the measured current against it; and the conductor temperature predicted `horizon` ahead
// (libs/physics transient from the measured conductor temperature, at the present current).
// Pure: no clock (the caller gives the solar time), no I/O, any thread.
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "ems/physics/conditions.hpp"
#include "ems/physics/conductor.hpp"
#include "ems/physics/heat_balance.hpp"

namespace ems::line_controller {

// DYNAMIC: the physics rating is used; CAPPED: it exceeded cap_factor x static, the cap is used;
// STATIC: weather stale or missing (or the physics could not rate), the static rating is used.
enum class RatingMode { dynamic, capped, fixed };
inline constexpr std::array<std::string_view, 3> kRatingModeLabels = {"DYNAMIC", "CAPPED",
                                                                      "STATIC"};
std::string_view to_label(RatingMode mode);

struct LineRatingConfig {
  physics::Method method = physics::Method::ieee738;
  physics::Conductor conductor;  // default: the library's Drake
  double max_conductor_c = 100.0;
  double static_rating_a = 800.0;
  double cap_factor = 1.5;  // dynamic rating <= cap_factor x static_rating_a
  physics::Site site;
  // The weather assumed for the prediction while the measured one is stale (conservative:
  // hot, still air across the line, clear-sky sun from the model).
  physics::Weather fallback_weather{40.0, 0.61, 90.0, physics::Atmosphere::clear, {}, 1.0, 0.1};
  std::chrono::seconds horizon{600};
  double prediction_step_s = 10.0;

  LineRatingConfig();
  // Empty when usable, else what is wrong.
  std::string validate() const;
};

// The measured weather as the line controller received it.
struct MeasuredWeather {
  double ambient_c = 0;
  double wind_speed_mps = 0;
  std::optional<double> wind_direction_deg;  // absent: wind taken along the line (conservative)
  std::optional<double> solar_w_per_m2;      // absent: the method's clear-sky model
};

struct RatingInputs {
  std::optional<MeasuredWeather> weather;  // nullopt: stale or missing
  std::optional<double> current_a;         // nullopt: lost
  std::optional<double> conductor_c;       // measured conductor temperature, if any
  physics::SolarTime time;
};

struct LineRatingResult {
  RatingMode mode = RatingMode::fixed;
  std::optional<double>
      dynamic_a;        // the physics rating (before the cap), when the weather is fresh
  double rating_a = 0;  // what the loading is measured against
  std::optional<double> loading_pct;
  std::optional<double> predicted_conductor_c;  // at now + horizon
  std::optional<double> thermal_margin_c;       // max_conductor_c - predicted_conductor_c
  std::string note;                             // why STATIC, or why no prediction
};

LineRatingResult rate_line(const LineRatingConfig& config, const RatingInputs& inputs);

// The physics conditions for a measured weather (wind angle = direction - line azimuth).
physics::Conditions conditions_for(const LineRatingConfig& config, const MeasuredWeather& weather,
                                   const physics::SolarTime& time);

}  // namespace ems::line_controller
