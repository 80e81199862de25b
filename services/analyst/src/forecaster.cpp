#include "forecaster.hpp"

#include <cmath>

#include "ems/forecasting/site_series.hpp"
#include "ems/runtime/problem.hpp"
#include "history_source.hpp"
#include "rfc3339.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;
using runtime::ProblemException;
namespace fc = forecasting;

json number_or_null(double v) {
  return std::isnan(v) ? json(nullptr) : json(v);
}

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// YYYY-MM-DD is a label day; an RFC 3339 instant names the label day of the hour it falls in.
int parse_day_param(const std::string& name, const std::string& text) {
  if (const auto day = fc::parse_day(text)) return *day;
  if (const auto seconds = parse_rfc3339_seconds(text)) return fc::label_of_utc_hour(*seconds).day;
  throw ProblemException(400, "Bad Request",
                         "query parameter '" + name +
                             "' must be a date YYYY-MM-DD or an RFC 3339 "
                             "time, got '" +
                             text + "'");
}

// `series` extended (with missing hours) to end at `end_day`.
fc::Series extended(fc::Series series, int end_day) {
  const auto want = static_cast<std::size_t>(std::max(0, end_day - series.first_day)) * 24;
  if (series.values.size() < want) series.values.resize(want, fc::kMissing);
  return series;
}

}  // namespace

std::shared_ptr<const ServedModel> Forecaster::served(const Target& target,
                                                      const std::optional<std::string>& model) {
  if (model && !all_digits(*model)) {
    const std::string& name = *model;
    std::unique_ptr<fc::Model> baseline;
    try {
      baseline = fc::make_model(name, target.name, {}, target.place);
    } catch (const std::invalid_argument& e) {
      throw ProblemException(400, "Bad Request",
                             std::string("query parameter 'model': ") + e.what());
    }
    if (baseline->trainable())
      throw ProblemException(400, "Bad Request",
                             "query parameter 'model': '" + name +
                                 "' must be trained first (POST /models/train); give its "
                                 "registry id - serving never trains");
    auto s = std::make_shared<ServedModel>();
    s->record.target = target.name;
    s->record.name = name;
    s->model = std::move(baseline);
    return s;
  }
  std::optional<std::int64_t> id;
  if (model) {
    id = std::stoll(*model);
  } else {
    id = registry_.champion_id(target.name);
    if (!id)
      throw ProblemException(404, "No Champion",
                             "no champion model for target '" + target.name +
                                 "' yet: POST /models/train {\"target\":\"" + target.name +
                                 "\"} trains one, and it is promoted only when it beats "
                                 "persistence on its backtest (GET /models?target=" +
                                 target.name + " lists the candidates)");
  }
  {
    std::lock_guard lock(mutex_);
    const auto it = cache_.find(*id);
    if (it != cache_.end()) {
      // The champion flag changes over time; the rest of a model never does.
      auto copy = it->second;
      return copy;
    }
  }
  const auto record = registry_.get(*id, true);
  if (!record || record->target != target.name)
    throw ProblemException(404, "Not Found",
                           "no model " + std::to_string(*id) + " for target '" + target.name + "'");
  auto loaded = load_served_model(*record, target.place);
  std::lock_guard lock(mutex_);
  cache_[*id] = loaded;
  return loaded;
}

