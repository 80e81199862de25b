#pragma once
// Rolling-origin backtest: for every day D in [from, to], the model forecasts D's 24 labels from
// Series::before(D) - the cut is made here, whatever the series holds, so no model can look ahead.
// A trainable model is (re)fitted at the first origin and then every `refit_every_days` days,
// each time on the history before that origin only.
//
// Scoring: hours where the actual value, the model's forecast and persistence's forecast all
// exist; MAE, RMSE and skill = 1 - MAE / persistence MAE on those same hours.
//
// Errors: std::invalid_argument when from > to or the range has no day inside the series;
// exceptions of the model propagate. Not thread-safe for one Model (fit mutates it).
#include <string>
#include <vector>

#include "ems/forecasting/dataset.hpp"
#include "ems/forecasting/models.hpp"

namespace ems::forecasting {

struct BacktestOptions {
  int from_day = 0;
  int to_day = 0;  // inclusive
  int refit_every_days = 1;
};

struct HourResult {
  int day = 0;
  int hour = 0;
  double forecast = kMissing;
  double actual = kMissing;
  double persistence = kMissing;
};

struct Metrics {
  std::size_t hours = 0;  // scored hours
  double mae = kMissing;
  double rmse = kMissing;
  double persistence_mae = kMissing;
  double skill = kMissing;  // 1 - mae / persistence_mae
};

struct BacktestResult {
  std::string model;
  std::vector<HourResult> hours;  // every (day, hour) of the range, in order
  Metrics metrics;
  int fits = 0;
  double fit_seconds = 0.0;
};

BacktestResult backtest(const Series& series, Model& model, const BacktestOptions& options);

// Metrics of a result's hours (shared by backtest() and callers that filter hours).
Metrics score(const std::vector<HourResult>& hours);

}  // namespace ems::forecasting
