// Master <-> outstation over loopback TCP, including injected faults.
#include <gtest/gtest.h>

#include "ems/protocols/dnp3/error.hpp"
#include "loopback_site.hpp"

namespace ems::protocols::dnp3 {
namespace {

using namespace std::chrono_literals;
using test::LoopbackSite;

ErrorKind failure_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Dnp3Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no Dnp3Error";
  return ErrorKind::kBadStart;
}

TEST(Dnp3Loopback, IntegrityPollReturnsTheDatabase) {
  LoopbackSite site;
  Master master(site.master_config());
  const ReadResult r = master.integrity_poll();
  EXPECT_TRUE(r.iin.iin1 & iin1::kDeviceRestart);
  const auto ai = r.analog_inputs();
  ASSERT_EQ(ai.size(), 3u);
  EXPECT_EQ(ai.at(0).value, 105.25);
  EXPECT_EQ(ai.at(0).flags, flags::kOnline);
  EXPECT_EQ(ai.at(10).value, 5000000);
  EXPECT_EQ(ai.at(100).value, 2);
  const auto bi = r.binary_inputs();
  EXPECT_TRUE(bi.at(0).value);
  EXPECT_FALSE(bi.at(24).value);
  EXPECT_EQ(r.counters().at(0).value, 42u);
  EXPECT_EQ(r.binary_outputs().size(), 1u);
  EXPECT_EQ(r.analog_outputs().size(), 2u);
  EXPECT_EQ(r.event_count(), 0u);

  master.clear_restart();
  EXPECT_FALSE(master.integrity_poll().iin.iin1 & iin1::kDeviceRestart);
}

TEST(Dnp3Loopback, ReadsARangeWithAChosenVariation) {
  LoopbackSite site;
  Master master(site.master_config());
  const ReadResult r = master.read_range(30, 1, 0, 0);
  ASSERT_EQ(r.measurements.size(), 1u);
  EXPECT_EQ(r.measurements[0].variation, 1);
  EXPECT_EQ(r.analog_inputs().at(0).value, 105);  // g30v1 is an integer
  EXPECT_EQ(master.read_all(1, 0).binary_inputs().size(), 2u);
  EXPECT_EQ(failure_of([&] { master.read_range(30, 0, 0, 5); }), ErrorKind::kRejected);
  EXPECT_EQ(failure_of([&] { master.read_all(1, 1); }), ErrorKind::kRejected);
  // The association survives rejected requests.
  EXPECT_EQ(master.read_range(30, 5, 10, 10).analog_inputs().at(10).value, 5000000);
}

TEST(Dnp3Loopback, EventPollsReportChangesOnceConfirmed) {
  LoopbackSite site;
  Master master(site.master_config());
  master.integrity_poll();
  site.outstation.with_database([](PointDatabase& db) {
    db.update_analog_input(0, Analog{110.5});
    db.update_analog_input(0, Analog{110.6});  // inside the deadband: no event
    db.update_binary_input(24, Binary{true}, 1000);
    db.update_analog_input(100, Analog{3});
  });
  const ReadResult events = master.event_poll();
  EXPECT_EQ(events.event_count(), 3u);
  EXPECT_EQ(events.analog_inputs().at(0).value, 110.5);
  EXPECT_TRUE(events.binary_inputs().at(24).value);
  EXPECT_EQ(events.analog_inputs().at(100).value, 3);
  // The master confirmed the response, so the events are gone.
  EXPECT_EQ(master.event_poll().event_count(), 0u);
  site.outstation.with_database([](PointDatabase& db) { EXPECT_EQ(db.events().size(), 0u); });

  // Class filtering: only class 2 is asked for.
  site.outstation.with_database([](PointDatabase& db) {
    db.update_analog_input(0, Analog{120});
    db.update_analog_input(10, Analog{1});
  });
  const ReadResult class2 = master.event_poll(class_bit(EventClass::kClass2));
  ASSERT_EQ(class2.event_count(), 1u);
  EXPECT_EQ(class2.measurements[0].point.index, 0);
  EXPECT_TRUE(class2.iin.iin1 & iin1::kClass1Events);  // still pending
  EXPECT_EQ(master.event_poll(class_bit(EventClass::kClass1)).event_count(), 1u);
}

TEST(Dnp3Loopback, CrobSelectBeforeOperateAndDirectOperate) {
  LoopbackSite site;
  Master master(site.master_config());
  EXPECT_EQ(master.select_and_operate(0, Crob::latch(true)), CommandStatus::kSuccess);
  auto controls = site.recorded();
  ASSERT_EQ(controls.size(), 2u);
  EXPECT_EQ(controls[0].phase, ControlPhase::kSelect);
  EXPECT_EQ(controls[1].phase, ControlPhase::kOperate);
  EXPECT_EQ(controls[1].crob->op_type(), OpType::kLatchOn);
  EXPECT_TRUE(master.read_all(10, 2).binary_outputs().at(0).value);

  EXPECT_EQ(master.direct_operate(0, Crob::latch(false)), CommandStatus::kSuccess);
  controls = site.recorded();
  ASSERT_EQ(controls.size(), 3u);
  EXPECT_EQ(controls[2].crob->op_type(), OpType::kLatchOff);
  EXPECT_FALSE(master.read_all(10, 0).binary_outputs().at(0).value);

  EXPECT_EQ(master.direct_operate(7, Crob::latch(true)), CommandStatus::kNotSupported);
}

TEST(Dnp3Loopback, AnalogOutputsFloatAndInteger) {
  LoopbackSite site;
  Master master(site.master_config());
  EXPECT_EQ(master.direct_operate_analog(0, 4500.75, 3), CommandStatus::kSuccess);
  EXPECT_EQ(master.select_and_operate_analog(1, -1200, 1), CommandStatus::kSuccess);
  const auto controls = site.recorded();
  ASSERT_EQ(controls.size(), 3u);
  EXPECT_EQ(controls[0].variation, 3);
  EXPECT_EQ(controls[0].analog_output->value, 4500.75);
  EXPECT_EQ(controls[2].variation, 1);
  EXPECT_EQ(controls[2].analog_output->value, -1200);
  const auto ao = master.read_all(40, 0).analog_outputs();
  EXPECT_EQ(ao.at(0).value, 4500.75);  // g40v3 float
  EXPECT_EQ(ao.at(1).value, -1200);    // g40v1 int32
}

TEST(Dnp3Loopback, SilentOutstationTimesOutWithAClearError) {
  LoopbackSite site;
  site.server.set_fault(FaultPlan{FaultPlan::Kind::kSilent, 0ms});
  Master master(site.master_config(300ms));
  try {
    master.integrity_poll();
    FAIL() << "answered";
  } catch (const Dnp3Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTimeout);
    EXPECT_NE(std::string(e.what()).find("no complete response to READ"), std::string::npos)
        << e.what();
  }
  site.server.set_fault({});
  EXPECT_EQ(master.integrity_poll().analog_inputs().size(), 3u);  // recovers, stale seq ignored
}

