#pragma once
// The service id of CONTRACT.md section 2: the segment of `services/{service_id}/status`.
//
// A service id is the service's name, `^[a-z][a-z0-9-]*$` ("device-api", "gateway",
// "line-controller"); a sharded service appends its shard ("gateway-1-of-2"). It is not a slug:
// hyphens, not underscores, and no length bound beyond the non-empty first letter.
//
// Header-only and dependency-free on purpose: libs/runtime's MQTT client checks the id it is
// given with this same function without linking the contract library (the runtime stays free of
// the contract's dependencies), and the topic parser and formatter (topic.hpp) use it too, so
// the two can never disagree.

#include <string_view>

namespace ems::contract {

inline constexpr std::string_view kServiceIdRule = "^[a-z][a-z0-9-]*$";

constexpr bool is_service_id(std::string_view s) noexcept {
  if (s.empty() || s.front() < 'a' || s.front() > 'z') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace ems::contract
