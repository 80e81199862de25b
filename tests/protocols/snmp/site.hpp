#pragma once
// Test helper: one simulated device (an SnmpAgent on an ephemeral loopback port with a small
// table of every value type) and client configurations that reach it.

#include <atomic>

#include "ems/protocols/snmp/agent.hpp"
#include "ems/protocols/snmp/client.hpp"

namespace ems::protocols::snmp::test {

inline const Oid kBase = Oid::parse("1.3.6.1.4.1.99999.1");
inline const Oid kPower = kBase.child(1).child(0);     // INTEGER, read-write
inline const Oid kEnergy = kBase.child(2).child(0);    // Gauge32
inline const Oid kPackets = kBase.child(3).child(0);   // Counter32
inline const Oid kBytes = kBase.child(4).child(0);     // Counter64
inline const Oid kName = kBase.child(5).child(0);      // OCTET STRING, read-write
inline const Oid kUptime = kBase.child(6).child(0);    // TimeTicks, read-write
inline const Oid kSetpoint = kBase.child(7).child(0);  // Gauge32, read-write
inline constexpr std::uint64_t kBytesValue = (1ULL << 40) + 5;

inline UsmUser sha256_aes128() {
  return {"ems-priv", AuthProtocol::sha256, "authpass-256", PrivProtocol::aes128, "privpass-128"};
}
inline UsmUser sha1_aes256() {
  return {"ems-aes256", AuthProtocol::sha1, "authpass-sha1", PrivProtocol::aes256, "privpass-256"};
}
inline UsmUser sha1_auth_only() {
  return {"ems-auth", AuthProtocol::sha1, "authpass-only", PrivProtocol::none, ""};
}

struct Site {
  SnmpAgent agent;
  std::atomic<int> sets{0};

  Site()
      : agent(SnmpAgentConfig{"127.0.0.1",
                              0,
                              "public",
                              "private",
                              {sha256_aes128(), sha1_aes256(), sha1_auth_only()}}) {
    agent.define(kPower, Value::integer(-1500), Access::read_write);
    agent.define(kEnergy, Value::gauge32(1000));
    agent.define(kPackets, Value::counter32(123456));
    agent.define(kBytes, Value::counter64(kBytesValue));
    agent.define(kName, Value::octet_string("inverter-1"), Access::read_write);
    agent.define(kUptime, Value::timeticks(360000), Access::read_write);
    agent.define(kSetpoint, Value::gauge32(50), Access::read_write);
    agent.on_set([this](const Oid& oid, const Value& v) {
      ++sets;
      // The model refuses set-points above 100 %.
      if (oid == kSetpoint && v.as_uint64() > 100) return ErrorStatus::wrong_value;
      return ErrorStatus::no_error;
    });
    agent.start();
  }

  SnmpClientConfig v2c(std::string community = "public") const {
    SnmpClientConfig c;
    c.port = agent.port();
    c.community = std::move(community);
    c.timeout = std::chrono::milliseconds(500);
    c.retries = 0;
    return c;
  }
  SnmpClientConfig v3(UsmUser user) const {
    SnmpClientConfig c = v2c();
    c.version = SnmpVersion::v3;
    c.user = std::move(user);
    return c;
  }
};

}  // namespace ems::protocols::snmp::test
