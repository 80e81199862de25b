#include "ems/protocols/snmp/client.hpp"

#include <atomic>
#include <mutex>

#include "ems/protocols/snmp/error.hpp"
#include "ems/protocols/snmp/trap.hpp"
#include "netsnmp_runtime.hpp"

namespace ems::protocols::snmp {

namespace {

const char* command_name(int command) {
  switch (command) {
    case SNMP_MSG_GET:
      return "GET";
    case SNMP_MSG_GETNEXT:
      return "GETNEXT";
    case SNMP_MSG_GETBULK:
      return "GETBULK";
    case SNMP_MSG_SET:
      return "SET";
    default:
      return "request";
  }
}

ErrorKind kind_of_library_error(int lib_errno) {
  switch (lib_errno) {
    case SNMPERR_TIMEOUT:
      return ErrorKind::timeout;
    case SNMPERR_AUTHENTICATION_FAILURE:
    case SNMPERR_UNKNOWN_USER_NAME:
    case SNMPERR_UNKNOWN_ENG_ID:
    case SNMPERR_NOT_IN_TIME_WINDOW:
    case SNMPERR_DECRYPTION_ERR:
    case SNMPERR_USM_PARSEERROR:
    case SNMPERR_UNSUPPORTED_SEC_LEVEL:
    case SNMPERR_UNKNOWN_SEC_MODEL:
    case SNMPERR_USM_UNKNOWNSECURITYNAME:
    case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL:
    case SNMPERR_USM_AUTHENTICATIONFAILURE:
    case SNMPERR_USM_DECRYPTIONERROR:
    case SNMPERR_USM_UNKNOWNENGINEID:
    case SNMPERR_USM_NOTINTIMEWINDOW:
    case SNMPERR_KRB5:
    case SNMPERR_USM_GENERICERROR:
    case SNMPERR_USM_ENCRYPTIONERROR:
      return ErrorKind::authentication;
    case SNMPERR_BAD_PARSE:
    case SNMPERR_ASN_PARSE_ERR:
      return ErrorKind::malformed_response;
    default:
      return ErrorKind::transport;
  }
}

// Undecodable (or unauthenticatable) datagrams never reach the session's caller: net-snmp
// drops them and the request just times out. Its post-parse hook sees every parse result, so
// each session counts its own failures here (hook argument: the session's myvoid).
int count_parse_failures(netsnmp_session* session, netsnmp_pdu* /*pdu*/, int result) {
  if (result != SNMPERR_SUCCESS && session != nullptr && session->myvoid != nullptr)
    static_cast<std::atomic<std::uint32_t>*>(session->myvoid)->fetch_add(1);
  return 1;  // 1 = let net-snmp continue as it would without the hook
}

}  // namespace

struct SnmpClient::Session {
  std::mutex mutex;  // one request at a time per session (net-snmp's rule for sess_ handles)
  void* handle = nullptr;
  std::atomic<std::uint32_t> parse_failures{0};
  ~Session() {
    if (handle != nullptr) snmp_sess_close(handle);
  }
};

SnmpClient::SnmpClient(SnmpClientConfig config)
    : config_(std::move(config)), session_(std::make_unique<Session>()) {
  if (config_.version == SnmpVersion::v3) config_.user.validate();
  if (config_.version == SnmpVersion::v2c && config_.community.empty())
    throw SnmpError(ErrorKind::invalid_argument, "SNMP v2c client needs a community");
  if (config_.host.empty() || config_.port == 0)
    throw SnmpError(ErrorKind::invalid_argument, "SNMP client needs host and port");
  if (config_.timeout.count() <= 0 || config_.retries < 0)
    throw SnmpError(ErrorKind::invalid_argument, "SNMP client needs timeout > 0 and retries >= 0");
  detail::ensure_netsnmp_initialized();
}

SnmpClient::~SnmpClient() = default;

namespace {

void* open_session(const SnmpClientConfig& c, std::atomic<std::uint32_t>* parse_failures) {
  netsnmp_session s;
  snmp_sess_init(&s);
  std::string peer = "udp:" + c.host + ":" + std::to_string(c.port);
  s.peername = peer.data();
  s.timeout =
      static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(c.timeout).count());
  s.retries = c.retries;
  s.myvoid = parse_failures;
  std::string community = c.community;
  std::string user = c.user.name;
  if (c.version == SnmpVersion::v2c) {
    s.version = SNMP_VERSION_2c;
    s.community = reinterpret_cast<u_char*>(community.data());
    s.community_len = community.size();
  } else {
    s.version = SNMP_VERSION_3;
    s.securityName = user.data();
    s.securityNameLen = user.size();
    s.securityLevel = detail::netsnmp_security_level(c.user.level());
    std::size_t len = 0;
    // snmp_sess_open copies the protocol OIDs and keys into its own session.
    s.securityAuthProto = const_cast<oid*>(detail::auth_protocol_oid(c.user.auth, len));
    s.securityAuthProtoLen = len;
    s.securityPrivProto = const_cast<oid*>(detail::priv_protocol_oid(c.user.priv, len));
    s.securityPrivProtoLen = len;
    if (c.user.auth != AuthProtocol::none) {
      s.securityAuthKeyLen = USM_AUTH_KU_LEN;
      std::string pass = c.user.auth_password;
      if (generate_Ku(s.securityAuthProto, s.securityAuthProtoLen,
                      reinterpret_cast<u_char*>(pass.data()), pass.size(), s.securityAuthKey,
                      &s.securityAuthKeyLen) != SNMPERR_SUCCESS)
        throw SnmpError(ErrorKind::invalid_argument, "cannot derive the v3 authentication key");
    }
    if (c.user.priv != PrivProtocol::none) {
      s.securityPrivKeyLen = USM_PRIV_KU_LEN;
      std::string pass = c.user.priv_password;
      if (generate_Ku(s.securityAuthProto, s.securityAuthProtoLen,
                      reinterpret_cast<u_char*>(pass.data()), pass.size(), s.securityPrivKey,
                      &s.securityPrivKeyLen) != SNMPERR_SUCCESS)
        throw SnmpError(ErrorKind::invalid_argument, "cannot derive the v3 privacy key");
    }
  }
  netsnmp_transport* transport = netsnmp_transport_open_client("snmp", peer.c_str());
  if (transport == nullptr)
    throw SnmpError(ErrorKind::transport, "SNMP client cannot open a UDP socket to " + peer);
  // v3 opening probes the engine ID and registers the user in net-snmp's global USM list.
  std::lock_guard lock(detail::usm_mutex());
  void* handle = snmp_sess_add_ex(&s, transport, nullptr, nullptr, &count_parse_failures, nullptr,
                                  nullptr, nullptr, nullptr);
  if (handle == nullptr) {
    const detail::LibraryError error = detail::open_error(s);
    throw SnmpError(kind_of_library_error(error.code),
                    "SNMP session to " + peer + " failed to open: " + error.text);
  }
  return handle;
}

}  // namespace

