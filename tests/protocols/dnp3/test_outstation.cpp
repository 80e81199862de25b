// Outstation application logic without sockets: requests in, responses out.
#include <gtest/gtest.h>

#include "ems/protocols/dnp3/outstation.hpp"
#include "hex.hpp"

namespace ems::protocols::dnp3 {
namespace {

using namespace std::chrono_literals;
using test::hex;

class OutstationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    outstation.with_database([](PointDatabase& db) {
      db.add_binary_input(0, {}, Binary{true});
      db.add_binary_input(1);
      db.add_analog_input(0, AnalogInputConfig{EventClass::kClass2, 1.0, 5, 5}, Analog{105.5});
      db.add_analog_input(10, AnalogInputConfig{EventClass::kClass1, 0.0, 1, 1}, Analog{7});
      db.add_counter(0, {}, Counter{1000});
      db.add_binary_output(0);
      db.add_analog_output(0, AnalogOutputConfig{3}, Analog{0});
    });
    outstation.set_control_callback([this](const Control& c) {
      controls.push_back(c);
      return next_status;
    });
  }

  Apdu request(FunctionCode fc, std::vector<ObjectBlock> objects) {
    Apdu a;
    a.control.seq = seq;
    seq = static_cast<std::uint8_t>((seq + 1) & 0x0F);
    a.function = fc;
    a.objects = std::move(objects);
    return a;
  }

  // Sends a request and decodes the single response fragment.
  Apdu exchange(const Apdu& req, Outstation::Clock::time_point now = Outstation::Clock::now()) {
    const auto out = outstation.handle(encode_apdu(req), now);
    EXPECT_EQ(out.size(), 1u);
    if (out.empty()) return {};
    return decode_apdu(out[0]);
  }

  void confirm(std::uint8_t confirm_seq) {
    Apdu c;
    c.function = FunctionCode::kConfirm;
    c.control.seq = confirm_seq;
    EXPECT_TRUE(outstation.handle(encode_apdu(c)).empty());
  }

  Outstation outstation;
  std::vector<Control> controls;
  CommandStatus next_status = CommandStatus::kSuccess;
  std::uint8_t seq = 0;
};

TEST_F(OutstationTest, IntegrityPollReturnsEveryStaticPoint) {
  const Apdu r = exchange(request(FunctionCode::kRead, {ObjectBlock::all(60, 1)}));
  EXPECT_EQ(r.function, FunctionCode::kResponse);
  EXPECT_EQ(r.control.seq, 0);
  EXPECT_FALSE(r.control.con);  // no events in a class 0 response
  EXPECT_TRUE(r.iin.iin1 & iin1::kDeviceRestart);
  ASSERT_EQ(r.objects.size(), 6u);  // g1v2, g10v2, g20v1, g30v5, g30v1 (index 10), g40v3
  EXPECT_EQ(r.objects[0].group, 1);
  EXPECT_EQ(r.objects[0].points.size(), 2u);
  EXPECT_TRUE(std::get<Binary>(r.objects[0].points[0].value).value);
  EXPECT_EQ(r.objects[3].group, 30);
  EXPECT_EQ(r.objects[3].variation, 5);
  EXPECT_EQ(std::get<Analog>(r.objects[3].points[0].value).value, 105.5);
  EXPECT_EQ(r.objects[4].variation, 1);
  EXPECT_EQ(r.objects[4].points[0].index, 10);
  EXPECT_EQ(r.objects[5].group, 40);
  EXPECT_EQ(r.objects[5].variation, 3);
}

