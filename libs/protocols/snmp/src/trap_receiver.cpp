#include <arpa/inet.h>

#include <mutex>

#include "ems/protocols/snmp/error.hpp"
#include "ems/protocols/snmp/trap.hpp"
#include "netsnmp_runtime.hpp"
#include "server_session.hpp"

namespace ems::protocols::snmp {

namespace {

std::string source_of(const netsnmp_pdu& pdu) {
  // UDP/IPv4 server transports hand each PDU its peer as a netsnmp_indexed_addr_pair.
  if (pdu.transport_data == nullptr ||
      pdu.transport_data_length < static_cast<int>(sizeof(netsnmp_indexed_addr_pair)))
    return "unknown";
  const auto* pair = static_cast<const netsnmp_indexed_addr_pair*>(pdu.transport_data);
  if (pair->remote_addr.sa.sa_family != AF_INET) return "unknown";
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &pair->remote_addr.sin.sin_addr, text, sizeof text);
  return std::string(text) + ":" + std::to_string(ntohs(pair->remote_addr.sin.sin_port));
}

}  // namespace

struct TrapReceiver::Impl {
  TrapReceiverConfig config;
  Handler handler;
  std::unique_ptr<detail::ServerSession> session;
  mutable std::mutex mutex;  // guards stats
  TrapReceiverStats stats;

  void reject() {
    std::lock_guard lock(mutex);
    ++stats.rejected;
  }

  void handle(detail::ServerSession& server, netsnmp_pdu& pdu) {
    if (pdu.command != SNMP_MSG_TRAP2 && pdu.command != SNMP_MSG_INFORM) return;
    Trap trap;
    trap.community.assign(reinterpret_cast<const char*>(pdu.community), pdu.community_len);
    if (pdu.version != SNMP_VERSION_2c || trap.community != config.community) return reject();
    trap.inform = pdu.command == SNMP_MSG_INFORM;
    trap.source = source_of(pdu);
    std::vector<VarBind> all;
    for (netsnmp_variable_list* v = pdu.variables; v != nullptr; v = v->next_variable)
      all.push_back(
          {detail::from_netsnmp(v->name, v->name_length), detail::value_from_netsnmp(*v)});
    if (all.size() < 2 || all[0].oid != kSysUpTime0 ||
        all[0].value.type() != ValueType::timeticks || all[1].oid != kSnmpTrapOid0 ||
        all[1].value.type() != ValueType::object_id)
      return reject();
    trap.uptime = static_cast<std::uint32_t>(all[0].value.as_uint64());
    trap.trap_oid = all[1].value.oid();
    trap.varbinds.assign(all.begin() + 2, all.end());
    if (trap.inform) {  // acknowledge with the request's varbinds (RFC 3416 4.2.7)
      netsnmp_pdu* response = snmp_clone_pdu(&pdu);
      response->command = SNMP_MSG_RESPONSE;
      response->flags &= ~UCD_MSG_FLAG_EXPECT_RESPONSE;
      response->errstat = 0;
      response->errindex = 0;
      server.send(response);
    }
    {
      std::lock_guard lock(mutex);
      ++stats.received;
    }
    handler(trap);
  }
};

TrapReceiver::TrapReceiver(TrapReceiverConfig config, Handler handler)
    : impl_(std::make_unique<Impl>()) {
  if (config.community.empty() || !handler)
    throw SnmpError(ErrorKind::invalid_argument, "trap receiver needs a community and a handler");
  impl_->config = std::move(config);
  impl_->handler = std::move(handler);
}

TrapReceiver::~TrapReceiver() {
  stop();
}

void TrapReceiver::start() {
  if (impl_->session) return;
  Impl& s = *impl_;
  s.session = std::make_unique<detail::ServerSession>(
      "SNMP trap receiver", s.config.bind_address, s.config.port,
      [&s](detail::ServerSession& server, netsnmp_pdu& pdu) { s.handle(server, pdu); });
}

void TrapReceiver::stop() {
  impl_->session.reset();
}

std::uint16_t TrapReceiver::port() const noexcept {
  return impl_->session ? impl_->session->port() : 0;
}

TrapReceiverStats TrapReceiver::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace ems::protocols::snmp
