#include "ems/physics/conditions.hpp"

#include <chrono>
#include <cmath>

namespace ems::physics {

SolarTime solar_time_utc(double unix_seconds, double longitude_deg) {
  using namespace std::chrono;
  const double days = std::floor(unix_seconds / 86400.0);
  const sys_days day{std::chrono::days(static_cast<long long>(days))};
  const year_month_day ymd{day};
  const int day_of_year = int((day - sys_days{ymd.year() / January / 1}).count()) + 1;
  double h = (unix_seconds - days * 86400.0) / 3600.0 + longitude_deg / 15.0;
  h = std::fmod(h, 24.0);
  if (h < 0) h += 24.0;
  return {day_of_year, h};
}

}  // namespace ems::physics
