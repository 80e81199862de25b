#pragma once
// Modbus TCP framing: the 7-byte MBAP header (transaction id, protocol id 0, length of unit id +
// PDU, unit id) in front of every PDU. Used by the server; the client side is libmodbus.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ems::protocols::modbus {

inline constexpr std::size_t kMbapHeaderSize = 7;
inline constexpr std::size_t kMaxPduSize = 253;

struct MbapHeader {
  std::uint16_t transaction_id = 0;
  std::uint16_t protocol_id = 0;
  std::uint16_t length = 0;  // unit id + PDU bytes
  std::uint8_t unit_id = 0;
};

struct Adu {
  MbapHeader header;
  std::vector<std::uint8_t> pdu;
};

std::vector<std::uint8_t> encode_adu(std::uint16_t transaction_id, std::uint8_t unit_id,
                                     std::span<const std::uint8_t> pdu);

// Reassembles ADUs from TCP chunks. A header with protocol id != 0 or a length outside 2..254
// cannot be resynchronised (MBAP has no start marker): next() throws ModbusError(kMalformed) and
// the connection should be closed.
class MbapDecoder {
 public:
  void feed(std::span<const std::uint8_t> bytes);
  std::optional<Adu> next();
  std::size_t buffered() const noexcept { return buffer_.size(); }

 private:
  std::vector<std::uint8_t> buffer_;
};

}  // namespace ems::protocols::modbus
