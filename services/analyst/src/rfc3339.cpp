#include "rfc3339.hpp"

#include <chrono>

#include "ems/forecasting/calendar.hpp"
#include "ems/runtime/utc_time.hpp"

namespace ems::analyst {

namespace {

bool two_digits(std::string_view t, std::size_t at, int& out) {
  if (at + 2 > t.size() || t[at] < '0' || t[at] > '9' || t[at + 1] < '0' || t[at + 1] > '9')
    return false;
  out = (t[at] - '0') * 10 + (t[at + 1] - '0');
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_seconds(std::string_view t) {
  if (t.size() < 20 || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' ||
      t[16] != ':')
    return std::nullopt;
  const auto day = forecasting::parse_day(t.substr(0, 10));
  int h = 0, m = 0, s = 0;
  if (!day || !two_digits(t, 11, h) || !two_digits(t, 14, m) || !two_digits(t, 17, s) || h > 23 ||
      m > 59 || s > 60)
    return std::nullopt;
  std::size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    const std::size_t digits = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == digits) return std::nullopt;
  }
  std::int64_t offset = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z') && i + 1 == t.size()) {
    offset = 0;
  } else if (i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':') {
    int oh = 0, om = 0;
    if (!two_digits(t, i + 1, oh) || !two_digits(t, i + 4, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset = (t[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  return std::int64_t{*day} * 86400 + h * 3600 + m * 60 + s - offset;
}

std::string format_rfc3339(std::int64_t seconds) {
  return runtime::format_utc_ms(
      std::chrono::system_clock::time_point(std::chrono::seconds(seconds)));
}

}  // namespace ems::analyst
