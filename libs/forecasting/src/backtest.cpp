#include "ems/forecasting/backtest.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace ems::forecasting {

Metrics score(const std::vector<HourResult>& hours) {
  Metrics m;
  double abs_sum = 0.0, sq_sum = 0.0, p_sum = 0.0;
  for (const auto& h : hours) {
    if (std::isnan(h.actual) || std::isnan(h.forecast) || std::isnan(h.persistence)) continue;
    ++m.hours;
    abs_sum += std::fabs(h.forecast - h.actual);
    sq_sum += (h.forecast - h.actual) * (h.forecast - h.actual);
    p_sum += std::fabs(h.persistence - h.actual);
  }
  if (m.hours == 0) return m;
  const double n = static_cast<double>(m.hours);
  m.mae = abs_sum / n;
  m.rmse = std::sqrt(sq_sum / n);
  m.persistence_mae = p_sum / n;
  m.skill = m.persistence_mae > 0.0 ? 1.0 - m.mae / m.persistence_mae : kMissing;
  return m;
}

BacktestResult backtest(const Series& series, Model& model, const BacktestOptions& options) {
  if (options.from_day > options.to_day)
    throw std::invalid_argument("backtest: --from " + format_day(options.from_day) +
                                " is after --to " + format_day(options.to_day));
  if (options.to_day < series.first_day || options.from_day >= series.end_day())
    throw std::invalid_argument("backtest: " + format_day(options.from_day) + ".." +
                                format_day(options.to_day) + " is outside the data (" +
                                format_day(series.first_day) + ".." +
                                format_day(series.end_day() - 1) + ")");
  BacktestResult result;
  result.model = model.name();
  const auto persistence = make_model("persistence", series.name);
  int last_fit = 0;
  bool fitted = false;
  for (int day = options.from_day; day <= options.to_day; ++day) {
    const Series history = series.before(day);  // the cut: nothing of day D or later
    if (model.trainable() && (!fitted || day - last_fit >= std::max(1, options.refit_every_days))) {
      const auto start = std::chrono::steady_clock::now();
      model.fit(history);
      result.fit_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      ++result.fits;
      fitted = true;
      last_fit = day;
    }
    const DayForecast f = model.predict(history, day);
    const DayForecast p = persistence->predict(history, day);
    for (int h = 0; h < 24; ++h) result.hours.push_back({day, h, f[h], series.at(day, h), p[h]});
  }
  result.metrics = score(result.hours);
  return result;
}

}  // namespace ems::forecasting
