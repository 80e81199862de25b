#pragma once
// ServerSession: one UDP endpoint served through net-snmp's library on its own thread - the
// shared machinery of SnmpAgent and TrapReceiver. It binds a server transport, adds an
// authoritative single-session on it (so the library decodes v2c and v3/USM messages and answers
// engine-ID discovery itself) and hands every decoded PDU to `handler` on the session's thread.
// Private to the library (net-snmp types).

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "netsnmp_runtime.hpp"

namespace ems::protocols::snmp::detail {

class ServerSession {
 public:
  // Gets the session itself so it can answer even while the constructor has not returned.
  using Handler = std::function<void(ServerSession& session, netsnmp_pdu& request)>;

  // Binds udp:<bind_address>:<port> (0 = ephemeral) and starts the thread. Throws
  // SnmpError(transport) naming `role` when the address cannot be bound.
  ServerSession(const std::string& role, const std::string& bind_address, std::uint16_t port,
                Handler handler);
  // Stops the thread (within one poll interval, 100 ms) and closes the socket.
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  // Sends a PDU built from a received one (its transport_data is the peer). Takes ownership;
  // returns false if net-snmp could not encode or send it.
  bool send(netsnmp_pdu* pdu);
  // Sends raw bytes to the peer of `request` (fault injection).
  void send_raw(netsnmp_pdu& request, const unsigned char* bytes, std::size_t length);

 private:
  static int callback(int op, netsnmp_session* session, int reqid, netsnmp_pdu* pdu, void* magic);
  void loop();

  std::string role_;
  Handler handler_;
  std::uint16_t port_ = 0;
  netsnmp_transport* transport_ = nullptr;
  void* handle_ = nullptr;  // owns transport_
  std::atomic<bool> running_{true};
  std::thread thread_;
};

}  // namespace ems::protocols::snmp::detail
