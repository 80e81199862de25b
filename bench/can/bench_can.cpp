// CAN throughput: DBC signals decoded/encoded per second (a frame of four signals, Intel and
// Motorola mixed, as a BMS status frame would carry), and socketcand frame messages parsed and
// formatted per second (the per-frame cost of the socketcand transport).

#include <benchmark/benchmark.h>

#include "ems/protocols/can/dbc_signal.hpp"
#include "ems/protocols/can/socketcand_message.hpp"

namespace {

using namespace ems::protocols::can;

const DbcSignal kSignals[] = {
    {0, 16, ByteOrder::kLittleEndian, false, 0.01, 0, std::nullopt, std::nullopt},  // voltage
    {16, 16, ByteOrder::kLittleEndian, true, 0.1, 0, std::nullopt, std::nullopt},   // current
    {39, 8, ByteOrder::kBigEndian, false, 0.5, 0, std::nullopt, std::nullopt},      // soc
    {47, 12, ByteOrder::kBigEndian, true, 0.1, -40, std::nullopt, std::nullopt},    // temp
};

void BM_DecodeSignals(benchmark::State& state) {
  const std::uint8_t payload[8] = {0x10, 0x27, 0xF6, 0xFF, 0xA0, 0x12, 0x34, 0x00};
  for (auto _ : state) {
    double sum = 0;
    for (const auto& s : kSignals) sum += decode_signal(payload, s);
    benchmark::DoNotOptimize(sum);
  }
  state.counters["signals/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * std::size(kSignals)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeSignals);

void BM_EncodeSignals(benchmark::State& state) {
  std::uint8_t payload[8] = {};
  for (auto _ : state) {
    encode_signal(payload, kSignals[0], 400.25);
    encode_signal(payload, kSignals[1], -12.5);
    encode_signal(payload, kSignals[2], 80);
    encode_signal(payload, kSignals[3], 25.3);
    benchmark::DoNotOptimize(payload);
  }
  state.counters["signals/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * std::size(kSignals)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeSignals);

void BM_ParseFrameMessage(benchmark::State& state) {
  const std::string text = "< frame 18FF50E5 1700000000.123456 0102030405060708 >";
  for (auto _ : state) benchmark::DoNotOptimize(parse_message(text));
  state.counters["messages/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseFrameMessage);

void BM_FormatFrameMessage(benchmark::State& state) {
  const auto m =
      frame_message(make_frame(0x18FF50E5, std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}, true),
                    std::chrono::microseconds(1700000000123456));
  for (auto _ : state) benchmark::DoNotOptimize(format_message(m));
  state.counters["messages/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FormatFrameMessage);

}  // namespace

BENCHMARK_MAIN();