void SnmpClient::ensure_open() {
  if (session_->handle == nullptr)
    session_->handle = open_session(config_, &session_->parse_failures);
}

std::vector<VarBind> SnmpClient::request(int command, const std::vector<VarBind>& varbinds,
                                         int non_repeaters, int max_repetitions) {
  const std::string where =
      std::string(command_name(command)) + " " + config_.host + ":" + std::to_string(config_.port);
  if (varbinds.empty()) throw SnmpError(ErrorKind::invalid_argument, where + ": no OIDs");
  std::lock_guard lock(session_->mutex);
  ensure_open();
  const std::uint32_t failures_before = session_->parse_failures.load();

  netsnmp_pdu* pdu = snmp_pdu_create(command);
  if (command == SNMP_MSG_GETBULK) {
    pdu->non_repeaters = non_repeaters;
    pdu->max_repetitions = max_repetitions;
  }
  try {
    for (const VarBind& vb : varbinds) detail::add_varbind(pdu, vb);
  } catch (...) {
    snmp_free_pdu(pdu);
    throw;
  }
  netsnmp_pdu* response = nullptr;
  const int status = snmp_sess_synch_response(session_->handle, pdu, &response);
  std::unique_ptr<netsnmp_pdu, void (*)(netsnmp_pdu*)> owned(response, snmp_free_pdu);
  if (status == STAT_TIMEOUT) {
    const std::uint32_t garbage = session_->parse_failures.load() - failures_before;
    if (garbage != 0)
      throw SnmpError(ErrorKind::malformed_response,
                      where + ": no valid answer; " + std::to_string(garbage) +
                          " undecodable datagram(s) received (malformed response)");
    throw SnmpError(ErrorKind::timeout,
                    where + ": timeout after " + std::to_string(config_.retries + 1) +
                        " attempt(s) of " + std::to_string(config_.timeout.count()) + " ms");
  }
  if (status != STAT_SUCCESS || response == nullptr) {
    const detail::LibraryError error = detail::session_error(session_->handle);
    throw SnmpError(
        kind_of_library_error(error.code),
        where + ": " + error.text + " (net-snmp error " + std::to_string(error.code) + ")");
  }
  if (response->command != SNMP_MSG_RESPONSE)
    throw SnmpError(
        ErrorKind::malformed_response,
        where + ": answer is PDU type " + std::to_string(response->command) + ", not Response");
  if (response->errstat != SNMP_ERR_NOERROR)
    throw SnmpError(static_cast<ErrorStatus>(response->errstat),
                    static_cast<int>(response->errindex), where);

  std::vector<VarBind> out;
  for (netsnmp_variable_list* v = response->variables; v != nullptr; v = v->next_variable)
    out.push_back({detail::from_netsnmp(v->name, v->name_length), detail::value_from_netsnmp(*v)});

  auto malformed = [&](const std::string& why) {
    return SnmpError(ErrorKind::malformed_response, where + ": " + why);
  };
  if (command == SNMP_MSG_GETBULK) return out;
  if (out.size() != varbinds.size())
    throw malformed("answer has " + std::to_string(out.size()) + " varbinds for " +
                    std::to_string(varbinds.size()) + " requested");
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool ok =
        command == SNMP_MSG_GETNEXT
            ? (out[i].oid > varbinds[i].oid || out[i].value.type() == ValueType::end_of_mib_view)
            : out[i].oid == varbinds[i].oid;
    if (!ok)
      throw malformed("varbind " + std::to_string(i + 1) + " answers " + out[i].oid.str() +
                      " for " + varbinds[i].oid.str());
  }
  return out;
}

