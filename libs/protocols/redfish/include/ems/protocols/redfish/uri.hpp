#pragma once
// Redfish URIs. Templates bind URIs relative to the service root ("/Chassis/1/Power"); the wire
// and the resource tree use absolute ones ("/redfish/v1/Chassis/1/Power"). Both are accepted
// everywhere and normalized here, once.

#include <string>
#include <string_view>

namespace ems::protocols::redfish {

inline constexpr std::string_view kServiceRoot = "/redfish/v1";

// "/Chassis/1/Power", "Chassis/1/Power/", "/redfish/v1/Chassis/1/Power" ->
// "/redfish/v1/Chassis/1/Power"; "" and "/" -> "/redfish/v1". Query strings are not allowed.
// Throws RedfishError(invalid_argument) for "?", "#", "//" or "." / ".." segments.
std::string normalize_uri(std::string_view uri);

// "/redfish/v1/Chassis/1" -> "/redfish/v1/Chassis"; the service root has no parent ("").
std::string parent_uri(std::string_view absolute_uri);
// Last segment: "/redfish/v1/Chassis/1" -> "1".
std::string last_segment(std::string_view absolute_uri);

}  // namespace ems::protocols::redfish
