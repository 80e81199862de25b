#pragma once
// Payload timestamps (CONTRACT.md section 3): RFC 3339, UTC, millisecond precision, 'Z' suffix:
//   2026-11-26T07:05:11.123Z
//
// Output is always exactly that form (24 characters). Input is the same form with two
// tolerances, because other MQTT publishers (the reference gateway among them) write
// "+00:00" and vary the number of fractional digits:
//   - 0 to 9 fractional digits (".5" is 500 ms); digits past the millisecond are truncated,
//   - the offset "+00:00" (or "-00:00") as well as "Z".
// Everything else is rejected with a ContractError saying what is wrong: any other offset (a
// payload must already be in UTC), lowercase 't'/'z', a space instead of 'T', missing fields,
// out-of-range fields, a day that the month does not have, leap second 60, trailing text.
//
// Sub-millisecond values are truncated toward the past (floor), never rounded: 10:00:00.9999 is
// still second 0, so a sample is never stamped later than it was taken and second boundaries
// match the ones a reader computes with integer division.
//
// Pure: no locale, no time zone database, no timegm/gmtime; the calendar arithmetic is Howard
// Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace ems::contract {

// A payload timestamp. Millisecond resolution over years 0000-9999 (which a nanosecond
// system_clock::time_point cannot hold).
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// Floors to the millisecond.
inline Timestamp to_timestamp(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}

// "YYYY-MM-DDTHH:MM:SS.mmmZ". Throws ContractError for years outside 0000-9999.
std::string format_timestamp(Timestamp t);
inline std::string format_timestamp(std::chrono::system_clock::time_point t) {
  return format_timestamp(to_timestamp(t));
}

// Parses the forms described above. Throws ContractError (path "") naming the problem.
Timestamp parse_timestamp(std::string_view text);

// Calendar arithmetic, exposed for tests and for code that buckets by day.
// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31; not validated).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) noexcept;
struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
  bool operator==(const CivilDate&) const = default;
};
CivilDate civil_from_days(std::int64_t days) noexcept;
bool is_leap_year(std::int64_t year) noexcept;
unsigned days_in_month(std::int64_t year, unsigned month) noexcept;  // 0 for a bad month

}  // namespace ems::contract
