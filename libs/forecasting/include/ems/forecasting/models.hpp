#pragma once
// Day-ahead models: each turns the history of a series (days before D only) into 24 forecasts
// for the labels of day D (calendar.hpp). A model never sees day D or later: callers pass
// Series::before(D), and the feature builder also refuses to read past its origin.
//
//   persistence      value of the same hour yesterday (the one to beat)
//   seasonal_naive   mean of the same hour over the last 7 days
//   climatology      mean of the same hour over the last 28 days
//   clear_sky        the clearest of the last 7 days (sum of values / sum of clear-sky GHI),
//                    each hour scaled by its clear-sky GHI change to day D; meant for solar
//   gbt              gradient-boosted trees (xgboost C API) on features_for_day(), trained on the
//                    last `train_days` days before the training origin (squared error; xgboost
//                    1.7's reg:absoluteerror diverged on this data and was dropped)
//   gbt_median       the same trees on the pinball loss at 0.5 (custom gradients through the C
//   gbt_qNN          API: xgboost 1.7 has no quantile objective); gbt_q01..gbt_q99 the NN-th
//                    percentile, e.g. gbt_q10 and gbt_q90 for an 80% interval
//
// Missing inputs give a NaN forecast for that hour (never an invented value).
// Threading: predict() is const and may run concurrently; fit() must not run concurrently with
// anything else on the same model. Errors: make_model throws std::invalid_argument naming the
// known models; GbtModel throws std::runtime_error with xgboost's message when xgboost fails or
// when predict() is called before a successful fit().
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/forecasting/dataset.hpp"
#include "ems/forecasting/features.hpp"

namespace ems::forecasting {

using DayForecast = std::array<double, 24>;

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  // Whether fit() learns anything (baselines have nothing to learn).
  virtual bool trainable() const { return false; }
  // Learns from `history`: every value in it is from before the training origin.
  virtual void fit(const Series& history) { (void)history; }
  virtual DayForecast predict(const Series& history, int day) const = 0;
};

struct GbtParams {
  // Defaults chosen on the solar_system backtest (README): a short recent window tracks the
  // growing fleet and the season better than a year of history.
  int trees = 100;
  int max_depth = 3;
  double learning_rate = 0.05;
  double subsample = 0.8;
  int train_days = 60;  // training window before the origin
  // In (0, 1): learn this quantile with the pinball loss (custom gradients) instead of the mean.
  double quantile = -1.0;
  int threads = 1;  // xgboost nthread; more threads spin-wait on a busy 2-core machine
};

class GbtModel final : public Model {
 public:
  GbtModel(std::string target, GbtParams params = {});
  // Sun geometry at `place` instead of place_for_target(target) (a site's own location).
  GbtModel(std::string target, GbtParams params, Place place);
  ~GbtModel() override;
  GbtModel(const GbtModel&) = delete;
  GbtModel& operator=(const GbtModel&) = delete;

  // "gbt", "gbt_median" or "gbt_qNN" (the name make_model takes back).
  std::string name() const override;
  bool trainable() const override { return true; }
  void fit(const Series& history) override;
  DayForecast predict(const Series& history, int day) const override;

  // The training matrix fit() builds (row-major, kFeatureCount columns) and its labels, exposed
  // for the train/serve parity test: row i is features_for_day(history, place, day_i)[hour_i]
  // and label i is the value over target_scale(history, day_i).
  struct TrainingSet {
    std::vector<FeatureRow> rows;
    std::vector<float> labels;
    std::vector<std::pair<int, int>> slots;  // (day, hour) of each row
  };
  TrainingSet training_set(const Series& history) const;
  std::size_t training_rows() const { return trained_rows_; }
  bool fitted() const { return booster_ != nullptr; }
  // Whether predictions are clipped at zero (the training history never went below it).
  bool nonnegative() const { return nonnegative_; }

  // The fitted model as text (xgboost's JSON model inside a small JSON envelope with what
  // predict() needs besides the trees), so a registry can store it and a server can predict
  // without training. save() throws std::runtime_error before fit(); load() replaces the trees
  // and throws std::runtime_error naming the problem for text that is not a saved model.
  std::string save() const;
  void load(const std::string& text);

 private:
  std::string target_;
  Place place_;
  GbtParams params_;
  void* booster_ = nullptr;  // BoosterHandle
  std::size_t trained_rows_ = 0;
  bool nonnegative_ = false;
};

// "persistence", "seasonal_naive", "climatology", "clear_sky", "gbt", "gbt_median" (make_model
// also accepts "gbt_q01".."gbt_q99", which are not listed).
std::vector<std::string> model_names();
// `place`: where the sun is computed for clear_sky and the trees (default
// place_for_target(target)).
std::unique_ptr<Model> make_model(std::string_view name, const std::string& target,
                                  GbtParams gbt = {}, std::optional<Place> place = {});

}  // namespace ems::forecasting
