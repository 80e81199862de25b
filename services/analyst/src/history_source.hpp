#pragma once
// Where the analyst's history comes from: one interface, two implementations.
//
//   DatasetSource    a column of the shipped ERCOT CSV (every target is a column)
//   HistorianSource  the site's series in the historian, read over its HTTP API
//                    (GET /samples?device=&measurement=&from=&to=&bucket=1h&agg=avg, APIS.md),
//                    hourly means put on the label grid (forecasting/site_series.hpp)
//
// Training uses days before complete_end_day() (whole days only); serving also reads the
// partial current day of a live source for the intraday update.
//
// Threading: history() may be called concurrently. Errors: std::invalid_argument for a target
// the source does not have; std::runtime_error naming the URL and the answer when the historian
// cannot be read (down, 4xx/5xx, malformed JSON).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ems/forecasting/dataset.hpp"
#include "ems/forecasting/features.hpp"

namespace ems::analyst {

class HistorySource {
 public:
  virtual ~HistorySource() = default;
  // The hourly history of `target` on the label grid (everything the source holds up to now).
  virtual forecasting::Series history(const std::string& target) const = 0;
  // The end (exclusive) of the whole days of `series`.
  virtual int complete_end_day(const forecasting::Series& series) const { return series.end_day(); }
  // True when the series grows while the service runs (today is partial).
  virtual bool live() const { return false; }
  // One line saying where `target` comes from (stored with each model).
  virtual std::string describe(const std::string& target) const = 0;
};

class DatasetSource final : public HistorySource {
 public:
  DatasetSource(const forecasting::Dataset& data, std::string path)
      : data_(data), path_(std::move(path)) {}
  forecasting::Series history(const std::string& target) const override;
  std::string describe(const std::string& target) const override;
  // Whether `target` is a column of the file.
  bool has(const std::string& target) const;
  const forecasting::Dataset& data() const { return data_; }

 private:
  const forecasting::Dataset& data_;
  std::string path_;
};

struct SiteSeries {
  std::string device;
  std::string measurement;
};

// "device/measurement" -> SiteSeries; std::invalid_argument naming `what` otherwise.
SiteSeries parse_site_series(const std::string& text, const std::string& what);

struct HistorianSourceOptions {
  std::string base_url = "http://127.0.0.1:8410";
  std::map<std::string, SiteSeries> targets;  // target name -> historian series
  int history_days = 120;                     // how far back history() reads
  std::chrono::milliseconds timeout{10000};
  // The clock (replaceable so a test can read a history it wrote at another time).
  std::function<std::int64_t()> now_seconds;
};

class HistorianSource final : public HistorySource {
 public:
  explicit HistorianSource(HistorianSourceOptions options);
  forecasting::Series history(const std::string& target) const override;
  int complete_end_day(const forecasting::Series& series) const override;
  bool live() const override { return true; }
  std::string describe(const std::string& target) const override;
  bool has(const std::string& target) const { return options_.targets.count(target) > 0; }
  std::vector<std::string> targets() const;
  std::int64_t now_seconds() const;

  // The hourly means of one series over [from, to) as the historian answers them (one point
  // per hour start, NaN for an empty bucket).
  std::vector<std::pair<std::int64_t, double>> hourly(const SiteSeries& series,
                                                      std::int64_t from_seconds,
                                                      std::int64_t to_seconds) const;

 private:
  HistorianSourceOptions options_;
};

}  // namespace ems::analyst
