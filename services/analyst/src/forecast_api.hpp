#pragma once
// GET /forecast?target=COLUMN&from=YYYY-MM-DD&to=YYYY-MM-DD[&model=NAME][&interval=NN] over the
// shipped ERCOT data: for every day D of the range (at most 31 days) the named model's day-ahead
// forecast made from the days before D only (the same rolling origin as `ems-analyst backtest`),
// beside the actual value, with the range's MAE/RMSE/skill against persistence. With
// `interval=NN` (an even percentage) each point also carries `lower`/`upper` from the quantile
// trees gbt_q((100-NN)/2) and gbt_q((100+NN)/2), made the same way.
//
//   {"target":"solar_system","model":"gbt","from":"2023-12-01","to":"2023-12-02","interval":null,
//    "points":[{"timestamp":"2023-12-01 00:00:00","forecast":0.1,"actual":0.0}],
//    "metrics":{"hours":48,"mae":512.3,"rmse":900.1,"persistence_mae":700.2,"skill":0.27}}
//
// Bad input (unknown target or model, malformed or out-of-data dates, range too long, bad
// interval) answers 400 problem+json; a model that cannot be trained for the range (under 7 days
// of history before it) 422. Unknown values are JSON null. Requests run concurrently:
// each builds its own models (a gbt model trains on the 60 days before each day, ~40 ms - the
// registry that would let serving skip training is not part of this service yet).
#include "ems/forecasting/dataset.hpp"
#include "ems/runtime/http.hpp"

namespace ems::analyst {

void install_forecast_api(runtime::HttpServer& server, const forecasting::Dataset& data);

}  // namespace ems::analyst
