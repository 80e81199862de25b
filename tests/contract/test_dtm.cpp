// parse_dtm behaviour beyond single-rule rejections: defaults, nulls, normalization, round trip,
// referential checks on code-built DTMs, queries, and scale.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>

#include "dtm_fixture.hpp"
#include "ems/contract/catalog.hpp"

namespace {
using namespace ems::contract;
using ems::contract::testing::base_dtm;

std::vector<Issue> issues_of(const Json& doc, const TemplateCatalog* catalog = nullptr) {
  try {
    parse_dtm(doc, catalog);
  } catch (const ContractError& e) {
    return e.issues();
  }
  return {};
}

bool has_issue(const std::vector<Issue>& issues, const std::string& path, const std::string& part) {
  for (const auto& i : issues)
    if (i.path == path && i.message.find(part) != std::string::npos) return true;
  return false;
}

TEST(Dtm, ParsesTypedStructure) {
  Dtm dtm = parse_dtm(base_dtm());
  EXPECT_EQ(dtm.deployment_uuid, "11111111-1111-4111-8111-111111111111");
  EXPECT_EQ(dtm.site_id, "test_site");
  EXPECT_EQ(dtm.mode, "sim");
  ASSERT_EQ(dtm.devices.size(), 4u);
  const Device& rack = dtm.devices.at("rack_1");
  EXPECT_EQ(rack.template_slug, "bess_rack");
  EXPECT_EQ(rack.parent, "bess_1");
  EXPECT_EQ(rack.display_name, "Rack 1");
  ASSERT_TRUE(rack.connection);
  EXPECT_EQ(rack.connection->host, "127.0.0.1");
  EXPECT_EQ(rack.connection->port, 1502);
  EXPECT_EQ(rack.connection->unit_id, "1");
  EXPECT_FALSE(rack.connection->provisioned_at_commissioning());
  EXPECT_EQ(rack.carried["blocking"], Json::array({"live_mode"}));
  EXPECT_EQ(rack.carried["has_placeholders"], false);
  EXPECT_EQ(rack.carried["mode"], "sim");
  EXPECT_FALSE(dtm.devices.at("bess_1").connection);
  ASSERT_EQ(dtm.buses.size(), 1u);
  EXPECT_EQ(dtm.buses[0].type, BusType::ac);
  EXPECT_EQ(dtm.buses[0].members[1].port, std::nullopt);
  const Template& module = dtm.templates_used.at("bess_module");
  EXPECT_EQ(module.kind, TemplateKind::module);
  ASSERT_EQ(module.contains.size(), 1u);
  EXPECT_EQ(module.contains[0].qty, std::nullopt);
  EXPECT_TRUE(module.contains[0].power_from.empty());
  EXPECT_EQ(module.install_tasks[0]["depends_on"], Json::array());
  const Template& rack_t = dtm.templates_used.at("bess_rack");
  EXPECT_EQ(rack_t.capacity_kwh, 3854.0);
  EXPECT_EQ(rack_t.vendor, "Tesla");
  EXPECT_EQ(rack_t.alarms.size(), 2u);
  EXPECT_EQ(dtm.pending_devices, Json::parse(R"([{"device_id":"later_1","anything":"goes"}])"));
}

TEST(Dtm, ProvisionedAtCommissioningConnection) {
  Dtm dtm = parse_dtm(base_dtm());
  const auto& c = *dtm.devices.at("rack_2").connection;
  EXPECT_TRUE(c.provisioned_at_commissioning());
  EXPECT_EQ(c.port, std::nullopt);
  EXPECT_EQ(c.unit_id, std::nullopt);
  Json out = to_json(dtm.devices.at("rack_2"));
  EXPECT_EQ(out["connection"]["port"], "PROVISIONED_AT_COMMISSIONING");
  EXPECT_TRUE(out["connection"]["unit_id"].is_null());
}

TEST(Dtm, SizingDefaultsAreFilledAndValuesKept) {
  Dtm dtm = parse_dtm(base_dtm());
  EXPECT_EQ(dtm.sizing_params["P_compute_total_kW"], 10);
  EXPECT_EQ(dtm.sizing_params["E_BESS_total_kWh"], 100.5);
  EXPECT_EQ(dtm.sizing_params["ride_through_hours"], 0.0);
  EXPECT_EQ(dtm.sizing_params["bess_reserve_floor_mwh"], 0.0);
  EXPECT_EQ(dtm.sizing_params["bess_readiness_mwh"], 0.0);
  EXPECT_EQ(dtm.sizing_params["bess_recharge_mw"], 0.0);
  EXPECT_EQ(dtm.sizing_params["compute_shed_enabled"], false);
  EXPECT_EQ(dtm.sizing_params.size(), 8u);
}

TEST(Dtm, BindingDefaultsAreMaterialized) {
  Dtm dtm = parse_dtm(base_dtm());
  const auto& rack = dtm.templates_used.at("bess_rack").measurements;
  const Json& soc = rack.at("state_of_charge").binding->fields;
  EXPECT_EQ(soc["protocol"], "modbus_tcp");
  EXPECT_EQ(soc["word_order"], "high_low");
  EXPECT_EQ(soc["scale"], 0.1);
  EXPECT_EQ(soc["offset"], 0.0);
  EXPECT_FALSE(soc.contains("value_map")) << "explicit null optional fields are omitted";
  EXPECT_FALSE(soc.contains("scale_factor_address"));
  EXPECT_EQ(rack.at("active_power").binding->fields["word_order"], "low_high");
  // data_type has no default: absent stays absent.
  Dtm with_extra = parse_dtm(base_dtm());
  const Json& cab =
      with_extra.devices.at("rack_1").extra_measurements->at("cabinet_temp").binding->fields;
  EXPECT_FALSE(cab.contains("data_type"));
  EXPECT_EQ(cab["scale"], 1.0);

  const auto& gear = dtm.templates_used.at("field_gear").measurements;
  EXPECT_EQ(gear.at("breaker_closed").binding->fields,
            Json::parse(R"({"protocol":"dnp3_tcp","point_index":0,"point_type":"binary_input",
                            "scale":1.0})"));
  EXPECT_EQ(gear.at("input_power").binding->fields["scale"], 1.0);
  EXPECT_EQ(gear.at("inlet_temp").binding->fields["json_pointer"], "/Reading");
  EXPECT_EQ(gear.at("pack_voltage").binding->fields,
            Json::parse(R"({"protocol":"can","can_id":513,"extended":false,"start_bit":0,
                            "length":16,"byte_order":"little_endian","signed":false,"scale":0.01,
                            "offset":0.0})"));
  EXPECT_EQ(gear.at("fluid_temp").binding->fields["property_id"], "present_value");
  EXPECT_EQ(gear.at("hall_temp").binding->fields["property_id"], "present_value");
  const auto& module = dtm.templates_used.at("bess_module");
  const Json& wm = module.measurements.at("state_of_charge").binding->fields;
  EXPECT_FALSE(wm.contains("inputs"));
  EXPECT_EQ(wm["source_measurement"], "state_of_charge");
  EXPECT_EQ(module.commands.at("set_rack_limit").binding->protocol, Protocol::power_cap);
  EXPECT_EQ(module.commands.at("set_active_power").binding->fields["hysteresis_dwell_secs"], 30.0);
}

TEST(Dtm, DistributeWithoutControlLawIsAccepted) {
  Json doc = base_dtm();
  auto& b = doc["templates_used"]["bess_module"]["commands"]["set_active_power"]["binding"];
  b = Json::parse(R"({"protocol":"distribute","allocation_policy":"equal_split"})");
  Dtm dtm = parse_dtm(doc);
  EXPECT_FALSE(dtm.templates_used.at("bess_module")
                   .commands.at("set_active_power")
                   .binding->fields.contains("ramp_rate_per_sec"));
}

TEST(Dtm, EnumValuesAreOrderedByNumericCode) {
  Dtm dtm = parse_dtm(base_dtm());
  const auto& values = dtm.templates_used.at("bess_rack").measurements.at("operating_state").values;
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0], (EnumValue{"0", "STANDBY"}));
  EXPECT_EQ(values[1], (EnumValue{"1", "CHARGING"}));
  EXPECT_EQ(values[2], (EnumValue{"2", "DISCHARGING"}));
  EXPECT_EQ(values[3], (EnumValue{"10", "OFFLINE"}));
}

