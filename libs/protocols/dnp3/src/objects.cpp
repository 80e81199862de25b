#include "ems/protocols/dnp3/objects.hpp"

#include <array>

#include "ems/protocols/dnp3/error.hpp"

namespace ems::protocols::dnp3 {
namespace {

constexpr std::array<ObjectType, 33> kTypes{{
    {1, 2, Layout::kBinaryFlags, 1, "binary input with flags"},
    {2, 1, Layout::kBinaryFlags, 1, "binary input event"},
    {2, 2, Layout::kBinaryFlagsTime, 7, "binary input event with absolute time"},
    {10, 2, Layout::kBinaryFlags, 1, "binary output status with flags"},
    {12, 1, Layout::kCrob, 11, "control relay output block"},
    {20, 1, Layout::kCounterFlags32, 5, "32-bit counter with flag"},
    {20, 5, Layout::kCounter32, 4, "32-bit counter without flag"},
    {22, 1, Layout::kCounterFlags32, 5, "32-bit counter event"},
    {30, 1, Layout::kAnalogFlags32, 5, "32-bit analog input with flag"},
    {30, 2, Layout::kAnalogFlags16, 3, "16-bit analog input with flag"},
    {30, 3, Layout::kAnalog32, 4, "32-bit analog input without flag"},
    {30, 4, Layout::kAnalog16, 2, "16-bit analog input without flag"},
    {30, 5, Layout::kAnalogFlagsFloat, 5, "single-precision analog input with flag"},
    {30, 6, Layout::kAnalogFlagsDouble, 9, "double-precision analog input with flag"},
    {32, 1, Layout::kAnalogFlags32, 5, "32-bit analog input event"},
    {32, 2, Layout::kAnalogFlags16, 3, "16-bit analog input event"},
    {32, 5, Layout::kAnalogFlagsFloat, 5, "single-precision analog input event"},
    {32, 6, Layout::kAnalogFlagsDouble, 9, "double-precision analog input event"},
    {40, 1, Layout::kAnalogFlags32, 5, "32-bit analog output status"},
    {40, 2, Layout::kAnalogFlags16, 3, "16-bit analog output status"},
    {40, 3, Layout::kAnalogFlagsFloat, 5, "single-precision analog output status"},
    {40, 4, Layout::kAnalogFlagsDouble, 9, "double-precision analog output status"},
    {41, 1, Layout::kAoInt32, 5, "32-bit analog output block"},
    {41, 2, Layout::kAoInt16, 3, "16-bit analog output block"},
    {41, 3, Layout::kAoFloat, 5, "single-precision analog output block"},
    {41, 4, Layout::kAoDouble, 9, "double-precision analog output block"},
    {60, 1, Layout::kNone, 0, "class 0 data"},
    {60, 2, Layout::kNone, 0, "class 1 data"},
    {60, 3, Layout::kNone, 0, "class 2 data"},
    {60, 4, Layout::kNone, 0, "class 3 data"},
    {80, 1, Layout::kPackedBits, 0, "internal indications"},
    {1, 1, Layout::kPackedBits, 0, "binary input packed"},
    {10, 1, Layout::kPackedBits, 0, "binary output packed"},
}};

}  // namespace

std::string_view to_string(CommandStatus status) noexcept {
  switch (status) {
    case CommandStatus::kSuccess:
      return "SUCCESS";
    case CommandStatus::kTimeout:
      return "TIMEOUT";
    case CommandStatus::kNoSelect:
      return "NO_SELECT";
    case CommandStatus::kFormatError:
      return "FORMAT_ERROR";
    case CommandStatus::kNotSupported:
      return "NOT_SUPPORTED";
    case CommandStatus::kAlreadyActive:
      return "ALREADY_ACTIVE";
    case CommandStatus::kHardwareError:
      return "HARDWARE_ERROR";
    case CommandStatus::kLocal:
      return "LOCAL";
    case CommandStatus::kTooManyOps:
      return "TOO_MANY_OPS";
    case CommandStatus::kNotAuthorized:
      return "NOT_AUTHORIZED";
  }
  return "UNKNOWN";
}

Crob Crob::latch(bool on) noexcept {
  Crob c;
  c.control_code = static_cast<std::uint8_t>(on ? OpType::kLatchOn : OpType::kLatchOff);
  return c;
}

const ObjectType* find_object_type(std::uint8_t group, std::uint8_t variation) noexcept {
  for (const auto& t : kTypes) {
    if (t.group == group && t.variation == variation) return &t;
  }
  return nullptr;
}

bool is_known_group(std::uint8_t group) noexcept {
  for (const auto& t : kTypes) {
    if (t.group == group) return true;
  }
  return false;
}

std::size_t ObjectBlock::announced() const noexcept {
  switch (qualifier) {
    case Qualifier::kStartStop8:
    case Qualifier::kStartStop16:
      return stop >= start ? std::size_t{stop} - start + 1 : 0;
    case Qualifier::kAllObjects:
      return 0;
    default:
      return count;
  }
}

ObjectBlock ObjectBlock::all(std::uint8_t group, std::uint8_t variation) {
  ObjectBlock b;
  b.group = group;
  b.variation = variation;
  b.qualifier = Qualifier::kAllObjects;
  return b;
}

ObjectBlock ObjectBlock::range(std::uint8_t group, std::uint8_t variation, std::uint16_t start,
                               std::uint16_t stop) {
  if (stop < start) throw Dnp3Error(ErrorKind::kBadRange, "range stop below start");
  ObjectBlock b;
  b.group = group;
  b.variation = variation;
  b.qualifier = stop <= 0xFF ? Qualifier::kStartStop8 : Qualifier::kStartStop16;
  b.start = start;
  b.stop = stop;
  return b;
}

ObjectBlock ObjectBlock::limited(std::uint8_t group, std::uint8_t variation, std::uint16_t count) {
  ObjectBlock b;
  b.group = group;
  b.variation = variation;
  b.qualifier = count <= 0xFF ? Qualifier::kCount8 : Qualifier::kCount16;
  b.count = count;
  return b;
}

ObjectBlock ObjectBlock::ranged(std::uint8_t group, std::uint8_t variation,
                                std::vector<Point> points) {
  if (points.empty()) throw Dnp3Error(ErrorKind::kBadRange, "a data block needs points");
  for (std::size_t i = 1; i < points.size(); ++i) {
    if (points[i].index != points[0].index + i) return indexed(group, variation, std::move(points));
  }
  ObjectBlock b = range(group, variation, points.front().index, points.back().index);
  b.points = std::move(points);
  return b;
}

ObjectBlock ObjectBlock::indexed(std::uint8_t group, std::uint8_t variation,
                                 std::vector<Point> points) {
  if (points.empty()) throw Dnp3Error(ErrorKind::kBadRange, "a data block needs points");
  if (points.size() > 0xFFFF) throw Dnp3Error(ErrorKind::kTooLarge, "more than 65535 points");
  bool small = points.size() <= 0xFF;
  for (const auto& p : points) small = small && p.index <= 0xFF;
  ObjectBlock b;
  b.group = group;
  b.variation = variation;
  b.qualifier = small ? Qualifier::kIndexPrefix8Count8 : Qualifier::kIndexPrefix16Count16;
  b.count = static_cast<std::uint16_t>(points.size());
  b.points = std::move(points);
  return b;
}

}  // namespace ems::protocols::dnp3
