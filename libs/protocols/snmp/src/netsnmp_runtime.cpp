#include "netsnmp_runtime.hpp"

#include <cstdlib>
#include <cstring>

#include "ems/protocols/snmp/error.hpp"

namespace ems::protocols::snmp::detail {

namespace {

// net-snmp logs through snmp_log; by default to stderr. Keep errors visible (prefixed), drop
// notices and warnings such as "no such file" for the persistent store we turned off.
int log_callback(int /*major*/, int /*minor*/, void* server_arg, void* /*client_arg*/) {
  const auto* message = static_cast<const snmp_log_message*>(server_arg);
  if (message != nullptr && message->priority <= LOG_ERR && message->msg != nullptr)
    std::fprintf(stderr, "ems_snmp (net-snmp): %s", message->msg);
  return 0;
}

}  // namespace

void ensure_netsnmp_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Numeric OIDs only: an empty MIB list means init_mib() parses no MIB module, so nothing can
    // print "Cannot find module" and start-up does not depend on what /usr/share/snmp holds.
    ::setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_CONFIG_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
    snmp_disable_log();
    snmp_enable_calllog();
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_callback, nullptr);
    init_snmp("ems_snmp");
  });
}

std::mutex& usm_mutex() {
  static std::mutex m;
  return m;
}

std::vector<oid> to_netsnmp(const Oid& o) {
  return std::vector<oid>(o.arcs().begin(), o.arcs().end());
}

Oid from_netsnmp(const oid* name, std::size_t length) {
  std::vector<std::uint32_t> arcs;
  arcs.reserve(length);
  for (std::size_t i = 0; i < length; ++i) arcs.push_back(static_cast<std::uint32_t>(name[i]));
  return Oid(std::move(arcs));
}

Value value_from_netsnmp(const netsnmp_variable_list& var) {
  auto as_u32 = [&] { return static_cast<std::uint32_t>(*var.val.integer); };
  switch (var.type) {
    case ASN_INTEGER:
      return Value::integer(static_cast<std::int32_t>(*var.val.integer));
    case ASN_OCTET_STR:
      return Value::octet_string(
          std::string(reinterpret_cast<const char*>(var.val.string), var.val_len));
    case ASN_OPAQUE:
      return Value::opaque(std::string(reinterpret_cast<const char*>(var.val.string), var.val_len));
    case ASN_OBJECT_ID:
      return Value::object_id(from_netsnmp(var.val.objid, var.val_len / sizeof(oid)));
    case ASN_IPADDRESS:
      if (var.val_len == 4)
        return Value::ip_address(var.val.string[0], var.val.string[1], var.val.string[2],
                                 var.val.string[3]);
      break;
    case ASN_COUNTER:
      return Value::counter32(as_u32());
    case ASN_GAUGE:
      return Value::gauge32(as_u32());
    case ASN_TIMETICKS:
      return Value::timeticks(as_u32());
    case ASN_COUNTER64:
      return Value::counter64((static_cast<std::uint64_t>(var.val.counter64->high) << 32) |
                              (var.val.counter64->low & 0xFFFFFFFFu));
    case ASN_NULL:
      return Value();
    case SNMP_NOSUCHOBJECT:
      return Value::exception(ValueType::no_such_object);
    case SNMP_NOSUCHINSTANCE:
      return Value::exception(ValueType::no_such_instance);
    case SNMP_ENDOFMIBVIEW:
      return Value::exception(ValueType::end_of_mib_view);
    default:
      break;
  }
  throw SnmpError(
      ErrorKind::malformed_response, "varbind " + from_netsnmp(var.name, var.name_length).str() +
                                         " carries unsupported ASN.1 type 0x" + [&] {
                                           char buf[8];
                                           std::snprintf(buf, sizeof buf, "%02x",
                                                         static_cast<unsigned>(var.type));
                                           return std::string(buf);
                                         }());
}

