// Value codec: every data type x word order against hand-computed registers, scale/offset,
// rounding and range errors, SunSpec scale factors, bits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ems/protocols/modbus/error.hpp"
#include "ems/protocols/modbus/value_codec.hpp"

namespace ems::protocols::modbus {
namespace {

using Regs = std::vector<std::uint16_t>;

struct Known {
  DataType type;
  double raw;
  Regs high_low;
};

// Wire registers for known raw values, most significant word first.
const Known kKnown[] = {
    {DataType::kInt16, -2, {0xFFFE}},
    {DataType::kUint16, 65535, {0xFFFF}},
    {DataType::kInt32, -100000, {0xFFFE, 0x7960}},
    {DataType::kUint32, 3000000000.0, {0xB2D0, 0x5E00}},
    {DataType::kInt64, -5000000000.0, {0xFFFF, 0xFFFE, 0xD5FA, 0x0E00}},
    {DataType::kFloat32, 123.5, {0x42F7, 0x0000}},
};

TEST(ValueCodec, EveryTypeAndWordOrderMatchesKnownRegisters) {
  for (const Known& k : kKnown) {
    for (WordOrder order : {WordOrder::kHighLow, WordOrder::kLowHigh}) {
      Regs wire = k.high_low;
      if (order == WordOrder::kLowHigh) std::reverse(wire.begin(), wire.end());
      const ValueFormat f{k.type, order, 1.0, 0.0};
      EXPECT_EQ(encode_value(k.raw, f), wire) << to_string(k.type) << " " << to_string(order);
      EXPECT_DOUBLE_EQ(decode_value(wire, f), k.raw) << to_string(k.type) << to_string(order);
    }
  }
}

TEST(ValueCodec, Int64FullRangeRoundTripsExactly) {
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, INT64_MAX, INT64_MIN,
                         std::int64_t{0x0123456789ABCDEF}}) {
    for (WordOrder order : {WordOrder::kHighLow, WordOrder::kLowHigh}) {
      EXPECT_EQ(decode_integer(encode_integer(v, DataType::kInt64, order), DataType::kInt64, order),
                v);
    }
  }
  EXPECT_EQ(encode_integer(0x0123456789ABCDEF, DataType::kInt64, WordOrder::kLowHigh),
            (Regs{0xCDEF, 0x89AB, 0x4567, 0x0123}));
}

TEST(ValueCodec, ScaleAndOffsetBothWaysWithRounding) {
  const ValueFormat f{DataType::kInt16, WordOrder::kHighLow, 0.1, -40.0};
  EXPECT_DOUBLE_EQ(decode_value(Regs{650}, f), 25.0);  // 650 * 0.1 - 40
  EXPECT_EQ(encode_value(25.0, f), Regs{650});
  EXPECT_EQ(encode_value(25.04, f), Regs{650});  // 650.4 rounds down
  EXPECT_EQ(encode_value(25.06, f), Regs{651});  // 650.6 rounds up
  EXPECT_EQ(encode_value(-50.0, f), Regs{static_cast<std::uint16_t>(-100)});
  const ValueFormat kw{DataType::kUint32, WordOrder::kLowHigh, 0.001, 0.0};
  EXPECT_DOUBLE_EQ(decode_value(encode_value(4500.25, kw), kw), 4500.25);
}

TEST(ValueCodec, OutOfRangeWritesAreClearErrors) {
  const ValueFormat u16{DataType::kUint16, WordOrder::kHighLow, 1.0, 0.0};
  try {
    encode_value(70000, u16);
    FAIL() << "no error";
  } catch (const ModbusError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kOutOfRange);
    EXPECT_NE(std::string(e.what()).find("uint16"), std::string::npos) << e.what();
  }
  EXPECT_THROW(encode_value(-1, u16), ModbusError);
  EXPECT_EQ(encode_value(-0.4, u16), Regs{0});  // rounds into range
  EXPECT_THROW(encode_value(32767.6, {DataType::kInt16}), ModbusError);
  EXPECT_THROW(encode_value(9.3e18, {DataType::kInt64}), ModbusError);
  EXPECT_THROW(encode_value(1e39, {DataType::kFloat32}), ModbusError);
  EXPECT_THROW(encode_value(NAN, {DataType::kFloat32}), ModbusError);
  EXPECT_THROW(encode_value(1, {DataType::kInt16, WordOrder::kHighLow, 0.0, 0.0}), ModbusError);
}

