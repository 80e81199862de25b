// device-api never stores what it cannot serve (CONTRACT.md section 7): a DTM that passes
// validation but from which the AsyncAPI document, the view or the single-line diagram cannot be
// generated is refused - 400 "Topology Cannot Be Served" naming the JSON path - with no version,
// no ETag change and no event, while the current documents keep being served.
//
// One case per generation-only failure the generators (libs/contract asyncapi*, view, sld)
// can raise on a valid DTM, each reached through one of the mutations (POST /topology,
// POST /devices, PATCH and DELETE /devices/{id}, POST /topology/changes), against a real
// PostgreSQL and a real mosquitto.

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "service_fixture.hpp"

namespace ems::device_api::testing {
namespace {

using nlohmann::json;

json& template_of(json& dtm, const std::string& slug) {
  return dtm["templates_used"][slug];
}

// A second poi_meter under the grid module: bess_module's headroom inputs name
// {poi_meter_device_id}, which no longer designates one device.
json second_poi_meter() {
  json device = testdata::demo_dtm()["devices"]["poi_meter_1"];
  device["device_id"] = "poi_meter_2";
  device["display_name"] = "Second POI meter";
  device["connection"]["port"] = 15099;
  return device;
}

struct Case {
  std::string name;
  // The topology stored first (version 1.0.0): the demo site, possibly adjusted.
  std::function<void(json& dtm)> initial;
  // The refused mutation.
  std::function<httplib::Result(ServiceFixture& f)> mutation;
  std::string path;          // the JSON Pointer the problem must name
  std::string message_part;  // ... and a part of its message
};

void demo_as_is(json&) {}

std::vector<Case> cases() {
  return {
      {"PoiMeterAmbiguousAfterPostDevice", demo_as_is,
       [](ServiceFixture& f) { return f.post_json("/devices", second_poi_meter()); },
       "/templates_used/bess_module/measurements/export_headroom/binding/inputs",
       "{poi_meter_device_id} is ambiguous: the DTM has 2 poi_meter devices"},
      {"PoiMeterAmbiguousAfterBatch", demo_as_is,
       [](ServiceFixture& f) {
         json batch = {{"operations",
                        {{{"op", "update"},
                          {"device_id", "pdu_2"},
                          {"changes", {{"display_name", "PDU two"}}}},
                         {{"op", "add"}, {"device", second_poi_meter()}}}}};
         return f.post_json("/topology/changes", batch);
       },
       "/templates_used/bess_module/measurements/export_headroom/binding/inputs", "is ambiguous"},
      {"RollUpChildLacksTheMeasurement", demo_as_is,
       [](ServiceFixture& f) {
         // The BMS moved under the BESS module, with all its split needs (command, state,
         // capacity) but no reactive_power, which the module sums over every child.
         json dtm = testdata::demo_dtm();
         const json rack = template_of(dtm, "bess_rack");
         json& bms = template_of(dtm, "bess_bms");
         for (const char* m : {"active_power", "state_of_charge", "operating_state"})
           bms["measurements"][m] = rack["measurements"][m];
         bms["commands"]["set_active_power"] = rack["commands"]["set_active_power"];
         bms["capacity_kwh"] = rack["capacity_kwh"];
         dtm["devices"]["bess_bms_1"]["parent"] = "bess_module_1";
         dtm["devices"]["bess_bms_1"]["connection"]["unit_id"] = "3";  // now also a Modbus unit
         return f.post_json("/topology", dtm);
       },
       "/devices/bess_bms_1", "lacks measurement 'reactive_power'"},
      {"WeightedMeanChildWithoutCapacity", demo_as_is,
       [](ServiceFixture& f) {
         json dtm = testdata::demo_dtm();
         template_of(dtm, "bess_rack").erase("capacity_kwh");
         dtm["sizing_params"].erase("bess_reserve_floor_mwh");  // only the mean is left to fail
         return f.post_json("/topology", dtm);
       },
       "/templates_used/bess_rack/capacity_kwh", "weighted_mean 'state_of_charge'"},
      {"ReserveFloorChildWithoutCapacity", demo_as_is,
       [](ServiceFixture& f) {
         json dtm = testdata::demo_dtm();
         template_of(dtm, "bess_rack").erase("capacity_kwh");
         // A plain mean needs no weights: only the reserve floor is left to fail.
         template_of(dtm,
                     "bess_module")["measurements"]["state_of_charge"]["binding"]["operation"] =
             "mean";
         return f.post_json("/topology", dtm);
       },
       "/templates_used/bess_rack/capacity_kwh", "a reserve floor needs capacity_kwh"},
      {"ReserveFloorBeyondCapacityAfterDelete",
       [](json& dtm) {
         // 5 MWh of floor over 2 x 3.854 MWh of racks; rack 2 on no bus so it can be removed.
         dtm["sizing_params"]["bess_reserve_floor_mwh"] = 5.0;
         for (auto& bus : dtm["buses"]) {
           auto& members = bus["members"];
           for (auto it = members.begin(); it != members.end();) {
             it = (*it)["device_id"] == "bess_rack_2" ? members.erase(it) : it + 1;
           }
         }
       },
       [](ServiceFixture& f) {
         return f.client().Delete("/devices/bess_rack_2", ServiceFixture::auth());
       },
       "/sizing_params/bess_reserve_floor_mwh", "reserve floor exceeds the capacity"},
      {"DistributeChildLacksTheCommand", demo_as_is,
       [](ServiceFixture& f) {
         json dtm = testdata::demo_dtm();
         template_of(dtm, "bess_rack")["commands"] = json::object();
         return f.post_json("/topology", dtm);
       },
       "/devices/bess_rack_1", "has no 'set active_power' command to distribute"},
      {"DistributeChildLacksItsState", demo_as_is,
       [](ServiceFixture& f) {
         json dtm = testdata::demo_dtm();
         template_of(dtm, "bess_rack")["measurements"].erase("operating_state");
         return f.post_json("/topology", dtm);
       },
       "/devices/bess_rack_1", "needs operating_state, state_of_charge and bounds"},
      {"TwoTemplateMeasurementsShareASchemaName", demo_as_is,
       [](ServiceFixture& f) {
         json dtm = testdata::demo_dtm();
         auto& measurements = template_of(dtm, "gpu_node")["measurements"];
         measurements["gpu1_power"] = measurements["gpu_1_power"];  // both GpuNode_Gpu1Power
         return f.post_json("/topology", dtm);
       },
       "/templates_used/gpu_node/measurements/gpu_1_power",
       "concrete schema name 'GpuNode_Gpu1Power' collides"},
      {"TwoExtraMeasurementsShareASchemaName", demo_as_is,
       [](ServiceFixture& f) {
         const json m =
             testdata::demo_dtm()["templates_used"]["gpu_node"]["measurements"]["gpu_1_power"];
         json changes = {{"extra_measurements", {{"spare_1_power", m}, {"spare1_power", m}}}};
         return f.client().Patch("/devices/gpu_node_1", ServiceFixture::auth(), changes.dump(),
                                 "application/json");
       },
       "/devices/gpu_node_1/extra_measurements/spare_1_power",
       "concrete schema name 'GpuNode1_Extra_Spare1Power' collides"},
      {"UnknownPlaceholderInASyntheticInput", demo_as_is,
       [](ServiceFixture& f) {
         json dtm = testdata::demo_dtm();
         template_of(dtm,
                     "bess_module")["measurements"]["import_headroom"]["binding"]["inputs"][0] =
             "sites/{site_id}/devices/{meter_id}/measurements/active_power/watts";
         return f.post_json("/topology", dtm);
       },
       "/templates_used/bess_module/measurements/import_headroom/binding/inputs",
       "unknown placeholder {meter_id}"},
      {"UnbalancedBraceInASyntheticInput", demo_as_is,
       [](ServiceFixture& f) {
         json dtm = testdata::demo_dtm();
         template_of(dtm,
                     "bess_module")["measurements"]["import_headroom"]["binding"]["inputs"][0] =
             "sites/{site_id/devices/operating_envelope/measurements/x/watts";
         return f.post_json("/topology", dtm);
       },
       "/templates_used/bess_module/measurements/import_headroom/binding/inputs", "unbalanced '{'"},
      {"ModbusUnitIdThatIsNoNumber", demo_as_is,
       [](ServiceFixture& f) {
         // A valid DTM string, but no Modbus unit a reader could address.
         return f.client().Patch(
             "/devices/pv_inverter_1", ServiceFixture::auth(),
             json{{"connection",
                   {{"host", "127.0.0.1"}, {"port", 15022}, {"unit_id", "inverter-a"}}}}
                 .dump(),
             "application/json");
       },
       "/devices/pv_inverter_1/connection/unit_id", "a Modbus unit_id must be 0..255"},
      {"Dnp3OutstationAddressOutOfRange", demo_as_is,
       [](ServiceFixture& f) {
         return f.client().Patch(
             "/devices/protective_relay_1", ServiceFixture::auth(),
             json{{"connection", {{"host", "127.0.0.1"}, {"port", 20000}, {"unit_id", "65535"}}}}
                 .dump(),
             "application/json");
       },
       "/devices/protective_relay_1/connection/unit_id", "DNP3 outstation address"},
  };
}

// gtest prints a failing parameter with this instead of its bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class UnservableTest : public ServiceFixture, public ::testing::WithParamInterface<Case> {};

TEST_P(UnservableTest, IsRefusedWithItsPathAndChangesNothing) {
  const Case& c = GetParam();
  json initial = testdata::demo_dtm();
  c.initial(initial);
  auto stored = post_json("/topology", initial);
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 201) << stored->body;
  const auto before = client().Get("/asyncapi");
  ASSERT_EQ(before->status, 200);
  const auto before_topology = client().Get("/topology");
  ASSERT_EQ(before_topology->status, 200);

