#include "ems/protocols/modbus/request_handler.hpp"

#include <memory>

#include "ems/protocols/modbus/value_codec.hpp"

namespace ems::protocols::modbus {
namespace {

std::uint16_t be16(std::span<const std::uint8_t> pdu, std::size_t at) {
  return static_cast<std::uint16_t>(pdu[at] << 8 | pdu[at + 1]);
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

}  // namespace

std::vector<std::uint8_t> exception_response(std::uint8_t function, ExceptionCode code) {
  return {static_cast<std::uint8_t>(function | 0x80), static_cast<std::uint8_t>(code)};
}

std::vector<std::uint8_t> RequestHandler::handle(std::uint8_t unit,
                                                 std::span<const std::uint8_t> pdu) const {
  if (pdu.empty()) return exception_response(0, ExceptionCode::kIllegalFunction);
  const std::uint8_t fc = pdu[0];
  if (!bank_.has_unit(unit)) {
    return exception_response(fc, ExceptionCode::kGatewayTargetFailedToRespond);
  }
  switch (static_cast<FunctionCode>(fc)) {
    case FunctionCode::kReadCoils:
      return read_bits(unit, Table::kCoils, pdu);
    case FunctionCode::kReadDiscreteInputs:
      return read_bits(unit, Table::kDiscreteInputs, pdu);
    case FunctionCode::kReadHoldingRegisters:
      return read_registers(unit, Table::kHoldingRegisters, pdu);
    case FunctionCode::kReadInputRegisters:
      return read_registers(unit, Table::kInputRegisters, pdu);
    case FunctionCode::kWriteSingleCoil:
    case FunctionCode::kWriteSingleRegister:
    case FunctionCode::kWriteMultipleCoils:
    case FunctionCode::kWriteMultipleRegisters:
      return write(unit, pdu);
  }
  return exception_response(fc, ExceptionCode::kIllegalFunction);
}

std::vector<std::uint8_t> RequestHandler::read_bits(std::uint8_t unit, Table table,
                                                    std::span<const std::uint8_t> pdu) const {
  if (pdu.size() != 5) return exception_response(pdu[0], ExceptionCode::kIllegalDataValue);
  const std::uint16_t address = be16(pdu, 1);
  const std::uint16_t count = be16(pdu, 3);
  if (count == 0 || count > kMaxReadBits) {
    return exception_response(pdu[0], ExceptionCode::kIllegalDataValue);
  }
  auto bits = bank_.bits(unit, table, address, count);
  if (!bits) return exception_response(pdu[0], ExceptionCode::kIllegalDataAddress);
  std::vector<std::uint8_t> out{pdu[0]};
  // vector<bool> has no contiguous storage; copy into a bool array for pack_bits.
  std::unique_ptr<bool[]> flat(new bool[count]);
  for (std::size_t i = 0; i < count; ++i) flat[i] = (*bits)[i];
  const auto packed = pack_bits(std::span<const bool>(flat.get(), count));
  out.push_back(static_cast<std::uint8_t>(packed.size()));
  out.insert(out.end(), packed.begin(), packed.end());
  return out;
}

std::vector<std::uint8_t> RequestHandler::read_registers(std::uint8_t unit, Table table,
                                                         std::span<const std::uint8_t> pdu) const {
  if (pdu.size() != 5) return exception_response(pdu[0], ExceptionCode::kIllegalDataValue);
  const std::uint16_t address = be16(pdu, 1);
  const std::uint16_t count = be16(pdu, 3);
  if (count == 0 || count > kMaxReadRegisters) {
    return exception_response(pdu[0], ExceptionCode::kIllegalDataValue);
  }
  auto regs = bank_.registers(unit, table, address, count);
  if (!regs) return exception_response(pdu[0], ExceptionCode::kIllegalDataAddress);
  std::vector<std::uint8_t> out{pdu[0], static_cast<std::uint8_t>(count * 2)};
  for (std::uint16_t r : *regs) put16(out, r);
  return out;
}

std::vector<std::uint8_t> RequestHandler::write(std::uint8_t unit,
                                                std::span<const std::uint8_t> pdu) const {
  const std::uint8_t fc = pdu[0];
  const auto function = static_cast<FunctionCode>(fc);
  const bool coils =
      function == FunctionCode::kWriteSingleCoil || function == FunctionCode::kWriteMultipleCoils;
  const bool single =
      function == FunctionCode::kWriteSingleCoil || function == FunctionCode::kWriteSingleRegister;
  WriteRequest request{unit, function, 0, {}};
  std::vector<std::uint8_t> response;
  if (single) {
    if (pdu.size() != 5) return exception_response(fc, ExceptionCode::kIllegalDataValue);
    request.address = be16(pdu, 1);
    const std::uint16_t value = be16(pdu, 3);
    if (coils && value != 0xFF00 && value != 0x0000) {
      return exception_response(fc, ExceptionCode::kIllegalDataValue);
    }
    request.values = {coils ? static_cast<std::uint16_t>(value == 0xFF00) : value};
    response.assign(pdu.begin(), pdu.end());  // single writes echo the request
  } else {
    if (pdu.size() < 6) return exception_response(fc, ExceptionCode::kIllegalDataValue);
    request.address = be16(pdu, 1);
    const std::uint16_t count = be16(pdu, 3);
    const std::size_t byte_count = pdu[5];
    const std::uint16_t cap = coils ? kMaxWriteBits : kMaxWriteRegisters;
    const std::size_t expected_bytes = coils ? (count + 7u) / 8u : count * 2u;
    if (count == 0 || count > cap || byte_count != expected_bytes || pdu.size() != 6 + byte_count) {
      return exception_response(fc, ExceptionCode::kIllegalDataValue);
    }
    for (std::uint16_t i = 0; i < count; ++i) {
      request.values.push_back(coils ? static_cast<std::uint16_t>((pdu[6 + i / 8] >> (i % 8)) & 1u)
                                     : be16(pdu, 6 + 2u * i));
    }
    response.assign(pdu.begin(), pdu.begin() + 5);  // function, address, count
  }
  const auto count = static_cast<std::uint16_t>(request.values.size());
  const bool exists =
      coils ? bank_.bits(unit, Table::kCoils, request.address, count).has_value()
            : bank_.registers(unit, Table::kHoldingRegisters, request.address, count).has_value();
  if (std::size_t{request.address} + count > 65536 || !exists) {
    return exception_response(fc, ExceptionCode::kIllegalDataAddress);
  }
  if (on_write_) {
    const ExceptionCode verdict = on_write_(request);
    if (verdict != ExceptionCode::kNone) return exception_response(fc, verdict);
  }
  if (coils) {
    std::unique_ptr<bool[]> flat(new bool[count]);
    for (std::uint16_t i = 0; i < count; ++i) flat[i] = request.values[i] != 0;
    bank_.set_bits(unit, Table::kCoils, request.address, std::span<const bool>(flat.get(), count));
  } else {
    bank_.set_registers(unit, Table::kHoldingRegisters, request.address, request.values);
  }
  return response;
}

}  // namespace ems::protocols::modbus
