#include <gtest/gtest.h>

#include <cmath>

#include "ems/sim/solar.hpp"

using namespace ems::sim;

// NOAA calculator reference: Boulder (40.0 N, 105.0 W), 2026-06-21 19:00Z (solar noon ~18:58Z):
// zenith ~16.6 deg (90 - (90 - 40 + 23.44)), azimuth ~180.
TEST(Solar, SummerSolsticeNoonAtBoulder) {
  const double t = 1782068400.0;  // 2026-06-21T19:00:00Z
  auto s = sun_position(40.0, -105.0, t);
  EXPECT_NEAR(s.zenith_deg, 16.6, 0.5);
  EXPECT_NEAR(s.azimuth_deg, 180.0, 8.0);
  EXPECT_NEAR(s.declination_deg, 23.44, 0.05);
}

TEST(Solar, NightHasNoIrradianceAndCloudsAttenuate) {
  auto s = sun_position(40.0, -105.0, 1782068400.0 + 12 * 3600.0);
  EXPECT_GT(s.zenith_deg, 90.0);
  EXPECT_EQ(clear_sky_ghi(s.zenith_deg), 0.0);
  EXPECT_NEAR(clear_sky_ghi(0.0), 1098.0 * std::exp(-0.059), 1e-9);
  EXPECT_EQ(cloud_attenuation(0.0), 1.0);
  EXPECT_NEAR(cloud_attenuation(1.0), 0.25, 1e-12);
}
