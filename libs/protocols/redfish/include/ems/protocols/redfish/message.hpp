#pragma once
// Redfish error bodies (DSP0266 "Error responses", Base message registry): what the service
// sends and what the client quotes in its errors.

#include <string>
#include <string_view>
#include <vector>

#include "ems/protocols/redfish/json_pointer.hpp"

namespace ems::protocols::redfish {

inline constexpr std::string_view kBaseRegistry = "Base.1.15.0";

// One @Message.ExtendedInfo entry: MessageId "Base.1.15.0.<id>", Message, MessageArgs,
// Severity, Resolution and, if given, RelatedProperties ["#/<pointer>"].
Json base_message(std::string_view id, std::string message, std::vector<std::string> args = {},
                  std::string_view related_pointer = {});

// {"error":{"code":"Base.1.15.0.<first id>","message":<first message>,
//  "@Message.ExtendedInfo":[messages...]}}; `messages` must not be empty.
Json error_body(const std::vector<Json>& messages);

// "Base.1.15.0.PropertyNotWritable: The property ..." from an error body, or "" if the text is
// not a Redfish error body.
std::string error_summary(std::string_view body_text);

}  // namespace ems::protocols::redfish
