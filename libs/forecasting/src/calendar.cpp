#include "ems/forecasting/calendar.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>

namespace ems::forecasting {

int days_from_civil(CivilDate date) {
  // Howard Hinnant's algorithm.
  const int y = date.year - (date.month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int mp = (date.month + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + date.day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(int z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

namespace {

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Days of the n-th Sunday (1-based) of a month.
int nth_sunday(int year, int month, int n) {
  const int first = days_from_civil({year, month, 1});
  const int offset = (6 - weekday(first) + 7) % 7;  // weekday 6 = Sunday
  return first + offset + 7 * (n - 1);
}

}  // namespace

std::optional<int> parse_day(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!digits(text, 0, 4, y) || !digits(text, 5, 2, m) || !digits(text, 8, 2, d))
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return days_from_civil({y, m, d});
}

std::string format_day(int days) {
  const CivilDate c = civil_from_days(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

std::optional<Label> parse_label(std::string_view text) {
  if (text.size() != 19 || (text[10] != ' ' && text[10] != 'T') || text[13] != ':' ||
      text[16] != ':')
    return std::nullopt;
  const auto day = parse_day(text.substr(0, 10));
  int h = 0, mi = 0, s = 0;
  if (!day || !digits(text, 11, 2, h) || !digits(text, 14, 2, mi) || !digits(text, 17, 2, s))
    return std::nullopt;
  if (h > 23 || mi != 0 || s != 0) return std::nullopt;
  return Label{*day, h};
}

std::string format_label(Label label) {
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:00:00", label.hour);
  return format_day(label.day) + buf;
}

int weekday(int days) {
  return ((days % 7) + 7 + 3) % 7;
}  // 1970-01-01 was a Thursday (3)

int day_of_year(int days) {
  const CivilDate c = civil_from_days(days);
  return days - days_from_civil({c.year, 1, 1}) + 1;
}

bool central_dst(Label label) {
  // The labelled hour starts one hour before its label (hour-ending).
  int day = label.day;
  int start_hour = label.hour - 1;
  if (start_hour < 0) {
    start_hour = 23;
    day -= 1;
  }
  const int year = civil_from_days(day).year;
  const int begin = nth_sunday(year, 3, 2);  // 02:00 standard -> 03:00 daylight
  const int end = nth_sunday(year, 11, 1);   // 02:00 daylight -> 01:00 standard
  const double t = day + start_hour / 24.0;
  return t >= begin + 2.0 / 24.0 && t < end + 2.0 / 24.0;
}

double label_mid_utc_seconds(Label label) {
  const double offset_hours = central_dst(label) ? 5.0 : 6.0;
  const double local_mid_hours = label.day * 24.0 + label.hour - 0.5;
  return (local_mid_hours + offset_hours) * 3600.0;
}

std::int64_t label_start_utc_seconds(Label label) {
  return static_cast<std::int64_t>(std::llround(label_mid_utc_seconds(label) - 1800.0));
}

Label label_of_utc_hour(std::int64_t utc_seconds) {
  const std::int64_t start = utc_seconds - ((utc_seconds % 3600) + 3600) % 3600;
  const auto at_offset = [&](int offset_hours) {
    const std::int64_t end_local_hours = (start + 3600) / 3600 - offset_hours;
    const auto day = static_cast<int>(end_local_hours >= 0 ? end_local_hours / 24
                                                           : -((-end_local_hours + 23) / 24));
    return Label{day, static_cast<int>(end_local_hours - std::int64_t{day} * 24)};
  };
  // Daylight time when the daylight reading is self-consistent, standard time otherwise.
  const Label daylight = at_offset(5);
  if (central_dst(daylight) && label_start_utc_seconds(daylight) == start) return daylight;
  return at_offset(6);
}

double cos_solar_zenith(double utc_seconds, double latitude_deg, double longitude_deg) {
  constexpr double kPi = std::numbers::pi;
  const double days = utc_seconds / 86400.0;
  const int day = static_cast<int>(std::floor(days));
  const double hours = (days - day) * 24.0;
  const CivilDate c = civil_from_days(day);
  const bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  const double gamma =
      2.0 * kPi / (leap ? 366.0 : 365.0) * (day_of_year(day) - 1 + (hours - 12.0) / 24.0);
  const double eqtime =
      229.18 * (0.000075 + 0.001868 * std::cos(gamma) - 0.032077 * std::sin(gamma) -
                0.014615 * std::cos(2 * gamma) - 0.040849 * std::sin(2 * gamma));
  const double decl = 0.006918 - 0.399912 * std::cos(gamma) + 0.070257 * std::sin(gamma) -
                      0.006758 * std::cos(2 * gamma) + 0.000907 * std::sin(2 * gamma) -
                      0.002697 * std::cos(3 * gamma) + 0.00148 * std::sin(3 * gamma);
  const double true_solar_minutes = hours * 60.0 + eqtime + 4.0 * longitude_deg;
  const double hour_angle = (true_solar_minutes / 4.0 - 180.0) * kPi / 180.0;
  const double lat = latitude_deg * kPi / 180.0;
  return std::sin(lat) * std::sin(decl) + std::cos(lat) * std::cos(decl) * std::cos(hour_angle);
}

double clear_sky_ghi(Label label, double latitude_deg, double longitude_deg) {
  const double mid = label_mid_utc_seconds(label);
  double sum = 0.0;
  for (int i = 0; i < 4; ++i) {
    const double t = mid + (i - 1.5) * 900.0;  // 7.5, 22.5, 37.5, 52.5 minutes into the hour
    const double cz = cos_solar_zenith(t, latitude_deg, longitude_deg);
    if (cz > 0.0) sum += 1098.0 * cz * std::exp(-0.057 / cz);
  }
  return sum / 4.0;
}

}  // namespace ems::forecasting
