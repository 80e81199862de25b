#pragma once
// Test helpers: typed points built through the contract's own binding parser (the same one
// read_sources() uses), connections to loopback servers, and a port nobody listens on.

#include <gtest/gtest.h>

#include "ems/contract/binding.hpp"
#include "ems/contract/sources.hpp"
#include "ems/drivers/driver.hpp"
#include "ems/testing/process.hpp"

namespace ems::drivers::test {

using contract::Json;

inline contract::SourcePoint point(std::string name, const Json& binding,
                                   contract::ValueType type = contract::ValueType::Float) {
  contract::SourcePoint p;
  p.name = std::move(name);
  p.binding = contract::parse_binding(binding, "/" + p.name);
  p.value_type = type;
  p.codec = contract::EnumCodec::of(&p.binding, {});
  return p;
}

inline contract::CommandPoint command(std::string name, const Json& binding,
                                      contract::PayloadType payload = contract::PayloadType::Float,
                                      std::optional<double> min = std::nullopt,
                                      std::optional<double> max = std::nullopt) {
  contract::CommandPoint c;
  c.name = std::move(name);
  c.binding = contract::parse_binding(binding, "/" + c.name);
  c.payload = payload;
  c.min = min;
  c.max = max;
  c.codec = contract::EnumCodec::of(&c.binding, {});
  return c;
}

inline contract::DeviceConnection connection(contract::Protocol protocol, std::uint16_t port) {
  contract::DeviceConnection c;
  c.protocol = protocol;
  c.host = "127.0.0.1";
  c.port = port;
  return c;
}

// A loopback TCP port that was free a moment ago and has no listener.
inline std::uint16_t closed_port() {
  return static_cast<std::uint16_t>(ems::testing::free_loopback_port());
}

// The kind of the DriverError `f` throws (or nullopt when it throws none).
template <class F>
std::optional<ErrorKind> kind_of(F&& f) {
  try {
    f();
  } catch (const DriverError& e) {
    return e.kind();
  }
  return std::nullopt;
}

inline std::string describe(const PointReading& r) {
  return r.name + " " + std::string(to_string(r.status)) +
         (r.value ? " " + to_string(*r.value) : "") + (r.error.empty() ? "" : " (" + r.error + ")");
}

inline const PointReading& by_name(const std::vector<PointReading>& rs, const std::string& n) {
  for (const auto& r : rs)
    if (r.name == n) return r;
  throw std::runtime_error("no reading " + n);
}

inline double number(const PointReading& r) {
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_TRUE(r.value && std::holds_alternative<double>(*r.value)) << describe(r);
  return r.value && std::holds_alternative<double>(*r.value) ? std::get<double>(*r.value) : -1e300;
}

inline std::optional<bool> flag(const PointReading& r) {
  EXPECT_TRUE(r.ok()) << describe(r);
  if (r.value && std::holds_alternative<bool>(*r.value)) return std::get<bool>(*r.value);
  ADD_FAILURE() << "not a bool: " << describe(r);
  return std::nullopt;
}

inline std::string label(const PointReading& r) {
  EXPECT_TRUE(r.ok()) << describe(r);
  if (r.value && std::holds_alternative<std::string>(*r.value))
    return std::get<std::string>(*r.value);
  ADD_FAILURE() << "not an enum label: " << describe(r);
  return "";
}

}  // namespace ems::drivers::test
