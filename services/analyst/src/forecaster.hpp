#pragma once
// Forecaster: what GET /forecast serves - the target's champion (or a registered model asked
// for by id, or a baseline by name), loaded from the registry's stored artifact and never
// trained here.
//
// For every label day D of the range, the model forecasts D's 24 hours from the history before
// D (the same cut as the backtest). On a live source (the site, from the historian):
//   today      the day-ahead forecast updated with the hours already observed today
//              (forecasting::intraday_update): hours after the last observed one are
//              `"horizon":"intraday"`, the others `"day_ahead"`
//   tomorrow   day-ahead from the history with today's remaining hours filled by the intraday
//              forecast
// Points: `ts` (RFC 3339 UTC start of the hour), `value`, `lower`/`upper` (80% interval from the
// quantile trees stored with a gbt model; shifted with the intraday update), `horizon`, and for
// the ERCOT file its own `label` and the `actual` value when known.
//
// Errors: runtime::ProblemException - 400 bad parameters (naming the parameter), 404 no
// champion (saying how to train one) or unknown model id, 503 history source unavailable.
// Thread-safe: loaded models are cached by id and shared between requests.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "model_registry.hpp"
#include "trainer.hpp"

namespace ems::analyst {

struct ForecastQuery {
  std::string target;
  std::optional<std::string> from, to;  // YYYY-MM-DD or RFC 3339
  std::optional<std::string> model;     // registry id or baseline name
};

class Forecaster {
 public:
  Forecaster(const TargetCatalog& targets, ModelRegistry& registry)
      : targets_(targets), registry_(registry) {}
  nlohmann::json forecast(const ForecastQuery& query);

 private:
  std::shared_ptr<const ServedModel> served(const Target& target,
                                            const std::optional<std::string>& model);

  const TargetCatalog& targets_;
  ModelRegistry& registry_;
  std::mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<const ServedModel>> cache_;
};

}  // namespace ems::analyst