TEST_F(OutstationTest, EventsStayUntilConfirmed) {
  outstation.with_database([](PointDatabase& db) {
    EXPECT_FALSE(db.update_analog_input(0, Analog{106.0}));  // inside the 1.0 deadband
    EXPECT_TRUE(db.update_analog_input(0, Analog{107.0}));
    EXPECT_TRUE(db.update_binary_input(1, Binary{true}, 1234));
  });
  EXPECT_EQ(outstation.iin().iin1 & (iin1::kClass1Events | iin1::kClass2Events),
            iin1::kClass1Events | iin1::kClass2Events);

  const Apdu first =
      exchange(request(FunctionCode::kRead, {ObjectBlock::all(60, 2), ObjectBlock::all(60, 3)}));
  EXPECT_TRUE(first.control.con);
  ASSERT_EQ(first.objects.size(), 2u);
  EXPECT_EQ(first.objects[0].group, 2);  // class 1 first, as requested
  EXPECT_EQ(first.objects[1].group, 32);
  EXPECT_EQ(std::get<Analog>(first.objects[1].points[0].value).value, 107.0);

  // Not confirmed: a second poll reports the same events again.
  const Apdu again =
      exchange(request(FunctionCode::kRead, {ObjectBlock::all(60, 2), ObjectBlock::all(60, 3)}));
  EXPECT_EQ(again.objects.size(), 2u);
  confirm(again.control.seq);
  EXPECT_EQ(outstation.iin().iin1 & (iin1::kClass1Events | iin1::kClass2Events), 0);

  const Apdu empty =
      exchange(request(FunctionCode::kRead, {ObjectBlock::all(60, 2), ObjectBlock::all(60, 3)}));
  EXPECT_TRUE(empty.objects.empty());
  EXPECT_FALSE(empty.control.con);
}

TEST_F(OutstationTest, ConfirmWithWrongSequenceKeepsEvents) {
  outstation.with_database([](PointDatabase& db) { db.update_binary_input(1, Binary{true}); });
  const Apdu r = exchange(request(FunctionCode::kRead, {ObjectBlock::all(60, 2)}));
  ASSERT_TRUE(r.control.con);
  confirm(static_cast<std::uint8_t>((r.control.seq + 1) & 0x0F));
  const Apdu again = exchange(request(FunctionCode::kRead, {ObjectBlock::all(60, 2)}));
  EXPECT_EQ(again.objects.size(), 1u);
}

TEST_F(OutstationTest, ReadsOneGroupByRangeAndVariation) {
  const Apdu r = exchange(request(FunctionCode::kRead, {ObjectBlock::range(30, 1, 0, 0)}));
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(r.objects[0].variation, 1);
  EXPECT_EQ(std::get<Analog>(r.objects[0].points[0].value).value, 106);  // 105.5 rounded
  EXPECT_EQ(r.iin.iin2, 0);

  const Apdu missing = exchange(request(FunctionCode::kRead, {ObjectBlock::range(30, 0, 0, 5)}));
  EXPECT_TRUE(missing.iin.iin2 & iin2::kParameterError);
  EXPECT_EQ(missing.objects.size(), 1u);  // index 0 still reported

  const Apdu packed = exchange(request(FunctionCode::kRead, {ObjectBlock::all(1, 1)}));
  EXPECT_TRUE(packed.iin.iin2 & iin2::kObjectUnknown);
}

TEST_F(OutstationTest, UnknownObjectsAndFunctionsSetIin2) {
  const auto unknown = outstation.handle(hex("C5 01 63 01 06"));  // g99v1
  ASSERT_EQ(unknown.size(), 1u);
  const Apdu r = decode_apdu(unknown[0]);
  EXPECT_EQ(r.control.seq, 5);
  EXPECT_TRUE(r.iin.iin2 & iin2::kObjectUnknown);

  const Apdu f = decode_apdu(outstation.handle(hex("C6 0D"))[0]);  // COLD_RESTART
  EXPECT_TRUE(f.iin.iin2 & iin2::kNoFunctionCodeSupport);

  const Apdu q = decode_apdu(outstation.handle(hex("C7 01 1E 01 5B 00"))[0]);
  EXPECT_TRUE(q.iin.iin2 & iin2::kParameterError);
  EXPECT_TRUE(outstation.handle(hex("C0")).empty());
  EXPECT_GE(outstation.stats().malformed, 4u);
}

