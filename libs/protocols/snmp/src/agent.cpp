#include "ems/protocols/snmp/agent.hpp"

#include <atomic>
#include <condition_variable>
#include <map>

#include "ems/protocols/snmp/error.hpp"
#include "netsnmp_runtime.hpp"
#include "server_session.hpp"

namespace ems::protocols::snmp {

namespace {

// net-snmp's USM list is process-wide: a user name can only mean one set of keys. Users are
// registered once and stay for the life of the process (net-snmp offers no safe removal while
// other sessions may be using them).
void register_usm_user(const UsmUser& user) {
  static std::map<std::string, UsmUser> registered;  // guarded by usm_mutex
  std::lock_guard lock(detail::usm_mutex());
  if (auto it = registered.find(user.name); it != registered.end()) {
    const UsmUser& known = it->second;
    if (known.auth != user.auth || known.priv != user.priv ||
        known.auth_password != user.auth_password || known.priv_password != user.priv_password)
      throw SnmpError(ErrorKind::invalid_argument,
                      "SNMPv3 user '" + user.name +
                          "' is already served by another agent of this process with other "
                          "protocols or passwords (net-snmp's user table is process-wide)");
    return;
  }
  for (const std::string* p : {&user.auth_password, &user.priv_password})
    if (p->find_first_of("\"\\") != std::string::npos)
      throw SnmpError(ErrorKind::invalid_argument,
                      "SNMPv3 user '" + user.name + "': passwords must not contain '\"' or '\\'");
  // The same parser snmpd uses for its createUser lines: derives and localises the keys for
  // this process's engine ID.
  std::string line = user.name;
  if (user.auth != AuthProtocol::none) {
    line += " " + std::string(to_string(user.auth)) + " \"" + user.auth_password + "\"";
    if (user.priv != PrivProtocol::none)
      line += " " + std::string(to_string(user.priv)) + " \"" + user.priv_password + "\"";
  }
  usm_parse_create_usmUser("createUser", line.data());
  u_char engine_id[64];
  const std::size_t engine_id_len = snmpv3_get_engineID(engine_id, sizeof engine_id);
  if (usm_get_user(engine_id, engine_id_len, const_cast<char*>(user.name.c_str())) == nullptr)
    throw SnmpError(ErrorKind::invalid_argument, "net-snmp refused SNMPv3 user '" + user.name +
                                                     "' (" + std::string(to_string(user.auth)) +
                                                     "/" + std::string(to_string(user.priv)) + ")");
  registered.emplace(user.name, user);
}

SecurityLevel level_of(int netsnmp_level) {
  if (netsnmp_level == SNMP_SEC_LEVEL_AUTHPRIV) return SecurityLevel::auth_priv;
  if (netsnmp_level == SNMP_SEC_LEVEL_AUTHNOPRIV) return SecurityLevel::auth_no_priv;
  return SecurityLevel::no_auth_no_priv;
}

// A SEQUENCE header announcing 256 bytes followed by 3: every BER decoder must reject it.
constexpr unsigned char kMalformedAnswer[] = {0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x01};

}  // namespace

struct SnmpAgent::Impl {
  SnmpAgentConfig config;
  OidTable table;
  std::unique_ptr<detail::ServerSession> session;
  std::atomic<bool> running{false};
  mutable std::mutex mutex;  // guards fault, stats, and the delay wait
  std::condition_variable stop_cv;
  FaultPlan fault;
  SnmpAgentStats stats;

  void handle_pdu(detail::ServerSession& server, netsnmp_pdu& pdu);
  ResponderResult respond(const netsnmp_pdu& pdu, bool may_write);
  void send_response(detail::ServerSession& server, netsnmp_pdu& request,
                     const ResponderResult& result);

  void count(std::uint64_t SnmpAgentStats::*field) {
    std::lock_guard lock(mutex);
    ++(stats.*field);
  }
};

SnmpAgent::SnmpAgent(SnmpAgentConfig config) : impl_(std::make_unique<Impl>()) {
  if (config.community.empty())
    throw SnmpError(ErrorKind::invalid_argument, "SNMP agent needs a read community");
  for (const UsmUser& u : config.users) u.validate();
  detail::ensure_netsnmp_initialized();
  for (const UsmUser& u : config.users) register_usm_user(u);
  impl_->config = std::move(config);
}

SnmpAgent::~SnmpAgent() {
  stop();
}

void SnmpAgent::start() {
  Impl& s = *impl_;
  if (s.running) return;
  s.running = true;
  try {
    s.session = std::make_unique<detail::ServerSession>(
        "SNMP agent", s.config.bind_address, s.config.port,
        [&s](detail::ServerSession& server, netsnmp_pdu& pdu) { s.handle_pdu(server, pdu); });
  } catch (...) {
    s.running = false;
    throw;
  }
}

void SnmpAgent::stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    if (!s.running) return;
    s.running = false;
  }
  s.stop_cv.notify_all();  // ends a fault delay at once
  s.session.reset();       // joins the thread, closes the socket
}

std::uint16_t SnmpAgent::port() const noexcept {
  return impl_->session ? impl_->session->port() : 0;
}
OidTable& SnmpAgent::table() noexcept {
  return impl_->table;
}

void SnmpAgent::set_fault(FaultPlan plan) {
  std::lock_guard lock(impl_->mutex);
  impl_->fault = plan;
}

FaultPlan SnmpAgent::fault() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->fault;
}

SnmpAgentStats SnmpAgent::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

