// SNMPv2 notifications: our client's traps and informs reach our TrapReceiver; Debian's
// snmptrap / snmpinform reach it too (Interop*, LABELS integration).
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "ems/protocols/snmp/client.hpp"
#include "ems/protocols/snmp/error.hpp"
#include "ems/protocols/snmp/trap.hpp"
#include "process.hpp"

namespace ems::protocols::snmp {
namespace {

const Oid kBreakerTripped = Oid::parse("1.3.6.1.4.1.99999.0.1");

// Collects traps from the receiver thread; wait() is bounded.
struct Inbox {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Trap> traps;

  TrapReceiver::Handler handler() {
    return [this](const Trap& t) {
      std::lock_guard lock(mutex);
      traps.push_back(t);
      cv.notify_all();
    };
  }
  bool wait(std::size_t count, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, limit, [&] { return traps.size() >= count; });
  }
};

SnmpClientConfig to(const TrapReceiver& receiver, std::string community = "public") {
  SnmpClientConfig c;
  c.port = receiver.port();
  c.community = std::move(community);
  c.timeout = std::chrono::milliseconds(500);
  c.retries = 0;
  return c;
}

TEST(Trap, OurTrapAndInformReachOurReceiver) {
  Inbox inbox;
  TrapReceiver receiver({"127.0.0.1", 0, "public"}, inbox.handler());
  receiver.start();
  SnmpClient sender(to(receiver));
  sender.send_trap(kBreakerTripped, {{Oid::parse("1.3.6.1.4.1.99999.1.1.0"), Value::integer(3)}},
                   12345);
  ASSERT_TRUE(inbox.wait(1));
  sender.inform(kBreakerTripped, {}, 12346);  // returns only once acknowledged
  ASSERT_TRUE(inbox.wait(2));
  std::lock_guard lock(inbox.mutex);
  const Trap& t = inbox.traps[0];
  EXPECT_FALSE(t.inform);
  EXPECT_EQ(t.trap_oid, kBreakerTripped);
  EXPECT_EQ(t.uptime, 12345u);
  ASSERT_EQ(t.varbinds.size(), 1u);
  EXPECT_EQ(t.varbinds[0].value, Value::integer(3));
  EXPECT_EQ(t.source.rfind("127.0.0.1:", 0), 0u) << t.source;
  EXPECT_TRUE(inbox.traps[1].inform);
  EXPECT_EQ(receiver.stats().received, 2u);
}

TEST(Trap, OtherCommunityIsRejectedAndInformTimesOut) {
  Inbox inbox;
  TrapReceiver receiver({"127.0.0.1", 0, "public"}, inbox.handler());
  receiver.start();
  SnmpClient sender(to(receiver, "intruder"));
  try {
    sender.inform(kBreakerTripped, {}, 1);
    ADD_FAILURE() << "inform acknowledged for a foreign community";
  } catch (const SnmpError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::timeout) << e.what();
  }
  EXPECT_EQ(receiver.stats().rejected, 1u);
  EXPECT_EQ(receiver.stats().received, 0u);
  SnmpClientConfig v3 = to(receiver);
  v3.version = SnmpVersion::v3;
  v3.user = {"ems-trap", AuthProtocol::sha1, "trap-password", PrivProtocol::none, ""};
  SnmpClient v3_sender(v3);
  EXPECT_THROW(v3_sender.send_trap(kBreakerTripped, {}, 1), SnmpError);
}

TEST(InteropTrap, DebianSnmptrapAndSnmpinformReachOurReceiver) {
  if (!test::have("snmptrap")) GTEST_SKIP() << "apt-get install -y snmp";
  Inbox inbox;
  TrapReceiver receiver({"127.0.0.1", 0, "public"}, inbox.handler());
  receiver.start();
  const std::string target = " -v2c -c public 127.0.0.1:" + std::to_string(receiver.port());
  auto r = test::run("snmptrap" + target + " 4242 " + kBreakerTripped.str() +
                     " 1.3.6.1.4.1.99999.1.5.0 s tripped 1.3.6.1.4.1.99999.1.2.0 u 7");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ASSERT_TRUE(inbox.wait(1));
  r = test::run("snmpinform -t 1 -r 1" + target + " 4243 " + kBreakerTripped.str());
  EXPECT_EQ(r.exit_code, 0) << r.err;  // snmpinform fails unless we acknowledged
  EXPECT_EQ(r.err, "");
  ASSERT_TRUE(inbox.wait(2));
  std::lock_guard lock(inbox.mutex);
  const Trap& t = inbox.traps[0];
  EXPECT_EQ(t.trap_oid, kBreakerTripped);
  EXPECT_EQ(t.uptime, 4242u);
  ASSERT_EQ(t.varbinds.size(), 2u);
  EXPECT_EQ(t.varbinds[0].value.as_string(), "tripped");
  EXPECT_EQ(t.varbinds[1].value, Value::gauge32(7));
  EXPECT_TRUE(inbox.traps[1].inform);
}

}  // namespace
}  // namespace ems::protocols::snmp