void add_varbind(netsnmp_pdu* pdu, const VarBind& vb) {
  const std::vector<oid> name = to_netsnmp(vb.oid);
  const Value& v = vb.value;
  netsnmp_variable_list* added = nullptr;
  switch (v.type()) {
    case ValueType::integer: {
      long x = static_cast<long>(v.as_int64());
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_INTEGER, &x, sizeof x);
      break;
    }
    case ValueType::counter32:
    case ValueType::gauge32:
    case ValueType::timeticks: {
      u_long x = static_cast<u_long>(v.as_uint64());
      const u_char tag = v.type() == ValueType::counter32 ? ASN_COUNTER
                         : v.type() == ValueType::gauge32 ? ASN_GAUGE
                                                          : ASN_TIMETICKS;
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), tag, &x, sizeof x);
      break;
    }
    case ValueType::counter64: {
      counter64 c{};
      c.high = static_cast<u_long>(v.as_uint64() >> 32);
      c.low = static_cast<u_long>(v.as_uint64() & 0xFFFFFFFFu);
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_COUNTER64, &c, sizeof c);
      break;
    }
    case ValueType::octet_string:
    case ValueType::opaque:
    case ValueType::ip_address: {
      const u_char tag = v.type() == ValueType::octet_string ? ASN_OCTET_STR
                         : v.type() == ValueType::opaque     ? ASN_OPAQUE
                                                             : ASN_IPADDRESS;
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), tag, v.bytes().data(),
                                    v.bytes().size());
      break;
    }
    case ValueType::object_id: {
      const std::vector<oid> value = to_netsnmp(v.oid());
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_OBJECT_ID, value.data(),
                                    value.size() * sizeof(oid));
      break;
    }
    case ValueType::null:
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), ASN_NULL, nullptr, 0);
      break;
    case ValueType::no_such_object:
    case ValueType::no_such_instance:
    case ValueType::end_of_mib_view: {
      const u_char tag = v.type() == ValueType::no_such_object     ? SNMP_NOSUCHOBJECT
                         : v.type() == ValueType::no_such_instance ? SNMP_NOSUCHINSTANCE
                                                                   : SNMP_ENDOFMIBVIEW;
      added = snmp_pdu_add_variable(pdu, name.data(), name.size(), tag, nullptr, 0);
      break;
    }
  }
  if (added == nullptr)
    throw SnmpError(ErrorKind::invalid_argument,
                    "cannot encode varbind " + vb.oid.str() + " = " + v.describe());
}

const oid* auth_protocol_oid(AuthProtocol p, std::size_t& length) {
  switch (p) {
    case AuthProtocol::sha1:
      length = OID_LENGTH(usmHMACSHA1AuthProtocol);
      return usmHMACSHA1AuthProtocol;
    case AuthProtocol::sha256:
      length = OID_LENGTH(usmHMAC192SHA256AuthProtocol);
      return usmHMAC192SHA256AuthProtocol;
    case AuthProtocol::none:
      break;
  }
  length = OID_LENGTH(usmNoAuthProtocol);
  return usmNoAuthProtocol;
}

const oid* priv_protocol_oid(PrivProtocol p, std::size_t& length) {
  switch (p) {
    case PrivProtocol::aes128:
      length = OID_LENGTH(usmAESPrivProtocol);
      return usmAESPrivProtocol;
    case PrivProtocol::aes256:
      length = OID_LENGTH(usmAES256PrivProtocol);
      return usmAES256PrivProtocol;
    case PrivProtocol::none:
      break;
  }
  length = OID_LENGTH(usmNoPrivProtocol);
  return usmNoPrivProtocol;
}

int netsnmp_security_level(SecurityLevel level) {
  switch (level) {
    case SecurityLevel::no_auth_no_priv:
      return SNMP_SEC_LEVEL_NOAUTH;
    case SecurityLevel::auth_no_priv:
      return SNMP_SEC_LEVEL_AUTHNOPRIV;
    case SecurityLevel::auth_priv:
      return SNMP_SEC_LEVEL_AUTHPRIV;
  }
  return SNMP_SEC_LEVEL_NOAUTH;
}

namespace {
LibraryError take(int code, char* text) {
  LibraryError out{code, text != nullptr ? text : "unknown net-snmp error"};
  std::free(text);
  return out;
}
}  // namespace

LibraryError session_error(void* handle) {
  int code = 0, sys_errno = 0;
  char* text = nullptr;
  snmp_sess_error(handle, &code, &sys_errno, &text);
  // snmp_sess_error's code out-parameter is not reliably filled in 5.9; the session has it.
  if (code == 0) code = snmp_sess_session(handle)->s_snmp_errno;
  return take(code, text);
}

LibraryError open_error(netsnmp_session& session) {
  int code = 0, sys_errno = 0;
  char* text = nullptr;
  snmp_error(&session, &code, &sys_errno, &text);
  return take(code, text);
}

}  // namespace ems::protocols::snmp::detail
