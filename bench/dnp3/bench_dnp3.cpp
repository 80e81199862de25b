// DNP3 codec throughput on a typical integrity-poll response: 16 binary inputs, 32 float analog
// inputs, 8 counters, 4 binary and 4 analog output status points (one ~330-byte APDU, two link
// frames). Each benchmark reports frames/s (link frames) and apdus/s.

#include <benchmark/benchmark.h>

#include "ems/protocols/dnp3/apdu.hpp"
#include "ems/protocols/dnp3/link_channel.hpp"
#include "ems/protocols/dnp3/outstation.hpp"

namespace {

using namespace ems::protocols::dnp3;

Outstation& site() {
  static Outstation* o = [] {
    auto* out = new Outstation();  // lives for the whole benchmark run
    out->with_database([](PointDatabase& db) {
      for (std::uint16_t i = 0; i < 16; ++i) db.add_binary_input(i, {}, Binary{i % 3 == 0});
      for (std::uint16_t i = 0; i < 32; ++i) db.add_analog_input(i, {}, Analog{230.0 + i * 0.25});
      for (std::uint16_t i = 0; i < 8; ++i) db.add_counter(i, {}, Counter{1000U * i});
      for (std::uint16_t i = 0; i < 4; ++i) db.add_binary_output(i);
      for (std::uint16_t i = 0; i < 4; ++i) db.add_analog_output(i);
    });
    return out;
  }();
  return *o;
}

std::vector<std::uint8_t> integrity_request() {
  Apdu a;
  a.function = FunctionCode::kRead;
  a.objects = {ObjectBlock::all(60, 2), ObjectBlock::all(60, 3), ObjectBlock::all(60, 4),
               ObjectBlock::all(60, 1)};
  return encode_apdu(a);
}

Apdu integrity_response() {
  return decode_apdu(site().handle(integrity_request()).at(0));
}

// Encode: APDU -> bytes -> transport segments -> link frames with CRCs.
void BM_EncodeIntegrityResponse(benchmark::State& state) {
  const Apdu response = integrity_response();
  LinkChannel channel(LinkChannelConfig{false, 1024, 1, kDefaultMaxApdu});
  std::size_t frames = 0;
  for (auto _ : state) {
    const auto wire = channel.frame_apdu(encode_apdu(response));
    benchmark::DoNotOptimize(wire.data());
    frames += (wire.size() + kMaxLinkFrameSize - 1) / kMaxLinkFrameSize;
  }
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
  state.counters["apdus/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeIntegrityResponse);

// Decode: bytes -> streaming link decoder -> transport reassembly -> APDU objects.
void BM_DecodeIntegrityResponse(benchmark::State& state) {
  LinkChannel sender(LinkChannelConfig{false, 1024, 1, kDefaultMaxApdu});
  const auto wire = sender.frame_apdu(encode_apdu(integrity_response()));
  LinkChannel receiver(LinkChannelConfig{true, 1, 1024, kDefaultMaxApdu});
  std::size_t points = 0;
  for (auto _ : state) {
    auto got = receiver.receive(wire);
    const Apdu a = decode_apdu(got.apdus.at(0));
    for (const auto& b : a.objects) points += b.points.size();
    benchmark::DoNotOptimize(points);
  }
  const double frames = static_cast<double>(receiver.decoder_stats().frames);
  state.counters["frames/s"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  state.counters["apdus/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["frames/apdu"] = frames / static_cast<double>(state.iterations());
}
BENCHMARK(BM_DecodeIntegrityResponse);

// Round trip: encode + decode of the same response, the cost of one poll on each side.
void BM_EncodeDecodeIntegrityResponse(benchmark::State& state) {
  const Apdu response = integrity_response();
  LinkChannel sender(LinkChannelConfig{false, 1024, 1, kDefaultMaxApdu});
  LinkChannel receiver(LinkChannelConfig{true, 1, 1024, kDefaultMaxApdu});
  for (auto _ : state) {
    auto got = receiver.receive(sender.frame_apdu(encode_apdu(response)));
    benchmark::DoNotOptimize(decode_apdu(got.apdus.at(0)));
  }
  const double frames = static_cast<double>(receiver.decoder_stats().frames);
  state.counters["frames/s"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  state.counters["apdus/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeDecodeIntegrityResponse);

// The outstation's side of an integrity poll: parse the request, read the database, encode.
void BM_OutstationIntegrityPoll(benchmark::State& state) {
  const auto request = integrity_request();
  for (auto _ : state) benchmark::DoNotOptimize(site().handle(request));
  state.counters["polls/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OutstationIntegrityPoll);

}  // namespace

BENCHMARK_MAIN();
