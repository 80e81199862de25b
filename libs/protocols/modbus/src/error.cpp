#include "ems/protocols/modbus/error.hpp"

#include <cstdio>

namespace ems::protocols::modbus {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kOutOfRange:
      return "out_of_range";
    case ErrorKind::kInvalidArgument:
      return "invalid_argument";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kConnection:
      return "connection";
    case ErrorKind::kException:
      return "exception";
    case ErrorKind::kMalformed:
      return "malformed";
  }
  return "unknown";
}

std::string exception_name(std::uint8_t code) {
  switch (static_cast<ExceptionCode>(code)) {
    case ExceptionCode::kNone:
      return "none";
    case ExceptionCode::kIllegalFunction:
      return "illegal_function";
    case ExceptionCode::kIllegalDataAddress:
      return "illegal_data_address";
    case ExceptionCode::kIllegalDataValue:
      return "illegal_data_value";
    case ExceptionCode::kServerDeviceFailure:
      return "server_device_failure";
    case ExceptionCode::kAcknowledge:
      return "acknowledge";
    case ExceptionCode::kServerDeviceBusy:
      return "server_device_busy";
    case ExceptionCode::kMemoryParityError:
      return "memory_parity_error";
    case ExceptionCode::kGatewayPathUnavailable:
      return "gateway_path_unavailable";
    case ExceptionCode::kGatewayTargetFailedToRespond:
      return "gateway_target_failed_to_respond";
  }
  char buf[24];
  std::snprintf(buf, sizeof(buf), "exception_0x%02X", code);
  return buf;
}

ModbusError::ModbusError(ErrorKind kind, const std::string& message, ExceptionCode code)
    : std::runtime_error(message), kind_(kind), code_(code) {}

}  // namespace ems::protocols::modbus