TEST(ValueCodec, WrongRegisterCountIsRejected) {
  EXPECT_THROW(decode_value(Regs{1}, {DataType::kInt32}), ModbusError);
  EXPECT_THROW(decode_value(Regs{1, 2, 3}, {DataType::kFloat32}), ModbusError);
}

TEST(ValueCodec, SunSpecScaleFactor) {
  const ValueFormat f{DataType::kUint16};
  EXPECT_DOUBLE_EQ(decode_value(Regs{2345}, f, 0xFFFE), 23.45);  // sf -2
  EXPECT_DOUBLE_EQ(decode_value(Regs{12}, f, 3), 12000.0);
  EXPECT_EQ(encode_value(23.45, f, 0xFFFE), Regs{2345});
  EXPECT_EQ(sunspec_exponent(10), 10);
  EXPECT_EQ(sunspec_exponent(static_cast<std::uint16_t>(-10)), -10);
  EXPECT_THROW(sunspec_exponent(11), ModbusError);
  EXPECT_THROW(sunspec_exponent(static_cast<std::uint16_t>(-11)), ModbusError);
  try {
    decode_value(Regs{1}, f, 0x8000);
    FAIL() << "no error";
  } catch (const ModbusError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kOutOfRange);
    EXPECT_NE(std::string(e.what()).find("not implemented"), std::string::npos) << e.what();
  }
}

TEST(ValueCodec, SunSpecNotImplementedMarkers) {
  constexpr auto hl = WordOrder::kHighLow;
  EXPECT_TRUE(sunspec_not_implemented(Regs{0x8000}, DataType::kInt16, hl));
  EXPECT_FALSE(sunspec_not_implemented(Regs{0x8001}, DataType::kInt16, hl));
  EXPECT_TRUE(sunspec_not_implemented(Regs{0xFFFF}, DataType::kUint16, hl));
  EXPECT_TRUE(sunspec_not_implemented(Regs{0x8000, 0}, DataType::kInt32, hl));
  EXPECT_TRUE(sunspec_not_implemented(Regs{0, 0x8000}, DataType::kInt32, WordOrder::kLowHigh));
  EXPECT_FALSE(sunspec_not_implemented(Regs{0, 0x8000}, DataType::kInt32, hl));
  EXPECT_TRUE(sunspec_not_implemented(Regs{0xFFFF, 0xFFFF}, DataType::kUint32, hl));
  EXPECT_TRUE(sunspec_not_implemented(Regs{0x8000, 0, 0, 0}, DataType::kInt64, hl));
  EXPECT_TRUE(sunspec_not_implemented(Regs{0x7FC0, 0}, DataType::kFloat32, hl));
  EXPECT_FALSE(sunspec_not_implemented(Regs{0x42F7, 0}, DataType::kFloat32, hl));
}

TEST(ValueCodec, Bits) {
  EXPECT_EQ(decode_bit(true), 1.0);
  EXPECT_FALSE(encode_bit(0.0));
  EXPECT_TRUE(encode_bit(1.0));
  EXPECT_THROW(encode_bit(0.5), ModbusError);
  const bool bits[] = {true, false, true, true, false, false, false, false, true, true};
  const auto packed = pack_bits(bits);
  EXPECT_EQ(packed, (std::vector<std::uint8_t>{0x0D, 0x03}));
  const auto back = unpack_bits(packed, 10);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(back[i], bits[i]) << i;
  EXPECT_THROW(unpack_bits(packed, 17), ModbusError);
}

TEST(ValueCodec, ContractSpellings) {
  for (auto t : {DataType::kInt16, DataType::kUint16, DataType::kInt32, DataType::kUint32,
                 DataType::kInt64, DataType::kFloat32}) {
    EXPECT_EQ(parse_data_type(to_string(t)), t);
  }
  EXPECT_EQ(parse_word_order("low_high"), WordOrder::kLowHigh);
  EXPECT_FALSE(parse_data_type("float64"));
  EXPECT_FALSE(parse_word_order("big"));
}

}  // namespace
}  // namespace ems::protocols::modbus
