// topology_view: what the HMI gets, and above all what it never gets.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ems/contract/view.hpp"
#include "test_asyncapi_fixture.hpp"
#include "test_view_sanitized.hpp"

namespace ems::contract {
namespace {

using namespace ems::contract::testing;

ViewOptions opts() {
  return {"2.0.1", "plant_a"};
}

TEST(TopologyView, CarriesTheTreeAndResolvedLabels) {
  Json v = topology_view(site_dtm(), opts());
  EXPECT_EQ(v["site_id"], "plant_a");
  EXPECT_EQ(v["site_display_name"], "Plant A");
  EXPECT_EQ(v["version"], "2.0.1");
  EXPECT_EQ(v["deployment_uuid"], "11111111-1111-4111-8111-111111111111");
  EXPECT_EQ(v["ems_mode"], "sim");  // default when the DTM says nothing
  EXPECT_EQ(v["sizing_params"]["E_BESS_total_kWh"], 7708.0);
  EXPECT_EQ(v["roots"], Json({"bess_module_1", "compute_module_1", "operating_envelope",
                              "poi_meter_1", "switchgear_1"}));
  EXPECT_EQ(v["devices"]["bess_module_1"]["children"], Json({"bess_rack_1", "bess_rack_2"}));
  EXPECT_EQ(v["devices"]["bess_rack_1"]["parent"], "bess_module_1");
  EXPECT_EQ(v["devices"]["bess_rack_1"]["display_name"], "Bess Rack 1");
  EXPECT_EQ(v["devices"]["switchgear_1"]["display_name"], "Main Switchgear");
  EXPECT_EQ(v["devices"]["switchgear_1"]["extra_measurements"]["door_state"]["enum_values"],
            Json({"CLOSED", "OPEN"}));
  EXPECT_TRUE(v["devices"]["bess_rack_1"]["extra_measurements"].is_null());

  const Json& soc = v["templates_used"]["bess_rack"]["measurements"]["state_of_charge"];
  EXPECT_EQ(soc["unit"], "percent");
  EXPECT_EQ(soc["type"], "float");
  EXPECT_EQ(soc["poll_rate_hz"], 1.0);
  EXPECT_EQ(soc["display_name"], "State of Charge");
  EXPECT_EQ(soc["iec_61850_ref"], "ZBAT.BatChaSt");
  EXPECT_EQ(soc["bounds"], (Json{{"min", 0.0}, {"max", 100.0}, {"nominal", 50.0}}));
  EXPECT_EQ(soc["thresholds"]["alarm_min"], 5.0);
  EXPECT_EQ(v["templates_used"]["bess_rack"]["measurements"]["operating_state"]["enum_values"],
            Json({"STANDBY", "CHARGING", "DISCHARGING", "FAULT"}));
  EXPECT_EQ(v["templates_used"]["bess_rack"]["commands"]["set_active_power"],
            (Json{{"verb", "set"},
                  {"target", "active_power"},
                  {"unit", "watts"},
                  {"payload", "float"},
                  {"display_name", "Set Active Power"}}));
  EXPECT_EQ(v["templates_used"]["bess_rack"]["capacity_kwh"], 3854.0);
  EXPECT_EQ(v["templates_used"]["switchgear"]["alarms"][0]["operator_action"],
            "Investigate.\nLock out.");
  EXPECT_EQ(v["buses"][0]["members"][0],
            (Json{{"device_id", "bess_module_1"}, {"terminal", "ac_out"}}));
  EXPECT_TRUE(v["buses"][0]["members"][1]["terminal"].is_null());

  Dtm live = site_dtm();
  live.mode = "live";
  live.site_id = "own_site";
  Json lv = topology_view(live, opts());
  EXPECT_EQ(lv["ems_mode"], "live");
  EXPECT_EQ(lv["site_id"], "own_site");
}

TEST(TopologyView, NeverCarriesHowDevicesAreReached) {
  const Dtm dtm = site_dtm();
  EXPECT_THAT(sanitization_leaks(topology_view(dtm, opts()), dtm), ::testing::IsEmpty());
}

TEST(TopologyView, TheLeakCheckDetectsLeaks) {
  // The walker itself must be able to fail, or the tests above prove nothing.
  const Dtm dtm = site_dtm();
  Json v = topology_view(dtm, opts());
  v["devices"]["bess_rack_1"]["nested"] = Json::array({{{"connection", nullptr}}});
  v["templates_used"]["gpu_node"]["note"] = "/Chassis/1/Power";
  v["x"] = "10.10.0.21";
  EXPECT_EQ(sanitization_leaks(v, dtm).size(), 3u);
}

TEST(Labels, HumanizeSlug) {
  EXPECT_EQ(humanize_slug("bess_rack_1"), "Bess Rack 1");
  EXPECT_EQ(humanize_slug("pue"), "Pue");
  EXPECT_EQ(humanize_slug("gpu_1_power"), "Gpu 1 Power");
}

}  // namespace
}  // namespace ems::contract
