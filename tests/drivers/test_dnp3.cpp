// The dnp3_tcp driver against libs/protocols' OutstationServer.
#include <gtest/gtest.h>

#include <mutex>

#include "ems/protocols/dnp3/outstation.hpp"
#include "ems/protocols/dnp3/outstation_server.hpp"
#include "points.hpp"

namespace ems::drivers::test {
namespace {

namespace d3 = protocols::dnp3;
using contract::PayloadType;
using contract::Protocol;
using contract::ValueType;

constexpr std::uint16_t kOutstation = 1030;
constexpr std::uint16_t kMaster = 7;

class Dnp3DriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    outstation_.with_database([](d3::PointDatabase& db) {
      db.add_analog_input(0, {}, d3::Analog{105.25});
      db.add_analog_input(1, d3::AnalogInputConfig{d3::EventClass::kClass2, 0, 1, 1},
                          d3::Analog{2305});  // int32 variation, tenths
      db.add_analog_input(2, {}, d3::Analog{2});
      db.add_analog_input(3, {}, d3::Analog{1, 0});  // not online
      db.add_binary_input(0, {}, d3::Binary{true});
      db.add_binary_input(1, {}, d3::Binary{false});
      db.add_counter(0, {}, d3::Counter{42});
      db.add_binary_output(0);
      db.add_analog_output(0, d3::AnalogOutputConfig{3}, d3::Analog{0});
      db.add_analog_output(5, d3::AnalogOutputConfig{3}, d3::Analog{0});
    });
    outstation_.set_control_callback([this](const d3::Control& c) {
      if (c.group == 41 && c.index == 5) return d3::CommandStatus::kNotAuthorized;
      std::lock_guard lock(mutex_);
      controls_.push_back(c);
      return d3::CommandStatus::kSuccess;
    });
    server_.start();
  }

  contract::DeviceConnection conn() const {
    auto c = connection(Protocol::dnp3_tcp, server_.port());
    c.outstation_address = kOutstation;
    c.master_address = kMaster;
    return c;
  }
  std::unique_ptr<DeviceDriver> driver(
      std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    DriverOptions o;
    o.timeout = timeout;
    return make_driver(conn(), runtime::Secrets{}, o);
  }
  std::vector<d3::Control> controls() {
    std::lock_guard lock(mutex_);
    return controls_;
  }

  d3::Outstation outstation_;
  d3::OutstationServer server_{outstation_,
                               d3::OutstationServerConfig{"127.0.0.1", 0, kOutstation, kMaster, 4}};
  std::mutex mutex_;
  std::vector<d3::Control> controls_;
};

Json dnp3(const char* type, int index, Json extra = Json::object()) {
  Json j = {{"protocol", "dnp3_tcp"}, {"point_type", type}, {"point_index", index}};
  j.update(extra);
  return j;
}

TEST_F(Dnp3DriverTest, ReadsEveryPointFromOneIntegrityPoll) {
  auto d = driver();
  d->open();
  const auto r = d->read(std::vector{
      point("ai0", dnp3("analog_input", 0)),
      point("ai1", dnp3("analog_input", 1, {{"scale", 0.1}})),
      point("state", dnp3("analog_input", 2, {{"value_map", {{"1", "OFF"}, {"2", "ON"}}}}),
            ValueType::Enum),
      point("bi0", dnp3("binary_input", 0), ValueType::Bool),
      point("bi1", dnp3("binary_input", 1), ValueType::Bool),
      point("count", dnp3("counter", 0)),
      point("missing", dnp3("analog_input", 9)),
      point("offline", dnp3("analog_input", 3)),
  });
  EXPECT_EQ(number(r[0]), 105.25);
  EXPECT_NEAR(number(r[1]), 230.5, 1e-9);
  EXPECT_EQ(label(r[2]), "ON");
  EXPECT_EQ(flag(r[3]), true);
  EXPECT_EQ(flag(r[4]), false);
  EXPECT_EQ(number(r[5]), 42);
  EXPECT_EQ(r[6].kind, ErrorKind::protocol) << describe(r[6]);
  EXPECT_EQ(r[7].kind, ErrorKind::bad_value) << describe(r[7]);
  EXPECT_NE(r[7].error.find("offline"), std::string::npos) << r[7].error;
}

TEST_F(Dnp3DriverTest, AnalogAndBinaryOutputsRoundTrip) {
  auto d = driver();
  auto setpoint = command("setpoint", dnp3("analog_output", 0, {{"scale", 0.1}}),
                          PayloadType::Float, -1000, 1000);
  auto breaker = command("breaker", dnp3("binary_output", 0), PayloadType::Bool);
  d->write(setpoint, 12.5);
  d->write(breaker, true);
  const auto c = controls();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].group, 41);
  EXPECT_EQ(c[0].variation, 3);
  EXPECT_EQ(c[0].index, 0);
  ASSERT_TRUE(c[0].analog_output);
  EXPECT_NEAR(c[0].analog_output->value, 125.0, 1e-6);
  EXPECT_EQ(c[1].group, 12);
  ASSERT_TRUE(c[1].crob);
  EXPECT_EQ(c[1].crob->op_type(), d3::OpType::kLatchOn);

  const auto r = d->read(std::vector{point("ao", dnp3("analog_output", 0, {{"scale", 0.1}})),
                                     point("bo", dnp3("binary_output", 0), ValueType::Bool)});
  EXPECT_NEAR(number(r[0]), 12.5, 1e-6);
  EXPECT_EQ(flag(r[1]), true);
  d->write(breaker, false);
  EXPECT_EQ(controls().back().crob->op_type(), d3::OpType::kLatchOff);
}

