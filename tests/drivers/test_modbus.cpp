// The modbus_tcp driver against libs/protocols' ModbusServer.
#include <gtest/gtest.h>

#include "ems/protocols/modbus/server.hpp"
#include "points.hpp"

namespace ems::drivers::test {
namespace {

namespace mb = protocols::modbus;
using contract::PayloadType;
using contract::Protocol;
using contract::ValueType;

constexpr std::uint8_t kUnit = 3;

class ModbusDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    auto hr = mb::Table::kHoldingRegisters;
    server_.set_value(kUnit, hr, 100, 230.5, {mb::DataType::kFloat32});
    server_.set_value(kUnit, hr, 110, 123.4, {mb::DataType::kInt16, mb::WordOrder::kHighLow, 0.1});
    server_.set_value(kUnit, hr, 120, 70000, {mb::DataType::kUint32, mb::WordOrder::kLowHigh});
    const std::uint16_t sf[] = {0xFFFE};  // SunSpec 10^-2
    server_.set_holding(kUnit, 131, sf);
    server_.set_value(kUnit, hr, 130, 123.45, {mb::DataType::kInt16}, 0xFFFE);
    const std::uint16_t regs[] = {3, 1};  // 140: enum code 3, 141: bool as a register
    server_.set_holding(kUnit, 140, regs);
    server_.set_value(kUnit, mb::Table::kInputRegisters, 10, -42,
                      {mb::DataType::kInt32, mb::WordOrder::kHighLow});
    const bool coils[] = {true, false};
    server_.set_coils(kUnit, 0, coils);
    const bool di[] = {true};
    server_.set_discrete(kUnit, 5, di);
    // Writable targets.
    const std::uint16_t zeros[] = {0, 0, 0, 0};
    server_.set_holding(kUnit, 200, zeros);
    server_.set_holding(kUnit, 210, zeros);
    server_.set_holding(kUnit, 220, zeros);
    const bool off[] = {false, false};
    server_.set_coils(kUnit, 20, off);
  }

  contract::DeviceConnection conn() const {
    auto c = connection(Protocol::modbus_tcp, server_.port());
    c.unit_id = kUnit;
    return c;
  }
  std::unique_ptr<DeviceDriver> driver(DriverOptions o = {}) {
    return make_driver(conn(), runtime::Secrets{}, o);
  }

  mb::ModbusServer server_{mb::ModbusServerConfig{"127.0.0.1", 0, 8}};
};

Json reg(int address, const char* type, Json extra = Json::object()) {
  Json j = {
      {"protocol", "modbus_tcp"}, {"function_code", 3}, {"address", address}, {"data_type", type}};
  j.update(extra);
  return j;
}

TEST_F(ModbusDriverTest, ReadsEngineeringValuesTyped) {
  auto d = driver();
  d->open();
  const std::vector<contract::SourcePoint> points = {
      point("f32", reg(100, "float32")),
      point("scaled", reg(110, "int16", {{"scale", 0.1}})),
      point("swapped", reg(120, "uint32", {{"word_order", "low_high"}})),
      point("sunspec", reg(130, "int16", {{"scale_factor_address", 131}})),
      point("state", reg(140, "uint16", {{"value_map", {{"1", "IDLE"}, {"3", "RUNNING"}}}}),
            ValueType::Enum),
      point("alarm", reg(141, "uint16"), ValueType::Bool),
      point("input", reg(10, "int32", {{"function_code", 4}})),
      point("coil_on", {{"protocol", "modbus_tcp"}, {"function_code", 1}, {"address", 0}},
            ValueType::Bool),
      point("coil_off", {{"protocol", "modbus_tcp"}, {"function_code", 1}, {"address", 1}},
            ValueType::Bool),
      point("di", {{"protocol", "modbus_tcp"}, {"function_code", 2}, {"address", 5}},
            ValueType::Bool),
  };
  const auto r = d->read(points);
  ASSERT_EQ(r.size(), points.size());
  EXPECT_FLOAT_EQ(number(r[0]), 230.5);
  EXPECT_NEAR(number(r[1]), 123.4, 1e-9);
  EXPECT_EQ(number(r[2]), 70000);
  EXPECT_NEAR(number(r[3]), 123.45, 1e-9);
  EXPECT_EQ(label(r[4]), "RUNNING");
  EXPECT_EQ(flag(r[5]), true);
  EXPECT_EQ(number(r[6]), -42);
  EXPECT_EQ(flag(r[7]), true);
  EXPECT_EQ(flag(r[8]), false);
  EXPECT_EQ(flag(r[9]), true);
}

