// Loading: every data-quality rule of dataset.hpp on small made-up files and on the shipped
// ERCOT file.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "ems/forecasting/dataset.hpp"

namespace ems::forecasting {
namespace {

Dataset parse(const std::string& text) {
  std::istringstream in(text);
  return Dataset::parse_csv(in, "test.csv");
}

int day(const char* text) {
  return *parse_day(text);
}

TEST(Dataset, DuplicateRowsKeepTheFirstAndAreReported) {
  const auto ds = parse(
      "timestamp,x\n2023-01-02 10:00:00,1\n2023-01-02 11:00:00,2\n2023-01-02 11:00:00,99\n"
      "2023-01-02 12:00:00,3\n");
  const auto s = ds.series("x");
  EXPECT_EQ(s.at(day("2023-01-02"), 11), 2.0);
  ASSERT_EQ(ds.report().duplicates.size(), 1u);
  EXPECT_EQ(ds.report().duplicates[0].line, 4u);
  EXPECT_EQ(ds.report().duplicates[0].label, "2023-01-02 11:00:00");
  EXPECT_FALSE(ds.report().duplicates[0].dst_fallback);
  EXPECT_EQ(ds.report().rows_read, 4u);
  EXPECT_EQ(ds.report().rows_kept, 3u);
}

TEST(Dataset, FallBackDayRepeatsAreFlaggedAsDst) {
  const auto ds = parse(
      "timestamp,x\n2023-11-05 00:00:00,1\n2023-11-05 01:00:00,2\n2023-11-05 01:00:00,3\n"
      "2023-11-05 02:00:00,4\n2023-11-05 02:00:00,5\n2023-11-05 03:00:00,6\n");
  ASSERT_EQ(ds.report().duplicates.size(), 2u);
  EXPECT_TRUE(ds.report().duplicates[0].dst_fallback);
  EXPECT_TRUE(ds.report().duplicates[1].dst_fallback);
  EXPECT_EQ(ds.series("x").at(day("2023-11-05"), 2), 4.0);  // first (daylight) occurrence
}

TEST(Dataset, MissingHoursAreGapsAndStayMissing) {
  const auto ds = parse("timestamp,x\n2023-01-02 22:00:00,1\n2023-01-03 02:00:00,5\n");
  ASSERT_EQ(ds.report().gaps.size(), 1u);
  EXPECT_EQ(ds.report().gaps[0].first_label, "2023-01-02 23:00:00");
  EXPECT_EQ(ds.report().gaps[0].hours, 3);
  EXPECT_FALSE(ds.report().gaps[0].dst_spring);
  EXPECT_TRUE(std::isnan(ds.series("x").at(day("2023-01-03"), 0)));
  EXPECT_TRUE(ds.label_text(day("2023-01-03"), 0).empty());
  EXPECT_EQ(ds.label_text(day("2023-01-03"), 2), "2023-01-03 02:00:00");
}

TEST(Dataset, SpringForwardHourIsAFlaggedGap) {
  const auto ds = parse("timestamp,x\n2023-03-12 01:00:00,1\n2023-03-12 03:00:00,1\n");
  ASSERT_EQ(ds.report().gaps.size(), 1u);
  EXPECT_TRUE(ds.report().gaps[0].dst_spring);
}

TEST(Dataset, EmptyAndUnparsableCellsAreMissingAndCounted) {
  const auto ds = parse(
      "timestamp,x,y\n2023-01-02 10:00:00,,1\n2023-01-02 11:00:00,abc,2\n"
      "2023-01-02 12:00:00,3,3\n");
  ASSERT_EQ(ds.report().empty_cells.size(), 1u);
  EXPECT_EQ(ds.report().empty_cells[0].first, "x");
  EXPECT_EQ(ds.report().empty_cells[0].second, 2u);
  EXPECT_TRUE(std::isnan(ds.series("x").at(day("2023-01-02"), 10)));
  EXPECT_EQ(ds.series("y").at(day("2023-01-02"), 10), 1.0);
}

TEST(Dataset, ASpikeAboutTwiceItsNeighboursIsRemovedButARampIsNot) {
  // 0 -> 50 is a sunrise ramp (a neighbour of 0), 120 among 50..60 is a spike.
  const auto ds = parse(
      "timestamp,x\n2023-01-02 07:00:00,0\n2023-01-02 08:00:00,50\n2023-01-02 09:00:00,55\n"
      "2023-01-02 10:00:00,120\n2023-01-02 11:00:00,60\n2023-01-02 12:00:00,58\n");
  const auto s = ds.series("x");
  ASSERT_EQ(ds.report().spikes.size(), 1u);
  EXPECT_EQ(ds.report().spikes[0].label, "2023-01-02 10:00:00");
  EXPECT_EQ(ds.report().spikes[0].neighbour, 60.0);
  EXPECT_TRUE(std::isnan(s.at(day("2023-01-02"), 10)));
  EXPECT_EQ(s.at(day("2023-01-02"), 8), 50.0);
}

TEST(Dataset, BadRowsAreRejectedWithTheirLineNotFatal) {
  const auto ds = parse(
      "timestamp,x\n2023-01-02 10:00:00,1\nnot a time,2\n2023-01-02 11:30:00,2\n"
      "2023-01-02 12:00:00,1,2\n2023-01-02 13:00:00,4\n");
  ASSERT_EQ(ds.report().rejected.size(), 3u);
  EXPECT_EQ(ds.report().rejected[0].line, 3u);
  EXPECT_EQ(ds.report().rejected[2].line, 5u);
  EXPECT_NE(ds.report().summary().find("line 5"), std::string::npos);
  EXPECT_EQ(ds.series("x").at(day("2023-01-02"), 13), 4.0);
}

TEST(Dataset, UnusableInputsGiveClearErrors) {
  EXPECT_THROW(parse(""), std::runtime_error);
  EXPECT_THROW(parse("timestamp,x\nbad,1\n"), std::runtime_error);
  EXPECT_THROW(Dataset::load_csv("/nonexistent/file.csv"), std::runtime_error);
  const auto ds = parse("timestamp,x\n2023-01-02 10:00:00,1\n");
  try {
    ds.series("nope");
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("columns: x"), std::string::npos);
  }
}

TEST(Dataset, TheShippedErcotFileIsCleanedAndReported) {
  const auto ds = Dataset::load_csv(EMS_ERCOT_CSV);
  const auto& r = ds.report();
  EXPECT_EQ(r.rows_read, 12745u);
  EXPECT_EQ(r.duplicates.size(), 124u);
  EXPECT_EQ(r.rows_kept, 12745u - 124u);
  EXPECT_TRUE(r.rejected.empty());
  ASSERT_EQ(r.gaps.size(), 5u);
  EXPECT_EQ(r.gaps[2].first_label, "2022-11-23 01:00:00");
  EXPECT_EQ(r.gaps[2].hours, 480);
  EXPECT_TRUE(r.gaps[3].dst_spring);
  bool spike = false;
  for (const auto& s : r.spikes)
    spike |= s.label == "2023-04-13 15:00:00" && s.column == "solar_system";
  EXPECT_TRUE(spike);
  EXPECT_TRUE(std::isnan(ds.series("solar_system").at(day("2023-04-13"), 15)));
  EXPECT_EQ(ds.series("solar_system").at(day("2023-04-13"), 14), 8626.2);
  EXPECT_LE(r.spikes.size(), 12u);  // the rule stays narrow: no ordinary ramps
}

}  // namespace
}  // namespace ems::forecasting
