// Fuzzes DBC signal decoding and encoding with arbitrary signal definitions and payloads:
// invalid definitions must be rejected by CanError, never crash; for valid ones, encoding the
// raw value we extracted and extracting it again must give the same bits and leave all other
// payload bits untouched.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "ems/protocols/can/dbc_signal.hpp"
#include "ems/protocols/can/error.hpp"

using namespace ems::protocols::can;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  DbcSignal s;
  s.start_bit = data[0];
  s.length = data[1];
  s.byte_order = (data[2] & 1) ? ByteOrder::kBigEndian : ByteOrder::kLittleEndian;
  s.is_signed = (data[2] & 2) != 0;
  s.scale = (data[2] & 4) ? 0.5 : 1.0;
  s.offset = static_cast<std::int8_t>(data[3]);
  const std::size_t dlc = data[4] % 9;
  std::array<std::uint8_t, 8> payload{};
  std::memcpy(payload.data(), data + 5, std::min<std::size_t>(size - 5, 8));
  const std::span<std::uint8_t> frame(payload.data(), dlc);
  try {
    const std::uint64_t raw = extract_raw(frame, s);
    const double value = decode_signal(frame, s);
    std::array<std::uint8_t, 8> copy = payload;
    insert_raw(std::span<std::uint8_t>(copy.data(), dlc), s, raw);
    if (copy != payload) std::abort();  // writing back what we read changes nothing
    if (s.length <= 52) {               // exact in a double: encode must reproduce the raw
      std::array<std::uint8_t, 8> zeroed{};
      encode_signal(std::span<std::uint8_t>(zeroed.data(), dlc), s, value);
      if (extract_raw(std::span<const std::uint8_t>(zeroed.data(), dlc), s) != raw) std::abort();
    }
  } catch (const CanError&) {
    // invalid signal for this dlc, or out of range: rejected cleanly
  }
  return 0;
}
