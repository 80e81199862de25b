#pragma once
// SNMPv2 notifications (RFC 3416 4.2.6/4.2.7), v2c: the fixtures' devices send them with
// SnmpClient::send_trap / inform, the gateway receives them with a TrapReceiver (alarm
// condition sources of type snmp_trap{oid} in the contract).
//
// On the wire a notification's first two varbinds are sysUpTime.0 and snmpTrapOID.0; Trap
// holds them as fields and keeps the rest in `varbinds`.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ems/protocols/snmp/value.hpp"

namespace ems::protocols::snmp {

inline const Oid kSysUpTime0{1, 3, 6, 1, 2, 1, 1, 3, 0};
inline const Oid kSnmpTrapOid0{1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

struct Trap {
  std::string source;  // sender "a.b.c.d:port"
  std::string community;
  bool inform = false;       // InformRequest (acknowledged) rather than SNMPv2-Trap
  std::uint32_t uptime = 0;  // sysUpTime.0, hundredths of a second
  Oid trap_oid;              // snmpTrapOID.0: which notification
  std::vector<VarBind> varbinds;
};

struct TrapReceiverConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = ephemeral (162 needs privileges)
  std::string community = "public";
};

struct TrapReceiverStats {
  std::uint64_t received = 0;  // delivered to the handler
  std::uint64_t rejected = 0;  // other community or version, no sysUpTime.0/snmpTrapOID.0
};

// Listens on UDP and calls `handler` on its own thread for every accepted v2c notification
// (acknowledging informs). Requests that are not notifications are ignored.
class TrapReceiver {
 public:
  using Handler = std::function<void(const Trap&)>;
  TrapReceiver(TrapReceiverConfig config, Handler handler);
  ~TrapReceiver();
  TrapReceiver(const TrapReceiver&) = delete;
  TrapReceiver& operator=(const TrapReceiver&) = delete;

  // Binds and starts (SnmpError transport if the address is taken); stop() is idempotent.
  void start();
  void stop();
  std::uint16_t port() const noexcept;
  TrapReceiverStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ems::protocols::snmp
