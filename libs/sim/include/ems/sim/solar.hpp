#pragma once
// Sun position (NOAA solar calculator equations, after Meeus) and clear-sky irradiance.
// Pure functions of (latitude, longitude, UTC unix time); accurate to about 0.1 degree for
// years 1800-2100, which is far below what a PV simulation needs.

namespace ems::sim {

struct SunPosition {
  double zenith_deg = 90.0;    // 0 = overhead, > 90 = below the horizon
  double azimuth_deg = 180.0;  // clockwise from north
  double declination_deg = 0.0;
  double equation_of_time_min = 0.0;
};

// `unix_seconds` is UTC; latitude north-positive, longitude east-positive (degrees).
SunPosition sun_position(double latitude_deg, double longitude_deg, double unix_seconds);

// Haurwitz clear-sky global horizontal irradiance (W/m2): 1098 cos(z) exp(-0.059 / cos(z)),
// 0 with the sun below the horizon.
double clear_sky_ghi(double zenith_deg);

// Kasten-Czeplak cloud attenuation: GHI = clear * (1 - 0.75 * cover^3.4), cover in [0, 1].
double cloud_attenuation(double cloud_cover);

}  // namespace ems::sim
