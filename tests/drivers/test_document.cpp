// From the AsyncAPI document's x-protocol-source / x-command-source (contract::read_sources) and
// a secrets file to values, with nothing else: template entries shared by two devices, a Modbus
// connection per device, SNMPv3 and an authenticated Redfish service named by credentials.
#include <gtest/gtest.h>

#include "ems/protocols/modbus/server.hpp"
#include "ems/protocols/redfish/service.hpp"
#include "ems/protocols/snmp/agent.hpp"
#include "points.hpp"

namespace ems::drivers::test {
namespace {

namespace mb = protocols::modbus;
namespace sn = protocols::snmp;
namespace rf = protocols::redfish;
using contract::Protocol;

class DocumentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* s : {&meter_a_, &meter_b_}) {
      s->start();
      s->set_value(1, mb::Table::kHoldingRegisters, 0, s == &meter_a_ ? 1200.5 : -300.25,
                   {mb::DataType::kFloat32});
      const std::uint16_t state[] = {2};
      s->set_holding(1, 2, state);
      const std::uint16_t zero[] = {0};
      s->set_holding(1, 10, zero);
    }
    ups_.define(sn::Oid::parse("1.3.6.1.4.1.99997.1.0"), sn::Value::integer(875));
    ups_.start();
    bmc_.add_binding("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts", 5400.0);
    bmc_.add_binding("/Chassis/1/Power", "/PowerControl/0/PowerLimit/LimitInWatts", 6000.0);
    bmc_.set_writable("/Chassis/1/Power", "/PowerControl/0/PowerLimit/LimitInWatts");
    bmc_.start();
  }

  Json document() const {
    auto modbus = [](int port) {
      return Json{{"modbus_tcp", {{"host", "127.0.0.1"}, {"port", port}, {"unit_id", 1}}}};
    };
    const Json redfish = {{"redfish",
                           {{"host", "127.0.0.1"},
                            {"port", bmc_.port()},
                            {"scheme", "http"},
                            {"root", "/redfish/v1"},
                            {"credentials", "bmc"}}}};
    const Json meter_entries = {{"active_power",
                                 {{"protocol", "modbus_tcp"},
                                  {"function_code", 3},
                                  {"address", 0},
                                  {"data_type", "float32"},
                                  {"word_order", "high_low"},
                                  {"scale", 1.0},
                                  {"offset", 0.0},
                                  {"unit", "watts"},
                                  {"value_type", "float"},
                                  {"poll_rate_hz", 1.0}}},
                                {"state",
                                 {{"protocol", "modbus_tcp"},
                                  {"function_code", 3},
                                  {"address", 2},
                                  {"data_type", "uint16"},
                                  {"word_order", "high_low"},
                                  {"scale", 1.0},
                                  {"offset", 0.0},
                                  {"unit", "none"},
                                  {"value_type", "enum"},
                                  {"poll_rate_hz", 1.0},
                                  {"value_map", {{"1", "STANDBY"}, {"2", "RUNNING"}}}}}};
    return {
        {"x-protocol-source",
         {{"templates", {{"meter", meter_entries}}},
          {"devices",
           {{"meter-a",
             {{"template", "meter"},
              {"connections", modbus(meter_a_.port())},
              {"measurements", Json::object()}}},
            {"meter-b",
             {{"template", "meter"},
              {"connections", modbus(meter_b_.port())},
              {"measurements", Json::object()}}},
            {"ups-1",
             {{"connections",
               {{"snmp", {{"host", "127.0.0.1"}, {"port", ups_.port()}, {"credentials", "ups"}}}}},
              {"measurements",
               {{"load_percent",
                 {{"protocol", "snmp"},
                  {"oid", "1.3.6.1.4.1.99997.1.0"},
                  {"scale", 0.1},
                  {"unit", "percent"},
                  {"value_type", "float"},
                  {"poll_rate_hz", 1.0}}}}}}},
            {"bmc-1",
             {{"connections", redfish},
              {"measurements",
               {{"power",
                 {{"protocol", "redfish"},
                  {"uri", "/redfish/v1/Chassis/1/Power"},
                  {"json_pointer", "/PowerControl/0/PowerConsumedWatts"},
                  {"scale", 1.0},
                  {"unit", "watts"},
                  {"value_type", "float"},
                  {"poll_rate_hz", 1.0}}}}}}}}}}},
        {"x-command-source",
         {{"templates", Json::object()},
          {"devices",
           {{"bmc-1",
             {{"connections", redfish},
              {"commands",
               {{"set_power_limit",
                 {{"protocol", "redfish"},
                  {"uri", "/redfish/v1/Chassis/1/Power"},
                  {"json_pointer", "/PowerControl/0/PowerLimit/LimitInWatts"},
                  {"scale", 1.0},
                  {"unit", "watts"},
                  {"verb", "set"},
                  {"target", "power_limit"},
                  {"payload", "float"},
                  {"bounds", {{"min", 0}, {"max", 10000}}}}}}}}}}}}}};
  }

  mb::ModbusServer meter_a_{mb::ModbusServerConfig{"127.0.0.1", 0, 4}};
  mb::ModbusServer meter_b_{mb::ModbusServerConfig{"127.0.0.1", 0, 4}};
  sn::SnmpAgent ups_{sn::SnmpAgentConfig{"127.0.0.1",
                                         0,
                                         "public",
                                         std::nullopt,
                                         {{"drivers-doc", sn::AuthProtocol::sha1, "doc-auth-pass",
                                           sn::PrivProtocol::aes256, "doc-priv-pass"}}}};
  rf::RedfishService bmc_{rf::RedfishServiceConfig{
      "127.0.0.1", 0, 2, rf::Credentials{"ems", "bmc-secret"}, std::nullopt}};
  runtime::Secrets secrets_ = runtime::Secrets::parse(R"({
    "ups": {"snmp": {"version": "v3", "user": "drivers-doc", "auth_protocol": "SHA",
                     "auth_password": "doc-auth-pass", "priv_protocol": "AES-256",
                     "priv_password": "doc-priv-pass"}},
    "bmc": {"redfish": {"user": "ems", "password": "bmc-secret", "auth": "session"}}})");
};

