#include "ems/protocols/modbus/value_codec.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "ems/protocols/modbus/error.hpp"

namespace ems::protocols::modbus {
namespace {

constexpr DataType kAllTypes[] = {DataType::kInt16,  DataType::kUint16, DataType::kInt32,
                                  DataType::kUint32, DataType::kInt64,  DataType::kFloat32};

// Registers in significance order (most significant first) regardless of the word order.
std::uint64_t gather(std::span<const std::uint16_t> regs, WordOrder order) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < regs.size(); ++i) {
    const std::size_t at = order == WordOrder::kHighLow ? i : regs.size() - 1 - i;
    v = (v << 16) | regs[at];
  }
  return v;
}

std::vector<std::uint16_t> scatter(std::uint64_t v, std::size_t n, WordOrder order) {
  std::vector<std::uint16_t> regs(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto word = static_cast<std::uint16_t>(v >> (16 * (n - 1 - i)));
    regs[order == WordOrder::kHighLow ? i : n - 1 - i] = word;
  }
  return regs;
}

void check_size(std::span<const std::uint16_t> regs, DataType type) {
  if (regs.size() != register_count(type)) {
    throw ModbusError(ErrorKind::kInvalidArgument, std::string(to_string(type)) + " needs " +
                                                       std::to_string(register_count(type)) +
                                                       " registers, got " +
                                                       std::to_string(regs.size()));
  }
}

struct Limits {
  double min;
  double max;  // inclusive, as doubles: int64's max is handled by an exclusive 2^63 bound
};

Limits limits(DataType type) {
  switch (type) {
    case DataType::kInt16:
      return {-32768.0, 32767.0};
    case DataType::kUint16:
      return {0.0, 65535.0};
    case DataType::kInt32:
      return {-2147483648.0, 2147483647.0};
    case DataType::kUint32:
      return {0.0, 4294967295.0};
    case DataType::kInt64:
      return {-9223372036854775808.0, 9223372036854775807.0};
    case DataType::kFloat32:
      return {-std::numeric_limits<float>::max(), std::numeric_limits<float>::max()};
  }
  return {0, 0};
}

double pow10(int e) {
  double r = 1.0;
  for (int i = 0; i < std::abs(e); ++i) r *= 10.0;
  return e < 0 ? 1.0 / r : r;
}

}  // namespace

std::string_view to_string(DataType type) noexcept {
  switch (type) {
    case DataType::kInt16:
      return "int16";
    case DataType::kUint16:
      return "uint16";
    case DataType::kInt32:
      return "int32";
    case DataType::kUint32:
      return "uint32";
    case DataType::kInt64:
      return "int64";
    case DataType::kFloat32:
      return "float32";
  }
  return "uint16";
}

std::string_view to_string(WordOrder order) noexcept {
  return order == WordOrder::kHighLow ? "high_low" : "low_high";
}

std::optional<DataType> parse_data_type(std::string_view s) noexcept {
  for (DataType t : kAllTypes)
    if (to_string(t) == s) return t;
  return std::nullopt;
}

std::optional<WordOrder> parse_word_order(std::string_view s) noexcept {
  if (s == "high_low") return WordOrder::kHighLow;
  if (s == "low_high") return WordOrder::kLowHigh;
  return std::nullopt;
}

std::size_t register_count(DataType type) noexcept {
  switch (type) {
    case DataType::kInt16:
    case DataType::kUint16:
      return 1;
    case DataType::kInt32:
    case DataType::kUint32:
    case DataType::kFloat32:
      return 2;
    case DataType::kInt64:
      return 4;
  }
  return 1;
}

std::int64_t decode_integer(std::span<const std::uint16_t> regs, DataType type, WordOrder order) {
  if (type == DataType::kFloat32) {
    throw ModbusError(ErrorKind::kInvalidArgument, "decode_integer called for float32");
  }
  check_size(regs, type);
  const std::uint64_t v = gather(regs, order);
  switch (type) {
    case DataType::kInt16:
      return static_cast<std::int16_t>(v);
    case DataType::kUint16:
      return static_cast<std::uint16_t>(v);
    case DataType::kInt32:
      return static_cast<std::int32_t>(v);
    case DataType::kUint32:
      return static_cast<std::uint32_t>(v);
    case DataType::kInt64:
      return static_cast<std::int64_t>(v);
    case DataType::kFloat32:
      break;
  }
  return 0;
}

float decode_float32(std::span<const std::uint16_t> regs, WordOrder order) {
  check_size(regs, DataType::kFloat32);
  return std::bit_cast<float>(static_cast<std::uint32_t>(gather(regs, order)));
}

double decode_raw(std::span<const std::uint16_t> regs, DataType type, WordOrder order) {
  if (type == DataType::kFloat32) return decode_float32(regs, order);
  return static_cast<double>(decode_integer(regs, type, order));
}

