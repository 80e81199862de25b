#include "forecast_api.hpp"

#include <cctype>
#include <cmath>

#include "ems/forecasting/backtest.hpp"
#include "ems/forecasting/models.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;

json number_or_null(double v) {
  return std::isnan(v) ? json(nullptr) : json(v);
}

int require_day(const httplib::Request& req, const std::string& name) {
  const auto day = forecasting::parse_day(req.get_param_value(name));
  if (!day)
    throw runtime::ProblemException(400, "Bad Request",
                                    "query parameter '" + name + "' must be a date YYYY-MM-DD");
  return *day;
}

// The rolling-origin forecasts of [from, to]: a range outside the data is the client's error
// (400), a model that cannot be trained there (too little history before `from`) is 422.
forecasting::BacktestResult forecast_range(const forecasting::Series& series,
                                           forecasting::Model& model, int from, int to) {
  try {
    return forecasting::backtest(series, model, {from, to, 1});
  } catch (const std::invalid_argument& e) {
    throw runtime::ProblemException(400, "Bad Request", e.what());
  } catch (const std::runtime_error& e) {
    throw runtime::ProblemException(422, "Unprocessable Content", e.what());
  }
}

}  // namespace

void install_forecast_api(runtime::HttpServer& server, const forecasting::Dataset& data) {
  server.get("/forecast", [&data](const httplib::Request& req, httplib::Response& res) {
    const std::string target = req.get_param_value("target");
    const std::string model_name =
        req.has_param("model") ? req.get_param_value("model") : std::string("gbt");
    if (target.empty())
      throw runtime::ProblemException(400, "Bad Request", "query parameter 'target' is required");
    const int from = require_day(req, "from");
    const int to = require_day(req, "to");
    if (to < from || to - from > 30)
      throw runtime::ProblemException(400, "Bad Request",
                                      "'from'..'to' must be 1 to 31 days, from <= to");
    forecasting::Series series;
    std::unique_ptr<forecasting::Model> model;
    try {
      series = data.series(target);
      model = forecasting::make_model(model_name, target);
    } catch (const std::invalid_argument& e) {
      throw runtime::ProblemException(400, "Bad Request", e.what());
    }
    const forecasting::BacktestResult result = forecast_range(series, *model, from, to);
    // Optional central interval from two quantile models (gbt_qLL, gbt_qHH).
    std::vector<forecasting::HourResult> lower, upper;
    int interval = 0;
    if (req.has_param("interval")) {
      const std::string text = req.get_param_value("interval");
      interval =
          text.size() == 2 && std::isdigit(text[0]) && std::isdigit(text[1]) ? std::stoi(text) : 0;
      if (interval < 2 || interval > 98 || interval % 2 != 0)
        throw runtime::ProblemException(400, "Bad Request",
                                        "'interval' must be an even percentage 02..98");
      const int low = (100 - interval) / 2;
      const auto quantile = [&](int q) {
        const std::string name = std::string("gbt_q") + char('0' + q / 10) + char('0' + q % 10);
        auto m = forecasting::make_model(name, target);
        return forecast_range(series, *m, from, to).hours;
      };
      lower = quantile(low);
      upper = quantile(100 - low);
    }
    json points = json::array();
    for (std::size_t i = 0; i < result.hours.size(); ++i) {
      const auto& h = result.hours[i];
      const std::string& label = data.label_text(h.day, h.hour);
      json point = {
          {"timestamp", label.empty() ? forecasting::format_label({h.day, h.hour}) : label},
          {"forecast", number_or_null(h.forecast)},
          {"actual", number_or_null(h.actual)}};
      if (interval > 0) {
        point["lower"] = number_or_null(lower[i].forecast);
        point["upper"] = number_or_null(upper[i].forecast);
      }
      points.push_back(std::move(point));
    }
    const auto& m = result.metrics;
    json body = {{"target", target},
                 {"model", result.model},
                 {"from", forecasting::format_day(from)},
                 {"to", forecasting::format_day(to)},
                 {"points", points},
                 {"interval", interval > 0 ? json(interval) : json(nullptr)},
                 {"metrics",
                  {{"hours", m.hours},
                   {"mae", number_or_null(m.mae)},
                   {"rmse", number_or_null(m.rmse)},
                   {"persistence_mae", number_or_null(m.persistence_mae)},
                   {"skill", number_or_null(m.skill)}}}};
    res.set_content(body.dump(), "application/json");
  });
}

}  // namespace ems::analyst