void SnmpAgent::Impl::handle_pdu(detail::ServerSession& server, netsnmp_pdu& pdu) {
  switch (pdu.command) {
    case SNMP_MSG_GET:
    case SNMP_MSG_GETNEXT:
    case SNMP_MSG_GETBULK:
    case SNMP_MSG_SET:
      break;
    default:
      return;  // reports, traps, responses: not for a command responder
  }
  bool may_write = false;
  ResponderResult refused;
  if (pdu.version == SNMP_VERSION_2c) {
    const std::string community(reinterpret_cast<const char*>(pdu.community), pdu.community_len);
    const bool writer = config.write_community && community == *config.write_community;
    if (!writer && community != config.community) {
      count(&SnmpAgentStats::bad_community);
      return;
    }
    may_write = writer;
  } else if (pdu.version == SNMP_VERSION_3) {
    const std::string name(pdu.securityName != nullptr ? pdu.securityName : "",
                           pdu.securityNameLen);
    const UsmUser* user = nullptr;
    for (const UsmUser& u : config.users)
      if (u.name == name) user = &u;
    if (user == nullptr || level_of(pdu.securityLevel) < user->level()) {
      count(&SnmpAgentStats::unauthorized);
      refused.status = ErrorStatus::authorization_error;
    }
    may_write = true;
  } else {
    count(&SnmpAgentStats::bad_community);  // SNMPv1 is not served
    return;
  }
  count(&SnmpAgentStats::requests);

  FaultPlan plan;
  {
    std::lock_guard lock(mutex);
    plan = fault;
    if (plan.kind != FaultPlan::Kind::none) ++stats.faults_applied;
  }
  switch (plan.kind) {
    case FaultPlan::Kind::silent:
    case FaultPlan::Kind::drop_connection:
      return;
    case FaultPlan::Kind::malformed:
      server.send_raw(pdu, kMalformedAnswer, sizeof kMalformedAnswer);
      return;
    case FaultPlan::Kind::delay: {
      std::unique_lock lock(mutex);
      stop_cv.wait_for(lock, plan.delay, [&] { return !running.load(); });
      if (!running) return;
      break;
    }
    case FaultPlan::Kind::none:
      break;
  }

  if (refused.status != ErrorStatus::no_error) {
    for (netsnmp_variable_list* v = pdu.variables; v != nullptr; v = v->next_variable)
      refused.varbinds.push_back({detail::from_netsnmp(v->name, v->name_length), Value()});
    send_response(server, pdu, refused);
  } else {
    send_response(server, pdu, respond(pdu, may_write));
  }
}

ResponderResult SnmpAgent::Impl::respond(const netsnmp_pdu& pdu, bool may_write) {
  std::vector<Oid> oids;
  std::vector<VarBind> varbinds;
  int index = 0;
  for (netsnmp_variable_list* v = pdu.variables; v != nullptr; v = v->next_variable) {
    ++index;
    Oid name = detail::from_netsnmp(v->name, v->name_length);
    if (pdu.command == SNMP_MSG_SET) {
      Value value;
      try {
        value = detail::value_from_netsnmp(*v);
      } catch (const SnmpError&) {
        ResponderResult bad{ErrorStatus::wrong_type, index, {}};
        for (const VarBind& vb : varbinds) bad.varbinds.push_back(vb);
        bad.varbinds.push_back({name, Value()});
        return bad;
      }
      varbinds.push_back({std::move(name), std::move(value)});
    } else {
      oids.push_back(std::move(name));
    }
  }
  switch (pdu.command) {
    case SNMP_MSG_GET:
      return table.get(oids);
    case SNMP_MSG_GETNEXT:
      return table.get_next(oids);
    case SNMP_MSG_GETBULK:
      return table.get_bulk(oids, static_cast<int>(pdu.non_repeaters),
                            static_cast<int>(pdu.max_repetitions), config.max_bulk_varbinds);
    default:
      break;
  }
  if (!may_write) return ResponderResult{ErrorStatus::no_access, 1, varbinds};
  return table.apply_set(varbinds);
}

void SnmpAgent::Impl::send_response(detail::ServerSession& server, netsnmp_pdu& request,
                                    const ResponderResult& result) {
  auto build = [&](const std::vector<VarBind>& varbinds, ErrorStatus status, int index) {
    netsnmp_pdu* response = snmp_clone_pdu(&request);  // request id, security, peer address
    snmp_free_varbind(response->variables);
    response->variables = nullptr;
    response->command = SNMP_MSG_RESPONSE;
    response->flags &= ~UCD_MSG_FLAG_EXPECT_RESPONSE;
    response->errstat = static_cast<long>(status);
    response->errindex = index;
    try {
      for (const VarBind& vb : varbinds) detail::add_varbind(response, vb);
    } catch (...) {
      snmp_free_pdu(response);
      throw;
    }
    return response;
  };
  std::vector<VarBind> varbinds = result.varbinds;
  // A GETBULK answer that does not fit is shortened (RFC 3416 4.2.3); anything else becomes an
  // empty tooBig answer.
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (server.send(build(varbinds, result.status, result.index))) {
      count(&SnmpAgentStats::responses);
      return;
    }
    if (request.command == SNMP_MSG_GETBULK && varbinds.size() > 1) {
      varbinds.resize(varbinds.size() / 2);
      continue;
    }
    break;
  }
  if (server.send(build({}, ErrorStatus::too_big, 0))) count(&SnmpAgentStats::responses);
}

}  // namespace ems::protocols::snmp
