#include "ems/physics/solar.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ems::physics {

namespace {
constexpr double kRad = std::numbers::pi / 180.0;
constexpr double kDeg = 180.0 / std::numbers::pi;

double declination(double amplitude_deg, int day_of_year) {
  return amplitude_deg * std::sin((284.0 + day_of_year) / 365.0 * 360.0 * kRad);
}
}  // namespace

double ieee738_declination_deg(int day_of_year) {
  return declination(23.46, day_of_year);
}
double cigre601_declination_deg(int day_of_year) {
  return declination(23.3, day_of_year);
}

SolarPosition solar_position(double latitude_deg, double declination_deg, double solar_hour) {
  const double lat = latitude_deg * kRad;
  const double dec = declination_deg * kRad;
  const double omega = 15.0 * (solar_hour - 12.0) * kRad;
  SolarPosition sun;
  const double sin_h =
      std::cos(lat) * std::cos(dec) * std::cos(omega) + std::sin(lat) * std::sin(dec);
  sun.altitude_deg = std::asin(std::clamp(sin_h, -1.0, 1.0)) * kDeg;

  // Z_c = C + atan(chi), chi = sin(omega) / (sin Lat cos omega - cos Lat tan delta), with C
  // from Table 2 by the signs of omega and chi: that is atan2(numerator, denominator) + 180 deg,
  // which also settles noon (chi = 0 with either sign of the denominator) and chi = +-inf.
  const double numerator = std::sin(omega);
  const double denominator = std::sin(lat) * std::cos(omega) - std::cos(lat) * std::tan(dec);
  sun.azimuth_deg = std::fmod(std::atan2(numerator, denominator) * kDeg + 180.0 + 360.0, 360.0);
  return sun;
}

double incidence_angle_deg(const SolarPosition& sun, double line_azimuth_deg) {
  const double cos_theta =
      std::cos(sun.altitude_deg * kRad) * std::cos((sun.azimuth_deg - line_azimuth_deg) * kRad);
  return std::acos(std::clamp(std::abs(cos_theta), 0.0, 1.0)) * kDeg;
}

}  // namespace ems::physics
