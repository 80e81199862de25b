#pragma once
// Series that do not come from a CSV: the site's hourly history as the historian answers it
// (one point per UTC hour start, `GET /samples?bucket=1h`), put on the label grid the models
// use (calendar.hpp: US Central clock, hour-ending), and the intraday update of a day-ahead
// forecast from the hours of the day already observed.
//
// Pure and thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "ems/forecasting/dataset.hpp"
#include "ems/forecasting/models.hpp"

namespace ems::forecasting {

struct UtcHourValue {
  std::int64_t utc_seconds = 0;  // start of the hour (floored to the hour when not whole)
  double value = kMissing;       // NaN: an empty bucket
};

// The points on a dense label grid from the first point's day to the last one's; hours without
// a point are missing. When two points fall on one label (the repeated clock hour of a
// fall-back day) the first is kept, as Dataset does. An empty input gives an empty series.
Series series_from_utc_hours(std::string name, const std::vector<UtcHourValue>& points);

struct IntradayForecast {
  DayForecast values{};         // label hours 0..23 of the day
  int last_observed_hour = -1;  // the latest hour of the day `observed` holds; -1 none
};

// The intraday update of `day_ahead` (the forecast of `day` made from the days before it): the
// hours after the last observed one get the day-ahead value plus the mean error of the last
// (up to three) observed hours, decaying with exp(-hours ahead / `decay_hours`), so the next
// hour leans on what is happening now and the evening returns to the day-ahead forecast.
// Hours up to the last observed one keep the day-ahead value. `nonnegative` clips at zero.
IntradayForecast intraday_update(const DayForecast& day_ahead, const Series& observed, int day,
                                 bool nonnegative, double decay_hours = 3.0);

}  // namespace ems::forecasting
