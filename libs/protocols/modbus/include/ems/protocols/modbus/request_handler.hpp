#pragma once
// Server-side Modbus logic without sockets: one request PDU in, one response PDU out (a normal
// response or an exception response, function | 0x80). Serves FC1-6, 15 and 16 from a
// RegisterBank; anything else is ILLEGAL_FUNCTION.
//
// Writes are offered to the WriteCallback before they are stored, so the site model can react
// (e.g. start a breaker operation) or refuse them with an exception code (e.g.
// ILLEGAL_DATA_VALUE for a setpoint outside the device's range). The callback runs without any
// lock held and may call the RegisterBank setters.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "ems/protocols/modbus/error.hpp"
#include "ems/protocols/modbus/register_bank.hpp"
#include "ems/protocols/modbus/table.hpp"

namespace ems::protocols::modbus {

struct WriteRequest {
  std::uint8_t unit = 0;
  FunctionCode function = FunctionCode::kWriteSingleRegister;
  std::uint16_t address = 0;
  std::vector<std::uint16_t> values;  // registers, or 0/1 per coil for FC5/FC15
};

// Returns ExceptionCode::kNone to accept the write.
using WriteCallback = std::function<ExceptionCode(const WriteRequest&)>;

class RequestHandler {
 public:
  explicit RequestHandler(RegisterBank& bank, WriteCallback on_write = {})
      : bank_(bank), on_write_(std::move(on_write)) {}

  // Unknown unit ids get GATEWAY_TARGET_FAILED_TO_RESPOND (0x0B), as a gateway would answer.
  std::vector<std::uint8_t> handle(std::uint8_t unit, std::span<const std::uint8_t> pdu) const;

 private:
  std::vector<std::uint8_t> read_bits(std::uint8_t unit, Table table,
                                      std::span<const std::uint8_t> pdu) const;
  std::vector<std::uint8_t> read_registers(std::uint8_t unit, Table table,
                                           std::span<const std::uint8_t> pdu) const;
  std::vector<std::uint8_t> write(std::uint8_t unit, std::span<const std::uint8_t> pdu) const;

  RegisterBank& bank_;
  WriteCallback on_write_;
};

std::vector<std::uint8_t> exception_response(std::uint8_t function, ExceptionCode code);

}  // namespace ems::protocols::modbus
