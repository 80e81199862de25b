#pragma once
// SNMPv3 User-based Security Model (RFC 3414) settings shared by client and agent: a user, its
// authentication and privacy protocols and passwords. The security level follows from which
// protocols are set (none/none = noAuthNoPriv, auth only = authNoPriv, both = authPriv).

#include <string>
#include <string_view>

namespace ems::protocols::snmp {

enum class AuthProtocol { none, sha1, sha256 };    // HMAC-96-SHA, HMAC-192-SHA-256
enum class PrivProtocol { none, aes128, aes256 };  // CFB AES-128 (RFC 3826), AES-256
enum class SecurityLevel { no_auth_no_priv, auth_no_priv, auth_priv };

std::string_view to_string(AuthProtocol p) noexcept;   // "SHA", "SHA-256", "none"
std::string_view to_string(PrivProtocol p) noexcept;   // "AES", "AES-256", "none"
std::string_view to_string(SecurityLevel l) noexcept;  // "noAuthNoPriv", ...

struct UsmUser {
  std::string name;
  AuthProtocol auth = AuthProtocol::none;
  std::string auth_password;  // at least 8 characters when auth != none (RFC 3414 key derivation)
  PrivProtocol priv = PrivProtocol::none;
  std::string priv_password;  // at least 8 characters when priv != none

  SecurityLevel level() const noexcept;
  // Throws SnmpError(invalid_argument): empty name, priv without auth, short passwords.
  void validate() const;
};

}  // namespace ems::protocols::snmp
