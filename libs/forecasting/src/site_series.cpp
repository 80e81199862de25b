#include "ems/forecasting/site_series.hpp"

#include <algorithm>
#include <cmath>

namespace ems::forecasting {

Series series_from_utc_hours(std::string name, const std::vector<UtcHourValue>& points) {
  Series s;
  s.name = std::move(name);
  if (points.empty()) return s;
  std::vector<Label> labels;
  labels.reserve(points.size());
  int first = 0, last = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    labels.push_back(label_of_utc_hour(points[i].utc_seconds));
    first = i == 0 ? labels.back().day : std::min(first, labels.back().day);
    last = i == 0 ? labels.back().day : std::max(last, labels.back().day);
  }
  s.first_day = first;
  s.values.assign(static_cast<std::size_t>(last - first + 1) * 24, kMissing);
  std::vector<bool> seen(s.values.size(), false);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto slot = static_cast<std::size_t>((labels[i].day - first) * 24 + labels[i].hour);
    if (seen[slot]) continue;  // the repeated hour of a fall-back day: the first one wins
    seen[slot] = true;
    s.values[slot] = points[i].value;
  }
  return s;
}

IntradayForecast intraday_update(const DayForecast& day_ahead, const Series& observed, int day,
                                 bool nonnegative, double decay_hours) {
  IntradayForecast out;
  out.values = day_ahead;
  for (int h = 23; h >= 0; --h) {
    if (!std::isnan(observed.at(day, h))) {
      out.last_observed_hour = h;
      break;
    }
  }
  const int k = out.last_observed_hour;
  if (k < 0) return out;
  double sum = 0.0;
  int n = 0;
  for (int h = std::max(0, k - 2); h <= k; ++h) {
    const double a = observed.at(day, h);
    if (std::isnan(a) || std::isnan(day_ahead[h])) continue;
    sum += a - day_ahead[h];
    ++n;
  }
  if (n == 0) return out;
  const double bias = sum / n;
  for (int h = k + 1; h < 24; ++h) {
    if (std::isnan(day_ahead[h])) continue;
    double v = day_ahead[h] + bias * std::exp(-(h - k) / decay_hours);
    if (nonnegative) v = std::max(v, 0.0);
    out.values[h] = v;
  }
  return out;
}

}  // namespace ems::forecasting
