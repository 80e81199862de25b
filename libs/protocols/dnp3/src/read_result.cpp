#include "ems/protocols/dnp3/master.hpp"

namespace ems::protocols::dnp3 {
namespace {

template <typename V>
std::map<std::uint16_t, V> collect(const std::vector<Measurement>& ms, std::uint8_t g1,
                                   std::uint8_t g2) {
  std::map<std::uint16_t, V> out;
  for (const auto& m : ms) {
    if (m.group != g1 && m.group != g2) continue;
    if (const V* v = std::get_if<V>(&m.point.value)) out[m.point.index] = *v;
  }
  return out;
}

}  // namespace

std::map<std::uint16_t, Binary> ReadResult::binary_inputs() const {
  return collect<Binary>(measurements, 1, 2);
}
std::map<std::uint16_t, Binary> ReadResult::binary_outputs() const {
  return collect<Binary>(measurements, 10, 10);
}
std::map<std::uint16_t, Counter> ReadResult::counters() const {
  return collect<Counter>(measurements, 20, 22);
}
std::map<std::uint16_t, Analog> ReadResult::analog_inputs() const {
  return collect<Analog>(measurements, 30, 32);
}
std::map<std::uint16_t, Analog> ReadResult::analog_outputs() const {
  return collect<Analog>(measurements, 40, 40);
}
std::size_t ReadResult::event_count() const {
  std::size_t n = 0;
  for (const auto& m : measurements) n += (m.group == 2 || m.group == 22 || m.group == 32) ? 1 : 0;
  return n;
}

}  // namespace ems::protocols::dnp3