// After the integrity poll, reads are event polls: a change beyond a point's deadband arrives as
// an event, one inside it does not (the outstation's static value is newer than what the
// driver reports: proof that no class 0 poll ran); an event buffer overflow brings an
// integrity poll at once; output status is read statically.
TEST_F(Dnp3DriverTest, IntegrityPollFirstThenEventPolls) {
  outstation_.with_database([](d3::PointDatabase& db) {
    db.add_analog_input(4, d3::AnalogInputConfig{d3::EventClass::kClass2, 10.0, 5, 5},
                        d3::Analog{50});
  });
  auto d = driver();
  const std::vector<contract::SourcePoint> points{
      point("ai0", dnp3("analog_input", 0)), point("ai4", dnp3("analog_input", 4)),
      point("bi0", dnp3("binary_input", 0), ValueType::Bool), point("count", dnp3("counter", 0)),
      point("ao", dnp3("analog_output", 0))};
  auto r = d->read(points);
  EXPECT_EQ(number(r[0]), 105.25);
  EXPECT_EQ(number(r[1]), 50);
  EXPECT_EQ(flag(r[2]), true);
  EXPECT_EQ(number(r[3]), 42);
  EXPECT_EQ(number(r[4]), 0);

  outstation_.with_database([](d3::PointDatabase& db) {
    EXPECT_TRUE(db.update_analog_input(0, d3::Analog{200.5}));
    EXPECT_FALSE(db.update_analog_input(4, d3::Analog{55}));  // inside the deadband
    EXPECT_TRUE(db.update_binary_input(0, d3::Binary{false}));
    EXPECT_TRUE(db.update_counter(0, d3::Counter{43}));
  });
  d->write(command("setpoint", dnp3("analog_output", 0), PayloadType::Float, -1000, 1000), 7.5);
  r = d->read(points);
  EXPECT_EQ(number(r[0]), 200.5);
  EXPECT_EQ(number(r[1]), 50) << "a class 0 poll ran: the static 55 was read";
  EXPECT_EQ(flag(r[2]), false);
  EXPECT_EQ(number(r[3]), 43);
  EXPECT_NEAR(number(r[4]), 7.5, 1e-6);

  outstation_.with_database(
      [](d3::PointDatabase& db) { EXPECT_TRUE(db.update_analog_input(4, d3::Analog{70})); });
  EXPECT_EQ(number(d->read(points)[1]), 70);

  // More class 2 events than the buffer holds (100): IIN2.3, then an integrity poll.
  outstation_.with_database([](d3::PointDatabase& db) {
    for (int i = 0; i < 150; ++i) db.update_analog_input(0, d3::Analog{1000.0 + i});
    db.update_analog_input(4, d3::Analog{72});  // inside the deadband: only class 0 tells
  });
  r = d->read(points);
  EXPECT_EQ(number(r[0]), 1149);
  EXPECT_EQ(number(r[1]), 72);
}

TEST_F(Dnp3DriverTest, RefusedControlAndUnwritablePoint) {
  auto d = driver();
  auto refused = command("refused", dnp3("analog_output", 5));
  EXPECT_EQ(kind_of([&] { d->write(refused, 1.0); }), ErrorKind::refused);
  auto input = command("input", dnp3("analog_input", 0));
  EXPECT_EQ(kind_of([&] { d->write(input, 1.0); }), ErrorKind::config);
  auto bounded = command("bounded", dnp3("analog_output", 0), PayloadType::Float, 0, 10);
  EXPECT_EQ(kind_of([&] { d->write(bounded, 11.0); }), ErrorKind::bad_value);
  EXPECT_TRUE(controls().empty());
}

TEST_F(Dnp3DriverTest, SilentOutstationTimesOutAndRecovers) {
  auto d = driver(std::chrono::milliseconds(300));
  server_.set_fault({d3::FaultPlan::Kind::kSilent});
  const auto r = d->read(std::vector{point("ai0", dnp3("analog_input", 0))});
  EXPECT_EQ(r[0].status, ReadStatus::timeout) << describe(r[0]);
  auto setpoint = command("setpoint", dnp3("analog_output", 0));
  EXPECT_EQ(kind_of([&] { d->write(setpoint, 1.0); }), ErrorKind::timeout);
  server_.set_fault({d3::FaultPlan::Kind::kCorruptFrames});
  EXPECT_NE(d->read(std::vector{point("ai0", dnp3("analog_input", 0))})[0].status, ReadStatus::ok);
  server_.set_fault({});
  EXPECT_EQ(number(d->read(std::vector{point("ai0", dnp3("analog_input", 0))})[0]), 105.25);
}

TEST_F(Dnp3DriverTest, WrongOutstationAddressGetsNoAnswer) {
  auto c = conn();
  c.outstation_address = 99;
  DriverOptions o;
  o.timeout = std::chrono::milliseconds(300);
  auto d = make_driver(c, runtime::Secrets{}, o);
  EXPECT_EQ(d->read(std::vector{point("ai0", dnp3("analog_input", 0))})[0].kind,
            ErrorKind::timeout);
}

TEST(Dnp3Driver, NoListenerIsAConnectionError) {
  auto d = make_driver(connection(Protocol::dnp3_tcp, closed_port()), runtime::Secrets{});
  EXPECT_EQ(kind_of([&] { d->open(); }), ErrorKind::connection);
  const auto r = d->read(std::vector{point("ai0", dnp3("analog_input", 0))});
  EXPECT_EQ(r[0].kind, ErrorKind::connection) << describe(r[0]);
}

}  // namespace
}  // namespace ems::drivers::test
