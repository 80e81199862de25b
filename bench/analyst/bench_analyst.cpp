// services/analyst on the shipped ERCOT system_load series and a real PostgreSQL:
//   BM_Train/<kind>      one POST /models/train's work (Trainer::train): the candidate's 28-day
//                        rolling backtest (refit daily), the champion's backtest on the same days,
//                        the final fit (gbt: plus the 10%/90% quantile trees) and the registry
//                        insert. Counters: artifact_kb (what the registry stores for the model),
//                        rss_growth_mb (peak RSS growth of the process during the first training
//                        of that kind).
//   BM_Forecast/cached   GET /forecast's work for one day from a champion already loaded
//   BM_Forecast/load     the same, loading the champion from the registry first (a new champion)
//   BM_ChatTurnNoLlm     one no-LLM chat turn's work (route, site_status against the real
//                        ems-device-api's /topology/view, compose) - the topology view cached
//                        as in the service (re-read every 30 s)
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include "chat_agent.hpp"
#include "ems/forecasting/dataset.hpp"
#include "ems/testing/device_api.hpp"
#include "ems/testing/servers.hpp"
#include "forecaster.hpp"
#include "history_source.hpp"
#include "trainer.hpp"

namespace {

using namespace ems;

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

struct World {
  forecasting::Dataset data = forecasting::Dataset::load_csv(EMS_ERCOT_CSV);
  analyst::DatasetSource source{data, EMS_ERCOT_CSV};
  analyst::TargetCatalog targets;
  analyst::ModelRegistry registry{testing::PostgresServer::shared().create_database()};
  runtime::metrics::Registry metrics;
  std::unique_ptr<analyst::Trainer> trainer;
  World() {
    targets.add({"system_load", &source, forecasting::place_for_target("system_load"), false});
    registry.open();
    trainer = std::make_unique<analyst::Trainer>(targets, registry, metrics);
  }
};

World& world() {
  static World w;
  return w;
}

const char* const kKinds[] = {"persistence", "seasonal_naive", "climatology", "clear_sky", "gbt"};

void BM_Train(benchmark::State& state) {
  auto& w = world();
  analyst::TrainRequest request;
  request.target = "system_load";
  request.model = kKinds[state.range(0)];
  state.SetLabel(request.model);
  const double rss_before = peak_rss_mb();
  double artifact_kb = 0.0;
  for (auto _ : state) {
    const auto out = w.trainer->train(request);
    artifact_kb = static_cast<double>(w.registry.get(out.model.id, true)->artifact.size()) / 1024.0;
  }
  state.counters["artifact_kb"] = artifact_kb;
  state.counters["rss_growth_mb"] = peak_rss_mb() - rss_before;
}
BENCHMARK(BM_Train)->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Forecast(benchmark::State& state) {
  auto& w = world();
  if (!w.registry.champion_id("system_load")) {
    analyst::TrainRequest request;
    request.target = "system_load";
    w.trainer->train(request);
  }
  const bool load = state.range(0) == 1;
  state.SetLabel(load ? "load" : "cached");
  auto forecaster = std::make_unique<analyst::Forecaster>(w.targets, w.registry);
  for (auto _ : state) {
    if (load) {
      state.PauseTiming();
      forecaster = std::make_unique<analyst::Forecaster>(w.targets, w.registry);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(forecaster->forecast({"system_load", {}, {}, {}}));
  }
}
BENCHMARK(BM_Forecast)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_ChatTurnNoLlm(benchmark::State& state) {
  auto& w = world();
  testing::DeviceApiOptions o;
  o.binary = EMS_DEVICE_API_BINARY;
  o.boot_dtm_path = std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json";
  o.mqtt_url = testing::MosquittoServer::shared().url();
  testing::DeviceApiProcess api(o);
  api.start();
  analyst::Forecaster forecaster(w.targets, w.registry);
  analyst::ToolBox tools({"http://127.0.0.1:9", api.base_url(), "http://127.0.0.1:9/mcp"},
                         forecaster, w.registry);
  analyst::ChatAgent agent(tools, std::nullopt, {});
  const nlohmann::json messages = nlohmann::json::array(
      {{{"role", "user"}, {"content", "Which devices are under the battery module?"}}});
  for (auto _ : state) benchmark::DoNotOptimize(agent.answer(messages));
}
BENCHMARK(BM_ChatTurnNoLlm)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
