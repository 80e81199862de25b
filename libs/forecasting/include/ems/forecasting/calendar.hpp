#pragma once
// Calendar, time-zone and sun-geometry rules of the forecasting library - the ONE place that
// decides what a label means, so training and serving cannot disagree.
//
// Labels: the ERCOT file's naive "YYYY-MM-DD HH:MM:SS" timestamps are US Central clock time,
// hour-ending: "D 08:00" is the energy of 07:00-08:00 local clock, "D 00:00" the last hour of the
// day before. The library keys every value by its label's calendar date (the "day", days since
// 1970-01-01) and its label hour 0..23 (the "slot" day*24+hour). A forecast for day D covers the 24
// labels "D 00:00".."D 23:00".
//
// Weekday convention: 0 = Monday .. 6 = Sunday (ISO minus one), everywhere.
// Time zone rule: US Central, DST (UTC-5) from the second Sunday of March 02:00 to the first
// Sunday of November 02:00 local, standard time (UTC-6) otherwise (US rules since 2007). The
// repeated hour of a fall-back day is taken as its first (daylight) occurrence.
//
// All functions are pure and thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ems::forecasting {

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 (proleptic Gregorian) and back.
int days_from_civil(CivilDate date);
CivilDate civil_from_days(int days);

// "YYYY-MM-DD" -> days; nullopt when malformed or not a real date.
std::optional<int> parse_day(std::string_view text);
std::string format_day(int days);

// A label of the data file.
struct Label {
  int day = 0;   // days since 1970-01-01 of the label's date
  int hour = 0;  // 0..23 as written
};
// "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DDTHH:MM:SS") with minutes and seconds 0; nullopt otherwise.
std::optional<Label> parse_label(std::string_view text);
// "YYYY-MM-DD HH:00:00".
std::string format_label(Label label);

// 0 = Monday .. 6 = Sunday.
int weekday(int days);
// 1..366.
int day_of_year(int days);

// True when the hour whose label this is starts in Central daylight time.
bool central_dst(Label label);
// UTC time (seconds since the epoch) of the middle of the labelled hour (hour-ending).
double label_mid_utc_seconds(Label label);
// UTC time (seconds since the epoch) at which the labelled hour starts.
std::int64_t label_start_utc_seconds(Label label);
// The label of the hour that starts at `utc_seconds` (floored to the whole hour): its end in US
// Central clock time. The two UTC hours of a fall-back day's repeated clock hour map to the same
// label (the one load_csv keeps is the first); the inverse of label_start_utc_seconds otherwise.
Label label_of_utc_hour(std::int64_t utc_seconds);

// Cosine of the solar zenith angle at `utc_seconds` for a latitude/longitude in degrees
// (NOAA's low-precision solar position; accurate to a fraction of a degree).
double cos_solar_zenith(double utc_seconds, double latitude_deg, double longitude_deg);
// Clear-sky global horizontal irradiance (Haurwitz model, W/m2) averaged over the labelled hour
// (four sub-samples), at the given place.
double clear_sky_ghi(Label label, double latitude_deg, double longitude_deg);

}  // namespace ems::forecasting
