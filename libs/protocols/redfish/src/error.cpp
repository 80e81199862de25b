#include "ems/protocols/redfish/error.hpp"

namespace ems::protocols::redfish {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::connection:
      return "connection";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::tls:
      return "tls";
    case ErrorKind::http_status:
      return "http_status";
    case ErrorKind::unauthorized:
      return "unauthorized";
    case ErrorKind::invalid_json:
      return "invalid_json";
    case ErrorKind::missing_pointer:
      return "missing_pointer";
    case ErrorKind::not_scalar:
      return "not_scalar";
    case ErrorKind::invalid_argument:
      return "invalid_argument";
  }
  return "connection";
}

}  // namespace ems::protocols::redfish
