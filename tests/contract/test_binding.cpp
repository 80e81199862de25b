// Typed bindings (binding.hpp): one decoding of every protocol's fields, defaults explicit,
// and the one enum codec.
#include <gtest/gtest.h>

#include "ems/contract/binding.hpp"
#include "ems/contract/issue.hpp"

namespace ems::contract {
namespace {

TEST(Binding, ProtocolNamesRoundTrip) {
  for (std::string_view name : kProtocolNames) {
    const auto p = parse_protocol(name);
    ASSERT_TRUE(p.has_value()) << name;
    EXPECT_EQ(to_string(*p), name);
  }
  EXPECT_FALSE(parse_protocol("modbus").has_value());
  EXPECT_TRUE(is_device_protocol(Protocol::can));
  EXPECT_FALSE(is_device_protocol(Protocol::synthetic));
  EXPECT_FALSE(is_device_protocol(Protocol::bacnet_ip));
  EXPECT_TRUE(is_computed(Protocol::power_cap));
}

TEST(Binding, ModbusDefaultsAreTheContracts) {
  const Binding b =
      parse_binding(Json{{"protocol", "modbus_tcp"}, {"function_code", 4}, {"address", 7}});
  ASSERT_EQ(b.protocol, Protocol::modbus_tcp);
  const auto* m = b.as<ModbusBinding>();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->function_code, 4);
  EXPECT_EQ(m->address, 7);
  EXPECT_EQ(m->data_type, ModbusDataType::int32);  // absent -> int32
  EXPECT_EQ(m->word_order, WordOrder::high_low);
  EXPECT_EQ(m->scale, 1.0);
  EXPECT_EQ(m->offset, 0.0);
  EXPECT_FALSE(m->scale_factor_address.has_value());
  EXPECT_EQ(m->register_count(), 2);
  EXPECT_FALSE(m->is_bit());
  EXPECT_EQ(b.as<SnmpBinding>(), nullptr);
  // What the document carries: every default explicit.
  EXPECT_EQ(explicit_fields(b), (Json{{"protocol", "modbus_tcp"},
                                      {"function_code", 4},
                                      {"address", 7},
                                      {"data_type", "int32"},
                                      {"word_order", "high_low"},
                                      {"scale", 1.0},
                                      {"offset", 0.0}}));
  // ...and parses back to the same binding.
  EXPECT_EQ(parse_binding(explicit_fields(b)).typed, b.typed);
}

TEST(Binding, EveryDeviceProtocolIsTyped) {
  const auto coil =
      parse_binding(Json{{"protocol", "modbus_tcp"}, {"function_code", 1}, {"address", 3}});
  EXPECT_TRUE(coil.as<ModbusBinding>()->is_bit());
  EXPECT_EQ(coil.as<ModbusBinding>()->register_count(), 1);

  const auto dnp3 = parse_binding(
      Json{{"protocol", "dnp3_tcp"}, {"point_index", 5}, {"point_type", "binary_input"}});
  EXPECT_EQ(dnp3.as<Dnp3Binding>()->point_type, Dnp3PointType::binary_input);
  EXPECT_EQ(dnp3.as<Dnp3Binding>()->variation, 0);

  const auto snmp =
      parse_binding(Json{{"protocol", "snmp"}, {"oid", "1.3.6.1.2.1.1.3.0"}, {"scale", 0.1}});
  EXPECT_EQ(snmp.as<SnmpBinding>()->oid, "1.3.6.1.2.1.1.3.0");
  EXPECT_EQ(snmp.as<SnmpBinding>()->scale, 0.1);

  const auto redfish = parse_binding(Json{{"protocol", "redfish"},
                                          {"uri", "/Chassis/1/Power"},
                                          {"json_pointer", "/PowerControl/0/PowerConsumedWatts"}});
  EXPECT_EQ(redfish.as<RedfishBinding>()->resource_path(), "/redfish/v1/Chassis/1/Power");
  EXPECT_EQ(explicit_fields(redfish)["uri"], "/redfish/v1/Chassis/1/Power");
  const auto rooted =
      parse_binding(Json{{"protocol", "redfish"}, {"uri", "/redfish/v1/Systems/1"}});
  EXPECT_EQ(rooted.as<RedfishBinding>()->resource_path(), "/redfish/v1/Systems/1");

  const auto can = parse_binding(Json{{"protocol", "can"},
                                      {"can_id", 0x18FF50E5},
                                      {"extended", true},
                                      {"start_bit", 8},
                                      {"length", 16},
                                      {"signed", true},
                                      {"scale", 0.1}});
  const auto* c = can.as<CanBinding>();
  EXPECT_EQ(c->can_id, 0x18FF50E5u);
  EXPECT_TRUE(c->extended);
  EXPECT_TRUE(c->is_signed);
  EXPECT_EQ(c->byte_order, ByteOrder::little_endian);
  EXPECT_EQ(parse_binding(explicit_fields(can)).typed, can.typed);

  const auto syn = parse_binding(Json{{"protocol", "synthetic"},
                                      {"operation", "weighted_mean"},
                                      {"source_measurement", "state_of_charge"}});
  EXPECT_EQ(syn.as<SyntheticBinding>()->operation, SyntheticOperation::weighted_mean);
  EXPECT_EQ(syn.as<SyntheticBinding>()->source_measurement, "state_of_charge");
}

TEST(Binding, ErrorsNameTheField) {
  try {
    parse_binding(Json{{"protocol", "modbus_tcp"}, {"function_code", 9}, {"address", 1}}, "/b");
    FAIL() << "no error";
  } catch (const ContractError& e) {
    EXPECT_NE(std::string(e.what()).find("/b/function_code"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_binding(Json{{"protocol", "snmp"}, {"oid", "1.3.x"}}), ContractError);
  EXPECT_THROW(parse_binding(Json{{"protocol", "nope"}}), ContractError);
  EXPECT_THROW(parse_binding(Json{{"protocol", "snmp"}, {"oid", "1.3"}, {"extra", 1}}),
               ContractError);
  // Extra keys an entry carries beside the binding are allowed only when named.
  EXPECT_NO_THROW(
      parse_binding(Json{{"protocol", "snmp"}, {"oid", "1.3"}, {"unit", "watts"}}, "", {"unit"}));
}

TEST(Binding, ValueMapIsTypedInCodeOrder) {
  const auto b = parse_binding(Json{{"protocol", "modbus_tcp"},
                                    {"function_code", 3},
                                    {"address", 1},
                                    {"value_map", {{"10", "FAULT"}, {"2", "RUN"}, {"0", "OFF"}}}});
  ASSERT_EQ(b.value_map.size(), 3u);
  EXPECT_EQ(b.value_map[0].code, "0");
  EXPECT_EQ(b.value_map[1].code, "2");
  EXPECT_EQ(b.value_map[2].code, "10");
}

TEST(EnumCodec, CodesAndLabelsBothWays) {
  const EnumCodec codec({{"0", "OFF"}, {"1", "ON"}, {"10", "FAULT"}, {"X", "OTHER"}});
  EXPECT_EQ(codec.label(1.0), "ON");
  EXPECT_EQ(codec.label(10.0), "FAULT");
  EXPECT_EQ(codec.label("X"), "OTHER");
  EXPECT_FALSE(codec.label(2.0).has_value());
  EXPECT_FALSE(codec.label(1.5).has_value());
  EXPECT_EQ(codec.code("FAULT"), "10");
  EXPECT_EQ(codec.numeric_code("FAULT"), 10.0);
  EXPECT_FALSE(codec.numeric_code("OTHER").has_value());
  EXPECT_FALSE(codec.code("MISSING").has_value());
  EXPECT_EQ(EnumCodec::format_code(3.0), "3");
  EXPECT_EQ(EnumCodec::format_code(-2.0), "-2");
  EXPECT_EQ(EnumCodec::format_code(2.5), "2.5");
}

TEST(EnumCodec, BindingMapWinsOverMeasurementValues) {
  const auto b = parse_binding(
      Json{{"protocol", "snmp"}, {"oid", "1.3.6"}, {"value_map", {{"1", "RUNNING"}}}});
  const std::vector<EnumValue> values{{"0", "STOPPED"}, {"1", "STARTED"}};
  EXPECT_EQ(EnumCodec::of(&b, values).label(1.0), "RUNNING");
  EXPECT_EQ(EnumCodec::of(nullptr, values).label(1.0), "STARTED");
  const auto plain = parse_binding(Json{{"protocol", "snmp"}, {"oid", "1.3.6"}});
  EXPECT_EQ(EnumCodec::of(&plain, values).label(0.0), "STOPPED");
}

}  // namespace
}  // namespace ems::contract

namespace ems::contract {
namespace {

TEST(Binding, ZeroScaleIsRefused) {
  // scale multiplies every raw value: 0 would publish 0 whatever the device says.
  for (const char* protocol : {"modbus_tcp", "dnp3_tcp", "snmp", "redfish", "can"}) {
    Json b{{"protocol", protocol}, {"scale", 0}};
    if (std::string(protocol) == "modbus_tcp") b.update({{"function_code", 3}, {"address", 1}});
    if (std::string(protocol) == "dnp3_tcp")
      b.update({{"point_index", 1}, {"point_type", "counter"}});
    if (std::string(protocol) == "snmp") b["oid"] = "1.3.6";
    if (std::string(protocol) == "redfish") b["uri"] = "/Systems/1";
    if (std::string(protocol) == "can") b.update({{"can_id", 1}, {"start_bit", 0}, {"length", 8}});
    try {
      parse_binding(b, "/b");
      ADD_FAILURE() << protocol << ": no error";
    } catch (const ContractError& e) {
      EXPECT_NE(std::string(e.what()).find("/b/scale: scale must not be 0"), std::string::npos)
          << e.what();
    }
    b["scale"] = -0.5;  // a negative scale is a real (inverted) device convention
    EXPECT_NO_THROW(parse_binding(b)) << protocol;
  }
}

}  // namespace
}  // namespace ems::contract