TEST_F(ModbusDriverTest, AdjacentRegistersShareOneRequest) {
  auto d = driver();
  d->open();
  const std::vector<contract::SourcePoint> points = {
      point("sunspec", reg(130, "int16", {{"scale_factor_address", 131}})),
      point("state", reg(140, "uint16", {{"value_map", {{"3", "RUNNING"}}}}), ValueType::Enum),
      point("alarm", reg(141, "uint16"), ValueType::Bool),
  };
  const auto before = server_.stats().requests;
  const auto r = d->read(points);
  for (const auto& x : r) EXPECT_TRUE(x.ok()) << describe(x);
  // 130..131 (value + scale factor) and 140..141: two requests for three points.
  EXPECT_EQ(server_.stats().requests - before, 2u);
}

TEST_F(ModbusDriverTest, OneBadAddressDoesNotHideItsNeighbours) {
  auto d = driver();
  const std::vector<contract::SourcePoint> points = {
      point("state", reg(140, "uint16", {{"value_map", {{"3", "RUNNING"}}}}), ValueType::Enum),
      point("alarm", reg(141, "uint16"), ValueType::Bool),
      point("missing", reg(142, "uint16")),  // the device has no register 142
      point("unlabelled", reg(141, "uint16", {{"value_map", {{"7", "X"}}}}), ValueType::Enum),
  };
  const auto r = d->read(points);
  EXPECT_EQ(label(r[0]), "RUNNING");
  EXPECT_EQ(flag(r[1]), true);
  EXPECT_EQ(r[2].status, ReadStatus::error);
  EXPECT_EQ(r[2].kind, ErrorKind::refused) << describe(r[2]);
  EXPECT_NE(r[2].error.find("illegal_data_address"), std::string::npos) << r[2].error;
  EXPECT_EQ(r[3].kind, ErrorKind::bad_value) << describe(r[3]);
}

TEST_F(ModbusDriverTest, WritesRoundTripByFunctionCode) {
  auto d = driver();
  auto fc6 = command("fc6", reg(200, "uint16", {{"function_code", 6}, {"scale", 0.5}}),
                     PayloadType::Float, 0, 1000);
  auto fc16 = command("fc16", reg(210, "float32", {{"function_code", 16}}));
  auto fc16_i32 = command("fc16_i32", reg(220, "int32", {{"function_code", 16}}));
  auto fc5 = command("fc5", {{"protocol", "modbus_tcp"}, {"function_code", 5}, {"address", 20}},
                     PayloadType::Bool);
  auto fc15 = command("fc15", {{"protocol", "modbus_tcp"}, {"function_code", 15}, {"address", 21}},
                      PayloadType::Bool);
  auto mode = command(
      "mode",
      reg(200, "uint16", {{"function_code", 6}, {"value_map", {{"0", "AUTO"}, {"2", "MANUAL"}}}}),
      PayloadType::Enum);
  d->write(fc6, 21.0);
  EXPECT_EQ(server_.bank().registers(kUnit, mb::Table::kHoldingRegisters, 200, 1)->at(0), 42);
  d->write(fc16, 12.25);
  d->write(fc16_i32, -70000.0);
  d->write(fc5, true);
  d->write(fc15, true);

  const auto r = d->read(
      std::vector{point("fc6", reg(200, "uint16", {{"scale", 0.5}})),
                  point("fc16", reg(210, "float32")), point("fc16_i32", reg(220, "int32")),
                  point("c20", {{"protocol", "modbus_tcp"}, {"function_code", 1}, {"address", 20}},
                        ValueType::Bool),
                  point("c21", {{"protocol", "modbus_tcp"}, {"function_code", 1}, {"address", 21}},
                        ValueType::Bool)});
  EXPECT_EQ(number(r[0]), 21.0);
  EXPECT_EQ(number(r[1]), 12.25);
  EXPECT_EQ(number(r[2]), -70000.0);
  EXPECT_EQ(flag(r[3]), true);
  EXPECT_EQ(flag(r[4]), true);

  d->write(mode, std::string("MANUAL"));
  EXPECT_EQ(server_.bank().registers(kUnit, mb::Table::kHoldingRegisters, 200, 1)->at(0), 2);
}