TEST(Dtm, ValueMapCodesResolveToLabels) {
  // The catalog YAML form: vendor text -> enum code.
  Json m = Json::parse(R"({"unit":"none","type":"enum","values":{"0":"ENABLED","1":"DISABLED"},
    "binding":{"protocol":"redfish","uri":"/Pumps/1","json_pointer":"/Status/State",
               "value_map":{"Enabled":0,"Disabled":1}}})");
  Measurement parsed = parse_measurement(m);
  EXPECT_EQ(parsed.binding->fields["value_map"],
            Json::parse(R"({"Enabled":"ENABLED","Disabled":"DISABLED"})"));
}

TEST(Dtm, NullsAreAcceptedForEveryOptionalField) {
  Json doc = base_dtm();
  for (const char* key : {"site_id", "site_display_name", "sizing_ref", "mode", "version",
                          "pending_devices", "buses"})
    doc[key] = nullptr;
  for (const char* key : {"ride_through_hours", "compute_shed_enabled"})
    doc["sizing_params"][key] = nullptr;
  auto& rack = doc["devices"]["rack_1"];
  for (const char* key :
       {"parent", "display_name", "extra_measurements", "blocking", "has_placeholders", "mode"})
    rack[key] = nullptr;
  doc["buses"] = nullptr;
  auto& t = doc["templates_used"]["bess_rack"];
  for (const char* key : {"capacity_kwh", "contains", "install_tasks", "alarms"}) t[key] = nullptr;
  auto& m = t["measurements"]["active_power"];
  for (const char* key : {"poll_rate_hz", "display_name_default", "iec_61850_ref", "bounds",
                          "thresholds", "values", "publisher"})
    m[key] = nullptr;
  Dtm dtm = parse_dtm(doc);
  EXPECT_FALSE(dtm.site_id);
  EXPECT_TRUE(dtm.buses.empty());
  EXPECT_FALSE(dtm.devices.at("rack_1").parent);
  EXPECT_TRUE(dtm.devices.at("rack_1").carried.empty());
  EXPECT_EQ(dtm.sizing_params["compute_shed_enabled"], false);
}

