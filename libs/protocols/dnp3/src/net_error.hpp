#pragma once
// ems_protocols_net reports NetError; the DNP3 library's callers only know Dnp3Error. This maps
// one to the other at the library boundary, keeping the message (it names the peer and errno).

#include "ems/protocols/dnp3/error.hpp"
#include "ems/protocols/net/net_error.hpp"

namespace ems::protocols::dnp3::detail {

inline Dnp3Error to_dnp3_error(const net::NetError& e) {
  return Dnp3Error(
      e.kind() == net::NetErrorKind::kTimeout ? ErrorKind::kTimeout : ErrorKind::kConnection,
      e.what());
}

}  // namespace ems::protocols::dnp3::detail
