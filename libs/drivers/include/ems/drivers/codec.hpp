#pragma once
// Typed contract bindings -> the protocol libraries' own codec types, in one place, for the
// drivers (client side) and for anyone serving the same bindings (the fixtures' servers).
// Pure functions; thread-compatible.

#include "ems/contract/binding.hpp"
#include "ems/protocols/can/dbc_signal.hpp"
#include "ems/protocols/modbus/table.hpp"
#include "ems/protocols/modbus/value_codec.hpp"
#include "ems/protocols/snmp/security.hpp"
#include "ems/runtime/secrets.hpp"

namespace ems::drivers {

// data_type, word_order, scale and offset of a register binding.
protocols::modbus::ValueFormat modbus_format(const contract::ModbusBinding& b) noexcept;
// The table a binding's function code addresses: 1 and 5/15 coils, 2 discrete inputs, 3 and
// 6/16 holding registers, 4 input registers.
protocols::modbus::Table modbus_table(const contract::ModbusBinding& b) noexcept;

// start_bit, length, byte_order, signed, scale and offset of a CAN signal binding.
protocols::can::DbcSignal dbc_signal(const contract::CanBinding& b) noexcept;

// The USM user of a v3 secrets entry (name, auth and priv protocols and passwords), for the
// client and for an agent serving that user. Throws DriverError(config) for a v2c entry or a
// protocol the snmp library does not offer (the message never holds a password).
protocols::snmp::UsmUser usm_user(const runtime::SnmpSecret& secret);

}  // namespace ems::drivers