TEST_F(OutstationTest, WriteClearsDeviceRestart) {
  ObjectBlock b = ObjectBlock::range(80, 1, 7, 7);
  b.points = {Point{7, PackedBit{false}}};
  const Apdu r = exchange(request(FunctionCode::kWrite, {b}));
  EXPECT_FALSE(r.iin.iin1 & iin1::kDeviceRestart);
  EXPECT_EQ(r.iin.iin2, 0);
}

TEST_F(OutstationTest, SelectBeforeOperateReachesTheCallbackAndUpdatesStatus) {
  const ObjectBlock crob = ObjectBlock::indexed(12, 1, {Point{0, Crob::latch(true)}});
  const Apdu sel = exchange(request(FunctionCode::kSelect, {crob}));
  EXPECT_EQ(std::get<Crob>(sel.objects[0].points[0].value).status, CommandStatus::kSuccess);
  ASSERT_EQ(controls.size(), 1u);
  EXPECT_EQ(controls[0].phase, ControlPhase::kSelect);
  const Apdu op = exchange(request(FunctionCode::kOperate, {crob}));
  EXPECT_EQ(std::get<Crob>(op.objects[0].points[0].value).status, CommandStatus::kSuccess);
  ASSERT_EQ(controls.size(), 2u);
  EXPECT_EQ(controls[1].phase, ControlPhase::kOperate);
  EXPECT_EQ(controls[1].crob->op_type(), OpType::kLatchOn);
  outstation.with_database(
      [](PointDatabase& db) { EXPECT_TRUE(db.binary_outputs().at(0).value.value); });
}

TEST_F(OutstationTest, OperateMustMatchItsSelect) {
  // Operate without select.
  const ObjectBlock on = ObjectBlock::indexed(12, 1, {Point{0, Crob::latch(true)}});
  const Apdu lone = exchange(request(FunctionCode::kOperate, {on}));
  EXPECT_EQ(std::get<Crob>(lone.objects[0].points[0].value).status, CommandStatus::kNoSelect);
  // Operate with different objects.
  exchange(request(FunctionCode::kSelect, {on}));
  const ObjectBlock off = ObjectBlock::indexed(12, 1, {Point{0, Crob::latch(false)}});
  const Apdu other = exchange(request(FunctionCode::kOperate, {off}));
  EXPECT_EQ(std::get<Crob>(other.objects[0].points[0].value).status, CommandStatus::kNoSelect);
  // Operate after the select timed out.
  const auto t0 = Outstation::Clock::now();
  exchange(request(FunctionCode::kSelect, {on}), t0);
  const Apdu late = exchange(request(FunctionCode::kOperate, {on}), t0 + 6s);
  EXPECT_EQ(std::get<Crob>(late.objects[0].points[0].value).status, CommandStatus::kTimeout);
  // Only the selects reached the model; no operate did.
  for (const auto& c : controls) EXPECT_EQ(c.phase, ControlPhase::kSelect);
}

TEST_F(OutstationTest, DirectOperateAnalogAndRefusals) {
  const Apdu r = exchange(request(FunctionCode::kDirectOperate,
                                  {ObjectBlock::indexed(41, 3, {Point{0, AnalogOutput{12.5}}})}));
  EXPECT_EQ(std::get<AnalogOutput>(r.objects[0].points[0].value).status, CommandStatus::kSuccess);
  ASSERT_EQ(controls.size(), 1u);
  EXPECT_EQ(controls[0].analog_output->value, 12.5);
  outstation.with_database(
      [](PointDatabase& db) { EXPECT_EQ(db.analog_outputs().at(0).value.value, 12.5); });

  // A point that does not exist, and a model that refuses.
  const Apdu nope = exchange(request(FunctionCode::kDirectOperate,
                                     {ObjectBlock::indexed(41, 1, {Point{9, AnalogOutput{1}}})}));
  EXPECT_EQ(std::get<AnalogOutput>(nope.objects[0].points[0].value).status,
            CommandStatus::kNotSupported);
  next_status = CommandStatus::kLocal;
  const Apdu local = exchange(request(
      FunctionCode::kDirectOperate, {ObjectBlock::indexed(12, 1, {Point{0, Crob::latch(true)}})}));
  EXPECT_EQ(std::get<Crob>(local.objects[0].points[0].value).status, CommandStatus::kLocal);
  outstation.with_database(
      [](PointDatabase& db) { EXPECT_FALSE(db.binary_outputs().at(0).value.value); });
}

