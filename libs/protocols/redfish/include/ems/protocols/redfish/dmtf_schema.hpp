#pragma once
// The slice of the DMTF Redfish schema the simulated site needs to shape its tree: which path
// segments name collections (and of what), and the @odata.type of well-known resources. Adding
// a device kind that uses another collection adds a row to the table in dmtf_schema.cpp.

#include <optional>
#include <string>
#include <string_view>

namespace ems::protocols::redfish {

// Member schema of the collection a segment names ("Chassis" -> "Chassis", "Systems" ->
// "ComputerSystem", "CDUs" -> "CoolingUnit", "Pumps" -> "Pump"), nullopt if not a collection.
std::optional<std::string_view> collection_member_schema(std::string_view segment);

// "#Chassis.v1_25_0.Chassis" for a schema the table knows, else "#<schema>.<schema>".
std::string odata_type_of(std::string_view schema);

// "#ChassisCollection.ChassisCollection".
std::string collection_odata_type(std::string_view member_schema);

}  // namespace ems::protocols::redfish
