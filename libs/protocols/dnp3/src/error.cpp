#include "ems/protocols/dnp3/error.hpp"

namespace ems::protocols::dnp3 {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kBadStart:
      return "bad_start";
    case ErrorKind::kBadLength:
      return "bad_length";
    case ErrorKind::kBadCrc:
      return "bad_crc";
    case ErrorKind::kTruncated:
      return "truncated";
    case ErrorKind::kBadTransport:
      return "bad_transport";
    case ErrorKind::kBadFunction:
      return "bad_function";
    case ErrorKind::kBadQualifier:
      return "bad_qualifier";
    case ErrorKind::kUnknownObject:
      return "unknown_object";
    case ErrorKind::kBadRange:
      return "bad_range";
    case ErrorKind::kTooLarge:
      return "too_large";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kConnection:
      return "connection";
    case ErrorKind::kRejected:
      return "rejected";
  }
  return "unknown";
}

Dnp3Error::Dnp3Error(ErrorKind kind, const std::string& message)
    : std::runtime_error("dnp3 " + std::string(to_string(kind)) + ": " + message), kind_(kind) {}

}  // namespace ems::protocols::dnp3
