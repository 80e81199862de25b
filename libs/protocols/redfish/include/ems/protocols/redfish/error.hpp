#pragma once
// RedfishError: the one exception type of the Redfish library. Its kind says what failed so a
// caller can tell an unreachable BMC (connection, timeout, tls) from a device that answered but
// not as the binding expects (http_status, invalid_json, missing_pointer, not_scalar).

#include <stdexcept>
#include <string>
#include <string_view>

namespace ems::protocols::redfish {

enum class ErrorKind {
  connection,        // refused, reset, closed mid-response
  timeout,           // connect or read timeout
  tls,               // handshake, certificate loading or verification
  http_status,       // a non-2xx answer; see http_status()
  unauthorized,      // 401 after (re-)authentication
  invalid_json,      // the body is not JSON (or not a JSON object)
  missing_pointer,   // the JSON Pointer names nothing in the resource
  not_scalar,        // the pointer names an object, an array or null
  invalid_argument,  // a malformed URL, URI or JSON Pointer given by the caller
};

std::string_view to_string(ErrorKind kind) noexcept;

class RedfishError : public std::runtime_error {
 public:
  RedfishError(ErrorKind kind, std::string message, int http_status = 0)
      : std::runtime_error(std::move(message)), kind_(kind), http_status_(http_status) {}

  ErrorKind kind() const noexcept { return kind_; }
  int http_status() const noexcept { return http_status_; }  // 0 unless an HTTP answer came

 private:
  ErrorKind kind_;
  int http_status_;
};

}  // namespace ems::protocols::redfish
