#pragma once
// RFC 6901 JSON Pointers over Redfish resources, as pure functions shared by client and service:
// reading a scalar a binding names, writing a value with auto-created parents, and turning one
// pointer into a PATCH body (and a PATCH body back into pointers).
//
// Array convention (DSP0266 "Modification requests", array properties): a PATCH may carry an
// array in which `{}` means "leave this element unchanged". So /PowerControl/0/PowerLimit/
// LimitInWatts = 500 becomes {"PowerControl":[{"PowerLimit":{"LimitInWatts":500}}]} and index 2
// becomes {"PowerControl":[{},{},{"PowerLimit":{...}}]}: only the named property of the element
// is sent, never a stale copy of its siblings. A reference token made of digits addresses an
// array element; Redfish bodies do not use numeric object keys.

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace ems::protocols::redfish {

using Json = nlohmann::json;

// What a binding reads: JSON numbers (integers included) become double.
using ScalarValue = std::variant<bool, double, std::string>;

// Splits "/a/b~1c/0" into {"a", "b/c", "0"}; "" is the whole document. Throws
// RedfishError(invalid_argument) for a pointer that does not start with '/' or has a bad escape.
std::vector<std::string> split_pointer(std::string_view pointer);
std::string join_pointer(const std::vector<std::string>& tokens);
bool is_array_index(std::string_view token) noexcept;

// The node `pointer` names in `body`, or nullptr.
const Json* find_at(const Json& body, std::string_view pointer);

// The scalar `pointer` names. Throws RedfishError missing_pointer / not_scalar whose message
// names `uri` and `pointer`, e.g. "redfish /redfish/v1/Chassis/1/Power: no value at
// /PowerControl/0/PowerLimit/LimitInWatts".
ScalarValue extract_scalar(const Json& body, std::string_view uri, std::string_view pointer);

// Writes `value` at `pointer`, creating missing parents (digits -> array, padded with {}, else
// object). Throws RedfishError(invalid_argument) when an existing scalar is in the way.
void assign_at(Json& doc, std::string_view pointer, const Json& value);

// The PATCH body that sets `pointer` to `value` (see the array convention above).
Json patch_body_for(std::string_view pointer, const Json& value);

// The (pointer, value) leaves a PATCH body asks to change; `{}` array elements are skipped.
std::vector<std::pair<std::string, Json>> patch_leaves(const Json& body);

// Human form of a scalar for messages and logs.
std::string to_string(const ScalarValue& value);

}  // namespace ems::protocols::redfish
