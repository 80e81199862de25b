#pragma once
// Test helper: a ModbusServer on an ephemeral loopback port with a small register map on unit 1,
// and a client config pointing at it.

#include "ems/protocols/modbus/client.hpp"
#include "ems/protocols/modbus/server.hpp"

namespace ems::protocols::modbus::test {

struct LoopbackSite {
  LoopbackSite() {
    const std::uint16_t holding[] = {10, 11, 12, 13, 14, 15, 16, 17};
    server.set_holding(1, 0, holding);
    server.set_input(1, 0, holding);
    const bool coils[] = {true, false, true, false};
    server.set_coils(1, 0, coils);
    server.set_discrete(1, 0, coils);
    server.start();
  }
  ModbusClientConfig client_config(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) const {
    return ModbusClientConfig{"127.0.0.1", server.port(), 1, timeout};
  }
  ModbusServer server{ModbusServerConfig{"127.0.0.1", 0, 32}};
};

}  // namespace ems::protocols::modbus::test
