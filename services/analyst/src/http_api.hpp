#pragma once
// The analyst's HTTP routes (APIS.md "analyst HTTP API"; README "analyst"):
//
//   GET  /forecast?target=T[&from=&to=][&model=ID|BASELINE]   forecaster.hpp
//   GET  /models[?target=T]      {"models":[record...]} newest first (no artifacts)
//   GET  /models/{id}            one record; 400 for an id that is not a number, 404 unknown
//   POST /models/train           Bearer EMS_API_TOKEN; body {"target", "model"?, "params"?,
//                                "backtest_days"?, "refit_days"?, "data_to"?} -> 201
//                                {"model": record, "promoted", "decision", "champion"}
//   GET  /targets                {"targets":[{"name","site","source","champion"}]}
//
// Every error is application/problem+json (400 with the JSON Pointer of a bad body field in
// `errors`, 401/403 without the right token, 404, 422 when the history cannot train the model,
// 503 when the history source is down). Handlers run concurrently.
#include <optional>
#include <string>

#include "ems/runtime/http.hpp"
#include "forecaster.hpp"
#include "trainer.hpp"

namespace ems::analyst {

struct HttpApiOptions {
  std::optional<std::string> api_token;
};

// Parses and validates a POST /models/train body; throws runtime::ProblemException 400.
TrainRequest parse_train_request(const std::string& body);

void install_http_api(runtime::HttpServer& server, const HttpApiOptions& options,
                      const TargetCatalog& targets, ModelRegistry& registry, Trainer& trainer,
                      Forecaster& forecaster);

}  // namespace ems::analyst
