#pragma once
// The weather, site and time a rating is computed for - shared by the IEEE 738 and the CIGRE
// TB 601 models. Plain values; every angle is in degrees, every temperature in degrees Celsius.
#include <optional>

namespace ems::physics {

enum class Atmosphere { clear, industrial };

struct Weather {
  double ambient_c = 25.0;
  double wind_speed_mps = 0.61;
  // Angle between the wind and the line axis: 90 = perpendicular, 0 = parallel. Any value is
  // accepted and folded onto 0..90 (the models are symmetric in it).
  double wind_angle_deg = 90.0;
  Atmosphere atmosphere = Atmosphere::clear;
  // A measured solar flux replaces the model's: for IEEE 738 the total flux on a surface normal
  // to the sun (Q_se), for CIGRE TB 601 the global radiation on the conductor (I_T).
  std::optional<double> solar_flux_w_per_m2;
  // CIGRE TB 601 only: clearness ratio N_s of its direct-beam model (1 = clear) and the ground
  // albedo F.
  double clearness_ratio = 1.0;
  double albedo = 0.1;
};

struct Site {
  double latitude_deg = 0.0;       // north positive
  double elevation_m = 0.0;        // conductor height above sea level
  double line_azimuth_deg = 90.0;  // line direction clockwise from north (90 = east-west line)
};

struct SolarTime {
  int day_of_year = 172;     // 1..366 (10 June = 161)
  double solar_hour = 12.0;  // local solar time, 0..24 (11.0 = 11:00)
};

// The solar time of a UTC instant: day of year and local mean solar hour at `longitude_deg`
// (east positive; 15 degrees per hour, no equation of time). Pure.
SolarTime solar_time_utc(double unix_seconds, double longitude_deg);

struct Conditions {
  Weather weather;
  Site site;
  SolarTime time;
};

}  // namespace ems::physics
