#pragma once
// The outstation's points: current values of binary inputs, analog inputs, counters, binary
// output status and analog output status, plus the events their changes create.
//
// An input update creates an event (in its configured class) when the value or the flags change -
// for analogs and counters only when the value moves beyond the point's deadband from the value of
// the last event. Not thread-safe: the Outstation serialises access.

#include <cstdint>
#include <map>

#include "ems/protocols/dnp3/event_buffer.hpp"
#include "ems/protocols/dnp3/objects.hpp"

namespace ems::protocols::dnp3 {

struct BinaryInputConfig {
  EventClass event_class = EventClass::kClass1;
  std::uint8_t static_variation = 2;  // g1v2
  std::uint8_t event_variation = 1;   // g2v1 (2 = with time)
};

struct AnalogInputConfig {
  EventClass event_class = EventClass::kClass2;
  double deadband = 0.0;              // |new - last reported| must exceed this to make an event
  std::uint8_t static_variation = 5;  // g30v5 float with flag (1, 2, 3, 4, 5, 6)
  std::uint8_t event_variation = 5;   // g32v5 float (1, 2, 5, 6)
};

struct CounterConfig {
  EventClass event_class = EventClass::kClass3;
  std::uint32_t deadband = 0;
  std::uint8_t static_variation = 1;  // g20v1 (5 = without flag)
};

struct BinaryOutputConfig {
  std::uint8_t static_variation = 2;  // g10v2
};

struct AnalogOutputConfig {
  std::uint8_t static_variation = 1;  // g40v1 (1..4)
};

template <typename Value, typename Config>
struct PointRecord {
  Value value;
  Config config;
  Value last_event;  // value the last event reported (deadband reference)
};

using BinaryInputRecord = PointRecord<Binary, BinaryInputConfig>;
using AnalogInputRecord = PointRecord<Analog, AnalogInputConfig>;
using CounterRecord = PointRecord<Counter, CounterConfig>;
using BinaryOutputRecord = PointRecord<Binary, BinaryOutputConfig>;
using AnalogOutputRecord = PointRecord<Analog, AnalogOutputConfig>;

class PointDatabase {
 public:
  explicit PointDatabase(std::size_t events_per_class = 100) : events_(events_per_class) {}

  // Adding a point that exists replaces its configuration and value. Throws Dnp3Error(kBadRange)
  // for a variation the point type cannot be reported with.
  void add_binary_input(std::uint16_t index, BinaryInputConfig config = {}, Binary initial = {});
  void add_analog_input(std::uint16_t index, AnalogInputConfig config = {}, Analog initial = {});
  void add_counter(std::uint16_t index, CounterConfig config = {}, Counter initial = {});
  void add_binary_output(std::uint16_t index, BinaryOutputConfig config = {}, Binary initial = {});
  void add_analog_output(std::uint16_t index, AnalogOutputConfig config = {}, Analog initial = {});

  // Each returns true when the update created an event. Throws Dnp3Error(kBadRange) for an
  // index that was never added.
  bool update_binary_input(std::uint16_t index, Binary value, std::uint64_t now_ms = 0);
  bool update_analog_input(std::uint16_t index, Analog value);
  bool update_counter(std::uint16_t index, Counter value);
  void update_binary_output(std::uint16_t index, Binary value);
  void update_analog_output(std::uint16_t index, Analog value);

  const std::map<std::uint16_t, BinaryInputRecord>& binary_inputs() const { return bi_; }
  const std::map<std::uint16_t, AnalogInputRecord>& analog_inputs() const { return ai_; }
  const std::map<std::uint16_t, CounterRecord>& counters() const { return ctr_; }
  const std::map<std::uint16_t, BinaryOutputRecord>& binary_outputs() const { return bo_; }
  const std::map<std::uint16_t, AnalogOutputRecord>& analog_outputs() const { return ao_; }

  EventBuffer& events() noexcept { return events_; }
  const EventBuffer& events() const noexcept { return events_; }

 private:
  std::map<std::uint16_t, BinaryInputRecord> bi_;
  std::map<std::uint16_t, AnalogInputRecord> ai_;
  std::map<std::uint16_t, CounterRecord> ctr_;
  std::map<std::uint16_t, BinaryOutputRecord> bo_;
  std::map<std::uint16_t, AnalogOutputRecord> ao_;
  EventBuffer events_;
};

}  // namespace ems::protocols::dnp3
