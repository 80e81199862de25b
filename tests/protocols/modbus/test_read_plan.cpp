// Read planning: contiguous points share a request, tables/units/gaps/caps split them.
#include <gtest/gtest.h>

#include "ems/protocols/modbus/error.hpp"
#include "ems/protocols/modbus/read_plan.hpp"

namespace ems::protocols::modbus {
namespace {

constexpr auto kHr = Table::kHoldingRegisters;

TEST(ReadPlan, ContiguousPointsShareOneRequest) {
  const PointSpan points[] = {{1, kHr, 102, 2}, {1, kHr, 100, 2}, {1, kHr, 104, 4}};
  const auto plan = plan_reads(points);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].start, 100);
  EXPECT_EQ(plan[0].count, 8);
  EXPECT_EQ(plan[0].points, (std::vector<std::size_t>{1, 0, 2}));
  const std::vector<std::uint16_t> values{0, 1, 2, 3, 4, 5, 6, 7};
  const auto s = slice_for<std::uint16_t>(plan[0], points[2], values);
  EXPECT_EQ(std::vector<std::uint16_t>(s.begin(), s.end()),
            (std::vector<std::uint16_t>{4, 5, 6, 7}));
}

TEST(ReadPlan, GapsTablesAndUnitsSplit) {
  const PointSpan points[] = {{1, kHr, 0, 1},
                              {1, kHr, 2, 1},  // gap of one
                              {1, Table::kInputRegisters, 3, 1},
                              {2, kHr, 3, 1},
                              {1, Table::kCoils, 0, 1},
                              {1, Table::kCoils, 1, 1}};
  EXPECT_EQ(plan_reads(points).size(), 5u);
  EXPECT_EQ(plan_reads(points, {kMaxReadRegisters, kMaxReadBits, 1}).size(), 4u);
}

TEST(ReadPlan, CapsAt125RegistersAnd2000Bits) {
  std::vector<PointSpan> regs;
  for (std::uint16_t a = 0; a < 300; a += 2) regs.push_back({1, kHr, a, 2});
  const auto plan = plan_reads(regs);
  ASSERT_EQ(plan.size(), 3u);
  for (const auto& r : plan) EXPECT_LE(r.count, 125);
  EXPECT_EQ(plan[0].count, 124);  // a 2-register point never straddles two requests
  std::vector<PointSpan> bits;
  for (std::uint16_t a = 0; a < 2500; ++a) bits.push_back({1, Table::kCoils, a, 1});
  const auto bit_plan = plan_reads(bits);
  ASSERT_EQ(bit_plan.size(), 2u);
  EXPECT_EQ(bit_plan[0].count, 2000);
}

TEST(ReadPlan, OverlappingPointsShareARequest) {
  const PointSpan points[] = {{1, kHr, 10, 4}, {1, kHr, 11, 2}, {1, kHr, 12, 4}};
  const auto plan = plan_reads(points);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].count, 6);
}

TEST(ReadPlan, ImpossiblePointsAreRejected) {
  const PointSpan zero[] = {{1, kHr, 0, 0}};
  EXPECT_THROW(plan_reads(zero), ModbusError);
  const PointSpan past_end[] = {{1, kHr, 65535, 2}};
  EXPECT_THROW(plan_reads(past_end), ModbusError);
  const PointSpan too_big[] = {{1, kHr, 0, 126}};
  EXPECT_THROW(plan_reads(too_big), ModbusError);
}

}  // namespace
}  // namespace ems::protocols::modbus
