#pragma once
// ems_protocols_net reports NetError; the CAN library's callers only know CanError. This maps
// one to the other at the library boundary, keeping the message (it names the peer and errno).

#include "ems/protocols/can/error.hpp"
#include "ems/protocols/net/net_error.hpp"

namespace ems::protocols::can::detail {

inline CanError to_can_error(const net::NetError& e) {
  return CanError(
      e.kind() == net::NetErrorKind::kTimeout ? ErrorKind::kTimeout : ErrorKind::kConnection,
      e.what());
}

}  // namespace ems::protocols::can::detail
