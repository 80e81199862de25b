#include "server_session.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>

#include "ems/protocols/snmp/error.hpp"

namespace ems::protocols::snmp::detail {

namespace {
constexpr auto kPollInterval = std::chrono::milliseconds(100);  // how fast a stop is noticed
}

ServerSession::ServerSession(const std::string& role, const std::string& bind_address,
                             std::uint16_t port, Handler handler)
    : role_(role), handler_(std::move(handler)) {
  ensure_netsnmp_initialized();
  const std::string address = "udp:" + bind_address + ":" + std::to_string(port);
  transport_ = netsnmp_transport_open_server("ems_snmp", address.c_str());
  if (transport_ == nullptr)
    throw SnmpError(ErrorKind::transport, role + " cannot bind " + address);
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  if (::getsockname(transport_->sock, reinterpret_cast<sockaddr*>(&bound), &len) == 0)
    port_ = ntohs(bound.sin_port);

  netsnmp_session session;
  snmp_sess_init(&session);
  session.version = SNMP_DEFAULT_VERSION;  // accept every version; the handler filters
  session.isAuthoritative = SNMP_SESS_AUTHORITATIVE;
  session.callback = &ServerSession::callback;
  session.callback_magic = this;
  handle_ = snmp_sess_add(&session, transport_, nullptr, nullptr);
  if (handle_ == nullptr) {
    netsnmp_transport_free(transport_);
    throw SnmpError(ErrorKind::transport, role + " cannot create a session on " + address);
  }
  thread_ = std::thread([this] { loop(); });
}

ServerSession::~ServerSession() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
  snmp_sess_close(handle_);  // also closes and frees the transport
}

bool ServerSession::send(netsnmp_pdu* pdu) {
  if (snmp_sess_send(handle_, pdu) != 0) return true;
  snmp_free_pdu(pdu);
  return false;
}

void ServerSession::send_raw(netsnmp_pdu& request, const unsigned char* bytes, std::size_t length) {
  netsnmp_transport_send(transport_, bytes, static_cast<int>(length), &request.transport_data,
                         &request.transport_data_length);
}

int ServerSession::callback(int op, netsnmp_session* /*session*/, int /*reqid*/, netsnmp_pdu* pdu,
                            void* magic) {
  if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || pdu == nullptr) return 1;
  auto* self = static_cast<ServerSession*>(magic);
  try {
    self->handler_(*self, *pdu);
  } catch (const std::exception& e) {
    snmp_log(LOG_ERR, "%s: PDU dropped: %s\n", self->role_.c_str(), e.what());
  }
  return 1;
}

void ServerSession::loop() {
  while (running_) {
    pollfd p{transport_->sock, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(kPollInterval.count())) <= 0 || !running_) continue;
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(transport_->sock, &fds);
    snmp_sess_read(handle_, &fds);  // decodes (incl. USM) and calls `callback`
  }
}

}  // namespace ems::protocols::snmp::detail
