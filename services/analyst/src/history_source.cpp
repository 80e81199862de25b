#include "history_source.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "ems/forecasting/site_series.hpp"
#include "ems/runtime/http_client.hpp"
#include "rfc3339.hpp"

namespace ems::analyst {

forecasting::Series DatasetSource::history(const std::string& target) const {
  return data_.series(target);
}

std::string DatasetSource::describe(const std::string& target) const {
  return "file " + path_ + " column " + target;
}

bool DatasetSource::has(const std::string& target) const {
  for (const auto& c : data_.columns())
    if (c == target) return true;
  return false;
}

SiteSeries parse_site_series(const std::string& text, const std::string& what) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size() ||
      text.find('/', slash + 1) != std::string::npos)
    throw std::invalid_argument(what + " must be DEVICE/MEASUREMENT, got '" + text + "'");
  return {text.substr(0, slash), text.substr(slash + 1)};
}

HistorianSource::HistorianSource(HistorianSourceOptions options) : options_(std::move(options)) {
  if (!options_.now_seconds)
    options_.now_seconds = [] {
      return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
    };
}

std::int64_t HistorianSource::now_seconds() const {
  return options_.now_seconds();
}

std::vector<std::string> HistorianSource::targets() const {
  std::vector<std::string> out;
  for (const auto& [name, series] : options_.targets) out.push_back(name);
  return out;
}

std::string HistorianSource::describe(const std::string& target) const {
  const auto it = options_.targets.find(target);
  if (it == options_.targets.end()) return "historian " + options_.base_url;
  return "historian " + options_.base_url + " " + it->second.device + "/" + it->second.measurement +
         " (1h avg)";
}

std::vector<std::pair<std::int64_t, double>> HistorianSource::hourly(
    const SiteSeries& series, std::int64_t from_seconds, std::int64_t to_seconds) const {
  const std::string url = options_.base_url + "/samples?device=" + series.device +
                          "&measurement=" + series.measurement +
                          "&from=" + format_rfc3339(from_seconds) +
                          "&to=" + format_rfc3339(to_seconds) + "&bucket=1h&agg=avg";
  runtime::FetchOptions fetch;
  fetch.max_attempts = 2;
  fetch.initial_delay = std::chrono::milliseconds(200);
  fetch.read_timeout = options_.timeout;
  runtime::FetchResult answer;
  try {
    answer = runtime::fetch_with_backoff(url, fetch);
  } catch (const std::exception& e) {
    throw std::runtime_error("historian " + url + " cannot be read: " + e.what());
  }
  if (answer.status != 200)
    throw std::runtime_error("historian " + url + " answered " + std::to_string(answer.status) +
                             ": " + answer.body.substr(0, 300));
  std::vector<std::pair<std::int64_t, double>> out;
  try {
    const auto body = nlohmann::json::parse(answer.body);
    for (const auto& p : body.at("points")) {
      const auto ts = parse_rfc3339_seconds(p.at("ts").get<std::string>());
      if (!ts) throw std::runtime_error("a point's ts is not RFC 3339");
      if (*ts < from_seconds || *ts >= to_seconds) continue;
      const auto& v = p.at("value");
      out.emplace_back(*ts, v.is_number() ? v.get<double>() : std::nan(""));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error("historian " + url + " answered an unexpected body: " + e.what());
  }
  return out;
}

forecasting::Series HistorianSource::history(const std::string& target) const {
  const auto it = options_.targets.find(target);
  if (it == options_.targets.end())
    throw std::invalid_argument("unknown site target '" + target + "'");
  // Whole hours only: the hour in progress would be a partial mean.
  const std::int64_t now = now_seconds();
  const std::int64_t to = now - ((now % 3600) + 3600) % 3600;
  const std::int64_t from = to - std::int64_t{options_.history_days} * 86400;
  std::vector<forecasting::UtcHourValue> points;
  for (const auto& [ts, value] : hourly(it->second, from, to)) points.push_back({ts, value});
  auto series = forecasting::series_from_utc_hours(target, points);
  if (series.values.empty())
    throw std::runtime_error("the historian holds no " + it->second.device + "/" +
                             it->second.measurement + " samples in the last " +
                             std::to_string(options_.history_days) + " days");
  return series;
}

int HistorianSource::complete_end_day(const forecasting::Series& series) const {
  // Today (by the label clock) is in progress.
  return std::min(series.end_day(), forecasting::label_of_utc_hour(now_seconds()).day);
}

}  // namespace ems::analyst
