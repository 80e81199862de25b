// Calendar, time-zone and feature rules; train/serve parity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ems/forecasting/calendar.hpp"
#include "ems/forecasting/dataset.hpp"
#include "ems/forecasting/features.hpp"
#include "ems/forecasting/models.hpp"
#include "series_fixture.hpp"

namespace ems::forecasting {
namespace {

int day(const char* text) {
  return *parse_day(text);
}

bool same_bits(float a, float b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(Calendar, OneWeekdayConventionMondayIsZero) {
  EXPECT_EQ(weekday(day("2023-10-02")), 0);  // a Monday
  EXPECT_EQ(weekday(day("2023-10-08")), 6);  // a Sunday
  EXPECT_EQ(weekday(day("1970-01-01")), 3);  // a Thursday
  EXPECT_EQ(day_of_year(day("2023-12-31")), 365);
  EXPECT_EQ(format_day(day("2024-02-29")), "2024-02-29");
  EXPECT_FALSE(parse_day("2023-02-29"));
  EXPECT_FALSE(parse_label("2023-01-01 10:30:00"));
  EXPECT_EQ(format_label(*parse_label("2023-01-01T07:00:00")), "2023-01-01 07:00:00");
}

TEST(Calendar, CentralTimeHourEndingLabelsAcrossDst) {
  // Spring forward 2023-03-12: label 02:00 is 01:00-02:00 CST, label 03:00 starts in CDT.
  EXPECT_FALSE(central_dst({day("2023-03-12"), 2}));
  EXPECT_TRUE(central_dst({day("2023-03-12"), 4}));
  // Fall back 2023-11-05: the repeated hour is taken as daylight time, 02:00-03:00 is CST.
  EXPECT_TRUE(central_dst({day("2023-11-05"), 2}));
  EXPECT_FALSE(central_dst({day("2023-11-05"), 3}));
  // 2023-07-01 label 13:00 = 12:00-13:00 CDT, its middle 12:30 CDT = 17:30 UTC.
  EXPECT_DOUBLE_EQ(label_mid_utc_seconds({day("2023-07-01"), 13}),
                   day("2023-07-01") * 86400.0 + 17.5 * 3600.0);
  // Label 00:00 is the last hour of the day before: 23:00-24:00 CST of 2023-01-01 = 05:30 UTC.
  EXPECT_DOUBLE_EQ(label_mid_utc_seconds({day("2023-01-02"), 0}),
                   day("2023-01-02") * 86400.0 + 5.5 * 3600.0);
}

int brightest_label(const Place& p, int d) {
  int best = 0;
  for (int h = 1; h < 24; ++h)
    if (clear_sky_for(p, d, h) > clear_sky_for(p, d, best)) best = h;
  return best;
}

TEST(Features, ClearSkyFollowsTheTexasSunAndTheDstClockShift) {
  const Place texas = place_for_target("solar_system");
  // Solar noon in west Texas is about 13:40 CDT / 12:40 CST: the brightest hour-ending label
  // moves from 14:00 to 13:00 when the clocks fall back, overnight from 11-04 to 11-06.
  EXPECT_EQ(brightest_label(texas, day("2023-11-04")), 14);
  EXPECT_EQ(brightest_label(texas, day("2023-11-06")), 13);
  EXPECT_EQ(clear_sky_for(texas, day("2023-06-21"), 2), 0.0);
  EXPECT_GT(clear_sky_for(texas, day("2023-06-21"), 14), 900.0);
  EXPECT_LT(clear_sky_for(texas, day("2023-12-21"), 13),
            clear_sky_for(texas, day("2023-06-21"), 14));
}

using testing::ramp_series;

TEST(Features, LagsAreReadFromPastDaysOnlyAndMissingStaysMissing) {
  const int first = day("2023-01-02");
  Series s = ramp_series(first, 20);
  s.values[static_cast<std::size_t>(18 * 24 + 10)] = kMissing;  // day 18, hour 10 missing
  const Place p;
  const auto rows = features_for_day(s, p, first + 19);
  const double scale = target_scale(s, first + 19);
  EXPECT_EQ(scale, 100.0 * 18 + 23);     // max of the 14 days before
  EXPECT_TRUE(std::isnan(rows[10][7]));  // lag_1d of the missing hour: NaN, not 0
  EXPECT_FLOAT_EQ(rows[11][7], static_cast<float>((1800.0 + 11) / scale));
  EXPECT_FLOAT_EQ(rows[11][9], static_cast<float>((1200.0 + 11) / scale));  // lag_7d
  EXPECT_FLOAT_EQ(rows[5][1], static_cast<float>(weekday(first + 19)));
  // A day after the data: lags of days that do not exist are NaN, the calendar is still there.
  const auto beyond = features_for_day(s, p, first + 40);
  EXPECT_TRUE(std::isnan(beyond[3][7]));
  EXPECT_FLOAT_EQ(beyond[3][0], 3.0f);
}

TEST(Features, TheBuilderIgnoresValuesOnOrAfterItsDay) {
  const int first = day("2023-01-02");
  Series s = ramp_series(first, 30);
  const auto before = features_for_day(s, {}, first + 20);
  for (std::size_t i = 20 * 24; i < s.values.size(); ++i)
    s.values[i] = 1e6 + static_cast<double>(i);
  const auto after = features_for_day(s, {}, first + 20);
  for (int h = 0; h < 24; ++h)
    for (std::size_t f = 0; f < kFeatureCount; ++f)
      EXPECT_TRUE(same_bits(before[h][f], after[h][f])) << "hour " << h << " feature " << f;
}

TEST(Features, TrainAndServePathsBuildTheSameRowsForTheSameHour) {
  const auto ds = Dataset::load_csv(EMS_ERCOT_CSV);
  const Series series = ds.series("solar_system");
  const int origin = day("2023-11-10");  // the window spans the 2023-11-05 DST change
  GbtParams params;
  params.train_days = 30;
  const GbtModel model("solar_system", params);
  const auto set = model.training_set(series.before(origin));
  ASSERT_GT(set.rows.size(), 24u * 25);
  const Place place = place_for_target("solar_system");
  for (std::size_t i = 0; i < set.rows.size(); ++i) {
    const auto [d, h] = set.slots[i];
    // Serving for day d sees exactly the days before d.
    const auto served = features_for_day(series.before(d), place, d);
    for (std::size_t f = 0; f < kFeatureCount; ++f)
      ASSERT_TRUE(same_bits(set.rows[i][f], served[h][f]))
          << format_label({d, h}) << " feature " << feature_names()[f];
    ASSERT_FLOAT_EQ(set.labels[i],
                    static_cast<float>(series.at(d, h) / target_scale(series.before(d), d)));
  }
}

}  // namespace
}  // namespace ems::forecasting
