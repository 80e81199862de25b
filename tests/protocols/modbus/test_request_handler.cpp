// Server logic without sockets: MBAP framing and request -> response PDUs, exception codes.
#include <gtest/gtest.h>

#include "ems/protocols/modbus/error.hpp"
#include "ems/protocols/modbus/mbap.hpp"
#include "ems/protocols/modbus/request_handler.hpp"

namespace ems::protocols::modbus {
namespace {

using Bytes = std::vector<std::uint8_t>;

class Handler : public ::testing::Test {
 protected:
  Handler() {
    const std::uint16_t regs[] = {0x1234, 0x5678, 0x9ABC};
    bank.set_registers(1, Table::kHoldingRegisters, 100, regs);
    bank.set_registers(1, Table::kInputRegisters, 0, regs);
    const bool coils[] = {true, false, true};
    bank.set_bits(1, Table::kCoils, 0, coils);
    bank.set_bits(1, Table::kDiscreteInputs, 5, coils);
  }
  RegisterBank bank;
  std::vector<WriteRequest> writes;
  RequestHandler handler{bank, [this](const WriteRequest& w) {
                           writes.push_back(w);
                           return w.values.at(0) == 0xDEAD ? ExceptionCode::kIllegalDataValue
                                                           : ExceptionCode::kNone;
                         }};
};

TEST_F(Handler, ReadsRegistersAndBits) {
  EXPECT_EQ(handler.handle(1, Bytes{3, 0, 100, 0, 2}), (Bytes{3, 4, 0x12, 0x34, 0x56, 0x78}));
  EXPECT_EQ(handler.handle(1, Bytes{4, 0, 2, 0, 1}), (Bytes{4, 2, 0x9A, 0xBC}));
  EXPECT_EQ(handler.handle(1, Bytes{1, 0, 0, 0, 3}), (Bytes{1, 1, 0x05}));
  EXPECT_EQ(handler.handle(1, Bytes{2, 0, 6, 0, 2}), (Bytes{2, 1, 0x02}));
}

TEST_F(Handler, ExceptionResponses) {
  EXPECT_EQ(handler.handle(1, Bytes{3, 0, 101, 0, 3}), (Bytes{0x83, 0x02}));  // 103 undefined
  EXPECT_EQ(handler.handle(1, Bytes{3, 0, 100, 0, 0}), (Bytes{0x83, 0x03}));
  EXPECT_EQ(handler.handle(1, Bytes{3, 0, 100, 0, 126}), (Bytes{0x83, 0x03}));
  EXPECT_EQ(handler.handle(1, Bytes{3, 0, 100}), (Bytes{0x83, 0x03}));
  EXPECT_EQ(handler.handle(1, Bytes{0x2B, 0x0E, 1, 0}), (Bytes{0xAB, 0x01}));
  EXPECT_EQ(handler.handle(9, Bytes{3, 0, 100, 0, 1}), (Bytes{0x83, 0x0B}));
  EXPECT_EQ(handler.handle(1, Bytes{5, 0, 0, 0x12, 0x34}), (Bytes{0x85, 0x03}));
  EXPECT_EQ(handler.handle(1, Bytes{6, 0, 50, 0, 1}), (Bytes{0x86, 0x02}));
  EXPECT_TRUE(writes.empty());
}

TEST_F(Handler, WritesReachTheCallbackAndTheBank) {
  EXPECT_EQ(handler.handle(1, Bytes{6, 0, 101, 0xAB, 0xCD}), (Bytes{6, 0, 101, 0xAB, 0xCD}));
  EXPECT_EQ(handler.handle(1, Bytes{16, 0, 100, 0, 2, 4, 0, 1, 0, 2}), (Bytes{16, 0, 100, 0, 2}));
  EXPECT_EQ(handler.handle(1, Bytes{5, 0, 1, 0xFF, 0}), (Bytes{5, 0, 1, 0xFF, 0}));
  EXPECT_EQ(handler.handle(1, Bytes{15, 0, 0, 0, 3, 1, 0x02}), (Bytes{15, 0, 0, 0, 3}));
  ASSERT_EQ(writes.size(), 4u);
  EXPECT_EQ(writes[1].function, FunctionCode::kWriteMultipleRegisters);
  EXPECT_EQ(writes[1].values, (std::vector<std::uint16_t>{1, 2}));
  EXPECT_EQ(writes[3].values, (std::vector<std::uint16_t>{0, 1, 0}));
  EXPECT_EQ(bank.registers(1, Table::kHoldingRegisters, 100, 2),
            (std::vector<std::uint16_t>{1, 2}));
  EXPECT_EQ(bank.bits(1, Table::kCoils, 0, 3), (std::vector<bool>{false, true, false}));
  // The callback vetoes: exception, nothing stored.
  EXPECT_EQ(handler.handle(1, Bytes{6, 0, 102, 0xDE, 0xAD}), (Bytes{0x86, 0x03}));
  EXPECT_EQ(bank.registers(1, Table::kHoldingRegisters, 102, 1),
            (std::vector<std::uint16_t>{0x9ABC}));
  // Byte count not matching the register count.
  EXPECT_EQ(handler.handle(1, Bytes{16, 0, 100, 0, 2, 3, 0, 1, 0}), (Bytes{0x90, 0x03}));
}

TEST(Mbap, DecodesSplitAndBackToBackFrames) {
  const Bytes pdu{3, 0, 0, 0, 1};
  Bytes stream = encode_adu(7, 1, pdu);
  const Bytes second = encode_adu(8, 2, pdu);
  stream.insert(stream.end(), second.begin(), second.end());
  MbapDecoder d;
  d.feed(std::span(stream).first(5));
  EXPECT_FALSE(d.next());
  d.feed(std::span(stream).subspan(5));
  auto a = d.next();
  auto b = d.next();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->header.transaction_id, 7);
  EXPECT_EQ(b->header.unit_id, 2);
  EXPECT_EQ(b->pdu, pdu);
  EXPECT_FALSE(d.next());
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Mbap, RejectsBadProtocolIdAndLength) {
  MbapDecoder bad_protocol;
  bad_protocol.feed(Bytes{0, 1, 0, 1, 0, 6, 1, 3, 0, 0, 0, 1});
  EXPECT_THROW(bad_protocol.next(), ModbusError);
  MbapDecoder bad_length;
  bad_length.feed(Bytes{0, 1, 0, 0, 1, 0, 1});
  EXPECT_THROW(bad_length.next(), ModbusError);
  EXPECT_THROW(encode_adu(1, 1, Bytes{}), ModbusError);
}

}  // namespace
}  // namespace ems::protocols::modbus
