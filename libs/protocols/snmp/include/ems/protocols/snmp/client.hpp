#pragma once
// SnmpClient: one manager-side session to one agent (v2c community or v3 USM), built on
// net-snmp's single-session API (snmp_sess_open / snmp_sess_synch_response), which is safe for
// one thread per session: a gateway runs one SnmpClient per device in its own poller thread.
// A client serialises its own calls, so sharing one between threads is safe but not parallel.
//
// Every request is bounded by timeout * (retries + 1). Failures throw SnmpError:
//   timeout             - no answer (the agent is silent, down, or drops our datagrams)
//   malformed_response  - datagrams arrived but could not be decoded, or the answer's varbinds
//                         do not match the request (count, OIDs, GETNEXT not increasing)
//   error_status        - the agent answered e.g. notWritable; status() and error_index() tell
//   authentication      - v3 USM rejected us (unknown user, wrong password, level not allowed)
// Per-OID absence is not an error: GET returns noSuchObject / noSuchInstance values.
//
// v3: the agent's engine ID is discovered at the first request; while discovery has not
// succeeded (agent down) every call retries it, so a device that comes back is found again.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ems/protocols/snmp/security.hpp"
#include "ems/protocols/snmp/value.hpp"

namespace ems::protocols::snmp {

enum class SnmpVersion { v2c, v3 };

struct SnmpClientConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 161;
  SnmpVersion version = SnmpVersion::v2c;
  std::string community = "public";  // v2c
  UsmUser user;                      // v3; its protocols give the security level
  std::chrono::milliseconds timeout{1000};
  int retries = 1;
};

class SnmpClient {
 public:
  // Validates the configuration (throws SnmpError invalid_argument); opens no socket yet.
  explicit SnmpClient(SnmpClientConfig config);
  ~SnmpClient();
  SnmpClient(const SnmpClient&) = delete;
  SnmpClient& operator=(const SnmpClient&) = delete;

  // One GET PDU with all OIDs; the answer is in request order.
  std::vector<VarBind> get(const std::vector<Oid>& oids);
  Value get(const Oid& oid);
  // One GETNEXT PDU: for each OID the next one the agent has (or endOfMibView).
  std::vector<VarBind> get_next(const std::vector<Oid>& oids);
  // One GETBULK PDU (RFC 3416): the first non_repeaters OIDs once, the rest max_repetitions
  // times, interleaved as the agent sends them.
  std::vector<VarBind> get_bulk(const std::vector<Oid>& oids, int non_repeaters,
                                int max_repetitions);
  // Every varbind under `root`, in order, using GETBULK with max_repetitions per request. Stops
  // at the end of the subtree, at endOfMibView, or after max_rows (bounded; a non-increasing
  // answer throws malformed_response instead of looping).
  std::vector<VarBind> walk(const Oid& root, std::size_t max_rows = 10000,
                            int max_repetitions = 20);
  // One SET PDU; values keep their SMI type (Value::integer, gauge32, counter32, counter64,
  // octet_string, timeticks, ...). Returns the agent's echo.
  std::vector<VarBind> set(const std::vector<VarBind>& varbinds);

  // Notifications (v2c only; v3 notifications need the sender's engine ID configured at every
  // receiver, which the suite does not do). The PDU carries sysUpTime.0 = uptime and
  // snmpTrapOID.0 = trap_oid before `varbinds`. send_trap is fire-and-forget; inform waits for
  // the receiver's acknowledgement (timeout/retries apply) and throws like a GET.
  void send_trap(const Oid& trap_oid, const std::vector<VarBind>& varbinds, std::uint32_t uptime);
  void inform(const Oid& trap_oid, const std::vector<VarBind>& varbinds, std::uint32_t uptime);

  const SnmpClientConfig& config() const noexcept { return config_; }

 private:
  struct Session;
  void ensure_open();
  std::vector<VarBind> request(int command, const std::vector<VarBind>& varbinds, int non_repeaters,
                               int max_repetitions);

  SnmpClientConfig config_;
  std::unique_ptr<Session> session_;
};

}  // namespace ems::protocols::snmp
