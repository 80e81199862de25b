#pragma once
// DBC signal packing and unpacking (pure), as bound by the contract's `can` binding
// (`start_bit`, `length`, `byte_order`, `signed`, `scale`, `offset`).
//
// Bit numbering is the DBC (Vector CANdb++) one: payload bit b is bit (b % 8) of byte (b / 8),
// bit 0 being the least significant bit of a byte. So bit 0 = byte 0 LSB, bit 7 = byte 0 MSB,
// bit 8 = byte 1 LSB.
//   little_endian (Intel, "@1"): start_bit is the signal's least significant bit; the signal
//     runs towards higher bit numbers (into the next byte's low bits).
//   big_endian (Motorola, "@0"): start_bit is the signal's most significant bit, as written in
//     the DBC file; the signal runs towards lower bit numbers within that byte and continues at
//     bit 7 of the next byte ("sawtooth"). E.g. `SG_ T : 0|12@0-` occupies byte 0 bit 0 (MSB),
//     all of byte 1 and bits 7..5 of byte 2.
// engineering = raw * scale + offset, raw sign-extended when `is_signed`. Writes round to the
// nearest raw integer and reject values whose raw does not fit `length` bits (or the optional
// DBC [minimum|maximum]).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ems::protocols::can {

enum class ByteOrder { kLittleEndian, kBigEndian };

// Contract spellings "little_endian" | "big_endian".
std::string_view to_string(ByteOrder order) noexcept;
std::optional<ByteOrder> parse_byte_order(std::string_view s) noexcept;

struct DbcSignal {
  std::uint16_t start_bit = 0;
  std::uint16_t length = 1;  // 1..64
  ByteOrder byte_order = ByteOrder::kLittleEndian;
  bool is_signed = false;
  double scale = 1.0;
  double offset = 0.0;
  std::optional<double> minimum;  // engineering limits checked by encode_signal, if set
  std::optional<double> maximum;
};

// Throws CanError(kInvalidSignal) for length 0 or > 64, start_bit > 63, a signal running out
// of the 8-byte payload, or a zero/non-finite scale.
void validate(const DbcSignal& signal);
// Number of payload bytes the signal touches (from byte 0): the minimum dlc it needs.
std::size_t bytes_needed(const DbcSignal& signal);

// Raw bits (unsigned, right-aligned). The payload must hold bytes_needed() bytes, else
// CanError(kInvalidSignal) naming the dlc.
std::uint64_t extract_raw(std::span<const std::uint8_t> payload, const DbcSignal& signal);
// Writes the low `length` bits of `raw` into the payload, leaving every other bit untouched.
void insert_raw(std::span<std::uint8_t> payload, const DbcSignal& signal, std::uint64_t raw);

// Payload -> engineering value.
double decode_signal(std::span<const std::uint8_t> payload, const DbcSignal& signal);
// Engineering value -> payload bits (rounded, range-checked: CanError(kOutOfRange)).
void encode_signal(std::span<std::uint8_t> payload, const DbcSignal& signal, double engineering);

}  // namespace ems::protocols::can