namespace {
std::vector<VarBind> null_varbinds(const std::vector<Oid>& oids) {
  std::vector<VarBind> out;
  out.reserve(oids.size());
  for (const Oid& o : oids) out.push_back({o, Value()});
  return out;
}
}  // namespace

std::vector<VarBind> SnmpClient::get(const std::vector<Oid>& oids) {
  return request(SNMP_MSG_GET, null_varbinds(oids), 0, 0);
}

Value SnmpClient::get(const Oid& oid) {
  return get(std::vector<Oid>{oid}).front().value;
}

std::vector<VarBind> SnmpClient::get_next(const std::vector<Oid>& oids) {
  return request(SNMP_MSG_GETNEXT, null_varbinds(oids), 0, 0);
}

std::vector<VarBind> SnmpClient::get_bulk(const std::vector<Oid>& oids, int non_repeaters,
                                          int max_repetitions) {
  if (non_repeaters < 0 || max_repetitions < 0)
    throw SnmpError(ErrorKind::invalid_argument, "GETBULK needs non-negative counts");
  return request(SNMP_MSG_GETBULK, null_varbinds(oids), non_repeaters, max_repetitions);
}

std::vector<VarBind> SnmpClient::walk(const Oid& root, std::size_t max_rows, int max_repetitions) {
  std::vector<VarBind> rows;
  Oid cursor = root;
  // Every round adds at least one row or ends, so max_rows bounds the number of requests.
  while (rows.size() < max_rows) {
    const std::vector<VarBind> batch = get_bulk({cursor}, 0, max_repetitions);
    if (batch.empty()) return rows;
    for (const VarBind& vb : batch) {
      if (vb.value.type() == ValueType::end_of_mib_view || !vb.oid.starts_with(root) ||
          vb.oid == root)
        return rows;
      if (vb.oid <= cursor)
        throw SnmpError(ErrorKind::malformed_response,
                        "walk of " + root.str() + ": agent returned " + vb.oid.str() + " after " +
                            cursor.str() + " (OIDs not increasing)");
      rows.push_back(vb);
      cursor = vb.oid;
      if (rows.size() >= max_rows) return rows;
    }
  }
  return rows;
}

std::vector<VarBind> SnmpClient::set(const std::vector<VarBind>& varbinds) {
  for (const VarBind& vb : varbinds)
    if (vb.value.is_exception() || vb.value.type() == ValueType::null)
      throw SnmpError(ErrorKind::invalid_argument,
                      "SET " + vb.oid.str() + ": cannot write " + vb.value.describe());
  return request(SNMP_MSG_SET, varbinds, 0, 0);
}

namespace {
std::vector<VarBind> notification(const Oid& trap_oid, const std::vector<VarBind>& varbinds,
                                  std::uint32_t uptime) {
  std::vector<VarBind> out{{kSysUpTime0, Value::timeticks(uptime)},
                           {kSnmpTrapOid0, Value::object_id(trap_oid)}};
  out.insert(out.end(), varbinds.begin(), varbinds.end());
  return out;
}
}  // namespace

void SnmpClient::send_trap(const Oid& trap_oid, const std::vector<VarBind>& varbinds,
                           std::uint32_t uptime) {
  if (config_.version != SnmpVersion::v2c)
    throw SnmpError(ErrorKind::invalid_argument, "send_trap: only v2c notifications are supported");
  std::lock_guard lock(session_->mutex);
  ensure_open();
  netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_TRAP2);
  try {
    for (const VarBind& vb : notification(trap_oid, varbinds, uptime)) detail::add_varbind(pdu, vb);
  } catch (...) {
    snmp_free_pdu(pdu);
    throw;
  }
  if (snmp_sess_send(session_->handle, pdu) == 0) {
    snmp_free_pdu(pdu);
    const detail::LibraryError error = detail::session_error(session_->handle);
    throw SnmpError(ErrorKind::transport, "TRAP to " + config_.host + ":" +
                                              std::to_string(config_.port) + ": " + error.text);
  }
}

void SnmpClient::inform(const Oid& trap_oid, const std::vector<VarBind>& varbinds,
                        std::uint32_t uptime) {
  if (config_.version != SnmpVersion::v2c)
    throw SnmpError(ErrorKind::invalid_argument, "inform: only v2c notifications are supported");
  request(SNMP_MSG_INFORM, notification(trap_oid, varbinds, uptime), 0, 0);
}

}  // namespace ems::protocols::snmp
