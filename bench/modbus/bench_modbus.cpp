// Modbus throughput: the value codec (a 125-register block holding a mix of types, decoded as
// the gateway does every cycle), the server's request handling of a full FC3 read, and real
// FC3 polls of 125 registers from our libmodbus client to our server over loopback.

#include <benchmark/benchmark.h>

#include "ems/protocols/modbus/client.hpp"
#include "ems/protocols/modbus/request_handler.hpp"
#include "ems/protocols/modbus/server.hpp"

namespace {

using namespace ems::protocols::modbus;

// 125 consecutive registers: 25 x int16, 20 x uint32 (low_high), 20 x float32, 5 x int64.
struct Layout {
  std::uint16_t offset;
  ValueFormat format;
};

std::vector<Layout> layout() {
  std::vector<Layout> out;
  std::uint16_t at = 0;
  auto add = [&](int n, ValueFormat f) {
    for (int i = 0; i < n; ++i) {
      out.push_back({at, f});
      at = static_cast<std::uint16_t>(at + register_count(f.type));
    }
  };
  add(25, {DataType::kInt16, WordOrder::kHighLow, 0.1, -40});
  add(20, {DataType::kUint32, WordOrder::kLowHigh, 0.001, 0});
  add(20, {DataType::kFloat32, WordOrder::kHighLow, 1, 0});
  add(5, {DataType::kInt64, WordOrder::kHighLow, 1, 0});
  return out;  // 25 + 40 + 40 + 20 = 125 registers
}

void BM_DecodeBlock(benchmark::State& state) {
  const auto points = layout();
  std::vector<std::uint16_t> block;
  for (const auto& p : points) {
    const auto regs = encode_value(12.5, p.format);
    block.insert(block.end(), regs.begin(), regs.end());
  }
  for (auto _ : state) {
    double sum = 0;
    for (const auto& p : points) {
      sum +=
          decode_value(std::span(block).subspan(p.offset, register_count(p.format.type)), p.format);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.counters["values/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * points.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeBlock);

void BM_EncodeValue(benchmark::State& state) {
  const ValueFormat f{DataType::kUint32, WordOrder::kLowHigh, 0.001, 0};
  double v = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(encode_value(v, f));
    v = v > 4e6 ? 0 : v + 0.5;  // stays inside the uint32 range at scale 0.001
  }
  state.counters["values/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeValue);

void BM_HandleRead125(benchmark::State& state) {
  RegisterBank bank;
  std::vector<std::uint16_t> regs(125, 0x1234);
  bank.set_registers(1, Table::kHoldingRegisters, 0, regs);
  RequestHandler handler(bank);
  const std::uint8_t pdu[] = {3, 0, 0, 0, 125};
  for (auto _ : state) benchmark::DoNotOptimize(handler.handle(1, pdu));
  state.counters["requests/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_HandleRead125);

void BM_LoopbackPoll125(benchmark::State& state) {
  ModbusServer server({"127.0.0.1", 0, 4});
  std::vector<std::uint16_t> regs(125, 7);
  server.set_holding(1, 0, regs);
  server.start();
  ModbusClient client({"127.0.0.1", server.port(), 1, std::chrono::milliseconds(1000)});
  for (auto _ : state) benchmark::DoNotOptimize(client.read_holding_registers(0, 125));
  state.counters["polls/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  client.close();
  server.stop();
}
BENCHMARK(BM_LoopbackPoll125)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
