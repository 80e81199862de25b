// The site's hourly history (UTC hour starts from the historian) on the label grid, the
// intraday update, and a fitted model surviving save/load (what the registry stores and the
// server predicts with, never training).
#include <gtest/gtest.h>

#include <cmath>

#include "ems/forecasting/calendar.hpp"
#include "ems/forecasting/models.hpp"
#include "ems/forecasting/site_series.hpp"
#include "series_fixture.hpp"

namespace ems::forecasting {
namespace {

std::int64_t utc(int y, int m, int d, int h) {
  return std::int64_t{days_from_civil({y, m, d})} * 86400 + h * 3600;
}

TEST(UtcHours, MapToHourEndingCentralLabelsAcrossDst) {
  // 2023-07-01 17:00-18:00 UTC = 12:00-13:00 CDT -> label "2023-07-01 13:00".
  Label l = label_of_utc_hour(utc(2023, 7, 1, 17));
  EXPECT_EQ(format_label(l), "2023-07-01 13:00:00");
  // Winter: 18:00-19:00 UTC = 12:00-13:00 CST.
  EXPECT_EQ(format_label(label_of_utc_hour(utc(2023, 12, 1, 18))), "2023-12-01 13:00:00");
  // The last hour of a day is labelled 00:00 of the next: 05:00-06:00 UTC on 12-02 = 23-24 CST.
  EXPECT_EQ(format_label(label_of_utc_hour(utc(2023, 12, 2, 5))), "2023-12-02 00:00:00");
  // Any second inside the hour names the same hour.
  EXPECT_EQ(format_label(label_of_utc_hour(utc(2023, 12, 1, 18) + 3599)), "2023-12-01 13:00:00");

  // Every hour of 2023 round-trips, except the second of the fall-back day's repeated hour.
  int repeated = 0;
  for (std::int64_t t = utc(2023, 1, 1, 0); t < utc(2024, 1, 1, 0); t += 3600) {
    const Label label = label_of_utc_hour(t);
    if (label_start_utc_seconds(label) != t) {
      ++repeated;
      EXPECT_EQ(format_label(label), "2023-11-05 02:00:00");
      continue;
    }
  }
  EXPECT_EQ(repeated, 1);
  // Spring forward: no UTC hour maps to 2023-03-12 02:00, the slot Dataset flags `dst_spring`
  // (01:00-02:00 CST is followed by 03:00 CDT, labelled 03:00 by central_dst()).
  for (std::int64_t t = utc(2023, 3, 12, 0); t < utc(2023, 3, 13, 0); t += 3600)
    EXPECT_NE(format_label(label_of_utc_hour(t)), "2023-03-12 02:00:00");
  EXPECT_EQ(format_label(label_of_utc_hour(utc(2023, 3, 12, 7))), "2023-03-12 03:00:00");
}

TEST(UtcHours, SeriesKeepsTheFirstOfARepeatedHourAndLeavesGapsMissing) {
  std::vector<UtcHourValue> points;
  for (std::int64_t t = utc(2023, 11, 4, 6); t < utc(2023, 11, 7, 6); t += 3600)
    points.push_back({t, static_cast<double>((t - utc(2023, 11, 4, 6)) / 3600)});
  points.erase(points.begin() + 40);  // a gap
  const Series s = series_from_utc_hours("site_pv", points);
  EXPECT_EQ(s.name, "site_pv");
  EXPECT_EQ(format_day(s.first_day), "2023-11-04");
  const int d = *parse_day("2023-11-05");
  // 06:00-07:00 UTC = 01:00-02:00 CDT (index 24) and 07:00-08:00 UTC = 01:00-02:00 CST (25) are
  // both "2023-11-05 02:00": the first wins.
  EXPECT_EQ(s.at(d, 2), 24.0);
  EXPECT_EQ(s.at(d, 3), 26.0);
  EXPECT_TRUE(std::isnan(s.at(d, 17)));  // the removed point (index 40)
  EXPECT_TRUE(series_from_utc_hours("x", {}).values.empty());
}

TEST(Intraday, CarriesTheRecentErrorForwardAndDecays) {
  DayForecast da;
  da.fill(100.0);
  Series observed = testing::ramp_series(10, 2);  // day 11 has 124..., overwrite it
  for (int h = 0; h < 24; ++h) observed.values[24 + h] = h <= 8 ? 110.0 : kMissing;
  observed.values[24 + 8] = 130.0;  // last three hours: errors 10, 10, 30 -> bias 50/3
  const auto f = intraday_update(da, observed, 11, true);
  EXPECT_EQ(f.last_observed_hour, 8);
  EXPECT_EQ(f.values[8], 100.0);  // observed hours keep the day-ahead value
  const double bias = 50.0 / 3.0;
  EXPECT_NEAR(f.values[9], 100.0 + bias * std::exp(-1.0 / 3.0), 1e-9);
  EXPECT_NEAR(f.values[20], 100.0 + bias * std::exp(-12.0 / 3.0), 1e-9);
  // No observation of the day: the day-ahead forecast as it is.
  const auto none = intraday_update(da, observed, 12, true);
  EXPECT_EQ(none.last_observed_hour, -1);
  EXPECT_EQ(none.values, da);
  // A negative correction is clipped at zero for a non-negative series.
  for (int h = 0; h <= 8; ++h) observed.values[24 + h] = 0.0;
  da.fill(10.0);
  da[6] = da[7] = da[8] = 50.0;  // bias -50: 10 - 50 * exp(-1/3) < 0
  EXPECT_EQ(intraday_update(da, observed, 11, true).values[9], 0.0);
  EXPECT_LT(intraday_update(da, observed, 11, false).values[9], 0.0);
}

TEST(SavedModel, PredictsExactlyWhatTheFittedModelDid) {
  const Series s = testing::ramp_series(19000, 40);
  GbtParams p;
  p.trees = 20;
  GbtModel fitted("x", p, Place{37.77, -122.42});
  fitted.fit(s.before(19035));
  const std::string text = fitted.save();
  GbtModel loaded("x", p, Place{37.77, -122.42});
  EXPECT_FALSE(loaded.fitted());
  loaded.load(text);
  EXPECT_TRUE(loaded.fitted());
  EXPECT_EQ(loaded.nonnegative(), fitted.nonnegative());
  EXPECT_EQ(loaded.training_rows(), fitted.training_rows());
  for (int day = 19035; day < 19040; ++day)
    EXPECT_EQ(loaded.predict(s.before(day), day), fitted.predict(s.before(day), day));

  GbtModel fresh("x", p);
  EXPECT_THROW(fresh.save(), std::runtime_error);
  EXPECT_THROW(fresh.load("not json"), std::runtime_error);
  EXPECT_THROW(fresh.load(R"({"format":"ems-gbt-1","booster":"{}"})"), std::runtime_error);
  EXPECT_FALSE(fresh.fitted());
}

}  // namespace
}  // namespace ems::forecasting
