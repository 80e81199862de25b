#include "ems/protocols/can/dbc_signal.hpp"

#include <cmath>
#include <string>

#include "ems/protocols/can/error.hpp"

namespace ems::protocols::can {
namespace {

// Motorola signals are easiest in "sawtooth" order: position p = 8 * byte + (7 - bit), so a
// big-endian signal occupies consecutive positions msb .. msb + length - 1.
unsigned motorola_msb_position(unsigned start_bit) {
  return 8 * (start_bit / 8) + (7 - start_bit % 8);
}

// The payload bit holding signal bit k (k = 0 is the least significant bit of the raw value).
unsigned payload_bit(const DbcSignal& s, unsigned k) {
  if (s.byte_order == ByteOrder::kLittleEndian) return s.start_bit + k;
  const unsigned position = motorola_msb_position(s.start_bit) + (s.length - 1 - k);
  return 8 * (position / 8) + (7 - position % 8);
}

void check_payload(std::size_t size, const DbcSignal& s) {
  validate(s);
  const std::size_t need = bytes_needed(s);
  if (size < need) {
    throw CanError(ErrorKind::kInvalidSignal,
                   "signal at bit " + std::to_string(s.start_bit) + " length " +
                       std::to_string(s.length) + " needs " + std::to_string(need) +
                       " data bytes, frame has dlc " + std::to_string(size));
  }
}

}  // namespace

std::string_view to_string(ByteOrder order) noexcept {
  return order == ByteOrder::kLittleEndian ? "little_endian" : "big_endian";
}

std::optional<ByteOrder> parse_byte_order(std::string_view s) noexcept {
  if (s == "little_endian") return ByteOrder::kLittleEndian;
  if (s == "big_endian") return ByteOrder::kBigEndian;
  return std::nullopt;
}

void validate(const DbcSignal& s) {
  // Messages are built only on failure: validate runs for every decoded signal.
  auto fail = [&s](const char* why) {
    throw CanError(ErrorKind::kInvalidSignal,
                   "signal " + std::to_string(s.start_bit) + "|" + std::to_string(s.length) +
                       (s.byte_order == ByteOrder::kLittleEndian ? "@1" : "@0") + ": " + why);
  };
  if (s.length == 0 || s.length > 64) fail("length must be 1..64");
  if (s.start_bit > 63) fail("start bit must be 0..63");
  const unsigned last = s.byte_order == ByteOrder::kLittleEndian
                            ? s.start_bit + s.length - 1u
                            : motorola_msb_position(s.start_bit) + s.length - 1u;
  if (last > 63) fail("runs past the 8-byte payload");
  if (s.scale == 0.0 || !std::isfinite(s.scale) || !std::isfinite(s.offset)) {
    fail("scale must be finite and non-zero");
  }
}

std::size_t bytes_needed(const DbcSignal& s) {
  std::size_t need = 0;
  // The extreme bytes are those of the least and most significant signal bits.
  for (unsigned k : {0u, s.length - 1u}) {
    need = std::max<std::size_t>(need, payload_bit(s, k) / 8 + 1);
  }
  return need;
}

std::uint64_t extract_raw(std::span<const std::uint8_t> payload, const DbcSignal& s) {
  check_payload(payload.size(), s);
  std::uint64_t raw = 0;
  for (unsigned k = 0; k < s.length; ++k) {
    const unsigned b = payload_bit(s, k);
    raw |= static_cast<std::uint64_t>((payload[b / 8] >> (b % 8)) & 1u) << k;
  }
  return raw;
}

void insert_raw(std::span<std::uint8_t> payload, const DbcSignal& s, std::uint64_t raw) {
  check_payload(payload.size(), s);
  for (unsigned k = 0; k < s.length; ++k) {
    const unsigned b = payload_bit(s, k);
    const auto mask = static_cast<std::uint8_t>(1u << (b % 8));
    if ((raw >> k) & 1u) {
      payload[b / 8] |= mask;
    } else {
      payload[b / 8] &= static_cast<std::uint8_t>(~mask);
    }
  }
}

double decode_signal(std::span<const std::uint8_t> payload, const DbcSignal& s) {
  const std::uint64_t raw = extract_raw(payload, s);
  double value = 0;
  if (s.is_signed && s.length < 64 && ((raw >> (s.length - 1)) & 1u)) {
    value = static_cast<double>(static_cast<std::int64_t>(raw | (~std::uint64_t{0} << s.length)));
  } else if (s.is_signed) {
    value = static_cast<double>(static_cast<std::int64_t>(raw));
  } else {
    value = static_cast<double>(raw);
  }
  return value * s.scale + s.offset;
}

void encode_signal(std::span<std::uint8_t> payload, const DbcSignal& s, double engineering) {
  validate(s);
  const auto what = [engineering] { return "value " + std::to_string(engineering); };
  if (!std::isfinite(engineering)) {
    throw CanError(ErrorKind::kOutOfRange, what() + " is not a finite number");
  }
  if ((s.minimum && engineering < *s.minimum) || (s.maximum && engineering > *s.maximum)) {
    throw CanError(ErrorKind::kOutOfRange, what() + " outside the signal's [" +
                                               std::to_string(s.minimum.value_or(-INFINITY)) + "|" +
                                               std::to_string(s.maximum.value_or(INFINITY)) + "]");
  }
  const double raw = std::round((engineering - s.offset) / s.scale);
  // Raw limits of `length` bits; 2^length is exact in double up to 2^64.
  const double span = std::ldexp(1.0, s.length);
  const double lo = s.is_signed ? -span / 2 : 0.0;
  const double hi_exclusive = s.is_signed ? span / 2 : span;
  if (!(raw >= lo && raw < hi_exclusive)) {
    throw CanError(ErrorKind::kOutOfRange, what() + " gives raw " + std::to_string(raw) +
                                               ", outside " +
                                               (s.is_signed ? "signed " : "unsigned ") +
                                               std::to_string(s.length) + "-bit range");
  }
  const std::uint64_t bits = s.is_signed
                                 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(raw))
                                 : static_cast<std::uint64_t>(raw);
  insert_raw(payload, s, bits);
}

}  // namespace ems::protocols::can
