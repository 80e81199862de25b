#pragma once
// ems_protocols_net reports NetError; the Modbus library's callers only know ModbusError. This
// maps one to the other at the library boundary, keeping the message (it names the address and
// errno). An address that does not resolve is a configuration mistake, hence kInvalidArgument.

#include "ems/protocols/modbus/error.hpp"
#include "ems/protocols/net/net_error.hpp"

namespace ems::protocols::modbus::detail {

inline ModbusError to_modbus_error(const net::NetError& e) {
  switch (e.kind()) {
    case net::NetErrorKind::kAddress:
      return ModbusError(ErrorKind::kInvalidArgument, e.what());
    case net::NetErrorKind::kTimeout:
      return ModbusError(ErrorKind::kTimeout, e.what());
    case net::NetErrorKind::kConnection:
      break;
  }
  return ModbusError(ErrorKind::kConnection, e.what());
}

}  // namespace ems::protocols::modbus::detail
