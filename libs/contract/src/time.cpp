#include "ems/contract/time.hpp"

#include "ems/contract/issue.hpp"

namespace ems::contract {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr std::string_view kForm = "expected YYYY-MM-DDTHH:MM:SS[.fff]Z";

[[noreturn]] void reject(std::string_view text, const std::string& why) {
  std::string message = "invalid timestamp '" + std::string(text.substr(0, 64)) +
                        (text.size() > 64 ? "...'" : "'") + ": " + why;
  // Input bytes end up in logs and problem+json bodies: keep them printable.
  for (char& c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  throw ContractError("", message);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `width` digits at `pos`; false when any is not a digit or the text is short.
bool read_fixed(std::string_view text, std::size_t pos, std::size_t width, unsigned& out) {
  if (pos + width > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!is_digit(text[i])) return false;
    out = out * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return true;
}

void put_digits(std::string& out, std::int64_t value, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

bool is_leap_year(std::int64_t y) noexcept {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

unsigned days_in_month(std::int64_t year, unsigned month) noexcept {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && is_leap_year(year)) return 29;
  return kDays[month - 1];
}

// Hinnant, "chrono-Compatible Low-Level Date Algorithms": eras of 400 years, March-based years
// so that the leap day is the last day of the year.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                       // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;               // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                  // [1, 12]
  return CivilDate{y + (m <= 2 ? 1 : 0), m, d};
}

std::string format_timestamp(Timestamp t) {
  const std::int64_t ms = t.time_since_epoch().count();
  const std::int64_t days = floor_div(ms, kMsPerDay);
  const std::int64_t ms_of_day = ms - days * kMsPerDay;
  const CivilDate date = civil_from_days(days);
  if (date.year < 0 || date.year > 9999) {
    throw ContractError(
        "", "timestamp year " + std::to_string(date.year) + " is outside 0000-9999 (RFC 3339)");
  }
  std::string out;
  out.reserve(24);
  put_digits(out, date.year, 4);
  out += '-';
  put_digits(out, date.month, 2);
  out += '-';
  put_digits(out, date.day, 2);
  out += 'T';
  put_digits(out, ms_of_day / 3'600'000, 2);
  out += ':';
  put_digits(out, ms_of_day / 60'000 % 60, 2);
  out += ':';
  put_digits(out, ms_of_day / 1000 % 60, 2);
  out += '.';
  put_digits(out, ms_of_day % 1000, 3);
  out += 'Z';
  return out;
}

Timestamp parse_timestamp(std::string_view text) {
  // Fixed part: YYYY-MM-DDTHH:MM:SS (19 characters).
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_fixed(text, 0, 4, year) || text.size() < 5 || text[4] != '-' ||
      !read_fixed(text, 5, 2, month) || text.size() < 8 || text[7] != '-' ||
      !read_fixed(text, 8, 2, day)) {
    reject(text, std::string(kForm) + " (date part)");
  }
  if (text.size() < 11 || text[10] != 'T') {
    reject(text, std::string(kForm) + " ('T' after the date)");
  }
  if (!read_fixed(text, 11, 2, hour) || text.size() < 14 || text[13] != ':' ||
      !read_fixed(text, 14, 2, minute) || text.size() < 17 || text[16] != ':' ||
      !read_fixed(text, 17, 2, second)) {
    reject(text, std::string(kForm) + " (time part)");
  }
  if (month < 1 || month > 12) reject(text, "month " + std::to_string(month) + " is not 01-12");
  if (day < 1 || day > days_in_month(year, month)) {
    reject(text, "day " + std::to_string(day) + " does not exist in " + std::to_string(year) + "-" +
                     (month < 10 ? "0" : "") + std::to_string(month));
  }
  if (hour > 23) reject(text, "hour " + std::to_string(hour) + " is not 00-23");
  if (minute > 59) reject(text, "minute " + std::to_string(minute) + " is not 00-59");
  if (second == 60) reject(text, "leap second 60 is not supported");
  if (second > 59) reject(text, "second " + std::to_string(second) + " is not 00-59");

  // Optional fraction: 1-9 digits, truncated to milliseconds.
  std::size_t pos = 19;
  unsigned ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      if (digits < 3) ms = ms * 10 + static_cast<unsigned>(text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) reject(text, "a '.' must be followed by fractional digits");
    if (digits > 9) reject(text, "more than 9 fractional digits");
    for (std::size_t i = digits; i < 3; ++i) ms *= 10;
  }

  // Offset: UTC only.
  std::string_view offset = text.substr(pos);
  if (offset != "Z" && offset != "+00:00" && offset != "-00:00") {
    if (offset.empty()) reject(text, "missing the 'Z' (UTC) suffix");
    if (offset == "z") reject(text, "the UTC suffix must be an uppercase 'Z'");
    if (offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') && offset[3] == ':') {
      reject(text, "offset '" + std::string(offset) + "' is not UTC; timestamps must end in 'Z'");
    }
    reject(text, "unexpected '" + std::string(offset.substr(0, 16)) + "' after the time; " +
                     std::string(kForm));
  }

  const std::int64_t days = days_from_civil(year, month, day);
  const std::int64_t total_ms = days * kMsPerDay + hour * 3'600'000LL + minute * 60'000LL +
                                second * 1000LL + static_cast<std::int64_t>(ms);
  return Timestamp{std::chrono::milliseconds{total_ms}};
}

}  // namespace ems::contract
