#include "ems/protocols/dnp3/point_database.hpp"

#include <cmath>
#include <string>

#include "ems/protocols/dnp3/error.hpp"

namespace ems::protocols::dnp3 {
namespace {

void require_type(std::uint8_t group, std::uint8_t variation) {
  if (find_object_type(group, variation) == nullptr) {
    throw Dnp3Error(ErrorKind::kBadRange, "g" + std::to_string(group) + "v" +
                                              std::to_string(variation) + " is not supported");
  }
}

template <typename Map>
auto& record(Map& map, std::uint16_t index, const char* kind) {
  auto it = map.find(index);
  if (it == map.end()) {
    throw Dnp3Error(ErrorKind::kBadRange,
                    std::string(kind) + " " + std::to_string(index) + " does not exist");
  }
  return it->second;
}

}  // namespace

void PointDatabase::add_binary_input(std::uint16_t index, BinaryInputConfig config,
                                     Binary initial) {
  if (config.static_variation != 2) {
    throw Dnp3Error(ErrorKind::kBadRange, "binary inputs are served as g1v2 only");
  }
  require_type(2, config.event_variation);
  bi_[index] = BinaryInputRecord{initial, config, initial};
}

void PointDatabase::add_analog_input(std::uint16_t index, AnalogInputConfig config,
                                     Analog initial) {
  require_type(30, config.static_variation);
  require_type(32, config.event_variation);
  ai_[index] = AnalogInputRecord{initial, config, initial};
}

void PointDatabase::add_counter(std::uint16_t index, CounterConfig config, Counter initial) {
  require_type(20, config.static_variation);
  ctr_[index] = CounterRecord{initial, config, initial};
}

void PointDatabase::add_binary_output(std::uint16_t index, BinaryOutputConfig config,
                                      Binary initial) {
  if (config.static_variation != 2) {
    throw Dnp3Error(ErrorKind::kBadRange, "binary outputs are served as g10v2 only");
  }
  bo_[index] = BinaryOutputRecord{initial, config, initial};
}

void PointDatabase::add_analog_output(std::uint16_t index, AnalogOutputConfig config,
                                      Analog initial) {
  require_type(40, config.static_variation);
  ao_[index] = AnalogOutputRecord{initial, config, initial};
}

bool PointDatabase::update_binary_input(std::uint16_t index, Binary value, std::uint64_t now_ms) {
  auto& r = record(bi_, index, "binary input");
  r.value = value;
  if (value.value == r.last_event.value && value.flags == r.last_event.flags) return false;
  r.last_event = value;
  Binary reported = value;
  reported.time_ms = now_ms;
  events_.push(Event{r.config.event_class, 2, r.config.event_variation, Point{index, reported}});
  return r.config.event_class != EventClass::kNone;
}

bool PointDatabase::update_analog_input(std::uint16_t index, Analog value) {
  auto& r = record(ai_, index, "analog input");
  r.value = value;
  const bool moved = std::fabs(value.value - r.last_event.value) > r.config.deadband ||
                     (std::isnan(value.value) != std::isnan(r.last_event.value));
  if (!moved && value.flags == r.last_event.flags) return false;
  r.last_event = value;
  events_.push(Event{r.config.event_class, 32, r.config.event_variation, Point{index, value}});
  return r.config.event_class != EventClass::kNone;
}

bool PointDatabase::update_counter(std::uint16_t index, Counter value) {
  auto& r = record(ctr_, index, "counter");
  r.value = value;
  const std::uint32_t delta = value.value > r.last_event.value ? value.value - r.last_event.value
                                                               : r.last_event.value - value.value;
  if (delta <= r.config.deadband && value.flags == r.last_event.flags) return false;
  r.last_event = value;
  events_.push(Event{r.config.event_class, 22, 1, Point{index, value}});
  return r.config.event_class != EventClass::kNone;
}

void PointDatabase::update_binary_output(std::uint16_t index, Binary value) {
  record(bo_, index, "binary output").value = value;
}

void PointDatabase::update_analog_output(std::uint16_t index, Analog value) {
  record(ao_, index, "analog output").value = value;
}

}  // namespace ems::protocols::dnp3
