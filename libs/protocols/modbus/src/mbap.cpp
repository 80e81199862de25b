#include "ems/protocols/modbus/mbap.hpp"

#include <string>

#include "ems/protocols/modbus/error.hpp"

namespace ems::protocols::modbus {

std::vector<std::uint8_t> encode_adu(std::uint16_t transaction_id, std::uint8_t unit_id,
                                     std::span<const std::uint8_t> pdu) {
  if (pdu.empty() || pdu.size() > kMaxPduSize) {
    throw ModbusError(ErrorKind::kInvalidArgument,
                      "PDU of " + std::to_string(pdu.size()) + " bytes (1..253 allowed)");
  }
  const auto length = static_cast<std::uint16_t>(pdu.size() + 1);
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(transaction_id >> 8),
                                static_cast<std::uint8_t>(transaction_id),
                                0,
                                0,
                                static_cast<std::uint8_t>(length >> 8),
                                static_cast<std::uint8_t>(length),
                                unit_id};
  out.insert(out.end(), pdu.begin(), pdu.end());
  return out;
}

void MbapDecoder::feed(std::span<const std::uint8_t> bytes) {
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::optional<Adu> MbapDecoder::next() {
  if (buffer_.size() < kMbapHeaderSize) return std::nullopt;
  MbapHeader h;
  h.transaction_id = static_cast<std::uint16_t>(buffer_[0] << 8 | buffer_[1]);
  h.protocol_id = static_cast<std::uint16_t>(buffer_[2] << 8 | buffer_[3]);
  h.length = static_cast<std::uint16_t>(buffer_[4] << 8 | buffer_[5]);
  h.unit_id = buffer_[6];
  if (h.protocol_id != 0) {
    throw ModbusError(ErrorKind::kMalformed,
                      "MBAP protocol id " + std::to_string(h.protocol_id) + " (expected 0)");
  }
  if (h.length < 2 || h.length > kMaxPduSize + 1) {
    throw ModbusError(ErrorKind::kMalformed,
                      "MBAP length " + std::to_string(h.length) + " outside 2..254");
  }
  const std::size_t total = kMbapHeaderSize - 1 + h.length;
  if (buffer_.size() < total) return std::nullopt;
  Adu adu{h, std::vector<std::uint8_t>(buffer_.begin() + kMbapHeaderSize,
                                       buffer_.begin() + static_cast<std::ptrdiff_t>(total))};
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(total));
  return adu;
}

}  // namespace ems::protocols::modbus
