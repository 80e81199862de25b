// AsyncAPI generation for generated sites of 100 to 10,000 devices. Prints the time per
// document and the document's bytes per device (which must stay flat: size linear in devices).

#include <benchmark/benchmark.h>

#include "ems/contract/asyncapi.hpp"
#include "ems/contract/catalog.hpp"
#include "synthetic_site.hpp"

namespace {

const ems::contract::TemplateCatalog& catalog() {
  static const auto kCatalog = ems::contract::TemplateCatalog::load(EMS_TEMPLATE_DIR);
  return kCatalog;
}

void BM_GenerateAsyncApi(benchmark::State& state) {
  const int devices = static_cast<int>(state.range(0));
  const ems::contract::Dtm dtm =
      ems::contract::parse_dtm(ems::bench::synthetic_site(catalog(), devices), &catalog());
  ems::contract::AsyncApiOptions options;
  options.version = "1.0.0";
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto doc = ems::contract::generate_asyncapi(dtm, options);
    bytes = doc.dump().size();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["devices"] = devices;
  state.counters["doc_bytes"] = static_cast<double>(bytes);
  state.counters["bytes_per_device"] = static_cast<double>(bytes) / devices;
}
BENCHMARK(BM_GenerateAsyncApi)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// The path device-api serves: the document written straight to JSON text.
void BM_GenerateAsyncApiText(benchmark::State& state) {
  const int devices = static_cast<int>(state.range(0));
  const ems::contract::Dtm dtm =
      ems::contract::parse_dtm(ems::bench::synthetic_site(catalog(), devices), &catalog());
  ems::contract::AsyncApiOptions options;
  options.version = "1.0.0";
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = ems::contract::generate_asyncapi_text(dtm, options);
    bytes = text.size();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["devices"] = devices;
  state.counters["doc_bytes"] = static_cast<double>(bytes);
  state.counters["bytes_per_device"] = static_cast<double>(bytes) / devices;
}
BENCHMARK(BM_GenerateAsyncApiText)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_ParseDtm(benchmark::State& state) {
  const int devices = static_cast<int>(state.range(0));
  const std::string text = ems::bench::synthetic_site(catalog(), devices).dump();
  for (auto _ : state) {
    auto dtm = ems::contract::parse_dtm(nlohmann::json::parse(text), &catalog());
    benchmark::DoNotOptimize(dtm);
  }
  state.counters["devices"] = devices;
}
BENCHMARK(BM_ParseDtm)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