TEST_F(OutstationTest, LargeResponsesSpanFragmentsEachConfirmed) {
  Outstation big(OutstationConfig{256, 5s, 16, 100});
  big.with_database([](PointDatabase& db) {
    for (std::uint16_t i = 0; i < 200; ++i) db.add_analog_input(i, {}, Analog{double(i)});
  });
  Apdu req;
  req.control.seq = 4;
  req.function = FunctionCode::kRead;
  req.objects = {ObjectBlock::all(60, 1)};
  auto out = big.handle(encode_apdu(req));
  std::vector<Point> points;
  int fragments = 0;
  while (!out.empty() && fragments < 20) {
    ASSERT_EQ(out.size(), 1u);
    ASSERT_LE(out[0].size(), 256u);
    const Apdu frag = decode_apdu(out[0]);
    EXPECT_EQ(frag.control.fir, fragments == 0);
    EXPECT_EQ(frag.control.seq, (4 + fragments) & 0x0F);
    ++fragments;
    for (const auto& b : frag.objects)
      points.insert(points.end(), b.points.begin(), b.points.end());
    if (frag.control.fin) break;
    EXPECT_TRUE(frag.control.con);
    Apdu c;
    c.function = FunctionCode::kConfirm;
    c.control.seq = frag.control.seq;
    out = big.handle(encode_apdu(c));
  }
  EXPECT_GT(fragments, 3);
  ASSERT_EQ(points.size(), 200u);
  for (std::uint16_t i = 0; i < 200; ++i) {
    EXPECT_EQ(points[i].index, i);
    EXPECT_EQ(std::get<Analog>(points[i].value).value, i);
  }
}

TEST_F(OutstationTest, EventBufferOverflowSetsIin2) {
  Outstation small(OutstationConfig{2048, 5s, 16, 2});
  small.with_database([](PointDatabase& db) {
    db.add_binary_input(0);
    for (int i = 0; i < 5; ++i) db.update_binary_input(0, Binary{i % 2 == 0});
    EXPECT_EQ(db.events().size(), 2u);
  });
  EXPECT_TRUE(small.iin().iin2 & iin2::kEventBufferOverflow);
}

// IIN2.3 is cleared by the confirm of a response that reported it, unless more events were
// dropped after that response (the master has not been told of those yet).
TEST_F(OutstationTest, OverflowClearsOnlyWhenTheMasterWasToldOfEveryLoss) {
  auto push = [&](int n) {
    outstation.with_database([&](PointDatabase& db) {
      if (!db.binary_inputs().count(7)) db.add_binary_input(7);
      for (int i = 0; i < n; ++i)
        db.update_binary_input(7, Binary{!db.binary_inputs().at(7).value.value});
    });
  };
  push(101);
  const Apdu first = exchange(request(FunctionCode::kRead, {ObjectBlock::all(60, 2)}));
  EXPECT_TRUE(first.iin.iin2 & iin2::kEventBufferOverflow);
  push(100);  // drops events again before the confirm arrives
  confirm(first.control.seq);
  EXPECT_TRUE(outstation.iin().iin2 & iin2::kEventBufferOverflow);
  const Apdu second = exchange(request(FunctionCode::kRead, {ObjectBlock::all(60, 2)}));
  EXPECT_TRUE(second.iin.iin2 & iin2::kEventBufferOverflow);
  confirm(second.control.seq);
  EXPECT_FALSE(outstation.iin().iin2 & iin2::kEventBufferOverflow);
}

}  // namespace
}  // namespace ems::protocols::dnp3
