#include "line_rating.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ems::line_controller {

std::string_view to_label(RatingMode mode) {
  return kRatingModeLabels[static_cast<std::size_t>(mode)];
}

LineRatingConfig::LineRatingConfig() : conductor(*physics::find_conductor("drake")) {}

std::string LineRatingConfig::validate() const {
  if (!(conductor.diameter_m > 0)) return "conductor: diameter must be > 0";
  if (!std::isfinite(max_conductor_c) || max_conductor_c <= 0 || max_conductor_c > 400)
    return "max_conductor_c must be in (0, 400]";
  if (!std::isfinite(static_rating_a) || !(static_rating_a > 0))
    return "static_rating_a must be > 0";
  if (!std::isfinite(cap_factor) || cap_factor < 1.0) return "cap_factor must be >= 1";
  if (horizon.count() < 0) return "horizon must be >= 0";
  if (!(prediction_step_s > 0) || prediction_step_s > 60) return "prediction_step_s in (0, 60]";
  return "";
}

physics::Conditions conditions_for(const LineRatingConfig& config, const MeasuredWeather& weather,
                                   const physics::SolarTime& time) {
  physics::Conditions c;
  c.site = config.site;
  c.time = time;
  c.weather.ambient_c = weather.ambient_c;
  c.weather.wind_speed_mps = weather.wind_speed_mps;
  // Wind along the line cools least (K_angle 0.388): the safe assumption without a direction.
  c.weather.wind_angle_deg =
      weather.wind_direction_deg ? *weather.wind_direction_deg - config.site.line_azimuth_deg : 0.0;
  c.weather.solar_flux_w_per_m2 = weather.solar_w_per_m2;
  return c;
}

LineRatingResult rate_line(const LineRatingConfig& config, const RatingInputs& in) {
  LineRatingResult r;
  const double cap = config.cap_factor * config.static_rating_a;
  physics::Conditions conditions;
  if (in.weather) {
    conditions = conditions_for(config, *in.weather, in.time);
    try {
      r.dynamic_a =
          physics::rate(config.method, config.conductor, conditions, config.max_conductor_c).amps;
    } catch (const std::invalid_argument& e) {
      r.note = std::string("weather not usable: ") + e.what();
    }
  } else {
    r.note = "weather stale or missing";
  }
  if (r.dynamic_a) {
    r.mode = *r.dynamic_a > cap ? RatingMode::capped : RatingMode::dynamic;
    r.rating_a = std::min(*r.dynamic_a, cap);
  } else {
    r.mode = RatingMode::fixed;
    r.rating_a = config.static_rating_a;
    conditions = {config.fallback_weather, config.site, in.time};
  }
  if (in.current_a && r.rating_a > 0) r.loading_pct = 100.0 * *in.current_a / r.rating_a;

  if (!in.current_a) return r;
  try {
    const double start = in.conductor_c
                             ? *in.conductor_c
                             : physics::steady_state_temperature(config.method, config.conductor,
                                                                 conditions, *in.current_a);
    const auto trace =
        physics::transient(config.method, config.conductor, conditions, start, *in.current_a,
                           double(config.horizon.count()), config.prediction_step_s);
    r.predicted_conductor_c = trace.back().conductor_c;
    r.thermal_margin_c = config.max_conductor_c - *r.predicted_conductor_c;
  } catch (const std::invalid_argument& e) {
    if (!r.note.empty()) r.note += "; ";
    r.note += std::string("no prediction: ") + e.what();
  }
  return r;
}

}  // namespace ems::line_controller
