// Our SnmpClient against our SnmpAgent over loopback UDP: v2c and v3 USM, every PDU type, SET
// with the model's callback, exceptions, access control, and the FaultPlan as the client sees it.
#include <gtest/gtest.h>

#include <thread>

#include "ems/protocols/snmp/error.hpp"
#include "site.hpp"

namespace ems::protocols::snmp {
namespace {

using test::Site;

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SnmpError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no SnmpError thrown";
  return ErrorKind::invalid_argument;
}

void expect_full_table(SnmpClient& client) {
  const auto got = client.get(
      {test::kPower, test::kEnergy, test::kPackets, test::kBytes, test::kName, test::kUptime});
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0].value, Value::integer(-1500));
  EXPECT_EQ(got[0].value.as_int64(), -1500);
  EXPECT_EQ(got[1].value, Value::gauge32(1000));
  EXPECT_EQ(got[2].value.as_uint64(), 123456u);
  EXPECT_EQ(got[2].value.type(), ValueType::counter32);
  EXPECT_EQ(got[3].value.as_uint64(), test::kBytesValue);
  EXPECT_EQ(got[3].value.type(), ValueType::counter64);
  EXPECT_EQ(got[4].value.as_string(), "inverter-1");
  EXPECT_EQ(got[5].value, Value::timeticks(360000));
  EXPECT_DOUBLE_EQ(got[5].value.as_double(), 360000.0);
  EXPECT_EQ(kind_of([&] { (void)got[4].value.as_int64(); }), ErrorKind::type_mismatch);
}

TEST(ClientAgent, V2cGetManyOidsInOnePdu) {
  Site site;
  SnmpClient client(site.v2c());
  expect_full_table(client);
}

TEST(ClientAgent, V3AuthPrivSha256Aes128) {
  Site site;
  SnmpClient client(site.v3(test::sha256_aes128()));
  expect_full_table(client);
}

TEST(ClientAgent, V3AuthPrivSha1Aes256AndAuthNoPriv) {
  Site site;
  SnmpClient aes256(site.v3(test::sha1_aes256()));
  expect_full_table(aes256);
  SnmpClient auth_only(site.v3(test::sha1_auth_only()));
  EXPECT_EQ(auth_only.get(test::kEnergy), Value::gauge32(1000));
}

TEST(ClientAgent, UnknownOidIsNoSuchObjectNotAnError) {
  Site site;
  SnmpClient client(site.v2c());
  const auto got = client.get({test::kEnergy, Oid::parse("1.3.6.1.4.1.99999.9.0")});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].value, Value::gauge32(1000));
  EXPECT_EQ(got[1].value.type(), ValueType::no_such_object);
  EXPECT_TRUE(got[1].value.is_exception());
  EXPECT_EQ(kind_of([&] { (void)got[1].value.as_double(); }), ErrorKind::type_mismatch);
}

TEST(ClientAgent, GetNextAndEndOfMibView) {
  Site site;
  SnmpClient client(site.v2c());
  const auto got = client.get_next({test::kBase, test::kSetpoint});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].oid, test::kPower);
  EXPECT_EQ(got[0].value, Value::integer(-1500));
  EXPECT_EQ(got[1].value.type(), ValueType::end_of_mib_view);
}

TEST(ClientAgent, BulkWalkReturnsTheSubtreeInOrder) {
  Site site;
  for (std::uint32_t i = 1; i <= 45; ++i)
    site.agent.set(Oid::parse("1.3.6.1.4.1.99999.2").child(i), Value::gauge32(i * 10));
  SnmpClient client(site.v2c());
  const auto rows = client.walk(Oid::parse("1.3.6.1.4.1.99999.2"), 1000, 10);  // 5 requests
  ASSERT_EQ(rows.size(), 45u);
  for (std::uint32_t i = 0; i < 45; ++i) {
    EXPECT_EQ(rows[i].oid.arcs().back(), i + 1);
    EXPECT_EQ(rows[i].value.as_uint64(), (i + 1) * 10);
  }
  EXPECT_EQ(client.walk(test::kBase).size(), 7u);
  EXPECT_EQ(client.walk(test::kBase, 3).size(), 3u);  // max_rows bounds the walk

  const auto bulk = client.get_bulk({test::kBase, test::kBase}, 1, 3);
  ASSERT_EQ(bulk.size(), 4u);  // one non-repeater + 3 repetitions of one repeater
  EXPECT_EQ(bulk[0].oid, test::kPower);
  EXPECT_EQ(bulk[3].oid, test::kPackets);
}

TEST(ClientAgent, V3WalkAndSet) {
  Site site;
  SnmpClient client(site.v3(test::sha256_aes128()));
  EXPECT_EQ(client.walk(test::kBase).size(), 7u);
  client.set({{test::kSetpoint, Value::gauge32(75)}});
  EXPECT_EQ(site.agent.table().get(test::kSetpoint), Value::gauge32(75));
}

