#include "ems/forecasting/features.hpp"

#include <cmath>
#include <numbers>

namespace ems::forecasting {

Place place_for_target(std::string_view column) {
  if (column == "solar_farwest") return {31.2, -103.0};
  if (column == "solar_centerwest") return {31.8, -100.2};
  if (column == "solar_northwest") return {33.6, -101.8};
  if (column == "solar_fareast") return {31.4, -95.0};
  if (column == "solar_southeast") return {28.8, -97.6};
  if (column == "solar_centereast") return {31.0, -97.0};
  return {};
}

const std::array<std::string_view, kFeatureCount>& feature_names() {
  static const std::array<std::string_view, kFeatureCount> kNames = {
      "hour",          "weekday",        "doy_sin",       "doy_cos",          "central_dst",
      "clear_sky_ghi", "cos_zenith_mid", "lag_1d",        "lag_2d",           "lag_7d",
      "mean_7d",       "max_14d",        "clearness_1d",  "clearness_2d",     "clearness_mean_7d",
      "daily_mean_1d", "daily_mean_7d",  "last_value_1d", "sun_scaled_lag_1d"};
  return kNames;
}

double clear_sky_for(const Place& place, int day, int hour) {
  return clear_sky_ghi({day, hour}, place.latitude_deg, place.longitude_deg);
}

double day_clearness(const Series& history, const Place& place, int day) {
  double sum = 0.0, cs = 0.0;
  int known = 0;
  for (int h = 0; h < 24; ++h) {
    const double v = history.at(day, h);
    if (std::isnan(v)) continue;
    ++known;
    const double c = clear_sky_for(place, day, h);
    if (c <= 0.0) continue;
    sum += v;
    cs += c;
  }
  return known >= 20 && cs > 0.0 ? sum / cs : kMissing;
}

namespace {

// history.at() restricted to days before `origin`: the no-look-ahead rule in one place.
struct Past {
  const Series& history;
  int origin;
  double at(int day, int hour) const { return day < origin ? history.at(day, hour) : kMissing; }
};

double daily_mean(const Past& past, int day) {
  double sum = 0.0;
  int n = 0;
  for (int h = 0; h < 24; ++h) {
    const double v = past.at(day, h);
    if (!std::isnan(v)) {
      sum += v;
      ++n;
    }
  }
  return n >= 20 ? sum / n : kMissing;
}

}  // namespace

double mean_of_hour(const Series& history, int day, int hour, int days) {
  double sum = 0.0;
  int n = 0;
  for (int k = 1; k <= days; ++k) {
    const double v = history.at(day - k, hour);
    if (!std::isnan(v)) {
      sum += v;
      ++n;
    }
  }
  return n > 0 ? sum / n : kMissing;
}

double target_scale(const Series& history, int day) {
  double scale = kMissing;
  for (int k = 1; k <= 14; ++k)
    for (int h = 0; h < 24; ++h) {
      const double v = history.at(day - k, h);
      if (!std::isnan(v) && (std::isnan(scale) || v > scale)) scale = v;
    }
  return std::isnan(scale) || scale <= 0.0 ? 1.0 : scale;
}

std::array<FeatureRow, 24> features_for_day(const Series& history, const Place& place, int day) {
  const Past past{history, day};
  const double scale = target_scale(history, day);
  const auto unit = [scale](double v) { return static_cast<float>(v / scale); };
  // Day-level inputs, computed once for the 24 rows.
  std::array<double, 8> clearness{};
  for (int k = 1; k <= 7; ++k) clearness[k] = day_clearness(history, place, day - k);
  double csum = 0.0;
  int cn = 0;
  for (int k = 1; k <= 7; ++k)
    if (!std::isnan(clearness[k])) {
      csum += clearness[k];
      ++cn;
    }
  double dsum = 0.0;
  int dn = 0;
  for (int k = 1; k <= 7; ++k) {
    const double m = daily_mean(past, day - k);
    if (!std::isnan(m)) {
      dsum += m;
      ++dn;
    }
  }
  const double doy = 2.0 * std::numbers::pi * (day_of_year(day) - 1) / 365.25;

  std::array<FeatureRow, 24> rows{};
  for (int hour = 0; hour < 24; ++hour) {
    FeatureRow& f = rows[hour];
    const double cs = clear_sky_for(place, day, hour);
    f[0] = static_cast<float>(hour);
    f[1] = static_cast<float>(weekday(day));
    f[2] = static_cast<float>(std::sin(doy));
    f[3] = static_cast<float>(std::cos(doy));
    f[4] = central_dst({day, hour}) ? 1.0f : 0.0f;
    f[5] = static_cast<float>(cs);
    f[6] = static_cast<float>(cos_solar_zenith(label_mid_utc_seconds({day, hour}),
                                               place.latitude_deg, place.longitude_deg));
    f[7] = unit(past.at(day - 1, hour));
    f[8] = unit(past.at(day - 2, hour));
    f[9] = unit(past.at(day - 7, hour));
    f[10] = unit(mean_of_hour(history, day, hour, 7));
    double max14 = kMissing;
    for (int k = 1; k <= 14; ++k) {
      const double v = past.at(day - k, hour);
      if (!std::isnan(v) && (std::isnan(max14) || v > max14)) max14 = v;
    }
    f[11] = unit(max14);
    f[12] = static_cast<float>(clearness[1] / scale);
    f[13] = static_cast<float>(clearness[2] / scale);
    f[14] = static_cast<float>(cn > 0 ? csum / cn / scale : kMissing);
    f[15] = unit(daily_mean(past, day - 1));
    f[16] = unit(dn > 0 ? dsum / dn : kMissing);
    f[17] = unit(past.at(day - 1, 23));
    const double cs_yesterday = clear_sky_for(place, day - 1, hour);
    const double lag1 = past.at(day - 1, hour);
    f[18] = unit(cs_yesterday > 1.0 && !std::isnan(lag1) ? lag1 * cs / cs_yesterday : lag1);
  }
  return rows;
}

}  // namespace ems::forecasting
