// Training time per model, forecast latency (one day-ahead forecast of 24 hours), loading and
// feature building, on the shipped ERCOT solar_system series at the 2023-12-01 origin.
#include <benchmark/benchmark.h>

#include "ems/forecasting/dataset.hpp"
#include "ems/forecasting/features.hpp"
#include "ems/forecasting/models.hpp"

namespace {

using namespace ems::forecasting;

const Dataset& data() {
  static const Dataset ds = Dataset::load_csv(EMS_ERCOT_CSV);
  return ds;
}

const int kOrigin = *parse_day("2023-12-01");

void BM_LoadCsv(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Dataset::load_csv(EMS_ERCOT_CSV));
}
BENCHMARK(BM_LoadCsv)->Unit(benchmark::kMillisecond);

void BM_FeaturesForDay(benchmark::State& state) {
  const Series history = data().series("solar_system").before(kOrigin);
  const Place place = place_for_target("solar_system");
  for (auto _ : state) benchmark::DoNotOptimize(features_for_day(history, place, kOrigin));
}
BENCHMARK(BM_FeaturesForDay)->Unit(benchmark::kMicrosecond);

// state.range(0) = training window in days; trees and depth are the defaults.
void BM_TrainGbt(benchmark::State& state) {
  const Series history = data().series("solar_system").before(kOrigin);
  GbtParams params;
  params.train_days = static_cast<int>(state.range(0));
  std::size_t rows = 0;
  for (auto _ : state) {
    GbtModel model("solar_system", params);
    model.fit(history);
    rows = model.training_rows();
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_TrainGbt)->Arg(60)->Arg(365)->Unit(benchmark::kMillisecond);

// The pinball-loss trees (gbt_median, gbt_qNN): one extra prediction pass per tree.
void BM_TrainGbtQuantile(benchmark::State& state) {
  const Series history = data().series("solar_system").before(kOrigin);
  GbtParams params;
  params.train_days = static_cast<int>(state.range(0));
  params.quantile = 0.9;
  for (auto _ : state) {
    GbtModel model("solar_system", params);
    model.fit(history);
  }
}
BENCHMARK(BM_TrainGbtQuantile)->Arg(60)->Unit(benchmark::kMillisecond);

void BM_Forecast(benchmark::State& state, const char* name) {
  const Series history = data().series("solar_system").before(kOrigin);
  auto model = make_model(name, "solar_system");
  model->fit(history);
  for (auto _ : state) benchmark::DoNotOptimize(model->predict(history, kOrigin));
}
BENCHMARK_CAPTURE(BM_Forecast, persistence, "persistence")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Forecast, seasonal_naive, "seasonal_naive")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Forecast, climatology, "climatology")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Forecast, clear_sky, "clear_sky")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Forecast, gbt, "gbt")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
