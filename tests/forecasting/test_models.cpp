// Baselines against hand computations, the no-look-ahead rule for every model, the backtest on
// the shipped ERCOT data.
#include <gtest/gtest.h>

#include <cmath>

#include "ems/forecasting/backtest.hpp"
#include "ems/forecasting/models.hpp"
#include "series_fixture.hpp"

namespace ems::forecasting {
namespace {

int day(const char* text) {
  return *parse_day(text);
}

using testing::ramp_series;

TEST(Baselines, PersistenceIsTheSameHourYesterday) {
  const int first = day("2023-01-02");
  const Series s = ramp_series(first, 10);
  const auto f = make_model("persistence", "x")->predict(s.before(first + 10), first + 10);
  EXPECT_EQ(f[0], 900.0);
  EXPECT_EQ(f[17], 917.0);
}

TEST(Baselines, SeasonalNaiveIsTheMeanOfTheLastSevenDays) {
  const int first = day("2023-01-02");
  Series s = ramp_series(first, 10);
  // days 3..9 -> mean 600 + h; with day 9 hour 5 missing -> mean of days 3..8 = 550 + 5.
  s.values[9 * 24 + 5] = kMissing;
  const auto f = make_model("seasonal_naive", "x")->predict(s, first + 10);
  EXPECT_DOUBLE_EQ(f[4], 604.0);
  EXPECT_DOUBLE_EQ(f[5], 555.0);
}

TEST(Baselines, ClimatologyIsTheMeanOfTheLast28DaysThatExist) {
  const int first = day("2023-01-02");
  const Series s = ramp_series(first, 40);
  const auto f = make_model("climatology", "x")->predict(s, first + 40);
  EXPECT_DOUBLE_EQ(f[7], 100.0 * (12 + 39) / 2.0 + 7);  // days 12..39
  const Series short_s = ramp_series(first, 10);        // only days 0..9 exist
  EXPECT_DOUBLE_EQ(make_model("climatology", "x")->predict(short_s, first + 10)[7], 457.0);
}

TEST(Baselines, ClearSkyIsScaledByTheClearestOfTheLastSevenDays) {
  const int first = day("2023-06-01");
  const Place p = place_for_target("solar_system");
  Series s{"solar_system", first, std::vector<double>(10 * 24)};
  for (int d = 0; d < 10; ++d)
    for (int h = 0; h < 24; ++h)
      s.values[static_cast<std::size_t>(d * 24 + h)] =
          (d == 6 ? 12.0 : 5.0 + d % 3) * clear_sky_for(p, first + d, h);
  const auto f = make_model("clear_sky", "solar_system")->predict(s, first + 10);
  // Day 6 is the clearest (12x clear sky): its hours carried to day 10 by the clear-sky ratio,
  // dawn and dusk hours (under 20 W/m2 on day 6) as they were.
  int scaled = 0;
  for (int h = 0; h < 24; ++h) {
    const double then = clear_sky_for(p, first + 6, h);
    const double now = clear_sky_for(p, first + 10, h);
    EXPECT_NEAR(f[h], then > 20.0 ? 12.0 * now : 12.0 * then, 1e-6) << h;
    scaled += then > 20.0 ? 1 : 0;
  }
  EXPECT_GE(scaled, 10);
}

TEST(Baselines, UnknownModelNamesTheKnownOnes) {
  try {
    make_model("prophet", "x");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("persistence"), std::string::npos);
  }
}

class NoLookAhead : public ::testing::TestWithParam<std::string> {};

// Changing any value on or after day D (or deleting it) changes no forecast for D: through the
// backtest's own cut, and - for the models' own guard - when predict() is handed the full series.
TEST_P(NoLookAhead, ValuesOnOrAfterTheDayChangeNoForecastForIt) {
  static const Dataset ds = Dataset::load_csv(EMS_ERCOT_CSV);
  const Series original = ds.series("solar_system");
  GbtParams small;
  small.trees = 20;
  small.train_days = 30;
  for (const char* d_text : {"2023-11-05", "2023-12-20"}) {
    const int d = day(d_text);
    Series changed = original;
    for (std::size_t i = static_cast<std::size_t>(d - changed.first_day) * 24;
         i < changed.values.size(); ++i)
      changed.values[i] = i % 5 == 0 ? kMissing : changed.values[i] * 3.0 + 1000.0;
    auto m1 = make_model(GetParam(), "solar_system", small);
    auto m2 = make_model(GetParam(), "solar_system", small);
    const auto r1 = backtest(original, *m1, {d, d, 1});
    const auto r2 = backtest(changed, *m2, {d, d, 1});
    ASSERT_EQ(r1.hours.size(), 24u);
    for (int h = 0; h < 24; ++h) {
      EXPECT_FALSE(std::isnan(r1.hours[h].forecast)) << d_text << " " << h;
      EXPECT_EQ(r1.hours[h].forecast, r2.hours[h].forecast) << d_text << " hour " << h;
    }
    // Handed everything, the model still reads only the days before D.
    const auto full1 = m1->predict(original, d);
    const auto full2 = m1->predict(changed, d);
    for (int h = 0; h < 24; ++h) EXPECT_EQ(full1[h], full2[h]) << d_text << " hour " << h;
    EXPECT_EQ(full1[12], r1.hours[12].forecast);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryModel, NoLookAhead, ::testing::ValuesIn(model_names()));

TEST(Backtest, PersistenceOnTheIssueWindowReproduces813Mw) {
  const auto ds = Dataset::load_csv(EMS_ERCOT_CSV);
  auto model = make_model("persistence", "solar_system");
  const auto r =
      backtest(ds.series("solar_system"), *model, {day("2023-10-03"), day("2023-12-31"), 1});
  EXPECT_EQ(r.hours.size(), 90u * 24);
  EXPECT_NEAR(r.metrics.mae, 813.0, 8.13);
  EXPECT_DOUBLE_EQ(r.metrics.skill, 0.0);
  EXPECT_GT(r.metrics.hours, 2100u);
}

TEST(Backtest, TreesAreScoredOnTheSameHoursAsPersistence) {
  const auto ds = Dataset::load_csv(EMS_ERCOT_CSV);
  const Series s = ds.series("solar_system");
  GbtParams small;
  small.trees = 30;
  auto gbt = make_model("gbt", "solar_system", small);
  const auto r = backtest(s, *gbt, {day("2023-12-01"), day("2023-12-14"), 7});
  EXPECT_EQ(r.fits, 2);
  const Metrics m = score(r.hours);
  EXPECT_EQ(m.hours, r.metrics.hours);
  double p = 0.0;
  std::size_t n = 0;
  for (const auto& h : r.hours)
    if (!std::isnan(h.actual) && !std::isnan(h.forecast) && !std::isnan(h.persistence)) {
      p += std::fabs(h.persistence - h.actual);
      ++n;
    }
  EXPECT_EQ(n, m.hours);
  EXPECT_NEAR(m.persistence_mae, p / static_cast<double>(n), 1e-9);
  EXPECT_NEAR(m.skill, 1.0 - m.mae / m.persistence_mae, 1e-12);
  // A learned model is at least in the league of the baselines (not a broken fit).
  EXPECT_LT(m.mae, 2.0 * m.persistence_mae);
}

TEST(Backtest, QuantileTreesGiveAnOrderedIntervalThatCoversAboutItsShare) {
  const auto ds = Dataset::load_csv(EMS_ERCOT_CSV);
  const Series s = ds.series("solar_system");
  const BacktestOptions window{day("2023-11-20"), day("2023-12-10"), 1};
  auto q10 = make_model("gbt_q10", "solar_system");
  auto q90 = make_model("gbt_q90", "solar_system");
  EXPECT_EQ(q90->name(), "gbt_q90");
  EXPECT_EQ(make_model("gbt_q07", "x")->name(), "gbt_q07");
  EXPECT_EQ(make_model("gbt_q29", "x")->name(), "gbt_q29");
  const auto lo = backtest(s, *q10, window);
  const auto hi = backtest(s, *q90, window);
  std::size_t n = 0, inside = 0, ordered = 0;
  for (std::size_t i = 0; i < lo.hours.size(); ++i) {
    const double a = lo.hours[i].actual;
    if (std::isnan(a)) continue;
    ++n;
    ordered += lo.hours[i].forecast <= hi.hours[i].forecast ? 1 : 0;
    inside += lo.hours[i].forecast <= a && a <= hi.hours[i].forecast ? 1 : 0;
  }
  ASSERT_GT(n, 400u);
  EXPECT_EQ(ordered, n);
  const double coverage = static_cast<double>(inside) / static_cast<double>(n);
  EXPECT_GT(coverage, 0.6);  // nominal 0.8; 0.79 on the 90-day window (README)
  EXPECT_LT(coverage, 0.97);
  EXPECT_THROW(make_model("gbt_q00", "x"), std::invalid_argument);
  EXPECT_THROW(make_model("gbt_q5", "x"), std::invalid_argument);
}

TEST(Backtest, RangesOutsideTheDataAreClearErrors) {
  const Series s = Series{"x", day("2023-01-02"), std::vector<double>(48, 1.0)};
  auto model = make_model("persistence", "x");
  EXPECT_THROW(backtest(s, *model, {day("2023-01-05"), day("2023-01-01"), 1}),
               std::invalid_argument);
  EXPECT_THROW(backtest(s, *model, {day("2024-01-05"), day("2024-01-06"), 1}),
               std::invalid_argument);
  GbtModel untrained("x");
  EXPECT_THROW(untrained.predict(s, day("2023-01-04")), std::runtime_error);
  EXPECT_THROW(untrained.fit(s), std::runtime_error);  // two days are not enough to train
}

}  // namespace
}  // namespace ems::forecasting
