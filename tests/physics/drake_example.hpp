#pragma once
// The IEEE 738-2012 worked example (clause 4.6.1.7 in the 2023 edition): Drake 26/7 ACSR,
// 40 C ambient, 0.61 m/s perpendicular wind, emissivity and absorptivity 0.8, latitude 30 N,
// 11:00 solar time on 10 June (day 161), clear atmosphere, east-west line, sea level, 100 C.
#include <gtest/gtest.h>

#include <cmath>

#include "ems/physics/conditions.hpp"
#include "ems/physics/conductor.hpp"

namespace ems::physics::testing {

inline Conditions drake_example_conditions() {
  Conditions k;
  k.weather.ambient_c = 40.0;
  k.weather.wind_speed_mps = 0.61;
  k.weather.wind_angle_deg = 90.0;
  k.weather.atmosphere = Atmosphere::clear;
  k.site.latitude_deg = 30.0;
  k.site.elevation_m = 0.0;
  k.site.line_azimuth_deg = 90.0;
  k.time.day_of_year = 161;
  k.time.solar_hour = 11.0;
  return k;
}

inline constexpr double kDrakeMaxC = 100.0;

// |actual - expected| <= 0.5 % of expected: the acceptance tolerance.
inline void expect_within_half_percent(double actual, double expected, const char* what) {
  EXPECT_NEAR(actual, expected, 0.005 * std::abs(expected)) << what;
}

}  // namespace ems::physics::testing
