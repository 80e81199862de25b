#pragma once
// Training and promotion: the analyst's one path from history to a registered model.
//
// train() for a target and a model kind:
//   1. reads the target's history (HistorySource) and keeps the whole days before the cut
//      (`data_to` + 1, default: the source's last complete day + 1)
//   2. backtests the candidate on the last `backtest_days` days (rolling origin, refit every
//      `refit_days`; libs/forecasting backtest(): nothing of day D is seen for day D)
//   3. backtests the current champion's kind and parameters on the SAME days
//   4. decide_promotion(): promoted only when the candidate's MAE beats persistence's AND the
//      champion's, on the hours where all of them have a forecast and the actual is known
//   5. fits the candidate on the whole cut history (gbt kinds also fit the 10% and 90% quantile
//      trees for an 80% interval), stores it in the registry with its metrics and decision
// Serving (forecaster.hpp) only loads what train() stored: it never trains.
//
// Errors: TrainError (status 400 for a bad request, 422 when the history cannot train the
// model, 503 when the history source cannot be read). Threading: train() may be called from
// any thread; trainings run one at a time (a mutex), requests wait.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ems/forecasting/backtest.hpp"
#include "ems/forecasting/models.hpp"
#include "ems/runtime/metrics.hpp"
#include "history_source.hpp"
#include "model_registry.hpp"

namespace ems::analyst {

// A forecastable target: its name, where its history comes from and where its sun is.
struct Target {
  std::string name;
  const HistorySource* source = nullptr;
  forecasting::Place place;
  bool site = false;  // a series of the simulated site (historian), not the ERCOT file
};

class TargetCatalog {
 public:
  void add(Target target) { targets_[target.name] = std::move(target); }
  const Target* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Target> targets_;
};

class TrainError : public std::runtime_error {
 public:
  TrainError(int status, const std::string& detail) : std::runtime_error(detail), status(status) {}
  int status;
};

struct TrainRequest {
  std::string target;
  std::string model = "gbt";
  forecasting::GbtParams params;
  int backtest_days = 28;
  int refit_days = 1;
  std::optional<int> data_to_day;  // last label day the training may use
};

struct Promotion {
  bool promote = false;
  std::string reason;
  std::size_t hours = 0;  // compared hours
  double candidate_mae = forecasting::kMissing;
  double persistence_mae = forecasting::kMissing;
  double champion_mae = forecasting::kMissing;  // NaN without a champion
};

// The promotion rule on the hours where the actual, the candidate, persistence and (when given)
// the champion all have a value: strictly lower MAE than persistence and than the champion.
// `champion` holds the champion's backtest of the same days (same order), or nullptr.
Promotion decide_promotion(const std::vector<forecasting::HourResult>& candidate,
                           const std::vector<forecasting::HourResult>* champion);

// A registered model ready to predict (loaded from its stored artifact; baselines need none).
struct ServedModel {
  ModelRecord record;
  std::unique_ptr<forecasting::Model> model;
  std::unique_ptr<forecasting::GbtModel> lower, upper;  // 80% interval, gbt kinds only
  bool nonnegative = false;
};
// Throws std::runtime_error when the artifact cannot be loaded.
std::shared_ptr<const ServedModel> load_served_model(const ModelRecord& record,
                                                     const forecasting::Place& place);

forecasting::GbtParams gbt_params_from_json(const nlohmann::json& params);
nlohmann::json gbt_params_to_json(const forecasting::GbtParams& params);

struct TrainOutcome {
  ModelRecord model;
  Promotion promotion;
  std::optional<ModelRecord> previous_champion;
};

class Trainer {
 public:
  Trainer(const TargetCatalog& targets, ModelRegistry& registry,
          runtime::metrics::Registry& metrics);
  TrainOutcome train(const TrainRequest& request);
  // Sets the champion gauges from the registry (at start).
  void publish_champion_metrics();

 private:
  void publish(const ModelRecord& champion);

  const TargetCatalog& targets_;
  ModelRegistry& registry_;
  std::mutex mutex_;
  runtime::metrics::GaugeFamily& champion_mae_;
  runtime::metrics::GaugeFamily& champion_skill_;
  runtime::metrics::GaugeFamily& champion_id_;
  runtime::metrics::GaugeFamily& last_training_;
  runtime::metrics::CounterFamily& trainings_;
  runtime::metrics::HistogramFamily& training_seconds_;
};

}  // namespace ems::analyst
