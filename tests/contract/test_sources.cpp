// The read side of x-protocol-source / x-command-source (sources.hpp): a reader gets every
// device's connections and typed points from the document alone, with nothing implicit.
#include <gtest/gtest.h>

#include "ems/contract/asyncapi.hpp"
#include "ems/contract/sources.hpp"
#include "test_asyncapi_fixture.hpp"

namespace ems::contract {
namespace {

using testing::site_dtm;

Json generate(const Dtm& dtm) {
  return generate_asyncapi(dtm, {"1.0.0", "plant_a"});
}

TEST(DeviceConnection, DefaultsPerProtocolAreExplicit) {
  const Connection c{"10.0.0.5", 502, "7", std::nullopt};
  EXPECT_EQ(to_json(device_connection(c, Protocol::modbus_tcp)),
            (Json{{"host", "10.0.0.5"}, {"port", 502}, {"unit_id", 7}}));
  EXPECT_EQ(
      to_json(device_connection(c, Protocol::dnp3_tcp)),
      (Json{
          {"host", "10.0.0.5"}, {"port", 502}, {"outstation_address", 7}, {"master_address", 1}}));
  const Connection bare{"10.0.0.5", 161, std::nullopt, std::nullopt};
  EXPECT_EQ(device_connection(bare, Protocol::dnp3_tcp).outstation_address, 1024);
  EXPECT_EQ(device_connection(bare, Protocol::modbus_tcp).unit_id, 1);
  EXPECT_EQ(to_json(device_connection(bare, Protocol::snmp)),
            (Json{{"host", "10.0.0.5"},
                  {"port", 161},
                  {"version", "v2c"},
                  {"read_community", "public"},
                  {"write_community", "private"}}));
  EXPECT_EQ(device_connection(bare, Protocol::can).channel, "vcan0");
  EXPECT_EQ(device_connection(Connection{"h", 29536, "can1", std::nullopt}, Protocol::can).channel,
            "can1");
  EXPECT_EQ(device_connection(bare, Protocol::redfish).scheme, "http");
  EXPECT_EQ(
      device_connection(Connection{"h", 443, std::nullopt, std::nullopt}, Protocol::redfish).scheme,
      "https");
  // With credentials the secrets entry decides the SNMP version and communities.
  const Connection secret{"10.0.0.5", 161, std::nullopt, "pdu_v3"};
  EXPECT_EQ(to_json(device_connection(secret, Protocol::snmp)),
            (Json{{"host", "10.0.0.5"}, {"port", 161}, {"credentials", "pdu_v3"}}));
  for (Protocol p : {Protocol::modbus_tcp, Protocol::dnp3_tcp, Protocol::snmp, Protocol::redfish,
                     Protocol::can}) {
    const DeviceConnection d = device_connection(c, p);
    EXPECT_EQ(parse_device_connection(to_json(d), p), d) << to_string(p);
  }
}

TEST(DeviceConnection, UnusableConnectionsAreErrors) {
  EXPECT_THROW(device_connection(Connection{"h", 502, "x7", std::nullopt}, Protocol::modbus_tcp,
                                 "/devices/d/connection"),
               ContractError);
  EXPECT_THROW(device_connection(Connection{"h", 502, "256", std::nullopt}, Protocol::modbus_tcp),
               ContractError);
  EXPECT_THROW(device_connection(Connection{"h", 20000, "65535", std::nullopt}, Protocol::dnp3_tcp),
               ContractError);
  EXPECT_THROW(device_connection(Connection{std::string(kProvisionedAtCommissioning), std::nullopt,
                                            std::nullopt, std::nullopt},
                                 Protocol::modbus_tcp),
               ContractError);
  EXPECT_THROW(parse_device_connection(Json{{"host", "h"}, {"port", 502}}, Protocol::modbus_tcp),
               ContractError);  // unit_id is explicit in the document
}

TEST(ReadSources, EveryPolledDeviceIsTyped) {
  const auto sources = read_sources(generate(site_dtm()));
  const DeviceSources& rack = sources.at("bess_rack_2");
  ASSERT_EQ(rack.connections.size(), 1u);
  const DeviceConnection& conn = rack.connections.at(Protocol::modbus_tcp);
  EXPECT_EQ(conn.host, "10.10.0.22");
  EXPECT_EQ(conn.unit_id, 2);
  const auto soc = std::find_if(rack.points.begin(), rack.points.end(),
                                [](const SourcePoint& p) { return p.name == "state_of_charge"; });
  ASSERT_NE(soc, rack.points.end());
  EXPECT_EQ(soc->unit, Unit::percent);
  EXPECT_EQ(soc->value_type, ValueType::Float);
  EXPECT_EQ(soc->poll_rate_hz, 1.0);
  ASSERT_NE(soc->binding.as<ModbusBinding>(), nullptr);
  EXPECT_EQ(soc->binding.as<ModbusBinding>()->data_type, ModbusDataType::uint16);
  EXPECT_EQ(soc->binding.as<ModbusBinding>()->scale, 0.1);
  const auto state = std::find_if(rack.points.begin(), rack.points.end(),
                                  [](const SourcePoint& p) { return p.name == "operating_state"; });
  ASSERT_NE(state, rack.points.end());
  EXPECT_EQ(state->value_type, ValueType::Enum);
  EXPECT_EQ(state->codec.label(10.0), "FAULT");
  // Commands: bounds of the target, typed binding, the same connection.
  ASSERT_FALSE(rack.commands.empty());
  EXPECT_EQ(rack.commands[0].target, "active_power");
  EXPECT_TRUE(rack.commands[0].min.has_value());
  // The module: roll-ups and the distribute command, no connection.
  const DeviceSources& module = sources.at("bess_module_1");
  EXPECT_TRUE(module.connections.empty());
  EXPECT_TRUE(module.points.empty());
  ASSERT_GE(module.synthetic.size(), 2u);
  const auto soc_mean =
      std::find_if(module.synthetic.begin(), module.synthetic.end(),
                   [](const SyntheticPoint& p) { return p.name == "state_of_charge"; });
  ASSERT_NE(soc_mean, module.synthetic.end());
  EXPECT_EQ(soc_mean->operation, SyntheticOperation::weighted_mean);
  EXPECT_EQ(soc_mean->pairs.size(), 2u);
  EXPECT_TRUE(module.computed_commands.count("set_active_power"));
  // Extra measurements over another protocol get their own connection.
  const DeviceSources& sw = sources.at("switchgear_1");
  EXPECT_TRUE(sw.connections.count(Protocol::snmp));
  EXPECT_TRUE(sw.connections.count(Protocol::modbus_tcp));
  // Not polled: provisioned at commissioning.
  EXPECT_TRUE(sources.at("gpu_node_1").points.empty());
}

TEST(ReadSources, TemplateEntriesAreWrittenOncePerTemplate) {
  const Json doc = generate(site_dtm());
  const Json& src = doc["x-protocol-source"];
  EXPECT_TRUE(src["templates"].contains("bess_rack"));
  EXPECT_EQ(src["devices"]["bess_rack_1"]["template"], "bess_rack");
  EXPECT_EQ(src["devices"]["bess_rack_2"]["template"], "bess_rack");
  EXPECT_FALSE(src["devices"]["bess_rack_1"].contains("measurements"));
}

TEST(ReadSources, MalformedDocumentsNameThePath) {
  Json doc = generate(site_dtm());
  doc["x-protocol-source"]["templates"]["bess_rack"]["state_of_charge"]["data_type"] = "int7";
  try {
    read_sources(doc);
    FAIL() << "no error";
  } catch (const ContractError& e) {
    EXPECT_NE(std::string(e.what()).find("/x-protocol-source/templates/bess_rack/state_of_charge"),
              std::string::npos)
        << e.what();
  }
  doc = generate(site_dtm());
  doc["x-protocol-source"]["devices"]["bess_rack_1"]["connections"].erase("modbus_tcp");
  EXPECT_THROW(read_sources(doc), ContractError);
  doc = generate(site_dtm());
  doc["x-protocol-source"]["devices"]["bess_rack_1"]["template"] = "nope";
  EXPECT_THROW(read_sources(doc), ContractError);
  EXPECT_TRUE(read_sources(Json::object()).empty());
  EXPECT_THROW(read_sources(Json::array()), ContractError);
}

// A command another service executes (the template's fanout) is listed with its executor, so a
// reader that is not the executor tells "someone else's" from "unknown target".
TEST(ReadSources, CommandsExecutedByAnotherServiceNameTheirExecutor) {
  Dtm dtm = site_dtm();
  Command reset = testing::command(Verb::reset, "state_of_charge", Unit::percent,
                                   PayloadType::Trigger, std::nullopt);
  reset.fanout = "local_process";
  dtm.templates_used["bess_module"].commands["reset_state_of_charge"] = reset;
  const Json doc = generate(dtm);
  const Json& entry =
      doc["x-command-source"]["devices"]["bess_module_1"]["commands"]["reset_state_of_charge"];
  EXPECT_EQ(entry["executor"], "local_process");
  EXPECT_EQ(entry["verb"], "reset");
  EXPECT_EQ(entry["target"], "state_of_charge");
  EXPECT_EQ(entry["unit"], "percent");
  EXPECT_EQ(entry["payload"], "trigger");
  EXPECT_FALSE(entry.contains("protocol"));  // nothing a gateway could write
  // The text form says the same.
  EXPECT_EQ(Json::parse(generate_asyncapi_text(dtm, {"1.0.0", "plant_a"})), doc);

  const auto sources = read_sources(doc);
  const DeviceSources& module = sources.at("bess_module_1");
  ASSERT_EQ(module.executed_elsewhere.size(), 1u);
  const ExecutedCommand& c = module.executed_elsewhere[0];
  EXPECT_EQ(c.name, "reset_state_of_charge");
  EXPECT_EQ(c.executor, "local_process");
  EXPECT_EQ(c.verb, Verb::reset);
  EXPECT_EQ(c.target, "state_of_charge");
  EXPECT_EQ(c.unit, Unit::percent);
  EXPECT_EQ(c.payload, PayloadType::Trigger);
  // The distribute command is still the gateway's.
  EXPECT_TRUE(module.computed_commands.count("set_active_power"));
  EXPECT_TRUE(module.commands.empty());

  Json bad = doc;
  bad["x-command-source"]["devices"]["bess_module_1"]["commands"]["reset_state_of_charge"]
     ["executor"] = 7;
  try {
    read_sources(bad);
    FAIL() << "no error";
  } catch (const ContractError& e) {
    EXPECT_NE(std::string(e.what()).find("reset_state_of_charge/executor"), std::string::npos)
        << e.what();
  }
}

TEST(CommStatus, DeclaredForEveryPolledDevice) {
  const Dtm dtm = site_dtm();
  const Json doc = generate(dtm);
  EXPECT_TRUE(doc["channels"]["measurementEnum"]["messages"].contains("CommStatus"));
  EXPECT_EQ(doc["components"]["schemas"]["CommStatus"]["properties"]["value"]["enum"],
            Json({"ONLINE", "DEGRADED", "OFFLINE"}));
  for (const auto& [id, d] : dtm.devices) {
    const bool has = doc["x-display-name"][id]["measurements"].contains("comm_status");
    EXPECT_EQ(has, dtm.is_polled(d)) << id;
  }
  EXPECT_TRUE(dtm.is_polled(dtm.devices.at("bess_rack_1")));
  EXPECT_FALSE(dtm.is_polled(dtm.devices.at("bess_module_1")));  // no connection
  EXPECT_FALSE(dtm.is_polled(dtm.devices.at("gpu_node_1")));     // provisioned at commissioning
}

}  // namespace
}  // namespace ems::contract
