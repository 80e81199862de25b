// IEEE 738-2012 steady state and transient against the standard's Drake example, plus unit tests
// of the pieces (solar geometry, wind-angle factor, convection regime, resistance).
#include <gtest/gtest.h>

#include <cmath>

#include "drake_example.hpp"
#include "ems/physics/heat_balance.hpp"
#include "ems/physics/ieee738.hpp"

namespace {

using namespace ems::physics;
using ems::physics::testing::drake_example_conditions;
using ems::physics::testing::expect_within_half_percent;
using ems::physics::testing::kDrakeMaxC;

const Conductor& drake() {
  const Conductor* c = find_conductor("Drake");
  EXPECT_NE(c, nullptr);
  return *c;
}

TEST(Ieee738Example, EveryPublishedTermWithinHalfPercent) {
  const Rating r = rate(Method::ieee738, drake(), drake_example_conditions(), kDrakeMaxC);
  // Published: IEEE 738-2023 4.6.1.7 (2012 prints 81.93 / 39.1 / 22.44 / 9.390e-5 / 1025).
  expect_within_half_percent(r.balance.convection_w_per_m, 82.10, "q_c");
  expect_within_half_percent(r.balance.radiation_w_per_m, 39.11, "q_r");
  expect_within_half_percent(r.balance.solar_w_per_m, 22.45, "q_s");
  expect_within_half_percent(r.balance.resistance_ohm_per_m, 9.391e-5, "R(100 C)");
  expect_within_half_percent(r.amps, 1025.0, "rating");
  EXPECT_EQ(r.balance.regime, ConvectionRegime::forced_low_wind);
  expect_within_half_percent(r.balance.air_density_kg_per_m3, 1.029, "rho_f");
}

TEST(Ieee738Example, IntermediateValuesOfTheStandard) {
  const ieee738::AirProperties air = ieee738::air_properties(70.0, 0.0);
  EXPECT_NEAR(air.density_kg_per_m3, 1.029, 0.001);
  EXPECT_NEAR(air.viscosity_kg_per_m_s, 2.043e-5, 0.001e-5);
  EXPECT_NEAR(air.conductivity_w_per_m_c, 0.02945, 0.00001);
  const ieee738::Convection c = ieee738::convection(0.02814, 100.0, 40.0, 0.61, 90.0, 0.0);
  EXPECT_NEAR(c.reynolds, 865.0, 1.0);
  EXPECT_NEAR(c.natural_w_per_m, 42.4, 0.1);
  EXPECT_NEAR(c.forced_low_wind_w_per_m, 82.08, 0.2);
  EXPECT_NEAR(c.forced_high_wind_w_per_m, 77.06, 0.2);
}

TEST(SolarGeometry, DrakeExampleSunPosition) {
  EXPECT_NEAR(ieee738_declination_deg(161), 23.02, 0.01);
  const SolarPosition sun = solar_position(30.0, ieee738_declination_deg(161), 11.0);
  EXPECT_NEAR(sun.altitude_deg, 74.89, 0.05);
  EXPECT_NEAR(sun.azimuth_deg, 113.95, 0.1);
  EXPECT_NEAR(incidence_angle_deg(sun, 90.0), 76.22, 0.05);
  EXPECT_NEAR(ieee738::solar_flux_sea_level(sun.altitude_deg, Atmosphere::clear), 1027.3, 1.0);
}

TEST(SolarGeometry, NoonSunIsDueSouthNorthOfTheTropicAndNorthSouthOfIt) {
  const double dec = ieee738_declination_deg(172);  // ~23.45 at the June solstice
  const SolarPosition north = solar_position(45.0, dec, 12.0);
  EXPECT_NEAR(north.altitude_deg, 90.0 - 45.0 + dec, 1e-9);
  EXPECT_NEAR(north.azimuth_deg, 180.0, 1e-9);
  const SolarPosition south = solar_position(-30.0, dec, 12.0);
  EXPECT_NEAR(south.azimuth_deg, 0.0, 1e-9);
}

TEST(SolarGeometry, MorningSunIsEastAfternoonSunWestAndSymmetric) {
  const double dec = ieee738_declination_deg(80);
  const SolarPosition am = solar_position(40.0, dec, 9.0);
  const SolarPosition pm = solar_position(40.0, dec, 15.0);
  EXPECT_GT(am.azimuth_deg, 90.0 - 45.0);
  EXPECT_LT(am.azimuth_deg, 180.0);
  EXPECT_NEAR(am.altitude_deg, pm.altitude_deg, 1e-9);
  EXPECT_NEAR(am.azimuth_deg + pm.azimuth_deg, 360.0, 1e-9);
}

TEST(SolarGeometry, NightGivesNoSolarHeat) {
  Conditions k = drake_example_conditions();
  k.time.solar_hour = 0.0;
  const Rating r = rate(Method::ieee738, drake(), k, kDrakeMaxC);
  EXPECT_LT(r.balance.sun.altitude_deg, 0.0);
  EXPECT_EQ(r.balance.solar_w_per_m, 0.0);
  EXPECT_NEAR(r.amps, 1136.0, 1.0);  // the "no sun" case: sqrt((82.08 + 39.11) / 9.3905e-5)
}

TEST(SolarFlux, IndustrialAtmosphereAndElevation) {
  // Industrial is below clear at high sun (the standard's Table 3 curves).
  EXPECT_LT(ieee738::solar_flux_sea_level(75.0, Atmosphere::industrial),
            ieee738::solar_flux_sea_level(75.0, Atmosphere::clear));
  EXPECT_GT(ieee738::solar_flux_sea_level(75.0, Atmosphere::industrial), 800.0);
  EXPECT_EQ(ieee738::solar_flux_sea_level(-5.0, Atmosphere::clear), 0.0);
  EXPECT_NEAR(ieee738::elevation_factor(250.0), 1.0280075, 1e-7);
  EXPECT_NEAR(
      ieee738::solar_flux_sea_level(std::asin(0.7885372342) * 180.0 / M_PI, Atmosphere::clear),
      974.5453, 0.01);
}

TEST(SolarFlux, MeasuredFluxReplacesTheModel) {
  Conditions k = drake_example_conditions();
  k.weather.solar_flux_w_per_m2 = 500.0;
  const Rating r = rate(Method::ieee738, drake(), k, kDrakeMaxC);
  EXPECT_NEAR(r.balance.solar_w_per_m, 0.8 * 500.0 * std::sin(76.22 * M_PI / 180.0) * 0.02814,
              0.01);
}

TEST(WindAngleFactor, StandardValuesAndSymmetry) {
  EXPECT_NEAR(ieee738::wind_angle_factor(0.0), 0.388, 1e-9);
  EXPECT_NEAR(ieee738::wind_angle_factor(45.0), 0.8549, 1e-4);
  EXPECT_NEAR(ieee738::wind_angle_factor(90.0), 1.0, 1e-9);
  for (double a : {10.0, 30.0, 60.0, 80.0}) {
    EXPECT_NEAR(ieee738::wind_angle_factor(a), ieee738::wind_angle_factor(180.0 - a), 1e-12);
    EXPECT_NEAR(ieee738::wind_angle_factor(a), ieee738::wind_angle_factor(-a), 1e-12);
    EXPECT_NEAR(ieee738::wind_angle_factor(a), ieee738::wind_angle_factor(a + 360.0), 1e-9);
  }
  EXPECT_NEAR(ieee738::fold_wind_angle_deg(270.0), 90.0, 1e-12);
  EXPECT_NEAR(ieee738::fold_wind_angle_deg(135.0), 45.0, 1e-12);
}

TEST(ConvectionRegime, NaturalAtNoWindLowAtLowWindHighAtHighWind) {
  const double d = 0.02814;
  const ieee738::Convection calm = ieee738::convection(d, 100.0, 40.0, 0.0, 90.0, 0.0);
  EXPECT_EQ(calm.regime, ConvectionRegime::natural);
  EXPECT_DOUBLE_EQ(calm.w_per_m, calm.natural_w_per_m);

  const ieee738::Convection low = ieee738::convection(d, 100.0, 40.0, 0.61, 90.0, 0.0);
  EXPECT_EQ(low.regime, ConvectionRegime::forced_low_wind);
  EXPECT_GT(low.forced_low_wind_w_per_m, low.forced_high_wind_w_per_m);

  const ieee738::Convection high = ieee738::convection(d, 100.0, 40.0, 10.0, 90.0, 0.0);
  EXPECT_EQ(high.regime, ConvectionRegime::forced_high_wind);
  EXPECT_GT(high.forced_high_wind_w_per_m, high.forced_low_wind_w_per_m);
  EXPECT_DOUBLE_EQ(high.w_per_m, high.forced_high_wind_w_per_m);

  // Parallel wind: K_angle 0.388 leaves forced (~31.8 W/m) below natural (42.4 W/m).
  const ieee738::Convection parallel = ieee738::convection(d, 100.0, 40.0, 0.61, 0.0, 0.0);
  EXPECT_EQ(parallel.regime, ConvectionRegime::natural);
  EXPECT_NEAR(parallel.forced_low_wind_w_per_m, 31.8, 0.1);
}

TEST(Ieee738Example, DerivedCases) {
  Conditions k = drake_example_conditions();
  k.weather.wind_speed_mps = 0.0;
  EXPECT_NEAR(rate(Method::ieee738, drake(), k, kDrakeMaxC).amps, 793.1, 1.0);
  k = drake_example_conditions();
  k.weather.wind_angle_deg = 0.0;
  EXPECT_NEAR(rate(Method::ieee738, drake(), k, kDrakeMaxC).amps, 793.1, 1.0);
  Conductor half = drake();
  half.emissivity = half.absorptivity = 0.5;
  EXPECT_NEAR(rate(Method::ieee738, half, drake_example_conditions(), kDrakeMaxC).amps, 992.4, 1.0);
}

TEST(Ieee738, RatingIsZeroWhenTheSunAloneHeatsTheConductorThatFar) {
  Conditions k = drake_example_conditions();
  k.weather.wind_speed_mps = 0.0;
  k.weather.solar_flux_w_per_m2 = 1.0e5;  // absurd, to drive q_s above q_c + q_r
  const Rating r = rate(Method::ieee738, drake(), k, 45.0);
  EXPECT_LT(r.balance.headroom_w_per_m(), 0.0);
  EXPECT_EQ(r.amps, 0.0);
}

TEST(Ieee738, RatingFallsWithAmbientAndRisesWithWindAndMaxTemperature) {
  const Conditions base = drake_example_conditions();
  const double i0 = rate(Method::ieee738, drake(), base, kDrakeMaxC).amps;
  Conditions hot = base;
  hot.weather.ambient_c = 45.0;
  EXPECT_LT(rate(Method::ieee738, drake(), hot, kDrakeMaxC).amps, i0);
  Conditions windy = base;
  windy.weather.wind_speed_mps = 3.0;
  EXPECT_GT(rate(Method::ieee738, drake(), windy, kDrakeMaxC).amps, i0);
  EXPECT_GT(rate(Method::ieee738, drake(), base, 120.0).amps, i0);
}

TEST(Resistance, LinearBetweenAndBeyondTheTwoPoints) {
  const Conductor& c = drake();
  EXPECT_DOUBLE_EQ(resistance_at(c, 25.0), 7.283e-5);
  EXPECT_DOUBLE_EQ(resistance_at(c, 75.0), 8.688e-5);
  EXPECT_NEAR(resistance_at(c, 50.0), 0.5 * (7.283e-5 + 8.688e-5), 1e-15);
  EXPECT_NEAR(resistance_at(c, 100.0), 9.3905e-5, 1e-10);  // extrapolated, as the standard does
  EXPECT_NEAR(resistance_at(c, 0.0), 7.283e-5 - 0.5 * (8.688e-5 - 7.283e-5), 1e-12);
}

TEST(Ieee738, SteadyStateTemperatureInvertsTheRating) {
  const Conditions k = drake_example_conditions();
  const Rating r = rate(Method::ieee738, drake(), k, kDrakeMaxC);
  EXPECT_NEAR(steady_state_temperature(Method::ieee738, drake(), k, r.amps), kDrakeMaxC, 1e-4);
  EXPECT_THROW(steady_state_temperature(Method::ieee738, drake(), k, 1e6), std::invalid_argument);
}

TEST(Ieee738Transient, DrakeStepFrom1025To1200AmpsReaches118CAfter30Minutes) {
  const Conditions k = drake_example_conditions();
  const double t0 = steady_state_temperature(Method::ieee738, drake(), k, 1025.0);
  EXPECT_NEAR(t0, 100.0, 0.2);
  const auto points = transient(Method::ieee738, drake(), k, t0, 1200.0, 1800.0, 10.0);
  ASSERT_EQ(points.size(), 181u);
  EXPECT_DOUBLE_EQ(points.front().conductor_c, t0);
  EXPECT_DOUBLE_EQ(points.back().t_s, 1800.0);
  EXPECT_NEAR(points.back().conductor_c, 118.0, 1.0);
  for (std::size_t i = 1; i < points.size(); ++i)  // monotone approach, no overshoot
    EXPECT_GT(points[i].conductor_c, points[i - 1].conductor_c);
  const double final_steady = steady_state_temperature(Method::ieee738, drake(), k, 1200.0);
  EXPECT_LT(points.back().conductor_c, final_steady);
  // Halving the step changes the result by far less than the tolerance: the step is adequate.
  const auto fine = transient(Method::ieee738, drake(), k, t0, 1200.0, 1800.0, 5.0);
  EXPECT_NEAR(fine.back().conductor_c, points.back().conductor_c, 0.05);
}

TEST(Ieee738Transient, LastStepIsShortenedToEndAtTheDuration) {
  const auto points =
      transient(Method::ieee738, drake(), drake_example_conditions(), 100.0, 1025.0, 25.0, 10.0);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_DOUBLE_EQ(points[3].t_s, 25.0);
}

TEST(Validation, BadInputsAreRefusedWithTheQuantityNamed) {
  Conductor c = drake();
  c.diameter_m = 0.0;
  try {
    rate(Method::ieee738, c, drake_example_conditions(), 100.0);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("conductor.diameter_m"), std::string::npos);
  }
  Conductor flat = drake();
  flat.resistance_high.temperature_c = 25.0;
  EXPECT_THROW(rate(Method::ieee738, flat, drake_example_conditions(), 100.0),
               std::invalid_argument);
  Conditions k = drake_example_conditions();
  k.time.day_of_year = 0;
  EXPECT_THROW(rate(Method::ieee738, drake(), k, 100.0), std::invalid_argument);
  EXPECT_THROW(rate(Method::ieee738, drake(), drake_example_conditions(), 30.0),
               std::invalid_argument);
  EXPECT_THROW(rate(Method::ieee738, drake(), drake_example_conditions(), std::nan("")),
               std::invalid_argument);
  Conductor no_mass = drake();
  no_mass.heat_capacity_j_per_m_c = 0.0;
  EXPECT_THROW(transient(Method::ieee738, no_mass, drake_example_conditions(), 100, 1200, 60, 10),
               std::invalid_argument);
}

TEST(ConductorLibrary, AtLeastFiveAcsrWithPlausibleData) {
  ASSERT_GE(conductor_library().size(), 5u);
  for (const Conductor& c : conductor_library()) {
    SCOPED_TRACE(std::string(c.name));
    EXPECT_GT(c.diameter_m, 0.005);
    EXPECT_LT(c.diameter_m, 0.06);
    EXPECT_GT(c.resistance_high.ohm_per_m, c.resistance_low.ohm_per_m);
    EXPECT_GT(c.heat_capacity_j_per_m_c, 100.0);
    EXPECT_GT(c.outer_strand_diameter_m, 0.0);
    EXPECT_EQ(find_conductor(c.name), &c);
  }
  EXPECT_EQ(find_conductor("no-such-bird"), nullptr);
  // Bigger conductors carry more current under the same weather.
  double previous = 0.0;
  for (const Conductor& c : conductor_library()) {
    const double amps = rate(Method::ieee738, c, drake_example_conditions(), 100.0).amps;
    EXPECT_GT(amps, previous) << c.name;
    previous = amps;
  }
}

}  // namespace
