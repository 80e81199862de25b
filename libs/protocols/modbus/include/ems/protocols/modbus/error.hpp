#pragma once
// The one error type of the Modbus library.
//
// Every failure carries a machine-readable kind (for metrics, retries and tests) and a message
// naming what went wrong (for logs). A server's exception response carries its exception code.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ems::protocols::modbus {

enum class ErrorKind {
  kOutOfRange,       // engineering value does not fit the register type, or a bad scale factor
  kInvalidArgument,  // count 0 or too large, register span of the wrong size, bad config
  kTimeout,          // no response within the response timeout
  kConnection,       // connect failed, connection reset or closed by the peer
  kException,        // the server answered with a Modbus exception (see exception_code())
  kMalformed,        // the response does not match the request (transaction id, length, ...)
};

std::string_view to_string(ErrorKind kind) noexcept;

// Modbus exception codes (Modbus Application Protocol V1.1b3, section 7).
enum class ExceptionCode : std::uint8_t {
  kNone = 0,
  kIllegalFunction = 0x01,
  kIllegalDataAddress = 0x02,
  kIllegalDataValue = 0x03,
  kServerDeviceFailure = 0x04,
  kAcknowledge = 0x05,
  kServerDeviceBusy = 0x06,
  kMemoryParityError = 0x08,
  kGatewayPathUnavailable = 0x0A,
  kGatewayTargetFailedToRespond = 0x0B,
};

// "illegal_data_address" etc.; "exception_0xNN" for codes outside the specification.
std::string exception_name(std::uint8_t code);

class ModbusError : public std::runtime_error {
 public:
  ModbusError(ErrorKind kind, const std::string& message,
              ExceptionCode code = ExceptionCode::kNone);
  ErrorKind kind() const noexcept { return kind_; }
  // kNone unless kind() is kException.
  ExceptionCode exception_code() const noexcept { return code_; }

 private:
  ErrorKind kind_;
  ExceptionCode code_;
};

}  // namespace ems::protocols::modbus