  auto refused = c.mutation(*this);
  ASSERT_TRUE(refused) << "no response";
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_EQ(refused->get_header_value("Content-Type"), "application/problem+json");
  const json problem = json::parse(refused->body);
  EXPECT_EQ(problem["title"], "Topology Cannot Be Served") << refused->body;
  bool named = false;
  for (const auto& e : problem["errors"]) {
    if (e["path"] == c.path) {
      named = true;
      EXPECT_NE(e["message"].get<std::string>().find(c.message_part), std::string::npos)
          << e["message"];
    }
  }
  EXPECT_TRUE(named) << "no error at " << c.path << ": " << refused->body;

  // Nothing was stored: same version and ETag, one row, the documents still served.
  auto topology = client().Get("/topology");
  ASSERT_EQ(topology->status, 200);
  EXPECT_EQ(topology->get_header_value("ETag"), "\"1.0.0\"");
  EXPECT_EQ(topology->body, before_topology->body);
  const json versions = json::parse(client().Get("/topology/versions")->body)["versions"];
  EXPECT_EQ(versions.size(), 1u);
  auto asyncapi = client().Get("/asyncapi");
  ASSERT_EQ(asyncapi->status, 200);
  EXPECT_EQ(asyncapi->get_header_value("ETag"), "\"1.0.0\"");
  EXPECT_EQ(asyncapi->body, before->body);
  EXPECT_EQ(client().Get("/topology/view")->status, 200);
  EXPECT_EQ(client().Get("/topology/sld.svg")->status, 200);

