// The semver table of CONTRACT.md section 7 (rules and decisions documented in semver.hpp):
// one row per rule, then "largest wins" combinations and identity.
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "ems/contract/issue.hpp"
#include "ems/contract/semver.hpp"

namespace ems::contract {
namespace {

Measurement float_measurement(Unit unit) {
  Measurement m;
  m.unit = unit;
  m.type = ValueType::Float;
  m.publisher = "gateway";
  return m;
}

Template pdu_template() {
  Template t;
  t.slug = "pdu";
  t.description = "rack PDU";
  t.measurements["active_power"] = float_measurement(Unit::watts);
  t.measurements["voltage"] = float_measurement(Unit::volts);
  Command c;
  c.verb = Verb::set;
  c.target = "active_power";
  c.unit = Unit::watts;
  c.payload = PayloadType::Float;
  c.fanout = "line_controller";
  t.commands["set_power"] = c;
  return t;
}

Device device(const std::string& id, const std::string& slug,
              std::optional<std::string> parent = std::nullopt) {
  Device d;
  d.device_id = id;
  d.template_slug = slug;
  d.parent = std::move(parent);
  return d;
}

// A small site: a module with two PDUs on one AC bus.
Dtm base_dtm() {
  Dtm dtm;
  dtm.deployment_uuid = "6f1c2a57-0d7e-4a53-9f43-1b0c7a3e8d11";
  dtm.site_id = "demo_site";
  dtm.site_display_name = "Demo";
  dtm.sizing_ref = "ref_1";
  dtm.sizing_params = Json{{"racks", 2}};
  dtm.mode = "sim";
  Template module;
  module.slug = "compute_module";
  module.kind = TemplateKind::module;
  dtm.templates_used["compute_module"] = module;
  dtm.templates_used["pdu"] = pdu_template();
  dtm.devices["module_1"] = device("module_1", "compute_module");
  dtm.devices["module_2"] = device("module_2", "compute_module");
  dtm.devices["pdu_1"] = device("pdu_1", "pdu", "module_1");
  dtm.devices["pdu_2"] = device("pdu_2", "pdu", "module_1");
  dtm.devices["pdu_1"].connection = Connection{"10.0.0.1", 502, "1", std::nullopt};
  dtm.devices["pdu_1"].extra_measurements =
      std::map<std::string, Measurement>{{"inlet_temp", float_measurement(Unit::celsius)}};
  dtm.devices["pdu_1"].carried = Json{{"blocking", false}};
  Bus bus;
  bus.bus_id = "lv_bus";
  bus.members = {{"pdu_1", "a"}, {"pdu_2", "b"}};
  Bus dc;
  dc.bus_id = "dc_bus";
  dc.type = BusType::dc;
  dc.members = {{"module_1", std::nullopt}};
  dtm.buses = {bus, dc};
  return dtm;
}

struct Row {
  const char* name;
  std::function<void(Dtm&)> change;
  Bump bump;
  const char* reason;  // expected among the reasons
};

std::vector<Row> table() {
  return {
      // major
      {"device removed", [](Dtm& d) { d.devices.erase("module_2"); }, Bump::major,
       "device module_2 removed"},
      {"extra measurement removed", [](Dtm& d) { d.devices["pdu_1"].extra_measurements->clear(); },
       Bump::major, "device pdu_1 extra measurement inlet_temp removed"},
      {"bus member removed", [](Dtm& d) { d.buses[0].members.pop_back(); }, Bump::major,
       "bus lv_bus member pdu_2:b removed"},
      {"bus member port changed", [](Dtm& d) { d.buses[0].members[0].port = "z"; }, Bump::major,
       "bus lv_bus member pdu_1:a removed"},
      {"template removed", [](Dtm& d) { d.templates_used.erase("compute_module"); }, Bump::major,
       "template compute_module removed"},
      {"device template changed", [](Dtm& d) { d.devices["module_2"].template_slug = "pdu"; },
       Bump::major, "device module_2 template changed from compute_module to pdu"},
      {"template measurement unit changed",
       [](Dtm& d) { d.templates_used["pdu"].measurements["voltage"].unit = Unit::amps; },
       Bump::major, "template pdu measurement voltage unit changed from volts to amps"},
      {"template measurement type changed",
       [](Dtm& d) { d.templates_used["pdu"].measurements["voltage"].type = ValueType::Bool; },
       Bump::major, "template pdu measurement voltage type changed from float to bool"},
      {"extra measurement unit changed",
       [](Dtm& d) { (*d.devices["pdu_1"].extra_measurements)["inlet_temp"].unit = Unit::percent; },
       Bump::major,
       "device pdu_1 extra measurement inlet_temp unit changed from celsius to percent"},
      {"template measurement removed",
       [](Dtm& d) { d.templates_used["pdu"].measurements.erase("voltage"); }, Bump::major,
       "template pdu measurement voltage removed"},
      {"template command removed", [](Dtm& d) { d.templates_used["pdu"].commands.clear(); },
       Bump::major, "template pdu command set_power removed"},
      {"template command unit changed",
       [](Dtm& d) { d.templates_used["pdu"].commands["set_power"].unit = Unit::percent; },
       Bump::major, "template pdu command set_power unit changed from watts to percent"},
      {"template command target changed",
       [](Dtm& d) { d.templates_used["pdu"].commands["set_power"].target = "voltage"; },
       Bump::major, "template pdu command set_power verb, target or payload changed"},
      {"bus removed", [](Dtm& d) { d.buses.pop_back(); }, Bump::major, "bus dc_bus removed"},
      {"bus type changed", [](Dtm& d) { d.buses[0].type = BusType::dc; }, Bump::major,
       "bus lv_bus type changed"},
      {"deployment_uuid changed",
       [](Dtm& d) { d.deployment_uuid = "00000000-0000-4000-8000-000000000000"; }, Bump::major,
       "deployment_uuid changed"},
      {"site_id changed", [](Dtm& d) { d.site_id = "other_site"; }, Bump::major, "site_id changed"},
      // minor
      {"device added", [](Dtm& d) { d.devices["pdu_3"] = device("pdu_3", "pdu", "module_1"); },
       Bump::minor, "device pdu_3 added"},
      {"extra measurement added",
       [](Dtm& d) {
         (*d.devices["pdu_1"].extra_measurements)["outlet_temp"] = float_measurement(Unit::celsius);
       },
       Bump::minor, "device pdu_1 extra measurement outlet_temp added"},
      {"extra measurements on a device that had none",
       [](Dtm& d) {
         d.devices["pdu_2"].extra_measurements =
             std::map<std::string, Measurement>{{"hum", float_measurement(Unit::percent)}};
       },
       Bump::minor, "device pdu_2 extra measurement hum added"},
      {"bus added",
       [](Dtm& d) {
         Bus b;
         b.bus_id = "mv_bus";
         d.buses.push_back(b);
       },
       Bump::minor, "bus mv_bus added"},
      {"bus member added",
       [](Dtm& d) {
         d.buses[1].members.push_back({"module_2", "x"});
       },
       Bump::minor, "bus dc_bus member module_2:x added"},
      {"template added",
       [](Dtm& d) {
         Template t;
         t.slug = "cdu";
         d.templates_used["cdu"] = t;
       },
       Bump::minor, "template cdu added"},
      {"template measurement added",
       [](Dtm& d) {
         d.templates_used["pdu"].measurements["frequency"] = float_measurement(Unit::hertz);
       },
       Bump::minor, "template pdu measurement frequency added"},
      {"template command added",
       [](Dtm& d) {
         Command c;
         c.verb = Verb::reset;
         c.target = "voltage";
         c.payload = PayloadType::Trigger;
         c.fanout = "gateway";
         d.templates_used["pdu"].commands["reset"] = c;
       },
       Bump::minor, "template pdu command reset added"},
      {"device re-parented", [](Dtm& d) { d.devices["pdu_2"].parent = "module_2"; }, Bump::minor,
       "device pdu_2 re-parented from module_1 to module_2"},
      {"device moved to the root", [](Dtm& d) { d.devices["pdu_2"].parent.reset(); }, Bump::minor,
       "device pdu_2 re-parented from module_1 to (none)"},
      // patch
      {"display name", [](Dtm& d) { d.devices["pdu_1"].display_name = "PDU A"; }, Bump::patch,
       "device pdu_1 display_name changed"},
      {"site display name", [](Dtm& d) { d.site_display_name = "Demo site"; }, Bump::patch,
       "site_display_name changed"},
      {"connection", [](Dtm& d) { d.devices["pdu_1"].connection->port = 1502; }, Bump::patch,
       "device pdu_1 connection changed"},
      {"thresholds",
       [](Dtm& d) {
         d.templates_used["pdu"].measurements["voltage"].thresholds = Thresholds{1, 2, 0, 3};
       },
       Bump::patch, "template pdu measurement voltage metadata changed"},
      {"bounds (decision: patch)",
       [](Dtm& d) {
         d.templates_used["pdu"].measurements["voltage"].bounds = Bounds{0, 480, 415};
       },
       Bump::patch, "template pdu measurement voltage metadata changed"},
      {"display_name_default",
       [](Dtm& d) {
         d.templates_used["pdu"].measurements["voltage"].display_name_default = "Voltage";
       },
       Bump::patch, "template pdu measurement voltage metadata changed"},
      {"extra measurement thresholds",
       [](Dtm& d) {
         (*d.devices["pdu_1"].extra_measurements)["inlet_temp"].thresholds =
             Thresholds{10, 30, 5, 40};
       },
       Bump::patch, "device pdu_1 extra measurement inlet_temp metadata changed"},
      {"command fanout",
       [](Dtm& d) { d.templates_used["pdu"].commands["set_power"].fanout = "analyst"; },
       Bump::patch, "template pdu command set_power metadata changed"},
      {"template description", [](Dtm& d) { d.templates_used["pdu"].description = "new"; },
       Bump::patch, "template pdu descriptive fields changed"},
      {"sizing params", [](Dtm& d) { d.sizing_params["racks"] = 3; }, Bump::patch,
       "sizing_params changed"},
      {"sizing ref", [](Dtm& d) { d.sizing_ref = "ref_2"; }, Bump::patch, "sizing_ref changed"},
      {"mode", [](Dtm& d) { d.mode = "live"; }, Bump::patch, "mode changed"},
      {"carried field", [](Dtm& d) { d.devices["pdu_1"].carried["blocking"] = true; }, Bump::patch,
       "device pdu_1 blocking changed"},
      {"carried field added", [](Dtm& d) { d.devices["pdu_2"].carried["mode"] = "maintenance"; },
       Bump::patch, "device pdu_2 mode changed"},
      {"pending devices", [](Dtm& d) { d.pending_devices = Json::array({"x"}); }, Bump::patch,
       "pending_devices changed"},
      {"bus member order", [](Dtm& d) { std::swap(d.buses[0].members[0], d.buses[0].members[1]); },
       Bump::patch, "bus lv_bus member order changed"},
      {"bus order", [](Dtm& d) { std::swap(d.buses[0], d.buses[1]); }, Bump::patch,
       "bus order changed"},
  };
}

TEST(Semver, TableOneRowPerRule) {
  for (const auto& row : table()) {
    SCOPED_TRACE(row.name);
    const Dtm before = base_dtm();
    Dtm after = before;
    row.change(after);
    ASSERT_NE(before, after) << "the row must change something";
    const ChangeReport report = classify_change(before, after);
    EXPECT_EQ(report.bump, row.bump) << to_string(report.bump);
    EXPECT_NE(std::find(report.reasons.begin(), report.reasons.end(), row.reason),
              report.reasons.end())
        << "missing reason: " << row.reason << "; got: " << testing::PrintToString(report.reasons);
    // Every reason of a one-rule change is at most as large as the bump; the row's reason is
    // the only one unless the change is naturally compound.
    EXPECT_FALSE(report.reasons.empty());
  }
}

TEST(Semver, IdentityIsNone) {
  const ChangeReport report = classify_change(base_dtm(), base_dtm());
  EXPECT_EQ(report.bump, Bump::none);
  EXPECT_TRUE(report.reasons.empty());
}

TEST(Semver, InformationalVersionAndNullExtrasAreIgnored) {
  Dtm before = base_dtm(), after = base_dtm();
  after.version = "9.9.9";
  before.devices["pdu_2"].extra_measurements.reset();
  after.devices["pdu_2"].extra_measurements = std::map<std::string, Measurement>{};
  const ChangeReport report = classify_change(before, after);
  EXPECT_EQ(report.bump, Bump::none) << testing::PrintToString(report.reasons);
}

TEST(Semver, LargestWinsAndReasonsAccumulate) {
  struct Combo {
    const char* name;
    std::function<void(Dtm&)> change;
    Bump bump;
    std::size_t reasons;
  };
  const std::vector<Combo> combos = {
      {"patch + minor = minor",
       [](Dtm& d) {
         d.devices["pdu_1"].display_name = "A";
         d.devices["pdu_3"] = device("pdu_3", "pdu");
       },
       Bump::minor, 2},
      {"patch + minor + major = major",
       [](Dtm& d) {
         d.mode = "live";
         d.buses[1].members.push_back({"module_2", std::nullopt});
         d.devices.erase("module_2");
       },
       Bump::major, 3},
      {"two patches = patch",
       [](Dtm& d) {
         d.sizing_ref = "x";
         d.site_display_name = "y";
       },
       Bump::patch, 2},
      {"device swapped to a new template = major with three reasons",
       [](Dtm& d) {
         d.devices["module_2"].template_slug = "cdu";
         Template t;
         t.slug = "cdu";
         d.templates_used["cdu"] = t;
         d.templates_used.erase("compute_module");
         d.devices["module_1"].template_slug = "cdu";
       },
       Bump::major, 4},
  };
  for (const auto& combo : combos) {
    SCOPED_TRACE(combo.name);
    Dtm after = base_dtm();
    combo.change(after);
    const ChangeReport report = classify_change(base_dtm(), after);
    EXPECT_EQ(report.bump, combo.bump);
    EXPECT_EQ(report.reasons.size(), combo.reasons) << testing::PrintToString(report.reasons);
  }
}

TEST(Semver, ReasonsAreInStableOrder) {
  Dtm after = base_dtm();
  after.devices["zz_dev"] = device("zz_dev", "pdu");
  after.devices["aa_dev"] = device("aa_dev", "pdu");
  after.mode = "live";
  const ChangeReport report = classify_change(base_dtm(), after);
  EXPECT_EQ(report.reasons, (std::vector<std::string>{"mode changed", "device aa_dev added",
                                                      "device zz_dev added"}));
}

TEST(Semver, DemoDtmFile) {
  std::ifstream in(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json");
  ASSERT_TRUE(in.good());
  const Json doc = Json::parse(in);
  const Dtm demo = parse_dtm(doc);
  EXPECT_EQ(classify_change(demo, parse_dtm(doc)).bump, Bump::none);
  ASSERT_FALSE(demo.devices.empty());
  Dtm renamed = demo;
  renamed.devices.begin()->second.display_name = "Renamed";
  EXPECT_EQ(classify_change(demo, renamed).bump, Bump::patch);
  Dtm shrunk = demo;
  shrunk.devices.erase(std::prev(shrunk.devices.end()));
  EXPECT_EQ(classify_change(demo, shrunk).bump, Bump::major);
  EXPECT_EQ(classify_change(shrunk, demo).bump, Bump::minor);
}

TEST(Semver, NextBumps) {
  const SemVer v{2, 3, 4};
  EXPECT_EQ(next(v, Bump::major), (SemVer{3, 0, 0}));
  EXPECT_EQ(next(v, Bump::minor), (SemVer{2, 4, 0}));
  EXPECT_EQ(next(v, Bump::patch), (SemVer{2, 3, 5}));
  EXPECT_EQ(next(v, Bump::none), v);
  EXPECT_EQ(to_string(next(SemVer{1, 0, 41}, Bump::patch)), "1.0.42");
}

TEST(Semver, ParseAndFormatStrictly) {
  EXPECT_EQ(parse_semver("1.2.3"), (SemVer{1, 2, 3}));
  EXPECT_EQ(parse_semver("0.0.0"), (SemVer{0, 0, 0}));
  EXPECT_EQ(parse_semver("10.20.2147483647"), (SemVer{10, 20, 2147483647}));
  EXPECT_EQ(to_string(SemVer{1, 2, 3}), "1.2.3");
  EXPECT_EQ(to_string(parse_semver("12.0.7")), "12.0.7");
  for (const char* bad : {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "-1.2.3",
                          "+1.2.3", "1.2.3-rc1", "1.2.3+b", " 1.2.3", "1.2.3 ", "a.b.c", "1..3",
                          "1.2.", ".1.2", "1.2.2147483648", "1.2.99999999999"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(parse_semver(bad), ContractError);
  }
}

TEST(Semver, BumpNames) {
  EXPECT_EQ(to_string(Bump::none), "none");
  EXPECT_EQ(to_string(Bump::patch), "patch");
  EXPECT_EQ(to_string(Bump::minor), "minor");
  EXPECT_EQ(to_string(Bump::major), "major");
  EXPECT_LT(Bump::patch, Bump::minor);
  EXPECT_LT(Bump::minor, Bump::major);
}

}  // namespace
}  // namespace ems::contract
