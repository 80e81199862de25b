#pragma once
// The feature builder: the ONE function that turns the history of a series into the inputs of a
// model for one labelled hour. Training (GbtModel::fit) and serving (GbtModel::predict) both call
// features_for_day(), so they cannot skew (the reference analyst used ISO weekdays in training and
// 0-based ones in serving).
//
// Everything is known at the forecast origin (the start of day D, before its first label): the
// calendar and sun geometry of (D, hour), and values of days before D only - the builder reads
// history through Series::at(day < D) and never looks at day D or later, whatever `history`
// holds.
//
// Pure and thread-safe.
#include <array>
#include <string>
#include <string_view>

#include "ems/forecasting/dataset.hpp"

namespace ems::forecasting {

// Where a target's sun is computed: a representative point of its area.
struct Place {
  double latitude_deg = 31.3;
  double longitude_deg = -100.5;
};
// ERCOT solar columns map onto their region's centre; other columns onto the system centroid.
Place place_for_target(std::string_view column);

inline constexpr std::size_t kFeatureCount = 19;
using FeatureRow = std::array<float, kFeatureCount>;  // NaN = unknown (xgboost's missing)
// Names in FeatureRow order (for READMEs, model dumps and tests).
const std::array<std::string_view, kFeatureCount>& feature_names();

// Clear-sky GHI of a labelled hour at the target's place (shared by features and baselines).
double clear_sky_for(const Place& place, int day, int hour);
// Clearness of a past day: its sum of values over its sum of clear-sky GHI on hours with sun;
// NaN when the day has fewer than 20 known hours.
double day_clearness(const Series& history, const Place& place, int day);

// Mean of `hour` over the `days` days before `day` that have it (NaN when none): the 7-day
// feature and the seasonal-naive and climatology baselines.
double mean_of_hour(const Series& history, int day, int hour, int days);

// Value features and the target are in units of the day's scale: the largest value of the 14
// days before `day` (a capacity proxy known at the origin, so trees trained on last year's
// smaller fleet still reach this year's levels); 1 when no value is known.
double target_scale(const Series& history, int day);

// The inputs for the 24 labels of `day`, from values of days before `day` only; row h is label
// hour h. The one function behind training rows and serving rows.
std::array<FeatureRow, 24> features_for_day(const Series& history, const Place& place, int day);

}  // namespace ems::forecasting
