// The snmp driver against libs/protocols' SnmpAgent (v2c communities and v3 USM from secrets).
#include <gtest/gtest.h>

#include "ems/protocols/snmp/agent.hpp"
#include "points.hpp"

namespace ems::drivers::test {
namespace {

namespace sn = protocols::snmp;
using contract::PayloadType;
using contract::Protocol;
using contract::ValueType;

const sn::Oid kPower = sn::Oid::parse("1.3.6.1.4.1.99998.1.1.0");     // INTEGER, tenths
const sn::Oid kEnergy = sn::Oid::parse("1.3.6.1.4.1.99998.1.2.0");    // Gauge32
const sn::Oid kState = sn::Oid::parse("1.3.6.1.4.1.99998.1.3.0");     // OCTET STRING code
const sn::Oid kAlarm = sn::Oid::parse("1.3.6.1.4.1.99998.1.4.0");     // INTEGER 0/1
const sn::Oid kSetpoint = sn::Oid::parse("1.3.6.1.4.1.99998.1.5.0");  // Gauge32, read-write
const sn::Oid kLimit = sn::Oid::parse("1.3.6.1.4.1.99998.1.6.0");     // INTEGER, read-write

sn::UsmUser v3_user() {
  return {"drivers-v3", sn::AuthProtocol::sha256, "auth-pass-256", sn::PrivProtocol::aes128,
          "priv-pass-128"};
}

class SnmpDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    agent_.define(kPower, sn::Value::integer(-15005));
    agent_.define(kEnergy, sn::Value::gauge32(1000));
    agent_.define(kState, sn::Value::octet_string("2"));
    agent_.define(kAlarm, sn::Value::integer(1));
    agent_.define(kSetpoint, sn::Value::gauge32(50), sn::Access::read_write);
    agent_.define(kLimit, sn::Value::integer(0), sn::Access::read_write);
    agent_.on_set([](const sn::Oid& oid, const sn::Value& v) {
      if (oid == kSetpoint && v.as_uint64() > 100) return sn::ErrorStatus::wrong_value;
      return sn::ErrorStatus::no_error;
    });
    agent_.start();
  }

  contract::DeviceConnection conn() const { return connection(Protocol::snmp, agent_.port()); }
  DriverOptions fast() const {
    DriverOptions o;
    o.timeout = std::chrono::milliseconds(300);
    return o;
  }

  std::vector<contract::SourcePoint> points() const {
    return {
        point("power", {{"protocol", "snmp"}, {"oid", kPower.str()}, {"scale", 0.1}}),
        point("energy", {{"protocol", "snmp"}, {"oid", kEnergy.str()}}),
        point("state",
              {{"protocol", "snmp"},
               {"oid", kState.str()},
               {"value_map", {{"1", "STANDBY"}, {"2", "ONLINE"}}}},
              ValueType::Enum),
        point("alarm", {{"protocol", "snmp"}, {"oid", kAlarm.str()}}, ValueType::Bool),
    };
  }
  void expect_values(const std::vector<PointReading>& r) const {
    ASSERT_EQ(r.size(), 4u);
    EXPECT_NEAR(number(r[0]), -1500.5, 1e-9);
    EXPECT_EQ(number(r[1]), 1000);
    EXPECT_EQ(label(r[2]), "ONLINE");
    EXPECT_EQ(flag(r[3]), true);
  }

  sn::SnmpAgent agent_{sn::SnmpAgentConfig{"127.0.0.1", 0, "public", "private", {v3_user()}}};
};

TEST_F(SnmpDriverTest, V2cDefaultsReadEveryPointInOneGet) {
  auto d = make_driver(conn(), runtime::Secrets{}, fast());
  d->open();
  const auto before = agent_.stats().requests;
  expect_values(d->read(points()));
  EXPECT_EQ(agent_.stats().requests - before, 1u);
}

TEST_F(SnmpDriverTest, V2cWriteUsesTheWriteCommunityAndTheAgentsType) {
  auto d = make_driver(conn(), runtime::Secrets{}, fast());
  auto set = command("set", {{"protocol", "snmp"}, {"oid", kSetpoint.str()}, {"scale", 0.5}},
                     PayloadType::Float, 0, 100);
  d->write(set, 40.0);
  EXPECT_EQ(agent_.table().get(kSetpoint), sn::Value::gauge32(80));  // Gauge32 kept
  auto limit = command("limit", {{"protocol", "snmp"}, {"oid", kLimit.str()}});
  d->write(limit, -7.0);
  EXPECT_EQ(agent_.table().get(kLimit), sn::Value::integer(-7));
  const auto r = d->read(
      std::vector{point("set", {{"protocol", "snmp"}, {"oid", kSetpoint.str()}, {"scale", 0.5}})});
  EXPECT_EQ(number(r[0]), 40.0);
  // The agent's model refuses a raw value above 100: wrongValue.
  auto raw = command("raw", {{"protocol", "snmp"}, {"oid", kSetpoint.str()}});
  EXPECT_EQ(kind_of([&] { d->write(raw, 150.0); }), ErrorKind::bad_value);
  // Read-only object: notWritable.
  auto ro = command("ro", {{"protocol", "snmp"}, {"oid", kEnergy.str()}});
  EXPECT_EQ(kind_of([&] { d->write(ro, 1.0); }), ErrorKind::refused);
}

TEST_F(SnmpDriverTest, ReadCommunityCannotWrite) {
  auto c = conn();
  c.write_community = "public";
  auto d = make_driver(c, runtime::Secrets{}, fast());
  auto set = command("set", {{"protocol", "snmp"}, {"oid", kSetpoint.str()}});
  EXPECT_EQ(kind_of([&] { d->write(set, 10.0); }), ErrorKind::refused);  // noAccess
  EXPECT_EQ(agent_.table().get(kSetpoint), sn::Value::gauge32(50));
}

