// DBC signal packing against published examples: cantools' motohawk.dbc (Motorola, signed,
// 1-bit), J1939 EEC1 engine speed (Intel), and 64-bit / byte-crossing signals worked by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "ems/protocols/can/dbc_signal.hpp"
#include "ems/protocols/can/error.hpp"

namespace ems::protocols::can {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr auto kIntel = ByteOrder::kLittleEndian;
constexpr auto kMotorola = ByteOrder::kBigEndian;

DbcSignal sig(std::uint16_t start, std::uint16_t length, ByteOrder order, bool is_signed = false,
              double scale = 1, double offset = 0, std::optional<double> min = std::nullopt,
              std::optional<double> max = std::nullopt) {
  return DbcSignal{start, length, order, is_signed, scale, offset, min, max};
}

// motohawk.dbc, BO_ 496 ExampleMessage:
//   SG_ Temperature : 0|12@0- (0.01,250) [229.52|270.47] "degK"
//   SG_ AverageRadius : 6|6@0+ (0.1,0) [0|5] "m"
//   SG_ Enable : 7|1@0+ (1,0) [0|0] "-"
const DbcSignal kTemperature = sig(0, 12, kMotorola, true, 0.01, 250, 229.52, 270.47);
const DbcSignal kAverageRadius = sig(6, 6, kMotorola, false, 0.1, 0, 0, 5);
const DbcSignal kEnable = sig(7, 1, kMotorola, false, 1, 0);

TEST(DbcSignal, MotohawkExampleDecodes) {
  const Bytes data{0xC0, 0x06, 0xE0, 0, 0, 0, 0, 0};
  EXPECT_NEAR(decode_signal(data, kTemperature), 250.55, 1e-9);
  EXPECT_NEAR(decode_signal(data, kAverageRadius), 3.2, 1e-9);
  EXPECT_EQ(decode_signal(data, kEnable), 1.0);
  EXPECT_EQ(extract_raw(data, kTemperature), 55u);
  EXPECT_EQ(extract_raw(data, kAverageRadius), 32u);
  // Negative raw: 229.53 degK is raw -2047.
  const Bytes negative{0x01, 0x00, 0x20, 0, 0, 0, 0, 0};
  EXPECT_NEAR(decode_signal(negative, kTemperature), 229.53, 1e-9);
}

TEST(DbcSignal, MotohawkExampleEncodes) {
  Bytes data(8, 0);
  encode_signal(data, kTemperature, 250.55);
  encode_signal(data, kAverageRadius, 3.2);
  encode_signal(data, kEnable, 1);
  EXPECT_EQ(data, (Bytes{0xC0, 0x06, 0xE0, 0, 0, 0, 0, 0}));
  Bytes negative(8, 0);
  encode_signal(negative, kTemperature, 229.53);
  encode_signal(negative, kAverageRadius, 0);
  encode_signal(negative, kEnable, 0);
  EXPECT_EQ(negative, (Bytes{0x01, 0x00, 0x20, 0, 0, 0, 0, 0}));
}

TEST(DbcSignal, IntelJ1939EngineSpeed) {
  // EEC1 (PGN 61444): SG_ EngineSpeed : 24|16@1+ (0.125,0) [0|8031.875] "rpm"
  const DbcSignal speed = sig(24, 16, kIntel, false, 0.125, 0, 0, 8031.875);
  const Bytes data{0xFF, 0xFF, 0xFF, 0x20, 0x4E, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(decode_signal(data, speed), 2500.0);
  Bytes out(8, 0xFF);
  encode_signal(out, speed, 1000.0);  // raw 8000 = 0x1F40, other bits untouched
  EXPECT_EQ(out, (Bytes{0xFF, 0xFF, 0xFF, 0x40, 0x1F, 0xFF, 0xFF, 0xFF}));
}

TEST(DbcSignal, SignedIntelAndOneBitSignals) {
  const DbcSignal temp = sig(8, 8, kIntel, true, 1, -40);
  EXPECT_EQ(decode_signal(Bytes{0, 0xF6}, temp), -50.0);  // raw -10
  const DbcSignal flag = sig(13, 1, kIntel, false, 1, 0);
  EXPECT_EQ(decode_signal(Bytes{0, 0x20}, flag), 1.0);
  EXPECT_EQ(decode_signal(Bytes{0, 0xDF}, flag), 0.0);
  const DbcSignal signed_bit = sig(0, 1, kIntel, true, 1, 0);
  EXPECT_EQ(decode_signal(Bytes{0x01}, signed_bit), -1.0);
  Bytes b{0};
  encode_signal(b, signed_bit, -1);
  EXPECT_EQ(b, Bytes{0x01});
  EXPECT_THROW(encode_signal(b, signed_bit, 1), CanError);
}

TEST(DbcSignal, MotorolaCrossingBytes) {
  // 12|10@0+: MSB at byte 1 bit 4, then bits 3..0, then byte 2 bits 7..3.
  const DbcSignal s = sig(12, 10, kMotorola, false, 1, 0);
  Bytes data(3, 0);
  encode_signal(data, s, 0x3FF);
  EXPECT_EQ(data, (Bytes{0x00, 0x1F, 0xF8}));
  EXPECT_EQ(bytes_needed(s), 3u);
  encode_signal(data, s, 0x201);
  EXPECT_EQ(data, (Bytes{0x00, 0x10, 0x08}));
}

TEST(DbcSignal, SixtyFourBitSignals) {
  const Bytes data{1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(extract_raw(data, sig(0, 64, kIntel)), 0x0807060504030201u);
  EXPECT_EQ(extract_raw(data, sig(7, 64, kMotorola)), 0x0102030405060708u);
  const Bytes ones(8, 0xFF);
  EXPECT_EQ(decode_signal(ones, sig(0, 64, kIntel, true)), -1.0);
  EXPECT_EQ(decode_signal(ones, sig(0, 64, kIntel, false)), 18446744073709551615.0);
  Bytes out(8, 0);
  insert_raw(out, sig(7, 64, kMotorola), 0x0102030405060708u);
  EXPECT_EQ(out, data);
  encode_signal(out, sig(0, 64, kIntel, true), -2);
  EXPECT_EQ(out, (Bytes{0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_THROW(encode_signal(out, sig(0, 64, kIntel, false), 1.9e19), CanError);
}

TEST(DbcSignal, RangeChecks) {
  Bytes data(8, 0);
  const DbcSignal u8 = sig(0, 8, kIntel, false, 0.5, 0);
  encode_signal(data, u8, 127.5);
  EXPECT_EQ(data[0], 255);
  try {
    encode_signal(data, u8, 128);
    FAIL() << "no error";
  } catch (const CanError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kOutOfRange);
    EXPECT_NE(std::string(e.what()).find("8-bit"), std::string::npos) << e.what();
  }
  EXPECT_THROW(encode_signal(data, u8, -1), CanError);
  EXPECT_THROW(encode_signal(data, u8, NAN), CanError);
  EXPECT_THROW(encode_signal(data, kAverageRadius, 5.5), CanError);  // DBC maximum 5
}

TEST(DbcSignal, InvalidDefinitionsAndShortFrames) {
  const Bytes data(8, 0);
  EXPECT_THROW(validate(sig(0, 0, kIntel)), CanError);
  EXPECT_THROW(validate(sig(60, 8, kIntel)), CanError);
  EXPECT_THROW(validate(sig(56, 16, kMotorola)), CanError);  // runs past byte 7
  EXPECT_THROW(validate(sig(0, 8, kIntel, false, 0.0)), CanError);
  try {
    decode_signal(Bytes{0, 0}, sig(24, 16, kIntel));
    FAIL() << "no error";
  } catch (const CanError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidSignal);
    EXPECT_NE(std::string(e.what()).find("dlc 2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse_byte_order("big_endian"), kMotorola);
  EXPECT_FALSE(parse_byte_order("motorola"));
}

}  // namespace
}  // namespace ems::protocols::can
