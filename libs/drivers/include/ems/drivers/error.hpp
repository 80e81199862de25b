#pragma once
// The one error vocabulary of libs/drivers. Every protocol library keeps its own error type
// (ModbusError, SnmpError, Dnp3Error, RedfishError, CanError); each driver maps it onto these
// kinds in exactly one function (libs/drivers/<protocol>/*_driver.cpp: map_error), so a reader
// (gateway, tool, test) handles timeouts, dead links and refusals the same way for every
// protocol.
//
// Messages name the device endpoint and the point or operation; they never carry a secret.

#include <stdexcept>
#include <string>
#include <string_view>

namespace ems::drivers {

enum class ErrorKind {
  timeout,     // the device did not answer within the timeout (or no CAN frame arrived)
  connection,  // the device cannot be reached: refused TCP connect, reset, closed, TLS failure
  refused,     // the device answered and said no: Modbus exception, SNMP error-status or USM
               // rejection, DNP3 IIN2 error or command status, Redfish 4xx but 400 (and 400
               // PropertyNotWritable), a socketcand handshake refused
  protocol,    // the device answered something unusable: malformed frame, wrong varbinds,
               // invalid JSON, a JSON Pointer naming nothing, an SNMP exception value
  bad_value,   // the value does not fit: out of the register/signal range, outside the
               // command's bounds, a raw code without an enum label, a label without a code,
               // a value the device rejected as wrong (SNMP wrongValue, Redfish 400)
  config,      // the connection or binding cannot be used: unknown credentials entry, a
               // binding of another protocol, an invalid OID, SNMPv3 without credentials
};

// "timeout", "connection", "refused", "protocol", "bad_value", "config".
std::string_view to_string(ErrorKind kind) noexcept;

class DriverError : public std::runtime_error {
 public:
  DriverError(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace ems::drivers