TEST_F(DocumentTest, EveryMeasurementReadsTypedFromTheDocumentAlone) {
  const auto sources = contract::read_sources(document());
  ASSERT_EQ(sources.size(), 4u);
  std::map<std::string, Value> values;
  for (const auto& [id, dev] : sources)
    for (const auto& [protocol, conn] : dev.connections) {
      auto driver = make_driver(conn, secrets_);
      driver->open();
      for (const auto& r : driver->read(points_for(dev, protocol))) {
        ASSERT_TRUE(r.ok()) << id << ": " << describe(r);
        values.emplace(id + "/" + r.name, *r.value);
      }
    }
  EXPECT_EQ(values.size(), 6u);
  EXPECT_EQ(values.at("meter-a/active_power"), Value(1200.5));
  EXPECT_EQ(values.at("meter-b/active_power"), Value(-300.25));
  EXPECT_EQ(values.at("meter-a/state"), Value(std::string("RUNNING")));
  EXPECT_EQ(values.at("meter-b/state"), Value(std::string("RUNNING")));
  EXPECT_EQ(values.at("ups-1/load_percent"), Value(87.5));
  EXPECT_EQ(values.at("bmc-1/power"), Value(5400.0));
}

TEST_F(DocumentTest, CommandsWriteThroughTheDocumentsConnection) {
  const auto sources = contract::read_sources(document());
  const auto& bmc = sources.at("bmc-1");
  ASSERT_EQ(bmc.commands.size(), 1u);
  const auto& cmd = bmc.commands[0];
  auto driver = make_driver(bmc.connections.at(cmd.binding.protocol), secrets_);
  driver->write(cmd, 4500.0);
  EXPECT_EQ(bmc_.get("/Chassis/1/Power", "/PowerControl/0/PowerLimit/LimitInWatts"),
            rf::Json(4500.0));
  EXPECT_EQ(kind_of([&] { driver->write(cmd, 20000.0); }), ErrorKind::bad_value);  // bounds
}

TEST_F(DocumentTest, WithoutTheSecretsFileTheCredentialedDevicesAreConfigErrors) {
  const auto sources = contract::read_sources(document());
  for (const auto* id : {"ups-1", "bmc-1"})
    for (const auto& [protocol, conn] : sources.at(id).connections)
      EXPECT_EQ(kind_of([&] { make_driver(conn, runtime::Secrets{}); }), ErrorKind::config) << id;
}

}  // namespace
}  // namespace ems::drivers::test