TEST(Dtm, RoundTripIsIdentityAndToJsonIsAFixedPoint) {
  Dtm dtm = parse_dtm(base_dtm());
  Json once = to_json(dtm);
  Dtm again = parse_dtm(once);
  EXPECT_EQ(again, dtm);
  EXPECT_EQ(to_json(again), once);
  // The configurator's explicit nulls are emitted.
  EXPECT_TRUE(once["sizing_ref"].is_null());
  EXPECT_TRUE(once["devices"]["bess_1"]["parent"].is_null());
  EXPECT_TRUE(once["templates_used"]["bess_module"]["vendor"].is_null());
  EXPECT_EQ(once["templates_used"]["bess_module"]["contains"][0]["qty"], "scalable");
  EXPECT_TRUE(
      once["templates_used"]["bess_rack"]["measurements"]["active_power"]["values"].is_null());
  EXPECT_EQ(once["site_id"], "test_site");
}

TEST(Dtm, ReportsEveryIssueAtOnce) {
  Json doc = base_dtm();
  doc["mode"] = "x";
  doc["devices"]["rack_1"]["colour"] = "red";
  doc["templates_used"]["bess_rack"]["measurements"]["active_power"]["unit"] = "kW";
  auto issues = issues_of(doc);
  EXPECT_EQ(issues.size(), 3u);
}

TEST(Dtm, NonFiniteNumbersAreRejected) {
  Json doc = base_dtm();
  doc["sizing_params"]["E_BESS_total_kWh"] = std::numeric_limits<double>::infinity();
  auto issues = issues_of(doc);
  EXPECT_TRUE(has_issue(issues, "/sizing_params/E_BESS_total_kWh", "finite"));
}

TEST(Dtm, NotAnObject) {
  auto issues = issues_of(Json::array());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].path, "");
}

TEST(Dtm, AbsurdNestingIsRejectedWithoutRecursion) {
  Json doc = base_dtm();
  Json deep = Json::array();
  for (int i = 0; i < 100000; ++i) deep = Json::array({std::move(deep)});
  doc["pending_devices"] = Json::array({{{"x", std::move(deep)}}});
  auto issues = issues_of(doc);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].path, "");
  EXPECT_NE(issues[0].message.find("deeper than"), std::string::npos);
}

TEST(Dtm, ParentCycleIsReportedWithTheChain) {
  Json doc = base_dtm();
  doc["devices"]["bess_1"]["parent"] = "rack_1";
  auto issues = issues_of(doc);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].path, "/devices/bess_1/parent");
  EXPECT_NE(issues[0].message.find("bess_1 -> rack_1 -> bess_1"), std::string::npos)
      << issues[0].message;
}

TEST(Dtm, SelfParentIsACycle) {
  Json doc = base_dtm();
  doc["devices"]["field_1"]["parent"] = "field_1";
  EXPECT_TRUE(has_issue(issues_of(doc), "/devices/field_1/parent", "field_1 -> field_1"));
}

TEST(Dtm, LongParentCycleIsReportedOnce) {
  Json doc = base_dtm();
  const int n = 50;
  for (int i = 0; i < n; ++i) {
    std::string id = "chain_" + std::to_string(i);
    doc["devices"][id] = {{"device_id", id},
                          {"template", "field_gear"},
                          {"parent", "chain_" + std::to_string((i + 1) % n)}};
  }
  auto issues = issues_of(doc);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("cycle"), std::string::npos);
}

