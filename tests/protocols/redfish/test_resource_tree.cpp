// The data-driven tree: DMTF shapes (service root, collections, links, @odata.type) from bindings.
#include <gtest/gtest.h>

#include "ems/protocols/redfish/error.hpp"
#include "ems/protocols/redfish/resource_tree.hpp"

namespace rf = ems::protocols::redfish;
using rf::Json;

TEST(ResourceTree, ServiceRootLinksTheStandardServices) {
  rf::ResourceTree tree;
  const Json* root = tree.find("/redfish/v1");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ((*root)["@odata.id"], "/redfish/v1");
  EXPECT_EQ((*root)["@odata.type"], "#ServiceRoot.v1_16_0.ServiceRoot");
  for (const char* link : {"Chassis", "Systems", "ThermalEquipment", "SessionService"}) {
    ASSERT_TRUE(root->contains(link)) << link;
    const std::string target = (*root)[link]["@odata.id"];
    EXPECT_EQ(target, std::string("/redfish/v1/") + link);
    EXPECT_NE(tree.find(target), nullptr) << target;
  }
  EXPECT_EQ((*tree.find("/redfish/v1/Chassis"))["@odata.type"],
            "#ChassisCollection.ChassisCollection");
  EXPECT_EQ((*tree.find("/redfish/v1/SessionService"))["Sessions"]["@odata.id"],
            "/redfish/v1/SessionService/Sessions");
}

TEST(ResourceTree, BindingCreatesResourceCollectionsAndLinks) {
  rf::ResourceTree tree;
  const std::string uri = tree.add_binding(
      "/Systems/HGX_Baseboard_0/Processors/GPU_SXM_1/"
      "EnvironmentMetrics",
      "/PowerLimitWatts/SetPoint", 1000.0);
  EXPECT_EQ(uri, "/redfish/v1/Systems/HGX_Baseboard_0/Processors/GPU_SXM_1/EnvironmentMetrics");
  tree.add_binding("/Systems/HGX_Baseboard_0/Processors/GPU_SXM_2/EnvironmentMetrics",
                   "/PowerWatts/Reading", 0.0);

  const Json& systems = *tree.find("/redfish/v1/Systems");
  EXPECT_EQ(systems["Members"],
            Json::parse(R"([{"@odata.id":"/redfish/v1/Systems/HGX_Baseboard_0"}])"));
  EXPECT_EQ(systems["Members@odata.count"], 1);

  const Json& system = *tree.find("/redfish/v1/Systems/HGX_Baseboard_0");
  EXPECT_EQ(system["@odata.type"], "#ComputerSystem.v1_22_0.ComputerSystem");
  EXPECT_EQ(system["Id"], "HGX_Baseboard_0");
  EXPECT_EQ(system["Processors"]["@odata.id"], "/redfish/v1/Systems/HGX_Baseboard_0/Processors");

  const Json& processors = *tree.find("/redfish/v1/Systems/HGX_Baseboard_0/Processors");
  EXPECT_EQ(processors["@odata.type"], "#ProcessorCollection.ProcessorCollection");
  EXPECT_EQ(processors["Members@odata.count"], 2);

  const Json& gpu = *tree.find("/redfish/v1/Systems/HGX_Baseboard_0/Processors/GPU_SXM_1");
  EXPECT_EQ(gpu["@odata.type"], "#Processor.v1_20_0.Processor");
  EXPECT_EQ(gpu["EnvironmentMetrics"]["@odata.id"], uri);

  const Json& metrics = *tree.find(uri);
  EXPECT_EQ(metrics["@odata.type"], "#EnvironmentMetrics.v1_3_2.EnvironmentMetrics");
  EXPECT_EQ(metrics["PowerLimitWatts"]["SetPoint"], 1000.0);
}

TEST(ResourceTree, CduShapesAndArrays) {
  rf::ResourceTree tree;
  tree.add_binding("/ThermalEquipment/CDUs/1/Pumps/1", "/Status/State", "Enabled");
  tree.add_binding("/Chassis/1/Thermal", "/Fans/0/Reading", 35);
  EXPECT_EQ((*tree.find("/redfish/v1/ThermalEquipment"))["CDUs"]["@odata.id"],
            "/redfish/v1/ThermalEquipment/CDUs");
  EXPECT_EQ((*tree.find("/redfish/v1/ThermalEquipment/CDUs/1"))["@odata.type"],
            "#CoolingUnit.v1_1_0.CoolingUnit");
  EXPECT_EQ((*tree.find("/redfish/v1/ThermalEquipment/CDUs/1/Pumps/1"))["@odata.type"],
            "#Pump.v1_0_1.Pump");
  EXPECT_EQ((*tree.find("/redfish/v1/Chassis/1/Thermal"))["Fans"][0]["Reading"], 35);
  EXPECT_EQ((*tree.find("/redfish/v1/Chassis/1"))["Thermal"]["@odata.id"],
            "/redfish/v1/Chassis/1/Thermal");
}

TEST(ResourceTree, BindingKeepsAnExistingValueAndSetBumpsTheVersion) {
  rf::ResourceTree tree;
  const std::string uri =
      tree.add_binding("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts", 1);
  tree.set(uri, "/PowerControl/0/PowerConsumedWatts", 2);
  const auto before = tree.version(uri);
  tree.add_binding("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts", 3);
  EXPECT_EQ((*tree.find(uri))["PowerControl"][0]["PowerConsumedWatts"], 2);
  EXPECT_EQ(tree.version(uri), before);
  tree.set("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts", 4);
  EXPECT_GT(tree.version(uri), before);
  EXPECT_THROW(tree.set("/Chassis/9/Power", "/X", 1), rf::RedfishError);
}

TEST(ResourceTree, PutAndErase) {
  rf::ResourceTree tree;
  tree.put("/Chassis/7", Json{{"Name", "Rack 7"}, {"@odata.id", "/wrong"}});
  const Json& chassis = *tree.find("/redfish/v1/Chassis/7");
  EXPECT_EQ(chassis["@odata.id"], "/redfish/v1/Chassis/7");
  EXPECT_EQ(chassis["Name"], "Rack 7");
  EXPECT_EQ(chassis["@odata.type"], "#Chassis.v1_25_0.Chassis");
  EXPECT_EQ((*tree.find("/redfish/v1/Chassis"))["Members@odata.count"], 1);
  tree.erase("/Chassis/7");
  EXPECT_EQ(tree.find("/redfish/v1/Chassis/7"), nullptr);
  EXPECT_EQ((*tree.find("/redfish/v1/Chassis"))["Members@odata.count"], 0);
  EXPECT_THROW(tree.put("/Chassis/8", Json::array()), rf::RedfishError);
}