TEST(ClientAgent, SetEveryWritableTypeReachesTheModel) {
  Site site;
  SnmpClient client(site.v2c("private"));
  const auto echo = client.set({{test::kPower, Value::integer(-42)},
                                {test::kName, Value::octet_string("renamed")},
                                {test::kUptime, Value::timeticks(99)},
                                {test::kSetpoint, Value::unsigned32(80)}});
  EXPECT_EQ(echo.size(), 4u);
  EXPECT_EQ(site.sets.load(), 4);
  EXPECT_EQ(client.get(test::kPower), Value::integer(-42));
  EXPECT_EQ(client.get(test::kName).as_string(), "renamed");
  EXPECT_EQ(client.get(test::kUptime), Value::timeticks(99));
  EXPECT_EQ(client.get(test::kSetpoint), Value::gauge32(80));
}

TEST(ClientAgent, SetRejectionsCarryStatusAndIndex) {
  Site site;
  SnmpClient client(site.v2c("private"));
  auto status_of = [&](const std::vector<VarBind>& vbs) {
    try {
      client.set(vbs);
    } catch (const SnmpError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::error_status) << e.what();
      return std::pair{e.status(), e.error_index()};
    }
    return std::pair{ErrorStatus::no_error, 0};
  };
  EXPECT_EQ(status_of({{test::kPower, Value::integer(1)}, {test::kEnergy, Value::gauge32(1)}}),
            std::pair(ErrorStatus::not_writable, 2));
  EXPECT_EQ(status_of({{test::kSetpoint, Value::integer(1)}}),
            std::pair(ErrorStatus::wrong_type, 1));
  EXPECT_EQ(status_of({{Oid::parse("1.3.6.1.4.1.99999.8.0"), Value::integer(1)}}),
            std::pair(ErrorStatus::no_creation, 1));
  EXPECT_EQ(status_of({{test::kSetpoint, Value::gauge32(150)}}),
            std::pair(ErrorStatus::wrong_value, 1));  // the model's callback said no
  EXPECT_EQ(site.agent.table().get(test::kSetpoint), Value::gauge32(50));
  EXPECT_EQ(site.agent.table().get(test::kPower), Value::integer(-1500));  // checked first

  SnmpClient reader(site.v2c("public"));
  try {
    reader.set({{test::kSetpoint, Value::gauge32(10)}});
    ADD_FAILURE() << "read community wrote";
  } catch (const SnmpError& e) {
    EXPECT_EQ(e.status(), ErrorStatus::no_access);
    EXPECT_NE(std::string(e.what()).find("noAccess"), std::string::npos) << e.what();
  }
}

TEST(ClientAgent, ModelUpdatesAreVisibleAtOnce) {
  Site site;
  SnmpClient client(site.v2c());
  for (std::uint32_t i = 0; i < 20; ++i) {
    site.agent.set(test::kEnergy, Value::gauge32(i));
    EXPECT_EQ(client.get(test::kEnergy).as_uint64(), i);
  }
}

TEST(ClientAgent, WrongCommunityAndForeignUsersAreRefused) {
  Site site;
  SnmpClient wrong_community(site.v2c("nope"));
  EXPECT_EQ(kind_of([&] { wrong_community.get(test::kEnergy); }), ErrorKind::timeout);
  EXPECT_EQ(site.agent.stats().bad_community, 1u);

  // A wrong password can only be tested from another process (net-snmp's USM user table is
  // process-wide, so an in-process client would find the agent's keys): see test_interop.cpp.
  // A user this agent does not serve is refused by the agent's own user list.
  SnmpClient stranger(
      site.v3({"stranger", AuthProtocol::sha1, "stranger-pass", PrivProtocol::none, ""}));
  try {
    stranger.get(test::kEnergy);
    ADD_FAILURE() << "unknown user served";
  } catch (const SnmpError& e) {
    EXPECT_EQ(e.status(), ErrorStatus::authorization_error) << e.what();
  }

  UsmUser low = test::sha256_aes128();  // the agent requires authPriv for this user
  low.priv = PrivProtocol::none;
  low.priv_password.clear();
  SnmpClient too_low(site.v3(low));
  try {
    too_low.get(test::kEnergy);
    ADD_FAILURE() << "authNoPriv accepted for an authPriv user";
  } catch (const SnmpError& e) {
    EXPECT_EQ(e.status(), ErrorStatus::authorization_error) << e.what();
  }
}

TEST(ClientAgent, SeveralAgentsAndPollersInParallel) {
  std::vector<std::unique_ptr<Site>> sites;
  for (int i = 0; i < 3; ++i) sites.push_back(std::make_unique<Site>());
  std::vector<std::thread> pollers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i) {
    sites[i]->agent.set(test::kEnergy, Value::gauge32(1000 + i));
    for (bool v3 : {false, true}) {
      pollers.emplace_back([&, i, v3] {
        SnmpClient client(v3 ? sites[i]->v3(test::sha256_aes128()) : sites[i]->v2c());
        for (int n = 0; n < 25; ++n)
          if (client.get(test::kEnergy).as_uint64() == 1000u + i) ++ok;
      });
    }
  }
  for (auto& t : pollers) t.join();
  EXPECT_EQ(ok.load(), 3 * 2 * 25);
}

