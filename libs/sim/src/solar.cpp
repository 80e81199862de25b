#include "ems/sim/solar.hpp"

#include <algorithm>
#include <cmath>

namespace ems::sim {
namespace {
constexpr double kPi = 3.14159265358979323846;
double rad(double d) {
  return d * kPi / 180.0;
}
double deg(double r) {
  return r * 180.0 / kPi;
}
double wrap(double x, double m) {
  x = std::fmod(x, m);
  return x < 0 ? x + m : x;
}
}  // namespace

SunPosition sun_position(double latitude_deg, double longitude_deg, double unix_seconds) {
  const double jd = unix_seconds / 86400.0 + 2440587.5;
  const double jc = (jd - 2451545.0) / 36525.0;
  const double mean_long = wrap(280.46646 + jc * (36000.76983 + jc * 0.0003032), 360.0);
  const double mean_anom = 357.52911 + jc * (35999.05029 - 0.0001537 * jc);
  const double ecc = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc);
  const double center = std::sin(rad(mean_anom)) * (1.914602 - jc * (0.004817 + 0.000014 * jc)) +
                        std::sin(rad(2 * mean_anom)) * (0.019993 - 0.000101 * jc) +
                        std::sin(rad(3 * mean_anom)) * 0.000289;
  const double true_long = mean_long + center;
  const double omega = 125.04 - 1934.136 * jc;
  const double app_long = true_long - 0.00569 - 0.00478 * std::sin(rad(omega));
  const double mean_obliq =
      23.0 + (26.0 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60.0) / 60.0;
  const double obliq = mean_obliq + 0.00256 * std::cos(rad(omega));
  const double decl = deg(std::asin(std::sin(rad(obliq)) * std::sin(rad(app_long))));
  const double y = std::pow(std::tan(rad(obliq / 2.0)), 2);
  const double eot =
      4.0 * deg(y * std::sin(2 * rad(mean_long)) - 2 * ecc * std::sin(rad(mean_anom)) +
                4 * ecc * y * std::sin(rad(mean_anom)) * std::cos(2 * rad(mean_long)) -
                0.5 * y * y * std::sin(4 * rad(mean_long)) -
                1.25 * ecc * ecc * std::sin(2 * rad(mean_anom)));
  const double minutes_utc = wrap(unix_seconds, 86400.0) / 60.0;
  const double true_solar = wrap(minutes_utc + eot + 4.0 * longitude_deg, 1440.0);
  const double hour_angle = true_solar / 4.0 < 0 ? true_solar / 4.0 + 180 : true_solar / 4.0 - 180;
  double cos_zen = std::sin(rad(latitude_deg)) * std::sin(rad(decl)) +
                   std::cos(rad(latitude_deg)) * std::cos(rad(decl)) * std::cos(rad(hour_angle));
  cos_zen = std::clamp(cos_zen, -1.0, 1.0);
  const double zenith = deg(std::acos(cos_zen));
  double az = 180.0;
  const double denom = std::cos(rad(latitude_deg)) * std::sin(rad(zenith));
  if (std::abs(denom) > 1e-9) {
    const double c = std::clamp(
        (std::sin(rad(latitude_deg)) * std::cos(rad(zenith)) - std::sin(rad(decl))) / denom, -1.0,
        1.0);
    az = hour_angle > 0 ? wrap(deg(std::acos(c)) + 180.0, 360.0)
                        : wrap(540.0 - deg(std::acos(c)), 360.0);
  }
  return SunPosition{zenith, az, decl, eot};
}

double clear_sky_ghi(double zenith_deg) {
  const double c = std::cos(rad(zenith_deg));
  if (c <= 0.01) return 0.0;
  return 1098.0 * c * std::exp(-0.059 / c);
}

double cloud_attenuation(double cloud_cover) {
  const double c = std::clamp(cloud_cover, 0.0, 1.0);
  return 1.0 - 0.75 * std::pow(c, 3.4);
}

}  // namespace ems::sim