TEST_F(SnmpDriverTest, V3FromSecretsReadsAndWrites) {
  auto secrets = runtime::Secrets::parse(R"({"ups": {"snmp": {"version": "v3",
      "user": "drivers-v3", "auth_protocol": "SHA-256", "auth_password": "auth-pass-256",
      "priv_protocol": "AES", "priv_password": "priv-pass-128"}}})");
  auto c = conn();
  c.credentials = "ups";
  auto d = make_driver(c, secrets, fast());
  d->open();
  expect_values(d->read(points()));
  auto set = command("set", {{"protocol", "snmp"}, {"oid", kSetpoint.str()}});
  d->write(set, 77.0);
  EXPECT_EQ(agent_.table().get(kSetpoint), sn::Value::gauge32(77));
}

TEST_F(SnmpDriverTest, UnknownV3UserIsRefused) {
  auto secrets = runtime::Secrets::parse(R"({"ups": {"snmp": {"version": "v3",
      "user": "drivers-stranger", "auth_protocol": "SHA", "auth_password": "stranger-pass"}}})");
  auto c = conn();
  c.credentials = "ups";
  auto d = make_driver(c, secrets, fast());
  EXPECT_EQ(kind_of([&] { d->open(); }), ErrorKind::refused);
  const auto r = d->read(points());
  for (const auto& x : r) EXPECT_EQ(x.kind, ErrorKind::refused) << describe(x);
}

TEST_F(SnmpDriverTest, SecretsV2cCommunityIsUsed) {
  auto good = runtime::Secrets::parse(
      R"({"pdu": {"snmp": {"read_community": "public", "write_community": "private"}}})");
  auto c = conn();
  c.credentials = "pdu";
  expect_values(make_driver(c, good, fast())->read(points()));
  // A community the agent does not know gets no answer at all (RFC 3584): a timeout.
  auto wrong = runtime::Secrets::parse(R"({"pdu": {"snmp": {"read_community": "nope"}}})");
  const auto r = make_driver(c, wrong, fast())->read(points());
  EXPECT_EQ(r[0].status, ReadStatus::timeout) << describe(r[0]);
}

TEST_F(SnmpDriverTest, LargeGroupsAreSplitIntoBoundedGets) {
  std::vector<contract::SourcePoint> many;
  for (std::uint32_t i = 0; i < 100; ++i) {
    const auto oid = sn::Oid::parse("1.3.6.1.4.1.99998.2").child(i).child(0);
    agent_.define(oid, sn::Value::integer(std::int32_t(i * 3)));
    many.push_back(point("p" + std::to_string(i), {{"protocol", "snmp"}, {"oid", oid.str()}}));
  }
  auto d = make_driver(conn(), runtime::Secrets{}, fast());
  const auto before = agent_.stats().requests;
  const auto r = d->read(many);
  ASSERT_EQ(r.size(), 100u);
  for (std::uint32_t i = 0; i < 100; ++i) EXPECT_EQ(number(r[i]), i * 3.0) << i;
  EXPECT_EQ(agent_.stats().requests - before, 3u);  // 48 + 48 + 4
}

TEST_F(SnmpDriverTest, MissingObjectFailsOnlyItsPoint) {
  auto d = make_driver(conn(), runtime::Secrets{}, fast());
  auto ps = points();
  ps.push_back(point("missing", {{"protocol", "snmp"}, {"oid", "1.3.6.1.4.1.99998.9.9.0"}}));
  const auto r = d->read(ps);
  expect_values({r.begin(), r.begin() + 4});
  EXPECT_EQ(r[4].kind, ErrorKind::protocol) << describe(r[4]);
  EXPECT_NE(r[4].error.find("noSuchObject"), std::string::npos) << r[4].error;
}

TEST_F(SnmpDriverTest, SilentAgentTimesOut) {
  auto d = make_driver(conn(), runtime::Secrets{}, fast());
  agent_.set_fault({protocols::FaultPlan::Kind::silent});
  for (const auto& x : d->read(points())) {
    EXPECT_EQ(x.status, ReadStatus::timeout) << describe(x);
    EXPECT_EQ(x.kind, ErrorKind::timeout);
  }
  auto set = command("set", {{"protocol", "snmp"}, {"oid", kSetpoint.str()}});
  EXPECT_EQ(kind_of([&] { d->write(set, 1.0); }), ErrorKind::timeout);
  agent_.set_fault({protocols::FaultPlan::Kind::malformed});
  EXPECT_NE(d->read(points())[0].status, ReadStatus::ok);
  agent_.set_fault({});
  expect_values(d->read(points()));
}

TEST(SnmpDriver, ConfigurationErrors) {
  auto c = connection(Protocol::snmp, 161);
  c.snmp_version = "v3";
  EXPECT_EQ(kind_of([&] { make_driver(c, runtime::Secrets{}); }), ErrorKind::config);
  c.snmp_version = "v2c";
  c.credentials = "absent";
  EXPECT_EQ(kind_of([&] { make_driver(c, runtime::Secrets{}); }), ErrorKind::config);
  auto redfish_only =
      runtime::Secrets::parse(R"({"absent": {"redfish": {"user": "u", "password": "p"}}})");
  EXPECT_EQ(kind_of([&] { make_driver(c, redfish_only); }), ErrorKind::config);
  auto d = make_driver(connection(Protocol::snmp, 161), runtime::Secrets{});
  const auto r = d->read(std::vector{
      point("modbus", {{"protocol", "modbus_tcp"}, {"function_code", 3}, {"address", 1}})});
  EXPECT_EQ(r[0].kind, ErrorKind::config) << describe(r[0]);
}

}  // namespace
}  // namespace ems::drivers::test