json Forecaster::forecast(const ForecastQuery& query) {
  if (query.target.empty())
    throw ProblemException(400, "Bad Request", "query parameter 'target' is required");
  const Target* target = targets_.find(query.target);
  if (!target) {
    std::string names;
    for (const auto& n : targets_.names()) names += (names.empty() ? "" : ", ") + n;
    throw ProblemException(
        400, "Bad Request",
        "query parameter 'target': unknown target '" + query.target + "' (targets: " + names + ")");
  }
  const auto model = served(*target, query.model);
  fc::Series all;
  try {
    all = target->source->history(target->name);
  } catch (const std::invalid_argument& e) {
    throw ProblemException(400, "Bad Request", e.what());
  } catch (const std::exception& e) {
    throw ProblemException(503, "Service Unavailable", e.what());
  }
  const bool live = target->source->live();
  const int end = target->source->complete_end_day(all);  // live: today
  const int from = query.from ? parse_day_param("from", *query.from) : end;
  const int to = query.to ? parse_day_param("to", *query.to) : (live ? end + 1 : end);
  if (to < from || to - from > 30)
    throw ProblemException(400, "Bad Request",
                           "query parameters 'from'..'to' must span 1 to 31 days, from <= to");
  if (from <= all.first_day || to > end + 1)
    throw ProblemException(400, "Bad Request",
                           "query parameters 'from'..'to': " + fc::format_day(from) + ".." +
                               fc::format_day(to) + " must lie within " +
                               fc::format_day(all.first_day + 1) + ".." + fc::format_day(end + 1) +
                               " (a day needs the history before it)");
  const auto* dataset = dynamic_cast<const DatasetSource*>(target->source);
  const bool nonneg = model->nonnegative;
  // Today's remaining hours filled with the intraday forecast (the history tomorrow starts from).
  std::optional<fc::Series> filled;
  const auto fill_today = [&](const fc::DayForecast& intraday, int last_observed) {
    filled = extended(all.before(end + 1), end + 1);
    for (int h = last_observed + 1; h < 24; ++h)
      filled->values[static_cast<std::size_t>((end - filled->first_day) * 24 + h)] = intraday[h];
  };
  if (live && from == end + 1) {
    try {
      const auto today =
          fc::intraday_update(model->model->predict(all.before(end), end), all, end, nonneg);
      fill_today(today.values, today.last_observed_hour);
    } catch (const std::exception& e) {
      throw ProblemException(500, "Internal Server Error", e.what());
    }
  }
  json points = json::array();
  for (int day = from; day <= to; ++day) {
    fc::Series history = all.before(day);
    if (live && day == end + 1 && filled) history = *filled;
    fc::DayForecast f, lo, hi;
    try {
      f = model->model->predict(history, day);
      lo.fill(fc::kMissing);
      hi.fill(fc::kMissing);
      if (model->lower && model->upper) {
        lo = model->lower->predict(history, day);
        hi = model->upper->predict(history, day);
      }
    } catch (const std::exception& e) {
      throw ProblemException(500, "Internal Server Error", e.what());
    }
    int last_observed = -1;
    if (live && day == end) {
      const auto intraday = fc::intraday_update(f, all, day, nonneg);
      last_observed = intraday.last_observed_hour;
      for (int h = last_observed + 1; h < 24; ++h) {
        const double shift = intraday.values[h] - f[h];
        if (!std::isnan(shift)) {
          lo[h] += shift;
          hi[h] += shift;
          if (nonneg) lo[h] = std::max(lo[h], 0.0);
        }
      }
      f = intraday.values;
      fill_today(f, last_observed);
    }
    for (int h = 0; h < 24; ++h) {
      json p = {{"ts", format_rfc3339(fc::label_start_utc_seconds({day, h}))},
                {"value", number_or_null(f[h])}};
      if (!std::isnan(lo[h])) p["lower"] = lo[h];
      if (!std::isnan(hi[h])) p["upper"] = hi[h];
      p["horizon"] =
          live && day == end && last_observed >= 0 && h > last_observed ? "intraday" : "day_ahead";
      if (dataset) {
        const std::string& label = dataset->data().label_text(day, h);
        p["label"] = label.empty() ? fc::format_label({day, h}) : label;
      }
      const double actual = all.at(day, h);
      if (!std::isnan(actual)) p["actual"] = actual;
      points.push_back(std::move(p));
    }
  }
  const auto& r = model->record;
  json model_json = {{"id", r.id > 0 ? json(r.id) : json(nullptr)},
                     {"name", r.name},
                     {"version", r.version > 0 ? json(r.version) : json(nullptr)}};
  if (r.id > 0) {
    model_json["trained_through"] = r.data_to;
    model_json["metrics"] = r.metrics;
  }
  return {{"target", target->name},
          {"model", model_json},
          {"from", fc::format_day(from)},
          {"to", fc::format_day(to)},
          {"source", target->source->describe(target->name)},
          {"points", points}};
}

}  // namespace ems::analyst
