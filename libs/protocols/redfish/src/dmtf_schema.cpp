#include "ems/protocols/redfish/dmtf_schema.hpp"

#include <array>
#include <utility>

namespace ems::protocols::redfish {
namespace {

using Row = std::pair<std::string_view, std::string_view>;

// Collection segment -> member schema (DSP8010 schema names).
constexpr std::array kCollections{
    Row{"Chassis", "Chassis"},
    Row{"Systems", "ComputerSystem"},
    Row{"Managers", "Manager"},
    Row{"Processors", "Processor"},
    Row{"Memory", "Memory"},
    Row{"Sensors", "Sensor"},
    Row{"Controls", "Control"},
    Row{"Fans", "Fan"},
    Row{"PowerSupplies", "PowerSupply"},
    Row{"CDUs", "CoolingUnit"},
    Row{"ImmersionUnits", "CoolingUnit"},
    Row{"HeatExchangers", "CoolingUnit"},
    Row{"Pumps", "Pump"},
    Row{"Filters", "Filter"},
    Row{"Reservoirs", "Reservoir"},
    Row{"LeakDetectors", "LeakDetector"},
    Row{"PrimaryCoolantConnectors", "CoolantConnector"},
    Row{"SecondaryCoolantConnectors", "CoolantConnector"},
    Row{"Sessions", "Session"},
};

// Schema -> a current published version of it.
constexpr std::array kVersions{
    Row{"ServiceRoot", "v1_16_0"},
    Row{"Chassis", "v1_25_0"},
    Row{"ComputerSystem", "v1_22_0"},
    Row{"Manager", "v1_19_0"},
    Row{"Processor", "v1_20_0"},
    Row{"ProcessorMetrics", "v1_6_2"},
    Row{"EnvironmentMetrics", "v1_3_2"},
    Row{"Memory", "v1_19_0"},
    Row{"Sensor", "v1_9_0"},
    Row{"Control", "v1_5_0"},
    Row{"Power", "v1_7_1"},
    Row{"Thermal", "v1_7_1"},
    Row{"PowerSubsystem", "v1_1_1"},
    Row{"ThermalSubsystem", "v1_3_1"},
    Row{"Fan", "v1_5_1"},
    Row{"PowerSupply", "v1_5_2"},
    Row{"ThermalEquipment", "v1_1_1"},
    Row{"CoolingUnit", "v1_1_0"},
    Row{"Pump", "v1_0_1"},
    Row{"Filter", "v1_0_1"},
    Row{"Reservoir", "v1_0_1"},
    Row{"LeakDetector", "v1_2_0"},
    Row{"CoolantConnector", "v1_0_2"},
    Row{"SessionService", "v1_1_9"},
    Row{"Session", "v1_7_0"},
};

template <std::size_t N>
std::optional<std::string_view> lookup(const std::array<Row, N>& table, std::string_view key) {
  for (const auto& [k, v] : table)
    if (k == key) return v;
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> collection_member_schema(std::string_view segment) {
  return lookup(kCollections, segment);
}

std::string odata_type_of(std::string_view schema) {
  const std::string name(schema);
  if (auto version = lookup(kVersions, schema))
    return "#" + name + "." + std::string(*version) + "." + name;
  return "#" + name + "." + name;
}

std::string collection_odata_type(std::string_view member_schema) {
  const std::string name = std::string(member_schema) + "Collection";
  return "#" + name + "." + name;
}

}  // namespace ems::protocols::redfish
