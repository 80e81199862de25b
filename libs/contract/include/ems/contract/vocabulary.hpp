#pragma once
// The closed vocabularies of the contract (CONTRACT.md sections 1-3): slugs, units, verbs,
// command payload types, value types. Adding a unit or a verb is a contract change.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace ems::contract {

// ^[a-z][a-z0-9_]{0,62}[a-z0-9]$
bool is_slug(std::string_view s) noexcept;

enum class Unit {
  volts,
  amps,
  watts,
  vars,
  voltamperes,
  watt_hours,
  hertz,
  celsius,
  percent,
  watts_per_m2,
  meters_per_second,
  bar,
  liters_per_minute,
  degrees,
  meters,
  seconds,
  none
};
inline constexpr std::array<std::string_view, 17> kUnitNames = {"volts",
                                                                "amps",
                                                                "watts",
                                                                "vars",
                                                                "voltamperes",
                                                                "watt_hours",
                                                                "hertz",
                                                                "celsius",
                                                                "percent",
                                                                "watts_per_m2",
                                                                "meters_per_second",
                                                                "bar",
                                                                "liters_per_minute",
                                                                "degrees",
                                                                "meters",
                                                                "seconds",
                                                                "none"};
std::optional<Unit> parse_unit(std::string_view s) noexcept;
std::string_view to_string(Unit u) noexcept;

enum class Verb { set, reset, clear, start, stop, enable, disable };
inline constexpr std::array<std::string_view, 7> kVerbNames = {"set",  "reset",  "clear",  "start",
                                                               "stop", "enable", "disable"};
std::optional<Verb> parse_verb(std::string_view s) noexcept;
std::string_view to_string(Verb v) noexcept;

// Type of a measurement's value.
enum class ValueType { Float, Bool, Enum };
std::optional<ValueType> parse_value_type(std::string_view s) noexcept;  // "float"|"bool"|"enum"
std::string_view to_string(ValueType t) noexcept;

// Payload of a command.
enum class PayloadType { Float, Bool, Enum, Trigger };
std::optional<PayloadType> parse_payload_type(std::string_view s) noexcept;  // + "trigger"
std::string_view to_string(PayloadType t) noexcept;

// The sentinel a DTM uses for connection values assigned at commissioning.
inline constexpr std::string_view kProvisionedAtCommissioning = "PROVISIONED_AT_COMMISSIONING";

}  // namespace ems::contract