TEST_F(ModbusDriverTest, BadValuesAreRefusedBeforeTheWire) {
  auto d = driver();
  auto fc6 = command("fc6", reg(200, "uint16", {{"function_code", 6}}), PayloadType::Float, 0, 100);
  const auto before = server_.stats().requests;
  EXPECT_EQ(kind_of([&] { d->write(fc6, 101.0); }), ErrorKind::bad_value);
  EXPECT_EQ(kind_of([&] { d->write(fc6, true); }), ErrorKind::bad_value);
  auto mode =
      command("mode", reg(200, "uint16", {{"function_code", 6}, {"value_map", {{"0", "AUTO"}}}}),
              PayloadType::Enum);
  EXPECT_EQ(kind_of([&] { d->write(mode, std::string("TURBO")); }), ErrorKind::bad_value);
  EXPECT_EQ(server_.stats().requests, before);
  auto wide = command("wide", reg(200, "uint16", {{"function_code", 6}}));
  EXPECT_EQ(kind_of([&] { d->write(wide, 70000.0); }), ErrorKind::bad_value);  // > uint16
  auto fc6_i32 = command("fc6_i32", reg(200, "int32", {{"function_code", 6}}));
  EXPECT_EQ(kind_of([&] { d->write(fc6_i32, 1.0); }), ErrorKind::config);
  auto undefined = command("undefined", reg(300, "uint16", {{"function_code", 6}}));
  EXPECT_EQ(kind_of([&] { d->write(undefined, 1.0); }), ErrorKind::refused);
}

TEST_F(ModbusDriverTest, SilentDeviceTimesOut) {
  DriverOptions o;
  o.timeout = std::chrono::milliseconds(200);
  auto d = driver(o);
  d->open();
  server_.set_fault({protocols::FaultPlan::Kind::silent});
  const auto r =
      d->read(std::vector{point("a", reg(100, "float32")), point("b", reg(140, "uint16"))});
  for (const auto& x : r) {
    EXPECT_EQ(x.status, ReadStatus::timeout) << describe(x);
    EXPECT_EQ(x.kind, ErrorKind::timeout);
    EXPECT_FALSE(x.value);
  }
  EXPECT_EQ(kind_of([&] {
              d->write(command("w", reg(200, "uint16", {{"function_code", 6}})), 1.0);
            }),
            ErrorKind::timeout);
  server_.set_fault({});
  EXPECT_FLOAT_EQ(number(d->read(std::vector{point("a", reg(100, "float32"))})[0]), 230.5);
}

TEST_F(ModbusDriverTest, MalformedAnswerIsAProtocolError) {
  auto d = driver();
  server_.set_fault({protocols::FaultPlan::Kind::malformed});
  const auto r = d->read(std::vector{point("a", reg(100, "float32"))});
  EXPECT_EQ(r[0].kind, ErrorKind::protocol) << describe(r[0]);
}

TEST(ModbusDriver, NoListenerIsAConnectionError) {
  auto d = make_driver(connection(Protocol::modbus_tcp, closed_port()), runtime::Secrets{});
  EXPECT_EQ(kind_of([&] { d->open(); }), ErrorKind::connection);
  const auto r = d->read(std::vector{point("a", reg(100, "float32"))});
  EXPECT_EQ(r[0].status, ReadStatus::error);
  EXPECT_EQ(r[0].kind, ErrorKind::connection) << describe(r[0]);
}

TEST(ModbusDriver, APointOfAnotherProtocolIsAConfigError) {
  auto d = make_driver(connection(Protocol::modbus_tcp, closed_port()), runtime::Secrets{});
  const auto r =
      d->read(std::vector{point("snmp", {{"protocol", "snmp"}, {"oid", "1.3.6.1.2.1.1.3.0"}})});
  EXPECT_EQ(r[0].kind, ErrorKind::config) << describe(r[0]);
}

}  // namespace
}  // namespace ems::drivers::test
