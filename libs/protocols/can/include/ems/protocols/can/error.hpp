#pragma once
// The one error type of the CAN library: a machine-readable kind (for metrics, retries and
// tests) and a message naming what went wrong (for logs).

#include <stdexcept>
#include <string>
#include <string_view>

namespace ems::protocols::can {

enum class ErrorKind {
  kInvalidFrame,   // id/dlc outside CAN 2.0 limits
  kInvalidSignal,  // DBC signal definition that cannot be placed in 8 bytes, or needs more
                   // bytes than the frame carries
  kOutOfRange,     // engineering value does not fit the signal
  kProtocol,       // malformed or unexpected socketcand message
  kTimeout,        // nothing within the deadline
  kConnection,     // connect/send/receive failed or the peer closed
  kUnavailable,    // transport not available on this host (e.g. kernel without SocketCAN)
};

std::string_view to_string(ErrorKind kind) noexcept;

class CanError : public std::runtime_error {
 public:
  CanError(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace ems::protocols::can
