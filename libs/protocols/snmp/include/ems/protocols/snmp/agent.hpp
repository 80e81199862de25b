#pragma once
// SnmpAgent: a command responder for one simulated device, bound to its own UDP address
// (127.0.0.1:<port>), answering GET / GETNEXT / GETBULK / SET from an OidTable for SNMP v2c
// (community) and v3 USM (configured users). Many agents run in one process, each with its own
// socket and thread - that is what the fixtures need (one port per device).
//
// Built on net-snmp's library, not its agent library (which is one process-global agent): each
// agent owns a net-snmp server session (snmp_sess_add on a UDP server transport, authoritative)
// so the library does BER, USM authentication/encryption and engine-ID discovery reports, and
// this class does the command-responder part. Limits, all from net-snmp's process-global USM
// state, are listed in the README: every agent of a process has the same engine ID, and a user
// name means the same keys in all agents of a process (configuring one name with different
// passwords in two agents throws).
//
// Access: v2c requests with `community` may read; SET needs `write_community` (else noAccess).
// Other communities get no answer (RFC 3584 behaviour). v3 users read and write; a request below
// the user's configured security level is answered with authorizationError.
//
// FaultPlan (ems::protocols::FaultPlan, may change at any time, clearing restores service):
//   silent           - requests are read and never answered
//   drop_connection  - UDP has no connection: the request is discarded unanswered (as silent);
//                      the socket stays open so clearing the fault restores service at once
//   delay            - the answer leaves after `delay` (this agent answers nothing meanwhile)
//   malformed        - the answer is replaced by a truncated BER datagram no decoder accepts

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ems/protocols/fault.hpp"
#include "ems/protocols/snmp/oid_table.hpp"
#include "ems/protocols/snmp/security.hpp"

namespace ems::protocols::snmp {

struct SnmpAgentConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = an ephemeral port, see SnmpAgent::port()
  std::string community = "public";
  std::optional<std::string> write_community;  // nullopt = v2c is read-only
  std::vector<UsmUser> users;                  // v3 users; empty = v3 disabled
  std::size_t max_bulk_varbinds = 256;         // cap on one GETBULK answer
};

struct SnmpAgentStats {
  std::uint64_t requests = 0;        // PDUs that reached the responder
  std::uint64_t responses = 0;       // answers sent (including error answers)
  std::uint64_t bad_community = 0;   // v2c requests ignored for their community
  std::uint64_t unauthorized = 0;    // v3 users not ours / level too low
  std::uint64_t faults_applied = 0;  // requests handled by the FaultPlan instead
};

class SnmpAgent {
 public:
  // Validates the configuration and registers the v3 users (SnmpError invalid_argument).
  explicit SnmpAgent(SnmpAgentConfig config);
  ~SnmpAgent();
  SnmpAgent(const SnmpAgent&) = delete;
  SnmpAgent& operator=(const SnmpAgent&) = delete;

  // Binds the UDP socket and starts the agent's thread. Throws SnmpError(transport) if the
  // address is taken.
  void start();
  // Stops answering, joins the thread and closes the socket. Idempotent.
  void stop();
  std::uint16_t port() const noexcept;

  // The served data; the model updates it at any time (thread-safe).
  OidTable& table() noexcept;
  void define(const Oid& oid, Value value, Access access = Access::read_only) {
    table().define(oid, std::move(value), access);
  }
  void set(const Oid& oid, Value value) { table().set(oid, std::move(value)); }
  void on_set(SetHandler handler) { table().on_set(std::move(handler)); }

  void set_fault(FaultPlan plan);
  FaultPlan fault() const;
  SnmpAgentStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ems::protocols::snmp
