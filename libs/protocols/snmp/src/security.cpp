#include "ems/protocols/snmp/security.hpp"

#include "ems/protocols/snmp/error.hpp"

namespace ems::protocols::snmp {

std::string_view to_string(AuthProtocol p) noexcept {
  switch (p) {
    case AuthProtocol::none:
      return "none";
    case AuthProtocol::sha1:
      return "SHA";
    case AuthProtocol::sha256:
      return "SHA-256";
  }
  return "none";
}

std::string_view to_string(PrivProtocol p) noexcept {
  switch (p) {
    case PrivProtocol::none:
      return "none";
    case PrivProtocol::aes128:
      return "AES";
    case PrivProtocol::aes256:
      return "AES-256";
  }
  return "none";
}

std::string_view to_string(SecurityLevel l) noexcept {
  switch (l) {
    case SecurityLevel::no_auth_no_priv:
      return "noAuthNoPriv";
    case SecurityLevel::auth_no_priv:
      return "authNoPriv";
    case SecurityLevel::auth_priv:
      return "authPriv";
  }
  return "noAuthNoPriv";
}

SecurityLevel UsmUser::level() const noexcept {
  if (auth == AuthProtocol::none) return SecurityLevel::no_auth_no_priv;
  return priv == PrivProtocol::none ? SecurityLevel::auth_no_priv : SecurityLevel::auth_priv;
}

void UsmUser::validate() const {
  auto fail = [&](const std::string& why) {
    return SnmpError(ErrorKind::invalid_argument, "SNMPv3 user '" + name + "': " + why);
  };
  if (name.empty() || name.size() > 32) throw fail("name must have 1..32 characters");
  if (auth == AuthProtocol::none && priv != PrivProtocol::none)
    throw fail("privacy requires authentication");
  if (auth != AuthProtocol::none && auth_password.size() < 8)
    throw fail("authentication password shorter than 8 characters");
  if (priv != PrivProtocol::none && priv_password.size() < 8)
    throw fail("privacy password shorter than 8 characters");
}

}  // namespace ems::protocols::snmp
