#pragma once
// The error type of ems_protocols_net. A kind (what a caller reacts to) and a message naming the
// peer or address and the errno text (for logs). Protocol libraries translate it into their own
// error type (Dnp3Error, ModbusError, CanError) at their public boundary, keeping the message.

#include <stdexcept>
#include <string>

namespace ems::protocols::net {

enum class NetErrorKind {
  kAddress,     // the host name does not resolve to an IPv4 address
  kConnection,  // socket/bind/listen/connect/send/recv failed
  kTimeout,     // connect did not complete within its deadline
};

class NetError : public std::runtime_error {
 public:
  NetError(NetErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  NetErrorKind kind() const noexcept { return kind_; }

 private:
  NetErrorKind kind_;
};

}  // namespace ems::protocols::net