TEST(Dnp3Loopback, DroppedConnectionIsReportedThenReconnected) {
  LoopbackSite site;
  Master master(site.master_config(1000ms));
  master.integrity_poll();
  site.server.set_fault(FaultPlan{FaultPlan::Kind::kDropConnection, 0ms});
  EXPECT_EQ(failure_of([&] { master.integrity_poll(); }), ErrorKind::kConnection);
  EXPECT_FALSE(master.connected());
  site.server.set_fault({});
  EXPECT_EQ(master.integrity_poll().analog_inputs().size(), 3u);
  EXPECT_GE(site.server.stats().accepted, 2u);
}

TEST(Dnp3Loopback, CorruptFramesAreRejectedByCrc) {
  LoopbackSite site;
  site.server.set_fault(FaultPlan{FaultPlan::Kind::kCorruptFrames, 0ms});
  Master master(site.master_config(300ms));
  try {
    master.integrity_poll();
    FAIL() << "corrupt response accepted";
  } catch (const Dnp3Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTimeout);
    EXPECT_NE(std::string(e.what()).find("CRC"), std::string::npos) << e.what();
  }
}

TEST(Dnp3Loopback, DelayInsideAndOutsideTheTimeout) {
  LoopbackSite site;
  site.server.set_fault(FaultPlan{FaultPlan::Kind::kDelay, 100ms});
  Master patient(site.master_config(1000ms));
  EXPECT_EQ(patient.integrity_poll().analog_inputs().size(), 3u);
  Master hasty(site.master_config(30ms));
  EXPECT_EQ(failure_of([&] { hasty.integrity_poll(); }), ErrorKind::kTimeout);
}

TEST(Dnp3Loopback, ConnectionRefusedAndConnectionLimit) {
  std::uint16_t closed_port = 0;
  {
    LoopbackSite site;
    closed_port = site.server.port();
  }
  MasterConfig c;
  c.port = closed_port;
  Master master(c);
  EXPECT_EQ(failure_of([&] { master.integrity_poll(); }), ErrorKind::kConnection);

  LoopbackSite site;
  std::vector<std::unique_ptr<Master>> masters;
  for (int i = 0; i < 4; ++i) {
    masters.push_back(std::make_unique<Master>(site.master_config()));
    masters.back()->integrity_poll();
  }
  Master fifth(site.master_config(300ms));
  const ErrorKind k = failure_of([&] { fifth.integrity_poll(); });
  EXPECT_TRUE(k == ErrorKind::kConnection || k == ErrorKind::kTimeout);
  EXPECT_GE(site.server.stats().refused, 1u);
}

TEST(Dnp3Loopback, MultiFragmentResponsesAreConfirmedAndJoined) {
  Outstation outstation(OutstationConfig{512, 5s, 16, 100});
  outstation.with_database([](PointDatabase& db) {
    for (std::uint16_t i = 0; i < 600; ++i) db.add_analog_input(i, {}, Analog{i * 0.5});
  });
  OutstationServer server(outstation, OutstationServerConfig{"127.0.0.1", 0, 1024, 1, 1});
  server.start();
  MasterConfig c;
  c.port = server.port();
  Master master(c);
  std::size_t frames_from_outstation = 0;
  master.set_wire_observer([&](bool from_master, std::span<const std::uint8_t>) {
    if (!from_master) ++frames_from_outstation;
  });
  const auto ai = master.integrity_poll().analog_inputs();
  ASSERT_EQ(ai.size(), 600u);
  for (std::uint16_t i = 0; i < 600; ++i) EXPECT_EQ(ai.at(i).value, i * 0.5);
  EXPECT_GT(frames_from_outstation, 1u);
  EXPECT_GE(outstation.stats().confirms, 5u);  // 3000 bytes of objects in 512-byte fragments
}

}  // namespace
}  // namespace ems::protocols::dnp3
