#pragma once
// The one error type of the SNMP library, and the SNMP error-status codes (RFC 3416) that both
// sides speak: the agent answers with them, the client reports them.
//
// Per-variable exceptions (noSuchObject, noSuchInstance, endOfMibView) are not errors: they are
// values (see value.hpp), because a GET of many OIDs must still deliver the ones that exist.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ems::protocols::snmp {

enum class ErrorStatus : int {
  no_error = 0,
  too_big = 1,
  no_such_name = 2,
  bad_value = 3,
  read_only = 4,
  gen_err = 5,
  no_access = 6,
  wrong_type = 7,
  wrong_length = 8,
  wrong_encoding = 9,
  wrong_value = 10,
  no_creation = 11,
  inconsistent_value = 12,
  resource_unavailable = 13,
  commit_failed = 14,
  undo_failed = 15,
  authorization_error = 16,
  not_writable = 17,
  inconsistent_name = 18,
};

// RFC 3416 spelling ("noSuchName", "notWritable", ...); "error(<n>)" for unknown codes.
std::string error_status_name(int status);

enum class ErrorKind {
  invalid_argument,    // bad OID text, bad configuration (password too short, ...)
  timeout,             // no (parseable) answer after all retries
  malformed_response,  // answer received but unusable (undecodable datagram, wrong varbinds)
  error_status,        // the agent answered with a non-zero error-status
  authentication,      // v3 USM: unknown user, wrong digest, unsupported level, ...
  transport,           // socket could not be opened / bound / written
  type_mismatch,       // a value was read as a type it does not have
};

std::string_view to_string(ErrorKind kind) noexcept;

class SnmpError : public std::runtime_error {
 public:
  SnmpError(ErrorKind kind, const std::string& message);
  // kind error_status: the agent's status and the 1-based index of the offending varbind.
  SnmpError(ErrorStatus status, int index, const std::string& context);

  ErrorKind kind() const noexcept { return kind_; }
  ErrorStatus status() const noexcept { return status_; }
  int error_index() const noexcept { return index_; }

 private:
  ErrorKind kind_;
  ErrorStatus status_ = ErrorStatus::no_error;
  int index_ = 0;
};

}  // namespace ems::protocols::snmp