  // One event: the initial version's, none for the refused change.
  EXPECT_EQ(events_after(1), std::vector<std::string>{"1.0.0"});
}

INSTANTIATE_TEST_SUITE_P(EveryGenerationOnlyFailure, UnservableTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

// The refused candidate would have been the next version: once the cause is gone, the same kind
// of change is stored and announced as usual (the refusal left no trace in the numbering).
class RefusalTest : public ServiceFixture {};

TEST_F(RefusalTest, AFixedChangeAfterARefusalGetsTheNextVersion) {
  ASSERT_EQ(post_json("/topology", testdata::demo_dtm())->status, 201);
  ASSERT_EQ(post_json("/devices", second_poi_meter())->status, 400);
  json device = testdata::demo_dtm()["devices"]["pdu_1"];
  device["device_id"] = "pdu_3";
  device["connection"]["port"] = 16103;
  auto added = post_json("/devices", device);
  ASSERT_EQ(added->status, 201) << added->body;
  EXPECT_EQ(json::parse(added->body)["version"], "1.1.0");
  EXPECT_EQ(events_after(2), (std::vector<std::string>{"1.0.0", "1.1.0"}));
}

// A version stored before this check existed (written here straight into the store, as an
// older device-api did) is loaded, not fatal: its DTM stays readable, the document routes answer
// 500 naming the version and the path, and a corrected topology is accepted and served.
TEST_F(RefusalTest, AStoredUnservableVersionIsReportedAndCanBeReplaced) {
  json two_meters = testdata::demo_dtm();
  two_meters["devices"]["poi_meter_2"] = second_poi_meter();
  const json normalized = contract::to_json(contract::parse_dtm(two_meters, &testdata::catalog()));
  ASSERT_TRUE(store_->append_if([&](const std::optional<StoredTopology>&) {
    NewVersion row;
    row.version = "1.0.0";
    row.bump = "initial";
    row.actor = "older device-api";
    row.dtm = normalized;
    return std::optional<NewVersion>(row);
  }));
  start_service();  // loads it

  EXPECT_EQ(client().Get("/topology")->status, 200);
  for (const char* path : {"/asyncapi", "/asyncapi.yaml", "/topology/view", "/topology/sld.svg"}) {
    SCOPED_TRACE(path);
    auto r = client().Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
    EXPECT_NE(r->body.find("stored version 1.0.0"), std::string::npos) << r->body;
    EXPECT_NE(r->body.find("/binding/inputs"), std::string::npos) << r->body;
  }

  auto fixed = post_json("/topology", testdata::demo_dtm());
  ASSERT_EQ(fixed->status, 201) << fixed->body;
  EXPECT_EQ(json::parse(fixed->body)["version"], "2.0.0");  // a device removed: major
  auto asyncapi = client().Get("/asyncapi");
  ASSERT_EQ(asyncapi->status, 200);
  EXPECT_EQ(json::parse(asyncapi->body)["info"]["version"], "2.0.0");
}

}  // namespace
}  // namespace ems::device_api::testing
