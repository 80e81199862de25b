#pragma once
// DNP3 object headers and point values (IEEE 1815 clause 4.2.2.7 and the object library).
//
// An ObjectBlock is one object header (group, variation, qualifier, range) plus the points it
// carries. Requests such as READ carry no point data; responses and controls do. Which
// group/variations this library speaks is listed by find_object_type().

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace ems::protocols::dnp3 {

enum class Qualifier : std::uint8_t {
  kStartStop8 = 0x00,
  kStartStop16 = 0x01,
  kAllObjects = 0x06,
  kCount8 = 0x07,
  kCount16 = 0x08,
  kIndexPrefix8Count8 = 0x17,
  kIndexPrefix16Count16 = 0x28,
};

// Quality flags shared by binary, analog and counter points (bit 7 is the binary state).
namespace flags {
inline constexpr std::uint8_t kOnline = 0x01;
inline constexpr std::uint8_t kRestart = 0x02;
inline constexpr std::uint8_t kCommLost = 0x04;
inline constexpr std::uint8_t kRemoteForced = 0x08;
inline constexpr std::uint8_t kLocalForced = 0x10;
inline constexpr std::uint8_t kOverRange = 0x20;  // analog/counter; binary: chatter filter
inline constexpr std::uint8_t kBinaryState = 0x80;
}  // namespace flags

// g1v2, g2v1/v2 (events; v2 adds a time), g10v2.
struct Binary {
  bool value = false;
  std::uint8_t flags = flags::kOnline;  // without the state bit; encoders add it from `value`
  std::optional<std::uint64_t> time_ms =
      std::nullopt;  // ms since 1970-01-01 UTC, event variations with time
  bool operator==(const Binary&) const = default;
};

// g30 (static), g32 (events), g40 (output status). Integer variations round to nearest and clamp,
// setting kOverRange when the value does not fit.
struct Analog {
  double value = 0.0;
  std::uint8_t flags = flags::kOnline;
  bool operator==(const Analog&) const = default;
};

// g20 (static) and g22 (events).
struct Counter {
  std::uint32_t value = 0;
  std::uint8_t flags = flags::kOnline;
  bool operator==(const Counter&) const = default;
};

// Control relay output block, g12v1.
enum class OpType : std::uint8_t {
  kNul = 0,
  kPulseOn = 1,
  kPulseOff = 2,
  kLatchOn = 3,
  kLatchOff = 4
};
enum class TripClose : std::uint8_t { kNul = 0, kClose = 1, kTrip = 2 };

// Command status codes (IEEE 1815 table 11-1), carried by g12 and g41 in responses.
enum class CommandStatus : std::uint8_t {
  kSuccess = 0,
  kTimeout = 1,   // operate arrived after the select timed out
  kNoSelect = 2,  // operate without a matching select
  kFormatError = 3,
  kNotSupported = 4,
  kAlreadyActive = 5,
  kHardwareError = 6,
  kLocal = 7,
  kTooManyOps = 8,
  kNotAuthorized = 9,
};
std::string_view to_string(CommandStatus status) noexcept;

struct Crob {
  std::uint8_t control_code = 0;  // bits 0-3 OpType, bit 4 queue, bit 5 clear, bits 6-7 TripClose
  std::uint8_t count = 1;
  std::uint32_t on_time_ms = 0;
  std::uint32_t off_time_ms = 0;
  CommandStatus status = CommandStatus::kSuccess;

  OpType op_type() const noexcept { return static_cast<OpType>(control_code & 0x0FU); }
  TripClose trip_close() const noexcept { return static_cast<TripClose>(control_code >> 6); }
  static Crob latch(bool on) noexcept;
  bool operator==(const Crob&) const = default;
};

// Analog output block, g41v1 (int32), v2 (int16), v3 (float32), v4 (float64).
struct AnalogOutput {
  double value = 0.0;
  CommandStatus status = CommandStatus::kSuccess;
  bool operator==(const AnalogOutput&) const = default;
};

// One bit of a packed-bit object such as g80v1 (internal indications).
struct PackedBit {
  bool value = false;
  bool operator==(const PackedBit&) const = default;
};

// monostate = a header-only entry (an index named by a READ with an index-prefix qualifier).
using ObjectValue =
    std::variant<std::monostate, Binary, Analog, Counter, Crob, AnalogOutput, PackedBit>;

struct Point {
  std::uint16_t index = 0;
  ObjectValue value{};
  bool operator==(const Point&) const = default;
};

// How the bytes of one object are laid out; decides the encoder and decoder used.
enum class Layout : std::uint8_t {
  kNone,               // class data (g60): header only
  kBinaryFlags,        // flags byte with state in bit 7
  kBinaryFlagsTime,    // flags byte + 48-bit time
  kPackedBits,         // one bit per point
  kCounterFlags32,     // flags + uint32
  kCounter32,          // uint32
  kAnalogFlags32,      // flags + int32
  kAnalogFlags16,      // flags + int16
  kAnalog32,           // int32
  kAnalog16,           // int16
  kAnalogFlagsFloat,   // flags + float32
  kAnalogFlagsDouble,  // flags + float64
  kCrob,               // code, count, on, off, status
  kAoInt32,            // int32 + status
  kAoInt16,            // int16 + status
  kAoFloat,            // float32 + status
  kAoDouble,           // float64 + status
};

struct ObjectType {
  std::uint8_t group;
  std::uint8_t variation;
  Layout layout;
  std::uint8_t size;  // bytes per object; 0 for kNone and kPackedBits
  std::string_view name;
};

// The group/variation pairs this library encodes and decodes; nullptr otherwise.
const ObjectType* find_object_type(std::uint8_t group, std::uint8_t variation) noexcept;

// Groups a READ may name with variation 0 ("any variation") or class data.
bool is_known_group(std::uint8_t group) noexcept;

struct ObjectBlock {
  std::uint8_t group = 0;
  std::uint8_t variation = 0;
  Qualifier qualifier = Qualifier::kAllObjects;
  std::uint16_t start = 0;    // range qualifiers
  std::uint16_t stop = 0;     // range qualifiers
  std::uint16_t count = 0;    // count and index-prefix qualifiers
  std::vector<Point> points;  // empty for header-only blocks

  // Number of objects the header announces (0 for kAllObjects).
  std::size_t announced() const noexcept;

  // Header-only blocks, as sent in READ requests.
  static ObjectBlock all(std::uint8_t group, std::uint8_t variation);
  static ObjectBlock range(std::uint8_t group, std::uint8_t variation, std::uint16_t start,
                           std::uint16_t stop);
  static ObjectBlock limited(std::uint8_t group, std::uint8_t variation, std::uint16_t count);
  // Blocks with data: contiguous points get a start-stop range, the others index prefixes.
  // The points must be sorted by index for the range form; Throws Dnp3Error(kBadRange) if empty.
  static ObjectBlock ranged(std::uint8_t group, std::uint8_t variation, std::vector<Point> points);
  static ObjectBlock indexed(std::uint8_t group, std::uint8_t variation, std::vector<Point> points);

  bool operator==(const ObjectBlock&) const = default;
};

}  // namespace ems::protocols::dnp3
