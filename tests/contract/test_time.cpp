// RFC 3339 payload timestamps (CONTRACT.md section 3).
#include "ems/contract/time.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ems/contract/issue.hpp"

namespace ems::contract {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

Timestamp ms(std::int64_t v) {
  return Timestamp{milliseconds{v}};
}

// Epoch milliseconds computed independently (Python datetime, UTC).
struct KnownInstant {
  std::int64_t epoch_ms;
  std::string text;
};
const std::vector<KnownInstant> kKnown = {
    {0, "1970-01-01T00:00:00.000Z"},
    {1, "1970-01-01T00:00:00.001Z"},
    {-1, "1969-12-31T23:59:59.999Z"},
    {1795676711123, "2026-11-26T07:05:11.123Z"},
    {951825600000, "2000-02-29T12:00:00.000Z"},
    {1709251199999, "2024-02-29T23:59:59.999Z"},
    {1709251200000, "2024-03-01T00:00:00.000Z"},
    {-2203891200000, "1900-03-01T00:00:00.000Z"},
    {253402300799999, "9999-12-31T23:59:59.999Z"},
    {-62135596800000, "0001-01-01T00:00:00.000Z"},
    {-62167219200000, "0000-01-01T00:00:00.000Z"},
};

TEST(Time, FormatsKnownInstants) {
  for (const auto& k : kKnown) {
    EXPECT_EQ(format_timestamp(ms(k.epoch_ms)), k.text);
  }
}

TEST(Time, ParsesKnownInstants) {
  for (const auto& k : kKnown) {
    SCOPED_TRACE(k.text);
    EXPECT_EQ(parse_timestamp(k.text).time_since_epoch().count(), k.epoch_ms);
  }
}

TEST(Time, YearsOutsideRfc3339AreRejectedOnFormat) {
  EXPECT_THROW(format_timestamp(ms(253402300800000)), ContractError);  // 10000-01-01
  EXPECT_THROW(format_timestamp(ms(-62167219200001)), ContractError);  // year -1
}

TEST(Time, SubMillisecondsAreFlooredNotRounded) {
  using std::chrono::nanoseconds;
  using std::chrono::system_clock;
  auto at = [](std::int64_t ns) {
    return format_timestamp(system_clock::time_point{
        std::chrono::duration_cast<system_clock::duration>(nanoseconds{ns})});
  };
  EXPECT_EQ(at(999'999), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(at(1'999'999'999), "1970-01-01T00:00:01.999Z");
  EXPECT_EQ(at(59'999'999'999), "1970-01-01T00:00:59.999Z");
  EXPECT_EQ(at(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(at(-1'000'000), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(at(-1'000'001), "1969-12-31T23:59:59.998Z");
  EXPECT_EQ(to_timestamp(system_clock::time_point{
                std::chrono::duration_cast<system_clock::duration>(nanoseconds{-1})}),
            ms(-1));
}

TEST(Time, FractionDigitsAreToleratedAndTruncated) {
  struct Case {
    const char* text;
    std::int64_t epoch_ms;
  };
  const Case cases[] = {
      {"1970-01-01T00:00:01Z", 1000},
      {"1970-01-01T00:00:01.5Z", 1500},
      {"1970-01-01T00:00:01.05Z", 1050},
      {"1970-01-01T00:00:01.123Z", 1123},
      {"1970-01-01T00:00:01.1239Z", 1123},
      {"1970-01-01T00:00:01.999999999Z", 1999},
      {"2026-11-26T07:05:11.123+00:00", 1795676711123},
      {"2026-11-26T07:05:11.123-00:00", 1795676711123},
      {"2026-11-26T07:05:11+00:00", 1795676711000},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(parse_timestamp(c.text).time_since_epoch().count(), c.epoch_ms);
  }
}

TEST(Time, RejectsWithAReason) {
  struct Case {
    std::string text;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {"", "date part"},
      {"garbage", "date part"},
      {"2026-11-26", "'T' after the date"},
      {"2026-11-26 07:05:11.123Z", "'T' after the date"},
      {"2026-11-26t07:05:11.123Z", "'T' after the date"},
      {"2026/11/26T07:05:11.123Z", "date part"},
      {"26-11-26T07:05:11.123Z", "date part"},
      {"2O26-11-26T07:05:11.123Z", "date part"},
      {"+2026-11-26T07:05:11.123Z", "date part"},
      {"2026-11-26T07:05Z", "time part"},
      {"2026-11-26T7:05:11.123Z", "time part"},
      {"2026-00-26T07:05:11.123Z", "month 0 is not 01-12"},
      {"2026-13-26T07:05:11.123Z", "month 13 is not 01-12"},
      {"2026-11-00T07:05:11.123Z", "day 0 does not exist in 2026-11"},
      {"2026-04-31T07:05:11.123Z", "day 31 does not exist in 2026-04"},
      {"2023-02-29T00:00:00.000Z", "day 29 does not exist in 2023-02"},
      {"1900-02-29T00:00:00.000Z", "day 29 does not exist in 1900-02"},
      {"2100-02-29T00:00:00.000Z", "day 29 does not exist"},
      {"2026-11-26T24:00:00.000Z", "hour 24 is not 00-23"},
      {"2026-11-26T07:60:11.123Z", "minute 60 is not 00-59"},
      {"2016-12-31T23:59:60.000Z", "leap second 60 is not supported"},
      {"2026-11-26T07:05:61.123Z", "second 61 is not 00-59"},
      {"2026-11-26T07:05:11.123", "missing the 'Z' (UTC) suffix"},
      {"2026-11-26T07:05:11.123z", "uppercase 'Z'"},
      {"2026-11-26T07:05:11.123+01:00", "offset '+01:00' is not UTC"},
      {"2026-11-26T07:05:11.123-05:00", "offset '-05:00' is not UTC"},
      {"2026-11-26T07:05:11.Z", "must be followed by fractional digits"},
      {"2026-11-26T07:05:11.1234567890Z", "more than 9 fractional digits"},
      {"2026-11-26T07:05:11.123ZZ", "unexpected 'ZZ' after the time"},
      {"2026-11-26T07:05:11.123Z ", "unexpected 'Z ' after the time"},
      {"2026-11-26T07:05:11,123Z", "unexpected ',123Z'"},
      {std::string("2026-11-26T07:05:11.123Z\0", 25), "unexpected"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      parse_timestamp(c.text);
      ADD_FAILURE() << "accepted";
    } catch (const ContractError& e) {
      EXPECT_THAT(e.what(), HasSubstr("invalid timestamp"));
      EXPECT_THAT(e.what(), HasSubstr(c.message_part));
    }
  }
}

TEST(Time, FormatParseRoundTripAcrossTheRange) {
  // A fixed linear congruential sequence: reproducible, bounded, spread over years 0000-9999.
  constexpr std::int64_t kMin = -62167219200000, kMax = 253402300799999;
  std::uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    std::int64_t v = kMin + static_cast<std::int64_t>(x % static_cast<std::uint64_t>(kMax - kMin));
    std::string text = format_timestamp(ms(v));
    ASSERT_EQ(text.size(), 24u) << text;
    ASSERT_EQ(parse_timestamp(text), ms(v)) << text;
  }
}

TEST(Calendar, AgreesWithStdChronoEveryDayOverSixCenturies) {
  // std::chrono's calendar is an independent implementation of the same proleptic Gregorian rules.
  const std::int64_t first = days_from_civil(1700, 1, 1);
  const std::int64_t last = days_from_civil(2300, 12, 31);
  for (std::int64_t d = first; d <= last; ++d) {
    std::chrono::year_month_day ref{std::chrono::sys_days{std::chrono::days{d}}};
    CivilDate mine = civil_from_days(d);
    ASSERT_EQ(mine.year, static_cast<int>(ref.year())) << d;
    ASSERT_EQ(mine.month, static_cast<unsigned>(ref.month())) << d;
    ASSERT_EQ(mine.day, static_cast<unsigned>(ref.day())) << d;
    ASSERT_EQ(days_from_civil(mine.year, mine.month, mine.day), d);
  }
}

TEST(Calendar, LeapYearsAndMonthLengths) {
  EXPECT_TRUE(is_leap_year(2024));
  EXPECT_TRUE(is_leap_year(2000));
  EXPECT_TRUE(is_leap_year(0));
  EXPECT_FALSE(is_leap_year(1900));
  EXPECT_FALSE(is_leap_year(2100));
  EXPECT_FALSE(is_leap_year(2026));
  EXPECT_EQ(days_in_month(2024, 2), 29u);
  EXPECT_EQ(days_in_month(2026, 2), 28u);
  EXPECT_EQ(days_in_month(2026, 4), 30u);
  EXPECT_EQ(days_in_month(2026, 12), 31u);
  EXPECT_EQ(days_in_month(2026, 0), 0u);
  EXPECT_EQ(days_in_month(2026, 13), 0u);
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);
  EXPECT_EQ((civil_from_days(-719468)), (CivilDate{0, 3, 1}));
}

}  // namespace
}  // namespace ems::contract
