#pragma once
// Private bridge to net-snmp's library: one-time process initialisation (no MIB files, no config
// or persistent files, logging routed away from stderr unless it is an error), the lock that
// guards net-snmp's process-global USM user list, and conversions between the library's
// varbinds and ours. Only the client and agent sources include this; net-snmp headers stay out
// of the public API.

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <mutex>
#include <string>
#include <vector>

#include "ems/protocols/snmp/security.hpp"
#include "ems/protocols/snmp/value.hpp"

namespace ems::protocols::snmp::detail {

// Idempotent and thread-safe; every client and agent calls it before touching net-snmp.
void ensure_netsnmp_initialized();

// net-snmp keeps SNMPv3 users in one unlocked process-wide list; opening v3 sessions (which adds
// users) and adding agent users happen under this lock.
std::mutex& usm_mutex();

std::vector<oid> to_netsnmp(const Oid& o);
Oid from_netsnmp(const oid* name, std::size_t length);

// Converts a received varbind's value; a tag outside value.hpp's types throws
// SnmpError(malformed_response) naming the OID and tag.
Value value_from_netsnmp(const netsnmp_variable_list& var);
// Appends a varbind (value encoded with its own tag) to a PDU. Throws SnmpError on failure.
void add_varbind(netsnmp_pdu* pdu, const VarBind& vb);

const oid* auth_protocol_oid(AuthProtocol p, std::size_t& length);
const oid* priv_protocol_oid(PrivProtocol p, std::size_t& length);
int netsnmp_security_level(SecurityLevel level);

// The library's last error: its SNMPERR_* code and text. `session_error` reads an open
// single-session handle, `open_error` a session struct that failed to open.
struct LibraryError {
  int code = 0;
  std::string text;
};
LibraryError session_error(void* handle);
LibraryError open_error(netsnmp_session& session);

}  // namespace ems::protocols::snmp::detail
