#include "ems/protocols/snmp/error.hpp"

#include <array>

namespace ems::protocols::snmp {

std::string error_status_name(int status) {
  static constexpr std::array<std::string_view, 19> kNames = {"noError",
                                                              "tooBig",
                                                              "noSuchName",
                                                              "badValue",
                                                              "readOnly",
                                                              "genErr",
                                                              "noAccess",
                                                              "wrongType",
                                                              "wrongLength",
                                                              "wrongEncoding",
                                                              "wrongValue",
                                                              "noCreation",
                                                              "inconsistentValue",
                                                              "resourceUnavailable",
                                                              "commitFailed",
                                                              "undoFailed",
                                                              "authorizationError",
                                                              "notWritable",
                                                              "inconsistentName"};
  if (status >= 0 && status < static_cast<int>(kNames.size())) return std::string(kNames[status]);
  return "error(" + std::to_string(status) + ")";
}

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::invalid_argument:
      return "invalid_argument";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::malformed_response:
      return "malformed_response";
    case ErrorKind::error_status:
      return "error_status";
    case ErrorKind::authentication:
      return "authentication";
    case ErrorKind::transport:
      return "transport";
    case ErrorKind::type_mismatch:
      return "type_mismatch";
  }
  return "unknown";
}

SnmpError::SnmpError(ErrorKind kind, const std::string& message)
    : std::runtime_error(message), kind_(kind) {}

SnmpError::SnmpError(ErrorStatus status, int index, const std::string& context)
    : std::runtime_error(context + ": agent answered " +
                         error_status_name(static_cast<int>(status)) + " (error-index " +
                         std::to_string(index) + ")"),
      kind_(ErrorKind::error_status),
      status_(status),
      index_(index) {}

}  // namespace ems::protocols::snmp
