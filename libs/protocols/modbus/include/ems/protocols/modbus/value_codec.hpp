#pragma once
// Engineering values <-> Modbus registers, as bound by the contract's `modbus_tcp` binding
// (`data_type`, `word_order`, `scale`, `offset`, `scale_factor_address`). Pure functions.
//
// Within a register the byte order is always big-endian (the Modbus wire order); `word_order`
// says which 16-bit register carries the most significant word of a 32/64-bit value:
// high_low = first register is the most significant (Modbus/SunSpec default), low_high = first
// register is the least significant ("word swapped").
//
// engineering = raw * 10^sf * scale + offset, where sf is the SunSpec scale factor (0 when the
// binding has no scale_factor_address). Writes invert it and round to the nearest raw integer
// (half away from zero); a raw value outside the data type's range is a kOutOfRange error rather
// than a silently wrapped register.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ems::protocols::modbus {

enum class DataType { kInt16, kUint16, kInt32, kUint32, kInt64, kFloat32 };
enum class WordOrder { kHighLow, kLowHigh };

// Contract spellings: "int16" ... "float32", "high_low" | "low_high".
std::string_view to_string(DataType type) noexcept;
std::string_view to_string(WordOrder order) noexcept;
std::optional<DataType> parse_data_type(std::string_view s) noexcept;
std::optional<WordOrder> parse_word_order(std::string_view s) noexcept;

// Registers one value of `type` occupies: 1, 2 or 4.
std::size_t register_count(DataType type) noexcept;

struct ValueFormat {
  DataType type = DataType::kUint16;
  WordOrder word_order = WordOrder::kHighLow;
  double scale = 1.0;
  double offset = 0.0;
};

// Raw (unscaled) values. decode_integer throws kInvalidArgument for kFloat32 and for a span
// whose size is not register_count(type).
std::int64_t decode_integer(std::span<const std::uint16_t> regs, DataType type, WordOrder order);
float decode_float32(std::span<const std::uint16_t> regs, WordOrder order);
// Raw value as a double (int64 beyond 2^53 loses precision, like any double).
double decode_raw(std::span<const std::uint16_t> regs, DataType type, WordOrder order);
// Throws kOutOfRange when `raw` does not fit the integer type.
std::vector<std::uint16_t> encode_integer(std::int64_t raw, DataType type, WordOrder order);
std::vector<std::uint16_t> encode_float32(float raw, WordOrder order);

// Validates a SunSpec scale-factor register: an int16 in -10..10. 0x8000 is SunSpec's "not
// implemented" marker. Throws kOutOfRange naming the value otherwise.
int sunspec_exponent(std::uint16_t sf_register);

// True when the registers hold SunSpec's "not implemented" marker for the type: 0x8000 (int16),
// 0xFFFF (uint16), 0x80000000 (int32), 0xFFFFFFFF (uint32), 0x8000000000000000 (int64), NaN
// (float32). The gateway reports such a point as unavailable instead of a number.
bool sunspec_not_implemented(std::span<const std::uint16_t> regs, DataType type, WordOrder order);

// Registers -> engineering value. `sunspec_sf` is the raw scale-factor register, if bound.
double decode_value(std::span<const std::uint16_t> regs, const ValueFormat& format,
                    std::optional<std::uint16_t> sunspec_sf = std::nullopt);
// Engineering value -> registers (rounded, range-checked; NaN/inf are kOutOfRange).
std::vector<std::uint16_t> encode_value(double engineering, const ValueFormat& format,
                                        std::optional<std::uint16_t> sunspec_sf = std::nullopt);

// Coils and discrete inputs: 0.0/1.0 as engineering values. encode_bit accepts exactly 0 or 1.
double decode_bit(bool bit) noexcept;
bool encode_bit(double engineering);

// Wire packing of bit tables (FC1/FC2 responses, FC15 requests): LSB of the first byte is the
// first bit. unpack_bits throws kInvalidArgument if `bytes` holds fewer than `count` bits.
std::vector<std::uint8_t> pack_bits(std::span<const bool> bits);
std::vector<bool> unpack_bits(std::span<const std::uint8_t> bytes, std::size_t count);

}  // namespace ems::protocols::modbus