std::vector<std::uint16_t> encode_integer(std::int64_t raw, DataType type, WordOrder order) {
  if (type == DataType::kFloat32) return encode_float32(static_cast<float>(raw), order);
  const Limits l = limits(type);
  // int64 always fits; for the narrower types the limits are exact in double.
  if (type != DataType::kInt64 &&
      (static_cast<double>(raw) < l.min || static_cast<double>(raw) > l.max)) {
    throw ModbusError(ErrorKind::kOutOfRange, "raw value " + std::to_string(raw) + " outside " +
                                                  std::string(to_string(type)) + " range");
  }
  return scatter(static_cast<std::uint64_t>(raw), register_count(type), order);
}

std::vector<std::uint16_t> encode_float32(float raw, WordOrder order) {
  return scatter(std::bit_cast<std::uint32_t>(raw), 2, order);
}

int sunspec_exponent(std::uint16_t sf_register) {
  if (sf_register == 0x8000) {
    throw ModbusError(ErrorKind::kOutOfRange,
                      "SunSpec scale factor is 0x8000 (not implemented by the device)");
  }
  const auto sf = static_cast<std::int16_t>(sf_register);
  if (sf < -10 || sf > 10) {
    throw ModbusError(ErrorKind::kOutOfRange,
                      "SunSpec scale factor " + std::to_string(sf) + " outside -10..10");
  }
  return sf;
}

bool sunspec_not_implemented(std::span<const std::uint16_t> regs, DataType type, WordOrder order) {
  if (type == DataType::kFloat32) return std::isnan(decode_float32(regs, order));
  check_size(regs, type);
  const std::uint64_t v = gather(regs, order);
  switch (type) {
    case DataType::kInt16:
      return v == 0x8000;
    case DataType::kUint16:
      return v == 0xFFFF;
    case DataType::kInt32:
      return v == 0x80000000;
    case DataType::kUint32:
      return v == 0xFFFFFFFF;
    case DataType::kInt64:
      return v == 0x8000000000000000;
    case DataType::kFloat32:
      break;
  }
  return false;
}

double decode_value(std::span<const std::uint16_t> regs, const ValueFormat& format,
                    std::optional<std::uint16_t> sunspec_sf) {
  const double sf = sunspec_sf ? pow10(sunspec_exponent(*sunspec_sf)) : 1.0;
  return decode_raw(regs, format.type, format.word_order) * sf * format.scale + format.offset;
}

std::vector<std::uint16_t> encode_value(double engineering, const ValueFormat& format,
                                        std::optional<std::uint16_t> sunspec_sf) {
  const double sf = sunspec_sf ? pow10(sunspec_exponent(*sunspec_sf)) : 1.0;
  if (format.scale == 0.0 || !std::isfinite(format.scale)) {
    throw ModbusError(ErrorKind::kInvalidArgument, "scale must be finite and non-zero");
  }
  if (!std::isfinite(engineering)) {
    throw ModbusError(ErrorKind::kOutOfRange, "value is not a finite number");
  }
  double raw = (engineering - format.offset) / (format.scale * sf);
  if (format.type != DataType::kFloat32) raw = std::round(raw);
  const Limits l = limits(format.type);
  // 2^63 is exactly representable; the int64 maximum is not, so compare exclusively there.
  const bool too_big = format.type == DataType::kInt64 ? raw >= 9223372036854775808.0 : raw > l.max;
  if (!std::isfinite(raw) || raw < l.min || too_big) {
    throw ModbusError(ErrorKind::kOutOfRange,
                      "value " + std::to_string(engineering) + " gives raw " + std::to_string(raw) +
                          ", outside the " + std::string(to_string(format.type)) + " range");
  }
  if (format.type == DataType::kFloat32) {
    return encode_float32(static_cast<float>(raw), format.word_order);
  }
  return encode_integer(static_cast<std::int64_t>(raw), format.type, format.word_order);
}

double decode_bit(bool bit) noexcept {
  return bit ? 1.0 : 0.0;
}

bool encode_bit(double engineering) {
  if (engineering == 0.0) return false;
  if (engineering == 1.0) return true;
  throw ModbusError(ErrorKind::kOutOfRange,
                    "coil value must be 0 or 1, got " + std::to_string(engineering));
}

std::vector<std::uint8_t> pack_bits(std::span<const bool> bits) {
  std::vector<std::uint8_t> bytes((bits.size() + 7) / 8, 0);
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) bytes[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
  }
  return bytes;
}

std::vector<bool> unpack_bits(std::span<const std::uint8_t> bytes, std::size_t count) {
  if (bytes.size() * 8 < count) {
    throw ModbusError(
        ErrorKind::kInvalidArgument,
        std::to_string(bytes.size()) + " bytes cannot hold " + std::to_string(count) + " bits");
  }
  std::vector<bool> bits(count);
  for (std::size_t i = 0; i < count; ++i) bits[i] = (bytes[i / 8] >> (i % 8)) & 1u;
  return bits;
}

}  // namespace ems::protocols::modbus