TEST(ClientAgentFaults, SilentAndDropTimeOutThenClearingRestores) {
  Site site;
  SnmpClient client(site.v2c());
  for (auto kind : {FaultPlan::Kind::silent, FaultPlan::Kind::drop_connection}) {
    site.agent.set_fault({kind, {}});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(kind_of([&] { client.get(test::kEnergy); }), ErrorKind::timeout);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(450));
    site.agent.set_fault({});
    EXPECT_EQ(client.get(test::kEnergy), Value::gauge32(1000));
  }
  EXPECT_EQ(site.agent.stats().faults_applied, 2u);
}

TEST(ClientAgentFaults, MalformedAnswerIsRejectedClearly) {
  Site site;
  SnmpClient client(site.v2c());
  site.agent.set_fault({FaultPlan::Kind::malformed, {}});
  try {
    client.get(test::kEnergy);
    ADD_FAILURE() << "malformed answer accepted";
  } catch (const SnmpError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::malformed_response) << e.what();
    EXPECT_NE(std::string(e.what()).find("undecodable"), std::string::npos) << e.what();
  }
  site.agent.set_fault({});
  EXPECT_EQ(client.get(test::kEnergy), Value::gauge32(1000));
}

TEST(ClientAgentFaults, DelayWithinAndBeyondTheTimeout) {
  Site site;
  SnmpClient client(site.v3(test::sha256_aes128()));
  EXPECT_EQ(client.get(test::kEnergy), Value::gauge32(1000));  // engine discovery done
  site.agent.set_fault({FaultPlan::Kind::delay, std::chrono::milliseconds(200)});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.get(test::kEnergy), Value::gauge32(1000));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(190));
  site.agent.set_fault({FaultPlan::Kind::delay, std::chrono::milliseconds(800)});
  EXPECT_EQ(kind_of([&] { client.get(test::kEnergy); }), ErrorKind::timeout);
  site.agent.set_fault({});
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // let the late answer go by
  EXPECT_EQ(client.get(test::kEnergy), Value::gauge32(1000));
}

}  // namespace
}  // namespace ems::protocols::snmp

namespace ems::protocols::snmp {
namespace {

TEST(ClientAgentFaults, RetriesResendWithinTheBound) {
  test::Site site;
  SnmpClientConfig config = site.v2c();
  config.timeout = std::chrono::milliseconds(200);
  config.retries = 2;
  SnmpClient client(config);
  site.agent.set_fault({FaultPlan::Kind::silent, {}});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(kind_of([&] { client.get(test::kEnergy); }), ErrorKind::timeout);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(590));
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000));
  EXPECT_EQ(site.agent.stats().faults_applied, 3u);  // first try + 2 retries reached the agent
}

TEST(ClientAgentFaults, V3DiscoveryAgainstAStoppedAgentTimesOutThenRecovers) {
  std::uint16_t port = 0;
  {
    test::Site first;
    port = first.agent.port();
  }
  test::Site probe_target_gone;  // keeps the users registered; its own port is elsewhere
  SnmpClientConfig config = probe_target_gone.v3(test::sha256_aes128());
  config.port = port;
  SnmpClient client(config);
  EXPECT_EQ(kind_of([&] { client.get(test::kEnergy); }), ErrorKind::timeout);
  // The device comes back on its port: the same client discovers it on the next call.
  SnmpAgent revived(
      SnmpAgentConfig{"127.0.0.1", port, "public", "private", {test::sha256_aes128()}});
  revived.define(test::kEnergy, Value::gauge32(7));
  revived.start();
  EXPECT_EQ(client.get(test::kEnergy), Value::gauge32(7));
}

TEST(ClientAgent, CounterSetsAndNoAuthNoPrivUser) {
  const UsmUser plain{"ems-plain", AuthProtocol::none, "", PrivProtocol::none, ""};
  SnmpAgent agent(SnmpAgentConfig{"127.0.0.1", 0, "public", "private", {plain}});
  const Oid c32 = Oid::parse("1.3.6.1.4.1.99999.3.1.0");
  const Oid c64 = Oid::parse("1.3.6.1.4.1.99999.3.2.0");
  agent.define(c32, Value::counter32(1), Access::read_write);
  agent.define(c64, Value::counter64(1), Access::read_write);
  agent.start();
  SnmpClientConfig config;
  config.port = agent.port();
  config.community = "private";
  config.timeout = std::chrono::milliseconds(500);
  SnmpClient writer(config);
  writer.set({{c32, Value::counter32(4000000000u)}, {c64, Value::counter64(1ULL << 60)}});
  config.version = SnmpVersion::v3;
  config.user = plain;
  SnmpClient reader(config);
  const auto got = reader.get({c32, c64});
  EXPECT_EQ(got[0].value, Value::counter32(4000000000u));
  EXPECT_EQ(got[1].value.as_uint64(), 1ULL << 60);
}

}  // namespace
}  // namespace ems::protocols::snmp