TEST(Dtm, CatalogMustKnowEveryTemplate) {
  Dtm dtm = parse_dtm(base_dtm());
  std::map<std::string, Template> known{{"bess_rack", dtm.templates_used.at("bess_rack")}};
  TemplateCatalog catalog(known);
  auto issues = issues_of(base_dtm(), &catalog);
  EXPECT_TRUE(
      has_issue(issues, "/templates_used/bess_module", "not in the bundled template catalog"));
  EXPECT_TRUE(
      has_issue(issues, "/templates_used/field_gear", "not in the bundled template catalog"));
  EXPECT_EQ(issues.size(), 2u);
  TemplateCatalog full(dtm.templates_used);
  EXPECT_NO_THROW(parse_dtm(base_dtm(), &full));
}

TEST(Dtm, ContainedTemplateMayComeFromTheCatalog) {
  Json doc = base_dtm();
  doc["templates_used"]["bess_module"]["contains"].push_back({{"template", "pdu"}});
  Template pdu;
  pdu.slug = "pdu";
  TemplateCatalog catalog(std::map<std::string, Template>{{"pdu", pdu}});
  const std::string path = "/templates_used/bess_module/contains/1/template";
  EXPECT_TRUE(has_issue(issues_of(doc), path, "neither"));
  EXPECT_FALSE(has_issue(issues_of(doc, &catalog), path, "neither"));
}

TEST(Dtm, CheckReferencesOnACodeBuiltDtm) {
  Dtm dtm = parse_dtm(base_dtm());
  EXPECT_TRUE(check_references(dtm).empty());
  Device orphan;
  orphan.device_id = "orphan_1";
  orphan.template_slug = "ghost_tpl";
  orphan.parent = "nobody";
  dtm.devices["orphan_x"] = orphan;
  dtm.buses[0].members.push_back({"missing_1", std::nullopt});
  auto issues = check_references(dtm);
  EXPECT_TRUE(has_issue(issues, "/devices/orphan_x/device_id", "differs from its key"));
  EXPECT_TRUE(has_issue(issues, "/devices/orphan_x/parent", "not a device"));
  EXPECT_TRUE(has_issue(issues, "/devices/orphan_x/template", "not in templates_used"));
  EXPECT_TRUE(has_issue(issues, "/buses/0/members/2/device_id", "not a device"));
}

TEST(Dtm, Queries) {
  Dtm dtm = parse_dtm(base_dtm());
  const Device& rack = dtm.devices.at("rack_1");
  ASSERT_NE(dtm.template_of(rack), nullptr);
  EXPECT_EQ(dtm.template_of(rack)->slug, "bess_rack");
  auto ms = dtm.measurements_of(rack);
  EXPECT_EQ(ms.size(), 4u);  // 3 template + 1 extra
  EXPECT_TRUE(ms.count("cabinet_temp"));
  EXPECT_EQ(dtm.measurements_of(dtm.devices.at("rack_2")).size(), 3u);
  auto children = dtm.children_of("bess_1");
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0]->device_id, "rack_1");
  EXPECT_EQ(children[1]->device_id, "rack_2");
  EXPECT_TRUE(dtm.children_of("rack_1").empty());
  Device unknown;
  unknown.template_slug = "nope";
  EXPECT_EQ(dtm.template_of(unknown), nullptr);
}

TEST(Dtm, PublicTemplateAndMeasurementParsersThrowWithPaths) {
  try {
    parse_measurement(Json::parse(R"({"unit":"kW","type":"float","publisher":"analyst"})"), "/m");
    FAIL();
  } catch (const ContractError& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].path, "/m/unit");
  }
  Json t = to_json(parse_dtm(base_dtm()).templates_used.at("bess_rack"));
  EXPECT_EQ(parse_template(t).slug, "bess_rack");
  t["kind"] = "blob";
  EXPECT_THROW(parse_template(t), ContractError);
}

TEST(Dtm, TenThousandDevicesParseInLinearTime) {
  Json doc = base_dtm();
  Json& devices = doc["devices"];
  Json members = Json::array();
  for (int i = 0; i < 10000; ++i) {
    std::string id = "rack_x" + std::to_string(i);
    // A deep chain for the first 5000 (cycle check depth), flat for the rest.
    std::string parent =
        i == 0 ? "bess_1" : (i < 5000 ? "rack_x" + std::to_string(i - 1) : "bess_1");
    devices[id] = {{"device_id", id},
                   {"template", "bess_rack"},
                   {"parent", parent},
                   {"display_name", nullptr},
                   {"connection", {{"host", "127.0.0.1"}, {"port", 1502}, {"unit_id", "1"}}},
                   {"extra_measurements", nullptr}};
    members.push_back({{"device_id", id}, {"port", "ac"}});
  }
  doc["buses"][0]["members"] = members;
  auto start = std::chrono::steady_clock::now();
  Dtm dtm = parse_dtm(doc);
  Json out = to_json(dtm);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(dtm.devices.size(), 10004u);
  // Generous bound for a shared 2-core CI machine; a quadratic step would take minutes.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count(), 10);
}

}  // namespace
