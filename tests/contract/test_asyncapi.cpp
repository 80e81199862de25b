// generate_asyncapi on a DTM built in code (test_asyncapi_fixture.hpp): document structure,
// QoS bindings, concrete schemas, the x-* extensions, errors, size and speed.
#include <chrono>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ems/contract/asyncapi.hpp"
#include "test_asyncapi_fixture.hpp"

namespace ems::contract {
namespace {

using ::testing::ElementsAre;
using namespace ems::contract::testing;

AsyncApiOptions opts(std::string site = "plant_a") {
  return {"1.2.3", std::move(site)};
}

Json generate(const Dtm& dtm) {
  return generate_asyncapi(dtm, opts());
}

std::string error_path(const Dtm& dtm) {
  try {
    generate(dtm);
  } catch (const ContractError& e) {
    return e.issues().at(0).path;
  }
  return "<no error>";
}

TEST(AsyncApi, HeaderCarriesVersionAndSite) {
  Dtm dtm = site_dtm();
  Json doc = generate(dtm);
  EXPECT_EQ(doc["asyncapi"], "3.0.0");
  EXPECT_EQ(doc["info"]["version"], "1.2.3");
  EXPECT_EQ(doc["x-site-id"], "plant_a");
  EXPECT_EQ(doc["info"]["title"], "EMS Plant A");
  dtm.site_id = "dtm_site";
  dtm.site_display_name = "North Yard";
  doc = generate(dtm);
  EXPECT_EQ(doc["x-site-id"], "dtm_site");  // the DTM's site wins over the default
  EXPECT_EQ(doc["info"]["title"], "EMS North Yard");
}

TEST(AsyncApi, NoSiteIdIsAnError) {
  EXPECT_THROW(generate_asyncapi(site_dtm(), opts("")), ContractError);
  EXPECT_THROW(generate_asyncapi(site_dtm(), opts("Not-A-Slug")), ContractError);
}

TEST(AsyncApi, ChannelsAreTheTopicTemplates) {
  Json doc = generate(site_dtm());
  const Json& ch = doc["channels"];
  std::set<std::string> keys;
  for (const auto& [k, v] : ch.items()) keys.insert(k);
  EXPECT_EQ(keys,
            (std::set<std::string>{"measurementFloat", "measurementBool", "measurementEnum",
                                   "commandFloat", "commandBool", "commandEnum", "commandTrigger",
                                   "ack", "topologyChanged", "serviceStatus"}));
  EXPECT_EQ(ch["measurementFloat"]["address"],
            "sites/{site_id}/devices/{device_id}/measurements/{measurement}/{unit}");
  EXPECT_EQ(ch["commandBool"]["address"],
            "sites/{site_id}/devices/{device_id}/commands/{verb}/{target}/{unit}");
  EXPECT_EQ(ch["ack"]["address"],
            "sites/{site_id}/devices/{device_id}/acks/{verb}/{target}/{unit}");
  EXPECT_EQ(ch["topologyChanged"]["address"], "system/topology_changed");
  EXPECT_EQ(ch["serviceStatus"]["address"], "services/{service_id}/status");

  Json units = Json::array();
  for (auto u : kUnitNames) units.push_back(std::string(u));
  const Json& shared = doc["components"]["parameters"];
  EXPECT_EQ(shared["unit"]["enum"], units);
  EXPECT_EQ(ch["measurementEnum"]["parameters"]["unit"]["$ref"], "#/components/parameters/unit");
  EXPECT_EQ(ch["ack"]["parameters"]["device_id"]["$ref"], "#/components/parameters/device_id");
  EXPECT_EQ(shared["site_id"]["examples"], Json({"plant_a"}));
  EXPECT_EQ(ch["commandFloat"]["parameters"]["verb"]["enum"], Json({"set"}));
  EXPECT_EQ(ch["commandBool"]["parameters"]["verb"]["enum"],
            Json({"set", "start", "stop", "enable", "disable"}));
  EXPECT_EQ(ch["commandTrigger"]["parameters"]["verb"]["enum"], Json({"reset", "clear"}));
  EXPECT_EQ(ch["ack"]["parameters"]["verb"]["enum"].size(), kVerbNames.size());
  // Every {param} of every address is declared, and nothing else is.
  for (const auto& [key, c] : ch.items()) {
    std::set<std::string> in_address, declared;
    const std::string address = c["address"];
    for (std::size_t i = address.find('{'); i != std::string::npos; i = address.find('{', i + 1))
      in_address.insert(address.substr(i + 1, address.find('}', i) - i - 1));
    if (c.contains("parameters"))
      for (const auto& [p, v] : c["parameters"].items()) declared.insert(p);
    EXPECT_EQ(in_address, declared) << key;
  }
  const Json& dev = shared["device_id"]["examples"];  // once, not per channel
  EXPECT_EQ(dev.size(), site_dtm().devices.size());
  EXPECT_TRUE(std::is_sorted(dev.begin(), dev.end()));
  EXPECT_EQ(ch["measurementEnum"]["parameters"]["measurement"]["examples"],
            Json({"breaker_state", "comm_status", "door_state", "operating_state"}));
}

TEST(AsyncApi, OperationsFollowTheDevicesSideAndQosTable) {
  Json doc = generate(site_dtm());
  struct Expect {
    const char* op;
    const char* action;
    const char* channel;
    int qos;
    bool retain;
  };
  const Expect table[] = {
      {"sendMeasurementFloat", "send", "measurementFloat", 0, true},
      {"sendMeasurementBool", "send", "measurementBool", 0, true},
      {"sendMeasurementEnum", "send", "measurementEnum", 0, true},
      {"receiveCommandFloat", "receive", "commandFloat", 1, false},
      {"receiveCommandBool", "receive", "commandBool", 1, false},
      {"receiveCommandEnum", "receive", "commandEnum", 1, false},
      {"receiveCommandTrigger", "receive", "commandTrigger", 1, false},
      {"sendAck", "send", "ack", 1, false},
      {"receiveTopologyChanged", "receive", "topologyChanged", 1, false},
      {"sendServiceStatus", "send", "serviceStatus", 1, true},
  };
  EXPECT_EQ(doc["operations"].size(), std::size(table));
  for (const auto& e : table) {
    const Json& op = doc["operations"][e.op];
    EXPECT_EQ(op["action"], e.action) << e.op;
    EXPECT_EQ(op["channel"]["$ref"], std::string("#/channels/") + e.channel) << e.op;
    EXPECT_EQ(op["bindings"]["mqtt"]["qos"], e.qos) << e.op;
    EXPECT_EQ(op["bindings"]["mqtt"]["retain"], e.retain) << e.op;
    EXPECT_FALSE(doc["channels"][e.channel].contains("bindings")) << "QoS lives on operations";
  }
}

TEST(AsyncApi, BaseSchemasMatchThePayloadTable) {
  Json s = generate(site_dtm())["components"]["schemas"];
  EXPECT_EQ(s["FloatSample"]["required"], Json({"ts", "value"}));
  EXPECT_EQ(s["FloatSample"]["properties"]["value"]["type"], "number");
  EXPECT_EQ(s["BooleanSample"]["properties"]["value"]["type"], "boolean");
  EXPECT_EQ(s["EnumSample"]["properties"]["value"]["type"], "string");
  EXPECT_EQ(s["TriggerSample"]["required"], Json({"ts"}));
  EXPECT_EQ(s["FloatCommand"]["required"], Json({"ts", "command_id", "value"}));
  EXPECT_EQ(s["TriggerCommand"]["required"], Json({"ts", "command_id"}));
  EXPECT_EQ(s["CommandId"]["format"], "uuid");
  EXPECT_EQ(s["Ack"]["required"], Json({"ts", "command_id", "state"}));
  EXPECT_EQ(s["Ack"]["properties"]["state"]["enum"],
            Json({"received", "accepted", "done", "failed", "rejected", "timeout"}));
  EXPECT_TRUE(s["Ack"]["properties"].contains("reason"));
  EXPECT_EQ(s["TopologyChanged"]["required"], Json({"ts", "version"}));
  EXPECT_EQ(s["ServiceStatus"]["properties"]["value"]["enum"], Json({"ONLINE", "OFFLINE"}));
  EXPECT_EQ(s["Timestamp"]["format"], "date-time");
}

TEST(AsyncApi, ConcreteSchemasCarryLabelsAndBounds) {
  Json doc = generate(site_dtm());
  const Json& s = doc["components"]["schemas"];
  EXPECT_EQ(s["BessRack_OperatingState"]["properties"]["value"]["enum"],
            Json({"STANDBY", "CHARGING", "DISCHARGING", "FAULT"}));  // code order, not text
  const Json& power = s["BessRack_ActivePower"]["properties"]["value"];
  EXPECT_EQ(power["minimum"], -1927000.0);
  EXPECT_EQ(power["maximum"], 1927000.0);
  EXPECT_FALSE(s["BessModule_ActivePower"]["properties"]["value"].contains("minimum"));
  EXPECT_EQ(s["Switchgear_BreakerClosed"]["properties"]["value"]["type"], "boolean");
  // Commands inherit the target's value schema and add command_id.
  const Json& set = s["BessRack_SetActivePower"];
  EXPECT_EQ(set["required"], Json({"ts", "command_id", "value"}));
  EXPECT_EQ(set["properties"]["value"], power);
  EXPECT_EQ(s["Switchgear_SetBreakerState"]["properties"]["value"]["enum"],
            Json({"OPEN", "CLOSED", "TRIPPED"}));
  EXPECT_EQ(s["Switchgear_ResetLockout"]["required"], Json({"ts", "command_id"}));
  EXPECT_EQ(s["ComputeModule_SetPowerLimit"]["properties"]["value"], Json({{"type", "number"}}));
  // Extra measurements get a device-scoped schema.
  EXPECT_EQ(s["Switchgear1_Extra_DoorState"]["properties"]["value"]["enum"],
            Json({"CLOSED", "OPEN"}));
  // Each concrete message is listed on the channel of its type.
  const Json& enum_msgs = doc["channels"]["measurementEnum"]["messages"];
  EXPECT_EQ(enum_msgs["EnumSample"]["$ref"], "#/components/messages/EnumSample");
  EXPECT_EQ(enum_msgs["BessRack_OperatingState"]["$ref"],
            "#/components/messages/BessRack_OperatingState");
  EXPECT_TRUE(doc["channels"]["commandTrigger"]["messages"].contains("Switchgear_ResetLockout"));
  EXPECT_TRUE(doc["channels"]["commandBool"]["messages"].contains("Switchgear_CloseBreaker"));
  EXPECT_EQ(doc["components"]["messages"]["BessRack_OperatingState"]["payload"]["$ref"],
            "#/components/schemas/BessRack_OperatingState");
}

TEST(AsyncApi, CommandTargetMustBeAMeasurement) {
  Dtm dtm = site_dtm();
  dtm.templates_used["bess_rack"].commands["set_active_power"].target = "nope";
  EXPECT_EQ(error_path(dtm), "/templates_used/bess_rack/commands/set_active_power/target");
  dtm = site_dtm();
  dtm.templates_used["bess_rack"].commands["set_active_power"].target = "operating_state";
  EXPECT_EQ(error_path(dtm), "/templates_used/bess_rack/commands/set_active_power/target");
}

TEST(AsyncApi, ProtocolSourceMergesConnectionAndBinding) {
  Json src = flat_sources(generate(site_dtm()), "x-protocol-source");
  const Json& soc = src["bess_rack_2"]["state_of_charge"];
  EXPECT_EQ(soc, (Json{{"host", "10.10.0.22"},
                       {"port", 502},
                       {"unit_id", 2},
                       {"value_type", "float"},
                       {"protocol", "modbus_tcp"},
                       {"function_code", 3},
                       {"address", 0},
                       {"data_type", "uint16"},
                       {"word_order", "high_low"},
                       {"scale", 0.1},
                       {"offset", 0.0},
                       {"unit", "percent"},
                       {"poll_rate_hz", 1.0}}));  // every default explicit
  // Enum codes -> labels for the gateway when the binding has no value_map.
  EXPECT_EQ(src["bess_rack_1"]["operating_state"]["value_map"],
            (Json{{"0", "STANDBY"}, {"1", "CHARGING"}, {"2", "DISCHARGING"}, {"10", "FAULT"}}));
  // Publisher-only measurements are not the gateway's.
  EXPECT_FALSE(src.contains("operating_envelope"));
  // Extra measurements are read like template ones.
  EXPECT_EQ(src["switchgear_1"]["cabinet_temp"]["oid"], "1.3.6.1.4.1.99.1");
  EXPECT_EQ(src["switchgear_1"]["cabinet_temp"]["host"], "10.10.0.40");
  EXPECT_EQ(src["switchgear_1"]["door_state"]["address"], 90);
  EXPECT_FALSE(src["gpu_node_2"].contains("unit_id"));
}

TEST(AsyncApi, ProvisionedAtCommissioningDevicesAreNotPolled) {
  Json doc = generate(site_dtm());
  const Json gpu1 = flat_sources(doc, "x-protocol-source")["gpu_node_1"];
  EXPECT_FALSE(gpu1.contains("power_consumed"));
  EXPECT_FALSE(flat_sources(doc, "x-command-source").contains("gpu_node_1"));
  // Its synthetic values are the gateway's own computation and stay.
  EXPECT_EQ(gpu1["gpu_power"]["inputs"],
            Json({"sites/plant_a/devices/gpu_node_1/measurements/gpu_1_power_limit/watts",
                  "sites/plant_a/devices/gpu_node_1/measurements/gpu_2_power_limit/watts"}));
  EXPECT_TRUE(flat_sources(doc, "x-protocol-source")["gpu_node_2"].contains("power_consumed"));
  // A device with no connection at all is skipped the same way.
  Dtm dtm = site_dtm();
  dtm.devices["bess_rack_1"].connection.reset();
  EXPECT_FALSE(flat_sources(generate(dtm), "x-protocol-source").contains("bess_rack_1"));
}

TEST(AsyncApi, SyntheticRollupsResolveOverChildren) {
  Json src = flat_sources(generate(site_dtm()), "x-protocol-source");
  const Json& module = src["bess_module_1"];
  EXPECT_EQ(module["active_power"],
            (Json{{"protocol", "synthetic"},
                  {"operation", "sum"},
                  {"inputs",
                   {"sites/plant_a/devices/bess_rack_1/measurements/active_power/watts",
                    "sites/plant_a/devices/bess_rack_2/measurements/active_power/watts"}},
                  {"unit", "watts"},
                  {"value_type", "float"},
                  {"poll_rate_hz", 1.0}}));
  EXPECT_EQ(
      module["state_of_charge"]["pairs"],
      Json::array(
          {{{"topic", "sites/plant_a/devices/bess_rack_1/measurements/state_of_charge/percent"},
            {"weight", 3854.0}},
           {{"topic", "sites/plant_a/devices/bess_rack_2/measurements/state_of_charge/percent"},
            {"weight", 3854.0}}}));
  EXPECT_FALSE(module["state_of_charge"].contains("inputs"));
  EXPECT_FALSE(module["state_of_charge"].contains("source_measurement"));
  // child_template narrows the children: the CDU has no power_consumed and is not an error.
  EXPECT_EQ(src["compute_module_1"]["total_power"]["inputs"],
            Json({"sites/plant_a/devices/gpu_node_1/measurements/power_consumed/watts",
                  "sites/plant_a/devices/gpu_node_2/measurements/power_consumed/watts"}));
}

TEST(AsyncApi, SubtractResolvesThePoiMeter) {
  Json src = flat_sources(generate(site_dtm()), "x-protocol-source");
  EXPECT_EQ(src["bess_module_1"]["import_headroom"]["inputs"],
            Json({"sites/plant_a/devices/operating_envelope/measurements/import_limit/watts",
                  "sites/plant_a/devices/poi_meter_1/measurements/active_power/watts"}));
  EXPECT_EQ(src["bess_module_1"]["import_headroom"]["operation"], "subtract");

  Dtm no_poi = site_dtm();
  no_poi.devices.erase("poi_meter_1");
  no_poi.buses.clear();
  Json without = flat_sources(generate(no_poi), "x-protocol-source")["bess_module_1"];
  EXPECT_FALSE(without.contains("import_headroom"));  // omitted, not an error
  EXPECT_TRUE(without.contains("active_power"));

  Dtm no_envelope = site_dtm();
  no_envelope.devices.erase("operating_envelope");
  EXPECT_FALSE(flat_sources(generate(no_envelope), "x-protocol-source")["bess_module_1"].contains(
      "import_headroom"));

  Dtm two_poi = site_dtm();
  add(two_poi, device("poi_meter_2", "poi_meter", nullptr, "10.10.0.31"));
  EXPECT_EQ(error_path(two_poi),
            "/templates_used/bess_module/measurements/import_headroom/binding/inputs");
}

TEST(AsyncApi, SyntheticErrorsNameThePath) {
  Dtm dtm = site_dtm();
  auto& headroom = dtm.templates_used["bess_module"].measurements["import_headroom"].binding;
  Json fields = headroom->fields;
  fields["inputs"] = Json({"sites/{site_id}/devices/{meter}/measurements/active_power/watts",
                           "sites/{site_id}/devices/{device_id}/measurements/x/watts"});
  headroom = parse_binding(fields);
  EXPECT_EQ(error_path(dtm),
            "/templates_used/bess_module/measurements/import_headroom/binding/inputs");

  dtm = site_dtm();
  dtm.templates_used["bess_rack"].capacity_kwh.reset();
  EXPECT_EQ(error_path(dtm), "/templates_used/bess_rack/capacity_kwh");

  dtm = site_dtm();
  add(dtm, device("stray_meter", "poi_meter", "bess_module_1", "10.0.0.1"));
  dtm.devices.erase("poi_meter_1");
  dtm.buses.clear();
  EXPECT_EQ(error_path(dtm), "/devices/stray_meter");  // a child lacking state_of_charge
}

TEST(AsyncApi, CommandSourceResolvesDistributeAndPowerCap) {
  Json cmd = flat_sources(generate(site_dtm()), "x-command-source");
  const Json& rack = cmd["bess_rack_1"]["set_active_power"];
  EXPECT_EQ(rack["host"], "10.10.0.21");
  EXPECT_EQ(rack["function_code"], 16);
  EXPECT_EQ(rack["verb"], "set");
  EXPECT_EQ(rack["target"], "active_power");
  EXPECT_EQ(rack["unit"], "watts");
  EXPECT_EQ(rack["bounds"], (Json{{"min", -1927000.0}, {"max", 1927000.0}}));

  const Json& dist = cmd["bess_module_1"]["set_active_power"];
  EXPECT_EQ(dist["protocol"], "distribute");
  EXPECT_EQ(dist["allocation_policy"], "soc_weighted");
  EXPECT_FALSE(dist.contains("ramp_rate_per_sec"));
  EXPECT_FALSE(dist.contains("host"));
  ASSERT_EQ(dist["children"].size(), 2u);
  EXPECT_EQ(
      dist["children"][1],
      (Json{{"device_id", "bess_rack_2"},
            {"command_topic", "sites/plant_a/devices/bess_rack_2/commands/set/active_power/watts"},
            {"operating_state_topic",
             "sites/plant_a/devices/bess_rack_2/measurements/operating_state/none"},
            {"state_of_charge_topic",
             "sites/plant_a/devices/bess_rack_2/measurements/state_of_charge/percent"},
            {"power_min", -1927000.0},
            {"power_max", 1927000.0}}));

  const Json& cap = cmd["compute_module_1"]["set_power_limit"];
  EXPECT_EQ(cap["protocol"], "power_cap");
  EXPECT_EQ(cap["hysteresis_dwell_secs"], 30.0);
  EXPECT_FALSE(cap.contains("child_template"));
  ASSERT_EQ(cap["children"].size(), 4u);  // 2 gpu nodes x 2 child commands, no cdu
  EXPECT_EQ(cap["children"][0]["device_id"], "gpu_node_1");
  EXPECT_EQ(cap["children"][0]["target"], "gpu_1_power_limit");
  EXPECT_EQ(cap["children"][0]["min_w"], 200.0);
  EXPECT_EQ(cap["children"][0]["max_w"], 1000.0);
  EXPECT_EQ(cap["children"][3]["device_id"], "gpu_node_2");
  EXPECT_EQ(cap["children"][3]["max_w"], 900.0);

  const Json& sw = cmd["switchgear_1"];
  EXPECT_EQ(sw["set_breaker_state"]["value_map"],
            (Json{{"0", "OPEN"}, {"1", "CLOSED"}, {"2", "TRIPPED"}}));
  EXPECT_EQ(sw["reset_lockout"]["payload"], "trigger");
}

TEST(AsyncApi, DistributeGuardAndReserveFloor) {
  Dtm dtm = site_dtm();
  Json& fields = dtm.templates_used["bess_module"].commands["set_active_power"].binding->fields;
  fields["ramp_rate_per_sec"] = 0.1;
  fields["hysteresis_margin"] = 0.05;
  fields["hysteresis_dwell_secs"] = 30.0;
  dtm.sizing_params["bess_reserve_floor_mwh"] = 1.927;  // a quarter of 2 x 3854 kWh
  Json dist = flat_sources(generate(dtm), "x-command-source")["bess_module_1"]["set_active_power"];
  EXPECT_EQ(dist["power_min"], -3854000.0);
  EXPECT_EQ(dist["power_max"], 3854000.0);
  EXPECT_EQ(dist["import_limit_topic"],
            "sites/plant_a/devices/operating_envelope/measurements/import_limit/watts");
  EXPECT_FALSE(dist.contains("export_limit_topic"));  // the envelope template has none
  EXPECT_EQ(dist["active_power_topic"],
            "sites/plant_a/devices/bess_module_1/measurements/active_power/watts");
  EXPECT_DOUBLE_EQ(dist["state_of_charge_floor_percent"].get<double>(), 25.0);

  dtm.devices.erase("operating_envelope");  // no envelope: no guard topics
  dtm.sizing_params["bess_reserve_floor_mwh"] = 0.0;
  dist = flat_sources(generate(dtm), "x-command-source")["bess_module_1"]["set_active_power"];
  EXPECT_FALSE(dist.contains("power_min"));
  EXPECT_FALSE(dist.contains("import_limit_topic"));
  EXPECT_FALSE(dist.contains("state_of_charge_floor_percent"));

  dtm.sizing_params["bess_reserve_floor_mwh"] = 8.0;  // more than the racks hold
  EXPECT_EQ(error_path(dtm), "/sizing_params/bess_reserve_floor_mwh");
}

TEST(AsyncApi, DistributeChildWithoutTheCommandIsAnError) {
  Dtm dtm = site_dtm();
  dtm.templates_used["bess_rack"].commands.clear();
  EXPECT_EQ(error_path(dtm), "/devices/bess_rack_1");
}

TEST(AsyncApi, EnumValuesAreLabelsInCodeOrder) {
  Json ev = generate(site_dtm())["x-enum-values"];
  EXPECT_EQ(ev["bess_rack.operating_state"], Json({"STANDBY", "CHARGING", "DISCHARGING", "FAULT"}));
  EXPECT_EQ(ev["switchgear.breaker_state"], Json({"OPEN", "CLOSED", "TRIPPED"}));
  EXPECT_EQ(ev["devices.switchgear_1.door_state"], Json({"CLOSED", "OPEN"}));
  // comm_status, published for every polled device by its reader.
  EXPECT_EQ(ev["comm_status"], Json({"ONLINE", "DEGRADED", "OFFLINE"}));
  EXPECT_EQ(ev.size(), 4u);
}

TEST(AsyncApi, DisplayNamesAreResolved) {
  Json dn = generate(site_dtm())["x-display-name"];
  EXPECT_EQ(dn["switchgear_1"]["display_name"], "Main Switchgear");  // DTM override
  EXPECT_EQ(dn["bess_rack_1"]["display_name"], "Bess Rack 1");       // humanized slug
  EXPECT_EQ(dn["bess_rack_1"]["measurements"]["state_of_charge"], "State of Charge");  // default
  EXPECT_EQ(dn["bess_rack_1"]["measurements"]["active_power"], "Active Power");
  EXPECT_EQ(dn["switchgear_1"]["measurements"]["door_state"], "Cabinet Door");
  EXPECT_EQ(dn["switchgear_1"]["measurements"]["cabinet_temp"], "Cabinet Temp");
  EXPECT_EQ(dn.size(), site_dtm().devices.size());
}

TEST(AsyncApi, AlarmsPerDeviceWhenDeclared) {
  Json doc = generate(site_dtm());
  ASSERT_TRUE(doc.contains("x-alarms"));
  EXPECT_EQ(doc["x-alarms"].size(), 1u);
  EXPECT_EQ(doc["x-alarms"]["switchgear_1"][0]["id"], "overcurrent_trip");
  Dtm dtm = site_dtm();
  dtm.templates_used["switchgear"].alarms = Json::array();
  EXPECT_FALSE(generate(dtm).contains("x-alarms"));
}

// Hosts, ports, registers, OIDs and URIs only inside x-protocol-source / x-command-source.
void collect_leaks(const Json& j, const std::set<std::string>& secrets,
                   std::vector<std::string>& out, const std::string& path) {
  static const std::set<std::string> kGatewayKeys = {
      "host", "port",         "unit_id",     "address", "function_code", "oid",
      "uri",  "json_pointer", "point_index", "can_id",  "connection",    "binding"};
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (kGatewayKeys.count(k)) out.push_back(path + "/" + k);
      collect_leaks(v, secrets, out, path + "/" + k);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collect_leaks(v, secrets, out, path + "/[]");
  } else if (j.is_string() && secrets.count(j.get<std::string>())) {
    out.push_back(path + " = " + j.get<std::string>());
  }
}

TEST(AsyncApi, GatewayDetailsStayInTheSourceExtensions) {
  Json doc = generate(site_dtm());
  doc.erase("x-protocol-source");
  doc.erase("x-command-source");
  doc.erase("x-alarms");  // alarm condition sources are read by the gateway too
  doc.erase("servers");   // the broker, not a device
  for (auto& [key, channel] : doc["channels"].items()) channel.erase("address");  // AsyncAPI's
  std::vector<std::string> leaks;
  collect_leaks(doc, {"10.10.0.21", "10.10.0.40", "/Chassis/1/Power", "1.3.6.1.4.1.99.1"}, leaks,
                "");
  EXPECT_THAT(leaks, ::testing::IsEmpty());
}

TEST(AsyncApi, PascalCase) {
  EXPECT_EQ(pascal_case("bess_rack"), "BessRack");
  EXPECT_EQ(pascal_case("gpu_1_throttle_reason"), "Gpu1ThrottleReason");
  EXPECT_EQ(pascal_case("x"), "X");
}

TEST(AsyncApi, CollidingSchemaNamesAreAnError) {
  Dtm dtm = site_dtm();
  // "x_1" and "x1" both become "X1".
  dtm.templates_used["poi_meter"].measurements["x_1"] = float_m(Unit::watts, modbus(4, 2, "int16"));
  dtm.templates_used["poi_meter"].measurements["x1"] = float_m(Unit::watts, modbus(4, 3, "int16"));
  EXPECT_EQ(error_path(dtm), "/templates_used/poi_meter/measurements/x_1");
}

TEST(AsyncApi, SizeGrowsLinearlyWithDevices) {
  const std::size_t small = generate(big_dtm(10, 9)).dump().size();   // 100 devices
  const std::size_t large = generate(big_dtm(100, 9)).dump().size();  // 1000 devices
  const double ratio = static_cast<double>(large) / static_cast<double>(small);
  RecordProperty("bytes_100", static_cast<int>(small));
  RecordProperty("bytes_1000", static_cast<int>(large));
  EXPECT_GT(ratio, 8.0);
  EXPECT_LT(ratio, 11.0);
  // Schemas and messages depend on templates only.
  const Json a = generate(big_dtm(10, 9)), b = generate(big_dtm(100, 9));
  EXPECT_EQ(a["components"]["schemas"], b["components"]["schemas"]);
  EXPECT_EQ(a["components"]["messages"], b["components"]["messages"]);
  EXPECT_EQ(a["channels"], b["channels"]);
}

TEST(AsyncApi, TenThousandDevicesGenerateQuickly) {
  const Dtm dtm = big_dtm(1000, 9);  // 10,000 devices
  const auto start = std::chrono::steady_clock::now();
  Json doc = generate(dtm);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  RecordProperty("generate_ms", static_cast<int>(ms));
  EXPECT_EQ(flat_sources(doc, "x-protocol-source").size(), 10000u);
  // Generous for unoptimized and sanitizer builds; the benchmark holds the real budget.
  EXPECT_LT(ms, 5000);
}

}  // namespace
}  // namespace ems::contract
