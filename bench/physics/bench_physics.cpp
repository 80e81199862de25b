// Span ratings per second, single thread: 10,000 spans (the library's conductors, weather and
// sun varied deterministically), each rated at 100 C. The figure is items_per_second
// (README "Performance"; target 1M span-ratings/s).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#include "ems/physics/heat_balance.hpp"

namespace {

using namespace ems::physics;

struct Span {
  const Conductor* conductor;
  Conditions conditions;
};

std::vector<Span> make_spans(std::size_t n) {
  std::vector<Span> spans;
  spans.reserve(n);
  const auto library = conductor_library();
  for (std::size_t i = 0; i < n; ++i) {
    Span s;
    s.conductor = &library[i % library.size()];
    Conditions& k = s.conditions;
    k.weather.ambient_c = 5.0 + static_cast<double>(i % 35);
    k.weather.wind_speed_mps = 0.2 * static_cast<double>(i % 40);
    k.weather.wind_angle_deg = static_cast<double>((i * 7) % 180);
    k.weather.atmosphere = i % 5 == 0 ? Atmosphere::industrial : Atmosphere::clear;
    k.site.latitude_deg = 25.0 + static_cast<double>(i % 30);
    k.site.elevation_m = static_cast<double>((i * 13) % 1500);
    k.site.line_azimuth_deg = static_cast<double>((i * 11) % 360);
    k.time.day_of_year = 1 + static_cast<int>(i % 365);
    k.time.solar_hour = 6.0 + 0.5 * static_cast<double>(i % 25);
    spans.push_back(s);
  }
  return spans;
}

void rate_spans(benchmark::State& state, Method method) {
  const std::vector<Span> spans = make_spans(10000);
  for (auto _ : state) {
    double total = 0.0;
    for (const Span& s : spans) total += rate(method, *s.conductor, s.conditions, 100.0).amps;
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(spans.size()));
}

void BM_RateSpansIeee738(benchmark::State& state) {
  rate_spans(state, Method::ieee738);
}
void BM_RateSpansCigre601(benchmark::State& state) {
  rate_spans(state, Method::cigre601);
}

}  // namespace

BENCHMARK(BM_RateSpansIeee738)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RateSpansCigre601)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
