// Fuzzes what a Modbus TCP server parses from the network: the MBAP stream decoder and the
// request handler behind it. ModbusError is the only failure allowed; every response PDU must
// be non-empty and echo the request's function code (or its exception form).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "ems/protocols/modbus/error.hpp"
#include "ems/protocols/modbus/mbap.hpp"
#include "ems/protocols/modbus/register_bank.hpp"
#include "ems/protocols/modbus/request_handler.hpp"

using namespace ems::protocols::modbus;

namespace {
RegisterBank& bank() {
  static RegisterBank* b = [] {
    auto* bank = new RegisterBank();
    std::vector<std::uint16_t> regs(200, 0x1234);
    static const bool bits[200] = {true, false, true};
    bank->set_registers(1, Table::kHoldingRegisters, 0, regs);
    bank->set_registers(1, Table::kInputRegisters, 0, regs);
    bank->set_bits(1, Table::kCoils, 0, bits);
    bank->set_bits(1, Table::kDiscreteInputs, 0, bits);
    return bank;
  }();
  return *b;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  RequestHandler handler(bank(), [](const WriteRequest& w) {
    return w.address > 150 ? ExceptionCode::kIllegalDataValue : ExceptionCode::kNone;
  });
  MbapDecoder decoder;
  // Feed in two chunks to exercise reassembly across reads.
  const std::size_t half = size / 2;
  try {
    decoder.feed({data, half});
    decoder.feed({data + half, size - half});
    while (auto adu = decoder.next()) {
      if (adu->pdu.empty()) continue;
      auto response = handler.handle(adu->header.unit_id, adu->pdu);
      if (response.empty()) std::abort();
      if ((response[0] & 0x7F) != (adu->pdu[0] & 0x7F)) std::abort();
    }
  } catch (const ModbusError&) {
  }
  return 0;
}
