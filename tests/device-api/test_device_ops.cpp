// Device operations as pure JSON transformations, validated afterwards by parse_dtm.

#include <gtest/gtest.h>

#include "api_error.hpp"
#include "demo.hpp"
#include "device_ops.hpp"
#include "ems/contract/dtm.hpp"

namespace ems::device_api {
namespace {

using nlohmann::json;
using testdata::catalog;
using testdata::demo_dtm;

json normalized_demo() {
  return contract::to_json(contract::parse_dtm(demo_dtm(), &catalog()));
}

int status_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    return e.status();
  } catch (const contract::ContractError&) {
    return 400;
  }
  return 0;
}

TEST(DeviceOps, AddDeviceCopiesTemplateFromCatalogWhenUnused) {
  json dtm = normalized_demo();
  dtm["devices"].erase("network_switch_1");
  dtm["templates_used"].erase("network_switch");
  for (auto& bus : dtm["buses"]) {
    auto& members = bus["members"];
    for (auto it = members.begin(); it != members.end();)
      it = (*it)["device_id"] == "network_switch_1" ? members.erase(it) : it + 1;
  }
  ASSERT_NO_THROW(contract::parse_dtm(dtm, &catalog()));
  add_device(dtm,
             {{"device_id", "network_switch_9"},
              {"template", "network_switch"},
              {"parent", "compute_module_1"},
              {"connection", {{"host", "127.0.0.1"}, {"port", 16199}, {"unit_id", nullptr}}}},
             catalog());
  ASSERT_TRUE(dtm["templates_used"].contains("network_switch"));
  contract::Dtm parsed = contract::parse_dtm(dtm, &catalog());
  EXPECT_EQ(parsed.devices.at("network_switch_9").parent, "compute_module_1");
}

TEST(DeviceOps, AddRejectsDuplicatesUnknownTemplatesAndBadIds) {
  json dtm = normalized_demo();
  EXPECT_EQ(status_of([&] {
              add_device(dtm, {{"device_id", "pdu_1"}, {"template", "pdu"}}, catalog());
            }),
            409);
  EXPECT_EQ(status_of([&] {
              add_device(dtm, {{"device_id", "x_1"}, {"template", "no_such_template"}}, catalog());
            }),
            400);
  EXPECT_EQ(status_of([&] {
              add_device(dtm, {{"device_id", "Bad-Id"}, {"template", "pdu"}}, catalog());
            }),
            400);
  EXPECT_EQ(status_of([&] { add_device(dtm, json::array(), catalog()); }), 400);
}

TEST(DeviceOps, UpdateAllowsOnlyMutableFields) {
  json dtm = normalized_demo();
  update_device(dtm, "pdu_1", {{"display_name", "PDU A"}, {"connection", nullptr}});
  EXPECT_EQ(dtm["devices"]["pdu_1"]["display_name"], "PDU A");
  EXPECT_TRUE(dtm["devices"]["pdu_1"]["connection"].is_null());
  try {
    update_device(dtm, "pdu_1", {{"template", "cdu"}});
    FAIL() << "template change accepted";
  } catch (const contract::ContractError& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].path, "/template");
  }
  EXPECT_EQ(status_of([&] { update_device(dtm, "ghost", {{"display_name", "x"}}); }), 404);
}

TEST(DeviceOps, ReparentingIntoOwnSubtreeIsACycle) {
  json dtm = normalized_demo();
  update_device(dtm, "compute_module_1", {{"parent", "gpu_node_1"}});
  try {
    contract::parse_dtm(dtm, &catalog());
    FAIL() << "cycle accepted";
  } catch (const contract::ContractError& e) {
    bool found = false;
    for (const auto& i : e.issues())
      found |= i.path.rfind("/devices/", 0) == 0 && i.path.find("/parent") != std::string::npos;
    EXPECT_TRUE(found) << e.what();
  }
}

TEST(DeviceOps, RemoveRefusedWhileOnABusAndNamesTheMember) {
  json dtm = normalized_demo();
  try {
    remove_device(dtm, "bess_module_1");  // its racks are bus members
    FAIL() << "removal accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 409);
    ASSERT_FALSE(e.issues().empty());
    EXPECT_EQ(e.issues()[0].path.rfind("/buses/", 0), 0u) << e.issues()[0].path;
  }
  EXPECT_EQ(status_of([&] { remove_device(dtm, "ghost"); }), 404);
}

TEST(DeviceOps, RemoveTakesTheSubtreeAndPrunesTemplates) {
  json dtm = normalized_demo();
  // Take compute_module_1's subtree off every bus first, as an operator would.
  std::set<std::string> subtree;
  contract::Dtm parsed = contract::parse_dtm(dtm, &catalog());
  std::vector<std::string> todo{"compute_module_1"};
  while (!todo.empty()) {
    std::string id = todo.back();
    todo.pop_back();
    subtree.insert(id);
    for (const auto* child : parsed.children_of(id)) todo.push_back(child->device_id);
  }
  for (auto& bus : dtm["buses"]) {
    auto& members = bus["members"];
    for (auto it = members.begin(); it != members.end();)
      it = subtree.count((*it)["device_id"].get<std::string>()) ? members.erase(it) : it + 1;
  }
  json buses = json::array();
  for (auto& bus : dtm["buses"])
    if (!bus["members"].empty()) buses.push_back(bus);
  dtm["buses"] = buses;
  remove_device(dtm, "compute_module_1");
  for (const auto& id : subtree) EXPECT_FALSE(dtm["devices"].contains(id)) << id;
  EXPECT_FALSE(dtm["templates_used"].contains("gpu_node"));
  EXPECT_NO_THROW(contract::parse_dtm(dtm, &catalog()));
}

TEST(DeviceOps, BatchRejectsUnknownOpsAndKeys) {
  json dtm = normalized_demo();
  EXPECT_EQ(status_of([&] { apply_batch(dtm, {{"operations", json::array()}}, catalog()); }), 400);
  EXPECT_EQ(
      status_of([&] {
        apply_batch(dtm, {{"operations", {{{"op", "rename"}, {"device_id", "pdu_1"}}}}}, catalog());
      }),
      400);
  EXPECT_EQ(status_of([&] {
              apply_batch(dtm,
                          {{"operations", {{{"op", "remove"}, {"device_id", "pdu_1"}, {"x", 1}}}}},
                          catalog());
            }),
            400);
  EXPECT_EQ(status_of([&] { apply_batch(dtm, {{"ops", json::array()}}, catalog()); }), 400);
}

}  // namespace
}  // namespace ems::device_api
